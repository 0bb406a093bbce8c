"""One list of requests, sent to the same app over WSGI (the test client)
and over ASGI (httpx through ``ASGITransport``, and a hand-written ASGI
client): status, headers and bodies must be identical.

Each scenario is a sequence of requests; cookies set by one response go
back with the next, through one small jar per client, so that every
client sends the very same bytes. The clock the session cookie's
signature and expiry read is frozen, so that two runs sign alike. Only
what a server adds (``Date``) is left out of the comparison; the names of
response headers are compared lowercased, as ASGI carries them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import json
import threading
import traceback
import types
import typing as t
from dataclasses import replace
from pathlib import Path

import itsdangerous.timed
import pytest
import werkzeug.utils
from asgi_helpers import asgi_call
from asgi_helpers import CookieJar
from asgi_helpers import Exchange
from asgi_helpers import httpx_request
from asgi_helpers import make_scope
from asgi_helpers import Req
from asgi_helpers import Result
from asgi_helpers import wsgi_request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException
from werkzeug.test import encode_multipart

import flask
import flask.sessions
from flask import after_this_request
from flask import g
from flask import request
from flask import session
from flask import signals
from flask import url_for

pytest.importorskip("greenlet")

UA = (("User-Agent", "conformance/1.0"),)
TESTS_DIR = Path(__file__).parent.parent
FROZEN = dt.datetime(2030, 5, 17, 12, 0, 0, tzinfo=dt.timezone.utc)


class Teapot(HTTPException):
    code = 418
    description = "I'm a teapot."


def create_app() -> flask.Flask:
    app = flask.Flask("conformance", root_path=str(TESTS_DIR))
    app.config.update(
        SECRET_KEY="conformance",
        MAX_CONTENT_LENGTH=4096,
        MAX_FORM_MEMORY_SIZE=2048,
        PROPAGATE_EXCEPTIONS=False,
    )
    log: list[str] = []
    app.extensions["log"] = log

    # -- routing -------------------------------------------------------------

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/slash/")
    def slash() -> str:
        return f"slash {request.args.get('x')}"

    @app.route("/items/<int:item_id>", methods=["GET", "PUT"])
    def item(item_id: int) -> dict[str, t.Any]:
        return {"id": item_id, "method": request.method}

    @app.route("/text/<path:rest>")
    def text(rest: str) -> str:
        return f"rest={rest}"

    @app.websocket("/ws")
    async def ws() -> None:  # pragma: no cover - only HTTP reaches it here
        pass

    # -- errors and error handlers -----------------------------------------

    @app.route("/abort/<int:code>")
    def abort_with(code: int) -> str:
        flask.abort(code, description=f"aborted with {code}")

    @app.route("/key")
    def key_error() -> str:
        return request.args["missing"]

    @app.route("/crash")
    def crash() -> str:
        raise RuntimeError("crashed")

    @app.route("/handled")
    def handled() -> str:
        raise LookupError("handled by the app")

    @app.route("/teapot")
    def teapot() -> str:
        raise Teapot()

    @app.route("/async-crash")
    async def async_crash() -> str:
        await asyncio.sleep(0)
        raise ValueError("async crash")

    @app.route("/async-unhandled")
    async def async_unhandled() -> str:
        await asyncio.sleep(0)
        raise OSError("async unhandled")

    @app.errorhandler(LookupError)
    def on_lookup(e: LookupError) -> tuple[str, int, dict[str, str]]:
        return f"lookup: {e}", 409, {"X-Handler": "lookup"}

    @app.errorhandler(403)
    def on_forbidden(e: HTTPException) -> tuple[str, int]:
        return f"custom {e.code}: {e.description}", 403

    @app.errorhandler(500)
    def on_500(e: HTTPException) -> tuple[dict[str, str], int]:
        original = getattr(e, "original_exception", None)
        return {"error": repr(original)}, 500

    @app.errorhandler(ValueError)
    async def on_value(e: ValueError) -> tuple[str, int]:
        await asyncio.sleep(0)
        return f"async handler: {e}", 422

    # -- sessions and cookies ------------------------------------------------

    @app.route("/session/set/<key>/<value>")
    def session_set(key: str, value: str) -> str:
        session[key] = value
        return "set"

    @app.route("/session/get")
    def session_get() -> dict[str, t.Any]:
        return dict(session)

    @app.route("/session/permanent")
    def session_permanent() -> str:
        session.permanent = True
        session["kept"] = "long"
        return "permanent"

    @app.route("/session/clear")
    def session_clear() -> str:
        session.clear()
        return "cleared"

    @app.route("/cookie/set")
    def cookie_set() -> flask.Response:
        rv = flask.make_response("cookies set")
        rv.set_cookie("plain", "1")
        rv.set_cookie(
            "options",
            "a b",
            max_age=600,
            path="/cookie",
            secure=True,
            httponly=True,
            samesite="Lax",
        )
        return rv

    @app.route("/cookie/get")
    def cookie_get() -> dict[str, t.Any]:
        return {"cookies": request.cookies.to_dict(flat=False)}

    @app.route("/cookie/delete")
    def cookie_delete() -> flask.Response:
        rv = flask.make_response("deleted")
        rv.delete_cookie("plain")
        return rv

    # -- redirects ---------------------------------------------------------

    @app.route("/redirect/<kind>")
    def redirect_to(kind: str) -> flask.Response:
        if kind == "relative":
            return flask.redirect("/slash/")
        if kind == "external":
            return flask.redirect(url_for("index", _external=True), 301)
        return flask.redirect(url_for("item", item_id=3, q="a b"), 307)

    # -- JSON, forms and files --------------------------------------------

    @app.post("/json")
    def json_echo() -> flask.Response:
        data = request.get_json()
        return flask.jsonify(received=data, is_json=request.is_json)

    @app.post("/json/silent")
    def json_silent() -> dict[str, t.Any]:
        return {"data": request.get_json(silent=True)}

    @app.post("/form")
    def form() -> dict[str, t.Any]:
        files = {
            name: [
                {
                    "filename": f.filename,
                    "content_type": f.content_type,
                    "sha256": hashlib.sha256(f.read()).hexdigest(),
                }
                for f in request.files.getlist(name)
            ]
            for name in request.files
        }
        return {
            "form": request.form.to_dict(flat=False),
            "files": files,
            "mimetype": request.mimetype,
        }

    @app.route("/data", methods=["POST", "PUT"])
    def data() -> dict[str, t.Any]:
        body = request.get_data()
        return {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}

    # Async views read the body as sync ones do.

    @app.post("/async/json")
    async def async_json() -> flask.Response:
        await asyncio.sleep(0)
        return flask.jsonify(received=request.get_json(), is_json=request.is_json)

    @app.post("/async/form")
    async def async_form() -> dict[str, t.Any]:
        await asyncio.sleep(0)
        return form()

    @app.post("/async/data")
    async def async_data() -> dict[str, t.Any]:
        await asyncio.sleep(0)
        body = request.get_data()
        await asyncio.sleep(0)
        return {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}

    @app.before_request
    async def async_form_hook() -> None:
        if request.path == "/async/form" and request.form.get("stop"):
            return flask.abort(422, f"stopped by {request.form['stop']}")

    # -- request values ------------------------------------------------------

    @app.route("/info", methods=["GET", "POST"])
    def info() -> dict[str, t.Any]:
        return {
            "method": request.method,
            "path": request.path,
            "full_path": request.full_path,
            "script_root": request.script_root,
            "url": request.url,
            "base_url": request.base_url,
            "url_root": request.url_root,
            "host_url": request.host_url,
            "host": request.host,
            "scheme": request.scheme,
            "is_secure": request.is_secure,
            "remote_addr": request.remote_addr,
            "access_route": list(request.access_route),
            "args": request.args.to_dict(flat=False),
            "headers": sorted(request.headers.items()),
            "cookies": request.cookies.to_dict(flat=False),
            "user_agent": request.user_agent.string,
            "content_type": request.content_type,
            "content_length": request.content_length,
            "endpoint": request.endpoint,
            "url_rule": str(request.url_rule),
            "server": [request.environ["SERVER_NAME"], request.environ["SERVER_PORT"]],
            "protocol": request.environ["SERVER_PROTOCOL"],
            "remote_port": request.environ.get("REMOTE_PORT"),
            "accept_mimetypes": str(request.accept_mimetypes),
        }

    @app.route("/urls")
    def urls() -> dict[str, str]:
        return {
            "index": url_for("index"),
            "external": url_for("index", _external=True),
            "https": url_for("item", item_id=7, _external=True, _scheme="https"),
            "static": url_for("static", filename="index.html", _external=True),
            "anchor": url_for("slash", x="1 2", _anchor="top"),
        }

    # -- files ---------------------------------------------------------------

    @app.route("/file/memory")
    def file_memory() -> flask.Response:
        return flask.send_file(
            io.BytesIO(b"0123456789" * 50),
            mimetype="application/octet-stream",
            as_attachment=True,
            download_name="numbers.bin",
            etag="numbers",
            last_modified=FROZEN,
        )

    @app.route("/file/download/<path:name>")
    def file_download(name: str) -> flask.Response:
        return flask.send_from_directory(app.static_folder or "", name, max_age=0)

    # -- streaming -----------------------------------------------------------

    @app.route("/stream")
    def stream() -> flask.Response:
        def generate() -> t.Iterator[str]:
            for i in range(3):
                yield f"line {i}\n"

        return flask.Response(generate(), mimetype="text/plain")

    @app.route("/stream/context")
    def stream_context() -> flask.Response:
        @flask.stream_with_context
        def generate() -> t.Iterator[str]:
            yield f"path={request.path} "
            yield f"q={request.args.get('q')} "
            yield f"g={g.get('marker')}"

        g.marker = "from the view"
        return flask.Response(generate())

    @app.route("/stream/template")
    def stream_template() -> flask.Response:
        return flask.Response(
            flask.stream_template_string(
                "{% for i in items %}<{{ i }}>{% endfor %}", items=range(4)
            )
        )

    # -- hooks and signals -------------------------------------------------
    # Everything is logged, for every request; /log hands the log over and
    # starts a new one, so it shows the steps of the requests before it
    # (and the end of the previous /log request).

    @app.url_value_preprocessor
    def preprocess(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        log.append(f"url_value_preprocessor {endpoint}")

    @app.before_request
    def before() -> flask.Response | None:
        log.append("before_request")
        g.marker = request.endpoint

        if request.args.get("short"):
            return flask.make_response("short-circuited", 203)

        return None

    @app.before_request
    async def before_async() -> None:
        await asyncio.sleep(0)
        log.append("before_request async")

    @app.after_request
    def after(response: flask.Response) -> flask.Response:
        log.append("after_request")
        response.headers["X-After"] = "1"
        return response

    @app.after_request
    async def after_async(response: flask.Response) -> flask.Response:
        log.append("after_request async")
        return response

    @app.teardown_request
    def teardown_request(exc: BaseException | None) -> None:
        log.append(f"teardown_request {exc!r}")

    @app.teardown_appcontext
    async def teardown_app(exc: BaseException | None) -> None:
        log.append(f"teardown_appcontext {g.get('marker')} {exc!r}")

    @app.route("/hooks")
    def hooks() -> flask.Response:
        log.append("view")

        @after_this_request
        def add_header(response: flask.Response) -> flask.Response:
            log.append("after_this_request")
            response.headers["X-This-Request"] = "yes"
            return response

        flask.flash("flashed")
        return flask.make_response(flask.render_template_string("{{ 1 + 1 }}"))

    @app.route("/log")
    def read_log() -> dict[str, list[str]]:
        entries = list(log)
        log.clear()
        return {"log": entries}

    def record(name: str) -> t.Callable[..., None]:
        def receiver(sender: t.Any, **extra: t.Any) -> None:
            detail = extra.get("exception") or extra.get("exc") or extra.get("response")
            log.append(f"signal {name} {detail!r:.40}")

        return receiver

    # Kept with the app: blinker holds receivers weakly.
    app.extensions["receivers"] = receivers = []

    for name in [
        "request_started",
        "request_finished",
        "request_tearing_down",
        "got_request_exception",
        "appcontext_tearing_down",
        "appcontext_pushed",
        "appcontext_popped",
        "before_render_template",
        "template_rendered",
        "message_flashed",
    ]:
        receiver = record(name)
        receivers.append(receiver)
        getattr(signals, name).connect(receiver, app)

    return app


def _multipart(fields: dict[str, t.Any]) -> bytes:
    """A multipart body, encoded once for every client."""
    return encode_multipart(fields, boundary="BOUNDARY")[1]


MULTIPART = (("Content-Type", "multipart/form-data; boundary=BOUNDARY"),)
URLENCODED = (("Content-Type", "application/x-www-form-urlencoded"),)
JSON = (("Content-Type", "application/json"),)
UPGRADE = (("Upgrade", "websocket"), ("Connection", "Upgrade"))


def _file(data: bytes, name: str, content_type: str | None = None) -> FileStorage:
    return FileStorage(io.BytesIO(data), name, content_type=content_type)


#: The scenarios: each is a sequence of (expected status, request), the
#: cookies set by one response sent with the next request. The statuses
#: check that each request tests what it is there for.
SCENARIOS: dict[str, list[tuple[int, Req]]] = {
    "routing": [
        (200, Req(path="/")),
        (200, Req(path="/?a=1&a=2&b=%C3%A9")),
        (404, Req(path="/missing")),
        (405, Req("POST", "/")),
        (405, Req("DELETE", "/items/3")),
        (200, Req("PUT", "/items/3")),
        (404, Req(path="/items/x")),
        (308, Req(path="/slash")),
        (308, Req(path="/slash?x=%2F1")),
        (200, Req(path="/slash/?x=1")),
        (200, Req(path="/text/a%20b/%C3%BCber/c")),
        (200, Req("OPTIONS", "/")),
        (200, Req("OPTIONS", "/items/1")),
        (200, Req("HEAD", "/")),
        (200, Req("HEAD", "/items/2")),
        (404, Req("HEAD", "/missing")),
        (404, Req("PATCH", "/missing")),
        # A websocket route asked over HTTP: werkzeug's mismatch, then the
        # handshake that needs an ASGI server's websocket scope.
        (400, Req(path="/ws")),
        (400, Req(path="/ws", headers=UPGRADE)),
    ],
    "errors": [
        (400, Req(path="/abort/400")),
        (403, Req(path="/abort/403")),
        (410, Req(path="/abort/410")),
        (500, Req(path="/abort/500")),
        (409, Req(path="/key")),
        (500, Req(path="/crash")),
        (409, Req(path="/handled")),
        (418, Req(path="/teapot")),
        (422, Req(path="/async-crash")),
        (500, Req("HEAD", "/crash")),
    ],
    "session": [
        (200, Req(path="/session/get")),
        (200, Req(path="/session/set/a/1")),
        (200, Req(path="/session/get")),
        (200, Req(path="/session/set/b/%C3%A9")),
        (200, Req(path="/session/get")),
        (200, Req(path="/session/permanent")),
        (200, Req(path="/session/get")),
        (200, Req(path="/session/clear")),
        (200, Req(path="/session/get")),
        (200, Req(path="/session/get", headers=(("Cookie", "session=forged.x.y"),))),
    ],
    "cookies": [
        (200, Req(path="/cookie/set")),
        (200, Req(path="/cookie/get")),
        (200, Req(path="/cookie/delete")),
        (200, Req(path="/cookie/get")),
        # Cookies in several headers (as HTTP/2 sends them).
        (200, Req(path="/cookie/get", headers=(("Cookie", "a=1"), ("Cookie", "b=2")))),
    ],
    "redirects": [
        (302, Req(path="/redirect/relative")),
        (301, Req(path="/redirect/external")),
        (307, Req(path="/redirect/built")),
        (301, Req(path="/redirect/external", host="example.com:8080")),
        (301, Req(path="/redirect/external", root_path="/mount")),
        (301, Req(path="/redirect/external", scheme="https")),
    ],
    "json": [
        (200, Req("POST", "/json", JSON, b'{"a": [1, 2.5, null], "b": "\\u00e9"}')),
        (400, Req("POST", "/json", JSON, b"{not json")),
        (415, Req("POST", "/json", (("Content-Type", "text/plain"),), b"{}")),
        (200, Req("POST", "/json/silent", JSON, b"{")),
        (200, Req(path="/items/5")),
    ],
    "forms": [
        (200, Req("POST", "/form", URLENCODED, b"n=ann&t=a&t=b&empty=&u=%C3%A9")),
        (200, Req("POST", "/form", URLENCODED, b"name=ann", chunked=True)),
        (
            200,
            Req(
                "POST",
                "/form",
                MULTIPART,
                _multipart(
                    {
                        "title": "Notes",
                        "file": _file(b"first file\n" * 20, "a.txt", "text/plain"),
                        "other": _file(bytes(range(256)), "b.bin"),
                    }
                ),
            ),
        ),
        (
            200,
            Req(
                "POST",
                "/form",
                MULTIPART,
                _multipart({"f": _file(b"\x00\xff" * 300, "z.bin")}),
                chunked=True,
            ),
        ),
        (200, Req("POST", "/form", MULTIPART, b"--BOUNDARY\r\nbroken")),
        (200, Req("POST", "/data", (), b"x" * 1000)),
        (200, Req("PUT", "/data", (), b"y" * 1000, chunked=True)),
        (200, Req("POST", "/data")),
    ],
    "async views read bodies": [
        (200, Req("POST", "/async/json", JSON, b'{"a": [1, 2.5, null]}')),
        (400, Req("POST", "/async/json", JSON, b"{not json")),
        (200, Req("POST", "/async/form", URLENCODED, b"n=ann&t=a&t=b")),
        (422, Req("POST", "/async/form", URLENCODED, b"stop=hook")),
        (
            200,
            Req(
                "POST",
                "/async/form",
                MULTIPART,
                _multipart({"title": "T", "file": _file(b"data" * 100, "a.txt")}),
            ),
        ),
        (200, Req("POST", "/async/data", (), b"d" * 4000, chunked=True)),
        (413, Req("POST", "/async/data", (), b"d" * 5000)),
        (413, Req("POST", "/async/data", (), b"d" * 5000, chunked=True)),
    ],
    "request values": [
        (200, Req(path="/info?q=1&q=2&r=%C3%A9")),
        (
            200,
            Req(
                "POST",
                "/info",
                (
                    ("X-Multi", "a"),
                    ("X-Multi", "b"),
                    ("Accept", "text/html;q=0.9, application/json"),
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("X-Forwarded-For", "203.0.113.9, 10.0.0.1"),
                    ("Cookie", "c1=v1"),
                    ("Cookie", "c2=v2"),
                ),
                b"body",
            ),
        ),
        (200, Req(path="/info", root_path="/mount")),
        (404, Req(path="/info/", root_path="/mount")),
        (200, Req(path="/info", root_path="/mount/deep%20er")),
        (200, Req(path="/info", scheme="https", host="secure.example")),
        (200, Req(path="/info", host="example.com:8443", client=("203.0.113.5", 4321))),
        (200, Req(path="/info", client=("::1", 1))),
        (200, Req(path="/urls")),
        (200, Req(path="/urls", root_path="/mount", scheme="https", host="a.example")),
    ],
    "files": [
        (200, Req(path="/static/index.html")),
        (200, Req("HEAD", "/static/index.html")),
        (404, Req(path="/static/missing.txt")),
        (200, Req(path="/file/memory")),
        (304, Req(path="/file/memory", headers=(("If-None-Match", '"numbers"'),))),
        (
            304,
            Req(
                path="/file/memory",
                headers=(("If-Modified-Since", "Fri, 17 May 2030 12:00:00 GMT"),),
            ),
        ),
        (206, Req(path="/file/memory", headers=(("Range", "bytes=10-19"),))),
        (206, Req(path="/file/memory", headers=(("Range", "bytes=-5"),))),
        (416, Req(path="/file/memory", headers=(("Range", "bytes=900-999"),))),
        (
            206,
            Req(
                path="/file/memory",
                headers=(("Range", "bytes=0-3"), ("If-Range", '"numbers"')),
            ),
        ),
        (
            200,
            Req(
                path="/file/memory",
                headers=(("Range", "bytes=0-3"), ("If-Range", '"other"')),
            ),
        ),
        (200, Req(path="/file/download/config.json")),
        (404, Req(path="/file/download/nothing.json")),
        (404, Req(path="/file/download/..%2Fconftest.py")),
    ],
    "streaming": [
        (200, Req(path="/stream")),
        (200, Req("HEAD", "/stream")),
        (200, Req(path="/stream/context?q=streamed")),
        (200, Req(path="/stream/template")),
    ],
    "413": [
        (200, Req("POST", "/data", (), b"z" * 4096)),
        (413, Req("POST", "/data", (), b"z" * 4097)),
        (413, Req("POST", "/data", (), b"z" * 5000, chunked=True)),
        (200, Req("POST", "/data", (), b"z" * 4000, chunked=True)),
        (
            413,
            Req("POST", "/form", MULTIPART, _multipart({"f": _file(b"f" * 5000, "f")})),
        ),
        (
            413,
            Req(
                "POST",
                "/form",
                MULTIPART,
                _multipart({"f": _file(b"f" * 5000, "f")}),
                chunked=True,
            ),
        ),
        # MAX_FORM_MEMORY_SIZE: a field too big to keep in memory.
        (413, Req("POST", "/form", MULTIPART, _multipart({"text": "t" * 3000}))),
    ],
    "hooks and signals": [
        (200, Req(path="/log")),
        (200, Req(path="/hooks")),
        (200, Req(path="/log")),
        (203, Req(path="/hooks?short=1")),
        (200, Req(path="/log")),
        (500, Req(path="/crash")),
        (200, Req(path="/log")),
        (422, Req(path="/async-crash")),
        (200, Req(path="/log")),
        (404, Req(path="/missing")),
        (200, Req(path="/log")),
    ],
}


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The session cookie's signature and expiry, and send_file's Expires
    header, read this clock.
    """

    class FrozenDatetime(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> FrozenDatetime:  # type: ignore[override]
            return FROZEN.astimezone(tz)  # type: ignore[return-value]

    monkeypatch.setattr(
        itsdangerous.timed, "time", types.SimpleNamespace(time=FROZEN.timestamp)
    )
    monkeypatch.setattr(flask.sessions, "datetime", FrozenDatetime)
    monkeypatch.setattr(werkzeug.utils, "time", FROZEN.timestamp)


def _run_scenario(
    app: flask.Flask, send: t.Callable[[Req], Result], steps: list[tuple[int, Req]]
) -> list[Result]:
    """Send the steps in order with one cookie jar, from a fresh app log."""
    app.extensions["log"].clear()
    jar = CookieJar()
    results = []

    for _, step in steps:
        step = replace(step, headers=(*UA, *step.headers))
        result = send(step.with_cookies(jar.values))
        jar.update(result)
        results.append(result)

    return results


def _compare(
    steps: list[tuple[int, Req]],
    expected: list[Result],
    actual: list[Result],
    door: str,
) -> None:
    for (_, step), want, got in zip(steps, expected, actual, strict=True):
        where = f"{door}: {step.method} {step.root_path}{step.path}"
        # The body first: it tells most about a difference.
        assert got.body == want.body, where
        assert got.status == want.status, where
        assert got.headers == want.headers, where


@pytest.mark.usefixtures("frozen_clock")
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_same_responses(name: str) -> None:
    steps = SCENARIOS[name]
    app = create_app()

    over_wsgi = _run_scenario(app, lambda req: wsgi_request(app, req), steps)
    # Each request gets the status it is there for.
    assert [r.status for r in over_wsgi] == [status for status, _ in steps]

    over_httpx = _run_scenario(
        app, lambda req: asyncio.run(httpx_request(app.asgi, req)), steps
    )
    _compare(steps, over_wsgi, over_httpx, "httpx")

    over_asgi = _run_scenario(
        app, lambda req: asyncio.run(asgi_call(app.asgi, req)).result(), steps
    )
    _compare(steps, over_wsgi, over_asgi, "ASGI")


@pytest.mark.parametrize("path", ["/crash", "/async-unhandled"])
def test_same_error_log(caplog: pytest.LogCaptureFixture, path: str) -> None:
    """The error logged for an unhandled exception says the same, with a
    traceback that goes down to the view that raised it (from a pool
    thread or the loop).
    """
    app = create_app()

    def logged(send: t.Callable[[Req], Result]) -> tuple[str, list[str]]:
        caplog.clear()
        assert send(Req(path=path)).status == 500
        (record,) = [r for r in caplog.records if r.exc_info]
        assert record.exc_info is not None
        frames = traceback.extract_tb(record.exc_info[2])
        return record.getMessage(), [f.name for f in frames if f.filename == __file__]

    over_wsgi = logged(lambda req: wsgi_request(app, req))
    over_asgi = logged(lambda req: asyncio.run(asgi_call(app.asgi, req)).result())

    assert over_wsgi == (f"Exception on {path} [GET]", [path[1:].replace("-", "_")])
    assert over_asgi == over_wsgi


# -- What httpx does not show: the messages themselves ----------------------


def _exchange(app: flask.Flask, req: Req, **scope: t.Any) -> Exchange:
    return asyncio.run(asgi_call(app.asgi, req, scope=make_scope(req, **scope)))


def test_one_message_for_a_body_made_at_once() -> None:
    app = create_app()
    exchange = _exchange(app, Req(path="/items/4"))

    assert [m["type"] for m in exchange.messages] == [
        "http.response.start",
        "http.response.body",
    ]
    assert exchange.messages[1]["body"] == b'{"id":4,"method":"GET"}\n'
    assert not exchange.messages[1].get("more_body", False)
    # Header names are lowercase bytes, as ASGI requires.
    assert all(
        isinstance(k, bytes) and k == k.lower()
        for k, _ in exchange.messages[0]["headers"]
    )


def test_head_sends_no_body() -> None:
    app = create_app()

    for path in ["/", "/stream", "/static/index.html"]:
        exchange = _exchange(app, Req("HEAD", path))
        assert exchange.result().body == b"", path


def test_streams_chunk_by_chunk() -> None:
    app = create_app()
    exchange = _exchange(app, Req(path="/stream"))

    chunks = [m["body"] for m in exchange.body_messages if m.get("body")]
    assert chunks == [b"line 0\n", b"line 1\n", b"line 2\n"]
    assert exchange.result().header("content-length") is None


def test_async_generator_streams_natively(app: flask.Flask) -> None:
    """Under ASGI a view may return an async generator; each item is one
    message, made on the loop.
    """
    loop_threads: set[int] = set()

    @app.route("/events")
    def events() -> t.Any:
        async def generate() -> t.AsyncIterator[str | bytes]:
            for i in range(3):
                loop_threads.add(threading.get_ident())
                await asyncio.sleep(0)
                yield f"data: {i}\n\n" if i % 2 else f"data: {i}\n\n".encode()

        return generate(), {"Content-Type": "text/event-stream"}

    exchange = asyncio.run(asgi_call(app.asgi, Req(path="/events")))

    assert exchange.result().header("content-type") == "text/event-stream"
    chunks = [m["body"] for m in exchange.body_messages if m.get("body")]
    assert chunks == [b"data: 0\n\n", b"data: 1\n\n", b"data: 2\n\n"]
    assert loop_threads == {threading.get_ident()}


def test_send_file_streams_in_chunks(app: flask.Flask) -> None:
    data = bytes(range(256)) * 1024

    @app.route("/big")
    def big() -> flask.Response:
        return flask.send_file(io.BytesIO(data), mimetype="application/octet-stream")

    exchange = asyncio.run(asgi_call(app.asgi, Req(path="/big")))

    result = exchange.result()
    assert result.body == data
    assert result.header("content-length") == str(len(data))
    assert len([m for m in exchange.body_messages if m.get("body")]) > 1


def test_body_read_from_several_messages(app: flask.Flask) -> None:
    @app.post("/echo")
    def echo() -> bytes:
        return request.get_data()

    req = Req("POST", "/echo", body=b"0123456789" * 1000, chunked=True)
    exchange = asyncio.run(asgi_call(app.asgi, req))

    assert exchange.result().body == req.body
    assert exchange.receives >= 3


def test_scope_without_optional_keys(app: flask.Flask) -> None:
    """``server``, ``client``, ``scheme`` and ``root_path`` may be left
    out of a scope.
    """

    @app.route("/where")
    def where() -> dict[str, t.Any]:
        return {
            "url": request.url,
            "remote_addr": request.remote_addr,
            "server": request.environ["SERVER_NAME"],
        }

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/where",
        "query_string": b"",
        "headers": [],
    }
    exchange = asyncio.run(asgi_call(app.asgi, Req(), scope=scope))

    assert json.loads(exchange.result().body) == {
        "url": "http://localhost/where",
        "remote_addr": None,
        "server": "localhost",
    }


def test_http2_body_without_length(app: flask.Flask) -> None:
    """HTTP/2 and 3 requests may carry a body without Content-Length."""

    @app.post("/echo")
    def echo() -> bytes:
        return request.get_data()

    req = Req("POST", "/echo", body=b"framed by HTTP/2" * 100, chunked=True)
    headers = [(b"host", b"localhost")]

    for version in ["2", "3"]:
        scope = make_scope(req, http_version=version, headers=headers)
        exchange = asyncio.run(asgi_call(app.asgi, req, scope=scope))
        assert exchange.result().body == req.body, version


def test_head_of_an_async_body(app: flask.Flask) -> None:
    """HEAD (and 204/304) responses carry no body, async ones neither;
    the generator is closed without running.
    """
    events: list[str] = []

    @app.route("/events")
    def events_view() -> t.Any:
        async def generate() -> t.AsyncIterator[str]:
            events.append("started")
            yield "data"

        status = int(request.args.get("status", 200))
        return generate(), status

    for method, status in [("HEAD", 200), ("GET", 204), ("GET", 304)]:
        req = Req(method, f"/events?status={status}")
        exchange = asyncio.run(asgi_call(app.asgi, req))
        assert exchange.result().body == b"", (method, status)

    assert events == []
    exchange = asyncio.run(asgi_call(app.asgi, Req(path="/events")))
    assert exchange.result().body == b"data"


def test_root_path_is_a_path_prefix(app: flask.Flask) -> None:
    """A root path strips whole segments only: /mount is not the start of
    /mountain (a server that gives the path without its root path).
    """

    @app.route("/<path:rest>")
    def where(rest: str) -> str:
        return f"{request.script_root}|{request.path}"

    for path, expected in [
        ("/mount/x", b"/mount|/x"),
        ("/mountain", b"/mount|/mountain"),
    ]:
        req = Req(path=path)
        scope = make_scope(req, root_path="/mount", path=path)
        assert asyncio.run(asgi_call(app.asgi, req, scope=scope)).result().body == (
            expected
        ), path


def test_asgi_middleware_wraps_the_entry(app: flask.Flask) -> None:
    """ASGI middleware is set on ``app.asgi``; WSGI middleware set on
    ``app.wsgi_app`` wraps the WSGI entry only.
    """

    @app.route("/")
    def index() -> str:
        return request.environ.get("wsgi.middleware", "none")

    def wsgi_middleware(wsgi_app: t.Any) -> t.Any:
        def wrapped(environ: t.Any, start_response: t.Any) -> t.Any:
            environ["wsgi.middleware"] = "ran"
            return wsgi_app(environ, start_response)

        return wrapped

    class AsgiMiddleware:
        def __init__(self, asgi: t.Any) -> None:
            self.asgi = asgi

        async def __call__(self, scope: t.Any, receive: t.Any, send: t.Any) -> None:
            async def send_with_header(message: t.Any) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message["headers"], (b"x-asgi", b"ran")]

                await send(message)

            await self.asgi(scope, receive, send_with_header)

    app.wsgi_app = wsgi_middleware(app.wsgi_app)  # type: ignore[method-assign]
    app.asgi = AsgiMiddleware(app.asgi)  # type: ignore[assignment]

    assert app.test_client().get("/").text == "ran"
    result = asyncio.run(asgi_call(app.asgi, Req(path="/"))).result()
    assert result.body == b"none"
    assert result.header("x-asgi") == "ran"
