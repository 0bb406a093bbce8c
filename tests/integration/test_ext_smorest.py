"""flask-smorest: a marshmallow-typed REST API with MethodView resources,
argument validation, pagination and ETags, and the OpenAPI document it
generates from our app's URL map.
"""

from __future__ import annotations

import typing as t

import pytest
from integration_helpers import NOT_INSTALLED

pytest.importorskip("flask_smorest", reason=NOT_INSTALLED)

import marshmallow as ma
from flask_smorest import abort
from flask_smorest import Api
from flask_smorest import Blueprint
from flask_smorest import Page

from flask import Flask
from flask.views import MethodView


class PetSchema(ma.Schema):
    id = ma.fields.Int(dump_only=True)
    name = ma.fields.String(required=True)
    species = ma.fields.String(load_default="cat")


class PetQuerySchema(ma.Schema):
    species = ma.fields.String()


class CursorPage(Page):
    @property
    def item_count(self) -> int:
        return len(self.collection)


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        TESTING=True,
        API_TITLE="Pet store",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/docs",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = Api(app)
    blp = Blueprint("pets", __name__, url_prefix="/pets", description="Pets")
    pets: dict[int, dict[str, t.Any]] = {
        i: {"id": i, "name": f"pet{i}", "species": "cat" if i % 2 else "dog"}
        for i in range(1, 26)
    }

    @blp.route("/")
    class Pets(MethodView):
        @blp.arguments(PetQuerySchema, location="query")
        @blp.response(200, PetSchema(many=True))
        @blp.paginate(CursorPage)
        def get(self, args: dict[str, str]) -> list[dict[str, t.Any]]:
            return [
                p
                for p in pets.values()
                if "species" not in args or p["species"] == args["species"]
            ]

        @blp.arguments(PetSchema)
        @blp.response(201, PetSchema)
        def post(self, new: dict[str, t.Any]) -> dict[str, t.Any]:
            new["id"] = max(pets) + 1
            pets[new["id"]] = new
            return new

    @blp.route("/<int:pet_id>")
    class PetById(MethodView):
        @blp.etag
        @blp.response(200, PetSchema)
        def get(self, pet_id: int) -> dict[str, t.Any]:
            if pet_id not in pets:
                abort(404, message="Pet not found.")
            return pets[pet_id]

        @blp.response(204)
        def delete(self, pet_id: int) -> None:
            pets.pop(pet_id, None)

    api.register_blueprint(blp)
    return app


@pytest.fixture
def api_app() -> Flask:
    return create_app()


def test_openapi_document(api_app: Flask) -> None:
    spec = api_app.test_client().get("/docs/openapi.json").json
    assert spec["openapi"] == "3.0.3"
    assert spec["info"] == {"title": "Pet store", "version": "v1"}
    assert set(spec["paths"]) == {"/pets/", "/pets/{pet_id}"}

    listing = spec["paths"]["/pets/"]
    assert set(listing) == {"get", "post"}
    params = {p["name"] for p in listing["get"]["parameters"]}
    assert {"species", "page", "page_size"} <= params
    assert "201" in listing["post"]["responses"]
    assert "422" in listing["post"]["responses"]

    one = spec["paths"]["/pets/{pet_id}"]
    assert one["parameters"][0]["schema"] == {"type": "integer", "minimum": 0}
    assert set(one) >= {"get", "delete"}
    assert spec["components"]["schemas"]["Pet"]["required"] == ["name"]
    assert spec["tags"] == [{"name": "pets", "description": "Pets"}]


def test_pagination_and_filtering(api_app: Flask) -> None:
    client = api_app.test_client()
    rv = client.get("/pets/?page=2&page_size=10")
    assert [p["id"] for p in rv.json] == list(range(11, 21))
    pagination = __import__("json").loads(rv.headers["X-Pagination"])
    assert pagination["total"] == 25
    assert pagination["total_pages"] == 3

    rv = client.get("/pets/?species=dog&page_size=100")
    assert {p["species"] for p in rv.json} == {"dog"}


def test_validation_and_errors(api_app: Flask) -> None:
    client = api_app.test_client()
    rv = client.post("/pets/", json={"species": "fish"})
    assert rv.status_code == 422
    assert rv.json["errors"]["json"] == {"name": ["Missing data for required field."]}

    rv = client.post("/pets/", json={"name": "Rex", "species": "dog"})
    assert rv.status_code == 201
    assert rv.json == {"id": 26, "name": "Rex", "species": "dog"}

    rv = client.get("/pets/999")
    assert rv.status_code == 404
    assert rv.json["message"] == "Pet not found."


def test_etag(api_app: Flask) -> None:
    client = api_app.test_client()
    rv = client.get("/pets/1")
    etag = rv.headers["ETag"]
    rv = client.get("/pets/1", headers={"If-None-Match": etag})
    assert rv.status_code == 304
