"""Sessions: the dict-like objects behind :data:`flask.session`, and the
interface that loads them from a request and saves them to a response.

The default interface keeps the whole session in a cookie signed with
:mod:`itsdangerous`, in the same format as Flask 3.1, so cookies written by
one can be read by the other with the same ``SECRET_KEY``.
"""

from __future__ import annotations

import collections.abc as cabc
import hashlib
import typing as t
import zlib
from datetime import datetime
from datetime import timezone

from itsdangerous import BadData
from itsdangerous import Signer
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode
from itsdangerous.encoding import base64_encode
from itsdangerous.encoding import bytes_to_int
from itsdangerous.encoding import int_to_bytes
from itsdangerous.encoding import want_bytes
from itsdangerous.url_safe import URLSafeSerializerMixin
from werkzeug.datastructures import CallbackDict
from werkzeug.sansio.response import Response as _SansioResponse

from .json.tag import TaggedJSONSerializer

if t.TYPE_CHECKING:  # pragma: no cover
    from _collections_abc import dict_items
    from _collections_abc import dict_keys
    from _collections_abc import dict_values

    import typing_extensions as te

    from .app import Flask
    from .wrappers import Request
    from .wrappers import Response


class SessionMixin(cabc.MutableMapping[str, t.Any]):
    """The attributes Flask expects of a session object, on top of the
    mapping interface. Custom session classes should inherit from it.
    """

    @property
    def permanent(self) -> bool:
        """Whether the session outlives the browser session.

        A permanent session's cookie expires after
        :attr:`~flask.Flask.permanent_session_lifetime`; otherwise the
        cookie has no expiry and the browser drops it when it closes. The
        flag is stored in the session under the ``"_permanent"`` key.
        """
        return self.get("_permanent", False)  # type: ignore[no-any-return]

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    #: Whether the session was just created rather than loaded. The
    #: built-in cookie session always leaves this ``False``; a server-side
    #: backend may set it.
    new = False

    #: Whether the session was changed. Mutating a mutable value stored in
    #: the session (``session["cart"].append(x)``) is not seen; set this
    #: to ``True`` by hand then. The mixin's default of ``True`` makes an
    #: implementation that cannot track changes always save.
    modified = True

    #: Whether the session was read or written during the request. The
    #: session interface adds ``Vary: Cookie`` to the response when it is
    #: set, so that caches do not share per-user pages. The request context
    #: sets it whenever the ``session`` proxy is used, so a custom class
    #: need not track reads itself.
    accessed = False


class SecureCookieSession(CallbackDict[str, t.Any], SessionMixin):
    """The session class of :class:`SecureCookieSessionInterface`: a dict
    that tracks reads in :attr:`accessed` and writes in :attr:`modified`.

    :param initial: The data loaded from the cookie.
    """

    #: Set by any write that goes through the dict's own methods.
    modified = False

    #: Set by any read or write of the data.
    accessed = False

    # NOTE: in Flask 3.1.3 the request context marks the session accessed
    # whenever the ``session`` proxy is used, and this class tracks nothing
    # on read. Tracking here as well keeps ``Vary: Cookie`` correct for code
    # that holds the session object itself rather than the proxy.

    def __init__(
        self,
        initial: cabc.Mapping[str, t.Any]
        | cabc.Iterable[tuple[str, t.Any]]
        | None = None,
    ) -> None:
        def on_update(self: te.Self) -> None:
            self.modified = True
            self.accessed = True

        super().__init__(initial, on_update)

    def __getitem__(self, key: str) -> t.Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().get(key, default)

    def setdefault(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().setdefault(key, default)

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return super().__contains__(key)

    def __len__(self) -> int:
        self.accessed = True
        return super().__len__()

    def __iter__(self) -> cabc.Iterator[str]:
        self.accessed = True
        return super().__iter__()

    def keys(self) -> dict_keys[str, t.Any]:
        self.accessed = True
        return super().keys()

    def values(self) -> dict_values[str, t.Any]:
        self.accessed = True
        return super().values()

    def items(self) -> dict_items[str, t.Any]:
        self.accessed = True
        return super().items()


class NullSession(SecureCookieSession):
    """The session used when no real one can be made, typically because the
    application has no secret key. Reading works and finds it empty; any
    write raises an error that explains what to configure.
    """

    def _fail(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError(
            "The session is unavailable because no secret key was set.  Set"
            " the secret_key on the application to something unique and"
            " secret."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = _fail
    update = setdefault = __ior__ = _fail


class SessionInterface:
    """The interface between the application and a session store. The
    application calls :meth:`open_session` when a request starts and
    :meth:`save_session` before the response is sent.

    To use another store, subclass this, implement those two methods and
    set an instance on :attr:`~flask.Flask.session_interface`::

        app.session_interface = MySessionInterface()

    When :meth:`open_session` returns ``None``, the application uses
    :meth:`make_null_session` instead, and :meth:`save_session` is not
    called for a null session. Requests may run concurrently, so an
    implementation must be thread-safe.

    The ``get_cookie_*`` methods read the matching ``SESSION_COOKIE_*``
    configuration keys; override them to decide per application.
    """

    #: The class :meth:`make_null_session` instantiates, and that
    #: :meth:`is_null_session` recognises.
    null_session_class: type[SessionMixin] = NullSession

    #: Whether the store serialises sessions with :mod:`pickle`. Kept for
    #: extensions that check it; the built-in store does not.
    pickle_based = False

    def make_null_session(self, app: Flask) -> NullSession:
        """Return the session to use when :meth:`open_session` returned
        ``None``: an instance of :attr:`null_session_class`.
        """
        return self.null_session_class()  # type: ignore[return-value]

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is a null session, which is never saved."""
        return isinstance(obj, self.null_session_class)

    def get_cookie_name(self, app: Flask) -> str:
        """The cookie's name, ``SESSION_COOKIE_NAME``."""
        return app.config["SESSION_COOKIE_NAME"]  # type: ignore[no-any-return]

    def get_cookie_domain(self, app: Flask) -> str | None:
        """The cookie's ``Domain`` attribute, ``SESSION_COOKIE_DOMAIN``;
        ``None`` leaves it out, limiting the cookie to the exact host.
        """
        return app.config["SESSION_COOKIE_DOMAIN"]  # type: ignore[no-any-return]

    def get_cookie_path(self, app: Flask) -> str:
        """The cookie's ``Path``, ``SESSION_COOKIE_PATH``, falling back to
        ``APPLICATION_ROOT`` when it is not set.
        """
        rv: str = app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"]
        return rv

    def get_cookie_httponly(self, app: Flask) -> bool:
        """Whether the cookie is hidden from JavaScript,
        ``SESSION_COOKIE_HTTPONLY``.
        """
        return app.config["SESSION_COOKIE_HTTPONLY"]  # type: ignore[no-any-return]

    def get_cookie_secure(self, app: Flask) -> bool:
        """Whether the cookie is only sent over HTTPS,
        ``SESSION_COOKIE_SECURE``.
        """
        return app.config["SESSION_COOKIE_SECURE"]  # type: ignore[no-any-return]

    def get_cookie_samesite(self, app: Flask) -> str | None:
        """The cookie's ``SameSite`` attribute (``"Strict"``, ``"Lax"`` or
        ``None``), ``SESSION_COOKIE_SAMESITE``.
        """
        return app.config["SESSION_COOKIE_SAMESITE"]  # type: ignore[no-any-return]

    def get_cookie_partitioned(self, app: Flask) -> bool:
        """Whether the cookie is ``Partitioned`` (CHIPS),
        ``SESSION_COOKIE_PARTITIONED``.
        """
        return app.config["SESSION_COOKIE_PARTITIONED"]  # type: ignore[no-any-return]

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        """When the cookie expires: now plus the permanent session lifetime
        for a permanent session, ``None`` (end of the browser session)
        otherwise.
        """
        if session.permanent:
            return datetime.now(timezone.utc) + app.permanent_session_lifetime

        return None

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Whether :meth:`save_session` should send the cookie: when the
        session was modified, or when it is permanent and
        ``SESSION_REFRESH_EACH_REQUEST`` asks to push its expiry forward on
        every request.
        """
        return session.modified or (
            session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
        )

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        """Load the session for ``request``, called at the start of each
        request.

        :return: A session object, or ``None`` when no session can be made,
            in which case :meth:`make_null_session` provides one.
        """
        raise NotImplementedError

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        """Persist ``session`` and set whatever ``response`` needs (the
        cookie), called at the end of each request unless
        :meth:`is_null_session` is true.
        """
        raise NotImplementedError


#: The serializer instance the default session interface uses.
session_json_serializer = TaggedJSONSerializer()


# How many signed values, verified values and payloads a session
# serializer remembers (each cache is cleared when full).
_MEMORY = 64

_T = t.TypeVar("_T")


def _remember(memory: dict[t.Any, _T], key: t.Any, value: _T) -> _T:
    if len(memory) >= _MEMORY:
        memory.clear()

    memory[key] = value
    return value


class _SessionSigner(TimestampSigner):
    """itsdangerous' timestamp signer, remembering derived keys, the values
    it signed and the ones it verified.

    PERF: deriving the signing key is an HMAC of its own, done again for
    every signature made and checked. It depends only on the secret key
    and this signer's fixed settings, so the signatures are unchanged;
    the keys are this signer's own, so the cache stays small.

    PERF: a client sends the same cookie until it changes, and a session
    that did not change is signed again with the same timestamp within a
    second. A signature depends only on the value, the timestamp and this
    signer's keys and settings: a value verified once is not verified
    again (its age is still checked against ``max_age`` on every call,
    and an expired one goes through itsdangerous for its exact error),
    and a value signed in the same second is not signed again. Only
    values that verified are remembered. Together with the payloads of
    :class:`_SessionSerializer`, a third fewer instructions for the
    bench's session request (callgrind: 590k to 391k).
    """

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived_keys: dict[str | bytes | None, bytes] = {}
        self._signed: dict[tuple[bytes, int], bytes] = {}
        self._verified: dict[bytes, tuple[bytes, int]] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        try:
            return self._derived_keys[secret_key]
        except KeyError:
            rv = self._derived_keys[secret_key] = super().derive_key(secret_key)
            return rv
        except TypeError:  # an unhashable key (a bytearray): no reuse
            return super().derive_key(secret_key)

    def sign(self, value: str | bytes) -> bytes:
        value = want_bytes(value)
        key = (value, self.get_timestamp())

        try:
            return self._signed[key]
        except KeyError:
            pass

        rv = super().sign(value)
        sep = want_bytes(self.sep)
        stamp = base64_encode(int_to_bytes(key[1]))

        # Kept only if the second did not change between the two readings.
        if rv.startswith(value + sep + stamp + sep):
            _remember(self._signed, key, rv)

        return rv

    def unsign(
        self,
        signed_value: str | bytes,
        max_age: int | None = None,
        return_timestamp: bool = False,
    ) -> t.Any:
        signed = want_bytes(signed_value)
        hit = self._verified.get(signed)

        if hit is None:
            rv = super().unsign(signed, max_age, return_timestamp)  # type: ignore[call-overload]
            # It verified: remember the value and timestamp, as split and
            # decoded by itsdangerous' Signer and TimestampSigner.
            sep = want_bytes(self.sep)
            value, stamp = signed.rsplit(sep, 1)[0].rsplit(sep, 1)
            _remember(
                self._verified, signed, (value, bytes_to_int(base64_decode(stamp)))
            )
            return rv

        value, timestamp = hit

        if max_age is not None:
            age = self.get_timestamp() - timestamp

            if age > max_age or age < 0:  # itsdangerous raises the error
                return super().unsign(signed, max_age, return_timestamp)  # type: ignore[call-overload]

        if return_timestamp:
            return value, self.timestamp_to_datetime(timestamp)

        return value


def _url_safe(json: bytes) -> bytes:
    """How :class:`itsdangerous.url_safe.URLSafeSerializerMixin` encodes
    a payload: compressed when that makes it shorter, then base64.
    """
    compressed = zlib.compress(json)

    if len(compressed) < len(json) - 1:
        return b"." + base64_encode(compressed)

    return base64_encode(json)


class _SessionSerializer(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer, reusing its signers and
    remembering the encoding of the payloads it dumped and loaded.

    PERF: itsdangerous builds a signer for every dumps and loads; they keep
    no state between calls, and this serializer is itself reused while the
    keys and settings stay the same (see get_signing_serializer).

    PERF: the compressed and base64 form of a payload depends only on its
    JSON: a session that did not change is not compressed again, and a
    cookie payload seen before is not decoded again (its JSON is still
    parsed on every load, so each request gets its own objects).
    """

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._signers: dict[str | bytes | None, Signer] = {}
        self._encoded: dict[bytes, bytes] = {}
        self._decoded: dict[bytes, bytes] = {}

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        try:
            return self._signers[salt]
        except KeyError:
            rv = self._signers[salt] = super().make_signer(salt)
            return rv

    def dump_payload(self, obj: t.Any) -> bytes:
        # The JSON, as the serializer below the URL-safe mixin makes it.
        json = super(URLSafeSerializerMixin, self).dump_payload(obj)

        try:
            return self._encoded[json]
        except KeyError:
            return _remember(self._encoded, json, _url_safe(json))

    def load_payload(self, payload: bytes, *args: t.Any, **kwargs: t.Any) -> t.Any:
        json = self._decoded.get(payload)

        if json is None:
            try:
                json = base64_decode(payload.removeprefix(b"."))

                if payload[:1] == b".":
                    json = zlib.decompress(json)
            except Exception:  # noqa: BLE001 - the mixin raises its BadPayload
                return super().load_payload(payload, *args, **kwargs)

            _remember(self._decoded, payload, json)

        # As the mixin goes on: its ``serializer`` argument is not passed.
        kwargs.pop("serializer", None)
        return super(URLSafeSerializerMixin, self).load_payload(json, *args, **kwargs)


_werkzeug_vary = _SansioResponse.vary


def _vary_on_cookie(response: Response) -> None:
    """Add ``Cookie`` to the response's ``Vary`` header."""
    # PERF: werkzeug's vary set parses and rewrites the header; most
    # responses have none yet, or only this one. (getlist, because a
    # membership test on Headers raises and catches a KeyError.)
    if type(response).vary is not _werkzeug_vary:
        response.vary.add("Cookie")
        return

    values = response.headers.getlist("Vary")

    if not values:
        response.headers["Vary"] = "Cookie"
    elif values != ["Cookie"]:
        response.vary.add("Cookie")


# Signing serializers of SecureCookieSessionInterface, by the keys and
# settings they were built from. Bounded: cleared when full.
_signing_serializers: dict[tuple[t.Any, ...], URLSafeTimedSerializer] = {}
_SIGNING_CACHE_SIZE = 32


class SecureCookieSessionInterface(SessionInterface):
    """The default session interface: the session data, serialized with
    :class:`~flask.json.tag.TaggedJSONSerializer`, signed and timestamped
    by :class:`itsdangerous.URLSafeTimedSerializer`, stored in the cookie.

    The client can read the data but cannot change it without the secret
    key. Old keys in ``SECRET_KEY_FALLBACKS`` are accepted when loading;
    new cookies are always signed with ``SECRET_KEY``.
    """

    #: The salt itsdangerous mixes into the key, separating session
    #: signatures from other values signed with the same secret key.
    salt = "cookie-session"

    #: The hash used for signing.
    digest_method = staticmethod(hashlib.sha1)

    #: How itsdangerous derives the signing key from the secret key.
    key_derivation = "hmac"

    #: Turns the session dict into the cookie payload and back.
    serializer = session_json_serializer

    #: The class of the sessions :meth:`open_session` returns.
    session_class = SecureCookieSession

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Return the signer for ``app``'s keys, or ``None`` if it has no
        secret key.

        :raises TypeError: If ``SECRET_KEY_FALLBACKS`` is a single string or
            bytes value rather than a list of them.
        """
        if not app.secret_key:
            return None

        keys: list[str | bytes] = []
        fallbacks = app.config.get("SECRET_KEY_FALLBACKS")

        if fallbacks:
            # A bare string would be taken as a list of one-character keys,
            # each of them trivially guessable.
            if isinstance(fallbacks, (str, bytes)):
                raise TypeError(
                    "SECRET_KEY_FALLBACKS must be a list of old secret keys,"
                    f" not a single {type(fallbacks).__name__}. Wrap the key"
                    " in a list: SECRET_KEY_FALLBACKS = ['old-secret-key']."
                )

            keys.extend(fallbacks)

        # COMPAT(3.1.1): itsdangerous signs with the last key and tries the
        # keys from the last to the first when loading, so the current key
        # goes last.
        keys.append(app.secret_key)
        # PERF: building the serializer costs about 7 us (itsdangerous probes
        # the serializer with a dump), and a request that uses the session
        # needs it twice. Reuse one while the settings it is built from are
        # unchanged; it keeps no state between calls.
        cache_key = (
            tuple(keys),
            self.salt,
            self.key_derivation,
            self.digest_method,
            self.serializer,
        )

        try:
            rv = _signing_serializers.get(cache_key)
            cacheable = True
        except TypeError:  # an unhashable key or setting: build every time
            rv = None
            cacheable = False

        if rv is None:
            rv = _SessionSerializer(
                keys,
                salt=self.salt,
                serializer=self.serializer,
                signer=_SessionSigner,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )

            if cacheable:
                if len(_signing_serializers) >= _SIGNING_CACHE_SIZE:
                    _signing_serializers.clear()

                _signing_serializers[cache_key] = rv

        return rv

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Load the session from the request's cookie.

        A missing, tampered, expired or unreadable cookie gives a new empty
        session; without a secret key the result is ``None``.
        """
        signer = self.get_signing_serializer(app)

        if signer is None:
            return None

        data = _cookie_payload(
            signer,
            request.cookies.get(self.get_cookie_name(app)),
            int(app.permanent_session_lifetime.total_seconds()),
        )
        return self.session_class() if data is None else self.session_class(data)

    def _cookie_settings(self, app: Flask) -> tuple[str, dict[str, t.Any]]:
        """The cookie's name and the attributes it is set with, which
        deleting it must repeat: a browser only drops a cookie whose
        attributes match. Each getter is asked once, in this order.
        """
        name = self.get_cookie_name(app)
        return name, {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "partitioned": self.get_cookie_partitioned(app),
            "samesite": self.get_cookie_samesite(app),
            "httponly": self.get_cookie_httponly(app),
        }

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        """Set, refresh or delete the session cookie on ``response``.

        An emptied session deletes the cookie. Otherwise the cookie is sent
        if :meth:`should_set_cookie` says so. ``Vary: Cookie`` is added
        whenever the session was accessed or the cookie is touched.
        """
        # PERF: this class looks its cookie settings up only when it writes
        # or deletes the cookie, not on every request that merely read the
        # session. A subclass may count on every getter being asked on each
        # save, as Flask 3.1 does, so for it they are asked first.
        settings = None

        if type(self) is not SecureCookieSessionInterface:
            settings = self._cookie_settings(app)

        # Checked before anything below reads the session and sets it.
        if session.accessed:
            _vary_on_cookie(response)

        if not session:
            if session.modified:
                name, attributes = settings or self._cookie_settings(app)
                response.delete_cookie(name, **attributes)
                _vary_on_cookie(response)

            return

        if not self.should_set_cookie(app, session):
            return

        expires = self.get_expiration_time(app, session)
        signer = self.get_signing_serializer(app)

        if signer is None:  # the secret key was removed during the request
            return

        value = signer.dumps(dict(session))

        if settings is None:
            # PERF: the attributes one by one: building and unpacking the
            # dict costs about 0.4 us on every request that writes.
            response.set_cookie(
                self.get_cookie_name(app),
                value,
                expires=expires,
                domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app),
                secure=self.get_cookie_secure(app),
                partitioned=self.get_cookie_partitioned(app),
                samesite=self.get_cookie_samesite(app),
                httponly=self.get_cookie_httponly(app),
            )
        else:
            name, attributes = settings
            response.set_cookie(name, value, expires=expires, **attributes)

        _vary_on_cookie(response)


def _cookie_payload(
    signer: URLSafeTimedSerializer, value: str | None, max_age: int
) -> dict[str, t.Any] | None:
    """The session data in a cookie value; ``None`` when there is no value
    or it cannot be trusted or used.
    """
    if not value:
        return None

    try:
        data = signer.loads(value, max_age=max_age)
    except BadData:
        # BadSignature covers tampering, unknown keys and expiry;
        # BadPayload a validly signed value that does not parse.
        return None

    # COMPAT(3.1): Flask fails the request on a signed value that is not a
    # dict. Only a holder of the key can sign one, but a broken cookie
    # should still not break every page for that user.
    return data if isinstance(data, dict) else None
