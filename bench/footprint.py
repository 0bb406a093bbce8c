"""Import time of ``flask`` and memory of an application with 300 routes.

Import time is read from ``python -X importtime -c "import flask"`` (the
cumulative time of the ``flask`` package, all its dependencies included),
with the wall time of ``python -c "import flask"`` beside it. Memory
comes from ``worker.py memory`` in a fresh process per measurement.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time
import typing as t

from stats import FLASK
from stats import median
from stats import OURS
from stats import paired_ratio
from stats import round_order
from venvs import BENCH
from venvs import clean_env
from venvs import Framework
from venvs import python


def _flask_cumulative_us(stderr: str) -> int | None:
    for line in stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() == "flask":
            return int(parts[1].strip())
    return None


def _timed_run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return (time.perf_counter() - start) * 1000, proc.stderr


def import_time(frameworks: t.Sequence[Framework], runs: int) -> dict[str, t.Any]:
    """The cost of ``import flask`` in ours and Flask 3.1, run after run.

    Each run imports once under ``-X importtime`` and once plainly (for the
    wall time), ours and Flask back to back; ratios are taken per run, like
    the request benchmarks' rounds.
    """
    env = clean_env()
    samples: dict[str, dict[str, list[float | None]]] = {
        fw.key: {"importtime_ms": [], "wall_ms": []} for fw in frameworks
    }
    for fw in frameworks:
        # Compile the bytecode first, so no run pays for it.
        _timed_run([str(python(fw.venv)), "-c", "import flask"], env)
    for i in range(runs):
        for fw in round_order(frameworks, i):
            py = str(python(fw.venv))
            _, stderr = _timed_run([py, "-X", "importtime", "-c", "import flask"], env)
            us = _flask_cumulative_us(stderr)
            samples[fw.key]["importtime_ms"].append(us / 1000 if us else None)
            samples[fw.key]["wall_ms"].append(
                _timed_run([py, "-c", "import flask"], env)[0]
            )
    startup = [
        _timed_run([str(python(frameworks[0].venv)), "-c", "pass"], env)[0]
        for _ in range(max(3, runs // 3))
    ]
    result: dict[str, t.Any] = {
        "frameworks": {
            key: {
                name: median([v for v in values if v is not None])
                for name, values in s.items()
            }
            for key, s in samples.items()
        },
        "samples": samples,
        "python_startup_ms": median(startup),
    }
    if OURS in samples and FLASK in samples:
        for name in ("importtime_ms", "wall_ms"):
            result[f"{name}_ratio"] = paired_ratio(
                samples[OURS][name], samples[FLASK][name]
            )
    return result


def _worker_memory(fw: Framework, mode: str) -> dict[str, t.Any]:
    cmd = [str(python(fw.venv)), str(BENCH / "worker.py"), "memory"]
    cmd += ["--app-module", fw.app_module, "--mode", mode]
    proc = subprocess.run(
        cmd, env=clean_env(), cwd=BENCH, capture_output=True, text=True
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-2000:]}
    return dict(json.loads(proc.stdout))


def memory(frameworks: t.Sequence[Framework], runs: int) -> dict[str, dict[str, t.Any]]:
    """Memory after building ``routes300`` and handling one request."""
    result: dict[str, dict[str, t.Any]] = {}
    for fw in frameworks:
        traced = _worker_memory(fw, "tracemalloc")
        rss = [_worker_memory(fw, "rss") for _ in range(runs)]
        errors = [r["error"] for r in [traced, *rss] if r.get("error")]
        result[fw.key] = {
            "import_kib": traced.get("import_bytes", 0) / 1024,
            "app_kib": traced.get("app_bytes", 0) / 1024,
            "rss_mib": statistics.median(r.get("rss_kib", 0) for r in rss) / 1024,
            "rss_delta_mib": statistics.median(r.get("rss_delta_kib", 0) for r in rss)
            / 1024,
            "errors": errors,
        }
    return result
