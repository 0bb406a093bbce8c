"""``Flask`` behaviours the area suites leave out: a bare WSGI environ,
Jinja options, ``app.run`` under the CLI and without dotenv, the CLI runner
class, the status of a view's return tuple, and how errors reach the
teardown functions (the handled one, ``BaseException``,
``should_ignore_error``).
"""

from __future__ import annotations

import io
import os
import sys
import typing as t

import pytest

import flask
from flask.testing import FlaskCliRunner

# -- routing a minimal WSGI environ ---------------------------------------------


def test_environ_without_optional_keys(app):
    """PEP 3333 lets a server leave out ``SCRIPT_NAME``, ``PATH_INFO`` and
    ``QUERY_STRING``; the request is then for the root.
    """

    @app.route("/")
    def index():
        return "|".join(
            [
                flask.request.path,
                flask.request.script_root,
                flask.request.query_string.decode(),
                flask.url_for("index", x=1),
            ]
        )

    environ = {
        "REQUEST_METHOD": "GET",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    statuses: list[str] = []
    body = b"".join(app(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["200 OK"]
    assert body == b"/|||/?x=1"


# -- the Jinja environment ----------------------------------------------------------


@pytest.mark.parametrize("config_value", [True, False])
@pytest.mark.parametrize("option", [True, False])
def test_jinja_options_auto_reload_wins_over_config(app, config_value, option):
    app.config["TEMPLATES_AUTO_RELOAD"] = config_value
    app.jinja_options = {"auto_reload": option}
    assert app.jinja_env.auto_reload is option


# -- app.run ---------------------------------------------------------------------------


@pytest.fixture
def run_simple_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, t.Any]]:
    calls: list[dict[str, t.Any]] = []

    def run_simple(hostname, port, application, **kwargs):
        calls.append({"host": hostname, "port": port, "app": application, **kwargs})

    monkeypatch.setattr("werkzeug.serving.run_simple", run_simple)
    return calls


@pytest.mark.parametrize("in_reloader_child", [False, True])
def test_run_is_ignored_under_the_flask_command(
    app, run_simple_calls, monkeypatch, capsys, in_reloader_child
):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")

    if in_reloader_child:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    else:
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)

    app.run()
    out = capsys.readouterr().out
    assert run_simple_calls == []
    # The reloader's child runs the module again; warn only once.
    assert ("Ignoring a call to 'app.run()'" in out) is not in_reloader_child
    assert ('if __name__ == "__main__"' in out) is not in_reloader_child


@pytest.mark.parametrize(
    ("load_dotenv", "skip_env", "debug"),
    [
        (True, None, True),
        (False, None, False),
        (True, "1", False),
    ],
)
def test_run_loads_dotenv_unless_told_not_to(
    app, run_simple_calls, monkeypatch, tmp_path, capsys, load_dotenv, skip_env, debug
):
    (tmp_path / ".env").write_text("FLASK_DEBUG=1\n")
    monkeypatch.chdir(tmp_path)
    # Registered with monkeypatch so a value the .env sets is removed after.
    monkeypatch.setenv("FLASK_DEBUG", "0")
    monkeypatch.delenv("FLASK_DEBUG")

    if skip_env is not None:
        monkeypatch.setenv("FLASK_SKIP_DOTENV", skip_env)

    app.run(load_dotenv=load_dotenv)
    (call,) = run_simple_calls
    assert app.debug is debug
    assert call["use_debugger"] is debug
    assert ("FLASK_DEBUG" in os.environ) is debug
    assert f"Debug mode: {'on' if debug else 'off'}" in capsys.readouterr().out


# -- the CLI runner class -------------------------------------------------------------


def test_test_cli_runner_class(app):
    class Runner(FlaskCliRunner):
        pass

    app.test_cli_runner_class = Runner
    runner = app.test_cli_runner()
    assert type(runner) is Runner
    assert runner.app is app

    @app.cli.command("hello")
    def hello():
        print(f"hello from {flask.current_app.name}")

    assert runner.invoke(args=["hello"]).output == "hello from flask_test\n"


# -- the status of a return tuple --------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "expect"),
    [
        ({"a": 1}, "201 CREATED", "201 CREATED"),
        ({"a": 1}, "299", "299 UNKNOWN"),
        (["a"], 202, "202 ACCEPTED"),
        (flask.Response("a"), "203 PARTLY", "203 PARTLY"),
    ],
)
def test_status_of_a_non_text_body(app, client, body, status, expect):
    @app.route("/")
    def index():
        return body, status

    rv = client.get("/")
    assert rv.status == expect
    assert rv.status_code == int(expect[:3])


@pytest.mark.parametrize("status", [1.5, b"201"])
@pytest.mark.parametrize("body", ["text", {"a": 1}])
def test_status_of_another_type_is_a_type_error(app, client, body, status):
    """COMPAT(3.1): a float status fails in Flask with an AttributeError
    from werkzeug, bytes with a TypeError; here both are a TypeError that
    names the type.
    """

    @app.route("/")
    def index():
        return body, status

    with pytest.raises(TypeError, match=f"status of type {type(status).__name__}"):
        client.get("/")


# -- errors reaching the teardown functions --------------------------------------


def _record_teardowns(app: flask.Flask) -> list[tuple[str, BaseException | None]]:
    seen: list[tuple[str, BaseException | None]] = []

    @app.teardown_request
    def teardown_request(exc):
        seen.append(("request", exc))

    @app.teardown_appcontext
    def teardown_appcontext(exc):
        seen.append(("app", exc))

    return seen


def test_do_teardown_defaults_to_the_handled_exception(app):
    seen = _record_teardowns(app)
    error = KeyError("k")

    with app.test_request_context():
        try:
            raise error
        except KeyError:
            app.do_teardown_request()
            app.do_teardown_appcontext()

        assert seen == [("request", error), ("app", error)]
        seen.clear()
        app.do_teardown_request()
        app.do_teardown_appcontext()
        assert seen == [("request", None), ("app", None)]
        seen.clear()

    # Leaving the context tears down once more, with no error.
    assert seen == [("request", None), ("app", None)]


@pytest.mark.parametrize("exc_type", [KeyboardInterrupt, SystemExit, GeneratorExit])
def test_base_exception_propagates_after_teardown(app, client, exc_type):
    seen = _record_teardowns(app)
    handled: list[BaseException] = []

    app.register_error_handler(
        Exception, lambda e: handled.append(e) or ("handled", 500)
    )

    @app.route("/")
    def index():
        raise exc_type()

    with pytest.raises(exc_type) as info:
        client.get("/")

    assert handled == []
    assert seen == [("request", info.value), ("app", info.value)]
    assert not flask.has_request_context()


def test_should_ignore_error_hides_the_error_from_teardown(app):
    class IgnoringApp(flask.Flask):
        def should_ignore_error(self, error):
            return isinstance(error, ValueError)

    app = IgnoringApp("flask_test")
    app.logger.disabled = True
    seen = _record_teardowns(app)

    @app.route("/<kind>")
    def index(kind):
        raise ValueError() if kind == "value" else KeyError(kind)

    client = app.test_client()
    assert client.get("/value").status_code == 500
    assert seen == [("request", None), ("app", None)]
    seen.clear()

    assert client.get("/key").status_code == 500
    assert [(where, type(exc)) for where, exc in seen] == [
        ("request", KeyError),
        ("app", KeyError),
    ]
