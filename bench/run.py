"""Benchmark this project against Flask 3.1 and Werkzeug, Bottle and Falcon.

Full run (about 15 minutes on two cores; writes ``bench/results.md``): in
process, end to end under granian and gunicorn, import time and memory::

    python bench/run.py

Smoke run (seconds once the virtualenvs exist; ours and Flask 3.1 only, in
process, no server; prints the table and writes files only when asked)::

    python bench/run.py --quick [--output FILE] [--json FILE]

End to end only, e.g. while working on the request path (prints the report,
writes files only when asked)::

    python bench/run.py --e2e-only --servers granian --workloads hello

Exit status: 0 when every response was the expected one, 2 when a workload
answered wrongly in some framework (its cell reads ERR), 3 when this project's
or Flask 3.1's virtualenv cannot be created (e.g. PyPI is out of reach).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import typing as t
from pathlib import Path

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
from stats import round_order
from venvs import BENCH
from venvs import FLASK_REFERENCE
from venvs import Framework
from venvs import FRAMEWORKS
from venvs import ROOT
from venvs import VenvError
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
        help="comma-separated, from: " + ", ".join(f.key for f in FRAMEWORKS),
    )
    parser.add_argument(
        "--workloads",
        help="comma-separated, from: " + ", ".join(w.name for w in WORKLOADS),
    )
    parser.add_argument("--repeats", type=int, help="in-process repeats per cell")
    parser.add_argument("--seconds", type=float, help="in-process seconds per repeat")
    parser.add_argument(
        "--no-e2e", action="store_true", help="skip the end-to-end part (servers)"
    )
    parser.add_argument(
        "--e2e-only",
        action="store_true",
        help="only the end-to-end part: no in-process, import time or memory",
    )
    parser.add_argument(
        "--servers",
        help="end to end, comma-separated, from: "
        + ", ".join(s.key for s in e2e.SERVERS),
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
    if quick and args.e2e_only:
        parser.error("--quick runs no server: it cannot be --e2e-only")
    if args.no_e2e and args.e2e_only:
        parser.error("--no-e2e and --e2e-only exclude each other")
    default_fws = "ours,flask31" if quick else ",".join(f.key for f in FRAMEWORKS)
    args.frameworks = (args.frameworks or default_fws).split(",")
    measured = [w for w in WORKLOADS if w.e2e or not args.e2e_only]
    args.workloads = (args.workloads or ",".join(w.name for w in measured)).split(",")
    args.servers = (args.servers or ",".join(s.key for s in e2e.SERVERS)).split(",")
    for key in ("ours", "flask31"):
        if key not in args.frameworks:
            args.frameworks.insert(0 if key == "ours" else 1, key)
    unknown = [k for k in args.frameworks if k not in venvs.BY_KEY]
    unknown += [k for k in args.workloads if k not in BY_NAME]
    unknown += [k for k in args.servers if k not in e2e.BY_SERVER]
    if unknown:
        parser.error(f"unknown framework, workload or server: {', '.join(unknown)}")
    if args.e2e_only and not any(BY_NAME[k].e2e for k in args.workloads):
        parser.error("none of these workloads is measured end to end")
    args.repeats = args.repeats or (3 if quick else 10)
    args.seconds = args.seconds or (0.02 if quick else 0.2)
    args.import_runs = args.import_runs or (3 if quick else 15)
    args.e2e = not (quick or args.no_e2e)
    if args.e2e:
        try:
            args.generator = e2e.load_generator(args.load_generator)
        except RuntimeError as e:
            parser.error(str(e))
    else:
        args.generator = None
    # A partial report would replace the full one: --e2e-only prints it.
    if args.output is None and not (quick or args.e2e_only):
        args.output = BENCH / "results.md"
    return args


def prepare_venvs(
    lease: venvs.Lease, keys: list[str], notes: list[str]
) -> list[Framework]:
    """Create the virtualenvs; drop reference frameworks whose venv fails.

    :raises VenvError: when ours or Flask 3.1 cannot be had.
    """
    refs = sorted({venvs.BY_KEY[k].venv for k in keys} - {"ours", "flask31"})
    broken: set[str] = set()
    for venv in ["ours", "flask31", *refs]:
        try:
            lease.ensure(venv)
        except VenvError as e:
            if venv in ("ours", "flask31"):
                raise
            notes.append(f"virtualenv {venv} unavailable, its frameworks skipped: {e}")
            broken.add(venv)
    return [venvs.BY_KEY[k] for k in keys if venvs.BY_KEY[k].venv not in broken]


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
                    "rates": cell.rates,
                    "median": median([r for r in cell.rates if r]),
                    "to_flask": paired_ratio(cell.rates, flask.rates)
                    if flask
                    else None,
                    "above_bare_us": above(cell.rates, bare.rates) if bare else None,
                    "errors": cell.errors,
                }
                results["errors"] += [
                    f"e2e {server} {name} on {key}: {e}" for e in cell.errors
                ]
        results["e2e"][server] = rows


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
    frameworks: list[Framework], args: argparse.Namespace, results: dict[str, t.Any]
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
    else:
        log(f"in-process: {', '.join(fw.key for fw in frameworks)}")
        run_inprocess(frameworks, workloads, args.repeats, args.seconds, results)
    if args.e2e:
        run_e2e(frameworks, workloads, args, results)
    if not args.e2e_only:
        run_footprint(frameworks, args, results)
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
    results: dict[str, t.Any] = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "mode": "quick" if args.quick else "e2e-only" if args.e2e_only else "full",
        "command": command_line(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
        "project": {"commit": project_commit()},
        "flask_version": FLASK_REFERENCE,
        "errors": [],
        "notes": [],
    }
    with venvs.Lease() as lease:
        try:
            frameworks = prepare_venvs(lease, args.frameworks, results["notes"])
        except VenvError as e:
            print(str(e), file=sys.stderr)
            what = str(e).splitlines()[0].rstrip(":")
            print(f"SKIP: cannot create a virtualenv the benchmark needs: {what}")
            return EXIT_NO_REFERENCE
        lease.share()
        run(frameworks, args, results)
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
