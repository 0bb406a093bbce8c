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
from itertools import chain

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
from ..templating import _default_template_ctx_processor
from ..templating import DispatchingJinjaLoader
from ..templating import Environment
from .scaffold import _endpoint_from_view_func
from .scaffold import find_package
from .scaffold import Scaffold
from .scaffold import setupmethod
from .scaffold import T_shell_context_processor
from .scaffold import T_teardown
from .scaffold import T_template_filter
from .scaffold import T_template_global
from .scaffold import T_template_test

if t.TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Response as BaseResponse

    from ..testing import FlaskClient
    from ..testing import FlaskCliRunner
    from .blueprints import Blueprint


def _make_timedelta(value: timedelta | int | None) -> timedelta | None:
    if value is None or isinstance(value, timedelta):
        return value

    return timedelta(seconds=value)


class App(Scaffold):
    """The I/O-free core of :class:`~flask.Flask`; see there for the
    parameters. Frameworks built on another I/O model subclass it.
    """

    #: The class of :attr:`aborter`, which :func:`~flask.abort` calls.
    aborter_class = Aborter

    #: The Jinja environment class of :attr:`jinja_env`.
    jinja_environment = Environment

    #: The class of :data:`~flask.g`.
    app_ctx_globals_class = _AppCtxGlobals

    #: The class of :attr:`config`.
    config_class = Config

    #: ``TESTING`` config: exceptions propagate to the test client.
    testing = ConfigAttribute[bool]("TESTING")

    #: ``SECRET_KEY`` config: signs the session cookie.
    secret_key = ConfigAttribute["str | bytes | None"]("SECRET_KEY")

    #: ``PERMANENT_SESSION_LIFETIME`` config, as a timedelta; an int is
    #: taken as seconds.
    permanent_session_lifetime = ConfigAttribute[timedelta](
        "PERMANENT_SESSION_LIFETIME",
        get_converter=_make_timedelta,  # type: ignore[arg-type]
    )

    #: The class of :attr:`json`, the app's JSON provider.
    json_provider_class: type[JSONProvider] = DefaultJSONProvider

    #: Options for the Jinja environment, read when it is first created.
    jinja_options: dict[str, t.Any] = {}

    #: The rule class of :attr:`url_map`.
    url_rule_class = Rule

    #: The class of :attr:`url_map`.
    url_map_class = Map

    #: The class :meth:`test_client` returns; ``FlaskClient`` if ``None``.
    test_client_class: type[FlaskClient] | None = None

    #: The class :meth:`test_cli_runner` returns; ``FlaskCliRunner`` if
    #: ``None``.
    test_cli_runner_class: type[FlaskCliRunner] | None = None

    default_config: dict[str, t.Any]
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
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )

        if instance_path is None:
            instance_path = self.auto_find_instance_path()
        elif not os.path.isabs(instance_path):
            raise ValueError(
                "If an instance path is provided it must be absolute."
                " A relative path was given instead."
            )

        #: The folder for files that are not part of the package: config,
        #: databases, uploads.
        self.instance_path = instance_path

        #: The configuration dict.
        self.config = self.make_config(instance_relative_config)

        #: Called by :func:`~flask.abort` to raise HTTP exceptions.
        self.aborter = self.make_aborter()

        #: The JSON provider: ``app.json.dumps``, ``app.json.response``, ...
        self.json: JSONProvider = self.json_provider_class(self)

        #: Functions called when building a URL fails, with the error, the
        #: endpoint and the values; the first that returns a URL wins.
        self.url_build_error_handlers: list[
            t.Callable[[Exception, str, dict[str, t.Any]], str]
        ] = []

        #: Functions run when an app context is popped.
        self.teardown_appcontext_funcs: list[ft.TeardownCallable] = []

        #: Functions adding names to ``flask shell``.
        self.shell_context_processors: list[ft.ShellContextProcessorCallable] = []

        #: Registered blueprints by their (dotted) name.
        self.blueprints: dict[str, Blueprint] = {}

        #: Storage for extensions, keyed by a name of their own.
        self.extensions: dict[str, t.Any] = {}

        #: The werkzeug routing map.
        self.url_map = self.url_map_class(host_matching=host_matching)

        #: Whether subdomains of ``SERVER_NAME`` are matched.
        self.subdomain_matching = subdomain_matching

        self.template_context_processors[None].append(_default_template_ctx_processor)

        # Set when the first request is handled; setup methods then fail.
        self._got_first_request = False

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_first_request:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called"
                " on the application. It has already handled its first"
                " request, any changes will not be applied"
                " consistently.\n"
                "Make sure all imports, decorators, functions, etc."
                " needed to set up the application are done before"
                " running it."
            )

    @cached_property
    def name(self) -> str:
        """The app's name: the import name, or the script's name when it
        is ``__main__``. Used for the logger and in messages.
        """
        if self.import_name == "__main__":
            fn: str | None = getattr(sys.modules["__main__"], "__file__", None)

            if fn is None:
                return "__main__"

            return os.path.splitext(os.path.basename(fn))[0]

        return self.import_name

    @cached_property
    def logger(self) -> logging.Logger:
        """The :class:`logging.Logger` named after :attr:`name`.

        In debug mode its level is DEBUG when unset; a handler writing to
        ``wsgi.errors`` is added if logging is not configured.
        """
        return create_logger(self)

    @cached_property
    def jinja_env(self) -> Environment:
        """The Jinja environment, created on first use."""
        return self.create_jinja_environment()

    def create_jinja_environment(self) -> Environment:
        """Create :attr:`jinja_env`; override to customise it."""
        raise NotImplementedError

    def make_config(self, instance_relative: bool = False) -> Config:
        """Create :attr:`config` from :attr:`default_config`, with ``DEBUG``
        from ``FLASK_DEBUG``.

        :param instance_relative: Resolve relative config files against the
            instance folder instead of the root path.
        """
        root_path = self.instance_path if instance_relative else self.root_path
        defaults = dict(self.default_config)
        defaults["DEBUG"] = get_debug_flag()
        return self.config_class(root_path, defaults)

    def make_aborter(self) -> Aborter:
        """Create :attr:`aborter`, an instance of :attr:`aborter_class`."""
        return self.aborter_class()

    def auto_find_instance_path(self) -> str:
        """Find the instance folder: ``instance`` beside the package in
        development, ``$PREFIX/var/<name>-instance`` once installed.
        """
        prefix, package_path = find_package(self.import_name)

        if prefix is None:
            return os.path.join(package_path, "instance")

        return os.path.join(prefix, "var", f"{self.name}-instance")

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """Create the loader that searches the app's and blueprints'
        template folders; override :attr:`jinja_loader` rather than this.
        """
        return DispatchingJinjaLoader(self)

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Whether a template is autoescaped: templates from strings, and
        ``.html``, ``.htm``, ``.xml``, ``.xhtml`` and ``.svg`` files.
        """
        if filename is None:
            return True

        return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))

    @property
    def debug(self) -> bool:
        """Debug mode, the ``DEBUG`` config. Set it with ``--debug`` or
        ``FLASK_DEBUG``; setting it late may not affect everything.
        """
        return self.config["DEBUG"]  # type: ignore[no-any-return]

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value

        if self.config["TEMPLATES_AUTO_RELOAD"] is None:
            self.jinja_env.auto_reload = value

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register ``blueprint`` on the app.

        :param blueprint: The blueprint.
        :param options: Override the blueprint's ``url_prefix``,
            ``subdomain``, ``url_defaults``, ``name`` and ``cli_group``.
        """
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView[Blueprint]:
        """The registered blueprints, in registration order."""
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
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)

        options["endpoint"] = endpoint
        methods = options.pop("methods", None)

        # A view class may carry its own methods.
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)

        if isinstance(methods, str):
            raise TypeError(
                "Allowed methods must be a list of strings, for"
                ' example: @app.route(..., methods=["POST"])'
            )

        methods = {item.upper() for item in methods}
        required_methods: set[str] = set(getattr(view_func, "required_methods", ()))

        if provide_automatic_options is None:
            provide_automatic_options = getattr(
                view_func, "provide_automatic_options", None
            )

        if provide_automatic_options is None:
            if "OPTIONS" not in methods and self.config["PROVIDE_AUTOMATIC_OPTIONS"]:
                provide_automatic_options = True
                required_methods.add("OPTIONS")
            else:
                provide_automatic_options = False

        methods |= required_methods
        rule_obj = self.url_rule_class(rule, methods=methods, **options)
        rule_obj.provide_automatic_options = provide_automatic_options  # type: ignore[attr-defined]
        self.url_map.add(rule_obj)

        if view_func is not None:
            old_func = self.view_functions.get(endpoint)

            if old_func is not None and old_func != view_func:
                raise AssertionError(
                    "View function mapping is overwriting an existing"
                    f" endpoint function: {endpoint}"
                )

            self.view_functions[endpoint] = view_func

    @setupmethod
    def template_filter(
        self, name: str | None = None
    ) -> t.Callable[[T_template_filter], T_template_filter]:
        """Decorate a function to register it as a Jinja filter.

        :param name: The filter's name; the function's name by default.
        """

        def decorator(f: T_template_filter) -> T_template_filter:
            self.add_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_filter(
        self, f: ft.TemplateFilterCallable, name: str | None = None
    ) -> None:
        """Register a Jinja filter; see :meth:`template_filter`."""
        self.jinja_env.filters[name or f.__name__] = f

    @setupmethod
    def template_test(
        self, name: str | None = None
    ) -> t.Callable[[T_template_test], T_template_test]:
        """Decorate a function to register it as a Jinja test.

        :param name: The test's name; the function's name by default.
        """

        def decorator(f: T_template_test) -> T_template_test:
            self.add_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_test(
        self, f: ft.TemplateTestCallable, name: str | None = None
    ) -> None:
        """Register a Jinja test; see :meth:`template_test`."""
        self.jinja_env.tests[name or f.__name__] = f

    @setupmethod
    def template_global(
        self, name: str | None = None
    ) -> t.Callable[[T_template_global], T_template_global]:
        """Decorate a function to make it a global in every template.

        :param name: The global's name; the function's name by default.
        """

        def decorator(f: T_template_global) -> T_template_global:
            self.add_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_global(
        self, f: ft.TemplateGlobalCallable, name: str | None = None
    ) -> None:
        """Register a template global; see :meth:`template_global`."""
        self.jinja_env.globals[name or f.__name__] = f

    @setupmethod
    def teardown_appcontext(self, f: T_teardown) -> T_teardown:
        """Register a function to run when each app context is popped,
        with the unhandled exception or ``None``; it runs even after
        errors, so it suits releasing resources such as database
        connections.
        """
        self.teardown_appcontext_funcs.append(f)
        return f

    @setupmethod
    def shell_context_processor(
        self, f: T_shell_context_processor
    ) -> T_shell_context_processor:
        """Register a function returning a dict of names for ``flask
        shell``.
        """
        self.shell_context_processors.append(f)
        return f

    def _find_error_handler(
        self, e: Exception, blueprints: t.Sequence[str]
    ) -> ft.ErrorHandlerCallable | None:
        """The handler for ``e``: by status code before generic handlers,
        from the innermost blueprint out to the app, along the exception's
        MRO. ``None`` if there is none.
        """
        exc_class, code = self._get_exc_class_and_code(type(e))
        names = (*blueprints, None)
        spec = self.error_handler_spec

        for c in (code, None) if code is not None else (None,):
            for name in names:
                scope = spec.get(name)

                if not scope:
                    continue

                handler_map = scope.get(c)

                if not handler_map:
                    continue

                for cls in exc_class.__mro__:
                    handler = handler_map.get(cls)

                    if handler is not None:
                        return handler

        return None

    def trap_http_exception(self, e: Exception) -> bool:
        """Whether an HTTP exception should propagate like an unhandled
        error instead of going to its handler, for debugging.

        ``TRAP_HTTP_EXCEPTIONS`` traps all of them.
        ``TRAP_BAD_REQUEST_ERRORS`` traps bad requests; left unset, it
        traps missing form keys in debug mode.
        """
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True

        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]

        if (
            trap_bad_request is None
            and self.debug
            and isinstance(e, BadRequestKeyError)
        ):
            return True

        if trap_bad_request:
            return isinstance(e, BadRequest)

        return False

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Whether teardown functions should see ``error`` as ``None``."""
        return False

    def redirect(self, location: str, code: int = 302) -> BaseResponse:
        """Build a redirect response; :func:`flask.redirect` calls this.

        :param location: The target URL.
        :param code: The status code.
        """
        return _wz_redirect(
            location,
            code=code,
            Response=self.response_class,  # type: ignore[arg-type]
        )

    def inject_url_defaults(self, endpoint: str, values: dict[str, t.Any]) -> None:
        """Let the :meth:`url_defaults` functions of the app and of the
        endpoint's blueprints add values before a URL is built.
        """
        names: t.Iterable[str | None] = (None,)

        # The endpoint's blueprint chain, outermost first, after the app.
        if "." in endpoint:
            names = chain(
                names, reversed(_split_blueprint_path(endpoint.rpartition(".")[0]))
            )

        for name in names:
            if name in self.url_default_functions:
                for func in self.url_default_functions[name]:
                    func(endpoint, values)

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        """Try :attr:`url_build_error_handlers` on a failed URL build; the
        first that returns a value gives the URL, else ``error`` is raised.
        """
        for handler in self.url_build_error_handlers:
            try:
                rv = handler(error, endpoint, values)
            except BuildError as e:
                # The handler may raise a more specific error.
                error = e
            else:
                if rv is not None:
                    return rv

        # Re-raise in place to keep the traceback if it is the one being
        # handled.
        if error is sys.exc_info()[1]:
            raise

        raise error
