from __future__ import annotations

import pytest
from flask.testing import FlaskClient

BASE = "http://localhost/api/v1/books"


def test_first_page(client: FlaskClient):
    data = client.get("/api/v1/books").json
    assert [b["id"] for b in data["items"]] == [1, 2]
    assert (data["page"], data["per_page"], data["total"], data["pages"]) == (
        1,
        2,
        5,
        3,
    )
    assert data["links"] == {
        "first": f"{BASE}?page=1&per_page=2",
        "last": f"{BASE}?page=3&per_page=2",
        "next": f"{BASE}?page=2&per_page=2",
    }


def test_middle_page_has_both_neighbours_and_a_link_header(client: FlaskClient):
    response = client.get("/api/v1/books?page=2")
    assert [b["id"] for b in response.json["items"]] == [3, 4]
    assert set(response.json["links"]) == {"first", "last", "prev", "next"}
    assert f'<{BASE}?page=1&per_page=2>; rel="prev"' in response.headers["Link"]
    assert f'<{BASE}?page=3&per_page=2>; rel="next"' in response.headers["Link"]


def test_page_past_the_end_is_empty_and_points_back(client: FlaskClient):
    data = client.get("/api/v1/books?page=9").json
    assert data["items"] == []
    assert data["links"]["prev"] == f"{BASE}?page=3&per_page=2"
    assert "next" not in data["links"]


def test_per_page_and_filter(client: FlaskClient):
    data = client.get("/api/v1/books?author=butler&per_page=1").json
    assert [b["title"] for b in data["items"]] == ["Kindred"]
    assert data["total"] == 2
    assert data["links"]["next"] == f"{BASE}?page=2&per_page=1&author=butler"


def test_empty_collection_has_one_page(client: FlaskClient):
    data = client.get("/api/v1/books?author=nobody").json
    assert (data["items"], data["total"], data["pages"]) == ([], 0, 1)


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("page=0", "Query parameter 'page' must be 1 or more."),
        ("page=two", "Query parameter 'page' must be a whole number."),
        ("per_page=-3", "Query parameter 'per_page' must be 1 or more."),
        ("per_page=101", "Query parameter 'per_page' must be 100 or less."),
    ],
)
def test_bad_paging_parameters(client: FlaskClient, query: str, detail: str):
    response = client.get(f"/api/v1/books?{query}")
    assert response.status_code == 400
    assert response.json["detail"] == detail
