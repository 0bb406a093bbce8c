"""The SQLite connection: one per request, opened on first use.

:func:`get_db` opens the connection the first time a request asks for it
and keeps it on :data:`flask.g`; :func:`close_db` runs when the application
context ends and closes it again. :func:`init_app` wires both, plus the
``init-db`` command, into an application.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

import click
from flask import current_app
from flask import Flask
from flask import g
from flask.cli import with_appcontext


def _convert_timestamp(value: bytes) -> datetime:
    # SQLite's CURRENT_TIMESTAMP is "YYYY-MM-DD HH:MM:SS". Python 3.12
    # deprecates the sqlite3 module's built-in converter, so we bring ours.
    return datetime.fromisoformat(value.decode())


sqlite3.register_converter("timestamp", _convert_timestamp)


def get_db() -> sqlite3.Connection:
    """Return this request's database connection, opening it if needed."""
    if "db" not in g:
        g.db = sqlite3.connect(
            current_app.config["DATABASE"], detect_types=sqlite3.PARSE_DECLTYPES
        )
        # Rows behave like dicts: row["title"] as well as row[0].
        g.db.row_factory = sqlite3.Row
        g.db.execute("PRAGMA foreign_keys = ON")

    return g.db


def close_db(exc: BaseException | None = None) -> None:
    """Close the connection if this context opened one."""
    db = g.pop("db", None)

    if db is not None:
        db.close()


def init_db() -> None:
    """Drop every table and create the schema again."""
    db = get_db()

    with current_app.open_resource("schema.sql") as f:
        db.executescript(f.read().decode("utf8"))


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create empty tables, deleting any existing data."""
    init_db()
    click.echo(f"Created a fresh database at {current_app.config['DATABASE']}.")


def init_app(app: Flask) -> None:
    """Register the teardown function and the CLI command on ``app``."""
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
