"""The instance folder: discovery, instance-relative config, resources."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

import flask

APP_SOURCE = "from flask import Flask\napp = Flask(__name__)\n"


@pytest.fixture
def import_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Import a module by name from a folder, forgetting it afterwards."""
    loaded: list[str] = []

    def load(folder: Path, name: str):
        monkeypatch.syspath_prepend(str(folder))
        loaded.append(name)
        __import__(name)
        return sys.modules[name]

    yield load

    for name in loaded:
        sys.modules.pop(name, None)


def test_module_in_development_gets_instance_beside_it(tmp_path, import_from):
    (tmp_path / "devmod_app.py").write_text(APP_SOURCE)
    mod = import_from(tmp_path, "devmod_app")
    assert mod.app.root_path == str(tmp_path)
    assert mod.app.instance_path == str(tmp_path / "instance")


def test_package_in_development_gets_instance_beside_the_package(tmp_path, import_from):
    (tmp_path / "devpkg_app").mkdir()
    (tmp_path / "devpkg_app" / "__init__.py").write_text(APP_SOURCE)
    mod = import_from(tmp_path, "devpkg_app")
    assert mod.app.root_path == str(tmp_path / "devpkg_app")
    assert mod.app.instance_path == str(tmp_path / "instance")


@pytest.mark.parametrize("kind", ["module", "package"])
def test_installed_code_gets_instance_under_prefix_var(tmp_path, import_from, kind):
    site = tmp_path / "prefix" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    name = f"installed_{kind}_app"

    if kind == "module":
        (site / f"{name}.py").write_text(APP_SOURCE)
    else:
        (site / name).mkdir()
        (site / name / "__init__.py").write_text(APP_SOURCE)

    mod = import_from(site, name)
    assert mod.app.instance_path == str(
        tmp_path / "prefix" / "var" / f"{name}-instance"
    )


def test_installed_in_sys_prefix(tmp_path, monkeypatch, import_from):
    (tmp_path / "prefixed_app.py").write_text(APP_SOURCE)
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    mod = import_from(tmp_path, "prefixed_app")
    assert mod.app.instance_path == str(tmp_path / "var" / "prefixed_app-instance")


def test_unknown_module_falls_back_to_working_directory():
    app = flask.Flask("no_such_module_for_instance_test")
    assert app.root_path == os.getcwd()
    assert app.instance_path == os.path.join(os.getcwd(), "instance")


def test_explicit_instance_path_must_be_absolute():
    with pytest.raises(ValueError, match="must be absolute"):
        flask.Flask(__name__, instance_path="relative/instance")


def test_explicit_absolute_instance_path_is_kept(tmp_path):
    app = flask.Flask(__name__, instance_path=str(tmp_path))
    assert app.instance_path == str(tmp_path)


def test_instance_relative_config_loads_from_instance(tmp_path):
    (tmp_path / "settings.py").write_text("SECRET_KEY = 'from-instance'\n")
    app = flask.Flask(
        __name__, instance_path=str(tmp_path), instance_relative_config=True
    )
    assert app.config.root_path == str(tmp_path)
    app.config.from_pyfile("settings.py")
    assert app.secret_key == "from-instance"


def test_config_is_root_relative_by_default(tmp_path):
    app = flask.Flask(__name__, instance_path=str(tmp_path))
    assert app.config.root_path == app.root_path


def test_open_instance_resource_reads_and_writes(tmp_path):
    app = flask.Flask(__name__, instance_path=str(tmp_path))

    with app.open_instance_resource("notes.txt", "w") as f:
        f.write("héllo")

    with app.open_instance_resource("notes.txt") as f:
        assert f.read() == "héllo".encode()

    with app.open_instance_resource("notes.txt", "r") as f:
        assert f.read() == "héllo"

    with app.open_instance_resource("notes.txt", "r", encoding="latin-1") as f:
        assert f.read() == "héllo".encode().decode("latin-1")


def test_open_resource_relative_to_root_path(tmp_path):
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (x);", encoding="utf-8")
    app = flask.Flask(__name__, root_path=str(tmp_path))

    with app.open_resource("schema.sql") as f:
        assert f.read() == b"CREATE TABLE t (x);"

    with app.open_resource("schema.sql", "rt", encoding="utf-8") as f:
        assert f.read() == "CREATE TABLE t (x);"


@pytest.mark.parametrize("mode", ["w", "a", "r+", "wb", "x"])
def test_open_resource_refuses_writing(tmp_path, mode):
    (tmp_path / "data.txt").write_text("keep me")
    app = flask.Flask(__name__, root_path=str(tmp_path))

    with pytest.raises(ValueError, match="only be opened for reading"):
        app.open_resource("data.txt", mode)

    assert (tmp_path / "data.txt").read_text() == "keep me"


def test_blueprint_open_resource_decodes_utf8_by_default(tmp_path):
    (tmp_path / "text.txt").write_text("é", encoding="utf-8")
    bp = flask.Blueprint("bp", __name__, root_path=str(tmp_path))

    with bp.open_resource("text.txt", "r") as f:
        assert f.read() == "é"


def test_main_module_app_is_named_after_the_script(tmp_path):
    script = tmp_path / "my_script.py"
    script.write_text(
        textwrap.dedent(
            """
            from flask import Flask
            app = Flask("__main__")
            print(app.name)
            """
        )
    )
    import subprocess

    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "my_script"
