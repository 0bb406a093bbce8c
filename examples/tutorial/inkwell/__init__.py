"""Inkwell, a small multi-user blog built with Flask.

The package exposes one thing, :func:`create_app`, the application factory
that ``flask --app inkwell`` finds and calls.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build and configure a new Inkwell application.

    :param test_config: settings that replace the instance ``config.py``;
        the tests pass a temporary database path and ``TESTING=True``.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        # Fine on a laptop, never in production: set a random value in
        # instance/config.py or the INKWELL_SECRET_KEY variable.
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "inkwell.sqlite"),
        POSTS_PER_PAGE=10,
    )

    if test_config is None:
        # A deployment's settings, except while developing with --debug;
        # then the instance config and INKWELL_* variables, which win.
        if not app.debug:
            app.config.from_object("inkwell.production")

        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("INKWELL")
    else:
        app.config.from_mapping(test_config)

    # The database file lives in the instance folder, which Flask does not
    # create for us.
    os.makedirs(app.instance_path, exist_ok=True)

    from . import auth
    from . import db
    from . import posts

    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(posts.bp)

    return app
