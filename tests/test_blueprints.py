"""Blueprints: scoped registries and their ``app_*`` forms, URL prefixes,
subdomains and defaults, static files and templates, nesting, repeated
registration, setup errors, deferred functions, and hook and handler
order.
"""

from __future__ import annotations

import os

import pytest
from blueprintapp import make_shop
from werkzeug.exceptions import NotFound

import flask
from flask.blueprints import BlueprintSetupState

TESTS_DIR = os.path.dirname(__file__)
CATALOG_DIR = os.path.join(TESTS_DIR, "blueprintapp", "catalog")


# --- routes --------------------------------------------------------------------


def test_blueprint_route(app, client):
    bp = flask.Blueprint("bp", __name__)

    @bp.route("/hello")
    def hello():
        return "hello from bp"

    app.register_blueprint(bp)
    rv = client.get("/hello")
    assert rv.status_code == 200
    assert rv.data == b"hello from bp"
    assert app.view_functions["bp.hello"] is hello
    assert "hello" not in app.view_functions


@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "patch"])
def test_blueprint_method_shortcuts(app, client, method):
    bp = flask.Blueprint("bp", __name__)

    @getattr(bp, method)("/r")
    def view():
        return method

    app.register_blueprint(bp)
    assert client.open("/r", method=method.upper()).data == method.encode()
    other = "POST" if method == "get" else "GET"
    assert client.open("/r", method=other).status_code == 405


def test_blueprint_method_shortcut_rejects_methods(app):
    bp = flask.Blueprint("bp", __name__)

    with pytest.raises(TypeError, match="Use the 'route' decorator"):
        bp.post("/x", methods=["GET"])


def test_blueprint_add_url_rule_with_endpoint(app, client):
    bp = flask.Blueprint("bp", __name__)
    bp.add_url_rule("/a", "custom", lambda: "a")
    app.register_blueprint(bp)
    assert client.get("/a").data == b"a"
    assert "bp.custom" in app.view_functions

    with app.test_request_context():
        assert flask.url_for("bp.custom") == "/a"


def test_blueprint_endpoint_decorator_registers_name_as_given(app, client):
    bp = flask.Blueprint("bp", __name__)

    @bp.endpoint("later")
    def later():
        return "later view"

    assert bp.view_functions == {"later": later}
    app.add_url_rule("/later", "later")
    app.register_blueprint(bp)
    # The endpoint is not prefixed with the blueprint's name.
    assert app.view_functions["later"] is later
    assert "bp.later" not in app.view_functions
    assert client.get("/later").data == b"later view"


def test_blueprint_route_options(app, client):
    bp = flask.Blueprint("bp", __name__)

    @bp.route("/form", methods=["POST"], endpoint="submit")
    def form():
        return flask.request.form["x"]

    app.register_blueprint(bp)
    assert client.post("/form", data={"x": "1"}).data == b"1"
    assert client.get("/form").status_code == 405
    assert "bp.submit" in app.view_functions


def test_blueprint_view_registered_on_two_apps(client):
    bp = flask.Blueprint("bp", __name__)

    @bp.route("/")
    def index():
        return flask.current_app.name

    one = flask.Flask("one")
    two = flask.Flask("two")
    one.register_blueprint(bp)
    two.register_blueprint(bp, url_prefix="/two")
    assert one.test_client().get("/").data == b"one"
    assert two.test_client().get("/two/").data == b"two"


# --- url_prefix --------------------------------------------------------------


@pytest.mark.parametrize(
    ("bp_prefix", "register_prefix", "rule", "expected"),
    [
        (None, None, "/x", "/x"),
        ("/p", None, "/x", "/p/x"),
        ("/p/", None, "/x", "/p/x"),
        ("/p", None, "/", "/p/"),
        ("/p", None, "", "/p"),
        ("/p/", None, "", "/p/"),
        ("/p", None, "x/", "/p/x/"),
        (None, "/r", "/x", "/r/x"),
        (None, "/r/", "/", "/r/"),
        (None, "/r", "", "/r"),
        ("/p", "/r", "/x", "/r/x"),
        ("p", "/r", "/x", "/r/x"),
        ("/p", "", "/x", "/x"),
        ("", None, "/x", "/x"),
    ],
)
def test_url_prefix(app, bp_prefix, register_prefix, rule, expected):
    bp = flask.Blueprint("bp", __name__, url_prefix=bp_prefix)
    bp.add_url_rule(rule, "view", lambda: "ok")
    options = {} if register_prefix is None else {"url_prefix": register_prefix}
    app.register_blueprint(bp, **options)
    assert [r.rule for r in app.url_map.iter_rules("bp.view")] == [expected]
    assert app.test_client().get(expected).data == b"ok"


@pytest.mark.parametrize(
    ("bp_prefix", "rule"),
    [(None, ""), ("", ""), (None, "x"), ("p", "/x")],
)
def test_rule_without_leading_slash_fails(app, bp_prefix, rule):
    bp = flask.Blueprint("bp", __name__, url_prefix=bp_prefix)
    bp.add_url_rule(rule, "view", lambda: "")

    with pytest.raises(ValueError, match="must start with a slash"):
        app.register_blueprint(bp)


def test_empty_rule_with_prefix_matches_prefix_only(app, client):
    bp = flask.Blueprint("bp", __name__, url_prefix="/items")
    bp.add_url_rule("", "list", lambda: "list")
    bp.add_url_rule("/<int:id>", "item", lambda id: f"item {id}")
    app.register_blueprint(bp)
    assert client.get("/items").data == b"list"
    assert client.get("/items/3").data == b"item 3"
    assert client.get("/items/").status_code == 404


# --- subdomain ------------------------------------------------------------------


def test_blueprint_subdomain(client):
    app = flask.Flask("flask_test", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    bp = flask.Blueprint("api", __name__, subdomain="api")

    @bp.route("/")
    def index():
        return "api index"

    @app.route("/")
    def main():
        return "main index"

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/", base_url="http://api.example.test").data == b"api index"
    assert client.get("/", base_url="http://example.test").data == b"main index"
    assert client.get("/", base_url="http://other.example.test").status_code == 404

    with app.app_context():
        assert flask.url_for("api.index") == "http://api.example.test/"


def test_register_subdomain_overrides_blueprint(client):
    app = flask.Flask("flask_test", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    bp = flask.Blueprint("bp", __name__, subdomain="one")
    bp.add_url_rule("/", "index", lambda: "here")
    app.register_blueprint(bp, subdomain="two")
    client = app.test_client()
    assert client.get("/", base_url="http://two.example.test").data == b"here"
    assert client.get("/", base_url="http://one.example.test").status_code == 404


def test_blueprint_subdomain_variable(client):
    app = flask.Flask("flask_test", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    bp = flask.Blueprint("users", __name__, subdomain="<user>")

    @bp.route("/")
    def profile(user):
        return f"profile of {user}"

    app.register_blueprint(bp)
    rv = app.test_client().get("/", base_url="http://ann.example.test")
    assert rv.data == b"profile of ann"


# --- url_defaults ----------------------------------------------------------------


def test_blueprint_url_defaults(app, client):
    bp = flask.Blueprint("bp", __name__, url_defaults={"kind": "book"})

    @bp.route("/list")
    def listing(kind):
        return f"list of {kind}"

    @bp.route("/films", defaults={"kind": "film"})
    def films(kind):
        return f"list of {kind}"

    app.register_blueprint(bp)
    assert client.get("/list").data == b"list of book"
    assert client.get("/films").data == b"list of film"

    with app.test_request_context():
        assert flask.url_for("bp.listing") == "/list"


def test_register_url_defaults_merge(app, client):
    bp = flask.Blueprint("bp", __name__, url_defaults={"a": "bp", "b": "bp"})

    @bp.route("/")
    def index(a, b, c):
        return f"{a} {b} {c}"

    bp.add_url_rule("/rule", "rule", index, defaults={"c": "rule", "b": "rule"})
    app.register_blueprint(bp, url_defaults={"b": "register", "c": "register"})
    assert client.get("/").data == b"bp register register"
    assert client.get("/rule").data == b"bp rule rule"


def test_same_blueprint_registered_with_different_defaults(app, client):
    bp = flask.Blueprint("lang", __name__)

    @bp.route("/")
    def index(lang):
        return lang

    app.register_blueprint(bp, url_prefix="/en", url_defaults={"lang": "en"})
    app.register_blueprint(
        bp, name="lang_fr", url_prefix="/fr", url_defaults={"lang": "fr"}
    )
    assert client.get("/en/").data == b"en"
    assert client.get("/fr/").data == b"fr"


# --- url processors ------------------------------------------------------------


def test_blueprint_url_value_preprocessor_and_url_defaults(app, client):
    bp = flask.Blueprint("lang", __name__, url_prefix="/<lang_code>")

    @bp.url_defaults
    def add_language(endpoint, values):
        values.setdefault("lang_code", flask.g.lang_code)

    @bp.url_value_preprocessor
    def pull_language(endpoint, values):
        flask.g.lang_code = values.pop("lang_code")

    @bp.route("/")
    def index():
        return flask.url_for(".about")

    @bp.route("/about")
    def about():
        return f"about in {flask.g.lang_code}"

    @app.route("/")
    def root():
        # The blueprint's defaults only apply to its own endpoints.
        return str("lang_code" in flask.g)

    app.register_blueprint(bp)
    assert client.get("/de/").data == b"/de/about"
    assert client.get("/fr/about").data == b"about in fr"
    assert client.get("/").data == b"False"


def test_url_value_preprocessor_only_for_blueprint(app, client):
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")
    seen = []

    @bp.url_value_preprocessor
    def record(endpoint, values):
        seen.append((endpoint, dict(values)))

    bp.add_url_rule("/<int:n>", "item", lambda n: str(n))
    app.add_url_rule("/<int:n>", "app_item", lambda n: str(n))
    app.register_blueprint(bp)
    client.get("/1")
    client.get("/bp/2")
    assert seen == [("bp.item", {"n": 2})]


def test_app_url_value_preprocessor_and_app_url_defaults(app, client):
    bp = flask.Blueprint("bp", __name__)
    seen = []

    @bp.app_url_value_preprocessor
    def record(endpoint, values):
        seen.append(endpoint)

    @bp.app_url_defaults
    def add_version(endpoint, values):
        if endpoint == "doc":
            values.setdefault("version", "v9")

    @app.route("/<version>/doc")
    def doc(version):
        return flask.url_for("doc")

    app.register_blueprint(bp)
    assert client.get("/v1/doc").data == b"/v9/doc"
    assert seen == ["doc"]


def test_url_defaults_order_app_then_outer_then_inner(app):
    parent = flask.Blueprint("parent", __name__)
    child = flask.Blueprint("child", __name__)
    calls = []

    @app.url_defaults
    def app_defaults(endpoint, values):
        calls.append("app")

    @parent.url_defaults
    def parent_defaults(endpoint, values):
        calls.append("parent")

    @child.url_defaults
    def child_defaults(endpoint, values):
        calls.append("child")

    child.add_url_rule("/", "index", lambda: "")
    parent.register_blueprint(child)
    app.register_blueprint(parent)

    with app.test_request_context():
        assert flask.url_for("parent.child.index") == "/"

    assert calls == ["app", "parent", "child"]


# --- hooks -----------------------------------------------------------------------


def test_blueprint_hooks_only_for_its_requests(app, client):
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")
    calls = []

    @bp.before_request
    def before():
        calls.append("before")

    @bp.after_request
    def after(response):
        calls.append("after")
        response.headers["X-BP"] = "yes"
        return response

    @bp.teardown_request
    def teardown(exc):
        calls.append("teardown")

    bp.add_url_rule("/", "index", lambda: "bp")
    app.add_url_rule("/", "index", lambda: "app")
    app.register_blueprint(bp)

    rv = client.get("/")
    assert "X-BP" not in rv.headers
    assert calls == []

    rv = client.get("/bp/")
    assert rv.headers["X-BP"] == "yes"
    assert calls == ["before", "after", "teardown"]


def test_blueprint_before_request_short_circuits(app, client):
    bp = flask.Blueprint("bp", __name__)

    @bp.before_request
    def deny():
        return "denied", 403

    @bp.route("/secret")
    def secret():
        return "secret"

    app.register_blueprint(bp)
    rv = client.get("/secret")
    assert rv.status_code == 403
    assert rv.data == b"denied"


def test_app_forms_of_hooks_run_for_every_request(app, client):
    bp = flask.Blueprint("bp", __name__)
    calls = []

    @bp.before_app_request
    def before():
        calls.append("before")

    @bp.after_app_request
    def after(response):
        calls.append("after")
        return response

    @bp.teardown_app_request
    def teardown(exc):
        calls.append(("teardown", exc))

    @app.route("/")
    def index():
        return "app view"

    app.register_blueprint(bp)
    assert client.get("/").data == b"app view"
    assert calls == ["before", "after", ("teardown", None)]


def test_app_form_registered_once_for_several_registrations(app, client):
    bp = flask.Blueprint("bp", __name__)
    calls = []

    @bp.before_app_request
    def before():
        calls.append("before")

    app.add_url_rule("/", "index", lambda: "")
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="again")
    client.get("/")
    assert calls == ["before"]


def test_teardown_request_receives_exception(app, client):
    bp = flask.Blueprint("bp", __name__)
    seen = []

    @bp.teardown_request
    def teardown(exc):
        seen.append(exc)

    @bp.route("/fail")
    def fail():
        raise KeyError("boom")

    app.register_blueprint(bp)

    with pytest.raises(KeyError):
        client.get("/fail")

    assert len(seen) == 1
    assert isinstance(seen[0], KeyError)


def test_before_request_order_app_first(app, client):
    app.register_blueprint(make_shop())

    @app.before_request
    def app_before():
        flask.g.setdefault("trail", []).append("app")

    rv = client.get("/shop/catalog/items/where")
    assert rv.json["trail"] == ["app", "shop", "catalog", "items"]


def test_after_request_order_innermost_first(app, client):
    app.register_blueprint(make_shop())

    @app.after_request
    def app_after(response):
        response.headers.add("X-After", "app")
        return response

    rv = client.get("/shop/catalog/items/")
    assert rv.headers.getlist("X-After") == ["items", "catalog", "shop", "app"]


def test_after_request_reverse_registration_order_within_scope(app, client):
    bp = flask.Blueprint("bp", __name__)

    @bp.after_request
    def first(response):
        response.headers.add("X-Order", "first")
        return response

    @bp.after_request
    def second(response):
        response.headers.add("X-Order", "second")
        return response

    bp.add_url_rule("/", "index", lambda: "")
    app.register_blueprint(bp)
    assert client.get("/").headers.getlist("X-Order") == ["second", "first"]


def test_teardown_order_innermost_first(app, client):
    parent = flask.Blueprint("parent", __name__, url_prefix="/p")
    child = flask.Blueprint("child", __name__, url_prefix="/c")
    calls = []

    app.teardown_request(lambda exc: calls.append("app"))
    parent.teardown_request(lambda exc: calls.append("parent"))
    child.teardown_request(lambda exc: calls.append("child"))
    child.add_url_rule("/", "index", lambda: "")
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    client.get("/p/c/")
    assert calls == ["child", "parent", "app"]


def test_url_value_preprocessors_before_before_request(app, client):
    bp = flask.Blueprint("bp", __name__)
    calls = []

    @bp.before_request
    def before():
        calls.append("bp before")

    @bp.url_value_preprocessor
    def bp_pre(endpoint, values):
        calls.append("bp preprocessor")

    @app.before_request
    def app_before():
        calls.append("app before")

    @app.url_value_preprocessor
    def app_pre(endpoint, values):
        calls.append("app preprocessor")

    bp.add_url_rule("/", "index", lambda: "")
    app.register_blueprint(bp)
    client.get("/")
    assert calls == [
        "app preprocessor",
        "bp preprocessor",
        "app before",
        "bp before",
    ]


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_nested_hooks_by_depth(app, client, depth):
    app.register_blueprint(make_shop())
    path = ["/shop", "/shop/catalog", "/shop/catalog/items"][depth - 1]
    names = ["shop", "catalog", "items"][:depth]
    rv = client.get(f"{path}/where")
    assert rv.json["trail"] == names
    assert rv.headers.getlist("X-After") == names[::-1]


# --- error handlers ------------------------------------------------------------


def test_blueprint_errorhandler_only_for_its_views(app, client):
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")

    @bp.errorhandler(ValueError)
    def handle(e):
        return f"bp handled {e}", 400

    @bp.route("/fail")
    def bp_fail():
        raise ValueError("bp")

    @app.route("/fail")
    def app_fail():
        raise ValueError("app")

    app.register_blueprint(bp)
    rv = client.get("/bp/fail")
    assert rv.status_code == 400
    assert rv.data == b"bp handled bp"

    with pytest.raises(ValueError, match="app"):
        client.get("/fail")


def test_blueprint_handler_before_app_handler(app, client):
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")

    @app.errorhandler(ValueError)
    def app_handle(e):
        return "app handler"

    @bp.errorhandler(ValueError)
    def bp_handle(e):
        return "bp handler"

    @bp.route("/fail")
    def bp_fail():
        raise ValueError()

    @app.route("/fail")
    def app_fail():
        raise ValueError()

    app.register_blueprint(bp)
    assert client.get("/bp/fail").data == b"bp handler"
    assert client.get("/fail").data == b"app handler"


def test_app_handler_used_when_blueprint_has_none(app, client):
    bp = flask.Blueprint("bp", __name__)

    @app.errorhandler(LookupError)
    def app_handle(e):
        return f"app handled {type(e).__name__}"

    @bp.route("/fail")
    def fail():
        raise KeyError()

    app.register_blueprint(bp)
    assert client.get("/fail").data == b"app handled KeyError"


def test_blueprint_handler_for_parent_class_beats_app_exact(app, client):
    bp = flask.Blueprint("bp", __name__)

    @app.errorhandler(KeyError)
    def app_handle(e):
        return "app exact"

    @bp.errorhandler(LookupError)
    def bp_handle(e):
        return "bp parent class"

    @bp.route("/fail")
    def fail():
        raise KeyError()

    app.register_blueprint(bp)
    assert client.get("/fail").data == b"bp parent class"


def test_nested_error_handlers_innermost_first(app, client):
    app.register_blueprint(make_shop())
    assert client.get("/shop/catalog/items/fail").data == b"items handled items"
    assert client.get("/shop/catalog/fail").data == b"catalog handled catalog"
    assert client.get("/shop/fail").data == b"shop handled shop"


def test_nested_error_handler_falls_back_to_parent(app, client):
    parent = flask.Blueprint("parent", __name__, url_prefix="/p")
    child = flask.Blueprint("child", __name__, url_prefix="/c")

    @parent.errorhandler(ZeroDivisionError)
    def parent_handle(e):
        return "parent handled", 500

    @child.route("/")
    def index():
        return str(1 / 0)

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    rv = client.get("/p/c/")
    assert rv.status_code == 500
    assert rv.data == b"parent handled"


def test_blueprint_http_error_handler(app, client):
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")

    @bp.errorhandler(403)
    def forbidden(e):
        return f"bp {e.code}", 403

    @bp.route("/")
    def index():
        flask.abort(403)

    @app.route("/")
    def app_index():
        flask.abort(403)

    app.register_blueprint(bp)
    assert client.get("/bp/").data == b"bp 403"
    assert client.get("/").status_code == 403
    assert b"Forbidden" in client.get("/").data


def test_blueprint_404_from_abort_vs_routing(app, client):
    app.register_blueprint(make_shop())

    @app.errorhandler(404)
    def app_not_found(e):
        return "app not found", 404

    # abort(404) in a blueprint view uses the blueprint's handler.
    assert client.get("/shop/catalog/missing").data == b"catalog not found"
    # A URL that matches nothing has no blueprint, so the app handles it,
    # even under a blueprint's prefix.
    assert client.get("/shop/catalog/nowhere").data == b"app not found"
    assert client.get("/nowhere").data == b"app not found"


def test_blueprint_404_without_app_handler(app, client):
    app.register_blueprint(make_shop())
    rv = client.get("/shop/nowhere")
    assert rv.status_code == 404
    assert b"Not Found" in rv.data


def test_blueprint_register_error_handler(app, client):
    bp = flask.Blueprint("bp", __name__)
    bp.register_error_handler(NotFound, lambda e: ("bp custom 404", 404))

    @bp.route("/")
    def index():
        flask.abort(404)

    app.register_blueprint(bp)
    assert client.get("/").data == b"bp custom 404"


def test_app_errorhandler(app, client):
    bp = flask.Blueprint("bp", __name__)

    @bp.app_errorhandler(404)
    def not_found(e):
        return "handled by bp for app", 404

    @bp.app_errorhandler(ValueError)
    def value_error(e):
        return "value error anywhere", 400

    @app.route("/fail")
    def fail():
        raise ValueError()

    app.register_blueprint(bp)
    assert client.get("/no/such/url").data == b"handled by bp for app"
    assert client.get("/fail").data == b"value error anywhere"
    assert app.error_handler_spec[None][404][NotFound] is not_found


def test_blueprint_500_handler_for_unhandled_error(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(app.logger, "disabled", True)
    bp = flask.Blueprint("bp", __name__)

    @bp.errorhandler(500)
    def server_error(e):
        return f"bp 500 from {type(e.original_exception).__name__}", 500

    @bp.route("/fail")
    def fail():
        raise RuntimeError()

    app.register_blueprint(bp)
    rv = client.get("/fail")

    assert rv.status_code == 500
    assert rv.data == b"bp 500 from RuntimeError"


@pytest.mark.parametrize(
    ("key", "error", "message"),
    [
        (999, ValueError, "not a recognized HTTP error code"),
        (ValueError(), TypeError, "is an instance, not a class"),
        (int, ValueError, "'int' is not a subclass of Exception"),
    ],
)
def test_blueprint_errorhandler_bad_key(key, error, message):
    bp = flask.Blueprint("bp", __name__)

    with pytest.raises(error, match=message):
        bp.errorhandler(key)(lambda e: "")


# --- template registries ---------------------------------------------------


@pytest.mark.parametrize("form", ["decorator", "add"])
@pytest.mark.parametrize("name", [None, "custom"])
@pytest.mark.parametrize("kind", ["filter", "test", "global"])
def test_app_template_registries(app, form, name, kind):
    bp = flask.Blueprint("bp", __name__)

    def helper(value=None):
        return True

    if form == "decorator":
        decorator = getattr(bp, f"app_template_{kind}")
        decorator(name)(helper) if name else decorator()(helper)
    else:
        add = getattr(bp, f"add_app_template_{kind}")
        add(helper, name) if name else add(helper)

    registry = {"filter": "filters", "test": "tests", "global": "globals"}[kind]
    assert (name or "helper") not in getattr(app.jinja_env, registry)
    app.register_blueprint(bp)
    assert getattr(app.jinja_env, registry)[name or "helper"] is helper


def test_app_template_filter_used_in_app_template(app, client):
    bp = flask.Blueprint("bp", __name__)

    @bp.app_template_filter("reverse_words")
    def reverse_words(s):
        return " ".join(reversed(s.split()))

    @bp.app_template_test()
    def long(s):
        return len(s) > 3

    @bp.app_template_global()
    def sitename():
        return "Shop"

    @app.route("/")
    def index():
        return flask.render_template_string(
            "{{ 'a b c'|reverse_words }} {{ 'abcd' is long }} {{ sitename() }}"
        )

    app.register_blueprint(bp)
    assert client.get("/").data == b"c b a True Shop"


def test_blueprint_template_folder(app, client):
    app.register_blueprint(make_shop())
    assert client.get("/shop/").data == b"shop page, level shop"
    assert app.blueprints["shop"].jinja_loader.searchpath == [
        os.path.join(TESTS_DIR, "blueprintapp", "templates")
    ]


def test_blueprint_template_does_not_hide_app_template(app, client):
    bp = flask.Blueprint(
        "bp",
        __name__,
        root_path=os.path.join(CATALOG_DIR, "items"),
        template_folder="templates",
    )

    @bp.route("/")
    def index():
        return flask.render_template("shared.txt")

    app.register_blueprint(bp)
    assert client.get("/").data == b"app version of shared"


# --- static files --------------------------------------------------------------


def test_blueprint_static_files(app, client):
    app.register_blueprint(make_shop())
    rv = client.get("/shop/static/shop.css")
    assert rv.status_code == 200
    assert rv.data == b"body { color: teal; }\n"
    assert rv.mimetype == "text/css"
    rv.close()
    rv = client.get("/shop/catalog/items/static/items.json")
    assert rv.json == {"level": "items"}
    rv.close()
    assert client.get("/shop/static/nope.css").status_code == 404


def test_blueprint_static_endpoint_url_for(app):
    app.register_blueprint(make_shop())

    with app.test_request_context():
        assert flask.url_for("shop.static", filename="a.css") == "/shop/static/a.css"
        assert (
            flask.url_for("shop.catalog.items.static", filename="b.js")
            == "/shop/catalog/items/static/b.js"
        )


def test_blueprint_static_url_path(app, client):
    bp = flask.Blueprint(
        "bp",
        __name__,
        root_path=CATALOG_DIR,
        static_folder="static",
        static_url_path="/assets",
        url_prefix="/bp",
    )
    app.register_blueprint(bp)
    assert bp.static_url_path == "/assets"
    rv = client.get("/bp/assets/catalog.txt")
    assert rv.data == b"catalog static file\n"
    rv.close()

    with app.test_request_context():
        assert flask.url_for("bp.static", filename="x") == "/bp/assets/x"


def test_blueprint_static_url_path_default_from_folder(app):
    bp = flask.Blueprint("bp", __name__, root_path=CATALOG_DIR, static_folder="static/")
    assert bp.static_folder == os.path.join(CATALOG_DIR, "static")
    assert bp.static_url_path == "/static"
    assert bp.has_static_folder


def test_blueprint_without_static_folder(app):
    bp = flask.Blueprint("bp", __name__)
    assert bp.static_folder is None
    assert bp.static_url_path is None
    assert not bp.has_static_folder
    app.register_blueprint(bp)
    assert "bp.static" not in app.view_functions

    with app.test_request_context(), pytest.raises(RuntimeError, match="static_folder"):
        bp.send_static_file("x")


def test_blueprint_send_static_file(app):
    bp = flask.Blueprint("bp", __name__, root_path=CATALOG_DIR, static_folder="static")

    with app.test_request_context():
        rv = bp.send_static_file("catalog.txt")
        rv.direct_passthrough = False
        assert rv.data == b"catalog static file\n"
        rv.close()


def test_blueprint_static_max_age(app, client):
    class CachedBlueprint(flask.Blueprint):
        def get_send_file_max_age(self, filename):
            return 99

    bp = CachedBlueprint("bp", __name__, root_path=CATALOG_DIR, static_folder="static")
    app.register_blueprint(bp, url_prefix="/bp")
    rv = client.get("/bp/static/catalog.txt")
    assert rv.cache_control.max_age == 99
    rv.close()


def test_blueprint_static_behind_app_static(app, client):
    # With no prefix, the app's /static rule is the one matched.
    bp = flask.Blueprint("bp", __name__, root_path=CATALOG_DIR, static_folder="static")
    app.register_blueprint(bp)
    rv = client.get("/static/index.html")
    assert rv.status_code == 200
    rv.close()
    assert client.get("/static/catalog.txt").status_code == 404


# --- root_path and resources --------------------------------------------------


def test_blueprint_root_path_from_import_name():
    bp = make_shop()
    assert bp.root_path == os.path.join(TESTS_DIR, "blueprintapp")
    assert bp.import_name == "blueprintapp"


def test_blueprint_explicit_root_path(tmp_path):
    bp = flask.Blueprint("bp", __name__, root_path=str(tmp_path))
    assert bp.root_path == str(tmp_path)


def test_blueprint_open_resource(tmp_path):
    (tmp_path / "data.txt").write_text("resource text", encoding="utf-8")
    bp = flask.Blueprint("bp", __name__, root_path=str(tmp_path))

    with bp.open_resource("data.txt") as f:
        assert f.read() == b"resource text"

    with bp.open_resource("data.txt", "r") as f:
        assert f.read() == "resource text"

    with pytest.raises(ValueError, match="only be opened for reading"):
        bp.open_resource("data.txt", "w")


# --- nesting -------------------------------------------------------------------


def test_nested_blueprint_names_and_urls(app, client):
    app.register_blueprint(make_shop())
    assert list(app.blueprints) == ["shop", "shop.catalog", "shop.catalog.items"]
    rv = client.get("/shop/catalog/items/where")
    assert rv.json["endpoint"] == "shop.catalog.items.where"
    assert rv.json["blueprint"] == "shop.catalog.items"
    assert rv.json["blueprints"] == ["shop.catalog.items", "shop.catalog", "shop"]


@pytest.mark.parametrize(
    ("parent_prefix", "child_prefix", "register_prefix", "expected"),
    [
        ("/a", "/b", None, "/a/b/"),
        ("/a/", "/b/", None, "/a/b/"),
        ("/a", None, None, "/a/"),
        (None, "/b", None, "/b/"),
        ("/a", "/b", "/c", "/a/c/"),
        ("/a", "b", None, "/a/b/"),
        ("", "", None, "/"),
    ],
)
def test_nested_url_prefixes(
    app, client, parent_prefix, child_prefix, register_prefix, expected
):
    parent = flask.Blueprint("parent", __name__, url_prefix=parent_prefix)
    child = flask.Blueprint("child", __name__, url_prefix=child_prefix)
    child.add_url_rule("/", "index", lambda: "child")
    options = {} if register_prefix is None else {"url_prefix": register_prefix}
    parent.register_blueprint(child, **options)
    app.register_blueprint(parent)
    assert [r.rule for r in app.url_map.iter_rules("parent.child.index")] == [expected]
    assert client.get(expected).data == b"child"


def test_nested_prefix_from_app_registration(app, client):
    parent = flask.Blueprint("parent", __name__, url_prefix="/ignored")
    child = flask.Blueprint("child", __name__, url_prefix="/child")
    child.add_url_rule("/x", "x", lambda: "x")
    parent.register_blueprint(child)
    app.register_blueprint(parent, url_prefix="/outer")
    assert client.get("/outer/child/x").data == b"x"


@pytest.mark.parametrize(
    ("parent_sub", "child_sub", "register_sub", "expected"),
    [
        ("api", None, None, "api"),
        (None, "v1", None, "v1"),
        ("api", "v1", None, "v1.api"),
        ("api", "v1", "v2", "v2.api"),
    ],
)
def test_nested_subdomains(parent_sub, child_sub, register_sub, expected):
    app = flask.Flask("flask_test", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    parent = flask.Blueprint("parent", __name__, subdomain=parent_sub)
    child = flask.Blueprint("child", __name__, subdomain=child_sub)
    child.add_url_rule("/", "index", lambda: "nested")
    options = {} if register_sub is None else {"subdomain": register_sub}
    parent.register_blueprint(child, **options)
    app.register_blueprint(parent)
    rule = next(app.url_map.iter_rules("parent.child.index"))
    assert rule.subdomain == expected
    rv = app.test_client().get("/", base_url=f"http://{expected}.example.test")
    assert rv.data == b"nested"


def test_nested_blueprint_registered_under_two_parents(app, client):
    child = flask.Blueprint("child", __name__)
    child.add_url_rule("/", "index", lambda: flask.request.blueprint)
    one = flask.Blueprint("one", __name__, url_prefix="/one")
    two = flask.Blueprint("two", __name__, url_prefix="/two")
    one.register_blueprint(child)
    two.register_blueprint(child)
    app.register_blueprint(one)
    app.register_blueprint(two)
    assert client.get("/one/").data == b"one.child"
    assert client.get("/two/").data == b"two.child"


def test_nested_name_conflict(app):
    outer = flask.Blueprint("outer", __name__)
    outer.register_blueprint(flask.Blueprint("inner", __name__))
    outer.register_blueprint(flask.Blueprint("inner", __name__))

    with pytest.raises(ValueError) as exc_info:
        app.register_blueprint(outer)

    assert str(exc_info.value) == (
        "The name 'inner' is already registered for a different blueprint"
        " 'outer.inner'. Use 'name=' to provide a unique name."
    )


def test_nested_same_child_with_name(app, client):
    outer = flask.Blueprint("outer", __name__)
    inner = flask.Blueprint("inner", __name__)
    inner.add_url_rule("/", "index", lambda: flask.request.blueprint)
    outer.register_blueprint(inner, url_prefix="/a")
    outer.register_blueprint(inner, name="other", url_prefix="/b")
    app.register_blueprint(outer)
    assert client.get("/a/").data == b"outer.inner"
    assert client.get("/b/").data == b"outer.other"


def test_nested_app_forms_reach_whole_app(app, client):
    parent = flask.Blueprint("parent", __name__)
    child = flask.Blueprint("child", __name__)

    @child.app_errorhandler(404)
    def not_found(e):
        return "child app 404", 404

    @child.before_app_request
    def before():
        flask.g.child_ran = True

    @app.route("/")
    def index():
        return str(flask.g.get("child_ran"))

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/").data == b"True"
    assert client.get("/nowhere").data == b"child app 404"


# --- request.blueprint and relative url_for ------------------------------------


def test_request_blueprint_outside_blueprint(app, client):
    @app.route("/")
    def index():
        return {
            "blueprint": flask.request.blueprint,
            "blueprints": flask.request.blueprints,
        }

    assert client.get("/").json == {"blueprint": None, "blueprints": []}


def test_request_blueprint_on_routing_404(app, client):
    seen = []
    app.register_blueprint(make_shop())

    @app.errorhandler(404)
    def not_found(e):
        seen.append((flask.request.blueprint, flask.request.blueprints))
        return "", 404

    client.get("/shop/nothing")
    assert seen == [(None, [])]


def test_relative_url_for(app, client):
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/")
    def index():
        return flask.url_for(".other", x=1)

    @bp.route("/other")
    def other():
        return flask.url_for(".index")

    @app.route("/other")
    def app_other():
        return flask.url_for(".app_other")

    app.register_blueprint(bp)
    assert client.get("/bp/").data == b"/bp/other?x=1"
    assert client.get("/bp/other").data == b"/bp/"
    # Outside a blueprint, a leading dot names an app endpoint.
    assert client.get("/other").data == b"/other"


def test_relative_url_for_nested(app, client):
    app.register_blueprint(make_shop())
    rv = client.get("/shop/catalog/where")
    assert rv.json["self"] == "/shop/catalog/where"
    assert rv.json["static"] == "/shop/catalog/static/x.txt"


def test_relative_url_for_in_blueprint_template(app, client):
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/")
    def index():
        return flask.render_template_string("{{ url_for('.page', n=2) }}")

    @bp.route("/page/<int:n>")
    def page(n):
        return ""

    app.register_blueprint(bp)
    assert client.get("/bp/").data == b"/bp/page/2"


def test_url_for_endpoint_of_other_blueprint(app, client):
    one = flask.Blueprint("one", __name__, url_prefix="/one")
    two = flask.Blueprint("two", __name__, url_prefix="/two")
    one.add_url_rule("/", "index", lambda: flask.url_for("two.index"))
    two.add_url_rule("/", "index", lambda: flask.url_for("one.index"))
    app.register_blueprint(one)
    app.register_blueprint(two)
    assert client.get("/one/").data == b"/two/"
    assert client.get("/two/").data == b"/one/"


# --- registering twice ------------------------------------------------------------


def test_register_same_blueprint_twice_with_name(app, client):
    bp = flask.Blueprint("bp", __name__)
    calls = []

    @bp.before_request
    def before():
        calls.append(flask.request.blueprint)

    @bp.route("/")
    def index():
        return flask.url_for(".index")

    app.register_blueprint(bp, url_prefix="/first")
    app.register_blueprint(bp, url_prefix="/second", name="alt")
    assert app.blueprints == {"bp": bp, "alt": bp}
    assert client.get("/first/").data == b"/first/"
    assert client.get("/second/").data == b"/second/"
    assert calls == ["bp", "alt"]


@pytest.mark.parametrize("same", [True, False])
def test_register_name_twice_fails(app, same):
    bp = flask.Blueprint("bp", __name__)
    app.register_blueprint(bp)
    again = bp if same else flask.Blueprint("bp", __name__)
    which = "this" if same else "a different"

    with pytest.raises(ValueError) as exc_info:
        app.register_blueprint(again)

    assert str(exc_info.value) == (
        f"The name 'bp' is already registered for {which} blueprint."
        " Use 'name=' to provide a unique name."
    )


def test_register_twice_with_name_renames_nested(app, client):
    parent = flask.Blueprint("parent", __name__)
    child = flask.Blueprint("child", __name__)

    @child.route("/fail")
    def fail():
        raise KeyError()

    @child.errorhandler(KeyError)
    def handle(e):
        return f"handled in {flask.request.blueprint}", 400

    @parent.context_processor
    def inject():
        return {"chain": "/".join(flask.request.blueprints)}

    @child.route("/chain")
    def chain():
        return flask.render_template_string("{{ chain }}")

    parent.register_blueprint(child, url_prefix="/c")
    app.register_blueprint(parent, url_prefix="/a")
    app.register_blueprint(parent, name="alt", url_prefix="/b")
    assert list(app.blueprints) == ["parent", "parent.child", "alt", "alt.child"]
    assert client.get("/a/c/fail").data == b"handled in parent.child"
    assert client.get("/b/c/fail").data == b"handled in alt.child"
    assert client.get("/b/c/chain").data == b"alt.child/alt"


def test_register_under_name_already_taken(app):
    app.register_blueprint(flask.Blueprint("taken", __name__))

    with pytest.raises(ValueError, match="'taken' is already registered"):
        app.register_blueprint(flask.Blueprint("bp", __name__), name="taken")


# --- setup errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("with.dot", "'name' may not contain a dot '.' character."),
        ("", "'name' may not be empty."),
    ],
)
def test_bad_blueprint_name(name, message):
    with pytest.raises(ValueError) as exc_info:
        flask.Blueprint(name, __name__)

    assert str(exc_info.value) == message


def test_endpoint_with_dot():
    bp = flask.Blueprint("bp", __name__)

    with pytest.raises(ValueError, match="'endpoint' may not contain a dot"):
        bp.add_url_rule("/", "a.b", lambda: "")

    with pytest.raises(ValueError, match="'endpoint' may not contain a dot"):
        bp.route("/", endpoint="a.b")(lambda: "")


def test_view_func_name_with_dot():
    bp = flask.Blueprint("bp", __name__)

    def view():
        return ""

    view.__name__ = "a.b"

    with pytest.raises(ValueError, match="'view_func' name may not contain a dot"):
        bp.add_url_rule("/", view_func=view)

    with pytest.raises(ValueError, match="'view_func' name may not contain a dot"):
        bp.route("/")(view)


def test_dotted_view_name_rejected_even_with_endpoint():
    bp = flask.Blueprint("bp", __name__)

    def view():
        return ""

    view.__name__ = "a.b"

    with pytest.raises(ValueError, match="'view_func' name may not contain a dot"):
        bp.add_url_rule("/", "plain", view)


def test_register_blueprint_on_itself():
    bp = flask.Blueprint("bp", __name__)

    with pytest.raises(ValueError, match="Cannot register a blueprint on itself"):
        bp.register_blueprint(bp)


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("route", lambda bp: bp.route("/late")(lambda: "")),
        ("add_url_rule", lambda bp: bp.add_url_rule("/late", "late", lambda: "")),
        ("before_request", lambda bp: bp.before_request(lambda: None)),
        ("after_request", lambda bp: bp.after_request(lambda r: r)),
        ("teardown_request", lambda bp: bp.teardown_request(lambda e: None)),
        ("errorhandler", lambda bp: bp.errorhandler(404)),
        ("context_processor", lambda bp: bp.context_processor(dict)),
        ("record", lambda bp: bp.record(lambda s: None)),
        ("record_once", lambda bp: bp.record_once(lambda s: None)),
        ("app_template_filter", lambda bp: bp.app_template_filter()),
        ("before_app_request", lambda bp: bp.before_app_request(lambda: None)),
        (
            "register_blueprint",
            lambda bp: bp.register_blueprint(flask.Blueprint("late", __name__)),
        ),
    ],
)
def test_setup_method_after_registration(app, method, call):
    bp = flask.Blueprint("bp", __name__)
    app.register_blueprint(bp)

    with pytest.raises(AssertionError) as exc_info:
        call(bp)

    message = str(exc_info.value)
    assert message.startswith(
        f"The setup method '{method}' can no longer be called on the blueprint"
        " 'bp'. It has already been registered at least once, any changes will"
        " not be applied consistently.\n"
    )
    assert "before registering it." in message


def test_register_blueprint_after_first_request(app, client):
    app.add_url_rule("/", "index", lambda: "")
    client.get("/")

    with pytest.raises(AssertionError, match="setup method 'register_blueprint'"):
        app.register_blueprint(flask.Blueprint("bp", __name__))


# --- record, record_once and the setup state --------------------------------------


def test_record_runs_on_every_registration(app):
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp", subdomain="sub")
    states = []
    bp.record(states.append)
    app.register_blueprint(bp, url_defaults={"x": 1})
    app.register_blueprint(bp, name="again", url_prefix="/again")

    assert [type(s) for s in states] == [BlueprintSetupState] * 2
    first, second = states
    assert first.app is app
    assert first.blueprint is bp
    assert first.first_registration is True
    assert first.url_prefix == "/bp"
    assert first.subdomain == "sub"
    assert first.url_defaults == {"x": 1}
    assert first.options == {"url_defaults": {"x": 1}}
    assert second.first_registration is False
    assert second.url_prefix == "/again"
    assert second.options == {"name": "again", "url_prefix": "/again"}


def test_record_once_runs_on_first_registration_only(app):
    bp = flask.Blueprint("bp", __name__)
    calls = []
    bp.record_once(lambda state: calls.append(state.options.get("name")))
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="second")
    assert calls == [None]


def test_record_once_runs_once_per_app():
    bp = flask.Blueprint("bp", __name__)
    calls = []
    bp.record_once(lambda state: calls.append(state.app.name))
    flask.Flask("one").register_blueprint(bp)
    flask.Flask("two").register_blueprint(bp)
    assert calls == ["one", "two"]


def test_record_registers_extension_state(app):
    bp = flask.Blueprint("bp", __name__)

    @bp.record
    def setup(state):
        state.app.extensions.setdefault("counter", []).append(state.url_prefix)

    app.register_blueprint(bp, url_prefix="/a")
    app.register_blueprint(bp, url_prefix="/b", name="b")
    assert app.extensions["counter"] == ["/a", "/b"]


def test_setup_state_add_url_rule(app, client):
    bp = flask.Blueprint("bp", __name__)

    @bp.record
    def add(state):
        state.add_url_rule("/dynamic", "dynamic", lambda: "added by state")

    app.register_blueprint(bp, url_prefix="/pre")
    assert client.get("/pre/dynamic").data == b"added by state"
    assert "bp.dynamic" in app.view_functions


def test_make_setup_state_override(app):
    class CustomState(BlueprintSetupState):
        pass

    class CustomBlueprint(flask.Blueprint):
        def make_setup_state(self, app, options, first_registration=False):
            return CustomState(self, app, options, first_registration)

    bp = CustomBlueprint("bp", __name__)
    seen = []
    bp.record(seen.append)
    app.register_blueprint(bp)
    assert type(seen[0]) is CustomState


def test_blueprint_repr():
    assert repr(flask.Blueprint("shop", __name__)) == "<Blueprint 'shop'>"


def test_blueprint_attributes():
    bp = flask.Blueprint(
        "bp",
        __name__,
        url_prefix="/p",
        subdomain="s",
        url_defaults={"a": 1},
        template_folder="tpl",
    )
    assert bp.name == "bp"
    assert bp.import_name == __name__
    assert bp.url_prefix == "/p"
    assert bp.subdomain == "s"
    assert bp.url_values_defaults == {"a": 1}
    assert bp.template_folder == "tpl"
    assert bp.deferred_functions == []
    assert bp.root_path == TESTS_DIR


def test_iter_blueprints_in_registration_order(app):
    names = ["c", "a", "b"]

    for name in names:
        app.register_blueprint(flask.Blueprint(name, __name__))

    assert [bp.name for bp in app.iter_blueprints()] == names
