"""Flask-Limiter: default and per-route limits, rate-limit headers, the 429
error handler, exemptions, blueprint limits and discovery of the
``flask limiter`` CLI plugin command.
"""

from __future__ import annotations

import pytest
from integration_helpers import NOT_INSTALLED

pytest.importorskip("flask_limiter", reason=NOT_INSTALLED)

from flask_limiter import Limiter
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address

from flask import Blueprint
from flask import Flask
from flask import jsonify
from flask.cli import FlaskGroup


def create_app() -> tuple[Flask, Limiter]:
    app = Flask(__name__)
    app.config.update(TESTING=True, RATELIMIT_HEADERS_ENABLED=True)
    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=["3 per minute"],
        storage_uri="memory://",
    )

    @app.get("/")
    def index() -> str:
        return "index"

    @app.get("/login")
    @limiter.limit("1 per minute")
    def login() -> str:
        return "login"

    @app.get("/health")
    @limiter.exempt
    def health() -> str:
        return "ok"

    api = Blueprint("api", __name__, url_prefix="/api")

    @api.get("/items")
    def items() -> str:
        return "items"

    limiter.limit("2 per minute")(api)
    app.register_blueprint(api)

    @app.errorhandler(RateLimitExceeded)
    def too_many(e: RateLimitExceeded):
        return jsonify(error="slow down", limit=str(e.limit.limit)), 429

    return app, limiter


@pytest.fixture
def limited() -> tuple[Flask, Limiter]:
    return create_app()


def test_default_limit_and_headers(limited: tuple[Flask, Limiter]) -> None:
    client = limited[0].test_client()
    for remaining in (2, 1, 0):
        rv = client.get("/")
        assert rv.status_code == 200
        assert rv.headers["X-RateLimit-Limit"] == "3"
        assert rv.headers["X-RateLimit-Remaining"] == str(remaining)

    rv = client.get("/")
    assert rv.status_code == 429
    assert rv.json == {"error": "slow down", "limit": "3 per 1 minute"}
    assert int(rv.headers["Retry-After"]) > 0


def test_route_limit_exempt_and_per_client(limited: tuple[Flask, Limiter]) -> None:
    client = limited[0].test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/login").status_code == 429

    # Another address has its own counter.
    other = {"REMOTE_ADDR": "10.0.0.2"}
    assert client.get("/login", environ_base=other).status_code == 200

    for _ in range(10):
        assert client.get("/health").status_code == 200


def test_blueprint_limit(limited: tuple[Flask, Limiter]) -> None:
    client = limited[0].test_client()
    assert [client.get("/api/items").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]


def test_limiter_disabled_by_config(limited: tuple[Flask, Limiter]) -> None:
    app = Flask(__name__)
    app.config["RATELIMIT_ENABLED"] = False
    Limiter(get_remote_address, app=app, default_limits=["1 per minute"])
    app.add_url_rule("/", "index", lambda: "ok")
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]


def test_limiter_cli_plugin_command_is_discovered(
    limited: tuple[Flask, Limiter],
) -> None:
    """``flask limiter`` comes from the flask.commands entry point. (Running
    it needs the ``cli`` extra, rich, which the suite does not install.)
    """
    app = limited[0]
    group = FlaskGroup(create_app=lambda: app)
    result = app.test_cli_runner().invoke(group, ["--help"])
    assert result.exit_code == 0, result.output
    assert "limiter" in result.output.split()

    result = app.test_cli_runner().invoke(group, ["limiter", "--help"])
    assert result.exit_code == 0, result.output
    assert "limits" in result.output
