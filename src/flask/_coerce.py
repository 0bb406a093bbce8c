"""Turning what a view returns into a response object.

:meth:`flask.Flask.make_response` delegates here. The rules, in the order
they are tried on the body:

=====================================  =====================================
body                                   response
=====================================  =====================================
an instance of ``app.response_class``  itself
``str``, ``bytes``, ``bytearray``,     ``response_class(body, status,
an iterator (a generator)              headers)``
``dict`` or ``list``                   ``app.json.response(body)``
another response, a WSGI callable      ``response_class.force_type(body)``
``None``, anything else                :exc:`TypeError`
=====================================  =====================================

A tuple ``(body, status)``, ``(body, headers)`` or ``(body, status,
headers)`` sets the status and adds the headers afterwards.
"""

from __future__ import annotations

import collections.abc as cabc
import sys
import typing as t

from werkzeug.datastructures import Headers
from werkzeug.exceptions import default_exceptions
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from .globals import _cv_bridge
from .globals import _cv_request
from .globals import request
from .wrappers import Response

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask

_MISSING = object()

# werkzeug's own HTTP errors, which are none of the shapes tried before a
# WSGI callable (no str, iterator, dict or list): an error handler's
# usual return value goes straight to that branch.
_WERKZEUG_ERRORS = frozenset((HTTPException, *default_exceptions.values()))

# Types whose second tuple item is the headers rather than the status.
_HEADER_TYPES = (Headers, dict, tuple, list)

_BAD_TUPLE = (
    "The view function did not return a valid response tuple. The tuple"
    " must have the form (body, status, headers), (body, status), or"
    " (body, headers)."
)
_BAD_STATUS = (
    "The view function returned a status of type {kind}; it must be an int or a str."
)
_RETURNED_NONE = (
    "The view function for {endpoint!r} did not return a valid response."
    " The function either returned None or ended without a return"
    " statement."
)
_BAD_TYPE = (
    "The view function did not return a valid response. The return type"
    " must be a string, dict, list, tuple with headers or status,"
    " Response instance, or WSGI callable, but it was a {kind}."
)


def split_return_value(rv: t.Any) -> tuple[t.Any, t.Any, t.Any]:
    """``(body, status, headers)`` of a view's return value; the last two
    are ``None`` when not given.

    :raises TypeError: for a tuple of another length, or a status that is
        neither an int nor a str.
    """
    if not isinstance(rv, tuple):
        return rv, None, None

    if len(rv) == 3:
        body, status, headers = rv
    elif len(rv) != 2:
        raise TypeError(_BAD_TUPLE)
    elif isinstance(rv[1], _HEADER_TYPES):
        (body, headers), status = rv, None
    else:
        (body, status), headers = rv, None

    # NOTE: werkzeug (and so Flask 3.1) fails on any other type with an
    # AttributeError from deep inside; say what is wrong instead.
    if status is not None and not isinstance(status, (int, str)):
        raise TypeError(_BAD_STATUS.format(kind=type(status).__name__))

    return body, status, headers


def _plain_http_exception(e: HTTPException) -> bool:
    """Whether ``e`` gives the same response as when it is run as a WSGI
    app: it carries no response of its own, keeps werkzeug's
    ``__call__``, and the request is not a HEAD (whose hooks see an empty
    body).

    NOTE: a subclass may skip ``HTTPException.__init__`` and so have no
    ``response`` attribute; the generic path decides what that gives (an
    overridden ``get_response`` works, werkzeug's raises).
    """
    ctx = _cv_request.get(None)
    return (
        ctx is not None
        and getattr(e, "response", _MISSING) is None
        and type(e).__call__ is HTTPException.__call__
        and ctx.request.method != "HEAD"
    )


def _wrap_other(app: Flask, body: t.Any) -> BaseResponse:
    """A response made by the response class from another response
    object or WSGI callable.
    """
    try:
        return app.response_class.force_type(body, request.environ)
    except TypeError as e:
        message = f"{e}\n{_BAD_TYPE.format(kind=type(body).__name__)}"
        raise TypeError(message).with_traceback(sys.exc_info()[2]) from None


def _from_callable(app: Flask, body: t.Any) -> BaseResponse:
    """The response for another response object or a WSGI callable, an
    HTTP error among them.
    """
    response_class = app.response_class

    # PERF: see Response._from_http_error; None where it does not apply.
    if (
        isinstance(body, HTTPException)
        and issubclass(response_class, Response)
        and _plain_http_exception(body)
    ):
        environ = _cv_request.get().request.environ
        response = response_class._from_http_error(body, environ)

        if response is not None:
            return response

    return _wrap_other(app, body)


def coerce(app: Flask, rv: t.Any) -> Response:
    """The response for a view's return value ``rv``; see the module
    docstring for the rules.
    """
    if isinstance(rv, tuple):
        body, status, headers = split_return_value(rv)
    else:
        body = rv
        status = headers = None

    response_class = app.response_class
    response: t.Any

    if body is None:
        # Through the proxy: outside a request this is the usual
        # "outside of request context" error.
        raise TypeError(_RETURNED_NONE.format(endpoint=request.endpoint))

    if isinstance(body, response_class):
        response = body
    elif type(body) is str or type(body) is bytes:
        # Only our response classes have the flag; it is false for one
        # with a constructor of its own, which is called below with the
        # arguments Flask passes.
        if (
            status is None
            and headers is None
            and getattr(response_class, "_builds_directly", False)
        ):
            # PERF: see Response._from_data.
            return response_class._from_data(body)

        response = response_class(body, status=status, headers=headers)
        status = headers = None
    elif type(body) is dict or type(body) is list:
        # PERF: the two JSON shapes first, before any ABC check.
        response = app.json.response(body)
    elif isinstance(body, HTTPException) and type(body) in _WERKZEUG_ERRORS:
        # PERF: no ABC checks for werkzeug's errors either (5% of a 404).
        response = _from_callable(app, body)
    elif isinstance(body, (str, bytes, bytearray)) or isinstance(body, cabc.Iterator):
        # The status and headers go to the constructor, so that a given
        # Content-Type replaces the default one.
        response = response_class(body, status=status, headers=headers)  # type: ignore[arg-type]
        status = headers = None
    elif isinstance(body, (dict, list)):
        response = app.json.response(body)
    elif isinstance(body, cabc.AsyncIterable) and _cv_bridge.get(None) is not None:
        # Under ASGI an async generator streams natively (flask.asgi);
        # a WSGI server could not iterate it.
        response = response_class(body, status=status, headers=headers)  # type: ignore[arg-type]
        status = headers = None
    elif isinstance(body, BaseResponse) or callable(body):
        response = _from_callable(app, body)
    else:
        raise TypeError(_BAD_TYPE.format(kind=type(body).__name__))

    if status is not None:
        if isinstance(status, int):
            response.status_code = status
        else:
            response.status = status

    if headers:
        response.headers.update(headers)

    return response  # type: ignore[no-any-return]
