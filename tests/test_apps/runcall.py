from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "still served by flask run"


# A common mistake: no ``if __name__ == "__main__":`` guard.
app.run()
