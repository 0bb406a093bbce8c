"""Flask-Migrate: ``flask db init/migrate/upgrade/downgrade`` through the
app's CLI group (``app.test_cli_runner()``) and through the real ``flask``
console script in a subprocess.
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
from integration_helpers import APPS_DIR
from integration_helpers import NOT_INSTALLED
from integration_helpers import server_env

pytest.importorskip("flask_migrate", reason=NOT_INSTALLED)


from flask import Flask

# The env.py that Flask-Migrate's template writes calls Flask-SQLAlchemy's
# deprecated db.get_engine() first (Flask-SQLAlchemy warns, then env.py
# falls back); nothing in Flask is involved.
pytestmark = pytest.mark.filterwarnings(
    "ignore:'get_engine' is deprecated:DeprecationWarning"
)


def _columns(database: Path, table: str) -> list[str]:
    with sqlite3.connect(database) as conn:
        return [row[1] for row in conn.execute(f"pragma table_info({table})")]


@pytest.fixture
def restore_logging() -> t.Iterator[None]:
    """Alembic's env.py runs ``logging.config.fileConfig``, which disables
    every existing logger and replaces the root handlers; undo that so the
    rest of the suite logs as before.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    disabled = {
        name: lg.disabled
        for name, lg in logging.Logger.manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, lg in logging.Logger.manager.loggerDict.items():
        if isinstance(lg, logging.Logger):
            lg.disabled = disabled.get(name, False)


@pytest.fixture
def migrateapp(monkeypatch: pytest.MonkeyPatch) -> t.Any:
    monkeypatch.syspath_prepend(str(APPS_DIR))
    import migrateapp

    return migrateapp


def test_db_commands_with_cli_runner(
    tmp_path: Path, migrateapp: t.Any, restore_logging: None
) -> None:
    database = tmp_path / "app.sqlite"
    migrations = tmp_path / "migrations"

    def run(app: Flask, *args: str) -> str:
        result = app.test_cli_runner().invoke(args=["db", *args])
        assert result.exit_code == 0, (result.output, result.exception)
        return result.output

    v1 = migrateapp.create_app(str(database), str(migrations), 1)
    assert "Creating directory" in run(v1, "init")
    assert (migrations / "env.py").exists()
    assert (migrations / "alembic.ini").exists()

    run(v1, "migrate", "-m", "users")
    (first,) = (migrations / "versions").glob("*_users.py")
    assert "op.create_table('user'" in first.read_text()

    run(v1, "upgrade")
    assert _columns(database, "user") == ["id", "name"]

    v2 = migrateapp.create_app(str(database), str(migrations), 2)
    run(v2, "migrate", "-m", "email")
    run(v2, "upgrade")
    assert _columns(database, "user") == ["id", "name", "email"]
    run(v2, "current")
    (second,) = (migrations / "versions").glob("*_email.py")
    with sqlite3.connect(database) as conn:
        (version,) = conn.execute("select version_num from alembic_version").fetchone()
    assert second.name.startswith(version)

    run(v2, "downgrade")
    assert _columns(database, "user") == ["id", "name"]

    # The app itself runs on the migrated database.
    run(v1, "upgrade")
    with sqlite3.connect(database) as conn:
        conn.execute("insert into user (name, email) values ('ann', null)")
    assert v1.test_client().get("/users").json == ["ann"]


@pytest.mark.slow
def test_db_commands_with_flask_console_script(tmp_path: Path) -> None:
    flask_script = Path(sys.executable).parent / "flask"
    env = server_env(
        MIGRATE_DB=str(tmp_path / "app.sqlite"),
        MIGRATE_DIR=str(tmp_path / "migrations"),
    )

    def flask(*args: str, schema: int = 1) -> str:
        proc = subprocess.run(
            [str(flask_script), "--app", "migrateapp", *args],
            env={**env, "MIGRATE_SCHEMA": str(schema)},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout + proc.stderr

    assert "db" in flask("--help")
    flask("db", "init")
    assert "Detected added table 'user'" in flask("db", "migrate", "-m", "users")
    flask("db", "upgrade")
    assert _columns(tmp_path / "app.sqlite", "user") == ["id", "name"]

    out = flask("db", "migrate", "-m", "email", schema=2)
    assert "Detected added column 'user.email'" in out
    flask("db", "upgrade", schema=2)
    assert _columns(tmp_path / "app.sqlite", "user") == ["id", "name", "email"]
    assert "(head)" in flask("db", "current", schema=2)
