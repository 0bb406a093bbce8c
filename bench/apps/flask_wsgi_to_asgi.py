"""The Flask applications of ``flask_app``, served over ASGI through asgiref.

Flask 3.1 has no ASGI entry: ``asgiref.wsgi.WsgiToAsgi`` is how its users
put an app behind an ASGI server (each request runs the WSGI app in a
thread; an ``async def`` view runs in its own event loop there, through
asgiref, as under a WSGI server).
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t

from asgiref.wsgi import WsgiToAsgi

from apps import flask_app


def _wrapped(factory: cabc.Callable[[], t.Any]) -> cabc.Callable[[], WsgiToAsgi]:
    return lambda: WsgiToAsgi(factory())


APPS: dict[str, cabc.Callable[[], WsgiToAsgi]] = {
    name: _wrapped(factory) for name, factory in flask_app.APPS.items()
}
