"""Extension apps of the integration suite served natively over ASGI by a
real uvicorn (``uvicorn asgi_extapp:app.asgi``), and their checks run
against it over HTTP.

The checks are the integration modules' own test functions: the test
client's requests go to the server instead of the WSGI callable (see
``integration_helpers.send_test_client_requests_with``), and the app the
test process builds with the same factory only gives the client its
configuration (the secret key for ``session_transaction``). So only
checks that read nothing from the test process's app (a signal recorded,
a row in its database) can run here. Each check gets a server of its own,
since the apps keep state (rate-limit counters).

The main suite runs every check through ``httpx.ASGITransport``
(``tests/asgi/test_extensions.py``).
"""

from __future__ import annotations

import http.client
import importlib
import os
import sys
import typing as t

import pytest
from integration_helpers import find_executable
from integration_helpers import HERE
from integration_helpers import send_test_client_requests_with
from integration_helpers import server_env
from integration_helpers import skip_with_reason
from integration_helpers import WireRequest

CHECKS = {
    "test_ext_login": [
        "test_anonymous_and_login_required_redirect",
        "test_remember_me_cookie_restores_login",
        "test_flask_login_client",
    ],
    "test_ext_cors": [
        "test_simple_request",
        "test_other_origin_and_other_path_get_no_headers",
        "test_preflight",
        "test_decorator",
    ],
    "test_ext_limiter": [
        "test_default_limit_and_headers",
        "test_blueprint_limit",
    ],
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module_name", "check"),
    [(module, check) for module, checks in CHECKS.items() for check in checks],
)
def test_extension_checks_over_uvicorn(
    start_server: t.Any,
    monkeypatch: pytest.MonkeyPatch,
    module_name: str,
    check: str,
) -> None:
    pytest.importorskip("greenlet")

    if find_executable("uvicorn") is None:
        skip_with_reason("uvicorn is not installed")

    module = importlib.import_module(module_name)
    server = start_server(
        f"uvicorn-{module_name}",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "asgi_extapp:app.asgi",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--no-access-log",
        ],
        env=server_env(
            ASGI_EXT_MODULE=module_name,
            PYTHONPATH=os.pathsep.join([str(HERE / "apps"), str(HERE)]),
        ),
    )
    sent: list[str] = []

    def over_http(client: t.Any, request: WireRequest) -> t.Any:
        sent.append(request.target)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)

        try:
            conn.request(
                request.method,
                request.target,
                body=request.body or None,
                headers=dict(request.headers),
            )
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    send_test_client_requests_with(monkeypatch, over_http)
    getattr(module, check)(module.create_app())

    assert sent
    assert "Traceback" not in server.read_log(), server.read_log()
