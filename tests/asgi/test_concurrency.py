"""Where code runs under ASGI: async views, hooks, error handlers and
teardown functions on the server's loop, many at once; sync code in the
app's bounded pool; and what a client that goes away cancels.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import socket
import threading
import time
import typing as t
from pathlib import Path

import pytest
from asgi_helpers import asgi_call
from asgi_helpers import Req
from asgi_helpers import Uvicorn

import flask
from flask import request

pytest.importorskip("greenlet")


def test_slow_async_views_wait_together(app: flask.Flask) -> None:
    """200 views that each wait 0.2 s, served at once on one loop, take
    about one wait, not 200.
    """
    seen_threads: set[int] = set()

    @app.route("/slow/<int:n>")
    async def slow(n: int) -> str:
        seen_threads.add(threading.get_ident())
        await asyncio.sleep(0.2)
        return f"slept {n}"

    async def main() -> list[t.Any]:
        return await asyncio.gather(
            *(asgi_call(app.asgi, Req(path=f"/slow/{n}")) for n in range(200))
        )

    start = time.perf_counter()
    exchanges = asyncio.run(main())
    elapsed = time.perf_counter() - start

    assert [e.result().body for e in exchanges] == [
        f"slept {n}".encode() for n in range(200)
    ]
    # One wait is 0.2 s; 200 in a row would be 40 s.
    assert elapsed < 2.0, elapsed
    # Every view ran on the loop's thread.
    assert seen_threads == {threading.get_ident()}


def test_sync_views_run_in_the_pool(app: flask.Flask) -> None:
    names: list[str] = []

    @app.route("/sync")
    def sync_view() -> str:
        names.append(threading.current_thread().name)
        return "sync"

    exchange = asyncio.run(asgi_call(app.asgi, Req(path="/sync")))

    assert exchange.result().body == b"sync"
    assert len(names) == 1
    assert names[0].startswith("flask-asgi")
    assert names[0] != threading.current_thread().name


@pytest.mark.parametrize("threads", [1, 3])
def test_asgi_threads_bounds_the_pool(app: flask.Flask, threads: int) -> None:
    app.config["ASGI_THREADS"] = threads
    lock = threading.Lock()
    running = 0
    most = 0
    names: set[str] = set()

    @app.route("/block")
    def block() -> str:
        nonlocal running, most

        with lock:
            running += 1
            most = max(most, running)
            names.add(threading.current_thread().name)

        time.sleep(0.05)

        with lock:
            running -= 1

        return "done"

    async def main() -> list[t.Any]:
        return await asyncio.gather(
            *(asgi_call(app.asgi, Req(path="/block")) for _ in range(3 * threads + 1))
        )

    exchanges = asyncio.run(main())

    assert all(e.result().status == 200 for e in exchanges)
    assert most == threads
    assert len(names) == threads


def test_context_variables_cross_the_pool(app: flask.Flask) -> None:
    """A context variable set by sync code (in a pool thread) is seen by
    the code that runs after it, sync or async, as under WSGI.
    """
    tenant: contextvars.ContextVar[str] = contextvars.ContextVar("tenant")

    @app.before_request
    def pick_tenant() -> None:
        tenant.set(request.args["t"])

    @app.route("/")
    async def index() -> str:
        return tenant.get()

    @app.after_request
    def tag(response: flask.Response) -> flask.Response:
        response.headers["X-Tenant"] = tenant.get()
        return response

    result = asyncio.run(asgi_call(app.asgi, Req(path="/?t=acme"))).result()

    assert result.body == b"acme"
    assert result.header("x-tenant") == "acme"


def test_async_code_runs_on_the_loop(app: flask.Flask) -> None:
    """Async hooks, error handlers and teardown functions are awaited on
    the loop's thread; with no sync code, the pool starts no thread.
    """
    app.config["PROPAGATE_EXCEPTIONS"] = False
    where: dict[str, int] = {}

    def note(name: str) -> None:
        where[name] = threading.get_ident()

    @app.before_request
    async def before() -> None:
        note("before_request")

    @app.after_request
    async def after(response: flask.Response) -> flask.Response:
        note("after_request")
        return response

    @app.teardown_request
    async def teardown_request(exc: BaseException | None) -> None:
        note("teardown_request")

    @app.teardown_appcontext
    async def teardown_appcontext(exc: BaseException | None) -> None:
        note("teardown_appcontext")

    @app.errorhandler(LookupError)
    async def on_lookup(e: LookupError) -> tuple[str, int]:
        note("errorhandler")
        return "handled", 404

    @app.route("/fail")
    async def fail() -> str:
        note("view")
        raise LookupError("nothing")

    exchange = asyncio.run(asgi_call(app.asgi, Req(path="/fail")))

    assert exchange.result().status == 404
    assert set(where) == {
        "before_request",
        "view",
        "errorhandler",
        "after_request",
        "teardown_request",
        "teardown_appcontext",
    }
    assert set(where.values()) == {threading.get_ident()}
    pool = app.asgi._pool
    assert pool is None or not pool._threads


def test_async_helper_called_from_sync_view(app: flask.Flask) -> None:
    """A sync view (in a pool thread) that calls an ``async def`` through
    ``ensure_sync`` gets it awaited on the server's loop.
    """
    loop_thread = threading.get_ident()
    where: list[int] = []

    async def fetch(value: str) -> str:
        where.append(threading.get_ident())
        await asyncio.sleep(0)
        return value.upper()

    @app.route("/helper")
    def helper() -> str:
        where.append(threading.get_ident())
        return flask.current_app.ensure_sync(fetch)(request.args["v"])

    exchange = asyncio.run(asgi_call(app.asgi, Req(path="/helper?v=abc")))

    assert exchange.result().body == b"ABC"
    assert where[0] != loop_thread
    assert where[1] == loop_thread


def test_asyncio_in_async_views(app: flask.Flask) -> None:
    """An async view is a coroutine of the request's task: timeouts,
    tasks and gather work in it as in any asyncio code.
    """

    async def double(n: int) -> int:
        await asyncio.sleep(0.01)
        return n * 2

    @app.route("/asyncio")
    async def with_asyncio() -> dict[str, t.Any]:
        try:
            await asyncio.wait_for(asyncio.sleep(10), 0.05)
        except asyncio.TimeoutError:
            timed_out = True

        task = asyncio.create_task(double(5))
        gathered = await asyncio.gather(double(1), double(2))
        return {
            "timed_out": timed_out,
            "task": await task,
            "gathered": gathered,
            "current_task": asyncio.current_task() is not None,
        }

    exchange = asyncio.run(asgi_call(app.asgi, Req(path="/asyncio")))

    assert json.loads(exchange.result().body) == {
        "timed_out": True,
        "task": 10,
        "gathered": [2, 4],
        "current_task": True,
    }


def test_sync_code_called_by_async_view_waits_off_the_loop(app: flask.Flask) -> None:
    """Sync code that an async view calls may wait for the loop (read the
    body, call an async helper through ensure_sync) without blocking it.
    """

    async def shout(text: str) -> str:
        await asyncio.sleep(0)
        return text.upper()

    def parse() -> str:
        # Sync helper: reads the body, then awaits an async one.
        data = request.get_json()
        return flask.current_app.ensure_sync(shout)(data["text"])

    @app.post("/mixed")
    async def mixed() -> str:
        await asyncio.sleep(0)
        return parse()

    req = Req(
        "POST", "/mixed", (("Content-Type", "application/json"),), b'{"text": "hi"}'
    )
    exchange = asyncio.run(asgi_call(app.asgi, req))

    assert exchange.result().body == b"HI"


def test_waiting_on_the_loop_from_the_loop_is_an_error(app: flask.Flask) -> None:
    """Code the loop runs directly (an async generator body) cannot wait
    for the loop from sync code: a clear error, not a hung server.
    """

    async def helper() -> str:
        return "never"  # pragma: no cover

    @app.route("/events")
    def events() -> t.Any:
        async def generate() -> t.AsyncIterator[str]:
            yield "first"
            yield app.ensure_sync(helper)()

        return generate()

    with pytest.raises(RuntimeError, match="waited for the event loop it runs on"):
        asyncio.run(asgi_call(app.asgi, Req(path="/events")))


def _disconnect_after(delay: float) -> asyncio.Event:
    event = asyncio.Event()
    asyncio.get_running_loop().call_later(delay, event.set)
    return event


def test_disconnect_cancels_async_view(app: flask.Flask) -> None:
    events: list[str] = []

    @app.route("/wait")
    async def wait() -> str:
        try:
            await asyncio.sleep(30)
        finally:
            events.append("view finally")
        return "never"  # pragma: no cover

    @app.teardown_request
    def teardown_request(exc: BaseException | None) -> None:
        events.append(f"teardown_request {type(exc).__name__}")

    @app.teardown_appcontext
    async def teardown_appcontext(exc: BaseException | None) -> None:
        events.append(f"teardown_appcontext {type(exc).__name__}")

    async def main() -> t.Any:
        return await asgi_call(
            app.asgi, Req(path="/wait"), disconnect=_disconnect_after(0.1)
        )

    start = time.perf_counter()
    exchange = asyncio.run(main())

    assert time.perf_counter() - start < 5
    # Nothing was sent: the app ends quietly, as the client is gone.
    assert exchange.messages == []
    assert events == [
        "view finally",
        "teardown_request CancelledError",
        "teardown_appcontext CancelledError",
    ]


def test_disconnect_during_body_upload(app: flask.Flask) -> None:
    """A client that goes away while the app reads its body: the read
    fails, the teardown functions run and nothing is sent.
    """
    events: list[str] = []

    @app.post("/upload")
    def upload() -> str:
        try:
            return str(len(request.get_data()))
        finally:
            events.append("view finally")

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        events.append(f"teardown {type(exc).__name__}")

    sent = iter([{"type": "http.request", "body": b"x" * 10, "more_body": True}])

    async def receive() -> dict[str, t.Any]:
        return next(sent, {"type": "http.disconnect"})

    messages: list[t.Any] = []

    async def send(message: t.Any) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/upload",
        "query_string": b"",
        "headers": [(b"host", b"localhost"), (b"content-length", b"100")],
    }
    asyncio.run(app.asgi(scope, receive, send))

    # As werkzeug's stream reports a body that ends early: a 400 (which
    # nobody reads), not an error of the app.
    assert events == ["view finally", "teardown NoneType"]
    assert messages[0]["status"] == 400


def test_disconnect_waits_for_sync_view(app: flask.Flask) -> None:
    """A thread cannot be stopped: a sync view the client left ends first,
    then its request is torn down (never beside the running view).
    """
    events: list[str] = []

    @app.route("/block")
    def block() -> str:
        time.sleep(0.3)
        events.append("view done")
        return "late"

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        events.append(f"teardown {type(exc).__name__}")

    async def main() -> t.Any:
        return await asgi_call(
            app.asgi, Req(path="/block"), disconnect=_disconnect_after(0.05)
        )

    exchange = asyncio.run(main())

    assert events[0] == "view done"
    assert events[1].startswith("teardown ")
    assert exchange.messages == [] or exchange.result().status == 200


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_disconnect_stops_streaming(app: flask.Flask, kind: str) -> None:
    events: list[str] = []

    @app.route("/sync")
    def sync_stream() -> flask.Response:
        @flask.stream_with_context
        def generate() -> t.Iterator[str]:
            try:
                for i in range(500):
                    time.sleep(0.01)
                    yield f"{request.path} {i}\n"
            finally:
                events.append("generator closed")

        return flask.Response(generate())

    @app.route("/async")
    def async_stream() -> t.Any:
        async def generate() -> t.AsyncIterator[str]:
            try:
                for i in range(500):
                    await asyncio.sleep(0.01)
                    yield f"/async {i}\n"
            finally:
                events.append("generator closed")

        return generate()

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        events.append("teardown")

    async def main() -> t.Any:
        return await asgi_call(
            app.asgi, Req(path=f"/{kind}"), disconnect=_disconnect_after(0.2)
        )

    start = time.perf_counter()
    exchange = asyncio.run(main())
    elapsed = time.perf_counter() - start

    # 500 chunks take 5 s; the stream stopped soon after the disconnect.
    assert elapsed < 2, elapsed
    chunks = [m["body"] for m in exchange.body_messages if m.get("body")]
    assert 3 < len(chunks) < 100
    assert chunks[0] == f"/{kind} 0\n".encode()
    assert exchange.after_disconnect <= 1
    if kind == "sync":
        # stream_with_context pushes the request again, so (as in Flask
        # 3.1, and under WSGI) the teardown functions run again at its end.
        assert events == ["teardown", "generator closed", "teardown"]
    else:
        assert events == ["teardown", "generator closed"]


DISCONNECT_APP = """
import asyncio

from flask import Flask

app = Flask(__name__)


@app.route("/wait")
async def wait():
    print("view started", flush=True)
    try:
        await asyncio.sleep(30)
    finally:
        print("view finally", flush=True)


@app.teardown_request
def teardown(exc):
    print(f"teardown {type(exc).__name__}", flush=True)
"""


def test_uvicorn_client_disconnect(tmp_path: Path) -> None:
    """A real client that hangs up: the async view is cancelled, the
    teardown functions run, and uvicorn logs no error.
    """
    pytest.importorskip("uvicorn")
    (tmp_path / "disconnect_app.py").write_text(DISCONNECT_APP)

    with Uvicorn(tmp_path, "disconnect_app:app.asgi") as server:
        host, port = server.url.removeprefix("http://").split(":")

        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET /wait HTTP/1.1\r\nHost: test\r\n\r\n")
            assert server.wait_for("view started")

        assert server.wait_for("teardown CancelledError", timeout=10), server.output

    output = server.output
    assert "view finally" in output
    assert "Exception in ASGI application" not in output
    assert "Traceback" not in output


def test_sync_hooks_run_in_the_pool(app: flask.Flask) -> None:
    """Plain sync before and after request functions are sent to the pool
    like sync views, never called on the loop's thread."""
    names: list[str] = []

    @app.before_request
    def before() -> None:
        names.append(threading.current_thread().name)

    @app.after_request
    def after(response: flask.Response) -> flask.Response:
        names.append(threading.current_thread().name)
        return response

    @app.route("/sync")
    def sync_view() -> str:
        return "sync"

    exchange = asyncio.run(asgi_call(app.asgi, Req(path="/sync")))

    assert exchange.result().body == b"sync"
    assert len(names) == 2
    assert all(name.startswith("flask-asgi") for name in names), names
