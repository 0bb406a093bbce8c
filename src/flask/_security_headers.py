"""Security headers, one switch: ``SECURITY_HEADERS = True`` adds the
headers in :data:`DEFAULTS` to every response, and a dict changes them.

The pipeline calls :func:`add_security_headers` after the
``after_request`` functions. A header the response already has (set by
the view or a hook) is left as it is. ``Strict-Transport-Security`` goes
only on requests made over HTTPS (as the request sees it: behind a proxy,
with :class:`~werkzeug.middleware.proxy_fix.ProxyFix`).

The ``Content-Security-Policy`` gets a per-request nonce when the request
asked for one with :func:`csp_nonce` (``{{ csp_nonce() }}`` in a
template): ``'nonce-...'`` is added to ``script-src`` and ``style-src``,
each made from ``default-src`` when the policy lacks it.
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t

from werkzeug.datastructures import Headers

from .globals import _cv_request
from .wrappers import _LIST_HEADERS

if t.TYPE_CHECKING:  # pragma: no cover
    from .wrappers import Request
    from .wrappers import Response

#: The headers ``SECURITY_HEADERS = True`` adds. A dict given instead
#: changes these: a string replaces a value (or adds another header),
#: ``None`` removes the header.
DEFAULTS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
    ),
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}

_HSTS = "strict-transport-security"
#: The request schemes ``Strict-Transport-Security`` is sent on.
_SECURE_SCHEMES = frozenset({"https", "wss"})
_CSP = "content-security-policy"
# PERF: headers most responses have, as werkzeug spells them: no need to
# lower them to know that they are none of ours.
_ORDINARY = frozenset({"Content-Type", "Content-Length"})
#: The directives a nonce is added to.
_NONCE_DIRECTIVES = ("script-src", "style-src")
# Where csp_nonce keeps the request's nonce, on the request object: ""
# once a template was given csp_nonce, then the nonce once it is made.
_NONCE_ATTR = "_flask_csp_nonce"


class _Plan(t.NamedTuple):
    """The headers of one ``SECURITY_HEADERS`` value, ready to append."""

    #: The names of all of them, in lower case.
    names: frozenset[str]
    #: ``(name, value)`` pairs for plain HTTP requests, and for HTTPS ones.
    plain: tuple[tuple[str, str], ...]
    secure: tuple[tuple[str, str], ...]
    #: The policy's name and its value with ``{nonce}`` to fill in.
    csp: tuple[str, str] | None


def csp_nonce() -> str:
    """The current request's nonce for the ``Content-Security-Policy``:
    an inline ``<script nonce="{{ csp_nonce() }}">`` (or ``<style>``) runs
    under the policy that ``SECURITY_HEADERS`` sends. Made on the first
    call, then the same for the whole request. Templates get it when
    ``SECURITY_HEADERS`` is on.

    :raises RuntimeError: outside a request.
    """
    ctx = _cv_request.get(None)

    if ctx is None:
        raise RuntimeError(
            "csp_nonce() needs an active request: call it in a view or a"
            " template, or in a test_request_context()."
        )

    return _nonce_of(ctx.request)


def offer_csp_nonce(context: dict[str, t.Any]) -> None:
    """Give a template :func:`csp_nonce` (unless its context has one)."""
    context.setdefault("csp_nonce", csp_nonce)
    ctx = _cv_request.get(None)

    if ctx is not None:
        ctx.request.__dict__.setdefault(_NONCE_ATTR, "")


def _nonce_of(req: Request) -> str:
    nonce: str | None = req.__dict__.get(_NONCE_ATTR)

    if not nonce:
        # Imported here: secrets (and random) would add to ``import flask``.
        import secrets

        nonce = secrets.token_urlsafe(16)
        setattr(req, _NONCE_ATTR, nonce)

    return nonce


def _with_nonce_slot(policy: str) -> str | None:
    """The policy with ``'nonce-{nonce}'`` in each of
    :data:`_NONCE_DIRECTIVES`; ``None`` when scripts are not restricted.
    """
    # Braces escaped for str.format, which fills the slots in.
    directives = [
        d.strip().replace("{", "{{").replace("}", "}}")
        for d in policy.split(";")
        if d.strip()
    ]
    by_name = {d.split()[0].lower(): i for i, d in enumerate(directives)}
    default = by_name.get("default-src")
    slot = "'nonce-{nonce}'"
    changed = False

    for name in _NONCE_DIRECTIVES:
        if name in by_name:
            i = by_name[name]
            directives[i] = f"{directives[i]} {slot}"
        elif default is not None:
            # Same sources as default-src, which it replaces for this
            # kind; 'none' cannot be combined with a source.
            sources = directives[default].split()[1:]
            kept = [s for s in sources if s.lower() != "'none'"]
            directives.append(" ".join([name, *kept, slot]))
        else:
            continue

        changed = True

    return "; ".join(directives) if changed else None


def resolve(setting: t.Any) -> dict[str, str]:
    """The headers for a ``SECURITY_HEADERS`` value, by name.

    :raises TypeError: if it is neither true nor a dict of header names
        to strings or ``None``.
    """
    if isinstance(setting, int):  # True, or 1 from an environment variable
        return dict(DEFAULTS) if setting else {}

    if not isinstance(setting, cabc.Mapping):
        raise TypeError(
            "SECURITY_HEADERS must be True, or a dict that maps header names"
            f" to values (None removes one), not {setting!r}."
        )

    headers: dict[str, tuple[str, str | None]] = {
        name.lower(): (name, value) for name, value in DEFAULTS.items()
    }

    for name, value in setting.items():
        if not isinstance(name, str) or not isinstance(value, (str, type(None))):
            raise TypeError(
                "SECURITY_HEADERS maps header names to strings, or to None to"
                f" remove a header: {name!r}: {value!r} is neither."
            )

        if any(c in f"{name}{value or ''}" for c in "\r\n"):
            raise ValueError(f"SECURITY_HEADERS: {name!r} has a line break.")

        headers[name.lower()] = (name, value)

    return {name: value for name, value in headers.values() if value is not None}


def _build(setting: t.Any) -> _Plan:
    headers = resolve(setting)
    secure = tuple(headers.items())
    plain = tuple(pair for pair in secure if pair[0].lower() != _HSTS)
    csp = None

    for name, value in secure:
        slot = _with_nonce_slot(value) if name.lower() == _CSP else None

        if slot is not None:
            csp = (name, slot)

    return _Plan(frozenset(n.lower() for n in headers), plain, secure, csp)


# Plans by setting: True, or the items of a dict (which may change between
# requests, so it is the content that is the key).
_plans: dict[t.Any, _Plan] = {}
_DEFAULT_PLAN = _build(True)


def _plan_for(setting: t.Any) -> _Plan:
    try:
        key = tuple(setting.items()) if isinstance(setting, cabc.Mapping) else setting
        plan = _plans.get(key)
    except TypeError:  # an unhashable value: resolve() says what is wrong
        return _build(setting)

    if plan is None:
        plan = _build(setting)

        if len(_plans) >= 64:
            _plans.clear()

        _plans[key] = plan

    return plan


def _with_policy_nonce(
    pairs: tuple[tuple[str, str], ...], csp: tuple[str, str], nonce: str
) -> tuple[tuple[str, str], ...]:
    name, template = csp
    value = template.format(nonce=nonce)
    return tuple((n, value if n == name else v) for n, v in pairs)


def add_security_headers(req: Request, response: Response, setting: t.Any) -> None:
    """Add the headers of ``setting`` (``SECURITY_HEADERS``) that
    ``response`` does not have yet.
    """
    plan = _DEFAULT_PLAN if setting is True else _plan_for(setting)
    # PERF: the scheme, as Request.is_secure reads it, without the property.
    pairs = plan.secure if req.scheme in _SECURE_SCHEMES else plan.plain

    if plan.csp is not None:
        # PERF: the instance's dict, where getattr with a default would
        # raise and catch an AttributeError on most requests.
        nonce = req.__dict__.get(_NONCE_ATTR)

        # Offered to a template that is streamed, so rendered after this:
        # make the nonce now.
        if nonce == "" and response.is_streamed:
            nonce = _nonce_of(req)

        if nonce:
            pairs = _with_policy_nonce(pairs, plan.csp, nonce)

    headers = response.headers

    # PERF: werkzeug's own Headers take the pairs at once: their values
    # were checked by resolve(), which is what Headers.add does each time
    # (a quarter of the cost of this function).
    if type(headers) not in _LIST_HEADERS:
        _add_each(headers, pairs, plan.names)
        return

    existing = headers._list
    names = plan.names

    for name, _ in existing:
        if name not in _ORDINARY and name.lower() in names:
            _add_each(headers, pairs, names)
            return

    existing.extend(pairs)


def _add_each(
    headers: Headers, pairs: tuple[tuple[str, str], ...], names: frozenset[str]
) -> None:
    """Add the pairs whose header is not there yet, one by one."""
    present = {name.lower() for name, _ in headers} & names

    for name, value in pairs:
        if name.lower() not in present:
            headers.add(name, value)
