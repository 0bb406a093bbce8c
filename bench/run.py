"""Benchmark this project against Flask 3.1 and Werkzeug, Bottle and Falcon.

Full run (about 15 minutes on two cores; writes ``bench/results.md``): in
process, end to end under granian and gunicorn, import time and memory::

    python bench/run.py

Smoke run (seconds once the virtualenvs exist; ours and Flask 3.1 only, in
process, no server; prints the table and writes files only when asked)::

    python bench/run.py --quick [--output FILE] [--json FILE]

End to end under the WSGI servers only, e.g. while working on the request
path (prints the report, writes files only when asked)::

    python bench/run.py --e2e-only --servers granian --workloads hello

The ASGI part only (issue 17: ``app.asgi`` against Flask 3.1 through
asgiref's ``WsgiToAsgi``, Starlette and Quart, under uvicorn and granian's
ASGI interface; a few minutes; prints the report)::

    python bench/run.py --asgi-only [--asgi-servers uvicorn] [--workloads slow_async]

Exit status: 0 when every response was the expected one, 2 when a workload
answered wrongly in some framework (its cell reads ERR), 3 when this project's
or Flask 3.1's virtualenv cannot be created (e.g. PyPI is out of reach).
"""

from __future__ import annotations

import argparse
import collections.abc as cabc
import dataclasses
import datetime
import json
import os
import platform
import subprocess
import sys
import typing as t
from pathlib import Path

import asgi_e2e
import e2e
import footprint
import report
import venvs
from stats import above
from stats import BARE
from stats import FLASK
from stats import median
from stats import OURS
from stats import paired_ratio
from stats import rate_row
from stats import round_order
from venvs import ASGI_BY_KEY
from venvs import ASGI_FRAMEWORKS
from venvs import BENCH
from venvs import FLASK_REFERENCE
from venvs import Framework
from venvs import FRAMEWORKS
from venvs import ROOT
from venvs import VenvError
from workloads import ASGI_BY_NAME
from workloads import ASGI_WORKLOADS
from workloads import BY_NAME
from workloads import Workload
from workloads import WORKLOADS

EXIT_WRONG_RESPONSE = 2
EXIT_NO_REFERENCE = 3


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


class Worker:
    """A ``worker.py serve`` process for one framework."""

    def __init__(self, fw: Framework) -> None:
        self.fw = fw
        cmd = [str(venvs.python(fw.venv)), str(BENCH / "worker.py"), "serve"]
        cmd += ["--app-module", fw.app_module]
        self.proc = subprocess.Popen(
            cmd,
            cwd=BENCH,
            env=venvs.clean_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def call(self, **msg: t.Any) -> dict[str, t.Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.fw.key} worker exited ({self.proc.wait()})")
        reply: dict[str, t.Any] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"the {self.fw.key} worker failed:\n{reply['error']}")
        return reply

    def close(self) -> None:
        try:
            self.call(op="quit")
        except (RuntimeError, OSError, ValueError):
            pass
        self.proc.wait(timeout=30)


def check_origin(fw: Framework, info: dict[str, t.Any]) -> str | None:
    """Make sure ``ours`` runs this tree and ``flask31`` runs Flask from PyPI."""
    flask_file = info.get("flask_file")
    if flask_file is None:
        return None
    inside = Path(flask_file).resolve().is_relative_to(ROOT / "src")
    if fw.key == "ours" and not inside:
        return f"ours imported flask from {flask_file}, not from {ROOT / 'src'}"
    if fw.key == "flask31":
        version = info["versions"].get("Flask")
        if inside or version != FLASK_REFERENCE:
            return f"the reference is Flask {version} from {flask_file}"
    return None


def _new_cell(check: dict[str, t.Any]) -> dict[str, t.Any]:
    return {
        "available": check["available"],
        "error": check.get("error"),
        "checks": [check],
        "rates": [],
        "cpu_rates": [],
    }


def _add_check(cell: dict[str, t.Any], check: dict[str, t.Any]) -> None:
    cell["checks"].append(check)
    cell["error"] = cell["error"] or check.get("error")


def describe(frameworks: list[Framework], results: dict[str, t.Any]) -> None:
    """Record what each framework runs (versions, where ``flask`` comes from)
    when the in-process part, which records it otherwise, is skipped."""
    for fw in frameworks:
        worker = Worker(fw)
        try:
            info = worker.call(op="setup")["info"]
        finally:
            worker.close()
        results["frameworks"][fw.key]["info"] = info
        if origin_error := check_origin(fw, info):
            results["errors"].append(origin_error)


def run_inprocess(
    frameworks: list[Framework],
    workloads: list[Workload],
    repeats: int,
    seconds: float,
    results: dict[str, t.Any],
) -> None:
    """Set up and check every framework, then time the workloads, interleaved.

    Each cell is checked once before timing and once after, so a workload that
    answers wrongly (or starts to) shows as ERR instead of a speed.
    """
    workers = {fw.key: Worker(fw) for fw in frameworks}
    cells: dict[str, dict[str, dict[str, t.Any]]] = {w.name: {} for w in workloads}
    try:
        for fw in frameworks:
            setup = workers[fw.key].call(op="setup")
            results["frameworks"][fw.key]["info"] = setup["info"]
            if origin_error := check_origin(fw, setup["info"]):
                results["errors"].append(origin_error)
            for w in workloads:
                cells[w.name][fw.key] = _new_cell(setup["workloads"][w.name])
        runnable = [
            (w, fw)
            for w in workloads
            for fw in frameworks
            if cells[w.name][fw.key]["available"] and not cells[w.name][fw.key]["error"]
        ]
        for w, fw in runnable:
            reply = workers[fw.key].call(
                op="calibrate", workload=w.name, seconds=seconds
            )
            cells[w.name][fw.key]["iterations"] = reply["iterations"]
        for r in range(repeats):
            log(f"in-process repeat {r + 1}/{repeats}")
            for w in workloads:
                for fw in round_order(frameworks, r):
                    if (w, fw) not in runnable:
                        continue
                    cell = cells[w.name][fw.key]
                    n = cell["iterations"]
                    timed = workers[fw.key].call(
                        op="run", workload=w.name, iterations=n
                    )
                    cell["rates"].append(n / timed["seconds"])
                    cell["cpu_rates"].append(n / max(timed["cpu_seconds"], 1e-9))
        for fw in frameworks:
            after = workers[fw.key].call(op="validate")["workloads"]
            for w in workloads:
                if w.name in after:
                    _add_check(cells[w.name][fw.key], after[w.name])
    finally:
        for worker in workers.values():
            worker.close()
    for w in workloads:
        row = cells[w.name]
        for fw in frameworks:
            cell = row[fw.key]
            flask = row.get(FLASK)
            cell["median"] = median(cell["rates"])
            cell["cpu_median"] = median(cell["cpu_rates"])
            if flask is not None:
                cell["to_flask"] = paired_ratio(cell["rates"], flask["rates"])
                cell["to_flask_cpu"] = paired_ratio(
                    cell["cpu_rates"], flask["cpu_rates"]
                )
            if cell["error"]:
                results["errors"].append(f"{w.name} on {fw.key}: {cell['error']}")
        # ours / each reference it should be ahead of, paired within rounds.
        row[OURS]["to_refs"] = {
            ref: paired_ratio(row[OURS]["rates"], row[ref]["rates"])
            for ref in w.ahead_of
            if ref in row and row[ref]["rates"]
        }
    results["inprocess"] = cells


def machine() -> dict[str, t.Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem_kib = int(f.readline().split()[1])
    except OSError:
        mem_kib = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_kib / 1024 / 1024,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def project_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit} (with uncommitted changes in src/)" if dirty else commit


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark this project against Flask 3.1 and other frameworks.",
    )
    parser.add_argument("--quick", action="store_true", help="smoke mode, seconds")
    parser.add_argument(
        "--frameworks",
        help="comma-separated, from: "
        + ", ".join(dict.fromkeys(f.key for f in FRAMEWORKS + ASGI_FRAMEWORKS))
        + " (each part runs those it has; ours and flask31 always)",
    )
    parser.add_argument(
        "--workloads",
        help="comma-separated, from: "
        + ", ".join(dict.fromkeys(w.name for w in WORKLOADS + ASGI_WORKLOADS))
        + " (each part runs those it has)",
    )
    parser.add_argument("--repeats", type=int, help="in-process repeats per cell")
    parser.add_argument("--seconds", type=float, help="in-process seconds per repeat")
    parser.add_argument(
        "--no-e2e",
        action="store_true",
        help="skip every part with a server (WSGI servers and ASGI)",
    )
    parser.add_argument(
        "--e2e-only",
        action="store_true",
        help="only the WSGI servers: no in-process, import time, memory or ASGI",
    )
    parser.add_argument(
        "--servers",
        help="WSGI servers, comma-separated, from: "
        + ", ".join(s.key for s in e2e.SERVERS),
    )
    parser.add_argument(
        "--asgi-only",
        action="store_true",
        help="only the ASGI part (app.asgi against Flask 3.1 through WsgiToAsgi,"
        " Starlette and Quart)",
    )
    parser.add_argument("--no-asgi", action="store_true", help="skip the ASGI part")
    parser.add_argument(
        "--asgi-servers",
        help="ASGI servers, comma-separated, from: "
        + ", ".join(s.key for s in asgi_e2e.SERVERS),
    )
    parser.add_argument(
        "--load-generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="end to end: wrk when installed (auto), wrk or fail, or the slow"
        " Python client",
    )
    parser.add_argument("--e2e-seconds", type=float, default=2.0)
    parser.add_argument("--e2e-rounds", type=int, default=6)
    parser.add_argument("--import-runs", type=int, help="runs of `import flask` each")
    parser.add_argument("--output", type=Path, help="results markdown file")
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON")
    args = parser.parse_args(argv)
    quick = args.quick
    only = [o for o in ("quick", "e2e_only", "asgi_only") if getattr(args, o)]
    if len(only) > 1:
        parser.error("--quick, --e2e-only and --asgi-only exclude each other")
    if args.no_e2e and (args.e2e_only or args.asgi_only):
        parser.error("--no-e2e runs no server: it cannot be --e2e-only or --asgi-only")
    if args.no_asgi and args.asgi_only:
        parser.error("--no-asgi and --asgi-only exclude each other")
    # Which parts run: the WSGI ones (in process, the WSGI servers, import
    # time and memory) and the ASGI one; --quick starts no server.
    args.wsgi = not args.asgi_only
    args.e2e = not (quick or args.no_e2e or args.asgi_only)
    args.asgi = not (quick or args.no_e2e or args.no_asgi or args.e2e_only)
    chosen = args.frameworks.split(",") if args.frameworks else None
    unknown = [
        k for k in chosen or () if k not in venvs.BY_KEY and k not in ASGI_BY_KEY
    ]
    quick_fws = ["ours", "flask31"]
    default_fws = quick_fws if quick else None
    args.frameworks = _selected(chosen, venvs.BY_KEY, default_fws, pair=True)
    args.asgi_frameworks = _selected(chosen, ASGI_BY_KEY, pair=True)
    if not args.wsgi:
        args.frameworks = []
    if not args.asgi:
        args.asgi_frameworks = []
    names = args.workloads.split(",") if args.workloads else None
    unknown += [k for k in names or () if k not in BY_NAME and k not in ASGI_BY_NAME]
    if args.e2e_only:
        measured = {w.name: w for w in WORKLOADS if w.e2e}
        args.workloads = _selected(names, measured)
    else:
        args.workloads = _selected(names, BY_NAME)
    args.asgi_workloads = _selected(names, ASGI_BY_NAME)
    args.servers = (args.servers or ",".join(s.key for s in e2e.SERVERS)).split(",")
    default_asgi = ",".join(s.key for s in asgi_e2e.SERVERS)
    args.asgi_servers = (args.asgi_servers or default_asgi).split(",")
    unknown += [k for k in args.servers if k not in e2e.BY_SERVER]
    unknown += [k for k in args.asgi_servers if k not in asgi_e2e.BY_SERVER]
    if unknown:
        parser.error(f"unknown framework, workload or server: {', '.join(unknown)}")
    if args.wsgi and not args.workloads:
        what = "end to end" if args.e2e_only else "by the WSGI parts"
        parser.error(f"none of these workloads is measured {what} (--asgi-only?)")
    if args.asgi_only and not args.asgi_workloads:
        parser.error("none of these workloads is measured in the ASGI part")
    if not args.wsgi:
        args.workloads = []
    if not args.asgi:
        args.asgi_workloads = []
    args.repeats = args.repeats or (3 if quick else 10)
    args.seconds = args.seconds or (0.02 if quick else 0.2)
    args.import_runs = args.import_runs or (3 if quick else 15)
    if args.e2e or args.asgi:
        try:
            args.generator = e2e.load_generator(args.load_generator)
        except RuntimeError as e:
            parser.error(str(e))
    else:
        args.generator = None
    # A partial report would replace the full one: --e2e-only and
    # --asgi-only print it.
    if args.output is None and not only:
        args.output = BENCH / "results.md"
    return args


def _selected(
    names: list[str] | None,
    known: cabc.Mapping[str, object],
    default: list[str] | None = None,
    pair: bool = False,
) -> list[str]:
    """The names of *names* that *known* has (all of *known*, or *default*,
    when no names are given); with *pair*, ours and Flask 3.1 come first,
    whether named or not."""
    if names is None:
        picked = list(known) if default is None else default
    else:
        picked = [n for n in names if n in known]
    if not pair:
        return picked
    first = [k for k in ("ours", "flask31") if k in known]
    return first + [k for k in picked if k not in first]


def prepare_venvs(lease: venvs.Lease, wanted: list[str], notes: list[str]) -> set[str]:
    """Create the virtualenvs *wanted*, ours and Flask 3.1's first; return
    those that failed, whose frameworks are left out.

    :raises VenvError: when ours or Flask 3.1 cannot be had.
    """
    refs = sorted(set(wanted) - {"ours", "flask31"})
    broken: set[str] = set()
    for venv in ["ours", "flask31", *refs]:
        try:
            lease.ensure(venv)
        except VenvError as e:
            if venv in ("ours", "flask31"):
                raise
            notes.append(f"virtualenv {venv} unavailable, its frameworks skipped: {e}")
            broken.add(venv)
    return broken


def run_e2e(
    frameworks: list[Framework],
    workloads: list[Workload],
    args: argparse.Namespace,
    results: dict[str, t.Any],
) -> None:
    """Each server in turn; ``results["e2e"][server][workload][framework]``."""
    if args.generator != "wrk":
        log("wrk not used: a Python load generator stands in (numbers are low)")
    results["e2e"] = {}
    for server in args.servers:
        kind = e2e.BY_SERVER[server]
        log(f"end to end under {kind.label}")
        cells = e2e.measure(
            kind,
            frameworks,
            [w for w in workloads if w.e2e],
            args.e2e_seconds,
            args.e2e_rounds,
            args.generator,
            log,
        )
        rows: dict[str, t.Any] = {}
        for name, row in cells.items():
            flask = row.get(FLASK)
            bare = row.get(BARE)
            rows[name] = {}
            for key, cell in row.items():
                rows[name][key] = {
                    **rate_row(cell.rates, flask.rates if flask else None),
                    "above_bare_us": above(cell.rates, bare.rates) if bare else None,
                    "errors": cell.errors,
                }
                results["errors"] += [
                    f"e2e {server} {name} on {key}: {e}" for e in cell.errors
                ]
        results["e2e"][server] = rows


def run_asgi(
    frameworks: list[Framework], args: argparse.Namespace, results: dict[str, t.Any]
) -> None:
    """The ASGI part: ``results["asgi"]``, see :mod:`asgi_e2e`."""
    workloads = [ASGI_BY_NAME[name] for name in args.asgi_workloads]
    info = {}
    for fw in frameworks:
        cmd = [str(venvs.python(fw.venv)), str(BENCH / "worker.py"), "describe"]
        proc = subprocess.run(
            [*cmd, "--app-module", fw.app_module],
            cwd=BENCH,
            env=venvs.clean_env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            results["errors"].append(f"ASGI: {fw.key} fails to import:\n{proc.stderr}")
            continue
        info[fw.key] = json.loads(proc.stdout)
        if origin_error := check_origin(fw, info[fw.key]):
            results["errors"].append(f"ASGI: {origin_error}")
    frameworks = [fw for fw in frameworks if fw.key in info]
    rows, errors = asgi_e2e.measure(
        frameworks,
        workloads,
        args.asgi_servers,
        args.e2e_seconds,
        args.e2e_rounds,
        args.generator,
        log,
    )
    results["errors"] += errors
    results["asgi"] = {
        "frameworks": {
            fw.key: {
                "label": fw.label,
                "venv": fw.venv,
                "dists": fw.dists,
                "entry": f"serve_asgi:{fw.asgi_entry}",
                "info": info[fw.key],
            }
            for fw in frameworks
        },
        "workloads": [
            {"name": w.name, "title": w.title, "connections": e2e.connections(w)}
            for w in workloads
        ],
        "servers": {
            key: {
                "label": asgi_e2e.BY_SERVER[key].label,
                "setup": asgi_e2e.BY_SERVER[key].setup,
                "has_targets": asgi_e2e.BY_SERVER[key].has_targets,
            }
            for key in args.asgi_servers
        },
        "goals": [dataclasses.asdict(g) for g in asgi_e2e.GOALS],
        "settle_seconds": e2e.SETTLE_SECONDS,
        "rows": rows,
    }


def run_footprint(
    frameworks: list[Framework], args: argparse.Namespace, results: dict[str, t.Any]
) -> None:
    log("import time")
    flask_fws = [fw for fw in frameworks if fw.app_module == "apps.flask_app"]
    results["import_time"] = footprint.import_time(flask_fws, args.import_runs)
    log("memory")
    results["memory"] = footprint.memory(frameworks, 1 if args.quick else 3)
    for key, m in results["memory"].items():
        results["errors"] += [f"memory on {key}: {e}" for e in m["errors"]]


def run(
    frameworks: list[Framework],
    asgi_frameworks: list[Framework],
    args: argparse.Namespace,
    results: dict[str, t.Any],
) -> None:
    """Every measurement, in order; the results go into *results*."""
    workloads = [BY_NAME[name] for name in args.workloads]
    results["settings"] = {
        "repeats": args.repeats,
        "seconds": args.seconds,
        "e2e_seconds": args.e2e_seconds,
        "e2e_rounds": args.e2e_rounds,
        "e2e_workers": e2e.WORKERS,
        "e2e_server_cpus": sorted(e2e.SERVER_CPUS),
        "e2e_client_cpus": sorted(e2e.CLIENT_CPUS),
        "e2e_connections": e2e.CONNECTIONS,
        "e2e_generator": args.generator,
        "e2e_generator_version": args.generator
        and e2e.generator_version(args.generator),
        "e2e_servers": {
            key: {
                "label": e2e.BY_SERVER[key].label,
                "setup": e2e.BY_SERVER[key].setup,
                "has_targets": e2e.BY_SERVER[key].has_targets,
            }
            for key in (args.servers if args.e2e else [])
        },
    }
    results["frameworks"] = {
        fw.key: {"label": fw.label, "venv": fw.venv, "dists": fw.dists}
        for fw in frameworks
    }
    results["workloads"] = [
        {
            "name": w.name,
            "title": w.title,
            "target": w.target,
            "ahead_of": list(w.ahead_of),
            "e2e": w.e2e,
            "prime_cookies": w.prime_cookies,
            "e2e_target": w.e2e_target,
        }
        for w in workloads
    ]
    if args.e2e_only:
        describe(frameworks, results)
    elif args.wsgi:
        log(f"in-process: {', '.join(fw.key for fw in frameworks)}")
        run_inprocess(frameworks, workloads, args.repeats, args.seconds, results)
    if args.e2e:
        run_e2e(frameworks, workloads, args, results)
    if args.wsgi and not args.e2e_only:
        run_footprint(frameworks, args, results)
    if args.asgi:
        run_asgi(asgi_frameworks, args, results)
    results["loadavg_end"] = machine()["loadavg"]
    results["summary"] = report.summary(results)


def command_line(argv: list[str]) -> str:
    """The command for the report, without the options that only say where
    the results go."""
    shown: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--output", "--json"):
            skip = True
        elif not arg.startswith(("--output=", "--json=")):
            shown.append(arg)
    return " ".join(["python bench/run.py", *shown])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    modes = {"quick": args.quick, "e2e-only": args.e2e_only}
    modes["asgi-only"] = args.asgi_only
    mode = next((name for name, on in modes.items() if on), "full")
    results: dict[str, t.Any] = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "mode": mode,
        "command": command_line(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
        "project": {"commit": project_commit()},
        "flask_version": FLASK_REFERENCE,
        "errors": [],
        "notes": [],
    }
    with venvs.Lease() as lease:
        wanted = [venvs.BY_KEY[k].venv for k in args.frameworks]
        wanted += [ASGI_BY_KEY[k].venv for k in args.asgi_frameworks]
        try:
            broken = prepare_venvs(lease, wanted, results["notes"])
        except VenvError as e:
            print(str(e), file=sys.stderr)
            what = str(e).splitlines()[0].rstrip(":")
            print(f"SKIP: cannot create a virtualenv the benchmark needs: {what}")
            return EXIT_NO_REFERENCE
        lease.share()
        frameworks = [venvs.BY_KEY[k] for k in args.frameworks]
        asgi_frameworks = [ASGI_BY_KEY[k] for k in args.asgi_frameworks]
        run(
            [fw for fw in frameworks if fw.venv not in broken],
            [fw for fw in asgi_frameworks if fw.venv not in broken],
            args,
            results,
        )
    text = report.markdown(results)
    print(text)
    if args.output:
        args.output.write_text(text)
        log(f"wrote {args.output}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    print(results["summary"])
    return EXIT_WRONG_RESPONSE if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
