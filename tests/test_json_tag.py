from __future__ import annotations

import typing as t
from collections import OrderedDict
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from uuid import UUID

import pytest
from markupsafe import Markup

from flask.json.tag import JSONTag
from flask.json.tag import PassDict
from flask.json.tag import PassList
from flask.json.tag import TagBytes
from flask.json.tag import TagDateTime
from flask.json.tag import TagDict
from flask.json.tag import TaggedJSONSerializer
from flask.json.tag import TagMarkup
from flask.json.tag import TagTuple
from flask.json.tag import TagUUID

UTC_DT = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "data",
    [
        {" t": (1, 2, 3)},
        {" t__": b"a"},
        {" di": " di"},
        {"x": (1, 2, 3), "y": 4},
        (1, 2, 3),
        [(1, 2, 3)],
        b"\xff",
        Markup("<html>"),
        UUID(int=12345),
        UTC_DT,
        {"nested": {"deeper": [(b"x", Markup("<b>"))]}},
        ((1, (2, (3,))),),
        {" u": {" b": {" m": 1}}},
        "plain",
        1,
        1.5,
        None,
        True,
        [],
        {},
        (),
    ],
)
def test_dump_load_unchanged(data: t.Any) -> None:
    s = TaggedJSONSerializer()
    rv = s.loads(s.dumps(data))
    assert rv == data
    assert type(rv) is type(data)


def test_round_trip_keeps_nested_types() -> None:
    s = TaggedJSONSerializer()
    data = {"a": [(1, b"x")], "b": {"c": (UUID(int=1), Markup("<i>"))}}
    rv = s.loads(s.dumps(data))
    assert type(rv["a"][0]) is tuple
    assert type(rv["a"][0][1]) is bytes
    assert type(rv["b"]["c"][0]) is UUID
    assert type(rv["b"]["c"][1]) is Markup


# Exact output, observed from Flask 3.1: the cookie format depends on it.
@pytest.mark.parametrize(
    ("value", "expect"),
    [
        ({"b": 1, "a": 2}, '{"b":1,"a":2}'),
        ({" t": 1}, '{" di":{" t__":1}}'),
        ({" t": (1, 2)}, '{" di":{" t__":{" t":[1,2]}}}'),
        ((1, 2), '{" t":[1,2]}'),
        ([1, (2,)], '[1,{" t":[2]}]'),
        (b"\x00\xff", '{" b":"AP8="}'),
        (Markup("<b>"), '{" m":"<b>"}'),
        (UUID(int=5), '{" u":"00000000000000000000000000000005"}'),
        (UTC_DT, '{" d":"Thu, 02 Jan 2020 03:04:05 GMT"}'),
        ("\u00e9", '"\\u00e9"'),
        ({"k": {" di": 1}}, '{"k":{" di":{" di__":1}}}'),
    ],
)
def test_exact_output(value: t.Any, expect: str) -> None:
    assert TaggedJSONSerializer().dumps(value) == expect


def test_datetime_is_utc_with_second_precision() -> None:
    s = TaggedJSONSerializer()
    naive = datetime(2020, 1, 2, 3, 4, 5, 999)
    assert s.loads(s.dumps(naive)) == UTC_DT

    plus_two = datetime(2020, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    rv = s.loads(s.dumps(plus_two))
    assert rv == UTC_DT
    assert rv.tzinfo == timezone.utc


def test_object_with_html_is_markup() -> None:
    class HTML:
        def __html__(self) -> str:
            return "<i>x</i>"

    s = TaggedJSONSerializer()
    assert s.dumps(HTML()) == '{" m":"<i>x</i>"}'
    assert s.loads(s.dumps(HTML())) == Markup("<i>x</i>")


def test_loads_bytes_and_str() -> None:
    s = TaggedJSONSerializer()
    assert s.loads(b'{" t":[1]}') == (1,)
    assert s.loads('{" t":[1]}') == (1,)


def test_loads_untags_from_leaves_up() -> None:
    s = TaggedJSONSerializer()
    assert s.loads('{" t":[{" b":"AP8="}]}') == (b"\x00\xff",)
    assert s.loads('[{" t":[1]},{" m":"<x>"}]') == [(1,), Markup("<x>")]
    # More than one key, or an unknown tag: an ordinary dict.
    assert s.loads('{" t":[1],"x":2}') == {" t": [1], "x": 2}
    assert s.loads('{" zz":1}') == {" zz": 1}


def test_tag_and_untag() -> None:
    s = TaggedJSONSerializer()
    assert s.tag({"a": (1,)}) == {"a": {" t": [1]}}
    assert s.tag([(1,)]) == [{" t": [1]}]
    assert s.tag((1, [b"x"])) == {" t": [1, [{" b": "eA=="}]]}
    assert s.tag({" t": 1}) == {" di": {" t__": 1}}
    assert s.tag("x") == "x"
    assert s.untag({" t": [1]}) == (1,)
    assert s.untag({"x": 1}) == {"x": 1}
    assert s.untag({" t": [1], "y": 2}) == {" t": [1], "y": 2}


def test_default_tags() -> None:
    assert TaggedJSONSerializer.default_tags == [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]
    s = TaggedJSONSerializer()
    assert [type(tag) for tag in s.order] == TaggedJSONSerializer.default_tags
    assert list(s.tags) == [" di", " t", " b", " m", " u", " d"]
    assert all(tag.serializer is s for tag in s.order)


def test_instances_do_not_share_registries() -> None:
    class TagSet(JSONTag):
        __slots__ = ()
        key = " s"

    a = TaggedJSONSerializer()
    b = TaggedJSONSerializer()
    a.register(TagSet)
    assert " s" in a.tags
    assert " s" not in b.tags


def test_duplicate_tag() -> None:
    class TagDict(JSONTag):
        __slots__ = ()
        key = " d"

    s = TaggedJSONSerializer()

    with pytest.raises(KeyError, match="Tag ' d' is already registered."):
        s.register(TagDict)

    s.register(TagDict, force=True, index=0)
    assert isinstance(s.tags[" d"], TagDict)
    assert isinstance(s.order[0], TagDict)


def test_force_replaces_in_order() -> None:
    class NoTuples(JSONTag):
        __slots__ = ()
        key = " t"

        def check(self, value: t.Any) -> bool:
            return False

        def to_python(self, value: t.Any) -> t.Any:
            return "replaced"

    s = TaggedJSONSerializer()
    s.register(NoTuples, force=True)
    assert len(s.order) == len(TaggedJSONSerializer.default_tags)
    assert isinstance(s.order[-1], NoTuples)
    assert not any(isinstance(tag, TagTuple) for tag in s.order)
    # The replaced tag no longer writes data under its old key.
    assert s.dumps((1, 2)) == "[1,2]"
    assert s.loads('{" t":[1]}') == "replaced"


def test_custom_tag() -> None:
    class Foo:
        def __init__(self, data: t.Any) -> None:
            self.data = data

    class TagFoo(JSONTag):
        __slots__ = ()
        key = " f"

        def check(self, value: t.Any) -> bool:
            return isinstance(value, Foo)

        def to_json(self, value: t.Any) -> t.Any:
            return self.serializer.tag(value.data)

        def to_python(self, value: t.Any) -> t.Any:
            return Foo(value)

    s = TaggedJSONSerializer()
    s.register(TagFoo)
    assert isinstance(s.order[-1], TagFoo)
    assert s.dumps(Foo((1,))) == '{" f":{" t":[1]}}'
    assert s.loads(s.dumps(Foo("bar"))).data == "bar"
    # A single-key dict whose key is the new tag is escaped.
    assert s.loads(s.dumps({" f": 1})) == {" f": 1}


def test_register_index_takes_priority() -> None:
    class TagOrderedDict(JSONTag):
        __slots__ = ()
        key = " od"

        def check(self, value: t.Any) -> bool:
            return isinstance(value, OrderedDict)

        def to_json(self, value: t.Any) -> t.Any:
            return [[k, self.serializer.tag(v)] for k, v in value.items()]

        def to_python(self, value: t.Any) -> t.Any:
            return OrderedDict(value)

    s = TaggedJSONSerializer()
    s.register(TagOrderedDict)
    # PassDict claims it first.
    assert type(s.loads(s.dumps(OrderedDict(a=1)))) is dict

    s = TaggedJSONSerializer()
    s.register(TagOrderedDict, index=0)
    rv = s.loads(s.dumps(OrderedDict([("b", (1,)), ("a", 2)])))
    assert type(rv) is OrderedDict
    assert list(rv.items()) == [("b", (1,)), ("a", 2)]


def test_keyless_tag_only_transforms() -> None:
    class PassSet(JSONTag):
        __slots__ = ()

        def check(self, value: t.Any) -> bool:
            return isinstance(value, (set, frozenset))

        def to_json(self, value: t.Any) -> t.Any:
            return sorted(value)

        tag = to_json

    s = TaggedJSONSerializer()
    s.register(PassSet)
    s.register(PassSet)  # no key: no conflict
    assert s.dumps({3, 1, 2}) == "[1,2,3]"
    assert "" not in s.tags


def test_tag_interface() -> None:
    s = TaggedJSONSerializer()
    base = JSONTag(s)
    assert base.serializer is s
    assert JSONTag.key == ""

    for method in (base.check, base.to_json, base.to_python, base.tag):
        with pytest.raises(NotImplementedError):
            method(None)

    assert TagTuple(s).tag((1,)) == {" t": [1]}
    assert PassDict(s).tag({"a": (1,)}) == {"a": {" t": [1]}}
    assert PassList(s).tag([(1,)]) == [{" t": [1]}]
    assert TagDict(s).check({" t": 1})
    assert not TagDict(s).check({" zz": 1})
    assert not TagDict(s).check({" t": 1, "x": 2})


def test_unserializable_raises() -> None:
    with pytest.raises(TypeError):
        TaggedJSONSerializer().dumps({"x": object()})


def test_loads_invalid_json() -> None:
    with pytest.raises(ValueError):
        TaggedJSONSerializer().loads("{bad")


def test_app_json_provider_used_in_app_context() -> None:
    from flask import Flask

    app = Flask(__name__)
    s = TaggedJSONSerializer()
    data = {"b": 1, "a": "\u00e9"}

    with app.app_context():
        assert s.dumps(data) == '{"a":"\\u00e9","b":1}'
        app.json.ensure_ascii = False  # type: ignore[attr-defined]
        app.json.sort_keys = False  # type: ignore[attr-defined]
        assert s.dumps(data) == '{"b":1,"a":"\u00e9"}'

    assert s.dumps(data) == '{"b":1,"a":"\\u00e9"}'


def test_force_when_old_tag_left_order() -> None:
    s = TaggedJSONSerializer()
    s.order.remove(s.tags[" t"])
    s.register(TagTuple, force=True)
    assert sum(isinstance(tag, TagTuple) for tag in s.order) == 1
    assert s.loads(s.dumps((1,))) == (1,)


class _TagReprScalar(JSONTag):
    """Claims str and int (not bool): a custom tag for types the default
    tags leave alone."""

    __slots__ = ()
    key = " z"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, (str, int)) and not isinstance(value, bool)

    def to_json(self, value: t.Any) -> t.Any:
        return repr(value)

    def to_python(self, value: t.Any) -> t.Any:
        return ("Z", value)


# Exact output observed from Flask 3.1.3 for the same registrations.
@pytest.mark.parametrize(
    ("index", "value", "expect"),
    [
        (
            None,
            {"a": "x", "b": 1, "c": True, "d": (2,)},
            '{"a":{" z":"\'x\'"},"b":{" z":"1"},"c":true,"d":{" t":[{" z":"2"}]}}',
        ),
        (
            0,
            {"a": "x", "b": 1, "c": True, "d": (2,)},
            '{"a":{" z":"\'x\'"},"b":{" z":"1"},"c":true,"d":{" t":[{" z":"2"}]}}',
        ),
        (2, {" z": 1}, '{" di":{" z__":{" z":"1"}}}'),
    ],
)
def test_custom_tag_for_plain_scalars(
    index: int | None, value: t.Any, expect: str
) -> None:
    s = TaggedJSONSerializer()
    s.register(_TagReprScalar, index=index)
    assert s.dumps(value) == expect
    assert s.loads(s.dumps(["q"])) == [("Z", "'q'")]


def test_order_changed_directly_is_honoured() -> None:
    s = TaggedJSONSerializer()
    assert s.dumps("x") == '"x"'
    # ``order`` is a public list; a tag put in it by hand takes part.
    s.order.insert(0, _TagReprScalar(s))
    assert s.dumps("x") == '{" z":"\'x\'"}'
    s.order.pop(0)
    assert s.dumps("x") == '"x"'
    s.order[:] = [tag for tag in s.order if not isinstance(tag, TagTuple)]
    assert s.dumps((1,)) == "[1]"


def test_subclasses_of_plain_types_keep_their_tags() -> None:
    class Named(t.NamedTuple):
        a: int

    class SubDict(dict):  # type: ignore[type-arg]
        pass

    class HTMLStr(str):
        def __html__(self) -> str:
            return "<h>"

    s = TaggedJSONSerializer()
    assert s.dumps(Named(1)) == '{" t":[1]}'
    assert s.dumps(SubDict({" t": 1})) == '{" di":{" t__":1}}'
    assert s.dumps(HTMLStr("v")) == '{" m":"<h>"}'


def test_subclassed_default_tag_is_asked_for_every_type() -> None:
    class TextAsBytes(TagBytes):
        __slots__ = ()

        def check(self, value: t.Any) -> bool:
            return isinstance(value, (bytes, str))

        def to_json(self, value: t.Any) -> t.Any:
            if isinstance(value, str):
                value = value.encode()

            return super().to_json(value)

    s = TaggedJSONSerializer()
    s.register(TextAsBytes, force=True, index=0)
    assert s.dumps({"a": "ab"}) == '{"a":{" b":"YWI="}}'
