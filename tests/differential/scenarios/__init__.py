"""The scenario registry.

A scenario is a function decorated with :func:`scenario` in one of the
modules listed in :data:`MODULES`. It builds an app with the ``flask`` it
imports, drives it and returns a JSON-able record of what happened. The
runner calls every registered scenario under one interpreter; the test
compares the records of the two interpreters.
"""

from __future__ import annotations

import dataclasses
import importlib
import typing as t

#: The scenario modules, in the order they run.
MODULES = (
    "errors",
    "http_exceptions",
    "responses",
    "requests",
    "sessions",
    "json_",
    "subclasses",
    "hooks",
    "client",
    "routing",
    "templates",
    "misc",
    "cli",
)

#: A deliberate-difference comparer: ``(ours, reference)`` records; raises
#: ``AssertionError`` unless they differ exactly as documented.
Comparer = t.Callable[[t.Any, t.Any], None]


@dataclasses.dataclass(frozen=True)
class Scenario:
    id: str
    func: t.Callable[..., t.Any]
    args: tuple[t.Any, ...]
    differs: Comparer | None = None


REGISTRY: dict[str, Scenario] = {}


def _param_id(value: t.Any) -> str:
    if isinstance(value, tuple):
        return "-".join(_param_id(v) for v in value)

    if isinstance(value, type):
        return value.__name__

    if callable(value):
        return getattr(value, "__name__", type(value).__name__)

    return str(value)


def scenario(
    params: t.Iterable[t.Any] | None = None,
    *,
    ids: t.Iterable[str] | None = None,
    differs: Comparer | t.Mapping[str, Comparer] | None = None,
) -> t.Callable[[t.Callable[..., t.Any]], t.Callable[..., t.Any]]:
    """Register the decorated function as one scenario, or one per item of
    ``params`` (a tuple item is spread as positional arguments).

    ``differs`` declares a deliberate difference: a comparer for every
    generated scenario, or a mapping from parameter id to comparer for some
    of them.
    """

    def decorator(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        base = f"{f.__module__.rsplit('.', 1)[-1]}.{f.__name__}"

        if params is None:
            entries = [(base, (), "")]
        else:
            values = list(params)
            names = list(ids) if ids is not None else [_param_id(v) for v in values]
            assert len(names) == len(values), base
            entries = [
                (f"{base}[{n}]", v if isinstance(v, tuple) else (v,), n)
                for n, v in zip(names, values, strict=True)
            ]

        for sid, args, pid in entries:
            assert sid not in REGISTRY, f"duplicate scenario id {sid}"
            comparer = differs.get(pid) if isinstance(differs, t.Mapping) else differs
            REGISTRY[sid] = Scenario(sid, f, args, comparer)

        return f

    return decorator


def load_all() -> dict[str, Scenario]:
    """Import every scenario module and return the registry."""
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")

    return REGISTRY
