"""Cross-origin request protection (``CROSS_ORIGIN_PROTECTION``), every
branch of the decision, through the test client. The browser test is
``test_cross_origin_browser.py``.
"""

from __future__ import annotations

import asyncio
import logging
import typing as t

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

import flask
from flask import cross_origin_exempt
from flask import CrossOriginProtection
from flask.views import MethodView

UNSAFE = ["POST", "PUT", "PATCH", "DELETE"]
SAFE = ["GET", "HEAD", "OPTIONS"]
CROSS_SITE = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}


@pytest.fixture
def app(app: flask.Flask) -> flask.Flask:
    app.config["CROSS_ORIGIN_PROTECTION"] = True

    @app.route("/", methods=[*UNSAFE, "GET"])
    def index() -> str:
        return "changed"

    return app


def send(app: flask.Flask, method: str = "POST", path: str = "/", **kw: object):
    return app.test_client().open(path, method=method, **kw)


# -- Sec-Fetch-Site ----------------------------------------------------------


@pytest.mark.parametrize("method", UNSAFE)
@pytest.mark.parametrize(
    ("site", "status"),
    [
        ("same-origin", 200),
        ("none", 200),
        ("same-site", 403),
        ("cross-site", 403),
        ("something-new", 403),
    ],
)
def test_sec_fetch_site(app: flask.Flask, method: str, site: str, status: int):
    rv = send(app, method, headers={"Sec-Fetch-Site": site})
    assert rv.status_code == status


@pytest.mark.parametrize("method", SAFE)
def test_safe_methods_pass_from_anywhere(app: flask.Flask, method: str):
    assert send(app, method, headers=CROSS_SITE).status_code == 200


def test_sec_fetch_site_wins_over_origin(app: flask.Flask):
    # A same-origin request whose Origin would not match (a proxy that
    # rewrote Host without ProxyFix) is accepted: the browser said so.
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "https://public.example"}
    assert send(app, headers=headers).status_code == 200
    # And a cross-site one whose Origin happens to match is refused.
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}
    assert send(app, headers=headers).status_code == 403


# -- Origin only (browsers without Sec-Fetch-Site) -----------------------------


@pytest.mark.parametrize(
    ("origin", "base_url", "status"),
    [
        ("http://localhost", "http://localhost", 200),
        ("HTTP://LocalHost", "http://localhost", 200),
        ("http://localhost:80", "http://localhost", 200),
        ("https://localhost", "https://localhost", 200),
        ("http://localhost:5000", "http://localhost:5000", 200),
        ("http://[::1]:5000", "http://[::1]:5000", 200),
        # Behind a TLS proxy without ProxyFix the app sees http: only the
        # host is compared.
        ("https://localhost", "http://localhost", 200),
        ("http://localhost:5001", "http://localhost:5000", 403),
        ("http://localhost", "http://localhost:5000", 403),
        ("https://evil.example", "http://localhost", 403),
        ("http://localhost.evil.example", "http://localhost", 403),
        ("null", "http://localhost", 403),
        ("ftp://localhost", "http://localhost", 403),
        ("http://localhost:notaport", "http://localhost", 403),
    ],
)
def test_origin_only(app: flask.Flask, origin: str, base_url: str, status: int):
    rv = send(app, headers={"Origin": origin}, base_url=base_url)
    assert rv.status_code == status


@pytest.mark.parametrize("method", UNSAFE)
def test_neither_header_passes(app: flask.Flask, method: str):
    # curl, API clients, server-to-server calls: no browser, no forgery.
    assert send(app, method).status_code == 200


# -- trusted origins -------------------------------------------------------


def test_trusted_origin_from_the_extension(app: flask.Flask):
    CrossOriginProtection(app, trusted_origins=["https://SSO.example:443/"[:-1]])
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://sso.example"}
    assert send(app, headers=headers).status_code == 200
    assert send(app, headers=CROSS_SITE).status_code == 403


def test_trusted_origin_from_the_config(app: flask.Flask):
    app.config["CROSS_ORIGIN_TRUSTED_ORIGINS"] = ["https://sso.example:8443"]
    headers = {"Sec-Fetch-Site": "same-site", "Origin": "https://sso.example:8443"}
    assert send(app, headers=headers).status_code == 200
    # Origin only, too.
    assert send(app, headers={"Origin": "https://sso.example:8443"}).status_code == 200
    headers["Origin"] = "https://sso.example"
    assert send(app, headers=headers).status_code == 403


def test_trusted_origin_needs_an_origin(app: flask.Flask):
    app.config["CROSS_ORIGIN_TRUSTED_ORIGINS"] = ["https://sso.example"]
    assert send(app, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "null"}
    assert send(app, headers=headers).status_code == 403


def test_add_trusted_origin_later(app: flask.Flask):
    protection = CrossOriginProtection(app)
    assert send(app, headers=CROSS_SITE).status_code == 403
    protection.add_trusted_origin("https://evil.example")
    assert send(app, headers=CROSS_SITE).status_code == 200


@pytest.mark.parametrize(
    "origin",
    [
        "sso.example",
        "https://sso.example/path",
        "https://",
        "null",
        "https://a?b",
        "https://user@sso.example",
        "https://sso.example:99999",
    ],
)
def test_a_trusted_origin_must_be_an_origin(origin: str):
    with pytest.raises(ValueError, match="is not an origin"):
        CrossOriginProtection(trusted_origins=[origin])


@pytest.mark.parametrize("value", ["https://sso.example", 42])
def test_config_trusted_origins_must_be_a_list(app: flask.Flask, value: object):
    app.config["CROSS_ORIGIN_TRUSTED_ORIGINS"] = value

    with pytest.raises(TypeError, match="must be a list of origins"):
        send(app, headers=CROSS_SITE)


def test_config_trusted_origins_entries_are_checked(app: flask.Flask):
    app.config["CROSS_ORIGIN_TRUSTED_ORIGINS"] = ["https://ok.example", 7]

    with pytest.raises(ValueError, match="7 is not an origin"):
        send(app, headers=CROSS_SITE)


# -- exempt views ----------------------------------------------------------


def test_exempt_view_with_the_decorator(app: flask.Flask):
    @app.post("/hook")
    @cross_origin_exempt
    def hook() -> str:
        return "hooked"

    assert send(app, path="/hook", headers=CROSS_SITE).data == b"hooked"
    # Other views stay protected.
    assert send(app, headers=CROSS_SITE).status_code == 403


def test_exempt_view_endpoint_and_blueprint(app: flask.Flask):
    protection = CrossOriginProtection(app)
    parent = flask.Blueprint("parent", __name__, url_prefix="/p")
    child = flask.Blueprint("child", __name__, url_prefix="/c")
    other = flask.Blueprint("other", __name__, url_prefix="/o")

    @app.post("/by-view")
    @protection.exempt
    def by_view() -> str:
        return "ok"

    @app.post("/by-name")
    def by_name() -> str:
        return "ok"

    @child.post("/x")
    def in_child() -> str:
        return "ok"

    @other.post("/x")
    def in_other() -> str:
        return "ok"

    protection.exempt("by_name")
    protection.exempt(child)
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    app.register_blueprint(other)

    for path in ("/by-view", "/by-name", "/p/c/x"):
        assert send(app, path=path, headers=CROSS_SITE).status_code == 200, path

    assert send(app, path="/o/x", headers=CROSS_SITE).status_code == 403


def test_exempt_given_to_the_constructor(app: flask.Flask):
    @app.post("/hook")
    def hook() -> str:
        return "ok"

    CrossOriginProtection(app, exempt=["hook"])
    assert send(app, path="/hook", headers=CROSS_SITE).status_code == 200


def test_exempt_method_view(app: flask.Flask):
    class Hook(MethodView):
        decorators = [cross_origin_exempt]

        def post(self) -> str:
            return "ok"

    app.add_url_rule("/hook", view_func=Hook.as_view("hook"))
    assert send(app, path="/hook", headers=CROSS_SITE).status_code == 200


class SlottedView:
    """A view object that cannot be referenced weakly."""

    __slots__ = ()

    def __call__(self) -> str:
        return "slotted"


def test_exempt_needs_a_weakly_referenceable_view():
    with pytest.raises(TypeError, match="exempt its endpoint name"):
        cross_origin_exempt(SlottedView())


def test_a_view_that_cannot_be_exempt_is_checked(app: flask.Flask):
    # Never in the exempt set, and no error asking; its endpoint can be.
    app.add_url_rule("/s", "slotted", view_func=SlottedView(), methods=["POST"])
    assert send(app, path="/s", headers=CROSS_SITE).status_code == 403
    CrossOriginProtection(app, exempt=["slotted"])
    assert send(app, path="/s", headers=CROSS_SITE).data == b"slotted"


# -- behind a proxy --------------------------------------------------------


PROXY = "http://10.0.0.2:8000"


def test_behind_proxy_fix_the_forwarded_host_is_compared(app: flask.Flask):
    headers = {
        "Origin": "https://blog.example",
        "X-Forwarded-Host": "blog.example",
        "X-Forwarded-Proto": "https",
    }
    # Without ProxyFix the app sees the proxy's Host: refused.
    assert send(app, headers=headers, base_url=PROXY).status_code == 403

    app.wsgi_app = ProxyFix(app.wsgi_app, x_host=1, x_proto=1)  # type: ignore[method-assign]
    assert send(app, headers=headers, base_url=PROXY).status_code == 200
    # A page of another site posting through the proxy is still refused.
    headers["Origin"] = "https://evil.example"
    assert send(app, headers=headers, base_url=PROXY).status_code == 403


# -- the refusal -------------------------------------------------------------


def test_refusal_is_a_403_with_a_description(app: flask.Flask):
    rv = send(app, headers=CROSS_SITE)
    assert rv.status_code == 403
    assert b"403 Forbidden" in rv.data
    assert b"refused because it came from another website" in rv.data
    # Nothing of the request is reflected in the page.
    assert b"evil" not in rv.data


def test_refusal_goes_to_the_error_handlers(app: flask.Flask):
    @app.errorhandler(403)
    def forbidden(e: Exception):
        return {"error": "forbidden", "description": e.description}, 403  # type: ignore[attr-defined]

    rv = send(app, headers=CROSS_SITE)
    assert rv.status_code == 403
    assert rv.json["error"] == "forbidden"  # type: ignore[index]
    assert "another website" in rv.json["description"]  # type: ignore[index]


def test_refusal_is_logged_at_info(app: flask.Flask, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        send(app, "PUT", headers=CROSS_SITE)

    [record] = [r for r in caplog.records if r.name == app.logger.name]
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        "Refused a cross-origin PUT request to /: Sec-Fetch-Site is 'cross-site'."
    )


def test_origin_refusal_log_names_origin_and_host(
    app: flask.Flask, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        send(app, headers={"Origin": "https://evil.example"})

    assert caplog.records[-1].getMessage() == (
        "Refused a cross-origin POST request to /: Origin 'https://evil.example'"
        " is not the host 'localhost'."
    )


def test_refused_before_the_before_request_functions(app: flask.Flask):
    calls = []
    app.before_request(lambda: calls.append("before"))
    app.url_value_preprocessor(lambda endpoint, values: calls.append("preprocess"))
    rv = send(app, headers=CROSS_SITE)
    assert rv.status_code == 403
    assert calls == []
    send(app, headers={"Sec-Fetch-Site": "same-origin"})
    assert calls == ["preprocess", "before"]


def test_unknown_url_is_refused_too(app: flask.Flask):
    assert send(app, path="/nope", headers=CROSS_SITE).status_code == 403
    assert send(app, path="/nope").status_code == 404


# -- on and off --------------------------------------------------------------


def test_off_by_default(app: flask.Flask):
    app.config.pop("CROSS_ORIGIN_PROTECTION")
    assert "CROSS_ORIGIN_PROTECTION" not in flask.Flask.default_config
    assert send(app, headers=CROSS_SITE).status_code == 200
    app.config["CROSS_ORIGIN_PROTECTION"] = False
    assert send(app, headers=CROSS_SITE).status_code == 200


def test_extension_turns_it_on_without_hooks(app: flask.Flask):
    app.config.pop("CROSS_ORIGIN_PROTECTION")
    protection = CrossOriginProtection()
    protection.init_app(app)
    assert app.config["CROSS_ORIGIN_PROTECTION"] is True
    assert app.extensions["cross_origin_protection"] is protection
    assert not app.before_request_funcs
    assert send(app, headers=CROSS_SITE).status_code == 403
    # The switch turns it off again, in some tests say.
    app.config["CROSS_ORIGIN_PROTECTION"] = False
    assert send(app, headers=CROSS_SITE).status_code == 200


def test_no_context_left_after_a_refusal(app: flask.Flask):
    with app.test_client() as client:
        assert client.post("/", headers=CROSS_SITE).status_code == 403
        assert flask.request.path == "/"


def _asgi_post(app: flask.Flask, headers: list[tuple[bytes, bytes]]) -> list[t.Any]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }
    sent: list[t.Any] = []
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, t.Any]:
        if messages:
            return messages.pop()

        await asyncio.Event().wait()  # the client stays; cancelled at the end
        raise AssertionError("unreachable")

    async def send(message: dict[str, t.Any]) -> None:
        sent.append(message)

    asyncio.run(app.asgi(scope, receive, send))
    return sent


def test_the_asgi_door_is_protected_too(app: flask.Flask):
    pytest.importorskip("greenlet")
    app.config["SECURITY_HEADERS"] = True
    start, *_ = _asgi_post(app, [(b"sec-fetch-site", b"cross-site")])
    assert start["status"] == 403
    assert (b"x-content-type-options", b"nosniff") in start["headers"]
    start, *_ = _asgi_post(app, [(b"sec-fetch-site", b"same-origin")])
    assert start["status"] == 200
    assert (b"x-content-type-options", b"nosniff") in start["headers"]
