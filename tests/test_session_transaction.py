"""Reading and changing the test client's session outside a request."""

from __future__ import annotations

import pytest

import flask


@pytest.fixture
def session_app(app):
    @app.get("/read")
    def read():
        return flask.jsonify(dict(flask.session))

    @app.get("/write/<value>")
    def write(value):
        flask.session["value"] = value
        return ""

    return app


def test_set_in_transaction_is_seen_by_the_app(session_app, client):
    with client.session_transaction() as sess:
        sess["value"] = "from test"

    assert client.get("/read").json == {"value": "from test"}


def test_transaction_sees_what_the_app_stored(session_app, client):
    client.get("/write/stored")

    with client.session_transaction() as sess:
        assert sess["value"] == "stored"


def test_unmodified_transaction_keeps_the_cookie(session_app, client):
    client.get("/write/kept")

    with client.session_transaction() as sess:
        assert sess["value"] == "kept"

    assert client.get("/read").json == {"value": "kept"}


def test_clearing_in_transaction_deletes_the_session(session_app, client):
    client.get("/write/gone")

    with client.session_transaction() as sess:
        sess.clear()

    assert client.get("/read").json == {}


def test_transaction_honours_request_arguments(app, client):
    app.config["SESSION_COOKIE_PATH"] = "/sub"

    @app.get("/sub/read")
    def read():
        return flask.jsonify(dict(flask.session))

    @app.get("/other")
    def other():
        return flask.jsonify(dict(flask.session))

    with client.session_transaction("/sub/") as sess:
        sess["x"] = 1

    assert client.get("/sub/read").json == {"x": 1}
    # The cookie's path keeps it away from other paths.
    assert client.get("/other").json == {}


def test_cookies_disabled_is_an_error(app):
    client = app.test_client(use_cookies=False)

    with pytest.raises(TypeError, match="Cookies are disabled"):
        with client.session_transaction():
            pass


def test_without_secret_key_no_session_opens(app, client):
    app.secret_key = None

    with pytest.raises(RuntimeError, match="did not open a session"):
        with client.session_transaction():
            pass

    assert client.get_cookie("session") is None


def test_null_session_is_not_saved(app, client):
    class NullOnly(flask.sessions.SecureCookieSessionInterface):
        def open_session(self, app, request):
            return self.make_null_session(app)

    app.session_interface = NullOnly()

    with client.session_transaction() as sess:
        assert isinstance(sess, flask.sessions.NullSession)

    assert client.get_cookie("session") is None


def test_backend_that_opens_nothing_is_an_error(app, client):
    class NoSession(flask.sessions.SecureCookieSessionInterface):
        def open_session(self, app, request):
            return None

    app.session_interface = NoSession()

    with pytest.raises(RuntimeError, match="did not open a session"):
        with client.session_transaction():
            pass
