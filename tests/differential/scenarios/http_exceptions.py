"""Odd ``HTTPException`` subclasses raised from every place a request can
raise, with and without handlers, answered to GET and HEAD.
"""

from __future__ import annotations

import typing as t

from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound
from werkzeug.routing.exceptions import RoutingException
from werkzeug.utils import redirect
from werkzeug.wrappers import Response as WResponse

from . import _kit
from . import scenario


class Redirect303(HTTPException, RoutingException):
    """Initialises only ``RoutingException``; answers a 303 redirect."""

    code = 303

    def __init__(self, location: str) -> None:
        RoutingException.__init__(self, location)
        self.location = location

    def get_response(self, environ=None, scope=None):  # type: ignore[override]
        return redirect(self.location, 303)


class Bare(HTTPException):
    """Sets nothing, overrides nothing: no code, no description."""

    def __init__(self) -> None:
        pass


class NoResponse(HTTPException):
    """Skips ``HTTPException.__init__``; ``response`` is a class attribute."""

    code = 418
    description = "no response attribute set by init"
    response = None

    def __init__(self) -> None:
        Exception.__init__(self, "teapot")


class OwnResponse(HTTPException):
    code = 409

    def get_response(self, environ=None, scope=None):  # type: ignore[override]
        return WResponse("custom conflict", 409, {"X-Custom": "yes"})


class OwnBody(HTTPException):
    code = 400
    description = "ignored"

    def get_body(self, environ=None, scope=None):  # type: ignore[override]
        return f"<p>own body {self.code}</p>"


class OwnHeaders(HTTPException):
    code = 429

    def get_headers(self, environ=None, scope=None):  # type: ignore[override]
        return [("Content-Type", "text/plain"), ("Retry-After", "7")]


class OwnDescription(HTTPException):
    code = 403

    def get_description(self, environ=None, scope=None):  # type: ignore[override]
        return "<p>described by a method</p>"


class OwnCall(HTTPException):
    code = 402

    def __call__(self, environ, start_response):  # type: ignore[override]
        start_response("402 PAY UP", [("Content-Type", "text/plain")])
        return [b"called as a WSGI app"]


class CodeNone(HTTPException):
    code = None
    description = "no code at all"


class StrDescription(HTTPException):
    code = 400
    description = "<b>plain str</b> & more"


class MarkupDescription(HTTPException):
    code = 400
    description = Markup("<b>markup</b> &amp; more")


class CustomNotFound(NotFound):
    description = "custom not found"


KINDS: dict[str, t.Callable[[], HTTPException]] = {
    "redirect303": lambda: Redirect303("/elsewhere"),
    "bare": Bare,
    "no_response": NoResponse,
    "own_response": OwnResponse,
    "own_body": OwnBody,
    "own_headers": OwnHeaders,
    "own_description": OwnDescription,
    "own_call": OwnCall,
    "code_none": CodeNone,
    "str_description": StrDescription,
    "markup_description": MarkupDescription,
    "custom_not_found": CustomNotFound,
    "not_found_arg": lambda: NotFound("given description"),
    "response_arg": lambda: HTTPException(response=WResponse("from response", 451)),
}

SITES = (
    "view",
    "returned",
    "before_request",
    "after_request",
    "url_value_preprocessor",
    "error_handler",
)


def build(kind: str, site: str, handler: str) -> tuple[t.Any, _kit.Probe]:
    app = _kit.make_app()
    probe = _kit.Probe()
    probe.logger(app)
    probe.signals(app)
    make = KINDS[kind]

    @app.route("/")
    def index() -> t.Any:
        probe("view")

        if site == "view":
            raise make()

        if site == "returned":
            return make()

        if site == "error_handler":
            raise KeyError("to the handler")

        return "ok"

    if site == "before_request":

        @app.before_request
        def before() -> None:
            probe("before")
            raise make()

    if site == "after_request":

        @app.after_request
        def after(response: t.Any) -> t.Any:
            probe("after")
            raise make()

    if site == "url_value_preprocessor":

        @app.url_value_preprocessor
        def preprocess(endpoint: t.Any, values: t.Any) -> None:
            probe("preprocess", endpoint)
            raise make()

    if site == "error_handler":

        @app.errorhandler(KeyError)
        def on_key_error(e: KeyError) -> t.Any:
            probe("key handler")
            raise make()

    exc_type = type(make())

    if handler == "class":

        @app.errorhandler(exc_type)
        def on_class(e: HTTPException) -> t.Any:
            probe("class handler", type(e).__name__, e.code)
            return f"handled {type(e).__name__}", 299

    elif handler == "code":

        def on_code(e: HTTPException) -> t.Any:
            probe("code handler", type(e).__name__, e.code)
            return f"handled by code {e.code}"

        try:
            app.register_error_handler(exc_type.code, on_code)  # type: ignore[arg-type]
        except Exception as e:
            probe("register failed", _kit.exc(e))

    elif handler == "base":

        @app.errorhandler(HTTPException)
        def on_base(e: HTTPException) -> t.Any:
            probe("base handler", type(e).__name__, e.code)
            return e

    @app.teardown_request
    def teardown(exc: t.Any) -> None:
        probe("teardown", type(exc).__name__ if exc else None)

    return app, probe


@scenario([(k, s) for k in KINDS for s in SITES])
def unhandled(kind: str, site: str) -> t.Any:
    app, probe = build(kind, site, "none")
    out = _kit.req(app.test_client(), "/")
    return probe.record(out=out)


@scenario([(k, s) for k in KINDS for s in SITES])
def class_handler(kind: str, site: str) -> t.Any:
    app, probe = build(kind, site, "class")
    out = _kit.req(app.test_client(), "/")
    return probe.record(out=out)


CODED = [k for k, make in KINDS.items() if isinstance(type(make()).code, int)]


@scenario([(k, s) for k in CODED for s in ("view", "before_request")])
def code_handler(kind: str, site: str) -> t.Any:
    app, probe = build(kind, site, "code")
    out = _kit.req(app.test_client(), "/")
    return probe.record(out=out)


@scenario(list(KINDS))
def base_handler_returns_exception(kind: str) -> t.Any:
    app, probe = build(kind, "view", "base")
    out = _kit.req(app.test_client(), "/")
    return probe.record(out=out)


@scenario([(k, h) for k in KINDS for h in ("none", "class")])
def head(kind: str, handler: str) -> t.Any:
    app, probe = build(kind, "view", handler)
    out = _kit.req(app.test_client(), "/", "HEAD")
    return probe.record(out=out)


@scenario(
    [(k, p) for k in ("bare", "own_call", "own_body", "code_none") for p in (0, 1)]
)
def testing_mode(kind: str, propagate: int) -> t.Any:
    app, probe = build(kind, "view", "none")
    app.testing = True
    app.config["PROPAGATE_EXCEPTIONS"] = bool(propagate)
    out = _kit.req(app.test_client(), "/")
    return probe.record(out=out)


@scenario(["own_call", "own_response", "no_response", "bare", "redirect303"])
def through_wsgi(kind: str) -> t.Any:
    app, probe = build(kind, "view", "none")
    return probe.record(out=_kit.wsgi(app, "/"))
