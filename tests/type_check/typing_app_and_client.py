"""Checked by mypy only: config, contexts, globals and the test client."""

from __future__ import annotations

import typing as t
from datetime import timedelta

from flask import current_app
from flask import Flask
from flask import g
from flask import request
from flask import session
from flask.testing import FlaskClient

app = Flask(__name__)
app.config.from_mapping(SECRET_KEY="dev")
app.permanent_session_lifetime = timedelta(days=1)
lifetime: timedelta = app.permanent_session_lifetime
debug: bool = app.debug
testing: bool = app.testing

with app.app_context():
    name: str = current_app.name
    g.user = "me"
    user: t.Any = g.get("user")

with app.test_request_context("/?a=1"):
    arg: str | None = request.args.get("a")
    session["x"] = 1
    permanent: bool = session.permanent

client: FlaskClient = app.test_client()

with client.session_transaction() as sess:
    sess["x"] = 2

status: int = client.get("/").status_code
