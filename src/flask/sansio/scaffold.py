"""``Scaffold``: the registries and decorators apps and blueprints share."""

from __future__ import annotations

import importlib.util
import os
import sys
import typing as t
import weakref
from functools import wraps
from inspect import iscoroutinefunction
from pathlib import PurePath

from jinja2 import BaseLoader
from jinja2 import FileSystemLoader
from werkzeug.exceptions import default_exceptions
from werkzeug.exceptions import HTTPException
from werkzeug.utils import cached_property

from .. import typing as ft
from ..ctx import _sentinel as _sentinel  # noqa: F401
from ..helpers import get_root_path
from ..templating import _default_template_ctx_processor
from ._registry import Generation
from ._registry import handler_registry
from ._registry import hook_registry
from ._registry import RegistryAttribute
from ._registry import scope_list

if t.TYPE_CHECKING:  # pragma: no cover
    from click import Group

# Decorator type variables: each registration decorator returns the
# function it was given, typed as it was given.
F = t.TypeVar("F", bound=t.Callable[..., t.Any])
T_route = t.TypeVar("T_route", bound=ft.RouteCallable)

# request hooks
T_before_request = t.TypeVar("T_before_request", bound=ft.BeforeRequestCallable)
T_after_request = t.TypeVar("T_after_request", bound=ft.AfterRequestCallable[t.Any])
T_teardown = t.TypeVar("T_teardown", bound=ft.TeardownCallable)
T_error_handler = t.TypeVar("T_error_handler", bound=ft.ErrorHandlerCallable)

# URL processing
T_url_value_preprocessor = t.TypeVar(
    "T_url_value_preprocessor", bound=ft.URLValuePreprocessorCallable
)
T_url_defaults = t.TypeVar("T_url_defaults", bound=ft.URLDefaultCallable)

# templates and the shell
T_template_context_processor = t.TypeVar(
    "T_template_context_processor", bound=ft.TemplateContextProcessorCallable
)
T_template_filter = t.TypeVar("T_template_filter", bound=ft.TemplateFilterCallable)
T_template_test = t.TypeVar("T_template_test", bound=ft.TemplateTestCallable)
T_template_global = t.TypeVar("T_template_global", bound=ft.TemplateGlobalCallable)
T_shell_context_processor = t.TypeVar(
    "T_shell_context_processor", bound=ft.ShellContextProcessorCallable
)


#: The handlers registered with ``websocket()``; over WSGI their routes
#: answer 400. (Other werkzeug websocket rules keep Flask 3.1's behaviour.)
_websocket_handlers: weakref.WeakSet[t.Callable[..., t.Any]] = weakref.WeakSet()


def _registrar(register: t.Callable[[t.Any], object]) -> t.Callable[[F], F]:
    """A decorator that passes the function to ``register`` and returns
    it unchanged.
    """

    def decorator(f: F) -> F:
        register(f)
        return f

    return decorator


def setupmethod(f: F) -> F:
    """Guard a registration method: once the object is in use (the app has
    served a request, the blueprint has been registered), calling it fails
    rather than leaving the change half applied.
    """
    method_name = f.__name__

    @wraps(f)
    def guarded(self: Scaffold, *args: t.Any, **kwargs: t.Any) -> t.Any:
        self._check_setup_finished(method_name)
        return f(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]


class Scaffold:
    """What :class:`~flask.Flask` and :class:`~flask.Blueprint` have in
    common: the view, hook and handler registries with their decorators,
    and the package's static and template folders.

    A registry maps a scope to what is registered for it: ``None`` is the
    object's own scope; an app also holds each registered blueprint's
    entries under the blueprint's dotted name.

    :param import_name: The module or package this belongs to; it locates
        ``root_path``.
    :param static_folder: The static files' folder, relative to
        ``root_path``.
    :param static_url_path: The URL path static files are served under.
    :param template_folder: The templates' folder, relative to
        ``root_path``.
    :param root_path: The package's folder, for when ``import_name`` cannot
        locate it.
    """

    cli: Group
    name: str
    _static_folder: str | None = None
    _static_url_path: str | None = None

    if t.TYPE_CHECKING:  # pragma: no cover
        error_handler_spec: dict[
            ft.AppOrBlueprintKey,
            dict[int | None, dict[type[Exception], ft.ErrorHandlerCallable]],
        ]
        before_request_funcs: dict[ft.AppOrBlueprintKey, list[ft.BeforeRequestCallable]]
        after_request_funcs: dict[
            ft.AppOrBlueprintKey, list[ft.AfterRequestCallable[t.Any]]
        ]
        teardown_request_funcs: dict[ft.AppOrBlueprintKey, list[ft.TeardownCallable]]
        template_context_processors: dict[
            ft.AppOrBlueprintKey, list[ft.TemplateContextProcessorCallable]
        ]
        url_value_preprocessors: dict[
            ft.AppOrBlueprintKey, list[ft.URLValuePreprocessorCallable]
        ]
        url_default_functions: dict[ft.AppOrBlueprintKey, list[ft.URLDefaultCallable]]
    else:
        #: scope -> status code or ``None`` -> exception class -> handler
        error_handler_spec = RegistryAttribute()
        #: scope -> functions run before the view
        before_request_funcs = RegistryAttribute()
        #: scope -> functions given the response; the latest runs first
        after_request_funcs = RegistryAttribute()
        #: scope -> functions run when the request context is popped
        teardown_request_funcs = RegistryAttribute()
        #: scope -> functions returning extra template context
        template_context_processors = RegistryAttribute()
        #: scope -> functions that may change the matched view arguments
        url_value_preprocessors = RegistryAttribute()
        #: scope -> functions that may add values to a URL being built
        url_default_functions = RegistryAttribute()

    def __init__(
        self,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        root_path: str | None = None,
    ):
        #: The module or package name given to the constructor.
        self.import_name = import_name
        self.static_folder = static_folder
        self.static_url_path = static_url_path
        #: The template folder, relative to :attr:`root_path`.
        self.template_folder = template_folder
        #: The package's folder; resources are found relative to it.
        self.root_path = get_root_path(import_name) if root_path is None else root_path
        #: endpoint -> view function
        self.view_functions: dict[str, ft.RouteCallable] = {}

        # Every registry below reports its changes here (see _registry).
        self._generation = generation = Generation()
        self.error_handler_spec = handler_registry(generation)
        self.before_request_funcs = hook_registry(generation)
        self.after_request_funcs = hook_registry(generation)
        self.teardown_request_funcs = hook_registry(generation)
        self.template_context_processors = hook_registry(generation)
        self.url_value_preprocessors = hook_registry(generation)
        self.url_default_functions = hook_registry(generation)
        # COMPAT(3.1): blueprints start with the default processor too, so
        # it is merged into the app under each blueprint's name.
        self.template_context_processors[None].append(_default_template_ctx_processor)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def _check_setup_finished(self, f_name: str) -> None:
        raise NotImplementedError

    # -- package folders ------------------------------------------------

    @property
    def static_folder(self) -> str | None:
        """The absolute path of the static folder, or ``None``."""
        folder = self._static_folder
        return None if folder is None else os.path.join(self.root_path, folder)

    @static_folder.setter
    def static_folder(self, value: str | os.PathLike[str] | None) -> None:
        self._static_folder = None if value is None else os.fspath(value).rstrip("\\/")

    @property
    def has_static_folder(self) -> bool:
        """Whether there is a static folder."""
        return self.static_folder is not None

    @property
    def static_url_path(self) -> str | None:
        """The URL path static files are served under: as set, else ``/``
        and the static folder's name.
        """
        if self._static_url_path is not None:
            return self._static_url_path

        folder = self.static_folder
        return None if folder is None else ("/" + os.path.basename(folder)).rstrip("/")

    @static_url_path.setter
    def static_url_path(self, value: str | None) -> None:
        self._static_url_path = None if value is None else value.rstrip("/")

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:
        """A loader for :attr:`template_folder`; ``None`` without one."""
        if self.template_folder is None:
            return None

        return FileSystemLoader(os.path.join(self.root_path, self.template_folder))

    # -- routes ---------------------------------------------------------

    def _method_route(
        self, method: str, rule: str, options: dict[str, t.Any]
    ) -> t.Callable[[T_route], T_route]:
        if "methods" in options:
            raise TypeError("Use the 'route' decorator to use the 'methods' argument.")

        options["methods"] = [method]
        return self.route(rule, **options)

    @setupmethod
    def get(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for :meth:`route` with ``methods=["GET"]``."""
        return self._method_route("GET", rule, options)

    @setupmethod
    def post(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for :meth:`route` with ``methods=["POST"]``."""
        return self._method_route("POST", rule, options)

    @setupmethod
    def put(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for :meth:`route` with ``methods=["PUT"]``."""
        return self._method_route("PUT", rule, options)

    @setupmethod
    def delete(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for :meth:`route` with ``methods=["DELETE"]``."""
        return self._method_route("DELETE", rule, options)

    @setupmethod
    def patch(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for :meth:`route` with ``methods=["PATCH"]``."""
        return self._method_route("PATCH", rule, options)

    @setupmethod
    def route(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Decorate a view function to serve the URL ``rule``; the
        options are those of :meth:`add_url_rule`, the endpoint defaulting
        to the function's name.
        """
        # The endpoint is taken out of the options when the decorator is
        # applied; the rest go to the rule.
        return _registrar(
            lambda f: self.add_url_rule(
                rule, options.pop("endpoint", None), f, **options
            )
        )

    @setupmethod
    def websocket(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Decorate an ``async def`` handler to serve websocket connections
        to ``rule`` under an ASGI server (:attr:`flask.Flask.asgi`); it
        talks to the client through :data:`flask.websocket`. Served over
        WSGI, the route answers 400.

        :param rule: The URL rule.
        :param options: As for :meth:`route`, but ``methods``.
        :raises TypeError: for a handler that is not a coroutine function.
        """

        def register(f: T_route) -> T_route:
            # Asked apart from the test, which would narrow f's type.
            is_async = iscoroutinefunction(f)

            if not is_async:
                raise TypeError(
                    f"The websocket handler {f.__name__!r} must be an"
                    " 'async def' function."
                )

            endpoint = options.pop("endpoint", None)
            _websocket_handlers.add(f)
            self.add_url_rule(
                rule,
                endpoint,
                f,
                websocket=True,
                provide_automatic_options=False,
                **options,
            )
            return f

        return register

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Add a URL rule, with the view that serves its endpoint.

        :param rule: The rule string, with ``<converter:name>`` parts.
        :param endpoint: The endpoint's name; the view's ``__name__`` by
            default.
        :param view_func: The view; it can also be given later with
            :meth:`endpoint`.
        :param provide_automatic_options: Whether ``OPTIONS`` is answered
            automatically; by default the ``PROVIDE_AUTOMATIC_OPTIONS``
            config decides.
        :param options: Given to :class:`~werkzeug.routing.Rule`, such as
            ``methods``, ``defaults``, ``subdomain``, ``host``,
            ``strict_slashes`` or ``redirect_to``.
        """
        raise NotImplementedError

    @setupmethod
    def endpoint(self, endpoint: str) -> t.Callable[[F], F]:
        """Decorate the view of ``endpoint``, for a rule added without one."""
        return _registrar(lambda f: self.view_functions.__setitem__(endpoint, f))

    # -- hooks ----------------------------------------------------------

    @setupmethod
    def before_request(self, f: T_before_request) -> T_before_request:
        """Run ``f`` before each request's view, without arguments. A value
        other than ``None`` is taken as the response, and the view is
        skipped.
        """
        scope_list(self.before_request_funcs, None).append(f)
        return f

    @setupmethod
    def after_request(self, f: T_after_request) -> T_after_request:
        """Pass each response to ``f``, which returns it or another one.
        It is skipped when the request ends with an unhandled exception.
        """
        scope_list(self.after_request_funcs, None).append(f)
        return f

    @setupmethod
    def teardown_request(self, f: T_teardown) -> T_teardown:
        """Call ``f`` with the unhandled exception, or ``None``, when the
        request context is popped, whatever happened; its return value is
        ignored.
        """
        scope_list(self.teardown_request_funcs, None).append(f)
        return f

    @setupmethod
    def context_processor(
        self, f: T_template_context_processor
    ) -> T_template_context_processor:
        """Merge the dict ``f`` returns into the context of every template
        rendered.
        """
        self.template_context_processors[None].append(f)
        return f

    @setupmethod
    def url_value_preprocessor(
        self, f: T_url_value_preprocessor
    ) -> T_url_value_preprocessor:
        """Call ``f(endpoint, view_args)`` after matching and before the
        ``before_request`` functions; it may edit ``view_args`` in place.
        """
        self.url_value_preprocessors[None].append(f)
        return f

    @setupmethod
    def url_defaults(self, f: T_url_defaults) -> T_url_defaults:
        """Call ``f(endpoint, values)`` whenever a URL is built; it may add
        to ``values`` in place.
        """
        self.url_default_functions[None].append(f)
        return f

    # -- error handlers -------------------------------------------------

    @setupmethod
    def errorhandler(
        self, code_or_exception: type[Exception] | int
    ) -> t.Callable[[T_error_handler], T_error_handler]:
        """Decorate a handler for an exception class or an HTTP status
        code; it takes the exception and returns a response value.
        """
        return _registrar(lambda f: self.register_error_handler(code_or_exception, f))

    @setupmethod
    def register_error_handler(
        self,
        code_or_exception: type[Exception] | int,
        f: ft.ErrorHandlerCallable,
    ) -> None:
        """Register ``f`` as :meth:`errorhandler` does, without decorating."""
        exc_class, code = self._get_exc_class_and_code(code_or_exception)
        self.error_handler_spec[None][code][exc_class] = f

    @staticmethod
    def _get_exc_class_and_code(
        exc_class_or_code: type[Exception] | int,
    ) -> tuple[type[Exception], int | None]:
        """The exception class a handler key stands for, and its HTTP
        status code (``None`` outside HTTP exceptions).
        """
        key = exc_class_or_code

        if isinstance(key, int):
            if key not in default_exceptions:
                raise ValueError(_UNKNOWN_CODE.format(key=key))

            key = default_exceptions[key]
        elif isinstance(key, Exception):
            raise TypeError(_INSTANCE_NOT_CLASS.format(key=key))
        elif not issubclass(key, Exception):
            raise ValueError(_NOT_AN_EXCEPTION.format(name=key.__name__))

        code = key.code if issubclass(key, HTTPException) else None
        return key, code


_UNKNOWN_CODE = (
    "'{key}' is not a recognized HTTP error code. Use a subclass of"
    " HTTPException with that code instead."
)
_INSTANCE_NOT_CLASS = (
    "{key!r} is an instance, not a class. Handlers can only be"
    " registered for Exception classes or HTTP error codes."
)
_NOT_AN_EXCEPTION = (
    "'{name}' is not a subclass of Exception. Handlers can only be"
    " registered for Exception classes or HTTP error codes."
)


def _endpoint_from_view_func(view_func: ft.RouteCallable | None) -> str:
    """The endpoint a view gets by default: its ``__name__``."""
    assert view_func is not None, "expected view func if endpoint is not provided."
    return view_func.__name__


def _inside(path: PurePath, folder: str) -> bool:
    return path == PurePath(folder) or PurePath(folder) in path.parents


def _package_folder(import_name: str) -> str:
    """The folder that holds the top-level package or module of
    ``import_name``; the working directory when it cannot be found
    (``__main__``, an interactive session).
    """
    top = import_name.split(".", 1)[0]

    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        spec = None

    if spec is None:
        return os.getcwd()

    locations = spec.submodule_search_locations

    if not locations:
        # A single-file module.
        return os.path.dirname(spec.origin)  # type: ignore[type-var,return-value]

    if spec.origin not in (None, "namespace"):
        # A regular package: its folder's parent.
        return os.path.dirname(os.path.dirname(spec.origin))

    # A namespace package may span several folders: use the one holding
    # the requested submodule, if it can be found.
    chosen = locations[0]
    sub = importlib.util.find_spec(import_name)

    if sub is not None and sub.submodule_search_locations:
        common = PurePath(os.path.commonpath(sub.submodule_search_locations))
        chosen = next(loc for loc in locations if _inside(common, loc))

    return os.path.dirname(chosen)


def find_package(import_name: str) -> tuple[str | None, str]:
    """Locate the package ``import_name`` and the prefix it is installed
    under.

    :return: ``(prefix, folder)``: the folder holding the package, and the
        installation prefix (the interpreter's, or the one a ``--user``
        ``site-packages`` belongs to) or ``None`` for a package that is not
        installed (in development).
    """
    folder = _package_folder(import_name)
    interpreter_prefix = os.path.abspath(sys.prefix)

    if _inside(PurePath(folder), interpreter_prefix):
        return interpreter_prefix, folder

    site_parent, site_name = os.path.split(folder)

    if site_name.lower() != "site-packages":
        return None, folder

    # <prefix>/lib/site-packages (Windows) or
    # <prefix>/lib/pythonX.Y/site-packages (elsewhere).
    above, name = os.path.split(site_parent)

    if name.lower() == "lib":
        return above, folder

    if os.path.basename(above).lower() == "lib":
        return os.path.dirname(above), folder

    return site_parent, folder
