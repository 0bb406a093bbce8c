"""Signed cookie sessions under attack: every forged, damaged, replayed or
expired cookie gives an empty session (never an error), key rotation
accepts exactly the configured keys, ``Vary: Cookie`` is sent whenever the
session could have shaped the response, and the cookie carries the
configured flags on every kind of write.
"""

from __future__ import annotations

import base64
import hashlib
import time
import typing as t
import zlib
from datetime import timedelta

import itsdangerous
import pytest
from http_support import bounded
from itsdangerous import URLSafeTimedSerializer

import flask
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface


@pytest.fixture
def sapp() -> flask.Flask:
    app = flask.Flask("sec_sessions")
    app.config.update(TESTING=True, SECRET_KEY="current-key")

    @app.get("/set")
    def set_() -> str:
        flask.session["user"] = flask.request.args.get("user", "alice")
        flask.session["role"] = "admin"
        return "set"

    @app.get("/get")
    def get() -> dict[str, t.Any]:
        return {"session": dict(flask.session)}

    @app.get("/perm")
    def perm() -> str:
        flask.session["user"] = "alice"
        flask.session.permanent = True
        return "perm"

    @app.get("/clear")
    def clear() -> str:
        flask.session.clear()
        return "clear"

    @app.get("/noop")
    def noop() -> str:
        return "noop"

    return app


def _cookie(app: flask.Flask, path: str = "/set") -> str:
    """The session cookie value a request to ``path`` sets."""
    rv = app.test_client().get(path)
    header = rv.headers["Set-Cookie"]
    assert header.startswith("session="), header
    return header.partition(";")[0].partition("=")[2]


def _read(app: flask.Flask, value: str) -> tuple[int, t.Any]:
    app.config["TESTING"] = False
    client = app.test_client(use_cookies=False)
    rv = client.get("/get", headers={"Cookie": f"session={value}"})
    return rv.status_code, rv.json


def _signer(key: str | bytes, salt: str = "cookie-session") -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        key,
        salt=salt,
        serializer=TaggedJSONSerializer(),
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )


EMPTY = (200, {"session": {}})


def test_valid_cookie_round_trips(sapp) -> None:
    value = _cookie(sapp)
    assert _read(sapp, value) == (200, {"session": {"role": "admin", "user": "alice"}})


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _flip(value: str, index: int) -> str:
    """Change the character at ``index`` in its high bits: the low bits of
    a final base64 character may be unused padding, and changing those
    leaves the decoded bytes (and so the signature) the same."""
    c = _B64[(_B64.index(value[index]) + 32) % 64]
    return value[:index] + c + value[index + 1 :]


def test_every_single_character_change_is_refused(sapp) -> None:
    value = _cookie(sapp)

    for index in range(len(value)):
        if value[index] == ".":
            continue

        assert _read(sapp, _flip(value, index)) == EMPTY, index


def test_every_truncation_is_refused(sapp) -> None:
    value = _cookie(sapp)

    for length in range(len(value)):
        assert _read(sapp, value[:length]) == EMPTY, length


def test_swapped_parts_are_refused(sapp) -> None:
    payload, stamp, sig = _cookie(sapp).split(".")
    other_payload, other_stamp, other_sig = _cookie(sapp, "/perm").split(".")

    for forged in [
        f"{other_payload}.{stamp}.{sig}",
        f"{payload}.{stamp}.{other_sig}",
        f"{payload}.{stamp}",
        f"{payload}..{sig}",
        f".{payload}.{stamp}.{sig}",
        f"{payload}.{stamp}.{sig}.{sig}",
        f"{payload}.{stamp}.{sig.upper()}",
    ]:
        assert _read(sapp, forged) == EMPTY, forged


def test_payload_with_valid_json_but_no_signature(sapp) -> None:
    raw = base64.urlsafe_b64encode(b'{"user":"root","role":"admin"}').rstrip(b"=")
    assert _read(sapp, raw.decode()) == EMPTY
    assert _read(sapp, raw.decode() + ".AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA") == EMPTY


@pytest.mark.parametrize(
    "key", ["attacker-key", "current-key ", "CURRENT-KEY", "", "current-ke"]
)
def test_resigned_with_another_key(sapp, key: str | bytes) -> None:
    if not key:
        key = b"\x00"

    forged = _signer(key).dumps({"user": "root", "role": "admin"})
    assert _read(sapp, forged) == EMPTY


@pytest.mark.parametrize("salt", ["itsdangerous", "", "cookie-session "])
def test_resigned_with_the_key_but_another_salt(sapp, salt: str) -> None:
    # A value the app signs elsewhere with the same key (a token, a
    # reset link) cannot be replayed as a session.
    forged = _signer("current-key", salt=salt).dumps({"user": "root"})
    assert _read(sapp, forged) == EMPTY


def test_correctly_signed_cookie_is_accepted(sapp) -> None:
    # The control for the two tests above: the same construction with
    # the app's key and salt is read.
    value = _signer("current-key").dumps({"user": "root"})
    assert _read(sapp, value) == (200, {"session": {"user": "root"}})


def test_compressed_payload_bomb_without_signature(sapp) -> None:
    bomb = base64.urlsafe_b64encode(zlib.compress(b"[" * 50_000_000, 9)).rstrip(b"=")
    value = "." + bomb.decode() + ".AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA"
    assert bounded(5, _read, sapp, value) == EMPTY


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> t.Callable[[float], None]:
    """Move itsdangerous's clock by a number of seconds."""

    real = time.time

    def shift(seconds: float) -> None:
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + seconds)

    return shift


@pytest.mark.parametrize("permanent", [False, True])
def test_expired_cookie_is_refused(sapp, clock, permanent: bool) -> None:
    value = _cookie(sapp, "/perm" if permanent else "/set")
    lifetime = sapp.permanent_session_lifetime.total_seconds()
    clock(lifetime + 5)
    assert _read(sapp, value) == EMPTY


def test_cookie_just_within_lifetime_is_accepted(sapp, clock) -> None:
    value = _cookie(sapp, "/perm")
    clock(sapp.permanent_session_lifetime.total_seconds() - 60)
    assert _read(sapp, value)[1]["session"]["user"] == "alice"


def test_shorter_lifetime_applies_to_old_cookies(sapp, clock) -> None:
    value = _cookie(sapp, "/perm")
    sapp.permanent_session_lifetime = timedelta(minutes=5)
    clock(301)
    assert _read(sapp, value) == EMPTY


def test_cookie_from_the_future_is_refused(sapp, clock) -> None:
    clock(3600)
    value = _cookie(sapp)
    clock(0)
    assert _read(sapp, value) == EMPTY


def test_fallback_keys_read_but_never_sign(sapp) -> None:
    old = {}

    for key in ["oldest", "older", "old"]:
        sapp.config["SECRET_KEY"] = key
        old[key] = _cookie(sapp)

    sapp.config.update(SECRET_KEY="current-key", SECRET_KEY_FALLBACKS=["older", "old"])

    # Both listed fallbacks are read, whatever their position.
    assert _read(sapp, old["old"])[1]["session"]["user"] == "alice"
    assert _read(sapp, old["older"])[1]["session"]["user"] == "alice"
    # A key that is no longer listed is not.
    assert _read(sapp, old["oldest"]) == EMPTY

    # New cookies are signed with SECRET_KEY, never a fallback, whatever
    # the order of the list.
    for fallbacks in (["older", "old"], ["old", "older"]):
        sapp.config["SECRET_KEY_FALLBACKS"] = fallbacks
        value = _cookie(sapp)
        assert _signer("current-key").loads(value)["user"] == "alice"

        for key in fallbacks:
            with pytest.raises(itsdangerous.BadSignature):
                _signer(key).loads(value)


def test_fallback_cookie_is_resigned_with_current_key_on_write(sapp) -> None:
    sapp.config["SECRET_KEY"] = "old"
    value = _cookie(sapp)
    sapp.config.update(SECRET_KEY="current-key", SECRET_KEY_FALLBACKS=["old"])
    client = sapp.test_client()
    client.set_cookie("session", value)
    client.get("/set?user=bob")
    new = client.get_cookie("session").value
    assert _signer("current-key").loads(new)["user"] == "bob"
    # Once the fallback is dropped, the rewritten cookie still works.
    sapp.config["SECRET_KEY_FALLBACKS"] = None
    assert _read(sapp, new)[1]["session"]["user"] == "bob"


def test_removing_the_secret_key_does_not_read_old_cookies(sapp) -> None:
    value = _cookie(sapp)
    sapp.config["SECRET_KEY"] = None
    assert _read(sapp, value) == EMPTY


def test_current_key_still_read_with_fallbacks(sapp) -> None:
    sapp.config["SECRET_KEY_FALLBACKS"] = ["a", "b", "c"]
    value = _cookie(sapp)
    assert _read(sapp, value)[1]["session"]["user"] == "alice"


MALFORMED_TAGGED = [
    {" t": "not-a-list"},
    {" d": "not a date"},
    {" b": "!!!not base64!!!"},
    {" u": "not-a-uuid"},
    {" m": 12},
    {" di": []},
    {"x": {" t": [1, 2]}, "y": {" d": None}},
]


@pytest.mark.parametrize("data", MALFORMED_TAGGED, ids=repr)
def test_signed_but_malformed_tagged_payload(sapp, data: t.Any) -> None:
    """Only a holder of the key could sign these (an older or buggy
    version of the app, another app sharing the key); they must still
    give an empty session, not a 500."""
    import json

    class Raw:
        def dumps(self, obj: t.Any) -> str:
            return json.dumps(obj)

        def loads(self, s: str | bytes) -> t.Any:
            return json.loads(s)

    signer = URLSafeTimedSerializer(
        "current-key",
        salt="cookie-session",
        serializer=Raw(),
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    status, body = _read(sapp, signer.dumps(data))
    assert status == 200
    assert body == {"session": {}} or " t" not in str(body)


@pytest.mark.parametrize(
    "header",
    [
        "session=",
        'session=""',
        "session=" + "A" * 10_000,
        "session=%00%ff",
        "session=a; session=b",
        "session=\x7f\x01",
        "session=" + "é" * 50,
        "session=..",
        "session=" + "." * 1000,
    ],
)
def test_garbage_cookie_headers(sapp, header: str) -> None:
    sapp.config["TESTING"] = False
    rv = sapp.test_client(use_cookies=False).get("/get", headers={"Cookie": header})
    assert rv.status_code == 200
    assert rv.json == {"session": {}}


# -- Vary: Cookie --------------------------------------------------------------

ACCESSES: dict[str, t.Callable[[t.Any], t.Any]] = {
    "in": lambda s: "user" in s,
    "not in": lambda s: "nobody" not in s,
    "len": len,
    "bool": bool,
    "get": lambda s: s.get("user"),
    "get default": lambda s: s.get("missing", 1),
    "getitem": lambda s: s["user"] if "user" in s else None,
    "iteration": list,
    "keys": lambda s: list(s.keys()),
    "values": lambda s: list(s.values()),
    "items": lambda s: list(s.items()),
    "permanent": lambda s: s.permanent,
    "setdefault": lambda s: s.setdefault("visits", 0),
    "pop missing": lambda s: s.pop("missing", None),
    "copy": lambda s: s.copy(),
    "equality": lambda s: s == {},
    "repr": repr,
}


@pytest.fixture
def vapp(sapp: flask.Flask) -> flask.Flask:
    for name, access in ACCESSES.items():

        def view(access: t.Callable[[t.Any], t.Any] = access) -> str:
            access(flask.session)
            return "ok"

        sapp.add_url_rule(f"/access/{name}", f"access_{name}", view)

    return sapp


@pytest.mark.parametrize("with_cookie", [False, True])
@pytest.mark.parametrize("name", list(ACCESSES))
def test_vary_cookie_on_every_kind_of_read(vapp, name: str, with_cookie: bool):
    client = vapp.test_client()

    if with_cookie:
        client.get("/set")

    rv = client.get(f"/access/{name}")
    assert "Cookie" in rv.vary, (name, rv.headers)


def test_canary_no_vary_without_access(vapp) -> None:
    # The control: a request that does not touch the session does not
    # vary, so the test above is not passing because of something else.
    client = vapp.test_client()
    client.get("/set")
    rv = client.get("/noop")
    assert "Cookie" not in rv.vary
    assert "Set-Cookie" not in rv.headers


def test_vary_cookie_on_permanent_refresh_without_access(vapp) -> None:
    client = vapp.test_client()
    client.get("/perm")
    rv = client.get("/noop")
    # The view never looked at the session, but the refreshed cookie is
    # a per-user response.
    assert "Set-Cookie" in rv.headers
    assert "Cookie" in rv.vary


def test_vary_cookie_when_read_in_hooks_and_templates(sapp) -> None:
    @sapp.before_request
    def before() -> None:
        if flask.request.path == "/noop" and flask.request.args.get("hook"):
            flask.session.get("user")

    @sapp.get("/tpl")
    def tpl() -> str:
        return flask.render_template_string("{{ session.get('user') }}")

    @sapp.get("/flashes")
    def flashes() -> str:
        return str(flask.get_flashed_messages())

    client = sapp.test_client()
    assert "Cookie" in client.get("/noop?hook=1").vary
    assert "Cookie" in client.get("/tpl").vary
    assert "Cookie" in client.get("/flashes").vary


def test_vary_cookie_on_session_object_held_by_the_view(sapp) -> None:
    @sapp.get("/held")
    def held() -> str:
        s = flask.session._get_current_object()
        s.accessed = False
        return str("user" in s)

    assert "Cookie" in sapp.test_client().get("/held").vary


def test_vary_cookie_on_error_response(sapp) -> None:
    @sapp.get("/boom")
    def boom() -> str:
        flask.session.get("user")
        flask.abort(403)

    assert "Cookie" in sapp.test_client().get("/boom").vary


def test_vary_cookie_merged_with_existing_vary(sapp) -> None:
    @sapp.get("/vary")
    def vary() -> flask.Response:
        flask.session.get("user")
        rv = flask.make_response("x")
        rv.vary.add("Accept-Encoding")
        return rv

    rv = sapp.test_client().get("/vary")
    assert set(rv.vary) == {"Accept-Encoding", "Cookie"}


# -- cookie flags -------------------------------------------------------------


def _set_cookie_headers(app: flask.Flask, path: str, client: t.Any = None) -> list[str]:
    client = client or app.test_client()
    rv = client.get(path)
    return rv.headers.getlist("Set-Cookie")


def _attrs(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";")]
    return {p.partition("=")[0].lower(): p.partition("=")[2] for p in parts[1:]}


FLAG_CASES = [
    (
        {},
        {"httponly": "", "path": "/"},
        {"secure", "samesite", "partitioned", "domain"},
    ),
    ({"SESSION_COOKIE_HTTPONLY": False}, {"path": "/"}, {"httponly"}),
    ({"SESSION_COOKIE_SECURE": True}, {"secure": ""}, set()),
    ({"SESSION_COOKIE_SAMESITE": "Lax"}, {"samesite": "Lax"}, set()),
    ({"SESSION_COOKIE_SAMESITE": "Strict"}, {"samesite": "Strict"}, set()),
    (
        {"SESSION_COOKIE_SAMESITE": "None", "SESSION_COOKIE_SECURE": True},
        {"samesite": "None", "secure": ""},
        set(),
    ),
    (
        {"SESSION_COOKIE_PARTITIONED": True, "SESSION_COOKIE_SECURE": True},
        {"partitioned": "", "secure": ""},
        set(),
    ),
    ({"SESSION_COOKIE_DOMAIN": "example.com"}, {"domain": "example.com"}, set()),
    ({"SESSION_COOKIE_PATH": "/app"}, {"path": "/app"}, set()),
    ({"APPLICATION_ROOT": "/root"}, {"path": "/root"}, set()),
]


@pytest.mark.parametrize(("config", "present", "absent"), FLAG_CASES)
@pytest.mark.parametrize("kind", ["write", "refresh", "delete"])
def test_cookie_flags_from_config(sapp, config, present, absent, kind: str) -> None:
    sapp.config.update(config)
    client = sapp.test_client()

    if kind == "write":
        headers = _set_cookie_headers(sapp, "/set", client)
    elif kind == "refresh":
        # Sent by hand: the client would not send a cookie for another
        # domain or path back.
        value = _cookie(sapp, "/perm")
        client = sapp.test_client(use_cookies=False)
        rv = client.get("/noop", headers={"Cookie": f"session={value}"})
        headers = rv.headers.getlist("Set-Cookie")
    else:
        client.get("/set")
        headers = _set_cookie_headers(sapp, "/clear", client)

    assert len(headers) == 1, headers
    assert headers[0].startswith("session=")
    attrs = _attrs(headers[0])

    for key, value in present.items():
        assert key in attrs, (key, headers[0])
        assert attrs[key] == value, (key, headers[0])

    for key in absent:
        assert key not in attrs, (key, headers[0])

    if kind == "delete":
        assert "expires" in attrs and "1970" in attrs["expires"]
        assert attrs.get("max-age") == "0"
    elif kind == "refresh":
        assert "expires" in attrs


def test_cookie_name_from_config(sapp) -> None:
    sapp.config["SESSION_COOKIE_NAME"] = "__Host-sid"
    sapp.config["SESSION_COOKIE_SECURE"] = True
    client = sapp.test_client()
    client.get("/set")
    assert client.get_cookie("__Host-sid") is not None
    assert client.get_cookie("session") is None
    assert client.get("/get").json == {"session": {"role": "admin", "user": "alice"}}


def test_interface_getters_drive_the_flags(sapp) -> None:
    class Interface(SecureCookieSessionInterface):
        def get_cookie_secure(self, app: flask.Flask) -> bool:
            return True

        def get_cookie_samesite(self, app: flask.Flask) -> str:
            return "Strict"

    sapp.session_interface = Interface()
    attrs = _attrs(_set_cookie_headers(sapp, "/set")[0])
    assert "secure" in attrs and attrs["samesite"] == "Strict"


def test_session_value_cannot_inject_cookie_attributes(sapp) -> None:
    # The value is signed JSON in URL-safe base64: nothing the user puts
    # in the session can end the cookie or add an attribute.
    headers = _set_cookie_headers(
        sapp, "/set?user=x%3B%20Domain%3Devil.com%0d%0aX-Inj:1"
    )
    assert len(headers) == 1
    attrs = _attrs(headers[0])
    assert "domain" not in attrs
    assert "\r" not in headers[0] and "\n" not in headers[0]
