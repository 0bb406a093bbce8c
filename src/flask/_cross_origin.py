"""Cross-origin request protection: refuse the state-changing requests
that a browser sends to this app on behalf of a page of another origin
(cross-site request forgery), from the headers browsers add to every
request, with no token in forms.

It is off unless ``CROSS_ORIGIN_PROTECTION`` is true (or a
:class:`CrossOriginProtection` is applied, which sets it). The pipeline
then calls :func:`refuse_cross_origin` before the ``before_request``
functions. For a request whose method is not GET, HEAD or OPTIONS:

1. ``Sec-Fetch-Site: same-origin`` or ``none`` (the user typed the URL or
   used a bookmark) is accepted; any other value (``same-site``,
   ``cross-site``) is a cross-origin request.
2. Without ``Sec-Fetch-Site`` (browsers before 2023, or not a browser),
   an ``Origin`` header whose host is the request's host is accepted, as
   is a request without ``Origin`` (curl, API clients, server-to-server
   calls: no browser, so no forgery); any other ``Origin`` is cross-origin.
3. A cross-origin request is still accepted from a trusted origin, or
   for an exempt view; otherwise it is refused with a 403.

The same decision as Go's ``net/http.CrossOriginProtection``; the
``Origin`` comparison ignores the scheme, which a TLS-terminating proxy
hides from the app, and uses the host that :class:`~werkzeug.middleware.
proxy_fix.ProxyFix` gives when it is in place.
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t
import weakref
from urllib.parse import urlsplit

from werkzeug.exceptions import Forbidden

from .sansio.blueprints import Blueprint

if t.TYPE_CHECKING:  # pragma: no cover
    from .sansio.app import App
    from .wrappers import Request

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: Where :meth:`CrossOriginProtection.init_app` puts the extension.
EXTENSION_KEY = "cross_origin_protection"
#: The methods that must not change anything, and are never refused.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: ``Sec-Fetch-Site`` values of a request the app's own pages (or the
#: user, from the address bar) made.
_SAME_ORIGIN = frozenset({"same-origin", "none"})
_DEFAULT_PORTS = {"http": 80, "https": 443}

#: The description of the 403, shown on the error page. Nothing of the
#: request is repeated in it; the log has the details.
REFUSED = (
    "This request was refused because it came from another website. Forms"
    " and scripts can change data here only from this site's own pages."
)

# Views marked with cross_origin_exempt, in any app; held weakly, so that
# marking a view keeps nothing alive. A set rather than an attribute on the
# function: ensure_sync's fast path is for functions without attributes.
_exempt_views: weakref.WeakSet[t.Callable[..., t.Any]] = weakref.WeakSet()


def cross_origin_exempt(view: F) -> F:
    """Accept cross-origin requests for this view: a webhook, or the
    callback of a single sign-on provider that posts back to the app.

    Works for every app the view is registered on, with or without a
    :class:`CrossOriginProtection`::

        @app.post("/hooks/payments")
        @cross_origin_exempt
        def payment_hook(): ...

    :param view: The view function; returned unchanged.
    :raises TypeError: for a callable that cannot be referenced weakly;
        exempt its endpoint with :meth:`CrossOriginProtection.exempt`.
    """
    try:
        _exempt_views.add(view)
    except TypeError:
        raise TypeError(
            f"{view!r} cannot be marked as exempt from cross-origin protection;"
            " exempt its endpoint name with CrossOriginProtection.exempt()."
        ) from None

    return view


def _host_and_port(netloc: str, scheme: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(f"//{netloc}")
        port = parts.port
    except ValueError:
        return None

    if not parts.hostname or parts.username is not None:
        return None

    return parts.hostname, port or _DEFAULT_PORTS.get(scheme, 0)


def normalize_origin(value: str) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port, or
    ``None`` if ``value`` is not such an origin (``"null"`` is not).
    """
    scheme, sep, rest = value.strip().lower().partition("://")

    if not sep or scheme not in _DEFAULT_PORTS or not rest or "/" in rest:
        return None

    if any(c in rest for c in "?#"):
        return None

    found = _host_and_port(rest, scheme)

    if found is None:
        return None

    host, port = found
    host = f"[{host}]" if ":" in host else host
    suffix = "" if port == _DEFAULT_PORTS[scheme] else f":{port}"
    return f"{scheme}://{host}{suffix}"


def _origin_is_host(origin: str, host: str) -> bool:
    """Whether the ``Origin`` names the host the request was sent to."""
    scheme, sep, rest = origin.lower().partition("://")

    if not sep or scheme not in _DEFAULT_PORTS:
        return False

    # The port a request's Host leaves out is the default of the scheme
    # the browser used, the one in Origin.
    theirs = _host_and_port(rest, scheme)
    return theirs is not None and theirs == _host_and_port(host.lower(), scheme)


def trusted_origins_from(value: t.Any) -> set[str]:
    """The normalized origins of a ``CROSS_ORIGIN_TRUSTED_ORIGINS`` value.

    :raises TypeError: if it is not a list (or other collection) of strings.
    :raises ValueError: for an entry that is not ``scheme://host[:port]``.
    """
    if value is None:
        return set()

    if isinstance(value, (str, bytes)) or not isinstance(value, cabc.Iterable):
        raise TypeError(
            "CROSS_ORIGIN_TRUSTED_ORIGINS must be a list of origins such as"
            f" ['https://accounts.example.com'], not {value!r}."
        )

    return {_checked_origin(item) for item in value}


def _checked_origin(value: t.Any) -> str:
    origin = normalize_origin(value) if isinstance(value, str) else None

    if origin is None:
        raise ValueError(
            f"{value!r} is not an origin: write it as scheme://host or"
            " scheme://host:port, such as 'https://accounts.example.com',"
            " with no path."
        )

    return origin


class CrossOriginProtection:
    """Turn on cross-origin request protection for an app, with options.

    ``app.config["CROSS_ORIGIN_PROTECTION"] = True`` is enough when there
    is nothing to configure; this class is applied like an extension when
    some origins are trusted or some views exempt::

        protection = CrossOriginProtection(
            app, trusted_origins=["https://accounts.example.com"]
        )

        @app.post("/hooks/payments")
        @protection.exempt
        def payment_hook(): ...

    It sets ``CROSS_ORIGIN_PROTECTION`` to ``True``; setting it to
    ``False`` afterwards (in some tests, say) turns the protection off.

    :param app: The app to protect; or call :meth:`init_app` later.
    :param trusted_origins: Origins (``scheme://host[:port]``) whose
        requests are accepted, such as a sign-on provider's.
    :param exempt: Views, endpoint names or blueprints to exempt, as
        :meth:`exempt` takes them.
    """

    def __init__(
        self,
        app: App | None = None,
        *,
        trusted_origins: cabc.Iterable[str] = (),
        exempt: cabc.Iterable[str | Blueprint | t.Callable[..., t.Any]] = (),
    ) -> None:
        #: The trusted origins, normalized.
        self.trusted_origins: set[str] = set()
        #: Exempt endpoint names, and names of blueprints whose views are.
        self.exempt_endpoints: set[str] = set()
        self.exempt_blueprints: set[str] = set()

        for origin in trusted_origins:
            self.add_trusted_origin(origin)

        for item in exempt:
            self.exempt(item)

        if app is not None:
            self.init_app(app)

    def init_app(self, app: App) -> None:
        """Protect ``app`` with these options."""
        app.extensions[EXTENSION_KEY] = self
        app.config["CROSS_ORIGIN_PROTECTION"] = True

    def add_trusted_origin(self, origin: str) -> None:
        """Accept requests from ``origin``, ``scheme://host[:port]``.

        :raises ValueError: if it is not written so.
        """
        self.trusted_origins.add(_checked_origin(origin))

    def exempt(self, view: F | str | Blueprint) -> F | str | Blueprint:
        """Accept cross-origin requests for a view function (as
        :func:`cross_origin_exempt` does; usable as a decorator), an
        endpoint name, or every view of a blueprint (by its name).

        :return: ``view``, unchanged.
        """
        if isinstance(view, str):
            self.exempt_endpoints.add(view)
        elif isinstance(view, Blueprint):
            self.exempt_blueprints.add(view.name)
        else:
            cross_origin_exempt(view)

        return view

    def _accepts(self, req: Request) -> bool:
        if req.endpoint in self.exempt_endpoints:
            return True

        # Nested blueprints' names are dotted: "parent.child".
        return any(
            name.rpartition(".")[2] in self.exempt_blueprints for name in req.blueprints
        )


def _is_exempt(app: App, req: Request) -> bool:
    endpoint = req.endpoint
    view = None if endpoint is None else app.view_functions.get(endpoint)

    try:
        return view is not None and view in _exempt_views
    except TypeError:  # not weakly referenceable, so never added
        return False


def _is_trusted(
    app: App, origin: str | None, ext: CrossOriginProtection | None
) -> bool:
    if origin is None:
        return False

    normal = normalize_origin(origin)

    if normal is None:
        return False

    if ext is not None and normal in ext.trusted_origins:
        return True

    configured = app.config.get("CROSS_ORIGIN_TRUSTED_ORIGINS")
    return normal in trusted_origins_from(configured)


def refuse_cross_origin(app: App, req: Request) -> None:
    """Raise a 403 :class:`~werkzeug.exceptions.Forbidden` if ``req`` is a
    state-changing request from another origin that is neither trusted
    nor exempt (see the module's description), after logging why at the
    info level.
    """
    if req.method in SAFE_METHODS:
        return

    # PERF: the CGI keys, read directly; EnvironHeaders would build them.
    environ = req.environ
    site = environ.get("HTTP_SEC_FETCH_SITE")

    if site in _SAME_ORIGIN:
        return

    origin = environ.get("HTTP_ORIGIN")

    if site is not None:
        reason = f"Sec-Fetch-Site is {site!r}"
    elif origin is None or _origin_is_host(origin, req.host):
        return
    else:
        reason = f"Origin {origin!r} is not the host {req.host!r}"

    ext = app.extensions.get(EXTENSION_KEY)

    if _is_trusted(app, origin, ext) or _is_exempt(app, req):
        return

    if ext is not None and ext._accepts(req):
        return

    app.logger.info(
        "Refused a cross-origin %s request to %s: %s.", req.method, req.path, reason
    )
    raise Forbidden(REFUSED)
