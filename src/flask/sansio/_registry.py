"""Registry containers that count their own changes.

To the code that fills them (decorators, blueprint registration, an
extension appending to ``app.after_request_funcs[None]`` directly) the
hook and error-handler registries are ordinary dicts of lists. Each
mutation, at any depth, also advances a counter shared by all the
registries of one app or blueprint: its :class:`Generation`. Request plans
(:mod:`flask.sansio._plan`) remember the generation they were resolved at
and are resolved again once it moves, so hook chains can be computed once
and still follow every change.

A container that is not one of these (a plain list or dict an extension
assigned into a registry) cannot report its changes; a plan that reads one
is marked uncacheable and is resolved again on every use.
"""

from __future__ import annotations

import typing as t
from collections import defaultdict
from functools import partial


class Generation:
    """A counter that moves on every change to the registries sharing it."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


# Mutating methods of the builtin containers; each is wrapped to advance
# the generation after it ran.
_LIST_MUTATORS = (
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "sort",
    "reverse",
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
)
_DICT_MUTATORS = (
    "__setitem__",
    "__delitem__",
    "__ior__",
    "setdefault",
    "update",
    "pop",
    "popitem",
    "clear",
)


def _counting(base: type, name: str) -> t.Callable[..., t.Any]:
    method = getattr(base, name)

    def counted(self: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
        rv = method(self, *args, **kwargs)
        # Unpickling and copying fill the container before its state is
        # restored: nothing to advance yet then.
        generation = getattr(self, "_generation", None)

        if generation is not None:
            generation.value += 1

        return rv

    counted.__name__ = name
    counted.__qualname__ = f"{base.__name__}.{name}"
    return counted


class HookList(list):  # type: ignore[type-arg]
    """A list of registered functions, for one scope of a hook registry."""

    _generation: Generation | None = None

    def __init__(
        self, items: t.Iterable[t.Any] = (), generation: Generation | None = None
    ):
        super().__init__(items)
        self._generation = generation


class HandlerMap(dict):  # type: ignore[type-arg]
    """Exception class -> handler, for one scope and status code."""

    _generation: Generation | None = None

    def __init__(self, generation: Generation | None = None) -> None:
        super().__init__()
        self._generation = generation


class ScopedRegistry(defaultdict):  # type: ignore[type-arg]
    """A ``defaultdict`` keyed by scope (``None`` for the app, a dotted
    blueprint name otherwise) whose missing entries are made by ``make``.

    It shows as a ``defaultdict`` of the builtin type its entries stand
    for, as the registries of Flask 3.1 do.
    """

    _generation: Generation | None = None
    _shown_factory: t.Any = None

    def __init__(
        self,
        make: t.Callable[[], t.Any] | None = None,
        generation: Generation | None = None,
        shown_as: t.Any = None,
    ) -> None:
        super().__init__(make)
        self._generation = generation
        self._shown_factory = shown_as

    def __repr__(self) -> str:
        factory = self._shown_factory or self.default_factory
        return f"defaultdict({factory!r}, {dict.__repr__(self)})"


for _name in _LIST_MUTATORS:
    setattr(HookList, _name, _counting(list, _name))

for _cls in (HandlerMap, ScopedRegistry):
    for _name in _DICT_MUTATORS:
        setattr(_cls, _name, _counting(dict, _name))

del _cls, _name


def hook_registry(generation: Generation) -> ScopedRegistry:
    """A registry of hook functions: scope -> :class:`HookList`."""
    # A partial, not a lambda: the registry pickles like a defaultdict(list).
    return ScopedRegistry(partial(HookList, (), generation), generation, list)


def handler_registry(generation: Generation) -> ScopedRegistry:
    """The error-handler registry: scope -> status code (``None`` for
    handlers of exception classes) -> :class:`HandlerMap`.
    """

    def codes() -> ScopedRegistry:
        return ScopedRegistry(lambda: HandlerMap(generation), generation, dict)

    return ScopedRegistry(codes, generation)


def is_tracked(container: object) -> bool:
    """Whether ``container`` reports its changes to a generation."""
    return getattr(container, "_generation", None) is not None


class RegistryAttribute:
    """A registry attribute of apps and blueprints: assigning a new
    registry advances the owner's generation, so plans built from the old
    one are dropped.

    PERF: it has no ``__get__``, so reading the attribute is Python's own
    lookup of the instance ``__dict__`` instead of a call (the request
    path reads registries up to four times: 3% of a hello-world request's
    instructions, 107.2k -> 103.7k); on the class, the attribute is this
    descriptor.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __set__(self, obj: t.Any, value: t.Any) -> None:
        obj.__dict__[self.name] = value
        generation = obj.__dict__.get("_generation")

        if generation is not None:
            generation.value += 1


def scope_list(registry: t.Any, scope: str | None) -> t.Any:
    """``registry.setdefault(scope, [])``, where a registry of ours makes
    the new entry itself, so that it is tracked too.
    """
    if is_tracked(registry):
        return registry[scope]

    return registry.setdefault(scope, [])


def new_handler_scope(registry: t.Any) -> t.Any:
    """An empty status code -> handler map level for ``registry``."""
    make = getattr(registry, "default_factory", None)
    return make() if make is not None else defaultdict(dict)
