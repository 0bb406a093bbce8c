"""Sessions: the cookie session, custom interfaces, the test client's view
of ``request_ctx._session``, configuration and bad cookies.
"""

from __future__ import annotations

import json
import typing as t

import flask
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from flask.sessions import SessionInterface
from flask.sessions import SessionMixin

from . import _kit
from . import scenario

OPS: dict[str, t.Callable[[t.Any], t.Any]] = {
    "untouched": lambda s: None,
    "getitem": lambda s: s["user"],
    "get_missing": lambda s: s.get("missing", "default"),
    "get": lambda s: s.get("user"),
    "contains": lambda s: "user" in s,
    "len": lambda s: len(s),
    "iterate": lambda s: sorted(s),
    "keys": lambda s: sorted(s.keys()),
    "bool": lambda s: bool(s),
    "write": lambda s: s.__setitem__("user", "bob"),
    "write_same": lambda s: s.__setitem__("user", "alice"),
    "delete": lambda s: s.__delitem__("user"),
    "pop": lambda s: s.pop("user", None),
    "setdefault": lambda s: s.setdefault("counter", 0),
    "update": lambda s: s.update(x=1),
    "clear": lambda s: s.clear(),
    "permanent": lambda s: setattr(s, "permanent", True),
    "permanent_read": lambda s: s.permanent,
    "modified_flag": lambda s: setattr(s, "modified", True),
    "mutate_nested": lambda s: s.setdefault("items", []).append(1),
}

_SHARED_OPS = {"contains", "len", "iterate", "keys", "bool"}


def _session_app(**config: t.Any) -> tuple[flask.Flask, _kit.Probe]:
    app = _kit.make_app(**config)
    probe = _kit.observe(app, signals=False)

    @app.route("/login")
    def login() -> t.Any:
        flask.session["user"] = "alice"
        return "in"

    return app, probe


def _drive(
    app: flask.Flask, probe: _kit.Probe, op: str, cookie: str, path: str = "/op"
) -> dict[str, t.Any]:
    @app.route("/op")
    def run_op() -> t.Any:
        s = flask.session
        rv = _kit.call(OPS[op], s)
        probe("op", json.dumps(rv), _kit.session_state(s._get_current_object()))
        return "done"

    client = app.test_client()

    if cookie == "valid":
        client.get("/login")
    elif cookie == "garbage":
        client.set_cookie("session", "not.a.valid.cookie")
    elif cookie == "tampered":
        client.get("/login")
        value = client.get_cookie("session").value  # type: ignore[union-attr]
        client.set_cookie(
            "session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
        )

    with client:
        out = _kit.req(client, path)
        after = _kit.ctx_state()

    return probe.record(out=out, after_with=after)


@scenario([(op, cookie) for op in OPS for cookie in ("none", "valid")])
def cookie_session(op: str, cookie: str) -> t.Any:
    app, probe = _session_app()
    return _drive(app, probe, op, cookie)


@scenario(
    [
        (op, c)
        for op in ("untouched", "getitem", "write")
        for c in ("garbage", "tampered")
    ]
)
def bad_cookie(op: str, cookie: str) -> t.Any:
    app, probe = _session_app()
    return _drive(app, probe, op, cookie)


@scenario(
    [
        (refresh, permanent, op)
        for refresh in (0, 1)
        for permanent in (0, 1)
        for op in ("untouched", "getitem", "write")
    ]
)
def refresh_each_request(refresh: int, permanent: int, op: str) -> t.Any:
    app, probe = _session_app(SESSION_REFRESH_EACH_REQUEST=bool(refresh))

    @app.route("/perm")
    def perm() -> t.Any:
        flask.session["user"] = "alice"
        flask.session.permanent = bool(permanent)
        return "perm"

    @app.route("/op")
    def run_op() -> t.Any:
        OPS[op](flask.session)
        return "done"

    client = app.test_client()
    first = _kit.req(client, "/perm")
    second = _kit.req(client, "/op")
    return probe.record(first=first, second=second)


SESSION_CONFIGS: dict[str, dict[str, t.Any]] = {
    "name": {"SESSION_COOKIE_NAME": "sid"},
    "domain": {"SESSION_COOKIE_DOMAIN": "example.com"},
    "domain_dotted": {"SESSION_COOKIE_DOMAIN": ".example.com"},
    "server_name": {"SERVER_NAME": "example.com"},
    "path": {"SESSION_COOKIE_PATH": "/app"},
    "app_root": {"APPLICATION_ROOT": "/root"},
    "no_httponly": {"SESSION_COOKIE_HTTPONLY": False},
    "secure": {"SESSION_COOKIE_SECURE": True},
    "samesite_lax": {"SESSION_COOKIE_SAMESITE": "Lax"},
    "samesite_strict": {"SESSION_COOKIE_SAMESITE": "Strict"},
    "partitioned": {"SESSION_COOKIE_PARTITIONED": True, "SESSION_COOKIE_SECURE": True},
    "lifetime_int": {"PERMANENT_SESSION_LIFETIME": 60},
    "fallbacks": {"SECRET_KEY_FALLBACKS": ["old"]},
}


@scenario(list(SESSION_CONFIGS))
def cookie_config(kind: str) -> t.Any:
    app, probe = _session_app(**SESSION_CONFIGS[kind])

    @app.route("/perm")
    def perm() -> t.Any:
        flask.session.permanent = True
        flask.session["p"] = 1
        return "p"

    @app.route("/clear")
    def clear() -> t.Any:
        flask.session.clear()
        return "cleared"

    client = app.test_client()
    return probe.record(
        out=[_kit.req(client, p) for p in ("/login", "/perm", "/clear")]
    )


@scenario(["read", "write", "untouched", "write_testing", "transaction", "flash"])
def no_secret_key(kind: str) -> t.Any:
    app = _kit.make_app(secret=None, testing=kind.endswith("testing"))
    probe = _kit.observe(app, signals=False)

    @app.route("/")
    def index() -> t.Any:
        s = flask.session
        probe("session", type(s._get_current_object()).__name__, s.get("x"))

        if kind.startswith("write"):
            s["x"] = 1

        if kind == "flash":
            flask.flash("hi")

        return "ok"

    client = app.test_client()

    if kind == "transaction":

        def transact() -> None:
            with client.session_transaction() as sess:
                sess["x"] = 1

        return probe.record(out=_kit.call(transact))

    return probe.record(out=_kit.req(client, "/"))


def _empty_session(ours: t.Any, ref: t.Any) -> None:
    """Safer: a validly signed cookie that does not hold a dict gives an
    empty session; Flask fails with the TypeError of ``dict(value)``.
    """
    assert ref["out"]["raised"]["type"] in ("TypeError", "ValueError"), ref
    assert ours["out"]["resp"]["status"] == "200 OK", ours
    assert ours["out"]["resp"]["body"] == "{}", ours
    assert ours["events"] == [e.split(":")[0] for e in ref["events"]], ours


@scenario(
    ["signed_list", "signed_str", "signed_int", "signed_none"],
    differs={
        "signed_list": _empty_session,
        "signed_str": _empty_session,
        "signed_int": _empty_session,
    },
)
def signed_non_dict_cookie(kind: str) -> t.Any:
    app, probe = _session_app(testing=True)
    payload = {"signed_list": [1, 2], "signed_str": "x", "signed_int": 5}.get(kind)

    with app.app_context():
        signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        value = signer.dumps(payload)

    @app.route("/op")
    def op() -> t.Any:
        return repr(dict(flask.session))

    client = app.test_client()
    client.set_cookie("session", value)
    return probe.record(out=_kit.req(client, "/op"))


# --- custom interfaces -------------------------------------------------------


class PreloadInterface(SecureCookieSessionInterface):
    def open_session(self, app: t.Any, request: t.Any) -> t.Any:
        s = super().open_session(app, request)

        if s is not None:
            s.setdefault("preloaded", True)

        return s


class SaveRecorder(SecureCookieSessionInterface):
    def save_session(self, app: t.Any, session: t.Any, response: t.Any) -> None:
        response.headers["X-Saved"] = f"{session.modified}:{session.accessed}"
        super().save_session(app, session, response)


class NeverSet(SecureCookieSessionInterface):
    def should_set_cookie(self, app: t.Any, session: t.Any) -> bool:
        return False


class AlwaysSet(SecureCookieSessionInterface):
    def should_set_cookie(self, app: t.Any, session: t.Any) -> bool:
        return True


class CookieName(SecureCookieSessionInterface):
    def get_cookie_name(self, app: t.Any) -> str:
        return "custom_cookie"


class PlainJson:
    @staticmethod
    def dumps(value: t.Any) -> str:
        return json.dumps(value, sort_keys=True)

    @staticmethod
    def loads(value: t.Any) -> t.Any:
        return json.loads(value)


class OwnSerializer(SecureCookieSessionInterface):
    serializer = PlainJson()  # type: ignore[assignment]
    salt = "other-salt"


class OpenReturnsNone(SecureCookieSessionInterface):
    def open_session(self, app: t.Any, request: t.Any) -> t.Any:
        return None


class DictSession(dict, SessionMixin):  # type: ignore[type-arg]
    pass


STORE: dict[str, t.Any] = {}


class ServerSide(SessionInterface):
    def open_session(self, app: t.Any, request: t.Any) -> t.Any:
        sid = request.cookies.get("sid")
        return DictSession(STORE.get(sid, {}))

    def save_session(self, app: t.Any, session: t.Any, response: t.Any) -> None:
        STORE["s1"] = dict(session)
        response.set_cookie("sid", "s1")


class MyNull(flask.sessions.NullSession):
    pass


class CustomNull(SecureCookieSessionInterface):
    null_session_class = MyNull

    def open_session(self, app: t.Any, request: t.Any) -> t.Any:
        return None


class NoPickup(SecureCookieSessionInterface):
    pickle_based = True

    def is_null_session(self, obj: object) -> bool:
        return True


INTERFACES = {
    c.__name__: c
    for c in (
        PreloadInterface,
        SaveRecorder,
        NeverSet,
        AlwaysSet,
        CookieName,
        OwnSerializer,
        OpenReturnsNone,
        ServerSide,
        CustomNull,
        NoPickup,
    )
}


@scenario([(i, op) for i in INTERFACES for op in ("untouched", "getitem", "write")])
def custom_interface(iface: str, op: str) -> t.Any:
    STORE.clear()
    app, probe = _session_app()
    app.session_interface = INTERFACES[iface]()
    out = _drive(app, probe, op, "none")
    client = app.test_client()
    second = [_kit.req(client, "/login"), _kit.req(client, "/op")]
    return {"first": out, "second": second}


@scenario(["plain", "existing", "no_changes", "nested", "custom_none", "outside_ctx"])
def session_transaction(kind: str) -> t.Any:
    app, probe = _session_app()

    if kind == "custom_none":
        app.session_interface = OpenReturnsNone()

    @app.route("/show")
    def show() -> t.Any:
        return repr(sorted(flask.session.items()))

    client = app.test_client()

    if kind == "existing":
        client.get("/login")

    def transact() -> t.Any:
        with client.session_transaction() as sess:
            probe("in transaction", type(sess).__name__, sorted(sess.items()))
            probe("ctx", _kit.ctx_state())

            if kind == "nested":
                with client.session_transaction() as inner:
                    inner["inner"] = 1

            if kind != "no_changes":
                sess["t"] = "set"

        return client.get_cookie("session") is not None

    if kind == "outside_ctx":
        with app.test_request_context():
            rv = _kit.call(transact)
    else:
        rv = _kit.call(transact)

    return probe.record(rv=rv, show=_kit.req(client, "/show"))


@scenario(["read", "write", "untouched"])
def vary_cookie_with_existing_vary(op: str) -> t.Any:
    app, probe = _session_app()

    @app.route("/op")
    def run_op() -> t.Any:
        OPS[{"read": "getitem"}.get(op, op)](flask.session)
        return "x", {"Vary": "Accept-Encoding"}

    client = app.test_client()
    client.get("/login")
    return probe.record(out=_kit.req(client, "/op"))


DIRECT_OPS: dict[str, t.Callable[[t.Any], t.Any]] = {
    "getitem": lambda s: s["a"],
    "get": lambda s: s.get("a"),
    "contains": lambda s: "a" in s,
    "len": len,
    "iter": lambda s: list(s),
    "items": lambda s: list(s.items()),
    "copy": lambda s: s.copy(),
    "setdefault": lambda s: s.setdefault("a", 2),
    "eq": lambda s: s == {"a": 1},
    "pop": lambda s: s.pop("a"),
    "setitem": lambda s: s.__setitem__("b", 1),
}

_MARKED_BY_US = {
    "getitem",
    "get",
    "contains",
    "len",
    "iter",
    "items",
    "copy",
    "setdefault",
    "pop",
    "setitem",
}


def _accessed_on_direct_read(ours: t.Any, ref: t.Any) -> None:
    """Deliberate: a SecureCookieSession held directly (not through the
    proxy) also marks itself accessed when read; the rest is Flask's.
    """
    assert ours == {**ref, "accessed": True}, (ours, ref)


@scenario(
    list(DIRECT_OPS),
    differs={name: _accessed_on_direct_read for name in _MARKED_BY_US},
)
def direct_reads(op: str) -> t.Any:
    s = SecureCookieSession({"a": 1})
    rv = _kit.call(DIRECT_OPS[op], s)
    return {"rv": rv, "accessed": s.accessed, "modified": s.modified}


def _fallbacks_str_rejected(ours: t.Any, ref: t.Any) -> None:
    """Safer: SECRET_KEY_FALLBACKS given as one string is rejected with a
    message saying to use a list; Flask takes each character as a key.
    """
    assert "resp" in ref["out"], ref
    raised = ours["out"]["raised"]
    assert raised["type"] in ("TypeError", "ValueError"), ours
    assert "list" in raised["message"], ours


@scenario(["list", "str"], differs={"str": _fallbacks_str_rejected})
def fallbacks_type(kind: str) -> t.Any:
    app, probe = _session_app(
        testing=True, SECRET_KEY_FALLBACKS=["old"] if kind == "list" else "old"
    )
    return probe.record(out=_kit.req(app.test_client(), "/login"))
