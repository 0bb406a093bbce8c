"""The middle level: ``catalog``, under ``shop``."""

from __future__ import annotations

import flask

from ..levels import install_level
from .items import make_items


def make_catalog() -> flask.Blueprint:
    catalog = flask.Blueprint(
        "catalog",
        __name__,
        url_prefix="/catalog",
        template_folder="templates",
        static_folder="static",
    )
    install_level(catalog)
    catalog.register_blueprint(make_items())
    return catalog
