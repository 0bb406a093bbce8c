"""The URL match cache (PERF) never changes what a request matches."""

from __future__ import annotations

import json
import uuid

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError

import flask
from flask._routing import _NO_RULE
from flask._routing import MatchCache


def test_repeated_requests_match_the_same(app, client):
    @app.route("/user/<int:id>/<path:rest>")
    def user(id, rest):
        return flask.jsonify(id=id, rest=rest, args=flask.request.view_args)

    for _ in range(3):
        rv = client.get("/user/7/a/b")
        assert rv.json == {"id": 7, "rest": "a/b", "args": {"id": 7, "rest": "a/b"}}

    assert client.get("/user/8/c").json["id"] == 8


def test_view_args_are_fresh_each_request(app, client):
    seen = []

    @app.url_value_preprocessor
    def pull(endpoint, values):
        seen.append(values.pop("lang"))

    @app.route("/<lang>/page")
    def page():
        return "ok"

    # Later requests reuse the first match; each must still get "lang".
    for _ in range(5):
        assert client.get("/en/page").data == b"ok"

    assert seen == ["en"] * 5


def test_methods_are_matched_separately(app, client):
    @app.get("/thing")
    def read():
        return "read"

    @app.post("/thing")
    def write():
        return "write"

    for _ in range(2):
        assert client.get("/thing").data == b"read"
        assert client.post("/thing").data == b"write"
        assert client.delete("/thing").status_code == 405


def test_custom_converter_is_called_every_time(app, client):
    calls = []

    class Lookup(BaseConverter):
        def to_python(self, value):
            calls.append(value)
            return {"name": value}

    app.url_map.converters["lookup"] = Lookup

    @app.route("/item/<lookup:item>")
    def item(item):
        return item["name"]

    for _ in range(3):
        assert client.get("/item/a").data == b"a"

    assert calls == ["a", "a", "a"]


def test_rules_added_later_take_effect(app, client):
    @app.route("/<name>")
    def generic(name):
        return "generic"

    for _ in range(3):
        assert client.get("/special").data == b"generic"

    app.url_map.add(app.url_rule_class("/special", endpoint="special"))
    app.view_functions["special"] = lambda: "special"
    assert client.get("/special").data == b"special"


def test_redirects_and_405s_are_not_cached(app, client):
    @app.route("/dir/")
    def directory():
        return "dir"

    for _ in range(3):
        rv = client.get("/dir")
        assert rv.status_code == 308
        assert client.post("/dir/").status_code == 405
        assert client.get("/nope").status_code == 404

    assert set(app._match_cache._entries.values()) == {_NO_RULE}


def test_a_cached_404_is_what_werkzeug_raises(app, client):
    """The first 404 comes from werkzeug's matcher, later ones from the
    cache: each a new NotFound, raised the same way, answered the same.
    """
    seen = []

    @app.route("/<int:n>")
    def number(n):
        return str(n)

    @app.errorhandler(404)
    def not_found(e):
        seen.append(e)
        return flask.Response(e.get_body(), e.code, e.get_headers())

    answers = [client.get("/missing") for _ in range(3)]
    assert list(app._match_cache._entries.values()) == [_NO_RULE]
    first, *cached = answers

    for rv in cached:
        assert (rv.status, rv.headers, rv.data) == (
            first.status,
            first.headers,
            first.data,
        )

    assert len({id(e) for e in seen}) == 3
    assert {type(e) for e in seen} == {NotFound}
    assert all(e.__cause__ is None and e.__suppress_context__ for e in seen)
    assert all(e.description == seen[0].description for e in seen)


def test_a_cached_404_is_forgotten_when_a_rule_is_added(app, client):
    for _ in range(2):
        assert client.get("/later").status_code == 404

    app.url_map.add(app.url_rule_class("/later", endpoint="later"))
    app.view_functions["later"] = lambda: "here"
    assert client.get("/later").data == b"here"


def test_404s_are_not_cached_when_any_rule_has_a_custom_converter(app, client):
    """A custom converter may refuse a value today and accept it tomorrow
    (a row not created yet): the URL is matched again every time.
    """
    known = set()

    class Existing(BaseConverter):
        def to_python(self, value):
            if value not in known:
                raise ValidationError()
            return value

    app.url_map.converters["existing"] = Existing

    @app.route("/item/<existing:name>")
    def item(name):
        return name

    @app.route("/<int:n>")
    def number(n):
        return str(n)

    for _ in range(3):
        assert client.get("/item/a").status_code == 404

    known.add("a")
    assert client.get("/item/a").data == b"a"
    assert _NO_RULE not in app._match_cache._entries.values()


def test_hosts_are_matched_separately():
    app = flask.Flask(__name__, host_matching=True, static_host="static.test")

    @app.route("/", host="a.test")
    def a():
        return "a"

    @app.route("/", host="b.test")
    def b():
        return "b"

    client = app.test_client()

    for _ in range(2):
        assert client.get("/", base_url="http://a.test").data == b"a"
        assert client.get("/", base_url="http://b.test").data == b"b"
        assert client.get("/", base_url="http://c.test").status_code == 404


def test_uuid_values_round_trip(app, client):
    @app.route("/u/<uuid:key>")
    def by_uuid(key):
        assert isinstance(key, uuid.UUID)
        return str(key)

    value = str(uuid.uuid4())
    assert client.get(f"/u/{value}").data.decode() == value
    assert client.get(f"/u/{value}").data.decode() == value


def test_cache_is_bounded(app):
    @app.route("/n/<int:n>")
    def number(n):
        return str(n)

    cache = MatchCache(size=4)
    app._match_cache = cache
    client = app.test_client()

    for n in range(10):
        assert client.get(f"/n/{n}").data == str(n).encode()
        assert len(cache._entries) <= 4


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"indent": 2},
        {"separators": (",", ":")},
        {"sort_keys": False},
        {"ensure_ascii": False},
        {"separators": [",", ":"]},  # unhashable: no reuse, same result
    ],
)
def test_reused_encoder_gives_what_json_dumps_gives(app, kwargs):
    data = {"b": [1, 2.5, None], "a": "é", "c": {"z": True}}
    provider = app.json
    expected = json.dumps(
        data,
        **{
            "default": provider.default,
            "ensure_ascii": provider.ensure_ascii,
            "sort_keys": provider.sort_keys,
            **kwargs,
        },
    )

    for _ in range(2):
        assert provider.dumps(data, **dict(kwargs)) == expected


def test_provider_default_changes_are_seen(app):
    class Thing:
        pass

    with pytest.raises(TypeError):
        app.json.dumps(Thing())

    app.json.default = lambda o: "thing"
    assert app.json.dumps(Thing()) == '"thing"'
