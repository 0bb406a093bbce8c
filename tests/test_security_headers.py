"""Security headers (``SECURITY_HEADERS``) and the CSP nonce."""

from __future__ import annotations

import re
import typing as t

import pytest
from werkzeug.datastructures import Headers
from werkzeug.middleware.proxy_fix import ProxyFix

import flask
from flask import csp_nonce

DEFAULT_CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
)
EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": DEFAULT_CSP,
}
HSTS = "max-age=31536000; includeSubDomains"
NONCE = re.compile(r"nonce-([\w-]+)")


@pytest.fixture
def app(app: flask.Flask) -> flask.Flask:
    app.config["SECURITY_HEADERS"] = True

    @app.route("/")
    def index() -> str:
        return "hello"

    return app


def get(app: flask.Flask, path: str = "/", **kw: object):
    return app.test_client().get(path, **kw)


def security_headers(rv: object) -> dict[str, str]:
    names = {*EXPECTED, "Strict-Transport-Security"}
    return {k: v for k, v in rv.headers.items() if k in names}  # type: ignore[attr-defined]


def test_defaults(app: flask.Flask):
    assert security_headers(get(app)) == EXPECTED


@pytest.mark.parametrize("value", [True, 1])
def test_switch_values(app: flask.Flask, value: object):
    app.config["SECURITY_HEADERS"] = value
    assert security_headers(get(app)) == EXPECTED


def test_hsts_only_on_secure_requests(app: flask.Flask):
    assert "Strict-Transport-Security" not in get(app).headers
    rv = get(app, base_url="https://localhost")
    assert rv.headers["Strict-Transport-Security"] == HSTS


def test_hsts_behind_proxy_fix(app: flask.Flask):
    headers = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" not in get(app, headers=headers).headers
    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)  # type: ignore[method-assign]
    assert get(app, headers=headers).headers["Strict-Transport-Security"] == HSTS


def test_off_by_default(app: flask.Flask):
    app.config.pop("SECURITY_HEADERS")
    assert "SECURITY_HEADERS" not in flask.Flask.default_config
    assert security_headers(get(app, base_url="https://localhost")) == {}
    app.config["SECURITY_HEADERS"] = False
    assert security_headers(get(app, base_url="https://localhost")) == {}
    # And the templates get no nonce function.
    with app.test_request_context():
        assert flask.render_template_string("{{ csp_nonce is defined }}") == "False"
    assert not app.after_request_funcs
    assert not app.template_context_processors[None][1:]


def test_headers_the_view_set_are_kept(app: flask.Flask):
    @app.route("/framed")
    def framed():
        return "x", {"x-frame-options": "DENY", "Content-Security-Policy": "mine"}

    rv = get(app, "/framed")
    assert rv.headers.getlist("X-Frame-Options") == ["DENY"]
    assert rv.headers.getlist("Content-Security-Policy") == ["mine"]
    assert rv.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_headers_an_after_request_hook_set_are_kept(app: flask.Flask):
    @app.after_request
    def referrer(response: flask.Response) -> flask.Response:
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    assert get(app).headers.getlist("Referrer-Policy") == ["no-referrer"]


def test_overrides(app: flask.Flask):
    app.config["SECURITY_HEADERS"] = {
        "x-frame-options": "DENY",
        "Referrer-Policy": None,
        "Content-Security-Policy": None,
        "Permissions-Policy": "camera=()",
        "Strict-Transport-Security": "max-age=60",
    }
    rv = get(app)
    assert rv.headers["X-Frame-Options"] == "DENY"
    assert rv.headers["X-Content-Type-Options"] == "nosniff"
    assert rv.headers["Permissions-Policy"] == "camera=()"
    assert "Referrer-Policy" not in rv.headers
    assert "Content-Security-Policy" not in rv.headers
    assert "Strict-Transport-Security" not in rv.headers
    rv = get(app, base_url="https://localhost")
    assert rv.headers["Strict-Transport-Security"] == "max-age=60"


def test_overrides_change_between_requests(app: flask.Flask):
    app.config["SECURITY_HEADERS"] = {"X-Frame-Options": "DENY"}
    assert get(app).headers["X-Frame-Options"] == "DENY"
    app.config["SECURITY_HEADERS"]["X-Frame-Options"] = None
    assert "X-Frame-Options" not in get(app).headers


def test_error_pages_get_them(app: flask.Flask):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom() -> str:
        raise ValueError

    for path, status in (("/missing", 404), ("/boom", 500)):
        rv = get(app, path)
        assert rv.status_code == status
        assert security_headers(rv) == EXPECTED


@pytest.mark.parametrize(
    ("setting", "error", "match"),
    [
        ("yes", TypeError, "must be True, or a dict"),
        ({"X-Frame-Options": 1}, TypeError, "strings, or to None"),
        ({1: "x"}, TypeError, "strings, or to None"),
        ({"X-A": ["unhashable"]}, TypeError, "strings, or to None"),
        ({"X-A": "a\r\nSet-Cookie: x=1"}, ValueError, "line break"),
    ],
)
def test_invalid_settings(app: flask.Flask, setting, error, match):
    app.config["SECURITY_HEADERS"] = setting

    with pytest.raises(error, match=match):
        get(app)


# -- the nonce ---------------------------------------------------------------


def _nonce_page(app: flask.Flask) -> None:
    @app.route("/page")
    def page() -> str:
        return flask.render_template_string(
            "<script nonce='{{ csp_nonce() }}'></script>"
            "<style nonce='{{ csp_nonce() }}'></style>"
        )


def test_nonce_in_template_and_policy(app: flask.Flask):
    _nonce_page(app)
    rv = get(app, "/page")
    nonces = re.findall(r"nonce='([^']+)'", rv.text)
    assert len(nonces) == 2 and nonces[0] == nonces[1]
    nonce = nonces[0]
    assert len(nonce) >= 22
    assert rv.headers["Content-Security-Policy"] == (
        f"{DEFAULT_CSP}; script-src 'self' 'nonce-{nonce}';"
        f" style-src 'self' 'nonce-{nonce}'"
    )
    # A new one for each request.
    assert NONCE.findall(get(app, "/page").headers["Content-Security-Policy"])[0] != (
        nonce
    )


def test_no_nonce_unless_asked(app: flask.Flask):
    assert "nonce" not in get(app).headers["Content-Security-Policy"]


def test_nonce_from_python_code(app: flask.Flask):
    @app.route("/py")
    def py() -> str:
        return csp_nonce()

    rv = get(app, "/py")
    assert f"'nonce-{rv.text}'" in rv.headers["Content-Security-Policy"]


def test_nonce_with_a_streamed_template(app: flask.Flask):
    @app.route("/stream")
    def stream():
        return flask.stream_template_string("<script nonce='{{ csp_nonce() }}'>")

    rv = get(app, "/stream")
    nonce = re.search(r"nonce='([^']+)'", rv.text)[1]  # type: ignore[index]
    assert f"'nonce-{nonce}'" in rv.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            "script-src 'self' https://cdn.example",
            "script-src 'self' https://cdn.example 'nonce-N'",
        ),
        (
            "default-src 'none'; style-src 'self'",
            "default-src 'none'; style-src 'self' 'nonce-N'; script-src 'nonce-N'",
        ),
        ("frame-ancestors 'none'", "frame-ancestors 'none'"),
        ("img-src {braces}; ;", "img-src {braces}; ;"),
        (
            "default-src https://{x}.example",
            "default-src https://{x}.example;"
            " script-src https://{x}.example 'nonce-N'; style-src https://{x}.example"
            " 'nonce-N'",
        ),
    ],
)
def test_nonce_added_to_the_app_policy(app: flask.Flask, policy: str, expected: str):
    app.config["SECURITY_HEADERS"] = {"Content-Security-Policy": policy}
    _nonce_page(app)
    rv = get(app, "/page")
    nonce = re.search(r"nonce='([^']+)'", rv.text)[1]  # type: ignore[index]
    csp = rv.headers["Content-Security-Policy"]
    assert csp == expected.replace("'nonce-N'", f"'nonce-{nonce}'")


def test_nonce_outside_a_request():
    with pytest.raises(RuntimeError, match="needs an active request"):
        csp_nonce()


def test_context_processor_and_given_values_win(app: flask.Flask):
    with app.test_request_context():
        text = flask.render_template_string("{{ csp_nonce() }}", csp_nonce=lambda: "x")
        assert text == "x"

    app.context_processor(lambda: {"csp_nonce": lambda: "y"})

    with app.test_request_context():
        assert flask.render_template_string("{{ csp_nonce() }}") == "y"


def test_no_nonce_for_a_stream_without_templates(app: flask.Flask):
    _nonce_page(app)

    @app.route("/plain-stream")
    def plain_stream():
        # No template had the nonce function: no nonce is made.
        return iter(["a", "b"])

    rv = get(app, "/plain-stream")
    assert rv.text == "ab"
    assert rv.headers["Content-Security-Policy"] == DEFAULT_CSP


def test_a_headers_class_of_its_own(app: flask.Flask):
    class OwnHeaders(Headers):
        pass

    class OwnResponse(flask.Response):
        def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
            super().__init__(*args, **kwargs)
            self.headers = OwnHeaders(self.headers)

    app.response_class = OwnResponse

    @app.route("/deny")
    def deny():
        return "x", {"X-Frame-Options": "DENY"}

    assert security_headers(get(app)) == EXPECTED
    rv = get(app, "/deny")
    assert rv.headers.getlist("X-Frame-Options") == ["DENY"]
    assert security_headers(rv) == {**EXPECTED, "X-Frame-Options": "DENY"}


def test_directly_built_responses_take_the_headers_at_once(
    app: flask.Flask, monkeypatch: pytest.MonkeyPatch
):
    """The headers of text, JSON and error responses are werkzeug's list of
    pairs: extended at once, not added one by one, with the same result.
    """
    from flask import _security_headers

    one_by_one: list[object] = []
    add_each = _security_headers._add_each

    def recording(headers: t.Any, *args: t.Any) -> None:
        one_by_one.append(type(headers))
        add_each(headers, *args)

    monkeypatch.setattr(_security_headers, "_add_each", recording)
    app.add_url_rule("/json", "json", lambda: {"a": 1})

    for path in ("/", "/json", "/missing"):
        assert security_headers(get(app, path)) == EXPECTED

    assert one_by_one == []
