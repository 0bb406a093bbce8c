"""``Flask``: the WSGI application and its request pipeline."""

from __future__ import annotations

import collections.abc as cabc
import os
import sys
import typing as t
import weakref
from datetime import timedelta
from functools import partial
from inspect import CO_COROUTINE
from inspect import iscoroutinefunction
from itertools import chain
from types import FunctionType
from types import TracebackType
from urllib.parse import quote as _url_quote

import click
from werkzeug.datastructures import Headers
from werkzeug.datastructures import ImmutableDict
from werkzeug.exceptions import BadRequestKeyError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.routing import BuildError
from werkzeug.routing import MapAdapter
from werkzeug.routing import RequestRedirect
from werkzeug.routing import RoutingException

# COMPAT(3.1): extensions' test suites import Rule from flask.app.
from werkzeug.routing import Rule as Rule
from werkzeug.serving import is_running_from_reloader
from werkzeug.utils import cached_property
from werkzeug.wrappers import Response as BaseResponse

from . import cli
from . import typing as ft
from ._routing import MatchCache
from .ctx import _sentinel
from .ctx import AppContext
from .ctx import RequestContext
from .globals import _cv_app
from .globals import _cv_request
from .globals import g
from .globals import request
from .globals import session
from .helpers import _PackageFilesMixin
from .helpers import get_debug_flag
from .helpers import get_flashed_messages
from .helpers import get_load_dotenv
from .sansio.app import App
from .sessions import SecureCookieSessionInterface
from .sessions import SessionInterface
from .signals import appcontext_tearing_down
from .signals import got_request_exception
from .signals import request_finished
from .signals import request_started
from .signals import request_tearing_down
from .templating import Environment
from .wrappers import Request
from .wrappers import Response

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIEnvironment

    from .sessions import SessionMixin
    from .testing import FlaskClient
    from .testing import FlaskCliRunner


#: ``flask._async.run``, once an async function has been called.
_run_coroutine: t.Callable[..., t.Any] | None = None


def _wsgi_str(value: str | None) -> str | None:
    """Decode a WSGI environ string (latin-1 bytes) as UTF-8, as werkzeug's
    ``bind_to_environ`` does.
    """
    if value is None or value.isascii():
        return value

    return value.encode("latin1").decode(errors="replace")


def _plain_http_exception(e: HTTPException) -> bool:
    """Whether ``e`` renders as ``e.get_response()`` would when run as a
    WSGI app: no response of its own attached, werkzeug's ``__call__``,
    and not a HEAD request (whose hooks see an empty body).

    NOTE: a subclass may skip ``HTTPException.__init__``, leaving no
    ``response`` attribute; the generic path then decides what happens
    (an overridden ``get_response`` works, werkzeug's raises).
    """
    ctx = _cv_request.get(None)
    return (
        getattr(e, "response", _sentinel) is None
        and type(e).__call__ is HTTPException.__call__
        and ctx is not None
        and ctx.request.method != "HEAD"
    )


_ERROR_RESPONSE_TYPES = (
    "The return type must be a string, dict, list, tuple with headers or"
    " status, Response instance, or WSGI callable, but it was a"
)


class Flask(_PackageFilesMixin, App):
    """The application: a WSGI callable that holds the registries,
    config and templates of a web app.

    Create it in your main module or package's ``__init__.py``, passing
    ``__name__`` so resources and templates are found beside it::

        from flask import Flask
        app = Flask(__name__)

    :param import_name: The name of the app's module or package.
    :param static_url_path: The URL path of static files; ``/`` plus the
        static folder's name by default.
    :param static_folder: The folder of static files, relative to
        ``root_path``; ``None`` disables the static route.
    :param static_host: The host of the static route, with
        ``host_matching``.
    :param host_matching: Match rules on the ``host`` option.
    :param subdomain_matching: Match the subdomain against
        ``SERVER_NAME``.
    :param template_folder: The template folder, relative to
        ``root_path``; ``None`` for none.
    :param instance_path: An absolute instance folder; found
        automatically by default.
    :param instance_relative_config: Load config files relative to the
        instance folder.
    :param root_path: The app's folder, when ``import_name`` cannot find
        it (namespace packages).
    """

    #: The request class; see :class:`~flask.Request`.
    request_class: type[Request] = Request

    #: The response class; see :class:`~flask.Response`.
    response_class: type[Response] = Response

    #: Opens and saves the session; signed cookies by default.
    session_interface: SessionInterface = SecureCookieSessionInterface()

    #: The config an app starts with.
    default_config = ImmutableDict(
        {
            "DEBUG": None,
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": None,
            "SECRET_KEY": None,
            "SECRET_KEY_FALLBACKS": None,
            "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
            "USE_X_SENDFILE": False,
            "TRUSTED_HOSTS": None,
            "SERVER_NAME": None,
            "APPLICATION_ROOT": "/",
            "SESSION_COOKIE_NAME": "session",
            "SESSION_COOKIE_DOMAIN": None,
            "SESSION_COOKIE_PATH": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SECURE": False,
            "SESSION_COOKIE_PARTITIONED": False,
            "SESSION_COOKIE_SAMESITE": None,
            "SESSION_REFRESH_EACH_REQUEST": True,
            "MAX_CONTENT_LENGTH": None,
            "MAX_FORM_MEMORY_SIZE": 500_000,
            "MAX_FORM_PARTS": 1_000,
            "SEND_FILE_MAX_AGE_DEFAULT": None,
            "TRAP_BAD_REQUEST_ERRORS": None,
            "TRAP_HTTP_EXCEPTIONS": False,
            "EXPLAIN_TEMPLATE_LOADING": False,
            "PREFERRED_URL_SCHEME": "http",
            "TEMPLATES_AUTO_RELOAD": None,
            "MAX_COOKIE_SIZE": 4093,
            "PROVIDE_AUTOMATIC_OPTIONS": True,
        }
    )

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
    ):
        super().__init__(
            import_name=import_name,
            static_url_path=static_url_path,
            static_folder=static_folder,
            static_host=static_host,
            host_matching=host_matching,
            subdomain_matching=subdomain_matching,
            template_folder=template_folder,
            instance_path=instance_path,
            instance_relative_config=instance_relative_config,
            root_path=root_path,
        )

        #: The click group of the app's commands, run by ``flask``.
        self.cli: cli.AppGroup = cli.AppGroup()
        self.cli.name = self.name

        if self.has_static_folder:
            assert bool(static_host) == host_matching, (
                "Invalid static_host/host_matching combination"
            )
            # A weak reference: the view must not keep the app alive.
            self_ref = weakref.ref(self)
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                host=static_host,
                view_func=lambda **kw: self_ref().send_static_file(**kw),  # type: ignore[union-attr]
            )

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.AnyStr]:
        """Open a file relative to :attr:`root_path` for reading, such as
        a ``schema.sql`` shipped in the package.

        :param resource: The path relative to :attr:`root_path`.
        :param mode: ``"rb"``, ``"r"`` or ``"rt"``.
        :param encoding: The text encoding, in text mode.
        """
        return self._open_resource(resource, mode, encoding)

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO[t.AnyStr]:
        """Open a file relative to :attr:`instance_path`, for reading or
        writing.

        :param resource: The path relative to :attr:`instance_path`.
        :param mode: Any :func:`open` mode.
        :param encoding: The text encoding, in text mode.
        """
        return self._open_package_file(self.instance_path, resource, mode, encoding)

    def create_jinja_environment(self) -> Environment:
        """Create the Jinja environment from :attr:`jinja_options`, with
        the app's autoescape and reload settings and the standard globals
        (``url_for``, ``get_flashed_messages``, ``config``, ``request``,
        ``session``, ``g``).
        """
        options = dict(self.jinja_options)

        if "autoescape" not in options:
            options["autoescape"] = self.select_jinja_autoescape

        if "auto_reload" not in options:
            auto_reload = self.config["TEMPLATES_AUTO_RELOAD"]

            if auto_reload is None:
                auto_reload = self.debug

            options["auto_reload"] = auto_reload

        rv = self.jinja_environment(self, **options)
        rv.globals.update(
            url_for=self.url_for,
            get_flashed_messages=get_flashed_messages,
            config=self.config,
            # Proxies, so macros imported without context still see them.
            request=request,
            session=session,
            g=g,
        )
        rv.policies["json.dumps_function"] = self.json.dumps
        return rv

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """Bind :attr:`url_map` for a request, or, without one, for
        ``SERVER_NAME`` (``None`` if it is not set).

        With a request, ``TRUSTED_HOSTS`` is checked first: a foreign host
        raises a 400.
        """
        if request is not None:
            trusted_hosts = self.config["TRUSTED_HOSTS"]

            if trusted_hosts is not None:
                request.trusted_hosts = trusted_hosts

            # Check the host now, so an untrusted one fails before routing.
            request.host  # noqa: B018

            subdomain = None
            server_name = self.config["SERVER_NAME"]
            environ = request.environ

            # PERF: in the common case (no SERVER_NAME, no host or
            # subdomain matching, no WebSocket upgrade) bind with the host
            # the request already computed, instead of bind_to_environ
            # working it out again. The adapter is the same.
            if (
                server_name is None
                and not self.url_map.host_matching
                and not self.subdomain_matching
                and "HTTP_UPGRADE" not in environ
            ):
                return self._bind_request(request.host, environ)

            if self.url_map.host_matching:
                # Rules match the real host; SERVER_NAME would hide it.
                server_name = None
            elif not self.subdomain_matching:
                # Treat every request as on the default subdomain.
                subdomain = self.url_map.default_subdomain or ""

            return self.url_map.bind_to_environ(
                request.environ,
                server_name=server_name,
                subdomain=subdomain,
            )

        if self.config["SERVER_NAME"] is not None:
            return self.url_map.bind(
                self.config["SERVER_NAME"],
                script_name=self.config["APPLICATION_ROOT"],
                url_scheme=self.config["PREFERRED_URL_SCHEME"],
            )

        return None

    # The last host _bind_request validated, and the server name werkzeug
    # made of it.
    _bound_host: tuple[str, str] | None = None

    @cached_property
    def _match_cache(self) -> MatchCache:
        """Recent URL matches; see :class:`flask._routing.MatchCache`."""
        return MatchCache()

    def _bind_request(self, host: str, environ: WSGIEnvironment) -> MapAdapter:
        """Bind the URL map for a request, as ``bind_to_environ`` would
        with no server name and the default subdomain.
        """
        url_map = self.url_map
        script_name = _wsgi_str(environ.get("SCRIPT_NAME"))
        path_info = _wsgi_str(environ.get("PATH_INFO"))
        query_args = _wsgi_str(environ.get("QUERY_STRING"))
        subdomain = url_map.default_subdomain or ""
        bound = self._bound_host

        # PERF: Map.bind runs the host through the IDNA codec to validate
        # it, about 3% of a request; a host validated before (the same one
        # on almost every request) can skip that.
        if bound is not None and bound[0] == host:
            return MapAdapter(
                url_map,
                bound[1],
                "/" if script_name is None else script_name,
                subdomain,
                environ["wsgi.url_scheme"],
                "/" if path_info is None else path_info,
                environ["REQUEST_METHOD"],
                query_args,
            )

        adapter = url_map.bind(
            host,
            script_name,
            subdomain,
            environ["wsgi.url_scheme"],
            environ["REQUEST_METHOD"],
            path_info,
            query_args,
        )
        self._bound_host = (host, adapter.server_name)
        return adapter

    def raise_routing_exception(self, request: Request) -> t.NoReturn:
        """Raise the routing error of ``request``.

        In debug mode, a redirect that would turn a form POST into a GET
        (a missing trailing slash) raises an explanation instead.
        """
        e = request.routing_exception

        if (
            not self.debug
            or not isinstance(e, RequestRedirect)
            or e.code in {307, 308}
            or request.method in {"GET", "HEAD", "OPTIONS"}
        ):
            raise e  # type: ignore[misc]

        from .debughelpers import FormDataRoutingRedirect

        raise FormDataRoutingRedirect(request)

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add the context processors' values to ``context``: the app's,
        then those of the request's blueprints, outermost first. Values
        passed to the render call win.
        """
        names: t.Iterable[str | None] = (None,)
        reqctx = _cv_request.get(None)

        if reqctx is not None:
            names = chain(names, reversed(reqctx.request._blueprint_scopes()))

        orig_ctx = context.copy()

        for name in names:
            if name in self.template_context_processors:
                for func in self.template_context_processors[name]:
                    context.update(self.ensure_sync(func)())

        context.update(orig_ctx)

    def make_shell_context(self) -> dict[str, t.Any]:
        """The names ``flask shell`` starts with: ``app``, ``g``, and the
        shell context processors' values.
        """
        rv = {"app": self, "g": g}

        for processor in self.shell_context_processors:
            rv.update(processor())

        return rv

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Run the development server. Not for production; prefer the
        ``flask run`` command during development.

        :param host: The interface to listen on; ``127.0.0.1``, or the
            host of ``SERVER_NAME``.
        :param port: The port; ``5000``, or the port of ``SERVER_NAME``.
        :param debug: Enable debug mode, the reloader and the debugger.
        :param load_dotenv: Load ``.env`` and ``.flaskenv`` first.
        :param options: Passed to :func:`werkzeug.serving.run_simple`.
        """
        # Under "flask run" the CLI serves the app; a blocking call in the
        # module would start a second server.
        if os.environ.get("FLASK_RUN_FROM_CLI") == "true":
            if not is_running_from_reloader():
                click.secho(
                    " * Ignoring a call to 'app.run()' that would block"
                    " the current 'flask' CLI command.\n"
                    "   Only call 'app.run()' in an 'if __name__ =="
                    ' "__main__"\' guard.',
                    fg="red",
                )

            return

        if get_load_dotenv(load_dotenv):
            cli.load_dotenv()

            if "FLASK_DEBUG" in os.environ:
                self.debug = get_debug_flag()

        if debug is not None:
            self.debug = bool(debug)

        server_name = self.config.get("SERVER_NAME")
        sn_host = sn_port = None

        if server_name:
            sn_host, _, sn_port = server_name.partition(":")

        if not host:
            host = sn_host or "127.0.0.1"

        if port or port == 0:
            port = int(port)
        elif sn_port:
            port = int(sn_port)
        else:
            port = 5000

        options.setdefault("use_reloader", self.debug)
        options.setdefault("use_debugger", self.debug)
        options.setdefault("threaded", True)

        cli.show_server_banner(self.debug, self.name)

        # Looked up at call time so tests can replace it.
        from werkzeug.serving import run_simple

        try:
            run_simple(t.cast(str, host), port, self, **options)
        finally:
            # After a reloader restart in the same process (tests), allow
            # setup again.
            self._got_first_request = False

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> FlaskClient:
        """A client that sends requests to the app without a server, for
        tests; an instance of :attr:`test_client_class`.

        :param use_cookies: Keep cookies between requests.
        :param kwargs: Passed to the client class.
        """
        cls = self.test_client_class

        if cls is None:
            from .testing import FlaskClient

            cls = FlaskClient

        return cls(self, self.response_class, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: t.Any) -> FlaskCliRunner:
        """A runner that invokes the app's CLI commands in tests; an
        instance of :attr:`test_cli_runner_class`.
        """
        cls = self.test_cli_runner_class

        if cls is None:
            from .testing import FlaskCliRunner

            cls = FlaskCliRunner

        return cls(self, **kwargs)

    def handle_http_exception(
        self, e: HTTPException
    ) -> HTTPException | ft.ResponseReturnValue:
        """Turn an HTTP exception into a response with its registered
        handler, or return the exception itself (a response) if there is
        none. Routing redirects are never passed to handlers.
        """
        # An exception without a code (a proxy error) or a routing
        # redirect is returned as it is.
        if e.code is None or isinstance(e, RoutingException):
            return e

        handler = self._find_error_handler(
            e, _cv_request.get().request._blueprint_scopes()
        )

        if handler is None:
            return e

        return self.ensure_sync(handler)(e)  # type: ignore[no-any-return]

    def handle_user_exception(
        self, e: Exception
    ) -> HTTPException | ft.ResponseReturnValue:
        """Handle an exception raised while dispatching: HTTP exceptions go
        to :meth:`handle_http_exception`, others to their registered
        handler; an unhandled one is re-raised.
        """
        if isinstance(e, BadRequestKeyError) and (
            self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
        ):
            e.show_exception = True

        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e)

        handler = self._find_error_handler(
            e, _cv_request.get().request._blueprint_scopes()
        )

        if handler is None:
            raise

        return self.ensure_sync(handler)(e)  # type: ignore[no-any-return]

    def handle_exception(self, e: Exception) -> Response:
        """Handle an exception no handler dealt with: send
        :data:`~flask.got_request_exception`, re-raise it when exceptions
        propagate (testing or debug), else log it and answer a 500 through
        the 500 handler, whose error has ``original_exception`` set.
        """
        exc_info = sys.exc_info()

        if got_request_exception.receivers:
            got_request_exception.send(
                self, _async_wrapper=self.ensure_sync, exception=e
            )

        propagate = self.config["PROPAGATE_EXCEPTIONS"]

        if propagate is None:
            propagate = self.testing or self.debug

        if propagate:
            # Re-raise in place to keep the traceback when possible.
            if exc_info[1] is e:
                raise

            raise e

        self.log_exception(exc_info)
        server_error: InternalServerError | ft.ResponseReturnValue
        server_error = InternalServerError(original_exception=e)
        handler = self._find_error_handler(
            server_error, _cv_request.get().request._blueprint_scopes()
        )

        if handler is not None:
            server_error = self.ensure_sync(handler)(server_error)

        return self.finalize_request(server_error, from_error_handler=True)

    def log_exception(
        self,
        exc_info: (tuple[type, BaseException, TracebackType] | tuple[None, None, None]),
    ) -> None:
        """Log an unhandled exception on :attr:`logger`, with the request's
        path and method.
        """
        req = _cv_request.get().request
        self.logger.error(f"Exception on {req.path} [{req.method}]", exc_info=exc_info)

    def dispatch_request(self) -> ft.ResponseReturnValue:
        """Call the view of the matched endpoint and return its value,
        raising the routing error first if there was one and answering
        automatic ``OPTIONS``.
        """
        req = _cv_request.get().request

        if req.routing_exception is not None:
            self.raise_routing_exception(req)

        rule = req.url_rule

        if (
            getattr(rule, "provide_automatic_options", False)
            and req.method == "OPTIONS"
        ):
            return self.make_default_options_response()

        view_args: dict[str, t.Any] = req.view_args  # type: ignore[assignment]
        return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)  # type: ignore[union-attr,no-any-return]

    def full_dispatch_request(self) -> Response:
        """Run one request through the hooks, the view, error handling and
        response finalising.
        """
        self._got_first_request = True

        try:
            if request_started.receivers:
                request_started.send(self, _async_wrapper=self.ensure_sync)

            rv = self.preprocess_request()

            if rv is None:
                rv = self.dispatch_request()
        except Exception as e:
            rv = self.handle_user_exception(e)

        return self.finalize_request(rv)

    def finalize_request(
        self,
        rv: ft.ResponseReturnValue | HTTPException,
        from_error_handler: bool = False,
    ) -> Response:
        """Make the response, run :meth:`process_response` and send
        :data:`~flask.request_finished`.

        :param from_error_handler: Set when finalising the 500 response;
            an error in the hooks is then logged rather than raised.
        """
        response = self.make_response(rv)

        try:
            response = self.process_response(response)

            if request_finished.receivers:
                request_finished.send(
                    self, _async_wrapper=self.ensure_sync, response=response
                )
        except Exception:
            if not from_error_handler:
                raise

            self.logger.exception(
                "Request finalizing failed with an error while handling an error"
            )

        return response

    def make_default_options_response(self) -> Response:
        """The automatic ``OPTIONS`` response: empty, with ``Allow`` listing
        the URL's methods.
        """
        adapter = _cv_request.get().url_adapter
        methods = adapter.allowed_methods()  # type: ignore[union-attr]
        rv = self.response_class()
        rv.allow.update(methods)
        return rv

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """Return ``func``, or a sync wrapper of it if it is a coroutine
        function; hooks and views are called through this.
        """
        # PERF: for a plain function with no attributes (so neither
        # wrapped nor marked as a coroutine function) the code flags
        # answer the question without inspect's unwrapping, which cost
        # about 2% of a request; it is asked for the view and each hook.
        if type(func) is FunctionType and not func.__dict__:
            if func.__code__.co_flags & CO_COROUTINE:
                return self.async_to_sync(func)

            return func

        if iscoroutinefunction(func):
            return self.async_to_sync(func)

        return func

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """Wrap a coroutine function to call it synchronously; each call
        runs the coroutine to completion before returning. Override to use
        another way of running it.

        Unlike Flask, which starts a thread and an event loop per call
        with asgiref, the coroutine runs on an event loop that the calling
        thread keeps (see ``flask._async``), in a copy of the caller's
        context whose changes are copied back, as with asgiref.

        COMPAT(3.1): asgiref, the ``async`` extra, is still required, so an
        app that runs here runs on Flask; it also runs the coroutine's
        thread-sensitive ``sync_to_async`` calls in this thread.

        :raises RuntimeError: if asgiref is not installed.
        """
        global _run_coroutine

        if sys.modules.get("asgiref.sync") is None:
            try:
                import asgiref.sync  # noqa: F401
            except ImportError:
                raise RuntimeError(
                    "Install Flask with the 'async' extra in order to use async views."
                ) from None

        if _run_coroutine is None:
            # Loaded on first use: asyncio is slow to import.
            from ._async import run

            _run_coroutine = run

        return partial(_run_coroutine, func)

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: t.Any,
    ) -> str:
        """Build the URL of ``endpoint``; :func:`flask.url_for` calls this.

        In a request, a leading ``.`` names an endpoint of the current
        blueprint, and URLs are relative unless ``_external``. Outside a
        request, ``SERVER_NAME`` must be set and URLs are absolute.

        :param endpoint: The endpoint name.
        :param _anchor: A ``#fragment`` to append.
        :param _method: Build the rule that accepts this method.
        :param _scheme: The URL scheme; makes the URL external.
        :param _external: Return an absolute URL.
        :param values: The rule's arguments; others become the query
            string.
        """
        req_ctx = _cv_request.get(None)

        if req_ctx is not None:
            url_adapter = req_ctx.url_adapter
            blueprint_name = req_ctx.request.blueprint

            if endpoint[:1] == ".":
                if blueprint_name is not None:
                    endpoint = f"{blueprint_name}{endpoint}"
                else:
                    endpoint = endpoint[1:]

            if _external is None:
                _external = _scheme is not None
        else:
            app_ctx = _cv_app.get(None)

            if app_ctx is not None:
                url_adapter = app_ctx.url_adapter
            else:
                url_adapter = self.create_url_adapter(None)

            if url_adapter is None:
                raise RuntimeError(
                    "Unable to build URLs outside an active request"
                    " without 'SERVER_NAME' configured. Also configure"
                    " 'APPLICATION_ROOT' and 'PREFERRED_URL_SCHEME' as"
                    " needed."
                )

            if _external is None:
                _external = True

        if _scheme is not None and not _external:
            raise ValueError("When specifying '_scheme', '_external' must be True.")

        self.inject_url_defaults(endpoint, values)

        try:
            rv = url_adapter.build(  # type: ignore[union-attr]
                endpoint,
                values,
                method=_method,
                url_scheme=_scheme,
                force_external=_external,
            )
        except BuildError as error:
            values.update(
                _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external
            )
            return self.handle_url_build_error(error, endpoint, values)

        if _anchor is not None:
            _anchor = _url_quote(_anchor, safe="%!#$&'()*+,/:;=?@")
            rv = f"{rv}#{_anchor}"

        return rv

    def make_response(self, rv: ft.ResponseReturnValue) -> Response:
        """Turn a view's return value into a :attr:`response_class`.

        ``str`` and ``bytes`` become the body, ``dict`` and ``list`` JSON,
        iterators a streamed body; a response object is used as it is and
        other WSGI callables are wrapped. A tuple adds a status, headers or
        both: ``(body, status)``, ``(body, headers)``,
        ``(body, status, headers)``.

        :raises TypeError: for ``None`` or a value of another type.
        """
        status: t.Any = None
        headers: t.Any = None

        if isinstance(rv, tuple):
            len_rv = len(rv)

            if len_rv == 3:
                rv, status, headers = rv  # type: ignore[misc]
            elif len_rv == 2:
                if isinstance(rv[1], (Headers, dict, tuple, list)):
                    rv, headers = rv
                else:
                    rv, status = rv  # type: ignore[misc]
            else:
                raise TypeError(
                    "The view function did not return a valid response tuple."
                    " The tuple must have the form (body, status, headers),"
                    " (body, status), or (body, headers)."
                )

            # NOTE: werkzeug would fail on another type with an
            # AttributeError from deep inside (Flask 3.1 too).
            if status is not None and not isinstance(status, (int, str)):
                raise TypeError(
                    "The view function returned a status of type"
                    f" {type(status).__name__}; it must be an int or a str."
                )

        if rv is None:
            # The proxy, not the ContextVar: outside a request it raises
            # the usual "outside of request context" error.
            raise TypeError(
                f"The view function for {request.endpoint!r} did"
                " not return a valid response. The function either returned"
                " None or ended without a return statement."
            )

        if not isinstance(rv, self.response_class):
            if (
                status is None
                and headers is None
                and (type(rv) is str or type(rv) is bytes)
                and issubclass(self.response_class, Response)
            ):
                rv = self.response_class._from_data(rv)
            elif isinstance(rv, (str, bytes, bytearray)) or (
                # PERF: a plain dict or list is no iterator; skipping the
                # ABC check saves about 1% of a JSON response.
                type(rv) is not dict
                and type(rv) is not list
                and isinstance(rv, cabc.Iterator)
            ):
                # Status and headers go to the constructor, so a given
                # Content-Type replaces the default one.
                rv = self.response_class(
                    rv,
                    status=status,
                    headers=headers,
                )
                status = headers = None
            elif isinstance(rv, (dict, list)):
                rv = self.json.response(rv)
            elif isinstance(rv, HTTPException) and _plain_http_exception(rv):
                # PERF: converting an error as a WSGI app (below) renders
                # it, reads the output back and builds a second response;
                # its own response object is the same, cast to our class.
                # A third of a 404's cost.
                environ = _cv_request.get().request.environ

                if issubclass(self.response_class, Response):
                    rv = self.response_class._from_http_error(rv, environ)
                else:
                    rv = self.response_class.force_type(rv.get_response(environ))
            elif isinstance(rv, BaseResponse) or callable(rv):
                # Another response class or a WSGI app: let the response
                # class convert it.
                try:
                    rv = self.response_class.force_type(
                        rv,  # type: ignore[arg-type]
                        request.environ,
                    )
                except TypeError as e:
                    raise TypeError(
                        f"{e}\nThe view function did not return a valid"
                        f" response. {_ERROR_RESPONSE_TYPES}"
                        f" {type(rv).__name__}."
                    ).with_traceback(sys.exc_info()[2]) from None
            else:
                raise TypeError(
                    "The view function did not return a valid"
                    f" response. {_ERROR_RESPONSE_TYPES}"
                    f" {type(rv).__name__}."
                )

        # A plain annotation, not t.cast: this runs on every request.
        response: Response = rv  # type: ignore[assignment]

        if status is not None:
            if isinstance(status, (str, bytes, bytearray)):
                response.status = status  # type: ignore[assignment]
            else:
                response.status_code = status

        if headers:
            response.headers.update(headers)

        return response

    def preprocess_request(self) -> ft.ResponseReturnValue | None:
        """Run the URL value preprocessors, then the ``before_request``
        functions, of the app and then of each blueprint from the outermost
        in. A ``before_request`` function returning a value other than
        ``None`` stops the rest, and that value becomes the response.
        """
        req = _cv_request.get().request
        names = (None, *reversed(req._blueprint_scopes()))

        for name in names:
            if name in self.url_value_preprocessors:
                for url_func in self.url_value_preprocessors[name]:
                    url_func(req.endpoint, req.view_args)

        for name in names:
            if name in self.before_request_funcs:
                for before_func in self.before_request_funcs[name]:
                    rv = self.ensure_sync(before_func)()

                    if rv is not None:
                        return rv  # type: ignore[no-any-return]

        return None

    def process_response(self, response: Response) -> Response:
        """Pass the response through this request's
        :func:`~flask.after_this_request` functions, then the
        ``after_request`` functions from the innermost blueprint out to the
        app, each scope's in reverse registration order; then save the
        session.
        """
        ctx = _cv_request.get()

        for func in ctx._after_request_functions:
            response = self.ensure_sync(func)(response)

        for name in (*ctx.request._blueprint_scopes(), None):
            if name in self.after_request_funcs:
                for func in reversed(self.after_request_funcs[name]):
                    response = self.ensure_sync(func)(response)

        self._save_session(ctx, response)
        return response

    def _session_opens_lazily(self) -> bool:
        """Whether the session may be opened on first use rather than when
        the request context is pushed: only for the built-in cookie
        interface, whose behaviour we know does not depend on when it
        opens. Other interfaces open at push, as they expect.
        """
        return type(self.session_interface) is SecureCookieSessionInterface

    def _open_session(self, request: Request) -> SessionMixin:
        interface = self.session_interface
        session = interface.open_session(self, request)

        if session is None:
            session = interface.make_null_session(self)

        return session

    def _save_session(self, ctx: RequestContext, response: Response) -> None:
        session = ctx.__dict__.get("_session")

        if session is None:
            # Never opened. Without a cookie the empty session would
            # neither set nor delete one, so saving it is a no-op; with a
            # cookie, open it so a permanent session is refreshed.
            interface = self.session_interface

            if (
                "HTTP_COOKIE" not in ctx.request.environ
                or interface.get_cookie_name(self) not in ctx.request.cookies
            ):
                return

            session = ctx._get_session()

        if not self.session_interface.is_null_session(session):
            self.session_interface.save_session(self, session, response)

    def do_teardown_request(
        self,
        exc: BaseException | None = _sentinel,  # type: ignore[assignment]
    ) -> None:
        """Run the ``teardown_request`` functions of the request's
        blueprints, innermost first, then the app's, each scope's in
        reverse order, and send :data:`~flask.request_tearing_down`.

        Every function runs even if one raises; the first error is raised
        afterwards.

        :param exc: The unhandled exception, or ``None``.
        """
        if exc is _sentinel:
            exc = sys.exc_info()[1]

        ctx = _cv_request.get()
        funcs = self.teardown_request_funcs
        error: BaseException | None = None

        for name in (*ctx.request._blueprint_scopes(), None):
            if name in funcs:
                for func in reversed(funcs[name]):
                    error = self._call_teardown(func, exc, error)

        if request_tearing_down.receivers:
            request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

        if error is not None:
            raise error

    def do_teardown_appcontext(
        self,
        exc: BaseException | None = _sentinel,  # type: ignore[assignment]
    ) -> None:
        """Run the ``teardown_appcontext`` functions in reverse order and
        send :data:`~flask.appcontext_tearing_down`.

        Every function runs even if one raises; the first error is raised
        afterwards.

        :param exc: The unhandled exception, or ``None``.
        """
        if exc is _sentinel:
            exc = sys.exc_info()[1]

        error: BaseException | None = None

        for func in reversed(self.teardown_appcontext_funcs):
            error = self._call_teardown(func, exc, error)

        if appcontext_tearing_down.receivers:
            appcontext_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

        if error is not None:
            raise error

    def _call_teardown(
        self,
        func: ft.TeardownCallable,
        exc: BaseException | None,
        error: BaseException | None,
    ) -> BaseException | None:
        """Call one teardown function; return the first error seen so far.

        NOTE: a failing teardown function must not stop the others from
        releasing their resources, so its error is kept and raised once
        all have run.
        """
        try:
            self.ensure_sync(func)(exc)
        except Exception as e:
            if error is None:
                return e

        return error

    def app_context(self) -> AppContext:
        """Create an :class:`~flask.ctx.AppContext`; use it in a ``with``
        block to make the app current outside a request.
        """
        return AppContext(self)

    def request_context(self, environ: WSGIEnvironment) -> RequestContext:
        """Create a :class:`~flask.ctx.RequestContext` for a WSGI environ;
        :meth:`wsgi_app` does this for each request.
        """
        return RequestContext(self, environ)

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """Create a request context for a request built from the arguments,
        without sending it; for testing code that needs a request.

        The arguments are those of :class:`werkzeug.test.EnvironBuilder`
        (``path``, ``base_url``, ``method``, ``query_string``, ``data``,
        ``json``, ``headers``, ...); the URL defaults come from the app's
        ``SERVER_NAME``, ``APPLICATION_ROOT`` and ``PREFERRED_URL_SCHEME``.
        """
        from .testing import EnvironBuilder

        builder = EnvironBuilder(self, *args, **kwargs)

        try:
            return self.request_context(builder.get_environ())
        finally:
            builder.close()

    def wsgi_app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        """The WSGI application itself. Wrap this, not the app, to add
        middleware: ``app.wsgi_app = Middleware(app.wsgi_app)``.
        """
        ctx = self.request_context(environ)
        error: BaseException | None = None

        try:
            try:
                ctx.push()
                response = self.full_dispatch_request()
            except Exception as e:
                error = e
                response = self.handle_exception(e)
            except:  # noqa: E722
                error = sys.exc_info()[1]
                raise

            return response(environ, start_response)
        finally:
            # The test client asks to keep the contexts for inspection.
            if "werkzeug.debug.preserve_context" in environ:
                environ["werkzeug.debug.preserve_context"](_cv_app.get())
                environ["werkzeug.debug.preserve_context"](_cv_request.get())

            if error is not None and self.should_ignore_error(error):
                error = None

            ctx.pop(error)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        """Call :meth:`wsgi_app`, so middleware can wrap that instead."""
        return self.wsgi_app(environ, start_response)
