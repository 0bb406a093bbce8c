"""Shelf: a JSON API for a reading list.

``flask --app shelf run`` finds :func:`create_app`. Every URL lives under
``/api/v1``; errors come back as RFC 9457 problem details.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import url_for

from . import books
from . import problems
from .store import BookStore


def create_app(
    test_config: Mapping[str, Any] | None = None,
    seed: Iterable[Mapping[str, Any]] = (),
) -> Flask:
    """Build the API application.

    :param test_config: settings applied after the defaults.
    :param seed: books to put in the new store, as dicts of fields.
    """
    app = Flask(__name__)
    app.config.from_mapping(DEFAULT_PER_PAGE=20, MAX_PER_PAGE=100)
    app.config.from_prefixed_env("SHELF")

    if test_config is not None:
        app.config.from_mapping(test_config)

    # Pretty-printed JSON is nice in a terminal but costs bytes; keep the
    # compact form and let clients format it.
    app.json.compact = True  # type: ignore[attr-defined]

    store = BookStore()

    for fields in seed:
        store.add(fields)

    # Extensions keep their per-app state in app.extensions; so do we.
    app.extensions["shelf.store"] = store

    # One parent blueprint carries the version prefix; resources nest in it.
    api = Blueprint("api", __name__, url_prefix="/api/v1")
    api.register_blueprint(books.bp)
    api.add_url_rule("/", "root", _root)
    app.register_blueprint(api)
    problems.init_app(app)
    return app


def _root() -> dict[str, Any]:
    """Where a client starts: links to the collections."""
    return {"books": url_for("api.books.list_books", _external=True)}
