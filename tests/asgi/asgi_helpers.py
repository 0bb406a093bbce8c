"""Clients that send one request to an app over its three doors, so the
tests can compare what comes back: the WSGI test client, httpx through
``httpx.ASGITransport`` and a minimal hand-written ASGI client that shows
what httpx hides (the exact messages, the scope, a disconnect).

A request is described once (:class:`Req`); each client turns it into its
own input the way a real server would, so that differences in the output
are differences of the app's two entries.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import threading
import time
import typing as t
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

import flask

Message = t.MutableMapping[str, t.Any]

#: Headers a server adds to the response, which the app does not send.
SERVER_HEADERS = {"date", "server"}


@dataclass(frozen=True)
class Req:
    """One HTTP request as it comes off the wire."""

    method: str = "GET"
    #: Path (percent-encoded, as on the wire) below ``root_path``, with an
    #: optional ``?query``.
    path: str = "/"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    #: Send the body with ``Transfer-Encoding: chunked`` (no length), in
    #: pieces.
    chunked: bool = False
    root_path: str = ""
    scheme: str = "http"
    #: The Host header (and the server's name and port).
    host: str = "localhost"
    client: tuple[str, int] = ("127.0.0.1", 50000)

    @property
    def port(self) -> int:
        _, _, port = self.host.partition(":")
        return int(port) if port else {"http": 80, "https": 443}[self.scheme]

    @property
    def server_name(self) -> str:
        return self.host.partition(":")[0]

    def with_cookies(self, cookies: dict[str, str]) -> Req:
        if not cookies:
            return self

        value = "; ".join(f"{k}={v}" for k, v in cookies.items())
        return Req(
            self.method,
            self.path,
            (*self.headers, ("Cookie", value)),
            self.body,
            self.chunked,
            self.root_path,
            self.scheme,
            self.host,
            self.client,
        )

    def body_chunks(self) -> list[bytes]:
        if not self.chunked:
            return [self.body]

        step = max(1, len(self.body) // 3)
        return [self.body[i : i + step] for i in range(0, len(self.body), step)]

    def sends_length(self) -> bool:
        """Whether clients send Content-Length (httpx's rule: a body, or a
        method that has one).
        """
        return not self.chunked and (
            bool(self.body) or self.method in {"POST", "PUT", "PATCH"}
        )


@dataclass
class Result:
    """What came back: status, headers (names lowercased as ASGI has
    them, the server's own headers left out) and body.
    """

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @classmethod
    def of(
        cls, status: int, headers: t.Iterable[tuple[str, str]], body: bytes
    ) -> Result:
        return cls(
            status,
            [(k.lower(), v) for k, v in headers if k.lower() not in SERVER_HEADERS],
            body,
        )

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)

    def set_cookies(self) -> list[str]:
        return [v for k, v in self.headers if k == "set-cookie"]


class CookieJar:
    """The few cookie rules the tests need: a Set-Cookie stores or
    replaces a value, an expired one deletes it.
    """

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def update(self, result: Result) -> None:
        for header in result.set_cookies():
            pair, *attrs = (part.strip() for part in header.split(";"))
            name, _, value = pair.partition("=")
            options = {k.lower(): v for k, _, v in (a.partition("=") for a in attrs)}

            if options.get("max-age") == "0" or "1970" in options.get("expires", ""):
                self.values.pop(name, None)
            else:
                self.values[name] = value


# -- WSGI: the test client ---------------------------------------------------


class _ChunkedBuilder(EnvironBuilder):
    """An environ for a body sent without a length, as a WSGI server that
    decodes chunked requests makes it.
    """

    def get_environ(self) -> dict[str, t.Any]:
        environ = super().get_environ()
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input_terminated"] = True
        return environ


def _joined_headers(req: Req) -> Headers:
    """The request's headers as a WSGI server passes them: repeated ones
    joined into one value (cookies with ``"; "``).
    """
    joined: dict[str, tuple[str, list[str]]] = {}

    for name, value in req.headers:
        joined.setdefault(name.lower(), (name, []))[1].append(value)

    if req.chunked:
        joined["transfer-encoding"] = ("Transfer-Encoding", ["chunked"])

    headers = Headers()

    for key, (name, values) in joined.items():
        headers.add(name, ("; " if key == "cookie" else ",").join(values))

    return headers


def wsgi_request(app: flask.Flask, req: Req) -> Result:
    """Send ``req`` with ``app.test_client()``."""
    client = app.test_client(use_cookies=False)
    # Only the request's own headers, as for the other clients.
    client.environ_base = {}
    path, _, query = req.path.partition("?")
    builder_class = _ChunkedBuilder if req.chunked else EnvironBuilder
    builder = builder_class(
        path=path,
        base_url=f"{req.scheme}://{req.host}{req.root_path}",
        query_string=query,
        method=req.method,
        headers=_joined_headers(req),
        input_stream=io.BytesIO(req.body) if req.chunked else None,
        data=req.body if req.sends_length() else None,
        environ_base={
            "REMOTE_ADDR": req.client[0],
            "REMOTE_PORT": str(req.client[1]),
        },
    )
    with client.open(builder) as rv:
        return Result.of(rv.status_code, rv.headers.to_wsgi_list(), rv.get_data())


# -- ASGI through httpx --------------------------------------------------------


async def httpx_request(asgi: t.Any, req: Req) -> Result:
    """Send ``req`` to the ASGI app with ``httpx.AsyncClient``."""
    # ASGI's root_path is decoded, as SCRIPT_NAME is.
    transport = httpx.ASGITransport(
        app=asgi, root_path=unquote(req.root_path), client=req.client
    )
    content: t.Any = req.body

    if req.chunked:

        async def stream() -> t.AsyncIterator[bytes]:
            for chunk in req.body_chunks():
                yield chunk

        content = stream()

    async with httpx.AsyncClient(transport=transport) as client:
        # A request built here has only its own headers (the client's
        # defaults and cookies are added by client.build_request).
        request = httpx.Request(
            req.method,
            f"{req.scheme}://{req.host}{req.root_path}{req.path}",
            headers=list(req.headers),
            content=content if req.body or req.sends_length() else None,
        )
        response = await client.send(request)
        return Result.of(
            response.status_code, response.headers.multi_items(), response.content
        )


# -- ASGI by hand --------------------------------------------------------------


def make_scope(req: Req, **overrides: t.Any) -> dict[str, t.Any]:
    """The ``http`` scope an ASGI server makes for ``req``."""
    path, _, query = req.path.partition("?")
    full_path = req.root_path + path
    headers = [(b"host", req.host.encode())]
    headers += [
        (k.lower().encode("latin1"), v.encode("latin1")) for k, v in req.headers
    ]

    if req.chunked:
        headers.append((b"transfer-encoding", b"chunked"))
    elif req.sends_length():
        headers.append((b"content-length", str(len(req.body)).encode()))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": req.method,
        "scheme": req.scheme,
        "path": unquote(full_path),
        "raw_path": full_path.encode(),
        "query_string": query.encode(),
        "root_path": unquote(req.root_path),
        "headers": headers,
        "client": req.client,
        "server": (req.server_name, req.port),
    }
    scope.update(overrides)
    return scope


@dataclass
class Exchange:
    """What a hand-written ASGI client saw."""

    messages: list[Message] = field(default_factory=list)
    #: How many times the app called ``receive``.
    receives: int = 0
    #: Messages sent after the client disconnected.
    after_disconnect: int = 0

    def result(self) -> Result:
        start = self.messages[0]
        assert start["type"] == "http.response.start", self.messages
        body = [m for m in self.messages[1:]]
        assert all(m["type"] == "http.response.body" for m in body), body
        assert body and not body[-1].get("more_body", False), body
        assert all(m.get("more_body", False) for m in body[:-1]), body
        return Result.of(
            start["status"],
            [(k.decode("latin1"), v.decode("latin1")) for k, v in start["headers"]],
            b"".join(m.get("body", b"") for m in body),
        )

    @property
    def body_messages(self) -> list[Message]:
        return [m for m in self.messages if m["type"] == "http.response.body"]


async def asgi_call(
    asgi: t.Any,
    req: Req,
    *,
    scope: dict[str, t.Any] | None = None,
    disconnect: asyncio.Event | None = None,
    timeout: float = 10.0,
) -> Exchange:
    """Call the ASGI app with ``req`` as a server would, and collect what
    it sends. Once the body is sent, ``receive`` waits for the response to
    end (or for ``disconnect`` to be set) and then says the client went
    away.
    """
    exchange = Exchange()
    chunks = req.body_chunks()
    done = asyncio.Event()
    gone = disconnect or done

    async def receive() -> Message:
        exchange.receives += 1

        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if disconnect is not None and disconnect.is_set():
            # As uvicorn does, what is sent to a client that left is
            # dropped; counted to see that the app stops sending.
            exchange.after_disconnect += 1
            return

        exchange.messages.append(message)

        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await asyncio.wait_for(
        asgi(scope or make_scope(req), receive, send), timeout=timeout
    )
    return exchange


def run(coro: t.Coroutine[t.Any, t.Any, t.Any]) -> t.Any:
    """Run a coroutine on a new event loop, as a server's worker would."""
    return asyncio.run(coro)


# -- A real uvicorn --------------------------------------------------------------


class Uvicorn:
    """``uvicorn MODULE:app.asgi`` in a child process on 127.0.0.1 (a free
    port picked by the OS), its output collected by a thread.
    """

    def __init__(
        self, cwd: Path, target: str, *args: str, env: dict[str, str] | None = None
    ) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                target,
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                *args,
            ],
            cwd=cwd,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = ""

    def _read(self) -> None:
        assert self.proc.stdout is not None

        for line in self.proc.stdout:
            with self._changed:
                self._lines.append(line)
                self._changed.notify_all()

        with self._changed:
            self._lines.append("")  # the end
            self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return "".join(self._lines)

    def wait_for(self, text: str, timeout: float = 20.0) -> bool:
        """Wait until ``text`` is in the output; False if the process
        ended (or the time ran out) before.
        """
        deadline = time.monotonic() + timeout

        with self._changed:
            while text not in "".join(self._lines):
                left = deadline - time.monotonic()

                if left <= 0 or (self._lines and self._lines[-1] == ""):
                    return False

                self._changed.wait(left)

        return True

    def start(self) -> Uvicorn:
        if not self.wait_for("Uvicorn running on"):
            self.stop()
            pytest.fail(f"uvicorn did not start:\n{self.output}")

        line = next(x for x in self.output.splitlines() if "Uvicorn running on" in x)
        self.url = line.split("running on ", 1)[1].split()[0]
        return self

    def stop(self, timeout: float = 15.0) -> int:
        """Stop it as Ctrl+C does (the lifespan shutdown runs)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)

            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

        self._reader.join(5)

        if self.proc.stdout is not None:
            self.proc.stdout.close()

        return self.proc.returncode

    def __enter__(self) -> Uvicorn:
        return self.start()

    def __exit__(self, *exc_info: t.Any) -> None:
        self.stop()
