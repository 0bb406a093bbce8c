"""Flask subclasses overriding the public methods the dispatch uses, and
instance attributes wrapped or appended to by extensions.
"""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import HTTPException

import flask

from . import _kit
from . import scenario

# Every request of the standard tour: success, an error, an HTTP error,
# no route, automatic OPTIONS, wrong method, a template, URL building.
TOUR = (
    "/",
    "/error",
    "/abort",
    "/missing",
    ("OPTIONS", "/", {}),
    ("POST", "/", {}),
    "/tpl",
    "/url",
    "/strict",
)


def _summary(value: t.Any) -> str:
    if isinstance(value, (str, int, bool)) or value is None:
        return repr(value)[:40]

    return type(value).__name__


def _tour_app(cls: type[flask.Flask], log: list[str], **config: t.Any) -> flask.Flask:
    app = _kit.make_app(cls, **config)

    @app.route("/")
    def index() -> t.Any:
        return "index"

    @app.route("/error")
    def error() -> t.Any:
        raise ValueError("view error")

    @app.route("/abort")
    def abort() -> t.Any:
        flask.abort(409)

    @app.route("/tpl")
    def tpl() -> t.Any:
        return flask.render_template_string("{{ x|default('no x') }} <{{ '<' }}>")

    @app.route("/url")
    def url() -> t.Any:
        return flask.redirect(flask.url_for("index", q=1))

    @app.route("/strict/")
    def strict() -> t.Any:
        return "strict"

    return app


PASS_THROUGH = (
    "make_response",
    "process_response",
    "preprocess_request",
    "dispatch_request",
    "full_dispatch_request",
    "finalize_request",
    "handle_user_exception",
    "handle_http_exception",
    "handle_exception",
    "log_exception",
    "make_default_options_response",
    "ensure_sync",
    "should_ignore_error",
    "do_teardown_request",
    "do_teardown_appcontext",
    "update_template_context",
    "url_for",
    "redirect",
    "trap_http_exception",
    "raise_routing_exception",
    "select_jinja_autoescape",
    "inject_url_defaults",
    "handle_url_build_error",
    "app_context",
    "request_context",
    "wsgi_app",
    "create_jinja_environment",
    "create_url_adapter",
)


def _recording_subclass(name: str, log: list[str]) -> type[flask.Flask]:
    def method(self: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
        rv = getattr(super(cls, self), name)(*args, **kwargs)
        # The type of the WSGI iterable is not part of the contract.
        shown = "<iterable>" if name == "wsgi_app" else _summary(rv)
        log.append(
            f"{name}({', '.join(_summary(a) for a in args)}"
            f"{', **' + ','.join(sorted(kwargs)) if kwargs else ''})"
            f" -> {shown}"
        )
        return rv

    cls = type(f"Recording_{name}", (flask.Flask,), {name: method})
    return cls


@scenario(list(PASS_THROUGH))
def pass_through(name: str) -> t.Any:
    log: list[str] = []
    app = _tour_app(_recording_subclass(name, log), log)
    probe = _kit.observe(app, signals=False)
    out = []

    for item in TOUR:
        del log[:]
        out.append({"out": _kit.get_all(app, item)[0], "calls": list(log)})

    return probe.record(out=out)


class ShortMakeResponse(flask.Flask):
    def make_response(self, rv: t.Any) -> t.Any:
        if isinstance(rv, str):
            rv = rv.upper() + "!"

        return super().make_response(rv)


class HeaderProcessResponse(flask.Flask):
    def process_response(self, response: t.Any) -> t.Any:
        response = super().process_response(response)
        response.headers["X-Processed"] = "yes"
        return response


class ShortPreprocess(flask.Flask):
    def preprocess_request(self) -> t.Any:
        rv = super().preprocess_request()
        return rv if rv is not None else ("preprocessed", 202)


class FixedDispatch(flask.Flask):
    def dispatch_request(self) -> t.Any:
        return f"dispatched {flask.request.path}"


class FixedFullDispatch(flask.Flask):
    def full_dispatch_request(self) -> t.Any:
        return self.make_response(("full", 203))


class FinalizeRecord(flask.Flask):
    def finalize_request(self, rv: t.Any, from_error_handler: bool = False) -> t.Any:
        response = super().finalize_request(rv, from_error_handler)
        response.headers["X-From-Error"] = str(from_error_handler)
        return response


class CatchAllUser(flask.Flask):
    def handle_user_exception(self, e: Exception) -> t.Any:
        return f"user exception {type(e).__name__}", 299


class TextHttp(flask.Flask):
    def handle_http_exception(self, e: HTTPException) -> t.Any:
        return f"http {e.code}", e.code or 500


class TextException(flask.Flask):
    def handle_exception(self, e: Exception) -> t.Any:
        return self.finalize_request(("exception handled", 500), True)


class QuietLog(flask.Flask):
    def log_exception(self, exc_info: t.Any) -> None:
        self.logger.warning("quiet: %s", exc_info[0].__name__)


class OptionsHeader(flask.Flask):
    def make_default_options_response(self) -> t.Any:
        rv = super().make_default_options_response()
        rv.headers["X-Options"] = "1"
        return rv


class WrappingEnsureSync(flask.Flask):
    def ensure_sync(self, func: t.Any) -> t.Any:
        inner = super().ensure_sync(func)

        def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            rv = inner(*args, **kwargs)
            return rv.upper() if isinstance(rv, str) else rv

        return wrapper


class IgnoreErrors(flask.Flask):
    def should_ignore_error(self, error: BaseException | None) -> bool:
        return True


class TrapAll(flask.Flask):
    def trap_http_exception(self, e: Exception) -> bool:
        return True


class CustomRouting(flask.Flask):
    def raise_routing_exception(self, request: t.Any) -> t.NoReturn:
        flask.abort(410)


class TemplateExtra(flask.Flask):
    def update_template_context(self, context: dict[str, t.Any]) -> None:
        super().update_template_context(context)
        context["x"] = "from update_template_context"


class UrlForQuery(flask.Flask):
    def url_for(self, endpoint: str, **values: t.Any) -> str:
        return super().url_for(endpoint, **values) + "#frag"


class Redirect303(flask.Flask):
    def redirect(self, location: str, code: int = 302) -> t.Any:
        return super().redirect(location, 303)


class AlwaysEscape(flask.Flask):
    def select_jinja_autoescape(self, filename: str) -> bool:
        return False


class ExtraConfig(flask.Flask):
    def make_config(self, instance_relative: bool = False) -> t.Any:
        config = super().make_config(instance_relative)
        config["EXTRA"] = "made"
        return config


class NoUrlAdapter(flask.Flask):
    def create_url_adapter(self, request: t.Any) -> t.Any:
        if request is None:
            return super().create_url_adapter(request)

        return None


class TeardownRecord(flask.Flask):
    def do_teardown_request(self, exc: t.Any = None) -> None:
        self.logger.warning("do_teardown_request %s", type(exc).__name__)
        super().do_teardown_request(exc)


BEHAVIOURS = {
    c.__name__: c
    for c in (
        ShortMakeResponse,
        HeaderProcessResponse,
        ShortPreprocess,
        FixedDispatch,
        FixedFullDispatch,
        FinalizeRecord,
        CatchAllUser,
        TextHttp,
        TextException,
        QuietLog,
        OptionsHeader,
        WrappingEnsureSync,
        IgnoreErrors,
        TrapAll,
        CustomRouting,
        TemplateExtra,
        UrlForQuery,
        Redirect303,
        AlwaysEscape,
        ExtraConfig,
        NoUrlAdapter,
        TeardownRecord,
    )
}


@scenario([(b, testing) for b in BEHAVIOURS for testing in (0, 1)])
def behaviour(name: str, testing: int) -> t.Any:
    log: list[str] = []
    app = _tour_app(BEHAVIOURS[name], log, testing=bool(testing))
    probe = _kit.observe(app, signals=False)
    out = [_kit.get_all(app, item)[0] for item in TOUR]
    return probe.record(out=out, extra=app.config.get("EXTRA"))


@scenario(
    [
        "handle_exception",
        "handle_user_exception",
        "make_default_options_response",
        "after_request_funcs",
        "before_request_funcs",
        "teardown_request_funcs",
        "url_build_error_handlers",
        "template_context_processors",
    ]
)
def instance_wrapping(kind: str) -> t.Any:
    log: list[str] = []
    app = _tour_app(flask.Flask, log)
    probe = _kit.observe(app, signals=False)

    if kind in (
        "handle_exception",
        "handle_user_exception",
        "make_default_options_response",
    ):
        original = getattr(app, kind)

        def wrapper(*args: t.Any) -> t.Any:
            probe("wrapper", kind, *[type(a).__name__ for a in args])
            rv = original(*args)
            probe("wrapped rv", type(rv).__name__)
            return rv

        setattr(app, kind, wrapper)
    elif kind == "after_request_funcs":

        def after(response: t.Any) -> t.Any:
            response.headers["X-Appended"] = "1"
            return response

        app.after_request_funcs[None].append(after)
    elif kind == "before_request_funcs":
        app.before_request_funcs.setdefault(None, []).append(probe.hook("before"))
    elif kind == "teardown_request_funcs":
        app.teardown_request_funcs.setdefault(None, []).append(probe.hook("td"))
    elif kind == "url_build_error_handlers":

        def on_build_error(error: Exception, endpoint: str, values: t.Any) -> str:
            probe("build error", endpoint)
            return f"/built/{endpoint}"

        app.url_build_error_handlers.append(on_build_error)

        @app.route("/build")
        def build() -> t.Any:
            return flask.url_for("nowhere", a=1)

    else:
        app.template_context_processors[None].append(lambda: {"x": "appended"})

    tour = (*TOUR, "/build") if kind == "url_build_error_handlers" else TOUR
    return probe.record(out=[_kit.get_all(app, item)[0] for item in tour])
