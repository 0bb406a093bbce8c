from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shelf import create_app
from shelf.store import BookStore


def test_root_links_to_the_collection(client: FlaskClient):
    assert client.get("/api/v1/").json == {"books": "http://localhost/api/v1/books"}


def test_get_one(client: FlaskClient):
    response = client.get("/api/v1/books/3")
    assert response.status_code == 200
    assert response.json == {
        "id": 3,
        "title": "Kindred",
        "author": "Octavia E. Butler",
        "year": 1979,
        "read": False,
    }


def test_create_returns_201_and_location(client: FlaskClient):
    response = client.post(
        "/api/v1/books", json={"title": "Beloved", "author": "Toni Morrison"}
    )
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/v1/books/6"
    assert response.json["year"] is None
    assert client.get(response.headers["Location"]).json["title"] == "Beloved"


def test_patch_changes_only_given_fields(client: FlaskClient):
    response = client.patch("/api/v1/books/1", json={"read": True})
    assert response.status_code == 200
    assert response.json["read"] is True
    assert response.json["title"] == "Middlemarch"


def test_delete(client: FlaskClient):
    response = client.delete("/api/v1/books/1")
    assert response.status_code == 204
    assert response.data == b""
    assert client.get("/api/v1/books/1").status_code == 404


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [("get", {}), ("patch", {"json": {"read": True}}), ("delete", {})],
)
def test_missing_book_is_a_404_problem(client: FlaskClient, method, kwargs):
    response = getattr(client, method)("/api/v1/books/42", **kwargs)
    assert response.status_code == 404
    assert response.json["detail"] == "There is no book with id 42."


def test_json_is_compact_even_in_debug_mode(app: Flask, client: FlaskClient):
    app.debug = True
    assert client.get("/api/v1/books/1").data.count(b"\n") == 1


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SHELF_MAX_PER_PAGE", "50")
    app = create_app()
    assert app.config["DEFAULT_PER_PAGE"] == 20
    assert app.config["MAX_PER_PAGE"] == 50
    assert app.test_client().get("/api/v1/books").json["total"] == 0


def test_store_update_of_a_missing_book_changes_nothing():
    store = BookStore()
    assert store.update(1, {"read": True}) is None
    assert store.query() == []
