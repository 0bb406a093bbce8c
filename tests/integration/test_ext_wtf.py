"""Flask-WTF: forms rendered in templates, CSRF protection on and off
(per form and app-wide with ``CSRFProtect``) and file fields.
"""

from __future__ import annotations

import io
import re

import pytest
from integration_helpers import NOT_INSTALLED

pytest.importorskip("flask_wtf", reason=NOT_INSTALLED)

from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect
from flask_wtf.csrf import generate_csrf
from flask_wtf.file import FileAllowed
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from flask_wtf.file import FileSize
from wtforms import StringField
from wtforms.validators import DataRequired

from flask import Flask
from flask import jsonify
from flask import render_template
from flask.testing import FlaskClient


class NoteForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired()])
    attachment = FileField(
        validators=[
            FileRequired(),
            FileAllowed(["txt", "md"], "Text files only."),
            FileSize(max_size=1024),
        ]
    )


def create_app(csrf: bool = True, protect: bool = False) -> Flask:
    app = Flask(__name__)
    app.config.update(
        TESTING=True,
        SECRET_KEY="wtf secret",
        WTF_CSRF_ENABLED=csrf,
    )
    protector = CSRFProtect(app) if protect else None
    saved: list[tuple[str, str, bytes]] = []
    app.extensions["saved_notes"] = saved

    @app.route("/notes/new", methods=["GET", "POST"])
    def new_note():
        form = NoteForm()
        if form.validate_on_submit():
            f = form.attachment.data
            saved.append((form.title.data, f.filename, f.read()))
            return jsonify(saved=form.title.data, file=f.filename), 201
        status = 400 if form.errors else 200
        return render_template("note_form.html", form=form), status

    @app.post("/api/ping")
    def api_ping():
        return jsonify(pong=True)

    @app.post("/webhook")
    def webhook() -> str:
        return "hooked"

    if protector is not None:
        protector.exempt(webhook)

        @app.errorhandler(CSRFError)
        def csrf_error(e: CSRFError):
            return jsonify(csrf_error=e.description), 400

    @app.get("/token")
    def token() -> str:
        return generate_csrf()

    return app


def _csrf_token(client: FlaskClient) -> str:
    page = client.get("/notes/new").text
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def _note(token: str | None = None, name: str = "hello.txt", data: bytes = b"hi"):
    form: dict[str, object] = {
        "title": "First",
        "attachment": (io.BytesIO(data), name),
    }
    if token is not None:
        form["csrf_token"] = token
    return form


def test_form_renders_csrf_token_and_accepts_it() -> None:
    app = create_app()
    client = app.test_client()
    token = _csrf_token(client)

    rv = client.post("/notes/new", data=_note(token))
    assert rv.status_code == 201
    assert rv.json == {"saved": "First", "file": "hello.txt"}
    assert app.extensions["saved_notes"] == [("First", "hello.txt", b"hi")]


def test_missing_or_wrong_csrf_token_is_a_form_error() -> None:
    client = create_app().test_client()
    _csrf_token(client)

    rv = client.post("/notes/new", data=_note())
    assert rv.status_code == 400
    assert "csrf_token: The CSRF token is missing." in rv.text

    rv = client.post("/notes/new", data=_note("not-a-token"))
    assert rv.status_code == 400
    assert "csrf_token: The CSRF token is invalid." in rv.text

    # A token from another client's session does not validate.
    other = create_app().test_client()
    rv = other.post("/notes/new", data=_note(_csrf_token(client)))
    assert "The CSRF tokens do not match." in rv.text


def test_csrf_disabled() -> None:
    app = create_app(csrf=False)
    client = app.test_client()
    assert 'name="csrf_token"' not in client.get("/notes/new").text
    assert client.post("/notes/new", data=_note()).status_code == 201


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("evil.exe", b"MZ", "attachment: Text files only."),
        ("big.txt", b"x" * 2048, "attachment: File must be between"),
    ],
)
def test_file_field_validation(name: str, data: bytes, message: str) -> None:
    client = create_app(csrf=False).test_client()
    rv = client.post("/notes/new", data=_note(name=name, data=data))
    assert rv.status_code == 400
    assert message in rv.text


def test_file_required() -> None:
    client = create_app(csrf=False).test_client()
    rv = client.post("/notes/new", data={"title": "no file"})
    assert rv.status_code == 400
    assert "attachment: This field is required." in rv.text


def test_csrf_protect_app_wide() -> None:
    app = create_app(protect=True)
    client = app.test_client()

    rv = client.post("/api/ping", json={})
    assert rv.status_code == 400
    assert rv.json == {"csrf_error": "The CSRF token is missing."}

    token = client.get("/token").text
    rv = client.post("/api/ping", json={}, headers={"X-CSRFToken": token})
    assert rv.json == {"pong": True}

    # Exempt views skip the check.
    assert client.post("/webhook").text == "hooked"

    # The form still works with the token rendered into the page.
    assert client.post("/notes/new", data=_note(_csrf_token(client))).status_code == 201
