"""Streamed responses: stream_with_context, stream_template, closing and
teardown, in process and over a real server."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest
from http_support import live_server

import flask

TIMEOUT = 10


def test_stream_with_context_wraps_a_generator(app, client):
    @app.route("/")
    def index():
        flask.g.name = "g value"
        flask.session["user"] = "alice"

        def gen():
            yield "args=" + flask.request.args["q"]
            yield " g=" + flask.g.name
            yield " session=" + flask.session["user"]
            yield " path=" + flask.request.path

        return flask.stream_with_context(gen())

    rv = client.get("/?q=1")
    assert rv.data == b"args=1 g=g value session=alice path=/"
    # The session was changed before the response started: its cookie is set.
    assert "session=" in rv.headers["Set-Cookie"]


def test_stream_with_context_as_a_decorator(app, client):
    @app.route("/<name>")
    def index(name):
        @flask.stream_with_context
        def gen(greeting, punctuation="!"):
            yield greeting
            yield f" {name} from {flask.request.path}{punctuation}"

        return gen("hello", punctuation="?")

    assert client.get("/world").data == b"hello world from /world?"


def test_decorated_function_keeps_its_name(app):
    def numbers():
        yield "1"

    decorated = flask.stream_with_context(numbers)
    assert decorated.__name__ == "numbers"
    assert decorated.__wrapped__ is numbers  # type: ignore[attr-defined]


def test_stream_with_context_wraps_any_iterator(app, client):
    @app.route("/")
    def index():
        return flask.stream_with_context(iter(["a", "b", "c"]))

    assert client.get("/").data == b"abc"


def test_stream_with_context_needs_a_request(app):
    def gen():
        yield "x"

    with pytest.raises(RuntimeError, match="can only be used when a request context"):
        flask.stream_with_context(gen())

    with app.app_context():
        with pytest.raises(RuntimeError, match="request context is active"):
            flask.stream_with_context(gen())


def test_plain_generator_has_no_request_context(app, client):
    @app.route("/")
    def index():
        def gen():
            yield "start "

            try:
                yield flask.request.path
            except RuntimeError:
                yield "no request"

        return gen()

    assert client.get("/").data == b"start no request"


def test_stream_template_keeps_the_request(app, client):
    @app.route("/")
    def index():
        return flask.stream_template_string(
            "{{ request.path }} {% for x in items %}{{ x }},{% endfor %}",
            items=[1, 2, 3],
        )

    @app.route("/file")
    def from_file():
        return flask.stream_template("stream.txt", items=["a", "b"])

    assert client.get("/?x").data == b"/ 1,2,3,"
    assert client.get("/file").data == b"a;b;"


def test_stream_template_without_request(app):
    with app.app_context():
        rv = flask.stream_template_string("{{ x }}-{{ x }}", x=1)
        assert "".join(rv) == "1-1"


def test_teardown_runs_after_the_generator(app, client):
    events = []

    @app.teardown_request
    def teardown(exc):
        events.append(("teardown", exc))

    @app.route("/")
    def index():
        def gen():
            events.append("first chunk")
            yield "a"
            events.append("last chunk")
            yield "b"

        return flask.stream_with_context(gen())

    rv = client.get("/")
    assert rv.data == b"ab"
    # NOTE: as in Flask 3.1, teardown also runs when the view's request
    # ends; what matters is that it runs again once the stream is done.
    assert events[-1] == ("teardown", None)
    assert events.index("last chunk") < len(events) - 1


def test_closing_early_closes_the_generator_and_tears_down(app, client):
    events = []

    @app.teardown_request
    def teardown(exc):
        events.append(("teardown", type(exc).__name__ if exc else None))

    @app.teardown_appcontext
    def teardown_app(exc):
        events.append(("teardown_app", type(exc).__name__ if exc else None))

    @app.route("/")
    def index():
        def gen():
            try:
                for i in range(1000):
                    yield f"{i},"
            finally:
                events.append(("finally", flask.request.path))

        return flask.stream_with_context(gen())

    rv = client.get("/", buffered=False)
    chunks = iter(rv.response)
    assert next(chunks) == b"0,"
    assert next(chunks) == b"1,"
    events.clear()
    rv.close()
    assert events == [
        ("finally", "/"),
        ("teardown", "GeneratorExit"),
        ("teardown_app", "GeneratorExit"),
    ]


def test_generator_error_reaches_teardown(app, client):
    events = []

    @app.teardown_request
    def teardown(exc):
        events.append(exc)

    @app.route("/")
    def index():
        def gen():
            yield "ok"
            raise ValueError("mid-stream")

        return flask.stream_with_context(gen())

    rv = client.get("/", buffered=False)
    chunks = iter(rv.response)
    assert next(chunks) == b"ok"

    with pytest.raises(ValueError, match="mid-stream"):
        next(chunks)

    rv.close()
    assert isinstance(events[-1], ValueError)


def test_streamed_response_has_no_content_length(app, client):
    @app.route("/")
    def index():
        return flask.stream_with_context(iter(["a", "b"]))

    rv = client.get("/")
    assert "Content-Length" not in rv.headers


# -- over a real server --------------------------------------------------------


def test_chunks_arrive_while_the_generator_runs(app):
    """The first chunk reaches the client while the generator is still
    waiting for the client: nothing is buffered until the end."""
    first_chunk_read = threading.Event()
    events = []

    @app.teardown_request
    def teardown(exc):
        events.append(("teardown", exc))

    @app.route("/stream")
    def stream():
        flask.g.item = "g"

        def gen():
            yield f"first {flask.request.args['n']};"

            if not first_chunk_read.wait(TIMEOUT):
                yield "timed out"
                return

            yield f"second {flask.g.item};"
            yield "third"

        return flask.stream_with_context(gen())

    with live_server(app) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

        try:
            conn.request("GET", "/stream?n=1")
            resp = conn.getresponse()
            assert resp.status == 200
            assert resp.getheader("Transfer-Encoding") == "chunked"
            assert resp.read1(1024) == b"first 1;"
            first_chunk_read.set()
            assert resp.read() == b"second g;third"
        finally:
            conn.close()

        deadline = time.monotonic() + TIMEOUT

        while events[-1:] != [("teardown", None)] and time.monotonic() < deadline:
            time.sleep(0.01)

    assert events[-1] == ("teardown", None)


def test_client_disconnect_closes_the_generator_and_tears_down(app):
    first_chunk_read = threading.Event()
    torn_down = threading.Event()
    events = []

    @app.teardown_request
    def teardown(exc):
        events.append(("teardown", type(exc).__name__ if exc else None))

        if exc is not None:
            torn_down.set()

    @app.route("/stream")
    def stream():
        def gen():
            try:
                yield "x" * 1024
                first_chunk_read.wait(TIMEOUT)

                # Bounded: writes fail soon after the client is gone.
                for _ in range(5000):
                    yield "y" * 1024
                    time.sleep(0.002)

                events.append("ran to the end")
            finally:
                events.append(("finally", flask.request.path))

        return flask.stream_with_context(gen())

    with live_server(app) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
            sock.sendall(b"GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n")
            received = b""

            while b"x" * 1024 not in received:
                data = sock.recv(4096)
                assert data, "connection closed before the first chunk"
                received += data

        first_chunk_read.set()
        assert torn_down.wait(TIMEOUT), f"teardown did not run: {events}"

    assert "ran to the end" not in events
    assert ("finally", "/stream") in events
    assert events[-1] == ("teardown", "GeneratorExit")
