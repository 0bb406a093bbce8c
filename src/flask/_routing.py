"""A cache of URL matches, so requests for a URL seen before skip
werkzeug's matcher.
"""

from __future__ import annotations

import typing as t

from werkzeug.routing import AnyConverter
from werkzeug.routing import FloatConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map
from werkzeug.routing import MapAdapter
from werkzeug.routing import PathConverter
from werkzeug.routing import Rule
from werkzeug.routing import UnicodeConverter
from werkzeug.routing import UUIDConverter

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
    """Successful matches of one URL map, by what a match depends on.

    PERF: werkzeug's state machine matcher is the largest single cost of a
    request with URL arguments. Only successes are kept (errors and
    redirects go through werkzeug every time); at most ``size`` entries,
    since the URLs come from clients; and the cache is emptied whenever
    the map's rules change.
    """

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._map: Map | None = None
        self._entries: dict[tuple[t.Any, ...], tuple[Rule, dict[str, t.Any]]] = {}

    def match(self, adapter: MapAdapter) -> tuple[Rule, dict[str, t.Any]]:
        """``adapter.match(return_rule=True)``, from the cache if possible.
        The view arguments are a new dict each time.
        """
        url_map = adapter.map

        if url_map is not self._map:
            self._entries.clear()
            self._map = url_map

        # Rules added since the matcher was last built (werkzeug rebuilds
        # on the next match): forget what was matched with the old rules.
        if url_map._remap or type(adapter) is not MapAdapter:
            self._entries.clear()
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
            return hit[0], dict(hit[1])

        rule, args = adapter.match(return_rule=True)

        if _is_cacheable(rule):
            if len(self._entries) >= self.size:
                self._entries.clear()

            self._entries[key] = (rule, dict(args))

        return rule, args  # type: ignore[return-value]
