"""The ASGI part: this project's ``app.asgi`` under ASGI servers (issue 17).

Each framework's application is served by one worker process of an ASGI
server on 127.0.0.1 and loaded by ``wrk``, with the machinery of ``e2e.py``
(a server per framework and workload, checked and warmed up, rounds in a
rotating order, checked again after the last round):

- uvicorn (with uvloop and httptools), the usual ASGI deployment: the slow
  ``async def`` view (``workloads.SLOW_ASYNC``: ``asyncio.sleep(0.1)``, 500
  connections), and hello world and the JSON workload as sync views;
- granian's ASGI interface: hello world and the JSON workload, reported
  beside.

The frameworks (``venvs.ASGI_FRAMEWORKS``): ours through ``app.asgi``;
Flask 3.1 through asgiref's ``WsgiToAsgi``, which is how its users put it
behind an ASGI server; Starlette; Quart (whose views are ``async def``).
:data:`GOALS` are issue 17's targets.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

import e2e
from e2e import HOST
from e2e import ServerKind
from stats import FLASK
from stats import OURS
from stats import paired_ratio
from stats import rate_row
from venvs import BENCH
from venvs import Framework
from venvs import python
from workloads import Workload

#: One worker process per server, whatever the number of CPUs.
WORKERS = 1


def _entry(fw: Framework) -> str:
    return f"serve_asgi:{fw.asgi_entry}"


def _uvicorn(fw: Framework, port: int) -> list[str]:
    cmd = [str(python(fw.venv)), "-m", "uvicorn", "--workers", str(WORKERS)]
    cmd += ["--loop", "uvloop", "--http", "httptools"]
    cmd += ["--host", HOST, "--port", str(port), "--app-dir", str(BENCH)]
    return cmd + ["--log-level", "warning", "--no-access-log", _entry(fw)]


def _granian(fw: Framework, port: int) -> list[str]:
    cmd = [str(python(fw.venv)), "-m", "granian", "--interface", "asgi"]
    cmd += ["--workers", str(WORKERS), "--runtime-threads", "1", "--loop", "uvloop"]
    cmd += ["--host", HOST, "--port", str(port), "--working-dir", str(BENCH)]
    return cmd + ["--log-level", "warning", _entry(fw)]


SERVERS: tuple[ServerKind, ...] = (
    ServerKind(
        "uvicorn",
        "uvicorn",
        f"uvicorn (`--loop uvloop --http httptools`, {WORKERS} worker, no"
        " access log, HTTP/1.1 keep-alive)",
        True,
        _uvicorn,
    ),
    ServerKind(
        "granian",
        "granian",
        f"granian (`--interface asgi --loop uvloop`, {WORKERS} worker, 1 runtime"
        " thread, HTTP/1.1 keep-alive)",
        False,
        _granian,
    ),
)
BY_SERVER = {s.key: s for s in SERVERS}
#: The workloads each server is measured on.
SERVER_WORKLOADS: dict[str, tuple[str, ...]] = {
    "uvicorn": ("slow_async", "hello", "json_params"),
    "granian": ("hello", "json_params"),
}


@dataclass(frozen=True)
class Goal:
    """One target of issue 17: a ratio of two frameworks' rates on a
    workload under a server, paired within rounds, against a bound."""

    server: str
    workload: str
    #: The ratio is ``numerator / denominator`` (framework keys).
    numerator: str
    denominator: str
    #: ``">="``, ``">"`` or ``"<="``.
    op: str
    bound: float

    def met(self, value: float) -> bool:
        if self.op == ">=":
            return value >= self.bound
        if self.op == ">":
            return value > self.bound
        return value <= self.bound

    @property
    def text(self) -> str:
        """The bound as the report shows it, e.g. ``≥20x``."""
        sign = {">=": "≥", ">": ">", "<=": "≤"}[self.op]
        return f"{sign}{self.bound:g}x"


GOALS: tuple[Goal, ...] = (
    Goal("uvicorn", "slow_async", OURS, FLASK, ">=", 20.0),
    Goal("uvicorn", "slow_async", "starlette", OURS, "<=", 1.5),
    Goal("uvicorn", "hello", OURS, FLASK, ">=", 2.0),
    Goal("uvicorn", "json_params", OURS, FLASK, ">=", 2.0),
    Goal("uvicorn", "hello", OURS, "quart", ">", 1.0),
    Goal("uvicorn", "json_params", OURS, "quart", ">", 1.0),
)


def measure(
    frameworks: t.Sequence[Framework],
    workloads: t.Sequence[Workload],
    servers: t.Sequence[str],
    seconds: float,
    rounds: int,
    generator: str,
    log: t.Callable[[str], None],
) -> tuple[dict[str, t.Any], list[str]]:
    """Each server in turn on its workloads among *workloads*.

    :return: ``rows[server][workload][framework]`` (the rates of right
        answers per round, their median, the ratio to Flask 3.1 paired
        within rounds, the errors, the answers and wrong answers of a
        reference, the restarts of a slow workload's server), and the
        errors as lines for the report.
    """
    out: dict[str, t.Any] = {}
    errors: list[str] = []
    for server in servers:
        kind = BY_SERVER[server]
        mine = [w for w in workloads if w.name in SERVER_WORKLOADS[server]]
        if not mine:
            continue
        log(f"ASGI under {kind.label}")
        # A reference's wrong answers under load are its own behaviour
        # (Flask 3.1 through WsgiToAsgi answers part of the concurrent
        # async requests with a 500): counted and reported, not a failure.
        lenient = [fw.key for fw in frameworks if fw.key != OURS]
        cells = e2e.measure(
            kind, frameworks, mine, seconds, rounds, generator, log, lenient
        )
        rows: dict[str, t.Any] = {}
        for name, row in cells.items():
            flask = row.get(FLASK)
            rows[name] = {}
            for key, cell in row.items():
                reference = flask.rates if flask and key != FLASK else None
                rows[name][key] = {
                    **rate_row(cell.rates, reference),
                    "errors": cell.errors,
                    "answers": cell.answers,
                    "wrong": cell.wrong,
                    "answer_rates": cell.answer_rates,
                    "restarts": cell.restarts,
                    "logged": dict(cell.logged.most_common()),
                }
                errors += [f"ASGI {server} {name} on {key}: {e}" for e in cell.errors]
        out[server] = rows
    return out, errors


def goal_ratio(rows: dict[str, t.Any], goal: Goal) -> dict[str, t.Any] | None:
    """The paired ratio *goal* is about in *rows* (``rows[server][workload]
    [framework]``, as :func:`measure` returns them), if both sides ran."""
    cells = (rows.get(goal.server) or {}).get(goal.workload) or {}
    a, b = cells.get(goal.numerator), cells.get(goal.denominator)
    if not a or not b:
        return None
    return paired_ratio(a["rates"], b["rates"])
