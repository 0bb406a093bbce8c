"""Concurrency and faults.

Many threads on a real threaded werkzeug server, and many greenlets under
gevent (in a subprocess, so its monkey patching stays there), each see
only their own ``request``, ``g`` and ``session``. Teardown runs exactly
once per request whatever raises: the view, an ``after_request`` hook, a
teardown callback, a streaming generator or the 500 handler. The 500
handler gets the original exception, and ``copy_current_request_context``
carries the request into a thread.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import textwrap
import threading
import time
import typing as t
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from http_support import live_server
from http_support import raw_http
from werkzeug.exceptions import InternalServerError

import flask
from flask.globals import _cv_app
from flask.globals import _cv_request


def _isolation_app() -> flask.Flask:
    app = flask.Flask("sec_isolation")
    app.config.update(SECRET_KEY="isolation")

    @app.before_request
    def before() -> None:
        flask.g.token = flask.request.args.get("t")

    @app.get("/login")
    def login() -> str:
        flask.session["token"] = flask.request.args["t"]
        return "ok"

    @app.get("/echo")
    def echo() -> t.Any:
        token = flask.request.args["t"]
        flask.g.mid = token
        # Let other requests run between writing and reading.
        time.sleep(0.001)
        seen_in_thread: dict[str, t.Any] = {}

        @flask.copy_current_request_context
        def in_thread() -> None:
            seen_in_thread["args"] = flask.request.args["t"]
            seen_in_thread["session"] = flask.session.get("token")

        worker = threading.Thread(target=in_thread)
        worker.start()
        worker.join()
        return {
            "args": token,
            "header": flask.request.headers.get("X-Token"),
            "g": flask.g.token,
            "g_mid": flask.g.mid,
            "session": flask.session.get("token"),
            "thread": seen_in_thread,
            "path": flask.request.full_path,
        }

    @app.get("/stream")
    def stream() -> t.Any:
        def gen() -> t.Iterator[str]:
            yield flask.request.args["t"]
            time.sleep(0.001)
            yield "|" + flask.g.token
            yield "|" + str(flask.session.get("token"))

        return flask.stream_with_context(gen())

    return app


def _client_run(port: int, token: str, rounds: int) -> list[str]:
    """One client: log in, then ask for its echo ``rounds`` times over a
    keep-alive connection; return the mismatches it saw."""
    problems: list[str] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    try:
        conn.request("GET", f"/login?t={token}")
        rv = conn.getresponse()
        rv.read()
        cookie = rv.getheader("Set-Cookie", "").split(";")[0]

        for _ in range(rounds):
            conn.request(
                "GET", f"/echo?t={token}", headers={"X-Token": token, "Cookie": cookie}
            )
            rv = conn.getresponse()
            data = json.loads(rv.read())
            expected = {
                "args": token,
                "header": token,
                "g": token,
                "g_mid": token,
                "session": token,
                "thread": {"args": token, "session": token},
                "path": f"/echo?t={token}",
            }

            if rv.status != 200 or data != expected:
                problems.append(f"{token}: {rv.status} {data}")

            conn.request("GET", f"/stream?t={token}", headers={"Cookie": cookie})
            rv = conn.getresponse()
            body = rv.read().decode()

            if body != f"{token}|{token}|{token}":
                problems.append(f"{token}: stream {body!r}")
    finally:
        conn.close()

    return problems


def test_threaded_server_isolates_every_request() -> None:
    app = _isolation_app()
    clients, rounds = 24, 15

    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so threads overlap

        def log(self, *args: t.Any) -> None:
            pass

    with live_server(app, request_handler=Handler) as port:
        with ThreadPoolExecutor(clients) as pool:
            futures = [
                pool.submit(_client_run, port, f"tok{i:03d}", rounds)
                for i in range(clients)
            ]
            problems = [p for f in futures for p in f.result(timeout=120)]

    assert problems == []


def test_many_threads_on_one_app_in_process() -> None:
    """The same through the WSGI callable from many threads at once, with
    no server in between."""
    app = _isolation_app()
    app.config["TESTING"] = True
    barrier = threading.Barrier(16)

    def run(i: int) -> list[str]:
        client = app.test_client()
        token = f"p{i}"
        client.get(f"/login?t={token}")
        barrier.wait(timeout=30)
        problems = []

        for _ in range(20):
            data = client.get(f"/echo?t={token}", headers={"X-Token": token}).json

            if {data["args"], data["g"], data["session"], data["header"]} != {token}:
                problems.append(str(data))

        assert _cv_request.get(None) is None and _cv_app.get(None) is None
        return problems

    with ThreadPoolExecutor(16) as pool:
        problems = [p for r in pool.map(run, range(16)) for p in r]

    assert problems == []


_GEVENT_SCRIPT = r"""
import json, sys
from gevent import monkey
monkey.patch_all()

import gevent
import gevent.pool
import urllib.request
from gevent.pywsgi import WSGIServer

import flask

app = flask.Flask("greenlets")
app.config["SECRET_KEY"] = "greenlets"

@app.before_request
def before():
    flask.g.token = flask.request.args["t"]

@app.get("/echo")
def echo():
    token = flask.request.args["t"]
    flask.session["token"] = token
    gevent.sleep(0.001)  # switch to other greenlets mid-request
    return {
        "args": token,
        "g": flask.g.token,
        "session": flask.session["token"],
        "header": flask.request.headers.get("X-Token"),
    }

server = WSGIServer(("127.0.0.1", 0), app, log=None, error_log=None)
server.start()
port = server.server_port

def client(i):
    token = f"g{i}"
    bad = []
    for _ in range(10):
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/echo?t={token}", headers={"X-Token": token}
        )
        data = json.loads(urllib.request.urlopen(req, timeout=30).read())
        if set(data.values()) != {token}:
            bad.append(data)
    return bad

pool = gevent.pool.Pool(100)
results = pool.map(client, range(100))
server.stop()
print(json.dumps({"requests": 100 * 10, "bad": [b for r in results for b in r]}))
"""


def test_greenlets_isolate_every_request() -> None:
    pytest.importorskip("gevent", reason="gevent is not installed")
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_GEVENT_SCRIPT)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"requests": 1000, "bad": []}


# -- teardown under faults ----------------------------------------------------


class Boom(Exception):
    pass


@pytest.fixture
def tapp() -> flask.Flask:
    app = flask.Flask("sec_teardown")
    app.config.update(SECRET_KEY="k", PROPAGATE_EXCEPTIONS=False)
    app.counts = Counter()  # type: ignore[attr-defined]
    app.handled = []  # type: ignore[attr-defined]
    app.logger.disabled = True

    def count(name: str) -> None:
        app.counts[name] += 1  # type: ignore[attr-defined]

    @app.teardown_request
    def teardown_a(exc: BaseException | None) -> None:
        count("request_a")

    @app.teardown_request
    def teardown_raises(exc: BaseException | None) -> None:
        count("request_raises")

        if flask.request.path == "/teardown-raises":
            raise Boom("teardown")

    @app.teardown_request
    def teardown_b(exc: BaseException | None) -> None:
        count("request_b")

    @app.teardown_appcontext
    def teardown_app(exc: BaseException | None) -> None:
        count("appcontext")

    @app.get("/ok")
    def ok() -> str:
        return "ok"

    @app.get("/view-raises")
    def view_raises() -> str:
        raise Boom("view")

    @app.get("/after-raises")
    def after_raises() -> str:
        return "ok"

    @app.after_request
    def after(rv: flask.Response) -> flask.Response:
        if flask.request.path == "/after-raises":
            raise Boom("after")

        return rv

    @app.get("/teardown-raises")
    def teardown_raises_view() -> str:
        return "ok"

    @app.get("/stream-raises")
    def stream_raises() -> t.Any:
        def gen() -> t.Iterator[str]:
            yield "one"
            raise Boom("stream")

        return flask.stream_with_context(gen())

    @app.get("/stream-plain-raises")
    def stream_plain_raises() -> t.Any:
        def gen() -> t.Iterator[str]:
            yield "one"
            raise Boom("stream")

        return gen()

    @app.get("/handler-raises")
    def handler_raises() -> str:
        raise KeyError("to the handler")

    @app.errorhandler(KeyError)
    def on_key_error(e: KeyError) -> str:
        raise Boom("handler")

    @app.errorhandler(500)
    def on_500(e: Exception) -> t.Any:
        app.handled.append(e)  # type: ignore[attr-defined]
        return "handled 500", 500

    return app


ALL_ONCE = {"request_a": 1, "request_raises": 1, "request_b": 1, "appcontext": 1}


def _run(app: flask.Flask, path: str) -> tuple[str, bytes | BaseException]:
    from werkzeug.test import EnvironBuilder
    from werkzeug.test import run_wsgi_app

    builder = EnvironBuilder(path=path)
    environ = builder.get_environ()
    builder.close()

    try:
        app_iter, status, _ = run_wsgi_app(app, environ)
        try:
            body = b"".join(app_iter)
        finally:
            if hasattr(app_iter, "close"):
                app_iter.close()
    except Boom as e:
        return "raised", e

    return status, body


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/ok", "200 OK"),
        ("/view-raises", "500 INTERNAL SERVER ERROR"),
        ("/after-raises", "500 INTERNAL SERVER ERROR"),
        ("/handler-raises", "500 INTERNAL SERVER ERROR"),
    ],
)
@pytest.mark.parametrize("propagate", [False, True])
def test_teardown_once_when_something_raises(tapp, path, status, propagate) -> None:
    tapp.config["PROPAGATE_EXCEPTIONS"] = propagate
    result, _ = _run(tapp, path)

    if propagate and path != "/ok":
        assert result == "raised"
    else:
        assert result == status

    assert dict(tapp.counts) == ALL_ONCE
    assert _cv_request.get(None) is None and _cv_app.get(None) is None


def test_teardown_once_when_a_teardown_callback_raises(tapp) -> None:
    result, error = _run(tapp, "/teardown-raises")
    # The error surfaces (after the response was made)...
    assert result == "raised" and str(error) == "teardown"
    # ...and every other callback still ran, once. COMPAT(3.1): Flask
    # stops at the failing callback and skips the ones after it.
    assert dict(tapp.counts) == ALL_ONCE
    assert _cv_request.get(None) is None and _cv_app.get(None) is None
    # The app is still usable.
    tapp.counts.clear()
    assert _run(tapp, "/ok")[0] == "200 OK"
    assert dict(tapp.counts) == ALL_ONCE


def test_teardown_once_when_a_plain_generator_raises(tapp) -> None:
    result, error = _run(tapp, "/stream-plain-raises")
    # The headers were sent; the error surfaces while iterating, after
    # the request was torn down once.
    assert result == "raised" and str(error) == "stream"
    assert dict(tapp.counts) == ALL_ONCE
    assert _cv_request.get(None) is None and _cv_app.get(None) is None


@pytest.fixture
def seen_exc(tapp: flask.Flask) -> list[BaseException | None]:
    seen: list[BaseException | None] = []
    tapp.teardown_request(seen.append)
    return seen


def test_stream_with_context_tears_down_once_per_push(tapp, seen_exc) -> None:
    """COMPAT(3.1): the context is torn down when the view's request ends
    and once more when the wrapped generator ends, as in Flask 3.1.3
    (see stream_with_context); the generator's error reaches teardown
    exactly once, at the end."""
    result, error = _run(tapp, "/stream-raises")
    assert result == "raised" and str(error) == "stream"
    assert dict(tapp.counts) == {k: 2 for k in ALL_ONCE}
    assert seen_exc[0] is None and seen_exc[1] is error
    assert _cv_request.get(None) is None and _cv_app.get(None) is None


def test_stream_with_context_abandoned_by_the_client(tapp, seen_exc) -> None:
    @tapp.get("/long")
    def long_stream() -> t.Any:
        def gen() -> t.Iterator[str]:
            for i in range(1000):
                yield str(i)

        return flask.stream_with_context(gen())

    from werkzeug.test import EnvironBuilder
    from werkzeug.test import run_wsgi_app

    environ = EnvironBuilder(path="/long").get_environ()
    app_iter, _, _ = run_wsgi_app(tapp, environ)

    try:
        next(iter(app_iter))
        # The view's request is over; the generator's push is still open.
        assert dict(tapp.counts) == ALL_ONCE
    finally:
        app_iter.close()  # the client went away

    assert dict(tapp.counts) == {k: 2 for k in ALL_ONCE}
    assert isinstance(seen_exc[1], GeneratorExit)
    assert _cv_request.get(None) is None and _cv_app.get(None) is None


def test_teardown_once_over_a_real_server_under_faults(tapp):
    paths = ["/ok", "/view-raises", "/after-raises", "/handler-raises"] * 10
    paths += ["/stream-raises", "/teardown-raises"] * 5

    import logging

    logging.getLogger("werkzeug").disabled = True

    try:
        with live_server(tapp) as port:
            with ThreadPoolExecutor(8) as pool:
                list(
                    pool.map(
                        lambda p: raw_http(
                            port,
                            f"GET {p} HTTP/1.1\r\nHost: x\r\n"
                            "Connection: close\r\n\r\n".encode(),
                        ),
                        paths,
                    )
                )
    finally:
        logging.getLogger("werkzeug").disabled = False

    # Once per request, and once more per stream_with_context generator.
    n = len(paths) + paths.count("/stream-raises")
    assert dict(tapp.counts) == {k: n for k in ALL_ONCE}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/view-raises", "view"),
        ("/after-raises", "after"),
        ("/handler-raises", "handler"),
    ],
)
def test_500_handler_receives_the_original_exception(tapp, path, message) -> None:
    rv = tapp.test_client().get(path)
    assert rv.status_code == 500 and rv.data == b"handled 500"
    (e,) = tapp.handled
    assert isinstance(e, InternalServerError)
    assert isinstance(e.original_exception, Boom)
    assert str(e.original_exception) == message


def test_500_handler_for_a_blueprint_error_gets_the_original(tapp) -> None:
    bp = flask.Blueprint("bp", __name__)
    seen = []

    @bp.get("/bp-raises")
    def bp_raises() -> str:
        raise Boom("bp")

    @bp.errorhandler(500)
    def bp_500(e: Exception) -> t.Any:
        seen.append(e)
        return "bp 500", 500

    tapp.register_blueprint(bp)
    rv = tapp.test_client().get("/bp-raises")
    assert rv.data == b"bp 500"
    assert isinstance(seen[0].original_exception, Boom)


def test_copy_current_request_context_in_threads() -> None:
    app = flask.Flask("sec_copy")
    app.config.update(SECRET_KEY="k", TESTING=True)
    teardowns = []

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        teardowns.append(threading.current_thread().name)

    @app.get("/work")
    def work() -> t.Any:
        flask.session["user"] = "alice"
        results: dict[int, t.Any] = {}

        def job(i: int) -> None:
            results[i] = (
                flask.request.args["q"],
                flask.session["user"],
                flask.request.path,
                flask.has_request_context(),
            )

        threads = [
            threading.Thread(
                target=flask.copy_current_request_context(job), args=(i,), name=f"w{i}"
            )
            for i in range(8)
        ]

        for th in threads:
            th.start()

        for th in threads:
            th.join()

        # Outside the decorator a thread has no context.
        plain: list[bool] = []
        th = threading.Thread(target=lambda: plain.append(flask.has_request_context()))
        th.start()
        th.join()
        return {"results": results, "plain": plain}

    rv = app.test_client().get("/work?q=x")
    data = rv.json
    assert data["plain"] == [False]
    assert data["results"] == {str(i): ["x", "alice", "/work", True] for i in range(8)}
    # Each copy tears down once in its own thread, and the request once.
    assert sorted(teardowns) == sorted([f"w{i}" for i in range(8)] + ["MainThread"])
