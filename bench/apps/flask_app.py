"""The workloads as a Flask application.

The same code runs on this project and on Flask 3.1 (each in its own
virtualenv): it is exactly what a user would write, which is the point of a
drop-in replacement.
"""

from __future__ import annotations

import asyncio
import collections.abc as cabc
from pathlib import Path

from flask import Blueprint
from flask import Flask
from flask import g
from flask import render_template
from flask import request
from flask import Response
from flask import session

from workloads import ASYNC_BODY
from workloads import HELLO_BODY
from workloads import ROUTE_COUNT
from workloads import SECRET_KEY
from workloads import SLOW_BODY
from workloads import SLOW_SECONDS
from workloads import TABLE_ROWS
from workloads import TABLE_TITLE

TEMPLATES = str(Path(__file__).resolve().parent.parent / "templates")


def _app() -> Flask:
    return Flask(__name__, template_folder=TEMPLATES)


def hello() -> Flask:
    app = _app()

    @app.route("/")
    def index() -> str:
        return HELLO_BODY.decode()

    return app


def json_params() -> Flask:
    app = _app()

    @app.route("/user/<int:user_id>/post/<slug>")
    def post(user_id: int, slug: str) -> dict[str, object]:
        return {"user_id": user_id, "slug": slug, "q": request.args.get("q", "")}

    return app


def template() -> Flask:
    app = _app()

    @app.route("/table")
    def table() -> str:
        return render_template("table.html", title=TABLE_TITLE, rows=TABLE_ROWS)

    return app


def form() -> Flask:
    app = _app()

    @app.post("/form")
    def echo() -> dict[str, str]:
        return request.form.to_dict()

    return app


def form_guarded() -> Flask:
    # The same app with cross-origin protection and security headers on
    # (settings that Flask 3.1 ignores).
    app = form()
    app.config.update(CROSS_ORIGIN_PROTECTION=True, SECURITY_HEADERS=True)
    return app


def session_app() -> Flask:
    app = _app()
    app.secret_key = SECRET_KEY

    @app.route("/session")
    def counter() -> str:
        count = session.get("count", 0) + 1
        session["count"] = count
        return f"count={count}"

    return app


def not_found() -> Flask:
    # The 404 is Flask's own, on an app that has a route.
    return hello()


def _item_view(i: int) -> cabc.Callable[[int], str]:
    def item(item_id: int) -> str:
        return f"res{i}:{item_id}"

    return item


def routes300() -> Flask:
    app = _app()
    for i in range(ROUTE_COUNT):
        app.add_url_rule(f"/res{i}/<int:item_id>", f"res{i}", _item_view(i))
    return app


def blueprint() -> Flask:
    app = _app()
    outer = Blueprint("outer", __name__, url_prefix="/outer")
    inner = Blueprint("inner", __name__, url_prefix="/inner")

    @app.before_request
    def app_before() -> None:
        g.trail = ["app"]

    @outer.before_request
    def outer_before() -> None:
        g.trail.append("outer")

    @inner.before_request
    def inner_before() -> None:
        g.trail.append("inner")

    @inner.route("/hook")
    def hook() -> str:
        return ">".join(g.trail)

    @inner.after_request
    def inner_after(response: Response) -> Response:
        response.headers["X-After-inner"] = "1"
        return response

    @outer.after_request
    def outer_after(response: Response) -> Response:
        response.headers["X-After-outer"] = "1"
        return response

    @app.after_request
    def app_after(response: Response) -> Response:
        response.headers["X-After-app"] = "1"
        return response

    outer.register_blueprint(inner)
    app.register_blueprint(outer)
    return app


def async_view() -> Flask:
    app = _app()

    @app.route("/async")
    async def index() -> str:
        return ASYNC_BODY.decode()

    return app


def slow_async() -> Flask:
    # Served over ASGI only (asgi_e2e.py): app.asgi, or Flask 3.1 through
    # asgiref's WsgiToAsgi.
    app = _app()

    @app.route("/slow")
    async def slow() -> str:
        await asyncio.sleep(SLOW_SECONDS)
        return SLOW_BODY.decode()

    return app


APPS: dict[str, cabc.Callable[[], Flask]] = {
    "hello": hello,
    "json_params": json_params,
    "template": template,
    "form": form,
    "form_guarded": form_guarded,
    "session": session_app,
    "not_found": not_found,
    "routes300": routes300,
    "blueprint": blueprint,
    "async_view": async_view,
    "slow_async": slow_async,
}
