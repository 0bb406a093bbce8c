"""The ``flask`` command line.

Three parts live here: finding the user's application from an import string
(:class:`ScriptInfo` and the ``locate_app`` family), the click groups that
carry commands in an application context (:class:`AppGroup`,
:class:`FlaskGroup`), and the built-in ``run``, ``shell`` and ``routes``
commands.

``Flask`` is imported inside the functions that need it: this module sits
below ``app`` in the layer table, and ``app`` imports it for ``app.cli``.
"""

from __future__ import annotations

import ast
import inspect
import os
import platform
import re
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
from werkzeug.utils import import_string

from .globals import _cv_app

# werkzeug's own, to tell whether a test replaced this module's copy.
_werkzeug_run_simple = run_simple
from .helpers import get_debug_flag
from .helpers import get_load_dotenv

if t.TYPE_CHECKING:  # pragma: no cover
    import ssl

    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import Rule

    from .app import Flask

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: Module-level names that :func:`find_best_app` accepts as the app.
_APP_NAMES = ("app", "application")
#: Module-level names that :func:`find_best_app` calls as factories.
_FACTORY_NAMES = ("create_app", "make_app")


class NoAppException(click.UsageError):
    """The application could not be found or loaded.

    It is a :class:`click.UsageError`, so the command line shows its message
    under the usage line and exits with status 2.
    """


# --- finding the application ------------------------------------------------


def find_best_app(module: ModuleType) -> Flask:
    """Pick the Flask application out of an imported module.

    The rules, in order: an attribute named ``app`` or ``application`` that
    is a :class:`~flask.Flask`; the only ``Flask`` instance among the
    module's globals; a function named ``create_app`` or ``make_app`` that
    returns an app when called without arguments.

    :param module: The imported module to search.
    :raises NoAppException: Nothing matched, several instances were found, or
        a factory needs arguments.
    """
    from .app import Flask

    for attr_name in _APP_NAMES:
        app = getattr(module, attr_name, None)

        if isinstance(app, Flask):
            return app

    found = [v for v in module.__dict__.values() if isinstance(v, Flask)]

    if len(found) == 1:
        return found[0]

    if len(found) > 1:
        raise NoAppException(
            "Detected multiple Flask applications in module"
            f" '{module.__name__}'. Use '{module.__name__}:name'"
            " to specify the correct one."
        )

    for attr_name in _FACTORY_NAMES:
        factory = getattr(module, attr_name, None)

        if not inspect.isfunction(factory):
            continue

        try:
            app = factory()
        except TypeError as e:
            if not _called_with_wrong_args(factory):
                raise

            raise NoAppException(
                f"Detected factory '{attr_name}' in module '{module.__name__}',"
                " but could not call it without arguments. Use"
                f" '{module.__name__}:{attr_name}(args)'"
                " to specify arguments."
            ) from e

        if isinstance(app, Flask):
            return app

    raise NoAppException(
        "Failed to find Flask application or factory in module"
        f" '{module.__name__}'. Use '{module.__name__}:name'"
        " to specify one."
    )


def _called_with_wrong_args(f: t.Callable[..., t.Any]) -> bool:
    """Tell apart a ``TypeError`` raised by the call itself (bad arguments)
    from one raised inside ``f``'s body, using the exception being handled.
    """
    tb = sys.exc_info()[2]

    try:
        # If the traceback reaches a frame running f's code, the call got
        # through and the error came from the function's own body.
        while tb is not None:
            if tb.tb_frame.f_code is f.__code__:
                return False

            tb = tb.tb_next

        return True
    finally:
        # Frames in the traceback reference this frame; break the cycle.
        del tb


def find_app_by_string(module: ModuleType, app_name: str) -> Flask:
    """Find the app named by the part of ``--app`` after the colon.

    ``app_name`` is either an attribute name (``app``) or a call of a
    module-level function with literal arguments (``create_app('dev',
    debug=True)``). Arguments are parsed with :mod:`ast` and
    :func:`ast.literal_eval`; nothing is evaluated as code. A name that is
    not a function is used as is, and arguments given to it are ignored.

    :param module: The imported module.
    :param app_name: The attribute name or call expression.
    :raises NoAppException: The string can't be parsed, the attribute is
        missing, the factory rejects the arguments, or the result is not an
        app.
    """
    from .app import Flask

    try:
        expr = ast.parse(app_name.strip(), mode="eval").body
    except SyntaxError:
        raise NoAppException(
            f"Failed to parse {app_name!r} as an attribute name or function call."
        ) from None

    args: list[t.Any] = []
    kwargs: dict[str, t.Any] = {}

    if isinstance(expr, ast.Name):
        name = expr.id
    elif isinstance(expr, ast.Call):
        if not isinstance(expr.func, ast.Name):
            raise NoAppException(
                f"Function reference must be a simple name: {app_name!r}."
            )

        name = expr.func.id

        try:
            args = [ast.literal_eval(arg) for arg in expr.args]
            # ``**mapping`` has no keyword name; COMPAT(3.1): it is dropped.
            kwargs = {
                kw.arg: ast.literal_eval(kw.value)
                for kw in expr.keywords
                if kw.arg is not None
            }
        except ValueError:
            raise NoAppException(
                f"Failed to parse arguments as literal values: {app_name!r}."
            ) from None
    else:
        raise NoAppException(
            f"Failed to parse {app_name!r} as an attribute name or function call."
        )

    try:
        attr = getattr(module, name)
    except AttributeError as e:
        raise NoAppException(
            f"Failed to find attribute {name!r} in {module.__name__!r}."
        ) from e

    if inspect.isfunction(attr):
        try:
            app = attr(*args, **kwargs)
        except TypeError as e:
            if not _called_with_wrong_args(attr):
                raise

            raise NoAppException(
                f"The factory {app_name!r} in module {module.__name__!r} could"
                " not be called with the specified arguments."
            ) from e
    else:
        app = attr

    if isinstance(app, Flask):
        return app

    raise NoAppException(
        "A valid Flask application was not obtained from"
        f" '{module.__name__}:{app_name}'."
    )


def prepare_import(path: str) -> str:
    """Turn a file or package path into an importable module name.

    Walks up from ``path`` while the parent folder is a package (has an
    ``__init__.py``), puts the first folder that is not one at the front of
    :data:`sys.path`, and returns the dotted name below it. A plain module
    name is treated as a path relative to the working directory.

    :param path: A module name, a ``.py`` file, or a package folder.
    :return: The dotted module name to import.
    """
    path = os.path.realpath(path)
    stem, ext = os.path.splitext(path)

    if ext == ".py":
        path = stem

    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)

    parts: list[str] = []

    while True:
        path, name = os.path.split(path)
        parts.append(name)

        if not os.path.exists(os.path.join(path, "__init__.py")):
            break

    if sys.path[0] != path:
        sys.path.insert(0, path)

    return ".".join(reversed(parts))


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: t.Literal[True] = True
) -> Flask: ...


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = ...
) -> Flask | None: ...


def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = True
) -> Flask | None:
    """Import a module and find the app in it.

    :param module_name: The dotted module name, already importable.
    :param app_name: What follows the colon in ``--app``, or ``None`` to let
        :func:`find_best_app` choose.
    :param raise_if_not_found: When the module itself does not exist, raise
        instead of returning ``None``. An ``ImportError`` raised from inside
        the module is always reported, with its traceback.
    :raises NoAppException: The module could not be imported or has no app.
    """
    try:
        __import__(module_name)
    except ImportError as e:
        # A traceback deeper than this frame means the module was found and
        # something it imports is missing: show the user where.
        if e.__traceback__ is not None and e.__traceback__.tb_next is not None:
            raise NoAppException(
                f"While importing {module_name!r}, an ImportError was"
                f" raised:\n\n{traceback.format_exc()}"
            ) from None

        if raise_if_not_found:
            raise NoAppException(f"Could not import {module_name!r}.") from None

        return None

    module = sys.modules[module_name]

    if app_name is None:
        return find_best_app(module)

    return find_app_by_string(module, app_name)


class ScriptInfo:
    """What the CLI knows about the application it should load.

    The Flask command group creates one per invocation and passes it to
    commands as the click context object; :func:`pass_script_info` hands it
    to a command. Most code only calls :meth:`load_app`.

    :param app_import_path: The ``--app`` / ``FLASK_APP`` value.
    :param create_app: A function returning the app; when given, it is used
        instead of the import path.
    :param set_debug_flag: Set ``app.debug`` from ``FLASK_DEBUG`` after
        loading.
    :param load_dotenv_defaults: Whether ``.env`` and ``.flaskenv`` are loaded
        as well as an ``--env-file``. ``FLASK_SKIP_DOTENV`` overrides it.
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: t.Callable[..., Flask] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        #: The import string of the app, as given by the user.
        self.app_import_path = app_import_path
        #: A factory that builds the app, taking precedence over the path.
        self.create_app = create_app
        #: Free-form storage for commands and extensions to share data.
        self.data: dict[t.Any, t.Any] = {}
        self.set_debug_flag = set_debug_flag
        #: Whether the default dotenv files are loaded with ``--env-file``.
        self.load_dotenv_defaults = get_load_dotenv(load_dotenv_defaults)
        self._loaded_app: Flask | None = None

    def load_app(self) -> Flask:
        """Load the application once and return it on every later call.

        Tries, in order: :attr:`create_app`, the import path, then a
        ``wsgi.py`` or ``app.py`` module found from the working directory.

        :raises NoAppException: No application could be found.
        """
        if self._loaded_app is not None:
            return self._loaded_app

        app: Flask | None

        if self.create_app is not None:
            app = self.create_app()
        elif self.app_import_path:
            # Split on the first colon not followed by a path separator, so
            # a Windows drive letter ("C:\\app.py") stays in the path.
            path, *rest = re.split(r":(?![\\/])", self.app_import_path, maxsplit=1)
            app = locate_app(prepare_import(path), rest[0] if rest else None)
        else:
            app = None

            for filename in ("wsgi.py", "app.py"):
                app = locate_app(
                    prepare_import(filename), None, raise_if_not_found=False
                )

                if app is not None:
                    break

        if app is None:
            raise NoAppException(
                "Could not locate a Flask application. Use the"
                " 'flask --app' option, 'FLASK_APP' environment"
                " variable, or a 'wsgi.py' or 'app.py' file in the"
                " current directory."
            )

        if self.set_debug_flag:
            # The factory may have read FLASK_DEBUG already; this covers apps
            # built at import time before ``--debug`` set the variable.
            app.debug = get_debug_flag()

        self._loaded_app = app
        return app


#: A decorator passing the current :class:`ScriptInfo` as the first argument.
pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


def with_appcontext(f: F) -> F:
    """Run a click command callback inside the app's application context.

    The app is loaded through the :class:`ScriptInfo` unless an application
    context is already active. Commands registered on :attr:`Flask.cli` and
    blueprint groups get this automatically.

    :param f: The command callback.
    """

    @click.pass_context
    def decorator(ctx: click.Context, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if _cv_app.get(None) is None:
            app = ctx.ensure_object(ScriptInfo).load_app()
            ctx.with_resource(app.app_context())

        return ctx.invoke(f, *args, **kwargs)

    return update_wrapper(decorator, f)  # type: ignore[return-value]


class AppGroup(click.Group):
    """A click group whose commands run in an application context.

    :meth:`command` wraps callbacks with :func:`with_appcontext` unless
    ``with_appcontext=False`` is passed, and :meth:`group` makes nested
    groups of this class.
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
        """Register a command like :meth:`click.Group.command`, wrapped in
        :func:`with_appcontext`.

        :param with_appcontext: Pass ``False`` to run the callback without
            an application context.
        """
        wrap = kwargs.pop("with_appcontext", True)

        # NOTE: Flask 3.1 silently drops a bare ``@cli.command``; we register
        # it, as click's own groups do.
        if len(args) == 1 and not kwargs and inspect.isroutine(args[0]):
            return self.command()(args[0])

        def decorator(f: t.Callable[..., t.Any]) -> click.Command:
            if wrap:
                f = with_appcontext(f)

            cmd: click.Command = super(AppGroup, self).command(*args, **kwargs)(f)
            return cmd

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
        """Register a nested group like :meth:`click.Group.group`; the group
        class defaults to :class:`AppGroup`.
        """
        # NOTE: Flask 3.1 fails on a bare ``@cli.group``; we accept it.
        if len(args) == 1 and not kwargs and inspect.isroutine(args[0]):
            return self.group()(args[0])

        kwargs.setdefault("cls", AppGroup)
        rv: t.Callable[[t.Callable[..., t.Any]], click.Group] | click.Group
        rv = super().group(*args, **kwargs)
        return rv


# --- the flask command group ------------------------------------------------


def get_version(ctx: click.Context, param: click.Parameter, value: t.Any) -> None:
    """Print the Python, Flask and Werkzeug versions and exit; the callback of
    the ``--version`` option.
    """
    if not value or ctx.resilient_parsing:
        return

    # Imported here and below, not at the top: importlib.metadata takes
    # about a twentieth of ``import flask`` and only these two need it.
    import importlib.metadata

    flask_version = importlib.metadata.version("flask")
    werkzeug_version = importlib.metadata.version("werkzeug")
    click.echo(
        f"Python {platform.python_version()}\n"
        f"Flask {flask_version}\n"
        f"Werkzeug {werkzeug_version}",
        color=ctx.color,
    )
    ctx.exit()


version_option = click.Option(
    ["--version"],
    help="Show the Flask version.",
    expose_value=False,
    callback=get_version,
    is_flag=True,
    is_eager=True,
)


def _set_app(ctx: click.Context, param: click.Option, value: str | None) -> str | None:
    if value is None:
        return None

    ctx.ensure_object(ScriptInfo).app_import_path = value
    return value


# Eager, so the app path is known before a subcommand is looked up.
_app_option = click.Option(
    ["-A", "--app"],
    metavar="IMPORT",
    help=(
        "The Flask application or factory function to load, in the form 'module:name'."
        " Module can be a dotted import or file path. Name is not required if it is"
        " 'app', 'application', 'create_app', or 'make_app', and can be 'name(args)' to"
        " pass arguments."
    ),
    is_eager=True,
    expose_value=False,
    callback=_set_app,
)


def _set_debug(ctx: click.Context, param: click.Option, value: bool) -> bool | None:
    # An absent flag reads as False; leave FLASK_DEBUG alone in that case so
    # the environment decides. Some click versions report no source at all
    # for a default value while the callback runs.
    source = ctx.get_parameter_source(param.name)

    # COMPAT: click 8.4 reports no source while callbacks run, so an absent
    # flag and '--no-debug' both look like False there; only True is
    # known to have been given ('flask run --debug' must still turn it on).
    if source is None and value:
        os.environ["FLASK_DEBUG"] = "1"
        return value

    if source is None or source in (
        ParameterSource.DEFAULT,
        ParameterSource.DEFAULT_MAP,
    ):
        return None

    # Set through the environment rather than the script info, so that an app
    # factory sees it while it runs.
    os.environ["FLASK_DEBUG"] = "1" if value else "0"
    return value


_debug_option = click.Option(
    ["--debug/--no-debug"],
    help="Set debug mode.",
    expose_value=False,
    callback=_set_debug,
)


def _env_file_callback(
    ctx: click.Context, param: click.Option, value: str | None
) -> str | None:
    try:
        import dotenv  # noqa: F401
    except ImportError:
        # Without a file to load, fall through so load_dotenv can print its
        # hint about .env files instead of failing the command.
        if value is not None:
            raise click.BadParameter(
                "python-dotenv must be installed to load an env file.",
                ctx=ctx,
                param=param,
            ) from None

    defaults = ctx.ensure_object(ScriptInfo).load_dotenv_defaults

    # The default files are loaded here too, rather than earlier, so that the
    # given file takes precedence over them. FLASK_SKIP_DOTENV does not
    # affect an explicit file.
    if value is not None or defaults:
        load_dotenv(value, load_defaults=defaults)

    return value


# Eager, so variables from the files are set before --app reads FLASK_APP.
_env_file_option = click.Option(
    ["-e", "--env-file"],
    type=click.Path(exists=True, dir_okay=False),
    help=(
        "Load environment variables from this file, taking precedence over"
        " those set by '.env' and '.flaskenv'. Variables set directly in the"
        " environment take highest precedence. python-dotenv must be installed."
    ),
    is_eager=True,
    expose_value=False,
    callback=_env_file_callback,
)


class FlaskGroup(AppGroup):
    """The group behind the ``flask`` command, for custom scripts too.

    It adds the ``--env-file``, ``--app`` and ``--debug`` options, loads the
    application lazily to look up its commands, and lists the built-in and
    plugin commands even when no app can be found.

    :param add_default_commands: Add the ``run``, ``shell`` and ``routes``
        commands.
    :param create_app: A function returning the app, used instead of
        ``--app``. It is passed to the :class:`ScriptInfo`.
    :param add_version_option: Add the ``--version`` option.
    :param load_dotenv: Load the nearest ``.env`` and ``.flaskenv`` files.
    :param set_debug_flag: Set ``app.debug`` from ``FLASK_DEBUG`` when loading
        the app.
    :param extra: Passed on to :class:`click.Group`. ``params`` are kept in
        front of the Flask options, and ``context_settings`` gets an
        ``auto_envvar_prefix`` of ``FLASK`` (``FLASK_RUN_PORT`` and so on).
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
        params: list[click.Parameter] = list(extra.pop("params", None) or ())
        params.extend((_env_file_option, _app_option, _debug_option))

        if add_version_option:
            params.append(version_option)

        if "context_settings" not in extra:
            extra["context_settings"] = {}

        extra["context_settings"].setdefault("auto_envvar_prefix", "FLASK")

        super().__init__(params=params, **extra)

        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag

        if add_default_commands:
            self.add_command(run_command)
            self.add_command(shell_command)
            self.add_command(routes_command)

        self._loaded_plugin_commands = False

    def _load_plugin_commands(self) -> None:
        if self._loaded_plugin_commands:
            return

        import importlib.metadata

        for ep in importlib.metadata.entry_points(group="flask.commands"):
            self.add_command(ep.load(), ep.name)

        self._loaded_plugin_commands = True

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """Find a built-in or plugin command, or else one from ``app.cli``.

        Loading the app for the lookup pushes its application context for the
        rest of the invocation, so parameter callbacks can use it too. When
        the app can't be found, the reason is printed and ``None`` returned.
        """
        self._load_plugin_commands()

        # Built-in and plugin commands work without an app.
        rv = super().get_command(ctx, name)

        if rv is not None:
            return rv

        info = ctx.ensure_object(ScriptInfo)

        try:
            app = info.load_app()
        except NoAppException as e:
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
            return None

        app_ctx = _cv_app.get(None)

        if app_ctx is None or app_ctx.app is not app:
            ctx.with_resource(app.app_context())

        return app.cli.get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """List built-in, plugin and app commands, sorted.

        Help stays available when the app fails to load: the error is printed
        to stderr (with a traceback unless it is a :class:`NoAppException`).
        """
        self._load_plugin_commands()
        rv = set(super().list_commands(ctx))
        info = ctx.ensure_object(ScriptInfo)

        try:
            rv.update(info.load_app().cli.list_commands(ctx))
        except NoAppException as e:
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
        except Exception:
            click.secho(f"{traceback.format_exc()}\n", err=True, fg="red")

        return sorted(rv)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: t.Any,
    ) -> click.Context:
        """Create the context with a :class:`ScriptInfo` as its object.

        Also sets ``FLASK_RUN_FROM_CLI`` so that an ``app.run()`` call left
        outside a ``__main__`` guard does not start a second server while the
        app is imported.
        """
        os.environ["FLASK_RUN_FROM_CLI"] = "true"

        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )

        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Process ``--env-file`` and ``--app`` from the environment first
        when no arguments are given, so the help shown lists the app's
        commands.
        """
        if not args and self.no_args_is_help:
            _env_file_option.handle_parse_result(ctx, {}, [])
            _app_option.handle_parse_result(ctx, {}, [])

        try:
            return super().parse_args(ctx, args)
        except Exception:
            # The context is dropped without being closed when parsing fails
            # (the no-arguments help is an error too); release what the help
            # text pushed while listing app commands, such as the app context.
            ctx.close()
            raise


def load_dotenv(
    path: str | os.PathLike[str] | None = None, load_defaults: bool = True
) -> bool:
    """Set environment variables from dotenv files with python-dotenv.

    The default files are the ``.flaskenv`` and ``.env`` nearest to the
    working directory, searching up the tree; ``.env`` wins over
    ``.flaskenv``, and a file given by ``path`` wins over both. A variable
    already set in the environment is never replaced. The working directory
    is not changed.

    When python-dotenv is not installed and dotenv files are present, a hint
    to install it is printed.

    :param path: An extra file to load. Ignored if it does not exist.
    :param load_defaults: Also search for and load the default files.
    :return: Whether any variable was read from a file.
    """
    try:
        import dotenv
    except ImportError:
        if path or os.path.isfile(".env") or os.path.isfile(".flaskenv"):
            click.secho(
                " * Tip: There are .env files present. Install python-dotenv"
                " to use them.",
                fg="yellow",
                err=True,
            )

        return False

    values: dict[str, str | None] = {}

    if load_defaults:
        # Later files override earlier ones in the merged mapping.
        for filename in (".flaskenv", ".env"):
            found = dotenv.find_dotenv(filename, usecwd=True)

            if found:
                values.update(dotenv.dotenv_values(found, encoding="utf-8"))

    if path is not None and os.path.isfile(path):
        values.update(dotenv.dotenv_values(path, encoding="utf-8"))

    for key, value in values.items():
        if value is not None and key not in os.environ:
            os.environ[key] = value

    return bool(values)


def show_server_banner(debug: bool, app_import_path: str | None) -> None:
    """Print the lines shown when the development server starts.

    Nothing is printed in the reloader's child process, so the banner shows
    once.

    :param debug: Whether debug mode is on; ``None`` skips that line.
    :param app_import_path: The app import string; ``None`` skips that line.
    """
    if is_running_from_reloader():
        return

    if app_import_path is not None:
        click.echo(f" * Serving Flask app '{app_import_path}'")

    if debug is not None:
        click.echo(f" * Debug mode: {'on' if debug else 'off'}")


# --- run ----------------------------------------------------------------------


class CertParamType(click.ParamType):  # type: ignore[type-arg]
    """The ``--cert`` value: an existing certificate file, ``adhoc`` for a
    generated certificate (needs ``cryptography``), or the import path of an
    :class:`ssl.SSLContext`.
    """

    name = "path"

    def __init__(self) -> None:
        self.path_type = click.Path(exists=True, dir_okay=False, resolve_path=True)

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        """Return a resolved file path, ``"adhoc"`` or an SSL context."""
        try:
            import ssl
        except ImportError:
            raise click.BadParameter(
                'Using "--cert" requires Python to be compiled with SSL support.',
                ctx,
                param,
            ) from None

        try:
            return self.path_type(value, param, ctx)
        except click.BadParameter:
            value = click.STRING(value, param, ctx).lower()

            if value == "adhoc":
                try:
                    import cryptography  # noqa: F401
                except ImportError:
                    raise click.BadParameter(
                        "Using ad-hoc certificates requires the cryptography library.",
                        ctx,
                        param,
                    ) from None

                return value

            obj = import_string(value, silent=True)

            if isinstance(obj, ssl.SSLContext):
                return obj

            # Neither adhoc nor a context: report the missing file.
            raise


def _validate_key(ctx: click.Context, param: click.Parameter, value: t.Any) -> t.Any:
    """Check ``--key`` against ``--cert`` and combine them into the
    ``(cert, key)`` pair that :func:`~werkzeug.serving.run_simple` takes.
    """
    cert = ctx.params.get("cert")
    is_adhoc = cert == "adhoc"

    try:
        import ssl
    except ImportError:
        is_context = False
    else:
        is_context = isinstance(cert, ssl.SSLContext)

    if value is not None:
        if is_adhoc:
            raise click.BadParameter(
                'When "--cert" is "adhoc", "--key" is not used.', ctx, param
            )

        if is_context:
            raise click.BadParameter(
                'When "--cert" is an SSLContext object, "--key" is not used.',
                ctx,
                param,
            )

        if not cert:
            raise click.BadParameter('"--cert" must also be specified.', ctx, param)

        ctx.params["cert"] = cert, value
    elif cert and not (is_adhoc or is_context):
        raise click.BadParameter('Required when using "--cert".', ctx, param)

    return value


class SeparatedPathType(click.Path):
    """A list of paths in one value, separated like ``PATH``
    (:data:`os.pathsep`); each is checked as a :class:`click.Path`.
    """

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        """Split the value and convert each path."""
        items = self.split_envvar_value(value)
        convert_one = super().convert
        return [convert_one(item, param, ctx) for item in items]


@click.command("run", short_help="Run a development server.")
@click.option("--host", "-h", default="127.0.0.1", help="The interface to bind to.")
@click.option("--port", "-p", default=5000, help="The port to bind to.")
@click.option(
    "--cert",
    type=CertParamType(),
    help="Specify a certificate file to use HTTPS.",
    is_eager=True,
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
    help="Enable or disable the reloader. By default the reloader "
    "is active if debug is enabled.",
)
@click.option(
    "--debugger/--no-debugger",
    default=None,
    help="Enable or disable the debugger. By default the debugger "
    "is active if debug is enabled.",
)
@click.option(
    "--with-threads/--without-threads",
    default=True,
    help="Enable or disable multithreading.",
)
@click.option(
    "--extra-files",
    default=None,
    type=SeparatedPathType(),
    help=(
        "Extra files that trigger a reload on change. Multiple paths"
        f" are separated by {os.path.pathsep!r}."
    ),
)
@click.option(
    "--exclude-patterns",
    default=None,
    type=SeparatedPathType(),
    help=(
        "Files matching these fnmatch patterns will not trigger a reload"
        " on change. Multiple patterns are separated by"
        f" {os.path.pathsep!r}."
    ),
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
) -> None:
    """Run a local development server.

    This server is for development purposes only. It does not provide
    the stability, security, or performance of production WSGI servers.

    The reloader and debugger are enabled by default with the '--debug'
    option.
    """
    # Tests replace either this module's run_simple (as in Flask 3.1) or
    # werkzeug's; the latter is looked up now for that reason.
    serve = run_simple

    if serve is _werkzeug_run_simple:
        serve = werkzeug.serving.run_simple

    app: WSGIApplication

    try:
        app = info.load_app()
    except Exception as e:
        if not is_running_from_reloader():
            # In the first process, fail the command at once.
            raise e from None

        # In the reloader's child, keep serving so a fixed file reloads:
        # print the error now and raise it for each request, where the
        # debugger shows it.
        traceback.print_exc()
        err = e

        def app(environ: WSGIEnvironment, start_response: StartResponse) -> t.Any:
            raise err from None

    debug = get_debug_flag()

    if reload is None:
        reload = debug

    if debugger is None:
        debugger = debug

    show_server_banner(debug, info.app_import_path)

    serve(
        host,
        port,
        app,
        use_reloader=reload,
        use_debugger=debugger,
        threaded=with_threads,
        ssl_context=cert,
        extra_files=extra_files,
        exclude_patterns=exclude_patterns,
    )


run_command.params.insert(0, _debug_option)


# --- shell and routes ---------------------------------------------------------


@click.command("shell", short_help="Run a shell in the app context.")
@with_appcontext
def shell_command() -> None:
    """Run an interactive Python shell in the context of a given
    Flask application.  The application will populate the default
    namespace of this shell according to its configuration.

    This is useful for executing small snippets of management code
    without having to manually configure the application.
    """
    import code

    app = _cv_app.get().app
    banner = (
        f"Python {sys.version} on {sys.platform}\n"
        f"App: {app.import_name}\n"
        f"Instance: {app.instance_path}"
    )
    namespace: dict[str, t.Any] = {}

    # Honour the startup script the plain interpreter would run.
    startup = os.environ.get("PYTHONSTARTUP")

    if startup and os.path.isfile(startup):
        with open(startup) as f:
            eval(compile(f.read(), startup, "exec"), namespace)

    namespace.update(app.make_shell_context())

    # site (or a startup script) may install a hook for interactive sessions;
    # the standard one sets up readline history and completion.
    interactive_hook = getattr(sys, "__interactivehook__", None)

    if interactive_hook is not None:
        try:
            import readline
            from rlcompleter import Completer
        except ImportError:
            pass
        else:
            # The completer would otherwise complete names from __main__,
            # which is flask.__main__, not the shell's namespace.
            readline.set_completer(Completer(namespace).complete)

        interactive_hook()

    code.interact(banner=banner, local=namespace)


_ROUTE_SORTS = ("endpoint", "methods", "domain", "rule", "match")


@click.command("routes", short_help="Show the routes for the app.")
@click.option(
    "--sort",
    "-s",
    type=click.Choice(_ROUTE_SORTS),
    default="endpoint",
    help=(
        "Method to sort routes by. 'match' is the order that Flask will match routes"
        " when dispatching a request."
    ),
)
@click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS methods.")
@with_appcontext
def routes_command(sort: str, all_methods: bool) -> None:
    """Show all registered routes with endpoints and methods."""
    url_map = _cv_app.get().app.url_map
    rules = list(url_map.iter_rules())

    if not rules:
        click.echo("No routes were registered.")
        return

    hidden = set() if all_methods else {"HEAD", "OPTIONS"}
    by_host = url_map.host_matching

    def domain(rule: Rule) -> str:
        return (rule.host if by_host else rule.subdomain) or ""

    show_domain = any(domain(rule) for rule in rules)
    headers = ["Endpoint", "Methods"]
    columns = ["endpoint", "methods"]

    if show_domain:
        headers.append("Host" if by_host else "Subdomain")
        columns.append("domain")

    headers.append("Rule")
    columns.append("rule")

    rows = []

    for rule in rules:
        row = [rule.endpoint, ", ".join(sorted((rule.methods or set()) - hidden))]

        if show_domain:
            row.append(domain(rule))

        row.append(rule.rule)
        rows.append(row)

    # "match" keeps the map's order; so does "domain" when no column shows it.
    if sort in columns:
        rows.sort(key=itemgetter(columns.index(sort)))

    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    template = "  ".join(f"{{{i}:<{w}}}" for i, w in enumerate(widths))

    for row in [headers, ["-" * w for w in widths], *rows]:
        click.echo(template.format(*row))


cli = FlaskGroup(
    name="flask",
    help="""\
A general utility script for Flask applications.

An application to load must be given with the '--app' option,
'FLASK_APP' environment variable, or with a 'wsgi.py' or 'app.py' file
in the current directory.
""",
)


def main() -> None:
    """Run the ``flask`` command; the console script's entry point."""
    cli.main()
