"""The benchmark workloads: what each one requests and what a correct answer is.

This module is the single description of the workloads. It uses the standard
library only, because it is imported in three kinds of process: the
orchestrator (``run.py``), the in-process workers (``worker.py``, one per
framework, each in that framework's virtualenv) and the servers' entry point
(``serve.py``). The applications in ``apps/`` import their constants from here
so that every framework answers the same request with the same content.
"""

from __future__ import annotations

import collections.abc as cabc
import json
import sys
import typing as t
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import urlencode

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment

#: A check receives the status code, the headers (names lowercased, values of
#: repeated headers joined with ``"\n"``) and the body, and returns an error
#: message, or ``None`` when the response is the expected one.
Check = cabc.Callable[[int, dict[str, str], bytes], "str | None"]

#: The key every framework signs its session cookie with.
SECRET_KEY = "bench-secret-key-not-for-production"
#: The name of the session cookie, Flask's default.
SESSION_COOKIE = "session"
#: How many routes the ``routes300`` application registers.
ROUTE_COUNT = 300
#: The title and the rows the ``template`` workload renders. The ``<`` and
#: ``>`` in the names make autoescaping do some work.
TABLE_TITLE = "Users & scores"
TABLE_ROWS: list[dict[str, t.Any]] = [
    {
        "id": i,
        "name": f"User {i} <{i}>",
        "email": f"user{i}@example.com",
        "score": i * 4.5,
    }
    for i in range(1, 21)
]
#: The urlencoded fields the ``form`` workload posts and expects echoed.
FORM_FIELDS: dict[str, str] = {f"field{i}": f"value {i} & more/{i}" for i in range(10)}
#: What the ``json_params`` view returns for ``/user/42/post/hello-world?q=flask``.
JSON_PARAMS_EXPECTED = {"user_id": 42, "slug": "hello-world", "q": "flask"}
HELLO_BODY = b"Hello, World!"
ASYNC_BODY = b"Hello, async!"
#: What the ``slow_async`` view returns after awaiting ``asyncio.sleep``.
SLOW_BODY = b"Hello, slowly!"
SLOW_SECONDS = 0.1
#: The concurrent connections of the ``slow_async`` load: requests that
#: wait on the loop, many at once.
SLOW_CONNECTIONS = 500
#: The nested-blueprint view returns the levels whose ``before`` hooks ran;
#: every level's ``after`` hook sets ``X-After-<level>``.
HOOK_LEVELS = ("app", "outer", "inner")


@dataclass(frozen=True)
class Workload:
    """One request shape, run against every framework that supports it."""

    #: Short name used on the command line, in reports and in ``apps.*.APPS``.
    name: str
    #: One line for the report.
    title: str
    path: str
    check: Check
    method: str = "GET"
    query: str = ""
    body: bytes = b""
    content_type: str = ""
    #: The expected status of the benchmarked request.
    status: int = 200
    #: Send one request without cookies first and replay the cookies it sets
    #: on every benchmarked request (the session workload).
    prime_cookies: bool = False
    #: The target for the in-process ratio ours / Flask 3.1 (issue 16).
    target: float = 1.0
    #: The reference frameworks (keys of ``venvs.FRAMEWORKS``) ours must be
    #: faster than in process, where they can express the workload.
    ahead_of: tuple[str, ...] = ("werkzeug",)
    #: Also measured end to end, under each server of ``e2e.SERVERS``.
    e2e: bool = False
    #: The target for the end-to-end ratio ours / Flask 3.1 under the servers
    #: that carry targets (granian; gunicorn's own work hides the framework's),
    #: or ``None`` when the workload is only reported there.
    e2e_target: float | None = None
    #: Request headers besides the ones every workload sends.
    headers: tuple[tuple[str, str], ...] = ()
    #: End to end, the concurrent connections of the load: 0 for the
    #: harness's default. A workload with its own is slow by design, so the
    #: load generator waits for its answers as long as a round lasts.
    connections: int = 0

    @property
    def url(self) -> str:
        """The path and query string, as a client requests it."""
        return f"{self.path}?{self.query}" if self.query else self.path


def _fail(what: str, status: int, body: bytes) -> str:
    return f"{what} (status {status}, body {body[:200]!r})"


def _check_text(expected: bytes) -> Check:
    def check(status: int, headers: dict[str, str], body: bytes) -> str | None:
        if body != expected:
            return _fail(f"expected body {expected!r}", status, body)
        return None

    return check


def _check_json(expected: dict[str, t.Any]) -> Check:
    def check(status: int, headers: dict[str, str], body: bytes) -> str | None:
        if not headers.get("content-type", "").startswith("application/json"):
            return _fail("expected a JSON content type", status, body)
        try:
            data = json.loads(body)
        except ValueError:
            return _fail("expected a JSON body", status, body)
        if data != expected:
            return _fail(f"expected JSON {expected!r}", status, body)
        return None

    return check


def _check_template(status: int, headers: dict[str, str], body: bytes) -> str | None:
    if not headers.get("content-type", "").startswith("text/html"):
        return _fail("expected text/html", status, body)
    rows = body.count(b"<tr>")
    if rows != len(TABLE_ROWS) + 1:
        return _fail(
            f"expected {len(TABLE_ROWS) + 1} table rows, got {rows}", status, body
        )
    if b"User 20 &lt;20&gt;" not in body or b"Users &amp; scores" not in body:
        return _fail("expected the last row, autoescaped", status, body)
    return None


def _check_session(status: int, headers: dict[str, str], body: bytes) -> str | None:
    # The primed cookie holds count=1: a framework that did not read it
    # answers count=1 again, one that did not write it sends no cookie.
    if body != b"count=2":
        return _fail("expected the session to be read (count=2)", status, body)
    if f"{SESSION_COOKIE}=" not in headers.get("set-cookie", ""):
        return _fail("expected the session cookie to be written", status, body)
    return None


def _check_not_found(status: int, headers: dict[str, str], body: bytes) -> str | None:
    if b"Not Found" not in body:
        return _fail("expected a Not Found page", status, body)
    return None


#: What ``SECURITY_HEADERS = True`` adds on a plain-HTTP request.
SECURITY_HEADERS = (
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "content-security-policy",
)


def _check_guarded(status: int, headers: dict[str, str], body: bytes) -> str | None:
    # Flask 3.1 ignores the two settings; a framework that has them sends
    # every header.
    sent = [name for name in SECURITY_HEADERS if name in headers]
    if sent and len(sent) != len(SECURITY_HEADERS):
        return _fail(f"expected all of {SECURITY_HEADERS} or none", status, body)
    return _check_json(FORM_FIELDS)(status, headers, body)


def _check_hooks(status: int, headers: dict[str, str], body: bytes) -> str | None:
    expected = ">".join(HOOK_LEVELS).encode()
    if body != expected:
        return _fail(f"expected every before hook in order, {expected!r}", status, body)
    missing = [lvl for lvl in HOOK_LEVELS if f"x-after-{lvl}" not in headers]
    if missing:
        return _fail(f"after hooks did not run for {missing}", status, body)
    return None


WORKLOADS: tuple[Workload, ...] = (
    Workload(
        "hello",
        "hello world, text",
        "/",
        _check_text(HELLO_BODY),
        target=5.0,
        e2e=True,
        e2e_target=2.5,
    ),
    Workload(
        "json_params",
        "GET /user/<int:id>/post/<slug>?q= -> small JSON dict",
        "/user/42/post/hello-world",
        _check_json(JSON_PARAMS_EXPECTED),
        query="q=flask",
        target=3.5,
        e2e=True,
        e2e_target=2.5,
    ),
    Workload(
        "template",
        "Jinja template, 20-row table",
        "/table",
        _check_template,
        target=2.0,
        ahead_of=("werkzeug", "bottle"),
        e2e=True,
    ),
    Workload(
        "form",
        "urlencoded POST of 10 fields, echoed as JSON",
        "/form",
        _check_json(FORM_FIELDS),
        method="POST",
        body=urlencode(FORM_FIELDS).encode(),
        content_type="application/x-www-form-urlencoded",
        target=3.0,
    ),
    Workload(
        "form_guarded",
        "the form, with CROSS_ORIGIN_PROTECTION and SECURITY_HEADERS on",
        "/form",
        _check_guarded,
        method="POST",
        body=urlencode(FORM_FIELDS).encode(),
        content_type="application/x-www-form-urlencoded",
        # What a browser sends with a form of the app's own page.
        headers=(
            ("Sec-Fetch-Site", "same-origin"),
            ("Origin", "http://127.0.0.1:8000"),
        ),
        # The form's target less the 3% the two features may cost.
        target=2.9,
    ),
    Workload(
        "session",
        "signed-cookie session, read and write",
        "/session",
        _check_session,
        prime_cookies=True,
        target=2.5,
        e2e=True,
    ),
    Workload(
        "not_found",
        "404 for an unknown URL",
        "/missing",
        _check_not_found,
        status=404,
        target=4.0,
        ahead_of=("werkzeug", "bottle"),
    ),
    Workload(
        "routes300",
        f"the last of {ROUTE_COUNT} registered routes",
        f"/res{ROUTE_COUNT - 1}/7",
        _check_text(f"res{ROUTE_COUNT - 1}:7".encode()),
        target=4.0,
        ahead_of=("werkzeug", "bottle"),
    ),
    Workload(
        "blueprint",
        "nested blueprint, before/after hooks at each level",
        "/outer/inner/hook",
        _check_hooks,
        target=4.0,
        ahead_of=("werkzeug", "bottle"),
    ),
    Workload(
        "async_view",
        "async def view",
        "/async",
        _check_text(ASYNC_BODY),
        target=25.0,
    ),
)

BY_NAME: dict[str, Workload] = {w.name: w for w in WORKLOADS}

#: Served by ASGI servers only (``asgi_e2e.py``): measured in no other part.
SLOW_ASYNC = Workload(
    "slow_async",
    f"async def view awaiting asyncio.sleep({SLOW_SECONDS:g}),"
    f" {SLOW_CONNECTIONS} connections",
    "/slow",
    _check_text(SLOW_BODY),
    connections=SLOW_CONNECTIONS,
)
#: The workloads of the ASGI part: the slow async view, and hello world and
#: the JSON workload as sync views (async ones where a framework has no
#: other kind).
ASGI_WORKLOADS: tuple[Workload, ...] = (
    SLOW_ASYNC,
    BY_NAME["hello"],
    BY_NAME["json_params"],
)
ASGI_BY_NAME: dict[str, Workload] = {w.name: w for w in ASGI_WORKLOADS}


def make_environ(w: Workload, cookie: str = "") -> WSGIEnvironment:
    """Build the PEP 3333 environ of the workload's request, once.

    The caller copies it per call and puts a fresh ``wsgi.input`` in each
    copy; see :func:`call`.
    """
    environ: dict[str, t.Any] = {
        "REQUEST_METHOD": w.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": w.path,
        "QUERY_STRING": w.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "flask-bench/1.0",
        "HTTP_ACCEPT": "*/*",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(w.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if w.body or w.method == "POST":
        environ["CONTENT_TYPE"] = w.content_type
        environ["CONTENT_LENGTH"] = str(len(w.body))
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    for name, value in w.headers:
        environ[f"HTTP_{name.upper().replace('-', '_')}"] = value
    return environ


@dataclass
class Captured:
    """A response captured by :func:`call`."""

    status: int
    headers: dict[str, str]
    body: bytes
    set_cookies: list[str]


def call(app: WSGIApplication, environ: WSGIEnvironment, body: bytes) -> Captured:
    """Call *app* once and capture the whole response (not for timing)."""
    started: list[t.Any] = []
    written: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> cabc.Callable[[bytes], object]:
        started[:] = [status, headers]
        return written.append

    env = environ.copy()
    env["wsgi.input"] = BytesIO(body)
    rv = app(env, start_response)
    try:
        written.extend(rv)
    finally:
        close = getattr(rv, "close", None)
        if close is not None:
            close()
    status_line, header_list = started
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in header_list:
        key = name.lower()
        headers[key] = f"{headers[key]}\n{value}" if key in headers else value
        if key == "set-cookie":
            cookies.append(value)
    return Captured(
        int(status_line.split(None, 1)[0]), headers, b"".join(written), cookies
    )


def cookie_header(set_cookies: list[str]) -> str:
    """Turn ``Set-Cookie`` values into the ``Cookie`` header a browser sends."""
    return "; ".join(c.split(";", 1)[0].strip() for c in set_cookies)


def verify(
    w: Workload, status: int, headers: dict[str, str], body: bytes
) -> str | None:
    """Return why a response is not the workload's expected one, or ``None``."""
    if status != w.status:
        return _fail(f"expected status {w.status}", status, body)
    return w.check(status, headers, body)
