"""Helpers shared by the scenarios: building apps, recording what happened.

Everything here runs under both interpreters and imports ``flask`` the
same way the scenarios do, so it never knows which implementation it drives.
Records are plain JSON: lists, dicts with string keys, strings, numbers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import typing as t
from pathlib import Path

import flask
import flask.globals
from flask import signals as fsignals

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
APP_NAME = "diff_app"

SIGNALS = (
    "appcontext_pushed",
    "appcontext_popped",
    "appcontext_tearing_down",
    "request_started",
    "request_finished",
    "request_tearing_down",
    "got_request_exception",
    "before_render_template",
    "template_rendered",
    "message_flashed",
)

_connected: list[tuple[t.Any, t.Any]] = []


def cleanup() -> None:
    """Disconnect what :meth:`Probe.signals` connected (called by the runner
    after each scenario).
    """
    while _connected:
        signal, receiver = _connected.pop()
        signal.disconnect(receiver)


# --- building -----------------------------------------------------------------


def make_app(
    cls: type[flask.Flask] | None = None,
    *,
    testing: bool = False,
    secret: str | None = "secret",
    name: str = APP_NAME,
    **config: t.Any,
) -> flask.Flask:
    """An app rooted in the fixtures folder, with a secret key by default."""
    app = (cls or flask.Flask)(name, root_path=str(FIXTURES))

    if testing:
        app.config["TESTING"] = True

    if secret is not None:
        app.config["SECRET_KEY"] = secret

    app.config.update(config)
    return app


@contextlib.contextmanager
def chdir(path: Path | str) -> t.Iterator[None]:
    old = os.getcwd()
    os.chdir(path)

    try:
        yield
    finally:
        os.chdir(old)


# --- turning values into records -----------------------------------------------

_ADDRESS = re.compile(r" (object )?at 0x[0-9a-fA-F]+")


def plain(value: t.Any) -> t.Any:
    """A JSON-able stand-in for any value (memory addresses removed)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, str) and type(value) is not str:
            return {"str": type(value).__name__, "value": str(value)}

        return value

    if isinstance(value, bytes):
        return {"bytes": value.decode("latin-1")}

    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}

    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]

    if isinstance(value, BaseException):
        return exc(value)

    if isinstance(value, type):
        return f"<class {value.__name__}>"

    return f"<{type(value).__name__}> {_ADDRESS.sub('', repr(value))}"


def exc(e: BaseException) -> dict[str, t.Any]:
    """Type name and message of an exception (addresses removed)."""
    return {"type": type(e).__name__, "message": _ADDRESS.sub("", str(e))}


def call(f: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
    """``{"value": f(...)}`` or ``{"raised": exc}``."""
    try:
        return {"value": plain(f(*args, **kwargs))}
    except Exception as e:
        return {"raised": exc(e)}


_EXPIRES = re.compile(r"(?i)(expires=)[^;]*")


def headers(hs: t.Any, *, drop: t.Iterable[str] = ()) -> list[list[str]]:
    """Header pairs in order; ``Date``, ``Expires``, cookie expiry times and
    the order of ``Allow`` normalised, ``drop`` names removed.
    """
    dropped = {d.lower() for d in drop}
    out = []

    for key, value in hs.items() if hasattr(hs, "items") else hs:
        low = key.lower()

        if low in dropped:
            continue

        if low in ("date", "expires"):
            value = f"<{low}>"
        elif low == "set-cookie":
            value = _EXPIRES.sub(r"\1<expires>", value)
        elif low == "allow":
            # Flask 3.1.3 lists the methods in set order (hash-randomised).
            value = ", ".join(sorted(value.split(", ")))

        out.append([key, value])

    return out


def resp(rv: t.Any, *, drop: t.Iterable[str] = ()) -> dict[str, t.Any]:
    """Status, headers and body of a test client response."""
    out: dict[str, t.Any] = {}
    parts = {
        "status": lambda: rv.status,
        "headers": lambda: headers(rv.headers, drop=drop),
        "body": lambda: rv.get_data().decode("utf-8", "replace"),
    }

    for key, read in parts.items():
        try:
            out[key] = read()
        except Exception as e:
            out[key] = {"unreadable": exc(e)}

    return out


def req(
    client: t.Any, path: str = "/", method: str = "GET", **kwargs: t.Any
) -> dict[str, t.Any]:
    """Make one request; the response, or the exception that escaped."""
    drop = kwargs.pop("drop", ())

    try:
        rv = client.open(path, method=method, **kwargs)
    except Exception as e:
        return {"raised": exc(e)}

    return {"resp": resp(rv, drop=drop)}


def wsgi(app: t.Any, path: str = "/", method: str = "GET", **environ: t.Any) -> t.Any:
    """Call the WSGI app directly; status, headers and body, or the error."""
    from werkzeug.test import create_environ

    env = create_environ(path, method=method)
    env.update(environ)

    for key in [k for k, v in env.items() if v is None]:
        del env[key]
    seen: dict[str, t.Any] = {}

    def start_response(status: str, hs: list[tuple[str, str]], exc_info: t.Any = None):
        seen["status"] = status
        seen["headers"] = headers(hs)
        return lambda data: None

    try:
        it = app(env, start_response)

        try:
            body = b"".join(it)
        finally:
            if hasattr(it, "close"):
                it.close()
    except Exception as e:
        return {"raised": exc(e), **seen}

    return {**seen, "body": body.decode("utf-8", "replace")}


# --- observing -------------------------------------------------------------------


class _Records(logging.Handler):
    def __init__(self, out: list[t.Any]) -> None:
        super().__init__(logging.DEBUG)
        self.out = out

    def emit(self, record: logging.LogRecord) -> None:
        info = record.exc_info
        self.out.append(
            [
                record.levelname,
                _ADDRESS.sub("", record.getMessage()),
                type(info[1]).__name__ if info and info[1] is not None else None,
            ]
        )


class Probe:
    """Collects the order of events, the logged records and signals."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.logs: list[t.Any] = []

    def __call__(self, *parts: t.Any) -> None:
        self.events.append(":".join(str(p) for p in parts))

    def hook(self, label: str, rv: t.Any = None) -> t.Callable[..., t.Any]:
        """A function recording ``label`` (and an exception argument's type)
        and returning ``rv`` (or the first argument if ``rv`` is "arg").
        """

        def f(*args: t.Any, **kwargs: t.Any) -> t.Any:
            extra = [type(a).__name__ for a in args if isinstance(a, BaseException)]
            self(label, *extra)

            if rv == "arg":
                return args[0]

            return rv

        f.__name__ = label.replace("-", "_").replace(":", "_")
        return f

    def logger(self, app: flask.Flask) -> None:
        """Record the app logger's records (its default handler stays)."""
        app.logger.addHandler(_Records(self.logs))

    def signals(self, app: flask.Flask, names: t.Iterable[str] = SIGNALS) -> None:
        """Record the given signals sent by ``app``."""
        for name in names:
            signal = getattr(fsignals, name)

            def receiver(sender: t.Any, _name: str = name, **kw: t.Any) -> None:
                extra = [
                    f"{k}={type(v).__name__}"
                    for k, v in sorted(kw.items())
                    if k in ("exception", "exc", "response")
                ]
                self("sig", _name, *extra)

            signal.connect(receiver, app, weak=False)
            _connected.append((signal, receiver))

    def record(self, **more: t.Any) -> dict[str, t.Any]:
        out: dict[str, t.Any] = {}

        if self.events:
            out["events"] = list(self.events)

        if self.logs:
            out["logs"] = list(self.logs)

        out.update({k: plain(v) for k, v in more.items()})
        return out


def session_state(s: t.Any) -> t.Any:
    """Type and flags of a session object, read without touching it."""
    if s is None or isinstance(s, str):
        return s

    out: dict[str, t.Any] = {"type": type(s).__name__}

    for flag in ("accessed", "modified", "new"):
        out[flag] = plain(getattr(s, flag, "<none>"))

    if isinstance(s, dict):
        out["permanent"] = dict.get(s, "_permanent", False)
        out["data"] = plain(dict(dict.items(s)))

    return out


def adapter_state(a: t.Any) -> t.Any:
    if a is None:
        return None

    return {
        k: getattr(a, k)
        for k in (
            "server_name",
            "script_name",
            "url_scheme",
            "subdomain",
            "path_info",
            "default_method",
        )
    }


def ctx_state() -> dict[str, t.Any]:
    """What is pushed now: the request context's private state extensions
    read (``_session``, ``url_adapter``), ``g`` and the proxies' status.
    """
    rc = flask.globals._cv_request.get(None)
    ac = flask.globals._cv_app.get(None)
    out: dict[str, t.Any] = {"request": rc is not None, "app": ac is not None}

    if rc is not None:
        out["_session"] = session_state(getattr(rc, "_session", "<missing>"))
        out["url_adapter"] = adapter_state(rc.url_adapter)
        out["path"] = rc.request.path

    if ac is not None:
        out["g"] = plain(dict(vars(ac.g)))

    return out


def noop(*args: t.Any, **kwargs: t.Any) -> None:
    return None


def here() -> str:
    """Which implementation runs (for the runner's own checks only)."""
    return str(Path(flask.__file__).resolve())


def observe(app: flask.Flask, *, signals: bool = True) -> Probe:
    """A probe recording ``app``'s logs, signals and teardown calls."""
    probe = Probe()
    probe.logger(app)

    if signals:
        probe.signals(app)

    app.teardown_request(probe.hook("teardown_request"))
    app.teardown_appcontext(probe.hook("teardown_appcontext"))
    return probe


def get_all(app: flask.Flask, *paths: t.Any) -> list[t.Any]:
    """One request per item (a path or ``(method, path, kwargs)``) through a
    fresh test client each time.
    """
    out = []

    for item in paths:
        if isinstance(item, str):
            item = ("GET", item, {})

        method, path, kwargs = item
        out.append(req(app.test_client(), path, method, **kwargs))

    return out
