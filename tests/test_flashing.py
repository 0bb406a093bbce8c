"""Message flashing across requests, through the session."""

from __future__ import annotations

import pytest
from markupsafe import Markup

import flask


@pytest.fixture
def flash_app(app):
    @app.post("/flash")
    def add():
        for category, message in flask.request.get_json():
            if category is None:
                flask.flash(message)
            else:
                flask.flash(message, category)

        return ""

    @app.get("/show")
    def show():
        args = flask.request.args
        kwargs = {}

        if "with_categories" in args:
            kwargs["with_categories"] = True

        if "filter" in args:
            kwargs["category_filter"] = args.getlist("filter")

        first = flask.get_flashed_messages(**kwargs)
        # A second call in the same request returns the same messages.
        second = flask.get_flashed_messages(**kwargs)
        assert first == second
        return flask.jsonify(first)

    return app


def test_messages_survive_one_request_only(flash_app, client):
    client.post("/flash", json=[[None, "saved"], ["error", "oops"]])
    assert client.get("/show").json == ["saved", "oops"]
    assert client.get("/show").json == []


def test_default_category_is_message(flash_app, client):
    client.post("/flash", json=[[None, "hello"]])
    assert client.get("/show?with_categories=1").json == [["message", "hello"]]


def test_category_filter_keeps_only_matching(flash_app, client):
    client.post(
        "/flash",
        json=[["error", "e1"], ["info", "i1"], ["warning", "w1"], ["error", "e2"]],
    )
    rv = client.get("/show?with_categories=1&filter=error&filter=warning")
    assert rv.json == [["error", "e1"], ["warning", "w1"], ["error", "e2"]]
    # Filtering still consumed every message.
    assert client.get("/show").json == []


def test_flashing_accumulates_across_requests_until_shown(flash_app, client):
    client.post("/flash", json=[[None, "one"]])
    client.post("/flash", json=[[None, "two"]])
    assert client.get("/show").json == ["one", "two"]


def test_flash_marks_session_modified_and_sets_cookie(flash_app, client):
    rv = client.post("/flash", json=[[None, "x"]])
    assert "session=" in rv.headers["Set-Cookie"]
    assert rv.headers["Vary"] == "Cookie"


def test_showing_messages_removes_them_from_the_cookie(flash_app, client):
    client.post("/flash", json=[[None, "x"]])
    rv = client.get("/show")
    # The session became empty, so its cookie is deleted.
    assert "Expires=Thu, 01 Jan 1970" in rv.headers["Set-Cookie"]


def test_markup_message_round_trips(app, client):
    @app.get("/set")
    def set_():
        flask.flash(Markup("<b>bold</b>"))
        return ""

    @app.get("/get")
    def get():
        (message,) = flask.get_flashed_messages()
        assert isinstance(message, Markup)
        return flask.render_template_string("{{ m }}", m=message)

    client.get("/set")
    assert client.get("/get").data == b"<b>bold</b>"


def test_template_can_read_flashed_messages(app, client):
    @app.get("/set")
    def set_():
        flask.flash("<hi>", "info")
        return ""

    @app.get("/page")
    def page():
        return flask.render_template_string(
            "{% for c, m in get_flashed_messages(with_categories=true) %}"
            "{{ c }}:{{ m }};{% endfor %}"
        )

    client.get("/set")
    assert client.get("/page").data == b"info:&lt;hi&gt;;"


def test_message_flashed_signal(app, client):
    seen = []

    def record(sender, message, category, **extra):
        seen.append((sender, message, category))

    @app.get("/set")
    def set_():
        flask.flash("hello", "info")
        return ""

    with flask.message_flashed.connected_to(record, app):
        client.get("/set")

    assert seen == [(app, "hello", "info")]


def test_flash_without_secret_key_explains(app, client):
    app.secret_key = None
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.get("/set")
    def set_():
        flask.flash("x")
        return ""

    with pytest.raises(RuntimeError, match="no secret key was set"):
        client.get("/set")


def test_flash_outside_request_fails(app_ctx):
    with pytest.raises(RuntimeError, match="request context"):
        flask.flash("x")
