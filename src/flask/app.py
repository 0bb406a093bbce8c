"""``Flask``: the application and its request pipeline, one chain of
overridable methods (``wsgi_app``, ``full_dispatch_request``,
``preprocess_request``, ``dispatch_request``, ``finalize_request``, ...)
that the WSGI entry and the ASGI one (``flask.asgi``) both run. What each
blueprint scope runs is resolved once into a plan (``flask.sansio._plan``).
See the lifecycle page of the docs.
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import importlib
import os
import sys
import types
import typing as t
import weakref
from functools import partial
from inspect import CO_COROUTINE
from inspect import iscoroutinefunction
from types import FunctionType
from types import TracebackType

from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import BadRequestKeyError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.routing import MapAdapter
from werkzeug.routing import RequestRedirect
from werkzeug.routing import RoutingException

# COMPAT(3.1): extensions' test suites import Rule from flask.app.
from werkzeug.routing import Rule as Rule
from werkzeug.utils import cached_property

from . import typing as ft
from ._coerce import coerce
from ._routing import bind_to_request
from ._routing import bind_to_server_name
from ._routing import build_url
from ._routing import KnownHosts
from ._routing import MatchCache
from .ctx import _run_teardowns
from .ctx import _sentinel
from .ctx import AppContext
from .ctx import RequestContext
from .globals import _cv_app
from .globals import _cv_bridge
from .globals import _cv_request
from .globals import g
from .helpers import _PackageFilesMixin
from .sansio._plan import ScopePlan
from .sansio.app import App
from .sansio.scaffold import _websocket_handlers
from .sessions import SecureCookieSessionInterface
from .sessions import SessionInterface
from .signals import appcontext_tearing_down
from .signals import got_request_exception
from .signals import request_finished
from .signals import request_started
from .signals import request_tearing_down
from .templating import _make_environment
from .templating import Environment
from .wrappers import Request
from .wrappers import Response

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIEnvironment

    from .asgi import AsgiApp
    from .cli import AppGroup
    from .testing import FlaskClient
    from .testing import FlaskCliRunner


@functools.cache
def _opt_in(name: str) -> types.ModuleType:
    """The module of an opt-in feature (cross-origin protection, security
    headers), imported when an app first turns it on: apps that do not
    use it do not pay for loading it.
    """
    return importlib.import_module(f"flask.{name}")


T_check = t.TypeVar("T_check", bound=t.Callable[..., t.Any])

#: ``flask._async.run``, loaded by the first coroutine function called.
_run_coroutine: t.Callable[..., t.Any] | None = None

_WEBSOCKET_OVER_WSGI = (
    "This URL is a websocket route: it needs the app served by an ASGI server"
    " (for example 'uvicorn module:app.asgi')."
)
_FINALIZE_FAILED = "Request finalizing failed with an error while handling an error"

# Redirect codes that keep the method and body; the others turn a form
# POST into a GET, which debug mode explains instead.
_BODY_KEEPING_REDIRECTS = (307, 308)
_BODYLESS_METHODS = ("GET", "HEAD", "OPTIONS")


def _static_view(app_ref: weakref.ReferenceType[Flask]) -> ft.RouteCallable:
    """The view of the app's ``static`` endpoint. It holds the app weakly:
    the URL map must not keep the app alive.
    """

    def static(**kwargs: t.Any) -> Response:
        return app_ref().send_static_file(**kwargs)  # type: ignore[union-attr]

    return static


class Flask(_PackageFilesMixin, App):
    """A web application: the WSGI callable, with the registries of its
    views and hooks, its configuration and its templates.

    Make one in the main module, or in a package's ``__init__.py``, and
    give it ``__name__`` so that its resources and templates are found
    next to it::

        from flask import Flask
        app = Flask(__name__)

    :param import_name: The name of the app's module or package.
    :param static_url_path: The URL path static files are served under;
        ``/`` and the static folder's name by default.
    :param static_folder: The folder of static files, relative to
        :attr:`root_path`; ``None`` for no static route.
    :param static_host: The host the static route matches, with
        ``host_matching``.
    :param host_matching: Match rules against the ``host`` option.
    :param subdomain_matching: Match subdomains of ``SERVER_NAME``.
    :param template_folder: The folder of templates, relative to
        :attr:`root_path`; ``None`` for none.
    :param instance_path: The absolute path of the instance folder; found
        by :meth:`auto_find_instance_path` when not given.
    :param instance_relative_config: Load config files relative to the
        instance folder instead of the root path.
    :param root_path: The app's folder, for when ``import_name`` cannot
        locate it (namespace packages).
    """

    #: The class of request objects.
    request_class: type[Request] = Request
    #: The class of response objects.
    response_class: type[Response] = Response
    #: Opens and saves sessions; signed cookies by default.
    session_interface: SessionInterface = SecureCookieSessionInterface()

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
            import_name,
            # files
            static_url_path,
            static_folder,
            static_host,
            # routing
            host_matching,
            subdomain_matching,
            # templates and instance
            template_folder,
            instance_path,
            instance_relative_config,
            root_path,
        )
        if self.has_static_folder:
            assert bool(static_host) == host_matching, (
                "Invalid static_host/host_matching combination"
            )
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                host=static_host,
                view_func=_static_view(weakref.ref(self)),
            )

    # -- files and templates ---------------------------------------------

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.AnyStr]:
        """Open a file of the package, relative to :attr:`root_path`, for
        reading (a ``schema.sql``, say).

        :param resource: The file's path relative to :attr:`root_path`.
        :param mode: ``"rb"``, ``"r"`` or ``"rt"``.
        :param encoding: The encoding in text mode.
        """
        return self._open_resource(resource, mode, encoding)

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO[t.AnyStr]:
        """Open a file of the instance folder, in any mode.

        :param resource: The file's path relative to :attr:`instance_path`.
        :param mode: The :func:`open` mode.
        :param encoding: The encoding in text mode.
        """
        return self._open_package_file(self.instance_path, resource, mode, encoding)

    def create_jinja_environment(self) -> Environment:
        """Make the Jinja environment from :attr:`jinja_options`, with the
        app's autoescaping and reloading, and the globals every template
        sees: ``url_for``, ``get_flashed_messages``, ``config``,
        ``request``, ``session`` and ``g``.
        """
        return _make_environment(self)

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add what the context processors return to ``context``: the
        app's first, then those of the request's blueprints from the
        outermost in. Values already in ``context`` are kept.
        """
        ctx = _cv_request.get(None)
        scopes = () if ctx is None else self._request_scopes(ctx.request)
        given = dict(context)

        for processor in self._scope_plan(scopes).context_processors:
            context.update(self.ensure_sync(processor)())

        context.update(given)

        if self.config.get("SECURITY_HEADERS"):
            _opt_in("_security_headers").offer_csp_nonce(context)

    def make_shell_context(self) -> dict[str, t.Any]:
        """The namespace ``flask shell`` starts with: ``app``, ``g`` and
        what the shell context processors add.
        """
        namespace: dict[str, t.Any] = {"app": self, "g": g}

        for processor in self.shell_context_processors:
            namespace.update(processor())

        return namespace

    def check(
        self,
        id: str,
        *,
        severity: str = "warning",
        fix: str = "",
        deploy: bool = False,
    ) -> t.Callable[[T_check], T_check]:
        """Add a check of this app to ``flask check``; the decorated function
        gets the app and returns ``None`` when all is well, or a sentence
        saying what is wrong and why (or a list of them)::

            @app.check("blog.admin", fix="Create one with 'flask add-admin'.")
            def has_admin(app):
                if not count_admins():
                    return "No account is an administrator: nobody can moderate."

        :param id: A dotted identifier, for ``CHECKS_SILENCED``.
        :param severity: ``"error"`` (fails the command) or ``"warning"``.
        :param fix: One sentence: how to fix it.
        :param deploy: Run only with ``--deploy``.
        :return: A decorator that returns the function unchanged.
        """
        # Imported here, as the CLI is: an app that never runs ``flask
        # check`` does not load it (nor click).
        from ._checks import add_app_check

        def decorator(f: T_check) -> T_check:
            add_app_check(self, id, f, severity=severity, fix=fix, deploy=deploy)
            return f

        return decorator

    @cached_property
    def cli(self) -> AppGroup:  # type: ignore[override]
        """The app's commands, a click group that ``flask`` runs. Made on
        first use: an app that is only served never imports click.
        """
        from .cli import AppGroup

        return AppGroup(self.name)

    # -- URLs ------------------------------------------------------------

    # PERF: functools' cached_property is a plain attribute once made;
    # werkzeug's runs its __get__ on every read (about 1% of a request).
    @functools.cached_property
    def _match_cache(self) -> MatchCache:
        """Recent URL matches; see :class:`flask._routing.MatchCache`."""
        return MatchCache()

    @functools.cached_property
    def _known_hosts(self) -> KnownHosts:
        """Hosts already validated; see :func:`flask._routing.bind_to_request`."""
        return {}

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """Bind :attr:`url_map` to a request (whose host must be in
        ``TRUSTED_HOSTS``, if set) or, without one, to ``SERVER_NAME``
        (``None`` when that is not set).
        """
        if request is None:
            if self.config["SERVER_NAME"] is None:
                return None

            return bind_to_server_name(self)

        return bind_to_request(self, request)

    def raise_routing_exception(self, request: Request) -> t.NoReturn:
        """Raise the error matching ``request`` failed with. In debug
        mode, a redirect that would lose a form's body (a missing trailing
        slash on a POST) raises an explanation instead.
        """
        error = request.routing_exception

        if (
            self.debug
            and isinstance(error, RequestRedirect)
            and error.code not in _BODY_KEEPING_REDIRECTS
            and request.method not in _BODYLESS_METHODS
        ):
            from .debughelpers import FormDataRoutingRedirect

            raise FormDataRoutingRedirect(request)

        raise error  # type: ignore[misc]

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

        During a request, an endpoint starting with ``.`` is one of the
        current blueprint's, and URLs are relative unless ``_external``.
        Outside a request, ``SERVER_NAME`` must be configured and URLs are
        absolute.

        :param endpoint: The endpoint.
        :param _anchor: A ``#fragment`` to append.
        :param _method: The method the rule must accept.
        :param _scheme: The scheme of the URL, which must be external.
        :param _external: Whether to build an absolute URL.
        :param values: The rule's arguments; others go in the query string.
        """
        return build_url(self, endpoint, _anchor, _method, _scheme, _external, values)

    @cached_property
    def asgi(self) -> AsgiApp:
        """The app as an ASGI 3 application (``uvicorn module:app.asgi``):
        HTTP through the same pipeline as :meth:`wsgi_app`, websocket
        routes, and the lifespan events that run :meth:`before_serving`
        and :meth:`after_serving` functions. Wrap it for ASGI middleware:
        ``app.asgi = Middleware(app.asgi)``. Needs the ``asgi`` extra.
        """
        from .asgi import AsgiApp

        return AsgiApp(self)

    # -- the request pipeline ----------------------------------------------

    def wsgi_app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        """The WSGI application proper. Middleware wraps this attribute,
        not the app: ``app.wsgi_app = Middleware(app.wsgi_app)``.
        """
        ctx = self.request_context(environ)
        # What escaped the dispatch, handed to teardown (unless
        # should_ignore_error hides it) even when it became a 500.
        failure: BaseException | None = None

        try:
            try:
                ctx.push()
                response = self.full_dispatch_request()
            except BaseException as e:
                failure = e

                if not isinstance(e, Exception):
                    raise

                response = self.handle_exception(e)

            return response(environ, start_response)
        finally:
            # The test client keeps the contexts to inspect them after.
            keep = environ.get("werkzeug.debug.preserve_context")

            if keep is not None:
                keep(_cv_app.get())
                keep(_cv_request.get())

            if failure is not None and self.should_ignore_error(failure):
                failure = None

            ctx.pop(failure)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        """Run :meth:`wsgi_app`, which middleware can replace."""
        return self.wsgi_app(environ, start_response)

    def full_dispatch_request(self) -> Response:
        """Take one request through its hooks, its view, error handling and
        the making of its response.
        """
        self._got_first_request = True

        try:
            if request_started.receivers:
                request_started.send(self, _async_wrapper=self.ensure_sync)

            if self.config.get("CROSS_ORIGIN_PROTECTION"):
                _opt_in("_cross_origin").refuse_cross_origin(
                    self, _cv_request.get().request
                )

            # The first before_request value that is not None answers
            # instead of the view.
            early = self.preprocess_request()
            rv = self.dispatch_request() if early is None else early
        except Exception as e:
            rv = self.handle_user_exception(e)

        return self.finalize_request(rv)

    def _request_scopes(self, req: Request) -> tuple[str, ...]:
        """The request's blueprint and its parents, innermost first."""
        # A request class that computes ``blueprints`` its own way is asked.
        if type(req).blueprints is Request.blueprints:
            return req._blueprint_scopes()

        return tuple(req.blueprints)

    def _request_plan(self, req: Request) -> ScopePlan:
        """The plan of the request's scope."""
        # PERF: the request path asks three times; the common case (the
        # plan is current) is answered here without further calls.
        if type(req).blueprints is Request.blueprints:
            scopes = req._blueprint_scopes()
        else:
            scopes = tuple(req.blueprints)

        plan = self._plans.get(scopes)

        if plan is None or plan.generation != self._generation.value:
            plan = self._scope_plan(scopes)

        return plan

    def preprocess_request(self) -> ft.ResponseReturnValue | None:
        """Run the URL value preprocessors, then the ``before_request``
        functions, each of the app first and then of the blueprints from
        the outermost in. The first ``before_request`` value that is not
        ``None`` ends this and becomes the response.
        """
        # PERF: with none registered anywhere (the registries hold every
        # scope's), no scope has any: the plan is not needed. With the same
        # check in process_response, 7% of a hello-world request's
        # instructions (callgrind, 115.5k -> 107.2k).
        if not (self.before_request_funcs or self.url_value_preprocessors):
            return None

        req = _cv_request.get().request
        plan = self._request_plan(req)

        for preprocessor in plan.url_value_preprocessors:
            preprocessor(req.endpoint, req.view_args)

        if plan.before_request:
            direct = plan.sync_hooks and self._calls_hooks_directly()

            for before in plan.before_request:
                rv = (before if direct else self.ensure_sync(before))()

                if rv is not None:
                    return rv  # type: ignore[no-any-return]

        return None

    def _calls_hooks_directly(self) -> bool:
        """Whether plain sync hooks may be called without :meth:`ensure_sync`,
        which would return them unchanged: it is Flask's own (not replaced
        on a subclass, the class or the app), and no ASGI request is being
        served.

        PERF: one check per request instead of an ensure_sync call per
        hook: the bench's blueprint request, with three before and three
        after hooks, 7% fewer instructions (183.3k -> 171.1k).
        """
        return (
            type(self).ensure_sync is type(self)._own_ensure_sync
            and "ensure_sync" not in self.__dict__
            and _cv_bridge.get(None) is None
        )

    def dispatch_request(self) -> ft.ResponseReturnValue:
        """Call the matched view and return what it returns; raise the
        routing error instead if matching failed, and answer an automatic
        ``OPTIONS`` request.
        """
        req = _cv_request.get().request

        if req.routing_exception is not None:
            self.raise_routing_exception(req)

        rule: Rule = req.url_rule  # type: ignore[assignment]

        if req.method == "OPTIONS" and getattr(
            rule, "provide_automatic_options", False
        ):
            return self.make_default_options_response()

        view = self.view_functions[rule.endpoint]

        if rule.websocket and view in _websocket_handlers:
            # A handshake for a websocket() route reached a WSGI server.
            raise BadRequest(_WEBSOCKET_OVER_WSGI)

        view_args: dict[str, t.Any] = req.view_args  # type: ignore[assignment]
        return self.ensure_sync(view)(**view_args)  # type: ignore[no-any-return]

    def finalize_request(
        self,
        rv: ft.ResponseReturnValue | HTTPException,
        from_error_handler: bool = False,
    ) -> Response:
        """Make the response, pass it through :meth:`process_response` and
        send :data:`~flask.request_finished`.

        :param from_error_handler: Set for the response of a 500 handler:
            an error raised by the hooks is then logged, not raised.
        """
        response = self.make_response(rv)

        try:
            response = self.process_response(response)

            if request_finished.receivers:
                request_finished.send(
                    self, _async_wrapper=self.ensure_sync, response=response
                )
        except Exception:
            # The response of a 500 handler is sent even so.
            if from_error_handler:
                self.logger.exception(_FINALIZE_FAILED)
            else:
                raise

        return response

    def make_response(self, rv: ft.ResponseReturnValue) -> Response:
        """Make a :attr:`response_class` from a view's return value.

        A response is kept as it is; ``str`` and ``bytes`` become the
        body; ``dict`` and ``list`` become JSON; an iterator streams; other
        response objects and WSGI callables are converted. A tuple adds a
        status, headers or both: ``(body, status)``, ``(body, headers)``,
        ``(body, status, headers)``.

        :raises TypeError: for ``None`` and for values of other types.
        """
        return coerce(self, rv)

    def make_default_options_response(self) -> Response:
        """The answer to an automatic ``OPTIONS`` request: empty, with an
        ``Allow`` header listing the methods the URL accepts.
        """
        adapter = _cv_request.get().url_adapter
        response = self.response_class()
        response.allow.update(adapter.allowed_methods())  # type: ignore[union-attr]
        return response

    def process_response(self, response: Response) -> Response:
        """Pass the response through the functions given to
        :func:`~flask.after_this_request`, then the ``after_request``
        functions from the innermost blueprint out to the app (the latest
        registered first in each), then save the session.
        """
        ctx = _cv_request.get()

        for func in ctx._after_request_functions:
            response = self.ensure_sync(func)(response)

        # PERF: as in preprocess_request, no plan without any function.
        if self.after_request_funcs:
            plan = self._request_plan(ctx.request)

            if plan.after_request:
                direct = plan.sync_hooks and self._calls_hooks_directly()

                for func in plan.after_request:
                    response = (func if direct else self.ensure_sync(func))(response)

        if security_headers := self.config.get("SECURITY_HEADERS"):
            _opt_in("_security_headers").add_security_headers(
                ctx.request, response, security_headers
            )

        # PERF: a session never opened, without a cookie to refresh, has
        # nothing to save: checked here rather than in _save_session, which
        # spares a call (2% of a hello-world request, 109.3k -> 107.2k).
        if ctx._session_kept is not None or "HTTP_COOKIE" in ctx.request.environ:
            ctx._save_session(response)

        return response

    def do_teardown_request(
        self,
        exc: BaseException | None = _sentinel,  # type: ignore[assignment]
    ) -> None:
        """Call the ``teardown_request`` functions with ``exc``, from the
        innermost blueprint out to the app (the latest registered first in
        each), then send :data:`~flask.request_tearing_down`. All of them
        run even if one raises; the first error is raised after.

        :param exc: The unhandled exception or ``None``; by default the
            one being handled.
        """
        funcs = self._request_plan(_cv_request.get().request).teardown_request
        self._tear_down(funcs, exc, request_tearing_down)

    def do_teardown_appcontext(
        self,
        exc: BaseException | None = _sentinel,  # type: ignore[assignment]
    ) -> None:
        """Call the ``teardown_appcontext`` functions with ``exc``, the
        latest registered first, then send
        :data:`~flask.appcontext_tearing_down`. All of them run even if
        one raises; the first error is raised after.

        :param exc: The unhandled exception or ``None``; by default the
            one being handled.
        """
        funcs = self.teardown_appcontext_funcs
        self._tear_down(funcs[::-1] if funcs else funcs, exc, appcontext_tearing_down)

    def _tear_down(
        self,
        funcs: t.Sequence[ft.TeardownCallable],
        exc: BaseException | None,
        signal: t.Any,
    ) -> None:
        if exc is _sentinel:
            exc = sys.exc_info()[1]

        error = _run_teardowns(funcs, exc, self.ensure_sync) if funcs else None

        if signal.receivers:
            signal.send(self, _async_wrapper=self.ensure_sync, exc=exc)

        if error is not None:
            raise error

    # -- errors ----------------------------------------------------------

    def _handler_for(self, e: Exception) -> ft.ErrorHandlerCallable | None:
        req = _cv_request.get().request
        return self._find_error_handler(e, self._request_scopes(req))

    def handle_http_exception(
        self, e: HTTPException
    ) -> HTTPException | ft.ResponseReturnValue:
        """The response for an HTTP exception: what its handler returns,
        or the exception itself (which is a response) without one.
        Routing redirects and errors without a code never reach handlers.
        """
        if e.code is None or isinstance(e, RoutingException):
            return e

        handler = self._handler_for(e)
        return e if handler is None else self.ensure_sync(handler)(e)

    def handle_user_exception(
        self, e: Exception
    ) -> HTTPException | ft.ResponseReturnValue:
        """Handle what the hooks or the view raised: HTTP exceptions go to
        :meth:`handle_http_exception`, others to their registered handler;
        without one the exception is raised again.
        """
        if isinstance(e, HTTPException):
            if isinstance(e, BadRequestKeyError) and (
                self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
            ):
                e.show_exception = True

            if not self.trap_http_exception(e):
                return self.handle_http_exception(e)

        handler = self._handler_for(e)

        if handler is None:
            raise

        return self.ensure_sync(handler)(e)  # type: ignore[no-any-return]

    def handle_exception(self, e: Exception) -> Response:
        """Handle an exception nothing else did: send
        :data:`~flask.got_request_exception`, then raise it again if
        exceptions propagate (testing, debug, ``PROPAGATE_EXCEPTIONS``);
        otherwise log it and answer a 500 through the 500 handler, whose
        error carries ``original_exception``.
        """
        exc_info = sys.exc_info()

        if got_request_exception.receivers:
            got_request_exception.send(
                self, _async_wrapper=self.ensure_sync, exception=e
            )

        propagate = self.config["PROPAGATE_EXCEPTIONS"]

        if propagate if propagate is not None else self.testing or self.debug:
            # Raised in place when it is the one being handled, to keep its
            # traceback as it is.
            if exc_info[1] is not e:
                raise e

            raise

        self.log_exception(exc_info)
        wrapped = InternalServerError(original_exception=e)
        handler = self._handler_for(wrapped)
        rv = wrapped if handler is None else self.ensure_sync(handler)(wrapped)
        return self.finalize_request(rv, from_error_handler=True)

    def log_exception(
        self,
        exc_info: (tuple[type, BaseException, TracebackType] | tuple[None, None, None]),
    ) -> None:
        """Log an unhandled exception, with the request's method and path,
        on :attr:`logger`.
        """
        req = _cv_request.get().request
        self.logger.error(f"Exception on {req.path} [{req.method}]", exc_info=exc_info)

    # -- async -----------------------------------------------------------

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """``func`` itself, or, for a coroutine function, a wrapper that
        runs it to completion; views and hooks are called through this.
        """
        # PERF: for a plain function without attributes (neither wrapped
        # nor marked as a coroutine function) its code flags answer, with
        # none of inspect's unwrapping, which cost about 2% of a request.
        # (sansio._plan.is_plain_sync, inlined: this runs for every view.)
        if type(func) is FunctionType and not func.__dict__:
            is_coroutine = bool(func.__code__.co_flags & CO_COROUTINE)
        else:
            is_coroutine = iscoroutinefunction(func)

        if is_coroutine:
            return self.async_to_sync(func)

        if _cv_bridge.get(None) is not None:
            # Under ASGI, sync code runs off the event loop.
            from ._bridge import bridged

            return bridged(func, False)

        return func

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """Wrap a coroutine function so that calling it runs the coroutine
        to completion and returns its result; override to run coroutines
        another way. Under WSGI they run on an event loop kept by the
        calling thread (``flask._async``), in a copy of the caller's
        context that is copied back; under ASGI (:attr:`asgi`), on the
        server's loop.

        COMPAT(3.1): asgiref (the ``async`` extra) is still required under
        WSGI, so that an app that runs here also runs on Flask.

        :raises RuntimeError: when asgiref is not installed (under WSGI).
        """
        global _run_coroutine

        if _cv_bridge.get(None) is not None:
            from ._bridge import bridged

            return bridged(func, True)

        # A None entry stands for a module that cannot be imported.
        if sys.modules.get("asgiref.sync") is None:
            try:
                import asgiref.sync  # noqa: F401
            except ImportError:
                raise RuntimeError(
                    "Install Flask with the 'async' extra in order to use async views."
                ) from None

        if _run_coroutine is None:
            # asyncio is slow to import: only now.
            from ._async import run

            _run_coroutine = run

        return partial(_run_coroutine, func)

    # -- contexts and testing ----------------------------------------------

    def app_context(self) -> AppContext:
        """Make an :class:`~flask.ctx.AppContext`; push it (``with``) to use
        the app outside a request.
        """
        return AppContext(self)

    def request_context(self, environ: WSGIEnvironment) -> RequestContext:
        """Make a :class:`~flask.ctx.RequestContext` for a WSGI environ, as
        :meth:`wsgi_app` does for each request.
        """
        return RequestContext(self, environ)

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """Make a request context for a request that is described but not
        sent, to test code that needs one. The arguments are
        :class:`werkzeug.test.EnvironBuilder`'s; the URL defaults to the
        app's ``SERVER_NAME``, ``APPLICATION_ROOT`` and scheme.
        """
        from .testing import EnvironBuilder

        builder = EnvironBuilder(self, *args, **kwargs)

        try:
            environ = builder.get_environ()
        finally:
            builder.close()

        return self.request_context(environ)

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> FlaskClient:
        """A client that sends requests to the app directly, for tests: an
        instance of :attr:`test_client_class`.

        :param use_cookies: Keep cookies between requests.
        :param kwargs: For the client class.
        """
        from .testing import FlaskClient

        client_class = self.test_client_class or FlaskClient
        return client_class(
            self, self.response_class, use_cookies=use_cookies, **kwargs
        )

    def test_cli_runner(self, **kwargs: t.Any) -> FlaskCliRunner:
        """A runner that invokes the app's CLI commands in tests: an
        instance of :attr:`test_cli_runner_class`.
        """
        from .testing import FlaskCliRunner

        runner_class = self.test_cli_runner_class or FlaskCliRunner
        return runner_class(self, **kwargs)

    # -- the development server --------------------------------------------

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Serve the app with werkzeug's development server, not made for
        production; ``flask run`` is the usual way during development.

        :param host: The interface; ``127.0.0.1`` or ``SERVER_NAME``'s host.
        :param port: The port; ``5000`` or ``SERVER_NAME``'s port.
        :param debug: Turn on debug mode, the reloader and the debugger.
        :param load_dotenv: Load ``.env`` and ``.flaskenv`` first.
        :param options: For :func:`werkzeug.serving.run_simple`.
        """
        from ._devserver import serve

        serve(self, host, port, debug, load_dotenv, options)

    # Flask's own methods, as defined here. A fast path that skips one
    # (the contexts' teardowns, _calls_hooks_directly) compares the app's
    # with these, so that a replacement on a subclass or on the class is
    # still called.
    _own_request_teardown = do_teardown_request
    _own_app_teardown = do_teardown_appcontext
    _own_ensure_sync = ensure_sync
