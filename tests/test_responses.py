"""Responses: how view return values become responses, the
``make_response`` helper, the response class, ``abort``, ``redirect`` and
``url_for``.
"""

from __future__ import annotations

import wsgiref.validate

import pytest
import werkzeug.test
from werkzeug.datastructures import Headers
from werkzeug.exceptions import Aborter
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response as WerkzeugResponse

import flask

# --- return values -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "body"),
    [
        ("text é", "text é".encode()),
        (b"raw bytes", b"raw bytes"),
        (bytearray(b"array"), b"array"),
    ],
)
def test_text_and_bytes_become_html_body(app, client, value, body):
    app.add_url_rule("/", "index", lambda: value)

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == body
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    assert rv.headers["Content-Length"] == str(len(body))


@pytest.mark.parametrize(
    ("value", "body"),
    [
        ({"b": 1, "a": [1, 2]}, b'{"a":[1,2],"b":1}\n'),
        ([1, "two", None], b'[1,"two",null]\n'),
        ({}, b"{}\n"),
        ([], b"[]\n"),
    ],
)
def test_dict_and_list_become_json(app, client, value, body):
    app.add_url_rule("/", "index", lambda: value)

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == body
    assert rv.mimetype == "application/json"
    assert rv.json == value


def test_dict_return_uses_app_json_provider(app, client):
    class Provider(flask.json.provider.DefaultJSONProvider):
        sort_keys = False

    app.json = Provider(app)
    app.add_url_rule("/", "index", lambda: {"z": 1, "a": 2})

    assert client.get("/").data == b'{"z":1,"a":2}\n'


@pytest.mark.parametrize(
    "make_iter",
    [
        pytest.param(lambda: (s for s in ["a", "b", "c"]), id="generator"),
        pytest.param(lambda: iter([b"a", b"b", b"c"]), id="iterator"),
    ],
)
def test_iterator_is_streamed(app, client, make_iter):
    app.add_url_rule("/", "index", make_iter)

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"abc"
    assert rv.mimetype == "text/html"
    # A stream has no known length.
    assert "Content-Length" not in rv.headers


def test_generator_body_is_produced_after_view_returns(app, client):
    events = []

    @app.route("/")
    def index():
        def generate():
            events.append("generating")
            yield "body"

        events.append("view returned")
        return generate()

    assert client.get("/").data == b"body"
    assert events == ["view returned", "generating"]


def test_response_instance_is_returned_unchanged(app, client):
    response = flask.Response("kept", status=202, headers={"X-Kept": "yes"})
    app.add_url_rule("/", "index", lambda: response)

    @app.after_request
    def check(rv):
        assert rv is response
        return rv

    rv = client.get("/")
    assert rv.status_code == 202
    assert rv.data == b"kept"
    assert rv.headers["X-Kept"] == "yes"


def test_other_werkzeug_response_is_converted(app, client):
    class Other(WerkzeugResponse):
        default_mimetype = "text/x-other"

    seen = []

    @app.route("/")
    def index():
        return Other("other", status=203, headers={"X-Other": "1"})

    @app.after_request
    def check(rv):
        seen.append(type(rv))
        return rv

    rv = client.get("/")
    assert seen == [flask.Response]
    assert rv.status_code == 203
    assert rv.data == b"other"
    assert rv.mimetype == "text/x-other"
    assert rv.headers["X-Other"] == "1"


def test_wsgi_callable_is_run(app, client):
    def wsgi_app(environ, start_response):
        start_response("201 CREATED", [("Content-Type", "text/plain")])
        return [b"from ", environ["PATH_INFO"].encode()]

    app.add_url_rule("/wsgi", "wsgi", lambda: wsgi_app)

    rv = client.get("/wsgi")
    assert rv.status_code == 201
    assert rv.data == b"from /wsgi"
    assert rv.headers["Content-Type"] == "text/plain"


@pytest.mark.parametrize(
    ("status", "code", "status_line"),
    [
        (404, 404, "404 NOT FOUND"),
        (201, 201, "201 CREATED"),
        ("418 TEAPOT", 418, "418 TEAPOT"),
        ("299", 299, "299 UNKNOWN"),
    ],
)
def test_tuple_body_status(app, client, status, code, status_line):
    app.add_url_rule("/", "index", lambda: ("body", status))

    rv = client.get("/")
    assert rv.status_code == code
    assert rv.status == status_line
    assert rv.data == b"body"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"X-A": "1", "X-B": "2"}, id="dict"),
        pytest.param([("X-A", "1"), ("X-B", "2")], id="list"),
        pytest.param((("X-A", "1"), ("X-B", "2")), id="tuple"),
        pytest.param(Headers({"X-A": "1", "X-B": "2"}), id="Headers"),
    ],
)
def test_tuple_body_headers(app, client, headers):
    app.add_url_rule("/", "index", lambda: ("body", headers))

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"body"
    assert rv.headers["X-A"] == "1"
    assert rv.headers["X-B"] == "2"


def test_tuple_body_status_headers(app, client):
    app.add_url_rule("/", "index", lambda: ("made", 201, {"Location": "/thing/1"}))

    rv = client.get("/")
    assert rv.status_code == 201
    assert rv.data == b"made"
    assert rv.headers["Location"] == "/thing/1"


def test_tuple_headers_list_keeps_repeated_names(app, client):
    headers = [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    app.add_url_rule("/", "index", lambda: (b"x", 200, headers))

    rv = client.get("/")
    assert rv.headers.getlist("Set-Cookie") == ["a=1", "b=2"]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(("plain", {"Content-Type": "text/plain"}), id="body-headers"),
        pytest.param(("plain", 200, {"Content-Type": "text/plain"}), id="3-tuple"),
        pytest.param(({"a": 1}, {"Content-Type": "text/plain"}), id="json-body"),
    ],
)
def test_tuple_headers_replace_content_type(app, client, value):
    app.add_url_rule("/", "index", lambda: value)

    rv = client.get("/")
    assert rv.headers.getlist("Content-Type") == ["text/plain"]


def test_tuple_headers_merge_onto_response(app, client):
    @app.route("/")
    def index():
        response = flask.Response("r", headers={"X-Keep": "k", "X-Replace": "old"})
        return response, {"X-Replace": "new", "X-Add": "a"}

    rv = client.get("/")
    assert rv.headers["X-Keep"] == "k"
    assert rv.headers.getlist("X-Replace") == ["new"]
    assert rv.headers["X-Add"] == "a"


def test_tuple_status_applies_to_response_and_json(app, client):
    app.add_url_rule("/r", "r", lambda: (flask.Response("r"), 404))
    app.add_url_rule("/j", "j", lambda: ({"a": 1}, 201, [("X-J", "1")]))

    rv = client.get("/r")
    assert rv.status_code == 404
    assert rv.data == b"r"

    rv = client.get("/j")
    assert rv.status_code == 201
    assert rv.json == {"a": 1}
    assert rv.headers["X-J"] == "1"


def test_tuple_status_applies_to_wsgi_callable(app, client):
    def wsgi_app(environ, start_response):
        start_response("200 OK", [("X-W", "1")])
        return [b"w"]

    app.add_url_rule("/", "index", lambda: (wsgi_app, 410))

    rv = client.get("/")
    assert rv.status_code == 410
    assert rv.headers["X-W"] == "1"


@pytest.mark.parametrize(
    "value",
    [None, (None, 200), (None, {"X-A": "1"}), (None, 200, {"X-A": "1"})],
    ids=["none", "body-status", "body-headers", "3-tuple"],
)
def test_none_raises_type_error_naming_view(app, client, value):
    @app.route("/", endpoint="forgetful_view")
    def view():
        return value

    with pytest.raises(TypeError) as exc_info:
        client.get("/")

    message = str(exc_info.value)
    assert "'forgetful_view'" in message
    assert "did not return a valid response" in message
    assert "returned None" in message


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(42, "int"), (1.5, "float"), (object(), "object"), ({1, 2}, "set")],
)
def test_unknown_type_raises_type_error(app, client, value, type_name):
    app.add_url_rule("/", "index", lambda: value)

    with pytest.raises(TypeError) as exc_info:
        client.get("/")

    message = str(exc_info.value)
    assert "did not return a valid response" in message
    assert message.endswith(f"but it was a {type_name}.")


def test_callable_that_is_not_wsgi_raises_type_error(app, client):
    def not_wsgi():
        return "never called by the view"

    app.add_url_rule("/", "index", lambda: not_wsgi)

    with pytest.raises(TypeError) as exc_info:
        client.get("/")

    message = str(exc_info.value)
    # The original error first, then what the view should return.
    assert message.split("\n")[0].endswith(
        "not_wsgi() takes 0 positional arguments but 2 were given"
    )
    assert "did not return a valid response" in message
    assert message.endswith("but it was a function.")


@pytest.mark.parametrize(
    "value", [("body",), ("body", 200, {}, "extra")], ids=["1-tuple", "4-tuple"]
)
def test_bad_tuple_length_raises_type_error(app, client, value):
    app.add_url_rule("/", "index", lambda: value)

    with pytest.raises(TypeError, match="tuple must have the form"):
        client.get("/")


# --- make_response ----------------------------------------------------------


def test_make_response_without_args_is_empty(app, req_ctx):
    rv = flask.make_response()
    assert isinstance(rv, flask.Response)
    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.mimetype == "text/html"


def test_make_response_with_one_arg_is_view_return_value(app, req_ctx):
    rv = flask.make_response("hello")
    assert rv.data == b"hello"

    rv = flask.make_response({"a": 1})
    assert rv.mimetype == "application/json"
    assert rv.json == {"a": 1}

    rv = flask.make_response(("tuple", 404))
    assert rv.status_code == 404
    assert rv.data == b"tuple"


def test_make_response_with_several_args_is_a_tuple(app, req_ctx):
    rv = flask.make_response("body", 404, {"X-A": "1"})
    assert rv.status_code == 404
    assert rv.data == b"body"
    assert rv.headers["X-A"] == "1"

    rv = flask.make_response("body", [("X-B", "2")])
    assert rv.status_code == 200
    assert rv.headers["X-B"] == "2"


def test_make_response_lets_view_change_response(app, client):
    @app.route("/")
    def index():
        rv = flask.make_response("changed")
        rv.headers["X-Changed"] = "yes"
        rv.status_code = 299
        return rv

    rv = client.get("/")
    assert rv.status_code == 299
    assert rv.headers["X-Changed"] == "yes"


def test_make_response_uses_app_response_class(app, req_ctx):
    class MyResponse(flask.Response):
        pass

    app.response_class = MyResponse
    assert type(flask.make_response()) is MyResponse
    assert type(flask.make_response("x")) is MyResponse


def test_make_response_works_in_app_context(app, app_ctx):
    assert flask.make_response("x", 201).status_code == 201


def test_make_response_none_needs_request_context(app, app_ctx):
    with pytest.raises(RuntimeError, match="outside of request context"):
        flask.make_response(None)


def test_make_response_needs_app_context():
    with pytest.raises(RuntimeError, match="outside of application context"):
        flask.make_response("x")


# --- the response class -----------------------------------------------------


def test_response_defaults():
    rv = flask.Response()
    assert rv.mimetype == "text/html"
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    assert rv.status_code == 200


def test_response_mimetype_argument_wins():
    rv = flask.Response("x", mimetype="text/plain")
    assert rv.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_max_cookie_size_from_config(app):
    app.config["MAX_COOKIE_SIZE"] = 123

    # Werkzeug's default outside an app context.
    assert flask.Response().max_cookie_size == 4093

    with app.app_context():
        assert flask.Response().max_cookie_size == 123


def test_large_cookie_warns_with_config_limit(app, client):
    app.config["MAX_COOKIE_SIZE"] = 100

    @app.route("/")
    def index():
        rv = flask.make_response("x")
        rv.set_cookie("big", "v" * 200)
        return rv

    with pytest.warns(UserWarning, match="'big' cookie is too large"):
        rv = client.get("/")

    # The cookie is still sent; the warning is only advice.
    assert "big=" in rv.headers["Set-Cookie"]


def test_max_cookie_size_zero_disables_warning(app, client):
    # pytest turns warnings into errors, so any warning fails this test.
    app.config["MAX_COOKIE_SIZE"] = 0

    @app.route("/")
    def index():
        rv = flask.make_response("x")
        rv.set_cookie("big", "v" * 8000)
        return rv

    assert client.get("/").status_code == 200


# --- abort ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "exc_class"), [(404, NotFound), (403, Forbidden), (400, HTTPException)]
)
def test_abort_raises_http_exception(code, exc_class):
    with pytest.raises(exc_class) as exc_info:
        flask.abort(code)

    assert exc_info.value.code == code


def test_abort_in_view_gives_error_page(app, client):
    @app.route("/")
    def index():
        flask.abort(401)

    rv = client.get("/")
    assert rv.status_code == 401
    assert b"Unauthorized" in rv.data


def test_abort_with_description(app, client):
    @app.route("/")
    def index():
        flask.abort(400, description="the widget id is missing")

    rv = client.get("/")
    assert rv.status_code == 400
    assert b"the widget id is missing" in rv.data


def test_abort_with_response(app, client):
    @app.route("/")
    def index():
        flask.abort(flask.Response("custom stop", status=403))

    rv = client.get("/")
    assert rv.status_code == 403
    assert rv.data == b"custom stop"


def test_abort_unknown_code_raises_lookup_error(app_ctx):
    with pytest.raises(LookupError, match="no exception for 999"):
        flask.abort(999)


def test_abort_uses_app_aborter(app, client):
    class EnhanceYourCalm(HTTPException):
        code = 420
        description = "slow down"

    app.aborter.mapping[420] = EnhanceYourCalm

    @app.route("/")
    def index():
        flask.abort(420)

    rv = client.get("/")
    assert rv.status_code == 420
    assert b"slow down" in rv.data

    # Outside an app context werkzeug's own mapping is used.
    with pytest.raises(LookupError):
        flask.abort(420)


def test_aborter_class_override():
    calls = []

    class RecordingAborter(Aborter):
        def __call__(self, code, *args, **kwargs):
            calls.append(code)
            super().__call__(code, *args, **kwargs)

    class MyFlask(flask.Flask):
        aborter_class = RecordingAborter

    app = MyFlask(__name__)
    assert isinstance(app.aborter, RecordingAborter)

    with app.app_context(), pytest.raises(NotFound):
        flask.abort(404)

    assert calls == [404]


def test_make_aborter_override():
    sentinel = Aborter()

    class MyFlask(flask.Flask):
        def make_aborter(self):
            return sentinel

    assert MyFlask(__name__).aborter is sentinel


# --- redirect ---------------------------------------------------------------


def test_redirect_defaults_to_302(app, client):
    app.add_url_rule("/", "index", lambda: flask.redirect("/target"))

    rv = client.get("/")
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/target"
    assert b'href="/target"' in rv.data


@pytest.mark.parametrize("code", [301, 303, 307, 308])
def test_redirect_code(app, client, code):
    app.add_url_rule("/", "index", lambda: flask.redirect("/target", code=code))

    rv = client.get("/")
    assert rv.status_code == code
    assert rv.location == "/target"


def test_redirect_location_is_not_made_absolute(app, client):
    app.add_url_rule("/", "index", lambda: flask.redirect("../up?x=1"))

    assert client.get("/").headers["Location"] == "../up?x=1"


def test_redirect_uses_app_response_class(app, app_ctx):
    class MyResponse(flask.Response):
        pass

    app.response_class = MyResponse
    assert type(flask.redirect("/x")) is MyResponse


def test_redirect_outside_app_context():
    rv = flask.redirect("/x", 301)
    assert rv.status_code == 301
    assert rv.location == "/x"

    class Custom(WerkzeugResponse):
        pass

    assert type(flask.redirect("/x", Response=Custom)) is Custom


def test_redirect_calls_app_redirect():
    class MyFlask(flask.Flask):
        def redirect(self, location, code=302):
            return super().redirect(f"/prefix{location}", code=303)

    app = MyFlask(__name__)

    with app.app_context():
        rv = flask.redirect("/x")

    assert rv.status_code == 303
    assert rv.location == "/prefix/x"


def test_app_redirect_method(app):
    rv = app.redirect("/somewhere", 307)
    assert isinstance(rv, flask.Response)
    assert rv.status_code == 307
    assert rv.location == "/somewhere"


# --- url_for in a request ---------------------------------------------------


@pytest.fixture
def url_app(app):
    @app.route("/")
    def index():
        return ""

    @app.route("/user/<int:user_id>")
    def user(user_id):
        return ""

    def item():
        return ""

    app.add_url_rule("/item", "item", item, methods=["GET"])
    app.add_url_rule("/item/new", "item", item, methods=["POST"])
    return app


@pytest.mark.parametrize(
    ("endpoint", "values", "expect"),
    [
        ("index", {}, "/"),
        ("user", {"user_id": 5}, "/user/5"),
        ("user", {"user_id": 5, "tab": "posts"}, "/user/5?tab=posts"),
        ("index", {"q": "a b&c"}, "/?q=a+b%26c"),
        ("index", {"tag": ["x", "y"]}, "/?tag=x&tag=y"),
        ("index", {"skip": None}, "/"),
    ],
)
def test_url_for_in_request(url_app, endpoint, values, expect):
    with url_app.test_request_context():
        assert flask.url_for(endpoint, **values) == expect


def test_url_for_external(url_app):
    with url_app.test_request_context():
        assert flask.url_for("user", user_id=1, _external=True) == (
            "http://localhost/user/1"
        )


def test_url_for_scheme_makes_url_external(url_app):
    with url_app.test_request_context():
        assert flask.url_for("user", user_id=1, _scheme="https") == (
            "https://localhost/user/1"
        )


def test_url_for_scheme_without_external_in_request(url_app):
    with url_app.test_request_context():
        with pytest.raises(ValueError, match="'_external' must be True"):
            flask.url_for("index", _scheme="https", _external=False)


@pytest.mark.parametrize(
    ("anchor", "expect"),
    [
        ("top", "/#top"),
        ("a b", "/#a%20b"),
        ("x/y?z=1&w#v", "/#x/y?z=1&w#v"),
        ("é", "/#%C3%A9"),
        ("50%", "/#50%"),
    ],
)
def test_url_for_anchor_is_quoted(url_app, anchor, expect):
    with url_app.test_request_context():
        assert flask.url_for("index", _anchor=anchor) == expect


@pytest.mark.parametrize(
    ("method", "expect"), [("GET", "/item"), ("POST", "/item/new")]
)
def test_url_for_method_picks_rule(url_app, method, expect):
    with url_app.test_request_context():
        assert flask.url_for("item", _method=method) == expect


def test_url_for_method_not_allowed(url_app):
    with url_app.test_request_context():
        with pytest.raises(BuildError) as exc_info:
            flask.url_for("item", _method="DELETE")

    assert "'DELETE'" in str(exc_info.value)


def test_url_for_relative_to_script_root(url_app):
    with url_app.test_request_context(base_url="https://example.org/mount/"):
        assert flask.url_for("user", user_id=2) == "/mount/user/2"
        assert flask.url_for("user", user_id=2, _external=True) == (
            "https://example.org/mount/user/2"
        )


def test_url_for_in_view(url_app, client):
    url_app.add_url_rule(
        "/links", "links", lambda: flask.url_for("user", user_id=7, _anchor="bio")
    )

    assert client.get("/links").data == b"/user/7#bio"


def test_url_for_blueprint_relative(app, client):
    bp = flask.Blueprint("shop", __name__, url_prefix="/shop")

    @bp.route("/")
    def home():
        return " ".join(
            [
                flask.url_for(".item", n=3),
                flask.url_for("shop.home"),
                flask.url_for("index"),
            ]
        )

    @bp.route("/item/<int:n>")
    def item(n):
        return ""

    app.add_url_rule("/", "index", lambda: flask.url_for(".index"))
    app.register_blueprint(bp)

    assert client.get("/shop/").data == b"/shop/item/3 /shop/ /"
    # In an app view, ".name" is an app endpoint.
    assert client.get("/").data == b"/"


def test_url_for_nested_blueprint_relative(app, client):
    parent = flask.Blueprint("parent", __name__, url_prefix="/p")
    child = flask.Blueprint("child", __name__, url_prefix="/c")

    @child.route("/a")
    def a():
        return flask.url_for(".b")

    @child.route("/b")
    def b():
        return ""

    parent.register_blueprint(child)
    app.register_blueprint(parent)

    assert client.get("/p/c/a").data == b"/p/c/b"


def test_url_for_applies_url_defaults(app, client):
    @app.url_defaults
    def add_lang(endpoint, values):
        values.setdefault("lang", "en")

    @app.route("/<lang>/page")
    def page(lang):
        return flask.url_for("page")

    assert client.get("/fr/page").data == b"/en/page"


# --- url_for build errors ---------------------------------------------------


def test_build_error_unknown_endpoint(url_app):
    with url_app.test_request_context():
        with pytest.raises(BuildError) as exc_info:
            flask.url_for("idnex")

    message = str(exc_info.value)
    assert "Could not build url for endpoint 'idnex'" in message
    assert "Did you mean 'index' instead?" in message


def test_build_error_missing_value(url_app):
    with url_app.test_request_context():
        with pytest.raises(BuildError) as exc_info:
            flask.url_for("user")

    assert "Did you forget to specify values ['user_id']?" in str(exc_info.value)


def test_build_error_relative_endpoint_outside_request(app):
    app.config["SERVER_NAME"] = "localhost"
    app.add_url_rule("/", "index", lambda: "")

    # Only a request knows the current blueprint; here "." is literal.
    with app.app_context(), pytest.raises(BuildError, match="'.index'"):
        flask.url_for(".index")


def test_url_build_error_handler_returns_url(url_app):
    calls = []

    def handler(error, endpoint, values):
        calls.append((type(error), endpoint, dict(values)))

        if endpoint == "external_docs":
            return "https://docs.example/"

        return None

    url_app.url_build_error_handlers.append(handler)

    with url_app.test_request_context():
        assert flask.url_for("external_docs", page=2, _anchor="x") == (
            "https://docs.example/"
        )

    assert calls == [
        (
            BuildError,
            "external_docs",
            {
                "page": 2,
                "_anchor": "x",
                "_method": None,
                "_scheme": None,
                "_external": False,
            },
        )
    ]


def test_url_build_error_handlers_tried_in_order(url_app):
    order = []

    def first(error, endpoint, values):
        order.append("first")
        return None

    def second(error, endpoint, values):
        order.append("second")
        return "/from-second"

    def third(error, endpoint, values):  # pragma: no cover - never reached
        order.append("third")
        return "/from-third"

    url_app.url_build_error_handlers.extend([first, second, third])

    with url_app.test_request_context():
        assert flask.url_for("nowhere") == "/from-second"

    assert order == ["first", "second"]


def test_url_build_error_handler_reraises(url_app):
    def handler(error, endpoint, values):
        raise error

    url_app.url_build_error_handlers.append(handler)

    with url_app.test_request_context():
        with pytest.raises(BuildError, match="'nowhere'"):
            flask.url_for("nowhere")


def test_url_build_error_handler_raises_other_build_error(url_app):
    def handler(error, endpoint, values):
        raise BuildError("replacement", {}, None)

    url_app.url_build_error_handlers.append(handler)

    with url_app.test_request_context():
        with pytest.raises(BuildError, match="'replacement'"):
            flask.url_for("nowhere")


def test_url_build_error_handlers_returning_none_reraise_original(url_app):
    url_app.url_build_error_handlers.append(lambda error, endpoint, values: None)

    with url_app.test_request_context():
        with pytest.raises(BuildError, match="'nowhere'"):
            flask.url_for("nowhere")


# --- url_for in an app context ----------------------------------------------


def test_url_for_app_context_without_server_name(url_app, app_ctx):
    with pytest.raises(RuntimeError, match="without 'SERVER_NAME' configured"):
        flask.url_for("index")


def test_url_for_app_context_with_server_name(url_app):
    url_app.config.update(
        SERVER_NAME="example.test:8080",
        APPLICATION_ROOT="/app",
        PREFERRED_URL_SCHEME="https",
    )

    with url_app.app_context():
        # External by default: there is no request to be relative to.
        assert flask.url_for("user", user_id=3) == (
            "https://example.test:8080/app/user/3"
        )
        assert flask.url_for("user", user_id=3, _external=False) == "/app/user/3"
        assert flask.url_for("index", _scheme="http") == (
            "http://example.test:8080/app/"
        )


def test_url_for_app_context_scheme_without_external(url_app):
    url_app.config["SERVER_NAME"] = "example.test"

    with url_app.app_context():
        with pytest.raises(ValueError, match="'_external' must be True"):
            flask.url_for("index", _scheme="https", _external=False)


def test_url_for_needs_app_context(url_app):
    with pytest.raises(RuntimeError, match="outside of application context"):
        flask.url_for("index")


def test_app_url_for_without_context(url_app):
    with pytest.raises(RuntimeError, match="without 'SERVER_NAME' configured"):
        url_app.url_for("index")

    url_app.config["SERVER_NAME"] = "example.test"
    assert url_app.url_for("user", user_id=4) == "http://example.test/user/4"


def test_url_for_in_template_is_app_url_for(url_app, client):
    url_app.add_url_rule(
        "/t",
        "t",
        lambda: flask.render_template_string("{{ url_for('user', user_id=9) }}"),
    )

    assert client.get("/t").data == b"/user/9"


# --- PEP 3333 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/text", 200, b"text"),
        ("/json", 200, b'{"a":1}\n'),
        ("/stream", 200, b"ab"),
        ("/tuple", 201, b"t"),
        ("/wsgi", 200, b"inner"),
        ("/missing", 404, None),
        ("/error", 500, None),
    ],
)
def test_responses_are_valid_wsgi(app, monkeypatch, path, status, body):
    def wsgi_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"inner"]

    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(app.logger, "disabled", True)
    app.add_url_rule("/text", "text", lambda: "text")
    app.add_url_rule("/json", "json", lambda: {"a": 1})
    app.add_url_rule("/stream", "stream", lambda: (s for s in ["a", "b"]))
    app.add_url_rule("/tuple", "tuple", lambda: ("t", 201, {"X-T": "1"}))
    app.add_url_rule("/wsgi", "wsgi", lambda: wsgi_app)
    app.add_url_rule("/error", "error", lambda: 1 / 0)

    # The validator raises AssertionError on any PEP 3333 violation, and
    # warns (an error under pytest) on questionable use.
    validated = wsgiref.validate.validator(app)
    client = werkzeug.test.Client(validated, flask.Response)

    rv = client.get(path)
    assert rv.status_code == status

    if body is not None:
        assert rv.get_data() == body

    rv.close()
