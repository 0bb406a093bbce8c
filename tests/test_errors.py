"""Error handling: registering handlers, finding the handler for an
exception, HTTP exceptions, unhandled exceptions and the 500 path, the
propagation and trapping config, and errors raised while handling errors.
"""

from __future__ import annotations

import io
import logging

import pytest
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import BadRequestKeyError
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

import flask


class AppError(Exception):
    pass


class PaymentError(AppError):
    pass


class CardDeclined(PaymentError):
    pass


class Teapot(HTTPException):
    code = 418
    description = "I refuse to brew coffee."


class MissingWidget(NotFound):
    description = "No such widget."


def _raiser(exc):
    def view():
        raise exc

    return view


# --- registration -----------------------------------------------------------


@pytest.mark.parametrize("via", ["decorator", "method"])
def test_register_by_code(app, client, via):
    def handle(e):
        return f"handled {e.code}", 404

    if via == "decorator":
        app.errorhandler(404)(handle)
    else:
        app.register_error_handler(404, handle)

    rv = client.get("/missing")
    assert rv.status_code == 404
    assert rv.data == b"handled 404"


@pytest.mark.parametrize("via", ["decorator", "method"])
def test_register_by_class(app, client, via):
    def handle(e):
        return f"handled {type(e).__name__}", 400

    if via == "decorator":
        app.errorhandler(AppError)(handle)
    else:
        app.register_error_handler(AppError, handle)

    app.add_url_rule("/", "index", _raiser(AppError()))

    rv = client.get("/")
    assert rv.status_code == 400
    assert rv.data == b"handled AppError"


def test_errorhandler_returns_function(app):
    def handle(e):
        return ""

    assert app.errorhandler(500)(handle) is handle


def test_code_and_its_class_share_a_slot(app):
    def by_code(e):
        return ""

    def by_class(e):
        return ""

    app.register_error_handler(404, by_code)
    assert app.error_handler_spec[None][404][NotFound] is by_code

    app.register_error_handler(NotFound, by_class)
    assert app.error_handler_spec[None][404][NotFound] is by_class


def test_generic_exception_registered_without_code(app):
    def handle(e):
        return ""

    app.register_error_handler(AppError, handle)
    app.register_error_handler(HTTPException, handle)
    assert app.error_handler_spec[None][None] == {
        AppError: handle,
        HTTPException: handle,
    }


@pytest.mark.parametrize("code", [999, 200, 302])
def test_register_unknown_code_is_value_error(app, code):
    with pytest.raises(ValueError) as exc_info:
        app.errorhandler(code)(lambda e: "")

    assert str(exc_info.value) == (
        f"'{code}' is not a recognized HTTP error code. Use a subclass of"
        " HTTPException with that code instead."
    )


def test_register_instance_is_type_error(app):
    with pytest.raises(TypeError) as exc_info:
        app.register_error_handler(AppError(), lambda e: "")

    assert str(exc_info.value).startswith("AppError() is an instance, not a class.")


@pytest.mark.parametrize("cls", [int, str, BaseException, KeyboardInterrupt])
def test_register_non_exception_class_is_value_error(app, cls):
    with pytest.raises(ValueError) as exc_info:
        app.errorhandler(cls)(lambda e: "")

    assert str(exc_info.value).startswith(
        f"'{cls.__name__}' is not a subclass of Exception."
    )


def test_blueprint_registration_checks_too():
    bp = flask.Blueprint("bp", __name__)

    with pytest.raises(ValueError, match="not a recognized HTTP error code"):
        bp.errorhandler(999)(lambda e: "")

    with pytest.raises(TypeError, match="is an instance, not a class"):
        bp.register_error_handler(AppError(), lambda e: "")


def test_register_after_first_request_fails(app, client):
    client.get("/")

    with pytest.raises(AssertionError, match="'register_error_handler'"):
        app.register_error_handler(404, lambda e: "")


# --- finding the handler ----------------------------------------------------


@pytest.fixture
def mro_app(app):
    @app.errorhandler(AppError)
    def app_error(e):
        return f"AppError handler: {type(e).__name__}"

    @app.errorhandler(PaymentError)
    def payment_error(e):
        return f"PaymentError handler: {type(e).__name__}"

    app.add_url_rule("/app", "app", _raiser(AppError()))
    app.add_url_rule("/payment", "payment", _raiser(PaymentError()))
    app.add_url_rule("/declined", "declined", _raiser(CardDeclined()))
    return app


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/app", b"AppError handler: AppError"),
        ("/payment", b"PaymentError handler: PaymentError"),
        # No handler for CardDeclined: the closest base class wins.
        ("/declined", b"PaymentError handler: CardDeclined"),
    ],
)
def test_handler_found_along_mro(mro_app, client, path, body):
    assert client.get(path).data == body


def test_exception_handler_catches_everything(app, client):
    @app.errorhandler(Exception)
    def handle(e):
        return f"caught {type(e).__name__}", 500

    app.add_url_rule("/value", "value", _raiser(ValueError()))
    app.add_url_rule("/http", "http", _raiser(Forbidden()))

    assert client.get("/value").data == b"caught ValueError"
    # HTTP exceptions are exceptions too.
    assert client.get("/http").data == b"caught Forbidden"
    assert client.get("/missing").data == b"caught NotFound"


def test_code_handler_before_class_handler(app, client):
    @app.errorhandler(HTTPException)
    def any_http(e):
        return f"generic {e.code}", e.code

    @app.errorhandler(403)
    def forbidden(e):
        return "specific 403", 403

    app.add_url_rule("/403", "f", _raiser(Forbidden()))
    app.add_url_rule("/401", "u", lambda: flask.abort(401))

    assert client.get("/403").data == b"specific 403"
    assert client.get("/401").data == b"generic 401"
    assert client.get("/missing").data == b"generic 404"


def test_subclass_of_http_exception_uses_code_handler(app, client):
    @app.errorhandler(404)
    def not_found(e):
        return f"404 handler: {e.description}", 404

    app.add_url_rule("/", "index", _raiser(MissingWidget()))

    rv = client.get("/")
    assert rv.status_code == 404
    assert rv.data == b"404 handler: No such widget."


def test_handler_for_http_subclass_is_more_specific(app, client):
    @app.errorhandler(404)
    def not_found(e):
        return "generic 404", 404

    @app.errorhandler(MissingWidget)
    def missing_widget(e):
        return "widget 404", 404

    app.add_url_rule("/widget", "widget", _raiser(MissingWidget()))

    assert client.get("/widget").data == b"widget 404"
    assert client.get("/other").data == b"generic 404"


def test_custom_http_exception_with_own_code(app, client):
    app.add_url_rule("/", "index", _raiser(Teapot()))

    rv = client.get("/")
    assert rv.status_code == 418
    assert b"I refuse to brew coffee." in rv.data


def test_custom_http_exception_handler(app, client):
    app.register_error_handler(Teapot, lambda e: (f"{e.code}: {e.description}", 200))
    app.add_url_rule("/", "index", _raiser(Teapot()))

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"418: I refuse to brew coffee."


def test_code_handler_only_sees_werkzeug_class_for_code(app, client):
    # 418 means werkzeug's ImATeapot; our Teapot is not a subclass of it.
    app.register_error_handler(418, lambda e: "by code")
    app.add_url_rule("/ours", "ours", _raiser(Teapot()))
    app.add_url_rule("/werkzeug", "werkzeug", lambda: flask.abort(418))

    assert client.get("/werkzeug").data == b"by code"
    rv = client.get("/ours")
    assert rv.status_code == 418
    assert b"I refuse to brew coffee." in rv.data


def test_unhandled_http_exception_is_its_own_response(app, client):
    app.add_url_rule("/", "index", _raiser(Forbidden("keep out")))

    rv = client.get("/")
    assert rv.status_code == 403
    assert rv.mimetype == "text/html"
    assert b"<h1>Forbidden</h1>" in rv.data
    assert b"keep out" in rv.data


def test_blueprint_handler_before_app_handler(app, client):
    bp = flask.Blueprint("bp", __name__, url_prefix="/bp")

    @bp.errorhandler(AppError)
    def bp_handler(e):
        return "blueprint handler"

    @app.errorhandler(AppError)
    def app_handler(e):
        return "app handler"

    bp.add_url_rule("/", "index", _raiser(AppError()))
    app.add_url_rule("/", "index", _raiser(AppError()))
    app.register_blueprint(bp)

    assert client.get("/bp/").data == b"blueprint handler"
    assert client.get("/").data == b"app handler"


# --- handler return values --------------------------------------------------


@pytest.mark.parametrize(
    ("returned", "status", "body", "header"),
    [
        (("text", 409), 409, b"text", None),
        (("text", 409, {"X-Err": "1"}), 409, b"text", "1"),
        (("text", {"X-Err": "2"}), 200, b"text", "2"),
        ({"error": "bad"}, 200, b'{"error":"bad"}\n', None),
        (({"error": "bad"}, 422), 422, b'{"error":"bad"}\n', None),
    ],
)
def test_handler_return_value_is_made_a_response(
    app, client, returned, status, body, header
):
    app.register_error_handler(AppError, lambda e: returned)
    app.add_url_rule("/", "index", _raiser(AppError()))

    rv = client.get("/")
    assert rv.status_code == status
    assert rv.data == body
    assert rv.headers.get("X-Err") == header


def test_handler_string_return_has_status_200(app, client):
    app.register_error_handler(404, lambda e: "not really missing")

    rv = client.get("/missing")
    assert rv.status_code == 200
    assert rv.data == b"not really missing"


def test_handler_may_return_http_exception(app, client):
    app.register_error_handler(AppError, lambda e: NotFound())
    app.add_url_rule("/", "index", _raiser(AppError()))

    rv = client.get("/")
    assert rv.status_code == 404
    assert b"<h1>Not Found</h1>" in rv.data


def test_after_request_runs_on_handled_error(app, client):
    app.register_error_handler(AppError, lambda e: ("handled", 400))
    app.add_url_rule("/", "index", _raiser(AppError()))

    @app.after_request
    def mark(response):
        response.headers["X-After"] = "yes"
        return response

    assert client.get("/").headers["X-After"] == "yes"


def test_handler_receives_the_exception(app, client):
    seen = []

    @app.errorhandler(AppError)
    def handle(e):
        seen.append(e)
        return str(e)

    error = AppError("details")
    app.add_url_rule("/", "index", _raiser(error))

    assert client.get("/").data == b"details"
    assert seen == [error]


# --- routing errors ---------------------------------------------------------


def test_404_handler(app, client):
    @app.errorhandler(404)
    def not_found(e):
        return f"no page at {flask.request.path}", 404

    rv = client.get("/nothing/here")
    assert rv.status_code == 404
    assert rv.data == b"no page at /nothing/here"


def test_405_default_has_allow(app, client):
    app.add_url_rule("/", "index", lambda: "", methods=["POST", "PUT"])

    rv = client.get("/")
    assert rv.status_code == 405
    assert sorted(rv.headers["Allow"].split(", ")) == ["OPTIONS", "POST", "PUT"]


def test_405_handler(app, client):
    @app.errorhandler(405)
    def not_allowed(e):
        assert isinstance(e, MethodNotAllowed)
        return f"use {', '.join(sorted(e.valid_methods))}", 405

    app.add_url_rule("/", "index", lambda: "", methods=["POST"])

    rv = client.get("/")
    assert rv.status_code == 405
    assert rv.data == b"use OPTIONS, POST"


def test_routing_redirect_not_passed_to_handlers(app, client):
    calls = []

    @app.errorhandler(HTTPException)
    def any_http(e):
        calls.append(e)
        return "handled", 500

    @app.errorhandler(Exception)
    def any_exception(e):
        calls.append(e)
        return "handled", 500

    app.add_url_rule("/folder/", "folder", lambda: "folder")

    rv = client.get("/folder")
    assert rv.status_code == 308
    assert rv.headers["Location"] == "http://localhost/folder/"
    assert calls == []


def test_handle_http_exception_returns_routing_redirect(app, req_ctx):
    app.register_error_handler(Exception, lambda e: "handled")
    redirect = RequestRedirect("http://localhost/x/")
    assert app.handle_http_exception(redirect) is redirect


# --- handle_http_exception / handle_user_exception --------------------------


def test_handle_http_exception_calls_handler(app, req_ctx):
    app.register_error_handler(404, lambda e: ("nf", 404))
    assert app.handle_http_exception(NotFound()) == ("nf", 404)


def test_handle_http_exception_without_handler_returns_exception(app, req_ctx):
    e = BadRequest()
    assert app.handle_http_exception(e) is e


def test_handle_http_exception_without_code_returns_exception(app, req_ctx):
    app.register_error_handler(HTTPException, lambda e: "handled")
    e = HTTPException(response=flask.Response("proxy", 502))
    assert app.handle_http_exception(e) is e


def test_handle_user_exception_dispatches(app, req_ctx):
    app.register_error_handler(KeyError, lambda e: "key handled")
    app.register_error_handler(404, lambda e: "404 handled")

    assert app.handle_user_exception(KeyError()) == "key handled"
    assert app.handle_user_exception(NotFound()) == "404 handled"


def test_handle_user_exception_reraises_unhandled(app, req_ctx):
    with pytest.raises(ValueError, match="unhandled"):
        try:
            raise ValueError("unhandled")
        except ValueError as e:
            app.handle_user_exception(e)


def test_handle_user_exception_can_be_wrapped(app, client):
    seen = []
    original = app.handle_user_exception

    def wrapped(e):
        seen.append(type(e))
        return original(e)

    app.handle_user_exception = wrapped
    app.register_error_handler(AppError, lambda e: "handled")
    app.add_url_rule("/", "index", _raiser(AppError()))

    assert client.get("/").data == b"handled"
    assert seen == [AppError]


# --- unhandled exceptions and the 500 path ---------------------------------


@pytest.fixture
def boom_app(app):
    app.config["TESTING"] = False
    app.add_url_rule("/boom", "boom", _raiser(ValueError("boom!")))
    return app


def test_unhandled_exception_is_500(boom_app, client):
    rv = client.get("/boom", errors_stream=io.StringIO())
    assert rv.status_code == 500
    assert b"<h1>Internal Server Error</h1>" in rv.data
    # Nothing about the error leaks to the client.
    assert b"boom!" not in rv.data


def test_500_handler_gets_original_exception(boom_app, client, caplog):
    seen = []

    @boom_app.errorhandler(500)
    def server_error(e):
        seen.append(e)
        return "sorry", 500

    with caplog.at_level(logging.ERROR):
        rv = client.get("/boom")

    assert rv.status_code == 500
    assert rv.data == b"sorry"
    (e,) = seen
    assert isinstance(e, InternalServerError)
    assert isinstance(e.original_exception, ValueError)
    assert str(e.original_exception) == "boom!"


def test_internal_server_error_class_handler(boom_app, client, caplog):
    @boom_app.errorhandler(InternalServerError)
    def server_error(e):
        return f"original: {e.original_exception!r}", 500

    boom_app.add_url_rule("/raise500", "raise500", _raiser(InternalServerError()))

    with caplog.at_level(logging.ERROR):
        assert client.get("/boom").data == b"original: ValueError('boom!')"

    # A 500 raised on purpose is an HTTP error with no original exception,
    # and is not logged.
    caplog.clear()
    assert client.get("/raise500").data == b"original: None"
    assert caplog.records == []


def test_unhandled_exception_is_logged(boom_app, client, caplog):
    with caplog.at_level(logging.ERROR, logger=boom_app.logger.name):
        client.get("/boom?x=1")

    (record,) = caplog.records
    assert record.name == boom_app.logger.name
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Exception on /boom [GET]"
    assert record.exc_info[0] is ValueError


def test_unhandled_exception_logged_with_method(boom_app, client, caplog):
    boom_app.add_url_rule("/post", "post", _raiser(KeyError()), methods=["POST"])

    with caplog.at_level(logging.ERROR):
        client.post("/post")

    assert [r.getMessage() for r in caplog.records] == ["Exception on /post [POST]"]


def test_log_exception_override():
    seen = []

    class MyFlask(flask.Flask):
        def log_exception(self, exc_info):
            seen.append(exc_info[0])

    app = MyFlask(__name__)
    app.add_url_rule("/", "index", _raiser(ValueError()))

    assert app.test_client().get("/").status_code == 500
    assert seen == [ValueError]


def test_handle_exception_can_be_wrapped(boom_app, client, caplog):
    seen = []
    original = boom_app.handle_exception

    def wrapped(e):
        seen.append(e)
        return original(e)

    boom_app.handle_exception = wrapped

    with caplog.at_level(logging.ERROR):
        assert client.get("/boom").status_code == 500

    assert [type(e) for e in seen] == [ValueError]


def test_handled_exception_not_logged(app, client, caplog):
    app.config["TESTING"] = False
    app.register_error_handler(ValueError, lambda e: ("handled", 400))
    app.add_url_rule("/", "index", _raiser(ValueError()))

    with caplog.at_level(logging.DEBUG):
        assert client.get("/").status_code == 400

    assert caplog.records == []


# --- propagation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "propagates"),
    [
        ({}, False),
        ({"TESTING": True}, True),
        ({"DEBUG": True}, True),
        ({"PROPAGATE_EXCEPTIONS": True}, True),
        ({"TESTING": True, "PROPAGATE_EXCEPTIONS": False}, False),
        ({"DEBUG": True, "PROPAGATE_EXCEPTIONS": False}, False),
    ],
    ids=[
        "default",
        "testing",
        "debug",
        "propagate",
        "testing-not-propagate",
        "debug-not-propagate",
    ],
)
def test_propagate_exceptions(config, propagates, caplog):
    app = flask.Flask(__name__)
    app.config.update(config)
    app.add_url_rule("/", "index", _raiser(ValueError("propagated?")))
    client = app.test_client()

    with caplog.at_level(logging.ERROR):
        if propagates:
            with pytest.raises(ValueError, match="propagated"):
                client.get("/")
        else:
            assert client.get("/").status_code == 500

    # A propagated exception is the caller's to report; it is not logged.
    assert len(caplog.records) == (0 if propagates else 1)


def test_propagated_exception_still_runs_teardown(app, client):
    torn_down = []
    app.teardown_request(torn_down.append)
    app.add_url_rule("/", "index", _raiser(ValueError()))

    with pytest.raises(ValueError):
        client.get("/")

    assert [type(e) for e in torn_down] == [ValueError]


def test_exception_handler_prevents_propagation(app, client):
    app.register_error_handler(Exception, lambda e: ("caught", 500))
    app.add_url_rule("/", "index", _raiser(ValueError()))

    # TESTING is set, but a handled exception never propagates.
    assert client.get("/").data == b"caught"


def test_500_handler_not_used_when_propagating(app, client):
    app.register_error_handler(500, lambda e: "500 handler")
    app.add_url_rule("/", "index", _raiser(ValueError()))

    with pytest.raises(ValueError):
        client.get("/")


def test_handle_exception_direct_call(app, req_ctx, caplog):
    app.config["TESTING"] = False

    with caplog.at_level(logging.ERROR):
        rv = app.handle_exception(ValueError("direct"))

    assert isinstance(rv, flask.Response)
    assert rv.status_code == 500

    app.config["TESTING"] = True

    with pytest.raises(ValueError, match="direct"):
        app.handle_exception(ValueError("direct"))


# --- trapping ---------------------------------------------------------------


def test_trap_http_exceptions(app, client, caplog):
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    app.add_url_rule("/", "index", lambda: flask.abort(404))

    with pytest.raises(NotFound):
        client.get("/")

    # A routing 404 is trapped too.
    with pytest.raises(NotFound):
        client.get("/missing")

    app.config["TESTING"] = False

    with caplog.at_level(logging.ERROR):
        assert client.get("/").status_code == 500

    assert caplog.records[0].getMessage() == "Exception on / [GET]"


def test_trapped_http_exception_uses_handler(app, client):
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    app.register_error_handler(404, lambda e: ("handled", 404))

    assert client.get("/missing").data == b"handled"


@pytest.mark.parametrize(
    ("config", "expect"),
    [
        ({}, (False, False, False)),
        ({"TRAP_HTTP_EXCEPTIONS": True}, (True, True, True)),
        ({"TRAP_BAD_REQUEST_ERRORS": True}, (False, True, True)),
        ({"DEBUG": True}, (False, False, True)),
        ({"DEBUG": True, "TRAP_BAD_REQUEST_ERRORS": False}, (False, False, False)),
    ],
)
def test_trap_http_exception_method(config, expect):
    app = flask.Flask(__name__)
    app.config.update(config)
    exceptions = (NotFound(), BadRequest(), BadRequestKeyError("k"))
    assert tuple(app.trap_http_exception(e) for e in exceptions) == expect


def test_trap_bad_request_errors(app, client):
    app.config["TRAP_BAD_REQUEST_ERRORS"] = True
    app.add_url_rule("/br", "br", _raiser(BadRequest()))
    app.add_url_rule("/key", "key", lambda: flask.request.args["missing"])
    app.add_url_rule("/nf", "nf", lambda: flask.abort(404))

    with pytest.raises(BadRequest):
        client.get("/br")

    with pytest.raises(BadRequestKeyError):
        client.get("/key")

    # Other HTTP errors are not trapped.
    assert client.get("/nf").status_code == 404


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_missing_form_key_is_400(app, client, method):
    @app.route("/", methods=["GET", "POST"])
    def index():
        return flask.request.form["missing"]

    rv = client.open(
        "/", method=method, data={"other": "1"} if method == "POST" else None
    )
    assert rv.status_code == 400
    # The key is not named outside debug mode.
    assert b"missing" not in rv.data


def test_missing_key_trapped_in_debug(app, client):
    app.debug = True

    @app.route("/", methods=["POST"])
    def index():
        return flask.request.form["missing"]

    with pytest.raises(BadRequestKeyError) as exc_info:
        client.post("/", data={"other": "1"})

    assert "KeyError: 'missing'" in str(exc_info.value)


def test_missing_key_named_in_debug_when_not_trapped(app, client):
    app.debug = True
    app.config["TRAP_BAD_REQUEST_ERRORS"] = False
    app.add_url_rule("/", "index", lambda: flask.request.args["missing"])

    rv = client.get("/")
    assert rv.status_code == 400
    assert b"KeyError: &#39;missing&#39;" in rv.data


# --- got_request_exception --------------------------------------------------


def test_got_request_exception_signal(app, client):
    seen = []

    def receiver(sender, exception, **extra):
        seen.append((sender, exception))

    error = ValueError("signalled")
    app.add_url_rule("/", "index", _raiser(error))

    with flask.got_request_exception.connected_to(receiver, app):
        with pytest.raises(ValueError):
            client.get("/")

    assert seen == [(app, error)]


def test_got_request_exception_not_sent_for_handled_errors(app, client):
    seen = []

    def receiver(sender, exception, **extra):  # pragma: no cover - not called
        seen.append(exception)

    app.register_error_handler(KeyError, lambda e: "handled")
    app.add_url_rule("/key", "key", _raiser(KeyError()))
    app.add_url_rule("/nf", "nf", lambda: flask.abort(404))

    with flask.got_request_exception.connected_to(receiver, app):
        client.get("/key")
        client.get("/nf")

    assert seen == []


# --- errors while handling errors -------------------------------------------


def test_error_in_error_handler_becomes_500(app, client, caplog):
    app.config["TESTING"] = False

    @app.errorhandler(ValueError)
    def broken(e):
        raise KeyError("handler broke")

    app.add_url_rule("/", "index", _raiser(ValueError("original")))

    with caplog.at_level(logging.ERROR):
        rv = client.get("/")

    assert rv.status_code == 500
    (record,) = caplog.records
    # The error that reaches the 500 path is the one from the handler.
    assert record.exc_info[0] is KeyError


def test_error_in_error_handler_propagates_when_testing(app, client):
    @app.errorhandler(ValueError)
    def broken(e):
        raise KeyError("handler broke")

    app.add_url_rule("/", "index", _raiser(ValueError()))

    with pytest.raises(KeyError, match="handler broke"):
        client.get("/")


def test_error_in_500_handler_propagates(boom_app, client, caplog):
    @boom_app.errorhandler(500)
    def broken(e):
        raise KeyError("500 handler broke")

    with caplog.at_level(logging.ERROR), pytest.raises(KeyError):
        client.get("/boom")


def test_error_handler_returning_none_is_500(app, client, caplog):
    app.config["TESTING"] = False
    app.register_error_handler(404, lambda e: None)

    with caplog.at_level(logging.ERROR):
        rv = client.get("/missing")

    assert rv.status_code == 500
    assert caplog.records[0].exc_info[0] is TypeError


def test_after_request_error_while_handling_500_is_logged(boom_app, client, caplog):
    @boom_app.after_request
    def broken(response):
        raise RuntimeError("after_request broke")

    with caplog.at_level(logging.ERROR):
        rv = client.get("/boom")

    # The 500 response still goes out, as it was before the hook failed.
    assert rv.status_code == 500
    assert [r.getMessage() for r in caplog.records] == [
        "Exception on /boom [GET]",
        "Request finalizing failed with an error while handling an error",
    ]
    assert caplog.records[1].exc_info[0] is RuntimeError


def test_after_request_error_on_normal_request_goes_to_500(app, client, caplog):
    app.config["TESTING"] = False
    app.add_url_rule("/", "index", lambda: "fine")

    @app.after_request
    def broken(response):
        raise RuntimeError("after_request broke")

    with caplog.at_level(logging.ERROR):
        rv = client.get("/")

    assert rv.status_code == 500
    assert [r.getMessage() for r in caplog.records] == [
        "Exception on / [GET]",
        "Request finalizing failed with an error while handling an error",
    ]


def test_finalize_request_from_error_handler(app, req_ctx, caplog):
    @app.after_request
    def broken(response):
        raise RuntimeError("broke")

    with caplog.at_level(logging.ERROR):
        rv = app.finalize_request("body", from_error_handler=True)

    assert rv.data == b"body"
    assert len(caplog.records) == 1

    with pytest.raises(RuntimeError, match="broke"):
        app.finalize_request("body")
