"""The workloads as bare WSGI callables: the standard library and nothing else.

This is the floor every framework is measured against: no request or
response objects, a list of compiled patterns for routing, headers written
by hand. End to end it shows what the server alone allows; a framework's
cost is what it adds on top. Jinja and the signed cookie come from
``_common``, as for the other non-Flask applications.
"""

from __future__ import annotations

import collections.abc as cabc
import json
import re
import typing as t
from http.cookies import SimpleCookie
from urllib.parse import parse_qs
from urllib.parse import parse_qsl

from apps._common import CookieSession
from apps._common import jinja_env
from workloads import HELLO_BODY
from workloads import HOOK_LEVELS
from workloads import ROUTE_COUNT
from workloads import SESSION_COOKIE
from workloads import TABLE_ROWS
from workloads import TABLE_TITLE

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment

#: A view gets the environ and the pattern's groups and returns the status,
#: the extra headers and the body.
Result = tuple[str, list[tuple[str, str]], bytes, str]
View = cabc.Callable[..., Result]

_NOT_FOUND = b"<h1>Not Found</h1>"


def _text(body: bytes, mimetype: str = "text/plain") -> Result:
    return "200 OK", [], body, f"{mimetype}; charset=utf-8"


def _json(data: object) -> Result:
    return "200 OK", [], json.dumps(data).encode(), "application/json"


def router(routes: list[tuple[str, View]]) -> WSGIApplication:
    """A WSGI callable that tries each ``(pattern, view)`` in turn."""
    compiled = [(re.compile(pattern), view) for pattern, view in routes]

    def application(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        for pattern, view in compiled:
            m = pattern.fullmatch(path)
            if m is not None:
                status, headers, body, content_type = view(environ, *m.groups())
                break
        else:
            status, headers, body = "404 Not Found", [], _NOT_FOUND
            content_type = "text/html; charset=utf-8"
        headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        start_response(status, headers)
        return [body]

    return application


def hello() -> WSGIApplication:
    return router([("/", lambda environ: _text(HELLO_BODY))])


def json_params() -> WSGIApplication:
    def post(environ: WSGIEnvironment, user_id: str, slug: str) -> Result:
        q = parse_qs(environ.get("QUERY_STRING", "")).get("q", [""])[0]
        return _json({"user_id": int(user_id), "slug": slug, "q": q})

    return router([(r"/user/(\d+)/post/([^/]+)", post)])


def template() -> WSGIApplication:
    env = jinja_env()

    def table(environ: WSGIEnvironment) -> Result:
        html = env.get_template("table.html").render(title=TABLE_TITLE, rows=TABLE_ROWS)
        return _text(html.encode(), "text/html")

    return router([("/table", table)])


def form() -> WSGIApplication:
    def echo(environ: WSGIEnvironment) -> Result:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size).decode()
        return _json(dict(parse_qsl(body, keep_blank_values=True)))

    return router([("/form", echo)])


def session_app() -> WSGIApplication:
    cookies = CookieSession()

    def counter(environ: WSGIEnvironment) -> Result:
        jar: SimpleCookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        morsel = jar.get(SESSION_COOKIE)
        data = cookies.load(morsel.value if morsel else None)
        data["count"] = count = data.get("count", 0) + 1
        cookie = f"{SESSION_COOKIE}={cookies.dump(data)}; HttpOnly; Path=/"
        status, headers, body, content_type = _text(f"count={count}".encode())
        return status, [*headers, ("Set-Cookie", cookie)], body, content_type

    return router([("/session", counter)])


def not_found() -> WSGIApplication:
    return hello()


def routes300() -> WSGIApplication:
    def item(i: int) -> View:
        return lambda environ, item_id: _text(f"res{i}:{item_id}".encode())

    return router([(rf"/res{i}/(\d+)", item(i)) for i in range(ROUTE_COUNT)])


def blueprint() -> WSGIApplication:
    # One before and one after function per level, called in Flask's order.
    def before(level: str) -> cabc.Callable[[list[str]], None]:
        return lambda trail: trail.append(level)

    def after(level: str) -> cabc.Callable[[list[tuple[str, str]]], None]:
        return lambda headers: headers.append((f"X-After-{level}", "1"))

    befores = [before(level) for level in HOOK_LEVELS]
    afters = [after(level) for level in reversed(HOOK_LEVELS)]

    def hook(environ: WSGIEnvironment) -> Result:
        trail: list[str] = []
        for f in befores:
            f(trail)
        status, headers, body, content_type = _text(">".join(trail).encode())
        for g in afters:
            g(headers)
        return status, headers, body, content_type

    return router([("/outer/inner/hook", hook)])


APPS: dict[str, cabc.Callable[[], WSGIApplication]] = {
    "hello": hello,
    "json_params": json_params,
    "template": template,
    "form": form,
    "session": session_app,
    "not_found": not_found,
    "routes300": routes300,
    "blueprint": blueprint,
}
