from __future__ import annotations

import importlib.metadata

import click
import pytest
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


def test_version_attribute_is_deprecated():
    with pytest.deprecated_call(match="will be removed in Flask 3.2") as record:
        version = flask.__version__

    assert version == importlib.metadata.version("flask")
    # The warning points at the code that read the attribute.
    assert record[0].filename == __file__


def test_unknown_module_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        flask.no_such_name  # noqa: B018

    assert not hasattr(flask, "no_such_name")
