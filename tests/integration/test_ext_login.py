"""Flask-Login: sign in and out, ``login_required``, the remember-me cookie,
``current_user`` in templates and its ``FlaskLoginClient``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from integration_helpers import NOT_INSTALLED

pytest.importorskip("flask_login", reason=NOT_INSTALLED)

from flask_login import current_user
from flask_login import FlaskLoginClient
from flask_login import login_required
from flask_login import login_user
from flask_login import LoginManager
from flask_login import logout_user
from flask_login import user_logged_in
from flask_login import UserMixin

from flask import flash
from flask import Flask
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for


@dataclass
class User(UserMixin):
    id: str
    name: str
    password: str


USERS = {
    "1": User("1", "ann", "secret"),
    "2": User("2", "bob", "hunter2"),
}


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        TESTING=True,
        SECRET_KEY="login secret",
        REMEMBER_COOKIE_NAME="remember_token",
    )
    login_manager = LoginManager(app)
    login_manager.login_view = "login"
    login_manager.login_message = "Please sign in."

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return USERS.get(user_id)

    @app.route("/")
    def index() -> str:
        return render_template("base.html")

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            user = next(
                (u for u in USERS.values() if u.name == request.form["username"]),
                None,
            )
            if user is None or user.password != request.form["password"]:
                flash("Wrong name or password.")
                return render_template("login.html"), 401
            login_user(user, remember=bool(request.form.get("remember")))
            return redirect(request.form.get("next") or url_for("index"))
        return render_template("login.html")

    @app.route("/logout")
    def logout():
        logout_user()
        return redirect(url_for("index"))

    @app.route("/private")
    @login_required
    def private() -> str:
        return f"private page of {current_user.name}"

    return app


@pytest.fixture
def login_app() -> Flask:
    return create_app()


def test_anonymous_and_login_required_redirect(login_app: Flask) -> None:
    client = login_app.test_client()
    assert "Hello, anonymous" in client.get("/").text

    rv = client.get("/private")
    assert rv.status_code == 302
    location = urlsplit(rv.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/private"]}
    assert "Please sign in." in client.get("/").text


def test_login_logout_and_current_user_in_template(login_app: Flask) -> None:
    client = login_app.test_client()
    signals = []

    def record(app: Flask, user: User) -> None:
        signals.append(user.name)

    user_logged_in.connect(record, login_app)

    rv = client.post("/login", data={"username": "ann", "password": "nope"})
    assert rv.status_code == 401
    assert "Wrong name or password." in rv.text

    rv = client.post(
        "/login",
        data={"username": "ann", "password": "secret", "next": "/private"},
    )
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/private"
    assert signals == ["ann"]
    # Without remember-me, no remember cookie is set.
    assert client.get_cookie("remember_token") is None

    assert client.get("/private").text == "private page of ann"
    assert "Signed in as <b>ann</b>" in client.get("/").text

    with client.session_transaction() as sess:
        assert sess["_user_id"] == "1"

    client.get("/logout")
    assert client.get("/private").status_code == 302
    assert "Hello, anonymous" in client.get("/").text


def test_remember_me_cookie_restores_login(login_app: Flask) -> None:
    client = login_app.test_client()
    client.post(
        "/login",
        data={"username": "bob", "password": "hunter2", "remember": "1"},
    )
    remember = client.get_cookie("remember_token")
    assert remember is not None
    assert remember.value.startswith("2|")
    assert remember.http_only

    # A new browser session: only the long-lived cookie survives.
    fresh = login_app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/private").text == "private page of bob"

    with fresh.session_transaction() as sess:
        assert sess["_user_id"] == "2"
        assert sess["_fresh"] is False

    # A tampered cookie is ignored.
    forged = login_app.test_client()
    forged.set_cookie("remember_token", "1|" + remember.value.split("|", 1)[1])
    assert forged.get("/private").status_code == 302

    # Signing out clears the remember cookie.
    rv = fresh.get("/logout")
    assert "remember_token=;" in rv.headers.get("Set-Cookie", "")
    assert fresh.get_cookie("remember_token") is None


def test_flask_login_client(login_app: Flask) -> None:
    login_app.test_client_class = FlaskLoginClient

    with login_app.test_client(user=USERS["1"]) as client:
        assert client.get("/private").text == "private page of ann"


def test_current_user_outside_request_is_none(login_app: Flask) -> None:
    with login_app.app_context():
        assert current_user._get_current_object() is None
