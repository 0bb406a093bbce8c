"""JSON: ``jsonify``, the ``flask.json`` functions, the default provider
and custom providers, request JSON parsing and the ``tojson`` filter.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import io
import json as stdlib_json
import uuid

import pytest
from markupsafe import Markup
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import UnsupportedMediaType

import flask
from flask import json
from flask.json.provider import DefaultJSONProvider
from flask.json.provider import JSONProvider

# --- jsonify ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "expect"),
    [
        ((), {}, None),
        ((1,), {}, 1),
        (("text",), {}, "text"),
        (({"a": 1},), {}, {"a": 1}),
        (([1, 2],), {}, [1, 2]),
        ((1, "two", None), {}, [1, "two", None]),
        ((), {"b": 2, "a": 1}, {"a": 1, "b": 2}),
    ],
    ids=["none", "int", "str", "dict", "list", "several", "kwargs"],
)
def test_jsonify_arguments(app_ctx, args, kwargs, expect):
    rv = flask.jsonify(*args, **kwargs)
    assert rv.mimetype == "application/json"
    assert stdlib_json.loads(rv.data) == expect


def test_jsonify_no_arguments_is_null(app_ctx):
    assert flask.jsonify().data == b"null\n"


def test_jsonify_args_and_kwargs_is_type_error(app_ctx):
    with pytest.raises(TypeError, match="either args or kwargs, not both"):
        flask.jsonify(1, a=2)


def test_jsonify_compact_and_sorted_outside_debug(app, app_ctx):
    rv = flask.jsonify({"b": 1, "a": [1, 2]})
    assert rv.data == b'{"a":[1,2],"b":1}\n'
    assert rv.headers["Content-Type"] == "application/json"
    assert rv.headers["Content-Length"] == str(len(rv.data))


def test_jsonify_indented_in_debug(app, app_ctx):
    app.debug = True
    assert flask.jsonify({"b": 1, "a": [1]}).data == (
        b'{\n  "a": [\n    1\n  ],\n  "b": 1\n}\n'
    )


@pytest.mark.parametrize(
    ("compact", "debug", "expect"),
    [
        (True, True, b'{"a":1}\n'),
        (False, False, b'{\n  "a": 1\n}\n'),
        (None, False, b'{"a":1}\n'),
        (None, True, b'{\n  "a": 1\n}\n'),
    ],
)
def test_jsonify_compact_setting(app, app_ctx, compact, debug, expect):
    app.debug = debug
    app.json.compact = compact
    assert flask.jsonify(a=1).data == expect


def test_jsonify_ends_with_newline(app, app_ctx):
    assert flask.jsonify([]).data.endswith(b"]\n")


def test_jsonify_sort_keys_off(app, app_ctx):
    app.json.sort_keys = False
    assert flask.jsonify({"b": 1, "a": 2}).data == b'{"b":1,"a":2}\n'


def test_jsonify_ensure_ascii(app, app_ctx):
    assert flask.jsonify("é☃").data == b'"\\u00e9\\u2603"\n'

    app.json.ensure_ascii = False
    assert flask.jsonify("é☃").data == '"é☃"\n'.encode()


def test_jsonify_mimetype(app, app_ctx):
    app.json.mimetype = "application/vnd.api+json"
    rv = flask.jsonify({})
    assert rv.headers["Content-Type"] == "application/vnd.api+json"


def test_jsonify_uses_app_response_class(app, app_ctx):
    class MyResponse(flask.Response):
        pass

    app.response_class = MyResponse
    assert type(flask.jsonify(1)) is MyResponse


def test_jsonify_needs_app_context():
    with pytest.raises(RuntimeError, match="outside of application context"):
        flask.jsonify(1)


def test_jsonify_in_view(app, client):
    @app.route("/")
    def index():
        return flask.jsonify(status="ok", items=[1, 2])

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.json == {"items": [1, 2], "status": "ok"}


# --- flask.json functions ---------------------------------------------------


def test_dumps_in_app_context_uses_provider(app, app_ctx):
    assert json.dumps({"b": 1, "a": "é"}) == '{"a": "\\u00e9", "b": 1}'

    app.json.sort_keys = False
    assert json.dumps({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'


def test_dumps_kwargs_override_provider(app_ctx):
    rv = json.dumps({"b": 1, "a": "é"}, sort_keys=False, ensure_ascii=False, indent=1)
    assert rv == '{\n "b": 1,\n "a": "é"\n}'


def test_dumps_without_app_context():
    # The stdlib's defaults apply (keys not sorted), plus the extra types.
    assert json.dumps({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'
    assert json.dumps(datetime.date(2020, 1, 2)) == '"Thu, 02 Jan 2020 00:00:00 GMT"'

    with pytest.raises(TypeError, match="not JSON serializable"):
        json.dumps(object())


@pytest.mark.parametrize("use_app", [True, False], ids=["app", "no-app"])
@pytest.mark.parametrize(
    "data", ['{"a": [1, 2]}', b'{"a": [1, 2]}'], ids=["str", "bytes"]
)
def test_loads(app, use_app, data):
    if use_app:
        with app.app_context():
            assert json.loads(data) == {"a": [1, 2]}
    else:
        assert json.loads(data) == {"a": [1, 2]}


def test_loads_utf8_bytes(app_ctx):
    assert json.loads('{"a": "é"}'.encode()) == {"a": "é"}


@pytest.mark.parametrize("use_app", [True, False], ids=["app", "no-app"])
def test_dump_and_load_files(app, use_app):
    def roundtrip():
        out = io.StringIO()
        json.dump({"x": [1, "é"]}, out)
        assert json.load(io.StringIO(out.getvalue())) == {"x": [1, "é"]}
        assert json.load(io.BytesIO(out.getvalue().encode())) == {"x": [1, "é"]}
        return out.getvalue()

    if use_app:
        with app.app_context():
            assert roundtrip() == '{"x": [1, "\\u00e9"]}'
    else:
        roundtrip()


def test_dump_uses_provider(app, app_ctx):
    app.json.sort_keys = True
    out = io.StringIO()
    json.dump({"b": 1, "a": 2}, out)
    assert out.getvalue() == '{"a": 2, "b": 1}'


# --- the default provider ---------------------------------------------------


@dataclasses.dataclass
class Pet:
    name: str
    legs: int = 4


class HasHtml:
    def __html__(self):
        return "<em>html</em>"


@pytest.mark.parametrize(
    ("value", "expect"),
    [
        (datetime.date(2020, 1, 2), "Thu, 02 Jan 2020 00:00:00 GMT"),
        (datetime.datetime(2020, 1, 2, 3, 4, 5), "Thu, 02 Jan 2020 03:04:05 GMT"),
        (
            datetime.datetime(
                2020,
                1,
                2,
                3,
                4,
                5,
                tzinfo=datetime.timezone(datetime.timedelta(hours=2)),
            ),
            "Thu, 02 Jan 2020 01:04:05 GMT",
        ),
        (decimal.Decimal("1.10"), "1.10"),
        (uuid.UUID(int=5), "00000000-0000-0000-0000-000000000005"),
        (Pet("rex"), {"name": "rex", "legs": 4}),
        (Markup("<b>safe</b>"), "<b>safe</b>"),
        (HasHtml(), "<em>html</em>"),
    ],
    ids=[
        "date",
        "naive-datetime",
        "aware-datetime",
        "decimal",
        "uuid",
        "dataclass",
        "markup",
        "__html__",
    ],
)
def test_default_provider_extra_types(app, client, value, expect):
    app.add_url_rule("/", "index", lambda: flask.jsonify(value=value))

    assert client.get("/").json == {"value": expect}


@pytest.mark.parametrize(
    "value", [object(), {1, 2}, datetime.time(1, 2), b"bytes"], ids=type
)
def test_default_provider_rejects_unknown_types(app_ctx, value):
    with pytest.raises(TypeError, match="is not JSON serializable"):
        json.dumps(value)


def test_default_provider_default_method(app):
    assert app.json.default(decimal.Decimal("2.5")) == "2.5"

    with pytest.raises(TypeError, match="Object of type object is not JSON"):
        app.json.default(object())


def test_default_provider_class_settings():
    assert DefaultJSONProvider.ensure_ascii is True
    assert DefaultJSONProvider.sort_keys is True
    assert DefaultJSONProvider.compact is None
    assert DefaultJSONProvider.mimetype == "application/json"


def test_app_json_is_provider_instance(app):
    assert isinstance(app.json, DefaultJSONProvider)
    assert app.json_provider_class is DefaultJSONProvider


def test_provider_methods_without_context(app):
    assert app.json.dumps({"b": 1, "a": "é"}) == '{"a": "\\u00e9", "b": 1}'
    assert app.json.loads("[1]") == [1]
    assert app.json.response(a=1).data == b'{"a":1}\n'


def test_base_provider_needs_dumps_and_loads(app):
    provider = JSONProvider(app)

    with pytest.raises(NotImplementedError):
        provider.dumps(1)

    with pytest.raises(NotImplementedError):
        provider.loads("1")


def test_provider_instance_default_override(app, app_ctx):
    app.json.default = lambda o: f"<{type(o).__name__}>"
    assert json.dumps(object()) == '"<object>"'


# --- custom providers -------------------------------------------------------


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class PointProvider(DefaultJSONProvider):
    """Serialises :class:`Point` and wraps everything it parses, so tests
    can tell which code path used it.
    """

    def default(self, o):
        if isinstance(o, Point):
            return [o.x, o.y]

        return super().default(o)

    def loads(self, s, **kwargs):
        return {"parsed": super().loads(s, **kwargs)}


@pytest.fixture
def point_app():
    class PointApp(flask.Flask):
        json_provider_class = PointProvider

    app = PointApp("point_app")
    app.config["TESTING"] = True
    return app


def test_custom_provider_class_is_used(point_app):
    assert isinstance(point_app.json, PointProvider)


def test_custom_provider_used_by_jsonify(point_app):
    @point_app.route("/")
    def index():
        return flask.jsonify(p=Point(1, 2))

    assert point_app.test_client().get("/").data == b'{"p":[1,2]}\n'


def test_custom_provider_used_for_dict_return(point_app):
    point_app.add_url_rule("/", "index", lambda: {"p": Point(3, 4)})

    assert point_app.test_client().get("/").data == b'{"p":[3,4]}\n'


def test_custom_provider_used_by_get_json_and_client_json(point_app):
    @point_app.route("/", methods=["POST"])
    def index():
        return {"got": flask.request.get_json()}

    rv = point_app.test_client().post("/", json={"p": Point(5, 6)})

    # The client serialised the Point with the provider, the request
    # parsed with it, and rv.json parsed the response with it too.
    assert rv.data == b'{"got":{"parsed":{"p":[5,6]}}}\n'
    assert rv.json == {"parsed": {"got": {"parsed": {"p": [5, 6]}}}}


def test_custom_provider_used_by_flask_json(point_app):
    with point_app.app_context():
        assert json.dumps(Point(1, 1)) == "[1, 1]"
        assert json.loads("[1]") == {"parsed": [1]}


def test_provider_without_stdlib():
    class Marked(JSONProvider):
        def dumps(self, obj, **kwargs):
            return "MARK" + stdlib_json.dumps(obj)

        def loads(self, s, **kwargs):
            if isinstance(s, bytes):
                s = s.decode()

            return {"raw": s}

    app = flask.Flask(__name__)
    app.json = Marked(app)
    app.add_url_rule("/", "index", lambda: flask.jsonify([1]))

    rv = app.test_client().get("/")
    assert rv.data == b"MARK[1]"
    assert rv.mimetype == "application/json"
    assert rv.json == {"raw": "MARK[1]"}


# --- request JSON -----------------------------------------------------------


@pytest.fixture
def echo_app(app):
    @app.route("/get_json", methods=["POST"])
    def get_json():
        return {"value": flask.request.get_json()}

    @app.route("/json", methods=["POST"])
    def json_property():
        return {"value": flask.request.json}

    return app


@pytest.mark.parametrize("path", ["/get_json", "/json"])
@pytest.mark.parametrize("value", [{"a": [1, "é"]}, [1, 2], "text", 3, False], ids=repr)
def test_request_json(echo_app, client, path, value):
    rv = client.post(path, json=value)
    assert rv.status_code == 200
    assert rv.json == {"value": value}


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/vnd.api+json"]
)
def test_request_json_content_types(echo_app, client, content_type):
    rv = client.post("/get_json", data='{"a": 1}', content_type=content_type)
    assert rv.json == {"value": {"a": 1}}


@pytest.mark.parametrize("path", ["/get_json", "/json"])
@pytest.mark.parametrize("body", ["{bad", "", "[1,"], ids=["brace", "empty", "open"])
def test_malformed_json_is_400(echo_app, client, path, body):
    rv = client.post(path, data=body, content_type="application/json")
    assert rv.status_code == 400
    # The parser's message is not shown outside debug mode.
    assert b"Failed to decode JSON object" not in rv.data


def test_malformed_json_message_shown_in_debug(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.debug = True

    @app.route("/", methods=["POST"])
    def index():
        return {"value": flask.request.get_json()}

    rv = client.post("/", data="{bad", content_type="application/json")
    assert rv.status_code == 400
    assert b"Failed to decode JSON object: Expecting property name" in rv.data


@pytest.mark.parametrize("debug", [False, True])
def test_malformed_json_error_handler_sees_bad_request(app, client, debug):
    app.debug = debug
    seen = []

    @app.errorhandler(BadRequest)
    def handle(e):
        seen.append(e)
        return "handled", 400

    @app.route("/", methods=["POST"])
    def index():
        return flask.request.get_json()

    assert client.post("/", data="{", content_type="application/json").data == (
        b"handled"
    )
    assert type(seen[0]) is BadRequest
    assert ("Failed to decode JSON" in seen[0].description) is debug


@pytest.mark.parametrize("path", ["/get_json", "/json"])
@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_wrong_content_type_is_415(echo_app, client, path, content_type):
    rv = client.post(path, data='{"a": 1}', content_type=content_type)
    assert rv.status_code == 415
    assert b"Content-Type was not &#39;application/json&#39;" in rv.data


def test_wrong_content_type_error_type(app, client):
    seen = []

    @app.errorhandler(415)
    def handle(e):
        seen.append(type(e))
        return "", 415

    @app.route("/", methods=["POST"])
    def index():
        return flask.request.get_json()

    client.post("/", data="{}", content_type="text/plain")
    assert seen == [UnsupportedMediaType]


@pytest.mark.parametrize(
    ("data", "content_type", "is_json"),
    [
        ("{bad", "application/json", True),
        ('{"a": 1}', "text/plain", False),
    ],
)
def test_get_json_silent_returns_none(app, client, data, content_type, is_json):
    @app.route("/", methods=["POST"])
    def index():
        return {
            "value": flask.request.get_json(silent=True),
            "is_json": flask.request.is_json,
        }

    rv = client.post("/", data=data, content_type=content_type)
    assert rv.status_code == 200
    assert rv.json == {"value": None, "is_json": is_json}


def test_get_json_force_ignores_content_type(app, client):
    @app.route("/", methods=["POST"])
    def index():
        return {"value": flask.request.get_json(force=True)}

    rv = client.post("/", data='{"a": 1}', content_type="text/plain")
    assert rv.json == {"value": {"a": 1}}

    rv = client.post("/", data="{bad", content_type="text/plain")
    assert rv.status_code == 400


def test_request_json_uses_app_json(app, client):
    class Provider(DefaultJSONProvider):
        def loads(self, s, **kwargs):
            return ["seen by provider", super().loads(s, **kwargs)]

    app.json = Provider(app)

    @app.route("/", methods=["POST"])
    def index():
        return {"value": flask.request.get_json()}

    rv = client.post("/", data="[1]", content_type="application/json")
    assert rv.data == b'{"value":["seen by provider",[1]]}\n'


def test_client_json_uses_app_json(app, client):
    app.json.sort_keys = False

    @app.route("/", methods=["POST"])
    def index():
        return flask.request.get_data()

    assert client.post("/", json={"b": 1, "a": 2}).data == b'{"b": 1, "a": 2}'


def test_response_json_property(app, client):
    @app.route("/")
    def index():
        return {"a": 1}

    assert client.get("/").json == {"a": 1}
    assert client.get("/").get_json() == {"a": 1}


# --- the tojson filter ------------------------------------------------------


def test_tojson_filter_escapes_html(app, app_ctx):
    rv = flask.render_template_string(
        "{{ value|tojson }}", value={"s": "</script><a href='x'>&"}
    )
    assert rv == (
        '{"s": "\\u003c/script\\u003e\\u003ca href=\\u0027x\\u0027\\u003e\\u0026"}'
    )


def test_tojson_filter_uses_app_json(point_app):
    with point_app.app_context():
        rv = flask.render_template_string("{{ value|tojson }}", value=Point(7, 8))

    assert rv == "[7, 8]"


def test_tojson_filter_passes_arguments(app, app_ctx):
    rv = flask.render_template_string("{{ value|tojson(indent=2) }}", value=[1])
    assert rv == "[\n  1\n]"


def test_tojson_filter_in_script_tag(app, client):
    @app.route("/")
    def index():
        return flask.render_template_string(
            "<script>const data = {{ data|tojson }};</script>", data={"b": 2, "a": 1}
        )

    assert client.get("/").data == (b'<script>const data = {"a": 1, "b": 2};</script>')
