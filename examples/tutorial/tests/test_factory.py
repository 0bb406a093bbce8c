from __future__ import annotations

from flask import Flask

from inkwell import create_app


def test_without_test_config_reads_the_instance_config(monkeypatch):
    monkeypatch.setenv("INKWELL_POSTS_PER_PAGE", "3")
    app = create_app()
    assert not app.testing
    assert app.config["DATABASE"].endswith("inkwell.sqlite")
    # from_prefixed_env parses values as JSON, so the number is an int.
    assert app.config["POSTS_PER_PAGE"] == 3


def test_test_config_replaces_the_defaults(app: Flask):
    assert app.testing
    assert app.config["DATABASE"].endswith("test.sqlite")


def test_blueprints_and_command_are_registered(app: Flask):
    assert set(app.blueprints) == {"auth", "posts"}
    assert "init-db" in app.cli.commands
