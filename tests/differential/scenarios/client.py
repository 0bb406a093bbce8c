"""The test client: preserved contexts, redirects, cookies, ``open`` with a
builder, ``test_request_context`` arguments, unbound proxies.
"""

from __future__ import annotations

import typing as t

import flask
from flask.testing import EnvironBuilder

from . import _differs
from . import _kit
from . import scenario


def _app(**config: t.Any) -> flask.Flask:
    app = _kit.make_app(**config)

    @app.route("/")
    def index() -> t.Any:
        flask.g.seen = "index"
        return "index"

    @app.route("/read")
    def read() -> t.Any:
        return repr(flask.session.get("k"))

    @app.route("/write")
    def write() -> t.Any:
        flask.session["k"] = "v"
        flask.g.wrote = True
        return "written"

    @app.route("/error")
    def error() -> t.Any:
        flask.g.before_error = 1
        flask.session["e"] = 1
        raise ValueError("escaped")

    @app.route("/abort")
    def abort() -> t.Any:
        flask.abort(418)

    @app.route("/redirect/<int:n>")
    def redirect(n: int) -> t.Any:
        if n <= 0:
            return flask.redirect(flask.url_for("index"))

        return flask.redirect(flask.url_for("redirect", n=n - 1), 307 if n % 2 else 302)

    return app


def _proxies() -> dict[str, t.Any]:
    out = {}

    for name, read in (
        ("request.path", lambda: flask.request.path),
        ("session", lambda: dict(flask.session)),
        ("g", lambda: dict(vars(flask.g._get_current_object()))),
        ("current_app", lambda: flask.current_app.name),
    ):
        out[name] = _kit.call(read)

    return out


@scenario(
    [
        (path, testing)
        for path in ("/", "/read", "/write", "/error", "/abort", "/missing")
        for testing in (0, 1)
    ],
    # The error escaped and popped everything: the unbound messages differ
    # past their first line.
    differs={"/error-1": _differs.first_lines},
)
def with_client(path: str, testing: int) -> t.Any:
    app = _app(testing=bool(testing))
    probe = _kit.observe(app)
    client = app.test_client()

    with client:
        out = _kit.req(client, path)
        inside = [_kit.ctx_state(), _proxies()]

    return probe.record(out=out, inside=inside, after=_kit.ctx_state())


@scenario(
    ["two_requests", "nested_with", "request_then_ctx", "session_transaction_inside"]
)
def with_client_more(kind: str) -> t.Any:
    app = _app(testing=True)
    probe = _kit.observe(app)
    client = app.test_client()

    def run() -> t.Any:
        with client:
            client.get("/write")
            probe("first", _kit.ctx_state())

            if kind == "two_requests":
                client.get("/read")
                probe("second", _kit.ctx_state())
            elif kind == "nested_with":
                with client:
                    client.get("/read")
            elif kind == "request_then_ctx":
                with app.test_request_context("/other"):
                    probe("inner ctx", _kit.ctx_state())

                probe("back", _kit.ctx_state())
            else:
                with client.session_transaction() as s:
                    s["x"] = 1

    rv = _kit.call(run)
    probe("end", _kit.ctx_state())
    return probe.record(rv=rv)


@scenario(
    [(start, n) for start in ("redirect", "abort") for n in (0, 1, 3)]
    + [("loop", 0), ("external", 0), ("post_307", 0), ("post_302", 0)]
)
def follow_redirects(start: str, n: int) -> t.Any:
    app = _app()

    @app.route("/loop")
    def loop() -> t.Any:
        return flask.redirect("/loop")

    @app.route("/external")
    def external() -> t.Any:
        return flask.redirect("http://other.example/x")

    @app.route("/post/<int:code>", methods=["POST"])
    def post(code: int) -> t.Any:
        return flask.redirect("/echo", code)

    @app.route("/echo", methods=["GET", "POST"])
    def echo() -> t.Any:
        return f"{flask.request.method} {flask.request.get_data(as_text=True)}"

    client = app.test_client()

    def go() -> t.Any:
        if start == "redirect":
            rv = client.get(f"/redirect/{n}", follow_redirects=True)
        elif start.startswith("post"):
            rv = client.post(f"/post/{start[-3:]}", data="body", follow_redirects=True)
        else:
            rv = client.get(f"/{start}", follow_redirects=True)

        return {
            "resp": _kit.resp(rv),
            "history": [h.status for h in rv.history],
            "request_path": rv.request.path,
        }

    return _kit.call(go)


@scenario(["set_get", "delete", "domain", "path", "expired", "response_cookies"])
def cookies(kind: str) -> t.Any:
    app = _app()

    @app.route("/cookies")
    def show() -> t.Any:
        return dict(flask.request.cookies)

    @app.route("/set")
    def set_cookie() -> t.Any:
        r = flask.make_response("set")
        r.set_cookie("a", "1", max_age=60, path="/", samesite="Lax")
        r.set_cookie("b", "2", domain="localhost", httponly=True)
        r.delete_cookie("c")
        return r

    client = app.test_client()

    if kind == "set_get":
        client.set_cookie("x", "y")
    elif kind == "delete":
        client.set_cookie("x", "y")
        client.delete_cookie("x")
    elif kind == "domain":
        client.set_cookie("x", "y", domain="other.example")
    elif kind == "path":
        client.set_cookie("x", "y", path="/elsewhere")
    elif kind == "expired":
        client.set_cookie("x", "y", max_age=0)
    else:
        client.get("/set")

    cookie = client.get_cookie("a")
    return {
        "out": _kit.req(client, "/cookies"),
        "a": None if cookie is None else [cookie.value, cookie.path, cookie.domain],
    }


@scenario(["builder", "environ_dict", "path_kwargs", "request_obj", "json_builder"])
def client_open(kind: str) -> t.Any:
    app = _kit.make_app(testing=True)

    @app.route("/echo", methods=["GET", "POST", "PUT"])
    def echo() -> t.Any:
        r = flask.request
        return {
            "method": r.method,
            "args": r.args.to_dict(),
            "data": r.get_data(as_text=True),
            "host": r.host,
            "scheme": r.scheme,
            "ct": r.content_type,
        }

    client = app.test_client()

    def go() -> t.Any:
        if kind == "builder":
            b = EnvironBuilder(app, "/echo", method="PUT", data="d", query_string="a=1")
            rv = client.open(b)
        elif kind == "environ_dict":
            b = EnvironBuilder(app, "/echo", method="POST", data="e")
            rv = client.open(b.get_environ())
        elif kind == "path_kwargs":
            rv = client.open(
                "/echo",
                method="POST",
                base_url="https://h.example:8443",
                query_string={"q": "w"},
                data={"f": "v"},
            )
        elif kind == "request_obj":
            b = EnvironBuilder(app, "/echo?z=9")
            rv = client.open(b.get_request())
        else:
            b = EnvironBuilder(app, "/echo", method="POST", json={"j": 1})
            rv = client.open(b)

        return _kit.resp(rv)

    return _kit.call(go)


TRC_ARGS: dict[str, dict[str, t.Any]] = {
    "default": {},
    "path": {"path": "/a/b?x=1"},
    "base_url": {"base_url": "https://example.com:8080/root/"},
    "subdomain": {"subdomain": "api"},
    "url_scheme": {"url_scheme": "https"},
    "method_data": {"method": "POST", "data": {"f": "1"}},
    "json": {"method": "POST", "json": {"a": 1}},
    "headers": {"headers": {"Host": "myhost.example"}},
    "environ_base": {"environ_base": {"REMOTE_ADDR": "9.9.9.9"}},
    "subdomain_and_base": {"subdomain": "x", "base_url": "http://h/"},
}


@scenario([(k, sn) for k in TRC_ARGS for sn in ("", "example.com")])
def test_request_context(kind: str, server_name: str) -> t.Any:
    config = {"SERVER_NAME": server_name} if server_name else {}
    app = _kit.make_app(**config)

    @app.route("/a/b")
    def ab() -> t.Any:
        return "ab"

    def run() -> t.Any:
        with app.test_request_context(**TRC_ARGS[kind]):
            r = flask.request
            return {
                "url": r.url,
                "host": r.host,
                "args": r.args.to_dict(),
                "form": r.form.to_dict(),
                "json": r.get_json(silent=True),
                "state": _kit.ctx_state(),
                "url_for": _kit.call(flask.url_for, "ab", _external=True),
            }

    return _kit.call(run)


PROXY_READS = {
    "request": lambda: flask.request.path,
    "session": lambda: flask.session.get("x"),
    "g": lambda: flask.g.get("x"),
    "current_app": lambda: flask.current_app.name,
    "url_for": lambda: flask.url_for("index"),
    "render": lambda: flask.render_template_string("x"),
    "flash": lambda: flask.flash("x"),
    "abort": lambda: flask.abort(404),
}


@scenario(
    [(name, where) for name in PROXY_READS for where in ("none", "app_ctx")],
    differs=_differs.first_lines,
)
def unbound_proxies(name: str, where: str) -> t.Any:
    app = _kit.make_app()

    @app.route("/")
    def index() -> t.Any:
        return "x"

    if where == "none":
        return _kit.call(PROXY_READS[name])

    with app.app_context():
        return _kit.call(PROXY_READS[name])


@scenario(["app_ctx", "request_ctx", "wrong_order", "copy"])
def context_misuse(kind: str) -> t.Any:
    app = _kit.make_app()

    def run() -> t.Any:
        if kind == "app_ctx":
            ctx = app.app_context()
            ctx.push()
            other = app.app_context()
            other.push()
            ctx.pop()
        elif kind == "request_ctx":
            ctx = app.test_request_context()
            ctx.push()
            other = app.test_request_context()
            other.push()
            ctx.pop()
        elif kind == "wrong_order":
            ctx = app.test_request_context()
            ctx.push()
            flask.globals._cv_app.get().pop()
        else:
            with app.test_request_context("/c?x=1") as ctx:
                copied = ctx.copy()

            with copied:
                return [flask.request.path, flask.request.args.to_dict()]

        return None

    rv = _kit.call(run)

    if "raised" in rv:
        # The message names both contexts by repr; keep its shape.
        import re

        rv["raised"]["message"] = re.sub(r"<[^>]*>", "<ctx>", rv["raised"]["message"])

    return rv
