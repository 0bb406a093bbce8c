"""Bounded parsing: every body limit holds whatever the client claims
about the body (honest, lying or missing ``Content-Length``, chunked),
and malformed input is refused with a 4xx in bounded time and memory.

Driven in-process with the test client (``input_stream`` and the environ
keys a server sets) and over a real werkzeug server with raw bytes.
"""

from __future__ import annotations

import io
import json
import tracemalloc
import typing as t

import pytest
import werkzeug.wrappers
from http_support import bounded
from http_support import http_status
from http_support import live_server
from http_support import raw_http
from werkzeug.test import EnvironBuilder
from werkzeug.test import run_wsgi_app

import flask

MB = 1024 * 1024


class EndlessStream(io.RawIOBase):
    """A body that never ends, counting what is read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: t.Any) -> int:
        n = len(b)
        b[:n] = b"a" * n
        self.read_bytes += n
        return n


class ExplodingStream(io.RawIOBase):
    """A body that must not be read at all."""

    def readable(self) -> bool:
        return True

    def readinto(self, b: t.Any) -> int:
        raise AssertionError("the body was read")


@pytest.fixture
def lapp() -> flask.Flask:
    app = flask.Flask("sec_limits")
    app.config.update(TESTING=True, MAX_CONTENT_LENGTH=1000)

    @app.post("/data")
    def data() -> str:
        return str(len(flask.request.get_data()))

    @app.post("/stream")
    def stream() -> str:
        size = 0

        while chunk := flask.request.stream.read(100):
            size += len(chunk)

        return str(size)

    @app.post("/form")
    def form() -> dict[str, t.Any]:
        return {
            "form": len(flask.request.form),
            "files": len(flask.request.files),
            "size": sum(len(v) for v in flask.request.form.values()),
        }

    @app.post("/json")
    def json_view() -> dict[str, t.Any]:
        return {"type": type(flask.request.get_json()).__name__}

    @app.post("/json-silent")
    def json_silent() -> dict[str, t.Any]:
        return {"value": flask.request.get_json(silent=True)}

    @app.post("/json-prop")
    def json_prop() -> dict[str, t.Any]:
        return {"type": type(flask.request.json).__name__}

    return app


@pytest.fixture
def lclient(lapp: flask.Flask) -> flask.testing.FlaskClient:
    return lapp.test_client()


class Result(t.NamedTuple):
    status_code: int
    data: bytes

    @property
    def json(self) -> t.Any:
        return json.loads(self.data)


def call(
    app: flask.Flask,
    path: str,
    body: bytes | t.IO[bytes],
    content_type: str = "application/octet-stream",
    *,
    length: int | None = None,
    chunked: bool = False,
) -> Result:
    """POST ``body`` to ``app`` through its WSGI callable, with exactly the
    framing given: ``length`` as Content-Length (none if ``None``), or
    chunked as a WSGI server presents it (no Content-Length, and a stream
    the server ends itself, ``wsgi.input_terminated``). The test client
    cannot do this: it measures the stream and sets Content-Length.
    """
    builder = EnvironBuilder(path=path, method="POST")
    environ = builder.get_environ()
    builder.close()
    environ.pop("CONTENT_LENGTH", None)
    environ["CONTENT_TYPE"] = content_type
    environ["wsgi.input"] = io.BytesIO(body) if isinstance(body, bytes) else body

    if length is not None:
        environ["CONTENT_LENGTH"] = str(length)

    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
        environ["wsgi.input_terminated"] = True

    app_iter, status, _ = run_wsgi_app(app, environ, buffered=True)
    data = b"".join(app_iter)
    return Result(int(status.split(None, 1)[0]), data)


READERS = ["/data", "/stream", "/form", "/json"]
BODY_TYPES = {
    "/data": "application/octet-stream",
    "/stream": "application/octet-stream",
    "/form": "application/x-www-form-urlencoded",
    "/json": "application/json",
}


# -- MAX_CONTENT_LENGTH -----------------------------------------------------


@pytest.mark.parametrize("path", READERS)
def test_honest_content_length_over_limit(lclient, path: str) -> None:
    rv = lclient.post(path, data=b"a" * 1001, content_type=BODY_TYPES[path])
    assert rv.status_code == 413


@pytest.mark.parametrize("path", READERS)
def test_declared_huge_body_refused_without_reading(lapp, path: str) -> None:
    rv = call(lapp, path, ExplodingStream(), BODY_TYPES[path], length=10**12)
    assert rv.status_code == 413


def test_lying_small_content_length_reads_only_that_much(lapp) -> None:
    stream = EndlessStream()
    rv = call(lapp, "/data", stream, length=10)
    assert rv.status_code == 200
    assert rv.data == b"10"
    assert stream.read_bytes <= 64 * 1024


@pytest.mark.parametrize("path", ["/data", "/stream", "/form"])
def test_missing_content_length_reads_nothing(lapp, path: str) -> None:
    """Without Content-Length and without a server that ends the stream,
    werkzeug cannot know where the body ends and reads none of it."""
    stream = EndlessStream()
    rv = bounded(10, call, lapp, path, stream, BODY_TYPES[path])
    assert rv.status_code == 200
    assert stream.read_bytes == 0


@pytest.mark.parametrize("path", READERS)
def test_chunked_body_over_limit_is_413(lapp, path: str) -> None:
    rv = call(lapp, path, b"1" * 1001, BODY_TYPES[path], chunked=True)
    assert rv.status_code == 413


@pytest.mark.parametrize("size", [0, 1, 999, 1000])
@pytest.mark.parametrize("path", ["/data", "/stream"])
def test_chunked_body_within_limit(lapp, path: str, size: int) -> None:
    rv = call(lapp, path, b"a" * size, chunked=True)
    assert rv.status_code == 200
    assert rv.data == str(size).encode()


def test_chunked_json_and_form_at_the_limit(lapp) -> None:
    body = json.dumps(["a" * 996]).encode()
    assert len(body) == 1000
    rv = call(lapp, "/json", body, "application/json", chunked=True)
    assert rv.json == {"type": "list"}
    form = b"a=" + b"b" * 998
    rv = call(lapp, "/form", form, BODY_TYPES["/form"], chunked=True)
    assert rv.json == {"form": 1, "files": 0, "size": 998}


@pytest.mark.parametrize("path", READERS)
def test_endless_chunked_body_is_413_in_bounded_time(lapp, path: str):
    stream = EndlessStream()
    rv = bounded(10, lambda: call(lapp, path, stream, BODY_TYPES[path], chunked=True))
    assert rv.status_code == 413
    assert stream.read_bytes <= 1000 + 64 * 1024


def test_canary_werkzeug_truncates_chunked_body(lapp, monkeypatch) -> None:
    """Without Request.stream's guard, werkzeug cuts a chunked body at the
    limit and the view sees the first MAX_CONTENT_LENGTH bytes as if they
    were the whole body."""
    monkeypatch.setattr(flask.Request, "stream", werkzeug.wrappers.Request.stream)
    rv = call(lapp, "/data", b"a" * 5000, chunked=True)
    assert rv.status_code == 200
    assert rv.data == b"1000"


def test_limit_set_on_the_request_wins(lapp) -> None:
    @lapp.post("/own-limit")
    def own_limit() -> str:
        flask.request.max_content_length = 10
        return str(len(flask.request.get_data()))

    assert call(lapp, "/own-limit", b"a" * 11, chunked=True).status_code == 413
    assert call(lapp, "/own-limit", b"a" * 10, chunked=True).data == b"10"


def test_no_limit_configured_reads_all(lapp) -> None:
    lapp.config["MAX_CONTENT_LENGTH"] = None
    assert call(lapp, "/data", b"a" * 5000, chunked=True).data == b"5000"


def _peak_memory(func: t.Callable[[], t.Any]) -> tuple[t.Any, int]:
    tracemalloc.start()

    try:
        rv = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    return rv, peak


@pytest.mark.parametrize("path", READERS)
def test_refusal_uses_bounded_memory(lapp, path: str) -> None:
    lapp.config["MAX_CONTENT_LENGTH"] = 100_000
    stream = EndlessStream()

    rv, peak = _peak_memory(
        lambda: call(lapp, path, stream, BODY_TYPES[path], chunked=True)
    )
    assert rv.status_code == 413
    # The limit, plus a read buffer or two; not the body the client sends.
    assert peak < 2 * MB, peak


# -- MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS ---------------------------------


def _multipart(
    parts: list[tuple[str, str | None, bytes]], boundary: str = "b0und"
) -> bytes:
    out = []

    for name, filename, body in parts:
        disposition = f'form-data; name="{name}"'

        if filename is not None:
            disposition += f'; filename="{filename}"'

        out.append(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
            + body
            + b"\r\n"
        )

    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


MP = "multipart/form-data; boundary=b0und"


@pytest.fixture
def fapp(lapp: flask.Flask) -> flask.Flask:
    lapp.config.update(MAX_CONTENT_LENGTH=None)
    assert lapp.config["MAX_FORM_MEMORY_SIZE"] == 500_000
    return lapp


def test_form_field_over_memory_limit_is_413(fapp) -> None:
    body = _multipart([("a", None, b"x" * 500_001)])
    rv = fapp.test_client().post("/form", data=body, content_type=MP)
    assert rv.status_code == 413


def test_form_field_under_memory_limit_is_accepted(fapp) -> None:
    # werkzeug counts the boundary look-ahead too, so the limit is not
    # byte-exact; well under it is accepted.
    body = _multipart([("a", None, b"x" * 400_000)])
    rv = fapp.test_client().post("/form", data=body, content_type=MP)
    assert rv.json == {"form": 1, "files": 0, "size": 400_000}


def test_file_part_is_not_held_to_the_memory_limit(fapp) -> None:
    # Files are spooled to disk rather than refused.
    body = _multipart([("f", "big.bin", b"x" * (2 * MB))])
    rv = fapp.test_client().post("/form", data=body, content_type=MP)
    assert rv.json == {"form": 0, "files": 1, "size": 0}


def test_field_split_across_reads_is_still_counted(fapp) -> None:
    # Delivered in small reads, the field is only too large in total.
    body = _multipart([("a", None, b"x" * 600_000)])
    rv = call(fapp, "/form", _Trickle(body), MP, length=len(body))
    assert rv.status_code == 413


class _Trickle(io.RawIOBase):
    """Hands out a body a few KiB per read, as a slow client would."""

    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b: t.Any) -> int:
        n = min(len(b), 4096, len(self.data))
        b[:n] = self.data[:n]
        self.data = self.data[n:]
        return n


def test_many_fields_each_under_the_limit(fapp) -> None:
    fapp.config["MAX_FORM_MEMORY_SIZE"] = 100_000
    body = _multipart([(f"k{i}", None, b"x" * 60_000) for i in range(20)])
    rv = call(fapp, "/form", _Trickle(body), MP, length=len(body))
    assert rv.json["form"] == 20


def test_memory_limit_set_on_the_request_wins(fapp) -> None:
    @fapp.post("/own-form-limit")
    def own() -> str:
        flask.request.max_form_memory_size = 10
        return str(len(flask.request.form))

    body = _multipart([("a", None, b"x" * 11)])
    rv = fapp.test_client().post("/own-form-limit", data=body, content_type=MP)
    assert rv.status_code == 413


def test_1001_parts_over_default_limit_is_413(lapp) -> None:
    assert lapp.config["MAX_FORM_PARTS"] == 1000
    lapp.config["MAX_CONTENT_LENGTH"] = None
    client = lapp.test_client()
    rv = bounded(
        20,
        client.post,
        "/form",
        data=_multipart([(f"k{i}", None, b"v") for i in range(1001)]),
        content_type=MP,
    )
    assert rv.status_code == 413
    rv = client.post(
        "/form",
        data=_multipart([(f"k{i}", None, b"v") for i in range(1000)]),
        content_type=MP,
    )
    assert rv.json["form"] == 1000


def test_parts_limit_counts_files_too(lapp) -> None:
    lapp.config.update(MAX_CONTENT_LENGTH=None, MAX_FORM_PARTS=10)
    parts = [(f"f{i}", f"{i}.txt", b"v") for i in range(11)]
    rv = lapp.test_client().post("/form", data=_multipart(parts), content_type=MP)
    assert rv.status_code == 413


@pytest.mark.parametrize("cause", ["parts", "field", "malformed"])
def test_files_opened_before_a_refusal_are_closed(lapp, cause: str) -> None:
    """werkzeug leaves the files it opened for earlier parts to the
    garbage collector when it stops part way; the request closes them."""
    opened: list[t.IO[bytes]] = []

    class Request(flask.Request):
        def _get_file_stream(self, *args: t.Any, **kwargs: t.Any) -> t.IO[bytes]:
            rv = super()._get_file_stream(*args, **kwargs)
            opened.append(rv)
            return rv

    lapp.request_class = Request
    lapp.config.update(MAX_CONTENT_LENGTH=None, MAX_FORM_PARTS=4)
    parts: list[tuple[str, str | None, bytes]]
    parts = [(f"f{i}", f"{i}.bin", b"x" * 1000) for i in range(3)]

    if cause == "parts":
        parts += [(f"k{i}", None, b"v") for i in range(3)]
        body = _multipart(parts)
    elif cause == "field":
        lapp.config["MAX_FORM_MEMORY_SIZE"] = 100_000
        body = _multipart([*parts, ("big", None, b"x" * 200_000)])
    else:
        body = _multipart(parts)[:-12] + b"\r\n--b0und\r\nbroken"

    rv = call(lapp, "/form", _Trickle(body), MP, length=len(body))
    assert rv.status_code in {200, 413}
    assert len(opened) >= 1
    assert all(f.closed for f in opened), [f.closed for f in opened]


def test_parts_limit_from_config(lapp) -> None:
    lapp.config.update(MAX_CONTENT_LENGTH=None, MAX_FORM_PARTS=3)
    client = lapp.test_client()
    parts = [(f"k{i}", None, b"v") for i in range(4)]
    assert (
        client.post("/form", data=_multipart(parts), content_type=MP).status_code == 413
    )
    rv = client.post("/form", data=_multipart(parts[:3]), content_type=MP)
    assert rv.json["form"] == 3


def test_endless_multipart_part_is_bounded(lapp) -> None:
    """A part that never ends, in a chunked body: refused at the body limit,
    long before memory runs out."""
    lapp.config.update(MAX_CONTENT_LENGTH=200_000)

    class EndlessPart(EndlessStream):
        def __init__(self) -> None:
            super().__init__()
            self.head = b'--b0und\r\nContent-Disposition: form-data; name="a"\r\n\r\n'

        def readinto(self, b: t.Any) -> int:
            if self.head:
                n = min(len(b), len(self.head))
                b[:n] = self.head[:n]
                self.head = self.head[n:]
                return n

            return super().readinto(b)

    stream = EndlessPart()
    rv, peak = _peak_memory(
        lambda: bounded(20, lambda: call(lapp, "/form", stream, MP, chunked=True))
    )
    assert rv.status_code == 413
    assert peak < 4 * MB, peak


# -- malformed multipart -----------------------------------------------------

MALFORMED_MULTIPART: list[tuple[str, bytes]] = [
    ("multipart/form-data", b"--b0und\r\n\r\n--b0und--\r\n"),
    ("multipart/form-data; boundary=", b"----\r\n"),
    ("multipart/form-data; boundary=b0und", b""),
    ("multipart/form-data; boundary=b0und", b"garbage without any boundary"),
    ("multipart/form-data; boundary=b0und", b"--b0und\r\n"),
    ("multipart/form-data; boundary=b0und", b"--b0und\r\nContent-Disposition"),
    (MP, b'--b0und\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated'),
    (MP, b"--b0und\r\nno-colon-header\r\n\r\nx\r\n--b0und--\r\n"),
    (MP, b"--b0und\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b0und--\r\n"),
    (MP, b'--b0und\r\nContent-Disposition: form-data; name="a"\r\n\r\n\r\n--b0und--'),
    (MP, b"--b0und--\r\n--b0und--\r\n"),
    (MP, b"\r\n\r\n\r\n--b0und--\r\n"),
    (
        MP,
        b"--b0und\r\n" + b"X-Header: " + b"h" * 200_000 + b"\r\n\r\nx\r\n--b0und--\r\n",
    ),
    (MP, b"--b0und\r\n" + b"X: y\r\n" * 20_000 + b"\r\nx\r\n--b0und--\r\n"),
    (MP, b"--b0und\r\n" * 5000),
    (MP, b"--b0und\r\n\xff\xfe\x00\x01\r\n\r\n\x00\r\n--b0und--\r\n"),
    (
        MP,
        b'--b0und\r\nContent-Disposition: form-data; name="\xff"\r\n\r\n'
        b"x\r\n--b0und--\r\n",
    ),
    (
        MP,
        b'--b0und\r\nContent-Disposition: form-data; name="a"; filename="../../x"\r\n'
        b"Content-Type: \x00\r\n\r\nx\r\n--b0und--\r\n",
    ),
    ("multipart/form-data; boundary=" + "b" * 5000, b"--" + b"b" * 5000 + b"--\r\n"),
    ('multipart/form-data; boundary="unterminated', b"--x--\r\n"),
    ("multipart/mixed; boundary=b0und", b"--b0und--\r\n"),
    (
        "multipart/form-data; boundary=b0und; charset=nonexistent-codec",
        b"--b0und--\r\n",
    ),
]


@pytest.mark.parametrize(("content_type", "body"), MALFORMED_MULTIPART)
def test_malformed_multipart_is_4xx_or_empty(lapp, content_type, body):
    lapp.config.update(TESTING=False, MAX_CONTENT_LENGTH=None)

    @lapp.post("/filename")
    def filename() -> dict[str, t.Any]:
        return {"names": [f.filename for f in flask.request.files.values()]}

    client = lapp.test_client()

    for path in ("/form", "/filename", "/data"):
        rv = bounded(10, client.post, path, data=body, content_type=content_type)
        assert rv.status_code < 500 and rv.status_code != 0, (path, rv.status_code)

    # An uploaded file name is kept as sent; saving it is secure_filename's
    # job, but it is never turned into a path by the framework.
    rv = client.post("/filename", data=body, content_type=content_type)
    assert rv.status_code in {200, 400, 413}


# -- JSON ---------------------------------------------------------------------

DEEP_JSON = [
    "[" * 100_000,
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 100_000 + "1" + "}" * 100_000,
    '{"a":[' * 50_000,
    "[" * 5000 + "]" * 5000,
]


@pytest.mark.parametrize("body", DEEP_JSON, ids=lambda b: f"{b[:6]}x{len(b)}")
@pytest.mark.parametrize("path", ["/json", "/json-prop"])
def test_deeply_nested_json_is_400(lapp, path: str, body: str) -> None:
    lapp.config.update(TESTING=False, MAX_CONTENT_LENGTH=None)
    client = lapp.test_client()
    rv = bounded(20, client.post, path, data=body, content_type="application/json")
    assert rv.status_code == 400
    assert b"RecursionError" not in rv.data


def test_deeply_nested_json_silent_is_none(lapp) -> None:
    lapp.config.update(MAX_CONTENT_LENGTH=None)
    rv = lapp.test_client().post(
        "/json-silent", data="[" * 100_000, content_type="application/json"
    )
    assert rv.json == {"value": None}


def test_deeply_nested_json_goes_through_on_json_loading_failed(lapp) -> None:
    seen = []

    class Request(flask.Request):
        def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
            seen.append(e)
            return "fallback"

    lapp.request_class = Request
    lapp.config.update(MAX_CONTENT_LENGTH=None)

    @lapp.post("/json-fallback")
    def fallback() -> str:
        return flask.request.get_json()

    rv = lapp.test_client().post(
        "/json-fallback", data="[" * 100_000, content_type="application/json"
    )
    assert rv.data == b"fallback"
    assert len(seen) == 1 and isinstance(seen[0], ValueError)


def test_deeply_nested_json_message_only_in_debug(lapp) -> None:
    lapp.config.update(MAX_CONTENT_LENGTH=None, TESTING=False)
    client = lapp.test_client()
    rv = client.post("/json", data="[" * 100_000, content_type="application/json")
    assert b"nested too deeply" not in rv.data
    lapp.debug = True
    rv = client.post("/json", data="[" * 100_000, content_type="application/json")
    assert rv.status_code == 400
    assert b"nested too deeply" in rv.data


def test_canary_deep_json_is_500_without_the_guard(lapp, monkeypatch) -> None:
    monkeypatch.setattr(flask.Request, "get_json", werkzeug.wrappers.Request.get_json)
    lapp.config.update(TESTING=False, MAX_CONTENT_LENGTH=None)
    rv = lapp.test_client().post(
        "/json", data="[" * 100_000, content_type="application/json"
    )
    assert rv.status_code == 500


@pytest.mark.parametrize(
    "body",
    [
        b"1" * 5000,  # more digits than int() accepts (CVE-2020-10735 limit)
        b'{"a": 1',
        b"\xff\xfe",
        b"NaN-ish",
        b'"\\ud800"x',
        b"",
        b"[1,]",
        b"{'a': 1}",
    ],
)
def test_malformed_json_is_400(lapp, body: bytes) -> None:
    lapp.config.update(TESTING=False, MAX_CONTENT_LENGTH=None)
    rv = lapp.test_client().post("/json", data=body, content_type="application/json")
    assert rv.status_code == 400


def test_json_wrong_content_type_is_415(lclient) -> None:
    rv = lclient.post("/json", data=b"[]", content_type="text/plain")
    assert rv.status_code == 415


# -- URLs, query strings and headers, in-process --------------------------


def test_huge_query_string_is_parsed_in_bounded_time(lapp) -> None:
    @lapp.get("/args")
    def args() -> str:
        return str(len(flask.request.args))

    qs = "&".join(f"k{i}=v" for i in range(100_000))
    rv = bounded(20, lapp.test_client().get, "/args?" + qs)
    assert rv.data == b"100000"


def test_many_cookies_do_not_break_the_session(lapp) -> None:
    lapp.secret_key = "k"

    @lapp.get("/s")
    def s() -> str:
        return str(flask.session.get("x"))

    cookie = "; ".join(f"c{i}=v" for i in range(20_000)) + "; session=garbage"
    rv = bounded(20, lambda: lapp.test_client().get("/s", headers={"Cookie": cookie}))
    assert rv.data == b"None"


# -- a real server --------------------------------------------------------------


@pytest.fixture
def sapp(lapp: flask.Flask) -> flask.Flask:
    lapp.config.update(TESTING=False)
    return lapp


def _post(path: bytes, headers: bytes, body: bytes = b"") -> bytes:
    return (
        b"POST "
        + path
        + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        + headers
        + b"\r\n"
        + body
    )


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def test_real_server_limits(sapp):
    octet = b"Content-Type: application/octet-stream\r\n"

    with live_server(sapp) as port:

        def send(data: bytes, **kw: t.Any) -> bytes:
            return bounded(15, lambda: raw_http(port, data, **kw))

        # Honest Content-Length within and over the limit.
        ok = send(_post(b"/data", octet + b"Content-Length: 1000\r\n", b"a" * 1000))
        assert http_status(ok) == 200 and ok.endswith(b"\r\n\r\n1000")
        big = send(_post(b"/data", octet + b"Content-Length: 1001\r\n", b"a" * 1001))
        assert http_status(big) == 413

        # Claims a huge body and sends a few bytes: refused at once rather
        # than waiting for a body that never comes.
        rv = send(_post(b"/data", octet + b"Content-Length: 1000000000000\r\n", b"ab"))
        assert http_status(rv) == 413

        # Claims less than it sends: only the claimed bytes are the body.
        rv = send(_post(b"/data", octet + b"Content-Length: 5\r\n", b"a" * 5000))
        assert http_status(rv) == 200 and rv.endswith(b"\r\n\r\n5")

        # Chunked: within the limit, over it, and over it in many chunks.
        chunked = octet + b"Transfer-Encoding: chunked\r\n"
        rv = send(_post(b"/data", chunked, _chunk(b"a" * 1000) + b"0\r\n\r\n"))
        assert http_status(rv) == 200 and rv.endswith(b"\r\n\r\n1000")
        rv = send(_post(b"/data", chunked, _chunk(b"a" * 1001) + b"0\r\n\r\n"))
        assert http_status(rv) == 413
        many = b"".join(_chunk(b"a" * 100) for _ in range(50)) + b"0\r\n\r\n"

        for path in READERS:
            kind = f"Content-Type: {BODY_TYPES[path]}\r\n".encode()
            head = kind + b"Transfer-Encoding: chunked\r\n"
            rv = send(_post(path.encode(), head, many))
            assert http_status(rv) == 413, path

        # A broken chunk header is a client error, not a 500 or a hang.
        rv = send(_post(b"/data", chunked, b"zz\r\nabc\r\n0\r\n\r\n"))
        assert 400 <= http_status(rv) < 500

        # A body shorter than its Content-Length, then the client stops
        # sending: the read ends and the request does not hang.
        rv = send(
            _post(b"/data", octet + b"Content-Length: 100\r\n", b"a" * 10),
            half_close=True,
        )
        assert rv == b"" or http_status(rv) in {200, 400}

        # Deep JSON over the wire.
        sapp.config["MAX_CONTENT_LENGTH"] = None
        body = b"[" * 100_000
        rv = send(
            _post(
                b"/json",
                b"Content-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n".encode(),
                body,
            )
        )
        assert http_status(rv) == 400


def test_real_server_huge_headers(sapp):
    """The server refuses oversized request lines and headers before the
    app sees them; what passes is handled by the app in bounded time."""

    @sapp.get("/h")
    def h() -> str:
        return str(len(flask.request.headers))

    with live_server(sapp) as port:

        def get(target: bytes, headers: bytes) -> bytes:
            return bounded(
                15,
                lambda: raw_http(
                    port,
                    b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\n"
                    b"Connection: close\r\n" + headers + b"\r\n",
                ),
            )

        assert http_status(get(b"/h", b"")) == 200
        # One header line over the 64 KiB line limit.
        assert http_status(get(b"/h", b"X-Big: " + b"a" * 70_000 + b"\r\n")) == 431
        # More than 100 header lines.
        many = b"".join(b"X-%d: v\r\n" % i for i in range(150))
        assert http_status(get(b"/h", many)) == 431
        # A request line over the limit.
        assert http_status(get(b"/h?" + b"a" * 70_000, b"")) == 414
        # Just under the limits, the app answers normally.
        rv = get(b"/h", b"X-Big: " + b"a" * 60_000 + b"\r\n")
        assert http_status(rv) == 200
        cookie = b"Cookie: " + b"; ".join(b"c%d=v" % i for i in range(5000)) + b"\r\n"
        assert http_status(get(b"/h", cookie)) == 200
        # Bytes that are not valid in a header name or value.
        assert http_status(get(b"/h", b"X-Bin: \xff\xfe\x00\x01\r\n")) in {200, 400}
        assert http_status(get(b"/h", b"Bad Header\r\n")) in {200, 400}
