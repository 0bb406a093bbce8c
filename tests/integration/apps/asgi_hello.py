"""A small app served through its ASGI entry by each ASGI server."""

from __future__ import annotations

import asyncio

from flask import Flask
from flask import request

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello over ASGI"


@app.route("/async")
async def slow() -> str:
    await asyncio.sleep(0.01)
    return f"async {request.args.get('q', '')}"
