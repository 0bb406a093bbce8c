"""Turn the results of a run into ``results.md`` and a one-line summary."""

from __future__ import annotations

import math
import typing as t
from dataclasses import dataclass

from asgi_e2e import Goal
from asgi_e2e import goal_ratio
from stats import BARE
from stats import FLASK
from stats import OURS
from stats import paired_ratio

Results = dict[str, t.Any]

#: "No worse than Flask": the largest ratio to Flask that counts as met, for
#: import time (wall-clock runs of a few tens of ms: a 2% margin for noise)
#: and memory (tracemalloc: the same every run, so no margin beyond rounding
#: to the 2 decimals shown).
NO_WORSE = {"import time": 1.02, "memory": 1.005}


def ratio(a: float | None, b: float | None) -> float | None:
    if not a or not b:
        return None
    return a / b


def _rps(value: float | None) -> str:
    return f"{value:,.0f}" if value else "–"


def _x(value: float | None) -> str:
    return f"{value:.2f}x" if value is not None else "–"


def _mark(met: bool) -> str:
    return "✓" if met else "✗"


def _cell_value(cell: dict[str, t.Any] | None) -> str:
    if cell is None:
        return "–"
    if not cell.get("available", True):
        return "n/a"
    if cell.get("error") or cell.get("errors"):
        return "ERR"
    return _rps(cell.get("median"))


def _median(paired: dict[str, t.Any] | None) -> float | None:
    """The median of a :func:`stats.paired_ratio`, if it was measured."""
    return paired["median"] if paired else None


def _to_flask(cell: dict[str, t.Any] | None, key: str = "to_flask") -> float | None:
    return _median((cell or {}).get(key))


def _quartiles(cell: dict[str, t.Any] | None) -> str:
    paired = (cell or {}).get("to_flask")
    return f"{paired['q1']:.2f}–{paired['q3']:.2f}" if paired else "–"


def geomean(values: list[float]) -> float | None:
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def ours_ratios(rows: dict[str, t.Any] | None) -> dict[str, float | None]:
    """ours / Flask per workload in *rows* (the in-process rows, or one
    server's end-to-end rows): the median of the per-round ratios."""
    return {name: _to_flask(cells.get(OURS)) for name, cells in (rows or {}).items()}


def _server_label(results: Results, server: str) -> str:
    servers = results["settings"].get("e2e_servers") or {}
    return str(servers.get(server, {}).get("label", server))


def _has_targets(results: Results, server: str) -> bool:
    """Whether *server*'s end-to-end ratios count against targets: only for
    the servers that carry targets, and only when loaded by wrk (the Python
    client stands in for a check that the harness runs, its numbers measure
    mostly itself)."""
    servers = results["settings"].get("e2e_servers") or {}
    with_wrk = results["settings"].get("e2e_generator") == "wrk"
    return with_wrk and bool(servers.get(server, {}).get("has_targets"))


def _memory_ratio(results: Results) -> float | None:
    mem = results.get("memory") or {}
    if OURS not in mem or FLASK not in mem:
        return None
    ours_kib = mem[OURS]["import_kib"] + mem[OURS]["app_kib"]
    flask_kib = mem[FLASK]["import_kib"] + mem[FLASK]["app_kib"]
    return ratio(ours_kib, flask_kib)


def _import_ratio(results: Results) -> float | None:
    return _to_flask(results.get("import_time"), "importtime_ms_ratio")


def _ahead(results: Results, w: dict[str, t.Any]) -> dict[str, float]:
    """ours / reference, in process, for each reference *w* must be slower
    than ours and that ran it in this run."""
    cells = (results.get("inprocess") or {}).get(w["name"], {})
    to_refs = (cells.get(OURS) or {}).get("to_refs") or {}
    measured = {ref: _median(to_refs.get(ref)) for ref in w.get("ahead_of", ())}
    return {ref: r for ref, r in measured.items() if r is not None}


@dataclass(frozen=True)
class Target:
    """One target of the issue, as measured in this run."""

    #: Which line of the summary counts it: ``inprocess``, ``ahead:<ref>``,
    #: ``e2e:<server>``, ``footprint`` or ``asgi:<server>``.
    group: str
    #: What is compared, for the list of targets not met.
    what: str
    #: The measured ratio: ours / Flask, or ours / a reference (``ahead``),
    #: or the ratio an ASGI goal names (Starlette / ours).
    value: float
    #: The bound, e.g. ``≥5x``.
    bound: str
    met: bool


def targets(results: Results) -> list[Target]:
    """Every target measured in this run, in the order of the summary."""
    out: list[Target] = []
    fws = results["frameworks"]
    workloads = results["workloads"]
    inprocess = ours_ratios(results.get("inprocess"))
    for w in workloads:
        if (r := inprocess.get(w["name"])) is not None:
            bound = w["target"]
            what = f"in process {w['name']}"
            out.append(Target("inprocess", what, r, f"≥{bound:g}x", r >= bound))
    refs = dict.fromkeys(ref for w in workloads for ref in w.get("ahead_of", ()))
    for ref in refs:
        for w in workloads:
            if (r := _ahead(results, w).get(ref)) is not None:
                what = f"{w['name']} ahead of {fws[ref]['label']}"
                out.append(Target(f"ahead:{ref}", what, r, ">1x", r > 1))
    for server, rows in (results.get("e2e") or {}).items():
        if not _has_targets(results, server):
            continue
        measured = ours_ratios(rows)
        for w in workloads:
            r, bound = measured.get(w["name"]), w.get("e2e_target")
            if r is not None and bound is not None:
                what = f"{w['name']} under {_server_label(results, server)}"
                ok = r >= bound
                out.append(Target(f"e2e:{server}", what, r, f"≥{bound:g}x", ok))
    for what, r in (
        ("import time", _import_ratio(results)),
        ("memory", _memory_ratio(results)),
    ):
        if r is not None:
            bound = NO_WORSE[what]
            out.append(Target("footprint", what, r, f"≤{bound:.2f}x", r <= bound))
    return out + asgi_targets(results)


def _goals(asgi: Results) -> list[Goal]:
    """The goals whose two frameworks both ran their workload and server."""
    goals = [Goal(**goal) for goal in asgi["goals"]]
    rows = asgi["rows"]
    return [
        g
        for g in goals
        if {g.numerator, g.denominator}
        <= ((rows.get(g.server) or {}).get(g.workload) or {}).keys()
    ]


def _goal_what(asgi: Results, goal: Goal) -> str:
    fws, servers = asgi["frameworks"], asgi["servers"]
    return (
        f"{goal.workload} under {servers[goal.server]['label']}:"
        f" {fws[goal.numerator]['label']} / {fws[goal.denominator]['label']}"
    )


def _goal_value(asgi: Results, goal: Goal) -> float | None:
    return _median(goal_ratio(asgi["rows"], goal))


def asgi_targets(results: Results) -> list[Target]:
    """Issue 17's targets measured in this run's ASGI part (with wrk only)."""
    asgi = results.get("asgi")
    if not asgi or results["settings"].get("e2e_generator") != "wrk":
        return []
    out = []
    for goal in _goals(asgi):
        if not asgi["servers"].get(goal.server, {}).get("has_targets"):
            continue
        if (r := _goal_value(asgi, goal)) is not None:
            what = _goal_what(asgi, goal)
            group = f"asgi:{goal.server}"
            out.append(Target(group, what, r, goal.text, goal.met(r)))
    return out


def _met(found: list[Target], group: str | None = None) -> str:
    mine = [x for x in found if group is None or x.group == group]
    return f"{sum(1 for x in mine if x.met)}/{len(mine)}"


def summary(results: Results) -> str:
    """The one-line summary: ours / Flask 3.1 everywhere it was measured, and
    how many of the targets were met."""
    found = targets(results)
    groups = {x.group for x in found}
    fws = results["frameworks"]
    parts: list[str] = []
    measured = {
        k: v for k, v in ours_ratios(results.get("inprocess")).items() if v is not None
    }
    if measured:
        line = "in process: " + ", ".join(f"{k} {v:.2f}x" for k, v in measured.items())
        gm = _x(geomean(list(measured.values())))
        parts.append(f"{line} (geomean {gm}, {_met(found, 'inprocess')} targets met)")
    aheads = [
        f"{fws[g[6:]]['label']} on {_met(found, g)}"
        for g in dict.fromkeys(x.group for x in found)
        if g.startswith("ahead:")
    ]
    if aheads:
        parts.append("ahead of " + ", ".join(aheads))
    first = True
    for server, rows in (results.get("e2e") or {}).items():
        e2e = {k: v for k, v in ours_ratios(rows).items() if v is not None}
        if not e2e:
            continue
        line = "end to end under " if first else "under "
        if first and results["settings"].get("e2e_generator") != "wrk":
            line = "end to end (without wrk: not comparable) under "
        line += f"{_server_label(results, server)}: "
        line += ", ".join(f"{k} {v:.2f}x" for k, v in e2e.items())
        if f"e2e:{server}" in groups:
            line += f" ({_met(found, f'e2e:{server}')} targets met)"
        parts.append(line)
        first = False
    footprint = [f"{x.what} {_x(x.value)}" for x in found if x.group == "footprint"]
    if footprint:
        parts.append(", ".join(footprint) + " (lower is better)")
    parts += _asgi_summary(results, found)
    line = f"ours / Flask {results['flask_version']}, " + "; ".join(parts)
    return line + (f"; targets met: {_met(found)}" if found else "")


def _short(fws: Results, key: str) -> str:
    """A framework's label without what follows it in parentheses."""
    label: str = fws.get(key, {}).get("label", key)
    return label.split(" (")[0]


def _asgi_summary(results: Results, found: list[Target]) -> list[str]:
    """The ASGI part of the summary: ours / Flask 3.1 (through WsgiToAsgi)
    per server and workload, with the other ratios the goals name."""
    asgi = results.get("asgi")
    if not asgi:
        return []
    parts = []
    fws = asgi["frameworks"]
    for server, rows in asgi["rows"].items():
        items = []
        for name, cells in rows.items():
            r = _to_flask(cells.get(OURS))
            item = f"{name} {_x(r)}"
            others = []
            for goal in _goals(asgi):
                pair = (goal.numerator, goal.denominator)
                if (goal.server, goal.workload) != (server, name) or FLASK in pair:
                    continue
                num, den = (_short(fws, key) for key in pair)
                others.append(f"{num}/{den} {_x(_goal_value(asgi, goal))}")
            if others:
                item += f" ({', '.join(others)})"
            items.append(item)
        line = f"ASGI under {asgi['servers'][server]['label']}: " + ", ".join(items)
        if any(x.group == f"asgi:{server}" for x in found):
            line += f" ({_met(found, f'asgi:{server}')} targets met)"
        parts.append(line)
    return parts


def _targets(results: Results) -> list[str]:
    """The paragraph under the summary: the targets and those not met."""
    found = targets(results)
    if not found:
        return []
    text = f"**Targets:** {_met(found)} met."
    if any(not x.group.startswith("asgi:") for x in found):
        text += (
            f" In process (ratios to Flask {results['flask_version']} in this"
            " run): the *target* column; ahead of raw Werkzeug on every"
            " workload, and of Bottle on template, not_found, routes300 and"
            " blueprint (ours / reference, paired within rounds, above 1x). End"
            " to end under granian: hello and json_params at least 2.5x,"
            " session and template reported; under gunicorn: reported, no"
            " target. Import time and memory no worse than Flask: import time"
            f" at most {NO_WORSE['import time']:g}x (its noise), memory at most"
            " 1.00x as shown (tracemalloc's figures do not vary between runs)."
        )
    if any(x.group.startswith("asgi:") for x in found):
        text += (
            " ASGI (issue 17), under uvicorn: the slow async view at least 20x"
            f" Flask {results['flask_version']} through WsgiToAsgi and within"
            " 1.5x of Starlette (Starlette / ours at most 1.5x); hello and"
            " json_params as sync views at least 2x Flask through WsgiToAsgi"
            " and ahead of Quart; under granian's ASGI interface: reported."
        )
    missed = [f"{x.what} {_x(x.value)} (target {x.bound})" for x in found if not x.met]
    if missed:
        text += " Not met: " + "; ".join(missed) + "."
    return [text, ""]


def _ref_cells(cells: dict[str, t.Any], refs: list[str]) -> list[str]:
    out = []
    for k in refs:
        cell = cells.get(k)
        rr = _to_flask(cell)
        out.append(f"{_cell_value(cell)} ({_x(rr)})" if rr else _cell_value(cell))
    return out


def _table(head: list[str]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]


def _inprocess_table(results: Results) -> list[str]:
    fws = results["frameworks"]
    refs = [k for k in fws if k not in (OURS, FLASK)]
    head = ["workload", fws[OURS]["label"], fws[FLASK]["label"], "ours/Flask"]
    head += ["quartiles", "by CPU time", "target", "ahead of"]
    lines = _table(head + [fws[k]["label"] for k in refs])
    for w in results["workloads"]:
        cells = results["inprocess"][w["name"]]
        r = _to_flask(cells.get(OURS))
        mark = "" if r is None else f" {_mark(r >= w['target'])}"
        row = [w["name"], _cell_value(cells.get(OURS)), _cell_value(cells.get(FLASK))]
        row += [f"**{_x(r)}**" if r else "–", _quartiles(cells.get(OURS))]
        row += [
            _x(_to_flask(cells.get(OURS), "to_flask_cpu")),
            f"≥{w['target']:g}x{mark}",
        ]
        ahead = _ahead(results, w)
        row.append(
            ", ".join(
                f"{fws[ref]['label']} {_x(v)} {_mark(v > 1)}"
                for ref, v in ahead.items()
            )
            or "–"
        )
        row += _ref_cells(cells, refs)
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _e2e_table(results: Results, server: str) -> list[str]:
    fws = results["frameworks"]
    refs = [k for k in fws if k not in (OURS, FLASK)]
    with_targets = _has_targets(results, server)
    head = ["workload", fws[OURS]["label"], fws[FLASK]["label"], "ours/Flask"]
    head += ["quartiles", *(["target"] if with_targets else [])]
    lines = _table(head + [fws[k]["label"] for k in refs])
    bounds = {w["name"]: w.get("e2e_target") for w in results["workloads"]}
    for name, cells in results["e2e"][server].items():
        r = _to_flask(cells.get(OURS))
        row = [name, _cell_value(cells.get(OURS)), _cell_value(cells.get(FLASK))]
        row += [f"**{_x(r)}**" if r else "–", _quartiles(cells.get(OURS))]
        if with_targets:
            bound = bounds.get(name)
            if bound is None:
                row.append("reported")
            else:
                mark = "" if r is None else f" {_mark(r >= bound)}"
                row.append(f"≥{bound:g}x{mark}")
        row += _ref_cells(cells, refs)
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _cpus(cpus: list[int]) -> str:
    return ",".join(map(str, cpus))


def _us(value: float | None) -> str:
    return f"{value:.0f} µs" if value is not None else "–"


def _e2e_cost_table(results: Results, server: str) -> list[str]:
    """Per workload under *server*, the time each framework adds to a request
    beyond the bare WSGI callable, and what a framework adding nothing would
    reach.
    """
    fws = results["frameworks"]
    keys = [k for k in fws if k != BARE]
    head = ["workload", *(fws[k]["label"] for k in keys), "Flask/ours"]
    lines = _table(head + ["bare WSGI/Flask"])
    for name, cells in results["e2e"][server].items():
        cost = {k: (cells.get(k) or {}).get("above_bare_us") for k in keys}
        row = [name, *(_us(cost[k]) for k in keys)]
        ours, flask = cost.get(OURS), cost.get(FLASK)
        row.append(_x(flask / ours) if ours and flask and ours > 0 else "–")
        row.append(_x(_to_flask(cells.get(BARE))))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _e2e(results: Results) -> list[str]:
    """A section per server: requests/s, then the cost beyond bare WSGI."""
    s = results["settings"]
    lines: list[str] = []
    if s["e2e_generator"] == "wrk":
        client = (
            f"1 thread, {s['e2e_connections']} connections, pinned to CPU"
            f" {_cpus(s['e2e_client_cpus'])}"
        )
    else:
        client = f"{s['e2e_connections']} threads, not pinned"
    for server, rows in (results.get("e2e") or {}).items():
        info = s["e2e_servers"][server]
        cookie = any(
            w.get("prime_cookies") and w["name"] in rows for w in results["workloads"]
        )
        lines += [
            "",
            f"## End to end under {info['label']}: requests/s",
            "",
            f"{info['setup']} on 127.0.0.1, pinned to CPU"
            f" {_cpus(s['e2e_server_cpus'])}, loaded by"
            f" {s['e2e_generator_version']} ({client}): one"
            " server per framework and workload, checked and warmed up, then"
            f" {s['e2e_rounds']} rounds of {s['e2e_seconds']:g} s per cell, then"
            " checked again; same order, medians and ratios as above."
            + (
                " A session's cookie is set by a first request to each server"
                " and sent with every request of the load."
                if cookie
                else ""
            )
            + (
                ""
                if info["has_targets"]
                else " No target here: the server's own work per request dominates."
            ),
            "",
            *_e2e_table(results, server),
        ]
        if any(BARE in cells for cells in rows.values()):
            lines += [
                "",
                f"Time per request beyond the bare WSGI callable under"
                f" {info['label']} (the server's own work, which every framework"
                " pays, taken out): `1/rate - 1/rate(bare WSGI)`, median over the"
                " rounds. The last column is the ratio a framework that cost"
                " nothing would reach against Flask under this server. A"
                " negative time is a framework faster than the bare callable on"
                " that workload: on the template, the bare callable renders"
                " with a stock Jinja environment.",
                "",
                *_e2e_cost_table(results, server),
            ]
    if lines and s["e2e_generator"] != "wrk":
        lines += [
            "",
            "wrk was not used: a Python load generator was, whose own work"
            " dominates; these end-to-end figures are not comparable with wrk's"
            " and count against no target.",
        ]
    return lines


def _footprint(results: Results) -> list[str]:
    lines: list[str] = []
    fws = results["frameworks"]
    imp = results.get("import_time")
    if imp:
        lines += ["", "## Import time of `flask`", ""]
        lines += ["| | -X importtime, cumulative | `python -c 'import flask'` |"]
        lines += ["|---|---:|---:|"]
        for key, m in imp["frameworks"].items():
            cells = [
                f"{m[k]:.1f} ms" if m[k] else "–" for k in ("importtime_ms", "wall_ms")
            ]
            lines.append(f"| {fws[key]['label']} | {' | '.join(cells)} |")
        ratios = [
            _x(_to_flask(imp, f"{k}_ratio")) for k in ("importtime_ms", "wall_ms")
        ]
        lines.append(f"| ours/Flask | {' | '.join(ratios)} |")
        lines += [
            "",
            f"Medians of {len(imp['samples'][OURS]['wall_ms'])} runs each, ours and"
            " Flask back to back; the ratio is the median of the per-run ratios"
            " (lower is better). Python's own start-up takes"
            f" {imp['python_startup_ms']:.1f} ms of the wall time.",
        ]
    mem = results.get("memory")
    if mem:
        lines += ["", "## Memory: an app with 300 routes after one request", ""]
        lines += ["| | import (tracemalloc) | app + request (tracemalloc) | RSS |"]
        lines += ["|---|---:|---:|---:|"]
        for key, m in mem.items():
            lines.append(
                f"| {fws[key]['label']} | {m['import_kib']:,.0f} KiB"
                f" | {m['app_kib']:,.0f} KiB | {m['rss_mib']:.1f} MiB |"
            )
    return lines


def _asgi_table(asgi: Results, server: str) -> list[str]:
    fws = asgi["frameworks"]
    refs = [k for k in fws if k not in (OURS, FLASK)]
    conns = {w["name"]: w["connections"] for w in asgi["workloads"]}
    head = ["workload", "connections", *(fws[k]["label"] for k in fws)]
    head += ["ours/Flask", "quartiles", *(f"ours/{_short(fws, k)}" for k in refs)]
    lines = _table(head)
    for name, cells in asgi["rows"][server].items():
        ours = cells.get(OURS)
        row = [name, str(conns.get(name, "–"))]
        row += [_cell_value(cells.get(k)) for k in fws]
        r = _to_flask(ours)
        row += [f"**{_x(r)}**" if r else "–", _quartiles(ours)]
        for k in refs:
            ref = cells.get(k)
            paired = paired_ratio(ours["rates"], ref["rates"]) if ours and ref else None
            row.append(_x(_median(paired)))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _asgi_goals(asgi: Results) -> list[str]:
    lines = _table(["target", "measured", "quartiles", "bound", "met"])
    for goal in _goals(asgi):
        paired = goal_ratio(asgi["rows"], goal)
        r = _median(paired)
        quartiles = f"{paired['q1']:.2f}–{paired['q3']:.2f}" if paired else "–"
        met = "–" if r is None else _mark(goal.met(r))
        row = [_goal_what(asgi, goal), _x(r), quartiles, goal.text, met]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _asgi_notes(asgi: Results) -> list[str]:
    """What the load did to the servers: wrong answers, restarts, and the
    exceptions in their logs."""
    fws = asgi["frameworks"]
    notes = []
    for server, rows in asgi["rows"].items():
        where = f"under {asgi['servers'][server]['label']}"
        for name, cells in rows.items():
            ours = cells.get(OURS)
            for key, cell in cells.items():
                who = f"{fws[key]['label']} on {name} {where}"
                if cell.get("wrong"):
                    share = cell["wrong"] / max(cell["answers"], 1)
                    text = (
                        f"{who}: {cell['wrong']:,} of its {cell['answers']:,}"
                        f" answers during the load ({share:.0%}) had another"
                        " status than the workload's, and are left out of its"
                        " rate"
                    )
                    if key == FLASK and ours:
                        paired = paired_ratio(ours["rates"], cell["answer_rates"])
                        text += (
                            "; counting them as served, ours/Flask would be"
                            f" {_x(_median(paired))}"
                        )
                    notes.append(text + ".")
                if cell.get("restarts"):
                    notes.append(
                        f"{who}: restarted {cell['restarts']} times, its queue"
                        f" not drained {asgi['settle_seconds']:g} s after a"
                        " load had ended."
                    )
                if cell.get("logged"):
                    logged = "; ".join(
                        f"`{line}` ×{n:,}" for line, n in cell["logged"].items()
                    )
                    notes.append(f"{who}: exceptions in the server's log: {logged}.")
    return notes


def _asgi(results: Results) -> list[str]:
    asgi = results.get("asgi")
    if not asgi:
        return []
    s = results["settings"]
    fws = asgi["frameworks"]
    if s["e2e_generator"] == "wrk":
        client = f"{s['e2e_generator_version']} (1 thread, pinned to CPU"
        client += f" {_cpus(s['e2e_client_cpus'])})"
    else:
        client = "a Python load generator (wrk not used: not comparable, no target)"
    titles = "; ".join(f"`{w['name']}`: {w['title']}" for w in asgi["workloads"])
    lines = [
        "",
        "## ASGI: requests/s",
        "",
        "Each framework's ASGI application under each server, one worker"
        " process, on 127.0.0.1 pinned to CPU"
        f" {_cpus(s['e2e_server_cpus'])}, loaded by {client}. Ours is"
        f" `app.asgi` (`{fws[OURS]['entry']}` on the command line)"
        + (
            f"; {fws[FLASK]['label'].split(' (')[0]} is served through"
            " `asgiref.wsgi.WsgiToAsgi(app)`, as its users do (its async view"
            " runs through asgiref, as under WSGI)"
            if FLASK in fws
            else ""
        )
        + "; Starlette's endpoints and Quart's views are `async def`, ours and"
        " Flask's sync except the slow one. The slow workload keeps its"
        " connections busy, and wrk waits for every answer as long as a round"
        " lasts; after each of its loads, a server that has not answered the"
        " requests left queued within"
        f" {asgi['settle_seconds']:g} s is restarted, so that every round"
        " starts on an empty queue. Same rounds"
        f" ({s['e2e_rounds']} of {s['e2e_seconds']:g} s per cell after a"
        " check and a warm-up, checked again after), medians and paired"
        " ratios as above. A reference's rate counts its right answers only;"
        " ours must answer every request right.",
        "",
        f"Workloads: {titles}.",
    ]
    for server in asgi["rows"]:
        info = asgi["servers"][server]
        lines += [
            "",
            f"### Under {info['label']}",
            "",
            info["setup"] + ("" if info["has_targets"] else ": reported, no target."),
            "",
            *_asgi_table(asgi, server),
        ]
    if _goals(asgi):
        lines += ["", "### Targets (issue 17)", "", *_asgi_goals(asgi)]
    if notes := _asgi_notes(asgi):
        lines += ["", "### What the load did", ""] + [f"- {n}" for n in notes]
    return lines


def _machine(results: Results) -> list[str]:
    m = results["machine"]
    lines = [
        "## Machine and versions",
        "",
        f"- {m['cpu']}, {m['cores']} cores, {m['memory_gib']:.0f} GiB;"
        f" {m['platform']}; load average {m['loadavg']} at the start,"
        f" {results['loadavg_end']} at the end",
        f"- Python {m['python']}; ours at commit {results['project']['commit']}",
    ]
    busiest = max(
        float(m["loadavg"].split()[0]), float(results["loadavg_end"].split()[0])
    )
    if m["cores"] and busiest > m["cores"] * 0.75:
        lines.append(
            f"- The machine was busy (1-minute load up to {busiest:.1f} on {m['cores']}"
            " cores): other processes competed with the benchmark, so wall-time"
            " figures are noisy: read the ratios with their quartiles."
        )
    for fw in results["frameworks"].values():
        info = fw.get("info", {})
        installed = info.get("versions", {})
        versions = ", ".join(
            f"{d} {installed[d]}" for d in fw["dists"] if d in installed
        )
        extra = ""
        if "falcon_compiled" in info:
            extra = (
                " (Cython-compiled)" if info["falcon_compiled"] else " (pure Python)"
            )
        lines.append(f"- {fw['label']}{extra}: {versions}")
    for fw in (results.get("asgi") or {}).get("frameworks", {}).values():
        installed = fw["info"].get("versions", {})
        versions = ", ".join(
            f"{d} {installed[d]}" for d in fw["dists"] if d in installed
        )
        lines.append(f"- ASGI, {fw['label']}: {versions}")
    return lines


def _inprocess(results: Results) -> list[str]:
    if "inprocess" not in results:
        return []
    s = results["settings"]
    titles = [f"`{w['name']}`: {w['title']}" for w in results["workloads"]]
    return [
        "",
        "## In-process: requests/s",
        "",
        "The WSGI callable called directly with prepared environs, each"
        f" framework in its own process: {s['repeats']} rounds of about"
        f" {s['seconds']:g} s per cell, ours and Flask 3.1 back to back in each"
        " round. Requests/s are medians over the rounds; a ratio to Flask"
        " (ours/Flask, and in parentheses for the others) is the median of the"
        " ratios taken within each round, with its quartiles beside it. *By CPU"
        " time* is the same ratio counted in the worker's CPU time instead of"
        " wall time, which other processes competing for the cores disturb less."
        " *Ahead of* is ours / that reference, paired the same way.",
        "",
        *_inprocess_table(results),
        "",
        "Workloads: " + "; ".join(titles) + ".",
    ]


def markdown(results: Results) -> str:
    """The whole ``results.md``."""
    lines = [
        "# Benchmark results",
        "",
        f"Run on {results['date']} with `{results['command']}`"
        f" ({results['mode']} mode).",
        "",
        f"**Summary:** {results['summary']}",
        "",
        *_targets(results),
        *_machine(results),
        *_inprocess(results),
        *_e2e(results),
        *_footprint(results),
        *_asgi(results),
    ]
    if results["notes"]:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in results["notes"]]
    if results["errors"]:
        lines += ["", "## Errors", ""] + [f"- {e}" for e in results["errors"]]
    return "\n".join(lines) + "\n"
