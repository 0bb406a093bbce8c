"""Async views, hooks and error handlers, run through ensure_sync, and the
per-thread event loop that runs them."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import sys
import threading
import typing as t
import weakref

import pytest

import flask
from flask.views import MethodView
from flask.views import View

asgiref_sync = pytest.importorskip("asgiref.sync")

cv: contextvars.ContextVar[str] = contextvars.ContextVar(
    "test_async_cv", default="unset"
)


class AsyncMethodView(MethodView):
    async def get(self) -> str:
        await asyncio.sleep(0)
        return f"method get {flask.request.path}"

    async def post(self) -> str:
        return f"method post {flask.request.form['value']}"

    def put(self) -> str:
        return "method sync put"


class AsyncView(View):
    methods = ["GET", "POST"]

    async def dispatch_request(self) -> str:
        await asyncio.sleep(0)
        return f"view {flask.request.method}"


def _add_views(app: flask.Flask) -> None:
    @app.route("/home", methods=["GET", "POST"])
    async def home() -> str:
        await asyncio.sleep(0)
        return f"home {flask.request.method}"

    app.add_url_rule("/method", view_func=AsyncMethodView.as_view("method"))
    app.add_url_rule("/view", view_func=AsyncView.as_view("view"))


@pytest.mark.parametrize(
    ("method", "path", "data", "expect"),
    [
        ("GET", "/home", None, b"home GET"),
        ("POST", "/home", None, b"home POST"),
        ("GET", "/method", None, b"method get /method"),
        ("POST", "/method", {"value": "v1"}, b"method post v1"),
        ("PUT", "/method", None, b"method sync put"),
        ("GET", "/view", None, b"view GET"),
        ("POST", "/view", None, b"view POST"),
    ],
)
def test_async_views(app, client, method, path, data, expect):
    _add_views(app)
    rv = client.open(path, method=method, data=data)
    assert rv.status_code == 200
    assert rv.data == expect


def test_async_method_view_405(app, client):
    _add_views(app)
    rv = client.delete("/method")
    assert rv.status_code == 405
    assert sorted(rv.allow) == ["GET", "HEAD", "OPTIONS", "POST", "PUT"]


def test_request_session_g_in_async_view(app, client):
    @app.before_request
    def before():
        flask.g.user = "alice"

    @app.route("/", methods=["POST"])
    async def index():
        await asyncio.sleep(0)
        flask.session["seen"] = flask.session.get("seen", 0) + 1
        return {
            "args": flask.request.args.get("q"),
            "json": flask.request.get_json(),
            "user": flask.g.user,
            "seen": flask.session["seen"],
            "app": flask.current_app.name,
        }

    rv = client.post("/?q=1", json={"a": [1, 2]})
    assert rv.json == {
        "args": "1",
        "json": {"a": [1, 2]},
        "user": "alice",
        "seen": 1,
        "app": "flask_test",
    }
    assert client.post("/", json={}).json["seen"] == 2


def test_async_hooks_in_order(app, client):
    events = []

    @app.before_request
    async def before():
        await asyncio.sleep(0)
        flask.g.before = True
        events.append(("before", flask.request.path))

    @app.after_request
    async def after(response):
        events.append(("after", flask.g.before))
        response.headers["X-After"] = "yes"
        return response

    @app.teardown_request
    async def teardown_request(exc):
        events.append(("teardown_request", exc))

    @app.teardown_appcontext
    async def teardown_appcontext(exc):
        events.append(("teardown_appcontext", exc))

    @app.route("/")
    async def index():
        events.append("view")
        return "ok"

    rv = client.get("/")
    assert rv.headers["X-After"] == "yes"
    assert events == [
        ("before", "/"),
        "view",
        ("after", True),
        ("teardown_request", None),
        ("teardown_appcontext", None),
    ]


def test_async_before_request_short_circuits(app, client):
    @app.before_request
    async def before():
        return "from before", 203

    @app.route("/")
    async def index():
        raise AssertionError("the view must not run")

    rv = client.get("/")
    assert rv.status_code == 203
    assert rv.data == b"from before"


def test_async_teardown_gets_the_error(app, client):
    seen = []
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.logger.disabled = True

    @app.teardown_request
    async def teardown(exc):
        seen.append(exc)

    @app.route("/")
    async def index():
        raise ValueError("boom")

    rv = client.get("/")
    assert rv.status_code == 500
    assert isinstance(seen[0], ValueError)


def test_async_view_error_propagates_in_testing(app, client):
    @app.route("/")
    async def index():
        await asyncio.sleep(0)
        raise ValueError("from the view")

    with pytest.raises(ValueError, match="from the view"):
        client.get("/")


def test_async_error_handlers(app, client):
    seen = []

    @app.errorhandler(LookupError)
    async def lookup(e):
        # The exception being handled is visible as in a sync handler.
        seen.append(sys.exc_info()[1])
        await asyncio.sleep(0)
        return f"handled {type(e).__name__}", 409

    @app.errorhandler(418)
    async def teapot(e):
        return f"teapot {e.code}", 418

    @app.route("/key")
    async def key():
        raise KeyError("k")

    @app.route("/abort")
    async def do_abort():
        flask.abort(418)

    rv = client.get("/key")
    assert (rv.status_code, rv.data) == (409, b"handled KeyError")
    assert isinstance(seen[0], KeyError)
    rv = client.get("/abort")
    assert (rv.status_code, rv.data) == (418, b"teapot 418")


def test_async_blueprint_hooks_and_handlers(app, client):
    events = []
    bp = flask.Blueprint("bp", __name__)

    @bp.before_request
    async def bp_before():
        events.append("bp before")

    @bp.after_request
    async def bp_after(response):
        events.append("bp after")
        return response

    @bp.errorhandler(KeyError)
    async def bp_error(e):
        return "bp handled", 409

    @bp.app_errorhandler(404)
    async def not_found(e):
        return "custom 404", 404

    @bp.route("/x")
    async def x():
        raise KeyError("x")

    app.register_blueprint(bp, url_prefix="/bp")
    rv = client.get("/bp/x")
    assert (rv.status_code, rv.data) == (409, b"bp handled")
    assert events == ["bp before", "bp after"]
    rv = client.get("/missing")
    assert (rv.status_code, rv.data) == (404, b"custom 404")


def test_async_context_processor_and_signal(app, client):
    started = []

    @app.context_processor
    async def inject():
        return {"who": "async"}

    async def on_started(sender, **kwargs):
        started.append(flask.request.path)

    flask.request_started.connect(on_started, app)

    @app.route("/")
    def index():
        return flask.render_template_string("hello {{ who }}")

    try:
        assert client.get("/").data == b"hello async"
    finally:
        flask.request_started.disconnect(on_started, app)

    assert started == ["/"]


def test_contextvars_flow_through_hooks_and_back(app, client):
    @app.before_request
    async def before():
        cv.set("before")

    @app.after_request
    async def after(response):
        response.headers["X-Seen"] = cv.get()
        return response

    @app.route("/")
    async def index():
        seen = cv.get()
        cv.set("view")
        return seen

    token = cv.set("caller")

    try:
        rv = client.get("/")
        assert rv.data == b"before"
        assert rv.headers["X-Seen"] == "view"
        # As with asgiref, changes made by the coroutines are copied back
        # into the caller's context.
        assert cv.get() == "view"
    finally:
        cv.reset(token)


def test_ensure_sync(app):
    def sync_func():
        return "sync"

    async def async_func(value):
        return value, cv.get()

    assert app.ensure_sync(sync_func) is sync_func
    wrapped = app.ensure_sync(async_func)
    assert wrapped is not async_func
    token = cv.set("outer")

    try:
        assert wrapped(1) == (1, "outer")
        assert app.async_to_sync(async_func)(2) == (2, "outer")
    finally:
        cv.reset(token)


def test_ensure_sync_in_request_context(app):
    async def path():
        await asyncio.sleep(0)
        return flask.request.path, flask.g.value

    with app.test_request_context("/somewhere"):
        flask.g.value = 42
        assert app.ensure_sync(path)() == ("/somewhere", 42)


def test_async_to_sync_override_is_used(app, client):
    calls = []

    class CustomFlask(flask.Flask):
        def async_to_sync(self, func):
            def wrapper(*args, **kwargs):
                calls.append(func.__name__)
                return asyncio.run(func(*args, **kwargs))

            return wrapper

    custom = CustomFlask(__name__)

    @custom.route("/")
    async def index():
        return "custom"

    assert custom.test_client().get("/").data == b"custom"
    assert calls == ["index"]


@pytest.mark.parametrize("missing", ["asgiref.sync", "asgiref"])
def test_missing_asgiref(app, client, monkeypatch, missing):
    monkeypatch.setitem(sys.modules, missing, None)

    if missing == "asgiref":
        monkeypatch.delitem(sys.modules, "asgiref.sync")

    @app.route("/async")
    async def async_view():
        return "never"

    @app.route("/sync")
    def sync_view():
        return "sync still works"

    assert client.get("/sync").data == b"sync still works"

    with pytest.raises(RuntimeError, match="Install Flask with the 'async' extra"):
        client.get("/async")

    with pytest.raises(RuntimeError, match="'async' extra"):
        app.ensure_sync(async_view)


# -- beyond Flask: one event loop per thread -----------------------------------


async def _noop() -> None:
    pass


@pytest.fixture(params=["fast-pass", "run_forever"])
def loop_pass(request: pytest.FixtureRequest, app: flask.Flask) -> t.Iterator[None]:
    """Run the test with each way of driving this thread's loop: the quick
    pass over ready callbacks, and run_forever, used for loops that are
    not asyncio's own (uvloop)."""
    from flask import _async

    app.ensure_sync(_noop)()
    thread_loop = _async._local.value
    fast = thread_loop.fast
    thread_loop.fast = request.param == "fast-pass"
    yield
    thread_loop.fast = fast


def test_one_loop_per_thread_reused(app):
    loops: list[asyncio.AbstractEventLoop] = []
    threads: list[int] = []

    @app.route("/")
    async def index():
        loops.append(asyncio.get_running_loop())
        threads.append(threading.get_ident())
        return "ok"

    client = app.test_client()
    client.get("/")
    client.get("/")
    assert loops[0] is loops[1]
    # The coroutine runs in the request's own thread.
    assert threads == [threading.get_ident()] * 2

    def other_thread():
        app.test_client().get("/")

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(10)
    assert loops[2] is not loops[0]
    assert threads[2] != threading.get_ident()
    assert not loops[0].is_closed()


def test_closed_thread_loop_is_replaced(app, client, loop_pass):
    """Code that closes this thread's loop (as asyncio.run's callers may)
    gets a new one on the next async request, whichever way it is driven.
    """
    from flask import _async

    loops: list[asyncio.AbstractEventLoop] = []

    @app.route("/")
    async def index():
        loops.append(asyncio.get_running_loop())
        return "ok"

    assert client.get("/").data == b"ok"
    fast = _async._local.value.fast
    loops[0].close()
    assert client.get("/").data == b"ok"
    assert loops[1] is not loops[0]
    assert not loops[1].is_closed()
    # The new loop is driven the usual way for its kind.
    assert _async._local.value.fast is True
    _async._local.value.fast = fast


def test_thread_loop_fast_only_for_asyncio_own_loops(monkeypatch):
    """A loop class without asyncio's internals is driven through its
    public methods."""
    from flask import _async

    class Odd(asyncio.SelectorEventLoop):
        def __init__(self) -> None:
            super().__init__()
            self._asyncgens = set()  # type: ignore[assignment]

    monkeypatch.setattr(asyncio, "new_event_loop", Odd)
    thread_loop = _async._ThreadLoop()

    try:
        assert thread_loop.fast is False
    finally:
        thread_loop.loop.close()


def test_thread_loop_closed_when_thread_ends(app):
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []
    closed_before_collect: list[bool] = []

    @app.route("/")
    async def index():
        loops.append(weakref.ref(asyncio.get_running_loop()))
        return "ok"

    def worker():
        assert app.test_client().get("/").data == b"ok"

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    loop = loops[0]()
    closed_before_collect.append(loop is None or loop.is_closed())
    del loop
    # An unclosed loop would warn (ResourceWarning, an error here) when
    # collected.
    gc.collect()
    assert closed_before_collect == [True]


def test_leftover_tasks_are_cancelled(app, client, loop_pass):
    events = []

    async def background():
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            events.append("cancelled")
            raise

    @app.route("/")
    async def index():
        asyncio.get_running_loop().create_task(background())
        await asyncio.sleep(0)
        return "ok"

    assert client.get("/").data == b"ok"
    # As with asyncio.run: nothing of this request is left on the loop.
    assert events == ["cancelled"]
    assert client.get("/").data == b"ok"
    assert events == ["cancelled", "cancelled"]


def test_unfinished_async_generators_are_closed(app, client, loop_pass):
    events = []
    kept = []

    async def numbers():
        try:
            yield 1
            yield 2
        finally:
            events.append("closed")

    @app.route("/")
    async def index():
        gen = numbers()
        kept.append(gen)
        return str(await gen.__anext__())

    assert client.get("/").data == b"1"
    assert events == ["closed"]
    assert client.get("/").data == b"1"
    assert events == ["closed", "closed"]


def test_await_timer_and_gather(app, client, loop_pass):
    @app.route("/")
    async def index():
        async def twice(x):
            await asyncio.sleep(0.01)
            return x * 2

        results = await asyncio.gather(twice(1), twice(2))
        async with asyncio.timeout(5):
            await asyncio.sleep(0)
        return {"results": results, "task": asyncio.current_task() is not None}

    assert client.get("/").json == {"results": [2, 4], "task": True}


def test_thread_sensitive_sync_to_async_runs_in_request_thread(app, client, loop_pass):
    request_thread = []

    @app.before_request
    def before():
        request_thread.append(threading.get_ident())

    @app.route("/")
    async def index():
        def where():
            return threading.get_ident()

        sensitive = await asgiref_sync.sync_to_async(where)()
        pool = await asgiref_sync.sync_to_async(where, thread_sensitive=False)()
        return {"sensitive": sensitive, "pool": pool}

    rv = client.get("/")
    assert rv.json["sensitive"] == request_thread[0]
    assert rv.json["pool"] != request_thread[0]


def test_asgiref_async_to_sync_still_works_after_sync_to_async(app):
    """asgiref marks threads that ran thread-sensitive work; the mark must
    not send a later async_to_sync of the same thread to our idle loop,
    where it would wait forever."""

    @app.route("/a")
    async def a():
        return await asgiref_sync.sync_to_async(lambda: "sync part")()

    @app.route("/b")
    def b():
        async def coro():
            return "asgiref async_to_sync"

        return asgiref_sync.async_to_sync(coro)()

    results = []

    def worker():
        client = app.test_client()
        results.append(client.get("/a").data)
        results.append(client.get("/b").data)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "async_to_sync hung"
    assert results == [b"sync part", b"asgiref async_to_sync"]


def test_ensure_sync_inside_a_running_loop(app):
    """Where asgiref refuses ("cannot use AsyncToSync in the same thread as
    an async event loop"), the coroutine runs in a helper thread."""

    async def inner():
        await asyncio.sleep(0)
        cv.set("inner")
        return flask.request.path, threading.current_thread().name

    async def outer():
        with app.test_request_context("/in-loop"):
            return app.ensure_sync(inner)(), cv.get()

    (path, thread_name), seen = asyncio.run(outer())
    assert path == "/in-loop"
    assert thread_name != threading.current_thread().name
    assert seen == "inner"


def test_async_receiver_inside_async_view(app, client):
    rendered = []

    async def on_rendered(sender, template, context, **kwargs):
        rendered.append(context["x"])

    flask.template_rendered.connect(on_rendered, app)

    @app.route("/")
    async def index():
        return flask.render_template_string("{{ x }}", x="nested")

    try:
        assert client.get("/").data == b"nested"
    finally:
        flask.template_rendered.disconnect(on_rendered, app)

    assert rendered == ["nested"]


def test_stream_with_context_inside_async_view(app, client):
    @app.route("/")
    async def index():
        flask.g.value = "g"

        def gen():
            yield flask.request.path
            yield flask.g.value

        return flask.stream_with_context(gen())

    assert client.get("/").data == b"/g"


def test_exception_in_coroutine_keeps_traceback(app):
    async def fail():
        raise LookupError("deep")

    with pytest.raises(LookupError) as info:
        app.ensure_sync(fail)()

    assert any(entry.name == "fail" for entry in info.traceback)


def test_concurrent_threads(app):
    @app.route("/<int:n>")
    async def index(n: int):
        await asyncio.sleep(0.001)
        cv.set(str(n))
        await asyncio.sleep(0)
        return f"{n} {cv.get()} {flask.request.view_args['n']}"

    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        client = app.test_client()

        try:
            for i in range(20):
                n = offset + i
                assert client.get(f"/{n}").data == f"{n} {n} {n}".encode()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k * 100,)) for k in range(4)]

    for thread in threads:
        thread.start()

    for thread in threads:
        thread.join(30)

    assert not errors
    assert not any(thread.is_alive() for thread in threads)


_EXIT_AND_FORK_SCRIPT = """
import asyncio, atexit, os, sys, threading
import flask

loops = []

@atexit.register
def check_closed():
    # Registered first, so it runs after Flask's own exit handler.
    if not all(loop.is_closed() for loop in loops):
        os._exit(7)

app = flask.Flask("script")

@app.route("/")
async def index():
    await asyncio.sleep(0)
    loops.append(asyncio.get_running_loop())
    return str(id(loops[-1]))

client = app.test_client()
parent_loop = client.get("/").data

if hasattr(os, "fork"):
    pid = os.fork()

    if pid == 0:
        # The child must not share the parent's selector: it gets its own.
        child_loop = client.get("/").data
        os._exit(0 if child_loop != parent_loop else 3)

    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status

assert client.get("/").data == parent_loop
print("ok")
"""


def test_loops_closed_at_exit_and_not_shared_after_fork(tmp_path):
    """At interpreter exit the main thread's loop is closed (no 'unclosed
    event loop' warning, in development mode with warnings as errors);
    a forked child makes its own loop."""
    import subprocess

    script = tmp_path / "script.py"
    script.write_text(_EXIT_AND_FORK_SCRIPT)
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert "Warning" not in result.stderr, result.stderr
    assert "unclosed" not in result.stderr, result.stderr
