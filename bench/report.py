"""Turn the results of a run into ``results.md`` and a one-line summary."""

from __future__ import annotations

import math
import typing as t

from stats import BARE
from stats import FLASK
from stats import OURS

Results = dict[str, t.Any]


def ratio(a: float | None, b: float | None) -> float | None:
    if not a or not b:
        return None
    return a / b


def _rps(value: float | None) -> str:
    return f"{value:,.0f}" if value else "–"


def _x(value: float | None) -> str:
    return f"{value:.2f}x" if value is not None else "–"


def _cell_value(cell: dict[str, t.Any] | None) -> str:
    if cell is None:
        return "–"
    if not cell.get("available", True):
        return "n/a"
    if cell.get("error"):
        return "ERR"
    return _rps(cell.get("median"))


def _to_flask(cell: dict[str, t.Any] | None, key: str = "to_flask") -> float | None:
    paired = (cell or {}).get(key)
    return paired["median"] if paired else None


def _quartiles(cell: dict[str, t.Any] | None) -> str:
    paired = (cell or {}).get("to_flask")
    return f"{paired['q1']:.2f}–{paired['q3']:.2f}" if paired else "–"


def geomean(values: list[float]) -> float | None:
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def ours_ratios(results: Results, method: str = "inprocess") -> dict[str, float | None]:
    """ours / Flask per workload: the median of the per-round ratios."""
    rows = results.get(method) or {}
    return {name: _to_flask(cells.get(OURS)) for name, cells in rows.items()}


def summary(results: Results) -> str:
    """The one-line summary: ours / Flask 3.1 everywhere it was measured."""
    targets = {w["name"]: w["target"] for w in results["workloads"]}
    measured = {k: v for k, v in ours_ratios(results).items() if v is not None}
    met = sum(1 for k, v in measured.items() if v >= targets[k])
    parts = [f"{k} {v:.2f}x" for k, v in measured.items()]
    line = f"ours / Flask {results['flask_version']}, in-process: " + ", ".join(parts)
    gm = geomean(list(measured.values()))
    if gm is not None:
        line += f" (geomean {gm:.2f}x, {met}/{len(measured)} targets met)"
    e2e = {k: v for k, v in ours_ratios(results, "e2e").items() if v is not None}
    if e2e:
        line += "; end-to-end: " + ", ".join(f"{k} {v:.2f}x" for k, v in e2e.items())
    imp = (results.get("import_time") or {}).get("importtime_ms_ratio")
    if imp:
        line += f"; import time {_x(imp['median'])}"
    mem = results.get("memory") or {}
    if OURS in mem and FLASK in mem:
        ours_kib = mem[OURS]["import_kib"] + mem[OURS]["app_kib"]
        flask_kib = mem[FLASK]["import_kib"] + mem[FLASK]["app_kib"]
        line += f"; memory {_x(ratio(ours_kib, flask_kib))}"
    return line + " (time and memory: lower is better)"


def _ref_cells(cells: dict[str, t.Any], refs: list[str]) -> list[str]:
    out = []
    for k in refs:
        cell = cells.get(k)
        rr = _to_flask(cell)
        out.append(f"{_cell_value(cell)} ({_x(rr)})" if rr else _cell_value(cell))
    return out


def _inprocess_table(results: Results) -> list[str]:
    fws = results["frameworks"]
    refs = [k for k in fws if k not in (OURS, FLASK)]
    head = ["workload", fws[OURS]["label"], fws[FLASK]["label"], "ours/Flask"]
    head += ["quartiles", "by CPU time", "target", *(fws[k]["label"] for k in refs)]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for w in results["workloads"]:
        cells = results["inprocess"][w["name"]]
        r = _to_flask(cells.get(OURS))
        mark = "" if r is None else (" ✓" if r >= w["target"] else " ✗")
        row = [w["name"], _cell_value(cells.get(OURS)), _cell_value(cells.get(FLASK))]
        row += [f"**{_x(r)}**" if r else "–", _quartiles(cells.get(OURS))]
        row += [
            _x(_to_flask(cells.get(OURS), "to_flask_cpu")),
            f"≥{w['target']:g}x{mark}",
        ]
        row += _ref_cells(cells, refs)
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _e2e_table(results: Results) -> list[str]:
    fws = results["frameworks"]
    refs = [k for k in fws if k not in (OURS, FLASK)]
    head = ["workload", fws[OURS]["label"], fws[FLASK]["label"], "ours/Flask"]
    head += ["quartiles", *(fws[k]["label"] for k in refs)]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for name, cells in results["e2e"].items():
        r = _to_flask(cells.get(OURS))
        row = [name, _cell_value(cells.get(OURS)), _cell_value(cells.get(FLASK))]
        row += [f"**{_x(r)}**" if r else "–", _quartiles(cells.get(OURS))]
        row += _ref_cells(cells, refs)
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _cpus(cpus: list[int]) -> str:
    return ",".join(map(str, cpus))


def _us(value: float | None) -> str:
    return f"{value:.0f} µs" if value is not None else "–"


def _e2e_cost_table(results: Results) -> list[str]:
    """Per workload, the time each framework adds to a request beyond the
    bare WSGI callable, and what a framework adding nothing would reach.
    """
    fws = results["frameworks"]
    keys = [k for k in fws if k != BARE]
    head = ["workload", *(fws[k]["label"] for k in keys), "Flask/ours"]
    head += ["bare WSGI/Flask"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for name, cells in results["e2e"].items():
        cost = {k: (cells.get(k) or {}).get("above_bare_us") for k in keys}
        row = [name, *(_us(cost[k]) for k in keys)]
        ours, flask = cost.get(OURS), cost.get(FLASK)
        row.append(_x(flask / ours) if ours and flask and ours > 0 else "–")
        row.append(_x(_to_flask(cells.get(BARE))))
        lines.append("| " + " | ".join(row) + " |")
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
    return lines


def markdown(results: Results) -> str:
    """The whole ``results.md``."""
    s = results["settings"]
    lines = [
        "# Benchmark results",
        "",
        f"Run on {results['date']} with `python bench/run.py"
        f"{' --quick' if results['mode'] == 'quick' else ''}`"
        f" ({results['mode']} mode).",
        "",
        f"**Summary:** {results['summary']}",
        "",
        *_machine(results),
        "",
        "## In-process: requests/s",
        "",
        "The WSGI callable called directly with prepared environs, each"
        f" framework in its own process: {s['repeats']} rounds of about"
        f" {s['seconds']:g} s per cell, ours and Flask 3.1 back to back in each"
        " round. Requests/s are medians over the rounds; a ratio to Flask"
        " (ours/Flask, and in parentheses for the others) is the median of the"
        " ratios taken within"
        " each round, with its quartiles beside it. *By CPU time* is the same"
        " ratio counted in the worker's CPU time instead of wall time, which"
        " other processes competing for the cores disturb less.",
        "",
        *_inprocess_table(results),
    ]
    titles = [f"`{w['name']}`: {w['title']}" for w in results["workloads"]]
    lines += ["", "Workloads: " + "; ".join(titles) + "."]
    if results.get("e2e"):
        lines += [
            "",
            "## End to end: requests/s under gunicorn",
            "",
            f"gunicorn with {s['e2e_workers']} sync worker(s) on 127.0.0.1, pinned"
            f" to CPU {_cpus(s['e2e_server_cpus'])}, loaded by"
            f" {s['e2e_generator_version']} (1 thread, {s['e2e_connections']}"
            f" connections) pinned to CPU {_cpus(s['e2e_client_cpus'])}: one"
            " server per framework and workload, checked and warmed up, then"
            f" {s['e2e_rounds']} rounds of {s['e2e_seconds']:g} s per cell, in the"
            " same order and with the same medians and ratios as above.",
            "",
            *_e2e_table(results),
        ]
        if any(BARE in cells for cells in results["e2e"].values()):
            lines += [
                "",
                "Time per request beyond the bare WSGI callable (the server's own"
                " work, which every framework pays, taken out): `1/rate -"
                " 1/rate(bare WSGI)`, median over the rounds. The last column is"
                " the ratio a framework that cost nothing would reach against"
                " Flask under this server.",
                "",
                *_e2e_cost_table(results),
            ]
        if s["e2e_generator"] != "wrk":
            lines += ["", "wrk was not installed: a Python load generator was used."]
    lines += _footprint(results)
    if results["notes"]:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in results["notes"]]
    if results["errors"]:
        lines += ["", "## Errors", ""] + [f"- {e}" for e in results["errors"]]
    return "\n".join(lines) + "\n"
