"""The parameter types of ``flask run``: ``--cert`` with its ``--key``
check, and the path lists of ``--extra-files`` and ``--exclude-patterns``.
"""

from __future__ import annotations

import importlib
import sys
import typing as t

import click
from werkzeug.utils import import_string


def _require(
    name: str, reason: str, param: click.Parameter | None, ctx: click.Context | None
) -> t.Any:
    """Import a module ``--cert`` needs, or fail the parameter with ``reason``."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise click.BadParameter(reason, ctx, param) from None


_CERT_FILE = click.Path(exists=True, dir_okay=False, resolve_path=True)
_NO_SSL = 'Using "--cert" requires Python to be compiled with SSL support.'
_NO_CRYPTOGRAPHY = "Using ad-hoc certificates requires the cryptography library."


class CertParamType(click.ParamType):  # type: ignore[type-arg]
    """``--cert``'s type: a certificate file, ``adhoc`` for a throwaway one
    (needs ``cryptography``), or the import name of an :class:`ssl.SSLContext`.
    """

    name = "path"

    def __init__(self) -> None:
        #: The check for the certificate file case.
        self.path_type = _CERT_FILE

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        """Return the resolved file path, ``"adhoc"``, or the SSL context."""
        ssl = _require("ssl", _NO_SSL, param, ctx)

        try:
            return self.path_type(value, param, ctx)
        except click.BadParameter:
            word = click.STRING(value, param, ctx).lower()

            if word != "adhoc":
                context = import_string(word, silent=True)

                if isinstance(context, ssl.SSLContext):
                    return context

                # Neither of the alternatives: the missing file is the error.
                raise

        # "adhoc": werkzeug generates the certificate with cryptography.
        _require("cryptography", _NO_CRYPTOGRAPHY, param, ctx)
        return word


#: Why ``--key`` can't go with a ``--cert`` of each kind.
_KEY_CONFLICTS = {
    "none": '"--cert" must also be specified.',
    "adhoc": 'When "--cert" is "adhoc", "--key" is not used.',
    "context": 'When "--cert" is an SSLContext object, "--key" is not used.',
}


def _cert_kind(cert: t.Any) -> str:
    if not cert or cert == "adhoc":
        return "adhoc" if cert else "none"

    ssl = sys.modules.get("ssl")  # imported already if cert is a context
    return "context" if ssl and isinstance(cert, ssl.SSLContext) else "file"


def _validate_key(ctx: click.Context, param: click.Parameter, value: t.Any) -> t.Any:
    """Check ``--key`` against the (eager) ``--cert``; pair a cert file with
    its key as the ``(cert, key)`` tuple ``run_simple`` takes.
    """
    cert = ctx.params.get("cert")
    kind = _cert_kind(cert)

    if value is None:
        if kind == "file":
            raise click.BadParameter('Required when using "--cert".', ctx, param)
    elif kind in _KEY_CONFLICTS:
        raise click.BadParameter(_KEY_CONFLICTS[kind], ctx, param)
    else:
        ctx.params["cert"] = (cert, value)

    return value


class SeparatedPathType(click.Path):
    """Paths separated by :data:`os.pathsep` (as in ``PATH``) in one value,
    each checked as :class:`click.Path` would.
    """

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        """Return the list of converted paths."""
        check = super().convert
        return [check(item, param, ctx) for item in self.split_envvar_value(value)]


# Documented, and found by tools, where users import them.
CertParamType.__module__ = SeparatedPathType.__module__ = "flask.cli"
