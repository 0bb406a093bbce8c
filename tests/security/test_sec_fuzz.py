"""Fuzzing the WSGI callable with generated environs.

Hypothesis builds PEP 3333 environs with arbitrary contents: methods,
paths and query strings of any latin-1 text (WSGI's "bytes as latin-1"),
random and well-known headers with odd bytes, cookies (some validly
signed), bodies of any bytes under any content type and length claim. A
sample app that reads everything a view commonly reads answers each one.

For every environ: no exception escapes the callable (with
``PROPAGATE_EXCEPTIONS`` off), ``start_response`` gets a well-formed status
line and header list, the body iterable yields bytes and closes, no
request context is left behind, and the answer is not a 500 (every view
of the sample app is correct, so a 500 means the framework failed on bad
input).

``HYPOTHESIS_PROFILE=fuzz`` (``tox -e fuzz``) runs many more examples.
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import re
import shutil
import string
import tempfile
import typing as t
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st

import flask
from flask.globals import _cv_app
from flask.globals import _cv_request

_PROFILES = {
    "ci": settings(
        max_examples=250,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    ),
    "fuzz": settings(
        max_examples=20_000,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    ),
}
SETTINGS = _PROFILES[os.environ.get("HYPOTHESIS_PROFILE", "ci")]

# Outside the source tree, removed when the interpreter exits.
STATIC = Path(tempfile.mkdtemp(prefix="sec_fuzz_static_"))
atexit.register(shutil.rmtree, STATIC, ignore_errors=True)


def _make_app() -> flask.Flask:
    (STATIC / "file.txt").write_bytes(b"static body\n" * 10)
    app = flask.Flask("sec_fuzz", static_folder=str(STATIC))
    app.config.update(
        SECRET_KEY="fuzz",
        PROPAGATE_EXCEPTIONS=False,
        MAX_CONTENT_LENGTH=64 * 1024,
        TRUSTED_HOSTS=None,
    )
    app.logger.disabled = True
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")

    @app.route("/", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def index() -> t.Any:
        r = flask.request
        return {
            "args": r.args.to_dict(flat=False),
            "form": r.form.to_dict(flat=False),
            "files": [f.filename for f in r.files.values()],
            "json": r.get_json(silent=True),
            "cookies": r.cookies.to_dict(),
            "headers": len(r.headers),
            "url": r.url,
            "host": r.host,
            "remote": r.remote_addr,
            "auth": r.authorization is not None,
            "accept": str(r.accept_mimetypes),
            "lang": r.accept_languages.best,
            "ims": str(r.if_modified_since),
            "range": str(r.range),
            "etags": str(r.if_none_match),
            "agent": r.user_agent.string,
            "session": dict(flask.session),
            "access_route": r.access_route,
            "mimetype": r.mimetype,
            "length": r.content_length,
        }

    @app.route("/json", methods=["POST", "PUT"])
    def json_view() -> t.Any:
        return {"json": flask.request.json}

    @app.route("/data", methods=["POST", "PUT"])
    def data() -> t.Any:
        return str(len(flask.request.get_data()))

    @app.route("/session", methods=["GET", "POST"])
    def session_view() -> t.Any:
        flask.session["n"] = flask.session.get("n", 0) + 1
        flask.session["q"] = flask.request.args.get("q", "")
        flask.flash(flask.request.args.get("q", "x"))
        return str(flask.get_flashed_messages())

    @app.get("/item/<int:item_id>/<path:rest>")
    def item(item_id: int, rest: str) -> t.Any:
        return flask.jsonify(
            item_id=item_id, rest=rest, url=flask.url_for("item", item_id=1, rest=rest)
        )

    @app.get("/u/<uuid:u>/<float:f>")
    def typed(u: t.Any, f: float) -> str:
        return f"{u} {f}"

    @app.get("/template")
    def template() -> str:
        return flask.render_template_string(
            "{{ request.args }} {{ request.path }} {{ session.get('n') }} "
            "{{ url_for('index', **request.args) }} {{ request.args|tojson }}"
        )

    @app.get("/redirect")
    def redirect() -> t.Any:
        return flask.redirect(flask.url_for("index", next=flask.request.full_path))

    @app.get("/stream")
    def stream() -> t.Any:
        def gen() -> t.Iterator[str]:
            yield flask.request.args.get("a", "a")
            yield flask.request.path

        return flask.stream_with_context(gen())

    @app.get("/slash/")
    def slash() -> str:
        return "slash"

    @app.get("/abort")
    def abort_view() -> str:
        flask.abort(int(flask.request.args.get("code", "418")) % 200 + 400)

    @app.errorhandler(404)
    def not_found(e: Exception) -> t.Any:
        return {"error": "not found", "path": flask.request.path}, 404

    @bp.get("/<name>")
    def bp_view(name: str) -> str:
        return flask.url_for(".bp_view", name=name, _external=True)

    @bp.before_request
    def bp_before() -> None:
        flask.g.seen = flask.request.headers.get("X-Seen")

    app.register_blueprint(bp)
    return app


fuzz_app = _make_app()

with fuzz_app.test_request_context():
    _signer = fuzz_app.session_interface.get_signing_serializer(fuzz_app)
    assert _signer is not None
    VALID_SESSION = _signer.dumps({"n": 1, "user": "x"})

latin1 = st.text(st.characters(min_codepoint=0, max_codepoint=255), max_size=40)
latin1_no_nl = st.text(
    st.characters(min_codepoint=0, max_codepoint=255, blacklist_characters="\r\n"),
    max_size=40,
)
utf8_as_latin1 = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20).map(
    lambda s: s.encode().decode("latin-1")
)
wsgi_text = st.one_of(latin1, utf8_as_latin1)
query_text = st.one_of(
    latin1_no_nl, utf8_as_latin1.filter(lambda s: "\n" not in s and "\r" not in s)
)

PATHS = [
    "/",
    "/json",
    "/data",
    "/session",
    "/item/1/a/b",
    "/item/x/y",
    "/u/00000000-0000-0000-0000-000000000000/1.5",
    "/template",
    "/redirect",
    "/stream",
    "/slash",
    "/slash/",
    "/abort",
    "/bp/name",
    "/static/file.txt",
    "/static/../test_sec_fuzz.py",
    "/static/%2e%2e/x",
    "/missing",
]
paths = st.one_of(
    st.sampled_from(PATHS),
    st.tuples(st.sampled_from(PATHS), wsgi_text).map("".join),
    wsgi_text.map(lambda s: "/" + s),
    wsgi_text,
)
methods = st.one_of(
    st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    st.text(string.ascii_uppercase, min_size=1, max_size=8),
    latin1.filter(bool),
)
CONTENT_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=b",
    "multipart/form-data",
    "text/plain; charset=utf-8",
    "application/json; charset=latin-1",
    "text/plain; charset=does-not-exist",
    "multipart/form-data; boundary=" + "b" * 100,
    "",
]
content_types = st.one_of(st.sampled_from(CONTENT_TYPES), latin1_no_nl)
bodies = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(
        [
            b'{"a": [1, 2, {"b": null}]}',
            b"[" * 3000,
            b"a=1&b=2&a=%ff%fe&%zz=1",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--b--\r\n',
            b'--b\r\nContent-Disposition: form-data; name="f"; filename="../x"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n\x00\xff\r\n--b--\r\n",
            b"1" * 5000,
        ]
    ),
)
content_lengths = st.one_of(
    st.none(),
    st.just("body"),
    st.sampled_from(["0", "-1", "abc", "1e3", " 5", "99999999999999999999", ""]),
    st.integers(min_value=0, max_value=400).map(str),
)
cookies = st.one_of(
    latin1_no_nl,
    st.just(f"session={VALID_SESSION}"),
    st.builds(lambda s: f"session={s}", latin1_no_nl),
    st.builds(lambda s: f"session={VALID_SESSION[:-3]}{s}", latin1_no_nl),
)
KNOWN_HEADERS = [
    "HTTP_HOST",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_AUTHORIZATION",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_FORWARDED",
    "HTTP_ORIGIN",
    "HTTP_REFERER",
    "HTTP_USER_AGENT",
    "HTTP_TRANSFER_ENCODING",
    "HTTP_CONNECTION",
    "HTTP_X_SEEN",
    "HTTP_CACHE_CONTROL",
    "HTTP_CONTENT_ENCODING",
]
HEADER_SAMPLES = [
    "bytes=0-5",
    "bytes=5-1,2-3,-1",
    "bytes=99999999999999999999-",
    "Basic " + "QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    "Basic !!!",
    "Bearer x",
    'Digest username="a", realm="b", nonce="c", uri="/", response="d"',
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Sun, 06 Nov 99999 08:49:37 GMT",
    '"abc", W/"def", *',
    "text/html;q=0.9,*/*;q=abc",
    "en-US,en;q=0.5,*;q=-1",
    "chunked",
    "1.1.1.1, 2.2.2.2",
    "example.com",
    "example.com:99999",
    "[::1]:80",
]
header_values = st.one_of(st.sampled_from(HEADER_SAMPLES), latin1_no_nl)
header_names = st.text(string.ascii_uppercase + "_", min_size=1, max_size=12).map(
    lambda s: "HTTP_" + s
)


@st.composite
def environs(draw: st.DrawFn) -> dict[str, t.Any]:
    body = draw(bodies)
    environ: dict[str, t.Any] = {
        "REQUEST_METHOD": draw(methods),
        "SCRIPT_NAME": draw(st.sampled_from(["", "/app", "/ap%20p"])),
        "PATH_INFO": draw(paths),
        # Raw CR/LF cannot reach QUERY_STRING over HTTP (it ends the
        # request line; "%0A" stays encoded). NOTE: if a gateway passed one,
        # werkzeug's slash redirect would copy it into Location, which
        # werkzeug refuses: a 500, never a split response.
        "QUERY_STRING": draw(query_text),
        "SERVER_NAME": draw(st.sampled_from(["localhost", "example.com", "::1"])),
        "SERVER_PORT": draw(st.sampled_from(["80", "443", "8080", "0", "x"])),
        "SERVER_PROTOCOL": draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2"])),
        "REMOTE_ADDR": draw(st.sampled_from(["127.0.0.1", "::1", "", "garbage"])),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": draw(st.sampled_from(["http", "https"])),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }

    if draw(st.booleans()):
        environ["CONTENT_TYPE"] = draw(content_types)

    length = draw(content_lengths)

    if length == "body":
        environ["CONTENT_LENGTH"] = str(len(body))
    elif length is not None:
        environ["CONTENT_LENGTH"] = length

    if draw(st.booleans()):
        environ["wsgi.input_terminated"] = True

    if draw(st.booleans()):
        environ["HTTP_COOKIE"] = draw(cookies)

    for name in draw(st.lists(st.sampled_from(KNOWN_HEADERS), max_size=6)):
        environ[name] = draw(header_values)

    for name in draw(st.lists(header_names, max_size=3)):
        environ[name] = draw(latin1_no_nl)

    return environ


TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
STATUS = re.compile(r"^[1-5]\d\d [^\r\n]*$")


def check_wsgi_call(app: t.Callable[..., t.Any], environ: dict[str, t.Any]) -> str:
    """Call ``app`` as a strict WSGI server would and check every rule;
    return the status line."""
    calls: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Callable[[bytes], t.Any]:
        assert exc_info is None or not calls, "start_response called twice"
        assert isinstance(status, str), status
        assert STATUS.match(status), repr(status)
        status.encode("latin-1")
        assert isinstance(headers, list)

        for item in headers:
            assert type(item) is tuple and len(item) == 2, item
            name, value = item
            assert type(name) is str and type(value) is str, item
            assert TOKEN.match(name), repr(name)
            assert "\r" not in value and "\n" not in value, repr(value)
            name.encode("latin-1")
            value.encode("latin-1")

        calls.append((status, headers))
        return lambda data: None

    body = app(environ, start_response)
    chunks = []

    try:
        for chunk in body:
            assert isinstance(chunk, bytes), type(chunk)
            chunks.append(chunk)
    finally:
        if hasattr(body, "close"):
            body.close()

    assert len(calls) == 1, calls
    assert _cv_request.get(None) is None and _cv_app.get(None) is None
    status, headers = calls[0]

    if environ["REQUEST_METHOD"] == "HEAD":
        assert b"".join(chunks) == b"", status

    names = [k.lower() for k, _ in headers]
    assert names.count("content-type") <= 1, headers
    return status


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@SETTINGS
@given(environ=environs())
def test_fuzz_wsgi_callable(environ: dict[str, t.Any]) -> None:
    errors = _Errors()
    fuzz_app.logger.disabled = False
    fuzz_app.logger.addHandler(errors)
    fuzz_app.logger.propagate = False

    try:
        status = check_wsgi_call(fuzz_app, environ)
    finally:
        fuzz_app.logger.removeHandler(errors)
        fuzz_app.logger.disabled = True

    messages = [
        f"{r.getMessage()}: {r.exc_info[1]!r}" if r.exc_info else r.getMessage()
        for r in errors.records
    ]
    assert not status.startswith("500"), (status, messages)


@pytest.mark.parametrize(
    "environ_update",
    [
        {"PATH_INFO": "/\x00", "QUERY_STRING": "\x00=\x00"},
        {"PATH_INFO": "/item/1/\xff\xfe", "REQUEST_METHOD": "GET"},
        {
            "PATH_INFO": "/json",
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": "application/json",
        },
        {"PATH_INFO": "/", "HTTP_COOKIE": "session=" + "\xff" * 100},
        {"PATH_INFO": "/", "HTTP_RANGE": "bytes=99999999999999999999-"},
        {"PATH_INFO": "/static/file.txt", "HTTP_RANGE": "bytes=5-1,2-3,-1"},
        {
            "PATH_INFO": "/static/file.txt",
            "HTTP_IF_MODIFIED_SINCE": "Sun, 06 Nov 99999",
        },
        {"PATH_INFO": "/", "CONTENT_LENGTH": "-1", "REQUEST_METHOD": "POST"},
        {"PATH_INFO": "/template", "QUERY_STRING": "%ff=%fe&_external=1&_anchor=\x00"},
        {"PATH_INFO": "/", "HTTP_HOST": "\xff\xfe"},
        {"PATH_INFO": "/", "REQUEST_METHOD": "\x00"},
        {"PATH_INFO": "/", "QUERY_STRING": "\x80=\xff&a=\xc3"},
        {"PATH_INFO": "/redirect", "QUERY_STRING": "\xff"},
    ],
)
def test_known_odd_environs(environ_update: dict[str, str]) -> None:
    """Regressions and the shapes the fuzzer is slow to find."""
    body = b"[" * 100_000 if environ_update.get("PATH_INFO") == "/json" else b""
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
        **environ_update,
    }
    status = check_wsgi_call(fuzz_app, environ)
    assert not status.startswith("500"), status
