"""Template XSS: HTML-like templates escape by default, ``tojson`` output
is safe inside ``<script>`` and attributes, and the framework's own error
pages never reflect request data unescaped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markupsafe import Markup

import flask

XSS = "</script><script>alert(1)</script><!--<img src=x onerror=alert(1)>&'\""


@pytest.fixture
def xapp(tmp_path: Path) -> flask.Flask:
    templates = tmp_path / "templates"
    templates.mkdir()

    for ext in ["html", "htm", "xml", "xhtml", "svg", "txt", "js", "HTML"]:
        (templates / f"page.{ext}").write_text("{{ v }}")

    (templates / "script.html").write_text(
        "<script>var data = {{ v|tojson }};</script>"
        "<div data-x='{{ v|tojson }}' title=\"{{ v }}\"></div>"
    )
    (templates / "flashes.html").write_text(
        "{% for m in get_flashed_messages() %}<li>{{ m }}</li>{% endfor %}"
    )
    (templates / "macro.html").write_text(
        "{% macro show(x) %}<p>{{ x }}</p>{% endmacro %}{{ show(v) }}"
    )
    app = flask.Flask("sec_xss", root_path=str(tmp_path))
    app.config.update(SECRET_KEY="k")
    return app


@pytest.mark.parametrize("ext", ["html", "htm", "xml", "xhtml", "svg"])
def test_html_like_templates_autoescape(xapp, ext: str) -> None:
    with xapp.test_request_context():
        out = flask.render_template(f"page.{ext}", v=XSS)

    assert "<script>" not in out and "<img" not in out
    assert "&lt;/script&gt;" in out and "&#39;" in out and "&#34;" in out


@pytest.mark.parametrize("ext", ["txt", "js", "HTML"])
def test_other_templates_do_not_autoescape(xapp, ext: str) -> None:
    # The control: the escaping above comes from the extension rule, and
    # the rule is exactly Flask's (case-sensitive, as in Flask 3.1).
    with xapp.test_request_context():
        assert flask.render_template(f"page.{ext}", v=XSS) == XSS


def test_render_template_string_autoescapes(xapp) -> None:
    with xapp.test_request_context():
        out = flask.render_template_string("{{ v }}", v=XSS)

    assert "<" not in out and ">" not in out


def test_stream_template_autoescapes(xapp) -> None:
    with xapp.test_request_context():
        out = "".join(flask.stream_template("page.html", v=XSS))
        out_str = "".join(flask.stream_template_string("{{ v }}", v=XSS))

    assert "<script>" not in out and "<script>" not in out_str


def test_markup_is_trusted_but_not_double_escaped(xapp) -> None:
    with xapp.test_request_context():
        assert flask.render_template("page.html", v=Markup("<b>ok</b>")) == "<b>ok</b>"
        assert flask.render_template("page.html", v="&amp;") == "&amp;amp;"


def test_tojson_is_safe_in_script_and_attributes(xapp) -> None:
    value = {"k": XSS, "list": [XSS], "n": 1}

    with xapp.test_request_context():
        out = flask.render_template("script.html", v=value)

    script = out[len("<script>") : out.index("</script>")]
    # Nothing in the data can close the script or open a comment, and no
    # quote can leave the single-quoted attribute.
    assert "</" not in script and "<!--" not in script and "<" not in script
    attr = out[out.index("data-x='") + len("data-x='") :]
    attr = attr[: attr.index("'")]
    assert "<" not in attr and ">" not in attr and "&" not in attr
    # And it is still the same data for the browser's JSON parser.
    assert json.loads(script[len("var data = ") : -1]) == value
    assert json.loads(attr) == value


def test_tojson_filter_and_dumps_helper_agree(xapp) -> None:
    with xapp.test_request_context():
        rendered = flask.render_template_string("{{ v|tojson }}", v=XSS)

    for ch in "<>&'":
        assert ch not in rendered
    assert json.loads(rendered) == XSS


def test_flashed_messages_and_macros_are_escaped(xapp) -> None:
    @xapp.get("/flash")
    def flash_view() -> str:
        flask.flash(XSS)
        return "ok"

    @xapp.get("/show")
    def show() -> str:
        return flask.render_template("flashes.html") + flask.render_template(
            "macro.html", v=XSS
        )

    client = xapp.test_client()
    client.get("/flash")
    body = client.get("/show").data
    assert b"<script>" not in body and b"<img" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/%3Cscript%3Ealert(1)%3C/script%3E",
        "/missing?q=<script>alert(1)</script>",
        "/only-get/%3Cscript%3E/extra",
        "/only-get/<script>",
    ],
)
def test_error_pages_do_not_reflect_the_request(xapp, path: str) -> None:
    @xapp.get("/only-get/<name>")
    def only_get(name: str) -> str:
        return "ok"

    client = xapp.test_client()

    for method in ("GET", "POST"):
        rv = client.open(path, method=method)
        assert rv.status_code in {200, 404, 405}
        assert b"<script>" not in rv.data, (method, rv.status_code)


def test_abort_description_from_the_user_is_escaped(xapp) -> None:
    @xapp.get("/abort")
    def abort_view() -> str:
        flask.abort(400, description=flask.request.args["v"])

    rv = xapp.test_client().get("/abort", query_string={"v": XSS})
    assert rv.status_code == 400
    assert b"<script>" not in rv.data and b"<img" not in rv.data
    assert b"&lt;/script&gt;" in rv.data


def test_canary_autoescape_off_would_leak(xapp) -> None:
    # Turning autoescape off in jinja_options shows the payload is live.
    xapp.jinja_options = {**xapp.jinja_options, "autoescape": False}

    with xapp.test_request_context():
        assert "<script>" in flask.render_template("page.html", v=XSS)
