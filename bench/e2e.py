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

The ASGI part (``asgi_e2e.py``) runs its servers through :func:`measure`
too, with what only it needs: a slow workload (many connections, answers
awaited as long as a round lasts, a server restarted when it has not
drained the requests a load left queued) and lenient references (their
wrong answers under load counted and reported instead of failing a round).
"""

from __future__ import annotations

import collections
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
    #: The command line, given the framework it serves and the port.
    command: t.Callable[[Framework, int], list[str]]


def _gunicorn(fw: Framework, port: int) -> list[str]:
    cmd = [str(python(fw.venv)), "-m", "gunicorn", "--workers", str(WORKERS)]
    cmd += ["--worker-class", "sync", "--bind", f"{HOST}:{port}"]
    cmd += ["--chdir", str(BENCH), "--pythonpath", str(BENCH)]
    return cmd + ["--log-level", "warning", "serve:application"]


def _granian(fw: Framework, port: int) -> list[str]:
    cmd = [str(python(fw.venv)), "-m", "granian", "--interface", "wsgi"]
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

    #: Answers per second, right or wrong.
    rps: float
    requests: int = 0
    #: Requests that failed: timeouts, connections that failed.
    errors: int = 0
    #: Answers with an unexpected status (a non-2xx for a 2xx workload).
    wrong: int = 0
    detail: str = ""

    @property
    def right_rps(self) -> float:
        """Right answers per second."""
        if not self.wrong or not self.requests:
            return self.rps
        return self.rps * max(self.requests - self.wrong, 0) / self.requests


@dataclass
class Cell:
    """All rounds of one framework on one workload under one server."""

    #: Requests/s per round, ``None`` for a round that failed.
    rates: list[float | None] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: For a lenient framework (see :func:`measure`): the answers and the
    #: wrong ones, over all the rounds, and the rate of answers right or
    #: wrong per round (``rates`` counts the right ones).
    answers: int = 0
    wrong: int = 0
    answer_rates: list[float | None] = field(default_factory=list)
    #: The exceptions the server logged, by their last line, e.g.
    #: ``RuntimeError: ...``: what a wrong answer was, or what the server
    #: complained about while answering right.
    logged: collections.Counter[str] = field(default_factory=collections.Counter)
    #: How many times a slow workload's server was restarted to start a
    #: round on an empty queue (see :meth:`Server.idle`).
    restarts: int = 0


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


def connections(w: Workload) -> int:
    """The concurrent connections of *w*'s load."""
    return w.connections or CONNECTIONS


def wrk_command(w: Workload, cookie: str, seconds: float) -> list[str]:
    """wrk's options for a load of *w* (without its script and URL)."""
    duration = max(1, round(seconds))
    cmd = ["wrk", "-t1", f"-c{connections(w)}", f"-d{duration}s"]
    if w.connections:
        # Slow by design: a request waiting in a slow framework's queue is
        # not a failure; the rate of answers is what is measured.
        cmd.append(f"--timeout={duration + 30}s")
    for name, value in request_headers(w, cookie).items():
        cmd += ["-H", f"{name}: {value}"]
    return cmd


def run_wrk(port: int, w: Workload, cookie: str, seconds: float) -> Load:
    cmd = wrk_command(w, cookie, seconds)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if (lua := wrk_script(w)) is not None:
            script.write(lua)
            script.flush()
            cmd += ["-s", script.name]
        out = subprocess.run(
            [*cmd, f"http://{HOST}:{port}{w.url}"],
            capture_output=True,
            text=True,
            timeout=seconds + 90,
            preexec_fn=pinned(CLIENT_CPUS),
        ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        return Load(0.0, detail=f"cannot parse wrk output: {out!r}")
    requests = re.search(r"(\d+) requests in", out)
    errors = wrong = 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    # wrk only counts statuses; for a workload that expects a 4xx, the check
    # before and after the rounds is what tells a wrong answer.
    if non2xx and w.status < 400:
        wrong = int(non2xx.group(1))
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
        wrong,
        detail,
    )


def run_python_load(port: int, w: Workload, cookie: str, seconds: float) -> Load:
    """A fallback load generator: threads sending requests for *seconds*.

    Only the answers that arrive within the round count, as with wrk.
    """
    n = connections(w)
    counts = [0] * n
    errors = [0] * n
    wrong = [0] * n
    # The slow workload's requests may wait as long as the round lasts.
    timeout = seconds + 5 if w.connections else 5.0
    start = time.monotonic()
    stop = start + seconds

    def client(i: int) -> None:
        while time.monotonic() < stop:
            try:
                status, _, _ = fetch(port, w, cookie, timeout)
            except OSError:
                if time.monotonic() < stop:
                    errors[i] += 1
                continue
            if time.monotonic() > stop:
                break
            counts[i] += 1
            if status != w.status:
                wrong[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return Load(sum(counts) / seconds, sum(counts), sum(errors), sum(wrong))


#: The last line of a traceback: the exception's name and message.
_EXCEPTION_LINE = re.compile(
    r"^(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Exit)\b.*$", re.M
)


class Server:
    """One server (gunicorn, granian, uvicorn) serving one framework's
    application for one workload."""

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
            kind.command(fw, self.port),
            cwd=BENCH,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            preexec_fn=pinned(SERVER_CPUS),
            # Its own process group: a server that will not stop is killed
            # with its workers.
            start_new_session=True,
        )

    def _answer(self, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
        """One request; for a session workload, primed with a first one."""
        w = self.workload
        if w.prime_cookies and not self.cookie:
            _, headers, _ = fetch(self.port, w, timeout=timeout)
            self.cookie = cookie_header(headers.get("set-cookie", "").split("\n"))
        return fetch(self.port, w, self.cookie, timeout)

    def logged_exceptions(self) -> collections.Counter[str]:
        """The last lines of the tracebacks in the server's log, counted."""
        self.log.seek(0)
        text = self.log.read().decode(errors="replace")
        return collections.Counter(m[:200] for m in _EXCEPTION_LINE.findall(text))

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

    def idle(self, timeout: float) -> bool:
        """Whether the server answers a request within *timeout* seconds.

        After a slow workload's load, the requests of the connections the
        load generator closed may still be queued in the server (a framework
        that serves them one or a few at a time takes long over them, and
        the next round would be measured behind them): an answer to a new
        request means they are done.
        """
        try:
            self._answer(timeout)
        except OSError:
            return False
        return True

    def load(self, seconds: float, generator: str) -> Load:
        if generator == "wrk":
            return run_wrk(self.port, self.workload, self.cookie, seconds)
        return run_python_load(self.port, self.workload, self.cookie, seconds)

    def stop(self, grace: float = 15.0) -> None:
        """Stop the server and its workers, killed after *grace* seconds."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=grace)
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


#: How long a slow workload's server gets to finish the requests a load left
#: queued before it is restarted (see :meth:`Server.idle`).
SETTLE_SECONDS = 5.0


def measure(
    kind: ServerKind,
    frameworks: t.Sequence[Framework],
    workloads: t.Sequence[Workload],
    seconds: float,
    rounds: int,
    generator: str,
    log: t.Callable[[str], None],
    lenient: t.Collection[str] = (),
) -> dict[str, dict[str, Cell]]:
    """Measure each workload under *kind* in rounds; return the cells.

    The servers of all frameworks for a workload start together, are checked
    and warmed up, and stay up for all its rounds: an idle worker costs
    nothing, and short rounds pair ours and Flask 3.1 closely in time.

    A wrong answer during the load fails the round, except for the
    frameworks in *lenient* (references whose failures under load are their
    own behaviour, reported): their rate counts the right answers only.
    After each load of a slow workload (one with its own ``connections``),
    a server that has not finished the requests left queued within
    :data:`SETTLE_SECONDS` is restarted, so that every round starts with an
    empty queue.
    """
    return {
        w.name: _measure_workload(
            kind, frameworks, w, seconds, rounds, generator, log, lenient
        )
        for w in workloads
    }


def _measure_workload(
    kind: ServerKind,
    frameworks: t.Sequence[Framework],
    w: Workload,
    seconds: float,
    rounds: int,
    generator: str,
    log: t.Callable[[str], None],
    lenient: t.Collection[str],
) -> dict[str, Cell]:
    """:func:`measure` for one workload."""
    cells = {fw.key: Cell() for fw in frameworks}
    by_key = {fw.key: fw for fw in frameworks}
    servers = {fw.key: Server(kind, fw, w) for fw in frameworks}
    broken: dict[str, str] = {}

    def settle(key: str) -> None:
        if not w.connections or servers[key].idle(SETTLE_SECONDS):
            return
        cells[key].logged.update(servers[key].logged_exceptions())
        servers[key].stop(grace=0)
        servers[key] = Server(kind, by_key[key], w)
        cells[key].restarts += 1
        if error := servers[key].ready():
            broken[key] = error

    try:
        for key, server in servers.items():
            if error := server.ready():
                broken[key] = error
            else:
                server.load(WARMUP_SECONDS, generator)
                settle(key)
        for r in range(rounds):
            for fw in round_order(frameworks, r):
                cell = cells[fw.key]
                if fw.key in broken:
                    load = Load(0.0, errors=1, detail=broken[fw.key])
                else:
                    load = servers[fw.key].load(seconds, generator)
                    settle(fw.key)
                if fw.key in lenient:
                    rate = load.right_rps
                    cell.answers += load.requests
                    cell.wrong += load.wrong
                    ok = rate > 0 and not load.errors
                    cell.answer_rates.append(load.rps if ok else None)
                else:
                    rate = load.rps
                    ok = rate > 0 and not load.errors and not load.wrong
                cell.rates.append(rate if ok else None)
                if not ok:
                    failed = load.errors + load.wrong
                    detail = f"{failed} errors; {load.detail}".strip()
                    cell.errors.append(f"round {r + 1}: {detail}")
                log(
                    f"e2e {kind.key:<8} {w.name:<12} {fw.key:<9}"
                    f" {rate:>9.0f} req/s"
                    + (f" ({load.wrong} wrong answers)" if load.wrong else "")
                )
        for key, server in servers.items():
            if key not in broken and (error := server.check()):
                cells[key].errors.append(error)
    finally:
        for key, server in servers.items():
            cells[key].logged.update(server.logged_exceptions())
            server.stop()
    return cells
