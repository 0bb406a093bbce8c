"""Run order and ratios: what keeps a comparison fair on a busy machine.

Both methods measure in rounds. In each round this project and Flask 3.1
run back to back (which one goes first alternates), then the reference
frameworks in a rotating order. A ratio to Flask is taken within each round
and the median of those ratios is reported: load that comes and goes (other
processes on the two cores) hits both sides of a pair alike, where a ratio
of two medians taken far apart would absorb it.
"""

from __future__ import annotations

import statistics
import typing as t

from venvs import Framework

OURS = "ours"
FLASK = "flask31"
#: The bare WSGI callable: the floor the others are measured from end to end.
BARE = "wsgi"


def round_order(frameworks: t.Sequence[Framework], r: int) -> list[Framework]:
    """The order in which the frameworks run in round *r*."""
    pair = [fw for fw in frameworks if fw.key in (OURS, FLASK)]
    if r % 2:
        pair.reverse()
    rest = [fw for fw in frameworks if fw.key not in (OURS, FLASK)]
    k = r % len(rest) if rest else 0
    return pair + rest[k:] + rest[:k]


def median(values: t.Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def paired_ratio(
    a: t.Sequence[float | None], b: t.Sequence[float | None]
) -> dict[str, t.Any] | None:
    """The median and quartiles of ``a[i] / b[i]`` over the rounds both ran."""
    if len(a) != len(b):
        return None
    ratios = [x / y for x, y in zip(a, b, strict=True) if x and y]
    if not ratios:
        return None
    if len(ratios) > 1:
        q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive")
    else:
        q1 = q3 = ratios[0]
    return {"median": statistics.median(ratios), "q1": q1, "q3": q3, "ratios": ratios}


def rate_row(
    rates: t.Sequence[float | None], flask_rates: t.Sequence[float | None] | None
) -> dict[str, t.Any]:
    """A cell's rates per round, their median, and the ratio to Flask 3.1's
    paired within rounds (``None`` without Flask's rates).
    """
    return {
        "rates": rates,
        "median": median([r for r in rates if r]),
        "to_flask": None if flask_rates is None else paired_ratio(rates, flask_rates),
    }


def above(a: t.Sequence[float | None], bare: t.Sequence[float | None]) -> float | None:
    """The median over rounds of the microseconds per request that a framework
    served at rates *a* spends beyond the bare WSGI callable served at *bare*.
    """
    if len(a) != len(bare):
        return None
    extra = [1e6 / x - 1e6 / y for x, y in zip(a, bare, strict=True) if x and y]
    return median(extra)
