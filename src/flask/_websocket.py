"""Websocket routes under ASGI: serving a ``websocket`` scope, and the
test client's session.

A websocket route is a werkzeug rule with ``websocket=True`` whose view
is an ``async def`` handler. The connection is served with the app and
request contexts pushed, so ``g``, ``session`` (read only: no response
carries a cookie back) and ``url_for`` work in the handler; the teardown
functions run when it ends. ``before_request`` and ``after_request``
functions, which are about HTTP responses, do not run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import threading
import typing as t
from urllib.parse import unquote
from urllib.parse import urlsplit

from . import _bridge
from .asgi import _Body
from .asgi import _environ
from .asgi import Websocket
from .asgi import WebsocketDisconnect
from .globals import _cv_bridge
from .globals import _cv_websocket

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask
    from .asgi import AsgiApp
    from .asgi import Receive
    from .asgi import Scope
    from .asgi import Send


def _serve(app: Flask, environ: dict[str, t.Any], ws: Websocket) -> None:
    """Serve one connection, in the pipeline's greenlet."""
    ctx = app.request_context(environ)
    error: BaseException | None = None
    ctx.push()
    token = _cv_websocket.set(ws)

    try:
        request = ctx.request
        rule = request.url_rule

        if request.routing_exception is not None or rule is None or not rule.websocket:
            _bridge.wait_for(ws.close(1008))
            return

        handler = app.view_functions[rule.endpoint]
        app.ensure_sync(handler)(**(request.view_args or {}))
        _bridge.wait_for(ws.close(1000))
    except WebsocketDisconnect:
        pass
    except Exception as e:
        error = e
        app.logger.error(f"Exception on websocket {request.path}", exc_info=e)
        _bridge.wait_for(ws.close(1011))
    except BaseException as e:
        error = e
        raise
    finally:
        _cv_websocket.reset(token)
        ctx.pop(error)


async def serve_websocket(
    asgi_app: AsgiApp, scope: Scope, receive: Receive, send: Send
) -> None:
    """Serve a ``websocket`` scope with the route its path matches; a path
    that matches no websocket route has its handshake refused.
    """
    message = await receive()

    if message["type"] != "websocket.connect":  # pragma: no cover - ASGI spec
        return

    environ = _environ(scope, _Body(receive, False, None))
    # The upgrade headers tell werkzeug's routing this is a websocket.
    environ.setdefault("HTTP_UPGRADE", "websocket")
    environ.setdefault("HTTP_CONNECTION", "Upgrade")
    ws = Websocket(scope, receive, send)
    token = _cv_bridge.set(asgi_app.bridge())

    try:
        await _bridge.drive(_serve, asgi_app.app, environ, ws)
    finally:
        _cv_bridge.reset(token)


#: How long a test session waits, once closed, for the handler to end
#: before it stops it.
_GRACE = 2.0


class WebsocketTestSession:
    """A websocket connection to the app for tests, from
    :meth:`flask.testing.FlaskClient.websocket`. Use it as a context
    manager; its methods block until the app answers.
    """

    def __init__(
        self,
        app: Flask,
        path: str,
        headers: t.Iterable[tuple[str, str]] = (),
        subprotocols: t.Iterable[str] = (),
    ) -> None:
        url = urlsplit(path)
        self.scope: dict[str, t.Any] = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "scheme": "ws",
            "path": unquote(url.path) or "/",
            "raw_path": (url.path or "/").encode(),
            "query_string": url.query.encode(),
            "root_path": "",
            "headers": [(b"host", b"localhost")]
            + [(k.lower().encode(), v.encode()) for k, v in headers],
            "client": ("127.0.0.1", 50000),
            "server": ("localhost", 80),
            "subprotocols": list(subprotocols),
        }
        self.app = app
        self._from_app: queue.Queue[t.MutableMapping[str, t.Any]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        # The app runs on its own loop in self._thread; what the test sends
        # goes into self._inbox on that loop.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inbox: asyncio.Queue[dict[str, t.Any]] | None = None
        self._task: asyncio.Task[t.Any] | None = None
        self._started = threading.Event()
        self._client_closed = False
        #: The subprotocol the app accepted with.
        self.accepted_subprotocol: str | None = None
        #: The close code, once the app closed the connection.
        self.close_code: int | None = None

    def __enter__(self) -> WebsocketTestSession:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._started.wait(10)
        self._put({"type": "websocket.connect"})
        message = self._next()

        if message["type"] == "websocket.close":
            self.close_code = message.get("code", 1000)
            raise WebsocketDisconnect(self.close_code)

        self.accepted_subprotocol = message.get("subprotocol")
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        if self.close_code is None:
            self.close(1000)

        if self._thread is not None:
            self._thread.join(_GRACE)

            if self._thread.is_alive() and self._task is not None:
                # A handler that neither receives nor sends (it waits on
                # something else) is stopped, as a server stopping would.
                assert self._loop is not None
                self._loop.call_soon_threadsafe(self._task.cancel)
                self._thread.join(10)

        if self._error is not None:
            raise self._error

    def _put(self, message: dict[str, t.Any]) -> None:
        if self._loop is not None and self._inbox is not None:
            with contextlib.suppress(RuntimeError):  # the app's loop ended
                self._loop.call_soon_threadsafe(self._inbox.put_nowait, message)

    def _run(self) -> None:
        async def send(message: t.MutableMapping[str, t.Any]) -> None:
            if self._client_closed:
                # What a server does for a message to a client that left.
                raise OSError("The test client closed the connection.")

            self._from_app.put(message)

        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            self._inbox = asyncio.Queue()
            self._task = asyncio.current_task()
            self._started.set()
            await self.app.asgi(self.scope, self._inbox.get, send)

        try:
            asyncio.run(serve())
        except asyncio.CancelledError:
            pass  # stopped by __exit__
        except BaseException as e:  # noqa: B036 - reported to the test
            self._error = e
        finally:
            self._started.set()
            self._from_app.put({"type": "websocket.close", "code": 1006})

    def _next(self) -> t.MutableMapping[str, t.Any]:
        message = self._from_app.get(timeout=10)

        if message["type"] == "websocket.close" and self._error is not None:
            raise self._error

        return message

    def send(self, data: str | bytes) -> None:
        """Send a text or binary message to the app."""
        key = "text" if isinstance(data, str) else "bytes"
        self._put({"type": "websocket.receive", key: data})

    def send_json(self, obj: t.Any) -> None:
        """Send ``obj`` as JSON text."""
        self.send(json.dumps(obj))

    def receive(self) -> str | bytes:
        """The app's next message.

        :raises WebsocketDisconnect: when the app closed the connection.
        """
        message = self._next()

        if message["type"] == "websocket.close":
            self.close_code = message.get("code", 1000)
            raise WebsocketDisconnect(self.close_code, message.get("reason", ""))

        if message.get("text") is not None:
            return message["text"]  # type: ignore[no-any-return]

        return message["bytes"]  # type: ignore[no-any-return]

    def receive_json(self) -> t.Any:
        """The app's next message, parsed as JSON."""
        return json.loads(self.receive())

    def close(self, code: int = 1000) -> None:
        """Close the connection from the client's side."""
        self._client_closed = True
        self._put({"type": "websocket.disconnect", "code": code})
        self.close_code = code
