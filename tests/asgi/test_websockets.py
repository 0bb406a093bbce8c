"""Websocket routes: the handler's ``websocket`` connection, close codes,
refused handshakes, the contexts inside, the test client's session, the
WSGI-only 400, and one real uvicorn served to the ``websockets`` client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import typing as t
from pathlib import Path

import pytest
from asgi_helpers import Uvicorn

import flask
from flask import g
from flask import request
from flask import session
from flask import url_for
from flask import websocket
from flask.asgi import WebsocketDisconnect

pytest.importorskip("greenlet")


@pytest.fixture
def ws_app(app: flask.Flask) -> flask.Flask:
    @app.websocket("/echo")
    async def echo() -> None:
        await websocket.accept()

        while True:
            message = await websocket.receive()
            await websocket.send(message)

    return app


def test_echo_text_and_bytes(ws_app: flask.Flask) -> None:
    with ws_app.test_client().websocket("/echo") as ws:
        ws.send("hello")
        assert ws.receive() == "hello"
        ws.send(b"\x00\xff bytes")
        assert ws.receive() == b"\x00\xff bytes"
        ws.send("")
        assert ws.receive() == ""


def test_json_helpers(app: flask.Flask) -> None:
    @app.websocket("/json")
    async def json_echo() -> None:
        data = await websocket.receive_json()
        await websocket.send_json({"got": data, "sum": sum(data["numbers"])})

    with app.test_client().websocket("/json") as ws:
        ws.send_json({"numbers": [1, 2, 3.5], "text": "é"})
        answer = ws.receive_json()

    assert answer == {"got": {"numbers": [1, 2, 3.5], "text": "é"}, "sum": 6.5}


def test_json_uses_the_app_provider(app: flask.Flask) -> None:
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.websocket("/json")
    async def json_out() -> None:
        await websocket.send_json({"b": 1, "a": 2})

    with app.test_client().websocket("/json") as ws:
        assert ws.receive() == app.json.dumps({"b": 1, "a": 2})


def test_handler_closes_with_a_code(app: flask.Flask) -> None:
    @app.websocket("/bye")
    async def bye() -> None:
        await websocket.accept()
        await websocket.send("going")
        await websocket.close(4001, "done here")

    with app.test_client().websocket("/bye") as ws:
        assert ws.receive() == "going"

        with pytest.raises(WebsocketDisconnect) as info:
            ws.receive()

    assert info.value.code == 4001
    assert info.value.reason == "done here"


def test_handler_returning_closes_normally(app: flask.Flask) -> None:
    @app.websocket("/once")
    async def once() -> None:
        await websocket.send("only message")

    with app.test_client().websocket("/once") as ws:
        assert ws.receive() == "only message"

        with pytest.raises(WebsocketDisconnect) as info:
            ws.receive()

    assert info.value.code == 1000


def test_client_closes(app: flask.Flask) -> None:
    seen: list[t.Any] = []

    @app.websocket("/listen")
    async def listen() -> None:
        await websocket.accept()

        try:
            while True:
                seen.append(await websocket.receive())
        except WebsocketDisconnect as e:
            seen.append(("closed", e.code))
            raise

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        seen.append(("teardown", exc))

    with app.test_client().websocket("/listen") as ws:
        ws.send("one")
        ws.close(1001)

    assert seen == ["one", ("closed", 1001), ("teardown", None)]


def test_handler_error_closes_1011_and_is_logged(
    app: flask.Flask, caplog: pytest.LogCaptureFixture
) -> None:
    teardown: list[t.Any] = []

    @app.websocket("/broken")
    async def broken() -> None:
        await websocket.accept()
        await websocket.receive()
        raise ValueError("bad message")

    @app.teardown_request
    def on_teardown(exc: BaseException | None) -> None:
        teardown.append(exc)

    with caplog.at_level(logging.ERROR):
        with app.test_client().websocket("/broken") as ws:
            ws.send("anything")

            with pytest.raises(WebsocketDisconnect) as info:
                ws.receive()

    assert info.value.code == 1011
    (record,) = [r for r in caplog.records if r.exc_info]
    assert record.getMessage() == "Exception on websocket /broken"
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)
    assert len(teardown) == 1 and isinstance(teardown[0], ValueError)


def test_send_to_a_client_that_left(
    app: flask.Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """ASGI servers raise an OSError for a message sent to a client that
    went away: the handler sees the client's close (1006), no error is
    logged, and the teardown functions run as after any close.
    """
    seen: list[t.Any] = []

    @app.websocket("/ticker")
    async def ticker() -> None:
        await websocket.accept()

        try:
            for i in range(10):
                await websocket.send(str(i))
        except WebsocketDisconnect as e:
            seen.append(("disconnect", e.code))
            raise

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        seen.append(("teardown", exc))

    sent: list[t.Any] = []

    async def receive() -> dict[str, t.Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, t.Any]) -> None:
        if len(sent) == 3:
            raise OSError("the client is gone")

        sent.append(message)

    scope = {"type": "websocket", "path": "/ticker", "headers": []}
    asyncio.run(app.asgi(scope, receive, send))

    assert [m.get("text") for m in sent] == [None, "0", "1"]
    assert seen == [("disconnect", 1006), ("teardown", None)]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_no_route_refuses_the_handshake(ws_app: flask.Flask) -> None:
    @ws_app.route("/page")
    def page() -> str:  # pragma: no cover - only its websocket handshake
        return "an HTTP route"

    for path in ["/nowhere", "/page"]:
        with pytest.raises(WebsocketDisconnect) as info:
            with ws_app.test_client().websocket(path):
                pass  # pragma: no cover

        assert info.value.code == 1008, path


def test_handler_closing_before_accept_refuses(app: flask.Flask) -> None:
    @app.websocket("/private")
    async def private() -> None:
        if request.args.get("token") != "secret":
            await websocket.close(4003)
            return

        await websocket.accept()
        await websocket.send("welcome")

    with pytest.raises(WebsocketDisconnect) as info:
        with app.test_client().websocket("/private?token=wrong"):
            pass  # pragma: no cover

    assert info.value.code == 4003

    with app.test_client().websocket("/private?token=secret") as ws:
        assert ws.receive() == "welcome"


def test_handler_error_before_accept_refuses(app: flask.Flask) -> None:
    @app.websocket("/early")
    async def early() -> None:
        raise RuntimeError("before accept")

    with pytest.raises(WebsocketDisconnect) as info:
        with app.test_client().websocket("/early"):
            pass  # pragma: no cover

    assert info.value.code == 1011


def test_contexts_in_the_handler(app: flask.Flask) -> None:
    """``g``, ``url_for``, ``request`` (the handshake) and the session
    (read from the cookie) work in a handler; teardown functions run at
    its end; before_request functions, about HTTP responses, do not.
    """
    events: list[str] = []

    @app.route("/login/<name>")
    def login(name: str) -> str:
        session["user"] = name
        return "logged in"

    @app.before_request
    def before() -> None:
        events.append("before_request")

    @app.teardown_request
    def teardown_request(exc: BaseException | None) -> None:
        events.append(f"teardown_request {g.get('room')}")

    @app.teardown_appcontext
    async def teardown_appcontext(exc: BaseException | None) -> None:
        events.append("teardown_appcontext")

    @app.websocket("/rooms/<room>")
    async def room(room: str) -> None:
        g.room = room
        await websocket.accept(subprotocol="chat.v1")
        await websocket.send_json(
            {
                "user": session.get("user"),
                "room": g.room,
                "self": url_for("room", room=room),
                "external": url_for("login", name="x", _external=True),
                "args": request.args.to_dict(),
                "header": request.headers.get("X-Token"),
                "path": request.path,
                "offered": websocket.subprotocols,
            }
        )

    client = app.test_client()
    client.get("/login/ann")
    cookie = client.get_cookie("session")
    assert cookie is not None
    events.clear()

    with client.websocket(
        "/rooms/blue?x=1",
        headers=[("Cookie", f"session={cookie.value}"), ("X-Token", "t")],
        subprotocols=["chat.v2", "chat.v1"],
    ) as ws:
        data = ws.receive_json()
        assert ws.accepted_subprotocol == "chat.v1"

    assert data == {
        "user": "ann",
        "room": "blue",
        # werkzeug builds websocket rules as external ws:// URLs.
        "self": "ws://localhost/rooms/blue",
        "external": "http://localhost/login/x",
        "args": {"x": "1"},
        "header": "t",
        "path": "/rooms/blue",
        "offered": ["chat.v2", "chat.v1"],
    }
    assert events == ["teardown_request blue", "teardown_appcontext"]


def test_session_is_read_only(app: flask.Flask) -> None:
    """A handler may change the session, but no response carries it back:
    the next HTTP request still has the old one.
    """

    @app.route("/who")
    def who() -> str:
        return str(session.get("user"))

    @app.websocket("/rename")
    async def rename() -> None:
        session["user"] = "changed"
        await websocket.send(session["user"])

    client = app.test_client()

    with client.session_transaction() as sess:
        sess["user"] = "ann"

    cookie = client.get_cookie("session")
    assert cookie is not None

    with client.websocket(
        "/rename", headers=[("Cookie", f"session={cookie.value}")]
    ) as ws:
        assert ws.receive() == "changed"

    assert client.get("/who").text == "ann"


def test_blueprint_websocket(app: flask.Flask) -> None:
    bp = flask.Blueprint("chat", __name__, url_prefix="/chat")
    inner = flask.Blueprint("inner", __name__, url_prefix="/inner")

    @bp.websocket("/ws")
    async def ws() -> None:
        await websocket.send(url_for(".ws"))

    @inner.websocket("/<int:n>", endpoint="numbered")
    async def numbered(n: int) -> None:
        await websocket.send(f"{n} {request.blueprint} {request.endpoint}")

    bp.register_blueprint(inner)
    app.register_blueprint(bp)
    client = app.test_client()

    with client.websocket("/chat/ws") as conn:
        assert conn.receive() == "ws://localhost/chat/ws"

    with client.websocket("/chat/inner/7") as conn:
        assert conn.receive() == "7 chat.inner chat.inner.numbered"


def test_session_leaves_a_sending_handler(app: flask.Flask) -> None:
    """Leaving the ``with`` block while the handler keeps sending: its next
    send finds the client gone, and it ends at once.
    """
    events: list[t.Any] = []

    @app.websocket("/ticker")
    async def ticker() -> None:
        try:
            for i in range(10_000):
                await websocket.send(str(i))
                await asyncio.sleep(0.001)
        except WebsocketDisconnect as e:
            events.append(e.code)
            raise

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        events.append(exc)

    start = time.perf_counter()

    with app.test_client().websocket("/ticker") as ws:
        assert [ws.receive(), ws.receive()] == ["0", "1"]

    assert time.perf_counter() - start < 1.5
    assert events == [1006, None]


def test_session_stops_a_waiting_handler(app: flask.Flask) -> None:
    """A handler waiting on something else than the client is stopped
    when the session ends (after a grace period), its teardown run.
    """
    events: list[t.Any] = []

    @app.websocket("/idle")
    async def idle() -> None:
        await websocket.accept()
        await asyncio.Event().wait()

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        events.append(type(exc).__name__)

    start = time.perf_counter()

    with app.test_client().websocket("/idle"):
        pass

    assert time.perf_counter() - start < 5
    assert events == ["CancelledError"]


def test_session_path_is_decoded(app: flask.Flask) -> None:
    @app.websocket("/rooms/<name>")
    async def room(name: str) -> None:
        await websocket.send(f"{name}|{request.path}|{request.args['q']}")

    with app.test_client().websocket("/rooms/a%20b?q=%C3%A9") as ws:
        assert ws.receive() == "a b|/rooms/a b|é"


def test_sync_handler_is_a_type_error(app: flask.Flask) -> None:
    with pytest.raises(TypeError) as info:

        @app.websocket("/sync")
        def sync_handler() -> None:  # pragma: no cover
            pass

    assert str(info.value) == (
        "The websocket handler 'sync_handler' must be an 'async def' function."
    )
    assert "sync_handler" not in app.view_functions


def test_websocket_proxy_outside_a_handler() -> None:
    with pytest.raises(RuntimeError, match="'websocket'"):
        websocket.state  # noqa: B018


@pytest.mark.parametrize("upgrade", [True, False])
def test_websocket_route_over_wsgi_is_400(ws_app: flask.Flask, upgrade: bool) -> None:
    headers = {"Upgrade": "websocket", "Connection": "Upgrade"} if upgrade else {}
    rv = ws_app.test_client().get("/echo", headers=headers)

    assert rv.status_code == 400

    if upgrade:
        # The handshake reached a WSGI server: say what is needed.
        assert (
            "This URL is a websocket route: it needs the app served by an ASGI"
            " server (for example &#39;uvicorn module:app.asgi&#39;)."
        ) in rv.text


def test_http_and_websocket_rules_on_one_path(app: flask.Flask) -> None:
    """Rules that differ only in ``websocket``: each answers its kind."""
    app.add_url_rule("/both", "both_http", lambda: "http")

    @app.websocket("/both")
    async def both_ws() -> None:
        await websocket.send("ws")

    assert app.test_client().get("/both").text == "http"

    with app.test_client().websocket("/both") as ws:
        assert ws.receive() == "ws"


def test_many_connections_at_once(ws_app: flask.Flask) -> None:
    """Connections are served concurrently on one loop."""

    @ws_app.websocket("/slow")
    async def slow() -> None:
        await asyncio.sleep(0.2)
        await websocket.send("slept")

    async def connect(n: int) -> t.Any:
        sent: list[t.Any] = []
        incoming = [{"type": "websocket.connect"}]

        async def receive() -> dict[str, t.Any]:
            if incoming:
                return incoming.pop()
            await asyncio.sleep(5)  # pragma: no cover
            return {"type": "websocket.disconnect", "code": 1000}  # pragma: no cover

        async def send(message: t.Any) -> None:
            sent.append(message)

        scope = {
            "type": "websocket",
            "path": "/slow",
            "query_string": b"",
            "headers": [(b"host", b"localhost")],
        }
        await ws_app.asgi(scope, receive, send)
        return [m["type"] for m in sent]

    async def main() -> list[t.Any]:
        return await asyncio.gather(*(connect(n) for n in range(50)))

    loop_time = asyncio.run(_timed(main()))
    results, elapsed = loop_time

    assert all(
        r == ["websocket.accept", "websocket.send", "websocket.close"] for r in results
    )
    assert elapsed < 2, elapsed


async def _timed(coro: t.Awaitable[t.Any]) -> tuple[t.Any, float]:
    loop = asyncio.get_running_loop()
    start = loop.time()
    rv = await coro
    return rv, loop.time() - start


# -- Under uvicorn, with the websockets client ---------------------------------

WS_APP = """
import asyncio

from flask import Flask, session, url_for, websocket
from flask.asgi import WebsocketDisconnect

app = Flask(__name__)


@app.websocket("/echo")
async def echo():
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message == "json":
                await websocket.send_json({"url": url_for("echo", _external=True)})
            elif message == "close":
                await websocket.close(4000, "asked to")
                return
            else:
                await websocket.send(message)
    except WebsocketDisconnect as e:
        print(f"client closed {e.code}", flush=True)
        raise


@app.websocket("/refuse")
async def refuse():
    await websocket.close()


@app.websocket("/ticker")
async def ticker():
    await websocket.accept()
    try:
        for i in range(1000):
            await websocket.send(str(i))
            await asyncio.sleep(0.01)
    finally:
        print("ticker stopped", flush=True)


@app.teardown_request
def teardown(exc):
    print(f"teardown {type(exc).__name__}", flush=True)
"""


def test_uvicorn_with_websockets_client(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    client = pytest.importorskip("websockets.asyncio.client")
    exceptions = pytest.importorskip("websockets.exceptions")
    (tmp_path / "ws_app.py").write_text(WS_APP)

    async def talk(base: str) -> None:
        async with client.connect(f"{base}/echo") as conn:
            await conn.send("hello")
            assert await conn.recv() == "hello"
            await conn.send(b"\x01\x02")
            assert await conn.recv() == b"\x01\x02"
            await conn.send("json")
            # werkzeug builds websocket rules as ws:// URLs.
            assert json.loads(await conn.recv()) == {"url": f"{base}/echo"}
            await conn.send("close")

            with pytest.raises(exceptions.ConnectionClosed) as info:
                await conn.recv()

            assert info.value.rcvd is not None
            assert info.value.rcvd.code == 4000
            assert info.value.rcvd.reason == "asked to"

        async with client.connect(f"{base}/echo") as conn:
            await conn.send("bye")
            assert await conn.recv() == "bye"
            await conn.close(1001)

        for path in ["/refuse", "/nowhere"]:
            with pytest.raises(exceptions.InvalidStatus) as refused:
                async with client.connect(f"{base}{path}"):
                    pass  # pragma: no cover

            assert refused.value.response.status_code == 403

        async with client.connect(f"{base}/ticker") as conn:
            assert await conn.recv() == "0"
        # Left without reading: the handler stops when it cannot send.

    with Uvicorn(tmp_path, "ws_app:app.asgi") as server:
        asyncio.run(talk(server.url.replace("http", "ws", 1)))
        assert server.wait_for("ticker stopped", timeout=10), server.output
        assert server.wait_for("client closed 1001")

    output = server.output
    assert output.count("teardown NoneType") == 5, output
    assert "Traceback" not in output
    assert "ERROR" not in output
