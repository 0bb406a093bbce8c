"""Comparing two records, with a readable difference on failure."""

from __future__ import annotations

import json
import typing as t


def flatten(value: t.Any, path: str = "") -> dict[str, t.Any]:
    """``{"a.b[0]": leaf}`` for every leaf of a record."""
    if isinstance(value, dict):
        if not value:
            return {path: {}}

        out: dict[str, t.Any] = {}

        for k, v in value.items():
            out.update(flatten(v, f"{path}.{k}" if path else str(k)))

        return out

    if isinstance(value, list):
        if not value:
            return {path: []}

        out = {}

        for i, v in enumerate(value):
            out.update(flatten(v, f"{path}[{i}]"))

        return out

    return {path: value}


def differences(ours: t.Any, ref: t.Any) -> list[str]:
    a, b = flatten(ours), flatten(ref)
    lines = []

    for key in sorted(set(a) | set(b)):
        if a.get(key, KeyError) != b.get(key, KeyError):
            lines.append(
                f"  {key or '<root>'}:\n"
                f"    flask: {_show(b.get(key, '<absent>'))}\n"
                f"    ours:  {_show(a.get(key, '<absent>'))}"
            )

    return lines


def _show(value: t.Any) -> str:
    text = json.dumps(value)
    return text if len(text) < 400 else text[:400] + "..."


def assert_same(ours: t.Any, ref: t.Any) -> None:
    """Fail with the differing leaves unless the records are equal."""
    __tracebackhide__ = True

    if ours == ref:
        return

    lines = differences(ours, ref)
    raise AssertionError(
        "ours differs from Flask 3.1.3:\n"
        + "\n".join(lines)
        + "\n\nflask: "
        + json.dumps(ref)[:1500]
        + "\nours:  "
        + json.dumps(ours)[:1500]
    )


def without(record: t.Any, *paths: str) -> t.Any:
    """A copy of ``record`` without the leaves under the given dotted
    paths (``"a.b"``, ``"a.list[2]"``), for comparers that declare which
    part differs.
    """
    flat = flatten(record)
    return {k: v for k, v in flat.items() if not any(k.startswith(p) for p in paths)}
