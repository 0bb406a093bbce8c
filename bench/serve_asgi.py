"""The entry point of the ASGI part's servers (uvicorn, granian's ASGI).

``asgi_e2e.py`` starts e.g. ``uvicorn serve_asgi:app.asgi`` (ours: the
attribute a user points the server at) or ``uvicorn serve_asgi:app`` (an
ASGI application: Starlette, Quart, Flask 3.1 wrapped in ``WsgiToAsgi``)
from this directory, with ``BENCH_APP_MODULE`` (e.g. ``apps.quart_app``)
and ``BENCH_WORKLOAD`` (e.g. ``slow_async``) in the environment.
"""

from __future__ import annotations

import importlib
import os

_module = importlib.import_module(os.environ["BENCH_APP_MODULE"])
app = _module.APPS[os.environ["BENCH_WORKLOAD"]]()
