"""The sansio layer details the area suites leave out: instance folders of
less common install layouts, the parts the sansio base classes leave to the
server layer, and blueprint commands merged into the app's group.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pytest

import flask
from flask.sansio.app import App
from flask.sansio.scaffold import Scaffold

APP_SOURCE = "from flask import Flask\napp = Flask(__name__)\n"


@pytest.fixture
def import_from(monkeypatch: pytest.MonkeyPatch):
    """Import a module by name from a folder, forgetting it afterwards."""
    before = set(sys.modules)

    def load(folder: Path, name: str):
        monkeypatch.syspath_prepend(str(folder))
        __import__(name)
        return sys.modules[name]

    yield load

    for name in set(sys.modules) - before:
        sys.modules.pop(name, None)


# -- instance folders -------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "prefix"),
    [
        # Windows: prefix/Lib/site-packages
        ("win/Lib/site-packages", "win"),
        # A site-packages folder that is not under lib/.
        ("bare/site-packages", "bare"),
    ],
)
def test_instance_of_code_in_other_site_packages_layouts(
    tmp_path, import_from, site, prefix
):
    name = f"cov_{prefix}_site_app"
    folder = tmp_path / site
    folder.mkdir(parents=True)
    (folder / f"{name}.py").write_text(APP_SOURCE)
    mod = import_from(folder, name)
    assert mod.app.root_path == str(folder)
    assert mod.app.instance_path == str(tmp_path / prefix / "var" / f"{name}-instance")


def test_instance_of_module_in_namespace_package(tmp_path, import_from):
    (tmp_path / "cov_ns_mod").mkdir()
    (tmp_path / "cov_ns_mod" / "app.py").write_text(APP_SOURCE)
    mod = import_from(tmp_path, "cov_ns_mod.app")
    assert mod.app.root_path == str(tmp_path / "cov_ns_mod")
    assert mod.app.instance_path == str(tmp_path / "instance")


def test_instance_of_namespace_package_spread_over_folders(tmp_path, import_from):
    """The folder holding the named subpackage is chosen, and the first one
    when the subpackage cannot be found.
    """
    for part in ("first", "second"):
        (tmp_path / part / "cov_ns_spread").mkdir(parents=True)

    pkg = tmp_path / "second" / "cov_ns_spread" / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(APP_SOURCE)
    import_from(tmp_path / "second", "cov_ns_spread")
    mod = import_from(tmp_path / "first", "cov_ns_spread.pkg")
    assert mod.app.root_path == str(pkg)
    assert mod.app.instance_path == str(tmp_path / "second" / "instance")

    missing = flask.Flask("cov_ns_spread.missing", root_path=str(tmp_path))
    assert missing.instance_path == str(tmp_path / "first" / "instance")


# -- what the sansio base classes leave to the server layer ------------------------


def test_bare_scaffold_cannot_register(tmp_path):
    scaffold = Scaffold("cov_scaffold", root_path=str(tmp_path))

    with pytest.raises(NotImplementedError):
        scaffold.before_request(lambda: None)

    with pytest.raises(NotImplementedError):
        scaffold.add_url_rule("/", "index", lambda: "")

    with pytest.raises(NotImplementedError):
        scaffold.route("/")(lambda: "")


def test_scaffold_subclass_must_provide_add_url_rule(tmp_path):
    """A subclass that allows setup still needs its own ``add_url_rule``,
    which the route decorators call.
    """

    class Partial(Scaffold):
        def _check_setup_finished(self, f_name):
            pass

    scaffold = Partial("cov_scaffold", root_path=str(tmp_path))
    scaffold.before_request(str)
    assert scaffold.before_request_funcs[None] == [str]

    for register in (scaffold.route("/"), scaffold.get("/"), scaffold.post("/")):
        with pytest.raises(NotImplementedError):
            register(lambda: "")

    with pytest.raises(NotImplementedError):
        scaffold.add_url_rule("/", "index", lambda: "")


def test_sansio_app_has_no_jinja_environment(tmp_path):
    class SansioApp(App):
        default_config = flask.Flask.default_config

    app = SansioApp("cov_sansio_app", root_path=str(tmp_path))

    with pytest.raises(NotImplementedError):
        app.jinja_env  # noqa: B018


# -- blueprint commands ---------------------------------------------------------------


@pytest.mark.parametrize("where", ["blueprint", "register"])
def test_blueprint_commands_without_group(app, where):
    if where == "blueprint":
        bp = flask.Blueprint("cov_cli", __name__, cli_group=None)
        options = {}
    else:
        bp = flask.Blueprint("cov_cli", __name__)
        options = {"cli_group": None}

    @bp.cli.command("hello")
    def hello():
        click.echo(f"hello from {flask.current_app.name}")

    app.register_blueprint(bp, **options)
    assert "hello" in app.cli.commands
    assert "cov_cli" not in app.cli.commands
    result = app.test_cli_runner().invoke(args=["hello"])
    assert result.output == "hello from flask_test\n"
