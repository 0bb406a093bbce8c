"""Where the current application and request live: two context variables,
and the proxies (``current_app``, ``g``, ``request``, ``session``) that user
code reads them through.

Framework code reads the context variables directly; a proxy costs about
1 us per attribute read.
"""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

from werkzeug.local import LocalProxy

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask
    from .asgi import Websocket
    from .ctx import _AppCtxGlobals
    from .ctx import AppContext
    from .ctx import RequestContext
    from .sessions import SessionMixin
    from .wrappers import Request

# Set by AppContext.push and RequestContext.push. Extensions and test suites
# import them under these names.
_cv_app: ContextVar[AppContext] = ContextVar("flask.app_ctx")
_cv_request: ContextVar[RequestContext] = ContextVar("flask.request_ctx")
# Set while an ASGI request is served: the server's loop and the thread
# pool its sync code runs in (flask._bridge.Bridge).
_cv_bridge: ContextVar[t.Any] = ContextVar("flask.asgi_bridge")
# The websocket connection being served, under ASGI.
_cv_websocket: ContextVar[Websocket] = ContextVar("flask.websocket")


def _unbound_message(context: str, *explanation: str) -> str:
    """The error a proxy raises when its context is not pushed: Flask's
    first line, which users and tests match on, then our explanation.
    """
    return "\n".join((f"Working outside of {context} context.", "", *explanation))


_no_app_msg = _unbound_message(
    "application",
    "Something asked for the current application ('current_app', 'g', or an",
    "extension bound to the app) while no application context was active.",
    "Wrap that code in 'with app.app_context():'; requests and CLI commands",
    "push one for you.",
)
_no_req_msg = _unbound_message(
    "request",
    "Something asked for the current request ('request' or 'session') while",
    "no request was being handled. In a test or a script, wrap that code in",
    "'with app.test_request_context():'; inside a view one is already active.",
)


# The names Python finds on werkzeug's proxy itself (its classes'
# attributes and slots); any other attribute is the target's.
_PROXY_OWN_NAMES = frozenset(name for cls in LocalProxy.__mro__ for name in vars(cls))
_object_getattribute = object.__getattribute__


def _proxy(var: ContextVar[t.Any], attribute: str | None, message: str) -> t.Any:
    """A proxy to the value of ``var``, or to one of its attributes:
    werkzeug's ``LocalProxy``, with the common operations done directly.

    PERF: werkzeug's proxy reaches its target through a descriptor, a
    closure and a ``partial``, and on CPython before 3.12 an attribute
    read (``g.user``) first builds the AttributeError that sends Python to
    its ``__getattr__``. Here a read, a write and the item operations get
    the target in the same call. Callgrind: the bench's blueprint request,
    which uses ``g`` four times, 8% fewer instructions (163.4k ->
    150.3k); json_params 2.7%, form and session 1.2%. Everything else is werkzeug's;
    equal to its proxy bound and unbound (tests/test_fastpath_requests.py).

    Typed ``Any`` so that each proxy below can be annotated with the class
    it stands for, which is what editors and type checkers should see.
    """

    def target() -> t.Any:
        try:
            value = var.get()
        except LookupError:
            raise RuntimeError(message) from None

        return value if attribute is None else getattr(value, attribute)

    def __getattribute__(self: LocalProxy, name: str) -> t.Any:  # type: ignore[type-arg]
        if name in _PROXY_OWN_NAMES:
            # An AttributeError here sends Python to werkzeug's __getattr__.
            return _object_getattribute(self, name)

        # target(), inlined: this is the proxies' most frequent operation.
        try:
            value = var.get()
        except LookupError:
            raise RuntimeError(message) from None

        if attribute is not None:
            value = getattr(value, attribute)

        return getattr(value, name)

    def __getattr__(self: LocalProxy, name: str) -> t.Any:  # type: ignore[type-arg]
        # After __getattribute__ failed: a name the target lacks, or one of
        # the proxy's own that raised (werkzeug's proxy then asks the
        # target too). One call instead of werkzeug's descriptor chain.
        return getattr(target(), name)

    def __setattr__(self: LocalProxy, name: str, value: t.Any) -> None:  # type: ignore[type-arg]
        setattr(target(), name, value)

    def __getitem__(self: LocalProxy, key: t.Any) -> t.Any:  # type: ignore[type-arg]
        return target()[key]

    def __setitem__(self: LocalProxy, key: t.Any, value: t.Any) -> None:  # type: ignore[type-arg]
        target()[key] = value

    def __delitem__(self: LocalProxy, key: t.Any) -> None:  # type: ignore[type-arg]
        del target()[key]

    def __contains__(self: LocalProxy, item: t.Any) -> bool:  # type: ignore[type-arg]
        return item in target()

    def __len__(self: LocalProxy) -> int:  # type: ignore[type-arg]
        return len(target())

    def __iter__(self: LocalProxy) -> t.Iterator[t.Any]:  # type: ignore[type-arg]
        try:
            value = target()
        except RuntimeError:
            # Unbound, werkzeug's proxy fails to find both __iter__ and
            # __getitem__, and Python says so: keep its message.
            raise TypeError(f"'{type(self).__name__}' object is not iterable") from None

        return iter(value)

    namespace = {
        name: value
        for name, value in locals().items()
        if name.startswith("__") and callable(value)
    }
    # What werkzeug's proxy class shows: its module, docstring (the
    # target's, through werkzeug's descriptor) and slots.
    namespace.update(
        __slots__=(),
        __module__=LocalProxy.__module__,
        __doc__=vars(LocalProxy)["__doc__"],
    )
    cls = type(LocalProxy.__name__, (LocalProxy,), namespace)
    cls.__qualname__ = LocalProxy.__qualname__
    cls.__slots__ = LocalProxy.__slots__  # type: ignore[attr-defined]
    return cls(var, attribute, unbound_message=message)


app_ctx: AppContext = _proxy(_cv_app, None, _no_app_msg)
current_app: Flask = _proxy(_cv_app, "app", _no_app_msg)
g: _AppCtxGlobals = _proxy(_cv_app, "g", _no_app_msg)

request_ctx: RequestContext = _proxy(_cv_request, None, _no_req_msg)
request: Request = _proxy(_cv_request, "request", _no_req_msg)
session: SessionMixin = _proxy(_cv_request, "session", _no_req_msg)

_no_websocket_msg = _unbound_message(
    "websocket",
    "'websocket' is the connection a websocket route's handler serves; it",
    "exists only while such a handler runs, under an ASGI server.",
)
websocket: Websocket = _proxy(_cv_websocket, None, _no_websocket_msg)
