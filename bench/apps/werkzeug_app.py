"""The workloads on bare Werkzeug: ``Request`` + ``Map`` + ``Response``.

This is the floor a Werkzeug-based framework builds on: the application from
Werkzeug's own tutorial, with no contexts, no hooks registry and no
return-value coercion. Nested blueprint hooks become hook chains resolved per
endpoint when the application is built.
"""

from __future__ import annotations

import collections.abc as cabc
import json
import typing as t

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.routing import Rule
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

from apps._common import CookieSession
from apps._common import jinja_env
from workloads import HELLO_BODY
from workloads import ROUTE_COUNT
from workloads import SESSION_COOKIE
from workloads import TABLE_ROWS
from workloads import TABLE_TITLE

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIEnvironment

View = cabc.Callable[..., Response]
Before = cabc.Callable[[Request], None]
After = cabc.Callable[[Request, Response], Response]


class App:
    """Dispatch a URL map to views, with optional hooks per dotted scope.

    ``hooks`` maps a scope (``None`` for the whole app, ``"outer"``,
    ``"outer.inner"``, ...) to its before and after hooks. An endpoint
    ``"outer.inner.view"`` runs the hooks of ``None``, ``"outer"`` and
    ``"outer.inner"``; the chains are built here, once.
    """

    def __init__(
        self,
        rules: list[Rule],
        views: dict[str, View],
        hooks: dict[str | None, tuple[list[Before], list[After]]] | None = None,
    ) -> None:
        self.url_map = Map(rules)
        self.views = views
        hooks = hooks or {}
        self.chains: dict[str, tuple[tuple[Before, ...], tuple[After, ...]]] = {}
        for endpoint in views:
            parts = endpoint.split(".")[:-1]
            scopes = [None, *(".".join(parts[: i + 1]) for i in range(len(parts)))]
            before = [f for s in scopes for f in hooks.get(s, ((), ()))[0]]
            after = [f for s in reversed(scopes) for f in hooks.get(s, ((), ()))[1]]
            self.chains[endpoint] = (tuple(before), tuple(after))

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        request = Request(environ)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            endpoint, values = adapter.match()
            before, after = self.chains[endpoint]
            for f in before:
                f(request)
            response = self.views[endpoint](request, **values)
            for g in after:
                response = g(request, response)
        except HTTPException as e:
            return e(environ, start_response)
        return response(environ, start_response)


def _json(data: object) -> Response:
    return Response(json.dumps(data), mimetype="application/json")


def hello() -> App:
    def index(request: Request) -> Response:
        return Response(HELLO_BODY)

    return App([Rule("/", endpoint="index")], {"index": index})


def json_params() -> App:
    def post(request: Request, user_id: int, slug: str) -> Response:
        return _json({"user_id": user_id, "slug": slug, "q": request.args.get("q", "")})

    return App(
        [Rule("/user/<int:user_id>/post/<slug>", endpoint="post")], {"post": post}
    )


def template() -> App:
    env = jinja_env()

    def table(request: Request) -> Response:
        html = env.get_template("table.html").render(title=TABLE_TITLE, rows=TABLE_ROWS)
        return Response(html, mimetype="text/html")

    return App([Rule("/table", endpoint="table")], {"table": table})


def form() -> App:
    def echo(request: Request) -> Response:
        return _json(request.form.to_dict())

    return App([Rule("/form", endpoint="echo", methods=["POST"])], {"echo": echo})


def session_app() -> App:
    cookies = CookieSession()

    def counter(request: Request) -> Response:
        data = cookies.load(request.cookies.get(SESSION_COOKIE))
        data["count"] = count = data.get("count", 0) + 1
        response = Response(f"count={count}")
        response.set_cookie(SESSION_COOKIE, cookies.dump(data), httponly=True)
        return response

    return App([Rule("/session", endpoint="counter")], {"counter": counter})


def not_found() -> App:
    return hello()


def routes300() -> App:
    def item(request: Request, item_id: int, i: int) -> Response:
        return Response(f"res{i}:{item_id}")

    rules = [
        Rule(f"/res{i}/<int:item_id>", endpoint=f"res{i}", defaults={"i": i})
        for i in range(ROUTE_COUNT)
    ]
    return App(rules, {f"res{i}": item for i in range(ROUTE_COUNT)})


def blueprint() -> App:
    def app_before(request: Request) -> None:
        request.trail = ["app"]  # type: ignore[attr-defined]

    def outer_before(request: Request) -> None:
        request.trail.append("outer")  # type: ignore[attr-defined]

    def inner_before(request: Request) -> None:
        request.trail.append("inner")  # type: ignore[attr-defined]

    def header(level: str) -> After:
        def after(request: Request, response: Response) -> Response:
            response.headers[f"X-After-{level}"] = "1"
            return response

        return after

    def hook(request: Request) -> Response:
        return Response(">".join(request.trail))  # type: ignore[attr-defined]

    hooks: dict[str | None, tuple[list[Before], list[After]]] = {
        None: ([app_before], [header("app")]),
        "outer": ([outer_before], [header("outer")]),
        "outer.inner": ([inner_before], [header("inner")]),
    }
    rule = Rule("/outer/inner/hook", endpoint="outer.inner.hook")
    return App([rule], {"outer.inner.hook": hook}, hooks)


APPS: dict[str, cabc.Callable[[], App]] = {
    "hello": hello,
    "json_params": json_params,
    "template": template,
    "form": form,
    "session": session_app,
    "not_found": not_found,
    "routes300": routes300,
    "blueprint": blueprint,
}
