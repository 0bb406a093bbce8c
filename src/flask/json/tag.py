"""A compact JSON format that round-trips some non-JSON types.

The default session cookie uses it, so that a session can hold tuples,
bytes, :class:`~markupsafe.Markup`, :class:`~uuid.UUID` and
:class:`~datetime.datetime` values and get the same types back.

A tagged value is an object with a single key, the tag, whose value is the
JSON form of the data: ``(1, 2)`` is written as ``{" t":[1,2]}``. Tags start
with a space so that they are unlikely to collide with user keys; a user
dict whose only key happens to be a tag is itself wrapped in the ``" di"``
tag. Dicts and lists are walked so that values nested anywhere are tagged.

Add a type by subclassing :class:`JSONTag` and registering it::

    from flask.json.tag import JSONTag

    class TagOrderedDict(JSONTag):
        __slots__ = ("serializer",)
        key = " od"

        def check(self, value):
            return isinstance(value, OrderedDict)

        def to_json(self, value):
            return [[k, self.serializer.tag(v)] for k, v in value.items()]

        def to_python(self, value):
            return OrderedDict(value)

    app.session_interface.serializer.register(TagOrderedDict, index=0)

The output is byte-for-byte what Flask 3.1 writes, so signed cookies are
interchangeable with it.
"""

from __future__ import annotations

import typing as t
from base64 import b64decode
from base64 import b64encode
from datetime import datetime
from uuid import UUID

from markupsafe import Markup
from werkzeug.http import http_date
from werkzeug.http import parse_date

from ..json import dumps
from ..json import loads


class JSONTag:
    """Base class for one tagged type of a :class:`TaggedJSONSerializer`.

    A subclass sets :attr:`key` and implements :meth:`check`,
    :meth:`to_json` and :meth:`to_python`.

    :param serializer: The serializer the tag is registered with; use it
        to tag or untag nested values.
    """

    __slots__ = ("serializer",)

    #: The tag written as the single key of the JSON object. An empty key
    #: means the tag only transforms the value on the way out (see
    #: :class:`PassDict` and :class:`PassList`) and is never looked up when
    #: loading.
    key: str = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        self.serializer = serializer

    def check(self, value: t.Any) -> bool:
        """Return whether this tag handles ``value``."""
        raise NotImplementedError

    def to_json(self, value: t.Any) -> t.Any:
        """Convert ``value`` to JSON-compatible data, without the tag."""
        raise NotImplementedError

    def to_python(self, value: t.Any) -> t.Any:
        """Rebuild the Python value from the data :meth:`to_json` produced."""
        raise NotImplementedError

    def tag(self, value: t.Any) -> dict[str, t.Any]:
        """Return ``value`` converted and wrapped in ``{key: data}``."""
        return {self.key: self.to_json(value)}


class TagDict(JSONTag):
    """A dict whose only key is a registered tag.

    Without this, loading it would mistake the user's dict for a tagged
    value. The key gets a ``"__"`` suffix that :meth:`to_python` removes.
    """

    __slots__ = ()
    key = " di"

    def check(self, value: t.Any) -> bool:
        return (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in self.serializer.tags
        )

    def to_json(self, value: t.Any) -> t.Any:
        key = next(iter(value))
        return {f"{key}__": self.serializer.tag(value[key])}

    def to_python(self, value: t.Any) -> t.Any:
        key = next(iter(value))
        return {key[:-2]: value[key]}


class PassDict(JSONTag):
    """Any other dict: left untagged, its values are tagged."""

    __slots__ = ()

    def check(self, value: t.Any) -> bool:
        return isinstance(value, dict)

    def to_json(self, value: t.Any) -> t.Any:
        # JSON keys are strings, so only the values need tagging.
        return {k: self.serializer.tag(v) for k, v in value.items()}

    tag = to_json


class TagTuple(JSONTag):
    """A tuple, written as a list under the ``" t"`` tag."""

    __slots__ = ()
    key = " t"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, tuple)

    def to_json(self, value: t.Any) -> t.Any:
        return [self.serializer.tag(item) for item in value]

    def to_python(self, value: t.Any) -> t.Any:
        return tuple(value)


class PassList(JSONTag):
    """A list: left untagged, its items are tagged."""

    __slots__ = ()

    def check(self, value: t.Any) -> bool:
        return isinstance(value, list)

    def to_json(self, value: t.Any) -> t.Any:
        return [self.serializer.tag(item) for item in value]

    tag = to_json


class TagBytes(JSONTag):
    """Bytes, written as standard base64 text."""

    __slots__ = ()
    key = " b"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, bytes)

    def to_json(self, value: t.Any) -> t.Any:
        return b64encode(value).decode("ascii")

    def to_python(self, value: t.Any) -> t.Any:
        return b64decode(value)


class TagMarkup(JSONTag):
    """Anything with an ``__html__`` method, such as
    :class:`~markupsafe.Markup`; it is loaded back as ``Markup``.
    """

    __slots__ = ()
    key = " m"

    def check(self, value: t.Any) -> bool:
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: t.Any) -> t.Any:
        return str(value.__html__())

    def to_python(self, value: t.Any) -> t.Any:
        return Markup(value)


class TagUUID(JSONTag):
    """A :class:`~uuid.UUID`, written as its 32 hex digits."""

    __slots__ = ()
    key = " u"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, UUID)

    def to_json(self, value: t.Any) -> t.Any:
        return value.hex

    def to_python(self, value: t.Any) -> t.Any:
        return UUID(value)


class TagDateTime(JSONTag):
    """A :class:`~datetime.datetime`, written as an HTTP date.

    The format has whole-second precision and is in UTC: a naive value is
    taken as UTC, an aware one is converted, and loading gives an aware
    UTC value.
    """

    __slots__ = ()
    key = " d"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, datetime)

    def to_json(self, value: t.Any) -> t.Any:
        return http_date(value)

    def to_python(self, value: t.Any) -> t.Any:
        return parse_date(value)


class TaggedJSONSerializer:
    """Serialize and load data in the tagged JSON format.

    Each instance has its own registry of tags, built from
    :attr:`default_tags`; :meth:`register` adds more.
    """

    __slots__ = ("tags", "order")

    #: The tag classes every instance starts with, in the order their
    #: :meth:`~JSONTag.check` is tried. :class:`TagDict` comes first so that
    #: a dict that looks tagged is escaped before :class:`PassDict` sees it.
    default_tags = [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]

    def __init__(self) -> None:
        #: Tag instances by key, used when loading.
        self.tags: dict[str, JSONTag] = {}
        #: Tag instances in the order they are tried when serializing.
        self.order: list[JSONTag] = []

        for cls in self.default_tags:
            self.register(cls)

    def register(
        self,
        tag_class: type[JSONTag],
        force: bool = False,
        index: int | None = None,
    ) -> None:
        """Create an instance of ``tag_class`` and add it to this serializer.

        :param tag_class: The :class:`JSONTag` subclass.
        :param force: Replace a tag already registered with the same key.
        :param index: Where to insert the tag in :attr:`order`; by default
            it is tried last. Put it before the defaults (``index=0``) to
            handle a subclass of a type they already handle.
        :raises KeyError: If the key is already registered and ``force`` is
            false.
        """
        tag = tag_class(self)
        key = tag.key

        if key:
            old = self.tags.get(key)

            if old is not None:
                if not force:
                    raise KeyError(f"Tag '{key}' is already registered.")

                # COMPAT(3.1): Flask leaves the replaced tag in ``order``,
                # where its check still runs first and writes data the new
                # tag then has to load. Drop it so the new tag owns the key.
                if old in self.order:
                    self.order.remove(old)

            self.tags[key] = tag

        if index is None:
            self.order.append(tag)
        else:
            self.order.insert(index, tag)

    def tag(self, value: t.Any) -> t.Any:
        """Return ``value`` converted by the first tag whose check matches,
        or unchanged if none does.
        """
        for tag in self.order:
            if tag.check(value):
                return tag.tag(value)

        return value

    def untag(self, value: dict[str, t.Any]) -> t.Any:
        """Return the Python value for a single-key dict whose key is a
        registered tag, or ``value`` unchanged otherwise.
        """
        if len(value) != 1:
            return value

        key = next(iter(value))

        if key not in self.tags:
            return value

        return self.tags[key].to_python(value[key])

    def _untag_scan(self, value: t.Any) -> t.Any:
        """Untag a loaded structure from the leaves up."""
        if isinstance(value, dict):
            value = {k: self._untag_scan(v) for k, v in value.items()}
            value = self.untag(value)
        elif isinstance(value, list):
            value = [self._untag_scan(item) for item in value]

        return value

    def dumps(self, value: t.Any) -> str:
        """Tag ``value`` and serialize it to compact JSON."""
        return dumps(self.tag(value), separators=(",", ":"))

    def loads(self, value: str | bytes) -> t.Any:
        """Parse JSON text written by :meth:`dumps` and untag it."""
        return self._untag_scan(loads(value))
