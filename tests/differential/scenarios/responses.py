"""View return values, ``make_response`` and ``response_class`` subclasses."""

from __future__ import annotations

import typing as t

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Response as WResponse

import flask

from . import _differs
from . import _kit
from . import scenario


def _wsgi_app(environ: t.Any, start_response: t.Any) -> t.Any:
    start_response("202 ACCEPTED", [("X-Wsgi", "1"), ("Content-Type", "text/x")])
    return [b"from a wsgi callable"]


def _gen() -> t.Iterator[str]:
    yield "a"
    yield "b"


def _bytes_gen() -> t.Iterator[bytes]:
    yield b"x"
    yield b"y"


class _Obj:
    pass


SHAPES: dict[str, t.Callable[[], t.Any]] = {
    "str": lambda: "text",
    "empty_str": lambda: "",
    "unicode": lambda: "caf\u00e9 \u2603",
    "bytes": lambda: b"raw \xff",
    "bytearray": lambda: bytearray(b"ba"),
    "dict": lambda: {"b": 1, "a": [1, 2]},
    "empty_dict": lambda: {},
    "list": lambda: [1, "two", None],
    "empty_list": lambda: [],
    "tuple_status": lambda: ("body", 201),
    "tuple_status_str": lambda: ("body", "202"),
    "tuple_status_full_str": lambda: ("body", "299 SOMETHING ODD"),
    "tuple_status_unknown_int": lambda: ("body", 299),
    "tuple_headers_dict": lambda: ("body", {"X-A": "1", "Content-Type": "text/x"}),
    "tuple_headers_list": lambda: ("body", [("X-A", "1"), ("X-A", "2")]),
    "tuple_headers_obj": lambda: ("body", Headers([("X-B", "3")])),
    "tuple3": lambda: ("body", 203, {"X-C": "4"}),
    "tuple3_list": lambda: ("body", "204", [("X-D", "5")]),
    "tuple_dict_status": lambda: ({"k": "v"}, 201),
    "tuple_list_headers": lambda: ([1], {"X-E": "6"}),
    "tuple_response_status": lambda: (flask.Response("r"), 205),
    "tuple_response_headers": lambda: (flask.Response("r"), {"X-F": "7"}),
    "tuple_header_int_value": lambda: ("body", {"X-Int": 5}),
    "generator": _gen,
    "bytes_generator": _bytes_gen,
    "iterator": lambda: iter(["i", "j"]),
    "response": lambda: flask.Response("resp", 206, {"X-G": "8"}),
    "werkzeug_response": lambda: WResponse("wz", 207, mimetype="text/x-wz"),
    "wsgi_callable": lambda: _wsgi_app,
    "none": lambda: None,
    "int": lambda: 42,
    "float": lambda: 1.5,
    "object": _Obj,
    "set": lambda: {1},
    "tuple1": lambda: ("only",),
    "tuple4": lambda: ("a", 200, {}, "extra"),
    "empty_tuple": lambda: (),
    "tuple_none_body": lambda: (None, 200),
    "tuple_status_none": lambda: ("body", None),
    "tuple_bad_headers": lambda: ("body", 200, 5),
    "list_unserialisable": lambda: [object()],
    "dict_bytes_value": lambda: {"b": b"x"},
    "tuple_str_str": lambda: ("body", "not a status"),
}


@scenario(
    [(shape, testing) for shape in SHAPES for testing in (0, 1)],
)
def view_returns(shape: str, testing: int) -> t.Any:
    app = _kit.make_app(testing=bool(testing))
    probe = _kit.observe(app)

    @app.route("/")
    def index() -> t.Any:
        return SHAPES[shape]()

    @app.after_request
    def after(r: flask.Response) -> flask.Response:
        probe("after", type(r).__name__, r.status, r.mimetype)
        return r

    return probe.record(out=_kit.get_all(app, "/", ("HEAD", "/", {})))


MAKE_RESPONSE_ARGS: dict[str, tuple[t.Any, ...]] = {
    "none": (),
    "str": ("x",),
    "two_args": ("x", 201),
    "three_args": ("x", 202, {"X-A": "1"}),
    "tuple": (("x", 203),),
    "response": (flask.Response("r", 209),),
    "dict": ({"a": 1},),
    "list_arg": (["a"],),
    "none_arg": (None,),
    "bad_tuple": (("x", 200, {}, 1),),
}


@scenario(list(MAKE_RESPONSE_ARGS))
def make_response_helper(kind: str) -> t.Any:
    app = _kit.make_app()
    out = []

    with app.test_request_context():

        def make() -> t.Any:
            rv = flask.make_response(*MAKE_RESPONSE_ARGS[kind])
            return _kit.resp(rv)

        out.append(_kit.call(make))

    with app.app_context():
        out.append(_kit.call(flask.make_response, "outside a request"))

    return out


class NoSuperInit(flask.Response):
    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        pass


class ExtraState(flask.Response):
    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra = "extra state"
        self.headers["X-Extra"] = self.extra


calls: list[str] = []


class OwnForceType(flask.Response):
    @classmethod
    def force_type(cls, response: t.Any, environ: t.Any = None) -> t.Any:
        calls.append(f"force_type:{type(response).__name__}")
        rv = super().force_type(response, environ)
        rv.headers["X-Forced"] = "1"
        return rv


class OwnWsgiHeaders(flask.Response):
    def get_wsgi_headers(self, environ: t.Any) -> t.Any:
        hs = super().get_wsgi_headers(environ)
        hs["X-Wsgi-Headers"] = "added"
        return hs


class OwnCall(flask.Response):
    def __call__(self, environ: t.Any, start_response: t.Any) -> t.Any:
        calls.append("__call__")
        return super().__call__(environ, start_response)


class PlainText(flask.Response):
    default_mimetype = "text/plain"


class Created(flask.Response):
    default_status = 201


class NoLength(flask.Response):
    automatically_set_content_length = False


class JsonDefault(flask.Response):
    default_mimetype = "application/json"
    charset = "latin-1"


RESPONSE_CLASSES = {
    c.__name__: c
    for c in (
        ExtraState,
        OwnForceType,
        OwnWsgiHeaders,
        OwnCall,
        PlainText,
        Created,
        NoLength,
        JsonDefault,
    )
}

RC_VIEWS: dict[str, t.Callable[[], t.Any]] = {
    "str": lambda: "text",
    "dict": lambda: {"a": 1},
    "jsonify": lambda: flask.jsonify(a=1),
    "generator": _gen,
    "werkzeug": lambda: WResponse("wz", 200),
    "tuple": lambda: ("t", 202, {"X-T": "1"}),
    "abort": lambda: flask.abort(404),
    "redirect": lambda: flask.redirect("/there"),
    "make_response": lambda: flask.make_response("made"),
    "wsgi": lambda: _wsgi_app,
}


@scenario(
    [(c, v) for c in RESPONSE_CLASSES for v in RC_VIEWS]
    + [("NoSuperInit", v) for v in ("str", "jsonify", "abort", "werkzeug")]
)
def response_class(cls: str, view: str) -> t.Any:
    app = _kit.make_app()
    app.response_class = RESPONSE_CLASSES.get(cls, NoSuperInit)
    probe = _kit.observe(app, signals=False)
    del calls[:]

    @app.route("/")
    def index() -> t.Any:
        return RC_VIEWS[view]()

    @app.after_request
    def after(r: t.Any) -> t.Any:
        probe("after", type(r).__name__, getattr(r, "extra", None))
        return r

    out = _kit.get_all(app, "/")
    return probe.record(out=out, calls=list(calls))


@scenario(["get", "head", "options", "wsgi"])
def automatic_content_length(kind: str) -> t.Any:
    app = _kit.make_app()

    @app.route("/")
    def index() -> t.Any:
        return "x" * 10

    @app.route("/stream")
    def stream() -> t.Any:
        return _gen()

    if kind == "wsgi":
        return [_kit.wsgi(app, "/"), _kit.wsgi(app, "/stream")]

    method = kind.upper()
    return _kit.get_all(app, (method, "/", {}), (method, "/stream", {}))


def _status_type(name: str, flask_error: str) -> _differs.Comparer:
    """Safer: a status that is neither int nor str is refused with a
    TypeError naming its type; Flask fails later with another error.
    """
    return _differs.replace_strings(
        {
            flask_error: f"The view function returned a status of type {name};"
            " it must be an int or a str.",
            "AttributeError": "TypeError",
        }
    )


def _refused(message: str) -> _differs.Comparer:
    """Safer: CR or LF in the status or a header name is refused with a
    ValueError instead of being sent as Flask does.
    """

    def comparer(ours: t.Any, ref: t.Any) -> None:
        assert "resp" in ref["out"][0], ref
        assert ours["out"] == [
            {"raised": {"type": "ValueError", "message": message}}
        ], ours

    return comparer


@scenario(
    [(k, testing) for k in ("float", "bytes") for testing in (0, 1)]
    + [("cr_header", 1), ("lf_status", 1)],
    differs={
        "float-0": _status_type("float", "'float' object has no attribute 'strip'"),
        "float-1": _status_type("float", "'float' object has no attribute 'strip'"),
        "bytes-0": _status_type("bytes", "a bytes-like object is required, not 'str'"),
        "bytes-1": _status_type("bytes", "a bytes-like object is required, not 'str'"),
        "cr_header-1": _refused(
            "Header names must not contain newline characters: 'X-Bad\\r\\nInjected'."
        ),
        "lf_status-1": _refused("The status must not contain newline characters."),
    },
)
def odd_status(kind: str, testing: int) -> t.Any:
    app = _kit.make_app(testing=bool(testing))
    probe = _kit.observe(app, signals=False)

    @app.route("/")
    def index() -> t.Any:
        if kind == "float":
            return "x", 200.0

        if kind == "bytes":
            return "x", b"200"

        if kind == "cr_header":
            return "x", {"X-Bad\r\nInjected": "1"}

        return "x", "200 OK\r\nX-Injected: 1"

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(["abort404", "abort_desc", "error500", "handler_returns_exc", "redirect"])
def error_response_shape(kind: str) -> t.Any:
    """What an after_request function sees of an error response."""
    app = _kit.make_app()
    probe = _kit.observe(app, signals=False)

    @app.route("/")
    def index() -> t.Any:
        if kind == "abort404":
            flask.abort(404)

        if kind == "abort_desc":
            flask.abort(400, "described")

        if kind == "redirect":
            return flask.redirect("/x")

        raise ValueError("x")

    if kind == "handler_returns_exc":

        @app.errorhandler(ValueError)
        def on_value(e: Exception) -> t.Any:
            return flask.abort(409)

    @app.after_request
    def after(r: flask.Response) -> flask.Response:
        probe(
            "after",
            type(r).__name__,
            r.status,
            r.content_length,
            r.is_streamed,
            r.is_sequence,
            r.direct_passthrough,
        )
        return r

    return probe.record(out=_kit.get_all(app, "/"))
