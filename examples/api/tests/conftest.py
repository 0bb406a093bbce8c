from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shelf import create_app

BOOKS = [
    {"title": "Middlemarch", "author": "George Eliot", "year": 1871},
    {"title": "Silas Marner", "author": "George Eliot", "year": 1861, "read": True},
    {"title": "Kindred", "author": "Octavia E. Butler", "year": 1979},
    {"title": "Parable of the Sower", "author": "Octavia E. Butler", "year": 1993},
    {"title": "The Dispossessed", "author": "Ursula K. Le Guin", "year": 1974},
]


@pytest.fixture
def app() -> Flask:
    return create_app({"TESTING": True, "DEFAULT_PER_PAGE": 2}, seed=BOOKS)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
