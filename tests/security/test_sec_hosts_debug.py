"""Host trust and debug exposure.

``TRUSTED_HOSTS`` refuses a foreign ``Host`` with a 400 before any view
runs, and URLs built with ``SERVER_NAME`` never take the host from the
request. The interactive debugger is never on unless debug mode is
explicitly asked for, and error pages outside debug mode show no
traceback, exception text or source path.
"""

from __future__ import annotations

import typing as t

import pytest
import werkzeug.debug
import werkzeug.serving
from click.testing import CliRunner

import flask
from flask.cli import FlaskGroup
from flask.cli import ScriptInfo


@pytest.fixture
def happ() -> flask.Flask:
    app = flask.Flask("sec_hosts")
    app.config.update(TRUSTED_HOSTS=["example.com", ".example.org"])
    app.calls = []  # type: ignore[attr-defined]

    @app.get("/")
    def index() -> str:
        app.calls.append("view")  # type: ignore[attr-defined]
        return flask.url_for("index", _external=True)

    @app.post("/form")
    def form() -> str:
        app.calls.append("view")  # type: ignore[attr-defined]
        return str(dict(flask.request.form))

    return app


TRUSTED = ["example.com", "example.com:8080", "a.example.org", "example.org"]
FOREIGN = [
    "evil.com",
    "example.com.evil.com",
    "evilexample.com",
    "example.org.evil.com",
    "evil.com#example.com",
    "evil.com?example.com",
    "evil.com/example.com",
    "evil.com@example.com",
    "example.com@evil.com",
    "example.com:80@evil.com",
    "[::1]",
    "127.0.0.1",
    "<script>alert(1)</script>",
    "",
    "a" * 5000,
]


@pytest.mark.parametrize("host", TRUSTED)
def test_trusted_hosts_accepted(happ, host: str) -> None:
    rv = happ.test_client().get("/", headers={"Host": host})
    assert rv.status_code == 200
    assert rv.data == f"http://{host}/".encode()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("host", FOREIGN)
def test_foreign_host_is_400_and_no_view_runs(happ, host: str, method: str) -> None:
    path = "/" if method == "GET" else "/form"
    rv = happ.test_client().open(
        path, method=method, headers={"Host": host}, data={"a": "b"}
    )
    assert rv.status_code == 400
    assert happ.calls == []
    # werkzeug names the host in the page, escaped.
    assert b"<script>" not in rv.data


def test_foreign_host_never_reaches_url_building(happ) -> None:
    # The routing error is kept and raised at dispatch, before the view:
    # even a 404 route or a route with arguments answers 400.
    client = happ.test_client()
    assert client.get("/nowhere", headers={"Host": "evil.com"}).status_code == 400
    assert happ.calls == []


def test_forwarded_host_headers_are_not_trusted(happ) -> None:
    rv = happ.test_client().get(
        "/",
        headers={
            "Host": "example.com",
            "X-Forwarded-Host": "evil.com",
            "Forwarded": "host=evil.com",
            "X-Original-Host": "evil.com",
        },
    )
    assert rv.status_code == 200
    assert rv.data == b"http://example.com/"


def test_canary_without_trusted_hosts_the_host_is_echoed(happ) -> None:
    happ.config["TRUSTED_HOSTS"] = None
    rv = happ.test_client().get("/", headers={"Host": "evil.com"})
    assert rv.data == b"http://evil.com/"


@pytest.mark.parametrize("host", ["evil.com", "sub.example.com", "example.com"])
def test_server_name_builds_external_urls_not_the_host(host: str) -> None:
    app = flask.Flask("sec_server_name")
    app.config.update(SERVER_NAME="example.com", PREFERRED_URL_SCHEME="https")

    @app.get("/")
    def index() -> str:
        return flask.url_for("index", _external=True)

    @app.get("/redirect")
    def redirect() -> t.Any:
        return flask.redirect(flask.url_for("index", _external=True))

    client = app.test_client()
    rv = client.get("/", headers={"Host": host})
    # COMPAT(3.1): a request for another host is still served...
    assert rv.status_code == 200
    # ...but the URL it builds names SERVER_NAME, not the request's host.
    assert rv.data.split(b"://")[1] == b"example.com/"
    location = client.get("/redirect", headers={"Host": host}).location
    assert location.split("://")[1] == "example.com/"

    with app.app_context():
        assert flask.url_for("index") == "https://example.com/"


def test_server_name_with_trusted_hosts(happ) -> None:
    happ.config["SERVER_NAME"] = "example.com"
    client = happ.test_client()
    assert client.get("/", headers={"Host": "evil.com"}).status_code == 400
    rv = client.get("/", headers={"Host": "a.example.org"})
    assert rv.data.split(b"://")[1] == b"example.com/"


def test_host_with_newline_never_reaches_the_app(happ) -> None:
    from werkzeug.test import EnvironBuilder
    from werkzeug.test import run_wsgi_app

    environ = EnvironBuilder(path="/").get_environ()
    environ["HTTP_HOST"] = "example.com\r\nX-Injected: 1"
    _, status, headers = run_wsgi_app(happ, environ, buffered=True)
    assert status.startswith("400")
    assert "X-Injected" not in headers


# -- the debugger ---------------------------------------------------------------


@pytest.fixture
def run_simple_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, t.Any]]:
    calls: list[dict[str, t.Any]] = []

    def fake_run_simple(host: str, port: int, app: t.Any, **kwargs: t.Any) -> None:
        calls.append({"host": host, "port": port, "app": app, **kwargs})

    monkeypatch.setattr(werkzeug.serving, "run_simple", fake_run_simple)
    return calls


def test_app_run_defaults_to_no_debugger(run_simple_calls, monkeypatch) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = flask.Flask("sec_debug")
    app.run(load_dotenv=False)
    (call,) = run_simple_calls
    assert call["use_debugger"] is False
    assert call["use_reloader"] is False
    assert call["host"] == "127.0.0.1"
    assert app.debug is False
    assert not isinstance(app.wsgi_app, werkzeug.debug.DebuggedApplication)


@pytest.mark.parametrize("value", ["0", "false", "no", ""])
def test_app_run_debug_env_off(run_simple_calls, monkeypatch, value: str) -> None:
    monkeypatch.setenv("FLASK_DEBUG", value)
    app = flask.Flask("sec_debug")
    app.run()
    assert run_simple_calls[0]["use_debugger"] is False


def test_app_run_debug_only_when_asked(run_simple_calls, monkeypatch) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = flask.Flask("sec_debug")
    app.run(debug=True, load_dotenv=False)
    assert run_simple_calls[0]["use_debugger"] is True
    app2 = flask.Flask("sec_debug2")
    app2.run(debug=True, use_debugger=False, load_dotenv=False)
    assert run_simple_calls[1]["use_debugger"] is False


def test_flask_run_defaults_to_no_debugger(run_simple_calls, monkeypatch) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = flask.Flask("sec_debug")
    cli = FlaskGroup(create_app=lambda: app, load_dotenv=False)
    result = CliRunner().invoke(cli, ["run"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    (call,) = run_simple_calls
    assert call["use_debugger"] is False
    assert call["use_reloader"] is False
    assert "Debug mode: off" in result.output


def test_debugger_urls_are_plain_404_outside_debug() -> None:
    app = flask.Flask("sec_debug")
    client = app.test_client()

    for query in [
        "__debugger__=yes&cmd=resource&f=style.css",
        "__debugger__=yes&cmd=printpin&s=x",
        "__debugger__=yes&cmd=pinauth&pin=0&s=x",
    ]:
        rv = client.get("/console?" + query)
        assert rv.status_code == 404
        assert b"Werkzeug" not in rv.data and b"debugger" not in rv.data.lower()


@pytest.fixture
def eapp() -> flask.Flask:
    app = flask.Flask("sec_errors")

    @app.get("/boom")
    def boom() -> str:
        secret = "db-password-hunter2"  # noqa: F841 - must not be shown
        raise RuntimeError("internal detail hunter2 at /srv/app/secret.py")

    @app.get("/key")
    def key() -> str:
        return flask.request.form["secret_field_name"]

    @app.post("/json")
    def json_view() -> t.Any:
        return flask.request.get_json()

    return app


LEAKS = [b"Traceback", b"RuntimeError", b"hunter2", b"secret.py", b".py", b"line "]


def test_500_page_shows_nothing_of_the_error(eapp, caplog) -> None:
    rv = eapp.test_client().get("/boom")
    assert rv.status_code == 500

    for leak in LEAKS:
        assert leak not in rv.data, leak

    # It is logged for the operator instead.
    assert "hunter2" in caplog.text


def test_400_pages_show_no_parser_or_key_detail(eapp) -> None:
    client = eapp.test_client()
    rv = client.get("/key")
    assert rv.status_code == 400
    assert b"secret_field_name" not in rv.data
    rv = client.post("/json", data=b"{bad", content_type="application/json")
    assert rv.status_code == 400
    assert b"Expecting" not in rv.data and b"line 1" not in rv.data


def test_debug_is_off_by_default_even_with_testing(eapp) -> None:
    assert eapp.debug is False
    eapp.config["TESTING"] = True
    assert eapp.debug is False
    assert eapp.config["PROPAGATE_EXCEPTIONS"] is None


def test_canary_debug_mode_does_explain(eapp) -> None:
    # The control: in debug mode the key is named, so the test above
    # really checks what is hidden outside it.
    eapp.debug = True
    eapp.config.update(PROPAGATE_EXCEPTIONS=False, TRAP_BAD_REQUEST_ERRORS=False)
    rv = eapp.test_client().get("/key")
    assert b"secret_field_name" in rv.data
