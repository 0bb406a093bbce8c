"""The workloads on Bottle.

Bottle's ``request`` and ``response`` are thread-local globals and a view
that returns a dict is serialised to JSON by the default ``JSONPlugin``.
Bottle has no nested blueprints: the closest idiom is the application's
``before_request``/``after_request`` hooks for the outer level and one route
plugin per URL prefix for the inner levels (a plugin decides when it is
applied to a route, so the per-level chains are built once).
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t

from bottle import Bottle
from bottle import request
from bottle import response
from bottle import Route

from apps._common import CookieSession
from apps._common import jinja_env
from workloads import HELLO_BODY
from workloads import ROUTE_COUNT
from workloads import SESSION_COOKIE
from workloads import TABLE_ROWS
from workloads import TABLE_TITLE


def hello() -> Bottle:
    app = Bottle()

    @app.route("/")
    def index() -> str:
        return HELLO_BODY.decode()

    return app


def json_params() -> Bottle:
    app = Bottle()

    @app.route("/user/<user_id:int>/post/<slug>")
    def post(user_id: int, slug: str) -> dict[str, object]:
        return {"user_id": user_id, "slug": slug, "q": request.query.q}

    return app


def template() -> Bottle:
    app = Bottle()
    env = jinja_env()

    @app.route("/table")
    def table() -> str:
        return env.get_template("table.html").render(title=TABLE_TITLE, rows=TABLE_ROWS)

    return app


def form() -> Bottle:
    app = Bottle()

    @app.post("/form")
    def echo() -> dict[str, str]:
        return dict(request.forms.decode())

    return app


def session_app() -> Bottle:
    app = Bottle()
    cookies = CookieSession()

    @app.route("/session")
    def counter() -> str:
        data = cookies.load(request.get_cookie(SESSION_COOKIE))
        data["count"] = count = data.get("count", 0) + 1
        response.set_cookie(SESSION_COOKIE, cookies.dump(data), httponly=True, path="/")
        return f"count={count}"

    return app


def not_found() -> Bottle:
    return hello()


def _item_view(i: int) -> cabc.Callable[[int], str]:
    def item(item_id: int) -> str:
        return f"res{i}:{item_id}"

    return item


def routes300() -> Bottle:
    app = Bottle()
    for i in range(ROUTE_COUNT):
        app.route(f"/res{i}/<item_id:int>", callback=_item_view(i))
    return app


class LevelHooks:
    """A route plugin that runs one level's hooks around the routes under *prefix*."""

    api = 2

    def __init__(self, level: str, prefix: str) -> None:
        self.name = f"hooks-{level}"
        self.level = level
        self.prefix = prefix

    def apply(
        self, callback: cabc.Callable[..., t.Any], route: Route
    ) -> cabc.Callable[..., t.Any]:
        if not route.rule.startswith(self.prefix):
            return callback
        level = self.level
        header = f"X-After-{level}"

        def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            request.environ["bench.trail"].append(level)
            rv = callback(*args, **kwargs)
            response.set_header(header, "1")
            return rv

        return wrapper


def blueprint() -> Bottle:
    app = Bottle()

    @app.hook("before_request")
    def app_before() -> None:
        request.environ["bench.trail"] = ["app"]

    @app.hook("after_request")
    def app_after() -> None:
        response.set_header("X-After-app", "1")

    # Plugins installed later wrap closer to the view: outer, then inner.
    app.install(LevelHooks("outer", "/outer/"))
    app.install(LevelHooks("inner", "/outer/inner/"))

    @app.route("/outer/inner/hook")
    def hook() -> str:
        return ">".join(request.environ["bench.trail"])

    return app


APPS: dict[str, cabc.Callable[[], Bottle]] = {
    "hello": hello,
    "json_params": json_params,
    "template": template,
    "form": form,
    "session": session_app,
    "not_found": not_found,
    "routes300": routes300,
    "blueprint": blueprint,
}
