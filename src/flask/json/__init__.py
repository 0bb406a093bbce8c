"""JSON helpers that use the current application's provider when there is one."""

from __future__ import annotations

import json as _json
import typing as t

from ..globals import _cv_app
from ..globals import current_app
from .provider import _default

if t.TYPE_CHECKING:  # pragma: no cover
    from ..wrappers import Response


def dumps(obj: t.Any, **kwargs: t.Any) -> str:
    """Serialise ``obj`` to a JSON string.

    Inside an application context this is ``current_app.json.dumps``;
    otherwise the stdlib encoder with the default provider's extra types.
    """
    ctx = _cv_app.get(None)

    if ctx is not None:
        return ctx.app.json.dumps(obj, **kwargs)

    kwargs.setdefault("default", _default)
    return _json.dumps(obj, **kwargs)


def dump(obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
    """Serialise ``obj`` to JSON and write it to the text file ``fp``."""
    ctx = _cv_app.get(None)

    if ctx is not None:
        ctx.app.json.dump(obj, fp, **kwargs)
    else:
        kwargs.setdefault("default", _default)
        _json.dump(obj, fp, **kwargs)


def loads(s: str | bytes, **kwargs: t.Any) -> t.Any:
    """Parse a JSON string or bytes, with the current app's provider if any."""
    ctx = _cv_app.get(None)

    if ctx is not None:
        return ctx.app.json.loads(s, **kwargs)

    return _json.loads(s, **kwargs)


def load(fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
    """Read a file and parse its JSON content, with the current app's
    provider if any.
    """
    ctx = _cv_app.get(None)

    if ctx is not None:
        return ctx.app.json.load(fp, **kwargs)

    return _json.load(fp, **kwargs)


def jsonify(*args: t.Any, **kwargs: t.Any) -> Response:
    """Return a JSON response made from the arguments.

    One positional argument is serialised as is, several as a list, and
    keyword arguments as an object. It needs an application context;
    see :meth:`flask.json.provider.JSONProvider.response`.
    """
    ctx = _cv_app.get(None)

    if ctx is None:
        # The proxy raises the usual "outside of application context" error.
        return current_app.json.response(*args, **kwargs)  # type: ignore[return-value]

    return ctx.app.json.response(*args, **kwargs)  # type: ignore[return-value]
