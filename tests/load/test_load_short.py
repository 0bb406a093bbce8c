"""The short load test, part of the main test run: a few seconds of mixed
traffic through gunicorn, and a few thousand requests through the WSGI
callable with a leak check. ``tox -e load`` runs the long versions in
test_load_full.py.
"""

from __future__ import annotations

import importlib.util

import pytest
import sec_load_app
import sec_load_tools as lt

needs_gunicorn = pytest.mark.skipif(
    importlib.util.find_spec("gunicorn") is None, reason="gunicorn is not installed"
)


@needs_gunicorn
def test_short_gunicorn_run() -> None:
    cookie = sec_load_app.session_cookie()

    with lt.gunicorn(workers=2) as server:
        rss_start = {pid: lt.rss_kib(pid) for pid in server.workers}
        result = lt.python_load(
            server.port, sec_load_app.REQUESTS, cookie, duration=3, concurrency=4
        )
        rss_end = {pid: lt.rss_kib(pid) for pid in server.workers}
        assert server.master.poll() is None, server.log
        log = list(server.log)

    assert result.requests > 100
    assert result.errors == 0
    assert result.status_5xx == 0 and result.non_2xx == 0
    # No worker was replaced (a crash or a timeout would restart one).
    assert not any("Worker exiting" in line or "WORKER TIMEOUT" in line for line in log)

    for pid in server.workers:
        assert rss_end[pid] - rss_start[pid] < 32 * 1024, (rss_start, rss_end)


def test_short_in_process_run_does_not_leak() -> None:
    cookie = sec_load_app.session_cookie()
    app = sec_load_app.app
    # Warm up: compiled templates, URL map, caches.
    assert lt.in_process_requests(app, 600, sec_load_app.REQUESTS, cookie) == 0
    before = lt.allocated_blocks()
    assert lt.in_process_requests(app, 3000, sec_load_app.REQUESTS, cookie) == 0
    growth = lt.allocated_blocks() - before
    # A leak of one object per 30 requests would show as 100 blocks.
    assert growth < 100, growth
