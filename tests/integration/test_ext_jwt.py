"""Flask-JWT-Extended: access and refresh tokens in headers and cookies
(with double-submit CSRF), claims, optional auth, expiry and its error
handlers.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from integration_helpers import NOT_INSTALLED

pytest.importorskip("flask_jwt_extended", reason=NOT_INSTALLED)

from flask_jwt_extended import create_access_token
from flask_jwt_extended import create_refresh_token
from flask_jwt_extended import current_user
from flask_jwt_extended import get_jwt
from flask_jwt_extended import get_jwt_identity
from flask_jwt_extended import jwt_required
from flask_jwt_extended import JWTManager
from flask_jwt_extended import set_access_cookies
from flask_jwt_extended import unset_jwt_cookies

from flask import Flask
from flask import jsonify
from flask import request

USERS = {"ann": {"name": "ann", "admin": True}, "bob": {"name": "bob", "admin": False}}


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        TESTING=True,
        JWT_SECRET_KEY="a-jwt-secret-that-is-long-enough-for-hs256",
        JWT_TOKEN_LOCATION=["headers", "cookies"],
        JWT_COOKIE_SECURE=False,
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(minutes=5),
    )
    jwt = JWTManager(app)
    revoked: set[str] = set()

    @jwt.user_lookup_loader
    def lookup(_header: dict, data: dict):
        return USERS.get(data["sub"])

    @jwt.additional_claims_loader
    def claims(identity: str) -> dict[str, object]:
        return {"admin": USERS[identity]["admin"]}

    @jwt.token_in_blocklist_loader
    def is_revoked(_header: dict, data: dict) -> bool:
        return data["jti"] in revoked

    @app.post("/login")
    def login():
        name = request.json["name"]
        if name not in USERS:
            return jsonify(msg="bad user"), 401
        return jsonify(
            access=create_access_token(identity=name),
            refresh=create_refresh_token(identity=name),
        )

    @app.post("/login-cookie")
    def login_cookie():
        rv = jsonify(ok=True)
        set_access_cookies(rv, create_access_token(identity=request.json["name"]))
        return rv

    @app.post("/logout-cookie")
    def logout_cookie():
        rv = jsonify(ok=True)
        unset_jwt_cookies(rv)
        return rv

    @app.route("/me", methods=["GET", "POST"])
    @jwt_required()
    def me():
        return jsonify(
            identity=get_jwt_identity(),
            admin=get_jwt()["admin"],
            user=current_user["name"],
        )

    @app.get("/maybe")
    @jwt_required(optional=True)
    def maybe() -> str:
        return f"hello {get_jwt_identity() or 'guest'}"

    @app.post("/refresh")
    @jwt_required(refresh=True)
    def refresh():
        return jsonify(access=create_access_token(identity=get_jwt_identity()))

    @app.post("/revoke")
    @jwt_required()
    def revoke() -> str:
        revoked.add(get_jwt()["jti"])
        return "revoked"

    return app


@pytest.fixture
def jwt_app() -> Flask:
    return create_app()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_header_tokens(jwt_app: Flask) -> None:
    client = jwt_app.test_client()
    tokens = client.post("/login", json={"name": "ann"}).json
    rv = client.get("/me", headers=_bearer(tokens["access"]))
    assert rv.json == {"identity": "ann", "admin": True, "user": "ann"}

    # A refresh token is not an access token, and vice versa.
    assert client.get("/me", headers=_bearer(tokens["refresh"])).status_code == 422
    rv = client.post("/refresh", headers=_bearer(tokens["refresh"]))
    assert client.get("/me", headers=_bearer(rv.json["access"])).status_code == 200


def test_missing_invalid_and_revoked(jwt_app: Flask) -> None:
    client = jwt_app.test_client()
    rv = client.get("/me")
    assert rv.status_code == 401
    assert rv.json["msg"].startswith("Missing JWT in headers or cookies")

    assert client.get("/me", headers=_bearer("not.a.jwt")).status_code == 422

    token = client.post("/login", json={"name": "bob"}).json["access"]
    assert client.post("/revoke", headers=_bearer(token)).text == "revoked"
    rv = client.get("/me", headers=_bearer(token))
    assert rv.status_code == 401
    assert rv.json == {"msg": "Token has been revoked"}


def test_expired_token(jwt_app: Flask) -> None:
    with jwt_app.app_context():
        token = create_access_token("ann", expires_delta=timedelta(seconds=-1))
    rv = jwt_app.test_client().get("/me", headers=_bearer(token))
    assert rv.status_code == 401
    assert rv.json == {"msg": "Token has expired"}


def test_optional(jwt_app: Flask) -> None:
    client = jwt_app.test_client()
    assert client.get("/maybe").text == "hello guest"
    token = client.post("/login", json={"name": "bob"}).json["access"]
    assert client.get("/maybe", headers=_bearer(token)).text == "hello bob"


def test_cookies_with_csrf(jwt_app: Flask) -> None:
    client = jwt_app.test_client()
    client.post("/login-cookie", json={"name": "ann"})
    assert client.get_cookie("access_token_cookie") is not None
    csrf = client.get_cookie("csrf_access_token")
    assert csrf is not None

    # Safe methods need no CSRF header; unsafe ones do.
    assert client.get("/me").json["identity"] == "ann"
    assert client.post("/me").status_code == 401
    rv = client.post("/me", headers={"X-CSRF-TOKEN": csrf.value})
    assert rv.json["identity"] == "ann"

    client.post("/logout-cookie")
    assert client.get_cookie("access_token_cookie") is None
    assert client.get("/me").status_code == 401
