"""End to end: each framework under gunicorn on loopback, loaded by ``wrk``.

For each workload, every framework gets a gunicorn (sync workers) on a free
port of 127.0.0.1, which is checked to answer the workload correctly and
warmed up for a second; then the frameworks are loaded in turn, round after
round, each for a bounded time.

The server and the load generator are pinned to separate CPUs (``wrk`` to
the last one, gunicorn with one worker per remaining CPU): left to share
the cores, ``wrk`` takes CPU time from the workers at random, which blurs
the comparison. When ``wrk`` is not installed a small threaded Python client
stands in, unpinned, and the report says so: its numbers are much lower and
mostly measure the client.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
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
#: One sync worker per server CPU.
WORKERS = len(SERVER_CPUS)


def pinned(cpus: set[int]) -> t.Callable[[], None]:
    """A ``preexec_fn`` that confines the child to *cpus*."""
    return lambda: os.sched_setaffinity(0, cpus)


WARMUP_SECONDS = 1.0


@dataclass
class Load:
    """What one load run measured."""

    rps: float
    requests: int = 0
    errors: int = 0
    detail: str = ""


@dataclass
class Cell:
    """All rounds of one framework on one workload."""

    #: Requests/s per round, ``None`` for a round that failed.
    rates: list[float | None] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def load_generator() -> str:
    """``"wrk"`` when installed, else ``"python"``."""
    return "wrk" if shutil.which("wrk") else "python"


def generator_version(generator: str) -> str:
    """``wrk``'s version line, for the report."""
    if generator != "wrk":
        return "a Python load generator (wrk not installed)"
    proc = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    first = (proc.stdout + proc.stderr).strip().splitlines()[:1]
    return " ".join(first[0].split()[:2]) if first else "wrk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def fetch(
    port: int, w: Workload, timeout: float = 5.0
) -> tuple[int, dict[str, str], bytes]:
    """One request over loopback; the response's status, headers and body."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(w.method, w.url, body=w.body or None)
        resp = conn.getresponse()
        headers: dict[str, str] = {}
        for name, value in resp.getheaders():
            key = name.lower()
            headers[key] = f"{headers[key]}\n{value}" if key in headers else value
        return resp.status, headers, resp.read()
    finally:
        conn.close()


def wait_ready(proc: subprocess.Popen[bytes], port: int, w: Workload) -> str | None:
    """Wait until the server answers *w* correctly; return an error otherwise."""
    deadline = time.monotonic() + 30
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"gunicorn exited with {proc.returncode}"
        try:
            status, headers, body = fetch(port, w)
        except OSError as e:
            last = str(e)
            time.sleep(0.1)
            continue
        return verify(w, status, headers, body)
    return f"gunicorn did not answer in time ({last})"


def run_wrk(url: str, seconds: float) -> Load:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", url]
    out = subprocess.run(
        cmd,
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
    if non2xx := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
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


def run_python_load(port: int, w: Workload, seconds: float) -> Load:
    """A fallback load generator: threads sending requests for *seconds*."""
    stop = time.monotonic() + seconds
    counts = [0] * CONNECTIONS
    errors = [0] * CONNECTIONS

    def client(i: int) -> None:
        while time.monotonic() < stop:
            try:
                status, _, _ = fetch(port, w)
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
    """A gunicorn serving one framework's application for one workload."""

    def __init__(self, fw: Framework, w: Workload) -> None:
        self.fw = fw
        self.workload = w
        self.port = free_port()
        env = clean_env()
        env.update(BENCH_APP_MODULE=fw.app_module, BENCH_WORKLOAD=w.name)
        cmd = [str(python(fw.venv)), "-m", "gunicorn", "--workers", str(WORKERS)]
        cmd += ["--worker-class", "sync", "--bind", f"{HOST}:{self.port}"]
        cmd += ["--chdir", str(BENCH), "--pythonpath", str(BENCH)]
        cmd += ["--log-level", "warning", "serve:application"]
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            preexec_fn=pinned(SERVER_CPUS),
        )

    def ready(self) -> str | None:
        """Wait until it answers correctly; return an error with its log if not."""
        error = wait_ready(self.proc, self.port, self.workload)
        if error:
            self.log.seek(0)
            tail = self.log.read().decode(errors="replace")[-2000:]
            return f"{error}\n{tail}".strip()
        return None

    def load(self, seconds: float, generator: str) -> Load:
        if generator == "wrk":
            return run_wrk(f"http://{HOST}:{self.port}{self.workload.url}", seconds)
        return run_python_load(self.port, self.workload, seconds)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def measure(
    frameworks: t.Sequence[Framework],
    workloads: t.Sequence[Workload],
    seconds: float,
    rounds: int,
    log: t.Callable[[str], None],
) -> dict[str, dict[str, Cell]]:
    """Measure each workload in rounds; return the cells.

    The servers of all frameworks for a workload start together, are checked
    and warmed up, and stay up for all its rounds: an idle sync worker costs
    nothing, and short rounds pair ours and Flask 3.1 closely in time.
    """
    generator = load_generator()
    cells = {w.name: {fw.key: Cell() for fw in frameworks} for w in workloads}
    for w in workloads:
        servers = {fw.key: Server(fw, w) for fw in frameworks}
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
                    log(f"e2e {w.name:<12} {fw.key:<9} {load.rps:>9.0f} req/s")
        finally:
            for server in servers.values():
                server.stop()
    return cells
