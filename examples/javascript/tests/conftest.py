from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium_cdp import Chromium
from chromium_cdp import find_or_install_chromium
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from textstats import create_app

_browser_skips: list[str] = []


@pytest.fixture
def app() -> Flask:
    app = create_app()
    app.testing = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path, reason = find_or_install_chromium()

    if path is None:
        _browser_skips.append(reason)
        pytest.skip(f"no headless browser: {reason}")

    return path


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` with Werkzeug's server on a free port of 127.0.0.1."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def browser(chromium_path: str, tmp_path: Path) -> Iterator[Chromium]:
    """A fresh browser with an empty profile, one open page."""
    log = tmp_path / "chromium.log"
    browser = Chromium(chromium_path, tmp_path / "profile", log)

    try:
        try:
            browser.open_page()
        except (OSError, RuntimeError) as e:
            reason = f"chromium did not start ({e}); log: {log.read_text()[-500:]}"
            _browser_skips.append(reason)
            pytest.skip(reason)

        yield browser
    finally:
        browser.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # A skipped browser check should not go unnoticed in a green run.
    for reason in dict.fromkeys(_browser_skips):
        terminalreporter.write_line(
            f"examples/javascript: the headless-browser check was skipped: {reason}",
            yellow=True,
        )
