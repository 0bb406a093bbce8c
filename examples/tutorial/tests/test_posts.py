from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inkwell.db import get_db


def test_index_lists_posts_for_everyone(client: FlaskClient):
    response = client.get("/")
    assert b"Notes on the engine" in response.data
    assert b"by grace on 02 March 2024" in response.data
    assert b"Sign in" in response.data
    assert b"/edit" not in response.data


def test_index_offers_edit_links_for_own_posts(client: FlaskClient, accounts):
    accounts.login()
    response = client.get("/")
    assert b"Sign out" in response.data
    assert b'href="/1/edit"' in response.data
    assert b'href="/2/edit"' not in response.data


def test_index_when_nothing_is_written(app: Flask, client: FlaskClient):
    with app.app_context():
        db = get_db()
        db.execute("DELETE FROM post")
        db.commit()

    assert b"Nothing has been written yet." in client.get("/").data


def test_index_pages(app: Flask, client: FlaskClient):
    app.config["POSTS_PER_PAGE"] = 1

    first = client.get("/")
    assert b"Finding bugs" in first.data
    assert b'rel="next"' in first.data
    assert b'rel="prev"' not in first.data

    second = client.get("/?page=2")
    assert b"Notes on the engine" in second.data
    assert b'rel="prev"' in second.data
    assert b'rel="next"' not in second.data


@pytest.mark.parametrize("page", ["0", "3"])
def test_index_page_out_of_range(app: Flask, client: FlaskClient, page: str):
    app.config["POSTS_PER_PAGE"] = 1
    assert client.get(f"/?page={page}").status_code == 404


@pytest.mark.parametrize("path", ["/new", "/1/edit", "/1/delete"])
def test_writing_requires_signing_in(client: FlaskClient, path: str):
    response = client.post(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_sign_in_returns_to_the_page_that_asked(client: FlaskClient):
    location = client.get("/new").headers["Location"]
    response = client.post(
        location, data={"username": "ada", "password": "correct horse"}
    )
    assert response.headers["Location"] == "/new"


@pytest.mark.parametrize("path", ["/2/edit", "/2/delete"])
def test_only_the_author_may_change_a_post(client: FlaskClient, accounts, path: str):
    accounts.login()
    assert client.post(path).status_code == 403


@pytest.mark.parametrize("path", ["/9/edit", "/9/delete"])
def test_missing_post(client: FlaskClient, accounts, path: str):
    accounts.login()
    response = client.post(path)
    assert response.status_code == 404
    assert b"There is no post number 9." in response.data


def test_create(app: Flask, client: FlaskClient, accounts):
    accounts.login()
    assert client.get("/new").status_code == 200

    response = client.post("/new", data={"title": "Third", "body": "More."})
    assert response.headers["Location"] == "/"

    with app.app_context():
        row = get_db().execute("SELECT * FROM post WHERE title = 'Third'").fetchone()
    assert row["author_id"] == 1
    assert b"Published." in client.get("/").data


def test_update(app: Flask, client: FlaskClient, accounts):
    accounts.login()
    page = client.get("/1/edit")
    assert page.status_code == 200
    assert b'value="Notes on the engine"' in page.data

    response = client.post("/1/edit", data={"title": "Renamed", "body": "Same."})
    assert response.headers["Location"] == "/"

    with app.app_context():
        row = get_db().execute("SELECT * FROM post WHERE id = 1").fetchone()
    assert (row["title"], row["body"]) == ("Renamed", "Same.")


@pytest.mark.parametrize("path", ["/new", "/1/edit"])
def test_title_is_required(client: FlaskClient, accounts, path: str):
    accounts.login()
    response = client.post(path, data={"title": "  ", "body": "Text"})
    assert response.status_code == 200
    assert b"A post needs a title." in response.data


def test_delete(app: Flask, client: FlaskClient, accounts):
    accounts.login()
    response = client.post("/1/delete")
    assert response.headers["Location"] == "/"

    with app.app_context():
        assert get_db().execute("SELECT * FROM post WHERE id = 1").fetchone() is None
