"""Cross-origin request protection against a real browser: headless
Chromium loads a page that submits a form to the app and calls
``fetch()``. Served by a second server on another port of 127.0.0.1 (the
same site, another origin), the page is refused; served by the app
itself, it is accepted.

Both servers are Werkzeug's, in threads. Chromium is driven through the
DevTools protocol by ``examples/javascript/tests/chromium_cdp.py``, which
installs Debian's chromium when it is missing (as root); without a browser
the test is skipped with the reason.
"""

from __future__ import annotations

import collections.abc as cabc
import importlib.util
import json
import threading
import typing as t
from pathlib import Path
from types import ModuleType

import pytest
from werkzeug.serving import make_server

import flask

CDP_PATH = (
    Path(__file__).resolve().parent.parent
    / "examples"
    / "javascript"
    / "tests"
    / "chromium_cdp.py"
)

PAGE = """<!doctype html>
<title>poster</title>
<form method="post" action="{target}/submit">
  <input name="via" value="form">
  <button id="send" type="submit">Send</button>
</form>
"""


def _load_cdp() -> ModuleType:
    """The example's driver, loaded from its file (it is not a package)."""
    spec = importlib.util.spec_from_file_location("_chromium_cdp", CDP_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cdp = _load_cdp()


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path, reason = cdp.find_or_install_chromium()

    if path is None:
        pytest.skip(f"no headless browser: {reason}")

    return t.cast(str, path)


def _serve(app: t.Any) -> cabc.Iterator[str]:
    # localhost reaches it too (the cross-site case loads the page so).
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Seen(t.NamedTuple):
    via: str | None
    status: int
    sec_fetch_site: str | None
    origin: str | None


@pytest.fixture
def protected() -> cabc.Iterator[tuple[str, list[Seen]]]:
    """The protected app's origin, and what it saw of each POST."""
    app = flask.Flask(__name__)
    app.config["CROSS_ORIGIN_PROTECTION"] = True
    seen: list[Seen] = []

    @app.post("/submit")
    def submit() -> str:
        return f"accepted {flask.request.form['via']}"

    @app.get("/page")
    def page() -> str:
        return PAGE.format(target="")

    @app.after_request
    def record(response: flask.Response) -> flask.Response:
        if flask.request.method == "POST":
            headers = flask.request.headers
            # The form is not read for a refused request: read it here.
            via = flask.request.form.get("via")
            seen.append(
                Seen(
                    via,
                    response.status_code,
                    headers.get("Sec-Fetch-Site"),
                    headers.get("Origin"),
                )
            )

        return response

    yield from ((origin, seen) for origin in _serve(app))


@pytest.fixture
def other_site(protected: tuple[str, list[Seen]]) -> cabc.Iterator[str]:
    """A second server, another port: it serves the page that posts to
    the protected app.
    """
    target = protected[0]
    page = PAGE.format(target=target).encode()

    def wsgi(environ: t.Any, start_response: t.Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page]

    yield from _serve(wsgi)


@pytest.fixture(scope="module")
def browser(
    chromium_path: str, tmp_path_factory: pytest.TempPathFactory
) -> cabc.Iterator[t.Any]:
    """One browser for the module's tests (each navigates afresh)."""
    tmp_path = tmp_path_factory.mktemp("chromium")
    log = tmp_path / "chromium.log"
    browser = cdp.Chromium(chromium_path, tmp_path / "profile", log)

    try:
        try:
            browser.open_page()
        except (OSError, RuntimeError) as e:
            pytest.skip(f"chromium did not start ({e}); log: {log.read_text()[-500:]}")

        yield browser
    finally:
        browser.close()


def _fetch(browser: t.Any, url: str) -> t.Any:
    """POST with fetch() from the page; the status, or why it failed."""
    return browser.evaluate(
        f"fetch({json.dumps(url)}, {{method: 'POST',"
        " body: new URLSearchParams({via: 'fetch'})})"
        ".then(r => r.text().then(text => [r.status, text]))"
        ".catch(e => ['failed', String(e)])"
    )


def _submit_form(browser: t.Any, action: str) -> str:
    browser.click("#send")
    browser.wait_for(
        f"location.href === {json.dumps(action)} && document.readyState === 'complete'"
    )
    return t.cast(str, browser.evaluate("document.body.innerText"))


@pytest.mark.parametrize(
    ("host", "site"), [("127.0.0.1", "same-site"), ("localhost", "cross-site")]
)
def test_page_of_another_origin_is_refused(
    browser: t.Any,
    protected: tuple[str, list[Seen]],
    other_site: str,
    host: str,
    site: str,
):
    target, seen = protected
    # Another port of 127.0.0.1 is the same site, but another origin;
    # localhost is another site.
    other_site = other_site.replace("127.0.0.1", host)
    browser.navigate(f"{other_site}/")

    # fetch() sends the POST (a simple request needs no preflight); the
    # app refuses it, and CORS keeps the answer from the page anyway.
    status, reason = _fetch(browser, f"{target}/submit")
    assert status == "failed" and "TypeError" in reason

    text = _submit_form(browser, f"{target}/submit")
    assert "Forbidden" in text and "another website" in text

    assert seen == [
        Seen("fetch", 403, site, other_site),
        Seen("form", 403, site, other_site),
    ]


def test_page_of_the_app_is_accepted(browser: t.Any, protected: tuple[str, list[Seen]]):
    target, seen = protected
    browser.navigate(f"{target}/page")
    assert _fetch(browser, f"{target}/submit") == [200, "accepted fetch"]
    assert _submit_form(browser, f"{target}/submit") == "accepted form"
    assert seen == [
        Seen("fetch", 200, "same-origin", target),
        Seen("form", 200, "same-origin", target),
    ]
