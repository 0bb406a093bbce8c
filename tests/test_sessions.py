from __future__ import annotations

import hashlib
import secrets
import types
import typing as t
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from uuid import UUID

import pytest
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup
from werkzeug.http import parse_date

import flask
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import NullSession
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from flask.sessions import session_json_serializer
from flask.sessions import SessionInterface
from flask.sessions import SessionMixin

NO_KEY_MSG = "no secret key was set"


def freeze_signing_time(monkeypatch: pytest.MonkeyPatch, ts: float) -> None:
    """Make itsdangerous sign and check timestamps as if it were ``ts``."""
    import itsdangerous.timed

    monkeypatch.setattr(
        itsdangerous.timed, "time", types.SimpleNamespace(time=lambda: ts)
    )


def set_cookies(rv: t.Any) -> list[str]:
    return rv.headers.getlist("Set-Cookie")  # type: ignore[no-any-return]


def cookie_attr(header: str, name: str) -> str | None:
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")

        if key.lower() == name.lower():
            return value

    return None


def iface(app: flask.Flask) -> SecureCookieSessionInterface:
    i = app.session_interface
    assert isinstance(i, SecureCookieSessionInterface)
    return i


def signer(app: flask.Flask) -> URLSafeTimedSerializer:
    s = iface(app).get_signing_serializer(app)
    assert s is not None
    return s


# --- session objects, without an app -------------------------------------


def test_mixin_defaults() -> None:
    assert SessionMixin.new is False
    assert SessionMixin.modified is True
    assert SessionMixin.accessed is False
    assert SecureCookieSession.new is False
    assert SecureCookieSession.modified is False
    assert SecureCookieSession.accessed is False


def test_mixin_permanent_on_custom_mapping() -> None:
    class DictSession(dict, SessionMixin):  # type: ignore[type-arg]
        pass

    s = DictSession()
    assert s.permanent is False
    s.permanent = 1  # type: ignore[assignment]
    assert s == {"_permanent": True}
    assert s.permanent is True
    s.permanent = False
    assert s["_permanent"] is False


def test_secure_cookie_session_tracks_writes() -> None:
    writes: list[t.Callable[[SecureCookieSession], t.Any]] = [
        lambda s: s.__setitem__("a", 2),
        lambda s: s.__delitem__("a"),
        lambda s: s.pop("a"),
        lambda s: s.popitem(),
        lambda s: s.clear(),
        lambda s: s.update(b=1),
        lambda s: s.setdefault("b", 1),
        lambda s: s.__ior__({"b": 1}),
        lambda s: setattr(s, "permanent", True),
    ]

    for write in writes:
        s = SecureCookieSession({"a": 1})
        assert not s.modified
        write(s)
        assert s.modified
        assert s.accessed


def test_secure_cookie_session_no_write_no_modified() -> None:
    s = SecureCookieSession({"a": 1})
    s.setdefault("a", 2)
    s.pop("missing", None)
    assert not s.modified


@pytest.mark.parametrize(
    "read",
    [
        lambda s: s["a"],
        lambda s: s.get("a"),
        lambda s: s.get("missing", 1),
        lambda s: s.setdefault("a", 2),
        lambda s: "a" in s,
        lambda s: len(s),
        lambda s: bool(s),
        lambda s: list(s),
        lambda s: s.keys(),
        lambda s: s.values(),
        lambda s: s.items(),
        lambda s: s.permanent,
    ],
)
def test_secure_cookie_session_tracks_reads(
    read: t.Callable[[SecureCookieSession], t.Any],
) -> None:
    # Beyond Flask 3.1.3, where only the ``session`` proxy marks access:
    # the object itself records reads too.
    s = SecureCookieSession({"a": 1})
    assert not s.accessed
    read(s)
    assert s.accessed
    assert not s.modified


def test_secure_cookie_session_repr_and_dict() -> None:
    s = SecureCookieSession({"a": 1})
    assert repr(s) == "<SecureCookieSession {'a': 1}>"
    assert dict(s) == {"a": 1}
    assert s == {"a": 1}
    assert isinstance(s, dict)
    assert not s.modified


def test_null_session_reads() -> None:
    s = NullSession()
    assert s.get("a") is None
    assert "a" not in s
    assert len(s) == 0
    assert not s
    assert s.permanent is False
    assert repr(s) == "<NullSession {}>"


@pytest.mark.parametrize(
    "write",
    [
        lambda s: s.__setitem__("a", 1),
        lambda s: s.__delitem__("a"),
        lambda s: s.pop("a"),
        lambda s: s.pop("a", None),
        lambda s: s.popitem(),
        lambda s: s.clear(),
        lambda s: s.update(a=1),
        lambda s: s.setdefault("a", 1),
        lambda s: s.__ior__({"a": 1}),
        lambda s: setattr(s, "permanent", True),
    ],
)
def test_null_session_writes_fail(write: t.Callable[[NullSession], t.Any]) -> None:
    s = NullSession()

    with pytest.raises(RuntimeError) as exc_info:
        write(s)

    assert str(exc_info.value) == (
        "The session is unavailable because no secret key was set.  Set the"
        " secret_key on the application to something unique and secret."
    )
    assert s == {}


def test_interface_class_attributes() -> None:
    assert SessionInterface.null_session_class is NullSession
    assert SessionInterface.pickle_based is False
    i = SecureCookieSessionInterface()
    assert i.salt == "cookie-session"
    assert i.key_derivation == "hmac"
    assert i.digest_method(b"x").digest() == hashlib.sha1(b"x").digest()
    assert i.serializer is session_json_serializer
    assert isinstance(i.serializer, TaggedJSONSerializer)
    assert i.session_class is SecureCookieSession
    assert isinstance(i, SessionInterface)


def test_base_interface_is_abstract(app: flask.Flask) -> None:
    i = SessionInterface()

    with pytest.raises(NotImplementedError):
        i.open_session(app, None)  # type: ignore[arg-type]

    with pytest.raises(NotImplementedError):
        i.save_session(app, SecureCookieSession(), None)  # type: ignore[arg-type]


def test_null_session_helpers(app: flask.Flask) -> None:
    i = SecureCookieSessionInterface()
    null = i.make_null_session(app)
    assert type(null) is NullSession
    assert i.is_null_session(null)
    assert not i.is_null_session(SecureCookieSession())
    assert not i.is_null_session({})

    class MyNull(NullSession):
        pass

    class MyInterface(SecureCookieSessionInterface):
        null_session_class = MyNull

    mine = MyInterface()
    assert type(mine.make_null_session(app)) is MyNull
    assert not mine.is_null_session(null)


# --- configuration read by the interface ----------------------------------


def test_cookie_getters(app: flask.Flask) -> None:
    i = app.session_interface
    assert i.get_cookie_name(app) == "session"
    assert i.get_cookie_domain(app) is None
    assert i.get_cookie_path(app) == "/"
    assert i.get_cookie_httponly(app) is True
    assert i.get_cookie_secure(app) is False
    assert i.get_cookie_samesite(app) is None
    assert i.get_cookie_partitioned(app) is False

    app.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.test",
        SESSION_COOKIE_PATH="/p",
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PARTITIONED=True,
    )
    assert i.get_cookie_name(app) == "sid"
    assert i.get_cookie_domain(app) == "example.test"
    assert i.get_cookie_path(app) == "/p"
    assert i.get_cookie_httponly(app) is False
    assert i.get_cookie_secure(app) is True
    assert i.get_cookie_samesite(app) == "Lax"
    assert i.get_cookie_partitioned(app) is True


@pytest.mark.parametrize("path", [None, ""])
def test_cookie_path_falls_back_to_application_root(
    app: flask.Flask, path: str | None
) -> None:
    app.config.update(SESSION_COOKIE_PATH=path, APPLICATION_ROOT="/app")
    assert app.session_interface.get_cookie_path(app) == "/app"


def test_expiration_time(app: flask.Flask) -> None:
    i = app.session_interface
    assert i.get_expiration_time(app, SecureCookieSession()) is None
    app.permanent_session_lifetime = timedelta(hours=1)
    before = datetime.now(timezone.utc)
    rv = i.get_expiration_time(app, SecureCookieSession({"_permanent": True}))
    assert rv is not None
    assert rv.tzinfo is not None
    assert (
        before + timedelta(hours=1)
        <= rv
        <= datetime.now(timezone.utc) + timedelta(hours=1)
    )


def test_should_set_cookie(app: flask.Flask) -> None:
    i = app.session_interface
    s = SecureCookieSession({"a": 1})
    assert not i.should_set_cookie(app, s)
    s.modified = True
    assert i.should_set_cookie(app, s)

    p = SecureCookieSession({"_permanent": True})
    assert i.should_set_cookie(app, p)
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    assert not i.should_set_cookie(app, p)
    p.modified = True
    assert i.should_set_cookie(app, p)


def test_signing_serializer(app: flask.Flask) -> None:
    i = iface(app)
    s = signer(app)
    assert s.secret_keys == [b"test key"]
    assert s.salt == b"cookie-session"
    assert s.serializer is i.serializer

    app.config["SECRET_KEY_FALLBACKS"] = ["old1", b"old2"]
    # The current key is last: itsdangerous signs with the last key.
    assert signer(app).secret_keys == [b"old1", b"old2", b"test key"]

    app.config["SECRET_KEY_FALLBACKS"] = ("old",)
    assert signer(app).secret_keys == [b"old", b"test key"]

    app.config["SECRET_KEY_FALLBACKS"] = []
    assert signer(app).secret_keys == [b"test key"]


def test_signing_serializer_reused_while_settings_unchanged(
    app: flask.Flask,
) -> None:
    first = signer(app)
    assert signer(app) is first

    app.secret_key = "other"
    assert signer(app) is not first

    class Salted(SecureCookieSessionInterface):
        salt = "other-salt"

    app.secret_key = "test key"
    salted = Salted().get_signing_serializer(app)
    assert salted is not None
    assert salted is not first
    assert salted.salt == b"other-salt"


def test_signing_serializer_cache_is_bounded(app: flask.Flask) -> None:
    from flask import sessions

    for n in range(100):
        app.secret_key = f"key {n}"
        signer(app)

    assert 0 < len(sessions._signing_serializers) <= sessions._SIGNING_CACHE_SIZE


def test_unhashable_secret_key(app: flask.Flask, client: t.Any) -> None:
    app.secret_key = bytearray(b"mutable key")

    @app.route("/set")
    def set_() -> str:
        flask.session["a"] = 1
        return ""

    @app.route("/read")
    def read() -> str:
        return repr(dict(flask.session))

    assert signer(app) is not signer(app)
    client.get("/set")
    assert client.get("/read").data == b"{'a': 1}"


@pytest.mark.parametrize("key", [None, ""])
def test_signing_serializer_without_key(app: flask.Flask, key: str | None) -> None:
    app.secret_key = key
    assert iface(app).get_signing_serializer(app) is None


@pytest.mark.parametrize("fallbacks", ["old-key", b"old-key"])
def test_fallbacks_given_as_string_rejected(
    app: flask.Flask, fallbacks: str | bytes
) -> None:
    # Beyond Flask, which would use each character as a key.
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks

    with pytest.raises(TypeError) as exc_info:
        iface(app).get_signing_serializer(app)

    msg = str(exc_info.value)
    assert "SECRET_KEY_FALLBACKS" in msg
    assert "list" in msg


# --- through the application ------------------------------------------------


def test_session_round_trip(app: flask.Flask, client: t.Any) -> None:
    @app.post("/")
    def set_value() -> str:
        flask.session["value"] = flask.request.form["value"]
        return "value set"

    @app.get("/")
    def get_value() -> str:
        return str(flask.session.get("value", "missing"))

    assert client.get("/").data == b"missing"
    rv = client.post("/", data={"value": "42"})
    assert rv.data == b"value set"
    (header,) = set_cookies(rv)
    assert header.startswith("session=")
    assert cookie_attr(header, "HttpOnly") == ""
    assert cookie_attr(header, "Path") == "/"
    assert cookie_attr(header, "Expires") is None
    assert client.get("/").data == b"42"


def test_session_special_types(app: flask.Flask, client: t.Any) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    the_uuid = UUID(int=42)
    values = {
        "t": (1, 2, 3),
        "b": b"\xff",
        "m": Markup("<html>"),
        "u": the_uuid,
        "d": now,
        "tagged": {" t": "not-a-tuple"},
        "nested": [{"x": (b"y",)}],
        "unicode": "caf\u00e9 \u2603",
    }

    @app.route("/")
    def dump() -> str:
        flask.session.update(values)
        return ""

    @app.route("/read")
    def read() -> str:
        got = dict(flask.session)
        assert got == values
        assert type(got["t"]) is tuple
        assert type(got["b"]) is bytes
        assert type(got["m"]) is Markup
        assert type(got["u"]) is UUID
        assert got["nested"][0]["x"] == (b"y",)
        return "ok"

    client.get("/")
    assert client.get("/read").data == b"ok"


def test_golden_cookie_matches_flask(
    app: flask.Flask, client: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Values observed from Flask 3.1.3 for the same key and timestamp.
    freeze_signing_time(monkeypatch, 1_700_000_000.0)
    app.secret_key = "golden-key"

    @app.route("/")
    def index() -> str:
        flask.session["a"] = 1
        return ""

    @app.route("/read")
    def read() -> str:
        return repr(sorted(flask.session.items()))

    (header,) = set_cookies(client.get("/"))
    assert header == (
        "session=eyJhIjoxfQ.ZVPxAA.Z2BR-x_f8qoxOCmhqZQbZwBtH5I; HttpOnly; Path=/"
    )

    # A compressed cookie written by Flask 3.1.3 for
    # {"b": 1, "a": "é", "t": (1, b"\0", Markup("<x>"), UUID(int=1), dt),
    #  " t": {" di": 2}}
    client.set_cookie(
        "session",
        ".eJx9irEKwkAQRH9lmXqLuVMLFyOkEoR06VRCJIIWWnkghP13N5y1W8zOG94MecNmyPT4v"
        "WGAZXfFCMO5kLctFFdYUlQ18pQ0Soxo26aBL_QM2n32FUoA_1-q5hRmfy8qzHIcX5KZKVwZ1"
        "8aNHLoefnH_ArUqKKA.ZVPxAA.j5iQFW3zdO8GzdHI5i2S9JTfkbY",
    )
    dt = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    expect = {
        "b": 1,
        "a": "\u00e9",
        "t": (1, b"\x00", Markup("<x>"), UUID(int=1), dt),
        " t": {" di": 2},
    }
    assert client.get("/read").text == repr(sorted(expect.items()))


def test_cookie_attributes_from_config(app: flask.Flask) -> None:
    app.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_PATH="/p",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PARTITIONED=True,
        SESSION_COOKIE_HTTPONLY=False,
    )

    @app.route("/set")
    def set_() -> str:
        flask.session["a"] = 1
        return ""

    @app.route("/clear")
    def clear() -> str:
        flask.session.clear()
        return ""

    client = app.test_client()
    (header,) = set_cookies(client.get("/set", base_url="https://example.com/"))
    value = header.split(";")[0].split("=", 1)[1]
    assert header == (
        f"sid={value}; Domain=example.com; Secure; Path=/p; SameSite=Lax; Partitioned"
    )

    (header,) = set_cookies(client.get("/clear", base_url="https://example.com/"))
    assert header == (
        "sid=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT;"
        " Max-Age=0; Secure; Path=/p; SameSite=Lax; Partitioned"
    )


def test_cookie_path_uses_application_root(app: flask.Flask, client: t.Any) -> None:
    app.config["APPLICATION_ROOT"] = "/app"

    @app.route("/")
    def index() -> str:
        flask.session["a"] = 1
        return ""

    (header,) = set_cookies(client.get("/"))
    assert cookie_attr(header, "Path") == "/app"


def test_emptied_session_deletes_cookie(app: flask.Flask, client: t.Any) -> None:
    @app.route("/set")
    def set_() -> str:
        flask.session["a"] = 1
        return ""

    @app.route("/clear")
    def clear() -> str:
        flask.session.pop("a")
        return ""

    @app.route("/read")
    def read() -> str:
        return repr(dict(flask.session))

    client.get("/set")
    rv = client.get("/clear")
    assert set_cookies(rv) == [
        "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/"
    ]
    assert rv.headers["Vary"] == "Cookie"
    assert client.get_cookie("session") is None
    rv = client.get("/read")
    assert rv.data == b"{}"
    assert set_cookies(rv) == []


@pytest.mark.parametrize(
    "read",
    [
        lambda s: s.get("a"),
        lambda s: s["a"],
        lambda s: s.setdefault("a", 1),
        lambda s: "a" in s,
        lambda s: len(s),
        lambda s: list(s),
        lambda s: s.keys(),
        lambda s: s.permanent,
        lambda s: s.modified,
    ],
)
def test_vary_cookie_when_accessed(
    app: flask.Flask, client: t.Any, read: t.Callable[[t.Any], t.Any]
) -> None:
    @app.route("/")
    def index() -> str:
        flask.session["a"] = 1
        return ""

    @app.route("/read")
    def read_view() -> str:
        read(flask.session)
        return ""

    client.get("/")
    rv = client.get("/read")
    assert rv.headers["Vary"] == "Cookie"
    assert set_cookies(rv) == []


def test_vary_cookie_merges_existing(app: flask.Flask, client: t.Any) -> None:
    @app.route("/")
    def index() -> flask.Response:
        flask.session.get("a")
        rv = flask.make_response("")
        rv.vary.add("Accept-Encoding")
        return rv

    assert client.get("/").headers["Vary"] == "Accept-Encoding, Cookie"


def test_no_vary_when_session_untouched(app: flask.Flask, client: t.Any) -> None:
    @app.route("/set")
    def set_() -> str:
        flask.session["a"] = 1
        return ""

    @app.route("/")
    def index() -> str:
        return "untouched"

    client.get("/set")
    rv = client.get("/")
    assert "Vary" not in rv.headers
    assert set_cookies(rv) == []


def test_save_session_vary_rules(app: flask.Flask) -> None:
    i = app.session_interface

    with app.test_request_context():
        cases: list[tuple[dict[str, t.Any], bool, list[str]]] = [
            ({"a": 1}, True, ["Cookie"]),
            ({}, True, ["Cookie"]),
            ({}, False, []),
            ({"a": 1}, False, []),
            ({"_permanent": True}, False, ["Cookie"]),
        ]

        for data, modified, vary in cases:
            s = SecureCookieSession(data)
            s.accessed = False
            s.modified = modified
            rv = app.response_class()
            i.save_session(app, s, rv)
            assert list(rv.vary) == vary, data
            assert bool(set_cookies(rv)) == bool(vary), data


def test_save_without_key_sets_nothing(app: flask.Flask) -> None:
    # The key was removed after the session was opened.
    s = SecureCookieSession({"a": 1})
    s.modified = True
    app.secret_key = None

    with app.test_request_context():
        rv = app.response_class()
        iface(app).save_session(app, s, rv)

    assert set_cookies(rv) == []


def test_modified_inner_value_needs_flag(app: flask.Flask, client: t.Any) -> None:
    @app.route("/init")
    def init() -> str:
        flask.session["items"] = []
        return ""

    @app.route("/silent")
    def silent() -> str:
        flask.session["items"].append(1)
        return ""

    @app.route("/flagged")
    def flagged() -> str:
        flask.session["items"].append(2)
        flask.session.modified = True
        return ""

    @app.route("/read")
    def read() -> str:
        return repr(flask.session["items"])

    client.get("/init")
    assert set_cookies(client.get("/silent")) == []
    assert client.get("/read").data == b"[]"
    assert len(set_cookies(client.get("/flagged"))) == 1
    assert client.get("/read").data == b"[2]"


def test_permanent_session(app: flask.Flask, client: t.Any) -> None:
    app.permanent_session_lifetime = timedelta(days=2)

    @app.route("/")
    def index() -> str:
        flask.session["a"] = 1
        flask.session.permanent = True
        return ""

    @app.route("/read")
    def read() -> str:
        return str(flask.session.permanent)

    before = datetime.now(timezone.utc).replace(microsecond=0)
    (header,) = set_cookies(client.get("/"))
    expires = parse_date(cookie_attr(header, "Expires"))
    assert expires is not None
    after = datetime.now(timezone.utc) + timedelta(days=2)
    assert before + timedelta(days=2) <= expires <= after
    assert client.get("/read").data == b"True"


def test_permanent_lifetime_from_int_config(app: flask.Flask, client: t.Any) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = 3600
    assert app.permanent_session_lifetime == timedelta(hours=1)

    @app.route("/")
    def index() -> str:
        flask.session.permanent = True
        return ""

    (header,) = set_cookies(client.get("/"))
    expires = parse_date(cookie_attr(header, "Expires"))
    assert expires is not None
    delta = expires - datetime.now(timezone.utc)
    assert timedelta(minutes=59) < delta <= timedelta(hours=1)


@pytest.mark.parametrize("refresh", [True, False])
def test_refresh_each_request(app: flask.Flask, client: t.Any, refresh: bool) -> None:
    app.config["SESSION_REFRESH_EACH_REQUEST"] = refresh

    @app.route("/permanent")
    def permanent() -> str:
        flask.session["a"] = 1
        flask.session.permanent = True
        return ""

    @app.route("/temporary")
    def temporary() -> str:
        flask.session["a"] = 1
        flask.session.permanent = False
        return ""

    @app.route("/read")
    def read() -> str:
        return str(flask.session.get("a"))

    assert len(set_cookies(client.get("/permanent"))) == 1
    rv = client.get("/read")
    assert rv.data == b"1"
    assert len(set_cookies(rv)) == (1 if refresh else 0)

    assert len(set_cookies(client.get("/temporary"))) == 1
    assert set_cookies(client.get("/read")) == []


def test_expired_permanent_session(
    app: flask.Flask, client: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.permanent_session_lifetime = timedelta(seconds=60)

    @app.route("/")
    def index() -> str:
        flask.session["a"] = 1
        flask.session.permanent = True
        return ""

    @app.route("/read")
    def read() -> str:
        return repr(dict(flask.session))

    now = datetime.now(timezone.utc).timestamp()
    freeze_signing_time(monkeypatch, now - 120)
    client.get("/")
    freeze_signing_time(monkeypatch, now - 90)
    assert client.get("/read").data == b"{'_permanent': True, 'a': 1}"
    freeze_signing_time(monkeypatch, now)
    rv = client.get("/read")
    assert rv.status_code == 200
    assert rv.data == b"{}"


@pytest.mark.parametrize(
    "tamper",
    [
        # Not the last character: in base64 it may carry only padding bits.
        lambda v: v[:-2] + ("A" if v[-2] != "A" else "B") + v[-1],
        lambda v: "eyJhIjoyfQ" + v[v.index(".") :],
        lambda v: "garbage",
        lambda v: "...",
        lambda v: v + ".",
    ],
)
def test_tampered_cookie_gives_empty_session(
    app: flask.Flask, client: t.Any, tamper: t.Callable[[str], str]
) -> None:
    @app.route("/read")
    def read() -> str:
        return repr(dict(flask.session))

    value = signer(app).dumps({"a": 1})
    client.set_cookie("session", tamper(value))
    rv = client.get("/read")
    assert rv.status_code == 200
    assert rv.data == b"{}"
    assert set_cookies(rv) == []


def test_unknown_key_gives_empty_session(app: flask.Flask, client: t.Any) -> None:
    @app.route("/read")
    def read() -> str:
        return repr(dict(flask.session))

    app.secret_key = "other key"
    value = signer(app).dumps({"a": 1})
    app.secret_key = "test key"
    client.set_cookie("session", value)
    assert client.get("/read").data == b"{}"


@pytest.mark.parametrize("payload", [[1, 2], 5, "text", None])
def test_signed_non_dict_payload_gives_empty_session(
    app: flask.Flask, client: t.Any, payload: t.Any
) -> None:
    # Beyond Flask 3.1, which fails the request.
    @app.route("/read")
    def read() -> str:
        return repr(dict(flask.session))

    client.set_cookie("session", signer(app).dumps(payload))
    rv = client.get("/read")
    assert rv.status_code == 200
    assert rv.data == b"{}"


def test_key_rotation(app: flask.Flask, client: t.Any) -> None:
    @app.route("/set")
    def set_() -> str:
        flask.session["a"] = 1
        return ""

    @app.route("/read")
    def read() -> str:
        return repr(dict(flask.session))

    app.secret_key = "a"
    client.get("/set")
    old_cookie = client.get_cookie("session").value

    app.secret_key = "b"
    app.config["SECRET_KEY_FALLBACKS"] = ["a"]
    assert client.get("/read").data == b"{'a': 1}"

    # A new cookie is signed with the current key only.
    client.get("/set")
    new_cookie = client.get_cookie("session").value
    assert new_cookie != old_cookie
    only_b = URLSafeTimedSerializer(
        "b",
        salt="cookie-session",
        serializer=session_json_serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    assert only_b.loads(new_cookie) == {"a": 1}

    # Once the fallback is dropped, the old cookie is refused.
    app.config["SECRET_KEY_FALLBACKS"] = []
    client.set_cookie("session", old_cookie)
    assert client.get("/read").data == b"{}"


def test_fallbacks_string_fails_request(app: flask.Flask, client: t.Any) -> None:
    app.config["SECRET_KEY_FALLBACKS"] = "old"

    @app.route("/")
    def index() -> str:
        return repr(dict(flask.session))

    with pytest.raises(TypeError, match="SECRET_KEY_FALLBACKS"):
        client.get("/")


def test_no_secret_key(app: flask.Flask, client: t.Any) -> None:
    app.secret_key = None

    @app.route("/read")
    def read() -> str:
        assert isinstance(flask.session._get_current_object(), NullSession)  # type: ignore[attr-defined]
        return repr((flask.session.get("a"), "a" in flask.session, len(flask.session)))

    @app.route("/write")
    def write() -> str:
        flask.session["a"] = 1
        return ""

    rv = client.get("/read")
    assert rv.data == b"(None, False, 0)"
    assert set_cookies(rv) == []

    with pytest.raises(RuntimeError, match=NO_KEY_MSG):
        client.get("/write")


def test_cookie_too_large_warns(app: flask.Flask, client: t.Any) -> None:
    app.config["MAX_COOKIE_SIZE"] = 100

    @app.route("/")
    def index() -> str:
        # Random text, so that compression does not shrink it.
        flask.session["data"] = secrets.token_urlsafe(200)
        return ""

    with pytest.warns(UserWarning, match="'session' cookie is too large"):
        client.get("/")


def test_session_transaction(app: flask.Flask, client: t.Any) -> None:
    @app.route("/")
    def index() -> str:
        return repr(flask.session.get("foo"))

    with client.session_transaction() as sess:
        assert len(sess) == 0
        sess["foo"] = [42]
        assert len(sess) == 1

    assert client.get("/").data == b"[42]"

    with client.session_transaction() as sess:
        assert sess["foo"] == [42]


def test_custom_session_interface(app: flask.Flask, client: t.Any) -> None:
    saved: list[SessionMixin] = []

    class Interface(SecureCookieSessionInterface):
        def open_session(
            self, app: t.Any, request: t.Any
        ) -> SecureCookieSession | None:
            if request.args.get("none"):
                return None

            return super().open_session(app, request)

        def save_session(self, app: t.Any, session: t.Any, response: t.Any) -> None:
            saved.append(session)
            super().save_session(app, session, response)

    app.session_interface = Interface()

    @app.route("/")
    def index() -> str:
        return type(flask.session._get_current_object()).__name__  # type: ignore[attr-defined]

    assert client.get("/?none=1").data == b"NullSession"
    assert saved == []
    assert client.get("/").data == b"SecureCookieSession"
    assert len(saved) == 1


def test_custom_session_class(app: flask.Flask, client: t.Any) -> None:
    class MySession(SecureCookieSession):
        pass

    class Interface(SecureCookieSessionInterface):
        session_class = MySession

    app.session_interface = Interface()

    @app.route("/")
    def index() -> str:
        return type(flask.session._get_current_object()).__name__  # type: ignore[attr-defined]

    assert client.get("/").data == b"MySession"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Vary": "Accept-Encoding"}, ["Accept-Encoding, Cookie"]),
        ({"Vary": "Cookie"}, ["Cookie"]),
        ([("Vary", "Origin"), ("Vary", "cookie")], ["Origin, Cookie"]),
        ({}, ["Cookie"]),
    ],
)
def test_vary_cookie_merges_with_the_view_vary_header(
    app: flask.Flask, client: t.Any, headers: t.Any, expected: list[str]
) -> None:
    @app.route("/")
    def index() -> t.Any:
        flask.session["x"] = 1
        return "x", headers

    assert client.get("/").headers.getlist("Vary") == expected


# --- RequestContext._session: lazily opened, but there when read ----------


def test_request_ctx_session_attribute_after_untouched_request(
    app: flask.Flask,
) -> None:
    from flask.globals import request_ctx

    @app.route("/nothing")
    def nothing() -> str:
        return "nothing"

    client = app.test_client()

    with client:
        rv = client.get("/nothing")
        session = request_ctx._session
        assert isinstance(session, flask.sessions.SecureCookieSession)
        assert not session.accessed
        assert not session.modified
        # Kept by the context (not opened again on the next read).
        assert request_ctx._session_kept is session
        # Reading it did not count as using it.
        assert "Vary" not in rv.headers
        assert request_ctx._session is session
        assert request_ctx.session is session
        assert session.accessed


def test_request_ctx_session_attribute_reads_the_cookie(app: flask.Flask) -> None:
    from flask.globals import request_ctx

    @app.route("/set")
    def set_value() -> str:
        flask.session["k"] = "v"
        return ""

    @app.route("/nothing")
    def nothing() -> str:
        return ""

    client = app.test_client()
    client.get("/set")

    with client:
        client.get("/nothing")
        assert dict(request_ctx._session) == {"k": "v"}


def test_request_ctx_session_attribute_before_push_and_assigned(
    app: flask.Flask,
) -> None:
    ctx = app.test_request_context("/")
    # As with Flask 3.1: nothing is opened before the context is pushed.
    assert ctx._session is None

    with ctx:
        assert isinstance(ctx._session, flask.sessions.SecureCookieSession)
        replacement = flask.sessions.SecureCookieSession({"x": 1})
        ctx._session = replacement
        assert flask.session["x"] == 1
        assert flask.session._get_current_object() is replacement


def test_request_ctx_copy_shares_the_session(app: flask.Flask) -> None:
    with app.test_request_context("/") as ctx:
        copy = ctx.copy()
        assert copy._session is ctx._session
