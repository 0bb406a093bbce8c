"""Per-scope request plans (flask.sansio._plan) against the generic walk.

A plan resolves, once per blueprint scope, the hook chains and the error
handler lookup that a request would otherwise compute by walking the
registries. These tests pit plans against a plain walk written here from
the documented order, on random registries, and check that every way of
changing a registry (decorators, direct list and dict edits, replacing a
registry, plain containers an extension assigns) is seen by the next
request.
"""

from __future__ import annotations

import copy
import pickle
import typing as t

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound
from werkzeug.routing import BuildError

import flask
from flask.sansio._plan import ScopePlan
from flask.sansio._registry import HookList
from flask.sansio._registry import ScopedRegistry

# --- the generic walk, from the documented order ---------------------------


def walk_inward(registry: t.Mapping[t.Any, list[t.Any]], scopes: tuple[str, ...]):
    """App first, then blueprints from the outermost in; registration order."""
    out = []

    for name in (None, *reversed(scopes)):
        out.extend(registry.get(name, ()))

    return tuple(out)


def walk_outward(registry: t.Mapping[t.Any, list[t.Any]], scopes: tuple[str, ...]):
    """Innermost blueprint first, the app last; latest registration first."""
    out = []

    for name in (*scopes, None):
        out.extend(reversed(registry.get(name, ())))

    return tuple(out)


def walk_handler(app: flask.Flask, exc_class: type, scopes: tuple[str, ...]):
    """By status code first, then by class; innermost scope first; MRO."""
    code = exc_class.code if issubclass(exc_class, HTTPException) else None

    for wanted in (code, None) if code is not None else (None,):
        for name in (*scopes, None):
            handlers = app.error_handler_spec.get(name, {}).get(wanted, {})

            for cls in exc_class.__mro__:
                if cls in handlers:
                    return handlers[cls]

    return None


# --- random registries -----------------------------------------------------

SCOPE_NAMES = [None, "a", "a.b", "a.b.c", "x"]
REGISTRIES = [
    "before_request_funcs",
    "after_request_funcs",
    "teardown_request_funcs",
    "template_context_processors",
    "url_value_preprocessors",
    "url_default_functions",
]


class E1(Exception):
    pass


class E2(E1):
    pass


class NotFound2(NotFound):
    pass


EXCEPTIONS = [Exception, E1, E2, KeyError, NotFound, NotFound2, BadRequest]
KEYS: list[t.Any] = [Exception, E1, E2, KeyError, NotFound, NotFound2, BadRequest, 404]

registrations = st.lists(
    st.tuples(
        st.sampled_from(REGISTRIES + ["error_handler_spec"]),
        st.sampled_from(SCOPE_NAMES),
        st.sampled_from(KEYS),
    ),
    max_size=30,
)


def build_app(regs: list[tuple[str, str | None, t.Any]]) -> flask.Flask:
    app = flask.Flask("plans")

    for i, (registry, scope, key) in enumerate(regs):

        def f(*args: t.Any) -> None: ...

        f.__name__ = f"f{i}"

        if registry == "error_handler_spec":
            exc_class, code = app._get_exc_class_and_code(key)
            app.error_handler_spec[scope][code][exc_class] = f
        else:
            getattr(app, registry)[scope].append(f)

    return app


@settings(max_examples=150, deadline=None)
@given(
    regs=registrations,
    scopes=st.sampled_from([(), ("a",), ("a.b", "a"), ("a.b.c", "a.b", "a"), ("x",)]),
)
def test_plan_equals_the_generic_walk(regs, scopes):
    app = build_app(regs)
    plan = app._scope_plan(scopes)

    assert plan.before_request == walk_inward(app.before_request_funcs, scopes)
    assert plan.url_value_preprocessors == walk_inward(
        app.url_value_preprocessors, scopes
    )
    assert plan.context_processors == walk_inward(
        app.template_context_processors, scopes
    )
    assert plan.url_defaults == walk_inward(app.url_default_functions, scopes)
    assert plan.after_request == walk_outward(app.after_request_funcs, scopes)
    assert plan.teardown_request == walk_outward(app.teardown_request_funcs, scopes)

    for exc_class in EXCEPTIONS:
        found = app._find_error_handler(exc_class(), scopes)
        assert found is walk_handler(app, exc_class, scopes)
        # Asked again: the remembered answer is the same.
        assert app._find_error_handler(exc_class(), scopes) is found


def test_plan_is_reused_until_a_registry_changes(app):
    first = app._scope_plan(())
    assert app._scope_plan(()) is first

    app.before_request_funcs[None].append(lambda: None)
    assert app._scope_plan(()) is not first


# --- every way to change a registry reaches the next request ---------------


def _calls_after_first_request(app: flask.Flask, change: t.Callable[[list[str]], None]):
    calls: list[str] = []

    @app.route("/")
    def index():
        return "ok"

    client = app.test_client()
    client.get("/")
    change(calls)
    client.get("/")
    return calls


def _hook(calls, name):
    def hook(*args):
        calls.append(name)
        return args[0] if args else None

    return hook


LIST_EDITS: dict[str, t.Callable[[list[t.Any], t.Any], None]] = {
    "append": lambda lst, f: lst.append(f),
    "extend": lambda lst, f: lst.extend([f]),
    "insert": lambda lst, f: lst.insert(0, f),
    "iadd": lambda lst, f: lst.__iadd__([f]),
    "setitem_slice": lambda lst, f: lst.__setitem__(slice(0, 0), [f]),
}


@pytest.mark.parametrize("edit", sorted(LIST_EDITS))
@pytest.mark.parametrize(
    "registry",
    ["before_request_funcs", "after_request_funcs", "teardown_request_funcs"],
)
def test_list_edits_after_the_first_request_apply(app, registry, edit):
    # The scope's list exists before the first request: only the edit
    # itself can tell the plan to change.
    getattr(app, registry)[None].append(lambda *args: args[0] if args else None)

    def change(calls):
        LIST_EDITS[edit](getattr(app, registry)[None], _hook(calls, "added"))

    assert _calls_after_first_request(app, change) == ["added"]


@pytest.mark.parametrize("edit", ["remove", "pop", "clear", "delitem", "imul"])
def test_removing_a_hook_after_the_first_request_applies(app, edit):
    calls: list[str] = []
    hook = _hook(calls, "hook")
    app.after_request(hook)

    def change(_):
        funcs = app.after_request_funcs[None]
        {
            "remove": lambda: funcs.remove(hook),
            "pop": lambda: funcs.pop(),
            "clear": lambda: funcs.clear(),
            "delitem": lambda: funcs.__delitem__(0),
            "imul": lambda: funcs.__imul__(0),
        }[edit]()

    _calls_after_first_request(app, change)
    # Ran on the first request only.
    assert calls == ["hook"]


def test_reordering_hooks_after_the_first_request_applies(app):
    calls: list[str] = []
    app.before_request(_hook(calls, "one"))
    app.before_request(_hook(calls, "two"))

    def change(_):
        calls.clear()
        app.before_request_funcs[None].reverse()

    _calls_after_first_request(app, change)
    assert calls == ["two", "one"]


@pytest.mark.parametrize("how", ["setdefault", "setitem", "update", "ior"])
def test_dict_edits_after_the_first_request_apply(app, how):
    def change(calls):
        registry = app.before_request_funcs
        funcs = [_hook(calls, "added")]

        if how == "setdefault":
            registry.pop(None, None)
            registry.setdefault(None, []).extend(funcs)
        elif how == "setitem":
            registry[None] = funcs
        elif how == "update":
            registry.update({None: funcs})
        else:
            registry |= {None: funcs}

    assert _calls_after_first_request(app, change) == ["added"]


def test_plain_list_assigned_into_a_registry_is_followed(app):
    """A list of the extension's own is not tracked: the plan is rebuilt
    on every use, so later edits to it still apply.
    """
    own: list[t.Any] = []
    app.before_request_funcs[None] = own
    calls: list[str] = []

    @app.route("/")
    def index():
        return "ok"

    client = app.test_client()
    client.get("/")
    own.append(_hook(calls, "late"))
    client.get("/")
    own.append(_hook(calls, "later"))
    client.get("/")
    assert calls == ["late", "late", "later"]
    assert not app._scope_plan(()).cacheable


def test_replacing_a_whole_registry_applies(app):
    calls: list[str] = []

    def change(_):
        app.after_request_funcs = {None: [_hook(calls, "replaced")]}

    _calls_after_first_request(app, change)
    assert calls == ["replaced"]
    app.after_request_funcs[None].append(_hook(calls, "plain dict edit"))
    app.test_client().get("/")
    assert calls == ["replaced", "plain dict edit", "replaced"]


def test_error_handler_added_after_the_first_request_applies(app):
    # The map the handler goes into exists already.
    app.register_error_handler(KeyError, lambda e: "key")

    @app.route("/")
    def index():
        raise E1()

    app.testing = False
    client = app.test_client()
    assert client.get("/").status_code == 500
    app.error_handler_spec[None][None][E1] = lambda e: ("handled", 418)
    assert client.get("/").status_code == 418
    del app.error_handler_spec[None][None][E1]
    assert client.get("/").status_code == 500


def test_error_handler_in_a_plain_dict_is_followed(app):
    @app.route("/")
    def index():
        raise E1()

    app.testing = False
    handlers: dict[type, t.Any] = {}
    app.error_handler_spec[None][None] = handlers
    client = app.test_client()
    assert client.get("/").status_code == 500
    handlers[E1] = lambda e: ("handled", 418)
    assert client.get("/").status_code == 418


def test_blueprint_hooks_follow_direct_edits(app):
    calls: list[str] = []
    bp = flask.Blueprint("bp", __name__)

    @bp.route("/bp")
    def view():
        return "bp"

    app.register_blueprint(bp)
    client = app.test_client()
    client.get("/bp")
    app.before_request_funcs["bp"].append(_hook(calls, "bp hook"))
    app.before_request_funcs[None].append(_hook(calls, "app hook"))
    client.get("/bp")
    assert calls == ["app hook", "bp hook"]


def test_url_defaults_added_late_apply_to_url_for(app):
    app.add_url_rule("/<lang>/", "index", lambda lang: lang)

    with app.test_request_context():
        assert flask.url_for("index", lang="en") == "/en/"
        app.url_default_functions[None].append(
            lambda endpoint, values: values.setdefault("lang", "fr")
        )
        assert flask.url_for("index") == "/fr/"


def test_plans_for_many_scopes_stay_bounded(app):
    app.config["SERVER_NAME"] = "localhost"

    with app.app_context():
        for i in range(1000):
            with pytest.raises(BuildError):
                flask.url_for(f"bp{i}.x{i}")

    assert len(app._plans) <= 256


# --- the registries still look and behave like Flask's --------------------


def test_registries_look_like_defaultdicts_of_lists(app):
    app.before_request(print)
    registry = app.before_request_funcs
    assert repr(registry) == f"defaultdict(<class 'list'>, {{None: [{print!r}]}})"
    assert isinstance(registry, dict)
    assert isinstance(registry[None], list)
    assert registry["missing"] == []
    assert "missing" in registry


@pytest.mark.parametrize("how", [copy.copy, copy.deepcopy, pickle.dumps])
def test_registries_copy_and_pickle(app, how):
    app.before_request_funcs[None].append(print)
    app.error_handler_spec[None][404][NotFound] = print
    how(app.before_request_funcs)

    # As in Flask 3.1, the handler registry's factory is a local function:
    # it copies but does not pickle.
    if how is not pickle.dumps:
        how(app.error_handler_spec)
    clone = pickle.loads(pickle.dumps(app.before_request_funcs))
    assert dict(clone) == {None: [print]}
    assert isinstance(clone[None], HookList)
    assert isinstance(clone, ScopedRegistry)


def test_plan_without_tracked_registries_is_never_cached(app):
    app.before_request_funcs = {None: []}
    plan = app._scope_plan(())
    assert isinstance(plan, ScopePlan)
    assert not plan.cacheable
    assert app._scope_plan(()) is not plan
