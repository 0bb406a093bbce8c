"""The application and request contexts, and the helpers that use them.

Each context is pushed by setting a module-level ContextVar
(:data:`~flask.globals._cv_app`, :data:`~flask.globals._cv_request`) and
popped by resetting it with the token kept at push time. Pushing the same
context again nests: only the outermost push does the setup work, and only
the matching pop runs the teardown functions.
"""

from __future__ import annotations

import contextvars
import sys
import typing as t
from functools import update_wrapper
from types import TracebackType

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request as _WerkzeugRequest

from . import typing as ft
from .globals import _cv_app
from .globals import _cv_request
from .sessions import SecureCookieSessionInterface
from .signals import appcontext_popped
from .signals import appcontext_pushed
from .signals import appcontext_tearing_down
from .signals import request_tearing_down

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import MapAdapter

    from .app import Flask
    from .sessions import SessionInterface
    from .sessions import SessionMixin
    from .wrappers import Request
    from .wrappers import Response


# Stands for "not given" where None is a meaningful argument.
_sentinel = object()

_werkzeug_request_close = _WerkzeugRequest.close


class _AppCtxGlobals:
    """The object behind :data:`~flask.g`, one per app context: set any
    attribute on it, or use it like a small dict with :meth:`get`,
    :meth:`pop`, :meth:`setdefault`, ``in`` and iteration over the names.
    """

    # Attributes live in the instance __dict__; the dunders below make a
    # missing one fail with just its name, and tell type checkers that any
    # attribute may be set.

    def __getattr__(self, name: str) -> t.Any:
        raise AttributeError(name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        self.__dict__[name] = value

    def __delattr__(self, name: str) -> None:
        if name not in self.__dict__:
            raise AttributeError(name)

        del self.__dict__[name]

    def get(self, name: str, default: t.Any | None = None) -> t.Any:
        """The value of ``name``, or ``default`` when it is not set."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: t.Any = _sentinel) -> t.Any:
        """Remove ``name`` and return its value, or ``default`` when it is
        not set.

        :raises KeyError: when it is not set and there is no ``default``.
        """
        values = self.__dict__

        if default is _sentinel or name in values:
            return values.pop(name)

        return default

    def setdefault(self, name: str, default: t.Any = None) -> t.Any:
        """The value of ``name``, set to ``default`` first if it is unset."""
        return self.__dict__.setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__

    def __iter__(self) -> t.Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        current = _cv_app.get(None)

        if current is None:
            return object.__repr__(self)

        return f"<flask.g of '{current.app.name}'>"


def _run_teardowns(
    funcs: t.Iterable[ft.TeardownCallable],
    exc: BaseException | None,
    ensure_sync: t.Callable[..., t.Any],
) -> BaseException | None:
    """Call each teardown function with ``exc``; return the first error
    one of them raised, if any.

    NOTE: one failing function must not keep the others from releasing
    their resources, so errors are collected and raised after all ran.
    """
    first_error: BaseException | None = None

    for func in funcs:
        try:
            ensure_sync(func)(exc)
        except Exception as e:
            if first_error is None:
                first_error = e

    return first_error


def _require_request(feature: str) -> RequestContext:
    ctx = _cv_request.get(None)

    if ctx is None:
        raise RuntimeError(
            f"'{feature}' can only be used when a request context is"
            " active, such as in a view function."
        )

    return ctx


def after_this_request(
    f: ft.AfterRequestCallable[t.Any],
) -> ft.AfterRequestCallable[t.Any]:
    """Pass the current request's response, and only this one, through
    ``f`` before the ``after_request`` functions run. ``f`` returns the
    response or a replacement.
    """
    _require_request("after_this_request")._after_request_functions.append(f)
    return f


F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def copy_current_request_context(f: F) -> F:
    """Make ``f`` run inside a copy of the current request context, for
    calling it from another thread or a greenlet. The copy shares the
    request and the session.
    """
    ctx = _require_request("copy_current_request_context").copy()

    def in_copied_context(*args: t.Any, **kwargs: t.Any) -> t.Any:
        with ctx:
            return ctx.app.ensure_sync(f)(*args, **kwargs)

    return update_wrapper(in_copied_context, f)  # type: ignore[return-value]


def has_request_context() -> bool:
    """Whether a request context is pushed: :data:`~flask.request` and
    :data:`~flask.session` are usable.
    """
    return _cv_request.get(None) is not None


def has_app_context() -> bool:
    """Whether an app context is pushed: :data:`~flask.current_app` and
    :data:`~flask.g` are usable.
    """
    return _cv_app.get(None) is not None


_P = t.TypeVar("_P", bound="_Pushable")


class _Pushable:
    """``with`` support for the contexts: push on entry, pop with the
    exception on exit.
    """

    def push(self) -> None:
        raise NotImplementedError

    def pop(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        raise NotImplementedError

    def __enter__(self: _P) -> _P:
        self.push()
        return self

    def __exit__(
        self,
        exc_type: type | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pop(exc_value)


def _wrong_pop(kind: str, current: object, popped: object) -> AssertionError:
    return AssertionError(
        f"Popped wrong {kind} context. ({current!r} instead of {popped!r})"
    )


class AppContext(_Pushable):
    """Makes an app current: :data:`~flask.current_app` and
    :data:`~flask.g` refer to it while it is pushed.

    Each request pushes one if the app is not current already; push one
    yourself (``with app.app_context():``) to use the app in a CLI
    command, a test or a background job.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        #: Builds URLs without a request; ``None`` unless ``SERVER_NAME``
        #: is configured.
        self.url_adapter = app.create_url_adapter(None)
        #: This context's :data:`~flask.g`.
        self.g: _AppCtxGlobals = app.app_ctx_globals_class()
        self._cv_tokens: list[contextvars.Token[AppContext]] = []

    def push(self) -> None:
        """Make this the current app context."""
        self._cv_tokens.append(_cv_app.set(self))

        if appcontext_pushed.receivers:
            appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)

    def pop(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Undo the latest push; undoing the first one runs the app's
        teardown functions.

        :param exc: What teardown functions receive; by default the
            exception being handled, if any.
        """
        tokens = self._cv_tokens

        try:
            if len(tokens) == 1:
                app = self.app
                cls = type(app)

                # PERF: Flask's own do_teardown_appcontext does nothing
                # without functions or receivers; it is then not called.
                # With the request's teardown below, 7% of a hello-world
                # request's instructions (callgrind, 115.6k -> 107.2k);
                # tests/test_fastpath_pipeline.py replaces the method
                # every way and connects receivers.
                if (
                    app.teardown_appcontext_funcs
                    or appcontext_tearing_down.receivers
                    or cls.do_teardown_appcontext is not cls._own_app_teardown
                    or "do_teardown_appcontext" in app.__dict__
                ):
                    app.do_teardown_appcontext(
                        sys.exc_info()[1] if exc is _sentinel else exc
                    )
        finally:
            current = _cv_app.get()
            _cv_app.reset(tokens.pop())

        if current is not self:
            raise _wrong_pop("app", current, self)

        if appcontext_popped.receivers:
            appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)


_cookie_interface = SecureCookieSessionInterface
_open = _cookie_interface.open_session
_save = _cookie_interface.save_session
_is_null = _cookie_interface.is_null_session
_make_null = _cookie_interface.make_null_session


def _opens_lazily(interface: SessionInterface) -> bool:
    """Whether the session may wait until first used to open (and, never
    used and without a cookie, not be saved): only for the built-in cookie
    interface as it ships, whose results do not depend on when it runs.
    Another interface, or one whose methods were replaced on the instance
    or the class (a test's mock), is called at push and at save, as it
    expects.
    """
    cls = _cookie_interface
    return (
        type(interface) is cls
        and not interface.__dict__
        and cls.open_session is _open
        and cls.save_session is _save
        and cls.is_null_session is _is_null
        and cls.make_null_session is _make_null
    )


class _LazySession:
    """``RequestContext._session``: the session, opened on first read.

    PERF: opening the cookie session only when it is first needed spares
    parsing and verifying the cookie on requests that never use it. Code
    that reads ``_session`` directly (extensions, test suites) still finds
    the session there once the context has been pushed, not marked
    accessed; before the first push it is ``None``, as in Flask 3.1.

    The session is kept in ``_session_kept`` (``None``: not opened), which
    the framework reads to know whether it was opened. A data descriptor,
    so that assigning ``_session`` is seen too; not the instance
    ``__dict__``, whose use on CPython 3.11 makes every later attribute
    read of the context slower (see ``wrappers._kept_property``).
    """

    def __get__(self, ctx: RequestContext | None, owner: type[RequestContext]) -> t.Any:
        if ctx is None:
            return self

        session = ctx._session_kept

        if session is None and ctx._pushed:
            session = ctx._session_kept = ctx._open_session()

        return session

    def __set__(self, ctx: RequestContext, value: SessionMixin | None) -> None:
        ctx._session_kept = value

    def __delete__(self, ctx: RequestContext) -> None:
        if ctx._session_kept is None:
            raise AttributeError("_session")

        ctx._session_kept = None


class RequestContext(_Pushable):
    """Everything about one request: the request object, its URL adapter,
    its session and flashed messages. Pushing it makes
    :data:`~flask.request` and :data:`~flask.session` refer to them, and
    pushes an app context first if this app's is not current.

    :meth:`flask.Flask.wsgi_app` makes and pushes one per request; tests
    get one from :meth:`flask.Flask.test_request_context`.
    """

    _session: SessionMixin | None = _LazySession()  # type: ignore[assignment]
    _session_kept: SessionMixin | None = None
    _pushed = False

    def __init__(
        self,
        app: Flask,
        environ: WSGIEnvironment,
        request: Request | None = None,
        session: SessionMixin | None = None,
    ) -> None:
        self.app = app

        if request is None:
            request = app.request_class(environ)
            request.json_module = app.json

        self.request: Request = request
        #: The one URL adapter of the request: it matches the URL and
        #: builds URLs. When binding fails (an untrusted host), the error
        #: is kept on the request and raised at dispatch.
        self.url_adapter: MapAdapter | None = None

        try:
            self.url_adapter = app.create_url_adapter(request)
        except HTTPException as e:
            request.routing_exception = e

        #: The flashed messages, once :func:`~flask.get_flashed_messages`
        #: has taken them from the session.
        self.flashes: list[tuple[str, str]] | None = None

        # None: the class descriptor opens it when it is first needed.
        self._session_kept = session
        self._pushed = False
        self._after_request_functions: list[ft.AfterRequestCallable[t.Any]] = []
        self._cv_tokens: list[
            tuple[contextvars.Token[RequestContext], AppContext | None]
        ] = []

    @property
    def session(self) -> SessionMixin:
        """The request's session, opened on first use; using it through
        here (as the :data:`~flask.session` proxy does) marks it accessed,
        so that the response varies on the cookie.
        """
        session = self._get_session()
        session.accessed = True
        return session

    def _get_session(self) -> SessionMixin:
        """The session, opened if needed, not marked accessed."""
        session = self._session_kept

        if session is None:
            session = self._session_kept = self._open_session()

        return session

    def _open_session(self) -> SessionMixin:
        """Open the session with the app's interface; a null session when
        the interface declines (no secret key).
        """
        app = self.app
        interface = app.session_interface
        opened = interface.open_session(app, self.request)
        return interface.make_null_session(app) if opened is None else opened

    def _save_session(self, response: Response) -> None:
        """Let the app's interface save the session into ``response``."""
        app = self.app
        interface = app.session_interface
        opened = self._session_kept

        if opened is None:
            # Never opened. Without the session's cookie, the empty session
            # would neither set nor delete one: nothing to do (the caller,
            # process_response, does not call this without a Cookie
            # header). With it, open it so that a permanent session is
            # refreshed.
            if interface.get_cookie_name(app) not in self.request.cookies:
                return

            opened = self._get_session()

        if not interface.is_null_session(opened):
            interface.save_session(app, opened, response)

    def copy(self) -> RequestContext:
        """A new context for the same request and session, to push in
        another thread or a generator.
        """
        # The copy must share the session object: open it now.
        return type(self)(
            self.app,
            self.request.environ,
            request=self.request,
            session=self._get_session(),
        )

    def match_request(self) -> None:
        """Match the URL: set the request's rule and view arguments, or
        keep the routing error to raise at dispatch.
        """
        request = self.request

        try:
            request.url_rule, request.view_args = self.app._match_cache.match(
                self.url_adapter  # type: ignore[arg-type]
            )
        except HTTPException as e:
            request.routing_exception = e

    def push(self) -> None:
        """Make this the current request context, pushing an app context
        if needed; the first push also matches the URL.
        """
        app_ctx = _cv_app.get(None)

        if app_ctx is not None and app_ctx.app is self.app:
            pushed_app_ctx = None
        else:
            pushed_app_ctx = self.app.app_context()
            pushed_app_ctx.push()

        self._cv_tokens.append((_cv_request.set(self), pushed_app_ctx))

        if len(self._cv_tokens) > 1:
            return

        self._pushed = True

        if self._session_kept is None and not _opens_lazily(self.app.session_interface):
            self._session_kept = self._open_session()

        if self.url_adapter is not None:
            self.match_request()

    def pop(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Undo the latest push. Undoing the first one runs the teardown
        functions, closes the request, and pops the app context that push
        pushed.

        :param exc: What teardown functions receive; by default the
            exception being handled, if any.
        """
        last = len(self._cv_tokens) == 1

        if last and exc is _sentinel:
            exc = sys.exc_info()[1]

        try:
            if last:
                app = self.app
                cls = type(app)

                # PERF: as the app context's teardown (AppContext.pop):
                # Flask's own does nothing without functions for the
                # request's scope or receivers.
                if (
                    request_tearing_down.receivers
                    or cls.do_teardown_request is not cls._own_request_teardown
                    or "do_teardown_request" in app.__dict__
                    or (
                        app.teardown_request_funcs
                        and app._request_plan(self.request).teardown_request
                    )
                ):
                    app.do_teardown_request(exc)

                request = self.request
                close = getattr(type(request), "close", None)

                # PERF: werkzeug's close only closes the uploaded files;
                # with none parsed, or none sent, there is nothing to do.
                if close is not None and (
                    close is not _werkzeug_request_close
                    or request.__dict__.get("files")
                ):
                    request.close()
        finally:
            current = _cv_request.get()
            token, app_ctx = self._cv_tokens.pop()
            _cv_request.reset(token)

            if last:
                # The environ refers back to the request: break the cycle
                # so the memory goes without waiting for the collector.
                current.request.environ["werkzeug.request"] = None

            if app_ctx is not None:
                app_ctx.pop(exc)

            if current is not self:
                raise _wrong_pop("request", current, self)

    def __repr__(self) -> str:
        request = self.request
        return (
            f"<{type(self).__name__} {request.url!r} [{request.method}]"
            f" of {self.app.name}>"
        )
