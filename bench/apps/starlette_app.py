"""The ASGI workloads on Starlette, as its users write them.

Starlette's endpoints are ``async def`` functions taking the request: a
sync endpoint would run in a thread pool, which nobody writes for a view
that does not block.
"""

from __future__ import annotations

import asyncio
import collections.abc as cabc

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from workloads import HELLO_BODY
from workloads import SLOW_BODY
from workloads import SLOW_SECONDS


def hello() -> Starlette:
    async def index(request: Request) -> PlainTextResponse:
        return PlainTextResponse(HELLO_BODY.decode())

    return Starlette(routes=[Route("/", index)])


def json_params() -> Starlette:
    async def post(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "user_id": request.path_params["user_id"],
                "slug": request.path_params["slug"],
                "q": request.query_params.get("q", ""),
            }
        )

    return Starlette(routes=[Route("/user/{user_id:int}/post/{slug}", post)])


def slow_async() -> Starlette:
    async def slow(request: Request) -> PlainTextResponse:
        await asyncio.sleep(SLOW_SECONDS)
        return PlainTextResponse(SLOW_BODY.decode())

    return Starlette(routes=[Route("/slow", slow)])


APPS: dict[str, cabc.Callable[[], Starlette]] = {
    "hello": hello,
    "json_params": json_params,
    "slow_async": slow_async,
}
