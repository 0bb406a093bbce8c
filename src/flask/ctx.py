"""The application and request contexts, and the helpers that use them."""

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
from .signals import appcontext_popped
from .signals import appcontext_pushed

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import MapAdapter

    from .app import Flask
    from .sessions import SessionMixin
    from .wrappers import Request


# A marker for "no argument given", where None is a meaningful value.
_sentinel = object()

_werkzeug_request_close = _WerkzeugRequest.close


class _AppCtxGlobals:
    """The namespace behind :data:`~flask.g`: one per app context.

    Set and read any attribute on it. It also works like a small dict with
    :meth:`get`, :meth:`pop`, :meth:`setdefault`, ``in`` and iteration.
    """

    # Attribute access goes straight to the instance __dict__; these
    # methods only give a dict-like interface on top.

    def __getattr__(self, name: str) -> t.Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: t.Any) -> None:
        self.__dict__[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str, default: t.Any | None = None) -> t.Any:
        """Return attribute ``name``, or ``default`` if it is not set."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: t.Any = _sentinel) -> t.Any:
        """Remove attribute ``name`` and return its value.

        :raises KeyError: if it is not set and no ``default`` is given.
        """
        if default is _sentinel:
            return self.__dict__.pop(name)

        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: t.Any = None) -> t.Any:
        """Return attribute ``name``, setting it to ``default`` first if it
        is not set.
        """
        return self.__dict__.setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__

    def __iter__(self) -> t.Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        ctx = _cv_app.get(None)

        if ctx is not None:
            return f"<flask.g of '{ctx.app.name}'>"

        return object.__repr__(self)


def after_this_request(
    f: ft.AfterRequestCallable[t.Any],
) -> ft.AfterRequestCallable[t.Any]:
    """Run ``f`` on the response of the current request only, before the
    ``after_request`` hooks. ``f`` takes and returns the response.
    """
    ctx = _cv_request.get(None)

    if ctx is None:
        raise RuntimeError(
            "'after_this_request' can only be used when a request"
            " context is active, such as in a view function."
        )

    ctx._after_request_functions.append(f)
    return f


F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def copy_current_request_context(f: F) -> F:
    """Decorate ``f`` so that it runs in a copy of the current request
    context, for use in another thread or a greenlet.

    The copy shares the request and session objects with the original.
    """
    ctx = _cv_request.get(None)

    if ctx is None:
        raise RuntimeError(
            "'copy_current_request_context' can only be used when a"
            " request context is active, such as in a view function."
        )

    ctx = ctx.copy()

    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        with ctx:
            return ctx.app.ensure_sync(f)(*args, **kwargs)

    return update_wrapper(wrapper, f)  # type: ignore[return-value]


def has_request_context() -> bool:
    """Whether a request context is active, so that :data:`~flask.request`
    and :data:`~flask.session` can be used.
    """
    return _cv_request.get(None) is not None


def has_app_context() -> bool:
    """Whether an application context is active, so that
    :data:`~flask.current_app` and :data:`~flask.g` can be used.
    """
    return _cv_app.get(None) is not None


class AppContext:
    """Makes an application current: :data:`~flask.current_app` and
    :data:`~flask.g` point to it while it is pushed.

    A request context pushes one when needed. Push it yourself with
    ``with app.app_context():`` to use the app outside a request, in a
    CLI command or a test.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        #: Builds URLs without a request; only when ``SERVER_NAME`` is set.
        self.url_adapter = app.create_url_adapter(None)
        #: The :data:`~flask.g` of this context.
        self.g: _AppCtxGlobals = app.app_ctx_globals_class()
        self._cv_tokens: list[contextvars.Token[AppContext]] = []

    def push(self) -> None:
        """Make this context the current one."""
        self._cv_tokens.append(_cv_app.set(self))

        if appcontext_pushed.receivers:
            appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)

    def pop(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Pop this context, running the teardown functions when it is the
        last push.

        :param exc: The error to pass to teardown functions; the one being
            handled by default.
        """
        try:
            if len(self._cv_tokens) == 1:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]

                self.app.do_teardown_appcontext(exc)
        finally:
            ctx = _cv_app.get()
            _cv_app.reset(self._cv_tokens.pop())

        if ctx is not self:
            raise AssertionError(
                f"Popped wrong app context. ({ctx!r} instead of {self!r})"
            )

        if appcontext_popped.receivers:
            appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)

    def __enter__(self) -> AppContext:
        self.push()
        return self

    def __exit__(
        self,
        exc_type: type | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pop(exc_value)


class _LazySession:
    """``RequestContext._session``: the session, opened on first read.

    PERF: opening the cookie session only when it is first needed spares
    parsing and verifying the cookie on requests that never use it. Code
    that reads ``_session`` directly (extensions, test suites) still finds
    the session object there once the context has been pushed, without it
    being marked accessed; before the first push it is ``None``. A
    non-data descriptor: once opened or assigned, the instance attribute
    answers and this is not called again.
    """

    def __get__(self, ctx: RequestContext | None, owner: type[RequestContext]) -> t.Any:
        if ctx is None:
            return self

        if not ctx.__dict__.get("_pushed"):
            return None

        session = ctx._session = ctx.app._open_session(ctx.request)
        return session


class RequestContext:
    """Holds everything about one request: the request object, the URL
    adapter, the session and the flashed messages.

    :meth:`flask.Flask.wsgi_app` creates and pushes one per request;
    :meth:`flask.Flask.test_request_context` makes one for tests. Pushing
    it also pushes an app context if this app's is not active.
    """

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
        # The single URL adapter of this request: it matches the URL and
        # builds URLs. A binding error (bad host) is kept for dispatch.
        self.url_adapter: MapAdapter | None = None

        try:
            self.url_adapter = app.create_url_adapter(self.request)
        except HTTPException as e:
            self.request.routing_exception = e

        #: Messages taken from the session by get_flashed_messages.
        self.flashes: list[tuple[str, str]] | None = None

        # Without a session given, ``_session`` is left to the class
        # descriptor, which opens it on first read once pushed.
        if session is not None:
            self._session = session

        self._pushed = False
        self._after_request_functions: list[ft.AfterRequestCallable[t.Any]] = []
        self._cv_tokens: list[
            tuple[contextvars.Token[RequestContext], AppContext | None]
        ] = []

    _session: SessionMixin | None = _LazySession()  # type: ignore[assignment]

    @property
    def session(self) -> SessionMixin:
        """The session of this request, opened on first use.

        Reaching the session through here (the ``session`` proxy does)
        marks it accessed, so the response gets ``Vary: Cookie``.
        """
        session = self._get_session()
        session.accessed = True
        return session

    def _get_session(self) -> SessionMixin:
        """The session, opened if needed, without marking it accessed."""
        session = self.__dict__.get("_session")

        if session is None:
            session = self._session = self.app._open_session(self.request)

        return session

    def copy(self) -> RequestContext:
        """Return a new context for the same request and session, which
        can be pushed in another thread or a generator.
        """
        return self.__class__(
            self.app,
            environ=self.request.environ,
            request=self.request,
            # The copy must share the session object, so open it now.
            session=self._get_session(),
        )

    def match_request(self) -> None:
        """Match the URL; store the rule and arguments on the request, or
        the routing error to raise at dispatch.
        """
        try:
            result = self.app._match_cache.match(self.url_adapter)  # type: ignore[arg-type]
            self.request.url_rule, self.request.view_args = result
        except HTTPException as e:
            self.request.routing_exception = e

    def push(self) -> None:
        """Make this context current, pushing an app context first if
        needed, and match the URL.
        """
        app_ctx = _cv_app.get(None)

        if app_ctx is None or app_ctx.app is not self.app:
            app_ctx = self.app.app_context()
            app_ctx.push()
        else:
            app_ctx = None

        self._cv_tokens.append((_cv_request.set(self), app_ctx))

        if len(self._cv_tokens) == 1:
            self._pushed = True

            if (
                self.__dict__.get("_session") is None
                and not self.app._session_opens_lazily()
            ):
                self._session = self.app._open_session(self.request)

            if self.url_adapter is not None:
                self.match_request()

    def pop(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Pop this context. The last pop runs the teardown functions,
        closes the request, and pops the app context it pushed.

        :param exc: The error to pass to teardown functions; the one being
            handled by default.
        """
        clear_request = len(self._cv_tokens) == 1

        try:
            if clear_request:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]

                self.app.do_teardown_request(exc)
                request = self.request
                close = getattr(type(request), "close", None)

                # PERF: werkzeug's close only closes uploaded files; skip it
                # when none were parsed.
                if close is not None and (
                    close is not _werkzeug_request_close or "files" in request.__dict__
                ):
                    request.close()
        finally:
            ctx = _cv_request.get()
            token, app_ctx = self._cv_tokens.pop()
            _cv_request.reset(token)

            # Break the request <-> environ cycle so memory is freed
            # without waiting for the garbage collector.
            if clear_request:
                ctx.request.environ["werkzeug.request"] = None

            if app_ctx is not None:
                app_ctx.pop(exc)

            if ctx is not self:
                raise AssertionError(
                    f"Popped wrong request context. ({ctx!r} instead of {self!r})"
                )

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(
        self,
        exc_type: type | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.request.url!r}"
            f" [{self.request.method}] of {self.app.name}>"
        )
