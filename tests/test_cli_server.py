"""The ``flask`` command run the way users run it: as a real process.

These start the installed ``flask`` console script next to the running
interpreter, talk to the development server over HTTP on a free loopback
port, and drive ``flask shell`` through a pseudo-terminal. Every process is
started in its own session and its whole group is stopped at the end, so
the reloader's child never outlives a test.
"""

from __future__ import annotations

import http.client
import importlib.metadata
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import pytest

TEST_APPS = Path(__file__).parent / "test_apps"
FLASK = Path(sys.executable).parent / "flask"

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="uses process groups"),
    pytest.mark.skipif(not FLASK.exists(), reason="flask console script missing"),
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLASK_", "WERKZEUG_")) and k != "PYTHONSTARTUP"
    }
    env.update(PYTHONUNBUFFERED="1", FLASK_SKIP_DOTENV="1", **extra)
    return env


class Server:
    """A ``flask ... run`` process whose output is collected in the
    background.
    """

    def __init__(
        self, args: list[str], cwd: Path, run_args: t.Sequence[str] = ()
    ) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [str(FLASK), *args, "run", "--port", str(self.port), *run_args],
            cwd=cwd,
            env=_clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None

        for line in self.proc.stdout:
            self._lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self._lines)

    def get(self, path: str = "/") -> str | None:
        """Fetch a page, or ``None`` while the server is not answering."""
        url = f"http://127.0.0.1:{self.port}{path}"

        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return t.cast(bytes, response.read()).decode()
        except urllib.error.HTTPError as e:
            e.close()
            return f"HTTP {e.code}"
        except (OSError, http.client.HTTPException):
            # Not listening yet, or a reloading process dropped the request.
            return None

    def wait_for(self, expected: str, timeout: float = 30) -> None:
        """Poll the server until the index page returns ``expected``."""
        deadline = time.monotonic() + timeout
        body = None

        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited early:\n{self.output}")

            body = self.get()

            if body == expected:
                return

            time.sleep(0.2)

        pytest.fail(f"never got {expected!r} (last {body!r}); output:\n{self.output}")

    def wait_for_output(self, text: str, count: int = 1, timeout: float = 15) -> None:
        """Wait until ``text`` was printed at least ``count`` times."""
        deadline = time.monotonic() + timeout

        while self.output.count(text) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"never printed {text!r}; output:\n{self.output}")

            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the process group: the server, and the reloader's child."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)

        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

        # The child may still be going if the parent died first.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

        self._reader.join(timeout=5)

        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def start_server() -> t.Iterator[t.Callable[..., Server]]:
    servers: list[Server] = []

    def start(args: list[str], cwd: Path, run_args: t.Sequence[str] = ()) -> Server:
        server = Server(args, cwd, run_args)
        servers.append(server)
        return server

    yield start

    for server in servers:
        server.stop()


def test_run_serves_the_app(start_server: t.Callable[..., Server]) -> None:
    server = start_server(["--app", "hello"], TEST_APPS / "hello")
    server.wait_for("Hello from the test app")
    server.wait_for_output('"GET / HTTP/1.1" 200')
    out = server.output
    assert " * Serving Flask app 'hello'\n * Debug mode: off\n" in out
    assert f"Running on http://127.0.0.1:{server.port}" in out
    assert "Restarting with" not in out
    assert server.get("/missing") == "HTTP 404"


def test_run_debug_reloads_on_change(
    start_server: t.Callable[..., Server], tmp_path: Path
) -> None:
    source = tmp_path / "reloadme.py"
    template = (TEST_APPS / "hello" / "hello.py").read_text()
    source.write_text(template.replace("Hello from the test app", "version one"))
    server = start_server(["--app", "reloadme", "--debug"], tmp_path)
    server.wait_for("version one")
    server.wait_for_output("Debugger is active!")
    source.write_text(template.replace("Hello from the test app", "version two"))
    # Move the modification time on, in case both writes fell in one tick.
    later = time.time() + 2
    os.utime(source, (later, later))
    server.wait_for("version two")
    # The new child prints this after the parent's reload messages.
    server.wait_for_output("Debugger is active!", count=2)
    out = server.output
    assert f" * Detected change in '{source}', reloading" in out
    assert out.count(" * Restarting with") == 2
    # The reloader's child does not print the banner again.
    assert out.count(" * Serving Flask app 'reloadme'") == 1
    assert out.count(" * Debug mode: on") == 1


def test_run_ignores_app_run_in_module(
    start_server: t.Callable[..., Server],
) -> None:
    server = start_server(["--app", "runcall"], TEST_APPS)
    server.wait_for("still served by flask run")
    assert (
        " * Ignoring a call to 'app.run()' that would block the current 'flask'"
        " CLI command.\n"
        "   Only call 'app.run()' in an 'if __name__ == \"__main__\"' guard.\n"
    ) in server.output


def test_run_discovers_app_py(
    start_server: t.Callable[..., Server], tmp_path: Path
) -> None:
    shutil.copy(TEST_APPS / "hello" / "hello.py", tmp_path / "app.py")
    server = start_server([], tmp_path)
    server.wait_for("Hello from the test app")
    # No import path was given, so the banner has no app line.
    assert " * Serving Flask app" not in server.output
    assert " * Debug mode: off" in server.output


def test_run_load_error_exits(tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(FLASK), "--app", "cliapp.importerrorapp", "run", "--port", "1"],
        cwd=TEST_APPS,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        "Usage: flask run [OPTIONS]\nTry 'flask run --help' for help.\n\n"
        "Error: While importing 'cliapp.importerrorapp', an ImportError was"
        " raised:\n\nTraceback (most recent call last):\n"
    )


def test_shell_in_a_terminal(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    # site's interactive hook keeps readline history in $HOME.
    child = pexpect.spawn(
        str(FLASK),
        ["--app", "hello", "shell"],
        cwd=str(TEST_APPS / "hello"),
        env=_clean_env(HOME=str(tmp_path)),
        encoding="utf-8",
        timeout=30,
    )

    try:
        child.expect_exact("App: hello")
        child.expect_exact(f"Instance: {TEST_APPS / 'hello' / 'instance'}")
        child.expect_exact(">>> ")
        child.sendline(
            "app.name.upper() + '!', [r.rule for r in app.url_map.iter_rules()]"
        )
        child.expect_exact("('HELLO!', ['/static/<path:filename>', '/'])")
        child.expect_exact(">>> ")
        child.sendline("g")
        child.expect_exact("<flask.g of 'hello'>")
        child.expect_exact(">>> ")
        child.sendline("exit()")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)

    assert child.exitstatus == 0


@pytest.mark.parametrize(
    "command",
    [[str(FLASK)], [sys.executable, "-m", "flask"]],
    ids=["console-script", "python-m"],
)
def test_version_command(command: list[str]) -> None:
    proc = subprocess.run(
        [*command, "--version"],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert f"Flask {importlib.metadata.version('flask')}\n" in proc.stdout


def test_python_m_flask_usage_name() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "flask", "--help"],
        cwd=TEST_APPS / "nobody",
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("Usage: python -m flask [OPTIONS] COMMAND [ARGS]...")
    assert proc.stderr.startswith("Error: Could not locate a Flask application.")


def test_run_asgi_serves_the_asgi_entry_with_uvicorn(
    start_server: t.Callable[..., Server],
) -> None:
    pytest.importorskip("uvicorn")
    pytest.importorskip("greenlet")
    server = start_server(["--app", "hello"], TEST_APPS / "hello", ["--asgi"])
    server.wait_for("Hello from the test app")
    server.wait_for_output('"GET / HTTP/1.1" 200')
    out = server.output
    assert " * Serving Flask app 'hello'\n * Debug mode: off\n" in out
    assert f"Uvicorn running on http://127.0.0.1:{server.port}" in out
    assert "Application startup complete." in out
    assert server.get("/missing") == "HTTP 404"


def test_run_asgi_debug_reloads_on_change(
    start_server: t.Callable[..., Server], tmp_path: Path
) -> None:
    pytest.importorskip("uvicorn")
    pytest.importorskip("greenlet")
    source = tmp_path / "reloadasgi.py"
    template = (TEST_APPS / "hello" / "hello.py").read_text()
    source.write_text(template.replace("Hello from the test app", "version one"))
    server = start_server(["--app", "reloadasgi", "--debug"], tmp_path, ["--asgi"])
    server.wait_for("version one")
    source.write_text(template.replace("Hello from the test app", "version two"))
    deadline = time.monotonic() + 30

    # uvicorn's polling reloader notes a file's time on its first look and
    # restarts when it grows: move it on until the new version answers, in
    # case a busy machine had it look only after the write.
    while server.get() != "version two":
        if time.monotonic() > deadline:
            pytest.fail(f"never reloaded; output:\n{server.output}")

        later = time.time() + 2
        os.utime(source, (later, later))
        time.sleep(1)

    assert " * Debug mode: on" in server.output
    assert "Started reloader process" in server.output
