from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from inkwell.db import get_db


def test_one_connection_per_context_closed_at_the_end(app: Flask):
    with app.app_context():
        db = get_db()
        assert get_db() is db

    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")


def test_timestamps_come_back_as_datetimes(app: Flask):
    with app.app_context():
        created = get_db().execute("SELECT created FROM post WHERE id = 1").fetchone()
    assert created[0] == datetime(2024, 3, 1, 9, 30)


def test_init_db_command_empties_the_database(app: Flask, runner: FlaskCliRunner):
    result = runner.invoke(args=["init-db"])

    assert result.exit_code == 0, result.output
    assert "Created a fresh database" in result.output

    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM post").fetchone()[0] == 0
