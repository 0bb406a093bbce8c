"""The innermost level: ``items``, under ``shop.catalog``."""

from __future__ import annotations

import flask

from ...levels import install_level


def make_items() -> flask.Blueprint:
    items = flask.Blueprint(
        "items",
        __name__,
        url_prefix="/items",
        template_folder="templates",
        static_folder="static",
    )
    install_level(items)
    return items
