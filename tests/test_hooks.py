"""Request hooks: before_request, after_request, teardown_request, URL
value preprocessors and URL defaults, their order across the app and
nested blueprints, and async hooks.
"""

from __future__ import annotations

import pytest

import flask


@pytest.fixture
def log():
    return []


# -- before_request --------------------------------------------------------------


def test_before_request_runs_in_registration_order_before_the_view(app, client, log):
    @app.before_request
    def first():
        log.append("first")

    @app.before_request
    def second():
        log.append("second")

    @app.route("/")
    def index():
        log.append("view")
        return ""

    client.get("/")

    assert log == ["first", "second", "view"]


def test_hook_decorators_return_the_function(app):
    def before():
        pass

    def after(response):
        return response

    def teardown(exc):
        pass

    assert app.before_request(before) is before
    assert app.after_request(after) is after
    assert app.teardown_request(teardown) is teardown
    assert app.before_request_funcs[None] == [before]
    assert app.after_request_funcs[None] == [after]
    assert app.teardown_request_funcs[None] == [teardown]


@pytest.mark.parametrize(
    ("value", "status", "data", "mimetype"),
    [
        ("stopped", 200, b"stopped", "text/html"),
        ("", 200, b"", "text/html"),
        (("denied", 403), 403, b"denied", "text/html"),
        (("denied", 403, {"X-Why": "hook"}), 403, b"denied", "text/html"),
        ({"stopped": True}, 200, b'{"stopped":true}\n', "application/json"),
        (flask.Response("response", 299), 299, b"response", "text/html"),
    ],
)
def test_first_before_request_value_short_circuits(
    app, client, log, value, status, data, mimetype
):
    @app.before_request
    def stop():
        log.append("stop")
        return value

    @app.before_request
    def never():
        log.append("never")

    @app.after_request
    def after(response):
        log.append("after")
        return response

    @app.route("/")
    def index():
        log.append("view")
        return "view"

    rv = client.get("/")

    assert rv.status_code == status
    assert rv.data == data
    assert rv.mimetype == mimetype
    assert log == ["stop", "after"]


def test_before_request_returning_none_continues(app, client):
    @app.before_request
    def nothing():
        return None

    @app.route("/")
    def index():
        return "view"

    assert client.get("/").data == b"view"


def test_before_request_short_circuit_headers_are_kept(app, client):
    @app.before_request
    def stop():
        return "denied", 403, {"X-Why": "hook"}

    @app.route("/")
    def index():
        return ""

    assert client.get("/").headers["X-Why"] == "hook"


def test_before_request_runs_for_unmatched_urls(app, client, log):
    @app.before_request
    def before():
        log.append(flask.request.endpoint)

    assert client.get("/missing").status_code == 404
    assert log == [None]


def test_before_request_can_abort(app, client):
    @app.before_request
    def guard():
        if "token" not in flask.request.args:
            flask.abort(401)

    @app.route("/")
    def index():
        return "secret"

    assert client.get("/").status_code == 401
    assert client.get("/?token=1").data == b"secret"


def test_error_in_before_request_goes_to_handler_and_after_request(app, client, log):
    @app.before_request
    def fail():
        raise KeyError("missing")

    @app.errorhandler(KeyError)
    def handle(e):
        log.append("handler")
        return "handled", 418

    @app.after_request
    def after(response):
        log.append(f"after {response.status_code}")
        return response

    @app.route("/")
    def index():
        log.append("view")
        return ""

    rv = client.get("/")

    assert rv.status_code == 418
    assert log == ["handler", "after 418"]


def test_before_request_funcs_can_be_appended_directly(app, client):
    app.before_request_funcs.setdefault(None, []).append(lambda: "direct")

    @app.route("/")
    def index():
        return "view"

    assert client.get("/").data == b"direct"


# -- after_request ---------------------------------------------------------------


def test_after_request_runs_in_reverse_order(app, client):
    @app.after_request
    def registered_first(response):
        response.headers["X-Order"] += " first"
        return response

    @app.after_request
    def registered_second(response):
        response.headers["X-Order"] = "second"
        return response

    @app.route("/")
    def index():
        return ""

    assert client.get("/").headers["X-Order"] == "second first"


def test_after_request_may_replace_the_response(app, client):
    @app.after_request
    def replace(response):
        return flask.Response(f"was {response.get_data(as_text=True)}", 202)

    @app.route("/")
    def index():
        return "original"

    rv = client.get("/")

    assert rv.status_code == 202
    assert rv.data == b"was original"


def test_after_request_sees_the_request(app, client):
    @app.after_request
    def echo(response):
        response.headers["X-Path"] = flask.request.path
        response.headers["X-Endpoint"] = str(flask.request.endpoint)
        return response

    @app.route("/page")
    def page():
        return ""

    rv = client.get("/page")

    assert rv.headers["X-Path"] == "/page"
    assert rv.headers["X-Endpoint"] == "page"


def test_after_request_can_set_cookies(app, client):
    @app.after_request
    def remember(response):
        response.set_cookie("seen", "yes")
        return response

    @app.route("/")
    def index():
        return ""

    client.get("/")

    assert client.get_cookie("seen").value == "yes"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/missing", 404), ("/abort", 409), ("/fail", 500)],
)
def test_after_request_runs_for_error_responses(app, client, log, path, status):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.logger.disabled = True

    @app.after_request
    def after(response):
        log.append(response.status_code)
        return response

    @app.route("/abort")
    def aborted():
        flask.abort(409)

    @app.route("/fail")
    def fail():
        raise ValueError("fail")

    assert client.get(path).status_code == status
    assert log == [status]


def test_after_request_skipped_when_the_error_propagates(app, client, log):
    @app.after_request
    def after(response):
        log.append("after")
        return response

    @app.teardown_request
    def teardown(exc):
        log.append(f"teardown {type(exc).__name__}")

    @app.route("/")
    def index():
        raise ValueError("propagates in testing")

    with pytest.raises(ValueError):
        client.get("/")

    assert log == ["teardown ValueError"]


def test_error_in_after_request_propagates_in_testing(app, client):
    @app.after_request
    def broken(response):
        raise RuntimeError("after failed")

    @app.route("/")
    def index():
        return ""

    with pytest.raises(RuntimeError, match="after failed"):
        client.get("/")


def test_after_request_funcs_can_be_appended_directly(app, client):
    def tag(response):
        response.headers["X-Direct"] = "1"
        return response

    app.after_request_funcs[None].append(tag)

    @app.route("/")
    def index():
        return ""

    assert client.get("/").headers["X-Direct"] == "1"


# -- teardown_request -------------------------------------------------------------


def test_teardown_request_runs_after_the_response_is_made(app, client, log):
    @app.after_request
    def after(response):
        log.append("after")
        return response

    @app.teardown_request
    def teardown(exc):
        log.append(("teardown", exc, flask.request.path))

    @app.route("/")
    def index():
        log.append("view")
        return ""

    client.get("/")

    assert log == ["view", "after", ("teardown", None, "/")]


def test_teardown_request_return_value_is_ignored(app, client):
    @app.teardown_request
    def teardown(exc):
        return "ignored"

    @app.route("/")
    def index():
        return "view"

    assert client.get("/").data == b"view"


# -- URL processors ---------------------------------------------------------------


def test_url_value_preprocessor_runs_before_before_request(app, client, log):
    @app.url_value_preprocessor
    def pre(endpoint, values):
        log.append(("pre", endpoint, dict(values)))

    @app.before_request
    def before():
        log.append("before")

    @app.route("/item/<int:n>")
    def item(n):
        return ""

    client.get("/item/4")

    assert log == [("pre", "item", {"n": 4}), "before"]


def test_url_value_preprocessor_may_pull_values(app, client):
    @app.url_value_preprocessor
    def pull_lang(endpoint, values):
        flask.g.lang = values.pop("lang")

    @app.route("/<lang>/about")
    def about():
        return f"about in {flask.g.lang}"

    assert client.get("/fr/about").data == b"about in fr"


def test_url_value_preprocessor_without_a_match(app, client, log):
    @app.url_value_preprocessor
    def pre(endpoint, values):
        log.append((endpoint, values))

    assert client.get("/missing").status_code == 404
    assert log == [(None, None)]


def test_url_defaults_fill_missing_values(app, req_ctx):
    @app.url_defaults
    def add_lang(endpoint, values):
        if app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values.setdefault("lang", "en")

    @app.route("/<lang>/about")
    def about():
        return ""

    @app.route("/plain")
    def plain():
        return ""

    assert flask.url_for("about") == "/en/about"
    assert flask.url_for("about", lang="de") == "/de/about"
    assert flask.url_for("plain") == "/plain"


def test_url_defaults_extra_values_become_the_query(app, req_ctx):
    @app.url_defaults
    def always(endpoint, values):
        values.setdefault("ref", "nav")

    @app.route("/plain")
    def plain():
        return ""

    assert flask.url_for("plain") == "/plain?ref=nav"


def test_url_defaults_run_in_an_app_context(app):
    app.config["SERVER_NAME"] = "example.test"

    @app.url_defaults
    def add_lang(endpoint, values):
        values.setdefault("lang", "en")

    @app.route("/<lang>/")
    def home():
        return ""

    with app.app_context():
        assert flask.url_for("home") == "http://example.test/en/"


def test_url_processors_carry_a_value_through_a_request(app, client):
    @app.url_value_preprocessor
    def pull(endpoint, values):
        flask.g.lang = values.pop("lang", None)

    @app.url_defaults
    def push(endpoint, values):
        if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = flask.g.lang

    @app.route("/<lang>/")
    def home():
        return flask.url_for("page", name="x")

    @app.route("/<lang>/<name>")
    def page(name):
        return ""

    assert client.get("/de/").data == b"/de/x"


def test_url_processor_registries_can_be_appended_directly(app, client):
    app.url_value_preprocessors[None].append(
        lambda endpoint, values: values.update(n=values["n"] * 10)
    )
    app.url_default_functions[None].append(
        lambda endpoint, values: values.setdefault("n", 1)
    )

    @app.route("/<int:n>")
    def number(n):
        return f"{n} {flask.url_for('number')}"

    assert client.get("/3").data == b"30 /1"


# -- app and blueprint order ------------------------------------------------------


@pytest.fixture
def nested(app, log):
    """An app with blueprint ``parent`` at /p holding ``child`` at /c,
    each scope recording its hooks in ``log``.
    """
    parent = flask.Blueprint("parent", __name__, url_prefix="/p")
    child = flask.Blueprint("child", __name__, url_prefix="/c")

    def record(scope, name):
        scope.url_value_preprocessor(
            lambda ep, values: log.append(f"preprocess {name}")
        )
        scope.url_defaults(lambda ep, values: log.append(f"defaults {name}"))
        scope.before_request(lambda: log.append(f"before {name}"))
        scope.before_request(lambda: log.append(f"before2 {name}"))

        def after(response):
            log.append(f"after {name}")
            return response

        def after2(response):
            log.append(f"after2 {name}")
            return response

        scope.after_request(after)
        scope.after_request(after2)
        scope.teardown_request(lambda exc: log.append(f"teardown {name}"))

    record(app, "app")
    record(parent, "parent")
    record(child, "child")

    @app.route("/")
    def app_view():
        log.append("view")
        return ""

    @parent.route("/")
    def parent_view():
        log.append("view")
        return ""

    @child.route("/")
    def child_view():
        log.append("view")
        flask.url_for(".child_view")
        return ""

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    return app


def test_hook_order_in_a_nested_blueprint(nested, log):
    nested.test_client().get("/p/c/")

    assert log == [
        "preprocess app",
        "preprocess parent",
        "preprocess child",
        "before app",
        "before2 app",
        "before parent",
        "before2 parent",
        "before child",
        "before2 child",
        "view",
        "defaults app",
        "defaults parent",
        "defaults child",
        "after2 child",
        "after child",
        "after2 parent",
        "after parent",
        "after2 app",
        "after app",
        "teardown child",
        "teardown parent",
        "teardown app",
    ]


@pytest.mark.parametrize(
    ("path", "scopes"),
    [("/", ["app"]), ("/p/", ["app", "parent"])],
)
def test_blueprint_hooks_only_run_for_its_requests(nested, log, path, scopes):
    nested.test_client().get(path)

    before = [entry for entry in log if entry.startswith("before ")]
    after = [entry for entry in log if entry.startswith("after ")]

    assert before == [f"before {s}" for s in scopes]
    assert after == [f"after {s}" for s in reversed(scopes)]


def test_blueprint_before_request_short_circuit(app, client, log):
    bp = flask.Blueprint("bp", __name__)

    @app.before_request
    def app_before():
        log.append("app before")

    @bp.before_request
    def bp_before():
        log.append("bp before")
        return "from blueprint", 401

    @bp.route("/bp")
    def view():
        log.append("view")
        return ""

    app.register_blueprint(bp)
    rv = client.get("/bp")

    assert rv.status_code == 401
    assert log == ["app before", "bp before"]


def test_app_level_hooks_registered_by_a_blueprint(app, client, log):
    bp = flask.Blueprint("bp", __name__)
    bp.app_url_value_preprocessor(lambda ep, values: log.append("bp app preprocess"))
    bp.before_app_request(lambda: log.append("bp app before"))

    @bp.after_app_request
    def after(response):
        log.append("bp app after")
        return response

    bp.teardown_app_request(lambda exc: log.append("bp app teardown"))

    @app.before_request
    def app_before():
        log.append("app before")

    @app.after_request
    def app_after(response):
        log.append("app after")
        return response

    @app.route("/")
    def index():
        return ""

    app.register_blueprint(bp)
    client.get("/")

    # They join the app's own lists, after what the app had registered.
    assert log == [
        "bp app preprocess",
        "app before",
        "bp app before",
        "bp app after",
        "app after",
        "bp app teardown",
    ]


# -- async hooks -------------------------------------------------------------------


@pytest.fixture
def async_ready():
    pytest.importorskip("asgiref")


@pytest.mark.parametrize("is_async", [False, True])
def test_sync_and_async_hooks(app, client, log, async_ready, is_async):
    if is_async:

        async def before():
            log.append("before")

        async def after(response):
            log.append("after")
            response.headers["X-After"] = "async"
            return response

        async def teardown(exc):
            log.append(("teardown", exc))

    else:

        def before():
            log.append("before")

        def after(response):
            log.append("after")
            response.headers["X-After"] = "async"
            return response

        def teardown(exc):
            log.append(("teardown", exc))

    app.before_request(before)
    app.after_request(after)
    app.teardown_request(teardown)

    @app.route("/")
    def index():
        log.append(f"view {flask.request.path}")
        return "ok"

    rv = client.get("/")

    assert rv.data == b"ok"
    assert rv.headers["X-After"] == "async"
    assert log == ["before", "view /", "after", ("teardown", None)]


def test_async_before_request_short_circuits(app, client, async_ready):
    @app.before_request
    async def stop():
        return "from async hook", 202

    @app.route("/")
    def index():
        return "view"

    rv = client.get("/")

    assert rv.status_code == 202
    assert rv.data == b"from async hook"


def test_async_hooks_see_the_request_context(app, client, async_ready):
    @app.before_request
    async def load():
        flask.g.user = flask.request.args["user"]

    @app.after_request
    async def tag(response):
        response.headers["X-User"] = flask.g.user
        return response

    @app.route("/")
    async def index():
        return f"hello {flask.g.user}"

    rv = client.get("/?user=amy")

    assert rv.data == b"hello amy"
    assert rv.headers["X-User"] == "amy"


def test_async_hooks_in_a_blueprint(app, client, log, async_ready):
    bp = flask.Blueprint("bp", __name__)

    @bp.before_request
    async def bp_before():
        log.append("bp before")

    @bp.after_request
    async def bp_after(response):
        log.append("bp after")
        return response

    @bp.route("/bp")
    def view():
        return ""

    app.register_blueprint(bp)
    client.get("/bp")

    assert log == ["bp before", "bp after"]
