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
from itsdangerous import URLSafeTimedSerializer
from werkzeug.sansio.response import Response as SansioResponse

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


def test_shipped_interface_opens_lazily():
    """The control: pushed, the shipped interface has not opened the
    session yet; an untouched session without a cookie is not saved.
    """
    app = _session_app()

    with app.test_request_context() as ctx:
        assert ctx.__dict__.get("_session") is None

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
