"""Routing: methods, slashes, hosts, ``url_for``, blueprints, setup errors."""

from __future__ import annotations

import typing as t

import flask
from flask.views import MethodView
from flask.views import View

from . import _kit
from . import scenario


def _routes_app(**config: t.Any) -> flask.Flask:
    app = _kit.make_app(**config)

    @app.route("/", methods=["GET", "POST"])
    def index() -> t.Any:
        return f"index {flask.request.method}"

    @app.route("/only-put", methods=["PUT"])
    def only_put() -> t.Any:
        return "put"

    @app.route("/no-options", provide_automatic_options=False)
    def no_options() -> t.Any:
        return "no options"

    @app.route("/explicit-options", methods=["GET", "OPTIONS"])
    def explicit_options() -> t.Any:
        return f"explicit {flask.request.method}"

    @app.route("/dir/")
    def directory() -> t.Any:
        return "dir"

    @app.route("/post-dir/", methods=["POST", "PUT"])
    def post_directory() -> t.Any:
        return f"post dir {flask.request.form.to_dict()}"

    @app.route("/file")
    def file() -> t.Any:
        return "file"

    @app.route("/strict/", strict_slashes=False)
    def not_strict() -> t.Any:
        return "not strict"

    @app.route("/int/<int:n>")
    def integer(n: int) -> t.Any:
        return f"int {n}"

    app.add_url_rule("/old", "old", redirect_to="/int/1")
    app.add_url_rule(
        "/old/<int:n>", "old_n", redirect_to=lambda adapter, n: f"/int/{n + 1}"
    )
    return app


REQUESTS = [
    ("GET", "/"),
    ("HEAD", "/"),
    ("OPTIONS", "/"),
    ("DELETE", "/"),
    ("GET", "/only-put"),
    ("OPTIONS", "/only-put"),
    ("OPTIONS", "/no-options"),
    ("OPTIONS", "/explicit-options"),
    ("GET", "/dir"),
    ("POST", "/dir"),
    ("POST", "/post-dir"),
    ("PUT", "/post-dir"),
    ("GET", "/dir?q=1"),
    ("GET", "/file/"),
    ("GET", "/strict"),
    ("GET", "/int/x"),
    ("GET", "/int/05"),
    ("GET", "/old"),
    ("GET", "/old/3"),
    ("GET", "/nope"),
    ("OPTIONS", "*"),
    ("BREW", "/"),
]


@scenario([(m, p, debug) for m, p in REQUESTS for debug in (0, 1)])
def methods_and_slashes(method: str, path: str, debug: int) -> t.Any:
    app = _routes_app(DEBUG=bool(debug))
    probe = _kit.observe(app, signals=False)
    kwargs = {"data": {"a": "1"}} if method == "POST" else {}
    return probe.record(out=_kit.get_all(app, (method, path, kwargs)))


HOST_CONFIGS: dict[str, dict[str, t.Any]] = {
    "none": {},
    "server_name": {"SERVER_NAME": "example.com"},
    "server_name_port": {"SERVER_NAME": "example.com:8080"},
    "subdomain_matching": {"SERVER_NAME": "example.com", "SUBDOMAIN_MATCHING": True},
    "trusted": {"TRUSTED_HOSTS": ["example.com", ".sub.example.com"]},
    "app_root": {"APPLICATION_ROOT": "/root", "SERVER_NAME": "example.com"},
    "scheme": {"PREFERRED_URL_SCHEME": "https", "SERVER_NAME": "example.com"},
}

HOSTS = (
    "example.com",
    "api.example.com",
    "other.org",
    "example.com:8080",
    "a.sub.example.com",
)


@scenario([(c, h) for c in HOST_CONFIGS for h in HOSTS])
def hosts(config: str, host: str) -> t.Any:
    cfg = HOST_CONFIGS[config]
    app = _kit.make_app(**cfg)
    probe = _kit.observe(app, signals=False)

    @app.route("/")
    def index() -> t.Any:
        return {
            "host": flask.request.host,
            "url": flask.url_for("index", _external=True),
            "sub": flask.url_for("sub", _external=True),
            "state": _kit.ctx_state()["url_adapter"],
        }

    @app.route("/", subdomain="api")
    def sub() -> t.Any:
        return "api subdomain"

    return probe.record(
        out=_kit.get_all(app, ("GET", "/", {"headers": {"Host": host}}))
    )


@scenario(["host_matching", "host_matching_static", "subdomain_var"])
def host_rules(kind: str) -> t.Any:
    if kind.startswith("host_matching"):
        app = flask.Flask(
            _kit.APP_NAME,
            root_path=str(_kit.FIXTURES),
            host_matching=True,
            static_host="static.example" if kind.endswith("static") else None,
            static_folder="static" if kind.endswith("static") else None,
        )

        @app.route("/", host="a.example")
        def a() -> t.Any:
            return "a " + flask.url_for("b", _external=True)

        @app.route("/", host="<user>.b.example")
        def b(user: str = "x") -> t.Any:
            return f"b {user}"

        paths = [
            ("GET", "/", {"headers": {"Host": h}})
            for h in ("a.example", "joe.b.example", "c.example")
        ]

        if kind.endswith("static"):
            paths.append(
                ("GET", "/static/hello.txt", {"headers": {"Host": "static.example"}})
            )
    else:
        app = _kit.make_app(SERVER_NAME="example.com")

        @app.route("/", subdomain="<user>")
        def user(user: str) -> t.Any:
            return f"user {user} " + flask.url_for("user", user="z", _external=True)

        paths = [
            ("GET", "/", {"headers": {"Host": h}})
            for h in ("joe.example.com", "example.com", "a.b.example.com")
        ]

    return _kit.get_all(app, *paths)


URL_FOR_CASES: dict[str, tuple[str, dict[str, t.Any]]] = {
    "plain": ("index", {}),
    "query": ("item", {"id": 3, "q": ["a", "b"], "none": None}),
    "anchor": ("index", {"_anchor": "top section"}),
    "external": ("index", {"_external": True}),
    "scheme": ("index", {"_scheme": "https", "_external": True}),
    "scheme_no_external": ("index", {"_scheme": "https"}),
    "method": ("item", {"id": 1, "_method": "POST"}),
    "wrong_method": ("item", {"id": 1, "_method": "DELETE"}),
    "missing_value": ("item", {}),
    "bad_value": ("item", {"id": "x"}),
    "unknown": ("nowhere", {}),
    "relative_bp": (".index", {}),
    "static": ("static", {"filename": "hello.txt"}),
    "bp_endpoint": ("bp.page", {}),
    "bp_relative": (".page", {}),
}


@scenario(
    [
        (c, where)
        for c in URL_FOR_CASES
        for where in ("request", "bp_request", "app_ctx", "app_ctx_sn")
    ]
)
def url_for(case: str, where: str) -> t.Any:
    config = {"SERVER_NAME": "example.com"} if where == "app_ctx_sn" else {}
    app = _kit.make_app(**config)

    @app.route("/")
    def index() -> t.Any:
        return "i"

    @app.route("/item/<int:id>", methods=["GET", "POST"])
    def item(id: int) -> t.Any:
        return "item"

    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/page")
    def page() -> t.Any:
        return "page"

    @bp.route("/")
    def index_bp() -> t.Any:
        return "bpi"

    app.register_blueprint(bp)
    endpoint, values = URL_FOR_CASES[case]

    def run() -> t.Any:
        return flask.url_for(endpoint, **values)

    if where == "request":
        with app.test_request_context("/"):
            return _kit.call(run)

    if where == "bp_request":
        with app.test_request_context("/bp/page"):
            return _kit.call(run)

    with app.app_context():
        return _kit.call(run)


@scenario(["lang", "lang_missing", "bp_defaults", "pop_values"])
def url_defaults_and_preprocessors(kind: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app, signals=False)
    bp = flask.Blueprint("bp", __name__, url_prefix="/<lang>")

    @bp.url_defaults
    def add_lang(endpoint: str, values: dict[str, t.Any]) -> None:
        probe("url_defaults", endpoint, sorted(values))

        if kind != "lang_missing":
            values.setdefault("lang", flask.g.get("lang", "en"))

    @bp.url_value_preprocessor
    def pull_lang(endpoint: t.Any, values: t.Any) -> None:
        probe("preprocessor", endpoint, sorted(values or {}))

        if kind == "pop_values":
            flask.g.lang = values.pop("lang")
        else:
            flask.g.lang = values["lang"]

    @bp.route("/page/<int:n>")
    def page(n: int, lang: str | None = None) -> t.Any:
        return {
            "n": n,
            "lang": lang,
            "url": flask.url_for(".page", n=n + 1),
            "other": _kit.call(flask.url_for, "bp.page", n=0, lang="fr"),
        }

    if kind == "bp_defaults":
        app.url_defaults(lambda endpoint, values: probe("app url_defaults", endpoint))

    app.register_blueprint(bp)
    return probe.record(out=_kit.get_all(app, "/de/page/1"))


@scenario(
    [
        "nested_prefixes",
        "name_override",
        "same_bp_twice_named",
        "duplicate_name",
        "dotted_name",
        "empty_name",
        "self_register",
        "subdomain_nested",
        "url_prefix_slashes",
        "register_twice_same",
        "endpoint_with_dot",
        "view_func_with_dot",
        "duplicate_endpoint",
    ]
)
def blueprints(kind: str) -> t.Any:
    app = _kit.make_app(SERVER_NAME="example.com")

    def view() -> t.Any:
        r = flask.request
        return {
            "endpoint": r.endpoint,
            "bps": r.blueprints,
            "url": flask.url_for(r.endpoint),
        }

    def setup() -> t.Any:
        if kind == "nested_prefixes":
            a = flask.Blueprint("a", __name__, url_prefix="/a")
            b = flask.Blueprint("b", __name__, url_prefix="/b")
            c = flask.Blueprint("c", __name__)
            c.add_url_rule("/c", "v", view)
            b.register_blueprint(c, url_prefix="/cc")
            a.register_blueprint(b)
            app.register_blueprint(a)
        elif kind == "name_override":
            a = flask.Blueprint("a", __name__)
            a.add_url_rule("/v", "v", view)
            app.register_blueprint(a, name="renamed", url_prefix="/r")
        elif kind == "same_bp_twice_named":
            a = flask.Blueprint("a", __name__)
            a.add_url_rule("/v", "v", view)
            app.register_blueprint(a, url_prefix="/one")
            app.register_blueprint(a, url_prefix="/two", name="two")
        elif kind == "duplicate_name":
            a = flask.Blueprint("a", __name__)
            a2 = flask.Blueprint("a", __name__)
            app.register_blueprint(a)
            app.register_blueprint(a2)
        elif kind == "dotted_name":
            flask.Blueprint("a.b", __name__)
        elif kind == "empty_name":
            flask.Blueprint("", __name__)
        elif kind == "self_register":
            a = flask.Blueprint("a", __name__)
            a.register_blueprint(a)
        elif kind == "subdomain_nested":
            a = flask.Blueprint("a", __name__, subdomain="api")
            b = flask.Blueprint("b", __name__, subdomain="v1")
            b.add_url_rule("/v", "v", view)
            a.register_blueprint(b)
            app.register_blueprint(a)
        elif kind == "url_prefix_slashes":
            a = flask.Blueprint("a", __name__, url_prefix="/a/")
            a.add_url_rule("/v/", "v", view)
            b = flask.Blueprint("b", __name__, url_prefix="/b/")
            b.add_url_rule("", "root", view)
            a.register_blueprint(b)
            app.register_blueprint(a)
        elif kind == "register_twice_same":
            a = flask.Blueprint("a", __name__)
            a.add_url_rule("/v", "v", view)
            app.register_blueprint(a)
            app.register_blueprint(a)
        elif kind == "endpoint_with_dot":
            app.add_url_rule("/x", "a.b", view)
        elif kind == "view_func_with_dot":
            a = flask.Blueprint("a", __name__)

            def f() -> str:
                return "f"

            f.__name__ = "has.dot"
            a.add_url_rule("/f", view_func=f)
        else:
            app.add_url_rule("/x", "same", view)
            app.add_url_rule("/y", "same", lambda: "other")

    rv = _kit.call(setup)
    rules = sorted(
        [r.rule, r.endpoint, r.subdomain or "", sorted(r.methods or ())]
        for r in app.url_map.iter_rules()
    )
    paths = [
        (
            "GET",
            r[0],
            {"headers": {"Host": (r[2] + "." if r[2] else "") + "example.com"}},
        )
        for r in rules
        if "<" not in r[0]
    ]
    return {"setup": rv, "rules": rules, "out": _kit.get_all(app, *paths)}


SETUP_METHODS: dict[str, t.Callable[[flask.Flask], t.Any]] = {
    "route": lambda app: app.route("/late")(_kit.noop),
    "add_url_rule": lambda app: app.add_url_rule("/late", "late", _kit.noop),
    "before_request": lambda app: app.before_request(_kit.noop),
    "errorhandler": lambda app: app.errorhandler(404)(_kit.noop),
    "register_blueprint": lambda app: app.register_blueprint(
        flask.Blueprint("late", __name__)
    ),
    "template_filter": lambda app: app.template_filter()(_kit.noop),
    "teardown_appcontext": lambda app: app.teardown_appcontext(_kit.noop),
    "context_processor": lambda app: app.context_processor(_kit.noop),
    "bp_route_after_register": None,  # type: ignore[dict-item]
    "bp_register_after_register": None,  # type: ignore[dict-item]
}


@scenario(list(SETUP_METHODS))
def setup_after_first_request(name: str) -> t.Any:
    app = _kit.make_app()
    bp = flask.Blueprint("bp", __name__)

    @bp.route("/bp")
    def in_bp() -> t.Any:
        return "bp"

    app.register_blueprint(bp)

    @app.route("/")
    def index() -> t.Any:
        return "i"

    first = _kit.get_all(app, "/")

    if name == "bp_route_after_register":
        rv = _kit.call(lambda: bp.route("/late")(_kit.noop))
    elif name == "bp_register_after_register":
        rv = _kit.call(
            lambda: bp.register_blueprint(flask.Blueprint("child", __name__))
        )
    else:
        rv = _kit.call(SETUP_METHODS[name], app)

    return {"first": first, "late": rv, "after": _kit.get_all(app, "/late")}


class Counter(View):
    methods = ["GET", "POST"]
    decorators = [lambda f: f]
    init_every_request = False

    def __init__(self, label: str) -> None:
        self.label = label
        self.count = 0

    def dispatch_request(self, **kwargs: t.Any) -> t.Any:
        self.count += 1
        return f"{self.label} {self.count} {sorted(kwargs.items())}"


class Items(MethodView):
    def get(self, id: int | None = None) -> t.Any:
        return f"get {id}"

    def post(self) -> t.Any:
        return "post", 201

    def delete(self, id: int) -> t.Any:
        return "", 204


class OnlyHead(MethodView):
    def head(self) -> t.Any:
        return "", 200, {"X-Head": "1"}

    def get(self) -> t.Any:
        return "get body"


@scenario(["counter", "method_view", "only_head", "inherit"])
def class_views(kind: str) -> t.Any:
    app = _kit.make_app()

    if kind == "counter":
        app.add_url_rule("/c/<int:n>", view_func=Counter.as_view("counter", "lbl"))
        paths = ["/c/1", "/c/2", ("POST", "/c/3", {}), ("PUT", "/c/4", {})]
    elif kind == "method_view":
        view = Items.as_view("items")
        app.add_url_rule("/items/", view_func=view, methods=["GET", "POST"])
        app.add_url_rule("/items/<int:id>", view_func=view, methods=["GET", "DELETE"])
        paths = [
            "/items/",
            ("POST", "/items/", {}),
            "/items/5",
            ("DELETE", "/items/5", {}),
            ("PATCH", "/items/5", {}),
            ("OPTIONS", "/items/5", {}),
        ]
    elif kind == "only_head":
        app.add_url_rule("/h", view_func=OnlyHead.as_view("h"))
        paths = ["/h", ("HEAD", "/h", {}), ("OPTIONS", "/h", {})]
    else:

        class Child(Items):
            def put(self, id: int) -> t.Any:
                return "put"

        app.add_url_rule("/i/<int:id>", view_func=Child.as_view("child"))
        paths = ["/i/1", ("PUT", "/i/1", {}), ("OPTIONS", "/i/1", {})]

    rules = sorted([r.rule, sorted(r.methods or ())] for r in app.url_map.iter_rules())
    return {"rules": rules, "out": _kit.get_all(app, *paths)}
