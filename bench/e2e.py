"""End to end: each framework under a real server on loopback, loaded by ``wrk``.

Two servers, each serving every framework's application (see :data:`SERVERS`):

- granian (``--interface wsgi``): a Rust HTTP server whose own work per
  request is small, so what a framework costs shows;
- gunicorn with sync workers: the common deployment, where the server's own
  work (its Python HTTP parser, a connection per request) hides most of it.

For each server and workload, every framework gets a server on a free port
of 127.0.0.1, which is checked to answer the workload correctly and warmed
up for a second; then the frameworks are loaded in turn, round after round,
each for a bounded time; each server is checked again after the last round.
A workload with ``prime_cookies`` (the session) is primed once per server,
and its cookie is sent with every request of the load.

The server and the load generator are pinned to separate CPUs (``wrk`` to
the last one, the server with one worker per remaining CPU): left to share
the cores, ``wrk`` takes CPU time from the workers at random, which blurs
the comparison. ``wrk`` is used when it is on ``PATH`` (Debian's package:
``apt-get install wrk``); the harness never installs it. Without it a small
threaded Python client stands in, unpinned, and the report says so: its
numbers are much lower and mostly measure the client.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import typing as t
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from stats import round_order
from venvs import BENCH
from venvs import clean_env
from venvs import Framework
from venvs import python
from workloads import cookie_header
from workloads import verify
from workloads import Workload

HOST = "127.0.0.1"
CONNECTIONS = 8


def placement() -> tuple[set[int], set[int]]:
    """The CPUs for the server and for the load generator.

    With a single CPU both get it.
    """
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return set(cpus), set(cpus)
    return set(cpus[:-1]), {cpus[-1]}


SERVER_CPUS, CLIENT_CPUS = placement()
#: One worker process per server CPU.
WORKERS = len(SERVER_CPUS)


def pinned(cpus: set[int]) -> t.Callable[[], None]:
    """A ``preexec_fn`` that confines the child to *cpus*."""
    return lambda: os.sched_setaffinity(0, cpus)


WARMUP_SECONDS = 1.0


@dataclass(frozen=True)
class ServerKind:
    """One of the servers the frameworks are measured under."""

    key: str
    label: str
    #: How it is run, for the report.
    setup: str
    #: Whether the workloads' ``e2e_target`` applies under this server.
    has_targets: bool
    #: The command line, given the virtualenv's Python and the port.
    command: t.Callable[[Path, int], list[str]]


def _gunicorn(py: Path, port: int) -> list[str]:
    cmd = [str(py), "-m", "gunicorn", "--workers", str(WORKERS)]
    cmd += ["--worker-class", "sync", "--bind", f"{HOST}:{port}"]
    cmd += ["--chdir", str(BENCH), "--pythonpath", str(BENCH)]
    return cmd + ["--log-level", "warning", "serve:application"]


def _granian(py: Path, port: int) -> list[str]:
    cmd = [str(py), "-m", "granian", "--interface", "wsgi"]
    cmd += ["--workers", str(WORKERS), "--blocking-threads", "1"]
    cmd += ["--runtime-threads", "1", "--host", HOST, "--port", str(port)]
    cmd += ["--working-dir", str(BENCH), "--log-level", "warning"]
    return cmd + ["serve:application"]


SERVERS: tuple[ServerKind, ...] = (
    ServerKind(
        "granian",
        "granian",
        f"granian (`--interface wsgi`, {WORKERS} worker(s), 1 blocking thread,"
        " 1 runtime thread, HTTP/1.1 keep-alive)",
        True,
        _granian,
    ),
    ServerKind(
        "gunicorn",
        "gunicorn",
        f"gunicorn ({WORKERS} sync worker(s): one connection per request)",
        False,
        _gunicorn,
    ),
)
BY_SERVER = {s.key: s for s in SERVERS}


@dataclass
class Load:
    """What one load run measured."""

    rps: float
    requests: int = 0
    errors: int = 0
    detail: str = ""


@dataclass
class Cell:
    """All rounds of one framework on one workload under one server."""

    #: Requests/s per round, ``None`` for a round that failed.
    rates: list[float | None] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def load_generator(choice: str = "auto") -> str:
    """``"wrk"`` or ``"python"``: wrk when installed, unless *choice* says.

    :raises RuntimeError: when *choice* is ``"wrk"`` and it is not installed.
    """
    if choice == "python":
        return "python"
    if shutil.which("wrk"):
        return "wrk"
    if choice == "wrk":
        raise RuntimeError(
            "wrk is not installed (Debian: apt-get install wrk); "
            "--load-generator auto falls back to a Python client"
        )
    return "python"


def generator_version(generator: str) -> str:
    """``wrk``'s version line, for the report."""
    if generator != "wrk":
        return "a Python load generator (wrk not used)"
    proc = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    first = (proc.stdout + proc.stderr).strip().splitlines()[:1]
    return " ".join(first[0].split()[:2]) if first else "wrk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def request_headers(w: Workload, cookie: str) -> dict[str, str]:
    """The headers the workload's request carries besides the defaults."""
    headers = {"Content-Type": w.content_type} if w.content_type else {}
    if cookie:
        headers["Cookie"] = cookie
    return headers


def fetch(
    port: int, w: Workload, cookie: str = "", timeout: float = 5.0
) -> tuple[int, dict[str, str], bytes]:
    """One request over loopback; the response's status, headers and body."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(
            w.method, w.url, body=w.body or None, headers=request_headers(w, cookie)
        )
        resp = conn.getresponse()
        headers: dict[str, str] = {}
        for name, value in resp.getheaders():
            key = name.lower()
            headers[key] = f"{headers[key]}\n{value}" if key in headers else value
        return resp.status, headers, resp.read()
    finally:
        conn.close()


def _lua_string(value: str) -> str:
    """*value* as a Lua long string."""
    level = 0
    while f"]{'=' * level}]" in value:
        level += 1
    return f"[{'=' * level}[{value}]{'=' * level}]"


def wrk_script(w: Workload) -> str | None:
    """The Lua script that makes wrk send *w*'s method and body, if not a GET."""
    if w.method == "GET" and not w.body:
        return None
    lines = [f"wrk.method = {_lua_string(w.method)}"]
    lines.append(f"wrk.body = {_lua_string(w.body.decode('latin-1'))}")
    return "\n".join(lines) + "\n"


def run_wrk(port: int, w: Workload, cookie: str, seconds: float) -> Load:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s"]
    for name, value in request_headers(w, cookie).items():
        cmd += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if (lua := wrk_script(w)) is not None:
            script.write(lua)
            script.flush()
            cmd += ["-s", script.name]
        out = subprocess.run(
            [*cmd, f"http://{HOST}:{port}{w.url}"],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            preexec_fn=pinned(CLIENT_CPUS),
        ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        return Load(0.0, detail=f"cannot parse wrk output: {out!r}")
    requests = re.search(r"(\d+) requests in", out)
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    # wrk only counts statuses; for a workload that expects a 4xx, the check
    # before and after the rounds is what tells a wrong answer.
    if non2xx and w.status < 400:
        errors += int(non2xx.group(1))
    if sock := re.search(r"Socket errors: (.*)", out):
        detail = sock.group(1)
        # Connection resets after a ``Connection: close`` response are how
        # wrk sees gunicorn's sync workers; only timeouts are failures.
        if timeout := re.search(r"timeout (\d+)", detail):
            errors += int(timeout.group(1))
    else:
        detail = ""
    return Load(
        float(match.group(1)),
        int(requests.group(1)) if requests else 0,
        errors,
        detail,
    )


def run_python_load(port: int, w: Workload, cookie: str, seconds: float) -> Load:
    """A fallback load generator: threads sending requests for *seconds*."""
    stop = time.monotonic() + seconds
    counts = [0] * CONNECTIONS
    errors = [0] * CONNECTIONS

    def client(i: int) -> None:
        while time.monotonic() < stop:
            try:
                status, _, _ = fetch(port, w, cookie)
            except OSError:
                errors[i] += 1
                continue
            if status == w.status:
                counts[i] += 1
            else:
                errors[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CONNECTIONS)]
    start = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - start
    return Load(sum(counts) / elapsed, sum(counts), sum(errors))


class Server:
    """One server (gunicorn or granian) serving one framework's application
    for one workload."""

    def __init__(self, kind: ServerKind, fw: Framework, w: Workload) -> None:
        self.kind = kind
        self.fw = fw
        self.workload = w
        self.port = free_port()
        #: The ``Cookie`` header sent with each request, once primed.
        self.cookie = ""
        env = clean_env()
        env.update(BENCH_APP_MODULE=fw.app_module, BENCH_WORKLOAD=w.name)
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            kind.command(python(fw.venv), self.port),
            cwd=BENCH,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            preexec_fn=pinned(SERVER_CPUS),
            # Its own process group: a server that will not stop is killed
            # with its workers.
            start_new_session=True,
        )

    def _answer(self) -> tuple[int, dict[str, str], bytes]:
        """One request; for a session workload, primed with a first one."""
        w = self.workload
        if w.prime_cookies and not self.cookie:
            _, headers, _ = fetch(self.port, w)
            self.cookie = cookie_header(headers.get("set-cookie", "").split("\n"))
        return fetch(self.port, w, self.cookie)

    def _with_log(self, error: str) -> str:
        self.log.seek(0)
        tail = self.log.read().decode(errors="replace")[-2000:]
        return f"{error}\n{tail}".strip()

    def ready(self) -> str | None:
        """Wait until it answers correctly; return an error with its log if not."""
        deadline = time.monotonic() + 30
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return self._with_log(
                    f"{self.kind.label} exited with {self.proc.returncode}"
                )
            try:
                status, headers, body = self._answer()
            except OSError as e:
                last = str(e)
                time.sleep(0.1)
                continue
            error = verify(self.workload, status, headers, body)
            return self._with_log(error) if error else None
        return self._with_log(f"{self.kind.label} did not answer in time ({last})")

    def check(self) -> str | None:
        """Check the answer again (after the load); an error, or ``None``."""
        try:
            status, headers, body = self._answer()
        except OSError as e:
            return self._with_log(f"no answer after the load: {e}")
        error = verify(self.workload, status, headers, body)
        return self._with_log(f"after the load: {error}") if error else None

    def load(self, seconds: float, generator: str) -> Load:
        if generator == "wrk":
            return run_wrk(self.port, self.workload, self.cookie, seconds)
        return run_python_load(self.port, self.workload, self.cookie, seconds)

    def stop(self) -> None:
        """Stop the server and its workers."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        # A worker its server left behind is still in the server's process
        # group, which keeps that group id from being reused while it lives.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.log.close()


def measure(
    kind: ServerKind,
    frameworks: t.Sequence[Framework],
    workloads: t.Sequence[Workload],
    seconds: float,
    rounds: int,
    generator: str,
    log: t.Callable[[str], None],
) -> dict[str, dict[str, Cell]]:
    """Measure each workload under *kind* in rounds; return the cells.

    The servers of all frameworks for a workload start together, are checked
    and warmed up, and stay up for all its rounds: an idle worker costs
    nothing, and short rounds pair ours and Flask 3.1 closely in time.
    """
    cells = {w.name: {fw.key: Cell() for fw in frameworks} for w in workloads}
    for w in workloads:
        servers = {fw.key: Server(kind, fw, w) for fw in frameworks}
        try:
            broken = {}
            for key, server in servers.items():
                if error := server.ready():
                    broken[key] = error
                else:
                    server.load(WARMUP_SECONDS, generator)
            for r in range(rounds):
                for fw in round_order(frameworks, r):
                    if fw.key in broken:
                        load = Load(0.0, errors=1, detail=broken[fw.key])
                    else:
                        load = servers[fw.key].load(seconds, generator)
                    cell = cells[w.name][fw.key]
                    ok = load.rps > 0 and not load.errors
                    cell.rates.append(load.rps if ok else None)
                    if not ok:
                        detail = f"{load.errors} errors; {load.detail}".strip()
                        cell.errors.append(f"round {r + 1}: {detail}")
                    log(
                        f"e2e {kind.key:<8} {w.name:<12} {fw.key:<9}"
                        f" {load.rps:>9.0f} req/s"
                    )
            for key, server in servers.items():
                if key not in broken and (error := server.check()):
                    cells[w.name][key].errors.append(error)
        finally:
            for server in servers.values():
                server.stop()
    return cells
