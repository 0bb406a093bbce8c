"""Errors as RFC 9457 problem details.

Every error response of the API is a JSON object with ``type``, ``title``,
``status`` and ``detail``, sent as ``application/problem+json``, so a
client needs one code path for all of them.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import Flask
from flask import Response
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_MIMETYPE = "application/problem+json"


class ValidationFailed(Exception):
    """Raised by a view when a request body does not describe a valid
    resource. Answered with 422 and one message per bad field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def problem(
    status: int,
    detail: str,
    type: str = "about:blank",
    title: str | None = None,
    **extra: Any,
) -> Response:
    """Build a problem-details response.

    :param status: the HTTP status code.
    :param detail: what went wrong with this request, for a human.
    :param type: a URI naming the kind of problem; ``about:blank`` means
        "nothing more than the status code says".
    :param title: a short summary; defaults to the status code's phrase.
    :param extra: more members for the object, such as ``errors``.
    """
    body = {
        "type": type,
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    return response


def handle_http_exception(e: HTTPException) -> Response:
    """Any ``abort()`` or Werkzeug HTTP error, including routing's 404/405."""
    response = problem(e.code or 500, e.description or "")

    # Keep headers the exception carries, such as Allow on a 405.
    for name, value in e.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value

    return response


def handle_validation(e: ValidationFailed) -> Response:
    return problem(
        422,
        "The request body is not a valid book.",
        type="/problems/validation",
        title="Invalid book",
        errors=e.errors,
    )


def handle_internal_error(e: InternalServerError) -> Response:
    # e.original_exception is the bug; log it (Flask already did) but never
    # send its text to the client.
    return problem(500, "The server hit an unexpected error.")


def init_app(app: Flask) -> None:
    """Register the handlers at the application level.

    Routing errors (unknown URL, wrong method) happen before a blueprint is
    chosen, so only application-level handlers see them.
    """
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ValidationFailed, handle_validation)
    # A more specific class wins over HTTPException for unhandled errors,
    # which Flask turns into InternalServerError.
    app.register_error_handler(InternalServerError, handle_internal_error)
