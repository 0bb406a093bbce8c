"""``flask run --asgi``: serve the app's ASGI entry with uvicorn, with the
reloader and debug mode of ``flask run``.
"""

from __future__ import annotations

import os
import typing as t

import click

from ._discovery import ScriptInfo

_NO_UVICORN = (
    "'flask run --asgi' serves the app with uvicorn, which is not installed."
    " Install the 'asgi' extra: pip install 'Flask[asgi]'."
)

# Where the reloader's server process finds the app: the import path the
# command was given, passed on through the environment.
_APP_VARIABLE = "FLASK_ASGI_APP"


def asgi_app_factory() -> t.Any:
    """The ASGI entry of the app named by the environment, for uvicorn's
    ``factory`` mode (its reloader imports this in a new process).
    """
    info = ScriptInfo(app_import_path=os.environ.get(_APP_VARIABLE) or None)
    return info.load_app().asgi


def serve_asgi(
    info: ScriptInfo,
    host: str,
    port: int,
    reload: bool,
    cert: t.Any,
) -> None:
    """Run uvicorn on ``info``'s app.

    :raises click.UsageError: without uvicorn, or for an app given to the
        CLI as an object (a factory passed to ``FlaskGroup``), which the
        reloader's new process could not find: then serve without it.
    """
    try:
        import uvicorn
    except ImportError:
        raise click.UsageError(_NO_UVICORN) from None

    options: dict[str, t.Any] = {"host": host, "port": port}

    if isinstance(cert, tuple):
        options["ssl_certfile"], options["ssl_keyfile"] = cert
    elif cert is not None:
        raise click.UsageError(
            "'--asgi' takes a certificate and key file ('--cert' and '--key'),"
            " not an SSL context or 'adhoc'."
        )

    if reload and info.app_import_path is None and info.create_app is not None:
        raise click.UsageError(
            "'--asgi' cannot reload an app that was passed to the command as an"
            " object; give it with '--app' or FLASK_APP, or use '--no-reload'."
        )

    if reload:
        os.environ[_APP_VARIABLE] = info.app_import_path or ""
        uvicorn.run(
            f"{__name__}:asgi_app_factory", factory=True, reload=True, **options
        )
    else:
        uvicorn.run(info.load_app().asgi, **options)
