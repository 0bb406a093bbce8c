"""Fixtures for the Inkwell tests: an app on a throwaway database."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask.testing import FlaskCliRunner
from werkzeug.test import TestResponse

from inkwell import create_app
from inkwell.db import get_db
from inkwell.db import init_db

SEED_SQL = (Path(__file__).parent / "data.sql").read_text("utf8")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # The coverage guard starts this suite in a subprocess from this folder
    # (where pytest-cov measures it); there, and in any run started from
    # this folder, it must not start itself again.
    if collection_path.name == "test_coverage_guard.py":
        return config.rootpath == Path(__file__).parent.parent
    return None


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "test.sqlite")})

    with app.app_context():
        init_db()
        get_db().executescript(SEED_SQL)

    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


class Accounts:
    """Sign the test client in and out the way a browser would."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(
        self, username: str = "ada", password: str = "correct horse"
    ) -> TestResponse:
        return self._client.post(
            "/auth/login", data={"username": username, "password": password}
        )

    def logout(self) -> TestResponse:
        return self._client.post("/auth/logout")


@pytest.fixture
def accounts(client: FlaskClient) -> Accounts:
    return Accounts(client)
