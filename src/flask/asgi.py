"""``app.asgi``: the app as an ASGI 3 application, and the websocket
connection its websocket routes serve.

An HTTP request goes through the very pipeline WSGI requests go through
(:meth:`flask.Flask.wsgi_app`, run in a greenlet on the server's loop by
:mod:`flask._bridge`): the same request object built from an environ made
of the scope, the same contexts, hooks, error handlers, signals and
sessions in the same order. Only the edges differ: the body is read from
``receive`` as the app reads it, and the response goes out through
``send``; a sync iterable body is iterated off the loop, an async one
natively. A client that disconnects cancels the request's task, which
ends an ``async`` view where it waits and stops a streamed body.

The ``lifespan`` scope runs the app's ``before_serving`` and
``after_serving`` functions; the ``websocket`` scope serves the routes
added with ``websocket()`` (see :mod:`flask._websocket`).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import io
import sys
import typing as t
from concurrent.futures import Future
from concurrent.futures import wait

from werkzeug import exceptions as _werkzeug_exceptions

from . import _bridge
from .globals import _cv_bridge
from .globals import current_app

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask

Scope = t.MutableMapping[str, t.Any]
Message = t.MutableMapping[str, t.Any]
Receive = t.Callable[[], t.Awaitable[Message]]
Send = t.Callable[[Message], t.Awaitable[None]]

# Names of the headers a WSGI environ keeps without the HTTP_ prefix.
_UNPREFIXED = {"CONTENT_TYPE", "CONTENT_LENGTH"}
# The URL scheme of a websocket's handshake request.
_HTTP_SCHEMES = {"ws": "http", "wss": "https"}


class WebsocketDisconnect(Exception):
    """The other side closed the websocket; ``code`` is its close code."""

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class Websocket:
    """The websocket connection being served, :data:`flask.websocket`.

    Its methods are coroutines, for the route's ``async def`` handler.
    Receiving or sending accepts the connection first if the handler has
    not done so.
    """

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._receive = receive
        self._send = send
        #: The subprotocols the client offered.
        self.subprotocols: list[str] = list(scope.get("subprotocols", ()))
        #: ``"connecting"``, ``"connected"`` or ``"closed"``.
        self.state = "connecting"

    async def accept(
        self,
        subprotocol: str | None = None,
        headers: t.Iterable[tuple[str, str]] = (),
    ) -> None:
        """Accept the connection, with one of the offered subprotocols."""
        if self.state != "connecting":
            return

        await self._emit(
            {
                "type": "websocket.accept",
                "subprotocol": subprotocol,
                "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
            }
        )
        self.state = "connected"

    async def _emit(self, message: Message) -> None:
        try:
            await self._send(message)
        except OSError as e:
            # What ASGI servers raise for a message to a client that went
            # away: for the handler, the client closed (without a code it
            # could read: 1006).
            self.state = "closed"
            raise WebsocketDisconnect(1006) from e

    async def receive(self) -> str | bytes:
        """The next message: ``str`` for text, ``bytes`` for binary.

        :raises WebsocketDisconnect: when the client closed.
        """
        await self.accept()

        if self.state == "closed":
            raise WebsocketDisconnect(1000)

        message = await self._receive()

        if message["type"] == "websocket.disconnect":
            self.state = "closed"
            raise WebsocketDisconnect(
                message.get("code", 1000), message.get("reason", "")
            )

        if message.get("text") is not None:
            return message["text"]  # type: ignore[no-any-return]

        return message.get("bytes") or b""

    async def send(self, data: str | bytes) -> None:
        """Send a text (``str``) or binary (``bytes``) message.

        :raises WebsocketDisconnect: when the connection is closed.
        """
        await self.accept()

        if self.state == "closed":
            raise WebsocketDisconnect(1000)

        if isinstance(data, str):
            await self._emit({"type": "websocket.send", "text": data})
        else:
            await self._emit({"type": "websocket.send", "bytes": bytes(data)})

    async def receive_json(self) -> t.Any:
        """The next message, parsed as JSON with the app's provider."""
        return current_app.json.loads(await self.receive())

    async def send_json(self, obj: t.Any) -> None:
        """Send ``obj`` as a JSON text message, with the app's provider."""
        await self.send(current_app.json.dumps(obj))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection. Before it is accepted this refuses the
        handshake (the server answers 403).
        """
        if self.state == "closed":
            return

        self.state = "closed"

        # Closing a connection the client already left has nothing to do.
        with contextlib.suppress(OSError):
            await self._send(
                {"type": "websocket.close", "code": code, "reason": reason}
            )


class ClientDisconnected(_werkzeug_exceptions.ClientDisconnected):
    """The client went away while its request body was being read: a
    ``400 Bad Request``, as werkzeug's stream reports a body that ends
    early under WSGI (nobody reads the response).
    """


class _Body(io.RawIOBase):
    """The request body as a WSGI input stream, read from ``receive``.

    Reading it waits for the next body message on the loop, from the
    request's greenlet or a pool thread. Once the whole body has arrived
    (at once when there is none), a watcher takes over ``receive`` to
    notice the client going away, and cancels the request's task then.
    """

    def __init__(
        self, receive: Receive, expected: bool, task: asyncio.Task[t.Any] | None
    ) -> None:
        self._receive = receive
        self._chunk = b""
        self._offset = 0
        self._task = task
        self._watcher: asyncio.Task[None] | None = None
        self.complete = False
        self.disconnected = False

        if not expected:
            self._completed()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        while self._offset >= len(self._chunk):
            if self.complete:
                return 0

            self._chunk = _bridge.wait_for(self._next())
            self._offset = 0

        view = memoryview(self._chunk)[self._offset : self._offset + len(buffer)]
        size = len(view)
        buffer[:size] = view
        self._offset += size
        return size

    async def _next(self) -> bytes:
        message = await self._receive()

        if message["type"] == "http.disconnect":
            self.complete = self.disconnected = True
            raise ClientDisconnected()

        if not message.get("more_body", False):
            self._completed()

        return message.get("body", b"")  # type: ignore[no-any-return]

    def _completed(self) -> None:
        self.complete = True

        if self._task is not None:
            # A view still at work (an async one waiting on a slow call,
            # a stream) is cancelled when its client goes away.
            self._watcher = asyncio.create_task(self._watch(self._task))

    async def _watch(self, task: asyncio.Task[t.Any]) -> None:
        while (await self._receive())["type"] != "http.disconnect":
            pass

        self.disconnected = True
        task.cancel()

    def stop_watching(self) -> None:
        """Stop listening for the client: the response is sent."""
        self._task = None

        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None


def _environ(scope: Scope, body: _Body) -> dict[str, t.Any]:
    """The WSGI environ of an HTTP or websocket scope (PEP 3333 strings:
    text as latin-1 of its UTF-8 bytes).
    """
    root = scope.get("root_path", "").encode().decode("latin1")
    path = scope["path"].encode().decode("latin1")

    if root and (path == root or path.startswith(root + "/")):
        # The path includes the root path (ASGI 3); servers that follow
        # the older reading give it without.
        path = path[len(root) :]

    client = scope.get("client")
    scheme = scope.get("scheme", "http")
    scheme = _HTTP_SCHEMES.get(scheme, scheme)
    server_name, server_port = scope.get("server") or ("localhost", None)

    if server_port is None:
        # No port: a unix socket, or the scheme's default one (httpx's
        # ASGITransport leaves it out then).
        server_port = 443 if scheme == "https" else 80

    environ: dict[str, t.Any] = {
        "REQUEST_METHOD": scope.get("method", "GET"),
        "SCRIPT_NAME": root,
        "PATH_INFO": path,
        "QUERY_STRING": scope.get("query_string", b"").decode("latin1"),
        "SERVER_NAME": str(server_name),
        "SERVER_PORT": str(server_port),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": body,
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "asgi.scope": scope,
    }

    if client is not None:
        environ["REMOTE_ADDR"] = client[0]
        environ["REMOTE_PORT"] = str(client[1])

    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin1").upper().replace("-", "_")
        value = raw_value.decode("latin1")

        if name not in _UNPREFIXED:
            name = f"HTTP_{name}"

        if name in environ:
            # Repeated headers are one comma-separated value in WSGI; the
            # cookies of HTTP/2 requests come in several headers.
            value = environ[name] + ("; " if name == "HTTP_COOKIE" else ",") + value

        environ[name] = value

    return environ


#: HTTP versions where a request without Content-Length or
#: Transfer-Encoding has no body.
_LENGTHLESS_NO_BODY = ("1.1", "1.0")


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        name = name.lower()

        if name == b"content-length":
            return value.strip() not in (b"", b"0")

        if name == b"transfer-encoding":
            return True

    # HTTP/2 and 3 frame the body themselves: a request may carry one with
    # neither header. (Reading when there is none costs one message.)
    return scope.get("http_version", "1.1") not in _LENGTHLESS_NO_BODY and (
        scope.get("method") not in ("GET", "HEAD")
    )


class _Started:
    """``start_response`` for the pipeline, keeping what it is given."""

    __slots__ = ("status", "headers")

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Callable[[bytes], None]:
        self.status = int(status[:3])
        self.headers = [
            (name.lower().encode("latin1"), value.encode("latin1"))
            for name, value in headers
        ]
        return _no_write


def _no_write(data: bytes) -> None:
    raise RuntimeError("The write() callable of WSGI is not available under ASGI.")


class AsgiApp:
    """The ASGI 3 application of a :class:`~flask.Flask` app, its
    :attr:`~flask.Flask.asgi` attribute: serve it with ``uvicorn
    module:app.asgi`` (or hypercorn, granian). Wrap it for ASGI
    middleware: ``app.asgi = Middleware(app.asgi)``.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._bridge: _bridge.Bridge | None = None
        self._pool: _bridge.Pool | None = None

    def __repr__(self) -> str:
        return f"<AsgiApp of {self.app!r}>"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]

        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            from ._websocket import serve_websocket

            await serve_websocket(self, scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        else:
            raise ValueError(f"Unknown ASGI scope type {kind!r}.")

    def bridge(self) -> _bridge.Bridge:
        """The loop and thread pool this app's requests use; made for the
        running loop on first use (again if a new loop runs it).
        """
        loop = asyncio.get_running_loop()
        bridge = self._bridge

        if bridge is None or bridge.loop is not loop:
            if self._pool is None:
                size = self.app.config.get("ASGI_THREADS", _bridge.DEFAULT_THREADS)
                self._pool = _bridge.Pool(size)

            bridge = self._bridge = _bridge.Bridge(loop, self._pool)

        return bridge

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.app
        bridge = self.bridge()
        body = _Body(receive, _has_body(scope), asyncio.current_task())
        environ = _environ(scope, body)
        started = _Started()
        token = _cv_bridge.set(bridge)

        try:
            # The class's pipeline: WSGI middleware set on the instance
            # wraps the WSGI entry only.
            wsgi_app = type(app).wsgi_app
            app_iter = await _bridge.drive(wsgi_app, app, environ, started)
            await _send_response(
                bridge, body, started, app_iter, send, scope.get("method", "GET")
            )
        except asyncio.CancelledError:
            if not body.disconnected:
                raise

            # The client left and its request was cancelled (its teardown
            # functions ran): nothing more to do, nobody to tell.
            _uncancel()
        finally:
            _cv_bridge.reset(token)
            body.stop_watching()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()

            if message["type"] == "lifespan.startup":
                stage, funcs = "startup", self.app.before_serving_funcs
            elif message["type"] == "lifespan.shutdown":
                stage, funcs = "shutdown", self.app.after_serving_funcs
            else:  # pragma: no cover - not in the ASGI spec
                continue

            try:
                await self._serving_hooks(funcs)
            except Exception as e:
                await send(
                    {
                        "type": f"lifespan.{stage}.failed",
                        "message": f"{type(e).__name__}: {e}",
                    }
                )

                if stage == "startup":
                    return
            else:
                await send({"type": f"lifespan.{stage}.complete"})

            if stage == "shutdown":
                # A later server (the next test's, a reload in the same
                # process) starts with a new pool.
                pool, self._pool, self._bridge = self._pool, None, None

                if pool is not None:
                    pool.shutdown(wait=False)

                return

    async def _serving_hooks(self, funcs: list[t.Callable[[], t.Any]]) -> None:
        """Run ``before_serving`` or ``after_serving`` functions in order,
        with an app context, as the request pipeline runs its functions:
        coroutine functions (and async teardown functions of the context)
        awaited on the server's loop, where the resources they open live;
        others in the pool.
        """
        token = _cv_bridge.set(self.bridge())

        try:
            await _bridge.drive(_run_serving_functions, self.app, funcs)
        finally:
            _cv_bridge.reset(token)


def _run_serving_functions(app: Flask, funcs: list[t.Callable[[], t.Any]]) -> None:
    with app.app_context():
        for func in funcs:
            app.ensure_sync(func)()


async def _send_response(
    bridge: _bridge.Bridge,
    body: _Body,
    started: _Started,
    app_iter: t.Any,
    send: Send,
    scope_method: str,
) -> None:
    """Send the status, headers and body the pipeline produced, then
    close the body.
    """
    await send(
        {
            "type": "http.response.start",
            "status": started.status,
            "headers": started.headers,
        }
    )

    if type(app_iter) is list:
        # A body made in one piece goes out in one message.
        await send({"type": "http.response.body", "body": b"".join(app_iter)})
        body.stop_watching()
    elif hasattr(app_iter, "__aiter__"):
        if scope_method == "HEAD" or started.status in (204, 304):
            # werkzeug leaves the body out for these; an async one comes
            # as it is.
            app_iter = _NoBody(app_iter)

        await _send_async_iterable(body, app_iter, send)
    else:
        await _send_iterable(bridge, body, app_iter, send)


class _NoBody:
    """An async body not to send: iterated as empty, closed as the body."""

    def __init__(self, body: t.Any) -> None:
        self.aclose = getattr(body, "aclose", None)

    def __aiter__(self) -> _NoBody:
        return self

    async def __anext__(self) -> bytes:
        raise StopAsyncIteration


async def _send_async_iterable(body: _Body, app_iter: t.Any, send: Send) -> None:
    try:
        async for chunk in app_iter:
            if chunk:
                await send(
                    {
                        "type": "http.response.body",
                        "body": _as_bytes(chunk),
                        "more_body": True,
                    }
                )

        await send({"type": "http.response.body", "body": b""})
        body.stop_watching()
    finally:
        aclose = getattr(app_iter, "aclose", None)

        if aclose is not None:
            await aclose()


async def _send_iterable(
    bridge: _bridge.Bridge, body: _Body, app_iter: t.Any, send: Send
) -> None:
    """Send a sync iterable body (a generator, a file), which may block:
    each chunk is made in the pool, and the iterable is closed there too,
    once it no longer runs.
    """
    # One context for every step, so that a generator that pushes one
    # (stream_with_context) pops it where it pushed it.
    context = contextvars.copy_context()
    iterator = iter(app_iter)
    close = getattr(app_iter, "close", None)
    pool = bridge.pool
    step: Future[t.Any] | None = None

    try:
        while True:
            step = pool.submit(context.run, _advance, iterator, close)
            chunk = await asyncio.wrap_future(step)

            if chunk is None:
                # _advance closed it.
                close = None
                break

            if chunk:
                await send(
                    {"type": "http.response.body", "body": chunk, "more_body": True}
                )

        await send({"type": "http.response.body", "body": b""})
        body.stop_watching()
    finally:
        if close is not None:
            # Submitted at once, so it runs even if this task is
            # cancelled again while it waits.
            closing = pool.submit(_close_after, step, context, close)
            await asyncio.wrap_future(closing)


def _advance(
    iterator: t.Iterator[bytes], close: t.Callable[[], t.Any] | None
) -> bytes | None:
    """The next chunk; at the end, the iterable is closed in the same trip
    to the pool.
    """
    chunk = next(iterator, None)

    if chunk is None and close is not None:
        close()

    return chunk


def _close_after(
    step: Future[t.Any] | None,
    context: contextvars.Context,
    close: t.Callable[[], t.Any],
) -> None:
    """Close a sync body once the chunk being made (when the client left)
    is done: a generator cannot be closed while it runs.
    """
    if step is not None:
        wait((step,))

    context.run(close)


def _uncancel() -> None:
    """Take back the cancellation of the current task that was handled
    (Python 3.11+ counts them, and asyncio.timeout reads the count).
    """
    task = asyncio.current_task()
    uncancel = getattr(task, "uncancel", None)

    if uncancel is not None:
        uncancel()


def _as_bytes(chunk: str | bytes) -> bytes:
    return chunk.encode() if isinstance(chunk, str) else chunk
