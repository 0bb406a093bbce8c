"""Hooks: their order across blueprints, and exceptions raised from each."""

from __future__ import annotations

import typing as t

import flask

from . import _differs
from . import _kit
from . import scenario

HOOK_SITES = (
    "url_value_preprocessor",
    "before_request",
    "view",
    "after_this_request",
    "after_request",
    "teardown_request",
    "teardown_appcontext",
    "context_processor",
    "url_defaults",
    "error_handler",
    "template_filter",
    "appcontext_pushed_signal",
    "request_started_signal",
    "request_finished_signal",
)


class Boom(Exception):
    pass


def _all_run(site: str) -> _differs.Comparer | None:
    """Every teardown function runs even when one raises (ours); Flask
    stops at the raising one.
    """
    if site == "teardown_request":
        return _differs.insert_events_after(
            "teardown_request:boom",
            "teardown_request:second",
            "sig:request_tearing_down:exc=NoneType",
        )

    if site == "teardown_appcontext":
        # ... and the teardown phase completes: its signal is sent.
        return _differs.insert_events_after(
            "teardown_appcontext:boom",
            "teardown_appcontext:second",
            "sig:appcontext_tearing_down:exc=NoneType",
        )

    return None


@scenario(
    [(site, testing) for site in HOOK_SITES for testing in (0, 1)],
    differs={
        f"{site}-{testing}": c
        for site in ("teardown_request", "teardown_appcontext")
        for testing in (0, 1)
        if (c := _all_run(site)) is not None
    },
)
def raising_hook(site: str, testing: int) -> t.Any:
    app = _kit.make_app(testing=bool(testing))
    probe = _kit.Probe()
    probe.logger(app)
    probe.signals(app)

    def maybe_raise(name: str) -> None:
        probe(name)

        if name == site:
            raise Boom(name)

    @app.url_value_preprocessor
    def uvp(endpoint: t.Any, values: t.Any) -> None:
        maybe_raise("url_value_preprocessor")

    @app.url_defaults
    def defaults(endpoint: str, values: dict[str, t.Any]) -> None:
        maybe_raise("url_defaults")

    @app.before_request
    def before() -> None:
        maybe_raise("before_request")

    @app.after_request
    def after(r: t.Any) -> t.Any:
        maybe_raise("after_request")
        return r

    @app.teardown_request
    def td_second(exc: t.Any) -> None:
        probe("teardown_request:second")

    @app.teardown_request
    def td(exc: t.Any) -> None:
        probe("teardown_request:boom" if site == "teardown_request" else "td")

        if site == "teardown_request":
            raise Boom("teardown_request")

    @app.teardown_appcontext
    def tda_second(exc: t.Any) -> None:
        probe("teardown_appcontext:second")

    @app.teardown_appcontext
    def tda(exc: t.Any) -> None:
        probe("teardown_appcontext:boom" if site == "teardown_appcontext" else "tda")

        if site == "teardown_appcontext":
            raise Boom("teardown_appcontext")

    @app.context_processor
    def ctx_proc() -> dict[str, t.Any]:
        maybe_raise("context_processor")
        return {"v": 1}

    @app.template_filter("f")
    def f(value: t.Any) -> t.Any:
        maybe_raise("template_filter")
        return value

    @app.errorhandler(KeyError)
    def on_key(e: Exception) -> t.Any:
        maybe_raise("error_handler")
        return "key handled", 400

    for name in ("appcontext_pushed", "request_started", "request_finished"):
        signal = getattr(flask, name)

        def receiver(sender: t.Any, _name: str = name, **kw: t.Any) -> None:
            maybe_raise(f"{_name}_signal")

        signal.connect(receiver, app, weak=False)
        _kit._connected.append((signal, receiver))

    @app.route("/")
    def index() -> t.Any:
        maybe_raise("view")

        @flask.after_this_request
        def atr(r: t.Any) -> t.Any:
            maybe_raise("after_this_request")
            return r

        if site == "error_handler":
            raise KeyError("k")

        return flask.render_template_string(
            "{{ v }} {{ 'x'|f }} {{ url_for('index') }}"
        )

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(["flat", "nested", "nested_with_app_hooks", "sibling"])
def hook_order(layout: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app)
    parent = flask.Blueprint("parent", __name__, url_prefix="/p")
    child = flask.Blueprint("child", __name__, url_prefix="/c")
    sibling = flask.Blueprint("sibling", __name__, url_prefix="/s")
    scopes: list[tuple[str, t.Any]] = [("parent", parent), ("child", child)]

    if layout in ("nested_with_app_hooks", "flat", "sibling"):
        scopes.append(("app", app))

    if layout == "sibling":
        scopes.append(("sibling", sibling))

    for label, scope in scopes:
        scope.before_request(probe.hook(f"before:{label}"))
        scope.after_request(probe.hook(f"after:{label}", "arg"))
        scope.teardown_request(probe.hook(f"teardown:{label}"))
        scope.url_value_preprocessor(probe.hook(f"uvp:{label}"))
        scope.url_defaults(probe.hook(f"url_defaults:{label}"))
        scope.context_processor(probe.hook(f"ctx:{label}", {}))

    for label, scope in (("parent", parent), ("child", child), ("sibling", sibling)):
        scope.before_app_request(probe.hook(f"before_app:{label}"))
        scope.after_app_request(probe.hook(f"after_app:{label}", "arg"))
        scope.teardown_app_request(probe.hook(f"teardown_app:{label}"))
        scope.app_url_value_preprocessor(probe.hook(f"app_uvp:{label}"))
        scope.app_url_defaults(probe.hook(f"app_url_defaults:{label}"))
        scope.app_context_processor(probe.hook(f"app_ctx:{label}", {}))

    def view() -> t.Any:
        probe("view", flask.request.endpoint, flask.request.blueprints)
        return flask.render_template_string("{{ url_for(request.endpoint) }}")

    child.add_url_rule("/", "view", view)
    parent.add_url_rule("/", "view", view)
    sibling.add_url_rule("/", "view", view)
    app.add_url_rule("/", "view", view)

    if layout != "flat":
        parent.register_blueprint(child)
    else:
        app.register_blueprint(child)

    app.register_blueprint(parent)
    app.register_blueprint(sibling)
    paths = ["/", "/p/", "/s/", "/p/c/" if layout != "flat" else "/c/"]
    return probe.record(out=_kit.get_all(app, *paths))


@scenario(["none", "value", "tuple", "response", "second_skipped"])
def before_request_returns(kind: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app)

    @app.before_request
    def first() -> t.Any:
        probe("first")

        if kind == "value":
            return "short-circuit"

        if kind == "tuple":
            return "short", 201, {"X-Short": "1"}

        if kind == "response":
            return flask.Response("resp", 202)

        if kind == "second_skipped":
            return "first wins"

        return None

    @app.before_request
    def second() -> t.Any:
        probe("second")
        return None

    @app.after_request
    def after(r: t.Any) -> t.Any:
        probe("after", r.status)
        return r

    @app.route("/")
    def index() -> t.Any:
        probe("view")
        return "view"

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(["none", "other_response", "string", "testing_none"])
def after_request_returns(kind: str) -> t.Any:
    app = _kit.make_app(testing=kind.startswith("testing"))
    probe = _kit.observe(app)

    @app.after_request
    def after(r: t.Any) -> t.Any:
        probe("after")

        if kind in ("none", "testing_none"):
            return None

        if kind == "string":
            return "not a response"

        return flask.Response("replaced", 203)

    @app.after_request
    def first_run(r: t.Any) -> t.Any:
        probe("first_run", type(r).__name__)
        return r

    @app.route("/")
    def index() -> t.Any:
        return "view"

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(["view", "before", "error_handler", "outside", "nested", "twice"])
def after_this_request(where: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app)

    def register(label: str) -> None:
        @flask.after_this_request
        def atr(r: t.Any) -> t.Any:
            probe("atr", label)
            r.headers.add("X-Atr", label)
            return r

    @app.before_request
    def before() -> None:
        if where == "before":
            register("before")

    @app.after_request
    def after(r: t.Any) -> t.Any:
        probe("after")
        return r

    @app.errorhandler(ValueError)
    def on_value(e: Exception) -> t.Any:
        register("handler")
        return "handled", 400

    @app.route("/")
    def index() -> t.Any:
        if where in ("view", "twice"):
            register("view")

        if where == "twice":
            register("view2")

        if where == "nested":

            @flask.after_this_request
            def outer(r: t.Any) -> t.Any:
                register("inner")
                return r

        if where == "error_handler":
            raise ValueError("x")

        return "ok"

    if where == "outside":
        with app.app_context():
            return _kit.call(register, "outside")

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(["app_ctx_only", "request_ctx", "app_ctx_error", "nested_app_ctx"])
def appcontext_signals(kind: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app)
    app.teardown_appcontext(probe.hook("tda2"))

    def run() -> None:
        if kind == "app_ctx_only":
            with app.app_context():
                probe("inside", _kit.ctx_state())
        elif kind == "request_ctx":
            with app.test_request_context("/x"):
                probe("inside", _kit.ctx_state())
        elif kind == "app_ctx_error":
            with app.app_context():
                raise ValueError("inside app ctx")
        else:
            with app.app_context():
                with app.app_context():
                    probe("nested")

                probe("outer again")

    return probe.record(rv=_kit.call(run))


@scenario(["ok", "error_in_view", "error_handled"])
def signal_kwargs(kind: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.Probe()
    seen: list[t.Any] = []

    for name in _kit.SIGNALS:
        signal = getattr(flask, name)

        def receiver(sender: t.Any, _name: str = name, **kw: t.Any) -> None:
            seen.append([_name, sender is app, sorted(kw)])

        signal.connect(receiver, app, weak=False)
        _kit._connected.append((signal, receiver))

    @app.errorhandler(KeyError)
    def on_key(e: Exception) -> t.Any:
        return "handled", 400

    @app.route("/")
    def index() -> t.Any:
        flask.flash("msg", "cat")

        if kind == "error_in_view":
            raise ValueError("x")

        if kind == "error_handled":
            raise KeyError("x")

        return flask.render_template_string("t")

    return probe.record(out=_kit.get_all(app, "/"), seen=seen)
