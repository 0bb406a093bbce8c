"""Names that extensions' own test suites reach for, found by running
those suites against this Flask and against Flask 3.1.3.
"""

from __future__ import annotations

import importlib.metadata

import pytest
import werkzeug.routing

import flask
import flask.app


def test_version_attribute_is_deprecated_but_answers() -> None:
    # flask-cors's tests read flask.__version__.
    with pytest.warns(DeprecationWarning, match="'__version__' attribute"):
        version = flask.__version__

    assert version == importlib.metadata.version("flask")

    with pytest.raises(AttributeError):
        flask.no_such_name  # noqa: B018


def test_rule_importable_from_flask_app() -> None:
    # flask-smorest's tests do ``from flask.app import Rule``.
    assert flask.app.Rule is werkzeug.routing.Rule
