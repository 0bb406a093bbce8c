"""Helper details the area suites leave out: the root path of a module
from an import hook, JSON responses with a non-Flask response class, and
the CLI runner with a given ``obj``.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys

import click
import pytest
import werkzeug

import flask
from flask.cli import ScriptInfo


class _HookLoader(importlib.abc.Loader):
    """A loader without ``get_filename`` that may set ``__file__``."""

    def __init__(self, file: str | None) -> None:
        self.file = file

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        if self.file is not None:
            module.__file__ = self.file


class _HookFinder(importlib.abc.MetaPathFinder):
    modules = {
        "cov_hook_with_file": "/virtual/place/cov_hook_with_file.py",
        "cov_hook_without_file": None,
    }

    def find_spec(self, name, path, target=None):
        if name in self.modules:
            return importlib.util.spec_from_loader(
                name, _HookLoader(self.modules[name])
            )

        return None


@pytest.fixture
def import_hook(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "meta_path", [_HookFinder(), *sys.meta_path])
    yield

    for name in _HookFinder.modules:
        sys.modules.pop(name, None)


def test_root_path_of_module_not_imported_yet(tmp_path, monkeypatch):
    """The root path of a module found on ``sys.path`` comes from its
    loader; the module is not imported (this one would fail if it were).
    """
    (tmp_path / "cov_lazy_mod.py").write_text("raise RuntimeError('imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    bp = flask.Blueprint("lazy", "cov_lazy_mod")
    app = flask.Flask("cov_lazy_mod")
    assert bp.root_path == str(tmp_path)
    assert app.root_path == str(tmp_path)
    assert app.instance_path == str(tmp_path / "instance")
    assert "cov_lazy_mod" not in sys.modules


def test_root_path_from_import_hook_module_file(import_hook):
    assert "cov_hook_with_file" not in sys.modules
    bp = flask.Blueprint("hooked", "cov_hook_with_file")
    # The module had to be imported to learn its file.
    assert "cov_hook_with_file" in sys.modules
    assert bp.root_path == "/virtual/place"


def test_root_path_from_import_hook_without_file(import_hook):
    with pytest.raises(RuntimeError, match="'cov_hook_without_file'.*root path"):
        flask.Blueprint("hooked", "cov_hook_without_file")

    bp = flask.Blueprint("hooked", "cov_hook_without_file", root_path="/given")
    assert bp.root_path == "/given"


@pytest.mark.parametrize("debug", [False, True])
def test_json_response_with_werkzeug_response_class(app, debug):
    app.response_class = werkzeug.Response
    app.debug = debug

    @app.route("/")
    def index():
        return {"a": [1, 2]}

    rv = app.test_client().get("/")
    assert rv.status_code == 200
    assert rv.mimetype == "application/json"
    assert rv.json == {"a": [1, 2]}

    with app.app_context():
        rv = flask.jsonify(b=2)

    assert type(rv) is werkzeug.Response
    assert rv.get_data() == (b'{\n  "b": 2\n}\n' if debug else b'{"b":2}\n')


def test_cli_runner_keeps_given_obj(app):
    @app.cli.command("who")
    @flask.cli.with_appcontext
    def who():
        click.echo(flask.current_app.name)

    other = flask.Flask("cov_other_app")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["who"]).output == "flask_test\n"
    result = runner.invoke(args=["who"], obj=ScriptInfo(create_app=lambda: other))
    assert result.output == "cov_other_app\n"


# --- environment switches ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "debug", "load_dotenv"),
    [
        (None, False, True),
        ("", False, True),
        ("0", False, True),
        ("false", False, True),
        ("No", False, True),
        ("FALSE", False, True),
        ("1", True, False),
        ("yes", True, False),
        ("off", True, False),
    ],
)
def test_environment_switches(monkeypatch, value, debug, load_dotenv):
    from flask.helpers import get_debug_flag
    from flask.helpers import get_load_dotenv

    for name in ("FLASK_DEBUG", "FLASK_SKIP_DOTENV"):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    assert get_debug_flag() is debug
    assert get_load_dotenv() is load_dotenv
    # The default is only used when the variable is unset or empty.
    assert get_load_dotenv(False) is (load_dotenv if value else False)


# --- root paths ----------------------------------------------------------------


def test_root_path_fallbacks_to_working_directory(monkeypatch, tmp_path):
    import os
    import types

    from flask.helpers import get_root_path

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "cov_no_file", types.ModuleType("cov_no_file"))

    # Not importable, a dotted name under a missing package, and a module in
    # sys.modules with neither file nor spec: the working directory.
    assert get_root_path("cov_missing_module") == os.getcwd()
    assert get_root_path("cov_missing_module.sub") == os.getcwd()
    assert get_root_path("cov_no_file") == os.getcwd()


def test_root_path_of_package_and_module():
    import email.mime
    import os

    from flask.helpers import get_root_path

    assert get_root_path("email.mime") == os.path.dirname(email.mime.__file__)
    assert get_root_path("os") == os.path.dirname(os.__file__)


# --- which context a helper asks for -----------------------------------------


@pytest.mark.parametrize(
    ("call", "missing"),
    [
        (lambda: flask.url_for("x"), "application"),
        (lambda: flask.make_response(), "application"),
        (lambda: flask.get_template_attribute("a", "b"), "application"),
        (lambda: flask.flash("m"), "request"),
        (lambda: flask.get_flashed_messages(), "request"),
        (lambda: flask.send_file("a"), "request"),
        (lambda: flask.send_from_directory("a", "b"), "application"),
    ],
)
def test_helpers_outside_contexts(call, missing):
    with pytest.raises(RuntimeError, match=f"^Working outside of {missing} context"):
        call()


def test_file_helpers_in_app_context_need_a_request(app):
    with app.app_context():
        with pytest.raises(RuntimeError, match="outside of request context"):
            flask.send_file("a")

        with pytest.raises(RuntimeError, match="outside of request context"):
            flask.send_from_directory("a", "b")


def test_make_response_in_app_context(app):
    with app.app_context():
        rv = flask.make_response("hi", 201, {"X-A": "1"})
        assert (rv.status_code, rv.data, rv.headers["X-A"]) == (201, b"hi", "1")
        assert flask.make_response().data == b""
        assert flask.make_response(("t", 202)).status_code == 202


def test_url_for_passes_options_to_app(app):
    app.add_url_rule("/u/<int:n>", "u", lambda n: "")

    with app.test_request_context():
        assert flask.url_for("u", n=3, _anchor="a b", q="1") == "/u/3?q=1#a%20b"
        assert (
            flask.url_for("u", n=2, _external=True, _scheme="https")
            == "https://localhost/u/2"
        )

        with pytest.raises(ValueError, match="'_external' must be True"):
            flask.url_for("u", n=3, _scheme="https", _external=False)
