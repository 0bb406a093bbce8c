"""Type aliases for annotations: what a view may return, and the shapes of
the functions the registration decorators accept.

Nothing here is used at run time; the names and their values are part of
Flask's public typing API.
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t

if t.TYPE_CHECKING:  # pragma: no cover
    # Only named in string annotations below.
    from _typeshed.wsgi import WSGIApplication  # noqa: F401
    from werkzeug.datastructures import Headers  # noqa: F401
    from werkzeug.sansio.response import Response  # noqa: F401

# --- return values -----------------------------------------------------------

# A response body, before the app turns it into a response object. The
# mapping is one that the JSON provider can serialise.
ResponseValue = t.Union[
    "Response",
    str,
    bytes,
    list[t.Any],
    t.Mapping[str, t.Any],
    t.Iterator[str],
    t.Iterator[bytes],
    cabc.AsyncIterable[str],
    cabc.AsyncIterable[bytes],
]

# One header's value; a list or tuple repeats the header.
HeaderValue = t.Union[str, list[str], tuple[str, ...]]

# What werkzeug's ``Headers`` can be built from.
HeadersValue = t.Union[
    "Headers",
    t.Mapping[str, HeaderValue],
    t.Sequence[tuple[str, HeaderValue]],
]

ResponseReturnValue = t.Union[
    ResponseValue,
    # (body, headers)
    tuple[ResponseValue, HeadersValue],
    # (body, status)
    tuple[ResponseValue, int],
    # (body, status, headers)
    tuple[ResponseValue, int, HeadersValue],
    # any WSGI application, called as the response
    "WSGIApplication",
]

# --- registered functions ----------------------------------------------------

_P = t.ParamSpec("_P")
_R = t.TypeVar("_R")

# A function the app may call directly or await: the app runs coroutine
# functions through ``ensure_sync``, so every hook may be either.
_SyncOrAsync = t.Union[t.Callable[_P, _R], t.Callable[_P, t.Awaitable[_R]]]

#: Hooks that get the response and return it (or a replacement) are typed
#: with this, so any werkzeug response subclass is accepted.
ResponseClass = t.TypeVar("ResponseClass", bound="Response")

#: Keys of the per-scope registries: ``None`` for the app itself, the
#: blueprint's dotted name otherwise.
AppOrBlueprintKey = t.Optional[str]

# Request lifecycle hooks.
BeforeFirstRequestCallable = _SyncOrAsync[[], None]
BeforeRequestCallable = _SyncOrAsync[[], t.Optional[ResponseReturnValue]]
AfterRequestCallable = _SyncOrAsync[[ResponseClass], ResponseClass]
TeardownCallable = _SyncOrAsync[[t.Optional[BaseException]], None]

# Views and error handlers. An error handler's parameter is ``Any`` because
# a handler may be registered for any exception class.
RouteCallable = _SyncOrAsync[..., ResponseReturnValue]
ErrorHandlerCallable = _SyncOrAsync[[t.Any], ResponseReturnValue]

# URL building and matching.
URLDefaultCallable = t.Callable[[str, dict[str, t.Any]], None]
URLValuePreprocessorCallable = t.Callable[
    [t.Optional[str], t.Optional[dict[str, t.Any]]], None
]

# Templates and the shell.
TemplateContextProcessorCallable = _SyncOrAsync[[], dict[str, t.Any]]
TemplateFilterCallable = t.Callable[..., t.Any]
TemplateGlobalCallable = t.Callable[..., t.Any]
TemplateTestCallable = t.Callable[..., bool]
ShellContextProcessorCallable = t.Callable[[], dict[str, t.Any]]
