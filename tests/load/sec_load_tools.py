"""Load generation and measurement for tests/load: gunicorn in a
subprocess, a Python load generator (threads with keep-alive
connections), ``wrk`` when it is installed, per-worker RSS from /proc, and
a leak check over many in-process requests.

Every loop here is bounded in time and count, and only 127.0.0.1 is
ever contacted.
"""

from __future__ import annotations

import contextlib
import gc
import http.client
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import typing as t
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

HERE = Path(__file__).parent


@dataclass
class Server:
    port: int
    master: subprocess.Popen[str]
    workers: list[int]
    log: list[str] = field(default_factory=list)


def rss_kib(pid: int) -> int:
    """Resident set size of ``pid`` in KiB, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

    raise RuntimeError(f"no VmRSS for {pid}")


@contextlib.contextmanager
def gunicorn(
    workers: int = 2, threads: int = 4, timeout: float = 60
) -> t.Iterator[Server]:
    """Run tests/load/sec_load_app.py under gunicorn on 127.0.0.1 with
    ``workers`` gthread workers; stop it (SIGTERM, then SIGKILL) after."""
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--chdir",
        str(HERE),
        "--bind",
        "127.0.0.1:0",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        "info",
        "--graceful-timeout",
        "5",
        "sec_load_app:app",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env
    )
    log: list[str] = []
    port = None
    pids: list[int] = []
    deadline = time.monotonic() + timeout

    def read() -> None:
        assert proc.stderr is not None

        for line in proc.stderr:
            log.append(line.rstrip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    try:
        while time.monotonic() < deadline and (port is None or len(pids) < workers):
            if proc.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + "\n".join(log))

            for line in list(log):
                if port is None and (
                    m := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
                ):
                    port = int(m.group(1))

                if m := re.search(r"Booting worker with pid: (\d+)", line):
                    if int(m.group(1)) not in pids:
                        pids.append(int(m.group(1)))

            time.sleep(0.05)

        if port is None or len(pids) < workers:
            raise RuntimeError("gunicorn did not start:\n" + "\n".join(log))

        yield Server(port, proc, pids, log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

        reader.join(5)

        if proc.stderr is not None:
            proc.stderr.close()


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    status_5xx: int = 0
    non_2xx: int = 0
    latencies: list[float] = field(default_factory=list)
    tool: str = "python"
    p99_ms: float | None = None

    def p(self, q: float) -> float:
        if self.p99_ms is not None and q == 0.99:
            return self.p99_ms

        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(q * len(data)))] * 1000 if data else 0.0


def python_load(
    port: int,
    requests: list[tuple[str, str, bytes | None]],
    cookie: str,
    duration: float,
    concurrency: int = 8,
    max_requests: int = 1_000_000,
) -> LoadResult:
    """Send the request mix from ``concurrency`` threads over keep-alive
    connections for ``duration`` seconds (or ``max_requests``)."""
    result = LoadResult()
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies: list[float] = []
        errors = bad = five = n = 0
        i = offset

        while time.monotonic() < stop and n < max_requests // concurrency:
            method, path, body = requests[i % len(requests)]
            i += 1
            headers = {"Cookie": cookie}

            if body is not None:
                headers["Content-Type"] = "application/json"

            start = time.perf_counter()

            try:
                conn.request(method, path, body=body, headers=headers)
                rv = conn.getresponse()
                rv.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue

            latencies.append(time.perf_counter() - start)
            n += 1

            if rv.status >= 500:
                five += 1

            if not 200 <= rv.status < 300:
                bad += 1

        conn.close()

        with lock:
            result.requests += n
            result.errors += errors
            result.non_2xx += bad
            result.status_5xx += five
            result.latencies.extend(latencies)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]

    for th in threads:
        th.start()

    for th in threads:
        th.join(duration + 60)

    return result


WRK_SCRIPT = """
local requests = {}
local i = 0
init = function(args)
  local cookie = args[1]
%s
end
request = function()
  i = i + 1
  return requests[(i %% #requests) + 1]
end
"""


def wrk_load(
    port: int,
    requests: list[tuple[str, str, bytes | None]],
    cookie: str,
    duration: int,
    connections: int = 16,
    threads: int = 2,
) -> LoadResult | None:
    """Run ``wrk`` with the request mix; ``None`` if wrk is not installed."""
    wrk = shutil.which("wrk")

    if wrk is None:
        return None

    lines = []

    for method, path, body in requests:
        headers = '{["Cookie"] = cookie'

        if body is not None:
            headers += ', ["Content-Type"] = "application/json"'

        headers += "}"
        body_lua = "nil" if body is None else repr(body.decode())
        lines.append(
            f'  requests[#requests + 1] = wrk.format("{method}", "{path}",'
            f" {headers}, {body_lua})"
        )

    script = HERE / ".wrk_script.lua"
    script.write_text(WRK_SCRIPT % "\n".join(lines))

    try:
        proc = subprocess.run(
            [
                wrk,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{duration}s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}/",
                "--",
                cookie,
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
        )
    finally:
        script.unlink(missing_ok=True)

    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    result = LoadResult(tool="wrk")
    result.requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]

    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        result.non_2xx = int(m.group(1))
        result.status_5xx = result.non_2xx  # wrk does not split them; count all

    if m := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        result.errors = sum(int(x) for x in m.groups())

    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    assert m, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    result.p99_ms = float(m.group(1)) * scale
    result.latencies = []
    return result


def in_process_requests(
    app: t.Any, count: int, requests: list[tuple[str, str, bytes | None]], cookie: str
) -> int:
    """Run ``count`` requests of the mix through the WSGI callable; return
    how many were not 2xx."""
    from werkzeug.test import EnvironBuilder

    environs = []

    for method, path, body in requests:
        path, _, query = path.partition("?")
        builder = EnvironBuilder(
            path=path,
            method=method,
            query_string=query,
            data=body,
            content_type="application/json" if body else None,
            headers={"Cookie": cookie},
        )
        environs.append((builder.get_environ(), body or b""))
        builder.close()

    bad = 0
    statuses: list[str] = []

    def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> t.Any:
        statuses.append(status)
        return None

    for i in range(count):
        base, body = environs[i % len(environs)]
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.errors"] = io.StringIO()
        app_iter = app(environ, start_response)

        try:
            for _ in app_iter:
                pass
        finally:
            if hasattr(app_iter, "close"):
                app_iter.close()

        if not statuses.pop().startswith("2"):
            bad += 1

    return bad


def allocated_blocks() -> int:
    gc.collect()
    gc.collect()
    return sys.getallocatedblocks()
