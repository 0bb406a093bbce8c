from flask import Flask


def create_app(config_name="development"):
    app = Flask(__name__)
    app.config["CONFIG_NAME"] = config_name

    @app.route("/")
    def index():
        return f"shop ({config_name})"

    @app.route("/items/<int:item_id>", methods=["GET", "POST"])
    def item(item_id):
        return str(item_id)

    return app
