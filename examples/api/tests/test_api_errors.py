from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

PROBLEM = "application/problem+json"


def test_unknown_url(client: FlaskClient):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.json["type"] == "about:blank"
    assert response.json["title"] == "Not Found"
    assert response.json["status"] == 404


def test_wrong_method_keeps_allow(client: FlaskClient):
    response = client.put("/api/v1/books/1", json={})
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}


def test_malformed_json(client: FlaskClient):
    response = client.post(
        "/api/v1/books", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.mimetype == PROBLEM


def test_wrong_content_type(client: FlaskClient):
    response = client.post("/api/v1/books", data="title=x")
    assert response.status_code == 415
    assert response.json["title"] == "Unsupported Media Type"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ([], {"": "The body must be a JSON object."}),
        ({}, {"title": "This field is required.", "author": "This field is required."}),
        (
            {"title": " ", "author": 7, "year": True, "read": "yes", "isbn": "x"},
            {
                "title": "Must not be blank.",
                "author": "Expected str.",
                "year": "Expected int.",
                "read": "Expected bool.",
                "isbn": "Unknown field.",
            },
        ),
    ],
)
def test_invalid_body_is_a_422_with_field_errors(client: FlaskClient, body, errors):
    response = client.post("/api/v1/books", json=body)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.json["type"] == "/problems/validation"
    assert response.json["title"] == "Invalid book"
    assert response.json["errors"] == errors


def test_patch_fields_are_optional_but_checked(client: FlaskClient):
    response = client.patch("/api/v1/books/1", json={"year": "1871"})
    assert response.status_code == 422
    assert response.json["errors"] == {"year": "Expected int."}


def test_a_bug_is_a_500_problem_without_details(app: Flask):
    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    # Out of testing mode, Flask catches the error instead of raising it.
    app.testing = False
    response = app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.mimetype == PROBLEM
    assert b"secret" not in response.data
    assert response.json["detail"] == "The server hit an unexpected error."
