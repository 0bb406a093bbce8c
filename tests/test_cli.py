"""The ``flask`` command line: app discovery, the command groups, dotenv
loading and the built-in ``run``, ``shell`` and ``routes`` commands.

Discovery is tested against the small projects in ``test_apps/``, laid out
the way users lay out theirs.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import ssl
import sys
import tempfile
import types
import typing as t
from pathlib import Path

import click
import pytest
import werkzeug.serving
from click.testing import CliRunner

from flask import Blueprint
from flask import current_app
from flask import Flask
from flask.cli import AppGroup
from flask.cli import CertParamType
from flask.cli import cli
from flask.cli import find_app_by_string
from flask.cli import find_best_app
from flask.cli import FlaskGroup
from flask.cli import get_version
from flask.cli import load_dotenv
from flask.cli import locate_app
from flask.cli import NoAppException
from flask.cli import pass_script_info
from flask.cli import prepare_import
from flask.cli import routes_command
from flask.cli import run_command
from flask.cli import ScriptInfo
from flask.cli import SeparatedPathType
from flask.cli import shell_command
from flask.cli import show_server_banner
from flask.cli import with_appcontext

TEST_APPS = Path(__file__).parent / "test_apps"
NO_APP_MESSAGE = (
    "Could not locate a Flask application. Use the 'flask --app' option,"
    " 'FLASK_APP' environment variable, or a 'wsgi.py' or 'app.py' file in"
    " the current directory."
)


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch) -> t.Iterator[None]:
    """Give each test a clean environment, ``sys.path`` and module cache.

    The CLI writes ``os.environ`` directly (dotenv, ``--debug``,
    ``FLASK_RUN_FROM_CLI``) and imports the fixture apps, whose module names
    (``app``, ``wsgi``, ``hello``) would leak into later tests.
    """
    saved_env = dict(os.environ)

    for key in list(os.environ):
        if key.startswith("FLASK_") or key in {"WERKZEUG_RUN_MAIN", "PYTHONSTARTUP"}:
            monkeypatch.delenv(key)

    # locate_app expects prepare_import to have put the project on the path.
    monkeypatch.setattr(sys, "path", [str(TEST_APPS), *sys.path])
    monkeypatch.chdir(TEST_APPS)
    modules = set(sys.modules)
    yield
    roots = (str(TEST_APPS), tempfile.gettempdir())

    for name in set(sys.modules) - modules:
        path = getattr(sys.modules[name], "__file__", None) or ""

        if path.startswith(roots):
            del sys.modules[name]

    os.environ.clear()
    os.environ.update(saved_env)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def app() -> Flask:
    app = Flask("cli_test_app")
    app.testing = True
    return app


def _module(name: str, **attrs: t.Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


# --- find_best_app -------------------------------------------------------------


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({"app": Flask("a")}, "a"),
        ({"application": Flask("a")}, "a"),
        ({"myapp": Flask("a")}, "a"),
        ({"create_app": lambda: Flask("a")}, "a"),
        ({"make_app": lambda: Flask("a")}, "a"),
        # "app" wins over "application" and over other instances.
        ({"application": Flask("b"), "app": Flask("a")}, "a"),
        ({"app": Flask("a"), "other": Flask("b")}, "a"),
        # An "app" that is not a Flask app does not stop the search.
        ({"app": 1, "other": Flask("a")}, "a"),
        # create_app returning something else falls back to make_app.
        ({"create_app": lambda: 5, "make_app": lambda: Flask("a")}, "a"),
        ({"create_app": 5, "make_app": lambda: Flask("a")}, "a"),
    ],
)
def test_find_best_app(attrs: dict[str, t.Any], expected: str) -> None:
    assert find_best_app(_module("mod", **attrs)).name == expected


def test_find_best_app_accepts_subclass() -> None:
    class MyFlask(Flask):
        pass

    app = MyFlask("sub")
    assert find_best_app(_module("mod", thing=app)) is app


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        (
            {},
            "Failed to find Flask application or factory in module 'mod'."
            " Use 'mod:name' to specify one.",
        ),
        (
            {"create_app": lambda: None},
            "Failed to find Flask application or factory in module 'mod'."
            " Use 'mod:name' to specify one.",
        ),
        (
            # A class is not a factory function.
            {"create_app": Flask},
            "Failed to find Flask application or factory in module 'mod'.",
        ),
        (
            {"one": Flask("one"), "two": Flask("two")},
            "Detected multiple Flask applications in module 'mod'."
            " Use 'mod:name' to specify the correct one.",
        ),
        (
            {"create_app": lambda config: Flask("a")},
            "Detected factory 'create_app' in module 'mod', but could not call"
            " it without arguments. Use 'mod:create_app(args)' to specify"
            " arguments.",
        ),
        (
            {"make_app": lambda script_info: Flask("a")},
            "Detected factory 'make_app' in module 'mod', but could not call it"
            " without arguments. Use 'mod:make_app(args)' to specify arguments.",
        ),
    ],
)
def test_find_best_app_errors(attrs: dict[str, t.Any], message: str) -> None:
    with pytest.raises(NoAppException) as exc_info:
        find_best_app(_module("mod", **attrs))

    assert message in exc_info.value.format_message()


def test_find_best_app_same_instance_twice_is_ambiguous() -> None:
    app = Flask("dup")

    with pytest.raises(NoAppException, match="multiple Flask applications"):
        find_best_app(_module("mod", a=app, b=app))


def test_find_best_app_type_error_inside_factory_propagates() -> None:
    def create_app() -> Flask:
        raise TypeError("bad inside")

    with pytest.raises(TypeError, match="bad inside"):
        find_best_app(_module("mod", create_app=create_app))


def test_discovery_names_live_in_flask_cli() -> None:
    # Defined in flask._discovery; tracebacks and pickles use the public home.
    for obj in (NoAppException, ScriptInfo, find_best_app, locate_app):
        assert obj.__module__ == "flask.cli"


def test_no_app_exception_is_usage_error() -> None:
    e = NoAppException("nope")
    assert isinstance(e, click.UsageError)
    assert e.exit_code == 2


# --- prepare_import ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "module", "path"),
    [
        ("hello/hello.py", "hello", "hello"),
        ("hello/hello", "hello", "hello"),
        ("cliapp/app.py", "cliapp.app", "."),
        ("cliapp/app", "cliapp.app", "."),
        ("cliapp", "cliapp", "."),
        ("cliapp/__init__.py", "cliapp", "."),
        ("cliapp/inner1", "cliapp.inner1", "."),
        ("cliapp/inner1/__init__.py", "cliapp.inner1", "."),
        ("cliapp/inner1/inner2/flask.py", "cliapp.inner1.inner2.flask", "."),
        ("shop", "shop", "."),
        # A dotted name is taken as a module name relative to the cwd.
        ("cliapp.factory", "cliapp.factory", "."),
    ],
)
def test_prepare_import(value: str, module: str, path: str) -> None:
    assert prepare_import(value) == module
    assert sys.path[0] == str((TEST_APPS / path).resolve())


def test_prepare_import_absolute_path() -> None:
    target = TEST_APPS / "cliapp" / "inner1" / "inner2" / "flask.py"
    assert prepare_import(str(target)) == "cliapp.inner1.inner2.flask"
    assert sys.path[0] == str(TEST_APPS.resolve())


def test_prepare_import_does_not_repeat_path() -> None:
    prepare_import("cliapp/app.py")
    count = sys.path.count(str(TEST_APPS.resolve()))
    prepare_import("cliapp/factory.py")
    assert sys.path.count(str(TEST_APPS.resolve())) == count


# --- locate_app ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "name", "expected"),
    [
        ("cliapp.app", None, "testapp"),
        ("cliapp.app", "testapp", "testapp"),
        ("cliapp.factory", None, "app"),
        ("cliapp.factory", "create_app", "app"),
        ("cliapp.factory", "create_app()", "app"),
        ("cliapp.factory", " create_app ", "app"),
        ("cliapp.factory", 'create_app2("foo", "bar")', "app2_foo_bar"),
        ("cliapp.factory", "create_app2('foo', 'bar', )", "app2_foo_bar"),
        ("cliapp.factory", "create_app2(foo='a', bar='b')", "app2_a_b"),
        ("cliapp.factory", "create_app3('x', debug=True)", "app3_x"),
        ("cliapp.factory", "create_app3(\n'x'\n)", "app3_x"),
        ("cliapp.inner1", None, "cliapp.inner1"),
        ("cliapp.inner1.inner2.flask", None, "cliapp.inner1.inner2.flask"),
        # Arguments given to something that is not a function are ignored.
        ("cliapp.app", "testapp()", "testapp"),
    ],
)
def test_locate_app(module: str, name: str | None, expected: str) -> None:
    assert locate_app(module, name).name == expected


def test_locate_app_passes_literal_keyword_values() -> None:
    app = locate_app("cliapp.factory", "create_app3('x', debug=True)")
    assert app.config["FROM_FACTORY"] is True


@pytest.mark.parametrize(
    ("module", "name", "message"),
    [
        ("notanapp", None, "Could not import 'notanapp'."),
        ("cliapp.nosuchmodule", None, "Could not import 'cliapp.nosuchmodule'."),
        ("nosuchpackage.module", None, "Could not import 'nosuchpackage.module'."),
        (
            "cliapp.app",
            "notanapp",
            "Failed to find attribute 'notanapp' in 'cliapp.app'.",
        ),
        (
            "cliapp.factory",
            "create_app2('foo')",
            "The factory \"create_app2('foo')\" in module 'cliapp.factory'"
            " could not be called with the specified arguments.",
        ),
        (
            "cliapp.factory",
            "create_app2",
            "The factory 'create_app2' in module 'cliapp.factory' could not be"
            " called with the specified arguments.",
        ),
        (
            "cliapp.factory",
            "create_app(unknown=1)",
            "The factory 'create_app(unknown=1)' in module 'cliapp.factory' could"
            " not be called with the specified arguments.",
        ),
        (
            # ``**mapping`` arguments are dropped, so the call lacks arguments.
            "cliapp.factory",
            "create_app2(**{'foo': 'a', 'bar': 'b'})",
            "could not be called with the specified arguments.",
        ),
        (
            "cliapp.factory",
            "no_app",
            "A valid Flask application was not obtained from 'cliapp.factory:no_app'.",
        ),
        (
            "cliapp.factory",
            "not_a_factory",
            "A valid Flask application was not obtained from"
            " 'cliapp.factory:not_a_factory'.",
        ),
        (
            "cliapp.factory",
            "create_app(",
            "Failed to parse 'create_app(' as an attribute name or function call.",
        ),
        (
            "cliapp.factory",
            "app.name",
            "Failed to parse 'app.name' as an attribute name or function call.",
        ),
        (
            "cliapp.factory",
            "1 + 1",
            "Failed to parse '1 + 1' as an attribute name or function call.",
        ),
        (
            "cliapp.factory",
            "",
            "Failed to parse '' as an attribute name or function call.",
        ),
        (
            "cliapp.factory",
            "create_app2(foo, 'bar')",
            "Failed to parse arguments as literal values: \"create_app2(foo, 'bar')\".",
        ),
        (
            "cliapp.factory",
            "create_app2(*['a', 'b'])",
            "Failed to parse arguments as literal values:"
            " \"create_app2(*['a', 'b'])\".",
        ),
        (
            "cliapp.factory",
            "factory.create_app()",
            "Function reference must be a simple name: 'factory.create_app()'.",
        ),
        (
            "cliapp.factory",
            "create_app()()",
            "Function reference must be a simple name: 'create_app()()'.",
        ),
        (
            "cliapp.multiapp",
            None,
            "Detected multiple Flask applications in module 'cliapp.multiapp'."
            " Use 'cliapp.multiapp:name' to specify the correct one.",
        ),
    ],
)
def test_locate_app_errors(module: str, name: str | None, message: str) -> None:
    with pytest.raises(NoAppException) as exc_info:
        locate_app(module, name)

    assert message in exc_info.value.format_message()


def test_locate_app_import_error_inside_module_shows_traceback() -> None:
    with pytest.raises(NoAppException) as exc_info:
        locate_app("cliapp.importerrorapp", None)

    message = exc_info.value.format_message()
    assert message.startswith(
        "While importing 'cliapp.importerrorapp', an ImportError was raised:\n\n"
        "Traceback (most recent call last):\n"
    )
    assert "importerrorapp.py" in message
    assert "No module named 'a_dependency_that_is_not_installed'" in message


def test_locate_app_import_error_reported_even_if_not_required() -> None:
    with pytest.raises(NoAppException, match="While importing"):
        locate_app("cliapp.importerrorapp", None, raise_if_not_found=False)


def test_locate_app_missing_module_not_required() -> None:
    assert locate_app("notanapp", None, raise_if_not_found=False) is None


def test_locate_app_factory_type_error_propagates() -> None:
    with pytest.raises(TypeError, match="broken inside the factory"):
        locate_app("cliapp.factory", "broken")


def test_find_app_by_string_uses_given_module() -> None:
    app = Flask("direct")
    assert find_app_by_string(_module("m", thing=app), "thing") is app


# --- ScriptInfo ----------------------------------------------------------------


def test_scriptinfo_defaults() -> None:
    info = ScriptInfo()
    assert info.app_import_path is None
    assert info.create_app is None
    assert info.set_debug_flag is True
    assert info.load_dotenv_defaults is True
    assert info.data == {}


@pytest.mark.parametrize(
    ("import_path", "expected"),
    [
        ("cliapp.app", "testapp"),
        ("cliapp.app:testapp", "testapp"),
        ("cliapp/app.py", "testapp"),
        ("cliapp/app.py:testapp", "testapp"),
        ("cliapp.factory:create_app2('a', 'b')", "app2_a_b"),
        ("cliapp/inner1/inner2/flask.py", "cliapp.inner1.inner2.flask"),
        ("cliapp.inner1", "cliapp.inner1"),
        ("shop", "shop"),
        ("shop:create_app('testing')", "shop"),
        ("hello/hello.py", "hello"),
        (str(TEST_APPS / "cliapp" / "app.py") + ":testapp", "testapp"),
    ],
)
def test_scriptinfo_import_path(import_path: str, expected: str) -> None:
    info = ScriptInfo(app_import_path=import_path)
    app = info.load_app()
    assert app.name == expected
    assert info.load_app() is app


@pytest.mark.parametrize(
    ("import_path", "message"),
    [
        ("notanapp.py", "Could not import 'notanapp'."),
        ("cliapp/app.py:notanapp", "Failed to find attribute 'notanapp'"),
        ("cliapp.app:testapp:extra", "Failed to parse 'testapp:extra'"),
        ("cliapp.app:", "Failed to parse ''"),
    ],
)
def test_scriptinfo_import_path_errors(import_path: str, message: str) -> None:
    with pytest.raises(NoAppException, match=message):
        ScriptInfo(app_import_path=import_path).load_app()


def test_scriptinfo_create_app_takes_precedence(app: Flask) -> None:
    info = ScriptInfo(app_import_path="cliapp.app", create_app=lambda: app)
    assert info.load_app() is app


def test_scriptinfo_create_app_returning_none() -> None:
    with pytest.raises(NoAppException) as exc_info:
        ScriptInfo(create_app=lambda: None).load_app()  # type: ignore[arg-type,return-value]

    assert exc_info.value.format_message() == NO_APP_MESSAGE


def test_scriptinfo_loads_once() -> None:
    calls = []

    def create_app() -> Flask:
        calls.append(1)
        return Flask("once")

    info = ScriptInfo(create_app=create_app)
    assert info.load_app() is info.load_app()
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("folder", "expected"),
    [("auto_app", "auto_app"), ("auto_wsgi", "from_wsgi_py")],
)
def test_scriptinfo_finds_app_py_or_wsgi_py(
    monkeypatch: pytest.MonkeyPatch, folder: str, expected: str
) -> None:
    monkeypatch.chdir(TEST_APPS / folder)
    assert ScriptInfo().load_app().name == expected


def test_scriptinfo_nothing_to_find(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(TEST_APPS / "nobody")

    with pytest.raises(NoAppException) as exc_info:
        ScriptInfo().load_app()

    assert exc_info.value.format_message() == NO_APP_MESSAGE


@pytest.mark.parametrize(
    ("env", "set_flag", "expected"),
    [
        ("1", True, True),
        ("0", True, False),
        (None, True, False),
        # Without the flag, the app keeps the debug value it was built with.
        ("1", False, False),
    ],
)
def test_scriptinfo_debug_flag(
    monkeypatch: pytest.MonkeyPatch,
    env: str | None,
    set_flag: bool,
    expected: bool,
) -> None:
    app = Flask("dbg")
    assert app.debug is False

    if env is not None:
        monkeypatch.setenv("FLASK_DEBUG", env)

    ScriptInfo(create_app=lambda: app, set_debug_flag=set_flag).load_app()
    assert app.debug is expected


@pytest.mark.parametrize(
    ("skip", "requested", "expected"),
    [
        (None, True, True),
        (None, False, False),
        ("1", True, False),
        ("0", False, True),
    ],
)
def test_scriptinfo_dotenv_defaults_follow_skip_variable(
    monkeypatch: pytest.MonkeyPatch, skip: str | None, requested: bool, expected: bool
) -> None:
    if skip is not None:
        monkeypatch.setenv("FLASK_SKIP_DOTENV", skip)

    assert ScriptInfo(load_dotenv_defaults=requested).load_dotenv_defaults is expected


# --- with_appcontext, pass_script_info, AppGroup --------------------------------


def test_with_appcontext(runner: CliRunner, app: Flask) -> None:
    @click.command()
    @with_appcontext
    def cmd() -> None:
        click.echo(current_app.name)

    result = runner.invoke(cmd, obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0
    assert result.output == "cli_test_app\n"
    assert not current_app


def test_with_appcontext_keeps_active_context(runner: CliRunner, app: Flask) -> None:
    @click.command()
    @with_appcontext
    def cmd() -> None:
        click.echo(current_app.name)

    def fail() -> Flask:
        raise AssertionError("the app should not be loaded again")

    with app.app_context():
        result = runner.invoke(cmd, obj=ScriptInfo(create_app=fail))

    assert result.output == "cli_test_app\n"


def test_with_appcontext_without_app(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    @click.command()
    @with_appcontext
    def cmd() -> None:
        pass

    monkeypatch.chdir(TEST_APPS / "nobody")
    result = runner.invoke(cmd)

    assert result.exit_code == 2
    assert NO_APP_MESSAGE in result.output


def test_with_appcontext_keeps_metadata() -> None:
    def cmd(x: int) -> int:
        """Doc."""
        return x

    wrapped = with_appcontext(cmd)
    assert wrapped.__name__ == "cmd"
    assert wrapped.__doc__ == "Doc."
    assert wrapped.__wrapped__ is cmd  # type: ignore[attr-defined]


def test_pass_script_info(runner: CliRunner) -> None:
    @click.command()
    @pass_script_info
    def cmd(info: ScriptInfo) -> None:
        click.echo(type(info).__name__)
        click.echo(info.data.get("key"))

    info = ScriptInfo()
    info.data["key"] = "value"
    assert runner.invoke(cmd, obj=info).output == "ScriptInfo\nvalue\n"
    # ensure=True creates one when none was given.
    assert runner.invoke(cmd).output == "ScriptInfo\n\n"


def test_appgroup_commands(runner: CliRunner, app: Flask) -> None:
    @click.group(cls=AppGroup)
    def group() -> None:
        pass

    @group.command()
    def test() -> None:
        click.echo(current_app.name)

    @group.command(with_appcontext=False)
    def plain() -> None:
        click.echo(bool(current_app))

    @group.command
    def bare() -> None:
        click.echo(current_app.name)

    @group.group()
    def subgroup() -> None:
        pass

    @subgroup.command()
    def test2() -> None:
        click.echo(current_app.name)

    @group.group
    def nested() -> None:
        pass

    @nested.command()
    def test3() -> None:
        click.echo(current_app.name)

    assert isinstance(subgroup, AppGroup)
    assert isinstance(nested, AppGroup)
    obj = ScriptInfo(create_app=lambda: app)
    assert runner.invoke(group, ["test"], obj=obj).output == "cli_test_app\n"
    assert runner.invoke(group, ["plain"], obj=obj).output == "False\n"
    assert runner.invoke(group, ["bare"], obj=obj).output == "cli_test_app\n"
    result = runner.invoke(group, ["subgroup", "test2"], obj=obj)
    assert result.output == "cli_test_app\n"
    result = runner.invoke(group, ["nested", "test3"], obj=obj)
    assert result.output == "cli_test_app\n"


def test_appgroup_group_class_can_be_changed() -> None:
    group = AppGroup("g")

    @group.group(cls=click.Group)
    def sub() -> None:
        pass

    assert type(sub) is click.Group


def test_app_cli_is_appgroup(app: Flask) -> None:
    assert isinstance(app.cli, AppGroup)

    @app.cli.command("hello")
    def hello() -> None:
        click.echo(f"hello from {current_app.name}")

    result = app.test_cli_runner().invoke(args=["hello"])
    assert result.output == "hello from cli_test_app\n"


# --- FlaskGroup ----------------------------------------------------------------


def test_flaskgroup_app_commands(runner: CliRunner, app: Flask) -> None:
    @app.cli.command()
    def test() -> None:
        click.echo(current_app.name)

    @app.cli.command(with_appcontext=False)
    def plain() -> None:
        # FlaskGroup pushed the context while looking the command up.
        click.echo(current_app.name)

    group = FlaskGroup(create_app=lambda: app)
    assert runner.invoke(group, ["test"]).output == "cli_test_app\n"
    assert runner.invoke(group, ["plain"]).output == "cli_test_app\n"


def test_flaskgroup_custom_group_and_params(runner: CliRunner, app: Flask) -> None:
    @click.group(cls=FlaskGroup, create_app=lambda: app)
    @click.option("--extra", default="x")
    def cli_(extra: str) -> None:
        click.echo(f"extra={extra}")

    @cli_.command()
    def test() -> None:
        click.echo(current_app.name)

    result = runner.invoke(cli_, ["--extra", "y", "test"])
    assert result.exit_code == 0
    assert result.output == "extra=y\ncli_test_app\n"
    names = [p.name for p in cli_.params]
    assert names == ["extra", "env_file", "app", "debug", "version"]


def test_flaskgroup_options(runner: CliRunner) -> None:
    group = FlaskGroup(add_default_commands=False, add_version_option=False)
    assert [p.name for p in group.params] == ["env_file", "app", "debug"]
    assert group.commands == {}
    assert group.context_settings["auto_envvar_prefix"] == "FLASK"
    keeps = FlaskGroup(context_settings={"auto_envvar_prefix": "MY"})
    assert keeps.context_settings["auto_envvar_prefix"] == "MY"
    # "check" is ours (CHANGES.rst, "Deliberate differences").
    assert set(FlaskGroup().commands) == {"run", "shell", "routes", "check"}


def test_flaskgroup_help_lists_app_commands(runner: CliRunner, app: Flask) -> None:
    @app.cli.command()
    def custom() -> None:
        """A custom command."""

    result = runner.invoke(FlaskGroup(create_app=lambda: app), ["--help"])
    assert result.exit_code == 0
    # Installed extensions may add plugin commands that widen the columns.
    help_text = " ".join(result.stdout.split())
    assert "custom A custom command." in help_text
    assert "routes Show the routes for the app." in help_text
    assert "run Run a development server." in help_text
    assert "shell Run a shell in the app context." in help_text
    assert result.stderr == ""


def test_flaskgroup_help_without_app(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(TEST_APPS / "nobody")
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Usage: flask [OPTIONS] COMMAND [ARGS]..." in result.stdout
    assert "A general utility script for Flask applications." in result.stdout
    assert result.stderr == f"Error: {NO_APP_MESSAGE}\n\n"


def test_flaskgroup_help_with_failing_factory(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--app", "cliapp.factory:broken", "--help"])
    assert result.exit_code == 0
    assert "run Run a development server." in " ".join(result.stdout.split())
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "TypeError: broken inside the factory\n\n" in result.stderr


def test_flaskgroup_unknown_command_without_app(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(TEST_APPS / "nobody")
    result = runner.invoke(cli, ["missing"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {NO_APP_MESSAGE}\n\nUsage: flask")
    assert "Error: No such command 'missing'." in result.stderr


def test_flaskgroup_builtin_command_reports_load_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--app", "notanapp", "routes"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Usage: flask routes [OPTIONS]\n"
        "Try 'flask routes --help' for help.\n\n"
        "Error: Could not import 'notanapp'.\n"
    )


def test_flaskgroup_import_error_in_app(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--app", "cliapp.importerrorapp", "routes"])
    assert result.exit_code == 2
    assert (
        "Error: While importing 'cliapp.importerrorapp', an ImportError was"
        " raised:\n\nTraceback" in result.stderr
    )
    assert "a_dependency_that_is_not_installed" in result.stderr


@pytest.mark.parametrize("option", ["--app", "-A"])
def test_flaskgroup_app_option(runner: CliRunner, option: str) -> None:
    result = runner.invoke(cli, [option, "cliapp.commands", "greet", "--name", "Ann"])
    assert result.exit_code == 0, result.output
    assert result.output == "Hello, Ann, from commands!\n"


def test_flaskgroup_app_from_environment(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_APP", "cliapp.commands")
    assert runner.invoke(cli, ["greet"]).output == "Hello, World, from commands!\n"
    # The option wins over the variable.
    result = runner.invoke(cli, ["--app", "cliapp.inner1", "routes"])
    assert result.exit_code == 0
    assert "static" in result.output


def test_flaskgroup_nested_and_blueprint_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--app", "cliapp.commands", "db", "init"])
    assert result.output == "initialized commands\n"
    result = runner.invoke(cli, ["--app", "cliapp.commands", "users", "create", "x"])
    assert result.output == "created x\n"
    result = runner.invoke(cli, ["--app", "cliapp.commands", "--help"])
    help_text = " ".join(result.output.split())
    assert "greet Greet someone from the app." in help_text
    assert "db Database commands." in help_text


def test_flaskgroup_no_args_shows_help_with_app_commands(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_APP", "cliapp.commands")
    result = runner.invoke(cli, [])
    assert result.exit_code == 2
    assert "Usage: flask [OPTIONS] COMMAND [ARGS]..." in result.output
    assert "greet" in result.output


def test_flaskgroup_help_alone_reads_app_from_environment(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # --help is handled before the other options: when it is the only
    # argument, FLASK_APP (here from .flaskenv) is read first so the help
    # lists the app's commands. With more arguments it is not, as in 3.1.
    (tmp_path / ".flaskenv").write_text("FLASK_APP=cliapp.commands\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["--help"])
    assert "greet" in result.stdout
    assert result.stderr == ""
    result = runner.invoke(cli, ["--help", "routes"])
    assert "greet" not in result.stdout
    assert result.stderr == f"Error: {NO_APP_MESSAGE}\n\n"


def test_flaskgroup_help_alone_custom_help_option(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_APP", "cliapp.commands")
    group = FlaskGroup(context_settings={"help_option_names": ["-x", "--help"]})
    assert "greet" in runner.invoke(group, ["-x"]).stdout


def test_flaskgroup_debug_from_default_map_is_not_exported(
    runner: CliRunner, app: Flask
) -> None:
    @app.cli.command()
    def show() -> None:
        click.echo(f"{os.environ.get('FLASK_DEBUG')} {current_app.debug}")

    group = FlaskGroup(
        create_app=lambda: app, context_settings={"default_map": {"debug": True}}
    )
    assert runner.invoke(group, ["show"]).output == "None False\n"
    assert runner.invoke(group, ["--debug", "show"]).output == "1 True\n"


def test_flaskgroup_missing_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--app", "cliapp.commands"])
    assert result.exit_code == 2
    assert "Error: Missing command." in result.stderr


def test_flaskgroup_sets_run_from_cli(runner: CliRunner, app: Flask) -> None:
    @app.cli.command()
    def show() -> None:
        click.echo(os.environ.get("FLASK_RUN_FROM_CLI"))

    assert runner.invoke(FlaskGroup(create_app=lambda: app), ["show"]).output == (
        "true\n"
    )


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--debug"], None, "1 True"),
        (["--no-debug"], "1", "0 False"),
        ([], "1", "1 True"),
        ([], None, "None False"),
    ],
)
def test_flaskgroup_debug_option(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: str | None,
    expected: str,
) -> None:
    if env is not None:
        monkeypatch.setenv("FLASK_DEBUG", env)

    seen = []

    def create_app() -> Flask:
        # The factory already sees the flag through the environment.
        seen.append(os.environ.get("FLASK_DEBUG"))
        app = Flask("dbg")

        @app.cli.command()
        def show() -> None:
            click.echo(f"{os.environ.get('FLASK_DEBUG')} {current_app.debug}")

        return app

    result = runner.invoke(FlaskGroup(create_app=create_app), [*args, "show"])
    assert result.output == f"{expected}\n"
    env_seen = expected.split()[0]
    assert seen == [None if env_seen == "None" else env_seen]


def test_flaskgroup_set_debug_flag_false(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = Flask("dbg")

    @app.cli.command()
    def show() -> None:
        click.echo(current_app.debug)

    monkeypatch.setenv("FLASK_DEBUG", "1")
    group = FlaskGroup(create_app=lambda: app, set_debug_flag=False)
    app.debug = False
    assert runner.invoke(group, ["show"]).output == "False\n"


def test_flaskgroup_uses_given_script_info(runner: CliRunner, app: Flask) -> None:
    @app.cli.command()
    @pass_script_info
    def show(info: ScriptInfo) -> None:
        click.echo(info.data["marker"])

    info = ScriptInfo(create_app=lambda: app)
    info.data["marker"] = "mine"
    group = FlaskGroup()
    assert runner.invoke(group, ["show"], obj=info).output == "mine\n"
    group = FlaskGroup(context_settings={"obj": info})
    assert runner.invoke(group, ["show"]).output == "mine\n"


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == (
        f"Python {platform.python_version()}\n"
        f"Flask {importlib.metadata.version('flask')}\n"
        f"Werkzeug {importlib.metadata.version('werkzeug')}\n"
    )


def test_get_version_ignores_false_value() -> None:
    ctx = click.Context(click.Command("x"))
    assert get_version(ctx, version_param(), False) is None


def version_param() -> click.Parameter:
    return next(p for p in cli.params if p.name == "version")


def test_top_level_help_text(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--app", "cliapp.commands", "--help"])
    out = result.stdout
    assert (
        "  An application to load must be given with the '--app' option, 'FLASK_APP'\n"
        "  environment variable, or with a 'wsgi.py' or 'app.py' file in the current\n"
        "  directory.\n" in out
    )
    assert "  -e, --env-file FILE   Load environment variables from this file" in out
    assert "  -A, --app IMPORT      The Flask application or factory function" in out
    assert "  --debug / --no-debug  Set debug mode." in out
    assert "  --version             Show the Flask version." in out


# --- plugins ---------------------------------------------------------------------


def test_plugin_commands(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "cli_plugin_for_tests.py").write_text(
        "import click\n\n"
        "@click.command()\n"
        "def cmd():\n"
        '    """From a plugin."""\n'
        '    click.echo("plugin ran")\n'
    )
    dist = tmp_path / "cli_plugin_for_tests-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cli-plugin-for-tests\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[flask.commands]\nplugged = cli_plugin_for_tests:cmd\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(TEST_APPS / "nobody")
    group = FlaskGroup()
    # Plugins work, and are listed, without an application.
    result = runner.invoke(group, ["plugged"])
    assert result.exit_code == 0
    assert result.output == "plugin ran\n"
    result = runner.invoke(FlaskGroup(), ["--help"])
    assert "plugged  From a plugin." in result.stdout


# --- dotenv ----------------------------------------------------------------------


@pytest.fixture
def dotenv_tree(tmp_path: Path) -> Path:
    """A project with both default files and a nested working folder."""
    (tmp_path / ".flaskenv").write_text(
        "FLASK_T_SHARED=flaskenv\nFLASK_T_FLASKENV=1\nFLASK_T_PRESET=flaskenv\n"
    )
    (tmp_path / ".env").write_text(
        "FLASK_T_SHARED=env\nFLASK_T_ENV=1\nFLASK_T_EMPTY\nFLASK_T_QUOTED='a b'\n"
    )
    (tmp_path / "custom.env").write_text("FLASK_T_SHARED=custom\nFLASK_T_CUSTOM=1\n")
    nested = tmp_path / "src" / "pkg"
    nested.mkdir(parents=True)
    return tmp_path


def _flask_t_vars() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("FLASK_T_")}


def test_load_dotenv(monkeypatch: pytest.MonkeyPatch, dotenv_tree: Path) -> None:
    monkeypatch.setenv("FLASK_T_PRESET", "from the environment")
    # The files are found from a folder below them.
    monkeypatch.chdir(dotenv_tree / "src" / "pkg")
    assert load_dotenv() is True
    assert os.getcwd() == str(dotenv_tree / "src" / "pkg")
    assert _flask_t_vars() == {
        "FLASK_T_SHARED": "env",
        "FLASK_T_ENV": "1",
        "FLASK_T_FLASKENV": "1",
        "FLASK_T_PRESET": "from the environment",
        "FLASK_T_QUOTED": "a b",
    }


def test_load_dotenv_with_path(
    monkeypatch: pytest.MonkeyPatch, dotenv_tree: Path
) -> None:
    monkeypatch.chdir(dotenv_tree)
    assert load_dotenv("custom.env") is True
    assert os.environ["FLASK_T_SHARED"] == "custom"
    assert os.environ["FLASK_T_ENV"] == "1"
    assert os.environ["FLASK_T_CUSTOM"] == "1"


def test_load_dotenv_path_only(
    monkeypatch: pytest.MonkeyPatch, dotenv_tree: Path
) -> None:
    monkeypatch.chdir(dotenv_tree)
    assert load_dotenv(dotenv_tree / "custom.env", load_defaults=False) is True
    assert _flask_t_vars() == {"FLASK_T_SHARED": "custom", "FLASK_T_CUSTOM": "1"}


def test_load_dotenv_missing_path(
    monkeypatch: pytest.MonkeyPatch, dotenv_tree: Path
) -> None:
    monkeypatch.chdir(dotenv_tree)
    assert load_dotenv("nothing.env", load_defaults=False) is False
    assert load_dotenv("src", load_defaults=False) is False
    assert _flask_t_vars() == {}
    # The defaults are still loaded.
    assert load_dotenv("nothing.env") is True
    assert os.environ["FLASK_T_SHARED"] == "env"


def test_load_dotenv_nothing_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_dotenv() is False
    (tmp_path / ".env").write_text("")
    assert load_dotenv() is False


@pytest.mark.parametrize(
    ("files", "path", "hint"),
    [
        ([".env"], None, True),
        ([".flaskenv"], None, True),
        ([], "custom.env", True),
        ([], None, False),
    ],
)
def test_load_dotenv_hint_without_python_dotenv(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    files: list[str],
    path: str | None,
    hint: bool,
) -> None:
    monkeypatch.setitem(sys.modules, "dotenv", None)
    monkeypatch.chdir(tmp_path)

    for name in files:
        (tmp_path / name).write_text("FLASK_T_X=1\n")

    assert load_dotenv(path) is False
    assert "FLASK_T_X" not in os.environ
    err = capsys.readouterr().err
    tip = " * Tip: There are .env files present. Install python-dotenv to use them.\n"
    assert err == (tip if hint else "")


def test_cli_loads_dotenv(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, dotenv_tree: Path, app: Flask
) -> None:
    @app.cli.command()
    def show() -> None:
        click.echo(repr(sorted(_flask_t_vars().items())))

    monkeypatch.chdir(dotenv_tree / "src")
    runner.invoke(FlaskGroup(create_app=lambda: app), ["show"])
    assert os.environ["FLASK_T_SHARED"] == "env"
    assert os.environ["FLASK_T_FLASKENV"] == "1"


def test_cli_env_file_option(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, dotenv_tree: Path, app: Flask
) -> None:
    monkeypatch.chdir(dotenv_tree)
    monkeypatch.setenv("FLASK_T_PRESET", "env wins")
    group = FlaskGroup(create_app=lambda: app)
    result = runner.invoke(group, ["-e", "custom.env", "routes"])
    assert result.exit_code == 0, result.output
    assert os.environ["FLASK_T_SHARED"] == "custom"
    assert os.environ["FLASK_T_ENV"] == "1"
    assert os.environ["FLASK_T_PRESET"] == "env wins"


def test_cli_env_file_sets_app(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / "app.env"
    env_file.write_text("FLASK_APP=cliapp.commands\n")
    result = runner.invoke(cli, ["--env-file", str(env_file), "greet"])
    assert result.output == "Hello, World, from commands!\n"


def test_cli_env_file_only_when_skipping_defaults(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, dotenv_tree: Path, app: Flask
) -> None:
    monkeypatch.chdir(dotenv_tree)
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")
    result = runner.invoke(FlaskGroup(create_app=lambda: app), ["routes"])
    assert result.exit_code == 0
    assert _flask_t_vars() == {}
    group = FlaskGroup(create_app=lambda: app)
    result = runner.invoke(group, ["-e", "custom.env", "routes"])
    assert _flask_t_vars() == {"FLASK_T_SHARED": "custom", "FLASK_T_CUSTOM": "1"}


def test_cli_load_dotenv_false(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, dotenv_tree: Path, app: Flask
) -> None:
    monkeypatch.chdir(dotenv_tree)
    group = FlaskGroup(create_app=lambda: app, load_dotenv=False)
    assert runner.invoke(group, ["routes"]).exit_code == 0
    assert _flask_t_vars() == {}


def test_cli_env_file_errors(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, dotenv_tree: Path, app: Flask
) -> None:
    monkeypatch.chdir(dotenv_tree)
    group = FlaskGroup(create_app=lambda: app)
    result = runner.invoke(group, ["-e", "nothing.env", "routes"])
    assert result.exit_code == 2
    assert (
        "Error: Invalid value for '-e' / '--env-file': File 'nothing.env' does"
        " not exist." in result.stderr
    )
    monkeypatch.setitem(sys.modules, "dotenv", None)
    result = runner.invoke(group, ["-e", "custom.env", "routes"])
    assert result.exit_code == 2
    assert (
        "Error: Invalid value for '-e' / '--env-file': python-dotenv must be"
        " installed to load an env file." in result.stderr
    )
    # Without -e, the missing package only earns a hint.
    result = runner.invoke(group, ["routes"])
    assert result.exit_code == 0
    assert "Install python-dotenv to use them." in result.stderr


# --- run -------------------------------------------------------------------------


@pytest.fixture
def run_simple_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, t.Any]]:
    calls: list[dict[str, t.Any]] = []

    def run_simple(hostname: str, port: int, application: t.Any, **kw: t.Any) -> None:
        calls.append(dict(hostname=hostname, port=port, application=application, **kw))

    monkeypatch.setattr(werkzeug.serving, "run_simple", run_simple)
    return calls


def test_run_uses_a_replaced_flask_cli_run_simple(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Flask 3.1 keeps run_simple as an attribute of flask.cli; tests that
    # replace it there must see their replacement called.
    import flask.cli

    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(
        flask.cli,
        "run_simple",
        lambda host, port, app, **kw: calls.append((host, port)),
    )
    result = runner.invoke(cli, ["--app", "hello/hello.py", "run", "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert calls == [("127.0.0.1", 5123)]


def test_run_looks_up_run_simple_after_loading_the_app(
    runner: CliRunner,
    run_simple_calls: list[dict[str, t.Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # A replacement installed by the app module itself, while it is
    # imported, is the one that runs.
    import flask.cli

    monkeypatch.setattr(flask.cli, "run_simple", flask.cli.run_simple)
    (tmp_path / "cli_patches_run_simple.py").write_text(
        "import flask.cli\n"
        "from flask import Flask\n"
        "app = Flask('patched')\n"
        "def fake(host, port, app, **kw):\n"
        "    print('fake server', host, port, app.name)\n"
        "flask.cli.run_simple = fake\n"
    )
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["--app", "cli_patches_run_simple", "run"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("fake server 127.0.0.1 5000 patched\n")
    assert run_simple_calls == []


def test_run_load_error_in_reloader_child_keeps_traceback_short(
    runner: CliRunner,
    run_simple_calls: list[dict[str, t.Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    runner.invoke(cli, ["--app", "cliapp.factory:broken", "run"])
    failing_app = run_simple_calls[0]["application"]
    depths = []

    for _ in range(3):
        with pytest.raises(TypeError) as exc_info:
            failing_app({}, lambda *a: None)

        depths.append(len(exc_info.traceback))

    # Each request raises from the original traceback; it does not grow.
    assert depths[0] == depths[1] == depths[2]


def test_run_defaults(
    runner: CliRunner, run_simple_calls: list[dict[str, t.Any]]
) -> None:
    result = runner.invoke(cli, ["--app", "hello/hello.py", "run"])
    assert result.exit_code == 0, result.output
    assert (
        result.output == " * Serving Flask app 'hello/hello.py'\n * Debug mode: off\n"
    )
    (call,) = run_simple_calls
    assert call["application"].name == "hello"
    assert call == {
        "hostname": "127.0.0.1",
        "port": 5000,
        "application": call["application"],
        "use_reloader": False,
        "use_debugger": False,
        "threaded": True,
        "ssl_context": None,
        "extra_files": None,
        "exclude_patterns": None,
    }


@pytest.mark.parametrize(
    ("args", "reload", "debugger"),
    [
        (["--debug", "run"], True, True),
        (["run", "--debug"], True, True),
        (["--debug", "run", "--no-reload"], False, True),
        (["--debug", "run", "--no-debugger"], True, False),
        (["run", "--reload", "--debugger"], True, True),
        (["--no-debug", "run"], False, False),
    ],
)
def test_run_debug_defaults(
    runner: CliRunner,
    run_simple_calls: list[dict[str, t.Any]],
    app: Flask,
    args: list[str],
    reload: bool,
    debugger: bool,
) -> None:
    result = runner.invoke(FlaskGroup(create_app=lambda: app), args)
    assert result.exit_code == 0, result.output
    (call,) = run_simple_calls
    assert call["use_reloader"] is reload
    assert call["use_debugger"] is debugger
    on = "--debug" in args
    assert result.output == f" * Debug mode: {'on' if on else 'off'}\n"
    assert app.debug is on


def test_run_options(
    runner: CliRunner, run_simple_calls: list[dict[str, t.Any]], app: Flask
) -> None:
    sep = os.pathsep
    args = [
        "run",
        "-h",
        "0.0.0.0",
        "-p",
        "8123",
        "--without-threads",
        "--extra-files",
        f"a.txt{sep}b/c.txt",
        "--exclude-patterns",
        f"*.pyc{sep}*/tmp/*",
    ]
    result = runner.invoke(FlaskGroup(create_app=lambda: app), args)
    assert result.exit_code == 0, result.output
    (call,) = run_simple_calls
    assert call["hostname"] == "0.0.0.0"
    assert call["port"] == 8123
    assert call["threaded"] is False
    assert call["extra_files"] == ["a.txt", "b/c.txt"]
    assert call["exclude_patterns"] == ["*.pyc", "*/tmp/*"]


def test_run_options_from_environment(
    runner: CliRunner,
    run_simple_calls: list[dict[str, t.Any]],
    monkeypatch: pytest.MonkeyPatch,
    app: Flask,
) -> None:
    monkeypatch.setenv("FLASK_RUN_HOST", "localhost")
    monkeypatch.setenv("FLASK_RUN_PORT", "8765")
    monkeypatch.setenv("FLASK_RUN_RELOAD", "true")
    monkeypatch.setenv("FLASK_RUN_EXTRA_FILES", f"x.txt{os.pathsep}y.txt")
    result = runner.invoke(FlaskGroup(create_app=lambda: app), ["run"])
    assert result.exit_code == 0, result.output
    (call,) = run_simple_calls
    assert call["hostname"] == "localhost"
    assert call["port"] == 8765
    assert call["use_reloader"] is True
    assert call["extra_files"] == ["x.txt", "y.txt"]


def test_run_bad_port(runner: CliRunner, app: Flask) -> None:
    result = runner.invoke(FlaskGroup(create_app=lambda: app), ["run", "-p", "abc"])
    assert result.exit_code == 2
    assert "Invalid value for '--port' / '-p': 'abc' is not a valid integer." in (
        result.stderr
    )


def test_run_load_error_fails_at_once(
    runner: CliRunner, run_simple_calls: list[dict[str, t.Any]]
) -> None:
    result = runner.invoke(cli, ["--app", "cliapp.importerrorapp", "run"])
    assert result.exit_code == 2
    assert "While importing 'cliapp.importerrorapp'" in result.stderr
    assert run_simple_calls == []


def test_run_load_error_in_reloader_child(
    runner: CliRunner,
    run_simple_calls: list[dict[str, t.Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    result = runner.invoke(cli, ["--app", "cliapp.factory:broken", "run"])
    assert result.exit_code == 0
    # No banner in the child; the traceback is printed and the server runs.
    assert result.stdout == ""
    assert "TypeError: broken inside the factory" in result.stderr
    (call,) = run_simple_calls
    failing_app = call["application"]

    with pytest.raises(TypeError, match="broken inside the factory"):
        failing_app({}, lambda *a: None)


def _run_params(*args: str) -> dict[str, t.Any]:
    ctx = run_command.make_context("run", list(args))
    return ctx.params


@pytest.fixture
def cert_files(tmp_path: Path) -> tuple[str, str]:
    cert = tmp_path / "cert.pem"
    key = tmp_path / "key.pem"
    cert.write_text("not really a certificate")
    key.write_text("not really a key")
    return str(cert), str(key)


def test_run_cert_and_key(cert_files: tuple[str, str]) -> None:
    cert, key = cert_files
    assert _run_params("--cert", cert, "--key", key)["cert"] == (cert, key)
    # Order on the command line does not matter.
    assert _run_params("--key", key, "--cert", cert)["cert"] == (cert, key)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cert", "{cert}"], 'Required when using "--cert".'),
        (["--key", "{key}"], '"--cert" must also be specified.'),
        (["--cert", "nothing.pem"], "File 'nothing.pem' does not exist."),
        (["--cert", "{cert}", "--key", "nothing.pem"], "File 'nothing.pem'"),
    ],
)
def test_run_cert_errors(
    cert_files: tuple[str, str], args: list[str], message: str
) -> None:
    cert, key = cert_files
    args = [a.format(cert=cert, key=key) for a in args]

    with pytest.raises(click.BadParameter) as exc_info:
        _run_params(*args)

    assert message in exc_info.value.format_message()


def test_run_cert_adhoc(
    monkeypatch: pytest.MonkeyPatch, cert_files: tuple[str, str]
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography", None)

    with pytest.raises(click.BadParameter, match="requires the cryptography library"):
        _run_params("--cert", "adhoc")

    monkeypatch.setitem(sys.modules, "cryptography", types.ModuleType("cryptography"))
    assert _run_params("--cert", "adhoc")["cert"] == "adhoc"
    assert _run_params("--cert", "ADHOC")["cert"] == "adhoc"

    with pytest.raises(click.BadParameter, match='is "adhoc", "--key" is not used'):
        _run_params("--cert", "adhoc", "--key", cert_files[1])


def test_run_cert_ssl_context(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cert_files: tuple[str, str]
) -> None:
    (tmp_path / "cli_ssl_ctx_mod.py").write_text(
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\nnot_a_context = 5\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    params = _run_params("--cert", "cli_ssl_ctx_mod.ctx")
    assert isinstance(params["cert"], ssl.SSLContext)
    assert isinstance(
        _run_params("--cert", "cli_ssl_ctx_mod:ctx")["cert"], ssl.SSLContext
    )

    with pytest.raises(click.BadParameter, match="is an SSLContext object"):
        _run_params("--cert", "cli_ssl_ctx_mod.ctx", "--key", cert_files[1])

    with pytest.raises(click.BadParameter, match="does not exist"):
        _run_params("--cert", "cli_ssl_ctx_mod.not_a_context")


def test_cert_param_type() -> None:
    assert CertParamType.name == "path"
    assert isinstance(CertParamType(), click.ParamType)


def test_separated_path_type(tmp_path: Path) -> None:
    existing = tmp_path / "a.txt"
    existing.write_text("")
    kind = SeparatedPathType(exists=True)
    value = f"{existing}{os.pathsep}{existing}"
    assert kind.convert(value, None, None) == [str(existing), str(existing)]

    with pytest.raises(click.BadParameter, match="does not exist"):
        kind.convert(f"{existing}{os.pathsep}{tmp_path / 'nope'}", None, None)


def test_run_help(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["run", "--help"])
    assert result.exit_code == 0
    out = result.output
    assert "  Run a local development server.\n" in out
    assert "  --debug / --no-debug            Set debug mode.\n" in out
    assert "  -h, --host TEXT                 The interface to bind to.\n" in out
    assert "  -p, --port INTEGER              The port to bind to.\n" in out
    assert "  --cert PATH                     Specify a certificate file" in out
    assert "  --key FILE                      The key file to use" in out
    assert "  --with-threads / --without-threads\n" in out
    assert f"Multiple paths are separated by {os.pathsep!r}." in out


# --- show_server_banner --------------------------------------------------------


@pytest.mark.parametrize(
    ("debug", "path", "expected"),
    [
        (True, "hello", " * Serving Flask app 'hello'\n * Debug mode: on\n"),
        (False, "a:b('c')", " * Serving Flask app 'a:b('c')'\n * Debug mode: off\n"),
        (False, None, " * Debug mode: off\n"),
        (None, None, ""),
    ],
)
def test_show_server_banner(
    capsys: pytest.CaptureFixture[str],
    debug: bool,
    path: str | None,
    expected: str,
) -> None:
    show_server_banner(debug, path)
    assert capsys.readouterr().out == expected


def test_show_server_banner_not_in_reloader_child(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    show_server_banner(True, "hello")
    assert capsys.readouterr().out == ""


# --- shell -----------------------------------------------------------------------


def test_shell(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, app: Flask, tmp_path: Path
) -> None:
    monkeypatch.delattr(sys, "__interactivehook__", raising=False)

    @app.shell_context_processor
    def extra() -> dict[str, t.Any]:
        return {"answer": 42}

    startup = tmp_path / "startup.py"
    startup.write_text("from_startup = 'yes'\n")
    monkeypatch.setenv("PYTHONSTARTUP", str(startup))
    group = FlaskGroup(create_app=lambda: app)
    lines = "print(app.name, answer, from_startup, g)\n"
    result = runner.invoke(group, ["shell"], input=lines)
    assert result.exit_code == 0, result.output
    assert f"Python {sys.version} on {sys.platform}\n" in result.output
    assert "App: cli_test_app\n" in result.output
    assert f"Instance: {app.instance_path}\n" in result.output
    assert "cli_test_app 42 yes <flask.g of 'cli_test_app'>" in result.output


def test_shell_interactive_hook(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, app: Flask
) -> None:
    readline = pytest.importorskip("readline")
    completers = []
    monkeypatch.setattr(readline, "set_completer", completers.append)
    calls = []
    monkeypatch.setattr(
        sys, "__interactivehook__", lambda: calls.append(1), raising=False
    )
    result = runner.invoke(
        FlaskGroup(create_app=lambda: app), ["shell"], input="app.name\n"
    )
    assert result.exit_code == 0
    assert "'cli_test_app'" in result.output
    assert calls == [1]
    # Importing rlcompleter installs a default completer first.
    complete = completers[-1]
    # The completer sees the shell's namespace.
    assert complete("ap", 0) == "app("


def test_shell_help(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["shell", "--help"])
    assert "Run an interactive Python shell in the context of a given" in result.output
    assert shell_command.get_short_help_str() == "Run a shell in the app context."


# --- routes ----------------------------------------------------------------------


def _routes(app: Flask, *args: str) -> str:
    result = CliRunner().invoke(FlaskGroup(create_app=lambda: app), ["routes", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def routes_app() -> Flask:
    app = Flask("routes_app")

    @app.route("/b", methods=["POST", "GET", "PUT"])
    def zeta() -> str:
        return ""

    @app.route("/a/<int:x>")
    def alpha(x: int) -> str:
        return ""

    @app.route("/c", endpoint="mid", methods=["DELETE"])
    def c() -> str:
        return ""

    return app


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_routes_table(routes_app: Flask) -> None:
    assert _lines(_routes(routes_app)) == [
        "Endpoint  Methods         Rule                   ",
        "--------  --------------  -----------------------",
        "alpha     GET             /a/<int:x>             ",
        "mid       DELETE          /c                     ",
        "static    GET             /static/<path:filename>",
        "zeta      GET, POST, PUT  /b                     ",
    ]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("endpoint", ["alpha", "mid", "static", "zeta"]),
        ("methods", ["mid", "static", "alpha", "zeta"]),
        ("rule", ["alpha", "zeta", "mid", "static"]),
        ("match", ["static", "zeta", "alpha", "mid"]),
        # No domain column: the map's order is kept.
        ("domain", ["static", "zeta", "alpha", "mid"]),
    ],
)
def test_routes_sort(routes_app: Flask, sort: str, order: list[str]) -> None:
    for option in ("--sort", "-s"):
        lines = _lines(_routes(routes_app, option, sort))[2:]
        assert [line.split()[0] for line in lines] == order


def test_routes_all_methods(routes_app: Flask) -> None:
    lines = [line.rstrip() for line in _lines(_routes(routes_app, "--all-methods"))]
    assert lines[0] == "Endpoint  Methods                        Rule"
    assert "zeta      GET, HEAD, OPTIONS, POST, PUT  /b" in lines
    assert "mid       DELETE, OPTIONS                /c" in lines


def test_routes_subdomain() -> None:
    app = Flask("sub")
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/", subdomain="api")
    def api() -> str:
        return ""

    @app.route("/x")
    def x() -> str:
        return ""

    assert _lines(_routes(app)) == [
        "Endpoint  Methods  Subdomain  Rule                   ",
        "--------  -------  ---------  -----------------------",
        "api       GET      api        /                      ",
        "static    GET                 /static/<path:filename>",
        "x         GET                 /x                     ",
    ]
    lines = _lines(_routes(app, "-s", "domain"))[2:]
    assert [line.split()[0] for line in lines] == ["static", "x", "api"]


def test_routes_host_matching() -> None:
    app = Flask("hosts", host_matching=True, static_host="static.test")

    @app.route("/", host="h1.test")
    def h1() -> str:
        return ""

    @app.route("/y", host="h2.test")
    def y() -> str:
        return ""

    assert _lines(_routes(app)) == [
        "Endpoint  Methods  Host         Rule                   ",
        "--------  -------  -----------  -----------------------",
        "h1        GET      h1.test      /                      ",
        "static    GET      static.test  /static/<path:filename>",
        "y         GET      h2.test      /y                     ",
    ]
    lines = _lines(_routes(app, "-s", "domain"))[2:]
    assert [line.split()[0] for line in lines] == ["h1", "y", "static"]


def test_routes_blueprint() -> None:
    app = Flask("bp_app", static_folder=None)
    bp = Blueprint("shop", __name__, url_prefix="/shop")

    @bp.route("/items")
    def items() -> str:
        return ""

    app.register_blueprint(bp)
    assert "shop.items  GET      /shop/items" in _routes(app)


def test_routes_empty() -> None:
    app = Flask("empty", static_folder=None)
    assert _routes(app) == "No routes were registered.\n"


def test_routes_bad_sort(routes_app: Flask) -> None:
    result = CliRunner().invoke(
        FlaskGroup(create_app=lambda: routes_app), ["routes", "-s", "bogus"]
    )
    assert result.exit_code == 2
    assert "Invalid value for '--sort' / '-s'" in result.stderr


def test_routes_with_test_cli_runner(routes_app: Flask) -> None:
    result = routes_app.test_cli_runner().invoke(routes_command, ["-s", "rule"])
    assert result.exit_code == 0
    assert result.output.splitlines()[2].startswith("alpha")


def test_routes_from_import_path(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--app", "shop:create_app('testing')", "routes"])
    assert result.exit_code == 0, result.output
    assert "item      GET, POST  /items/<int:item_id>" in result.output


# --- flask run --asgi: the errors ---------------------------------------------


def test_run_asgi_without_uvicorn_names_the_extra(monkeypatch):
    from flask.cli import run_command

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    app = Flask("asgi_app")
    obj = ScriptInfo(create_app=lambda: app)
    result = CliRunner().invoke(run_command, ["--asgi"], obj=obj)
    assert result.exit_code == 2
    assert "pip install 'Flask[asgi]'" in result.output


def test_run_asgi_refuses_an_adhoc_certificate(monkeypatch):
    pytest.importorskip("uvicorn")
    pytest.importorskip("cryptography")
    from flask.cli import run_command

    app = Flask("asgi_app")
    obj = ScriptInfo(create_app=lambda: app)
    result = CliRunner().invoke(
        run_command, ["--asgi", "--cert", "adhoc", "--no-reload"], obj=obj
    )
    assert result.exit_code == 2
    assert "not an SSL context or 'adhoc'" in result.output


def test_run_asgi_cannot_reload_an_app_object():
    pytest.importorskip("uvicorn")
    from flask.cli import run_command

    app = Flask("asgi_app")
    obj = ScriptInfo(create_app=lambda: app)
    result = CliRunner().invoke(run_command, ["--asgi", "--reload"], obj=obj)
    assert result.exit_code == 2
    assert "cannot reload an app that was passed" in result.output
