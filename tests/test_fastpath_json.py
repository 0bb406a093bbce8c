"""Fast-path audit rows 5-6 (see ``test_fastpath_audit.py`` for the
table): the reused JSON encoder and the tag plans of the tagged JSON
serializer, pitted against ``json.dumps`` and against asking every tag.
"""

from __future__ import annotations

import json
import threading
import time
import typing as t
from datetime import datetime
from datetime import timezone
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from markupsafe import Markup

import flask
from flask.json.tag import JSONTag
from flask.json.tag import PassDict
from flask.json.tag import TaggedJSONSerializer
from flask.json.tag import TagTuple

# --- row 5: one JSON encoder per set of options ----------------------------


class _Stateful(json.JSONEncoder):
    """Numbers its outputs, counting on the instance: json.dumps makes a
    new encoder for each call, so every output is number 1.
    """

    def encode(self, o: t.Any) -> str:
        self.count = getattr(self, "count", 0) + 1
        return f"{self.count}:{super().encode(o)}"


def test_callers_encoder_class_is_made_anew_as_json_dumps_does(app):
    provider = app.json
    # What the provider adds to the caller's options.
    options = {
        "default": provider.default,
        "ensure_ascii": provider.ensure_ascii,
        "sort_keys": provider.sort_keys,
    }

    for value in ([1], {"b": 2, "a": 1}, [1], "x"):
        assert provider.dumps(value, cls=_Stateful) == json.dumps(
            value, cls=_Stateful, **options
        )
        assert provider.dumps(value, cls=_Stateful).startswith("1:")


@pytest.mark.parametrize(
    ("first", "then"),
    [({"indent": 2}, {"indent": 2.0}), ({"indent": 2.0}, {"indent": 2})],
)
def test_equal_options_of_another_type_behave_as_json_dumps(app, first, then):
    """An indent of 2.0 equals 2 but fails in json.dumps; it must neither
    borrow the encoder of 2 nor leave one behind that breaks 2.
    """
    obj = {"a": [1]}

    for kwargs in (first, then, first):
        try:
            expected: t.Any = json.dumps(
                obj, default=app.json.default, sort_keys=True, **kwargs
            )
        except TypeError as e:
            expected = (TypeError, str(e))

        try:
            ours: t.Any = app.json.dumps(obj, **kwargs)
        except TypeError as e:
            ours = (TypeError, str(e))

        assert ours == expected, kwargs


def test_unhashable_options_behave_as_json_dumps(app):
    obj = {"b": 1, "a": [1, 2]}
    expected = json.dumps(obj, separators=[",", ":"], sort_keys=True)
    assert app.json.dumps(obj, separators=[",", ":"]) == expected


def test_plain_options_reuse_one_encoder(app):
    """The control: the same options get the same encoder object."""
    assert app.json.dumps([1]) == "[1]"
    encoders = list(app.json._encoders.values())
    assert app.json.dumps([2]) == "[2]"
    assert list(app.json._encoders.values()) == encoders
    assert len(encoders) == 1


# --- row 5b: one C encoder per set of options -----------------------------


def _outcome(func: t.Callable[[], str]) -> t.Any:
    try:
        return func()
    except (TypeError, ValueError, RecursionError) as e:
        return type(e), str(e)


_json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities too: allow_nan decides
    st.text(),
    st.decimals(allow_nan=False).map(lambda d: {"decimal": d}),
    st.uuids(),
)
_json_values = st.recursive(
    _json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(), st.integers()), inner, max_size=4),
        st.tuples(inner, inner),
    ),
    max_leaves=12,
)
_option_sets = st.fixed_dictionaries(
    {},
    optional={
        "separators": st.sampled_from([(",", ":"), (", ", ": ")]),
        "ensure_ascii": st.booleans(),
        "sort_keys": st.booleans(),
        "allow_nan": st.booleans(),
        "skipkeys": st.booleans(),
        "check_circular": st.booleans(),
        "indent": st.sampled_from([None, 2]),
    },
)
_JSON_APP = flask.Flask(__name__)


@given(value=_json_values, options=_option_sets)
@settings(max_examples=300, deadline=None)
def test_shared_c_encoder_gives_what_json_dumps_gives(value, options):
    provider = _JSON_APP.json
    full = {
        "default": provider.default,
        "ensure_ascii": provider.ensure_ascii,
        "sort_keys": provider.sort_keys,
        **options,
    }

    for _ in range(2):  # made, then reused
        assert _outcome(lambda: provider.dumps(value, **options)) == _outcome(
            lambda: json.dumps(value, **full)
        )


@pytest.mark.parametrize("check_circular", [True, False])
def test_circular_and_deep_values_fail_as_json_dumps_fails(app, check_circular):
    looped: dict[str, t.Any] = {"a": [1]}
    looped["a"].append(looped)
    deep: list[t.Any] = []
    node = deep

    for _ in range(5000):
        node.append([])
        node = node[0]

    for value in (looped, deep, [looped, 1]):
        for _ in range(2):
            ours = _outcome(
                lambda v=value: app.json.dumps(v, check_circular=check_circular)
            )
            expected = _outcome(
                lambda v=value: json.dumps(
                    v,
                    default=app.json.default,
                    sort_keys=True,
                    check_circular=check_circular,
                )
            )
            assert ours[0] is expected[0]

            if ours[0] is ValueError:
                assert ours == expected

    assert app.json.dumps({"after": [1, 2]}) == '{"after": [1, 2]}'


def test_threads_share_the_c_encoder_without_false_cycles(app):
    """Two threads encoding the same nested value at once, switching in
    ``default``: without shared markers neither sees a cycle.
    """
    barrier = threading.Barrier(2)

    class Slow:
        def __init__(self, n: int) -> None:
            self.n = n

    def default(o: t.Any) -> t.Any:
        if isinstance(o, Slow):
            time.sleep(0.001)
            return o.n
        return flask.json.provider._default(o)

    app.json.default = default
    shared = {"rows": [{"cell": Slow(i)} for i in range(50)]}
    expected = json.dumps(shared, default=default, sort_keys=True)
    errors: list[BaseException] = []

    def work() -> None:
        barrier.wait()
        for _ in range(5):
            try:
                assert app.json.dumps(shared) == expected
            except BaseException as e:  # noqa: BLE001
                errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []


# --- row 5c: compact responses keyed by the provider's settings ----------


class _GenericDumps(flask.json.provider.DefaultJSONProvider):
    """Overrides dumps (calling the shipped one): response takes the
    generic path through it.
    """

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        return super().dumps(obj, **kwargs)


_PROVIDER_SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "sort_keys": st.booleans(),
        "ensure_ascii": st.booleans(),
        "compact": st.sampled_from([None, True, False]),
    },
)


@given(value=_json_values, settings_=_PROVIDER_SETTINGS, debug=st.booleans())
@settings(max_examples=200, deadline=None)
def test_compact_response_is_what_dumps_gives(value, settings_, debug):
    app = flask.Flask(__name__)
    app.debug = debug
    generic = _GenericDumps(app)

    for name, setting in settings_.items():
        setattr(app.json, name, setting)
        setattr(generic, name, setting)

    for _ in range(2):  # made, then reused
        ours = _outcome(lambda: app.json.response(value).get_data(as_text=True))
        expected = _outcome(lambda: generic.response(value).get_data(as_text=True))
        assert ours == expected


def test_compact_response_follows_setting_changes(app):
    class Thing:
        pass

    assert app.json.response({"b": 1, "a": "é"}).data == b'{"a":"\\u00e9","b":1}\n'
    app.json.sort_keys = False
    assert app.json.response({"b": 1, "a": "é"}).data == b'{"b":1,"a":"\\u00e9"}\n'
    app.json.ensure_ascii = False
    assert app.json.response({"b": 1, "a": "é"}).data == '{"b":1,"a":"é"}\n'.encode()
    app.json.default = lambda o: "thing"
    assert app.json.response([Thing()]).data == b'["thing"]\n'


def test_dumps_patched_on_the_provider_is_called(app, monkeypatch):
    calls = []
    original = app.json.dumps

    def recording(obj: t.Any, **kwargs: t.Any) -> str:
        calls.append(kwargs)
        return original(obj, **kwargs)

    monkeypatch.setattr(app.json, "dumps", recording)
    assert app.json.response({"a": 1}).data == b'{"a":1}\n'
    assert calls == [{"separators": (",", ":")}]


# --- row 6: tags asked per exact type (TaggedJSONSerializer.tag) -----------


class _UpperStr(JSONTag):
    """A custom tag claiming every plain str."""

    __slots__ = ()
    key = " s"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, str)

    def to_json(self, value: t.Any) -> t.Any:
        return value.upper()

    def to_python(self, value: t.Any) -> t.Any:
        return value.lower()


class _TupleOrStr(TagTuple):
    """A built-in tag's subclass whose check claims more than its type."""

    __slots__ = ()

    def check(self, value: t.Any) -> bool:
        return isinstance(value, (tuple, str))

    def to_json(self, value: t.Any) -> t.Any:
        return list(value) if isinstance(value, tuple) else [value]


def _generic_tag(serializer: TaggedJSONSerializer, value: t.Any) -> t.Any:
    """Tagging as documented: ask every tag of ``order`` in turn."""
    for tag in serializer.order:
        if tag.check(value):
            return tag.tag(value)

    return value


_TAGGED_VALUES: list[t.Any] = [
    "x",
    "",
    1,
    1.5,
    True,
    None,
    b"b",
    ("t", 1),
    ["l", ("t",)],
    {"k": "v"},
    {" t": "escaped"},
    Markup("<b>m</b>"),
    UUID(int=5),
    datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    {"nested": ["x", ("y", b"z"), {"d": "e"}]},
]


def _serializers() -> dict[str, TaggedJSONSerializer]:
    custom_first = TaggedJSONSerializer()
    custom_first.register(_UpperStr, index=0)
    custom_last = TaggedJSONSerializer()
    custom_last.register(_UpperStr)
    subclass = TaggedJSONSerializer()
    subclass.register(_TupleOrStr, force=True)
    inserted = TaggedJSONSerializer()
    inserted.order.insert(0, _UpperStr(inserted))
    removed = TaggedJSONSerializer()
    removed.order[:] = [tag for tag in removed.order if type(tag) is not PassDict]
    reversed_ = TaggedJSONSerializer()
    reversed_.order.reverse()
    return {
        "custom tag at index 0": custom_first,
        "custom tag last": custom_last,
        "subclass of a built-in": subclass,
        "order: inserted by hand": inserted,
        "order: removed by hand": removed,
        "order: reversed": reversed_,
    }


@pytest.mark.parametrize("name", list(_serializers()))
def test_tag_asks_the_tags_the_generic_walk_asks(name):
    serializer = _serializers()[name]
    # Twice: once to make the plan, once with it in place.
    for _ in range(2):
        for value in _TAGGED_VALUES:
            assert serializer.tag(value) == _generic_tag(serializer, value)


def test_tags_edited_after_the_plan_are_asked():
    serializer = TaggedJSONSerializer()
    assert serializer.dumps("x") == '"x"'
    serializer.order.insert(0, _UpperStr(serializer))
    assert serializer.dumps("x") == '{" s":"X"}'
    del serializer.order[0]
    assert serializer.dumps("x") == '"x"'


def test_tagged_output_is_flasks():
    """The texts Flask 3.1.3 writes for the same registrations."""
    s = _serializers()
    value = {"a": ["x", ("y", b"z")], "b": 1}
    assert (
        s["custom tag at index 0"].dumps(value)
        == '{"a":[{" s":"X"},{" t":[{" s":"Y"},{" b":"eg=="}]}],"b":1}'
    )
    assert (
        s["subclass of a built-in"].dumps({"a": "xy", "t": (1, 2)})
        == '{"a":{" t":["xy"]},"t":{" t":[1,2]}}'
    )
    assert (
        s["order: inserted by hand"].dumps(["x", {"k": "v"}])
        == '[{" s":"X"},{"k":{" s":"V"}}]'
    )
    assert s["order: removed by hand"].dumps({"k": ("t",)}) == '{"k":["t"]}'


def test_plain_serializer_asks_no_tag_for_a_str():
    """The control: the plan for a plain str asks no tag at all."""
    serializer = TaggedJSONSerializer()
    serializer.dumps("x")
    assert serializer._plan[str] == ()
    assert [type(tag) for tag in serializer._plan[tuple]] == [TagTuple]
