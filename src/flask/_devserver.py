"""What :meth:`flask.Flask.run` does: serve the app with werkzeug's
development server.
"""

from __future__ import annotations

import os
import typing as t

import click
from werkzeug.serving import is_running_from_reloader

from . import cli
from .helpers import get_debug_flag
from .helpers import get_load_dotenv

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask

_RUN_UNDER_CLI = (
    " * Ignoring a call to 'app.run()' that would block the current 'flask'"
    " CLI command.\n   Only call 'app.run()' in an 'if __name__ =="
    ' "__main__"\' guard.'
)


def listen_address(app: Flask, host: str | None, port: int | None) -> tuple[str, int]:
    """Where to listen: the arguments, else ``SERVER_NAME``'s host and
    port, else ``127.0.0.1:5000``.
    """
    name_host, _, name_port = (app.config.get("SERVER_NAME") or "").partition(":")

    if not host:
        host = name_host or "127.0.0.1"

    if port or port == 0:
        return host, int(port)

    return host, int(name_port) if name_port else 5000


def serve(
    app: Flask,
    host: str | None,
    port: int | None,
    debug: bool | None,
    load_dotenv: bool,
    options: dict[str, t.Any],
) -> None:
    """Run the development server; see :meth:`flask.Flask.run`."""
    # Under ``flask run`` a server is running already; a blocking call in
    # the app's module would start a second one.
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true":
        if not is_running_from_reloader():
            click.secho(_RUN_UNDER_CLI, fg="red")

        return

    if get_load_dotenv(load_dotenv):
        cli.load_dotenv()

        if "FLASK_DEBUG" in os.environ:
            app.debug = get_debug_flag()

    if debug is not None:
        app.debug = bool(debug)

    address = listen_address(app, host, port)

    for option in ("use_reloader", "use_debugger"):
        options.setdefault(option, app.debug)

    options.setdefault("threaded", True)
    cli.show_server_banner(app.debug, app.name)

    # Looked up now: tests replace it.
    from werkzeug.serving import run_simple

    try:
        run_simple(*address, app, **options)
    finally:
        # A test may serve again in this process.
        app._got_first_request = False
