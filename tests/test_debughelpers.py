"""Debug-mode explanations (flask.debughelpers), template loading
explanations, and which servers get werkzeug's debugger."""

from __future__ import annotations

import io
import logging
import os
import typing as t
from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner
from werkzeug.debug import DebuggedApplication
from werkzeug.exceptions import BadRequestKeyError
from werkzeug.routing import RequestRedirect
from werkzeug.test import Client

import flask
import flask.cli
from flask.debughelpers import DebugFilesKeyError
from flask.debughelpers import FormDataRoutingRedirect
from flask.debughelpers import UnexpectedUnicodeError


def test_exception_classes():
    assert issubclass(DebugFilesKeyError, KeyError)
    assert issubclass(DebugFilesKeyError, AssertionError)
    assert issubclass(FormDataRoutingRedirect, AssertionError)
    assert issubclass(UnexpectedUnicodeError, AssertionError)
    assert issubclass(UnexpectedUnicodeError, UnicodeError)


# -- request.files on a form sent without multipart ---------------------------


@pytest.fixture
def upload_app(app: flask.Flask) -> flask.Flask:
    @app.route("/upload", methods=["POST"])
    def upload():
        return flask.request.files["file"].filename

    return app


def test_files_key_error_explains_enctype_in_debug(upload_app, client):
    upload_app.debug = True

    with pytest.raises(DebugFilesKeyError) as info:
        client.post("/upload", data={"file": "photo.png"})

    message = str(info.value)
    assert message == (
        "You tried to access the file 'file' in the request.files dictionary"
        " but it does not exist. The mimetype for the request is"
        " 'application/x-www-form-urlencoded' instead of 'multipart/form-data'"
        " which means that no file contents were transmitted. To fix this"
        ' error you should provide enctype="multipart/form-data" in your'
        " form.\n\nThe browser instead transmitted some file names. This was"
        " submitted: 'photo.png'"
    )
    # Still a KeyError, so code catching that keeps working.
    assert isinstance(info.value, KeyError)


def test_files_key_error_lists_every_submitted_name(upload_app, client):
    upload_app.debug = True

    with pytest.raises(DebugFilesKeyError, match="submitted: 'a.png', 'b.png'"):
        client.post("/upload", data={"file": ["a.png", "b.png"]})


def test_files_key_error_not_in_form_is_plain_bad_request(upload_app, client):
    upload_app.debug = True

    with pytest.raises(BadRequestKeyError) as info:
        client.post("/upload", data={"other": "x"})

    assert not isinstance(info.value, DebugFilesKeyError)


def test_files_key_error_needs_debug(upload_app, client):
    upload_app.testing = False
    rv = client.post("/upload", data={"file": "photo.png"})
    assert rv.status_code == 400
    assert b"enctype" not in rv.data


def test_real_upload_in_debug_works(upload_app, client):
    upload_app.debug = True
    rv = client.post("/upload", data={"file": (io.BytesIO(b"data"), "photo.png")})
    assert rv.data == b"photo.png"


# -- a routing redirect that would drop form data -----------------------------


@pytest.fixture
def slash_app(app: flask.Flask, monkeypatch: pytest.MonkeyPatch) -> flask.Flask:
    @app.route("/folder/", methods=["GET", "POST", "PUT"])
    def folder():
        return "folder"

    # werkzeug redirects with 308, which keeps the body; a 301 or 302 (older
    # werkzeug, or a custom map) would make the browser drop it.
    monkeypatch.setattr(RequestRedirect, "code", 301)
    return app


@pytest.mark.parametrize(("method", "query"), [("POST", ""), ("PUT", "?a=1")])
def test_form_redirect_explained_in_debug(slash_app, client, method, query):
    slash_app.debug = True

    with pytest.raises(FormDataRoutingRedirect) as info:
        client.open(f"/folder{query}", method=method, data={"x": "1"})

    assert str(info.value) == (
        f"A request was sent to 'http://localhost/folder{query}', but routing"
        " issued a redirect to the canonical URL"
        f" 'http://localhost/folder/{query}'. The URL was defined with a"
        " trailing slash. Flask will redirect to the URL with a trailing"
        " slash if it was accessed without one. Send requests to the canonical"
        " URL, or use 307 or 308 for routing redirects. Otherwise, browsers"
        " will drop form data.\n\nThis exception is only raised in debug mode."
    )


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_form_redirect_not_raised_for_safe_methods(slash_app, client, method):
    slash_app.debug = True
    rv = client.open("/folder", method=method)
    assert rv.status_code == 301
    assert rv.headers["Location"] == "http://localhost/folder/"


def test_form_redirect_not_raised_without_debug(slash_app, client):
    rv = client.post("/folder", data={"x": "1"})
    assert rv.status_code == 301


@pytest.mark.parametrize("code", [307, 308])
def test_form_redirect_keeping_the_body_is_not_an_error(
    slash_app, client, monkeypatch, code
):
    slash_app.debug = True
    monkeypatch.setattr(RequestRedirect, "code", code)
    rv = client.post("/folder", data={"x": "1"})
    assert rv.status_code == code


# -- EXPLAIN_TEMPLATE_LOADING ------------------------------------------------


@pytest.fixture
def template_root(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("app page")
    (tmp_path / "bp_templates").mkdir()
    (tmp_path / "bp_templates" / "page.html").write_text("bp page")
    (tmp_path / "bp_templates" / "only_bp.html").write_text("only bp")
    return tmp_path


@pytest.fixture
def explain_app(template_root: Path) -> flask.Flask:
    app = flask.Flask("explain_app", root_path=str(template_root))
    app.config.update(TESTING=True, EXPLAIN_TEMPLATE_LOADING=True)
    bp = flask.Blueprint(
        "frontend",
        __name__,
        template_folder="bp_templates",
        root_path=str(template_root),
    )

    @bp.route("/bp/<name>")
    def bp_view(name):
        return flask.render_template(name)

    @app.route("/<name>")
    def app_view(name):
        return flask.render_template(name)

    app.register_blueprint(bp)
    return app


def _explanations(caplog: pytest.LogCaptureFixture, app: flask.Flask) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == app.logger.name and r.levelno == logging.INFO
    ]


def test_explain_found_in_several_loaders(explain_app, template_root, caplog):
    caplog.set_level(logging.INFO, logger=explain_app.logger.name)
    rv = explain_app.test_client().get("/page.html")
    assert rv.data == b"app page"
    (message,) = _explanations(caplog, explain_app)
    assert message == "\n".join(
        [
            "Locating template 'page.html':",
            "    1: trying loader of application 'explain_app'",
            "       class: jinja2.loaders.FileSystemLoader",
            "       encoding: 'utf-8'",
            "       followlinks: False",
            "       searchpath:",
            f"         - {template_root / 'templates'}",
            f"       -> found ('{template_root / 'templates' / 'page.html'}')",
            f"    2: trying loader of blueprint 'frontend' ({__name__})",
            "       class: jinja2.loaders.FileSystemLoader",
            "       encoding: 'utf-8'",
            "       followlinks: False",
            "       searchpath:",
            f"         - {template_root / 'bp_templates'}",
            f"       -> found ('{template_root / 'bp_templates' / 'page.html'}')",
            "Warning: multiple loaders returned a match for the template.",
        ]
    )


def test_explain_found_once(explain_app, caplog):
    caplog.set_level(logging.INFO, logger=explain_app.logger.name)
    assert explain_app.test_client().get("/only_bp.html").data == b"only bp"
    (message,) = _explanations(caplog, explain_app)
    assert "       -> no match" in message
    assert "only_bp.html')" in message
    assert "Warning" not in message
    assert "Error" not in message


def test_explain_missing_template_from_blueprint(explain_app, caplog):
    caplog.set_level(logging.INFO, logger=explain_app.logger.name)

    with pytest.raises(flask.templating.TemplateNotFound):
        explain_app.test_client().get("/bp/missing.html")

    (message,) = _explanations(caplog, explain_app)
    assert message.count("-> no match") == 2
    assert message.endswith(
        "Error: the template could not be found.\n"
        "  The template was looked up from an endpoint that belongs to the"
        " blueprint 'frontend'.\n"
        "  Maybe you did not place a template in the right folder?\n"
        "  See https://flask.palletsprojects.com/blueprints/#templates"
    )


def test_explain_missing_template_outside_request(explain_app, caplog):
    caplog.set_level(logging.INFO, logger=explain_app.logger.name)

    with explain_app.app_context():
        with pytest.raises(flask.templating.TemplateNotFound):
            flask.render_template("missing.html")

    (message,) = _explanations(caplog, explain_app)
    assert message.startswith("Locating template 'missing.html':\n")
    assert message.endswith("Error: the template could not be found.")


def test_no_explanation_by_default(explain_app, caplog):
    explain_app.config["EXPLAIN_TEMPLATE_LOADING"] = False
    caplog.set_level(logging.DEBUG, logger=explain_app.logger.name)
    assert explain_app.test_client().get("/page.html").data == b"app page"
    assert _explanations(caplog, explain_app) == []


# -- the debugger: on with debug, never by default -----------------------------


@pytest.fixture
def run_simple_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> t.Iterator[list[dict[str, t.Any]]]:
    """Record the calls to run_simple instead of serving.

    ``flask --debug`` and ``app.run`` (loading ``.env`` files) write to
    ``os.environ`` directly; it is restored after the test, so no
    ``FLASK_DEBUG`` leaks into later tests.
    """
    calls: list[dict[str, t.Any]] = []
    saved_environ = dict(os.environ)

    def run_simple(hostname, port, application, **kwargs):
        calls.append({"host": hostname, "port": port, "app": application, **kwargs})

    monkeypatch.setattr("werkzeug.serving.run_simple", run_simple)
    # Flask's CLI binds the function when it is imported.
    monkeypatch.setattr(flask.cli, "run_simple", run_simple, raising=False)
    yield calls
    os.environ.clear()
    os.environ.update(saved_environ)


@pytest.mark.parametrize(
    ("kwargs", "debugger", "reloader"),
    [
        ({}, False, False),
        ({"debug": False}, False, False),
        ({"debug": True}, True, True),
        ({"debug": True, "use_reloader": False}, True, False),
        ({"debug": True, "use_debugger": False}, False, True),
    ],
)
def test_app_run_debugger_only_in_debug(
    app, run_simple_calls, capsys, kwargs, debugger, reloader
):
    app.run(**kwargs)
    (call,) = run_simple_calls
    assert call["use_debugger"] is debugger
    assert call["use_reloader"] is reloader
    assert call["threaded"] is True
    assert (call["host"], call["port"]) == ("127.0.0.1", 5000)
    assert call["app"] is app
    assert f"Debug mode: {'on' if kwargs.get('debug') else 'off'}" in (
        capsys.readouterr().out
    )


def test_app_run_debug_from_environment(app, run_simple_calls, monkeypatch, capsys):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app.run()
    assert run_simple_calls[0]["use_debugger"] is True
    assert app.debug is True


def test_app_run_host_and_port(app, run_simple_calls, capsys):
    app.run(host="0.0.0.0", port="8080")
    app.config["SERVER_NAME"] = "example.test:7777"
    app.run()
    assert [(c["host"], c["port"]) for c in run_simple_calls] == [
        ("0.0.0.0", 8080),
        ("example.test", 7777),
    ]


@pytest.mark.parametrize(
    ("args", "debugger", "reloader"),
    [
        (["run"], False, False),
        (["--debug", "run"], True, True),
        (["--debug", "run", "--no-debugger"], False, True),
        (["--debug", "run", "--no-reload"], True, False),
        (["run", "--debugger"], True, False),
    ],
)
def test_flask_run_debugger_only_with_debug(
    app, run_simple_calls, args, debugger, reloader
):
    cli = flask.cli.FlaskGroup(create_app=lambda: app)
    # A port nothing listens on, so the command does not stop early.
    result = CliRunner().invoke(cli, [*args, "--port", "0"])
    assert result.exit_code == 0, result.output
    (call,) = run_simple_calls
    assert call["use_debugger"] is debugger
    assert call["use_reloader"] is reloader


def test_error_page_shows_no_traceback_by_default(app, client):
    app.testing = False
    app.logger.disabled = True

    @app.route("/boom")
    def boom():
        raise ValueError("internal detail")

    rv = client.get("/boom")
    assert rv.status_code == 500
    assert b"Traceback" not in rv.data
    assert b"internal detail" not in rv.data

    # Even behind the debugger, outside debug mode Flask answers the error
    # itself, so nothing is shown.
    rv = Client(DebuggedApplication(app, evalex=True)).get(
        "/boom", errors_stream=io.StringIO()
    )
    assert rv.status_code == 500
    assert b"Traceback" not in rv.data


def test_debugger_shows_the_traceback_in_debug(app):
    app.testing = False
    app.debug = True

    @app.route("/boom")
    def boom():
        raise ValueError("internal detail")

    # What run_simple(use_debugger=True) serves: the error propagates out
    # of the app in debug mode, and the debugger renders it.
    rv = Client(DebuggedApplication(app, evalex=True)).get(
        "/boom", errors_stream=io.StringIO()
    )
    assert rv.status_code == 500
    assert b"Traceback" in rv.data
    assert b"internal detail" in rv.data
    assert b"Werkzeug Debugger" in rv.data


# -- details; messages and outputs as Flask 3.1.3 gives them ------------------


def test_files_key_error_keeps_constructor_args(upload_app, client):
    upload_app.debug = True

    with pytest.raises(DebugFilesKeyError) as info:
        client.post("/upload", data={"file": "photo.png"})

    request, key = info.value.args
    assert key == "file"
    assert isinstance(request, flask.Request)
    assert info.value.msg == str(info.value)
    # Raised in place of the KeyError, with its traceback and no context.
    assert info.value.__suppress_context__
    assert info.value.__cause__ is None


def test_files_key_error_from_query_string_is_plain(upload_app, client):
    upload_app.debug = True

    # Only form fields explain a missing file, not query arguments.
    with pytest.raises(BadRequestKeyError):
        client.post("/upload?file=photo.png", data={"other": "x"})


def test_files_key_error_for_json_body(app, client):
    app.debug = True

    @app.post("/json")
    def json_view():
        return flask.request.files["file"].filename

    with pytest.raises(BadRequestKeyError) as info:
        client.post("/json", json={"file": "x"})

    assert not isinstance(info.value, DebugFilesKeyError)


def test_files_key_error_message_for_request_without_body(app):
    with app.test_request_context("/"):
        error = DebugFilesKeyError(flask.request, "file")

    assert str(error) == (
        "You tried to access the file 'file' in the request.files dictionary"
        " but it does not exist. The mimetype for the request is '' instead"
        " of 'multipart/form-data' which means that no file contents were"
        ' transmitted. To fix this error you should provide enctype="multipart'
        '/form-data" in your form.'
    )


def test_explaining_files_keeps_class_name(app, client):
    app.debug = True
    seen = []

    @app.post("/files")
    def files_view():
        files = flask.request.files
        seen.append(type(files))
        assert files.get("file") is None
        assert "file" not in files
        return str(len(files))

    assert client.post("/files", data={"file": "x"}).data == b"0"
    assert client.post("/files", data={"file": "y"}).data == b"0"
    first, second = seen
    assert first.__name__ == "ImmutableMultiDict"
    assert first.__module__ == "werkzeug.datastructures.structures"
    # Our design, not Flask's (it makes a class per request): one explaining
    # class per files class, made once, serves every request.
    assert first is second


def test_form_redirect_not_for_a_missing_slash(app, client, monkeypatch):
    monkeypatch.setattr(RequestRedirect, "code", 301)
    app.debug = True
    app.add_url_rule("/old", "old", methods=["POST"], redirect_to="/new")

    with pytest.raises(FormDataRoutingRedirect) as info:
        client.post("/old", data={"x": "1"})

    assert str(info.value) == (
        "A request was sent to 'http://localhost/old', but routing issued a"
        " redirect to the canonical URL 'http://localhost/new'. Send requests"
        " to the canonical URL, or use 307 or 308 for routing redirects."
        " Otherwise, browsers will drop form data.\n\nThis exception is only"
        " raised in debug mode."
    )


class _DetailedLoader(jinja2.BaseLoader):
    def __init__(self) -> None:
        self.names = ("a", "b")
        self.empty: list[str] = []
        self.count = 3
        self.ratio = 1.5
        self.flag = True
        self.text = "hi\n'q'"
        self.nothing = None
        self.numbers = [1, 2]
        self.mixed = ["a", 1]
        self.mapping = {"a": 1}
        self.raw = b"bytes"
        self._private = "x"

    def get_source(self, environment, template):
        if template == "page.html":
            return "page", None, None

        raise jinja2.TemplateNotFound(template)


def test_explain_lists_loader_attributes(app, caplog):
    from flask.debughelpers import explain_template_loading_attempts

    caplog.set_level(logging.INFO, logger=app.logger.name)
    loader = _DetailedLoader()
    other = jinja2.DictLoader({})

    class Owner:
        def __repr__(self) -> str:
            return "<Owner>"

    attempts = [(loader, app, ("page", None, None))]
    attempts += [(other, Owner(), None)] * 9
    attempts.append((other, flask.Blueprint("bp", "some.module"), ("x", "", None)))

    with app.app_context():
        explain_template_loading_attempts(app, "page.html", attempts)

    (message,) = _explanations(caplog, app)
    lines = message.splitlines()
    assert lines[:14] == [
        "Locating template 'page.html':",
        f"    1: trying loader of application {app.import_name!r}",
        f"       class: {__name__}._DetailedLoader",
        "       count: 3",
        "       empty:",
        "       flag: True",
        "       names:",
        "         - a",
        "         - b",
        "       ratio: 1.5",
        "       text: \"hi\\n'q'\"",
        "       -> found ('<string>')",
        "    2: trying loader of <Owner>",
        "       class: jinja2.loaders.DictLoader",
    ]
    assert lines[-4:] == [
        "   11: trying loader of blueprint 'bp' (some.module)",
        "       class: jinja2.loaders.DictLoader",
        "       -> found ('<string>')",
        "Warning: multiple loaders returned a match for the template.",
    ]


def test_explain_several_matches_from_blueprint_gives_hint(explain_app, caplog):
    caplog.set_level(logging.INFO, logger=explain_app.logger.name)
    rv = explain_app.test_client().get("/bp/page.html")
    assert rv.data == b"app page"
    (message,) = _explanations(caplog, explain_app)
    assert message.endswith(
        "Warning: multiple loaders returned a match for the template.\n"
        "  The template was looked up from an endpoint that belongs to the"
        " blueprint 'frontend'.\n"
        "  Maybe you did not place a template in the right folder?\n"
        "  See https://flask.palletsprojects.com/blueprints/#templates"
    )


def test_explain_names_nested_blueprint(app, caplog):
    from flask.debughelpers import explain_template_loading_attempts

    caplog.set_level(logging.INFO, logger=app.logger.name)
    parent = flask.Blueprint("parent", __name__)
    child = flask.Blueprint("child", __name__)

    @child.route("/c")
    def c():
        explain_template_loading_attempts(app, "t.html", [])
        return ""

    parent.register_blueprint(child, url_prefix="/p")
    app.register_blueprint(parent)
    app.test_client().get("/p/c")
    (message,) = _explanations(caplog, app)
    assert message.splitlines()[:3] == [
        "Locating template 't.html':",
        "Error: the template could not be found.",
        "  The template was looked up from an endpoint that belongs to the"
        " blueprint 'parent.child'.",
    ]
