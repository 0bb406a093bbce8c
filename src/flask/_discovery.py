"""How the ``flask`` command finds the application it works on.

The user names the app with ``--app`` / ``FLASK_APP`` as ``source[:target]``:
``source`` is a dotted module name or a path to a file or package, and
``target`` an attribute or a factory call with literal arguments. Without a
name, a ``wsgi.py`` or ``app.py`` in the working directory is tried.

The public names are re-exported by :mod:`flask.cli`, which is where users
import them from. ``Flask`` sits above this module in the layer table, so it
is imported inside the functions that check for instances of it.
"""

from __future__ import annotations

import ast
import inspect
import os
import sys
import traceback
import typing as t
from pathlib import Path
from types import ModuleType

import click

from .helpers import get_debug_flag
from .helpers import get_load_dotenv

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask

#: Attributes taken as the app when they hold one, most preferred first.
_APP_ATTRIBUTES = ("app", "application")
#: Functions called without arguments when no instance is found.
_FACTORY_NAMES = ("create_app", "make_app")
#: Modules tried, in order, when no import path was given.
_DEFAULT_MODULES = ("wsgi.py", "app.py")

_NOTHING_FOUND = (
    "Could not locate a Flask application. Use the 'flask --app' option,"
    " 'FLASK_APP' environment variable, or a 'wsgi.py' or 'app.py' file in"
    " the current directory."
)


class NoAppException(click.UsageError):
    """Raised when the application cannot be imported or found.

    Being a :class:`click.UsageError`, click prints it below the usage line
    and exits with status 2.
    """


def _flask_class() -> type[Flask]:
    from .app import Flask

    return Flask


def _signature_mismatch(
    f: t.Callable[..., t.Any], args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
) -> TypeError | None:
    """The error binding these arguments to ``f`` gives, if any.

    Checking before the call keeps a ``TypeError`` raised by the factory's
    own code apart from one caused by the arguments. The signature of ``f``
    itself is used, not that of a function it wraps, since that is what the
    call will meet.
    """
    try:
        inspect.signature(f, follow_wrapped=False).bind(*args, **kwargs)
    except TypeError as e:
        return e

    return None


# --- find_best_app --------------------------------------------------------------


def _instance_by_name(module: ModuleType, kind: type[Flask]) -> Flask | None:
    # getattr rather than the module dict: a module __getattr__ may provide it.
    for attr in _APP_ATTRIBUTES:
        candidate = getattr(module, attr, None)

        if isinstance(candidate, kind):
            return candidate

    return None


def _only_instance(module: ModuleType, kind: type[Flask]) -> Flask | None:
    # The same object bound to two names counts twice, as in Flask 3.1.
    instances = [v for v in vars(module).values() if isinstance(v, kind)]

    if len(instances) > 1:
        name = module.__name__
        raise NoAppException(
            f"Detected multiple Flask applications in module '{name}'."
            f" Use '{name}:name' to specify the correct one."
        )

    return instances[0] if instances else None


def _from_factory(module: ModuleType, kind: type[Flask]) -> Flask | None:
    for attr in _FACTORY_NAMES:
        factory = getattr(module, attr, None)

        # Only plain functions: a class named create_app is not a factory.
        if not inspect.isfunction(factory):
            continue

        mismatch = _signature_mismatch(factory, (), {})

        if mismatch is not None:
            name = module.__name__
            raise NoAppException(
                f"Detected factory '{attr}' in module '{name}', but could not"
                f" call it without arguments. Use '{name}:{attr}(args)' to"
                " specify arguments."
            ) from mismatch

        candidate = factory()

        if isinstance(candidate, kind):
            return candidate

    return None


_SEARCHES = (_instance_by_name, _only_instance, _from_factory)


def find_best_app(module: ModuleType) -> Flask:
    """Choose the application in a module when ``--app`` names none.

    Tried in turn: an ``app`` or ``application`` attribute holding a
    :class:`~flask.Flask`; the single ``Flask`` instance among the module's
    globals; a ``create_app`` or ``make_app`` function, called with no
    arguments.

    :param module: The imported module.
    :raises NoAppException: There is no app, more than one, or the factory
        needs arguments.
    """
    kind = _flask_class()

    for search in _SEARCHES:
        found = search(module, kind)

        if found is not None:
            return found

    name = module.__name__
    raise NoAppException(
        f"Failed to find Flask application or factory in module '{name}'."
        f" Use '{name}:name' to specify one."
    )


# --- find_app_by_string ---------------------------------------------------------


class _Target(t.NamedTuple):
    """The ``name`` or ``name(args)`` part of an import path, parsed."""

    name: str
    args: tuple[t.Any, ...]
    kwargs: dict[str, t.Any]

    @classmethod
    def parse(cls, text: str) -> _Target:
        try:
            node: ast.expr | None = ast.parse(text.strip(), mode="eval").body
        except SyntaxError:
            node = None

        match node:
            case ast.Name(id=name):
                return cls(name, (), {})
            case ast.Call(func=ast.Name(id=name), args=args, keywords=keywords):
                try:
                    values = tuple(ast.literal_eval(a) for a in args)
                    # COMPAT(3.1): a ``**mapping`` argument has no keyword
                    # name and is left out of the call.
                    named = {
                        k.arg: ast.literal_eval(k.value)
                        for k in keywords
                        if k.arg is not None
                    }
                except ValueError:
                    raise NoAppException(
                        f"Failed to parse arguments as literal values: {text!r}."
                    ) from None

                return cls(name, values, named)
            case ast.Call():
                raise NoAppException(
                    f"Function reference must be a simple name: {text!r}."
                )

        raise NoAppException(
            f"Failed to parse {text!r} as an attribute name or function call."
        )


def find_app_by_string(module: ModuleType, app_name: str) -> Flask:
    """Get the application named by the text after the colon in ``--app``.

    The text is a global name or a call of a global function, such as
    ``create_app('testing', debug=True)``. Arguments must be Python
    literals; they are read with :func:`ast.literal_eval`, never executed.
    A name that is not a function is used as it is, and arguments written
    after it are ignored.

    :param module: The imported module.
    :param app_name: The name or call expression.
    :raises NoAppException: The text can't be parsed, the name is missing,
        the arguments don't fit the function, or no app comes out.
    """
    target = _Target.parse(app_name)

    try:
        obj = getattr(module, target.name)
    except AttributeError as e:
        raise NoAppException(
            f"Failed to find attribute {target.name!r} in {module.__name__!r}."
        ) from e

    if inspect.isfunction(obj):
        mismatch = _signature_mismatch(obj, target.args, target.kwargs)

        if mismatch is not None:
            raise NoAppException(
                f"The factory {app_name!r} in module {module.__name__!r}"
                " could not be called with the specified arguments."
            ) from mismatch

        obj = obj(*target.args, **target.kwargs)

    if not isinstance(obj, _flask_class()):
        raise NoAppException(
            "A valid Flask application was not obtained from"
            f" '{module.__name__}:{app_name}'."
        )

    return obj


# --- importing ------------------------------------------------------------------


def prepare_import(path: str) -> str:
    """Make a module name out of a file or package path and make it importable.

    Folders holding an ``__init__.py`` are packages, so the name grows by one
    part for each such parent. The first parent that is not a package goes
    to the front of :data:`sys.path` unless it is there already. A dotted
    name with no ``.py`` suffix is a single path part, which is how
    ``--app pkg.module`` works.

    :param path: A module name, a ``.py`` file or a package folder.
    :return: The dotted name to import.
    """
    here = Path(os.path.realpath(path))

    if here.suffix == ".py":
        here = here.with_suffix("")

    if here.name == "__init__":
        here = here.parent

    parts = [here.name]
    root = here.parent

    while root != root.parent and (root / "__init__.py").exists():
        parts.insert(0, root.name)
        root = root.parent

    if sys.path[:1] != [str(root)]:
        sys.path.insert(0, str(root))

    return ".".join(parts)


def _is_the_module_missing(error: ImportError, module_name: str) -> bool:
    """Whether ``error`` says that ``module_name`` (or a package holding
    it) does not exist, rather than that something it imports failed.
    """
    missing = error.name

    if not isinstance(error, ModuleNotFoundError) or missing is None:
        return False

    return module_name == missing or module_name.startswith(f"{missing}.")


def _import_module(module_name: str) -> ModuleType | None:
    try:
        # __import__ rather than importlib.import_module: no importlib frame
        # shows up in the traceback reported below.
        __import__(module_name)
    except ImportError as e:
        if _is_the_module_missing(e, module_name):
            return None

        details = "".join(traceback.format_exception(e))
        raise NoAppException(
            f"While importing {module_name!r}, an ImportError was raised:\n\n{details}"
        ) from None

    return sys.modules[module_name]


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
    """Import a module and return the application in it.

    :param module_name: A dotted name that can be imported as is.
    :param app_name: The text after the colon in ``--app``; ``None`` lets
        :func:`find_best_app` choose.
    :param raise_if_not_found: If false, return ``None`` when the module
        does not exist. An ``ImportError`` from the module's own imports is
        always reported, with its traceback.
    :raises NoAppException: The module can't be imported or has no app.
    """
    module = _import_module(module_name)

    if module is not None:
        if app_name is None:
            return find_best_app(module)

        return find_app_by_string(module, app_name)

    if raise_if_not_found:
        raise NoAppException(f"Could not import {module_name!r}.")

    return None


def _split_import_path(value: str) -> tuple[str, str | None]:
    """Cut ``source:target`` at the first colon that does not start a path
    separator, so a Windows drive (``C:\\proj\\app.py``) stays whole.
    """
    colon = value.find(":")

    while colon != -1:
        if value[colon + 1 : colon + 2] not in ("/", "\\"):
            return value[:colon], value[colon + 1 :]

        colon = value.find(":", colon + 1)

    return value, None


class ScriptInfo:
    """The CLI's state for one invocation: how to get the application.

    :class:`~flask.cli.FlaskGroup` makes one and hands it to commands as
    the click context's ``obj``; ``pass_script_info`` passes it to a
    command callback. :meth:`load_app` is what commands call.

    :param app_import_path: The ``--app`` value.
    :param create_app: Builds the app; used instead of the import path.
    :param set_debug_flag: After loading, set ``app.debug`` from
        ``FLASK_DEBUG``.
    :param load_dotenv_defaults: Load ``.env`` and ``.flaskenv`` along with
        an ``--env-file``. ``FLASK_SKIP_DOTENV`` overrides it.
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: t.Callable[..., Flask] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        #: Where to import the app from, as the user wrote it.
        self.app_import_path = app_import_path
        #: A callable returning the app; it wins over the import path.
        self.create_app = create_app
        #: Room for commands and extensions to share values.
        self.data: dict[t.Any, t.Any] = {}
        #: Whether :meth:`load_app` applies ``FLASK_DEBUG`` to the app.
        self.set_debug_flag = set_debug_flag
        #: Whether the default dotenv files are loaded.
        self.load_dotenv_defaults = get_load_dotenv(load_dotenv_defaults)
        self._app: Flask | None = None

    def _find(self) -> Flask | None:
        if self.create_app is not None:
            return self.create_app()

        if self.app_import_path:
            source, target = _split_import_path(self.app_import_path)
            return locate_app(prepare_import(source), target)

        for filename in _DEFAULT_MODULES:
            found = locate_app(prepare_import(filename), None, False)

            if found is not None:
                return found

        return None

    def load_app(self) -> Flask:
        """Return the application, finding it on the first call.

        :attr:`create_app` is used if set, then ``app_import_path``,
        then a ``wsgi.py`` or ``app.py`` module in the working directory.

        :raises NoAppException: Nothing produced an application.
        """
        if self._app is not None:
            return self._app

        app = self._find()

        if app is None:
            raise NoAppException(_NOTHING_FOUND)

        if self.set_debug_flag:
            # A module-level app was built before --debug set the variable.
            app.debug = get_debug_flag()

        self._app = app
        return app


# Their public home is flask.cli: tracebacks, pickles, docs and API listings
# name them there.
for _public in (
    NoAppException,
    ScriptInfo,
    find_best_app,
    find_app_by_string,
    prepare_import,
    locate_app,
):
    _public.__module__ = "flask.cli"

del _public
