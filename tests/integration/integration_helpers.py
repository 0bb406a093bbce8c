"""Helpers the integration tests share: free ports, child-process servers
and their HTTP client, Debian packages installed on demand.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).parent

#: Why a test module is skipped when its extension is missing (for example
#: under a tox env that installs only requirements-dev.txt).
NOT_INSTALLED = (
    "not installed; pip install --no-deps -r tests/integration/requirements.txt"
)
APPS_DIR = HERE / "apps"
BIN_DIR = Path(sys.executable).parent


def free_port(host: str = "127.0.0.1") -> int:
    """Ask the OS for a port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_for_port(
    port: int, proc: subprocess.Popen[bytes], timeout: float = 20.0
) -> None:
    deadline = time.monotonic() + timeout

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")

        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return

        time.sleep(0.05)

    raise RuntimeError(f"nothing listened on port {port} within {timeout}s")


def stop_process_group(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop a child started with ``start_new_session=True`` and all its
    workers: SIGTERM to the group, then SIGKILL after ``timeout``.
    """
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    # Workers that outlived their master would keep the port and the log.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


@dataclass
class Server:
    """A running server process and the address it answers on."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        source: str | None = None,
        timeout: float = 10.0,
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """Send one request on a new connection and read the whole body.

        :param source: bind the client socket to this loopback address.
        """
        conn = http.client.HTTPConnection(
            "127.0.0.1",
            self.port,
            timeout=timeout,
            source_address=(source, 0) if source else None,
        )
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp, resp.read()
        finally:
            conn.close()

    def read_log(self) -> str:
        return self.log.read_text(errors="replace")


def server_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLASK_", "GUNICORN_", "UWSGI_"))
    }
    env["PYTHONPATH"] = os.pathsep.join(
        [str(APPS_DIR), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def find_executable(name: str) -> str | None:
    """Look beside the running interpreter first (the venv), then on PATH."""
    candidate = BIN_DIR / name
    if candidate.exists():
        return str(candidate)
    return shutil.which(name)


def apt_install(package: str, executable: str) -> str | None:
    """Return the path of ``executable``, installing the Debian ``package``
    first when it is missing and this process may run apt-get (root).

    Returns ``None`` with nothing installed when that is not possible; the
    caller skips with the reason it prints.
    """
    found = shutil.which(executable) or next(
        (
            str(p)
            for p in (Path("/usr/sbin") / executable, Path("/usr/bin") / executable)
            if p.exists()
        ),
        None,
    )
    if found:
        return found

    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return None

    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", package],
    ):
        try:
            subprocess.run(
                cmd,
                env=env,
                check=True,
                timeout=300,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except (subprocess.SubprocessError, OSError) as e:
            print(f"apt-get could not install {package}: {e}")
            return None

    return shutil.which(executable) or next(
        (
            str(p)
            for p in (Path("/usr/sbin") / executable, Path("/usr/bin") / executable)
            if p.exists()
        ),
        None,
    )


def skip_with_reason(reason: str) -> t.NoReturn:
    """Skip, and print the reason so it shows with ``-s`` and in the log."""
    print(f"SKIP: {reason}")
    pytest.skip(reason)


# -- The test client over another transport -------------------------------------


@dataclass
class WireRequest:
    """A test client's request as it would go over the wire."""

    method: str
    #: The percent-encoded path (with the root path) and query.
    target: str
    #: The root path (SCRIPT_NAME), decoded.
    root_path: str
    scheme: str
    headers: list[tuple[str, str]]
    body: bytes
    client: tuple[str, int]

    @property
    def host(self) -> str:
        return next((v for k, v in self.headers if k.lower() == "host"), "localhost")


#: What sends a request: status, headers and body of the response.
Sender = t.Callable[[t.Any, WireRequest], tuple[int, list[tuple[str, str]], bytes]]


def wire_request(environ: dict[str, t.Any]) -> WireRequest:
    """The request a WSGI environ (from the test client) describes."""
    script = environ.get("SCRIPT_NAME", "")
    path = (script + environ.get("PATH_INFO", "")).encode("latin1")
    target = quote(path, safe="/:@!$&'()*+,;=~")

    if environ.get("QUERY_STRING"):
        target += "?" + environ["QUERY_STRING"]

    headers = [("Host", environ.get("HTTP_HOST") or environ["SERVER_NAME"])]

    for key, value in environ.items():
        if key.startswith("HTTP_") and key != "HTTP_HOST":
            headers.append((key[5:].replace("_", "-").title(), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers.append((key.replace("_", "-").title(), value))

    client = environ.get("REMOTE_ADDR") or "127.0.0.1"
    port = int(environ.get("REMOTE_PORT") or 50000)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    return WireRequest(
        environ["REQUEST_METHOD"],
        target,
        script.encode("latin1").decode(),
        environ.get("wsgi.url_scheme", "http"),
        headers,
        body,
        (client, port),
    )


def send_test_client_requests_with(
    monkeypatch: pytest.MonkeyPatch, send: Sender
) -> None:
    """Make the test client (``FlaskClient`` and its subclasses) send each
    request with ``send`` instead of calling the app's WSGI callable. The
    client works as usual otherwise: cookies, redirects, ``session_transaction``.
    """
    from werkzeug.datastructures import Headers
    from werkzeug.http import HTTP_STATUS_CODES
    from werkzeug.wsgi import get_current_url

    from flask.testing import FlaskClient

    def run_wsgi_app(
        self: FlaskClient, environ: dict[str, t.Any], buffered: bool = False
    ) -> tuple[list[bytes], str, Headers]:
        self._add_cookies_to_wsgi(environ)
        status, header_list, body = send(self, wire_request(environ))
        headers = Headers(header_list)
        url = urlsplit(get_current_url(environ))
        self._update_cookies_from_response(
            url.hostname or "localhost", url.path, headers.getlist("Set-Cookie")
        )
        reason = HTTP_STATUS_CODES.get(status, "UNKNOWN").upper()
        return [body], f"{status} {reason}", headers

    monkeypatch.setattr(FlaskClient, "run_wsgi_app", run_wsgi_app)
