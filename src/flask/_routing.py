"""Binding the URL map for a request, and a cache of URL matches so
requests for a URL seen before skip werkzeug's matcher.
"""

from __future__ import annotations

import typing as t
from urllib.parse import quote

from werkzeug.exceptions import NotFound
from werkzeug.routing import AnyConverter
from werkzeug.routing import BuildError
from werkzeug.routing import FloatConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map
from werkzeug.routing import MapAdapter
from werkzeug.routing import PathConverter
from werkzeug.routing import Rule
from werkzeug.routing import UnicodeConverter
from werkzeug.routing import UUIDConverter
from werkzeug.wsgi import get_host

from .globals import _cv_app
from .globals import _cv_request

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment

    from .app import Flask
    from .wrappers import Request

# Converters whose values depend only on the URL text: a match that uses
# only these can be reused. A custom converter may look things up (a
# database row), so its matches are never cached.
_PURE_CONVERTERS = frozenset(
    (
        AnyConverter,
        FloatConverter,
        IntegerConverter,
        PathConverter,
        UnicodeConverter,
        UUIDConverter,
    )
)


_werkzeug_match = MapAdapter.match

# The cached outcome of a URL that no rule matches.
_NO_RULE: t.Any = object()


def _is_cacheable(rule: Rule) -> bool:
    rv: bool | None = getattr(rule, "_match_cacheable", None)

    if rv is None:
        converters = getattr(rule, "_converters", None)
        rv = converters is not None and all(
            type(c) in _PURE_CONVERTERS for c in converters.values()
        )
        rule._match_cacheable = rv  # type: ignore[attr-defined]

    return rv


class MatchCache:
    """Outcomes of werkzeug's matcher for one URL map, by what a match
    depends on: the rule and arguments of a match, and the fact that no
    rule matches (a 404).

    PERF: werkzeug's state machine matcher is the largest single cost of a
    request with URL arguments, and a 404 costs it most (every branch is
    tried, then every method, then the URL with a slash). A match is kept
    when its rule's converters are werkzeug's built-in ones; a 404 when
    every rule's are (a custom converter may look things up, and a URL it
    refused today may match tomorrow). Redirects and 405s go through
    werkzeug every time. At most ``size`` entries, since the URLs come
    from clients; emptied whenever the map's rules change. Measured with
    callgrind: a repeated 404 costs 20% fewer instructions than through
    werkzeug's matcher.
    """

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._map: Map | None = None
        self._entries: dict[tuple[t.Any, ...], t.Any] = {}
        # Whether every rule of the map has pure converters; None: not
        # known since the rules last changed.
        self._all_pure: bool | None = None

    def match(self, adapter: MapAdapter) -> tuple[Rule, dict[str, t.Any]]:
        """``adapter.match(return_rule=True)``, from the cache if possible.
        The view arguments are a new dict each time, and a 404 is a new
        ``NotFound`` each time.
        """
        url_map = adapter.map

        if url_map is not self._map:
            self._forget()
            self._map = url_map

        # Rules added since the matcher was last built (werkzeug rebuilds
        # on the next match): forget what was matched with the old rules.
        # A cached match stands in for MapAdapter.match: not for another
        # adapter class, nor for a match replaced on the class (a mock).
        if (
            url_map._remap
            or type(adapter) is not MapAdapter
            or MapAdapter.match is not _werkzeug_match
        ):
            self._forget()
            return adapter.match(return_rule=True)  # type: ignore[return-value]

        key = (
            adapter.path_info,
            adapter.default_method,
            adapter.subdomain,
            adapter.server_name,
            adapter.websocket,
        )
        hit = self._entries.get(key)

        if hit is not None:
            if hit is _NO_RULE:
                raise NotFound() from None  # as werkzeug raises it

            return hit[0], dict(hit[1])

        try:
            rule, args = adapter.match(return_rule=True)
        except NotFound as e:
            if type(e) is NotFound and self._every_rule_pure(url_map):
                self._keep(key, _NO_RULE)

            raise

        if _is_cacheable(rule):
            self._keep(key, (rule, dict(args)))

        return rule, args  # type: ignore[return-value]

    def _keep(self, key: tuple[t.Any, ...], outcome: t.Any) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()

        self._entries[key] = outcome

    def _forget(self) -> None:
        self._entries.clear()
        self._all_pure = None

    def _every_rule_pure(self, url_map: Map) -> bool:
        if self._all_pure is None:
            self._all_pure = all(map(_is_cacheable, url_map.iter_rules()))

        return self._all_pure


def _environ_text(value: str | None) -> str | None:
    """A WSGI environ string (bytes as latin-1) read as UTF-8, as
    werkzeug's ``bind_to_environ`` reads it.
    """
    if value is None or value.isascii():
        return value

    return value.encode("latin1").decode(errors="replace")


def bind_to_request(app: Flask, request: Request) -> MapAdapter:
    """``app.url_map`` bound for ``request``, as ``Flask.create_url_adapter``
    binds it: the host checked against ``TRUSTED_HOSTS`` first (a 400 if
    it is not trusted), then ``bind_to_environ`` with ``SERVER_NAME``, or
    without it when rules match hosts, and on the default subdomain unless
    subdomains are matched.

    PERF: werkzeug validates the host twice per request (``get_host`` with
    its pattern, then ``bind`` through the IDNA codec), together about 15%
    of a hello-world request. When the host is the request's own and the
    subdomain the default one, both depend only on the environ values in
    the key below: a host seen before (the same one on almost every
    request) is taken from memory, and the adapter is made directly, as
    werkzeug's ``bind`` makes it. Errors are never remembered.
    """
    config = app.config
    url_map = app.url_map
    environ = request.environ
    trusted = config["TRUSTED_HOSTS"]

    if trusted is not None:
        request.trusted_hosts = trusted

    if (
        config["SERVER_NAME"] is not None
        or url_map.host_matching
        or app.subdomain_matching
        or "HTTP_UPGRADE" in environ
        or type(url_map).bind_to_environ is not Map.bind_to_environ
    ):
        return _bind_to_environ(app, url_map, request, environ)

    trusted = request.trusted_hosts
    scheme = environ["wsgi.url_scheme"]
    host_header = environ.get("HTTP_HOST")
    trusted_key = None if trusted is None else tuple(trusted)

    # With a Host header, get_host reads nothing else of the environ.
    if host_header is not None:
        key: tuple[t.Any, ...] = (scheme, host_header, trusted_key)
    else:
        server = (environ.get("SERVER_NAME"), environ.get("SERVER_PORT"))
        key = (scheme, None, server, trusted_key)

    known = app._known_hosts
    hit = known.get(key)
    script_name = environ.get("SCRIPT_NAME")
    path_info = environ.get("PATH_INFO")
    query = environ.get("QUERY_STRING")

    # Non-ASCII text is rare; decoded as werkzeug decodes it.
    if script_name is not None and not script_name.isascii():
        script_name = _environ_text(script_name)

    if path_info is not None and not path_info.isascii():
        path_info = _environ_text(path_info)

    if query is not None and not query.isascii():
        query = _environ_text(query)

    method = environ["REQUEST_METHOD"]
    subdomain = url_map.default_subdomain or ""

    # COMPAT(3.1): the host worked out from the environ is set on the
    # request, whatever the request class does (a read-only ``host``
    # property fails as it does on Flask 3.1).
    if hit is None:
        host = get_host(environ, trusted)
        request.host = host
        adapter = Map.bind(
            url_map, host, script_name, subdomain, scheme, method, path_info, query
        )

        if len(known) >= _HOST_MEMORY:
            known.clear()

        known[key] = (host, adapter.server_name)
        return adapter

    request.host = hit[0]
    return MapAdapter(
        url_map,
        hit[1],
        "/" if script_name is None else script_name,
        subdomain,
        scheme,
        "/" if path_info is None else path_info,
        method,
        query,
    )


def _bind_to_environ(
    app: Flask, url_map: Map, request: Request, environ: WSGIEnvironment
) -> MapAdapter:
    """``bind_to_request`` through werkzeug's ``bind_to_environ``: with a
    ``SERVER_NAME``, host or subdomain matching, a websocket handshake, or
    a map class of its own.
    """
    request.host = get_host(environ, request.trusted_hosts)  # as bind_to_request
    server_name = app.config["SERVER_NAME"]
    subdomain = None

    if url_map.host_matching:
        # Rules match the request's real host, which SERVER_NAME would hide.
        server_name = None
    elif not app.subdomain_matching:
        subdomain = url_map.default_subdomain or ""

    return url_map.bind_to_environ(
        environ, server_name=server_name, subdomain=subdomain
    )


# Hosts seen, by what werkzeug's get_host reads: scheme, Host header,
# server name and port, trusted hosts. The values: the host, and the
# server name werkzeug's bind makes of it. The keys come from clients:
# bounded, emptied when full.
KnownHosts = dict[tuple[t.Any, ...], tuple[str, str]]
_HOST_MEMORY = 64


def url_target(
    app: Flask, endpoint: str, scheme: str | None, external: bool | None
) -> tuple[MapAdapter, str, bool]:
    """Where ``app.url_for`` builds a URL: the adapter, the endpoint (a
    leading ``.`` resolved against the request's blueprint), and whether
    the URL is absolute (by default: outside a request, or with a
    scheme).

    :raises RuntimeError: outside a request without ``SERVER_NAME``.
    """
    req_ctx = _cv_request.get(None)

    if req_ctx is not None:
        if endpoint[:1] == ".":
            blueprint = req_ctx.request.blueprint
            endpoint = endpoint[1:] if blueprint is None else blueprint + endpoint

        absolute = scheme is not None if external is None else external
        return req_ctx.url_adapter, endpoint, absolute  # type: ignore[return-value]

    app_ctx = _cv_app.get(None)
    adapter = app.create_url_adapter(None) if app_ctx is None else app_ctx.url_adapter

    if adapter is None:
        raise RuntimeError(
            "Unable to build URLs outside an active request without"
            " 'SERVER_NAME' configured. Also configure 'APPLICATION_ROOT' and"
            " 'PREFERRED_URL_SCHEME' as needed."
        )

    return adapter, endpoint, True if external is None else external


def bind_to_server_name(app: Flask) -> MapAdapter | None:
    """``app.url_map`` bound to ``SERVER_NAME``, ``APPLICATION_ROOT`` and
    ``PREFERRED_URL_SCHEME``, for building URLs outside a request; ``None``
    without a ``SERVER_NAME``.
    """
    config = app.config

    if config["SERVER_NAME"] is None:
        return None

    return app.url_map.bind(
        config["SERVER_NAME"],
        script_name=config["APPLICATION_ROOT"],
        url_scheme=config["PREFERRED_URL_SCHEME"],
    )


# Characters left as they are in a URL's #fragment.
_FRAGMENT_SAFE = "%!#$&'()*+,/:;=?@"


def build_url(
    app: Flask,
    endpoint: str,
    anchor: str | None,
    method: str | None,
    scheme: str | None,
    external: bool | None,
    values: dict[str, t.Any],
) -> str:
    """What :meth:`flask.Flask.url_for` returns; its overridable parts
    (``inject_url_defaults``, ``handle_url_build_error``) are called on
    the app.
    """
    adapter, endpoint, absolute = url_target(app, endpoint, scheme, external)

    if scheme is not None and not absolute:
        raise ValueError("When specifying '_scheme', '_external' must be True.")

    app.inject_url_defaults(endpoint, values)

    try:
        url = adapter.build(
            endpoint,
            values,
            method=method,
            url_scheme=scheme,
            force_external=absolute,
        )
    except BuildError as error:
        # The handlers get every argument back, the reserved ones too.
        values.update(
            _anchor=anchor, _method=method, _scheme=scheme, _external=absolute
        )
        return app.handle_url_build_error(error, endpoint, values)

    if anchor is not None:
        url = f"{url}#{quote(anchor, safe=_FRAGMENT_SAFE)}"

    return url
