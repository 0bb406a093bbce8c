"""The JSON provider interface and the default, stdlib-backed provider."""

from __future__ import annotations

import dataclasses
import decimal
import functools
import json
import json.encoder
import typing as t
import uuid
import weakref
from datetime import date

from werkzeug.http import http_date

if t.TYPE_CHECKING:  # pragma: no cover
    from werkzeug.sansio.response import Response

    from ..sansio.app import App


class JSONProvider:
    """The JSON operations of one application, reached as ``app.json``.

    Subclass it and set :attr:`~flask.Flask.json_provider_class` to use
    another JSON library. A subclass implements :meth:`dumps` and
    :meth:`loads`; the other methods are built on those two.

    :param app: The application this provider belongs to. Only a weak
        reference is kept.
    """

    def __init__(self, app: App) -> None:
        self._app: App = weakref.proxy(app)

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialise ``obj`` to a JSON string.

        :param obj: The data to serialise.
        :param kwargs: Passed on to the underlying library.
        """
        raise NotImplementedError

    def dump(self, obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
        """Serialise ``obj`` and write it to the text file ``fp``."""
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Parse a JSON string or bytes into Python data.

        :param s: The text to parse.
        :param kwargs: Passed on to the underlying library.
        """
        raise NotImplementedError

    def load(self, fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
        """Read the file ``fp`` and parse its JSON content."""
        return self.loads(fp.read(), **kwargs)

    def _prepare_response_obj(
        self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
    ) -> t.Any:
        """The data :meth:`response` serialises for its arguments."""
        if kwargs:
            if args:
                raise TypeError(
                    "app.json.response() takes either args or kwargs, not both"
                )

            return kwargs

        # One argument is the data itself; several are sent as an array.
        return args[0] if len(args) == 1 else (args or None)

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """Build a response whose body is ``args`` or ``kwargs`` as JSON.

        One positional argument is serialised as it is; several become a
        list; keyword arguments become an object. Passing both is an error.
        """
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj), mimetype="application/json")


def _default(o: t.Any) -> t.Any:
    """Convert the types the stdlib encoder does not know."""
    if isinstance(o, date):
        return http_date(o)

    if isinstance(o, (decimal.Decimal, uuid.UUID)):
        return str(o)

    # A dataclass type (not an instance) fails in asdict, as in Flask.
    if dataclasses.is_dataclass(o):
        return dataclasses.asdict(o)  # type: ignore[arg-type]

    if hasattr(o, "__html__"):
        return str(o.__html__())

    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _make_encoder(
    *, cls: type[json.JSONEncoder] | None = None, **kwargs: t.Any
) -> json.JSONEncoder:
    """The encoder :func:`json.dumps` would make for these options."""
    return (cls or json.JSONEncoder)(**kwargs)


_Chunks = t.Callable[[t.Any, int], t.Sequence[str]]


def _c_encoder(encoder: json.JSONEncoder) -> _Chunks | None:
    """The C encoder that ``encoder.encode`` makes anew on every call, made
    once, without circular-reference markers (so that threads can share
    it); ``None`` where ``encode`` would not use it (indented output, no
    C accelerator).
    """
    make: t.Any = getattr(json.encoder, "c_make_encoder", None)

    if make is None or encoder.indent is not None:
        return None

    strings = (
        json.encoder.encode_basestring_ascii
        if encoder.ensure_ascii
        else json.encoder.encode_basestring
    )
    return make(
        None,
        encoder.default,
        strings,
        encoder.indent,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )


def _encode(pair: tuple[json.JSONEncoder, _Chunks | None], obj: t.Any) -> str:
    """``obj`` encoded by a remembered encoder and its C encoder."""
    encoder, chunks = pair

    if chunks is None:
        return encoder.encode(obj)

    try:
        return "".join(chunks(obj, 0))
    except RecursionError:
        # Without markers, a circular structure ends here: the encoder
        # raises what json.dumps raises for it ("Circular reference
        # detected"), and a structure that is only deep fails again.
        return encoder.encode(obj)


# The key of the encoder of compact responses in ``_encoders`` (no key of
# dumps starts with it).
_COMPACT = object()


class DefaultJSONProvider(JSONProvider):
    """A provider on the stdlib :mod:`json` module.

    Besides the types :mod:`json` knows, it serialises dates and datetimes
    (as HTTP dates), :class:`~decimal.Decimal` and :class:`~uuid.UUID` (as
    strings), dataclasses (as dicts) and objects with ``__html__``.
    """

    #: Called for objects the encoder does not know. Override it on a
    #: subclass or an instance to support more types.
    default: t.Callable[[t.Any], t.Any] = staticmethod(_default)

    #: Escape non-ASCII characters in the output.
    ensure_ascii = True

    #: Sort object keys, which keeps output stable for caching.
    sort_keys = True

    #: Whether :meth:`response` output is compact. ``None`` means indented
    #: in debug mode and compact otherwise.
    compact: bool | None = None

    #: The mimetype of :meth:`response` responses.
    mimetype = "application/json"

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialise ``obj`` with :func:`json.dumps`, applying the
        :attr:`default`, :attr:`ensure_ascii` and :attr:`sort_keys` settings
        unless ``kwargs`` overrides them.
        """
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)

        # PERF: json.dumps builds a new encoder for every call with options,
        # and the encoder a new C encoder for every call; reuse both per
        # set of options (the stdlib encoder keeps no state between calls;
        # an encoder class given by the caller might, so it gets a new one
        # each time). About 5% of a JSON response for the encoder, 6% more
        # (callgrind, json_params) for the C encoder.
        if "cls" in kwargs:
            return json.dumps(obj, **kwargs)

        # The options as given (a caller passes them in the same order each
        # time), and the type of ``indent``: the one option an equal value
        # of another type changes (an indent of 2.0 fails where 2 works),
        # so the two must not share an encoder.
        try:
            pair = self._encoder_for(
                (*kwargs.items(), type(kwargs.get("indent"))), kwargs
            )
        except TypeError:  # an unhashable option: no reuse
            return json.dumps(obj, **kwargs)

        return _encode(pair, obj)

    def _encoder_for(
        self, key: tuple[t.Any, ...], options: dict[str, t.Any]
    ) -> tuple[json.JSONEncoder, _Chunks | None]:
        """The encoder (and C encoder) remembered under ``key``, made from
        ``options`` the first time.

        :raises TypeError: ``key`` is unhashable.
        """
        try:
            return self._encoders[key]
        except KeyError:
            if len(self._encoders) >= 32:
                self._encoders.clear()

            encoder = _make_encoder(**options)
            pair = self._encoders[key] = (encoder, _c_encoder(encoder))
            return pair

    # Read on every dumps: functools' cached_property is a plain attribute
    # once made, where werkzeug's runs its __get__ on every read.
    @functools.cached_property
    def _encoders(
        self,
    ) -> dict[tuple[t.Any, ...], tuple[json.JSONEncoder, _Chunks | None]]:
        return {}

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Parse ``s`` with :func:`json.loads`."""
        return json.loads(s, **kwargs)

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """Build a JSON response, indented in debug mode unless
        :attr:`compact` says otherwise, ending with a newline.
        """
        obj = self._prepare_response_obj(args, kwargs)
        app = self._app
        compact = self.compact
        indented = (compact is None and app.debug) or compact is False
        # A dumps of a subclass, or set on this provider, is called.
        own_dumps = type(self).dumps is not DefaultJSONProvider.dumps or (
            "dumps" in vars(self)
        )

        if indented or own_dumps:
            options = {"indent": 2} if indented else {"separators": (",", ":")}
            text = self.dumps(obj, **options)
        else:
            # PERF: what dumps(obj, separators=(",", ":")) gives, keyed by the
            # three settings it reads rather than by its keyword arguments
            # (building and hashing those is half of dumps: 5% of the
            # json_params request, callgrind).
            default = self.default
            ensure_ascii = self.ensure_ascii
            sort_keys = self.sort_keys
            key = (_COMPACT, default, ensure_ascii, sort_keys)

            try:
                pair = self._encoders.get(key) or self._encoder_for(
                    key,
                    {
                        "separators": (",", ":"),
                        "default": default,
                        "ensure_ascii": ensure_ascii,
                        "sort_keys": sort_keys,
                    },
                )
            except TypeError:  # an unhashable setting: no reuse
                text = self.dumps(obj, separators=(",", ":"))
            else:
                text = _encode(pair, obj)

        body = f"{text}\n"
        cls = app.response_class
        # The framework's response class can build this faster.
        from_data = getattr(cls, "_from_data", None)

        if from_data is not None:
            return from_data(body, self.mimetype)  # type: ignore[no-any-return]

        return cls(body, mimetype=self.mimetype)
