"""``app.asgi`` served by each ASGI server with its default options, as the
docs tell users to run it: ``uvicorn module:app.asgi``, ``hypercorn
module:app.asgi`` and ``granian --interface asgi module:app.asgi``.
"""

from __future__ import annotations

import typing as t
import urllib.request

import pytest
from integration_helpers import find_executable
from integration_helpers import skip_with_reason

SERVERS = {
    "uvicorn": ["uvicorn", "asgi_hello:app.asgi", "--port", "{port}"],
    "hypercorn": ["hypercorn", "asgi_hello:app.asgi", "--bind", "127.0.0.1:{port}"],
    "granian": [
        "granian",
        "--interface",
        "asgi",
        "asgi_hello:app.asgi",
        "--port",
        "{port}",
    ],
}


@pytest.mark.parametrize("name", sorted(SERVERS))
def test_server_accepts_the_asgi_entry(start_server: t.Any, name: str) -> None:
    pytest.importorskip("greenlet")
    executable = find_executable(name)

    if executable is None:
        skip_with_reason(f"{name} is not installed")

    command = SERVERS[name]
    server = start_server(f"{name}-asgi", [executable, *command[1:]])
    base = f"http://127.0.0.1:{server.port}"

    with urllib.request.urlopen(f"{base}/", timeout=10) as response:
        assert response.status == 200
        assert response.read() == b"Hello over ASGI"

    with urllib.request.urlopen(f"{base}/async?q=x", timeout=10) as response:
        assert response.read() == b"async x"

    assert "Traceback" not in server.read_log(), server.read_log()
