"""Comparers for the deliberate differences (CHANGES.rst, "Deliberate
differences" and "Safer").

A comparer receives ``(ours, reference)`` records and raises
``AssertionError`` unless they differ exactly as documented. Most are built
with :func:`expect`: a function turns a deep copy of Flask's record into
the record we must produce, and the two must then be equal.
"""

from __future__ import annotations

import copy
import sys
import typing as t
from pathlib import Path

from . import Comparer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compare import assert_same  # noqa: E402


def expect(transform: t.Callable[[t.Any], t.Any]) -> Comparer:
    """Ours must equal ``transform(copy of Flask's record)``."""

    def comparer(ours: t.Any, ref: t.Any) -> None:
        expected = copy.deepcopy(ref)
        rv = transform(expected)
        assert_same(ours, expected if rv is None else rv)

    return comparer


def _first_lines(value: t.Any) -> t.Any:
    if isinstance(value, dict):
        out = {k: _first_lines(v) for k, v in value.items()}

        if "type" in out and isinstance(out.get("message"), str):
            out["message"] = out["message"].splitlines()[0]

        return out

    if isinstance(value, list):
        return [_first_lines(v) for v in value]

    return value


def first_lines(ours: t.Any, ref: t.Any) -> None:
    """Unbound-context errors keep Flask's first line; the explanation
    after it is ours. Everything else is equal.
    """
    assert_same(_first_lines(ours), _first_lines(ref))


def insert_events_after(anchor: str, *events: str) -> Comparer:
    """Ours runs ``events`` right after ``anchor`` where Flask stopped
    (every teardown function runs even when one raises).
    """

    def transform(rec: t.Any) -> None:
        i = rec["events"].index(anchor)
        rec["events"][i + 1 : i + 1] = list(events)

    return expect(transform)


def _replace(value: t.Any, mapping: dict[str, str]) -> t.Any:
    if isinstance(value, dict):
        return {k: _replace(v, mapping) for k, v in value.items()}

    if isinstance(value, list):
        return [_replace(v, mapping) for v in value]

    if isinstance(value, str):
        for old, new in mapping.items():
            value = value.replace(old, new)

    return value


def replace_strings(mapping: dict[str, str]) -> Comparer:
    """Ours must equal Flask's record with these substrings replaced in
    every string (an error of another type or wording, same flow).
    """
    return expect(lambda rec: _replace(rec, mapping))
