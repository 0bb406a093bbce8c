"""``DefaultJSONProvider.dumps`` honours every call's options, whatever
options earlier calls used.
"""

from __future__ import annotations

import json

import pytest

import flask

DATA = {"b": [1, 2], "a": "é"}


def test_dumps_with_unhashable_option(app):
    separators = [";", "="]  # a list, not the usual tuple
    rv = app.json.dumps(DATA, separators=separators)
    assert rv == '{"a"="\\u00e9";"b"=[1;2]}'
    assert rv == json.dumps(DATA, separators=separators, sort_keys=True)


def test_dumps_with_many_option_sets(app):
    """Each call gets its own options, through many distinct sets and back
    to the first ones.
    """
    for indent in [*range(40), 0, 1, 2]:
        assert app.json.dumps(DATA, indent=indent) == json.dumps(
            DATA, indent=indent, sort_keys=True
        )

    assert app.json.dumps(DATA) == '{"a": "\\u00e9", "b": [1, 2]}'
    assert app.json.dumps(DATA, ensure_ascii=False) == '{"a": "é", "b": [1, 2]}'


@pytest.mark.parametrize("sort_keys", [True, False])
def test_dumps_options_per_provider(app, sort_keys):
    other = flask.Flask("cov_other_json")
    other.json.sort_keys = sort_keys
    assert app.json.dumps(DATA) == '{"a": "\\u00e9", "b": [1, 2]}'
    assert other.json.dumps(DATA) == json.dumps(DATA, sort_keys=sort_keys)
    assert app.json.dumps(DATA) == '{"a": "\\u00e9", "b": [1, 2]}'
