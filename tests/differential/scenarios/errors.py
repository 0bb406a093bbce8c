"""Error handlers, propagation settings and ``abort``."""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import NotFound

import flask

from . import _differs
from . import _kit
from . import scenario


class A(Exception):
    pass


class B(A):
    pass


class C(B):
    pass


class Mixin:
    pass


class D(Mixin, KeyError):
    pass


EXC = {"A": A, "B": B, "C": C, "D": D, "ValueError": ValueError}
HANDLED = {
    "A": (A,),
    "B": (B,),
    "AB": (A, B),
    "ABC": (A, B, C),
    "Exception": (Exception,),
    "Exception+B": (Exception, B),
    "KeyError": (KeyError,),
    "Mixin": (Mixin,),
    "LookupError+D": (LookupError, D),
}


@scenario(
    [
        (h, r)
        for h in HANDLED
        for r in ("A", "B", "C", "D")
        if not (h in ("A", "B", "AB", "ABC") and r == "D")
    ]
)
def mro_lookup(handled: str, raised: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app)

    for cls in HANDLED[handled]:

        def handler(e: Exception, _cls: type = cls) -> t.Any:
            probe("handler", _cls.__name__, type(e).__name__)
            return f"{_cls.__name__} handled {type(e).__name__}", 418

        try:
            app.register_error_handler(cls, handler)
        except Exception as e:
            probe("register", _kit.exc(e))

    @app.route("/")
    def index() -> t.Any:
        raise EXC[raised]("boom")

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(
    [
        (where, handlers)
        for where in ("app", "bp", "child")
        for handlers in ("app", "bp", "child", "app+bp", "bp+child", "all", "code")
    ]
)
def blueprint_scopes(where: str, handlers: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app)
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")
    child = flask.Blueprint("child", __name__, url_prefix="/child")

    def handler_for(label: str) -> t.Callable[[Exception], t.Any]:
        def handler(e: Exception) -> t.Any:
            probe("handler", label, type(e).__name__)
            return f"{label}: {e}", 409

        return handler

    scopes = {"app": app, "bp": bp, "child": child}

    if handlers == "code":
        app.register_error_handler(404, handler_for("app404"))
        bp.register_error_handler(404, handler_for("bp404"))
        child.register_error_handler(NotFound, handler_for("childNotFound"))
    else:
        names = ("app", "bp", "child") if handlers == "all" else handlers.split("+")

        for name in names:
            scopes[name].register_error_handler(A, handler_for(name))

    def view() -> t.Any:
        if handlers == "code":
            flask.abort(404)

        raise B("from view")

    for name, scope in scopes.items():
        scope.add_url_rule("/", f"{name}_index", view)

    bp.register_blueprint(child)
    app.register_blueprint(bp)
    path = {"app": "/", "bp": "/bp/", "child": "/bp/child/"}[where]
    return probe.record(out=_kit.get_all(app, path, path + "missing"))


@scenario(["code_first", "class_first", "subclass", "base"])
def code_vs_class(order: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app)

    class Gone(NotFound):
        description = "gone away"

    def by_code(e: Exception) -> t.Any:
        probe("code", type(e).__name__)
        return "by code", 404

    def by_class(e: Exception) -> t.Any:
        probe("class", type(e).__name__)
        return "by class", 404

    if order == "code_first":
        app.register_error_handler(404, by_code)
        app.register_error_handler(NotFound, by_class)
    elif order == "class_first":
        app.register_error_handler(NotFound, by_class)
        app.register_error_handler(404, by_code)
    elif order == "subclass":
        app.register_error_handler(404, by_code)
        app.register_error_handler(Gone, by_class)
    else:
        app.register_error_handler(HTTPException, by_class)

    @app.route("/gone")
    def gone() -> t.Any:
        raise Gone()

    return probe.record(
        out=_kit.get_all(app, "/gone", "/missing"),
        handlers={
            str(k): sorted(c.__name__ for c in v)
            for k, v in app.error_handler_spec[None].items()
            if v
        },
    )


RETURNS: dict[str, t.Any] = {
    "str": "handled",
    "tuple2_status": ("handled", 400),
    "tuple2_headers": ("handled", {"X-H": "1"}),
    "tuple3": ("handled", 401, [("X-H", "1")]),
    "tuple_str_status": ("handled", "299 ODD"),
    "dict": {"error": "handled"},
    "list": ["handled"],
    "none": None,
    "tuple1": ("handled",),
    "tuple4": ("a", 1, 2, 3),
    "int": 42,
    "response": "make_response",
    "exception_obj": "exception",
}


@scenario(list(RETURNS))
def handler_returns(kind: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app)

    @app.errorhandler(A)
    def handler(e: A) -> t.Any:
        probe("handler")
        rv = RETURNS[kind]

        if rv == "make_response":
            return flask.make_response(("made", 403))

        if rv == "exception":
            return BadRequest("returned from handler")

        return rv

    @app.route("/")
    def index() -> t.Any:
        raise A("x")

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(
    [
        (first, second, testing)
        for first in ("value", "http", "abort500")
        for second in ("value", "same", "http")
        for testing in (0, 1)
    ]
)
def handler_raises(first: str, second: str, testing: int) -> t.Any:
    app = _kit.make_app(testing=bool(testing))
    probe = _kit.observe(app)

    @app.errorhandler(ValueError)
    def on_value(e: ValueError) -> t.Any:
        probe("on_value", str(e))

        if second == "same":
            raise e

        if second == "http":
            flask.abort(410)

        raise ValueError("second")

    @app.errorhandler(410)
    def on_gone(e: Exception) -> t.Any:
        probe("on_gone")
        raise ValueError("from 410 handler")

    @app.errorhandler(500)
    def on_500(e: InternalServerError) -> t.Any:
        probe(
            "on_500",
            type(e).__name__,
            type(e.original_exception).__name__,
            str(e.original_exception),
        )
        return "500 handled", 500

    @app.route("/")
    def index() -> t.Any:
        if first == "value":
            raise ValueError("first")

        if first == "http":
            flask.abort(410)

        flask.abort(500)

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(["raise_value", "raise_ise", "abort_500", "abort_500_desc", "return_ise"])
def original_exception(kind: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app)

    @app.errorhandler(500)
    def on_500(e: InternalServerError) -> t.Any:
        orig = e.original_exception
        probe("on_500", type(e).__name__, type(orig).__name__, e.description)
        return f"orig={type(orig).__name__}", 500

    @app.route("/")
    def index() -> t.Any:
        if kind == "raise_value":
            raise ValueError("bad")

        if kind == "raise_ise":
            raise InternalServerError("explicit")

        if kind == "abort_500":
            flask.abort(500)

        if kind == "abort_500_desc":
            flask.abort(500, description="described")

        return InternalServerError("returned")

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(
    [
        (prop, testing, debug, raised)
        for prop in ("unset", "true", "false")
        for testing in (0, 1)
        for debug in (0, 1)
        for raised in ("value", "http")
    ]
)
def propagation(prop: str, testing: int, debug: int, raised: str) -> t.Any:
    app = _kit.make_app(testing=bool(testing), DEBUG=bool(debug))

    if prop != "unset":
        app.config["PROPAGATE_EXCEPTIONS"] = prop == "true"

    probe = _kit.observe(app)

    @app.route("/")
    def index() -> t.Any:
        if raised == "value":
            raise ValueError("escaped?")

        flask.abort(403)

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(
    [
        (trap, trap_bad, debug, path)
        for trap in (0, 1)
        for trap_bad in ("unset", "true", "false")
        for debug in (0, 1)
        for path in ("/form", "/abort400", "/abort404")
    ]
)
def trapping(trap: int, trap_bad: str, debug: int, path: str) -> t.Any:
    app = _kit.make_app(TRAP_HTTP_EXCEPTIONS=bool(trap), DEBUG=bool(debug))

    if trap_bad != "unset":
        app.config["TRAP_BAD_REQUEST_ERRORS"] = trap_bad == "true"

    probe = _kit.observe(app)

    @app.errorhandler(HTTPException)
    def on_http(e: HTTPException) -> t.Any:
        probe("on_http", type(e).__name__, e.description)
        return f"handled {e.code}", e.code

    @app.route("/form", methods=["POST"])
    def form() -> t.Any:
        return flask.request.form["missing"]

    @app.route("/abort400", methods=["POST"])
    def abort400() -> t.Any:
        flask.abort(400)

    @app.route("/abort404", methods=["POST"])
    def abort404() -> t.Any:
        flask.abort(404)

    return probe.record(
        out=_kit.get_all(app, ("POST", path, {"data": {"present": "1"}}))
    )


@scenario(["args", "form", "files", "args_debug", "form_debug", "files_debug"])
def bad_request_key_error(kind: str) -> t.Any:
    app = _kit.make_app(DEBUG=kind.endswith("_debug"))
    probe = _kit.observe(app)
    attr = kind.split("_")[0]

    @app.route("/", methods=["POST"])
    def index() -> t.Any:
        return getattr(flask.request, attr)["missing"]

    @app.errorhandler(400)
    def on_400(e: Exception) -> t.Any:
        probe("on_400", type(e).__name__, str(e), getattr(e, "args", None))
        return str(e), 400

    return probe.record(
        out=_kit.get_all(
            app,
            ("POST", "/?a=1", {"data": {"b": "2"}}),
            ("POST", "/", {"data": "raw", "content_type": "text/plain"}),
        )
    )


ABORTS: dict[str, t.Callable[[], t.Any]] = {
    "404": lambda: flask.abort(404),
    "404_desc": lambda: flask.abort(404, "not here"),
    "404_kw": lambda: flask.abort(404, description="kw desc"),
    "418": lambda: flask.abort(418),
    "999": lambda: flask.abort(999),
    "response": lambda: flask.abort(flask.Response("aborted body", 402)),
    "response_str_status": lambda: flask.abort(flask.make_response("x", "209 ODD")),
    "401_www": lambda: flask.abort(401, www_authenticate="Basic"),
    "405_valid": lambda: flask.abort(405, valid_methods=["GET", "PUT"]),
    "str": lambda: flask.abort("404"),  # type: ignore[arg-type]
}


@scenario(list(ABORTS))
def abort_kinds(kind: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app)

    @app.route("/", methods=["GET", "POST"])
    def index() -> t.Any:
        return ABORTS[kind]()

    return probe.record(out=_kit.get_all(app, "/", ("HEAD", "/", {})))


@scenario(["outside", "app_ctx", "custom_aborter", "custom_aborter_outside"])
def abort_contexts(kind: str) -> t.Any:
    from werkzeug.exceptions import Aborter

    class Teapot(HTTPException):
        code = 418
        description = "custom aborter teapot"

    class MyAborter(Aborter):
        def __init__(self) -> None:
            super().__init__(extra={418: Teapot, 599: Teapot})

    class App(flask.Flask):
        aborter_class = MyAborter

    app = _kit.make_app(App if kind.startswith("custom") else None)
    out = []

    for code in (404, 418, 599):
        if kind in ("outside", "custom_aborter_outside"):
            out.append(_kit.call(flask.abort, code))
        else:
            with app.app_context():
                out.append(_kit.call(flask.abort, code))

    if kind == "custom_aborter":

        @app.route("/")
        def index() -> t.Any:
            flask.abort(599)

        out.append(_kit.get_all(app, "/"))

    return {"out": out, "aborter": type(app.aborter).__name__}


@scenario(
    ["instance", "not_exception", "unknown_code", "str_code", "zero", "http_base"]
)
def register_bad_handler(kind: str) -> t.Any:
    app = _kit.make_app()
    key: t.Any = {
        "instance": ValueError("x"),
        "not_exception": int,
        "unknown_code": 499,
        "str_code": "404",
        "zero": 0,
        "http_base": HTTPException,
    }[kind]
    out = _kit.call(app.register_error_handler, key, _kit.noop)
    bp = flask.Blueprint("bp", __name__)
    out_bp = _kit.call(bp.register_error_handler, key, _kit.noop)
    return {"app": out, "bp": out_bp}


@scenario(
    ["view", "before", "teardown", "handler_500"],
    differs={
        # Every teardown function runs even when one raises.
        "teardown": _differs.insert_events_after(
            "boom", "teardown_request", "sig:request_tearing_down:exc=NoneType"
        )
    },
)
def got_request_exception_order(where: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app)

    @app.before_request
    def before() -> None:
        probe("before")

        if where == "before":
            raise ValueError("before")

    @app.route("/")
    def index() -> t.Any:
        probe("view")

        if where in ("view", "handler_500"):
            raise ValueError("view")

        return "ok"

    if where == "handler_500":

        @app.errorhandler(500)
        def on_500(e: Exception) -> t.Any:
            probe("on_500")
            return "handled", 500

    if where == "teardown":

        @app.teardown_request
        def boom(exc: t.Any) -> None:
            probe("boom")
            raise RuntimeError("teardown")

    @app.after_request
    def after(r: t.Any) -> t.Any:
        probe("after", r.status_code)
        return r

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(["http", "value", "http_testing"])
def exception_handler_for_exception(kind: str) -> t.Any:
    app = _kit.make_app(testing=kind.endswith("testing"))
    probe = _kit.observe(app)

    @app.errorhandler(Exception)
    def on_any(e: Exception) -> t.Any:
        probe("on_any", type(e).__name__)

        if isinstance(e, HTTPException):
            return e

        return "generic", 500

    @app.route("/")
    def index() -> t.Any:
        if kind.startswith("http"):
            flask.abort(404)

        raise ValueError("x")

    return probe.record(out=_kit.get_all(app, "/", "/nowhere", ("POST", "/", {})))
