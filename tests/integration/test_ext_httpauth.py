"""Flask-HTTPAuth: Basic, Bearer token and Digest authentication, roles,
``MultiAuth`` and custom error handlers.
"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from integration_helpers import NOT_INSTALLED

pytest.importorskip("flask_httpauth", reason=NOT_INSTALLED)

from flask_httpauth import HTTPBasicAuth
from flask_httpauth import HTTPDigestAuth
from flask_httpauth import HTTPTokenAuth
from flask_httpauth import MultiAuth
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from flask import Flask
from flask import jsonify

USERS = {
    "ann": generate_password_hash("secret"),
    "bob": generate_password_hash("hunter2"),
}
ROLES = {"ann": ["admin"], "bob": []}
TOKENS = {"t-ann": "ann", "t-bob": "bob"}


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, SECRET_KEY="digest needs a session")
    basic = HTTPBasicAuth()
    token = HTTPTokenAuth(scheme="Bearer")
    digest = HTTPDigestAuth()
    multi = MultiAuth(basic, token)

    @basic.verify_password
    def verify_password(username: str, password: str) -> str | None:
        if username in USERS and check_password_hash(USERS[username], password):
            return username
        return None

    @basic.get_user_roles
    def get_user_roles(user: str) -> list[str]:
        return ROLES[user]

    @basic.error_handler
    def basic_error(status: int):
        return jsonify(error="auth", status=status), status

    @token.verify_token
    def verify_token(value: str) -> str | None:
        return TOKENS.get(value)

    @digest.get_password
    def get_pw(username: str) -> str | None:
        return {"ann": "secret"}.get(username)

    @app.get("/basic")
    @basic.login_required
    def basic_view() -> str:
        return f"hello {basic.current_user()}"

    @app.get("/admin")
    @basic.login_required(role="admin")
    def admin() -> str:
        return "admin area"

    @app.get("/token")
    @token.login_required
    def token_view() -> str:
        return f"token {token.current_user()}"

    @app.get("/either")
    @multi.login_required
    def either() -> str:
        return f"either {multi.current_user()}"

    @app.get("/digest")
    @digest.login_required
    def digest_view() -> str:
        return f"digest {digest.username()}"

    return app


@pytest.fixture
def auth_app() -> Flask:
    return create_app()


def _basic(user: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def test_basic_auth_and_roles(auth_app: Flask) -> None:
    client = auth_app.test_client()
    rv = client.get("/basic")
    assert rv.status_code == 401
    assert rv.json == {"error": "auth", "status": 401}
    assert rv.headers["WWW-Authenticate"] == 'Basic realm="Authentication Required"'

    assert client.get("/basic", headers=_basic("ann", "wrong")).status_code == 401
    assert client.get("/basic", headers=_basic("ann", "secret")).text == "hello ann"

    assert client.get("/admin", headers=_basic("ann", "secret")).text == "admin area"
    rv = client.get("/admin", headers=_basic("bob", "hunter2"))
    assert rv.status_code == 403


def test_token_and_multi_auth(auth_app: Flask) -> None:
    client = auth_app.test_client()
    bearer = {"Authorization": "Bearer t-bob"}
    assert client.get("/token", headers=bearer).text == "token bob"
    rv = client.get("/token", headers={"Authorization": "Bearer nope"})
    assert rv.status_code == 401
    assert rv.headers["WWW-Authenticate"].startswith("Bearer")

    assert client.get("/either", headers=bearer).text == "either bob"
    assert client.get("/either", headers=_basic("ann", "secret")).text == "either ann"
    assert client.get("/either").status_code == 401


def test_digest_auth(auth_app: Flask) -> None:
    client = auth_app.test_client()
    rv = client.get("/digest")
    assert rv.status_code == 401
    challenge = rv.headers["WWW-Authenticate"]
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))

    def md5(s: str) -> str:
        return hashlib.md5(s.encode()).hexdigest()

    ha1 = md5(f"ann:{params['realm']}:secret")
    ha2 = md5("GET:/digest")
    response = md5(f"{ha1}:{params['nonce']}:{ha2}")
    header = (
        f'Digest username="ann", realm="{params["realm"]}", '
        f'nonce="{params["nonce"]}", uri="/digest", '
        f'response="{response}", opaque="{params["opaque"]}"'
    )
    # The nonce and opaque values live in the (cookie) session.
    rv = client.get("/digest", headers={"Authorization": header})
    assert rv.text == "digest ann"
