"""Flask-Session: server-side sessions stored in files (cachelib's
``FileSystemCache``, and the older ``filesystem`` type), and in Redis when
Debian's ``redis-server`` can be started.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from integration_helpers import apt_install
from integration_helpers import NOT_INSTALLED
from integration_helpers import skip_with_reason
from integration_helpers import stop_process_group

pytest.importorskip("flask_session", reason=NOT_INSTALLED)

from cachelib import FileSystemCache
from flask_session import Session

from flask import Flask
from flask import session


def create_app(**config: t.Any) -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, SECRET_KEY="unused by server side", **config)
    Session(app)

    @app.post("/cart/<item>")
    def add(item: str) -> str:
        session.setdefault("cart", []).append(item)
        session.modified = True
        return ",".join(session["cart"])

    @app.get("/cart")
    def show() -> str:
        return ",".join(session.get("cart", []))

    @app.delete("/cart")
    def clear() -> str:
        session.clear()
        return "cleared"

    @app.get("/static-page")
    def static_page() -> str:
        return "no session use"

    return app


def _exercise(app: Flask) -> str:
    """Run the shared scenario and return the session id the cookie held."""
    client = app.test_client()
    assert client.get("/static-page").text == "no session use"
    assert client.get_cookie("session") is None

    assert client.post("/cart/apple").text == "apple"
    cookie = client.get_cookie("session")
    assert cookie is not None
    sid = cookie.value
    # The cookie holds an id, not the data.
    assert "apple" not in sid and len(sid) >= 32

    assert client.post("/cart/pear").text == "apple,pear"
    assert client.get("/cart").text == "apple,pear"
    rv = client.get("/cart")
    assert "Cookie" in rv.headers["Vary"]

    # Another browser does not see it; a copied cookie does.
    assert app.test_client().get("/cart").text == ""
    thief = app.test_client()
    thief.set_cookie("session", sid)
    assert thief.get("/cart").text == "apple,pear"

    # Clearing deletes the stored session and the cookie.
    rv = client.delete("/cart")
    assert "session=;" in rv.headers["Set-Cookie"]
    assert thief.get("/cart").text == ""
    return sid


def test_files_via_cachelib(tmp_path: Path) -> None:
    store = FileSystemCache(str(tmp_path / "sessions"), threshold=100)
    app = create_app(SESSION_TYPE="cachelib", SESSION_CACHELIB=store)
    assert app.session_interface.__class__.__name__ == "CacheLibSessionInterface"

    client = app.test_client()
    client.post("/cart/tea")
    sid = client.get_cookie("session").value
    assert store.get(f"session:{sid}") is not None
    assert any((tmp_path / "sessions").iterdir())

    _exercise(app)


@pytest.mark.filterwarnings(
    "ignore:FileSystemSessionInterface is deprecated:DeprecationWarning",
    "ignore:'SESSION_FILE_DIR' is deprecated:DeprecationWarning",
)
def test_files_via_legacy_filesystem_type(tmp_path: Path) -> None:
    app = create_app(SESSION_TYPE="filesystem", SESSION_FILE_DIR=str(tmp_path))
    _exercise(app)


def test_session_interface_is_used_by_test_client_session_transaction(
    tmp_path: Path,
) -> None:
    store = FileSystemCache(str(tmp_path))
    app = create_app(SESSION_TYPE="cachelib", SESSION_CACHELIB=store)
    client = app.test_client()

    with client.session_transaction() as sess:
        sess["cart"] = ["prepared"]

    assert client.get("/cart").text == "prepared"


@pytest.fixture
def redis_port(start_server: t.Any) -> t.Iterator[int]:
    redis_server = apt_install("redis-server", "redis-server")
    if redis_server is None:
        skip_with_reason(
            "redis-server is not installed and could not be installed with apt-get"
        )

    server = start_server(
        "redis",
        [
            redis_server,
            "--port",
            "{port}",
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "{tmp}",
        ],
    )
    yield server.port
    stop_process_group(server.proc)


@pytest.mark.slow
def test_redis(redis_port: int) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=redis_port)
    try:
        app = create_app(SESSION_TYPE="redis", SESSION_REDIS=client)
        sid = _exercise(app)
        assert client.get(f"session:{sid}") is None

        app.test_client().post("/cart/kiwi")
        keys = client.keys("session:*")
        assert len(keys) == 1
        assert 0 < client.ttl(keys[0]) <= 31 * 24 * 3600
    finally:
        client.close()
