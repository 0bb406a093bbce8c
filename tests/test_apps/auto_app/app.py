from flask import Flask

app = Flask("auto_app")
