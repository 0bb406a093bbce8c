"""The ``lifespan`` scope: ``before_serving`` and ``after_serving``
functions, by hand-written lifespan messages and under a real uvicorn.
"""

from __future__ import annotations

import asyncio
import textwrap
import threading
import typing as t
import urllib.request
from pathlib import Path

import pytest
from asgi_helpers import asgi_call
from asgi_helpers import Req
from asgi_helpers import Uvicorn

import flask
from flask import current_app
from flask import g

pytest.importorskip("greenlet")


async def _lifespan(
    app: flask.Flask, events: t.Sequence[str] = ("startup", "shutdown")
) -> list[dict[str, t.Any]]:
    """Send the lifespan events a server sends, each once the app answered
    the previous one; return the app's answers.
    """
    incoming: asyncio.Queue[dict[str, t.Any]] = asyncio.Queue()
    answers: list[dict[str, t.Any]] = []
    pending = list(events)

    async def receive() -> dict[str, t.Any]:
        return await incoming.get()

    async def send(message: dict[str, t.Any]) -> None:
        answers.append(message)

        if pending and message["type"].endswith(".complete"):
            await incoming.put({"type": f"lifespan.{pending.pop(0)}"})

    await incoming.put({"type": f"lifespan.{pending.pop(0)}"})
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    await asyncio.wait_for(app.asgi(scope, receive, send), 10)
    return answers


def test_serving_functions_run_once_in_order(app: flask.Flask) -> None:
    calls: list[str] = []

    @app.before_serving
    def open_sync() -> None:
        assert current_app._get_current_object() is app
        g.opened = "sync"
        calls.append("before sync")

    @app.before_serving
    async def open_async() -> None:
        await asyncio.sleep(0)
        assert current_app._get_current_object() is app
        calls.append(f"before async (g.opened={g.opened})")

    @app.after_serving
    async def close_async() -> None:
        await asyncio.sleep(0)
        assert current_app._get_current_object() is app
        calls.append("after async")

    @app.after_serving
    def close_sync() -> None:
        calls.append("after sync")

    @app.route("/")
    def index() -> str:
        calls.append("request")
        return "ok"

    async def serve() -> list[dict[str, t.Any]]:
        incoming: asyncio.Queue[dict[str, t.Any]] = asyncio.Queue()
        answers: list[dict[str, t.Any]] = []

        async def send(message: dict[str, t.Any]) -> None:
            answers.append(message)

        lifespan = asyncio.create_task(
            app.asgi({"type": "lifespan"}, incoming.get, send)
        )
        await incoming.put({"type": "lifespan.startup"})

        while not answers:
            await asyncio.sleep(0.01)

        # Requests are served between startup and shutdown.
        exchange = await asgi_call(app.asgi, Req(path="/"))
        assert exchange.result().body == b"ok"
        await incoming.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(lifespan, 10)
        return answers

    answers = asyncio.run(serve())

    assert [m["type"] for m in answers] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert calls == [
        "before sync",
        "before async (g.opened=sync)",
        "request",
        "after async",
        "after sync",
    ]


def test_startup_failure_is_reported(app: flask.Flask) -> None:
    calls: list[str] = []

    @app.before_serving
    def first() -> None:
        calls.append("first")

    @app.before_serving
    async def broken() -> None:
        raise RuntimeError("the database is not there")

    @app.before_serving
    def never() -> None:  # pragma: no cover
        calls.append("never")

    @app.after_serving
    def after() -> None:  # pragma: no cover
        calls.append("after")

    answers = asyncio.run(_lifespan(app))

    assert answers == [
        {
            "type": "lifespan.startup.failed",
            "message": "RuntimeError: the database is not there",
        }
    ]
    assert calls == ["first"]


def test_shutdown_failure_is_reported(app: flask.Flask) -> None:
    @app.after_serving
    def broken() -> None:
        raise ValueError("could not flush")

    answers = asyncio.run(_lifespan(app))

    assert answers == [
        {"type": "lifespan.startup.complete"},
        {"type": "lifespan.shutdown.failed", "message": "ValueError: could not flush"},
    ]


def test_app_context_teardown_in_lifespan(app: flask.Flask) -> None:
    """The app context the serving functions run in is torn down as any
    other: sync and async teardown functions run, on the loop's thread
    for async ones.
    """
    torn: list[tuple[str, bool]] = []

    @app.teardown_appcontext
    def sync_teardown(exc: BaseException | None) -> None:
        torn.append(("sync", exc is None))

    @app.teardown_appcontext
    async def async_teardown(exc: BaseException | None) -> None:
        await asyncio.sleep(0)
        torn.append(("async", threading.current_thread() is threading.main_thread()))

    @app.before_serving
    def start() -> None:
        pass

    answers = asyncio.run(_lifespan(app))

    assert [m["type"] for m in answers] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert torn == [("async", True), ("sync", True)] * 2


def test_serves_again_after_a_shutdown(app: flask.Flask) -> None:
    """An app whose server stopped can be served again (by the next
    test's server, or after a reload in the same process).
    """

    @app.route("/")
    def index() -> str:
        return "again"

    for _ in range(2):
        asyncio.run(_lifespan(app))
        exchange = asyncio.run(asgi_call(app.asgi, Req(path="/")))
        assert exchange.result().body == b"again"


def test_not_run_under_wsgi(app: flask.Flask) -> None:
    calls: list[str] = []
    app.before_serving(lambda: calls.append("before"))
    app.after_serving(lambda: calls.append("after"))
    app.add_url_rule("/", "index", lambda: "wsgi")

    assert app.test_client().get("/").text == "wsgi"
    assert calls == []


# -- Under uvicorn ---------------------------------------------------------------

APP_MODULE = """
import os

from flask import Flask

app = Flask(__name__)
state = {}


@app.before_serving
async def start():
    if os.environ.get("FAIL_STARTUP"):
        raise RuntimeError("cannot reach the database at db.invalid")
    state["started"] = "yes"


@app.after_serving
def stop():
    print("after_serving ran", flush=True)


@app.route("/")
def index():
    return f"started={state.get('started')}"
"""


def _serve(tmp_path: Path, **env: str) -> Uvicorn:
    pytest.importorskip("uvicorn")
    (tmp_path / "lifespan_app.py").write_text(textwrap.dedent(APP_MODULE))
    return Uvicorn(tmp_path, "lifespan_app:app.asgi", "--lifespan", "on", env=env)


def test_uvicorn_does_not_start_when_startup_fails(tmp_path: Path) -> None:
    server = _serve(tmp_path, FAIL_STARTUP="1")

    try:
        server.proc.wait(30)
    finally:
        server.stop()

    output = server.output
    assert server.proc.returncode != 0, output
    assert "RuntimeError: cannot reach the database at db.invalid" in output
    assert "Application startup failed" in output
    assert "Uvicorn running" not in output


def test_uvicorn_runs_the_serving_functions(tmp_path: Path) -> None:
    with _serve(tmp_path) as server:
        with urllib.request.urlopen(server.url + "/", timeout=10) as response:
            assert response.read() == b"started=yes"

    output = server.output
    assert server.proc.returncode == 0, output
    assert "after_serving ran" in output
    assert "Application shutdown complete" in output
