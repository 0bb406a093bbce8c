"""The ASGI workloads on Quart, as its users write them.

Quart has Flask's API with ``async def`` views: its views are coroutines by
nature (a sync view would run in a thread), so hello world and the JSON
workload are ``async def`` here, returning what the Flask views return.
"""

from __future__ import annotations

import asyncio
import collections.abc as cabc

from quart import Quart
from quart import request

from workloads import HELLO_BODY
from workloads import SLOW_BODY
from workloads import SLOW_SECONDS


def hello() -> Quart:
    app = Quart(__name__)

    @app.route("/")
    async def index() -> str:
        return HELLO_BODY.decode()

    return app


def json_params() -> Quart:
    app = Quart(__name__)

    @app.route("/user/<int:user_id>/post/<slug>")
    async def post(user_id: int, slug: str) -> dict[str, object]:
        return {"user_id": user_id, "slug": slug, "q": request.args.get("q", "")}

    return app


def slow_async() -> Quart:
    app = Quart(__name__)

    @app.route("/slow")
    async def slow() -> str:
        await asyncio.sleep(SLOW_SECONDS)
        return SLOW_BODY.decode()

    return app


APPS: dict[str, cabc.Callable[[], Quart]] = {
    "hello": hello,
    "json_params": json_params,
    "slow_async": slow_async,
}
