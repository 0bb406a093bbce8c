from __future__ import annotations

import click
from click.testing import CliRunner

import flask.cli
from flask import Flask
from flask.cli import FlaskGroup


def test_run_debug_flag_when_click_reports_no_source(monkeypatch):
    # click 8.4 returns None from get_parameter_source while a callback
    # runs; 'flask run --debug' must still enable debug mode there.
    monkeypatch.setattr(click.Context, "get_parameter_source", lambda self, name: None)
    seen = {}

    def fake_run_simple(*args, **kwargs):
        seen.update(kwargs)

    monkeypatch.setattr(flask.cli, "run_simple", fake_run_simple)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    cli = FlaskGroup(create_app=lambda: Flask("compat"))
    result = CliRunner().invoke(cli, ["run", "--debug"])
    assert result.exit_code == 0, result.output
    assert "Debug mode: on" in result.output
    assert seen["use_debugger"] is True
    assert seen["use_reloader"] is True
