"""URL rules: registration, converters, slashes, methods, automatic HEAD
and OPTIONS, hosts and subdomains, URL config keys, the late-setup guard
and the constructor's folder parameters.
"""

from __future__ import annotations

import os
import uuid

import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.routing import BaseConverter
from werkzeug.routing import Rule
from werkzeug.test import Client
from werkzeug.wrappers import Response as WerkzeugResponse

import flask


def _allow(response) -> set[str]:
    """The ``Allow`` header as a set; its order is not specified."""
    return {m.strip() for m in response.headers["Allow"].split(",")}


# -- registration -----------------------------------------------------------


def test_route_registers_view_under_function_name(app, client):
    @app.route("/")
    def index():
        return "hello"

    assert app.view_functions["index"] is index
    assert client.get("/").data == b"hello"


def test_route_returns_the_function_unchanged(app):
    def view():
        return "x"

    assert app.route("/")(view) is view


def test_route_with_explicit_endpoint(app, client):
    @app.route("/about", endpoint="about_page")
    def about():
        return "about"

    assert "about_page" in app.view_functions
    assert "about" not in app.view_functions

    with app.test_request_context():
        assert flask.url_for("about_page") == "/about"

    assert client.get("/about").data == b"about"


def test_add_url_rule_with_endpoint_and_view(app, client):
    def show():
        return "shown"

    app.add_url_rule("/show", "show_ep", show)

    assert app.view_functions["show_ep"] is show
    assert client.get("/show").data == b"shown"


def test_add_url_rule_without_endpoint_or_view_fails(app):
    with pytest.raises(AssertionError, match="expected view func"):
        app.add_url_rule("/nothing")


def test_endpoint_decorator_binds_a_rule_added_without_view(app, client):
    app.add_url_rule("/later", "later_ep")

    @app.endpoint("later_ep")
    def later():
        return "later"

    assert app.view_functions["later_ep"] is later
    assert client.get("/later").data == b"later"


def test_view_functions_lists_every_endpoint(app):
    @app.route("/a")
    def a():
        return ""

    app.add_url_rule("/b", "b_ep", a)

    assert set(app.view_functions) == {"static", "a", "b_ep"}
    assert {r.endpoint for r in app.url_map.iter_rules()} == {"static", "a", "b_ep"}


def test_one_view_on_several_rules(app, client):
    @app.route("/one")
    @app.route("/two")
    def both():
        return flask.request.path

    assert client.get("/one").data == b"/one"
    assert client.get("/two").data == b"/two"
    assert len(app.url_map._rules_by_endpoint["both"]) == 2


def test_same_endpoint_with_same_function_twice_is_allowed(app, client):
    def view():
        return "same"

    app.add_url_rule("/x", "ep", view)
    app.add_url_rule("/y", "ep", view)

    assert client.get("/y").data == b"same"


def test_endpoint_reused_by_another_function_fails_at_registration(app):
    @app.route("/first", endpoint="dup")
    def first():
        return "first"

    def second():
        return "second"

    with pytest.raises(AssertionError) as exc_info:
        app.add_url_rule("/second", "dup", second)

    assert str(exc_info.value) == (
        "View function mapping is overwriting an existing endpoint function: dup"
    )
    assert app.view_functions["dup"] is first


def test_matched_rule_is_exposed_on_the_request(app, client):
    @app.route("/item/<int:n>")
    def item(n):
        req = flask.request
        return {
            "rule": req.url_rule.rule,
            "args": req.view_args,
            "endpoint": req.endpoint,
        }

    assert client.get("/item/7").json == {
        "rule": "/item/<int:n>",
        "args": {"n": 7},
        "endpoint": "item",
    }


def test_url_rule_class_is_used_for_new_rules():
    class TaggedRule(Rule):
        pass

    class TaggedFlask(flask.Flask):
        url_rule_class = TaggedRule

    app = TaggedFlask(__name__)

    @app.route("/")
    def index():
        return type(flask.request.url_rule).__name__

    assert app.test_client().get("/").data == b"TaggedRule"
    assert all(isinstance(r, TaggedRule) for r in app.url_map.iter_rules())


# -- methods ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "patch"])
def test_method_shortcut_decorators(app, client, method):
    @getattr(app, method)("/thing")
    def thing():
        return flask.request.method

    rule = next(app.url_map.iter_rules("thing"))
    assert method.upper() in rule.methods

    assert client.open("/thing", method=method.upper()).data == method.upper().encode()

    other = "POST" if method == "get" else "GET"
    assert client.open("/thing", method=other).status_code == 405


@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "patch"])
def test_method_shortcut_rejects_methods_argument(app, method):
    with pytest.raises(TypeError, match="Use the 'route' decorator"):
        getattr(app, method)("/x", methods=["GET"])


def test_shortcuts_share_one_url(app, client):
    @app.get("/res")
    def read():
        return "read"

    @app.post("/res")
    def create():
        return "created", 201

    @app.delete("/res")
    def remove():
        return "", 204

    assert client.get("/res").data == b"read"
    assert client.post("/res").status_code == 201
    assert client.delete("/res").status_code == 204
    assert client.put("/res").status_code == 405


def test_methods_given_as_a_string_are_rejected(app):
    with pytest.raises(TypeError, match="must be a list of strings"):

        @app.route("/", methods="POST")
        def index():
            return ""


def test_methods_are_case_insensitive(app, client):
    @app.route("/", methods=["post", "Put"])
    def index():
        return flask.request.method

    rule = next(app.url_map.iter_rules("index"))
    assert {"POST", "PUT"} <= rule.methods
    assert client.put("/").data == b"PUT"
    assert client.get("/").status_code == 405


def test_view_class_methods_attribute_is_used(app, client):
    def view():
        return flask.request.method

    view.methods = ["PUT"]
    app.add_url_rule("/", view_func=view)

    assert client.put("/").data == b"PUT"
    assert client.get("/").status_code == 405


def test_explicit_methods_win_over_view_attribute(app, client):
    def view():
        return flask.request.method

    view.methods = ["PUT"]
    app.add_url_rule("/", view_func=view, methods=["PATCH"])

    assert client.patch("/").status_code == 200
    assert client.put("/").status_code == 405


def test_required_methods_attribute_is_added(app, client):
    def view():
        return flask.request.method

    view.required_methods = ["POST"]
    app.add_url_rule("/", view_func=view)

    assert client.get("/").data == b"GET"
    assert client.post("/").data == b"POST"


@pytest.mark.parametrize("method", ["DELETE", "PATCH", "BREW"])
def test_unknown_method_is_405_with_allow(app, client, method):
    @app.route("/", methods=["GET", "POST"])
    def index():
        return ""

    rv = client.open("/", method=method)

    assert rv.status_code == 405
    assert _allow(rv) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert b"Method Not Allowed" in rv.data


def test_405_handler_sees_valid_methods(app, client):
    @app.errorhandler(405)
    def not_allowed(e):
        return ",".join(sorted(e.valid_methods)), 405

    @app.route("/")
    def index():
        return ""

    rv = client.post("/")

    assert rv.status_code == 405
    assert rv.data == b"GET,HEAD,OPTIONS"


def test_missing_route_is_404(app, client):
    @app.route("/")
    def index():
        return ""

    rv = client.get("/missing")

    assert rv.status_code == 404
    assert rv.mimetype == "text/html"
    assert b"Not Found" in rv.data


def test_missing_route_is_404_for_every_method(app, client):
    for method in ("GET", "POST", "OPTIONS", "HEAD"):
        assert client.open("/missing", method=method).status_code == 404


# -- automatic HEAD and OPTIONS ---------------------------------------------


def test_head_is_answered_by_the_get_view(app, client):
    calls = []

    @app.route("/")
    def index():
        calls.append(flask.request.method)
        return "body text", {"X-Custom": "yes"}

    rv = client.head("/")

    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.headers["Content-Length"] == str(len("body text"))
    assert rv.headers["X-Custom"] == "yes"
    assert calls == ["HEAD"]


def test_head_is_not_added_without_get(app, client):
    @app.route("/", methods=["POST"])
    def index():
        return ""

    assert client.head("/").status_code == 405


def test_automatic_options_answers_without_calling_the_view(app, client):
    calls = []

    @app.route("/", methods=["GET", "POST"])
    def index():
        calls.append(1)
        return "view"

    rv = client.options("/")

    assert rv.status_code == 200
    assert rv.data == b""
    assert _allow(rv) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert calls == []


def test_automatic_options_lists_methods_of_every_rule_on_the_url(app, client):
    @app.get("/res")
    def read():
        return ""

    @app.put("/res")
    def replace():
        return ""

    @app.route("/res", methods=["DELETE"])
    def remove():
        return ""

    assert _allow(client.options("/res")) == {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}


def test_rule_records_provide_automatic_options(app):
    @app.route("/auto")
    def auto():
        return ""

    @app.route("/manual", provide_automatic_options=False)
    def manual():
        return ""

    assert next(app.url_map.iter_rules("auto")).provide_automatic_options is True
    assert next(app.url_map.iter_rules("manual")).provide_automatic_options is False
    assert "OPTIONS" in next(app.url_map.iter_rules("auto")).methods
    assert "OPTIONS" not in next(app.url_map.iter_rules("manual")).methods


def test_provide_automatic_options_false_argument(app, client):
    @app.route("/", provide_automatic_options=False)
    def index():
        return ""

    rv = client.options("/")

    assert rv.status_code == 405
    assert _allow(rv) == {"GET", "HEAD"}


def test_view_handles_options_when_listed_in_methods(app, client):
    @app.route("/", methods=["GET", "OPTIONS"])
    def index():
        return f"view {flask.request.method}"

    rv = client.options("/")

    assert rv.data == b"view OPTIONS"
    assert "Allow" not in rv.headers


def test_provide_automatic_options_true_with_options_in_methods(app, client):
    @app.route("/", methods=["GET", "OPTIONS"], provide_automatic_options=True)
    def index():
        return "view"

    rv = client.options("/")

    assert rv.data == b""
    assert _allow(rv) == {"GET", "HEAD", "OPTIONS"}


def test_provide_automatic_options_attribute_on_view(app, client):
    def view():
        return f"own {flask.request.method}"

    view.provide_automatic_options = False
    view.methods = ["GET", "OPTIONS"]
    app.add_url_rule("/", view_func=view)

    assert client.options("/").data == b"own OPTIONS"


def test_provide_automatic_options_argument_wins_over_attribute(app, client):
    def view():
        return "view"

    view.provide_automatic_options = True
    app.add_url_rule("/", view_func=view, provide_automatic_options=False)

    assert client.options("/").status_code == 405


def test_provide_automatic_options_config_off(app, client):
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False

    @app.route("/")
    def index():
        return ""

    rv = client.options("/")

    assert rv.status_code == 405
    assert _allow(rv) == {"GET", "HEAD"}


def test_provide_automatic_options_config_is_read_at_registration(app, client):
    @app.route("/before")
    def before():
        return ""

    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False

    @app.route("/after")
    def after():
        return ""

    assert client.options("/before").status_code == 200
    assert client.options("/after").status_code == 405


def test_make_default_options_response_can_be_overridden(app, client):
    class CustomFlask(flask.Flask):
        def make_default_options_response(self):
            rv = super().make_default_options_response()
            rv.headers["X-Options"] = "custom"
            return rv

    app = CustomFlask(__name__)

    @app.route("/")
    def index():
        return ""

    rv = app.test_client().options("/")

    assert rv.headers["X-Options"] == "custom"
    assert _allow(rv) == {"GET", "HEAD", "OPTIONS"}


# -- converters -------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "path", "expected"),
    [
        ("/s/<value>", "/s/hello", "'hello'"),
        ("/s/<string:value>", "/s/caf%C3%A9", "'café'"),
        ("/s/<string(length=2):value>", "/s/ab", "'ab'"),
        ("/i/<int:value>", "/i/42", "42"),
        ("/i/<int(signed=True):value>", "/i/-3", "-3"),
        ("/f/<float:value>", "/f/1.5", "1.5"),
        ("/p/<path:value>", "/p/a/b/c.txt", "'a/b/c.txt'"),
        (
            "/u/<uuid:value>",
            "/u/12345678-1234-5678-1234-567812345678",
            "UUID('12345678-1234-5678-1234-567812345678')",
        ),
        ("/a/<any(red, blue):value>", "/a/blue", "'blue'"),
    ],
)
def test_converter_matches_and_converts(app, client, rule, path, expected):
    @app.route(rule)
    def view(value):
        return repr(value)

    rv = client.get(path)

    assert rv.status_code == 200
    assert rv.data.decode() == expected


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ("/s/<value>", "/s/a/b"),
        ("/s/<string(length=2):value>", "/s/abc"),
        ("/i/<int:value>", "/i/x"),
        ("/i/<int:value>", "/i/-3"),
        ("/i/<int:value>", "/i/4.5"),
        ("/f/<float:value>", "/f/1"),
        ("/u/<uuid:value>", "/u/not-a-uuid"),
        ("/a/<any(red, blue):value>", "/a/green"),
    ],
)
def test_converter_rejects_with_404(app, client, rule, path):
    @app.route(rule)
    def view(value):
        return repr(value)

    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("rule", "value", "url"),
    [
        ("/s/<value>", "a b", "/s/a%20b"),
        ("/i/<int:value>", 7, "/i/7"),
        ("/f/<float:value>", 2.5, "/f/2.5"),
        ("/p/<path:value>", "x/y z", "/p/x/y%20z"),
        (
            "/u/<uuid:value>",
            uuid.UUID(int=5),
            "/u/00000000-0000-0000-0000-000000000005",
        ),
        ("/a/<any(red, blue):value>", "red", "/a/red"),
    ],
)
def test_converter_builds_urls(app, rule, value, url):
    @app.route(rule)
    def view(value):
        return ""

    with app.test_request_context():
        assert flask.url_for("view", value=value) == url


def test_default_converters_are_registered(app):
    assert {"default", "string", "int", "float", "path", "uuid", "any"} <= set(
        app.url_map.converters
    )


def test_custom_converter(app, client):
    class ListConverter(BaseConverter):
        def to_python(self, value):
            return value.split("+")

        def to_url(self, value):
            return "+".join(super(ListConverter, self).to_url(v) for v in value)

    app.url_map.converters["list"] = ListConverter

    @app.route("/tags/<list:tags>")
    def tags(tags):
        return {"tags": tags, "url": flask.url_for("tags", tags=tags[::-1])}

    assert client.get("/tags/a+b+c").json == {
        "tags": ["a", "b", "c"],
        "url": "/tags/c+b+a",
    }


def test_custom_converter_with_arguments_and_regex(app, client):
    class HexConverter(BaseConverter):
        def __init__(self, map, digits):
            super().__init__(map)
            self.regex = f"[0-9a-f]{{{int(digits)}}}"

        def to_python(self, value):
            return int(value, 16)

    app.url_map.converters["hex"] = HexConverter

    @app.route("/color/<hex(6):value>")
    def color(value):
        return str(value)

    assert client.get("/color/00ff00").data == b"65280"
    assert client.get("/color/00ff0").status_code == 404
    assert client.get("/color/zzzzzz").status_code == 404


# -- slashes, redirects and defaults ------------------------------------------


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/dir", "http://localhost/dir/"),
        ("/dir?page=2", "http://localhost/dir/?page=2"),
    ],
)
def test_missing_trailing_slash_redirects_with_308(app, client, path, location):
    @app.route("/dir/")
    def directory():
        return "dir"

    rv = client.get(path)

    assert rv.status_code == 308
    assert rv.headers["Location"] == location
    assert client.get(path, follow_redirects=True).data == b"dir"


def test_extra_trailing_slash_is_404(app, client):
    @app.route("/file")
    def file():
        return "file"

    assert client.get("/file/").status_code == 404
    assert client.get("/file").status_code == 200


def test_strict_slashes_false_matches_both(app, client):
    @app.route("/dir/", strict_slashes=False)
    def directory():
        return "dir"

    assert client.get("/dir").data == b"dir"
    assert client.get("/dir/").data == b"dir"


def test_url_map_strict_slashes_default(app, client):
    app.url_map.strict_slashes = False

    @app.route("/dir/")
    def directory():
        return "dir"

    assert client.get("/dir").status_code == 200


def test_repeated_slashes_are_merged_with_a_redirect(app, client):
    @app.route("/a/b")
    def ab():
        return "ab"

    rv = client.get("/a//b")

    assert rv.status_code == 308
    assert rv.headers["Location"] == "http://localhost/a/b"


def test_merge_slashes_can_be_turned_off(app, client):
    @app.route("/a/b", merge_slashes=False)
    def ab():
        return "ab"

    app.url_map.merge_slashes = False

    @app.route("/c/d")
    def cd():
        return "cd"

    assert client.get("/a//b").status_code == 404
    assert client.get("/c//d").status_code == 404


def test_redirect_to_string(app, client):
    app.add_url_rule("/old", "old", redirect_to="/new")

    @app.route("/new")
    def new():
        return "new"

    rv = client.get("/old")

    assert rv.status_code == 308
    assert rv.headers["Location"] == "http://localhost/new"


def test_redirect_to_callable_receives_arguments(app, client):
    app.add_url_rule(
        "/old/<int:n>", "old", redirect_to=lambda adapter, n: f"/new/{n * 2}"
    )

    rv = client.get("/old/21")

    assert rv.status_code == 308
    assert rv.headers["Location"] == "http://localhost/new/42"


def test_redirect_to_template(app, client):
    app.add_url_rule("/user/<name>", "old_user", redirect_to="/people/<name>")

    rv = client.get("/user/amy")

    assert rv.headers["Location"] == "http://localhost/people/amy"


def test_defaults_fill_view_arguments(app, client):
    @app.route("/page/", defaults={"n": 1})
    @app.route("/page/<int:n>")
    def page(n):
        return f"page {n}"

    assert client.get("/page/").data == b"page 1"
    assert client.get("/page/5").data == b"page 5"

    with app.test_request_context():
        assert flask.url_for("page") == "/page/"
        assert flask.url_for("page", n=1) == "/page/"
        assert flask.url_for("page", n=3) == "/page/3"


def test_url_with_default_value_redirects_to_short_url(app, client):
    @app.route("/page/", defaults={"n": 1})
    @app.route("/page/<int:n>")
    def page(n):
        return f"page {n}"

    rv = client.get("/page/1")

    assert rv.status_code == 308
    assert rv.headers["Location"] == "http://localhost/page/"


def test_build_only_rule(app, client):
    app.add_url_rule("/external/<name>", "external", build_only=True)

    with app.test_request_context():
        assert flask.url_for("external", name="x") == "/external/x"

    assert client.get("/external/x").status_code == 404


# -- subdomains and hosts -----------------------------------------------------


@pytest.fixture
def subdomain_app():
    app = flask.Flask(__name__, subdomain_matching=True)
    app.config.update(TESTING=True, SERVER_NAME="example.test")

    @app.route("/")
    def index():
        return "index"

    @app.route("/", subdomain="api")
    def api():
        return "api"

    @app.route("/user", subdomain="<user>")
    def user(user):
        return f"user {user}"

    return app


@pytest.mark.parametrize(
    ("kwargs", "path", "expected"),
    [
        ({}, "/", b"index"),
        ({"subdomain": "api"}, "/", b"api"),
        ({"base_url": "http://api.example.test"}, "/", b"api"),
        ({"subdomain": "amy"}, "/user", b"user amy"),
        ({"subdomain": "api"}, "/user", b"user api"),
    ],
)
def test_subdomain_matching(subdomain_app, kwargs, path, expected):
    rv = subdomain_app.test_client().get(path, **kwargs)

    assert rv.status_code == 200
    assert rv.data == expected


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [({}, "/user"), ({"subdomain": "bob"}, "/")],
)
def test_subdomain_mismatch_is_404(subdomain_app, kwargs, path):
    assert subdomain_app.test_client().get(path, **kwargs).status_code == 404


def test_host_outside_server_name_with_subdomains_is_404(subdomain_app):
    with pytest.warns(UserWarning, match="doesn't match configured server name"):
        rv = subdomain_app.test_client().get("/", base_url="http://other.test")

    assert rv.status_code == 404


def test_url_for_across_subdomains(subdomain_app):
    with subdomain_app.test_request_context():
        assert flask.url_for("index") == "/"
        assert flask.url_for("api") == "http://api.example.test/"
        assert flask.url_for("user", user="amy") == "http://amy.example.test/user"

    with subdomain_app.test_request_context(subdomain="api"):
        assert flask.url_for("api") == "/"
        assert flask.url_for("index") == "http://example.test/"


def test_default_subdomain_of_url_map(app, client):
    app.subdomain_matching = True
    app.url_map.default_subdomain = "www"
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/")
    def index():
        return "www"

    assert client.get("/", subdomain="www").data == b"www"
    assert client.get("/").status_code == 404


@pytest.mark.parametrize(
    "base_url",
    ["http://example.test", "http://other.test", "http://api.example.test"],
)
def test_server_name_does_not_restrict_hosts_without_subdomain_matching(
    app, client, base_url
):
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/")
    def index():
        return flask.request.host

    rv = client.get("/", base_url=base_url)

    assert rv.status_code == 200
    assert rv.data.decode() == base_url.partition("//")[2]


def test_subdomain_option_ignored_without_subdomain_matching(app, client):
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/", subdomain="api")
    def api():
        return "api"

    assert client.get("/", subdomain="api").status_code == 404


@pytest.fixture
def host_app(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "logo.txt").write_text("logo")
    app = flask.Flask(
        __name__,
        root_path=str(tmp_path),
        host_matching=True,
        static_host="static.test",
    )
    app.testing = True

    @app.route("/", host="site.test")
    def site():
        return "site"

    @app.route("/", host="<name>.users.test")
    def user_site(name):
        return f"user {name}"

    return app


@pytest.mark.parametrize(
    ("base_url", "status", "data"),
    [
        ("http://site.test", 200, b"site"),
        ("http://amy.users.test", 200, b"user amy"),
        ("http://elsewhere.test", 404, None),
    ],
)
def test_host_matching(host_app, base_url, status, data):
    rv = host_app.test_client().get("/", base_url=base_url)

    assert rv.status_code == status

    if data is not None:
        assert rv.data == data


def test_static_host_serves_static_files(host_app):
    client = host_app.test_client()

    with client.get("/static/logo.txt", base_url="http://static.test") as rv:
        assert rv.status_code == 200
        assert rv.data == b"logo"

    with client.get("/static/logo.txt", base_url="http://site.test") as rv:
        assert rv.status_code == 404

    assert next(host_app.url_map.iter_rules("static")).host == "static.test"


def test_url_for_with_host_matching(host_app):
    with host_app.test_request_context(base_url="http://site.test"):
        assert flask.url_for("site") == "/"
        assert flask.url_for("user_site", name="bo") == "http://bo.users.test/"
        assert (
            flask.url_for("static", filename="logo.txt")
            == "http://static.test/static/logo.txt"
        )


@pytest.mark.parametrize(
    "kwargs",
    [{"static_host": "static.test"}, {"host_matching": True}],
)
def test_static_host_requires_host_matching_and_back(kwargs):
    with pytest.raises(AssertionError, match="Invalid static_host/host_matching"):
        flask.Flask(__name__, **kwargs)


def test_host_matching_without_static_folder_needs_no_static_host():
    app = flask.Flask(__name__, host_matching=True, static_folder=None)

    assert app.url_map.host_matching


# -- SERVER_NAME, APPLICATION_ROOT, PREFERRED_URL_SCHEME ----------------------


def test_url_for_outside_request_needs_server_name(app, app_ctx):
    @app.route("/")
    def index():
        return ""

    with pytest.raises(RuntimeError, match="'SERVER_NAME' configured"):
        flask.url_for("index")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"SERVER_NAME": "example.test"}, "http://example.test/page"),
        (
            {"SERVER_NAME": "example.test:8080", "PREFERRED_URL_SCHEME": "https"},
            "https://example.test:8080/page",
        ),
        (
            {"SERVER_NAME": "example.test", "APPLICATION_ROOT": "/mnt"},
            "http://example.test/mnt/page",
        ),
    ],
)
def test_url_for_in_app_context_uses_url_config(app, config, expected):
    app.config.update(config)

    @app.route("/page")
    def page():
        return ""

    with app.app_context():
        assert flask.url_for("page") == expected


def test_url_for_in_app_context_scheme_and_anchor(app):
    app.config.update(SERVER_NAME="example.test", PREFERRED_URL_SCHEME="https")

    @app.route("/page")
    def page():
        return ""

    with app.app_context():
        assert flask.url_for("page", _scheme="http") == "http://example.test/page"
        assert (
            flask.url_for("page", _anchor="top part")
            == "https://example.test/page#top%20part"
        )


def test_application_root_mounts_the_test_client(app, client):
    app.config["APPLICATION_ROOT"] = "/mnt"

    @app.route("/here")
    def here():
        req = flask.request
        return {
            "script_root": req.script_root,
            "path": req.path,
            "url": req.url,
            "url_for": flask.url_for("here"),
        }

    assert client.get("/here").json == {
        "script_root": "/mnt",
        "path": "/here",
        "url": "http://localhost/mnt/here",
        "url_for": "/mnt/here",
    }


def test_url_for_honours_script_name_of_the_request(app, client):
    @app.route("/page")
    def page():
        return flask.url_for("page", _external=True)

    rv = client.get("/page", environ_overrides={"SCRIPT_NAME": "/prefix"})

    assert rv.data == b"http://localhost/prefix/page"


def test_app_mounted_under_a_prefix_by_dispatcher(app):
    @app.route("/page")
    def page():
        return f"{flask.request.script_root} {flask.url_for('page')}"

    outer = DispatcherMiddleware(WerkzeugResponse("outer", 404), {"/mount": app})
    client = Client(outer)

    assert client.get("/mount/page").data == b"/mount /mount/page"
    assert client.get("/page").data == b"outer"


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_preferred_url_scheme_sets_test_request_scheme(app, client, scheme):
    app.config["PREFERRED_URL_SCHEME"] = scheme

    @app.route("/")
    def index():
        return flask.url_for("index", _external=True)

    assert client.get("/").data.decode() == f"{scheme}://localhost/"

    with app.test_request_context():
        assert flask.request.scheme == scheme


def test_scheme_without_external_is_an_error(app, req_ctx):
    @app.route("/")
    def index():
        return ""

    with pytest.raises(ValueError, match="'_external' must be True"):
        flask.url_for("index", _scheme="https", _external=False)


def test_server_name_sets_test_client_host(app, client):
    app.config["SERVER_NAME"] = "example.test:5000"

    @app.route("/")
    def index():
        return flask.request.host

    assert client.get("/").data == b"example.test:5000"


# -- TRUSTED_HOSTS ------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "status"),
    [
        ("http://good.test", 200),
        ("http://good.test:8080", 200),
        ("http://sub.corp.test", 200),
        ("http://corp.test", 200),
        ("http://evil.test", 400),
        ("http://good.test.evil", 400),
    ],
)
def test_trusted_hosts(app, client, base_url, status):
    app.config["TRUSTED_HOSTS"] = ["good.test", ".corp.test"]

    @app.route("/")
    def index():
        return flask.request.host

    assert client.get("/", base_url=base_url).status_code == status


def test_untrusted_host_reaches_the_400_handler(app, client):
    app.config["TRUSTED_HOSTS"] = ["good.test"]
    calls = []

    @app.errorhandler(400)
    def bad_request(e):
        return f"bad host: {type(e).__name__}", 400

    @app.route("/")
    def index():
        calls.append(1)
        return ""

    rv = client.get("/", base_url="http://evil.test")

    assert rv.data == b"bad host: SecurityError"
    assert calls == []


# -- late setup guard -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("route", lambda app: app.route("/late")),
        ("add_url_rule", lambda app: app.add_url_rule("/late", "late")),
        ("get", lambda app: app.get("/late")),
        ("before_request", lambda app: app.before_request(lambda: None)),
        ("after_request", lambda app: app.after_request(lambda r: r)),
        ("teardown_request", lambda app: app.teardown_request(lambda e: None)),
        ("teardown_appcontext", lambda app: app.teardown_appcontext(lambda e: None)),
        ("errorhandler", lambda app: app.errorhandler(404)),
        ("url_defaults", lambda app: app.url_defaults(lambda e, v: None)),
        (
            "register_blueprint",
            lambda app: app.register_blueprint(flask.Blueprint("late", __name__)),
        ),
    ],
)
def test_setup_method_after_first_request_fails(app, client, name, call):
    @app.route("/")
    def index():
        return ""

    client.get("/")

    with pytest.raises(AssertionError) as exc_info:
        call(app)

    message = str(exc_info.value)
    assert f"The setup method '{name}' can no longer be called" in message
    assert "already handled its first request" in message


def test_a_404_counts_as_the_first_request(app, client):
    client.get("/missing")

    with pytest.raises(AssertionError, match="setup method 'route'"):
        app.route("/late")


def test_test_request_context_does_not_end_setup(app):
    with app.test_request_context():
        pass

    @app.route("/")
    def index():
        return "still possible"

    assert app.test_client().get("/").data == b"still possible"


# -- constructor parameters ---------------------------------------------------


@pytest.fixture
def project(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.css").write_text("body {}")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "s.txt").write_text("default static")
    (tmp_path / "views").mkdir()
    return tmp_path


def test_default_static_route(project):
    app = flask.Flask(__name__, root_path=str(project))

    assert app.static_folder == str(project / "static")
    assert app.static_url_path == "/static"
    assert next(app.url_map.iter_rules("static")).rule == "/static/<path:filename>"

    with app.test_client().get("/static/s.txt") as rv:
        assert rv.data == b"default static"


def test_static_folder_and_url_path(project):
    app = flask.Flask(
        __name__,
        root_path=str(project),
        static_folder="assets",
        static_url_path="/files",
    )

    assert app.static_folder == str(project / "assets")
    assert next(app.url_map.iter_rules("static")).rule == "/files/<path:filename>"

    with app.test_client().get("/files/app.css") as rv:
        assert rv.status_code == 200
        assert rv.data == b"body {}"

    assert app.test_client().get("/static/app.css").status_code == 404


def test_static_url_path_defaults_to_folder_name(project):
    app = flask.Flask(__name__, root_path=str(project), static_folder="assets")

    assert app.static_url_path == "/assets"

    with app.test_request_context():
        assert flask.url_for("static", filename="app.css") == "/assets/app.css"


def test_empty_static_url_path_serves_from_root(project):
    app = flask.Flask(
        __name__, root_path=str(project), static_folder="assets", static_url_path=""
    )

    assert next(app.url_map.iter_rules("static")).rule == "/<path:filename>"

    with app.test_client().get("/app.css") as rv:
        assert rv.data == b"body {}"


def test_static_folder_none_disables_static_route(project):
    app = flask.Flask(__name__, root_path=str(project), static_folder=None)

    assert app.static_folder is None
    assert app.static_url_path is None
    assert not app.has_static_folder
    assert "static" not in app.view_functions
    assert list(app.url_map.iter_rules()) == []


def test_template_folder(project):
    app = flask.Flask(__name__, root_path=str(project), template_folder="views")

    assert app.template_folder == "views"
    assert app.jinja_loader.searchpath == [str(project / "views")]


def test_template_folder_none(project):
    app = flask.Flask(__name__, root_path=str(project), template_folder=None)

    assert app.template_folder is None
    assert app.jinja_loader is None


def test_root_path_is_kept(project):
    app = flask.Flask("some.module", root_path=str(project))

    assert app.root_path == str(project)
    assert app.import_name == "some.module"
    assert app.name == "some.module"


def test_relative_instance_path_is_rejected():
    with pytest.raises(ValueError, match="must be absolute"):
        flask.Flask(__name__, instance_path="instance")


def test_absolute_instance_path_is_kept(tmp_path):
    app = flask.Flask(
        __name__, instance_path=str(tmp_path), instance_relative_config=True
    )

    assert app.instance_path == str(tmp_path)
    assert app.config.root_path == str(tmp_path)


def test_default_instance_path_is_beside_the_module(project):
    app = flask.Flask(__name__, root_path=str(project))

    # This module is not installed, so the instance folder is found
    # beside it rather than under sys.prefix.
    assert app.instance_path == os.path.join(os.path.dirname(__file__), "instance")
