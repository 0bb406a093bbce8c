"""Fast-path audit rows 7-11 (see ``test_fastpath_audit.py`` for the
table): the session signer and serializer caches, ``Vary: Cookie``, the
lazy session and the skipped ``Request.close``, each pitted against the
generic path where its precondition matters.
"""

from __future__ import annotations

import hashlib
import io
import typing as t
from unittest import mock

import itsdangerous
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup
from werkzeug.sansio.response import Response as SansioResponse
from werkzeug.wrappers import Request as WerkzeugRequest

import flask
from flask.sessions import NullSession
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface

_NOW = 1_700_000_000


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Signatures carry a timestamp: fix it so cookies can be compared."""
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: _NOW
    )


def _session_app(interface: SecureCookieSessionInterface | None = None) -> flask.Flask:
    app = flask.Flask(__name__)
    app.config.update(TESTING=True, SECRET_KEY="current key")

    if interface is not None:
        app.session_interface = interface

    @app.route("/write")
    def write() -> str:
        flask.session["a"] = 1
        return "written"

    @app.route("/read")
    def read() -> str:
        return repr(flask.session.get("a"))

    @app.route("/untouched")
    def untouched() -> str:
        return "untouched"

    return app


def _fresh_serializer(
    interface: SecureCookieSessionInterface, keys: list[t.Any]
) -> URLSafeTimedSerializer:
    """What itsdangerous gives for the interface's settings, built anew."""
    return URLSafeTimedSerializer(
        keys,
        salt=interface.salt,
        serializer=interface.serializer,
        signer_kwargs={
            "key_derivation": interface.key_derivation,
            "digest_method": interface.digest_method,
        },
    )


# --- rows 7-8: derived keys and signing serializers remembered ------------

_SETTINGS: dict[str, dict[str, t.Any]] = {
    "as shipped": {},
    "other salt": {"salt": "other-salt"},
    "bytes salt": {"salt": b"bytes-salt"},
    "sha256": {"digest_method": staticmethod(hashlib.sha256)},
    "concat": {"key_derivation": "concat"},
    "django-concat": {"key_derivation": "django-concat"},
    "none": {"key_derivation": "none"},
    "all three": {
        "salt": "s",
        "key_derivation": "concat",
        "digest_method": staticmethod(hashlib.sha512),
    },
}


def _interface(settings: dict[str, t.Any]) -> SecureCookieSessionInterface:
    cls = type("Interface", (SecureCookieSessionInterface,), dict(settings))
    return cls()


@pytest.mark.usefixtures("frozen_time")
@pytest.mark.parametrize("fallbacks", [None, ["old key"]])
@pytest.mark.parametrize("name", list(_SETTINGS))
def test_cookie_is_what_a_fresh_serializer_signs(name, fallbacks):
    """Another salt, digest or key derivation gets its own signer and
    derived key, even right after the shipped settings filled the caches
    with the same secret key.
    """
    shipped = _session_app()
    shipped.config["SECRET_KEY_FALLBACKS"] = fallbacks
    client = shipped.test_client()
    client.get("/write")
    shipped_cookie = client.get_cookie("session").value

    interface = _interface(_SETTINGS[name])
    app = _session_app(interface)
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks
    keys = [*(fallbacks or ()), "current key"]
    client = app.test_client()

    for _ in range(2):  # the second time from the caches
        client.get("/write")
        cookie = client.get_cookie("session").value
        assert cookie == _fresh_serializer(interface, keys).dumps({"a": 1})

    assert (cookie == shipped_cookie) is (name == "as shipped")

    # Reading: a cookie signed for these settings, with the current or an
    # old key, is accepted; one signed for the shipped settings is not.
    for key in keys:
        client.set_cookie(
            "session", _fresh_serializer(interface, [key]).dumps({"a": 2})
        )
        assert client.get("/read").data == b"2"

    client.set_cookie("session", shipped_cookie)
    expected = b"1" if name == "as shipped" else b"None"
    assert client.get("/read").data == expected


@pytest.mark.usefixtures("frozen_time")
def test_unhashable_secret_key_signs_as_a_fresh_serializer():
    """A bytearray key cannot be a cache key: it is used without one."""
    app = _session_app()
    app.secret_key = bytearray(b"current key")
    client = app.test_client()
    client.get("/write")
    interface = app.session_interface
    fresh = _fresh_serializer(interface, [bytearray(b"current key")])  # type: ignore[arg-type]
    assert client.get_cookie("session").value == fresh.dumps({"a": 1})
    assert client.get("/read").data == b"1"


@pytest.mark.usefixtures("frozen_time")
def test_interface_with_its_own_signing_serializer_uses_it():
    """Called where Flask 3.1.3 calls it: opening, and saving a write."""
    log = []

    class OwnSerializer(SecureCookieSessionInterface):
        def get_signing_serializer(self, app):
            log.append("get_signing_serializer")
            return URLSafeTimedSerializer(
                app.secret_key, salt="mine", serializer=self.serializer
            )

    app = _session_app(OwnSerializer())
    client = app.test_client()
    client.get("/write")
    assert log == ["get_signing_serializer", "get_signing_serializer"]
    mine = URLSafeTimedSerializer(
        "current key", salt="mine", serializer=OwnSerializer.serializer
    )
    assert client.get_cookie("session").value == mine.dumps({"a": 1})
    log.clear()
    assert client.get("/read").data == b"1"
    assert log == ["get_signing_serializer"]


def test_shipped_settings_reuse_one_serializer_and_signer():
    """The control: the caches are used for the shipped settings."""
    app = _session_app()
    interface = app.session_interface

    with app.app_context():
        serializer = interface.get_signing_serializer(app)
        assert interface.get_signing_serializer(app) is serializer
        signer = serializer.make_signer(interface.salt)
        assert serializer.make_signer(interface.salt) is signer
        key = signer.derive_key()
        assert signer._derived_keys == {None: key}  # type: ignore[attr-defined]


# --- row 9: Vary: Cookie written without parsing the header set ----------


def test_response_class_with_its_own_vary_is_asked():
    """Asked as many times as on Flask 3.1.3: once per access, once more
    when the cookie is written.
    """
    log = []

    class OwnVary(flask.Response):
        @property
        def vary(self):
            log.append("vary")
            return SansioResponse.vary.__get__(self, type(self))

    app = _session_app()
    app.response_class = OwnVary
    client = app.test_client()
    expected = {"/untouched": [], "/read": ["vary"], "/write": ["vary", "vary"]}

    for path in ("/untouched", "/read", "/write", "/read"):
        rv = client.get(path)
        assert log == expected[path], path
        assert rv.headers.get("Vary") == (None if path == "/untouched" else "Cookie")
        log.clear()


@pytest.mark.parametrize(
    "before", [None, "Cookie", "Accept-Encoding", "cookie", "*", "Accept, Cookie"]
)
def test_vary_of_a_plain_response_is_werkzeugs(before):
    """The control: what the header holds is what werkzeug's set makes."""
    app = _session_app()

    @app.after_request
    def set_vary(rv):
        if before is not None:
            rv.headers["Vary"] = before

        return rv

    generic = flask.Response()

    if before is not None:
        generic.headers["Vary"] = before

    generic.vary.add("Cookie")
    rv = app.test_client().get("/read")
    assert rv.headers.getlist("Vary") == generic.headers.getlist("Vary")


# --- row 10: the lazy session ---------------------------------------------


def test_class_level_save_session_mock_is_called_for_an_untouched_session():
    app = _session_app()

    with mock.patch.object(SecureCookieSessionInterface, "save_session") as save:
        app.test_client().get("/untouched")

    assert save.call_count == 1
    assert [type(a) for a in save.call_args.args] == [
        flask.Flask,
        SecureCookieSession,
        flask.Response,
    ]


def test_class_level_open_session_mock_is_called_at_push():
    app = _session_app()

    with mock.patch.object(
        SecureCookieSessionInterface, "open_session", return_value=None
    ) as open_session:
        with app.test_request_context() as ctx:
            assert open_session.call_count == 1
            assert type(ctx._session) is NullSession


@pytest.mark.parametrize("name", ["is_null_session", "make_null_session"])
def test_class_level_null_session_mocks_are_called(name):
    app = _session_app()

    if name == "make_null_session":
        app.secret_key = None
        patch = mock.patch.object(
            SecureCookieSessionInterface, name, return_value=NullSession()
        )
    else:
        patch = mock.patch.object(SecureCookieSessionInterface, name, return_value=True)

    with patch as mocked:
        assert app.test_client().get("/untouched").data == b"untouched"

    assert mocked.call_count == 1


@pytest.mark.parametrize("name", ["open_session", "save_session"])
def test_instance_level_patches_are_called(name):
    app = _session_app()
    interface = app.session_interface
    original = getattr(interface, name)

    with mock.patch.object(interface, name, wraps=original) as patched:
        assert app.test_client().get("/untouched").data == b"untouched"

    assert patched.call_count == 1


def test_interface_subclass_is_opened_at_push_and_saved():
    """As on Flask 3.1.3, for a request that never uses the session."""
    log = []

    class Recording(SecureCookieSessionInterface):
        def open_session(self, app, request):
            log.append("open")
            return super().open_session(app, request)

        def save_session(self, app, session, response):
            log.append("save")
            return super().save_session(app, session, response)

    app = _session_app(Recording())

    with app.test_request_context():
        assert log == ["open"]

    log.clear()
    app.test_client().get("/untouched")
    assert log == ["open", "save"]


def test_session_attribute_of_the_context():
    """``_session`` is ``None`` before the push; once pushed it is the
    opened session, not marked accessed, holding the cookie's data.
    """
    app = _session_app()
    client = app.test_client()
    client.get("/write")
    cookie = client.get_cookie("session").value
    headers = {"Cookie": f"session={cookie}"}
    ctx = app.test_request_context(headers=headers)
    assert ctx._session is None

    with ctx:
        opened = ctx._session
        assert type(opened) is SecureCookieSession
        assert opened.accessed is False
        assert ctx._session is opened
        assert dict(opened) == {"a": 1}
        assert flask.session._get_current_object() is opened
        assert opened.accessed is True


def test_session_assigned_to_the_context_but_never_read_is_saved():
    """An extension may put its session on the context without the view
    reading it; the lazy path sees the assignment and saves it (as Flask
    3.1.3 does, with ``Vary: Cookie``).
    """
    app = _session_app()

    @app.before_request
    def assign() -> None:
        if flask.request.path == "/untouched":
            session = SecureCookieSession()
            session["a"] = "assigned"
            flask.globals.request_ctx._session = session

    client = app.test_client()
    rv = client.get("/untouched")
    assert rv.headers["Vary"] == "Cookie"
    assert client.get("/read").data == b"'assigned'"


def test_shipped_interface_opens_lazily():
    """The control: pushed, the shipped interface has not opened the
    session yet; an untouched session without a cookie is not saved.
    """
    app = _session_app()

    with app.test_request_context() as ctx:
        assert ctx._session_kept is None

    rv = app.test_client().get("/untouched")
    assert "Set-Cookie" not in rv.headers
    assert "Vary" not in rv.headers


# --- row 11: Request.close skipped when no file was parsed ----------------


def test_request_class_with_its_own_close_is_closed_once_per_request():
    log = []

    class Closing(flask.Request):
        def close(self) -> None:
            log.append("close")
            super().close()

    app = _session_app()
    app.request_class = Closing
    app.add_url_rule(
        "/upload", "upload", lambda: flask.request.files["f"].read(), methods=["POST"]
    )
    client = app.test_client()
    client.get("/untouched")
    assert log == ["close"]
    client.post("/upload", data={"f": (io.BytesIO(b"abc"), "a.txt")})
    assert log == ["close", "close"]

    ctx = app.test_request_context()
    ctx.push()
    ctx.push()
    ctx.pop()
    assert log == ["close", "close"]
    ctx.pop()
    assert log == ["close", "close", "close"]


def test_parsed_files_are_closed_after_the_request():
    """The generic close runs once files were parsed."""
    app = _session_app()
    streams = []

    @app.post("/upload")
    def upload():
        f = flask.request.files["f"]
        streams.append(f.stream)
        return f.read()

    rv = app.test_client().post("/upload", data={"f": (io.BytesIO(b"abc"), "a.txt")})
    assert rv.data == b"abc"
    assert streams and streams[0].closed


def test_close_is_skipped_only_without_files(monkeypatch):
    """The control: werkzeug's close (which only closes files) is skipped
    for a parsed form that sent none, and runs for one that sent one."""
    closed = []
    werkzeug_close = WerkzeugRequest.close

    def close(self: t.Any) -> None:
        closed.append(len(self.files))
        werkzeug_close(self)

    monkeypatch.setattr(WerkzeugRequest, "close", close)
    monkeypatch.setattr(flask.ctx, "_werkzeug_request_close", close)
    app = _session_app()
    app.add_url_rule("/form", "form", lambda: flask.request.form, methods=["POST"])
    client = app.test_client()
    assert client.post("/form", data={"a": "1"}).json == {"a": "1"}
    assert closed == []
    client.post("/form", data={"f": (io.BytesIO(b"abc"), "a.txt")})
    assert closed == [1]


# --- row 7b: signed, verified and encoded values remembered ---------------


class _Clock:
    """What ``TimestampSigner.get_timestamp`` reads, moved by the test."""

    def __init__(self) -> None:
        self.now = _NOW


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    clock = _Clock()
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: clock.now
    )
    return clock


def _outcome(func: t.Callable[[], t.Any]) -> t.Any:
    try:
        return func()
    except itsdangerous.BadData as e:
        return type(e), str(e), getattr(e, "payload", None)


_session_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(max_size=20),
        st.binary(max_size=10),
        st.text(max_size=5).map(Markup),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=5), inner, max_size=3),
    ),
    max_leaves=10,
)


@given(
    data=st.dictionaries(st.text(max_size=8), _session_values, max_size=4),
    repeat=st.integers(min_value=1, max_value=3),
)
@settings(max_examples=200, deadline=None)
def test_remembered_dumps_and_loads_are_itsdangerous(data, repeat):
    """Dumped and loaded again and again (from the caches after the first
    time): what a fresh itsdangerous serializer dumps and loads.
    """
    interface = SecureCookieSessionInterface()
    app = flask.Flask(__name__)
    app.secret_key = "a key"
    ours = interface.get_signing_serializer(app)
    fresh = _fresh_serializer(interface, ["a key"])

    with mock.patch.object(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: _NOW
    ):
        for _ in range(repeat):
            cookie = ours.dumps(data)
            assert cookie == fresh.dumps(data)
            assert ours.loads(cookie, max_age=60) == fresh.loads(cookie, max_age=60)


def test_each_load_gets_its_own_objects(clock):
    app = flask.Flask(__name__)
    app.secret_key = "a key"
    ours = SecureCookieSessionInterface().get_signing_serializer(app)
    cookie = ours.dumps({"items": [1, 2]})
    first = ours.loads(cookie)
    first["items"].append(3)
    assert ours.loads(cookie) == {"items": [1, 2]}


@pytest.mark.parametrize("moved", [0, 59, 60, 61, -1, 10_000])
def test_a_verified_cookie_still_ages(clock, moved):
    """Verified once, then read when the clock has moved: expired (or from
    the future) exactly when itsdangerous says so, with its error.
    """
    app = flask.Flask(__name__)
    app.secret_key = "a key"
    interface = SecureCookieSessionInterface()
    ours = interface.get_signing_serializer(app)
    fresh = _fresh_serializer(interface, ["a key"])
    cookie = ours.dumps({"a": 1})
    assert ours.loads(cookie, max_age=60) == {"a": 1}  # remembered now
    clock.now += moved

    for _ in range(2):
        expected = _outcome(lambda: fresh.loads(cookie, max_age=60))
        assert _outcome(lambda: ours.loads(cookie, max_age=60)) == expected
        assert ours.loads(cookie) == fresh.loads(cookie)  # no max_age: no check
        stamped = ours.loads(cookie, return_timestamp=True)
        assert stamped == fresh.loads(cookie, return_timestamp=True)


def test_tampered_and_undecodable_cookies_fail_as_itsdangerous(clock):
    app = flask.Flask(__name__)
    app.secret_key = "a key"
    interface = SecureCookieSessionInterface()
    ours = interface.get_signing_serializer(app)
    fresh = _fresh_serializer(interface, ["a key"])
    cookie = ours.dumps({"a": "x" * 50})
    ours.loads(cookie)
    signer = fresh.make_signer()
    bad = [
        cookie[:-1] + ("A" if cookie[-1] != "A" else "B"),  # signature
        "x" + cookie,  # payload
        cookie.replace(".", "", 1),  # separator
        signer.sign(b"!!not base64!!").decode(),  # signed, undecodable
        signer.sign(b".AAAA").decode(),  # signed, not zlib
        signer.sign(b"bm90IGpzb24").decode(),  # signed, not JSON
    ]

    for value in bad * 2:
        expected = _outcome(lambda v=value: fresh.loads(v))
        assert isinstance(expected, tuple)
        assert _outcome(lambda v=value: ours.loads(v)) == expected

    assert ours.loads(cookie) == {"a": "x" * 50}


def test_a_second_passing_while_signing_is_not_remembered(monkeypatch):
    """The signer reads the clock twice: if the second changed in between,
    what it signed is not kept under the first second.
    """
    readings = iter([_NOW, _NOW + 1, _NOW, _NOW])
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner,
        "get_timestamp",
        lambda self: next(readings),
    )
    app = flask.Flask(__name__)
    app.secret_key = "a key of its own"
    interface = SecureCookieSessionInterface()
    ours = interface.get_signing_serializer(app)
    first = ours.dumps({"a": 1})  # keyed by _NOW, signed at _NOW + 1
    second = ours.dumps({"a": 1})  # at _NOW

    with mock.patch.object(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: _NOW
    ):
        assert second == _fresh_serializer(interface, ["a key of its own"]).dumps(
            {"a": 1}
        )

    assert first != second


def test_old_key_cookies_are_remembered_per_signer(clock):
    app = flask.Flask(__name__)
    app.secret_key = "new key"
    app.config["SECRET_KEY_FALLBACKS"] = ["old key"]
    interface = SecureCookieSessionInterface()
    ours = interface.get_signing_serializer(app)
    old_cookie = _fresh_serializer(interface, ["old key"]).dumps({"who": "old"})

    for _ in range(2):
        assert ours.loads(old_cookie) == {"who": "old"}

    app.config["SECRET_KEY_FALLBACKS"] = []
    rotated = interface.get_signing_serializer(app)
    assert rotated is not ours
    assert isinstance(_outcome(lambda: rotated.loads(old_cookie)), tuple)
