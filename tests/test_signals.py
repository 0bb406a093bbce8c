"""Signals: each of the framework's blinker signals, its sender and
arguments, the order they come in, and that nothing is sent when nobody
listens.
"""

from __future__ import annotations

import blinker
import pytest

import flask
from flask import signals

SIGNAL_NAMES = {
    "template_rendered": "template-rendered",
    "before_render_template": "before-render-template",
    "request_started": "request-started",
    "request_finished": "request-finished",
    "request_tearing_down": "request-tearing-down",
    "got_request_exception": "got-request-exception",
    "appcontext_tearing_down": "appcontext-tearing-down",
    "appcontext_pushed": "appcontext-pushed",
    "appcontext_popped": "appcontext-popped",
    "message_flashed": "message-flashed",
}


class Recorder:
    """Connect to signals for one sender and record each send as
    ``(signal name, sender, kwargs)``.
    """

    def __init__(self, app, names):
        self.app = app
        self.names = names
        self.calls = []
        # Blinker keeps weak references; keep the receivers alive here.
        self._receivers = {}

    def __enter__(self):
        for name in self.names:

            def receiver(sender, _name=name, **kwargs):
                self.calls.append((_name, sender, kwargs))

            self._receivers[name] = receiver
            getattr(flask, name).connect(receiver, self.app)

        return self

    def __exit__(self, *exc_info):
        # Without a sender, blinker forgets the receiver entirely; with one
        # it would stay in ``signal.receivers`` until garbage collected.
        for name, receiver in self._receivers.items():
            getattr(flask, name).disconnect(receiver)

        self._receivers.clear()

    @property
    def names_called(self):
        return [name for name, _, _ in self.calls]


@pytest.mark.parametrize(("attr", "name"), SIGNAL_NAMES.items())
def test_signal_objects(attr, name):
    signal = getattr(flask, attr)
    assert isinstance(signal, blinker.NamedSignal)
    assert signal.name == name
    assert getattr(signals, attr) is signal


def test_signals_module_exposes_namespace():
    assert signals.Namespace is blinker.Namespace


def test_request_signals_in_order(app, client):
    app.add_url_rule("/", "index", lambda: "ok")

    with Recorder(app, SIGNAL_NAMES) as rec:
        client.get("/")

    assert rec.names_called == [
        "appcontext_pushed",
        "request_started",
        "request_finished",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]
    assert all(sender is app for _, sender, _ in rec.calls)


def test_request_signal_arguments(app, client):
    app.add_url_rule("/", "index", lambda: "ok")

    with Recorder(app, SIGNAL_NAMES) as rec:
        client.get("/")

    kwargs = {name: kw for name, _, kw in rec.calls}
    assert kwargs["appcontext_pushed"] == {}
    assert kwargs["request_started"] == {}
    assert isinstance(kwargs["request_finished"]["response"], flask.Response)
    assert kwargs["request_tearing_down"] == {"exc": None}
    assert kwargs["appcontext_tearing_down"] == {"exc": None}
    assert kwargs["appcontext_popped"] == {}


def test_request_started_runs_in_request(app, client):
    seen = []

    def receiver(sender, **extra):
        seen.append((flask.request.path, flask.current_app._get_current_object()))

    app.add_url_rule("/here", "here", lambda: "ok")

    with flask.request_started.connected_to(receiver, app):
        client.get("/here")

    assert seen == [("/here", app)]


def test_request_started_before_before_request(app, client):
    order = []

    def receiver(sender, **extra):
        order.append("signal")

    app.before_request(lambda: order.append("before_request"))

    @app.route("/")
    def index():
        order.append("view")
        return "ok"

    with flask.request_started.connected_to(receiver, app):
        client.get("/")

    assert order == ["signal", "before_request", "view"]


def test_request_finished_gets_final_response(app, client):
    seen = []

    def receiver(sender, response, **extra):
        seen.append((response.status_code, response.headers.get("X-After")))

    app.add_url_rule("/", "index", lambda: ("created", 201))

    @app.after_request
    def after(response):
        response.headers["X-After"] = "1"
        return response

    with flask.request_finished.connected_to(receiver, app):
        client.get("/")

    assert seen == [(201, "1")]


def test_got_request_exception_signal(app, client):
    error = ValueError("broken view")

    @app.route("/")
    def index():
        raise error

    with Recorder(app, SIGNAL_NAMES) as rec:
        with pytest.raises(ValueError):
            client.get("/")

    assert rec.names_called == [
        "appcontext_pushed",
        "request_started",
        "got_request_exception",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]
    kwargs = {name: kw for name, _, kw in rec.calls}
    assert kwargs["got_request_exception"] == {"exception": error}
    assert kwargs["request_tearing_down"] == {"exc": error}
    assert kwargs["appcontext_tearing_down"] == {"exc": error}


def test_got_request_exception_then_500_response(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(app.logger, "disabled", True)

    @app.route("/")
    def index():
        raise KeyError("x")

    with Recorder(app, ["got_request_exception", "request_finished"]) as rec:
        rv = client.get("/")

    assert rv.status_code == 500
    assert rec.names_called == ["got_request_exception", "request_finished"]
    assert rec.calls[1][2]["response"].status_code == 500


def test_app_context_signals(app):
    with Recorder(app, SIGNAL_NAMES) as rec:
        with app.app_context():
            assert rec.names_called == ["appcontext_pushed"]

    assert rec.names_called == [
        "appcontext_pushed",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]
    assert rec.calls[1][2] == {"exc": None}


def test_appcontext_pushed_can_set_g(app, client):
    def receiver(sender, **extra):
        flask.g.user = "from signal"

    app.add_url_rule("/", "index", lambda: flask.g.user)

    with flask.appcontext_pushed.connected_to(receiver, app):
        assert client.get("/").data == b"from signal"


def test_appcontext_tearing_down_gets_error(app):
    seen = []

    def receiver(sender, exc, **extra):
        seen.append(exc)

    error = RuntimeError("in block")

    with flask.appcontext_tearing_down.connected_to(receiver, app):
        with pytest.raises(RuntimeError):
            with app.app_context():
                raise error

    assert seen == [error]


def test_template_signals(app, client):
    @app.route("/")
    def index():
        return flask.render_template_string("{{ greeting }}!", greeting="hi")

    with Recorder(app, ["before_render_template", "template_rendered"]) as rec:
        assert client.get("/").data == b"hi!"

    assert rec.names_called == ["before_render_template", "template_rendered"]

    for _, sender, kwargs in rec.calls:
        assert sender is app
        assert set(kwargs) == {"template", "context"}
        assert kwargs["context"]["greeting"] == "hi"
        assert kwargs["context"]["request"] is not None


def test_template_signals_for_file_template(app, app_ctx):
    with Recorder(app, ["template_rendered"]) as rec:
        flask.render_template("hello.html", greeting="Hi", name="Ana")

    ((_, _, kwargs),) = rec.calls
    assert kwargs["template"].name == "hello.html"
    assert kwargs["context"]["name"] == "Ana"


def test_template_context_has_request_and_g(app, req_ctx):
    with Recorder(app, ["template_rendered"]) as rec:
        flask.render_template_string("")

    context = rec.calls[0][2]["context"]
    assert context["request"] is flask.request._get_current_object()
    assert context["g"] is flask.g._get_current_object()
    # Templates reach the session through the global proxy instead.
    assert "session" not in context


def test_before_render_template_can_change_context(app, client):
    def receiver(sender, template, context, **extra):
        context["greeting"] = "changed"

    app.add_url_rule(
        "/",
        "index",
        lambda: flask.render_template_string("{{ greeting }}", greeting="hi"),
    )

    with flask.before_render_template.connected_to(receiver, app):
        assert client.get("/").data == b"changed"


def test_template_signals_for_streamed_template(app, app_ctx):
    with Recorder(app, ["before_render_template", "template_rendered"]) as rec:
        stream = flask.stream_template_string("{{ a }}", a=1)
        # Only the "before" signal is sent until the stream is consumed.
        assert rec.names_called == ["before_render_template"]
        assert "".join(stream) == "1"

    assert rec.names_called == ["before_render_template", "template_rendered"]


def test_message_flashed(app, client):
    @app.route("/")
    def index():
        flask.flash("saved")
        flask.flash("careful", "warning")
        return ""

    with Recorder(app, ["message_flashed"]) as rec:
        client.get("/")

    assert rec.calls == [
        ("message_flashed", app, {"message": "saved", "category": "message"}),
        ("message_flashed", app, {"message": "careful", "category": "warning"}),
    ]


def test_receivers_for_other_sender_not_called(app, client):
    other = flask.Flask("other")
    app.add_url_rule("/", "index", lambda: "ok")

    with Recorder(other, SIGNAL_NAMES) as rec:
        client.get("/")

    assert rec.calls == []


def test_receiver_for_any_sender(app, client):
    seen = []

    def receiver(sender, **extra):
        seen.append(sender)

    app.add_url_rule("/", "index", lambda: "ok")

    with flask.request_started.connected_to(receiver):
        client.get("/")

    assert seen == [app]


def test_async_receiver(app, client):
    pytest.importorskip("asgiref")
    seen = []

    async def receiver(sender, **extra):
        seen.append(sender)

    app.add_url_rule("/", "index", lambda: "ok")

    with flask.request_started.connected_to(receiver, app):
        client.get("/")

    assert seen == [app]


@pytest.mark.parametrize(
    "name",
    [
        "request_started",
        "request_finished",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_pushed",
        "appcontext_popped",
        "got_request_exception",
        "template_rendered",
        "before_render_template",
        "message_flashed",
    ],
)
def test_nothing_sent_without_receivers(app, client, monkeypatch, name):
    signal = getattr(flask, name)

    # Blinker keeps a receiver disconnected from one sender in
    # ``receivers`` until it is garbage collected, so a receiver another
    # test left behind would make this test depend on the order of tests.
    # Start from the state our senders check: no receivers at all.
    monkeypatch.setattr(signal, "receivers", {})

    def send(*args, **kwargs):  # pragma: no cover - the point is it's not called
        raise AssertionError(f"{name} was sent with no receivers")

    monkeypatch.setattr(signal, "send", send)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(app.logger, "disabled", True)

    @app.route("/")
    def index():
        flask.flash("message")
        return flask.render_template_string("{{ 1 }}")

    @app.route("/error")
    def error():
        raise ValueError

    assert client.get("/").status_code == 200
    assert client.get("/error").status_code == 500
