"""The same app (``apps/serverapp.py``) served for real on 127.0.0.1 by
werkzeug's dev server (through ``flask run``), waitress, gunicorn (sync and
gthread workers), uWSGI (the ``pyuwsgi`` wheel), uvicorn through asgiref's
``WsgiToAsgi``, and nginx as a reverse proxy in front of waitress with
werkzeug's ``ProxyFix``.

Each test starts the server as a child process group on a free port, sends
real HTTP requests (a streamed response and a multipart upload among them)
and stops it. Servers that cannot be found or installed are skipped with a
printed reason.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import typing as t
import uuid
from pathlib import Path

import pytest
from integration_helpers import apt_install
from integration_helpers import find_executable
from integration_helpers import free_port
from integration_helpers import Server
from integration_helpers import server_env
from integration_helpers import skip_with_reason

PY = sys.executable
UPLOAD = os.urandom(256 * 1024) + b"end"


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="file"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def check_app_behaviour(server: Server, expect_host: str | None = None) -> None:
    """The requests every server must answer the same way."""
    host = expect_host or f"127.0.0.1:{server.port}"

    resp, body = server.request("GET", "/")
    assert resp.status == 200, server.read_log()
    assert body == b"hello from the real server"
    assert resp.getheader("Content-Type") == "text/html; charset=utf-8"

    resp, body = server.request("GET", "/missing")
    assert resp.status == 404

    # A streamed body: no Content-Length, every chunk, in order, and the
    # request context available inside the generator.
    resp, body = server.request("GET", "/stream?n=8")
    assert resp.status == 200
    assert resp.getheader("Content-Length") is None
    assert body.decode().splitlines() == [f"chunk {i} of /stream" for i in range(8)]

    payload, content_type = _multipart({"note": "über"}, "data.bin", UPLOAD)
    resp, body = server.request(
        "POST", "/upload", body=payload, headers={"Content-Type": content_type}
    )
    assert resp.status == 200, body
    assert json.loads(body) == {
        "filename": "data.bin",
        "size": len(UPLOAD),
        "sha256": hashlib.sha256(UPLOAD).hexdigest(),
        "note": "über",
    }

    # The signed cookie session round-trips.
    resp, body = server.request("POST", "/visit")
    cookie = resp.getheader("Set-Cookie")
    assert body == b"1" and cookie
    resp, body = server.request(
        "POST", "/visit", headers={"Cookie": cookie.split(";", 1)[0]}
    )
    assert body == b"2"

    resp, body = server.request("GET", "/async?x=42")
    assert body == b"async 42"

    if expect_host is None:
        resp, body = server.request("GET", "/info")
        info = json.loads(body)
        assert info["url"] == f"http://{host}/info"
        assert info["remote_addr"] == "127.0.0.1"


def test_werkzeug_dev_server_via_flask_run(start_server: t.Any) -> None:
    server = start_server(
        "werkzeug",
        [
            PY,
            "-m",
            "flask",
            "--app",
            "serverapp",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--no-reload",
            "--no-debugger",
        ],
    )
    check_app_behaviour(server)
    assert "Running on http://127.0.0.1:" in server.read_log()


def _require_waitress() -> None:
    if importlib.util.find_spec("waitress") is None:
        skip_with_reason("waitress is not installed")


def test_waitress(start_server: t.Any) -> None:
    _require_waitress()
    server = start_server(
        "waitress",
        [PY, "-m", "waitress", "--listen=127.0.0.1:{port}", "serverapp:app"],
    )
    check_app_behaviour(server)


def _gunicorn() -> str:
    path = find_executable("gunicorn")
    if path is None:
        skip_with_reason("gunicorn is not installed")
    return path


@pytest.mark.parametrize(
    "worker",
    [
        pytest.param(["-k", "sync", "-w", "2"], id="sync"),
        pytest.param(["-k", "gthread", "-w", "1", "--threads", "4"], id="gthread"),
    ],
)
def test_gunicorn(start_server: t.Any, worker: list[str]) -> None:
    server = start_server(
        f"gunicorn-{worker[1]}",
        [_gunicorn(), *worker, "-b", "127.0.0.1:{port}", "serverapp:app"],
    )
    check_app_behaviour(server)

    pids = {json.loads(server.request("GET", "/info")[1])["pid"] for _ in range(4)}
    assert server.proc.pid not in pids  # served by workers, not the arbiter


@pytest.mark.slow
def test_uwsgi(start_server: t.Any) -> None:
    uwsgi = find_executable("uwsgi")
    if uwsgi is None:
        skip_with_reason("uWSGI (the pyuwsgi wheel) is not installed")

    server = start_server(
        "uwsgi",
        [
            uwsgi,
            "--http-socket",
            "127.0.0.1:{port}",
            "--module",
            "serverapp:app",
            "--master",
            "--processes",
            "1",
            "--threads",
            "2",
            "--need-app",
            "--die-on-term",
            "--disable-logging",
        ],
    )
    check_app_behaviour(server)


@pytest.mark.slow
def test_uvicorn_through_wsgi_to_asgi(start_server: t.Any) -> None:
    if find_executable("uvicorn") is None:
        skip_with_reason("uvicorn is not installed")

    server = start_server(
        "uvicorn",
        [
            PY,
            "-m",
            "uvicorn",
            "serverapp:asgi",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--no-access-log",
        ],
    )
    check_app_behaviour(server)


NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 8m;
    # Keep request bodies in memory: when started as root, the workers run
    # as nobody/www-data and cannot write into pytest's private tmp_path.
    client_body_buffer_size 8m;
    server {{
        listen 127.0.0.1:{port};
        location /shop/ {{
            proxy_pass http://127.0.0.1:{upstream}/;
            proxy_http_version 1.1;
            proxy_buffering off;
            proxy_set_header Host {public_host};
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-Host {public_host};
            proxy_set_header X-Forwarded-Port 443;
            proxy_set_header X-Forwarded-Prefix /shop;
        }}
    }}
}}
"""


@pytest.mark.slow
def test_nginx_reverse_proxy_with_proxy_fix(
    start_server: t.Any, tmp_path: Path
) -> None:
    """nginx terminates "TLS" for shop.example (it sets X-Forwarded-Proto
    https and port 443, as a TLS front end would) and mounts the app under
    /shop. The client connects from 127.0.0.2 so the forwarded address
    differs from the proxy's own.
    """
    nginx = apt_install("nginx", "nginx")
    if nginx is None:
        skip_with_reason("nginx is not installed and could not be installed")
    _require_waitress()

    # waitress drops X-Forwarded-* from peers it does not trust; here the
    # app's ProxyFix is the one that trusts the proxy.
    upstream = start_server(
        "waitress-upstream",
        [
            PY,
            "-m",
            "waitress",
            "--listen=127.0.0.1:{port}",
            "--no-clear-untrusted-proxy-headers",
            "serverapp:app",
        ],
        env=server_env(SERVERAPP_PROXY_FIX="1"),
    )
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            tmp=tmp_path,
            port=port,
            upstream=upstream.port,
            public_host="shop.example",
        )
    )
    proxy = start_server(
        "nginx", [nginx, "-c", str(conf), "-p", str(tmp_path)], port=port
    )

    resp, body = proxy.request("GET", "/shop/info", source="127.0.0.2")
    assert resp.status == 200, proxy.read_log() + upstream.read_log()
    assert json.loads(body) == {
        "url": "https://shop.example/shop/info",
        "remote_addr": "127.0.0.2",
        "scheme": "https",
        "host": "shop.example",
        "script_root": "/shop",
        "pid": json.loads(body)["pid"],
    }

    # The same app behind the proxy still streams, uploads and keeps its
    # session.
    resp, body = proxy.request("GET", "/shop/stream?n=3")
    assert body.decode().splitlines() == [f"chunk {i} of /stream" for i in range(3)]

    payload, content_type = _multipart({}, "x.bin", UPLOAD)
    resp, body = proxy.request(
        "POST", "/shop/upload", body=payload, headers={"Content-Type": content_type}
    )
    assert resp.status == 200, (body, proxy.read_log(), upstream.read_log())
    assert json.loads(body)["sha256"] == hashlib.sha256(UPLOAD).hexdigest()

    resp, body = proxy.request("POST", "/shop/visit")
    cookie = resp.getheader("Set-Cookie").split(";", 1)[0]
    resp, body = proxy.request("POST", "/shop/visit", headers={"Cookie": cookie})
    assert body == b"2"

    # Without the proxy in front, the same app sees the raw connection.
    resp, body = upstream.request("GET", "/info")
    assert json.loads(body)["remote_addr"] == "127.0.0.1"
