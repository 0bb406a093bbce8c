"""Known divergences from Flask 3.1.3: scenario id -> one-line reason.

Every id here is run as ``xfail(strict=True)``: when the difference is
fixed, the scenario passes, the xfail fails, and the entry must be removed.
A difference that is deliberate does not belong here; the scenario declares
it with a comparer (see README.md).
"""

from __future__ import annotations

_ERROR_STREAMED = (
    "an HTTP error response is built directly: after_request sees"
    " is_streamed False / is_sequence True (Flask: the error run as a WSGI app)"
)
_WSGI_HEADERS = (
    "a response_class overriding get_wsgi_headers is bypassed when the response is sent"
)
_NO_SUPER_INIT = (
    "a response_class whose __init__ skips super() fails inside the dispatch"
    " (500 logged, after_request skipped) instead of when the response is sent"
)

DIVERGENCES: dict[str, str] = {
    "responses.error_response_shape[abort404]": _ERROR_STREAMED,
    "responses.error_response_shape[abort_desc]": _ERROR_STREAMED,
    "responses.error_response_shape[error500]": _ERROR_STREAMED,
    "responses.error_response_shape[handler_returns_exc]": _ERROR_STREAMED,
    "responses.response_class[OwnForceType-abort]": (
        "response_class.force_type is not called for an HTTP error"
    ),
    "responses.response_class[OwnWsgiHeaders-str]": _WSGI_HEADERS,
    "responses.response_class[OwnWsgiHeaders-dict]": _WSGI_HEADERS,
    "responses.response_class[OwnWsgiHeaders-jsonify]": _WSGI_HEADERS,
    "responses.response_class[OwnWsgiHeaders-werkzeug]": _WSGI_HEADERS,
    "responses.response_class[OwnWsgiHeaders-tuple]": _WSGI_HEADERS,
    "responses.response_class[OwnWsgiHeaders-abort]": _WSGI_HEADERS,
    "responses.response_class[OwnWsgiHeaders-make_response]": _WSGI_HEADERS,
    "responses.response_class[NoSuperInit-str]": _NO_SUPER_INIT,
    "responses.response_class[NoSuperInit-jsonify]": _NO_SUPER_INIT,
    "responses.response_class[NoSuperInit-abort]": _NO_SUPER_INIT,
    "requests.request_class[NoSuperInit-args]": (
        "a request_class whose __init__ skips super() fails before the"
        " contexts are pushed (no teardown runs; Flask fails inside them)"
    ),
}
