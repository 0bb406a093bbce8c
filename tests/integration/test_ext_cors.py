"""Flask-CORS: app-wide resources, the ``cross_origin`` decorator,
preflight requests, and CORS headers on error responses (it wraps
``app.handle_exception``/``handle_user_exception`` on the instance).
"""

from __future__ import annotations

import pytest
from integration_helpers import NOT_INSTALLED

pytest.importorskip("flask_cors", reason=NOT_INSTALLED)

from flask_cors import CORS
from flask_cors import cross_origin

from flask import abort
from flask import Blueprint
from flask import Flask
from flask import jsonify


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["TESTING"] = True
    api = Blueprint("api", __name__, url_prefix="/api")

    @api.route("/items", methods=["GET", "POST"])
    def items():
        return jsonify(["a", "b"])

    @api.get("/missing")
    def missing() -> str:
        abort(404)

    @api.get("/broken")
    def broken() -> str:
        raise RuntimeError("boom")

    app.register_blueprint(api)

    @app.get("/public")
    @cross_origin(origins="*", max_age=600)
    def public() -> str:
        return "public"

    @app.get("/private")
    def private() -> str:
        return "no cors here"

    CORS(
        app,
        resources={
            r"/api/*": {
                "origins": ["https://shop.example"],
                "expose_headers": ["X-Total"],
            }
        },
        supports_credentials=True,
    )
    return app


@pytest.fixture
def cors_app() -> Flask:
    return create_app()


ORIGIN = {"Origin": "https://shop.example"}


def test_simple_request(cors_app: Flask) -> None:
    rv = cors_app.test_client().get("/api/items", headers=ORIGIN)
    assert rv.json == ["a", "b"]
    assert rv.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert rv.headers["Access-Control-Allow-Credentials"] == "true"
    assert rv.headers["Access-Control-Expose-Headers"] == "X-Total"


def test_other_origin_and_other_path_get_no_headers(cors_app: Flask) -> None:
    client = cors_app.test_client()
    rv = client.get("/api/items", headers={"Origin": "https://evil.example"})
    assert rv.status_code == 200
    assert "Access-Control-Allow-Origin" not in rv.headers

    rv = client.get("/private", headers=ORIGIN)
    assert "Access-Control-Allow-Origin" not in rv.headers


def test_preflight(cors_app: Flask) -> None:
    rv = cors_app.test_client().options(
        "/api/items",
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert rv.status_code == 200
    assert rv.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "POST" in rv.headers["Access-Control-Allow-Methods"]
    assert rv.headers["Access-Control-Allow-Headers"].lower() == "content-type"
    # Flask's automatic OPTIONS response still lists the allowed methods.
    assert set(rv.headers["Allow"].split(", ")) >= {"GET", "POST", "OPTIONS"}


def test_decorator(cors_app: Flask) -> None:
    client = cors_app.test_client()
    rv = client.get("/public", headers={"Origin": "https://anyone.example"})
    # Without send_wildcard, flask-cors echoes the request's origin.
    assert rv.headers["Access-Control-Allow-Origin"] == "https://anyone.example"

    rv = client.options(
        "/public",
        headers={
            "Origin": "https://anyone.example",
            "Access-Control-Request-Method": "GET",
        },
    )
    assert rv.headers["Access-Control-Max-Age"] == "600"


def test_error_responses_keep_cors_headers(cors_app: Flask) -> None:
    cors_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = cors_app.test_client()

    for path, status in [
        ("/api/missing", 404),
        ("/api/nowhere", 404),
        ("/api/broken", 500),
    ]:
        rv = client.get(path, headers=ORIGIN)
        assert rv.status_code == status, path
        assert rv.headers["Access-Control-Allow-Origin"] == "https://shop.example"
