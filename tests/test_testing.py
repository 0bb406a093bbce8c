"""The test client, the environ builder and test request contexts."""

from __future__ import annotations

import importlib.metadata

import pytest
import werkzeug.test
from werkzeug.wrappers import Request as WerkzeugRequest

import flask
from flask.json.provider import DefaultJSONProvider
from flask.testing import EnvironBuilder
from flask.testing import FlaskClient


@pytest.fixture
def echo_app(app):
    """An app whose view describes the request it received."""

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "DELETE"])
    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE"])
    def echo(path):
        r = flask.request
        return {
            "method": r.method,
            "url": r.url,
            "path": r.path,
            "script_root": r.script_root,
            "args": r.args.to_dict(flat=False),
            "form": r.form.to_dict(),
            "json": r.get_json(silent=True),
            "data": r.get_data(as_text=True),
            "content_type": r.content_type,
            "remote_addr": r.remote_addr,
            "user_agent": r.user_agent.string,
            "x_test": r.headers.get("X-Test"),
        }

    return app


# --- client basics ----------------------------------------------------------


def test_client_is_flask_client(app):
    client = app.test_client()
    assert isinstance(client, FlaskClient)
    assert client.application is app


def test_client_default_environ(echo_app, client):
    rv = client.get("/")
    assert rv.json["remote_addr"] == "127.0.0.1"
    version = importlib.metadata.version("werkzeug")
    assert rv.json["user_agent"] == f"Werkzeug/{version}"
    assert rv.json["url"] == "http://localhost/"


def test_client_environ_base(echo_app, client):
    rv = client.get(
        "/", environ_base={"REMOTE_ADDR": "10.0.0.7", "HTTP_USER_AGENT": "probe/1"}
    )
    assert rv.json["remote_addr"] == "10.0.0.7"
    assert rv.json["user_agent"] == "probe/1"


def test_client_environ_base_attribute(echo_app):
    client = echo_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    assert client.get("/").json["remote_addr"] == "192.0.2.1"


def test_client_header_overrides_user_agent(echo_app, client):
    rv = client.get("/", headers={"User-Agent": "from header", "X-Test": "yes"})
    assert rv.json["user_agent"] == "from header"
    assert rv.json["x_test"] == "yes"


@pytest.mark.parametrize(
    ("kwargs", "path", "expect"),
    [
        ({}, "/?a=1&a=2", {"a": ["1", "2"]}),
        (
            {"query_string": {"b": ["1", "2"], "c": "é"}},
            "/",
            {"b": ["1", "2"], "c": ["é"]},
        ),
        ({"query_string": "d=4"}, "/", {"d": ["4"]}),
    ],
)
def test_client_query_string(echo_app, client, kwargs, path, expect):
    assert client.get(path, **kwargs).json["args"] == expect


def test_client_form_data(echo_app, client):
    rv = client.post("/", data={"name": "value"})
    assert rv.json["form"] == {"name": "value"}
    assert rv.json["content_type"] == "application/x-www-form-urlencoded"


def test_client_raw_data(echo_app, client):
    rv = client.put("/", data="raw body", content_type="text/plain")
    assert rv.json["data"] == "raw body"
    assert rv.json["method"] == "PUT"


@pytest.mark.parametrize("value", [{"a": [1, 2]}, [1, "two"], "text", 0])
def test_client_json(echo_app, client, value):
    rv = client.post("/", json=value)
    assert rv.json["json"] == value
    assert rv.json["content_type"] == "application/json"


def test_client_json_and_data_conflict(echo_app, client):
    with pytest.raises(TypeError, match="can't provide both json and data"):
        client.post("/", json={}, data="x")


@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "patch", "head"])
def test_client_method_helpers(app, client, method):
    @app.route("/", methods=[method.upper()])
    def index():
        return flask.request.method

    rv = getattr(client, method)("/")
    assert rv.status_code == 200

    if method != "head":
        assert rv.data == method.upper().encode()


def test_client_absolute_url(echo_app, client):
    rv = client.get("https://other.test:8443/p?x=1")
    assert rv.json["url"] == "https://other.test:8443/p?x=1"


def test_response_json_uses_app_json(app, client):
    class Provider(DefaultJSONProvider):
        def loads(self, s, **kwargs):
            return ("parsed by app", super().loads(s, **kwargs))

    app.json = Provider(app)
    app.add_url_rule("/", "index", lambda: {"a": 1})

    assert client.get("/").json == ("parsed by app", {"a": 1})


def test_client_cookies(app, client):
    @app.route("/set")
    def set_cookie():
        rv = flask.make_response("set")
        rv.set_cookie("flavor", "oat")
        return rv

    app.add_url_rule("/get", "get", lambda: flask.request.cookies.get("flavor", "-"))

    assert client.get("/get").data == b"-"
    client.get("/set")
    assert client.get("/get").data == b"oat"
    assert client.get_cookie("flavor").value == "oat"


def test_client_without_cookies(app):
    client = app.test_client(use_cookies=False)
    app.add_url_rule("/", "index", lambda: "")

    assert client.get("/").status_code == 200

    with pytest.raises(TypeError, match="Cookies are disabled"):
        client.get_cookie("x")


# --- redirects --------------------------------------------------------------


@pytest.fixture
def redirect_app(echo_app):
    echo_app.add_url_rule("/r1", "r1", lambda: flask.redirect("/r2"))
    echo_app.add_url_rule(
        "/r2", "r2", lambda: flask.redirect(flask.url_for("echo", path="end", z=1), 301)
    )
    echo_app.add_url_rule(
        "/r307", "r307", lambda: flask.redirect("/kept", 307), methods=["POST"]
    )
    return echo_app


def test_redirect_not_followed_by_default(redirect_app, client):
    rv = client.get("/r1")
    assert rv.status_code == 302
    assert rv.location == "/r2"
    assert rv.history == ()


def test_follow_redirects(redirect_app, client):
    rv = client.get("/r1", follow_redirects=True)
    assert rv.status_code == 200
    assert rv.json["path"] == "/end"
    assert rv.json["args"] == {"z": ["1"]}
    assert [r.status_code for r in rv.history] == [302, 301]
    assert [r.request.path for r in rv.history] == ["/r1", "/r2"]
    assert rv.request.path == "/end"


def test_follow_307_keeps_method_and_body(redirect_app, client):
    rv = client.post("/r307", data="payload", follow_redirects=True)
    assert rv.json["method"] == "POST"
    assert rv.json["data"] == "payload"
    assert rv.json["path"] == "/kept"


# --- EnvironBuilder and the app's URL config --------------------------------


def test_environ_builder_is_werkzeug_builder(app):
    assert issubclass(EnvironBuilder, werkzeug.test.EnvironBuilder)


@pytest.mark.parametrize(
    ("config", "expect_url", "expect_root"),
    [
        ({}, "http://localhost/p", ""),
        ({"SERVER_NAME": "example.test"}, "http://example.test/p", ""),
        ({"SERVER_NAME": "example.test:8080"}, "http://example.test:8080/p", ""),
        ({"APPLICATION_ROOT": "/mount"}, "http://localhost/mount/p", "/mount"),
        ({"PREFERRED_URL_SCHEME": "https"}, "https://localhost/p", ""),
        (
            {
                "SERVER_NAME": "example.test",
                "APPLICATION_ROOT": "/mount/",
                "PREFERRED_URL_SCHEME": "https",
            },
            "https://example.test/mount/p",
            "/mount",
        ),
    ],
)
def test_environ_builder_uses_url_config(app, config, expect_url, expect_root):
    app.config.update(config)

    with app.test_request_context("/p"):
        assert flask.request.url == expect_url
        assert flask.request.script_root == expect_root


def test_client_uses_url_config(echo_app, client):
    echo_app.config.update(
        SERVER_NAME="example.test",
        APPLICATION_ROOT="/app",
        PREFERRED_URL_SCHEME="https",
    )

    rv = client.get("/p?q=1")
    assert rv.json["url"] == "https://example.test/app/p?q=1"
    assert rv.json["script_root"] == "/app"


def test_environ_builder_subdomain(app):
    app.config["SERVER_NAME"] = "example.test"

    with app.test_request_context("/p", subdomain="api"):
        assert flask.request.host == "api.example.test"
        assert flask.request.url == "http://api.example.test/p"


def test_environ_builder_url_scheme(app):
    app.config["PREFERRED_URL_SCHEME"] = "http"

    with app.test_request_context("/p", url_scheme="https"):
        assert flask.request.scheme == "https"


def test_environ_builder_subdomain_and_url_scheme(app):
    app.config["SERVER_NAME"] = "example.test"
    builder = EnvironBuilder(app, "/", subdomain="api", url_scheme="https")

    try:
        assert builder.base_url == "https://api.example.test/"
    finally:
        builder.close()


def test_environ_builder_base_url(app):
    app.config.update(SERVER_NAME="ignored.test", APPLICATION_ROOT="/ignored")

    with app.test_request_context("/p", base_url="http://base.test/root/"):
        assert flask.request.url == "http://base.test/root/p"
        assert flask.request.script_root == "/root"


def test_environ_builder_absolute_path_keeps_app_root(app):
    app.config["APPLICATION_ROOT"] = "/root"

    with app.test_request_context("http://abs.test/z?k=v"):
        assert flask.request.url == "http://abs.test/root/z?k=v"
        assert flask.request.args["k"] == "v"


@pytest.mark.parametrize("kwargs", [{"subdomain": "api"}, {"url_scheme": "https"}])
def test_environ_builder_base_url_conflict(app, kwargs):
    with pytest.raises(AssertionError, match='Cannot pass "subdomain" or "url_scheme"'):
        EnvironBuilder(app, "/", base_url="http://x.test/", **kwargs)


def test_environ_builder_json_uses_app_json(app):
    app.json.sort_keys = False
    builder = EnvironBuilder(app, "/", json={"b": 1, "a": "é"})

    try:
        body = builder.get_environ()["wsgi.input"].read()
    finally:
        builder.close()

    assert body == b'{"b": 1, "a": "\\u00e9"}'
    assert builder.json_dumps({"b": 1}) == '{"b": 1}'


def test_environ_builder_app_attribute(app):
    builder = EnvironBuilder(app)

    try:
        assert builder.app is app
    finally:
        builder.close()


# --- client.open with prepared requests -------------------------------------


def test_open_with_flask_environ_builder(echo_app, client):
    builder = EnvironBuilder(
        echo_app, "/b", method="POST", data="built", query_string={"q": "1"}
    )

    try:
        rv = client.open(builder)
    finally:
        builder.close()

    assert rv.json["method"] == "POST"
    assert rv.json["data"] == "built"
    assert rv.json["args"] == {"q": ["1"]}
    # The client's environ defaults are added.
    assert rv.json["remote_addr"] == "127.0.0.1"


def test_open_with_werkzeug_environ_builder(echo_app, client):
    builder = werkzeug.test.EnvironBuilder(
        "/w", base_url="http://w.test/", method="PUT", data="x"
    )

    try:
        rv = client.open(builder)
    finally:
        builder.close()

    assert rv.json["url"] == "http://w.test/w"
    assert rv.json["method"] == "PUT"


def test_open_with_environ_dict(echo_app, client):
    builder = EnvironBuilder(echo_app, "/e", query_string="e=1")
    environ = builder.get_environ()
    builder.close()

    rv = client.open(environ)
    assert rv.json["path"] == "/e"
    assert rv.json["args"] == {"e": ["1"]}
    assert rv.json["remote_addr"] == "127.0.0.1"


def test_open_with_request(echo_app, client):
    builder = EnvironBuilder(
        echo_app, "/rq", environ_base={"REMOTE_ADDR": "198.51.100.2"}
    )
    request = WerkzeugRequest(builder.get_environ())
    builder.close()

    rv = client.open(request)
    assert rv.json["path"] == "/rq"
    # The request's own environ wins over the client's defaults.
    assert rv.json["remote_addr"] == "198.51.100.2"


# --- test_client_class ------------------------------------------------------


def test_test_client_class(app):
    class TaggingClient(FlaskClient):
        def open(self, *args, **kwargs):
            kwargs.setdefault("headers", {})["X-Tag"] = "tagged"
            return super().open(*args, **kwargs)

    app.test_client_class = TaggingClient
    app.add_url_rule("/", "index", lambda: flask.request.headers.get("X-Tag", "-"))

    client = app.test_client()
    assert type(client) is TaggingClient
    assert client.get("/").data == b"tagged"

    app.test_client_class = None
    assert type(app.test_client()) is FlaskClient


def test_test_client_kwargs_passed_to_class(app):
    class KwargsClient(FlaskClient):
        def __init__(self, *args, tag, **kwargs):
            self.tag = tag
            super().__init__(*args, **kwargs)

    app.test_client_class = KwargsClient
    client = app.test_client(tag="t1")
    assert client.tag == "t1"


# --- with client: keeping the last request's context ------------------------


def test_with_client_keeps_context(app, client):
    @app.route("/g")
    def set_g():
        flask.g.value = 42
        return ""

    with client:
        client.get("/g?x=1")
        assert flask.request.path == "/g"
        assert flask.request.args["x"] == "1"
        assert flask.g.value == 42
        assert flask.current_app._get_current_object() is app

    assert not flask.has_request_context()
    assert not flask.has_app_context()


def test_with_client_keeps_only_last_request(app, client):
    popped = []
    app.add_url_rule("/a", "a", lambda: "")
    app.add_url_rule("/b", "b", lambda: "")

    with client:
        client.get("/a")
        ctx_a = flask.globals.request_ctx._get_current_object()
        client.get("/b")
        ctx_b = flask.globals.request_ctx._get_current_object()
        assert flask.request.path == "/b"
        assert ctx_b is not ctx_a
        popped.append(flask.globals._cv_request.get(None) is ctx_b)

    assert popped == [True]
    assert not flask.has_request_context()


def test_with_client_teardown_still_runs_per_request(app, client):
    torn_down = []
    app.teardown_request(lambda exc: torn_down.append(flask.request.path))
    app.add_url_rule("/", "index", lambda: "")

    with client:
        client.get("/")
        # The kept context is for inspection; the request has ended.
        assert torn_down == ["/"]
        assert flask.request.path == "/"

    # COMPAT(3.1): popping the kept context at the end of the block runs
    # the teardown functions a second time.
    assert torn_down == ["/", "/"]


def test_with_client_follow_redirects_keeps_final_context(app, client):
    app.add_url_rule("/start", "start", lambda: flask.redirect("/end"))
    app.add_url_rule("/end", "end", lambda: "")

    with client:
        client.get("/start", follow_redirects=True)
        assert flask.request.path == "/end"


def test_with_client_without_request(app, client):
    with client:
        pass

    assert not flask.has_request_context()


def test_nested_with_client_fails(app, client):
    with client:
        with pytest.raises(RuntimeError, match="Cannot nest client invocations"):
            with client:
                pass  # pragma: no cover


def test_client_without_with_does_not_keep_context(app, client):
    app.add_url_rule("/", "index", lambda: "")
    client.get("/")
    assert not flask.has_request_context()


def test_with_client_propagated_error_keeps_no_context(app, client):
    @app.route("/")
    def index():
        raise ValueError

    with client:
        with pytest.raises(ValueError):
            client.get("/")

        assert not flask.has_request_context()


def test_with_client_keeps_context_of_error_response(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.register_error_handler(ValueError, lambda e: ("handled", 400))

    @app.route("/")
    def index():
        flask.g.before_error = True
        raise ValueError

    with client:
        assert client.get("/").status_code == 400
        assert flask.g.before_error is True


# --- test_request_context ---------------------------------------------------


def test_test_request_context_builds_request(app):
    with app.test_request_context(
        "/x?y=1", method="POST", data={"a": "b"}, headers={"X-H": "1"}
    ):
        assert flask.request.path == "/x"
        assert flask.request.args["y"] == "1"
        assert flask.request.method == "POST"
        assert flask.request.form["a"] == "b"
        assert flask.request.headers["X-H"] == "1"

    assert not flask.has_request_context()


def test_test_request_context_json(app):
    with app.test_request_context(json={"a": 1}):
        assert flask.request.get_json() == {"a": 1}
        assert flask.request.method == "GET"


def test_test_request_context_matches_url(app):
    app.add_url_rule("/item/<int:n>", "item", lambda n: "")

    with app.test_request_context("/item/3"):
        assert flask.request.endpoint == "item"
        assert flask.request.view_args == {"n": 3}

    with app.test_request_context("/nope"):
        assert flask.request.url_rule is None
        assert isinstance(flask.request.routing_exception, werkzeug.exceptions.NotFound)


def test_test_request_context_does_not_run_request(app):
    called = []
    app.before_request(lambda: called.append("before"))
    app.add_url_rule("/", "index", lambda: called.append("view"))

    with app.test_request_context("/"):
        pass

    assert called == []


def test_test_request_context_pushes_app_context(app):
    with app.test_request_context():
        assert flask.current_app._get_current_object() is app
        flask.g.x = 1

    assert not flask.has_app_context()


# --- prepared requests are not modified, extra arguments ignored ------------


def test_open_with_builder_leaves_builder_unchanged(echo_app, client):
    builder = werkzeug.test.EnvironBuilder("/b", method="POST", data="x")

    try:
        # The builder describes the whole request: the method "get" would
        # add is ignored, as is a second positional argument.
        assert client.get(builder).json["method"] == "POST"
        assert client.open(builder, "/other").json["path"] == "/b"
    finally:
        builder.close()

    assert builder.environ_base is None


def test_open_with_environ_dict_rebuilds_it(echo_app, client):
    builder = EnvironBuilder(echo_app, "/d", environ_base={"REMOTE_ADDR": "9.9.9.9"})
    environ = builder.get_environ()
    builder.close()
    before = dict(environ)

    rv = client.open(environ)
    # The request is rebuilt from the environ's standard keys, so keys such
    # as REMOTE_ADDR come from the client's defaults.
    assert rv.json["path"] == "/d"
    assert rv.json["remote_addr"] == "127.0.0.1"
    assert environ == before


def test_open_with_request_leaves_request_unchanged(echo_app, client):
    client.set_cookie("flavor", "oat")
    builder = EnvironBuilder(echo_app, "/rq")
    request = WerkzeugRequest(builder.get_environ())
    builder.close()
    before = dict(request.environ)

    rv = client.open(request)
    assert rv.json["remote_addr"] == "127.0.0.1"
    assert rv.request is not request
    assert request.environ == before


def test_response_request_has_the_environ_sent(echo_app, client):
    client.set_cookie("flavor", "oat")
    rv = client.get("/")
    environ = rv.request.environ
    assert environ["REMOTE_ADDR"] == "127.0.0.1"
    assert environ["HTTP_COOKIE"] == "flavor=oat"
    assert "werkzeug.debug.preserve_context" not in environ


def test_with_client_asks_app_for_contexts(echo_app, client):
    with client:
        rv = client.get("/")
        assert callable(rv.request.environ["werkzeug.debug.preserve_context"])


def test_client_drops_fragment(echo_app, client):
    rv = client.get("/frag?a=1#part")
    assert rv.json["path"] == "/frag"
    assert rv.json["args"] == {"a": ["1"]}


def test_absolute_url_host_wins_over_subdomain(app):
    app.config["SERVER_NAME"] = "example.test"

    with app.test_request_context("https://abs.test/p", subdomain="api"):
        assert flask.request.url == "https://abs.test/p"


def test_cli_runner_defaults_to_app_cli(app):
    @app.cli.command("hello")
    def hello():
        import click

        click.echo(f"hello from {flask.current_app.name}")

    result = app.test_cli_runner().invoke(args=["hello"])
    assert result.exit_code == 0
    assert result.output == f"hello from {app.name}\n"


def test_client_defaults_come_first_in_the_environ(app):
    """As on Flask 3.1: the client's base values (REMOTE_ADDR, User-Agent)
    precede the request's own in the environ, so ``request.headers`` lists
    User-Agent before Host.
    """

    @app.route("/")
    def index():
        return ",".join(flask.request.headers.keys())

    client = app.test_client()
    assert client.get("/").data == b"User-Agent,Host"
    assert client.get("/", headers={"X-A": "1"}).data == b"User-Agent,Host,X-A"
    rv = client.get("/", environ_base={"HTTP_USER_AGENT": "mine"})
    assert rv.request.environ["HTTP_USER_AGENT"] == "mine"
