from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest

import flask
from flask.globals import _cv_app
from flask.globals import _cv_request

TESTS_DIR = Path(__file__).parent


@pytest.fixture(autouse=True)
def _standard_os_environ(monkeypatch: pytest.MonkeyPatch):
    """Each test starts without the FLASK_* variables a developer's shell
    or an earlier test may have set, and gets back what it changed.
    """
    saved = dict(os.environ)

    for key in list(os.environ):
        if key.startswith("FLASK_") or key in {"PYTHONSTARTUP"}:
            monkeypatch.delenv(key, raising=False)

    yield
    # Also undo variables the test set without monkeypatch (the CLI sets
    # FLASK_DEBUG and FLASK_RUN_FROM_CLI itself).
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def _no_context_leak():
    """Fail a test that leaves an app or request context pushed, and pop
    what it left so later tests start clean.
    """
    yield
    leaked = []

    while (ctx := _cv_request.get(None)) is not None:
        leaked.append(ctx)
        ctx.pop()

    while (actx := _cv_app.get(None)) is not None:
        leaked.append(actx)
        actx.pop()

    assert not leaked, f"contexts left pushed: {leaked!r}"


@pytest.fixture(autouse=True)
def _reset_app_logger():
    """Apps of the suite share the "flask_test" logger by name; undo what a
    test did to it (disabled, level, handlers) so later tests see logs.
    """
    logger = logging.getLogger("flask_test")
    saved = (logger.disabled, logger.level, list(logger.handlers), logger.propagate)
    yield
    logger.disabled, logger.level, handlers, logger.propagate = saved
    logger.handlers[:] = handlers


@pytest.fixture
def app() -> flask.Flask:
    app = flask.Flask("flask_test", root_path=str(TESTS_DIR))
    app.config.update(TESTING=True, SECRET_KEY="test key")
    return app


@pytest.fixture
def app_ctx(app: flask.Flask):
    with app.app_context() as ctx:
        yield ctx


@pytest.fixture
def req_ctx(app: flask.Flask):
    with app.test_request_context() as ctx:
        yield ctx


@pytest.fixture
def client(app: flask.Flask):
    return app.test_client()


@pytest.fixture
def test_apps(monkeypatch: pytest.MonkeyPatch):
    """Put tests/test_apps on sys.path and restore the module table after."""
    monkeypatch.syspath_prepend(str(TESTS_DIR / "test_apps"))
    original_modules = set(sys.modules)
    yield
    for key in set(sys.modules) - original_modules:
        sys.modules.pop(key)
