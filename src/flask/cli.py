"""The ``flask`` command line: :class:`FlaskGroup` (the ``flask`` script and
its options), :class:`AppGroup` (``app.cli``) and the ``run``, ``shell`` and
``routes`` commands. Finding the app is :mod:`flask._discovery`'s job; its
public names are exported from here.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import traceback
import typing as t
from functools import update_wrapper
from operator import itemgetter
from types import ModuleType

import click
import werkzeug.serving
from click.core import ParameterSource
from werkzeug.serving import is_running_from_reloader
from werkzeug.serving import run_simple

from ._checks import check_command
from ._clitypes import _validate_key
from ._clitypes import CertParamType as CertParamType
from ._clitypes import SeparatedPathType as SeparatedPathType
from ._discovery import find_app_by_string as find_app_by_string
from ._discovery import find_best_app as find_best_app
from ._discovery import locate_app as locate_app
from ._discovery import NoAppException as NoAppException
from ._discovery import prepare_import as prepare_import
from ._discovery import ScriptInfo as ScriptInfo
from ._uvicorn import serve_asgi
from .globals import _cv_app
from .helpers import get_debug_flag

if t.TYPE_CHECKING:  # pragma: no cover
    import ssl

    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import Rule

    from .app import Flask

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

# Werkzeug's function, kept to notice when a test replaces ``run_simple`` here.
_WERKZEUG_RUN_SIMPLE = run_simple

#: Passes the invocation's :class:`ScriptInfo` to a command callback as its
#: first argument, creating one if the context has none.
pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


def with_appcontext(f: F) -> F:
    """Run a command callback with the application's context pushed.

    The app comes from the :class:`ScriptInfo`; nothing happens when an app
    context is already active. :class:`AppGroup` commands get this by default.

    :param f: The callback to wrap.
    """

    def in_app_context(*args: t.Any, **kwargs: t.Any) -> t.Any:
        ctx = click.get_current_context()

        if _cv_app.get(None) is None:
            info = ctx.ensure_object(ScriptInfo)
            # Popped when the click context closes.
            ctx.with_resource(info.load_app().app_context())

        return ctx.invoke(f, *args, **kwargs)

    return t.cast(F, update_wrapper(in_app_context, f))


def _is_bare_decorator_use(args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> bool:
    # ``@group.command`` without parentheses hands over the function itself.
    return len(args) == 1 and not kwargs and callable(args[0])


class AppGroup(click.Group):
    """A click group for application commands: :meth:`command` runs them
    in the app context (:func:`with_appcontext`) unless given
    ``with_appcontext=False``, and :meth:`group` nests groups of this class.
    """

    @t.overload
    def command(self, __func: t.Callable[..., t.Any]) -> click.Command: ...

    @t.overload
    def command(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Command]: ...

    def command(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Command] | click.Command:
        """:meth:`click.Group.command`, running the callback in the app context.

        :param with_appcontext: ``False`` leaves the callback unwrapped.
        """
        # NOTE: Flask 3.1 loses a bare ``@cli.command``; it is registered
        # here, as click's own groups do.
        if _is_bare_decorator_use(args, kwargs):
            return self.command()(args[0])

        needs_context = kwargs.pop("with_appcontext", True)
        register = super().command(*args, **kwargs)

        def decorator(f: t.Callable[..., t.Any]) -> click.Command:
            command: click.Command = register(
                with_appcontext(f) if needs_context else f
            )
            return command

        return decorator

    @t.overload
    def group(self, __func: t.Callable[..., t.Any]) -> click.Group: ...

    @t.overload
    def group(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Group]: ...

    def group(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Group] | click.Group:
        """:meth:`click.Group.group`, with :class:`AppGroup` as default ``cls``."""
        # NOTE: a bare ``@cli.group`` fails in Flask 3.1; it works here.
        if _is_bare_decorator_use(args, kwargs):
            return self.group()(args[0])

        return super().group(*args, **{"cls": AppGroup, **kwargs})  # type: ignore[no-any-return]


def get_version(ctx: click.Context, param: click.Parameter, value: t.Any) -> None:
    """``--version``'s callback: print the Python, Flask and Werkzeug versions."""
    if not value or ctx.resilient_parsing:
        return

    # Loaded only here: importlib.metadata would add to every ``import flask``.
    from importlib.metadata import version

    report = [f"Python {platform.python_version()}"]
    report.extend(f"{dist} {version(dist)}" for dist in ("Flask", "Werkzeug"))
    click.echo("\n".join(report), color=ctx.color)
    ctx.exit()


def _hidden_option(*decls: str, **attrs: t.Any) -> click.Option:
    """An option consumed by its callback; commands never see its value."""
    return click.Option(list(decls), expose_value=False, **attrs)


version_option = _hidden_option(
    "--version",
    callback=get_version,
    help="Show the Flask version.",
    is_flag=True,
    is_eager=True,
)


def _remember_app(ctx: click.Context, param: click.Option, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(ScriptInfo).app_import_path = value


def _export_debug(ctx: click.Context, param: click.Option, value: bool | None) -> None:
    # The flag defaults to None: None means that neither spelling was given
    # (nor FLASK_DEBUG, which the option reads as its envvar).
    source = ctx.get_parameter_source("debug")

    if value is None or source is ParameterSource.DEFAULT_MAP:
        return

    # In the environment, where a factory run later reads it too.
    os.environ["FLASK_DEBUG"] = str(int(value))


def _dotenv() -> ModuleType | None:
    """python-dotenv, an optional dependency, if it is installed."""
    try:
        import dotenv
    except ImportError:
        return None

    return dotenv


def _load_env_file(
    ctx: click.Context, param: click.Option, value: str | None
) -> str | None:
    # With no file asked for, load_dotenv prints a hint if dotenv is missing.
    if value is not None and _dotenv() is None:
        raise click.BadParameter(
            "python-dotenv must be installed to load an env file.", ctx, param
        )

    with_defaults = ctx.ensure_object(ScriptInfo).load_dotenv_defaults

    # The defaults are loaded here, with the given file which wins over them.
    if value is not None or with_defaults:
        load_dotenv(value, load_defaults=with_defaults)

    return value


# The two eager options run before the subcommand is looked up, env file
# first when both come from the environment, so that it can set FLASK_APP.
_env_file_option = _hidden_option(
    "-e",
    "--env-file",
    callback=_load_env_file,
    help="Load environment variables from this file, taking precedence over those"
    " set by '.env' and '.flaskenv'. Variables set directly in the environment"
    " take highest precedence. python-dotenv must be installed.",
    type=click.Path(exists=True, dir_okay=False),
    is_eager=True,
)
_app_option = _hidden_option(
    "-A",
    "--app",
    callback=_remember_app,
    help="The Flask application or factory function to load, in the form"
    " 'module:name'. Module can be a dotted import or file path. Name is not"
    " required if it is 'app', 'application', 'create_app', or 'make_app', and"
    " can be 'name(args)' to pass arguments.",
    metavar="IMPORT",
    is_eager=True,
)
_debug_option = _hidden_option(
    "--debug/--no-debug", callback=_export_debug, help="Set debug mode.", default=None
)


def _complain(text: str) -> None:
    click.secho(f"{text}\n", err=True, fg="red")


class FlaskGroup(AppGroup):
    """The ``flask`` command's group, also usable for a custom script.

    It adds ``--env-file``, ``--app`` and ``--debug``, and finds commands on
    installed plugins (entry point group ``flask.commands``) and on the app's
    ``app.cli``, loading the app on demand; its help works without an app.

    :param add_default_commands: Add ``run``, ``shell``, ``routes``, ``check``.
    :param create_app: Builds the app instead of ``--app``.
    :param add_version_option: Add ``--version``.
    :param load_dotenv: Load the nearest ``.env`` and ``.flaskenv`` files.
    :param set_debug_flag: Set ``app.debug`` from ``FLASK_DEBUG`` on load.
    :param extra: For :class:`click.Group`. ``params`` go before ours, and
        ``auto_envvar_prefix`` defaults to ``FLASK`` (``FLASK_APP``, ...).
    """

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: t.Callable[..., Flask] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **extra: t.Any,
    ) -> None:
        ours = [_env_file_option, _app_option, _debug_option]

        if add_version_option:
            ours.append(version_option)

        extra["params"] = [*(extra.pop("params", None) or ()), *ours]
        settings = extra.pop("context_settings", None) or {}
        extra["context_settings"] = {"auto_envvar_prefix": "FLASK", **settings}
        super().__init__(**extra)

        #: Passed to the :class:`ScriptInfo` of each invocation.
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        self._plugins_added = False

        if add_default_commands:
            for command in (run_command, shell_command, routes_command, check_command):
                self.add_command(command)

    def _add_plugins(self) -> None:
        if self._plugins_added:
            return

        from importlib.metadata import entry_points

        for entry in entry_points(group="flask.commands"):
            self.add_command(entry.load(), entry.name)

        self._plugins_added = True

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """Find a built-in or plugin command, else one of ``app.cli``'s.

        The app's context stays pushed until the click context ends, so
        option callbacks can use it; if no app is found, why is printed.
        """
        self._add_plugins()
        command = super().get_command(ctx, name)

        if command is not None:
            return command

        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except NoAppException as e:
            _complain(f"Error: {e.format_message()}")
            return None

        active = _cv_app.get(None)

        if active is None or active.app is not app:
            ctx.with_resource(app.app_context())

        return app.cli.get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The built-in, plugin and app command names, sorted. If the app
        fails to load, why is printed (with the traceback if unexpected).
        """
        self._add_plugins()
        names = set(super().list_commands(ctx))

        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except NoAppException as e:
            _complain(f"Error: {e.format_message()}")
        except Exception:
            _complain(traceback.format_exc())
        else:
            names.update(app.cli.list_commands(ctx))

        return sorted(names)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: t.Any,
    ) -> click.Context:
        """Make the context, its ``obj`` a new :class:`ScriptInfo` unless
        given. Sets ``FLASK_RUN_FROM_CLI`` so that an unguarded ``app.run()``
        in the app's module does not start a server when imported.
        """
        os.environ["FLASK_RUN_FROM_CLI"] = "true"

        # An obj given here or in context_settings is used as it is.
        if "obj" not in {**self.context_settings, **extra}:
            extra["obj"] = ScriptInfo(
                None, self.create_app, self.set_debug_flag, self.load_dotenv
            )

        return super().make_context(info_name, args, parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """When the arguments only ask for the help, read ``--env-file`` and
        ``--app`` from the environment first, so it lists the app's commands.
        """
        only_help = (not args and self.no_args_is_help) or (
            len(args) == 1 and args[0] in self.get_help_option_names(ctx)
        )

        if only_help:
            for option in (_env_file_option, _app_option):
                option.handle_parse_result(ctx, {}, [])

        try:
            return super().parse_args(ctx, args)
        except Exception:
            # click drops the context unclosed when parsing fails (the help
            # for no arguments is such a failure): release what listing the
            # app's commands pushed, such as its application context.
            ctx.close()
            raise


def load_dotenv(
    path: str | os.PathLike[str] | None = None, load_defaults: bool = True
) -> bool:
    """Copy variables from dotenv files into :data:`os.environ`.

    The defaults are the ``.flaskenv`` and ``.env`` nearest to the working
    directory, searching its parents. ``.env`` wins over ``.flaskenv`` and
    ``path`` over both; variables already set are kept. Without
    python-dotenv, a hint is printed if there are such files.

    :param path: One more file to load, skipped if it does not exist.
    :param load_defaults: Whether to look for the default files.
    :return: Whether any file had variables in it.
    """
    dotenv = _dotenv()

    if dotenv is None:
        if path or any(map(os.path.isfile, (".env", ".flaskenv"))):
            tip = "There are .env files present. Install python-dotenv to use them."
            click.secho(f" * Tip: {tip}", fg="yellow", err=True)

        return False

    sources: list[str] = []

    if load_defaults:
        sources = [dotenv.find_dotenv(n, usecwd=True) for n in (".flaskenv", ".env")]

    if path is not None and os.path.isfile(path):
        sources.append(os.fspath(path))

    merged: dict[str, str | None] = {}

    for source in filter(None, sources):
        merged.update(dotenv.dotenv_values(source, encoding="utf-8"))

    for key, value in merged.items():
        if value is not None:
            os.environ.setdefault(key, value)

    return bool(merged)


def show_server_banner(debug: bool, app_import_path: str | None) -> None:
    """Print what the development server serves and in which mode, once:
    the reloader's child process prints nothing.

    :param debug: Debug mode; ``None`` leaves that line out.
    :param app_import_path: The app's import path; ``None`` leaves it out.
    """
    lines = (
        (app_import_path, f"Serving Flask app '{app_import_path}'"),
        (debug, f"Debug mode: {'on' if debug else 'off'}"),
    )

    if not is_running_from_reloader():
        for value, line in lines:
            if value is not None:
                click.echo(f" * {line}")


class _ReportLoadError:
    """The app of a reloader child whose app failed to load: each request
    raises the error, for the debugger to show while awaiting a fix.
    """

    def __init__(self, error: Exception) -> None:
        self.error = error
        # Raised from its own traceback, which then grows by no frame a request.
        self.traceback = error.__traceback__

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Any:
        raise self.error.with_traceback(self.traceback)


def _server() -> t.Callable[..., None]:
    # Flask 3.1 tests replace flask.cli.run_simple; ours replace werkzeug's.
    # Either replacement is honoured, looked up when the server starts.
    if run_simple is not _WERKZEUG_RUN_SIMPLE:
        return run_simple

    return werkzeug.serving.run_simple


_PATHSEP = repr(os.path.pathsep)


@click.command(
    "run",
    short_help="Run a development server.",
    params=[_debug_option],
    help="Run a local development server.\n\nThis server is for development"
    " purposes only. It does not provide the stability, security, or"
    " performance of production WSGI servers.\n\nThe reloader and debugger are"
    " enabled by default with the '--debug' option.",
)
@click.option("--host", "-h", default="127.0.0.1", help="The interface to bind to.")
@click.option("--port", "-p", default=5000, help="The port to bind to.")
@click.option(
    "--cert",
    type=CertParamType(),
    is_eager=True,
    help="Specify a certificate file to use HTTPS.",
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, resolve_path=True),
    callback=_validate_key,
    expose_value=False,
    help="The key file to use when specifying a certificate.",
)
@click.option(
    "--reload/--no-reload",
    default=None,
    help="Enable or disable the reloader. By default the reloader is active if"
    " debug is enabled.",
)
@click.option(
    "--debugger/--no-debugger",
    default=None,
    help="Enable or disable the debugger. By default the debugger is active if"
    " debug is enabled.",
)
@click.option(
    "--with-threads/--without-threads",
    default=True,
    help="Enable or disable multithreading.",
)
@click.option(
    "--extra-files",
    type=SeparatedPathType(),
    default=None,
    help="Extra files that trigger a reload on change. Multiple paths are"
    f" separated by {_PATHSEP}.",
)
@click.option(
    "--exclude-patterns",
    type=SeparatedPathType(),
    default=None,
    help="Files matching these fnmatch patterns will not trigger a reload on"
    f" change. Multiple patterns are separated by {_PATHSEP}.",
)
@click.option(
    "--asgi",
    is_flag=True,
    default=False,
    help="Serve the app's ASGI entry (app.asgi) with uvicorn instead.",
)
@pass_script_info
def run_command(
    info: ScriptInfo,
    host: str,
    port: int,
    reload: bool | None,
    debugger: bool | None,
    with_threads: bool,
    cert: ssl.SSLContext | tuple[str, str | None] | t.Literal["adhoc"] | None,
    extra_files: list[str] | None,
    exclude_patterns: list[str] | None,
    asgi: bool = False,
) -> None:
    """Start Werkzeug's development server; a load error stops it, except
    in the reloader's child (see :class:`_ReportLoadError`).
    """
    if asgi:
        debug = get_debug_flag()
        show_server_banner(debug, info.app_import_path)
        serve_asgi(info, host, port, debug if reload is None else reload, cert)
        return

    application: t.Any

    try:
        application = info.load_app()
    except Exception as e:
        if not is_running_from_reloader():
            raise

        traceback.print_exc()
        application = _ReportLoadError(e)

    debug = get_debug_flag()
    show_server_banner(debug, info.app_import_path)
    _server()(
        host,
        port,
        application,
        use_reloader=debug if reload is None else reload,
        use_debugger=debug if debugger is None else debugger,
        threaded=with_threads,
        ssl_context=cert,
        extra_files=extra_files,
        exclude_patterns=exclude_patterns,
    )


def _shell_namespace(app: Flask) -> dict[str, t.Any]:
    namespace: dict[str, t.Any] = {}
    # Like the plain interpreter, run the user's startup file first; the
    # app's shell context then wins over what it defines.
    startup = os.environ.get("PYTHONSTARTUP")

    if startup and os.path.isfile(startup):
        with open(startup) as f:
            exec(compile(f.read(), startup, "exec"), namespace)

    namespace.update(app.make_shell_context())
    return namespace


def _run_interactive_hook(namespace: dict[str, t.Any]) -> None:
    # site installs this hook (readline history and completion) for the
    # real interactive prompt; code.interact does not call it.
    hook = getattr(sys, "__interactivehook__", None)

    if hook is None:
        return

    # Complete names from the shell's namespace; the default completer
    # looks in __main__, which is flask's, not the shell's.
    with contextlib.suppress(ImportError):
        import readline
        import rlcompleter

        readline.set_completer(rlcompleter.Completer(namespace).complete)

    hook()


@click.command(
    "shell",
    short_help="Run a shell in the app context.",
    help="Run an interactive Python shell in the context of a given Flask"
    " application.  The application will populate the default namespace of"
    " this shell according to its configuration.\n\nThis is useful for"
    " executing small snippets of management code without having to manually"
    " configure the application.",
)
@with_appcontext
def shell_command() -> None:
    """Open :mod:`code`'s console on the app's shell context."""
    import code

    app = _cv_app.get().app
    namespace = _shell_namespace(app)
    _run_interactive_hook(namespace)
    code.interact(
        banner=f"Python {sys.version} on {sys.platform}\nApp: {app.import_name}"
        f"\nInstance: {app.instance_path}",
        local=namespace,
    )


def _route_table(
    rules: list[Rule], by_host: bool, hidden: frozenset[str]
) -> tuple[list[str], list[tuple[str, ...]]]:
    """Column keys and a row per rule; a domain column only if one is set."""
    rows: list[tuple[str, ...]] = [
        (
            rule.endpoint,
            ", ".join(sorted(set(rule.methods or ()) - hidden)),
            (rule.host if by_host else rule.subdomain) or "",
            rule.rule,
        )
        for rule in rules
    ]
    keys = ["endpoint", "methods", "domain", "rule"]

    if not any(row[2] for row in rows):
        del keys[2]
        rows = [(row[0], row[1], row[3]) for row in rows]

    return keys, rows


@click.command(
    "routes",
    short_help="Show the routes for the app.",
    help="Show all registered routes with endpoints and methods.",
)
@click.option(
    "--sort",
    "-s",
    type=click.Choice(("endpoint", "methods", "domain", "rule", "match")),
    default="endpoint",
    help="Method to sort routes by. 'match' is the order that Flask will match"
    " routes when dispatching a request.",
)
@click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS methods.")
@with_appcontext
def routes_command(sort: str, all_methods: bool) -> None:
    """Print the URL map as a table, or say that it is empty."""
    url_map = _cv_app.get().app.url_map
    rules = list(url_map.iter_rules())

    if not rules:
        click.echo("No routes were registered.")
        return

    hidden = frozenset() if all_methods else frozenset(("HEAD", "OPTIONS"))
    keys, rows = _route_table(rules, url_map.host_matching, hidden)

    # "match" is the map's own order; so is "domain" without its column.
    if sort in keys:
        rows.sort(key=itemgetter(keys.index(sort)))

    titles = {"domain": "Host" if url_map.host_matching else "Subdomain"}
    header = tuple(titles.get(key, key.capitalize()) for key in keys)
    widths = [max(map(len, column)) for column in zip(header, *rows, strict=True)]
    rule_line = tuple("-" * width for width in widths)

    for cells in (header, rule_line, *rows):
        click.echo("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))


def main() -> None:
    """Entry point of the ``flask`` console script and ``python -m flask``."""
    cli.main()


cli = FlaskGroup(
    name="flask",
    help="A general utility script for Flask applications.\n\nAn application to"
    " load must be given with the '--app' option, 'FLASK_APP' environment"
    " variable, or with a 'wsgi.py' or 'app.py' file in the current directory.",
)
