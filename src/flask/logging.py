"""The app's logger, and the handler it gets when logging is not set up."""

from __future__ import annotations

import logging
import sys
import typing as t

from werkzeug.local import LocalProxy

from .globals import _cv_request
from .globals import request as request  # COMPAT(3.1): importable from here

#: How :data:`default_handler` writes a record.
_RECORD_FORMAT = "[%(asctime)s] %(levelname)s in %(module)s: %(message)s"

if t.TYPE_CHECKING:  # pragma: no cover
    from .sansio.app import App


@LocalProxy
def wsgi_errors_stream() -> t.TextIO:
    """Where the default handler writes: the server's ``wsgi.errors``
    stream while a request is handled, :data:`sys.stderr` otherwise.
    """
    ctx = _cv_request.get(None)

    if ctx is None:
        return sys.stderr

    return ctx.request.environ["wsgi.errors"]  # type: ignore[no-any-return]


def _propagation_chain(logger: logging.Logger) -> t.Iterator[logging.Logger]:
    """``logger``, then each ancestor its records reach."""
    node: logging.Logger | None = logger

    while node is not None:
        yield node
        node = node.parent if node.propagate else None


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether a record at ``logger``'s effective level would reach a
    handler that lets it through, on ``logger`` or an ancestor it
    propagates to.
    """
    level = logger.getEffectiveLevel()
    handlers = (h for node in _propagation_chain(logger) for h in node.handlers)
    return any(handler.level <= level for handler in handlers)


#: What an app's logger gets when no handler would show its records: a
#: stream handler on :data:`wsgi_errors_stream`.
default_handler = logging.StreamHandler(wsgi_errors_stream)  # type: ignore[call-overload]
default_handler.setFormatter(logging.Formatter(_RECORD_FORMAT))


def create_logger(app: App) -> logging.Logger:
    """Set up and return the logger named after the app.

    Its level becomes ``DEBUG`` in debug mode, if no level was set on it;
    :data:`default_handler` is added when nothing would otherwise show
    its records.

    :param app: The app whose :attr:`~flask.Flask.name` names the logger.
    """
    logger = logging.getLogger(app.name)
    unset = logger.level == logging.NOTSET

    if unset and app.debug:
        logger.setLevel(logging.DEBUG)

    if not has_level_handler(logger):
        logger.addHandler(default_handler)

    return logger
