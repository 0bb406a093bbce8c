"""The long load tests (``tox -e load``, or RUN_LOAD_TESTS=1): 30 s of
mixed traffic through gunicorn with ``wrk`` (or the Python generator when
wrk is missing), and 100k requests through the WSGI callable. They print
the figures: requests, errors, p99 latency, RSS per worker at start and
end.
"""

from __future__ import annotations

import importlib.util
import os
import time

import pytest
import sec_load_app
import sec_load_tools as lt

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(
        os.environ.get("RUN_LOAD_TESTS") != "1",
        reason="long load test: run with tox -e load (RUN_LOAD_TESTS=1)",
    ),
]

DURATION = int(os.environ.get("LOAD_DURATION", "30"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "2"))


@pytest.mark.skipif(
    importlib.util.find_spec("gunicorn") is None, reason="gunicorn is not installed"
)
def test_gunicorn_under_load(capsys) -> None:
    cookie = sec_load_app.session_cookie()

    with lt.gunicorn(workers=WORKERS) as server:
        # Warm up every worker (templates compiled, caches filled) before
        # taking the starting RSS.
        warm = lt.python_load(
            server.port, sec_load_app.REQUESTS, cookie, duration=3, concurrency=8
        )
        assert warm.errors == 0 and warm.non_2xx == 0
        rss_start = {pid: lt.rss_kib(pid) for pid in server.workers}
        started = time.monotonic()
        result = lt.wrk_load(server.port, sec_load_app.REQUESTS, cookie, DURATION)

        if result is None:
            result = lt.python_load(
                server.port, sec_load_app.REQUESTS, cookie, DURATION, concurrency=16
            )

        elapsed = time.monotonic() - started
        rss_end = {pid: lt.rss_kib(pid) for pid in server.workers}
        alive = server.master.poll() is None
        log = list(server.log)

    with capsys.disabled():
        print(
            f"\nload: {result.tool}, {WORKERS} gunicorn workers, {elapsed:.0f} s:"
            f" {result.requests} requests ({result.requests / elapsed:.0f}/s),"
            f" {result.errors} errors, {result.non_2xx} non-2xx,"
            f" p99 {result.p(0.99):.1f} ms"
        )

        for pid in server.workers:
            print(
                f"  worker {pid}: RSS {rss_start[pid] / 1024:.1f} MiB ->"
                f" {rss_end[pid] / 1024:.1f} MiB"
            )

    assert alive, log
    assert result.requests > 1000
    assert result.errors == 0
    assert result.non_2xx == 0 and result.status_5xx == 0
    assert not any("Worker exiting" in line or "WORKER TIMEOUT" in line for line in log)

    for pid in server.workers:
        growth = rss_end[pid] - rss_start[pid]
        # Flat: a few MiB of allocator noise, not a per-request leak.
        assert growth < 8 * 1024, (pid, rss_start[pid], rss_end[pid])


def test_100k_requests_in_process_do_not_leak(capsys) -> None:
    cookie = sec_load_app.session_cookie()
    app = sec_load_app.app
    assert lt.in_process_requests(app, 2000, sec_load_app.REQUESTS, cookie) == 0
    pid = os.getpid()
    blocks_start, rss_start = lt.allocated_blocks(), lt.rss_kib(pid)
    started = time.monotonic()
    bad = lt.in_process_requests(app, 100_000, sec_load_app.REQUESTS, cookie)
    elapsed = time.monotonic() - started
    blocks_end, rss_end = lt.allocated_blocks(), lt.rss_kib(pid)

    with capsys.disabled():
        print(
            f"\nin-process: 100000 requests in {elapsed:.1f} s, {bad} not 2xx,"
            f" allocated blocks {blocks_start} -> {blocks_end},"
            f" RSS {rss_start / 1024:.1f} -> {rss_end / 1024:.1f} MiB"
        )

    assert bad == 0
    # One leaked object per 200 requests would be 500 blocks.
    assert blocks_end - blocks_start < 500
    assert rss_end - rss_start < 8 * 1024
