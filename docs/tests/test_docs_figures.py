"""The diagrams in docs/_static are generated, and they tell the truth.

``docs/figures/figures.py`` draws them from data; these tests check that
the committed SVG files are what the script draws now, and that the order
of hooks drawn in the request lifecycle is the order the framework really
uses.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

import flask
from flask import after_this_request
from flask import signals
from flask.sessions import SecureCookieSessionInterface

FIGURES_PY = Path(__file__).resolve().parent.parent / "figures" / "figures.py"


def _load_figures():
    spec = importlib.util.spec_from_file_location("docs_figures", FIGURES_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the module up in sys.modules while the class is made.
    sys.modules[spec.name] = module

    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]

    return module


figures = _load_figures()


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_committed_figure_is_up_to_date(name: str):
    committed = (figures.STATIC / name).read_text("utf8")
    assert committed == figures.FIGURES[name](), (
        f"docs/_static/{name} is stale: run python docs/figures/figures.py"
    )


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_figure_is_well_formed_svg(name: str):
    root = ElementTree.parse(figures.STATIC / name).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title") is not None


def _recording_app(events: list[str]) -> flask.Flask:
    """An app and a blueprint with every hook and signal recording itself."""

    class RecordingSessions(SecureCookieSessionInterface):
        def open_session(self, app, request):
            events.append("open_session")
            return super().open_session(app, request)

        def save_session(self, app, session, response):
            events.append("save_session")
            return super().save_session(app, session, response)

    app = flask.Flask(__name__)
    app.secret_key = "figures"
    app.session_interface = RecordingSessions()
    bp = flask.Blueprint("bp", __name__)

    def record(name):
        def hook(*args, **kwargs):
            events.append(name)
            return args[0] if name.startswith("after") else None

        return hook

    app.url_value_preprocessor(record("url_value_preprocessor app"))
    bp.url_value_preprocessor(record("url_value_preprocessor bp"))
    app.before_request(record("before_request app"))
    bp.before_request(record("before_request bp"))
    app.after_request(record("after_request app"))
    bp.after_request(record("after_request bp"))
    app.teardown_request(record("teardown_request app"))
    bp.teardown_request(record("teardown_request bp"))
    app.teardown_appcontext(record("teardown_appcontext app"))

    @bp.route("/")
    def view():
        events.append("view")
        after_this_request(record("after_this_request"))
        return "ok"

    @bp.route("/fail")
    def fail():
        raise ValueError("boom")

    app.register_blueprint(bp)
    return app


@pytest.fixture
def recorded():
    events: list[str] = []
    app = _recording_app(events)
    names = [
        "appcontext_pushed",
        "request_started",
        "request_finished",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
        "got_request_exception",
    ]
    receivers = {}

    for name in names:
        receivers[name] = (lambda n: lambda *a, **k: events.append(n))(name)
        getattr(signals, name).connect(receivers[name], app)

    yield app, events

    for name in names:
        getattr(signals, name).disconnect(receivers[name], app)


def test_lifecycle_figure_matches_the_framework(recorded):
    app, events = recorded
    assert app.test_client().get("/").text == "ok"
    drawn = [event for step in figures.LIFECYCLE for event in step.events]
    assert events == drawn


def test_teardown_runs_after_an_unhandled_error(recorded):
    app, events = recorded
    response = app.test_client().get("/fail")
    assert response.status_code == 500
    assert "view" not in events
    assert "got_request_exception" in events
    tail = events[events.index("got_request_exception") :]
    # The error path rejoins at make_response: after_request, the session
    # and every teardown still run.
    for event in [
        "after_request app",
        "save_session",
        "teardown_request app",
        "teardown_appcontext app",
        "appcontext_popped",
    ]:
        assert event in tail
