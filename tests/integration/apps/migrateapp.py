"""A small app whose schema grows, for Flask-Migrate's ``flask db``
commands. ``create_app`` is found by ``flask --app migrateapp``; it reads
its paths from ``MIGRATE_DB``/``MIGRATE_DIR`` and the schema version from
``MIGRATE_SCHEMA`` when not given.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from flask import Flask
from flask import jsonify


def create_app(
    database: str | None = None,
    migrations: str | None = None,
    schema: int | None = None,
) -> Flask:
    database = database or os.environ["MIGRATE_DB"]
    migrations = migrations or os.environ["MIGRATE_DIR"]
    schema = schema or int(os.environ.get("MIGRATE_SCHEMA", "1"))

    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    db = SQLAlchemy()

    columns = {
        "id": sa.Column(sa.Integer, primary_key=True),
        "name": sa.Column(sa.String(80), nullable=False),
    }
    if schema >= 2:
        columns["email"] = sa.Column(sa.String(120), nullable=True)

    User = type("User", (db.Model,), columns)

    db.init_app(app)
    Migrate(app, db, directory=migrations)

    @app.get("/users")
    def users():
        return jsonify([u.name for u in db.session.scalars(sa.select(User))])

    return app
