"""Header and response splitting: user data with CR/LF in a redirect
target, a URL built with ``url_for``, a header value or name, a status
line or a cookie must never add a header or end the header block. Where
the framework cannot encode the value safely the response is a 500
without the injected header; over a real server the bytes on the wire
contain no injected line.
"""

from __future__ import annotations

import typing as t

import pytest
import werkzeug.wrappers
from http_support import live_server
from http_support import raw_http

import flask

INJECTIONS = [
    "a\r\nX-Injected: 1",
    "a\nX-Injected: 1",
    "a\rX-Injected: 1",
    "a\r\n\r\n<script>alert(1)</script>",
    "a\r\nSet-Cookie: session=forged",
    "a\r\n Folded: 1",
]


@pytest.fixture
def iapp() -> flask.Flask:
    app = flask.Flask("sec_injection")
    app.config.update(SECRET_KEY="k", PROPAGATE_EXCEPTIONS=False)

    def value() -> str:
        return flask.request.args["v"]

    @app.get("/redirect")
    def redirect_view() -> t.Any:
        return flask.redirect(value())

    @app.get("/redirect-url-for")
    def redirect_url_for() -> t.Any:
        return flask.redirect(flask.url_for("target", name=value(), q=value()))

    @app.get("/target/<name>")
    def target(name: str) -> str:
        return name

    @app.get("/url-for")
    def url_for_view() -> t.Any:
        url = flask.url_for("target", name=value(), q=value(), _anchor=value())
        return url, {"X-Url": url}

    @app.get("/url-for-external")
    def url_for_external() -> t.Any:
        url = flask.url_for("target", name=value(), _external=True)
        return url, {"Location": url}

    @app.get("/header-tuple")
    def header_tuple() -> t.Any:
        return "x", {"X-Value": value()}

    @app.get("/header-list")
    def header_list() -> t.Any:
        return "x", 200, [("X-Value", value())]

    @app.get("/header-set")
    def header_set() -> t.Any:
        rv = flask.make_response("x")
        rv.headers["X-Value"] = value()
        return rv

    @app.get("/header-add")
    def header_add() -> t.Any:
        rv = flask.make_response("x")
        rv.headers.add("X-Value", "safe", param=value())
        return rv

    @app.get("/header-name")
    def header_name() -> t.Any:
        return "x", {value(): "1"}

    @app.get("/status-tuple")
    def status_tuple() -> t.Any:
        return "x", f"200 {value()}"

    @app.get("/status-set")
    def status_set() -> t.Any:
        rv = flask.make_response("x")
        rv.status = f"201 {value()}"
        return rv

    @app.get("/content-type")
    def content_type() -> t.Any:
        return flask.Response("x", content_type=f"text/plain; {value()}")

    @app.get("/mimetype")
    def mimetype() -> t.Any:
        return flask.Response("x", mimetype=value())

    @app.get("/cookie")
    def cookie() -> t.Any:
        rv = flask.make_response("x")
        rv.set_cookie("c", value())
        return rv

    @app.get("/cookie-attrs")
    def cookie_attrs() -> t.Any:
        rv = flask.make_response("x")
        rv.set_cookie("c", "v", path=f"/{value()}", domain="example.com")
        return rv

    @app.get("/session")
    def session_view() -> t.Any:
        flask.session["v"] = value()
        return "x"

    @app.get("/after")
    def after() -> str:
        return "x"

    @app.after_request
    def after_request(rv: flask.Response) -> flask.Response:
        if flask.request.path == "/after":
            rv.headers["X-After"] = value()

        return rv

    @app.get("/download")
    def download() -> t.Any:
        import io

        return flask.send_file(
            io.BytesIO(b"x"), as_attachment=True, download_name=value()
        )

    @app.get("/abort-headers")
    def abort_headers() -> t.Any:
        rv = flask.Response("denied", 403, {"X-Reason": value()})
        flask.abort(rv)

    return app


SAFE = [
    "/redirect-url-for",
    "/url-for",
    "/url-for-external",
    "/cookie",
    "/cookie-attrs",
    "/session",
]
REFUSED = [
    "/redirect",
    "/header-tuple",
    "/header-list",
    "/header-set",
    "/header-add",
    "/header-name",
    "/status-tuple",
    "/status-set",
    "/content-type",
    "/mimetype",
    "/download",
    "/after",
    "/abort-headers",
]


def _wsgi(app: flask.Flask, path: str, v: str) -> tuple[str, list[tuple[str, str]]]:
    """Call the WSGI app directly and return what reached start_response;
    a ValueError out of the callable counts as the server's 500."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.test import run_wsgi_app

    builder = EnvironBuilder(path=path, query_string={"v": v})
    environ = builder.get_environ()
    builder.close()

    try:
        app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
    except ValueError:
        return "500 INTERNAL SERVER ERROR", []

    b"".join(app_iter)
    return status, list(headers.items())


def _clean(status: str, headers: list[tuple[str, str]]) -> None:
    assert "\r" not in status and "\n" not in status, status

    for key, value in headers:
        for text in (key, value):
            assert "\r" not in text and "\n" not in text, (key, value)

        assert key.lower() not in {"x-injected", "folded"}, (key, value)

    set_cookies = [v for k, v in headers if k.lower() == "set-cookie"]
    assert not any(v.startswith("session=forged") for v in set_cookies)


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("path", SAFE)
def test_safely_encoded(iapp, path: str, payload: str) -> None:
    status, headers = _wsgi(iapp, path, payload)
    assert status[:3] in {"200", "302"}, (status, headers)
    _clean(status, headers)


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("path", REFUSED)
def test_refused_with_500(iapp, path: str, payload: str, caplog) -> None:
    status, headers = _wsgi(iapp, path, payload)
    assert status.startswith("500"), (status, headers)
    _clean(status, headers)
    assert not any(k.lower() in {"x-value", "x-after", "x-reason"} for k, _ in headers)


@pytest.mark.parametrize("path", REFUSED + SAFE)
def test_clean_values_pass(iapp, path: str) -> None:
    # The control: the same views with a harmless value are not refused,
    # so the 500s above come from the newline and nothing else.
    status, headers = _wsgi(iapp, path, "harmless")
    assert status[:3] in {"200", "201", "302", "403"}, (path, status)


def test_header_name_refused_even_in_the_error_path(iapp) -> None:
    @iapp.errorhandler(500)
    def on_500(e: Exception) -> t.Any:
        return "oops", 500, {"X-Bad\r\nX-Injected": "1"}

    status, headers = _wsgi(iapp, "/header-name", "a\r\nb")
    assert status.startswith("500")
    _clean(status, headers)


@pytest.mark.parametrize("path", ["/status-tuple", "/status-set", "/header-name"])
def test_canary_werkzeug_splits_status_and_header_names(
    iapp, monkeypatch, path: str
) -> None:
    """Without the guards in flask.Response, werkzeug hands the newline to
    the server in the status line or a header name."""
    monkeypatch.setattr(
        flask.Response, "_clean_status", werkzeug.wrappers.Response._clean_status
    )
    monkeypatch.setattr(
        flask.Response, "get_wsgi_headers", werkzeug.wrappers.Response.get_wsgi_headers
    )
    status, headers = _wsgi(iapp, path, "a\r\nX-Injected: 1")
    raw = status + "".join(k + v for k, v in headers)
    assert "\r\nX-Injected" in raw


def test_redirect_location_is_not_rewritten_to_another_host(iapp) -> None:
    client = iapp.test_client()

    for target in ["/\\evil.com", "/a b", "/%0d%0aX-Injected:1"]:
        rv = client.get("/redirect", query_string={"v": target})
        assert rv.status_code == 302
        location = rv.headers["Location"]
        # Kept relative and quoted: not made absolute with the request's
        # host, and a backslash (which browsers read as "/") is escaped.
        assert location.startswith("/") and not location.startswith("//")
        assert "\\" not in location and " " not in location
        assert "\r" not in location and "\n" not in location


def test_url_for_quotes_every_part(iapp) -> None:
    with iapp.test_request_context():
        url = flask.url_for(
            "target", name="a/b?c#d\r\n", q="x&y=z\r\n", _anchor="f\r\n g"
        )

    assert "\r" not in url and "\n" not in url and " " not in url
    assert url.startswith("/target/a/b%3Fc%23d%0D%0A?q=x%26y%3Dz%0D%0A#")


@pytest.mark.parametrize("payload", INJECTIONS)
def test_over_a_real_server(iapp, payload: str) -> None:
    from urllib.parse import quote

    with live_server(iapp) as port:
        for path in REFUSED + SAFE:
            data = raw_http(
                port,
                f"GET {path}?v={quote(payload)} HTTP/1.1\r\nHost: localhost\r\n"
                "Connection: close\r\n\r\n".encode(),
            )
            head = data.partition(b"\r\n\r\n")[0]
            lines = head.split(b"\r\n")
            assert lines[0].startswith(b"HTTP/1.1 "), (path, head)

            for line in lines[1:]:
                assert b":" in line and not line[:1].isspace(), (path, head)
                name = line.partition(b":")[0].lower()
                assert name not in {b"x-injected", b"folded"}, (path, head)
                assert not line.lower().startswith(b"set-cookie: session=forged")

            # Nothing after a forged blank line: the body is the view's.
            assert b"<script>" not in data.partition(b"\r\n\r\n")[2], path
