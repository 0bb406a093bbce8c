"""The smallest app: run it with ``flask --app examples/hello run``."""

from __future__ import annotations

from flask import Flask
from flask import jsonify
from flask import request
from flask import Response

app = Flask(__name__)


@app.route("/")
def index() -> str:
    return "Hello, World!"


@app.route("/hello/<name>")
def hello(name: str) -> str:
    return f"Hello, {name}!"


@app.post("/echo")
def echo() -> Response:
    return jsonify(received=request.get_json())
