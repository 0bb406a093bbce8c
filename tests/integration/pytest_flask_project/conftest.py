from __future__ import annotations

import pytest

from flask import Flask
from flask import jsonify
from flask import request
from flask import session
from flask import url_for


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="pytest-flask", TESTING=True)

    @app.get("/")
    def index() -> str:
        return "index"

    @app.get("/api/ping")
    def ping():
        best = request.accept_mimetypes.best_match(["application/json", "text/html"])
        return jsonify(pong=True, accept=best)

    @app.post("/visit")
    def visit() -> str:
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    @app.get("/where")
    def where() -> str:
        return url_for("index", _external=True)

    return app


@pytest.fixture
def app() -> Flask:
    return create_app()
