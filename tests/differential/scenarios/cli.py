"""The CLI: ``app.test_cli_runner()``, ``routes``, custom commands, app
discovery through ``FlaskGroup``/``ScriptInfo``.
"""

from __future__ import annotations

import re
import typing as t

import click

import flask
from flask.cli import AppGroup
from flask.cli import FlaskGroup
from flask.cli import ScriptInfo
from flask.cli import with_appcontext

from . import _kit
from . import scenario

_TRACEBACK_LINE = re.compile(r"^(Traceback|  |\s*\^+\s*$)")


def _result(rv: t.Any) -> dict[str, t.Any]:
    """Exit code, output without traceback frames, escaped exception."""
    lines = [ln for ln in rv.output.splitlines() if not _TRACEBACK_LINE.match(ln)]
    out: dict[str, t.Any] = {"exit_code": rv.exit_code, "output": lines}

    if rv.exception is not None and not isinstance(rv.exception, SystemExit):
        out["exception"] = _kit.exc(rv.exception)

    return out


def _routes_app(kind: str) -> flask.Flask:
    if kind == "host_matching":
        app = flask.Flask(
            _kit.APP_NAME,
            root_path=str(_kit.FIXTURES),
            host_matching=True,
            static_host="static.example",
        )
        app.add_url_rule("/h", "h", _kit.noop, host="a.example")
        app.add_url_rule("/h2", "h2", _kit.noop, host="b.example", methods=["POST"])
        return app

    if kind == "empty":
        return flask.Flask(_kit.APP_NAME, static_folder=None)

    app = _kit.make_app(SERVER_NAME="example.com")
    app.add_url_rule("/zeta", "a_zeta", _kit.noop, methods=["GET", "POST"])
    app.add_url_rule("/alpha/<int:id>", "z_alpha", _kit.noop, methods=["DELETE"])
    app.add_url_rule("/beta", "m_beta", _kit.noop, methods=["PUT", "PATCH"])
    app.add_url_rule("/sub", "sub", _kit.noop, subdomain="api")
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")
    bp.add_url_rule("/x", "x", _kit.noop)
    app.register_blueprint(bp)
    return app


@scenario(
    [
        (kind, opts)
        for kind in ("plain", "host_matching", "empty")
        for opts in (
            "",
            "--sort endpoint",
            "--sort methods",
            "--sort rule",
            "--sort match",
            "--sort domain",
            "--all-methods",
            "--sort bogus",
        )
    ]
)
def routes(kind: str, opts: str) -> t.Any:
    app = _routes_app(kind)
    rv = app.test_cli_runner().invoke(args=["routes", *opts.split()])
    return _result(rv)


def _commands_app() -> flask.Flask:
    app = _kit.make_app()

    @app.cli.command("greet")
    @click.argument("name")
    @click.option("--shout", is_flag=True)
    def greet(name: str, shout: bool) -> None:
        text = f"hello {name} from {flask.current_app.name}"
        click.echo(text.upper() if shout else text)

    @app.cli.command()
    def ctx() -> None:
        click.echo(f"app ctx: {flask.globals._cv_app.get(None) is not None}")
        click.echo(f"request ctx: {flask.globals._cv_request.get(None) is not None}")

    @app.cli.command("noctx", with_appcontext=False)
    def noctx() -> None:
        click.echo(f"app ctx: {flask.globals._cv_app.get(None) is not None}")

    @app.cli.command("fail")
    def fail() -> None:
        raise click.ClickException("failed on purpose")

    @app.cli.command("crash")
    def crash() -> None:
        raise ValueError("crashed")

    group = AppGroup("grp", help="A group.")

    @group.command("sub")
    def sub() -> None:
        click.echo(f"sub in {flask.current_app.name}")

    app.cli.add_command(group)

    @click.command("plain")
    @with_appcontext
    def plain() -> None:
        click.echo(f"plain {flask.current_app.name}")

    app.cli.add_command(plain)

    for name, cli_group in (
        ("bp_default", "_default"),
        ("bp_none", None),
        ("bp_custom", "custom"),
    ):
        kwargs = {} if cli_group == "_default" else {"cli_group": cli_group}
        bp = flask.Blueprint(name, __name__, **kwargs)

        @bp.cli.command(f"{name}_cmd")
        def bp_cmd(_name: str = name) -> None:
            click.echo(f"blueprint command {_name}")

        app.register_blueprint(bp)

    return app


COMMANDS = {
    "greet": ["greet", "bob"],
    "greet_shout": ["greet", "bob", "--shout"],
    "greet_missing": ["greet"],
    "ctx": ["ctx"],
    "noctx": ["noctx"],
    "fail": ["fail"],
    "crash": ["crash"],
    "group": ["grp", "sub"],
    "group_help": ["grp", "--help"],
    "plain": ["plain"],
    "unknown": ["nope"],
    "bp_default": ["bp_default", "bp_default_cmd"],
    "bp_none": ["bp_none_cmd"],
    "bp_custom": ["custom", "bp_custom_cmd"],
    "help": ["--help"],
}


@scenario(list(COMMANDS))
def commands(kind: str) -> t.Any:
    app = _commands_app()
    rv = app.test_cli_runner().invoke(args=COMMANDS[kind])
    return _result(rv)


def _bare_command_registered(ours: t.Any, ref: t.Any) -> None:
    """A bare ``@app.cli.command`` registers the command; Flask drops it
    (and "No such command").
    """
    assert ref["exit_code"] == 2, ref
    assert ours == {"exit_code": 0, "output": ["bare ran"]}, ours


@scenario(["bare"], differs={"bare": _bare_command_registered})
def bare_cli_command(kind: str) -> t.Any:
    app = _kit.make_app()

    def bare() -> None:
        click.echo("bare ran")

    _kit.call(app.cli.command, bare)
    rv = app.test_cli_runner().invoke(args=["bare"])
    return _result(rv)


APPS = {
    "module": "cliapp_single",
    "module_attr": "cliapp_single:application",
    "py_path": "cliapp_single.py",
    "factory": "cliapp_factory",
    "factory_call": "cliapp_factory:create_app()",
    "factory_args": "cliapp_factory:make_app('named', debug=True)",
    "factory_bad_args": "cliapp_factory:make_app(",
    "factory_needs_args": "cliapp_factory:needs_args",
    "factory_raises": "cliapp_factory:raises_type_error",
    "factory_none": "cliapp_factory:returns_none",
    "not_an_app": "cliapp_factory:not_an_app",
    "missing_attr": "cliapp_single:nope",
    "missing_module": "cliapp_missing_module",
    "broken_module": "cliapp_broken",
    "two_apps": "cliapp_two",
    "two_apps_named": "cliapp_two:second",
    "no_app": "cliapp_none",
    "create_needs_arg": "cliapp_create",
    "literal_non_call": "cliapp_factory:create_app.x",
    "dir_path": "static",
}


@scenario([(k, cmd) for k in APPS for cmd in ("routes", "hello")])
def discovery(kind: str, command: str) -> t.Any:
    from click.testing import CliRunner

    cli = FlaskGroup(name="flask")
    runner = CliRunner()

    with _kit.chdir(_kit.FIXTURES):
        rv = runner.invoke(cli, ["--app", APPS[kind], command])

    return _result(rv)


@scenario(["factory", "factory_with_info", "no_factory", "load_twice", "set_debug"])
def script_info(kind: str) -> t.Any:
    def factory() -> flask.Flask:
        app = flask.Flask("from_factory")

        @app.cli.command("who")
        def who() -> None:
            click.echo(f"who: {flask.current_app.name}")

        return app

    def factory_with_info(script_info: t.Any) -> flask.Flask:
        return flask.Flask(f"with_info_{type(script_info).__name__}")

    def run() -> t.Any:
        if kind == "factory":
            info = ScriptInfo(create_app=factory)
            return [info.load_app().name]

        if kind == "factory_with_info":
            info = ScriptInfo(create_app=factory_with_info)
            return [info.load_app().name]

        if kind == "no_factory":
            with _kit.chdir(_kit.FIXTURES / "static"):
                return [ScriptInfo().load_app().name]

        if kind == "load_twice":
            info = ScriptInfo(create_app=factory)
            return [info.load_app() is info.load_app()]

        info = ScriptInfo(create_app=factory, set_debug_flag=False)
        return [info.load_app().debug]

    rv = _kit.call(run)
    group = FlaskGroup(create_app=factory)
    from click.testing import CliRunner

    result = CliRunner().invoke(group, ["who"])
    return {"rv": rv, "cli": _result(result)}


@scenario(["version", "help_no_app", "no_command"])
def flask_group_misc(kind: str) -> t.Any:
    from click.testing import CliRunner

    cli = FlaskGroup(name="flask")
    args = {"version": ["--version"], "help_no_app": ["--help"], "no_command": []}[kind]

    with _kit.chdir(_kit.FIXTURES / "static"):
        rv = CliRunner().invoke(cli, args)

    out = _result(rv)

    if kind == "version":
        out["output"] = [
            re.sub(r"Python \S+", "Python <v>", ln) for ln in out["output"]
        ]

    return out


#: The short help of the ``check`` command, which Flask 3.1 does not have.
CHECK_SHORT_HELP = "Check the app for deployment mistakes."


def _check_command_added(ours: t.Any, ref: t.Any) -> None:
    """``flask check`` is one more default command (CHANGES.rst, "Deliberate
    differences"); the others are Flask's, with Flask's help.
    """
    assert ours == {**ref, "check": CHECK_SHORT_HELP}, ours


@scenario(["defaults", "no_defaults"], differs={"defaults": _check_command_added})
def default_commands(kind: str) -> t.Any:
    # The group's own commands, before installed plugins are added (the two
    # environments have different plugins).
    group = FlaskGroup(name="flask", add_default_commands=kind == "defaults")
    return {
        name: command.get_short_help_str(limit=200)
        for name, command in sorted(group.commands.items())
    }
