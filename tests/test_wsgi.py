"""The app as a WSGI callable: representative requests run through
``wsgiref.validate.validator`` (PEP 3333), and middleware that replaces
``app.wsgi_app``.
"""

from __future__ import annotations

import io
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import EnvironBuilder

import flask


def run_wsgi(wsgi_app, environ):
    """Call ``wsgi_app`` under the PEP 3333 validator, collect the body and
    close the iterator; return ``(status, headers, body)``.
    """
    started = []

    def start_response(status, headers, exc_info=None):
        started.append((status, headers))
        return lambda data: None

    app_iter = validator(wsgi_app)(environ, start_response)

    try:
        body = b"".join(app_iter)
    finally:
        app_iter.close()

    assert len(started) == 1
    status, headers = started[0]
    return status, headers, body


def make_environ(path="/", **kwargs):
    builder = EnvironBuilder(path, **kwargs)

    try:
        return builder.get_environ()
    finally:
        builder.close()


@pytest.fixture
def wsgi_app(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.logger.disabled = True

    @app.route("/")
    def index():
        return "hello"

    @app.route("/echo", methods=["POST"])
    def echo():
        return flask.request.get_data()[::-1]

    @app.route("/json", methods=["POST"])
    def json_view():
        return {"got": flask.request.get_json()}

    @app.route("/stream")
    def stream():
        def generate():
            yield "one "
            yield "two "
            yield "three"

        return generate()

    @app.route("/stream-context")
    def stream_context():
        @flask.stream_with_context
        def generate():
            yield "name="
            yield flask.request.args["name"]

        return generate()

    @app.route("/fail")
    def fail():
        raise ValueError("unhandled")

    @app.route("/dir/")
    def directory():
        return "dir"

    @app.route("/headers")
    def headers():
        return "created", 201, {"X-Custom": "value"}

    return app


@pytest.mark.parametrize(
    ("kwargs", "status", "body"),
    [
        ({"path": "/"}, "200 OK", b"hello"),
        ({"path": "/echo", "method": "POST", "data": b"abc"}, "200 OK", b"cba"),
        ({"path": "/", "method": "HEAD"}, "200 OK", b""),
        ({"path": "/missing"}, "404 NOT FOUND", None),
        ({"path": "/echo"}, "405 METHOD NOT ALLOWED", None),
        ({"path": "/fail"}, "500 INTERNAL SERVER ERROR", None),
        ({"path": "/stream"}, "200 OK", b"one two three"),
        (
            {"path": "/stream-context", "query_string": "name=amy"},
            "200 OK",
            b"name=amy",
        ),
        (
            {"path": "/json", "method": "POST", "json": {"a": [1]}},
            "200 OK",
            b'{"got":{"a":[1]}}\n',
        ),
        ({"path": "/", "method": "OPTIONS"}, "200 OK", b""),
        ({"path": "/dir"}, "308 PERMANENT REDIRECT", None),
        ({"path": "/headers"}, "201 CREATED", b"created"),
    ],
)
def test_requests_pass_the_wsgi_validator(wsgi_app, kwargs, status, body):
    got_status, headers, got_body = run_wsgi(wsgi_app, make_environ(**kwargs))

    assert got_status == status
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in headers)

    if body is not None:
        assert got_body == body


def test_head_keeps_the_get_headers(wsgi_app):
    _, get_headers, _ = run_wsgi(wsgi_app, make_environ("/"))
    _, head_headers, body = run_wsgi(wsgi_app, make_environ("/", method="HEAD"))

    assert body == b""
    assert dict(head_headers)["Content-Length"] == dict(get_headers)["Content-Length"]


def test_json_response_headers(wsgi_app):
    _, headers, body = run_wsgi(
        wsgi_app, make_environ("/json", method="POST", json={"x": 1})
    )

    headers = dict(headers)
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Length"] == str(len(body))


def test_streamed_response_has_no_content_length(wsgi_app):
    _, headers, _ = run_wsgi(wsgi_app, make_environ("/stream"))

    assert "Content-Length" not in dict(headers)


def test_error_responses_carry_their_headers(wsgi_app):
    _, headers, _ = run_wsgi(wsgi_app, make_environ("/echo"))
    assert {m.strip() for m in dict(headers)["Allow"].split(",")} == {
        "POST",
        "OPTIONS",
    }

    _, headers, _ = run_wsgi(wsgi_app, make_environ("/dir", query_string="a=1"))
    assert dict(headers)["Location"] == "http://localhost/dir/?a=1"

    _, headers, _ = run_wsgi(wsgi_app, make_environ("/headers"))
    assert dict(headers)["X-Custom"] == "value"


def test_minimal_testing_environ(wsgi_app):
    environ = {"QUERY_STRING": ""}
    setup_testing_defaults(environ)

    status, headers, body = run_wsgi(wsgi_app, environ)

    assert status == "200 OK"
    assert body == b"hello"


def test_post_body_from_a_raw_environ(wsgi_app):
    environ = {
        "QUERY_STRING": "",
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/echo",
        "CONTENT_TYPE": "application/octet-stream",
        "CONTENT_LENGTH": "5",
        "wsgi.input": io.BytesIO(b"hello"),
    }
    setup_testing_defaults(environ)

    _, _, body = run_wsgi(wsgi_app, environ)

    assert body == b"olleh"


def test_unhandled_error_propagates_through_the_validator(app):
    @app.route("/")
    def index():
        raise LookupError("propagates in testing")

    with pytest.raises(LookupError):
        run_wsgi(app, make_environ("/"))


def test_closing_a_stream_early_closes_the_generator(app):
    closed = []

    @app.route("/")
    def index():
        def generate():
            try:
                yield "first"
                yield "second"
            finally:
                closed.append(True)

        return generate()

    app_iter = app(make_environ("/"), lambda status, headers, exc_info=None: None)

    assert next(iter(app_iter)) == b"first"

    app_iter.close()

    assert closed == [True]


def test_the_app_is_its_own_wsgi_callable(app):
    @app.route("/")
    def index():
        return "called"

    started = []
    body = app(make_environ("/"), lambda status, headers: started.append(status))

    assert started == ["200 OK"]
    assert b"".join(body) == b"called"


def test_the_app_delegates_to_wsgi_app(app):
    calls = []
    original = app.wsgi_app

    def spy(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return original(environ, start_response)

    app.wsgi_app = spy

    @app.route("/")
    def index():
        return ""

    app.test_client().get("/")

    assert calls == ["/"]


# -- middleware ----------------------------------------------------------------------


class HeaderMiddleware:
    """Adds a header to every response and records the paths it saw."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.paths = []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])

        def add_header(status, headers, exc_info=None):
            return start_response(status, [*headers, ("X-Middleware", "1")], exc_info)

        return self.wsgi_app(environ, add_header)


class RewriteMiddleware:
    """Rewrites ``/old/...`` to ``/new/...`` before the app sees it."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]

        if path.startswith("/old/"):
            environ["PATH_INFO"] = "/new/" + path[len("/old/") :]

        return self.wsgi_app(environ, start_response)


def test_middleware_replacing_wsgi_app(app, client):
    @app.route("/")
    def index():
        return "through"

    middleware = HeaderMiddleware(app.wsgi_app)
    app.wsgi_app = middleware

    rv = client.get("/")

    assert rv.data == b"through"
    assert rv.headers["X-Middleware"] == "1"
    assert middleware.paths == ["/"]


def test_middleware_changes_the_environ_the_app_sees(app, client):
    @app.route("/new/<name>")
    def new(name):
        return f"new {name} at {flask.request.path}"

    app.wsgi_app = RewriteMiddleware(app.wsgi_app)

    assert client.get("/old/page").data == b"new page at /new/page"


def test_stacked_middleware(app, client):
    @app.route("/new/x")
    def new():
        return "ok"

    header = HeaderMiddleware(RewriteMiddleware(app.wsgi_app))
    app.wsgi_app = header

    rv = client.get("/old/x")

    assert rv.data == b"ok"
    assert rv.headers["X-Middleware"] == "1"
    assert header.paths == ["/old/x"]


def test_middleware_passes_the_validator(app):
    @app.route("/")
    def index():
        return "validated"

    app.wsgi_app = HeaderMiddleware(app.wsgi_app)

    status, headers, body = run_wsgi(app, make_environ("/"))

    assert status == "200 OK"
    assert ("X-Middleware", "1") in headers
    assert body == b"validated"


def test_proxy_fix_middleware_affects_url_for(app, client):
    @app.route("/")
    def index():
        return flask.url_for("index", _external=True)

    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)

    rv = client.get(
        "/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "public.test"}
    )

    assert rv.data == b"https://public.test/"
