"""Class-based views: ``View`` and ``MethodView``."""

from __future__ import annotations

import asyncio
import functools

import pytest

import flask
from flask.views import http_method_funcs
from flask.views import MethodView
from flask.views import View


def _tag(label):
    """A decorator that wraps the view's result in ``label(...)``."""

    def decorator(f):
        @functools.wraps(f)
        def wrapper(**kwargs):
            return f"{label}({f(**kwargs)})"

        return wrapper

    return decorator


# --- View ----------------------------------------------------------------------


def test_view_dispatch_request(app, client):
    class Hello(View):
        def dispatch_request(self, name):
            return f"Hello, {name}!"

    app.add_url_rule("/hello/<name>", view_func=Hello.as_view("hello"))
    rv = client.get("/hello/Ana")
    assert rv.status_code == 200
    assert rv.data == b"Hello, Ana!"

    with app.test_request_context():
        assert flask.url_for("hello", name="Bo") == "/hello/Bo"


def test_view_default_methods(app, client):
    class Plain(View):
        def dispatch_request(self):
            return flask.request.method

    app.add_url_rule("/", view_func=Plain.as_view("plain"))
    assert client.get("/").data == b"GET"
    assert client.head("/").status_code == 200
    assert client.post("/").status_code == 405
    rv = client.options("/")
    assert sorted(rv.allow) == ["GET", "HEAD", "OPTIONS"]


def test_view_methods_attribute(app, client):
    class Form(View):
        methods = ["GET", "POST"]

        def dispatch_request(self):
            return flask.request.method

    app.add_url_rule("/", view_func=Form.as_view("form"))
    assert client.get("/").data == b"GET"
    assert client.post("/").data == b"POST"
    assert client.put("/").status_code == 405
    assert sorted(client.put("/").allow) == ["GET", "HEAD", "OPTIONS", "POST"]


def test_add_url_rule_methods_override_view_methods(app, client):
    class Form(View):
        methods = ["GET", "POST"]

        def dispatch_request(self):
            return flask.request.method

    app.add_url_rule("/", view_func=Form.as_view("form"), methods=["PUT"])
    assert client.put("/").data == b"PUT"
    assert client.get("/").status_code == 405


def test_as_view_function_attributes():
    class Documented(View):
        """The docs of the view."""

        methods = ["GET", "POST"]
        provide_automatic_options = False

        def dispatch_request(self):
            return ""

    view = Documented.as_view("documented")
    assert view.__name__ == "documented"
    assert view.__doc__ == "The docs of the view."
    assert view.__module__ == __name__
    assert view.view_class is Documented
    assert view.methods == ["GET", "POST"]
    assert view.provide_automatic_options is False


def test_view_class_defaults():
    assert View.methods is None
    assert View.provide_automatic_options is None
    assert View.decorators == []
    assert View.init_every_request is True
    assert MethodView.methods is None


def test_view_base_dispatch_not_implemented(app, client):
    app.add_url_rule("/", view_func=View.as_view("base"))

    with pytest.raises(NotImplementedError):
        client.get("/")


def test_view_provide_automatic_options_false(app, client):
    class NoOptions(View):
        provide_automatic_options = False

        def dispatch_request(self):
            return "view"

    app.add_url_rule("/", view_func=NoOptions.as_view("no_options"))
    assert client.options("/").status_code == 405


def test_view_handles_options_itself(app, client):
    class OwnOptions(View):
        methods = ["GET", "OPTIONS"]

        def dispatch_request(self):
            return f"handled {flask.request.method}"

    app.add_url_rule("/", view_func=OwnOptions.as_view("own"))
    assert client.options("/").data == b"handled OPTIONS"


def test_view_decorators_applied_in_order(app, client):
    class Decorated(View):
        decorators = [_tag("inner"), _tag("outer")]

        def dispatch_request(self):
            return "view"

    view = Decorated.as_view("decorated")
    app.add_url_rule("/", view_func=view)
    assert client.get("/").data == b"outer(inner(view))"
    # The attributes are on the outermost function.
    assert view.view_class is Decorated
    assert view.__name__ == "decorated"


def test_view_decorator_without_wraps(app, client):
    def shout(f):
        def wrapper(**kwargs):
            return f(**kwargs).upper()

        return wrapper

    class Quiet(View):
        methods = ["GET", "POST"]
        decorators = [shout]

        def dispatch_request(self):
            return "quiet"

    view = Quiet.as_view("quiet")
    assert view.__name__ == "quiet"
    assert view.methods == ["GET", "POST"]
    app.add_url_rule("/", view_func=view)
    assert client.post("/").data == b"QUIET"
    assert "quiet" in app.view_functions


def test_view_decorator_can_short_circuit(app, client):
    def require_token(f):
        @functools.wraps(f)
        def wrapper(**kwargs):
            if flask.request.args.get("token") != "s3cret":
                flask.abort(401)
            return f(**kwargs)

        return wrapper

    class Secret(View):
        decorators = [require_token]

        def dispatch_request(self):
            return "secret"

    app.add_url_rule("/", view_func=Secret.as_view("secret"))
    assert client.get("/").status_code == 401
    assert client.get("/?token=s3cret").data == b"secret"


def test_view_class_args(app, client):
    class Greeter(View):
        def __init__(self, greeting, punctuation="."):
            self.greeting = greeting
            self.punctuation = punctuation

        def dispatch_request(self, name):
            return f"{self.greeting}, {name}{self.punctuation}"

    app.add_url_rule(
        "/hi/<name>", view_func=Greeter.as_view("hi", "Hi", punctuation="!")
    )
    app.add_url_rule("/hello/<name>", view_func=Greeter.as_view("hello", "Hello"))
    assert client.get("/hi/Ann").data == b"Hi, Ann!"
    assert client.get("/hello/Ann").data == b"Hello, Ann."


@pytest.mark.parametrize(
    ("init_every_request", "expected"), [(True, [1, 1, 1]), (False, [1, 2, 3])]
)
def test_init_every_request(app, client, init_every_request, expected):
    created = []

    class Counter(View):
        def __init__(self):
            created.append(self)
            self.count = 0

        def dispatch_request(self):
            self.count += 1
            return str(self.count)

    Counter.init_every_request = init_every_request
    app.add_url_rule("/", view_func=Counter.as_view("counter"))
    assert [int(client.get("/").data) for _ in range(3)] == expected
    assert len(created) == (3 if init_every_request else 1)


def test_init_every_request_false_creates_instance_in_as_view():
    created = []

    class Shared(View):
        init_every_request = False

        def __init__(self, value):
            created.append(value)

        def dispatch_request(self):
            return ""

    Shared.as_view("shared", "v")
    assert created == ["v"]


def test_view_subclass_overrides(app, client):
    class Base(View):
        methods = ["GET"]

        def dispatch_request(self):
            return self.render()

        def render(self):
            return "base"

    class Child(Base):
        methods = ["GET", "POST"]

        def render(self):
            return "child"

    app.add_url_rule("/base", view_func=Base.as_view("base"))
    app.add_url_rule("/child", view_func=Child.as_view("child"))
    assert client.get("/base").data == b"base"
    assert client.post("/base").status_code == 405
    assert client.post("/child").data == b"child"


def test_async_view(app, client):
    pytest.importorskip("asgiref")

    class AsyncView(View):
        async def dispatch_request(self):
            await asyncio.sleep(0)
            return f"async {flask.request.path}"

    app.add_url_rule("/async", view_func=AsyncView.as_view("async_view"))
    assert client.get("/async").data == b"async /async"


# --- MethodView ----------------------------------------------------------------


class CounterAPI(MethodView):
    """Shared by the MethodView tests: one handler per method."""

    def get(self):
        return "GET"

    def post(self):
        return "POST"

    def delete(self):
        return "DELETE"


def test_method_view_methods_from_handlers():
    assert CounterAPI.methods == {"GET", "POST", "DELETE"}


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_method_view_dispatches_by_method(app, client, method):
    app.add_url_rule("/", view_func=CounterAPI.as_view("counter"))
    assert client.open("/", method=method).data == method.encode()


def test_method_view_unknown_method_405(app, client):
    app.add_url_rule("/", view_func=CounterAPI.as_view("counter"))
    rv = client.put("/")
    assert rv.status_code == 405
    assert sorted(rv.allow) == ["DELETE", "GET", "HEAD", "OPTIONS", "POST"]


def test_method_view_head_falls_back_to_get(app, client):
    app.add_url_rule("/", view_func=CounterAPI.as_view("counter"))
    rv = client.head("/")
    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.headers["Content-Length"] == "3"


def test_method_view_own_head(app, client):
    class WithHead(MethodView):
        def get(self):
            return "body"

        def head(self):
            return "", 204, {"X-Head": "own"}

    assert WithHead.methods == {"GET", "HEAD"}
    app.add_url_rule("/", view_func=WithHead.as_view("with_head"))
    rv = client.head("/")
    assert rv.status_code == 204
    assert rv.headers["X-Head"] == "own"


def test_method_view_automatic_options(app, client):
    app.add_url_rule("/", view_func=CounterAPI.as_view("counter"))
    rv = client.options("/")
    assert rv.status_code == 200
    assert rv.data == b""
    assert sorted(rv.allow) == ["DELETE", "GET", "HEAD", "OPTIONS", "POST"]


def test_method_view_view_args(app, client):
    class ItemAPI(MethodView):
        def get(self, item_id):
            return f"get {item_id}"

        def put(self, item_id):
            return f"put {item_id} {flask.request.get_json()['v']}"

    app.add_url_rule("/items/<int:item_id>", view_func=ItemAPI.as_view("item"))
    assert client.get("/items/3").data == b"get 3"
    assert client.put("/items/4", json={"v": "x"}).data == b"put 4 x"


def test_method_view_inherits_methods():
    class WithPatch(CounterAPI):
        def patch(self):
            return "PATCH"

    assert WithPatch.methods == {"GET", "POST", "DELETE", "PATCH"}
    assert CounterAPI.methods == {"GET", "POST", "DELETE"}


def test_method_view_inherited_handlers_dispatch(app, client):
    class Child(CounterAPI):
        def get(self):
            return "child GET"

    app.add_url_rule("/", view_func=Child.as_view("child"))
    assert client.get("/").data == b"child GET"
    assert client.delete("/").data == b"DELETE"


def test_method_view_multiple_inheritance():
    class PutMixin:
        def put(self):
            return "PUT"

    class TraceMixin:
        def trace(self):
            return "TRACE"

    class Combined(CounterAPI, PutMixin, TraceMixin):
        pass

    assert Combined.methods == {"GET", "POST", "DELETE", "PUT", "TRACE"}


def test_method_view_mixin_first(app, client):
    class PutMixin:
        def put(self):
            return "mixin PUT"

    class Api(PutMixin, MethodView):
        def get(self):
            return "GET"

    assert Api.methods == {"GET", "PUT"}
    app.add_url_rule("/", view_func=Api.as_view("api"))
    assert client.put("/").data == b"mixin PUT"


def test_method_view_without_handlers():
    class Empty(MethodView):
        pass

    assert Empty.methods is None


def test_method_view_explicit_methods_win(app, client):
    class GetOnly(CounterAPI):
        methods = ["GET"]

    assert GetOnly.methods == ["GET"]
    app.add_url_rule("/", view_func=GetOnly.as_view("get_only"))
    assert client.get("/").data == b"GET"
    assert client.post("/").status_code == 405


def test_method_view_explicit_method_without_handler(app, client):
    class Partial(MethodView):
        methods = ["GET", "PATCH"]

        def get(self):
            return "GET"

    app.add_url_rule("/", view_func=Partial.as_view("partial"))

    with pytest.raises(AssertionError, match="Unimplemented method 'PATCH'"):
        client.patch("/")


def test_method_view_subclass_of_explicit_methods():
    class Base(MethodView):
        methods = ["GET", "POST"]

        def get(self):
            return ""

    class Child(Base):
        def put(self):
            return ""

    assert Child.methods == {"GET", "POST", "PUT"}


def test_method_view_decorators(app, client):
    class Decorated(CounterAPI):
        decorators = [_tag("d")]

    app.add_url_rule("/", view_func=Decorated.as_view("decorated"))
    assert client.get("/").data == b"d(GET)"
    assert client.post("/").data == b"d(POST)"


def test_method_view_async_handlers(app, client):
    pytest.importorskip("asgiref")

    class AsyncAPI(MethodView):
        async def get(self):
            await asyncio.sleep(0)
            return "async get"

        async def post(self):
            return {"method": flask.request.method}

    assert AsyncAPI.methods == {"GET", "POST"}
    app.add_url_rule("/", view_func=AsyncAPI.as_view("async_api"))
    assert client.get("/").data == b"async get"
    assert client.post("/").json == {"method": "POST"}
    assert client.head("/").status_code == 200


def test_method_view_with_url_defaults(app, client):
    class UserAPI(MethodView):
        def get(self, user_id):
            if user_id is None:
                return "all users"
            return f"user {user_id}"

        def post(self):
            return "created", 201

    view = UserAPI.as_view("users")
    app.add_url_rule(
        "/users/", defaults={"user_id": None}, view_func=view, methods=["GET"]
    )
    app.add_url_rule("/users/", view_func=view, methods=["POST"])
    app.add_url_rule("/users/<int:user_id>", view_func=view, methods=["GET"])
    assert client.get("/users/").data == b"all users"
    assert client.get("/users/5").data == b"user 5"
    rv = client.post("/users/")
    assert rv.status_code == 201
    assert rv.data == b"created"


def test_http_method_funcs():
    assert http_method_funcs == frozenset(
        ["get", "post", "head", "options", "delete", "put", "trace", "patch"]
    )


# --- registration ----------------------------------------------------------------


def test_view_on_blueprint(app, client):
    bp = flask.Blueprint("api", __name__, url_prefix="/api")

    class Ping(View):
        def dispatch_request(self):
            return flask.request.endpoint

    bp.add_url_rule("/ping", view_func=Ping.as_view("ping"))
    bp.add_url_rule("/counter", view_func=CounterAPI.as_view("counter"))
    app.register_blueprint(bp)
    assert client.get("/api/ping").data == b"api.ping"
    assert client.delete("/api/counter").data == b"DELETE"
    assert client.put("/api/counter").status_code == 405

    with app.test_request_context():
        assert flask.url_for("api.counter") == "/api/counter"


def test_view_name_with_dot_rejected_on_blueprint():
    bp = flask.Blueprint("bp", __name__)

    with pytest.raises(ValueError, match="may not contain a dot"):
        bp.add_url_rule("/", view_func=CounterAPI.as_view("a.b"))


def test_same_view_class_under_two_endpoints(app, client):
    app.add_url_rule("/one", view_func=CounterAPI.as_view("one"))
    app.add_url_rule("/two", view_func=CounterAPI.as_view("two"))
    assert client.get("/one").data == b"GET"
    assert client.post("/two").data == b"POST"
    assert app.view_functions["one"] is not app.view_functions["two"]


def test_view_endpoint_from_name(app):
    app.add_url_rule("/", view_func=CounterAPI.as_view("my_endpoint"))
    assert app.view_functions["my_endpoint"].view_class is CounterAPI
    assert [r.endpoint for r in app.url_map.iter_rules() if r.rule == "/"] == [
        "my_endpoint"
    ]


def test_view_endpoint_argument_wins(app, client):
    app.add_url_rule("/", "explicit", CounterAPI.as_view("from_name"))
    assert "explicit" in app.view_functions
    assert "from_name" not in app.view_functions

    with app.test_request_context():
        assert flask.url_for("explicit") == "/"


def test_view_error_handled_by_app(app, client):
    class Failing(View):
        def dispatch_request(self):
            raise KeyError("missing")

    @app.errorhandler(KeyError)
    def handle(e):
        return "handled", 400

    app.add_url_rule("/", view_func=Failing.as_view("failing"))
    rv = client.get("/")
    assert rv.status_code == 400
    assert rv.data == b"handled"


def test_decorators_see_the_endpoint_name():
    seen = []

    def record(f):
        seen.append((f.__name__, f.__module__, getattr(f, "view_class", None)))
        return f

    class Named(View):
        decorators = [record]

        def dispatch_request(self):
            return ""

    Named.as_view("the_endpoint")
    # Named before decorating, the class attributes are set afterwards.
    assert seen == [("the_endpoint", __name__, None)]


@pytest.mark.parametrize("init_every_request", [True, False])
def test_view_called_outside_app_context(init_every_request):
    class Plain(View):
        def dispatch_request(self):
            return ""

    Plain.init_every_request = init_every_request
    view = Plain.as_view("plain")

    with pytest.raises(RuntimeError, match="outside of application context"):
        view()


def test_method_view_dispatch_outside_request_context(app):
    class Handlers(MethodView):
        def get(self):
            return ""

    with app.app_context():
        with pytest.raises(RuntimeError, match="outside of request context"):
            Handlers().dispatch_request()
