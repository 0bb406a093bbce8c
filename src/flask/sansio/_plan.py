"""Request plans: what a blueprint scope runs, resolved once.

A request belongs to a *scope*: the app, or a blueprint together with the
blueprints it is nested in. What runs for it (URL value preprocessors,
``before_request``, ``after_request`` and ``teardown_request`` functions,
template context processors, URL defaults) is the concatenation, in a
fixed order, of the registries' lists for each name in the scope, and its
error handler is found by searching the scope's handler maps. A
:class:`ScopePlan` does that concatenation once and keeps the handler
found for each exception class; the app reuses it for every request of
the scope until its registries change (see :mod:`._registry`).
"""

from __future__ import annotations

import typing as t
from inspect import CO_COROUTINE
from types import FunctionType

from ._registry import is_tracked

if t.TYPE_CHECKING:  # pragma: no cover
    from .scaffold import Scaffold

# Distinct exception classes remembered per plan. Classes can be made at
# run time, so the memory is bounded.
_HANDLER_MEMORY = 256


def is_plain_sync(func: t.Any) -> bool:
    """Whether ``func`` is a plain ``def`` function (no attributes that
    could mark or wrap a coroutine function): ``ensure_sync`` returns it
    as it is, outside ASGI.
    """
    return (
        type(func) is FunctionType
        and not func.__dict__
        and not func.__code__.co_flags & CO_COROUTINE
    )


class ScopePlan:
    """The resolved hook chains and handler lookup of one scope.

    :param app: The app whose registries are read.
    :param scopes: The request's blueprint and its parents, innermost
        first; empty for the app itself.
    """

    __slots__ = (
        "scopes",
        "generation",
        "cacheable",
        "url_value_preprocessors",
        "before_request",
        "after_request",
        "teardown_request",
        "sync_hooks",
        "context_processors",
        "url_defaults",
        "_handler_spec",
        "_handlers",
    )

    def __init__(self, app: Scaffold, scopes: tuple[str, ...]) -> None:
        self.scopes = scopes
        self.generation = app._generation.value
        self.cacheable = True
        outward: tuple[str | None, ...] = (*scopes, None)
        inward = outward[::-1]

        # Preprocessing runs from the app inwards, in registration order;
        # response and teardown functions from the innermost scope out,
        # each scope's latest registration first.
        self.url_value_preprocessors = self._collect(
            app.url_value_preprocessors, inward, False
        )
        self.before_request = self._collect(app.before_request_funcs, inward, False)
        self.context_processors = self._collect(
            app.template_context_processors, inward, False
        )
        self.url_defaults = self._collect(app.url_default_functions, inward, False)
        self.after_request = self._collect(app.after_request_funcs, outward, True)
        self.teardown_request = self._collect(app.teardown_request_funcs, outward, True)
        #: Whether every before and after request function is a plain
        #: sync function, which the app may call without ensure_sync.
        self.sync_hooks = all(
            map(is_plain_sync, (*self.before_request, *self.after_request))
        )
        self._handler_spec = app.error_handler_spec
        self._handlers: dict[tuple[type, int | None], t.Any] = {}

        if not is_tracked(self._handler_spec):
            self.cacheable = False

    def _collect(
        self,
        registry: t.Mapping[str | None, list[t.Any]],
        names: tuple[str | None, ...],
        latest_first: bool,
    ) -> tuple[t.Any, ...]:
        if not is_tracked(registry):
            self.cacheable = False

        chain: list[t.Any] = []

        for name in names:
            funcs = registry.get(name)

            if funcs is None:
                continue

            if not is_tracked(funcs):
                self.cacheable = False

            chain.extend(reversed(funcs) if latest_first else funcs)

        return tuple(chain)

    def error_handler(self, exc_class: type, code: int | None) -> t.Any:
        """The handler registered for ``exc_class`` (whose status code is
        ``code``, or ``None`` for a non-HTTP exception), or ``None``.

        Handlers for the status code win over handlers for exception
        classes; within each, the innermost scope wins, and within a scope
        the closest class in the MRO.
        """
        key = (exc_class, code)
        handlers = self._handlers

        if key in handlers:
            return handlers[key]

        found = self._search(exc_class, code)

        if self.cacheable:
            if len(handlers) >= _HANDLER_MEMORY:
                handlers.clear()

            handlers[key] = found

        return found

    def _search(self, exc_class: type, code: int | None) -> t.Any:
        spec = self._handler_spec
        mro = exc_class.__mro__

        for wanted in (code, None) if code is not None else (None,):
            for name in (*self.scopes, None):
                by_code = spec.get(name)

                if by_code is None:
                    continue

                if not is_tracked(by_code):
                    self.cacheable = False

                by_class = by_code.get(wanted)

                if by_class is None:
                    continue

                if not is_tracked(by_class):
                    self.cacheable = False

                for cls in mro:
                    if cls in by_class:
                        return by_class[cls]

        return None
