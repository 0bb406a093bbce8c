"""Run by test_ext_pytest_flask.py with pytest-flask loaded."""

from __future__ import annotations

import urllib.request

import pytest

from flask import current_app
from flask import request
from flask import url_for


def test_request_context_is_pushed(app):
    assert current_app._get_current_object() is app
    assert request.path == "/"
    assert url_for("ping") == "/api/ping"


def test_client_fixture(client):
    rv = client.get(url_for("index"))
    assert rv == 200
    assert rv.text == "index"
    assert client.post("/visit").text == "1"
    assert client.post("/visit").text == "2"


def test_json_response_helpers(client, accept_json):
    rv = client.get(url_for("ping"), headers=accept_json)
    assert rv == 200
    assert rv.json == {"pong": True, "accept": "application/json"}


def test_accept_any(client, accept_any):
    rv = client.get("/api/ping", headers=accept_any)
    assert rv == 200
    assert rv.json["pong"] is True


def test_config_fixture(config):
    assert config["SECRET_KEY"] == "pytest-flask"


@pytest.mark.options(debug=True, secret_key="changed")
def test_options_marker(app, config):
    assert app.debug
    assert config["SECRET_KEY"] == "changed"


@pytest.mark.usefixtures("client_class")
class TestClientClass:
    def test_uses_self_client(self):
        assert self.client.get("/").text == "index"


def test_live_server(live_server):
    with urllib.request.urlopen(live_server.url("/"), timeout=10) as rv:
        assert rv.status == 200
        assert rv.read() == b"index"

    # SERVER_NAME was set to the live server's address by the fixture; in
    # Flask 3.1 it no longer restricts which Host is routed.
    with urllib.request.urlopen(live_server.url("/where"), timeout=10) as rv:
        assert rv.read().decode() == (
            f"http://localhost.localdomain:{live_server.port}/"
        )
