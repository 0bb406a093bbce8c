from __future__ import annotations

import pytest
from flask import Flask
from flask import g
from flask import session
from flask.testing import FlaskClient

from inkwell.db import get_db


def test_register_page(client: FlaskClient):
    response = client.get("/auth/register")
    assert response.status_code == 200
    assert b"Create an account" in response.data


def test_register_then_sign_in(app: Flask, client: FlaskClient):
    response = client.post(
        "/auth/register", data={"username": " ren ", "password": "long enough"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"

    with app.app_context():
        row = (
            get_db()
            .execute("SELECT password_hash FROM account WHERE username = 'ren'")
            .fetchone()
        )
    # Stored hashed, never as typed.
    assert row is not None
    assert row["password_hash"] != "long enough"

    response = client.get("/auth/login")
    assert b"Your account is ready" in response.data


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("  ", "long enough", b"Please choose a username."),
        ("ren", "short", b"Passwords need at least 8 characters."),
        ("ada", "long enough", b"The name &#39;ada&#39; is taken."),
    ],
)
def test_register_rejects_bad_input(
    client: FlaskClient, username: str, password: str, message: bytes
):
    response = client.post(
        "/auth/register", data={"username": username, "password": password}
    )
    assert response.status_code == 200
    assert message in response.data


def test_missing_form_field_is_a_bad_request(client: FlaskClient):
    assert client.post("/auth/register", data={"username": "ren"}).status_code == 400


def test_login_page(client: FlaskClient):
    assert client.get("/auth/login").status_code == 200


def test_login_remembers_the_account(client: FlaskClient, accounts):
    response = accounts.login()
    assert response.headers["Location"] == "/"

    with client:
        client.get("/")
        assert session["account_id"] == 1
        assert g.user["username"] == "ada"


@pytest.mark.parametrize(
    ("username", "password"),
    [("nobody", "correct horse"), ("ada", "wrong password")],
)
def test_login_failure_says_the_same_thing(accounts, username: str, password: str):
    response = accounts.login(username, password)
    assert response.status_code == 200
    assert b"Unknown username or wrong password." in response.data


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/1/edit?from=list", "/1/edit?from=list"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("", "/"),
    ],
)
def test_login_follows_next_only_to_local_paths(
    client: FlaskClient, target: str, location: str
):
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"username": "ada", "password": "correct horse"},
    )
    assert response.headers["Location"] == location


def test_logout_forgets_the_account(client: FlaskClient, accounts):
    accounts.login()

    with client:
        response = accounts.logout()
        assert "account_id" not in session

    assert response.headers["Location"] == "/"


def test_logout_is_post_only(client: FlaskClient):
    assert client.get("/auth/logout").status_code == 405
