"""The request pipeline's skips: the steps Flask's own methods would take
with nothing to do (teardown without functions or receivers, hook plans
without hooks, saving a session never opened) are not taken, and are
taken again as soon as something would observe them: a function in any
scope, a receiver, or the method replaced on a subclass, on the class or
on the app.
"""

from __future__ import annotations

import typing as t

import pytest

import flask
from flask import signals
from flask.sansio._registry import RegistryAttribute
from flask.sansio.scaffold import Scaffold
from flask.sessions import SecureCookieSessionInterface

_TEARDOWNS = ("do_teardown_request", "do_teardown_appcontext")


def _app(cls: type[flask.Flask] = flask.Flask) -> flask.Flask:
    app = cls(__name__)
    app.secret_key = "secret"

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/fail")
    def fail() -> str:
        raise KeyError("boom")

    return app


def _serve(app: flask.Flask, path: str = "/") -> int:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app.test_client().get(path).status_code


@pytest.mark.parametrize("name", _TEARDOWNS)
@pytest.mark.parametrize("where", ["subclass", "class", "app"])
def test_replaced_teardown_is_called_without_functions(monkeypatch, name, where):
    """A teardown method replaced anywhere is called for every request,
    with the request's error, though the app has no teardown function."""
    seen: list[t.Any] = []
    own = getattr(flask.Flask, name)

    def replacement(self: flask.Flask, exc: t.Any = None) -> None:
        seen.append(type(exc).__name__)
        own(self, exc)

    if where == "subclass":
        app = _app(type("Sub", (flask.Flask,), {name: replacement}))
    elif where == "class":
        monkeypatch.setattr(flask.Flask, name, replacement)
        app = _app()
    else:
        app = _app()
        monkeypatch.setattr(app, name, replacement.__get__(app))

    assert _serve(app) == 200
    assert _serve(app, "/fail") == 500
    assert seen == ["NoneType", "KeyError"]


@pytest.mark.parametrize(
    "signal", [signals.request_tearing_down, signals.appcontext_tearing_down]
)
def test_teardown_signals_are_sent_without_functions(signal):
    app = _app()
    received: list[t.Any] = []

    def receiver(sender: flask.Flask, exc: t.Any = None, **kw: t.Any) -> None:
        received.append(type(exc).__name__)

    with signal.connected_to(receiver, app):
        _serve(app)
        _serve(app, "/fail")

    assert received == ["NoneType", "KeyError"]


def test_teardown_of_one_blueprint_runs_for_its_requests_only():
    app = _app()
    bp = flask.Blueprint("bp", __name__)
    ran: list[str] = []
    bp.teardown_request(lambda exc: ran.append(f"bp {type(exc).__name__}"))
    bp.route("/bp")(lambda: "bp")
    app.register_blueprint(bp)

    assert _serve(app) == 200
    assert ran == []
    assert _serve(app, "/bp") == 200
    assert ran == ["bp NoneType"]


def test_teardown_added_after_the_first_request_runs():
    app = _app()
    _serve(app)
    ran: list[str] = []
    # Setup methods refuse once a request is served; the registries do not.
    app.teardown_request_funcs.setdefault(None, []).append(lambda e: ran.append("r"))
    app.teardown_appcontext_funcs.append(lambda e: ran.append("a"))
    _serve(app)
    assert ran == ["r", "a"]


def test_url_value_preprocessor_of_a_blueprint_alone_runs():
    """With no other hook anywhere, a blueprint's preprocessor is found."""
    app = _app()
    bp = flask.Blueprint("bp", __name__, url_prefix="/<lang>")

    @bp.url_value_preprocessor
    def pull(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        flask.g.lang = values.pop("lang")  # type: ignore[union-attr]

    bp.route("/page")(lambda: f"page {flask.g.lang}")
    app.register_blueprint(bp)
    assert app.test_client().get("/en/page").data == b"page en"


@pytest.mark.parametrize("kind", ["before_request", "after_request"])
def test_hook_of_a_blueprint_alone_runs_for_its_requests_only(kind):
    """With no other hook anywhere, a blueprint's before or after request
    function runs for the blueprint's requests, and only for them."""
    app = _app()
    bp = flask.Blueprint("bp", __name__)

    def hook(*response: flask.Response) -> t.Any:
        if not response:
            return "from before"

        response[0].set_data("from after")
        return response[0]

    getattr(bp, kind)(hook)
    bp.route("/bp")(lambda: "bp")
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/bp").data == f"from {kind.split('_')[0]}".encode()
    assert client.get("/").data == b"index"


def test_after_this_request_runs_without_after_request_functions():
    app = _app()

    @app.route("/later")
    def later() -> str:
        @flask.after_this_request
        def add(response: flask.Response) -> flask.Response:
            response.headers["X-Later"] = "1"
            return response

        return "later"

    assert not app.after_request_funcs
    assert app.test_client().get("/later").headers["X-Later"] == "1"


class _EagerInterface(SecureCookieSessionInterface):
    """Not the built-in interface as it ships: opened at push, saved
    on every response."""

    saved = 0

    def save_session(self, app: t.Any, session: t.Any, response: t.Any) -> None:
        type(self).saved += 1
        super().save_session(app, session, response)


def test_session_of_another_interface_is_saved_without_a_cookie():
    app = _app()
    app.session_interface = _EagerInterface()
    _EagerInterface.saved = 0
    assert _serve(app) == 200
    assert _EagerInterface.saved == 1


def test_session_written_without_a_cookie_is_saved():
    app = _app()

    @app.route("/set")
    def set_() -> str:
        flask.session["x"] = 1
        return "set"

    rv = app.test_client().get("/set")
    assert "session=" in rv.headers["Set-Cookie"]


def test_permanent_session_is_refreshed_without_being_used():
    app = _app()

    @app.route("/login")
    def login() -> str:
        flask.session.permanent = True
        flask.session["user"] = "u"
        return "in"

    client = app.test_client()
    client.get("/login")
    # The view does not touch the session: the cookie is sent again with a
    # new expiry (SESSION_REFRESH_EACH_REQUEST), as on Flask.
    rv = client.get("/")
    assert "session=" in rv.headers.get("Set-Cookie", "")
    assert "Expires=" in rv.headers["Set-Cookie"]
    # Without the refresh, an untouched session sets nothing.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    assert "Set-Cookie" not in client.get("/").headers


# Every registry attribute the scaffold declares.
_REGISTRIES = [
    name
    for name, value in vars(Scaffold).items()
    if isinstance(value, RegistryAttribute)
]


@pytest.mark.parametrize("name", _REGISTRIES)
def test_registry_read_is_the_registry_assigned(name):
    """The registry attributes have no __get__: a read is the instance's
    own value, and assigning one still reaches the next request."""
    app = _app()
    assert getattr(app, name) is vars(app)[name]
    replacement = {None: []}
    setattr(app, name, replacement)
    assert getattr(app, name) is replacement
    assert _serve(app) == 200


def test_assigned_registry_reaches_the_next_request():
    app = _app()
    _serve(app)
    log: list[str] = []
    app.before_request_funcs = {None: [lambda: log.append("before")]}
    app.teardown_request_funcs = {None: [lambda e: log.append("teardown")]}
    _serve(app)
    assert log == ["before", "teardown"]
