"""The fast paths of the audit table (``notes/audit.md``, issue 14) pitted
against the generic paths they stand in for, in the cases where their
preconditions matter: subclasses that override what a fast path skips,
that skip ``super().__init__``, and the unusual inputs a precondition
excludes. Each test asserts what the generic path gives (werkzeug's own
code, the stdlib, or what Flask 3.1.3 was observed to do) and, where it
helps, that the fast path is taken in the plain case, so that no test
passes because nothing fast ever ran.

The rows are spread over four files:

======  ==========================================  ==========================
row     fast path                                   tests
======  ==========================================  ==========================
1-3     response build, send, HTTP error cast       this file
4       exact dict/list before the Iterator ABC     this file
5       JSON encoder reuse                          test_fastpath_json.py
6       tag plans of the tagged JSON serializer     test_fastpath_json.py
7-8     session signer and serializer caches        test_fastpath_sessions.py
9       ``Vary: Cookie`` without parsing            test_fastpath_sessions.py
10      lazy session                                test_fastpath_sessions.py
11      skipped ``Request.close``                   test_fastpath_sessions.py
12-14   cookies, args/form, blueprint scopes        test_fastpath_requests.py
15      scope plans                                 test_plans.py (see there)
16-17   match cache, binding a known host           test_fastpath_requests.py
18      ``ensure_sync`` code flags                  test_fastpath_requests.py
19      ``helpers._app``                            test_fastpath_requests.py
20      per-thread event loops                      test_async.py (see there)
(none)  dict-first template lookup (not a row)      test_fastpath_requests.py
======  ==========================================  ==========================
"""

from __future__ import annotations

import typing as t

import pytest
from http_support import run_response
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response as WerkzeugResponse

import flask
from flask import wrappers
from flask.wrappers import _ErrorPage
from flask.wrappers import Response


def _state(rv: WerkzeugResponse) -> dict[str, t.Any]:
    """Everything a response object holds, its headers as a list."""
    state = dict(vars(rv))
    state["headers"] = rv.headers.to_wsgi_list()
    return state


def _shape(rv: WerkzeugResponse) -> tuple[t.Any, ...]:
    """What an ``after_request`` hook sees before reading the body."""
    return (
        type(rv),
        rv.status,
        rv.headers.to_wsgi_list(),
        rv.is_streamed,
        rv.is_sequence,
        rv.direct_passthrough,
    )


# --- row 1: responses built directly (Response._from_data) -----------------

# How Flask 3.1.3 calls the response class for each kind of view return
# value (observed with a recording __init__): a str or bytes with the status
# and headers it was given, JSON with its mimetype.
_FLASK_CONSTRUCTOR_CALLS = {
    "str": (("x",), {"status": None, "headers": None}),
    "bytes": ((b"x",), {"status": None, "headers": None}),
    "dict": (('{"a":1}\n',), {"mimetype": "application/json"}),
    "list": (("[1]\n",), {"mimetype": "application/json"}),
}
_RETURN_VALUES: dict[str, t.Any] = {"str": "x", "bytes": b"x", "dict": {"a": 1}}
_RETURN_VALUES["list"] = [1]


def _recording_response_class(kind: str, log: list[t.Any]) -> type[Response]:
    """A response class overriding one step of werkzeug's constructor,
    recording its calls and adding no state.
    """
    if kind == "__init__":

        class Counting(Response):
            def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
                log.append(("__init__", args, kwargs))
                super().__init__(*args, **kwargs)

        return Counting

    if kind == "set_data":

        class OwnSetData(Response):
            def set_data(self, value: t.Any) -> None:
                log.append(("set_data", value))
                super().set_data(value)

        return OwnSetData

    if kind == "_clean_status":

        class OwnCleanStatus(Response):
            def _clean_status(self, value: t.Any) -> tuple[str, int]:
                log.append(("_clean_status", value))
                return super()._clean_status(value)

        return OwnCleanStatus

    if kind == "__new__":

        class OwnNew(Response):
            def __new__(cls, *args: t.Any, **kwargs: t.Any) -> t.Any:
                log.append(("__new__", args, kwargs))
                return super().__new__(cls)

        return OwnNew

    assert kind == "__setattr__"

    class OwnSetattr(Response):
        def __setattr__(self, name: str, value: t.Any) -> None:
            log.append(("__setattr__", name))
            super().__setattr__(name, value)

    return OwnSetattr


_CONSTRUCTOR_STEPS = ["__init__", "set_data", "_clean_status", "__new__", "__setattr__"]


@pytest.mark.parametrize("value", list(_RETURN_VALUES))
@pytest.mark.parametrize("kind", _CONSTRUCTOR_STEPS)
def test_response_class_with_own_constructor_step_is_constructed(app, kind, value):
    """A view's str, bytes, dict or list runs the class's own code exactly
    as constructing it the way Flask does runs it, and gives the same
    object.
    """
    log: list[t.Any] = []
    cls = _recording_response_class(kind, log)
    app.response_class = cls

    with app.test_request_context():
        made = app.make_response(_RETURN_VALUES[value])

    seen = list(log)
    log.clear()
    args, kwargs = _FLASK_CONSTRUCTOR_CALLS[value]
    expected = cls(*args, **kwargs)

    assert seen and seen == log
    assert type(made) is cls
    assert _state(made) == _state(expected)


def test_response_class_with_own_init_gets_flasks_arguments(app):
    """A constructor that does not take ``mimetype`` (Flask never passes
    one for a str) still works.
    """

    class Strict(Response):
        def __init__(self, response=None, status=None, headers=None):
            super().__init__(response, status=status, headers=headers)

    app.response_class = Strict
    app.add_url_rule("/", "index", lambda: "text")
    rv = app.test_client().get("/")
    assert rv.data == b"text"
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"


def test_plain_response_is_built_directly(app):
    """The control: ``flask.Response`` itself takes the direct build, from
    a plan read off a prototype, and gets the constructor's state.
    """
    assert Response._builds_directly
    assert Response._sends_directly

    with app.test_request_context():
        made = app.make_response("x")

    key = (Response, None, "text/html", 200, True)
    assert wrappers._DIRECT_PLANS[key] == ("text/html; charset=utf-8", "200 OK", 200)
    assert _state(made) == _state(Response("x", status=None, headers=None))

    for kind in _CONSTRUCTOR_STEPS:
        assert not _recording_response_class(kind, [])._builds_directly


def test_direct_build_steps_aside_when_the_constructor_sets_more(monkeypatch):
    """A constructor that leaves more state than the direct build sets (as
    another werkzeug version might, here werkzeug's own patched) makes the
    plan "use the constructor". Checked with a new class: plans are made
    once per class and mimetype.
    """
    original = WerkzeugResponse.__init__

    def init(self: t.Any, *args: t.Any, **kwargs: t.Any) -> None:
        original(self, *args, **kwargs)
        self.extra = "state"

    monkeypatch.setattr(WerkzeugResponse, "__init__", init)

    class Fresh(Response):
        pass

    assert Fresh._builds_directly
    assert Fresh._direct_plan(None) is None
    rv = Fresh._from_data("x")
    assert rv.extra == "state"  # type: ignore[attr-defined]
    assert _state(rv) == _state(Fresh("x"))


def test_direct_build_steps_aside_without_a_header_list(app, monkeypatch):
    """Under a werkzeug whose Headers keeps no ``_list`` the plan is "use
    the constructor" (checked with a new class, so no plan is cached yet).
    """
    monkeypatch.setattr(wrappers, "_HEADERS_KEEP_A_LIST", False)

    class Fresh(Response):
        pass

    assert Fresh._direct_plan(None) is None
    assert _state(Fresh._from_data("x")) == _state(Fresh("x"))


# --- row 2: responses sent directly (Response.__call__) --------------------


def _recording_sender(kind: str, log: list[str]) -> type[Response]:
    """A response class overriding one step of werkzeug's ``__call__``."""
    if kind == "is_sequence":

        def is_sequence(self: t.Any) -> bool:
            log.append("is_sequence")
            return False  # werkzeug then leaves the length unset

        namespace: dict[str, t.Any] = {"is_sequence": property(is_sequence)}
    else:
        original = getattr(Response, kind)

        def method(self: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
            log.append(kind)
            return original(self, *args, **kwargs)

        namespace = {kind: method}

    return type(f"Own_{kind}", (Response,), namespace)


_SENDING_STEPS = [
    "get_wsgi_response",
    "get_wsgi_headers",
    "get_app_iter",
    "iter_encoded",
    "close",
    "is_sequence",
]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("kind", _SENDING_STEPS)
def test_response_class_with_own_sending_step_is_sent_by_werkzeug(kind, method):
    """What a WSGI server receives, and the overriding code that runs,
    are what werkzeug's ``Response.__call__`` gives.
    """
    log: list[str] = []
    cls = _recording_sender(kind, log)
    assert not cls._sends_directly

    def make() -> Response:
        rv = cls._from_data("hello")

        if kind == "is_sequence":
            del rv.headers["Content-Length"]

        return rv

    ours = run_response(make(), method)
    seen = list(log)
    log.clear()
    generic = run_response(make(), method, call=WerkzeugResponse.__call__)

    assert ours == generic
    assert seen == log

    # (A HEAD response has no body to encode.)
    if not (kind == "iter_encoded" and method == "HEAD"):
        assert kind in seen


def test_response_class_with_own_close_is_closed_by_the_server(app):
    """The app iterator the server closes calls the class's ``close``:
    once for the app's response, once for the test client's wrapper of
    it, as on Flask 3.1.3.
    """
    closed = []

    class Closing(Response):
        def close(self) -> None:
            closed.append(type(self).__name__)
            super().close()

    app.response_class = Closing
    app.add_url_rule("/", "text", lambda: "x")
    app.add_url_rule("/json", "json", lambda: {"a": 1})
    app.add_url_rule("/abort", "abort", lambda: flask.abort(404))
    client = app.test_client()

    for path in ("/", "/json", "/abort"):
        rv = client.get(path)
        rv.close()
        assert len(closed) == 2, path
        closed.clear()


def test_plain_response_is_sent_directly():
    """The control: the one-chunk body is the app iterator itself."""
    rv = Response("hello")
    environ = EnvironBuilder().get_environ()
    app_iter = rv(environ, lambda status, headers: None)
    assert app_iter is rv.response


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"status": 204},
        {"status": 304},
        {"status": 103},
        {"status": 302, "headers": {"Location": "/ü"}},
        {"headers": {"Content-Location": "/ü"}},
    ],
)
def test_plain_response_is_sent_as_werkzeug_sends_it(method, kwargs):
    """The inputs the direct send excludes (HEAD, no-body statuses,
    rewritten headers) get werkzeug's output.
    """

    def make() -> Response:
        return Response("hello", **kwargs)

    assert run_response(make(), method) == run_response(
        make(), method, WerkzeugResponse.__call__
    )


# --- row 3: HTTP errors cast directly (Response._from_http_error) ----------


class _NoInitOwnResponse(HTTPException):
    """Skips HTTPException.__init__ (no ``response`` attribute) and makes
    its own response.
    """

    code = 303

    def __init__(self) -> None:
        pass

    def get_response(self, environ=None, scope=None):  # type: ignore[override]
        return flask.redirect("/elsewhere", 303)


class _NoInit(HTTPException):
    """Skips HTTPException.__init__ and renders with werkzeug's code,
    which reads the missing attribute.
    """

    code = 418

    def __init__(self) -> None:
        pass


class _NoCode(HTTPException):
    description = "no code"


class _StrDescription(str):
    pass


_ERRORS: dict[str, t.Callable[[], HTTPException]] = {
    "plain": lambda: NotFound(),
    "description": lambda: NotFound("gone <b>away</b>"),
    "markup description": lambda: NotFound(Markup("<b>kept</b>")),
    "str subclass description": lambda: NotFound(_StrDescription("sub <b>")),
    "code None": lambda: HTTPException(),
    "subclass without code": lambda: _NoCode(),
    "skips __init__, own get_response": lambda: _NoInitOwnResponse(),
}


class _OwnForceType(Response):
    forced: t.ClassVar[list[str]] = []

    @classmethod
    def force_type(cls, response, environ=None):  # type: ignore[override]
        cls.forced.append(type(response).__name__)
        return super().force_type(response, environ)


@pytest.mark.parametrize("response_class", [Response, _OwnForceType])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("error", list(_ERRORS))
def test_http_error_is_the_cast_of_the_error(app, error, method, response_class):
    """The generic path is Flask's: the error run as a WSGI app and cast
    with ``response_class.force_type``. Hooks see the same object shape,
    the server receives the same response.
    """
    app.response_class = response_class
    _OwnForceType.forced.clear()

    with app.test_request_context(method=method) as ctx:
        ours = app.make_response(_ERRORS[error]())
        forced = list(_OwnForceType.forced)
        generic = response_class.force_type(_ERRORS[error](), ctx.request.environ)

    assert _shape(ours) == _shape(generic)
    # A hook may read the body: a HEAD request's cast has none.
    assert ours.get_data() == generic.get_data()
    assert run_response(ours, method) == run_response(generic, method)

    if response_class is _OwnForceType:
        assert forced == [type(_ERRORS[error]()).__name__]


class _FloatCode(HTTPException):
    code = 404.0  # type: ignore[assignment]
    description = NotFound.description


# Errors whose code and description equal those of another error that
# renders differently: they must not share its cached page.
_LOOKALIKES = {
    "markup vs str": (
        lambda: NotFound("<i>x</i>"),
        lambda: NotFound(Markup("<i>x</i>")),
    ),
    "float code vs int": (lambda: NotFound(), lambda: _FloatCode()),
}


def _outcome(app: flask.Flask, make: t.Callable[[], HTTPException], method: str):
    """The response's shape and body, or the error making it raised."""
    with app.test_request_context(method=method) as ctx:
        try:
            rv = app.make_response(make())
            ours: t.Any = (_shape(rv), rv.get_data())
        except Exception as e:
            ours = (type(e), str(e))

        try:
            rv = Response.force_type(make(), ctx.request.environ)
            generic: t.Any = (_shape(rv), rv.get_data())
        except Exception as e:
            generic = (type(e), str(e))

    return ours, generic


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("pair", list(_LOOKALIKES))
def test_http_errors_with_equal_keys_get_their_own_cast(app, pair, reverse):
    """In either order, and a GET after a HEAD (whose cast has no body)."""
    makers = _LOOKALIKES[pair][::-1] if reverse else _LOOKALIKES[pair]

    for method in ("HEAD", "GET"):
        for make in makers:
            ours, generic = _outcome(app, make, method)
            assert ours == generic, (make, method)


def test_http_error_skipping_init_fails_as_the_cast_does(app):
    """Werkzeug's rendering reads the ``response`` attribute the subclass
    never set: the same AttributeError as the cast (a 500 outside testing).
    """
    with app.test_request_context() as ctx:
        with pytest.raises(AttributeError) as generic:
            Response.force_type(_NoInit(), ctx.request.environ)

        with pytest.raises(AttributeError) as ours:
            app.make_response(_NoInit())

    assert str(ours.value) == str(generic.value)


def test_http_error_with_response_class_casting_its_own_way(app):
    """A response class whose ``force_type`` is its own is always asked."""
    app.response_class = _OwnForceType
    _OwnForceType.forced.clear()
    app.add_url_rule("/", "index", lambda: flask.abort(404))
    client = app.test_client()
    assert client.get("/").status_code == 404
    assert client.get("/").status_code == 404
    assert _OwnForceType.forced == ["NotFound", "NotFound"]


@pytest.mark.parametrize("kind", ["__new__", "__setattr__"])
def test_http_error_cast_does_not_run_the_class_constructor_steps(app, kind):
    """The cast switches the class of werkzeug's response: the class's
    ``__new__`` and ``__setattr__`` do not run, as on Flask 3.1.3.
    """
    log: list[t.Any] = []
    app.response_class = _recording_response_class(kind, log)

    with app.test_request_context() as ctx:
        ours = app.make_response(NotFound())
        generic = app.response_class.force_type(NotFound(), ctx.request.environ)

    assert log == []
    assert _shape(ours) == _shape(generic)
    assert ours.get_data() == generic.get_data()


def test_http_error_cast_steps_aside_without_a_header_list(app, monkeypatch):
    monkeypatch.setattr(wrappers, "_HEADERS_KEEP_A_LIST", False)

    with app.test_request_context() as ctx:
        ours = app.make_response(NotFound())
        generic = Response.force_type(NotFound(), ctx.request.environ)

    assert type(ours.response) is not _ErrorPage
    assert _shape(ours) == _shape(generic)
    assert ours.get_data() == generic.get_data()


def test_plain_http_error_is_cast_directly(app):
    """The control: a plain error comes from the page cache."""
    with app.test_request_context():
        rv = app.make_response(NotFound())

    assert type(rv.response) is _ErrorPage
    assert (404, NotFound.description) in wrappers._ERROR_PAGES


# --- row 4: exact dict and list before the Iterator ABC (_coerce) ----------


class _IteratingDict(dict):  # type: ignore[type-arg]
    """A dict that is also an iterator: Flask streams it, as an iterator
    is tested before a dict.
    """

    def __init__(self, *args: t.Any) -> None:
        super().__init__(*args)
        self.chunks = ["a", "b"]

    def __iter__(self) -> _IteratingDict:
        return self

    def __next__(self) -> str:
        if not self.chunks:
            raise StopIteration

        return self.chunks.pop(0)


class _IteratingList(list):  # type: ignore[type-arg]
    def __iter__(self) -> _IteratingList:
        return self

    def __next__(self) -> t.Any:
        if not self:
            raise StopIteration

        return self.pop(0)


class _PlainDict(dict):  # type: ignore[type-arg]
    pass


class _PlainList(list):  # type: ignore[type-arg]
    pass


@pytest.mark.parametrize(
    ("make", "streamed", "body", "mimetype"),
    [
        (lambda: _IteratingDict({"k": 1}), True, b"ab", "text/html"),
        (lambda: _IteratingList(["x", "y"]), True, b"xy", "text/html"),
        (lambda: _PlainDict({"k": 1}), False, b'{"k":1}\n', "application/json"),
        (lambda: _PlainList([1]), False, b"[1]\n", "application/json"),
        (lambda: {"k": 1}, False, b'{"k":1}\n', "application/json"),
        (lambda: [1], False, b"[1]\n", "application/json"),
    ],
)
def test_dict_and_list_subclasses_take_the_generic_order(
    app, make, streamed, body, mimetype
):
    """Only exact dicts and lists skip the Iterator test: a subclass that
    is an iterator is streamed, as on Flask 3.1.3.
    """
    with app.test_request_context():
        rv = app.make_response(make())

        if streamed:  # what Flask makes of an iterator
            assert _shape(rv) == _shape(app.response_class(make()))
            assert rv.response.__class__ is type(make())

    assert rv.mimetype == mimetype
    assert rv.get_data() == body


def test_werkzeug_errors_skip_only_checks_they_fail():
    """werkzeug's own error classes go straight to the WSGI-callable
    branch: none of them is any of the shapes tried before it.
    """
    import collections.abc as cabc

    from flask._coerce import _WERKZEUG_ERRORS

    assert NotFound in _WERKZEUG_ERRORS and HTTPException in _WERKZEUG_ERRORS

    for cls in _WERKZEUG_ERRORS:
        error = cls()
        assert not isinstance(error, (str, bytes, bytearray, dict, list))
        assert not isinstance(error, (cabc.Iterator, cabc.AsyncIterable))
        assert callable(error)


class _IteratingNotFound(NotFound):
    """An HTTP error that is also an iterator: Flask 3.1 streams it."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks = iter([b"it", b"erated"])

    def __iter__(self) -> t.Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)


def test_subclass_of_a_werkzeug_error_takes_the_generic_order(app):
    @app.route("/")
    def index():
        return _IteratingNotFound()

    @app.route("/plain")
    def plain():
        return NotFound()

    client = app.test_client()
    rv = client.get("/")
    assert (rv.status_code, rv.data) == (200, b"iterated")
    rv = client.get("/plain")
    assert rv.status_code == 404
    assert b"Not Found" in rv.data


# --- the headers of directly built responses ---------------------------------

_header_names = st.one_of(
    st.sampled_from(["X-A", "x-a", "X-B", "Content-Type", "content-length", "Vary"]),
    st.text(max_size=4),
    st.integers(min_value=-3, max_value=3),
    st.just(slice(0, 1)),
)
_header_values = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["a\nb", "a\rb", "Cookie", ""]),
    st.integers(),
    st.none(),
    st.tuples(st.text(max_size=3), st.text(max_size=3)),
    st.lists(st.tuples(st.text(max_size=3), st.text(max_size=3)), max_size=2),
)
_header_ops = st.lists(
    st.tuples(st.sampled_from(["set", "add", "del"]), _header_names, _header_values),
    max_size=8,
)


def _apply(headers: t.Any, ops: t.Any) -> list[t.Any]:
    outcomes: list[t.Any] = []

    for op, key, value in ops:
        try:
            if op == "set":
                headers[key] = value
            elif op == "add":
                headers.add(key, value)
            else:
                del headers[key]
        except Exception as e:  # noqa: BLE001
            outcomes.append((type(e), str(e)))
        else:
            outcomes.append(None)

        outcomes.append(list(headers._list))

    return outcomes


@given(start=st.sampled_from([[], [("Content-Type", "text/html")]]), ops=_header_ops)
@settings(max_examples=500, deadline=None)
def test_response_headers_set_as_werkzeug_sets(start, ops):
    from werkzeug.datastructures import Headers

    from flask.wrappers import _ResponseHeaders

    ours = _ResponseHeaders(start)
    generic = Headers(start)
    assert _apply(ours, ops) == _apply(generic, ops)


def test_response_headers_remembered_names_as_werkzeug():
    """Names met before (the lowered forms are remembered, at most 256),
    names past that bound, and names whose lowercase differs in length
    or only in case, set twice, give werkzeug's headers."""
    from werkzeug.datastructures import Headers

    from flask.wrappers import _ResponseHeaders

    names = [f"X-Name-{i}" for i in range(300)] + ["\u0130", "i\u0307", "SS", "\xdf"]
    ops = [("set", n, "1") for n in names]
    ops += [("set", n.upper(), "2") for n in names]
    ops += [("set", n.lower(), "3") for n in reversed(names)]

    for _ in range(2):
        ours = _ResponseHeaders([("Content-Type", "text/html")])
        generic = Headers([("Content-Type", "text/html")])
        assert _apply(ours, ops) == _apply(generic, ops)


def test_directly_built_responses_carry_the_fast_headers(app):
    from flask.wrappers import _ResponseHeaders

    @app.after_request
    def add(response):
        response.headers["X-One"] = "1"
        response.headers["x-one"] = "2"
        response.headers["Content-Type"] = "text/x-plain"
        return response

    app.add_url_rule("/", "text", lambda: "hi")

    with app.test_request_context():
        assert type(app.make_response("x").headers) is _ResponseHeaders
        assert type(app.make_response({"a": 1}).headers) is _ResponseHeaders

    rv = app.test_client().get("/")
    assert rv.headers.getlist("X-One") == ["2"]
    assert rv.headers["Content-Type"] == "text/x-plain"
    assert rv.data == b"hi"
    rv = app.test_client().get("/missing")
    assert rv.status_code == 404
    assert rv.headers["X-One"] == "2"
