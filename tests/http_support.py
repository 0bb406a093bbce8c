"""Helpers for tests that talk HTTP for real: a werkzeug server in a
thread, raw socket requests, a response run as a WSGI server runs it, and
time bounds for work that must not hang.

Plain functions rather than conftest fixtures, so modules in subfolders
import them the same way (tests/ is on sys.path through its conftest).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import typing as t

from werkzeug.serving import make_server
from werkzeug.serving import WSGIRequestHandler
from werkzeug.test import EnvironBuilder


def run_response(
    rv: t.Any, method: str = "GET", call: t.Any = None
) -> tuple[list[tuple[str, t.Any]], bytes]:
    """Run a response as a WSGI server would: start it, read the body,
    close the iterable. ``call`` replaces the class's ``__call__`` (pass
    werkzeug's for the generic path). Returns the start_response calls
    and the body.
    """
    environ = EnvironBuilder(method=method).get_environ()
    started: list[tuple[str, t.Any]] = []

    def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> None:
        started.append((status, headers))

    app_iter = (call or type(rv).__call__)(rv, environ, start_response)
    body = b"".join(app_iter)

    if hasattr(app_iter, "close"):
        app_iter.close()

    return started, body


class QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: t.Any) -> None:
        pass


@contextlib.contextmanager
def live_server(app: t.Any, **kwargs: t.Any) -> t.Iterator[int]:
    kwargs.setdefault("threaded", True)
    kwargs.setdefault("request_handler", QuietHandler)
    server = make_server("127.0.0.1", 0, app, **kwargs)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()

    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def raw_http(
    port: int, data: bytes, *, timeout: float = 10.0, half_close: bool = False
) -> bytes:
    """Send ``data`` exactly as given and read until the server closes.

    HTTP client libraries would normalise or refuse most of what the
    tests send, so they talk to the socket directly.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading it all

        if half_close:
            sock.shutdown(socket.SHUT_WR)

        chunks = []

        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break

            if not chunk:
                break

            chunks.append(chunk)

    return b"".join(chunks)


def http_status(raw: bytes) -> int:
    """The status code of a raw HTTP response."""
    assert raw.startswith(b"HTTP/1."), raw[:200]
    return int(raw.split(b" ", 2)[1])


def bounded(
    seconds: float, func: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any
) -> t.Any:
    """Run ``func`` in a thread and fail if it takes longer than
    ``seconds``; re-raise what it raised.
    """
    result: list[t.Any] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(func(*args, **kwargs))
        except BaseException as e:  # noqa: B036 - re-raised below
            error.append(e)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{func!r} did not finish within {seconds} s"

    if error:
        raise error[0]

    return result[0]
