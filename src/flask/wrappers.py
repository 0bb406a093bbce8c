"""The request and response classes, werkzeug's with the app's settings."""

from __future__ import annotations

import inspect
import typing as t
from binascii import a2b_qp
from urllib.parse import unquote_to_bytes

import werkzeug.urls  # noqa: F401 - registers the "werkzeug.url_quote" codec handler
from werkzeug.datastructures import EnvironHeaders
from werkzeug.datastructures import Headers
from werkzeug.datastructures import MultiDict as _MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.sansio.http import parse_cookie
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request as RequestBase
from werkzeug.wrappers import Response as ResponseBase
from werkzeug.wsgi import get_input_stream
from werkzeug.wsgi import LimitedStream

from . import json
from .globals import _cv_app
from .helpers import _split_blueprint_path

if t.TYPE_CHECKING:  # pragma: no cover
    from http import HTTPStatus

    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.datastructures import ImmutableMultiDict
    from werkzeug.datastructures import MultiDict
    from werkzeug.routing import Rule


_unset = object()


class _kept_property(cached_property[t.Any]):
    """werkzeug's ``cached_property``, keeping the value in an ordinary
    attribute, ``_cache_<name>`` (the name werkzeug uses on classes with
    slots), instead of the instance ``__dict__``.

    PERF: on CPython 3.11, the first use of an object's ``__dict__`` makes
    its attributes a separate dict for good, and from then on the
    interpreter cannot specialise reads of them: werkzeug's descriptor
    (which reads ``__dict__``) slowed every later attribute read of the
    request. The host is set on every request. Kept this way, together
    with the context's session (``ctx._LazySession``), callgrind counts
    per request: hello 102.6k -> 95.8k instructions, blueprint 143.9k ->
    138.2k, json_params 142.4k -> 137.6k. ``args`` and ``cookies``, kept
    too: json_params 137.6k -> 135.9k, session 351.6k -> 349.5k.
    """

    def __get__(self, obj: object, type: type | None = None) -> t.Any:
        if obj is None:
            return self

        value = getattr(obj, self.slot_name, _unset)

        if value is _unset:
            value = self.fget(obj)  # type: ignore[misc]
            setattr(obj, self.slot_name, value)

        return value

    def __set__(self, obj: object, value: t.Any) -> None:
        setattr(obj, self.slot_name, value)

    def __delete__(self, obj: object) -> None:
        try:
            delattr(obj, self.slot_name)
        except AttributeError:
            raise KeyError(self.__name__) from None  # as werkzeug's


class _MaxLimitedStream(LimitedStream):
    """A body stream the server ends itself (``wsgi.input_terminated``,
    as for a chunked body), capped at ``MAX_CONTENT_LENGTH``.

    NOTE: werkzeug's stream stops quietly at the limit when the whole body
    is read at once (``get_data``, ``get_json``, a urlencoded form), so a
    chunked body over the limit reaches the view cut short instead of
    being refused. Once the limit is reached, this one reads one byte
    more: if the body goes on, it is too large (413); if not, the body was
    exactly the limit and is accepted.
    """

    def __init__(self, stream: t.IO[bytes], limit: int) -> None:
        super().__init__(stream, limit, is_max=True)
        self._source = stream

    def on_exhausted(self) -> None:
        if self._source.read(1):
            raise RequestEntityTooLarge()

    def readall(self) -> bytes:
        rv = super().readall()

        if self.is_exhausted:
            self.on_exhausted()

        return rv


def _unquote_field(text: str) -> str:
    """One name or value of a urlencoded string, ``+`` and ``%XX``
    decoded; invalid UTF-8 stays percent-encoded.
    """
    if "+" in text:
        text = text.replace("+", " ")

    if "%" not in text:
        return text

    return unquote_to_bytes(text).decode("utf-8", "werkzeug.url_quote")


def _parse_urlencoded(text: str) -> list[tuple[str, str]]:
    """``parse_qsl(text, keep_blank_values=True,
    errors="werkzeug.url_quote")``, as werkzeug parses query strings and
    urlencoded forms, in about a sixth of parse_qsl's time.
    """
    if "%" in text and text.isascii():
        pairs = _decode_at_once(text)

        if pairs is not None:
            return pairs

    return _parse_fields(text)


def _parse_fields(text: str) -> list[tuple[str, str]]:
    """:func:`_parse_urlencoded` one field at a time: any input."""
    # PERF: parse_qsl unquotes each field through a regex split and a
    # decode per ASCII run; splitting here and decoding each field in one
    # go gives the same pairs. The 10-field form of bench/ parses in 13 us
    # instead of 24 us (17% fewer instructions for the whole request); the
    # JSON-params request, which reads one query argument, 5% fewer.
    pairs = []

    for part in text.split("&"):
        if part:  # parse_qsl skips empty fields too
            name, _, value = part.partition("=")
            pairs.append((_unquote_field(name), _unquote_field(value)))

    return pairs


# "&" and "=" become bytes that mark the fields, "%" the escape character
# of quoted-printable, "+" a space.
_URLENCODED_TO_QP = bytes.maketrans(b"&=%+", b"\x00\x01= ")


def _decode_at_once(text: str) -> list[tuple[str, str]] | None:
    """:func:`_parse_fields` for an ASCII string whose escapes are all
    valid, or ``None`` when it is not one.

    PERF: the escapes of the whole string are decoded by one C call,
    binascii's quoted-printable decoder, once the separators are swapped
    for marks and ``%`` for ``=``: the 10-field form of bench/ parses in
    5.4 us instead of 19 us, 21% fewer instructions for the whole request
    (459k -> 363k). Equal to the field-by-field parse on random input
    (tests/test_response_fastpath.py).
    """
    raw = text.encode()

    # Quoted-printable's soft line breaks: the one case where a bad escape
    # would drop two bytes, as a good one does.
    if b"\n" in raw or b"\r" in raw:
        return None

    decoded = a2b_qp(raw.translate(_URLENCODED_TO_QP))

    # Each valid escape shrinks three bytes into one, an invalid one less;
    # the marks are only the separators when no escape or raw byte made
    # one too.
    if (
        len(decoded) != len(raw) - 2 * raw.count(b"%")
        or decoded.count(b"\x00") != raw.count(b"&")
        or decoded.count(b"\x01") != raw.count(b"=")
    ):
        return None

    try:
        fields = decoded.decode()
    except UnicodeDecodeError:  # left percent-encoded: field by field
        return None

    pairs = []

    for part in fields.split("\x00"):
        if part:
            name, _, value = part.partition("\x01")

            if "\x01" in value:  # "a=b=c": the value keeps its "="
                value = value.replace("\x01", "=")

            pairs.append((name, value))

    return pairs


_multidict_init = _MultiDict.__init__
_new_dict = dict.__new__
_fill_dict = dict.update


_M = t.TypeVar("_M", bound="_MultiDict[t.Any, t.Any]")


def _multidict(cls: type[_M], pairs: list[tuple[str, str]]) -> _M:
    """``cls(pairs)`` for a werkzeug ``MultiDict`` class.

    PERF: werkzeug's constructor tests the pairs against the Mapping ABC
    before it groups them; for a list of pairs, grouping them here and
    filling the dict as its ``__init__`` does halves the cost (4% of a
    request that reads one query argument). A class with its own
    ``__init__`` or ``__new__`` is called.
    """
    if cls.__init__ is not _multidict_init or cls.__new__ is not _new_dict:
        return cls(pairs)

    lists: dict[str, list[str]] = {}

    for key, value in pairs:
        lists.setdefault(key, []).append(value)

    rv: _M = _new_dict(cls)
    _fill_dict(rv, lists)
    return rv


class _FormDataParser(FormDataParser):
    """werkzeug's form parser, with :func:`_parse_urlencoded` for
    urlencoded bodies.
    """

    def _parse_urlencoded(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> tuple[t.IO[bytes], MultiDict[str, t.Any], MultiDict[str, t.Any]]:
        # The body is decoded strictly, as werkzeug does: invalid UTF-8
        # raises a ValueError, which the parser turns into an empty form.
        items = _parse_urlencoded(stream.read().decode())
        return stream, _multidict(self.cls, items), self.cls()


_new_object = object.__new__


def _decode_path(value: str) -> str:
    """A WSGI path (bytes as latin-1) read as UTF-8, as werkzeug reads it."""
    return value.encode("latin1").decode(errors="replace")


# Server addresses by SERVER_NAME and SERVER_PORT; few distinct ones exist.
_SERVERS: dict[tuple[t.Any, t.Any], tuple[str, int | None] | None] = {}


def _server_of(name: t.Any, port: t.Any) -> tuple[str, int | None] | None:
    """``(SERVER_NAME, int(SERVER_PORT))`` as werkzeug makes it: ``None``
    without a name, no port for a Unix socket.
    """
    key = (name, port)

    try:
        return _SERVERS[key]
    except KeyError:
        pass
    except TypeError:  # unhashable values in the environ: no memory
        return _parse_server(name, port)

    if len(_SERVERS) >= 64:
        _SERVERS.clear()

    rv = _SERVERS[key] = _parse_server(name, port)
    return rv


def _parse_server(name: t.Any, port: t.Any) -> tuple[str, int | None] | None:
    if name is None:
        return None

    try:
        number: int | None = int(port)
    except (TypeError, ValueError):
        number = None

    return name, number


_URLENCODED = "application/x-www-form-urlencoded"
_want_form_data_parsed = RequestBase.want_form_data_parsed
_make_form_data_parser = RequestBase.make_form_data_parser
_get_stream_for_parsing = RequestBase._get_stream_for_parsing
_mimetype = RequestBase.mimetype


class Request(RequestBase):
    """The request object of the framework, available as
    :data:`~flask.request`.

    It adds what routing found (:attr:`url_rule`, :attr:`view_args`,
    :attr:`endpoint`, :attr:`blueprint`) and reads the body limits from
    the current app's config unless they are set on the request itself.
    """

    #: Parses :attr:`json`; the request context sets it to ``app.json``.
    json_module: t.Any = json

    #: The rule that matched the request, or ``None`` before or without a
    #: match. Its ``methods`` tell which methods the URL accepts.
    url_rule: Rule | None = None

    #: The values captured from the URL by the matching rule.
    view_args: dict[str, t.Any] | None = None

    #: The routing error (404, 405, a redirect) kept until dispatch raises
    #: it, so hooks still run before it.
    routing_exception: HTTPException | None = None

    form_data_parser_class: type[FormDataParser] = _FormDataParser

    # The host, worked out and checked against TRUSTED_HOSTS when the URL
    # is bound, is set on every request: see _kept_property.
    host = _kept_property(RequestBase.host.fget, "host")  # type: ignore[attr-defined]

    def __init__(
        self,
        environ: WSGIEnvironment,
        populate_request: bool = True,
        shallow: bool = False,
    ) -> None:
        # PERF: werkzeug's constructor hands eight values through two
        # __init__ calls and decodes both paths even when they are ASCII
        # (as they almost always are, and then decode to themselves). This
        # sets the same attributes directly: a tenth of a hello-world
        # request's instructions. Equal to werkzeug's on random environs
        # (tests/test_fastpath_requests.py); another werkzeug version whose
        # constructor sets other state keeps its own (_init_is_equivalent).
        get = environ.get
        self.method = get("REQUEST_METHOD", "GET").upper()
        self.scheme = get("wsgi.url_scheme", "http")
        self.server = _server_of(get("SERVER_NAME"), get("SERVER_PORT"))
        root = get("SCRIPT_NAME") or ""
        path = get("PATH_INFO") or ""
        self.root_path = (root if root.isascii() else _decode_path(root)).rstrip("/")
        self.path = "/" + (path if path.isascii() else _decode_path(path)).lstrip("/")
        self.query_string = get("QUERY_STRING", "").encode("latin1")
        # EnvironHeaders(environ), without its two __init__ frames (2% of a
        # hello-world request); checked equal by _init_is_equivalent.
        headers = _new_object(EnvironHeaders)
        headers._list = []
        headers.environ = environ
        self.headers = headers
        self.remote_addr = get("REMOTE_ADDR")
        self.environ = environ
        self.shallow = shallow

        if populate_request and not shallow:
            environ["werkzeug.request"] = self

    _max_content_length: int | None = None
    _max_form_memory_size: int | None = None
    _max_form_parts: int | None = None

    @property
    def max_content_length(self) -> int | None:
        """The largest body, in bytes, this request may send.

        Set it on the request to override the ``MAX_CONTENT_LENGTH``
        config of the current app.
        """
        if self._max_content_length is not None:
            return self._max_content_length

        ctx = _cv_app.get(None)

        if ctx is None:
            return super().max_content_length

        return ctx.app.config["MAX_CONTENT_LENGTH"]  # type: ignore[no-any-return]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        """The largest non-file form field, in bytes.

        Set it on the request to override ``MAX_FORM_MEMORY_SIZE``.
        """
        if self._max_form_memory_size is not None:
            return self._max_form_memory_size

        ctx = _cv_app.get(None)

        if ctx is None:
            return super().max_form_memory_size

        return ctx.app.config["MAX_FORM_MEMORY_SIZE"]  # type: ignore[no-any-return]

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property  # type: ignore[override]
    def max_form_parts(self) -> int | None:
        """The most fields a multipart form may have.

        Set it on the request to override ``MAX_FORM_PARTS``.
        """
        if self._max_form_parts is not None:
            return self._max_form_parts

        ctx = _cv_app.get(None)

        if ctx is None:
            return super().max_form_parts

        return ctx.app.config["MAX_FORM_PARTS"]  # type: ignore[no-any-return]

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._max_form_parts = value

    @cached_property
    def stream(self) -> t.IO[bytes]:
        """The body stream, limited to :attr:`content_length` and to
        :attr:`max_content_length` (413 past it).

        A body without ``Content-Length`` that the server ends itself
        (chunked) and that goes past :attr:`max_content_length` is refused
        with a 413 even when it is read all at once, where werkzeug would
        cut it at the limit.
        """
        environ = self.environ
        max_length = self.max_content_length

        if (
            max_length is not None
            and not self.shallow
            and "wsgi.input_terminated" in environ
            and self.content_length is None
        ):
            return t.cast(
                t.IO[bytes], _MaxLimitedStream(environ["wsgi.input"], max_length)
            )

        if self.shallow:
            return super().stream  # werkzeug's error

        # PERF: werkzeug's stream, without asking for the limit a second
        # time: 2% of the bench/ form request's instructions (316k -> 310k).
        return get_input_stream(environ, max_content_length=max_length)

    # NOTE: werkzeug decodes the query string as strict UTF-8, so a raw
    # non-UTF-8 byte in it (the WSGI server passes "\x80" on as latin-1)
    # raised UnicodeDecodeError from ``args`` and ``full_path``: a 500 for
    # a client's typo (Flask 3.1 too). Invalid bytes stay percent-encoded
    # instead, as werkzeug already does for "%80".

    @_kept_property
    def args(self) -> MultiDict[str, str]:
        """The parsed query string (the part of the URL after ``?``).

        Bytes that are not valid UTF-8 stay percent-encoded, whether the
        client sent them encoded or raw.
        """
        query = self.query_string.decode("utf-8", "werkzeug.url_quote")
        return _multidict(self.parameter_storage_class, _parse_urlencoded(query))

    @_kept_property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        """The cookies the request sent, by name."""
        headers = self.headers

        # PERF: werkzeug gets the Cookie header with headers.getlist, which
        # walks every environ key through a generator that renames it.
        # Picking the same keys (HTTP_ plus "cookie" in any case: what
        # EnvironHeaders names "Cookie") from the environ directly gives
        # the same values; 5% of a request that uses the session.
        if type(headers) is not EnvironHeaders or headers.environ is not self.environ:
            return super().cookies

        values = [
            v
            for k, v in self.environ.items()
            if len(k) == 11 and k[5:].lower() == "cookie" and k.startswith("HTTP_")
        ]
        return parse_cookie(";".join(values), cls=self.dict_storage_class)  # type: ignore[return-value]

    @property
    def full_path(self) -> str:
        """The path and the query string, invalid bytes percent-encoded."""
        query = self.query_string.decode("utf-8", "werkzeug.url_quote")
        return f"{self.path}?{query}"

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched rule, or ``None``."""
        if self.url_rule is not None:
            return self.url_rule.endpoint  # type: ignore[no-any-return]

        return None

    @property
    def blueprint(self) -> str | None:
        """The full dotted name of the blueprint the endpoint belongs to,
        or ``None`` for an app endpoint or no match.
        """
        name, dot, _ = (self.endpoint or "").rpartition(".")
        return name if dot else None

    @property
    def blueprints(self) -> list[str]:
        """The blueprint of the request and each of its parents, innermost
        first; empty outside a blueprint.
        """
        return list(self._blueprint_scopes())

    _blueprints_cache: tuple[Rule | None, tuple[str, ...]] | None = None

    def _blueprint_scopes(self) -> tuple[str, ...]:
        """:attr:`blueprints` as a tuple, for the framework to iterate."""
        rule = self.url_rule
        cls = type(self)
        # PERF: with Request's own ``endpoint`` and ``blueprint``, the
        # scopes depend on the rule's endpoint alone: remembered by it,
        # without the two property calls and the tuple per request
        # (callgrind, the bench's blueprint request: 151.1k -> 146.7k).
        # Overridden, they are asked, once per matched rule of the request
        # (the dispatch reads the blueprints up to four times).
        by_endpoint = (
            rule is not None
            and cls.blueprint is _request_blueprint
            and cls.endpoint is _request_endpoint
        )

        if by_endpoint:
            scopes = _ENDPOINT_SCOPES.get(rule.endpoint)  # type: ignore[union-attr]
        else:
            cached = self._blueprints_cache
            scopes = cached[1] if cached is not None and cached[0] is rule else None

        if scopes is not None:
            return scopes

        name = self.blueprint
        scopes = () if name is None else tuple(_split_blueprint_path(name))

        if by_endpoint:
            if len(_ENDPOINT_SCOPES) >= 1024:
                _ENDPOINT_SCOPES.clear()

            _ENDPOINT_SCOPES[rule.endpoint] = scopes  # type: ignore[union-attr]
        else:
            self._blueprints_cache = (rule, scopes)

        return scopes

    def _load_urlencoded_form(self) -> bool:
        """Load an urlencoded form as werkzeug's loader would, without its
        parser object; ``False``, doing nothing, for another request or a
        class that changes how forms are loaded.

        PERF: werkzeug's loader makes a parser, reading five settings for
        it, and parses the content type to choose its method: 13% of the
        bench/ form request's instructions (363k -> 316k). The stream and
        the storage class are read from the request as werkzeug reads them;
        equal to werkzeug's loader on random bodies and for request classes
        overriding each step (tests/test_fastpath_requests.py).
        """
        d = self.__dict__
        cls = type(self)

        if (
            self.environ.get("CONTENT_TYPE") != _URLENCODED
            or "form" in d
            or d.get("_cached_data") is not None
            or cls.want_form_data_parsed is not _want_form_data_parsed
            or cls.make_form_data_parser is not _make_form_data_parser
            or cls.form_data_parser_class is not _FormDataParser
            or cls._get_stream_for_parsing is not _get_stream_for_parsing
            or cls.mimetype is not _mimetype
        ):
            return False

        # As werkzeug's parser: the stream enforces MAX_CONTENT_LENGTH, and
        # MAX_FORM_MEMORY_SIZE is only for multipart fields.
        stream = self.stream
        storage = self.parameter_storage_class

        try:
            form = _multidict(storage, _parse_urlencoded(stream.read().decode()))
        except ValueError:  # not UTF-8: werkzeug's parser gives no fields
            form = storage()

        d["stream"], d["form"], d["files"] = stream, form, _multidict(storage, [])
        return True

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> t.IO[bytes]:
        rv = super()._get_file_stream(
            total_content_length, content_type, filename, content_length
        )
        self.__dict__.setdefault("_form_file_streams", []).append(rv)
        return rv

    def _close_unkept_file_streams(self) -> None:
        """Close the upload files the form parser opened but did not hand
        over in :attr:`files`.

        NOTE: when werkzeug's parser stops part way (413 for too many
        parts or too large a field, or a malformed body it skips), the
        files it already opened are only closed by the garbage collector,
        with a ``ResourceWarning`` (Flask 3.1 too).
        """
        streams = self.__dict__.pop("_form_file_streams", None)

        if not streams:
            return

        files = self.__dict__.get("files")
        kept = set()

        if files is not None:
            kept = {id(f.stream) for _, f in files.items(multi=True)}

        for stream in streams:
            if id(stream) not in kept:
                stream.close()

    def _load_form_data(self) -> None:
        if not self._load_urlencoded_form():
            try:
                super()._load_form_data()
            finally:
                if "_form_file_streams" in self.__dict__:
                    self._close_unkept_file_streams()

        ctx = _cv_app.get(None)

        # In debug mode, explain a missing file key sent without the
        # multipart enctype instead of a bare KeyError.
        if (
            ctx is not None
            and ctx.app.debug
            and self.mimetype != "multipart/form-data"
            and not self.files
        ):
            from .debughelpers import attach_enctype_error_multidict

            attach_enctype_error_multidict(self)

    @t.overload
    def get_json(
        self, force: bool = ..., silent: t.Literal[False] = ..., cache: bool = ...
    ) -> t.Any: ...

    @t.overload
    def get_json(
        self, force: bool = ..., silent: bool = ..., cache: bool = ...
    ) -> t.Any | None: ...

    def get_json(
        self, force: bool = False, silent: bool = False, cache: bool = True
    ) -> t.Any | None:
        """Parse the body as JSON; see werkzeug's
        :meth:`~werkzeug.wrappers.Request.get_json`.

        A body nested too deeply for the parser is a malformed body like
        any other: ``None`` when ``silent``, else a 400 through
        :meth:`on_json_loading_failed`.
        """
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            # NOTE: the stdlib parser recurses once per nesting level, so
            # 100k "[" raise RecursionError, not the ValueError werkzeug
            # turns into a 400; werkzeug (and Flask 3.1) answer a 500.
            if silent:
                return None

            return self.on_json_loading_failed(
                ValueError("The JSON document is nested too deeply.")
            )

    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        """Turn a JSON parse error into a 400; the parser's message is only
        shown in debug mode.
        """
        try:
            return super().on_json_loading_failed(e)
        except BadRequest as ebr:
            ctx = _cv_app.get(None)

            if ctx is not None and ctx.app.debug:
                raise

            raise BadRequest() from ebr


def _init_is_equivalent() -> bool:
    """Whether :meth:`Request.__init__` sets what werkzeug's constructor
    sets, on a sample environ with every value it reads.
    """
    environ = {
        "REQUEST_METHOD": "post",
        "wsgi.url_scheme": "https",
        "SERVER_NAME": "example.com",
        "SERVER_PORT": "8443",
        "SCRIPT_NAME": "/r\xc3\xa9/",
        "PATH_INFO": "//p\xc3\xa9",
        "QUERY_STRING": "a=1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "example.com",
    }
    ours = Request.__new__(Request)
    Request.__init__(ours, dict(environ))
    theirs = Request.__new__(Request)
    RequestBase.__init__(theirs, dict(environ))

    def state(request: Request) -> dict[str, t.Any]:
        rv = dict(vars(request))
        headers = request.headers
        rv["headers"] = (type(headers), list(headers), sorted(vars(headers)))
        rv["header_list"] = headers._list
        rv["environ"] = {
            k: v for k, v in request.environ.items() if k != "werkzeug.request"
        }
        return rv

    return state(ours) == state(theirs)


if not _init_is_equivalent():  # pragma: no cover - another werkzeug version
    del Request.__init__


_request_blueprint = Request.blueprint
_request_endpoint = Request.endpoint
# Blueprint scopes by endpoint (Request._blueprint_scopes).
_ENDPOINT_SCOPES: dict[str, tuple[str, ...]] = {}

#: Headers werkzeug rewrites before sending (IRIs to URIs).
_REWRITTEN_HEADERS = frozenset(("location", "content-location"))

# PERF: names of headers seen to be sent as they are (not Content-Length,
# not rewritten, no line break), so that a name met again costs one set
# lookup instead of lowering it and hashing the copy: 1.8% of the bench's
# guarded form request's instructions, whose response has six headers
# (325.4k -> 319.5k), 1.2% of hello world's. At most 256, the names a few
# apps' responses use.
_PLAIN_HEADER_NAMES: set[str] = set()

#: The attributes werkzeug's constructor sets on a response with a body.
_RESPONSE_STATE = frozenset(
    (
        "headers",
        "_status",
        "_status_code",
        "direct_passthrough",
        "_on_close",
        "response",
    )
)

# What werkzeug's force_type makes of an HTTP error that renders as
# werkzeug's do, by code and description: headers, status line, status code
# and page (None: build it the generic way).
_ERROR_PAGES: dict[
    tuple[int, str | None], tuple[list[tuple[str, str]], str, int, bytes] | None
] = {}

# The direct builds make headers without their constructor and set the
# list werkzeug's Headers keeps, its only state; with other state (another
# werkzeug version) they are never taken.
_HEADERS_KEEP_A_LIST = vars(Headers()) == {"_list": []}


class _ResponseHeaders(Headers):
    """werkzeug's ``Headers``, with ``headers[name] = text`` done in one
    step when ``name`` is new: the headers of responses built directly.

    PERF: werkzeug's ``__setitem__`` goes through ``set`` and a regex
    search for line breaks before it appends; an ``after_request`` hook
    that sets three headers spends 9% of a request there. For a ``str``
    name and value without line breaks, not yet present, appending is what
    werkzeug does; anything else is werkzeug's own ``__setitem__``.
    Equal to werkzeug's on random operations
    (tests/test_fastpath_audit.py); callgrind: the bench's blueprint
    request, whose hooks set three headers, costs 5% fewer instructions.
    The lowered names are looked up rather than made again on each set
    (no ``str.lower`` call and new string per existing header): 1.6% more
    (146.7k -> 144.4k).
    """

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        if (
            type(key) is str
            and type(value) is str
            and "\n" not in value
            and "\r" not in value
        ):
            lowered = _LOWERED_NAMES

            try:
                name = lowered[key]

                for existing, _ in self._list:
                    if lowered[existing] == name:
                        break
                else:
                    self._list.append((key, value))
                    return
            except (KeyError, TypeError):
                # A name not met before: remember the lowered names, then
                # werkzeug's own way.
                if len(lowered) >= 256:
                    lowered.clear()

                lowered[key] = key.lower()

                for existing, _ in self._list:
                    if type(existing) is str:
                        lowered[existing] = existing.lower()

        super().__setitem__(key, value)


# Header names met by _ResponseHeaders.__setitem__, lowered: at most 256.
_LOWERED_NAMES: dict[str, str] = {}

#: The header classes whose state is werkzeug's ``_list`` of pairs, read
#: and extended directly by the fast paths (a subclass may keep its own).
_LIST_HEADERS = (Headers, _ResponseHeaders)


class _ErrorPage:
    """The body of an HTTP error's response: one chunk, read as a stream.

    The cast of an error run as a WSGI app wraps the page's iterable, so
    hooks see a streamed body (no length, not a sequence); this is such an
    iterator, which :meth:`Response.__call__` can also send directly.
    """

    __slots__ = ("chunk",)

    def __init__(self, chunk: bytes) -> None:
        self.chunk: bytes | None = chunk

    def __iter__(self) -> _ErrorPage:
        return self

    def __next__(self) -> bytes:
        chunk = self.chunk

        if chunk is None:
            raise StopIteration

        self.chunk = None
        return chunk


def _cast_error(
    e: HTTPException, environ: WSGIEnvironment
) -> tuple[list[tuple[str, str]], str, int, bytes] | None:
    """What werkzeug's cast of the error gives, or ``None`` if it has state
    the direct build would not set (another werkzeug version).
    """
    generic = ResponseBase.force_type(e, environ)  # type: ignore[arg-type]
    page = generic.get_data()

    # Its only close callback closes werkzeug's own rendering of the page,
    # which holds nothing to release.
    if set(vars(generic)) != _RESPONSE_STATE:
        return None

    return generic.headers.to_wsgi_list(), generic.status, generic.status_code, page


# Whether an HTTPException subclass renders its page and headers with
# werkzeug's own methods.
_WERKZEUG_RENDERING: dict[type[HTTPException], bool] = {}


# What werkzeug's HTTPException renders and sends its page with.
_RENDERING = (
    "__call__",
    "get_response",
    "get_body",
    "get_description",
    "get_headers",
    "name",
)


def _renders_like_werkzeug(kind: type[HTTPException]) -> bool:
    try:
        return _WERKZEUG_RENDERING[kind]
    except KeyError:
        if len(_WERKZEUG_RENDERING) >= 64:
            _WERKZEUG_RENDERING.clear()

        rv = _WERKZEUG_RENDERING[kind] = all(
            getattr(kind, name) is getattr(HTTPException, name) for name in _RENDERING
        )
        return rv


# Response._from_data's plans: (content type, status, status code) for a
# class and mimetype, or None where the normal constructor must be used.
_DIRECT_PLANS: dict[tuple[t.Any, ...], tuple[str, str, int] | None] = {}

# What werkzeug's constructor runs to build a response from a body, and
# what its __call__ runs to send one (the app iterator it returns calls
# ``close``). A subclass that overrides any of them gets werkzeug's own
# paths, never the direct ones. The direct builds make the object with
# ``__new__`` and set its attributes, which the cast of an error does not.
_BUILDING = (
    "__new__",
    "__init__",
    "__setattr__",
    "set_data",
    "_clean_status",
    "status",
    "status_code",
)
_SENDING = (
    "__call__",
    "get_wsgi_response",
    "get_wsgi_headers",
    "get_app_iter",
    "iter_encoded",
    "is_sequence",
    "close",
)
_CASTING = ("force_type", "__new__", "__setattr__")


def _unchanged(cls: type, base: type, names: tuple[str, ...]) -> bool:
    """Whether ``cls`` inherits each of ``names`` from ``base`` as it is."""
    return all(
        inspect.getattr_static(cls, name) is inspect.getattr_static(base, name)
        for name in names
    )


class Response(ResponseBase):
    """The response class of the framework: werkzeug's, with ``text/html``
    as the default mimetype and the cookie size limit from config.
    """

    default_mimetype: str | None = "text/html"

    json_module = json

    autocorrect_location_header = False

    # Whether this class may take the direct build and send paths; see
    # __init_subclass__.
    _builds_directly = True
    _sends_directly = True
    _casts_directly = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        # Decided once per class: a fast path is only taken for classes
        # that run exactly the code it stands in for.
        cls._builds_directly = _unchanged(cls, Response, _BUILDING)
        # Sending directly also relies on the state the constructor sets.
        cls._sends_directly = cls._builds_directly and _unchanged(
            cls, Response, _SENDING
        )
        cls._casts_directly = _unchanged(cls, Response, _CASTING)

    @property
    def max_cookie_size(self) -> int:  # type: ignore[override]
        """``MAX_COOKIE_SIZE`` of the current app, or werkzeug's default
        outside an app context.
        """
        ctx = _cv_app.get(None)

        if ctx is not None:
            return ctx.app.config["MAX_COOKIE_SIZE"]  # type: ignore[no-any-return]

        return super().max_cookie_size

    # NOTE: werkzeug refuses CR and LF in header values, but not in the
    # status or in header names, and its dev server writes both to the
    # socket as they are: "200 OK\r\nSet-Cookie: x" would split the
    # response. Flask 3.1 lets them through too. Refuse them here.

    def _clean_status(self, value: str | int | HTTPStatus) -> tuple[str, int]:
        rv = super()._clean_status(value)

        if "\n" in rv[0] or "\r" in rv[0]:
            raise ValueError("The status must not contain newline characters.")

        return rv

    @classmethod
    def _from_data(cls, data: str | bytes, mimetype: str | None = None) -> Response:
        """``cls(data, mimetype=mimetype)``, built directly when that is
        known to give the same object.
        """
        # PERF: werkzeug's constructor parses the status and validates the
        # two headers it writes itself; setting the same state directly
        # takes 0.5 us instead of 4 us, over 10% of a hello-world request.
        if not cls._builds_directly:
            return cls(data, mimetype=mimetype)

        key = (
            cls,
            mimetype,
            cls.default_mimetype,
            cls.default_status,
            cls.automatically_set_content_length,
        )

        try:
            plan = _DIRECT_PLANS[key]
        except KeyError:
            plan = cls._plan(key, mimetype)

        if plan is None:
            return cls(data, mimetype=mimetype)

        if type(data) is str:
            data = data.encode()
        elif type(data) is not bytes:
            return cls(data, mimetype=mimetype)

        rv = cls.__new__(cls)
        headers = _new_object(_ResponseHeaders)
        headers._list = [("Content-Type", plan[0]), ("Content-Length", str(len(data)))]
        rv.headers = headers
        rv._status = plan[1]
        rv._status_code = plan[2]
        rv.direct_passthrough = False
        rv._on_close = []
        rv.response = [data]
        return rv

    @classmethod
    def _from_http_error(
        cls, e: HTTPException, environ: WSGIEnvironment
    ) -> Response | None:
        """What ``cls.force_type(e, environ)`` makes of an HTTP error, built
        directly; ``None`` when that cannot be known to be the same (a
        subclass's own rendering or ``force_type``, an unusual code or
        description).
        """
        # PERF: run as a WSGI app, the error renders its page (escaping the
        # name and description each time), is read back through werkzeug's
        # test runner, and becomes a second response cast to this class.
        # With werkzeug's own rendering, what that gives depends only on
        # the code and description: keep it, and set the same state on a
        # new object.
        description = e.description

        if (
            not (cls._casts_directly and _HEADERS_KEEP_A_LIST)
            or type(e.code) is not int
            or not (description is None or type(description) is str)
            or not _renders_like_werkzeug(type(e))
        ):
            return None

        key = (e.code, description)

        if key in _ERROR_PAGES:
            cast = _ERROR_PAGES[key]
        else:
            if len(_ERROR_PAGES) >= 64:  # descriptions can be made per request
                _ERROR_PAGES.clear()

            cast = _ERROR_PAGES[key] = _cast_error(e, environ)

        if cast is None:
            return None

        header_list, status, status_code, page = cast
        # As force_type: the class is set, its constructor does not run.
        rv = cls.__new__(cls)
        headers = _new_object(_ResponseHeaders)
        headers._list = list(header_list)
        rv.headers = headers
        rv._status = status
        rv._status_code = status_code
        rv.direct_passthrough = False
        rv._on_close = []
        rv.response = _ErrorPage(page)
        return rv

    @classmethod
    def _plan(
        cls, key: tuple[t.Any, ...], mimetype: str | None
    ) -> tuple[str, str, int] | None:
        """Work out and keep the :meth:`_direct_plan` of this class and
        mimetype, under ``key``: they and the class defaults it depends on.
        """
        # Bounded: classes or mimetypes made on the fly must not pile up.
        if len(_DIRECT_PLANS) >= 64:
            _DIRECT_PLANS.clear()

        plan = _DIRECT_PLANS[key] = cls._direct_plan(mimetype)
        return plan

    @classmethod
    def _direct_plan(cls, mimetype: str | None) -> tuple[str, str, int] | None:
        """What :meth:`_from_data` sets, read off a response built normally;
        ``None`` if that response has state the direct build would miss
        (a subclass constructor that does more, another werkzeug version).
        """
        if not _HEADERS_KEEP_A_LIST:
            return None

        proto = cls(b"", mimetype=mimetype)
        items = proto.headers.to_wsgi_list()

        if (
            set(vars(proto)) != _RESPONSE_STATE
            or [k for k, _ in items] != ["Content-Type", "Content-Length"]
            or proto.response != [b""]
            or proto._on_close
            or proto.direct_passthrough
        ):
            return None

        return items[0][1], proto._status, proto._status_code

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """Send the response as a WSGI application."""
        if not self._sends_directly:
            if hasattr(getattr(self, "response", None), "__aiter__"):
                return self._start_async(environ, start_response)

            return super().__call__(environ, start_response)

        body = self.response

        if type(body) is list:
            chunk = body[0] if len(body) == 1 else None
        elif type(body) is _ErrorPage:
            chunk = body.chunk
        elif hasattr(body, "__aiter__"):
            return self._start_async(environ, start_response)
        else:
            chunk = None

        # PERF: werkzeug copies the headers, scans them, and wraps the body
        # in two iterators for every response. A body of one bytes chunk
        # (what str, bytes and JSON returns and error pages make) needs none
        # of that unless a header must be rewritten or the status or method
        # means no body: then take werkzeug's path. About 10% of a
        # hello-world request.
        if (
            type(chunk) is bytes
            and not self._on_close
            and environ["REQUEST_METHOD"] != "HEAD"
        ):
            # The class keeps werkzeug's status and header storage
            # (_sends_directly): read them without the property calls.
            status = self._status_code

            if status >= 200 and status != 204 and status != 304:
                own = self.headers
                headers = (
                    list(own._list)
                    if type(own) in _LIST_HEADERS
                    else own.to_wsgi_list()
                )
                has_length = False

                for key, _ in headers:
                    if key in _PLAIN_HEADER_NAMES:
                        continue

                    lkey = key.lower()

                    if lkey == "content-length":
                        has_length = True
                    elif lkey in _REWRITTEN_HEADERS or "\n" in key or "\r" in key:
                        break
                    elif len(_PLAIN_HEADER_NAMES) < 256:
                        _PLAIN_HEADER_NAMES.add(key)
                else:
                    if not has_length and self.automatically_set_content_length:
                        headers.append(("Content-Length", str(len(chunk))))

                    start_response(self._status, headers)
                    return body  # type: ignore[return-value]

        return super().__call__(environ, start_response)

    def _start_async(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """Start a response whose body is an async iterable, which only an
        ASGI server (flask.asgi) can iterate: it is handed over as it is.
        """
        wsgi_headers = self.get_wsgi_headers(environ)
        start_response(self.status, wsgi_headers.to_wsgi_list())
        return self.response  # type: ignore[return-value]

    def get_wsgi_headers(self, environ: WSGIEnvironment) -> Headers:
        """The headers to send, as werkzeug makes them.

        :raises ValueError: if a header name contains a newline, which
            would let it add headers or end the header block.
        """
        headers = super().get_wsgi_headers(environ)

        for key, _ in headers:
            if "\n" in key or "\r" in key:
                raise ValueError(
                    f"Header names must not contain newline characters: {key!r}."
                )

        return headers
