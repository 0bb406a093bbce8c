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


class _ContextProxy(LocalProxy):  # type: ignore[type-arg]
    """werkzeug's ``LocalProxy``, reading and setting attributes of its
    target through the target itself.

    PERF: werkzeug's proxy looks an attribute up through a descriptor, a
    closure and a ``partial``, three Python calls for ``g.user``; this one
    asks the closure only (callgrind: the bench's blueprint request, which
    reads ``g`` four times, 2.6% fewer instructions, 177.7k -> 173.1k).
    Everything else, the unbound error included, is werkzeug's; equal to
    it on reads, writes and deletes, bound or not
    (tests/test_fastpath_requests.py).
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self._get_current_object(), name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        setattr(self._get_current_object(), name, value)


# Its unbound repr names the class: "<LocalProxy unbound>", as werkzeug's.
_ContextProxy.__name__ = _ContextProxy.__qualname__ = "LocalProxy"


def _proxy(var: ContextVar[t.Any], attribute: str | None, message: str) -> t.Any:
    """A proxy to the value of ``var``, or to one of its attributes.

    Typed ``Any`` so that each proxy below can be annotated with the class
    it stands for, which is what editors and type checkers should see.
    """
    return _ContextProxy(var, attribute, unbound_message=message)


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
