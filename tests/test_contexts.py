"""The application and request contexts: pushing, nesting and popping them,
the proxies that read them, ``g``, teardown callbacks, per-request
callbacks, threads, copies, and the test client keeping them after a
request.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.test import EnvironBuilder

import flask
from flask.ctx import AppContext
from flask.ctx import RequestContext
from flask.globals import _cv_app
from flask.globals import _cv_request
from flask.globals import app_ctx
from flask.globals import request_ctx
from flask.sessions import SecureCookieSession


def _in_thread(func):
    """Run ``func`` in a new thread and return its result or raise its
    error in the calling thread.
    """
    result = {}

    def target():
        try:
            result["value"] = func()
        except BaseException as e:  # pragma: no cover - re-raised below
            result["error"] = e

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()

    if "error" in result:  # pragma: no cover - only when a test fails
        raise result["error"]

    return result["value"]


# -- the application context ----------------------------------------------------


def test_app_context_push_and_pop(app):
    ctx = app.app_context()

    assert isinstance(ctx, AppContext)
    assert not flask.has_app_context()

    ctx.push()

    try:
        assert flask.has_app_context()
        assert flask.current_app._get_current_object() is app
        assert _cv_app.get(None) is ctx
        assert app_ctx._get_current_object() is ctx
        assert not flask.has_request_context()
    finally:
        ctx.pop()

    assert not flask.has_app_context()
    assert _cv_app.get(None) is None


def test_app_context_as_context_manager(app):
    with app.app_context() as ctx:
        assert _cv_app.get() is ctx
        assert ctx.app is app
        assert flask.current_app.name == app.name

    assert not flask.has_app_context()


def test_nested_app_contexts_restore_the_outer_one(app):
    other = flask.Flask("other")

    with app.app_context() as outer:
        flask.g.value = "outer"

        with other.app_context() as inner:
            assert _cv_app.get() is inner
            assert flask.current_app.name == "other"
            assert "value" not in flask.g

        assert _cv_app.get() is outer
        assert flask.g.value == "outer"


def test_same_app_context_pushed_twice_needs_two_pops(app):
    torn_down = []
    app.teardown_appcontext(torn_down.append)
    ctx = app.app_context()

    with ctx:
        with ctx:
            pass

        assert _cv_app.get(None) is ctx
        assert torn_down == []

    assert _cv_app.get(None) is None
    assert torn_down == [None]


def test_popping_the_wrong_app_context_fails(app):
    first = app.app_context()
    second = app.app_context()
    first.push()
    second.push()

    with pytest.raises(AssertionError, match="Popped wrong app context"):
        first.pop()

    # The failed pop unwound to before ``first``.
    assert _cv_app.get(None) is None


def test_app_context_url_adapter_needs_server_name(app):
    with app.app_context() as ctx:
        assert ctx.url_adapter is None

    app.config["SERVER_NAME"] = "example.test"

    with app.app_context() as ctx:
        assert ctx.url_adapter.server_name == "example.test"


def test_app_context_signals(app):
    events = []

    def pushed(sender, **kwargs):
        events.append(("pushed", sender))

    def popped(sender, **kwargs):
        events.append(("popped", sender))

    with flask.appcontext_pushed.connected_to(pushed, app):
        with flask.appcontext_popped.connected_to(popped, app):
            with app.app_context():
                assert events == [("pushed", app)]

    assert events == [("pushed", app), ("popped", app)]


# -- the request context --------------------------------------------------------


def test_request_context_push_and_pop(app):
    ctx = app.test_request_context("/path?x=1")

    assert isinstance(ctx, RequestContext)

    ctx.push()

    try:
        assert _cv_request.get(None) is ctx
        assert request_ctx._get_current_object() is ctx
        assert flask.request._get_current_object() is ctx.request
        assert flask.request.path == "/path"
        assert flask.request.args["x"] == "1"
        assert flask.has_request_context()
        assert flask.has_app_context()
    finally:
        ctx.pop()

    assert _cv_request.get(None) is None
    assert not flask.has_request_context()
    assert not flask.has_app_context()


def test_request_context_pushes_an_app_context(app):
    with app.test_request_context():
        actx = _cv_app.get()
        assert actx.app is app
        assert flask.current_app._get_current_object() is app

    assert _cv_app.get(None) is None


def test_request_context_reuses_the_active_app_context(app):
    with app.app_context() as actx:
        flask.g.shared = "yes"

        with app.test_request_context():
            assert _cv_app.get() is actx
            assert flask.g.shared == "yes"

        # Popping the request context leaves the outer app context.
        assert _cv_app.get() is actx


def test_request_context_of_another_app_pushes_its_own(app):
    other = flask.Flask("other")

    with app.app_context() as actx:
        flask.g.mine = True

        with other.test_request_context():
            assert flask.current_app.name == "other"
            assert _cv_app.get() is not actx
            assert "mine" not in flask.g

        assert _cv_app.get() is actx


def test_nested_request_contexts(app):
    with app.test_request_context("/outer") as outer:
        with app.test_request_context("/inner") as inner:
            assert _cv_request.get() is inner
            assert flask.request.path == "/inner"

        assert _cv_request.get() is outer
        assert flask.request.path == "/outer"


def test_popping_the_wrong_request_context_fails(app):
    first = app.test_request_context("/1")
    second = app.test_request_context("/2")
    first.push()
    second.push()

    with pytest.raises(AssertionError) as exc_info:
        first.pop()

    assert "Popped wrong request context" in str(exc_info.value)
    assert "'http://localhost/2'" in str(exc_info.value)
    assert _cv_request.get(None) is None

    # The app contexts the two pushes made are still there; unwind them.
    while _cv_app.get(None) is not None:
        _cv_app.get().pop()


def test_request_context_repr(app):
    ctx = app.test_request_context("/page?q=1", method="POST")

    assert (
        repr(ctx) == "<RequestContext 'http://localhost/page?q=1' [POST] of flask_test>"
    )


def test_request_context_from_environ(app):
    @app.route("/e", methods=["POST"])
    def e():
        return ""

    environ = EnvironBuilder("/e", method="POST", query_string="a=b").get_environ()

    with app.request_context(environ):
        assert flask.request.environ is environ
        assert flask.request.method == "POST"
        assert flask.request.args["a"] == "b"
        assert flask.request.endpoint == "e"


@pytest.mark.parametrize(
    ("kwargs", "attr", "expected"),
    [
        ({"path": "/p"}, "path", "/p"),
        ({"path": "/p?x=1"}, "full_path", "/p?x=1"),
        ({"query_string": {"q": "v"}}, "query_string", b"q=v"),
        ({"method": "PUT"}, "method", "PUT"),
        ({"base_url": "https://h.test/root"}, "url", "https://h.test/root/"),
        ({"base_url": "https://h.test/root"}, "script_root", "/root"),
        ({"url_scheme": "https"}, "scheme", "https"),
        ({"headers": {"X-Thing": "1"}}, "headers", {"X-Thing": "1"}),
    ],
)
def test_test_request_context_arguments(app, kwargs, attr, expected):
    with app.test_request_context(**kwargs):
        value = getattr(flask.request, attr)

        if isinstance(expected, dict):
            assert {k: value.get(k) for k in expected} == expected
        else:
            assert value == expected


def test_test_request_context_body(app):
    with app.test_request_context(method="POST", json={"a": [1, 2]}):
        assert flask.request.is_json
        assert flask.request.get_json() == {"a": [1, 2]}

    with app.test_request_context(method="POST", data={"field": "value"}):
        assert flask.request.form["field"] == "value"


def test_test_request_context_subdomain(app):
    app.config["SERVER_NAME"] = "example.test"

    with app.test_request_context(subdomain="api"):
        assert flask.request.host == "api.example.test"


def test_request_context_matches_the_url(app):
    @app.route("/item/<int:n>")
    def item(n):
        return ""

    with app.test_request_context("/item/3") as ctx:
        assert ctx.url_adapter is not None
        assert flask.request.url_rule.rule == "/item/<int:n>"
        assert flask.request.view_args == {"n": 3}
        assert flask.request.routing_exception is None

    with app.test_request_context("/nope"):
        assert flask.request.url_rule is None
        assert isinstance(flask.request.routing_exception, NotFound)


def test_request_context_copy(app):
    with app.test_request_context("/c?x=1") as ctx:
        flask.session["key"] = "value"
        copy = ctx.copy()

    assert isinstance(copy, RequestContext)
    assert copy is not ctx
    assert copy.request is ctx.request
    assert copy.app is app

    with copy:
        assert _cv_request.get() is copy
        assert flask.request.args["x"] == "1"
        assert flask.session["key"] == "value"


def test_session_attribute_is_readable_and_settable(app):
    ctx = app.test_request_context()
    assert ctx._session is None

    preset = SecureCookieSession({"preset": 1})
    ctx._session = preset

    with ctx:
        assert flask.session._get_current_object() is preset
        assert flask.session["preset"] == 1


def test_session_attribute_holds_the_opened_session(app):
    with app.test_request_context() as ctx:
        session = flask.session._get_current_object()

        assert ctx._session is session
        assert ctx.session is session


# -- proxies and unbound errors -------------------------------------------------


_PROXIES = {
    "current_app": flask.current_app,
    "g": flask.g,
    "app_ctx": app_ctx,
    "request": flask.request,
    "session": flask.session,
    "request_ctx": request_ctx,
}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("current_app", "Working outside of application context."),
        ("g", "Working outside of application context."),
        ("app_ctx", "Working outside of application context."),
        ("request", "Working outside of request context."),
        ("session", "Working outside of request context."),
        ("request_ctx", "Working outside of request context."),
    ],
)
def test_unbound_proxy_raises_runtime_error(name, message):
    with pytest.raises(RuntimeError) as exc_info:
        _PROXIES[name].some_attribute  # noqa: B018

    assert str(exc_info.value).startswith(message)


@pytest.mark.parametrize("name", ["request", "session", "request_ctx"])
def test_request_proxies_need_a_request_not_only_an_app_context(app_ctx, name):
    with pytest.raises(RuntimeError, match="Working outside of request context"):
        _PROXIES[name].get  # noqa: B018


def test_unbound_message_says_how_to_fix_it():
    with pytest.raises(RuntimeError) as exc_info:
        flask.current_app.name  # noqa: B018

    assert "app.app_context()" in str(exc_info.value)

    with pytest.raises(RuntimeError) as exc_info:
        flask.request.path  # noqa: B018

    assert "test_request_context()" in str(exc_info.value)


def test_unbound_proxies_are_falsy():
    assert not flask.g
    assert not flask.request
    assert not flask.current_app


@pytest.mark.parametrize(
    ("push", "has_app", "has_request"),
    [
        (None, False, False),
        ("app", True, False),
        ("request", True, True),
    ],
)
def test_has_context_functions(app, push, has_app, has_request):
    if push == "app":
        ctx = app.app_context()
    elif push == "request":
        ctx = app.test_request_context()
    else:
        assert flask.has_app_context() is has_app
        assert flask.has_request_context() is has_request
        return

    with ctx:
        assert flask.has_app_context() is has_app
        assert flask.has_request_context() is has_request


def test_get_current_object_returns_the_real_objects(app):
    with app.test_request_context() as ctx:
        assert flask.current_app._get_current_object() is app
        assert flask.request._get_current_object() is ctx.request
        assert flask.g._get_current_object() is _cv_app.get().g
        assert flask.session._get_current_object() is ctx.session


# -- g ------------------------------------------------------------------------------


def test_g_attributes(app_ctx):
    flask.g.user = "amy"

    assert flask.g.user == "amy"
    assert getattr(flask.g, "missing", "default") == "default"

    del flask.g.user

    with pytest.raises(AttributeError):
        flask.g.user  # noqa: B018

    with pytest.raises(AttributeError):
        del flask.g.user


def test_g_get(app_ctx):
    flask.g.present = 0

    assert flask.g.get("present") == 0
    assert flask.g.get("missing") is None
    assert flask.g.get("missing", "fallback") == "fallback"


def test_g_pop(app_ctx):
    flask.g.value = 1

    assert flask.g.pop("value") == 1
    assert "value" not in flask.g
    assert flask.g.pop("value", "default") == "default"

    with pytest.raises(KeyError):
        flask.g.pop("value")


def test_g_setdefault(app_ctx):
    assert flask.g.setdefault("a", 1) == 1
    assert flask.g.setdefault("a", 2) == 1
    assert flask.g.setdefault("b") is None
    assert flask.g.a == 1
    assert "b" in flask.g


def test_g_contains_and_iteration(app_ctx):
    assert "x" not in flask.g
    assert list(flask.g) == []

    flask.g.x = 1
    flask.g.y = 2

    assert "x" in flask.g
    assert sorted(flask.g) == ["x", "y"]


def test_g_repr(app_ctx):
    assert repr(flask.g) == "<flask.g of 'flask_test'>"


def test_g_is_new_for_each_app_context(app):
    with app.app_context():
        flask.g.value = 1

    with app.app_context():
        assert "value" not in flask.g


def test_g_is_shared_by_hooks_and_view_of_one_request(app, client):
    @app.before_request
    def load():
        assert "user" not in flask.g
        flask.g.user = flask.request.args["user"]

    @app.route("/")
    def index():
        return flask.g.user

    assert client.get("/?user=amy").data == b"amy"
    assert client.get("/?user=bob").data == b"bob"


def test_app_ctx_globals_class(app):
    class Namespace(flask.ctx._AppCtxGlobals):
        def greet(self):
            return f"hello {self.name}"

    app.app_ctx_globals_class = Namespace

    with app.app_context() as ctx:
        flask.g.name = "g"

        assert isinstance(ctx.g, Namespace)
        assert flask.g.greet() == "hello g"


# -- teardown callbacks -----------------------------------------------------------


@pytest.fixture
def teardown_log(app):
    log = []

    @app.teardown_request
    def request_one(exc):
        log.append(("request_one", exc))

    @app.teardown_request
    def request_two(exc):
        log.append(("request_two", exc))

    @app.teardown_appcontext
    def app_one(exc):
        log.append(("app_one", exc))

    @app.teardown_appcontext
    def app_two(exc):
        log.append(("app_two", exc))

    return log


def test_teardown_runs_once_in_reverse_order(app, client, teardown_log):
    @app.route("/")
    def index():
        assert teardown_log == []
        return "ok"

    client.get("/")

    assert teardown_log == [
        ("request_two", None),
        ("request_one", None),
        ("app_two", None),
        ("app_one", None),
    ]


@pytest.mark.parametrize("propagate", [True, False])
def test_teardown_receives_the_view_error(app, client, teardown_log, propagate):
    app.config["PROPAGATE_EXCEPTIONS"] = propagate
    error = ValueError("view failed")

    @app.route("/")
    def index():
        raise error

    if propagate:
        with pytest.raises(ValueError):
            client.get("/")
    else:
        assert client.get("/").status_code == 500

    assert [exc for _, exc in teardown_log] == [error] * 4
    assert _cv_request.get(None) is None


def test_teardown_gets_none_for_handled_errors(app, client, teardown_log):
    @app.errorhandler(KeyError)
    def handle(e):
        return "handled", 400

    @app.route("/key")
    def key():
        raise KeyError("x")

    @app.route("/abort")
    def aborted():
        flask.abort(409)

    assert client.get("/key").status_code == 400
    assert client.get("/abort").status_code == 409
    assert all(exc is None for _, exc in teardown_log)
    assert len(teardown_log) == 8


def test_teardown_with_error_in_a_with_block(app, teardown_log):
    error = KeyError("in block")

    with pytest.raises(KeyError):
        with app.test_request_context():
            raise error

    assert [exc for _, exc in teardown_log] == [error] * 4


def test_pop_passes_the_given_error(app, teardown_log):
    error = TypeError("given")
    ctx = app.test_request_context()
    ctx.push()
    ctx.pop(error)

    assert [exc for _, exc in teardown_log] == [error] * 4


def test_pop_defaults_to_the_error_being_handled(app, teardown_log):
    try:
        raise OSError("being handled")
    except OSError as e:
        error = e
        ctx = app.app_context()
        ctx.push()
        ctx.pop()

    assert teardown_log == [("app_two", error), ("app_one", error)]


def test_pop_with_explicit_none_ignores_the_handled_error(app, teardown_log):
    try:
        raise OSError("being handled")
    except OSError:
        ctx = app.app_context()
        ctx.push()
        ctx.pop(None)

    assert teardown_log == [("app_two", None), ("app_one", None)]


def test_app_context_alone_runs_only_appcontext_teardown(app, teardown_log):
    with app.app_context():
        pass

    assert teardown_log == [("app_two", None), ("app_one", None)]


def test_request_context_inside_app_context_runs_only_request_teardown(
    app, teardown_log
):
    with app.app_context():
        with app.test_request_context():
            pass

        assert teardown_log == [("request_two", None), ("request_one", None)]

    assert len(teardown_log) == 4


def test_teardown_functions_can_release_what_the_view_put_on_g(app, client):
    released = []

    @app.teardown_request
    def request_teardown(exc):
        released.append(("request", flask.request.path, flask.g.get("db")))

    @app.teardown_appcontext
    def close_db(exc):
        released.append(("app", flask.has_request_context(), flask.g.pop("db")))

    @app.route("/")
    def index():
        flask.g.db = "connection"
        return ""

    client.get("/")

    assert released == [
        ("request", "/", "connection"),
        ("app", False, "connection"),
    ]


def test_popping_a_context_that_was_not_pushed_fails(app):
    with pytest.raises(LookupError):
        app.app_context().pop()

    with pytest.raises(LookupError):
        app.test_request_context().pop()

    assert _cv_app.get(None) is None


def test_failing_request_teardown_does_not_stop_the_others(app, client):
    # Our design: every teardown runs and the first error is raised after.
    # Flask 3.1 stops at the first failing request teardown.
    log = []

    @app.teardown_request
    def last(exc):
        log.append("last")
        raise RuntimeError("second failure")

    @app.teardown_request
    def middle(exc):
        log.append("middle")
        raise RuntimeError("first failure")

    @app.teardown_request
    def first(exc):
        log.append("first")

    @app.teardown_appcontext
    def app_teardown(exc):
        log.append("app")

    @app.route("/")
    def index():
        return "ok"

    with pytest.raises(RuntimeError, match="first failure"):
        client.get("/")

    assert log == ["first", "middle", "last", "app"]
    assert _cv_request.get(None) is None
    assert _cv_app.get(None) is None


def test_failing_appcontext_teardown_does_not_stop_the_others(app):
    log = []

    @app.teardown_appcontext
    def second(exc):
        log.append("second")

    @app.teardown_appcontext
    def first(exc):
        log.append("first")
        raise RuntimeError("appctx teardown failed")

    with pytest.raises(RuntimeError, match="appctx teardown failed"):
        with app.app_context():
            pass

    assert log == ["first", "second"]
    assert _cv_app.get(None) is None


def test_teardown_runs_when_a_before_request_hook_raises(app, client, teardown_log):
    @app.before_request
    def fail():
        raise LookupError("before")

    @app.route("/")
    def index():
        return ""

    with pytest.raises(LookupError):
        client.get("/")

    assert [type(exc) for _, exc in teardown_log] == [LookupError] * 4


def test_async_teardown_functions(app, client):
    pytest.importorskip("asgiref")
    log = []

    @app.teardown_request
    async def request_teardown(exc):
        log.append(("request", exc))

    @app.teardown_appcontext
    async def app_teardown(exc):
        log.append(("app", exc))

    @app.route("/")
    def index():
        return ""

    client.get("/")

    assert log == [("request", None), ("app", None)]


# -- after_this_request -------------------------------------------------------------


def test_after_this_request_changes_the_response(app, client):
    @app.route("/")
    def index():
        @flask.after_this_request
        def add_header(response):
            response.headers["X-Once"] = "yes"
            return response

        return "body"

    @app.route("/other")
    def other():
        return "other"

    assert client.get("/").headers["X-Once"] == "yes"
    assert "X-Once" not in client.get("/other").headers


def test_after_this_request_runs_in_order_before_after_request(app, client):
    @app.after_request
    def app_hook(response):
        response.headers["X-Order"] += " app"
        return response

    @app.route("/")
    def index():
        def first(response):
            response.headers["X-Order"] = "first"
            return response

        def second(response):
            response.headers["X-Order"] += " second"
            return response

        flask.after_this_request(first)
        flask.after_this_request(second)
        return ""

    assert client.get("/").headers["X-Order"] == "first second app"


def test_after_this_request_may_replace_the_response(app, client):
    @app.route("/")
    def index():
        flask.after_this_request(lambda response: flask.Response("new", 201))
        return "old"

    rv = client.get("/")

    assert rv.status_code == 201
    assert rv.data == b"new"


def test_after_this_request_from_a_before_request_hook(app, client):
    @app.before_request
    def hook():
        @flask.after_this_request
        def tag(response):
            response.headers["X-Before"] = "1"
            return response

    @app.route("/")
    def index():
        return ""

    assert client.get("/").headers["X-Before"] == "1"


def test_after_this_request_outside_a_request_fails(app_ctx):
    with pytest.raises(RuntimeError, match="'after_this_request' can only be used"):
        flask.after_this_request(lambda response: response)


# -- threads --------------------------------------------------------------------------


def test_contexts_are_not_shared_with_other_threads(app):
    with app.test_request_context():
        seen = _in_thread(
            lambda: (flask.has_app_context(), flask.has_request_context())
        )

    assert seen == (False, False)


def test_app_context_in_a_thread(app):
    def work():
        with app.app_context():
            flask.g.thread_value = 1
            return flask.current_app.name

    with app.app_context():
        flask.g.main_value = 1

        assert _in_thread(work) == "flask_test"
        assert "thread_value" not in flask.g


def test_copy_current_request_context_in_a_thread(app, client):
    @app.route("/")
    def index():
        flask.session["user"] = "amy"
        outer_ctx = _cv_request.get()
        outer_request = flask.request._get_current_object()

        @flask.copy_current_request_context
        def work(suffix):
            return {
                "path": flask.request.path + suffix,
                "arg": flask.request.args["q"],
                "user": flask.session["user"],
                "same_request": flask.request._get_current_object() is outer_request,
                "copied_ctx": _cv_request.get() is not outer_ctx,
            }

        return _in_thread(lambda: work("!"))

    assert client.get("/?q=1").json == {
        "path": "/!",
        "arg": "1",
        "user": "amy",
        "same_request": True,
        "copied_ctx": True,
    }


def test_copy_current_request_context_keeps_the_function_metadata(req_ctx):
    def work():
        """Docs."""

    wrapped = flask.copy_current_request_context(work)

    assert wrapped.__name__ == "work"
    assert wrapped.__doc__ == "Docs."
    assert wrapped.__wrapped__ is work


def test_copy_current_request_context_pops_after_the_call(req_ctx):
    @flask.copy_current_request_context
    def work():
        return _cv_request.get()

    copy = _in_thread(work)

    assert copy is not req_ctx
    assert copy.request is req_ctx.request
    assert _cv_request.get() is req_ctx


def test_copy_current_request_context_outside_a_request_fails(app_ctx):
    with pytest.raises(RuntimeError, match="'copy_current_request_context'"):
        flask.copy_current_request_context(lambda: None)


# -- streaming ------------------------------------------------------------------------


def test_stream_with_context_keeps_the_request_in_the_generator(app, client):
    @app.route("/")
    def index():
        flask.g.prefix = ">"

        @flask.stream_with_context
        def generate():
            yield flask.g.prefix
            yield flask.request.args["name"]

        return generate()

    assert client.get("/?name=amy").data == b">amy"


def test_stream_with_context_leaves_no_context_between_chunks(app):
    log = []

    @app.teardown_request
    def teardown(exc):
        log.append("teardown")

    @app.route("/")
    def index():
        def generate():
            log.append(f"generating {flask.request.path}")
            yield "a"
            yield "b"

        return flask.stream_with_context(generate())

    environ = EnvironBuilder("/").get_environ()
    body = app(environ, lambda status, headers, exc_info=None: None)

    # The server thread is clean once the app returns, before iterating.
    assert _cv_request.get(None) is None
    assert _cv_app.get(None) is None
    assert log == ["teardown"]

    assert list(body) == [b"a", b"b"]
    body.close()

    assert log == ["teardown", "generating /", "teardown"]
    assert _cv_request.get(None) is None


# -- the test client keeping contexts -------------------------------------------------


def test_with_client_keeps_the_last_request_context(app, client):
    @app.route("/")
    def index():
        flask.g.value = "from view"
        flask.session["user"] = "amy"
        return ""

    with client:
        client.get("/?x=1")

        assert flask.request.path == "/"
        assert flask.request.args["x"] == "1"
        assert flask.g.value == "from view"
        assert flask.session["user"] == "amy"

    assert not flask.has_request_context()
    assert not flask.has_app_context()


def test_with_client_replaces_the_context_on_the_next_request(app, client):
    @app.route("/<name>")
    def page(name):
        flask.g.name = name
        return ""

    with client:
        client.get("/first")
        first = _cv_request.get()
        client.get("/second")

        assert _cv_request.get() is not first
        assert flask.request.path == "/second"
        assert flask.g.name == "second"

    assert not flask.has_app_context()


def test_with_client_runs_teardown_once_per_push(app, client, teardown_log):
    @app.route("/")
    def index():
        return ""

    with client:
        client.get("/")

        assert [name for name, _ in teardown_log] == [
            "request_two",
            "request_one",
            "app_two",
            "app_one",
        ]

    # Releasing the kept contexts tears them down again, once each.
    assert len(teardown_log) == 8
    assert [name for name, _ in teardown_log[4:]] == [
        "request_two",
        "request_one",
        "app_two",
        "app_one",
    ]


def test_with_client_keeps_nothing_after_an_error(app, client):
    @app.route("/fail")
    def fail():
        raise ValueError("fail")

    @app.route("/ok")
    def ok():
        return ""

    with client:
        with pytest.raises(ValueError):
            client.get("/fail")

        assert not flask.has_request_context()

        client.get("/ok")
        assert flask.request.path == "/ok"

    assert not flask.has_request_context()


def test_with_client_cannot_be_nested(client):
    with client:
        with pytest.raises(RuntimeError, match="Cannot nest client invocations"):
            with client:
                pass


def test_without_with_client_nothing_is_kept(app, client):
    @app.route("/")
    def index():
        return ""

    client.get("/")

    assert not flask.has_request_context()
    assert not flask.has_app_context()
