"""Static files: the app's ``static`` endpoint and its configuration,
``send_static_file``, caching headers and conditional requests, static
hosts, and blueprint static folders.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from blueprintapp import make_shop
from werkzeug.exceptions import NotFound

import flask

TESTS_DIR = os.path.dirname(__file__)
INDEX_HTML = b"<!doctype html>\n<title>index</title>\n<p>static index</p>\n"


def _get(client, *args, **kwargs):
    """GET and read a file response, closing it (file responses hold an
    open file, and unclosed ones warn).
    """
    rv = client.get(*args, **kwargs)
    rv.get_data()  # buffers the body, so it stays readable after close
    rv.close()
    return rv


# --- the static endpoint ---------------------------------------------------------


def test_static_file_served(app, client):
    rv = _get(client, "/static/index.html")
    assert rv.status_code == 200
    assert rv.data == INDEX_HTML
    assert rv.mimetype == "text/html"
    assert rv.headers["Content-Length"] == str(len(INDEX_HTML))


def test_static_json_file(app, client):
    rv = _get(client, "/static/config.json")
    assert rv.mimetype == "application/json"
    assert rv.json == {"name": "flask_test", "static": True}


def test_static_rule_and_endpoint(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint == "static"]
    assert [r.rule for r in rules] == ["/static/<path:filename>"]
    assert "static" in app.view_functions


def test_static_url_for(app, req_ctx):
    assert flask.url_for("static", filename="index.html") == "/static/index.html"
    assert (
        flask.url_for("static", filename="css/site.css", _external=True)
        == "http://localhost/static/css/site.css"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/static/missing.txt",
        "/static/../conftest.py",
        "/static/%2e%2e/conftest.py",
        "/static/",
        "/static/nested/",
    ],
)
def test_static_not_found(app, client, path):
    assert _get(client, path).status_code == 404


def test_static_only_get_head_options(app, client):
    rv = client.post("/static/index.html")
    assert rv.status_code == 405
    assert sorted(rv.allow) == ["GET", "HEAD", "OPTIONS"]


def test_static_head(app, client):
    rv = client.head("/static/index.html")
    rv.close()
    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.headers["Content-Length"] == str(len(INDEX_HTML))


def test_static_range_request(app, client):
    rv = _get(client, "/static/index.html", headers={"Range": "bytes=0-4"})
    assert rv.status_code == 206
    assert rv.data == b"<!doc"
    assert rv.headers["Content-Range"] == f"bytes 0-4/{len(INDEX_HTML)}"


def test_static_content_disposition_inline(app, client):
    rv = _get(client, "/static/index.html")
    assert rv.headers["Content-Disposition"] == "inline; filename=index.html"


# --- conditional requests ---------------------------------------------------------


def test_static_etag_and_last_modified(app, client):
    rv = _get(client, "/static/index.html")
    assert rv.headers["ETag"]
    assert rv.last_modified is not None
    assert rv.headers["Cache-Control"] == "no-cache"


def test_static_if_none_match_304(app, client):
    etag = _get(client, "/static/index.html").headers["ETag"]
    rv = _get(client, "/static/index.html", headers={"If-None-Match": etag})
    assert rv.status_code == 304
    assert rv.data == b""


def test_static_if_none_match_other_etag_200(app, client):
    rv = _get(client, "/static/index.html", headers={"If-None-Match": '"other"'})
    assert rv.status_code == 200
    assert rv.data == INDEX_HTML


def test_static_if_modified_since_304(app, client):
    last_modified = _get(client, "/static/index.html").headers["Last-Modified"]
    rv = _get(
        client, "/static/index.html", headers={"If-Modified-Since": last_modified}
    )
    assert rv.status_code == 304


def test_blueprint_static_conditional(app, client):
    app.register_blueprint(make_shop())
    etag = _get(client, "/shop/static/shop.css").headers["ETag"]
    rv = _get(client, "/shop/static/shop.css", headers={"If-None-Match": etag})
    assert rv.status_code == 304


# --- max age -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "max_age"),
    [(3600, 3600), (timedelta(hours=2), 7200), (0, 0)],
)
def test_send_file_max_age_default(app, client, value, max_age):
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = value
    rv = _get(client, "/static/index.html")
    assert rv.cache_control.max_age == max_age
    assert rv.cache_control.public is (max_age > 0)
    assert rv.expires is not None

    with app.app_context():
        assert app.get_send_file_max_age("index.html") == max_age


def test_send_file_max_age_none(app, client):
    assert app.config["SEND_FILE_MAX_AGE_DEFAULT"] is None
    rv = _get(client, "/static/index.html")
    assert rv.cache_control.max_age is None
    assert rv.cache_control.no_cache
    assert rv.expires is None

    with app.app_context():
        assert app.get_send_file_max_age("index.html") is None


def test_get_send_file_max_age_override(client):
    class PerFileFlask(flask.Flask):
        def get_send_file_max_age(self, filename):
            if filename.endswith(".json"):
                return 60
            return super().get_send_file_max_age(filename)

    app = PerFileFlask("flask_test", root_path=TESTS_DIR)
    client = app.test_client()
    assert _get(client, "/static/config.json").cache_control.max_age == 60
    assert _get(client, "/static/index.html").cache_control.max_age is None


def test_get_send_file_max_age_needs_app_context(app):
    with pytest.raises(RuntimeError, match="application context"):
        app.get_send_file_max_age("index.html")


# --- send_static_file -----------------------------------------------------------


def test_send_static_file(app, req_ctx):
    rv = app.send_static_file("index.html")
    rv.direct_passthrough = False
    assert rv.status_code == 200
    assert rv.data == INDEX_HTML
    rv.close()


def test_send_static_file_missing(app, req_ctx):
    with pytest.raises(NotFound):
        app.send_static_file("missing.txt")


def test_send_static_file_without_folder(req_ctx):
    app = flask.Flask("flask_test", static_folder=None)

    with app.test_request_context():
        with pytest.raises(RuntimeError, match="'static_folder' must be set"):
            app.send_static_file("index.html")


def test_send_static_file_from_view(app, client):
    @app.route("/")
    def index():
        return app.send_static_file("index.html")

    assert _get(client, "/").data == INDEX_HTML


# --- configuration --------------------------------------------------------------


def test_has_static_folder(app):
    assert app.has_static_folder
    assert app.static_folder == os.path.join(TESTS_DIR, "static")
    assert app.static_url_path == "/static"


def test_static_folder_none(client):
    app = flask.Flask("flask_test", root_path=TESTS_DIR, static_folder=None)
    assert not app.has_static_folder
    assert app.static_folder is None
    assert app.static_url_path is None
    assert "static" not in app.view_functions
    assert list(app.url_map.iter_rules()) == []
    assert _get(app.test_client(), "/static/index.html").status_code == 404


@pytest.mark.parametrize(
    ("static_url_path", "expected_path", "url"),
    [
        ("/assets", "/assets", "/assets/index.html"),
        ("/assets/", "/assets", "/assets/index.html"),
        ("/a/b", "/a/b", "/a/b/index.html"),
        ("", "", "/index.html"),
    ],
)
def test_static_url_path(static_url_path, expected_path, url):
    app = flask.Flask(
        "flask_test", root_path=TESTS_DIR, static_url_path=static_url_path
    )
    assert app.static_url_path == expected_path
    rv = _get(app.test_client(), url)
    assert rv.status_code == 200
    assert rv.data == INDEX_HTML

    with app.test_request_context():
        assert flask.url_for("static", filename="index.html") == url


def test_static_folder_custom(client):
    app = flask.Flask("flask_test", root_path=TESTS_DIR, static_folder="templates/")
    assert app.static_folder == os.path.join(TESTS_DIR, "templates")
    assert app.static_url_path == "/templates"
    rv = _get(app.test_client(), "/templates/hello.html")
    assert rv.data == b"<h1>{{ greeting }}, {{ name }}!</h1>\n"


def test_static_folder_absolute(tmp_path):
    (tmp_path / "file.txt").write_text("absolute")
    app = flask.Flask("flask_test", static_folder=str(tmp_path), static_url_path="/f")
    assert app.static_folder == str(tmp_path)
    assert _get(app.test_client(), "/f/file.txt").data == b"absolute"


def test_static_folder_and_url_path_setters():
    app = flask.Flask("flask_test", root_path=TESTS_DIR)
    app.static_folder = "templates"
    assert app.static_folder == os.path.join(TESTS_DIR, "templates")
    # Without an explicit URL path it follows the folder name, but the
    # rule added at creation keeps its URL.
    assert app.static_url_path == "/templates"
    assert [r.rule for r in app.url_map.iter_rules()] == ["/static/<path:filename>"]
    app.static_url_path = "/s/"
    assert app.static_url_path == "/s"


def test_static_route_serves_changed_folder(app, client):
    app.static_folder = "templates"
    assert _get(client, "/static/hello.html").status_code == 200
    assert _get(client, "/static/index.html").status_code == 404


def test_static_view_does_not_keep_app_alive():
    import gc
    import weakref

    app = flask.Flask("flask_test", root_path=TESTS_DIR)
    ref = weakref.ref(app)
    del app
    gc.collect()
    assert ref() is None


# --- static_host ----------------------------------------------------------------


def test_static_host(client):
    app = flask.Flask(
        "flask_test",
        root_path=TESTS_DIR,
        host_matching=True,
        static_host="cdn.example.test",
    )
    rule = next(app.url_map.iter_rules("static"))
    assert rule.host == "cdn.example.test"
    client = app.test_client()
    rv = _get(client, "/static/index.html", base_url="http://cdn.example.test")
    assert rv.status_code == 200
    assert rv.data == INDEX_HTML
    rv = _get(client, "/static/index.html", base_url="http://www.example.test")
    assert rv.status_code == 404

    with app.test_request_context(base_url="http://www.example.test"):
        assert (
            flask.url_for("static", filename="a.css")
            == "http://cdn.example.test/static/a.css"
        )


def test_static_host_with_app_routes():
    app = flask.Flask(
        "flask_test",
        root_path=TESTS_DIR,
        host_matching=True,
        static_host="cdn.example.test",
    )
    app.add_url_rule("/", "index", lambda: "www index", host="www.example.test")
    client = app.test_client()
    assert client.get("/", base_url="http://www.example.test").data == b"www index"
    assert client.get("/", base_url="http://cdn.example.test").status_code == 404


@pytest.mark.parametrize(
    "kwargs",
    [
        {"static_host": "cdn.example.test"},
        {"host_matching": True},
    ],
)
def test_static_host_bad_combination(kwargs):
    with pytest.raises(AssertionError, match="Invalid static_host/host_matching"):
        flask.Flask("flask_test", **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"static_host": "cdn.example.test", "static_folder": None},
        {"host_matching": True, "static_folder": None},
        {"host_matching": False},
    ],
)
def test_static_host_combination_without_static_route(kwargs):
    app = flask.Flask("flask_test", **kwargs)
    assert isinstance(app, flask.Flask)


# --- blueprints -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/shop/static/shop.css", b"body { color: teal; }\n"),
        ("/shop/catalog/static/catalog.txt", b"catalog static file\n"),
        ("/shop/catalog/items/static/items.json", b'{"level": "items"}\n'),
    ],
)
def test_nested_blueprint_static(app, client, url, body):
    app.register_blueprint(make_shop())
    rv = _get(client, url)
    assert rv.status_code == 200
    assert rv.data == body


def test_blueprint_static_missing_uses_blueprint_404(app, client):
    app.register_blueprint(make_shop())
    rv = _get(client, "/shop/catalog/static/missing.txt")
    assert rv.status_code == 404
    assert rv.data == b"catalog not found"


def test_blueprint_static_max_age_from_config(app, client):
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 30
    app.register_blueprint(make_shop())
    assert _get(client, "/shop/static/shop.css").cache_control.max_age == 30
