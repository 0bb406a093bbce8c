"""A blueprint tree three levels deep, ``shop`` > ``catalog`` > ``items``,
each level a package with its own templates, static files, hooks and
error handlers.

:func:`make_shop` builds fresh blueprints on each call, so every test app
gets its own registrations.
"""

from __future__ import annotations

import flask

from .catalog import make_catalog
from .levels import install_level


def make_shop() -> flask.Blueprint:
    shop = flask.Blueprint(
        "shop",
        __name__,
        url_prefix="/shop",
        template_folder="templates",
        static_folder="static",
    )
    install_level(shop)
    shop.register_blueprint(make_catalog())
    return shop
