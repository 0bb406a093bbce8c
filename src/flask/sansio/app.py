"""``App``: the application core without I/O: config, the URL map, the
Jinja and JSON factories, blueprints, error-handler lookup and URL
building hooks. It never reads the request globals.
"""

from __future__ import annotations

import logging
import os
import sys
import typing as t
from datetime import timedelta

from werkzeug.datastructures import ImmutableDict
from werkzeug.exceptions import Aborter
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import BadRequestKeyError
from werkzeug.routing import BuildError
from werkzeug.routing import Map
from werkzeug.routing import Rule
from werkzeug.sansio.response import Response
from werkzeug.utils import cached_property
from werkzeug.utils import redirect as _wz_redirect

from .. import typing as ft
from ..config import Config
from ..config import ConfigAttribute
from ..ctx import _AppCtxGlobals
from ..helpers import _split_blueprint_path
from ..helpers import get_debug_flag
from ..json.provider import DefaultJSONProvider
from ..json.provider import JSONProvider
from ..logging import create_logger
from ..templating import DispatchingJinjaLoader
from ..templating import Environment
from ._plan import ScopePlan
from .scaffold import _endpoint_from_view_func
from .scaffold import _registrar
from .scaffold import find_package
from .scaffold import Scaffold
from .scaffold import setupmethod
from .scaffold import T_shell_context_processor
from .scaffold import T_teardown
from .scaffold import T_template_filter
from .scaffold import T_template_global
from .scaffold import T_template_test

T_serving = t.TypeVar("T_serving", bound=t.Callable[[], t.Any])

if t.TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Response as BaseResponse

    from ..testing import FlaskClient
    from ..testing import FlaskCliRunner
    from .blueprints import Blueprint

# Distinct scopes whose plans are kept. Requests only ever use the scopes
# of registered blueprints, but url_for resolves the scope of any endpoint
# name it is given.
_PLAN_MEMORY = 256

_LATE_SETUP = (
    "The setup method '{name}' can no longer be called on the application."
    " It has already handled its first request, any changes will not be"
    " applied consistently.\n"
    "Make sure all imports, decorators, functions, etc. needed to set up"
    " the application are done before running it."
)

# Template files autoescaped by default, by extension.
_AUTOESCAPED = (".html", ".htm", ".xml", ".xhtml", ".svg")


def _seconds_to_timedelta(value: timedelta | int | None) -> timedelta | None:
    """Config values given as a number of seconds, as a timedelta."""
    if value is None or isinstance(value, timedelta):
        return value

    return timedelta(seconds=value)


class App(Scaffold):
    """The I/O-free core of :class:`~flask.Flask`, which documents the
    parameters; a base for frameworks with another I/O model.
    """

    #: Makes :attr:`aborter`, the callable behind :func:`~flask.abort`.
    aborter_class = Aborter
    #: Makes :attr:`config`.
    config_class = Config
    #: Makes :attr:`json`.
    json_provider_class: type[JSONProvider] = DefaultJSONProvider
    #: Makes :attr:`jinja_env`.
    jinja_environment = Environment
    #: Options for :attr:`jinja_env`, read once when it is created.
    jinja_options: dict[str, t.Any] = {}
    #: Makes each app context's :data:`~flask.g`.
    app_ctx_globals_class = _AppCtxGlobals
    #: Makes :attr:`url_map`.
    url_map_class = Map
    #: Makes the map's rules.
    url_rule_class = Rule
    #: What :meth:`test_client` makes; ``None`` means ``FlaskClient``.
    test_client_class: type[FlaskClient] | None = None
    #: What :meth:`test_cli_runner` makes; ``None`` means
    #: ``FlaskCliRunner``.
    test_cli_runner_class: type[FlaskCliRunner] | None = None

    #: The ``TESTING`` config key: let exceptions reach the test client.
    testing = ConfigAttribute[bool]("TESTING")
    #: The ``SECRET_KEY`` config key, which signs sessions.
    secret_key = ConfigAttribute["str | bytes | None"]("SECRET_KEY")
    #: The ``PERMANENT_SESSION_LIFETIME`` config key as a timedelta (a
    #: number is taken as seconds).
    permanent_session_lifetime = ConfigAttribute[timedelta](
        "PERMANENT_SESSION_LIFETIME",
        get_converter=_seconds_to_timedelta,  # type: ignore[arg-type]
    )

    #: The configuration every app starts from.
    default_config = ImmutableDict(
        DEBUG=None,
        TESTING=False,
        PROPAGATE_EXCEPTIONS=None,
        SECRET_KEY=None,
        SECRET_KEY_FALLBACKS=None,
        PERMANENT_SESSION_LIFETIME=timedelta(days=31),
        USE_X_SENDFILE=False,
        TRUSTED_HOSTS=None,
        SERVER_NAME=None,
        APPLICATION_ROOT="/",
        SESSION_COOKIE_NAME="session",
        SESSION_COOKIE_DOMAIN=None,
        SESSION_COOKIE_PATH=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=False,
        SESSION_COOKIE_PARTITIONED=False,
        SESSION_COOKIE_SAMESITE=None,
        SESSION_REFRESH_EACH_REQUEST=True,
        MAX_CONTENT_LENGTH=None,
        MAX_FORM_MEMORY_SIZE=500_000,
        MAX_FORM_PARTS=1_000,
        SEND_FILE_MAX_AGE_DEFAULT=None,
        TRAP_BAD_REQUEST_ERRORS=None,
        TRAP_HTTP_EXCEPTIONS=False,
        EXPLAIN_TEMPLATE_LOADING=False,
        PREFERRED_URL_SCHEME="http",
        TEMPLATES_AUTO_RELOAD=None,
        MAX_COOKIE_SIZE=4093,
        PROVIDE_AUTOMATIC_OPTIONS=True,
    )

    response_class: type[Response]

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike[str] | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
    ) -> None:
        super().__init__(
            import_name, static_folder, static_url_path, template_folder, root_path
        )

        if instance_path is not None and not os.path.isabs(instance_path):
            raise ValueError(
                "If an instance path is provided it must be absolute."
                " A relative path was given instead."
            )

        #: The folder for what belongs to this deployment rather than to
        #: the package: config files, databases, uploads.
        self.instance_path = instance_path or self.auto_find_instance_path()
        #: The configuration, a dict.
        self.config = self.make_config(instance_relative_config)
        #: Raises the HTTP exceptions :func:`~flask.abort` asks for.
        self.aborter = self.make_aborter()
        #: The JSON provider (``app.json.dumps``, ``app.json.response``).
        self.json: JSONProvider = self.json_provider_class(self)
        #: The routing map, made of :attr:`url_rule_class` rules.
        self.url_map = self.url_map_class(host_matching=host_matching)
        #: Whether rules match subdomains of ``SERVER_NAME``.
        self.subdomain_matching = subdomain_matching
        #: Registered blueprints by dotted name, in registration order.
        self.blueprints: dict[str, Blueprint] = {}
        #: Extensions' own state, under a key each extension chooses.
        self.extensions: dict[str, t.Any] = {}
        #: Tried in order when building a URL fails; each gets the error,
        #: the endpoint and the values, and may return a URL instead.
        self.url_build_error_handlers: list[
            t.Callable[[Exception, str, dict[str, t.Any]], str]
        ] = []
        #: Run when each app context is popped, latest first.
        self.teardown_appcontext_funcs: list[ft.TeardownCallable] = []
        #: Add names to the ``flask shell`` namespace.
        self.shell_context_processors: list[ft.ShellContextProcessorCallable] = []
        #: Run when an ASGI server starts serving the app, in order; see
        #: :meth:`before_serving`.
        self.before_serving_funcs: list[t.Callable[[], t.Any]] = []
        #: Run when an ASGI server stops serving the app, in order.
        self.after_serving_funcs: list[t.Callable[[], t.Any]] = []
        # Resolved hook chains by scope; see _scope_plan.
        self._plans: dict[tuple[str, ...], ScopePlan] = {}
        # Set once a request has been handled: setup methods refuse then.
        self._got_first_request = False

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_first_request:
            raise AssertionError(_LATE_SETUP.format(name=f_name))

    def _scope_plan(self, scopes: tuple[str, ...]) -> ScopePlan:
        """The plan of a scope (blueprint names, innermost first), reused
        until the registries change.
        """
        plan = self._plans.get(scopes)

        if plan is not None and plan.generation == self._generation.value:
            return plan

        plan = ScopePlan(self, scopes)

        if plan.cacheable:
            if len(self._plans) >= _PLAN_MEMORY:
                self._plans.clear()

            self._plans[scopes] = plan

        return plan

    @cached_property
    def name(self) -> str:
        """The app's name, used for its logger, CLI group and messages:
        the import name, or for ``__main__`` the running script's name.
        """
        if self.import_name != "__main__":
            return self.import_name

        script: str | None = getattr(sys.modules["__main__"], "__file__", None)

        if script is None:
            return "__main__"

        return os.path.splitext(os.path.basename(script))[0]

    @cached_property
    def logger(self) -> logging.Logger:
        """The :class:`logging.Logger` named after :attr:`name`: at DEBUG
        level in debug mode if no level is set, and writing to the WSGI
        error stream when logging is not otherwise configured.
        """
        return create_logger(self)

    @cached_property
    def jinja_env(self) -> Environment:
        """The Jinja environment, made on first use."""
        return self.create_jinja_environment()

    def create_jinja_environment(self) -> Environment:
        """Make :attr:`jinja_env`; subclasses implement it."""
        raise NotImplementedError

    def make_config(self, instance_relative: bool = False) -> Config:
        """Make :attr:`config`: :attr:`default_config`, with ``DEBUG`` taken
        from the ``FLASK_DEBUG`` environment variable.

        :param instance_relative: Resolve relative config file names from
            the instance folder rather than the root path.
        """
        base = self.instance_path if instance_relative else self.root_path
        return self.config_class(
            base, {**self.default_config, "DEBUG": get_debug_flag()}
        )

    def make_aborter(self) -> Aborter:
        """Make :attr:`aborter` from :attr:`aborter_class`."""
        return self.aborter_class()

    def auto_find_instance_path(self) -> str:
        """The instance folder when none is given: ``instance`` next to a
        package in development, ``<prefix>/var/<name>-instance`` for an
        installed one.
        """
        prefix, folder = find_package(self.import_name)

        if prefix is not None:
            return os.path.join(prefix, "var", f"{self.name}-instance")

        return os.path.join(folder, "instance")

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """Make the loader that looks in the app's template folder, then
        the blueprints'. To change where templates come from, override
        :attr:`jinja_loader` instead.
        """
        return DispatchingJinjaLoader(self)

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Whether to autoescape a template: always for templates made from
        strings, and for files named ``.html``, ``.htm``, ``.xml``,
        ``.xhtml`` or ``.svg``.
        """
        return filename is None or filename.endswith(_AUTOESCAPED)

    @property
    def debug(self) -> bool:
        """Debug mode: the ``DEBUG`` config key. Prefer enabling it with
        ``flask run --debug`` or ``FLASK_DEBUG``; set late, it may not
        reach everything that read it already.
        """
        return self.config["DEBUG"]  # type: ignore[no-any-return]

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value

        # Templates follow debug mode unless reloading is configured.
        if self.config["TEMPLATES_AUTO_RELOAD"] is None:
            self.jinja_env.auto_reload = value

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register ``blueprint`` and everything recorded on it.

        :param blueprint: The blueprint.
        :param options: Override its ``url_prefix``, ``subdomain``,
            ``url_defaults``, ``name`` or ``cli_group``.
        """
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView[Blueprint]:
        """The registered blueprints, oldest first."""
        return self.blueprints.values()

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        endpoint = _endpoint_from_view_func(view_func) if endpoint is None else endpoint
        methods, automatic = self._rule_methods(
            view_func, options.pop("methods", None), provide_automatic_options
        )
        rule_obj = self.url_rule_class(
            rule, methods=methods, endpoint=endpoint, **options
        )
        rule_obj.provide_automatic_options = automatic  # type: ignore[attr-defined]
        self.url_map.add(rule_obj)

        if view_func is None:
            return

        current = self.view_functions.get(endpoint)

        if current is not None and current != view_func:
            raise AssertionError(
                "View function mapping is overwriting an existing endpoint"
                f" function: {endpoint}"
            )

        self.view_functions[endpoint] = view_func

    def _rule_methods(
        self,
        view_func: t.Any,
        methods: t.Iterable[str] | None,
        automatic: bool | None,
    ) -> tuple[set[str], bool]:
        """The methods of a new rule, and whether it answers ``OPTIONS``
        itself. A view (class) may declare ``methods``,
        ``required_methods`` and ``provide_automatic_options``.
        """
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        elif isinstance(methods, str):
            raise TypeError(
                "Allowed methods must be a list of strings, for example:"
                ' @app.route(..., methods=["POST"])'
            )

        declared = {m.upper() for m in methods}
        wanted = declared | set(getattr(view_func, "required_methods", ()))

        if automatic is None:
            automatic = getattr(view_func, "provide_automatic_options", None)

        if automatic is None:
            # Only when the declared methods leave OPTIONS out.
            automatic = "OPTIONS" not in declared and bool(
                self.config["PROVIDE_AUTOMATIC_OPTIONS"]
            )

            if automatic:
                wanted.add("OPTIONS")

        return wanted, automatic

    def _add_jinja(
        self, table: str, f: t.Callable[..., t.Any], name: str | None
    ) -> None:
        getattr(self.jinja_env, table)[name or f.__name__] = f

    @setupmethod
    def template_filter(
        self, name: str | None = None
    ) -> t.Callable[[T_template_filter], T_template_filter]:
        """Decorate a Jinja filter, named ``name`` or after the function."""
        return _registrar(lambda f: self.add_template_filter(f, name=name))

    @setupmethod
    def add_template_filter(
        self, f: ft.TemplateFilterCallable, name: str | None = None
    ) -> None:
        """Add a Jinja filter, as :meth:`template_filter` does."""
        self._add_jinja("filters", f, name)

    @setupmethod
    def template_test(
        self, name: str | None = None
    ) -> t.Callable[[T_template_test], T_template_test]:
        """Decorate a Jinja test, named ``name`` or after the function."""
        return _registrar(lambda f: self.add_template_test(f, name=name))

    @setupmethod
    def add_template_test(
        self, f: ft.TemplateTestCallable, name: str | None = None
    ) -> None:
        """Add a Jinja test, as :meth:`template_test` does."""
        self._add_jinja("tests", f, name)

    @setupmethod
    def template_global(
        self, name: str | None = None
    ) -> t.Callable[[T_template_global], T_template_global]:
        """Decorate a function to be a global of every template, named
        ``name`` or after the function.
        """
        return _registrar(lambda f: self.add_template_global(f, name=name))

    @setupmethod
    def add_template_global(
        self, f: ft.TemplateGlobalCallable, name: str | None = None
    ) -> None:
        """Add a template global, as :meth:`template_global` does."""
        self._add_jinja("globals", f, name)

    @setupmethod
    def shell_context_processor(
        self, f: T_shell_context_processor
    ) -> T_shell_context_processor:
        """Add the names in the dict ``f`` returns to ``flask shell``."""
        self.shell_context_processors.append(f)
        return f

    @setupmethod
    def before_serving(self, f: T_serving) -> T_serving:
        """Run ``f`` (a plain or ``async`` function, no arguments) once when
        an ASGI server starts serving the app, before the first request,
        with an app context pushed: the place to open connection pools.
        If it raises, the server does not start and reports the error.

        Only ASGI servers (serving :attr:`~flask.Flask.asgi`) send the
        startup event; under WSGI these functions never run (``flask
        check`` says so).
        """
        self.before_serving_funcs.append(f)
        return f

    @setupmethod
    def after_serving(self, f: T_serving) -> T_serving:
        """Run ``f`` once when an ASGI server shuts down, with an app
        context pushed; see :meth:`before_serving`.
        """
        self.after_serving_funcs.append(f)
        return f

    @setupmethod
    def teardown_appcontext(self, f: T_teardown) -> T_teardown:
        """Call ``f`` with the unhandled exception, or ``None``, whenever an
        app context is popped, after requests and errors too: the place to
        release resources such as database connections.
        """
        self.teardown_appcontext_funcs.append(f)
        return f

    def _find_error_handler(
        self, e: Exception, blueprints: t.Sequence[str]
    ) -> ft.ErrorHandlerCallable | None:
        """The handler registered for ``e`` in the scope of ``blueprints``
        (innermost first), or ``None``; see :meth:`ScopePlan.error_handler`.
        """
        exc_class, code = self._get_exc_class_and_code(type(e))
        plan = self._scope_plan(tuple(blueprints))
        return plan.error_handler(exc_class, code)  # type: ignore[no-any-return]

    def trap_http_exception(self, e: Exception) -> bool:
        """Whether the HTTP exception ``e`` should be raised like any other
        error instead of going to its handler, to debug it:
        ``TRAP_HTTP_EXCEPTIONS`` traps all; ``TRAP_BAD_REQUEST_ERRORS``
        traps bad requests, and when it is unset, missing form keys in
        debug mode.
        """
        config = self.config

        if config["TRAP_HTTP_EXCEPTIONS"]:
            return True

        bad_requests = config["TRAP_BAD_REQUEST_ERRORS"]

        if bad_requests is None:
            return bool(self.debug) and isinstance(e, BadRequestKeyError)

        return bool(bad_requests) and isinstance(e, BadRequest)

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Whether teardown functions get ``None`` instead of ``error``."""
        return False

    def redirect(self, location: str, code: int = 302) -> BaseResponse:
        """Make a redirect response of :attr:`response_class`;
        :func:`flask.redirect` calls this.

        :param location: Where to redirect to.
        :param code: The status code.
        """
        return _wz_redirect(location, code=code, Response=self.response_class)  # type: ignore[arg-type]

    def inject_url_defaults(self, endpoint: str, values: dict[str, t.Any]) -> None:
        """Give the URL default functions of the app, then of the
        endpoint's blueprints from the outermost in, the chance to add to
        ``values`` before a URL is built.
        """
        blueprint, dot, _ = endpoint.rpartition(".")
        scopes = tuple(_split_blueprint_path(blueprint)) if dot else ()

        for func in self._scope_plan(scopes).url_defaults:
            func(endpoint, values)

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        """Ask :attr:`url_build_error_handlers` for a URL after building
        one failed; the first that returns one wins. A handler may raise a
        :exc:`~werkzeug.routing.BuildError` of its own, which replaces
        ``error``. Raise the error if none helps.
        """
        for handler in self.url_build_error_handlers:
            try:
                url = handler(error, endpoint, values)
            except BuildError as replacement:
                error = replacement
                continue

            if url is not None:
                return url

        # The error being handled keeps its traceback.
        if sys.exc_info()[1] is error:
            raise

        raise error
