"""The request: ``request_class`` subclasses, limits, attributes."""

from __future__ import annotations

import io
import typing as t

from werkzeug.datastructures import ImmutableDict
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

import flask

from . import _kit
from . import scenario


class SmallLimit(flask.Request):
    @property  # type: ignore[override]
    def max_content_length(self) -> int | None:
        return 5


class NoLimit(flask.Request):
    max_content_length = None  # type: ignore[assignment]


class JsonFailReturns(flask.Request):
    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        return {"fallback": type(e).__name__ if e else None}


class JsonFailRaises(flask.Request):
    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        raise BadRequest(f"custom json failure: {type(e).__name__}")


class FixedCookies(flask.Request):
    @property  # type: ignore[override]
    def cookies(self) -> t.Any:
        return ImmutableDict({"session": "ignored", "fixed": "yes"})


class FixedArgs(flask.Request):
    @property  # type: ignore[override]
    def args(self) -> t.Any:
        return MultiDict({"fixed": "arg"})


class TaggedArgs(ImmutableMultiDict):  # type: ignore[type-arg]
    pass


class OrderedStorage(flask.Request):
    parameter_storage_class = TaggedArgs


class PlainStorage(flask.Request):
    parameter_storage_class = MultiDict  # type: ignore[assignment]


class ExtraInit(flask.Request):
    def __init__(self, environ: t.Any, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(environ, *args, **kwargs)
        self.extra = environ.get("HTTP_X_EXTRA", "none")


class NoSuperInit(flask.Request):
    def __init__(self, environ: t.Any, *args: t.Any, **kwargs: t.Any) -> None:
        self.environ = environ
        self.shallow = False


REQUEST_CLASSES = {
    c.__name__: c
    for c in (
        SmallLimit,
        NoLimit,
        JsonFailReturns,
        JsonFailRaises,
        FixedCookies,
        FixedArgs,
        OrderedStorage,
        PlainStorage,
        ExtraInit,
        NoSuperInit,
    )
}

READS: dict[str, t.Callable[[], t.Any]] = {
    "form": lambda: flask.request.form.to_dict(flat=False),
    "json": lambda: flask.request.get_json(),
    "args": lambda: [
        type(flask.request.args).__name__,
        list(flask.request.args.items(multi=True)),
    ],
    "cookies": lambda: dict(flask.request.cookies),
    "session": lambda: dict(flask.session),
    "data": lambda: flask.request.get_data(as_text=True),
    "extra": lambda: getattr(flask.request, "extra", "<none>"),
}


@scenario(
    [(c, r) for c in REQUEST_CLASSES for r in READS if c != "NoSuperInit"]
    + [("NoSuperInit", "args")]
)
def request_class(cls: str, read: str) -> t.Any:
    app = _kit.make_app()
    app.request_class = REQUEST_CLASSES[cls]
    probe = _kit.observe(app, signals=False)

    @app.route("/", methods=["POST"])
    def index() -> t.Any:
        probe("class", type(flask.request._get_current_object()).__name__)
        return {"value": READS[read]()}

    kwargs = {
        "form": {"data": {"b": "2", "a": ["1", "3"]}},
        "json": {"data": "{bad json", "content_type": "application/json"},
        "data": {"data": "0123456789", "content_type": "text/plain"},
    }.get(read, {})
    client = app.test_client()
    client.set_cookie("c", "1")
    return probe.record(
        out=_kit.req(
            client, "/?z=1&a=2&z=3", "POST", headers={"X-Extra": "e"}, **kwargs
        )
    )


LIMITS: dict[str, dict[str, t.Any]] = {
    "content_length": {"MAX_CONTENT_LENGTH": 10},
    "form_memory": {"MAX_FORM_MEMORY_SIZE": 5},
    "form_parts": {"MAX_FORM_PARTS": 2},
    "none": {},
}

BODY_KINDS = ("urlencoded", "multipart", "raw", "json")


@scenario([(lim, body) for lim in LIMITS for body in BODY_KINDS])
def limits(limit: str, body: str) -> t.Any:
    app = _kit.make_app(**LIMITS[limit])
    probe = _kit.observe(app, signals=False)

    @app.route("/", methods=["POST"])
    def index() -> t.Any:
        r = flask.request
        probe("limits", r.max_content_length, r.max_form_memory_size, r.max_form_parts)
        return {
            "form": r.form.to_dict(),
            "files": sorted(r.files),
            "data": r.get_data(as_text=True)[:50],
        }

    kwargs: dict[str, t.Any] = {
        "urlencoded": {"data": {"a": "1234567", "b": "2", "c": "3"}},
        "multipart": {
            "data": {"a": "1234567", "f": (io.BytesIO(b"file data"), "f.txt")}
        },
        "raw": {"data": b"x" * 20, "content_type": "application/octet-stream"},
        "json": {"json": {"k": "v" * 20}},
    }[body]
    return probe.record(out=_kit.get_all(app, ("POST", "/", kwargs)))


@scenario(["lower", "higher", "none_override"])
def per_request_limit(kind: str) -> t.Any:
    app = _kit.make_app(MAX_CONTENT_LENGTH=10)

    @app.before_request
    def set_limit() -> None:
        if kind == "lower":
            flask.request.max_content_length = 3
        elif kind == "higher":
            flask.request.max_content_length = 100
        else:
            flask.request.max_content_length = None

    @app.route("/", methods=["POST"])
    def index() -> t.Any:
        return flask.request.get_data(as_text=True)

    return _kit.get_all(
        app,
        ("POST", "/", {"data": "12345", "content_type": "text/plain"}),
        ("POST", "/", {"data": "x" * 50, "content_type": "text/plain"}),
    )


ATTRS = (
    "method",
    "path",
    "full_path",
    "script_root",
    "url",
    "base_url",
    "url_root",
    "host_url",
    "host",
    "scheme",
    "is_secure",
    "endpoint",
    "blueprint",
    "blueprints",
    "view_args",
    "remote_addr",
    "access_route",
    "query_string",
    "mimetype",
    "content_type",
    "content_length",
    "is_json",
)


@scenario(["plain", "bp", "nested_bp", "script_root", "https_proxy", "unmatched"])
def request_attributes(kind: str) -> t.Any:
    app = _kit.make_app()
    recorded: list[t.Any] = []

    def view(**kwargs: t.Any) -> t.Any:
        return "ok"

    @app.before_request
    def record() -> None:
        r = flask.request
        recorded.append({a: _kit.plain(getattr(r, a)) for a in ATTRS})
        recorded.append(r.url_rule.rule if r.url_rule else None)
        recorded.append(_kit.plain(r.routing_exception))

    app.add_url_rule("/item/<int:id>", "item", view)
    parent = flask.Blueprint("parent", __name__, url_prefix="/p")
    child = flask.Blueprint("child", __name__, url_prefix="/c")
    parent.add_url_rule("/x/<name>", "x", view)
    child.add_url_rule("/y", "y", view)
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    path, extra = {
        "plain": ("/item/5?a=1&b=%C3%A9", {}),
        "bp": ("/p/x/name", {}),
        "nested_bp": ("/p/c/y", {}),
        "script_root": ("/item/6", {"environ_base": {"SCRIPT_NAME": "/mount"}}),
        "https_proxy": (
            "/item/7",
            {
                "base_url": "https://example.org:8443/",
                "environ_base": {"REMOTE_ADDR": "10.0.0.1"},
                "headers": {"X-Forwarded-For": "1.2.3.4, 5.6.7.8"},
            },
        ),
        "unmatched": ("/nowhere", {}),
    }[kind]
    out = _kit.get_all(app, ("GET", path, extra))
    return {"out": out, "recorded": recorded}


def _query_kept(ours: t.Any, ref: t.Any) -> None:
    """Safer: raw non-UTF-8 bytes in the query string stay percent-encoded
    instead of failing (Flask: UnicodeDecodeError or replacement chars).
    """
    assert "UnicodeDecodeError" in str(ref), ref
    assert ours["out"][0]["status"] == "200 OK", ours
    assert ours["out"][0]["body"] == '{"args":[["a","%E9"]]}\n', ours


@scenario(["utf8", "percent_latin1", "raw_bytes"], differs={"raw_bytes": _query_kept})
def query_decoding(kind: str) -> t.Any:
    app = _kit.make_app(testing=True)

    @app.route("/")
    def index() -> t.Any:
        return {"args": list(flask.request.args.items(multi=True))}

    qs = {
        "utf8": "a=%C3%A9&b=%E2%98%83",
        "percent_latin1": "a=%E9&b=%FF",
        "raw_bytes": "a=\xe9",
    }[kind]

    def run() -> t.Any:
        from werkzeug.test import EnvironBuilder

        builder = EnvironBuilder("/")
        env = builder.get_environ()
        env["QUERY_STRING"] = qs.encode("latin-1").decode("latin-1")
        return _kit.wsgi(app, "/", QUERY_STRING=env["QUERY_STRING"])

    return {"out": [run()]}


def _chunked_refused(ours: t.Any, ref: t.Any) -> None:
    """Safer: a chunked body longer than MAX_CONTENT_LENGTH is a 413; Flask
    cuts it short silently. A short one is read the same.
    """
    assert ours["small"] == ref["small"]
    assert ref["big"]["body"] == "got 5", ref
    assert ours["big"]["status"] == "413 REQUEST ENTITY TOO LARGE", ours


@scenario([0, 1], differs=_chunked_refused)
def chunked_over_limit(debug: int) -> t.Any:
    app = _kit.make_app(MAX_CONTENT_LENGTH=5, DEBUG=bool(debug))

    @app.route("/", methods=["POST"])
    def index() -> t.Any:
        return f"got {len(flask.request.get_data())}"

    def chunked(body: bytes) -> dict[str, t.Any]:
        # As a server passes a chunked body: already decoded, no length.
        return {
            "wsgi.input": io.BytesIO(body),
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input_terminated": True,
            "CONTENT_LENGTH": None,
        }

    return {
        "big": _kit.wsgi(app, "/", "POST", **chunked(b"x" * 20)),
        "small": _kit.wsgi(app, "/", "POST", **chunked(b"abc")),
    }


def _deep_json_is_400(ours: t.Any, ref: t.Any) -> None:
    """Safer: JSON nested too deeply is a 400 (or None when silent), not a
    RecursionError.
    """
    assert "RecursionError" in str(ref), ref
    assert "RecursionError" not in str(ours), ours


@scenario(
    ["default", "silent"],
    differs={"default": _deep_json_is_400, "silent": _deep_json_is_400},
)
def deep_json(kind: str) -> t.Any:
    app = _kit.make_app(testing=True)

    @app.route("/", methods=["POST"])
    def index() -> t.Any:
        return {"v": repr(flask.request.get_json(silent=kind == "silent"))[:20]}

    data = "[" * 100_000 + "]" * 100_000
    return {
        "out": _kit.get_all(
            app, ("POST", "/", {"data": data, "content_type": "application/json"})
        )
    }
