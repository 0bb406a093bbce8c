"""Request body limits the area suites leave out: their values without an
app context, and ``max_form_parts`` set on the request itself.
"""

from __future__ import annotations

import io

import pytest
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import EnvironBuilder

import flask


def _multipart_environ() -> dict:
    return EnvironBuilder(
        method="POST",
        data={"a": "1", "b": "2", "c": (io.BytesIO(b"x"), "f.txt")},
    ).get_environ()


def test_limits_without_app_context_are_werkzeug_defaults():
    request = flask.Request(_multipart_environ())
    assert request.max_content_length is None
    assert request.max_form_memory_size == 500_000
    assert request.max_form_parts == 1_000
    assert sorted(request.form) == ["a", "b"]
    assert sorted(request.files) == ["c"]
    request.close()


def test_max_form_parts_set_on_request_without_app_context():
    request = flask.Request(_multipart_environ())
    request.max_form_parts = 2
    assert request.max_form_parts == 2

    with pytest.raises(RequestEntityTooLarge):
        request.form  # noqa: B018


@pytest.mark.parametrize(("config", "override", "ok"), [(1, 10, True), (10, 1, False)])
def test_max_form_parts_set_on_request_wins_over_config(
    app, client, config, override, ok
):
    app.config["MAX_FORM_PARTS"] = config

    @app.post("/")
    def index():
        flask.request.max_form_parts = override
        assert flask.request.max_form_parts == override
        return sorted(flask.request.form)

    rv = client.post("/", data={"a": "1", "b": "2"}, content_type="multipart/form-data")

    if ok:
        assert rv.json == ["a", "b"]
    else:
        assert rv.status_code == 413
