"""Test tools: an environ builder that knows the app's URL settings, the
test client, and a CLI runner bound to the app.
"""

from __future__ import annotations

import importlib.metadata
import typing as t
from contextlib import contextmanager
from contextlib import ExitStack
from copy import copy
from functools import cache
from types import TracebackType
from urllib.parse import urlsplit

import werkzeug.test
from click.testing import CliRunner
from click.testing import Result
from werkzeug.test import Client
from werkzeug.wrappers import Request as BaseRequest

from .cli import ScriptInfo
from .sessions import SessionMixin

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.test import TestResponse

    from ._websocket import WebsocketTestSession
    from .app import Flask
    from .ctx import RequestContext

# The environ key ``Flask.wsgi_app`` looks for: a callable it hands the
# request's app and request contexts to before popping them.
_HANDOVER_KEY = "werkzeug.debug.preserve_context"


def _app_base_url(
    app: Flask, target: str, subdomain: str | None, url_scheme: str | None
) -> tuple[str, str]:
    """Return ``(base_url, path)`` for a request to ``target``.

    The scheme and host come from ``target`` when it is an absolute URL,
    otherwise from the arguments and the app's config. The script root is
    always ``APPLICATION_ROOT``.
    """
    config = app.config
    url = urlsplit(target)

    if url_scheme is None:
        url_scheme = config["PREFERRED_URL_SCHEME"]

    host = url.netloc

    if not host:
        host = config.get("SERVER_NAME") or "localhost"

        if subdomain:
            host = f"{subdomain}.{host}"

    root = config["APPLICATION_ROOT"].lstrip("/")
    # What is left once scheme, host and fragment are dropped: the path and
    # its query string, as werkzeug's builder takes them.
    rest = url._replace(scheme="", netloc="", fragment="").geturl()
    return f"{url.scheme or url_scheme}://{host}/{root}", rest


class EnvironBuilder(werkzeug.test.EnvironBuilder):
    """Werkzeug's environ builder, with the URL defaults taken from the app:
    host ``SERVER_NAME`` (``localhost`` when unset), script root
    ``APPLICATION_ROOT`` and scheme ``PREFERRED_URL_SCHEME``. A ``json=``
    body is serialised with ``app.json``.

    :param app: The application the request is for.
    :param path: The request path; may include a query string, or be an
        absolute URL whose scheme and host are then used.
    :param base_url: A full base URL, used instead of the app's settings;
        cannot be combined with ``subdomain`` or ``url_scheme``.
    :param subdomain: Prefixed to the host.
    :param url_scheme: Replaces ``PREFERRED_URL_SCHEME``.
    :param args: Passed on to werkzeug's builder.
    :param kwargs: Passed on to werkzeug's builder.
    """

    #: The application the defaults and the JSON provider come from.
    app: Flask

    def __init__(
        self,
        app: Flask,
        path: str = "/",
        base_url: str | None = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        *args: t.Any,
        **kwargs: t.Any,
    ) -> None:
        if base_url is None:
            base_url, path = _app_base_url(app, path, subdomain, url_scheme)
        elif subdomain or url_scheme:
            # COMPAT(3.1): an AssertionError, which callers' tests expect;
            # raised explicitly so that ``python -O`` keeps the check.
            raise AssertionError(
                'Cannot pass "subdomain" or "url_scheme" with "base_url".'
            )

        self.app = app
        super().__init__(path, base_url, *args, **kwargs)

    def json_dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialise a ``json=`` body with the app's JSON provider."""
        return self.app.json.dumps(obj, **kwargs)


@cache
def _default_user_agent() -> str:
    # Looked up once: reading distribution metadata costs a file scan.
    return f"Werkzeug/{importlib.metadata.version('werkzeug')}"


class _Handover:
    """The contexts an app handed to the client for its last request.

    ``receive`` goes into the environ; ``hold`` pushes what was received so
    the test can inspect it; ``release`` pops it again and forgets anything
    received but never held (a request that raised, or a redirect hop).
    """

    def __init__(self) -> None:
        self._received: list[t.ContextManager[t.Any]] = []
        self._held = ExitStack()

    def receive(self, ctx: t.ContextManager[t.Any]) -> None:
        self._received.append(ctx)

    def hold(self) -> None:
        # The app context arrives first, so the request context pushed
        # after it reuses it and the teardowns run once on release.
        received, self._received = self._received, []

        for ctx in received:
            self._held.enter_context(ctx)

    def release(self) -> None:
        self._received.clear()
        self._held.close()


class FlaskClient(Client):
    """The client :meth:`flask.Flask.test_client` returns.

    It is werkzeug's test client with the app's URL defaults, a
    :meth:`session_transaction` to prepare the session, and ``with client:``,
    inside which the contexts of the last request stay pushed so ``request``,
    ``session`` and ``g`` can be inspected after it returns.
    """

    application: Flask

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        #: Environ values every request starts from; the request's own
        #: arguments win over them.
        self.environ_base: dict[str, t.Any] = {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": _default_user_agent(),
        }
        #: True inside ``with client:``.
        self.preserve_context = False
        self._handover = _Handover()

    @contextmanager
    def session_transaction(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Iterator[SessionMixin]:
        """Open the session the client's cookies carry, to read or change it
        in a ``with`` block. Changes are stored back in the cookies when the
        block ends without an error.

        :param args: Build the request the session is opened for, as
            :meth:`flask.Flask.test_request_context` does; this matters when
            the session cookie is bound to a host or path.
        :param kwargs: As ``args``.
        :raises TypeError: If the client was made with ``use_cookies=False``.
        :raises RuntimeError: If the session interface returned no session.
        """
        if self._cookies is None:
            raise TypeError(
                "Cookies are disabled. Create a client with 'use_cookies=True'."
            )

        ctx = self.application.test_request_context(*args, **kwargs)
        sess = self._load_session(ctx)
        yield sess

        if not self.application.session_interface.is_null_session(sess):
            self._store_session(ctx, sess)

    def _load_session(self, ctx: RequestContext) -> SessionMixin:
        """Open the session for ``ctx``'s request, sent with the client's
        cookies.
        """
        app = self.application
        self._add_cookies_to_wsgi(ctx.request.environ)

        with ctx:
            rv = app.session_interface.open_session(app, ctx.request)

        if rv is None:
            raise RuntimeError("Session backend did not open a session.")

        return rv

    def _store_session(self, ctx: RequestContext, sess: SessionMixin) -> None:
        """Save ``sess`` as the app would at the end of ``ctx``'s request,
        and take the cookies it sets.
        """
        app = self.application
        carrier = app.response_class()

        with ctx:
            app.session_interface.save_session(app, sess, carrier)

        self._update_cookies_from_response(
            ctx.request.host.partition(":")[0],
            ctx.request.path,
            carrier.headers.getlist("Set-Cookie"),
        )

    def _build_request(
        self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
    ) -> BaseRequest:
        """Turn :meth:`open`'s arguments into a request with its own environ.

        The first argument may already describe the request (a builder, an
        environ dict or a request); otherwise all of them go to
        :class:`EnvironBuilder`. Objects passed in are never modified.
        """
        first = args[0] if args else None

        if isinstance(first, werkzeug.test.EnvironBuilder):
            # Each call builds a fresh environ.
            return first.get_request()

        if isinstance(first, dict):
            return EnvironBuilder.from_environ(
                first, app=self.application
            ).get_request()

        if isinstance(first, BaseRequest):
            rv = copy(first)
            rv.environ = dict(first.environ)
            return rv

        builder = EnvironBuilder(self.application, *args, **kwargs)

        try:
            return builder.get_request()
        finally:
            builder.close()

    def _complete_environ(self, environ: WSGIEnvironment) -> None:
        """Add the client's defaults, and ask for the contexts when inside
        ``with client:``.
        """
        # The defaults come first, as werkzeug's builder puts its base
        # values; the request's own values win.
        merged = {**self.environ_base, **environ}
        environ.clear()
        environ.update(merged)

        if self.preserve_context:
            environ[_HANDOVER_KEY] = self._handover.receive

    def websocket(
        self,
        path: str,
        headers: t.Iterable[tuple[str, str]] = (),
        subprotocols: t.Iterable[str] = (),
    ) -> WebsocketTestSession:
        """Connect to a websocket route of the app, served through
        :attr:`~flask.Flask.asgi` (needs the ``asgi`` extra). Use the
        session in a ``with`` block; a refused handshake raises
        :exc:`~flask.asgi.WebsocketDisconnect` on entry::

            with client.websocket("/echo") as ws:
                ws.send("hi")
                assert ws.receive() == "hi"
        """
        from ._websocket import WebsocketTestSession

        return WebsocketTestSession(self.application, path, headers, subprotocols)

    def open(
        self,
        *args: t.Any,
        buffered: bool = False,
        follow_redirects: bool = False,
        **kwargs: t.Any,
    ) -> TestResponse:
        """Send a request to the app and return its response.

        Takes what :class:`EnvironBuilder` takes, or a single builder, WSGI
        environ or request; when one of those comes first, the other
        arguments are ignored. The response's ``json`` is parsed with
        ``app.json``.

        :param buffered: Read the whole response body before returning.
        :param follow_redirects: Follow redirects; the responses on the way
            are in ``response.history``.
        """
        request = self._build_request(args, kwargs)
        self._complete_environ(request.environ)
        # The contexts kept for the previous request are let go first.
        self._handover.release()
        response = super().open(
            request, buffered=buffered, follow_redirects=follow_redirects
        )
        response.json_module = self.application.json  # type: ignore[assignment]
        self._handover.hold()
        return response

    def __enter__(self) -> FlaskClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest client invocations")

        self.preserve_context = True
        return self

    def __exit__(
        self,
        exc_type: type | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.preserve_context = False
        self._handover.release()


class FlaskCliRunner(CliRunner):
    """The runner :meth:`flask.Flask.test_cli_runner` returns: click's
    runner, with the app's commands and the app already loaded.
    """

    def __init__(self, app: Flask, **kwargs: t.Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def invoke(  # type: ignore[override]
        self, cli: t.Any = None, args: t.Any = None, **kwargs: t.Any
    ) -> Result:
        """Run a command in isolation and return click's result.

        :param cli: The command to run; ``app.cli`` by default.
        :param args: The command line, as a string or a list.
        :param kwargs: Passed to :meth:`click.testing.CliRunner.invoke`;
            ``obj`` defaults to a :class:`~flask.cli.ScriptInfo` whose
            loader returns this runner's app.
        """
        if "obj" not in kwargs:
            app = self.app
            kwargs["obj"] = ScriptInfo(create_app=lambda: app)

        return super().invoke(self.app.cli if cli is None else cli, args, **kwargs)
