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
