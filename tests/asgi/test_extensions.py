"""The extension apps of the integration suite, served through
``app.asgi``: each check of ``tests/integration/test_ext_*.py`` that uses
the test client runs again here, its requests sent by httpx through
``httpx.ASGITransport`` instead of the WSGI callable.

The checks are the integration modules' own functions and fixtures,
imported, not copied; the transport is swapped under the test client (see
``integration_helpers.send_test_client_requests_with``), so cookies,
``session_transaction`` and extension test clients (``FlaskLoginClient``)
work as they do over WSGI. The same checks run against a real uvicorn in
``tests/integration/test_asgi_uvicorn.py`` (a slow test).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
import typing as t
from pathlib import Path

import httpx
import pytest

pytest.importorskip("greenlet")

sys.path.insert(0, str(Path(__file__).parent.parent / "integration"))

from integration_helpers import send_test_client_requests_with  # noqa: E402
from integration_helpers import WireRequest  # noqa: E402

#: The integration modules whose checks run over ASGI.
MODULES = [
    "test_ext_login",
    "test_ext_wtf",
    "test_ext_sqlalchemy",
    "test_ext_cors",
    "test_ext_caching",
    "test_ext_limiter",
]

#: The integration checks collected here, by module.
CHECKS: dict[str, list[str]] = {}


def _uses_client(func: t.Any) -> bool:
    return "test_client(" in inspect.getsource(func)


def _import_checks() -> None:
    """Put each module's client checks, and everything else they need
    (their fixtures), in this module's namespace, for pytest to collect.
    """
    names = globals()

    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except pytest.skip.Exception:
            # The extension is not installed; its own module says so.
            continue

        CHECKS[module_name] = []

        for name, value in vars(module).items():
            if name.startswith("__") or name in names:
                continue

            if name.startswith("test_"):
                if not callable(value) or not _uses_client(value):
                    continue

                CHECKS[module_name].append(name)

            names[name] = value


_import_checks()


def _send_with_httpx(client: t.Any, request: WireRequest) -> t.Any:
    """Send the request to the client's app through ``app.asgi``."""
    app = client.application

    async def send() -> tuple[int, list[tuple[str, str]], bytes]:
        transport = httpx.ASGITransport(
            app=app.asgi, root_path=request.root_path, client=request.client
        )

        async with httpx.AsyncClient(transport=transport) as http:
            response = await http.send(
                httpx.Request(
                    request.method,
                    f"{request.scheme}://{request.host}{request.target}",
                    headers=request.headers,
                    content=request.body,
                )
            )
            return (
                response.status_code,
                response.headers.multi_items(),
                response.content,
            )

    return asyncio.run(send())


@pytest.fixture(autouse=True)
def over_asgi(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> t.Iterator[None]:
    sent: list[WireRequest] = []

    def send(client: t.Any, request: WireRequest) -> t.Any:
        sent.append(request)
        return _send_with_httpx(client, request)

    send_test_client_requests_with(monkeypatch, send)
    yield
    imported = {name for names in CHECKS.values() for name in names}

    if request.node.originalname in imported:
        # Every check imported here uses the client: it went through ASGI.
        assert sent


def test_checks_collected() -> None:
    """Every module is there, each with its client checks (a module is
    missing only when its extension is not installed).
    """
    for module_name, names in CHECKS.items():
        assert names, module_name

    assert "test_login_logout_and_current_user_in_template" in CHECKS.get(
        "test_ext_login", ["test_login_logout_and_current_user_in_template"]
    )


def test_requests_go_through_asgi(monkeypatch: pytest.MonkeyPatch) -> None:
    import flask

    app = flask.Flask(__name__)

    @app.route("/")
    def index() -> str:
        return "asgi" if "asgi.scope" in flask.request.environ else "wsgi"

    assert app.test_client().get("/").text == "asgi"
