"""The production settings: what the factory loads outside debug mode,
``flask check --deploy`` passing with them, and what they change for a
browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import cli

from inkwell import create_app
from inkwell.db import init_db

KEY = "4c9a6f1be0d2f8c37a5e91d6b0f4e2a87c3d5f9e1b6a2c8d0e4f7a9b3c5d1e6f"


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What a deployment puts in the environment (or instance/config.py)."""
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("INKWELL_SECRET_KEY", KEY)
    monkeypatch.setenv("INKWELL_TRUSTED_HOSTS", '["blog.example"]')
    monkeypatch.setenv("INKWELL_DATABASE", str(tmp_path / "inkwell.sqlite"))


@pytest.mark.usefixtures("deployment")
def test_production_settings_outside_debug_mode():
    app = create_app()
    assert not app.debug
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["CROSS_ORIGIN_PROTECTION"] is True
    assert app.config["SECURITY_HEADERS"] is True
    # The environment wins over them.
    assert app.config["SECRET_KEY"] == KEY


@pytest.mark.usefixtures("deployment")
def test_debug_mode_goes_without_them(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app()
    assert app.debug
    assert not app.config["SESSION_COOKIE_SECURE"]
    assert "CROSS_ORIGIN_PROTECTION" not in app.config


@pytest.mark.usefixtures("deployment")
def test_flask_check_deploy_passes():
    rv = CliRunner().invoke(cli, ["--app", "inkwell", "check", "--deploy", "--strict"])
    assert rv.exit_code == 0, rv.output
    assert rv.output.startswith("No problems found (")


@pytest.mark.usefixtures("deployment")
def test_flask_check_deploy_catches_the_development_key(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.delenv("INKWELL_SECRET_KEY")
    rv = CliRunner().invoke(cli, ["--app", "inkwell", "check", "--deploy"])
    assert rv.exit_code == 1
    assert rv.output.startswith("flask.secret_key.placeholder (error)\n")


@pytest.mark.usefixtures("deployment")
def test_browsers_get_the_protections():
    app = create_app()

    with app.app_context():
        init_db()

    client = app.test_client()
    rv = client.get("/auth/login", base_url="https://blog.example")
    assert rv.status_code == 200
    assert rv.headers["X-Content-Type-Options"] == "nosniff"
    assert rv.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "default-src 'self'" in rv.headers["Content-Security-Policy"]
    assert rv.headers["Strict-Transport-Security"].startswith("max-age=")

    # A form of another site that posts to Inkwell is refused; Inkwell's
    # own is not.
    data = {"username": "ada", "password": "x"}
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    rv = client.post(
        "/auth/login", data=data, headers=headers, base_url="https://blog.example"
    )
    assert rv.status_code == 403
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "https://blog.example"}
    rv = client.post(
        "/auth/login", data=data, headers=headers, base_url="https://blog.example"
    )
    assert rv.status_code == 200
    assert b"Unknown username or wrong password." in rv.data
