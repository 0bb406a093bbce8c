"""The application logger: its name and level, the default handler, the
``wsgi.errors`` stream, and what gets logged for an unhandled error.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import sys

import pytest

import flask
from flask.logging import create_logger
from flask.logging import default_handler
from flask.logging import has_level_handler
from flask.logging import wsgi_errors_stream

_counter = itertools.count()
_parent_name = ""


@pytest.fixture(autouse=True)
def _isolated_loggers():
    """Give each test its own parent logger for the loggers it makes, and
    forget them afterwards so handlers and levels do not leak.

    The parent does not propagate: pytest's capture handlers on the root
    logger would otherwise count as "something handles the level". It is
    made lazily in the test body, after pytest has attached its handlers
    to the non-propagating loggers that exist when the test starts.
    """
    global _parent_name
    _parent_name = f"flask_log_tests_{next(_counter)}"
    manager = logging.Logger.manager
    known = set(manager.loggerDict)
    yield

    # Only ours: the parent's tree, and the "__main__" apps' loggers.
    for name in set(manager.loggerDict) - known:
        if name.split(".")[0] not in {_parent_name, "serve", "__main__"}:
            continue

        logger = manager.loggerDict.pop(name)

        if isinstance(logger, logging.Logger):
            logger.handlers.clear()


def _parent():
    parent = logging.getLogger(_parent_name)
    parent.propagate = False
    return parent


def _name(name):
    return f"{_parent().name}.{name}"


def _new_app(name, **config):
    app = flask.Flask(_name(name), root_path=os.path.dirname(__file__))
    app.config.update(config)
    return app


# --- the logger -------------------------------------------------------------


def test_logger_named_after_import_name():
    app = _new_app("log_app.sub")
    assert app.logger.name == _name("log_app.sub")
    assert app.logger is logging.getLogger(_name("log_app.sub"))


def test_logger_is_created_once():
    app = _new_app("log_once")
    assert app.logger is app.logger


def test_logger_of_main_module_is_script_name(monkeypatch):
    monkeypatch.setattr(sys.modules["__main__"], "__file__", "/srv/site/serve.py")
    app = flask.Flask("__main__", root_path=os.path.dirname(__file__))
    assert app.name == "serve"
    assert app.logger.name == "serve"


def test_logger_of_interactive_main_module(monkeypatch):
    monkeypatch.delattr(sys.modules["__main__"], "__file__", raising=False)
    app = flask.Flask("__main__", root_path=os.path.dirname(__file__))
    assert app.logger.name == "__main__"


def test_logger_name_follows_name_property():
    class Named(flask.Flask):
        @property
        def name(self):
            return _name("custom")

    app = Named("log_named", root_path=os.path.dirname(__file__))
    assert app.logger.name == _name("custom")


def test_logger_level_not_set_outside_debug():
    app = _new_app("log_level_plain")
    assert app.logger.level == logging.NOTSET


def test_logger_level_debug_in_debug_mode():
    app = _new_app("log_level_debug", DEBUG=True)
    assert app.logger.level == logging.DEBUG


def test_debug_does_not_override_configured_level():
    logging.getLogger(_name("log_level_set")).setLevel(logging.WARNING)
    app = _new_app("log_level_set", DEBUG=True)
    assert app.logger.level == logging.WARNING


# --- the default handler ----------------------------------------------------


def test_default_handler_added_when_nothing_handles():
    app = _new_app("log_default")
    assert app.logger.handlers == [default_handler]


def test_default_handler_shape():
    assert isinstance(default_handler, logging.StreamHandler)
    assert default_handler.stream is wsgi_errors_stream
    assert default_handler.formatter._fmt == (
        "[%(asctime)s] %(levelname)s in %(module)s: %(message)s"
    )


def test_default_handler_not_added_with_own_handler():
    handler = logging.StreamHandler(io.StringIO())
    logging.getLogger(_name("log_own")).addHandler(handler)

    app = _new_app("log_own")
    assert app.logger.handlers == [handler]


def test_default_handler_not_added_with_ancestor_handler():
    # Configuring logging usually means a handler on the root logger; a
    # handler on any ancestor the record propagates to counts the same.
    _parent().addHandler(logging.StreamHandler(io.StringIO()))

    app = _new_app("log_root")
    assert app.logger.handlers == []


def test_default_handler_added_when_ancestor_handler_level_too_high():
    handler = logging.StreamHandler(io.StringIO())
    handler.setLevel(logging.CRITICAL)
    _parent().addHandler(handler)

    app = _new_app("log_root_high")
    assert app.logger.handlers == [default_handler]


def test_default_handler_can_be_removed():
    app = _new_app("log_removed")
    app.logger.removeHandler(default_handler)
    assert app.logger.handlers == []


# --- has_level_handler ------------------------------------------------------


def test_has_level_handler_none():
    assert not has_level_handler(logging.getLogger(_name("hlh_none")))


def test_has_level_handler_own():
    logger = logging.getLogger(_name("hlh_own"))
    logger.addHandler(logging.NullHandler())
    assert has_level_handler(logger)


def test_has_level_handler_from_parent():
    logging.getLogger(_name("hlh_parent")).addHandler(logging.NullHandler())
    child = logging.getLogger(_name("hlh_parent.child"))
    assert has_level_handler(child)

    child.propagate = False
    assert not has_level_handler(child)


@pytest.mark.parametrize(
    ("logger_level", "handler_level", "expect"),
    [
        (logging.INFO, logging.ERROR, False),
        (logging.ERROR, logging.ERROR, True),
        (logging.ERROR, logging.INFO, True),
    ],
)
def test_has_level_handler_compares_levels(logger_level, handler_level, expect):
    logger = logging.getLogger(_name(f"hlh_{logger_level}_{handler_level}"))
    logger.setLevel(logger_level)
    handler = logging.NullHandler()
    handler.setLevel(handler_level)
    logger.addHandler(handler)
    assert has_level_handler(logger) is expect


# --- create_logger ----------------------------------------------------------


def test_create_logger():
    class FakeApp:
        name = _name("created_logger")
        debug = True

    logger = create_logger(FakeApp())
    assert logger is logging.getLogger(_name("created_logger"))
    assert logger.level == logging.DEBUG
    assert logger.handlers == [default_handler]


def test_create_logger_twice_adds_handler_once():
    class FakeApp:
        name = _name("created_twice")
        debug = False

    create_logger(FakeApp())
    logger = create_logger(FakeApp())
    assert logger.handlers == [default_handler]


# --- the wsgi.errors stream -------------------------------------------------


def test_wsgi_errors_stream_outside_request_is_stderr(app):
    assert wsgi_errors_stream._get_current_object() is sys.stderr

    with app.app_context():
        assert wsgi_errors_stream._get_current_object() is sys.stderr


def test_wsgi_errors_stream_in_request(app):
    stream = io.StringIO()

    with app.test_request_context(errors_stream=stream):
        assert wsgi_errors_stream._get_current_object() is stream


def test_log_in_view_goes_to_wsgi_errors():
    app = _new_app("log_view")

    @app.route("/")
    def index():
        flask.current_app.logger.warning("hello %s", "there")
        return ""

    stream = io.StringIO()
    app.test_client().get("/", errors_stream=stream)

    output = stream.getvalue()
    assert output.startswith("[")
    assert output.endswith("] WARNING in test_logging: hello there\n")


def test_log_outside_request_goes_to_stderr(capsys):
    app = _new_app("log_stderr")
    app.logger.error("no request here")

    err = capsys.readouterr().err
    assert err.endswith("ERROR in test_logging: no request here\n")


# --- unhandled exceptions ---------------------------------------------------


def test_unhandled_exception_logged_to_wsgi_errors():
    app = _new_app("log_exception")

    @app.route("/fail", methods=["POST"])
    def fail():
        raise ValueError("something broke")

    stream = io.StringIO()
    rv = app.test_client().post("/fail?x=1", errors_stream=stream)
    assert rv.status_code == 500

    output = stream.getvalue()
    first_line = output.splitlines()[0]
    assert first_line.endswith("ERROR in app: Exception on /fail [POST]")
    assert "Traceback (most recent call last):" in output
    assert output.rstrip().endswith("ValueError: something broke")


def test_unhandled_exception_not_logged_when_propagating():
    app = _new_app("log_propagate", TESTING=True)

    @app.route("/")
    def fail():
        raise ValueError

    stream = io.StringIO()

    with pytest.raises(ValueError):
        app.test_client().get("/", errors_stream=stream)

    assert stream.getvalue() == ""


def test_unhandled_exception_goes_to_configured_handler():
    records = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            records.append(record)

    logging.getLogger(_name("log_configured")).addHandler(ListHandler())
    app = _new_app("log_configured")

    @app.route("/")
    def fail():
        raise KeyError("k")

    stream = io.StringIO()
    assert app.test_client().get("/", errors_stream=stream).status_code == 500

    # The app's own handler replaces the default one.
    assert stream.getvalue() == ""
    (record,) = records
    assert record.getMessage() == "Exception on / [GET]"
    assert record.exc_info[0] is KeyError


def test_has_level_handler_stops_after_non_propagating_ancestor():
    top = logging.getLogger(_name("hlh_stop"))
    middle = logging.getLogger(_name("hlh_stop.middle"))
    child = logging.getLogger(_name("hlh_stop.middle.child"))
    top.addHandler(logging.NullHandler())
    middle.propagate = False
    # The middle logger's records never reach the top one's handler.
    assert not has_level_handler(child)

    middle.addHandler(logging.NullHandler())
    assert has_level_handler(child)
