"""The workloads on Falcon (its WSGI ``App``).

Falcon's resources are classes with ``on_<method>`` responders. Nested
blueprint hooks map to Falcon's three levels: an application middleware,
``falcon.before``/``falcon.after`` on the resource class, and the same on
the responder. An ``async def`` responder needs Falcon's ASGI app, so the
async workload is n/a here.
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t

import falcon
from falcon import Request as Req
from falcon import Response as Resp

from apps._common import CookieSession
from apps._common import jinja_env
from workloads import HELLO_BODY
from workloads import ROUTE_COUNT
from workloads import SESSION_COOKIE
from workloads import TABLE_ROWS
from workloads import TABLE_TITLE


def hello() -> falcon.App:
    class Hello:
        def on_get(self, req: Req, resp: Resp) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = HELLO_BODY.decode()

    app = falcon.App()
    app.add_route("/", Hello())
    return app


def json_params() -> falcon.App:
    class Post:
        def on_get(self, req: Req, resp: Resp, user_id: int, slug: str) -> None:
            resp.media = {
                "user_id": user_id,
                "slug": slug,
                "q": req.get_param("q", default=""),
            }

    app = falcon.App()
    app.add_route("/user/{user_id:int}/post/{slug}", Post())
    return app


def template() -> falcon.App:
    env = jinja_env()

    class Table:
        def on_get(self, req: Req, resp: Resp) -> None:
            resp.content_type = falcon.MEDIA_HTML
            resp.text = env.get_template("table.html").render(
                title=TABLE_TITLE, rows=TABLE_ROWS
            )

    app = falcon.App()
    app.add_route("/table", Table())
    return app


def form() -> falcon.App:
    class Echo:
        def on_post(self, req: Req, resp: Resp) -> None:
            resp.media = req.get_media()

    app = falcon.App()
    app.add_route("/form", Echo())
    return app


def session_app() -> falcon.App:
    cookies = CookieSession()

    class Counter:
        def on_get(self, req: Req, resp: Resp) -> None:
            data = cookies.load(req.cookies.get(SESSION_COOKIE))
            data["count"] = count = data.get("count", 0) + 1
            resp.set_cookie(
                SESSION_COOKIE,
                cookies.dump(data),
                path="/",
                secure=False,
                http_only=True,
            )
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = f"count={count}"

    app = falcon.App()
    app.add_route("/session", Counter())
    return app


def not_found() -> falcon.App:
    return hello()


class Item:
    def __init__(self, i: int) -> None:
        self.i = i

    def on_get(self, req: Req, resp: Resp, item_id: int) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"res{self.i}:{item_id}"


def routes300() -> falcon.App:
    app = falcon.App()
    for i in range(ROUTE_COUNT):
        app.add_route(f"/res{i}/{{item_id:int}}", Item(i))
    return app


class AppHooks:
    """The application level: a middleware around every request."""

    def process_request(self, req: Req, resp: Resp) -> None:
        req.context.trail = ["app"]

    def process_response(
        self, req: Req, resp: Resp, resource: object, req_succeeded: bool
    ) -> None:
        resp.set_header("X-After-app", "1")


def _before(level: str) -> cabc.Callable[..., None]:
    def before(
        req: Req, resp: Resp, resource: object, params: dict[str, t.Any]
    ) -> None:
        req.context.trail.append(level)

    return before


def _after(level: str) -> cabc.Callable[..., None]:
    header = f"X-After-{level}"

    def after(req: Req, resp: Resp, resource: object) -> None:
        resp.set_header(header, "1")

    return after


def blueprint() -> falcon.App:
    @falcon.before(_before("outer"))
    @falcon.after(_after("outer"))
    class Hook:
        @falcon.before(_before("inner"))
        @falcon.after(_after("inner"))
        def on_get(self, req: Req, resp: Resp) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = ">".join(req.context.trail)

    app = falcon.App(middleware=[AppHooks()])
    app.add_route("/outer/inner/hook", Hook())
    return app


APPS: dict[str, cabc.Callable[[], falcon.App]] = {
    "hello": hello,
    "json_params": json_params,
    "template": template,
    "form": form,
    "session": session_app,
    "not_found": not_found,
    "routes300": routes300,
    "blueprint": blueprint,
}
