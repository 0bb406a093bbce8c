"""Context details the area suites leave out: ``g``'s repr without an app
context, and the request context's session being read-only.
"""

from __future__ import annotations

import pytest

import flask


def test_g_repr_names_the_app_only_in_its_context(app):
    g = app.app_ctx_globals_class()
    assert repr(g).startswith(f"<{type(g).__module__}.{type(g).__qualname__} object at")

    with app.app_context():
        assert repr(g) == "<flask.g of 'flask_test'>"
        assert repr(flask.g) == "<flask.g of 'flask_test'>"

    assert "flask.g of" not in repr(g)


def test_request_context_session_is_read_only(app):
    """As in Flask 3.1.3, the session is opened by the context; it cannot
    be replaced by assigning to ``ctx.session``.
    """
    with app.test_request_context() as ctx:
        session = ctx.session

        with pytest.raises(AttributeError):
            ctx.session = flask.sessions.SecureCookieSession({"a": 1})

        assert ctx.session is session
        assert "a" not in flask.session
