"""The benchmark suite's quick mode runs, and benchmarks correct responses.

``bench/run.py --quick`` needs virtualenvs for this project and for Flask 3.1
from PyPI (cached in ``bench/.venvs``); when they cannot be created, e.g.
without network access to the registry, the test is skipped with the reason.
No timing is asserted: only that every workload was measured, on responses
that are the expected ones.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import typing as t
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
EXIT_NO_REFERENCE = 3
#: The raw results (``--json``) and the markdown report of the quick run.
QuickRun = tuple[dict[str, t.Any], str]


def _load_workloads() -> ModuleType:
    """``bench/workloads.py``, without putting ``bench/`` on ``sys.path``."""
    spec = importlib.util.spec_from_file_location(
        "bench_workloads", BENCH / "workloads.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> QuickRun:
    out = tmp_path_factory.mktemp("bench")
    md, js = out / "results.md", out / "results.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick"]
        + ["--output", str(md), "--json", str(js)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode == EXIT_NO_REFERENCE:
        skips = [line for line in proc.stdout.splitlines() if line.startswith("SKIP:")]
        print(proc.stderr[-2000:])
        pytest.skip(
            skips[0] if skips else "the benchmark's virtualenvs cannot be created"
        )
    assert proc.returncode == 0, f"{proc.stdout[-5000:]}\n{proc.stderr[-5000:]}"
    return json.loads(js.read_text()), md.read_text()


def test_every_workload_has_a_row(quick_run: QuickRun) -> None:
    results, md = quick_run
    workloads = _load_workloads()
    table = [line for line in md.splitlines() if line.startswith("| ")]
    for w in workloads.WORKLOADS:
        rows = [line for line in table if line.startswith(f"| {w.name} |")]
        assert len(rows) == 1, f"no row for {w.name} in:\n{md}"
        assert "ERR" not in rows[0]
        ours = results["inprocess"][w.name]["ours"]
        assert ours["to_flask"]["median"] > 0, f"no ratio to Flask for {w.name}"
    assert results["summary"] in md
    assert "hello" in results["summary"]
    # Where the results were written is not part of how they were measured.
    assert "with `python bench/run.py --quick` (quick mode)" in md


def test_both_flasks_measured_from_the_right_place(quick_run: QuickRun) -> None:
    results, _ = quick_run
    frameworks = results["frameworks"]
    assert {"ours", "flask31"} <= frameworks.keys()
    ours = Path(frameworks["ours"]["info"]["flask_file"]).resolve()
    assert ours.is_relative_to(BENCH.parent / "src")
    reference = frameworks["flask31"]["info"]
    assert reference["versions"]["Flask"] == "3.1.3"
    origin = Path(reference["flask_file"]).resolve()
    assert "site-packages" in origin.parts
    assert not origin.is_relative_to(BENCH.parent / "src")
    assert not results["errors"], results["errors"]


def test_every_response_was_checked_and_correct(quick_run: QuickRun) -> None:
    """Re-check the recorded responses here, so a broken check cannot hide
    a broken workload: each framework must answer each workload with the
    expected status and body, before and after it is timed."""
    results, _ = quick_run
    workloads = _load_workloads()
    for w in workloads.WORKLOADS:
        for key in results["frameworks"]:
            cell = results["inprocess"][w.name][key]
            if key in ("ours", "flask31"):
                assert cell["available"], f"{w.name} is n/a on {key}"
            if not cell["available"]:
                continue
            assert len(cell["checks"]) == 2, (w.name, key)
            for check in cell["checks"]:
                assert check["error"] is None, (w.name, key, check["error"])
                assert check["status"] == w.status, (w.name, key, check["status"])
                body = check["body"].encode("latin-1")
                error = workloads.verify(w, check["status"], check["headers"], body)
                assert error is None, (w.name, key, error)
            assert cell["median"] and cell["median"] > 0, (w.name, key)


def test_a_wrong_response_is_caught() -> None:
    """The checks reject an error page served in place of the workload."""
    workloads = _load_workloads()
    page = b"<!doctype html><title>500 Internal Server Error</title>"
    for w in workloads.WORKLOADS:
        assert workloads.verify(w, 500, {"content-type": "text/html"}, page)
        assert workloads.verify(w, w.status, {"content-type": "text/html"}, page)


@pytest.fixture
def bench_modules(monkeypatch: pytest.MonkeyPatch) -> t.Iterator[ModuleType]:
    """``bench/report.py`` (and ``bench/e2e.py`` in ``sys.modules``), imported
    with ``bench/`` on ``sys.path`` for the duration of the test only."""
    monkeypatch.syspath_prepend(str(BENCH))
    names = ("report", "stats", "venvs", "e2e", "workloads")
    saved = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    import e2e  # type: ignore[import-not-found]  # noqa: F401
    import report  # type: ignore[import-not-found]

    yield report
    for n in names:
        sys.modules.pop(n, None)
    sys.modules.update(saved)


def test_end_to_end_cost_beyond_bare_wsgi(bench_modules: ModuleType) -> None:
    """The time a framework adds to the bare WSGI callable is taken per
    round (a failed round is left out), and reported with the ratio a
    framework costing nothing would reach."""
    report = bench_modules
    stats = sys.modules["stats"]
    # 1/4000 s - 1/5000 s = 50 µs; 1/2500 s - 1/5000 s = 200 µs.
    assert stats.above([4000.0, None], [5000.0, 5000.0]) == pytest.approx(50.0)
    assert stats.above([4000.0], [5000.0, 5000.0]) is None
    labels = {"ours": "ours", "flask31": "Flask 3.1.3", "wsgi": "bare WSGI"}
    results = {
        "frameworks": {k: {"label": v} for k, v in labels.items()},
        "e2e": {
            "granian": {
                "hello": {
                    "ours": {"above_bare_us": 50.0},
                    "flask31": {"above_bare_us": 200.0},
                    "wsgi": {"above_bare_us": 0.0, "to_flask": {"median": 2.0}},
                }
            }
        },
    }
    head, _, row = report._e2e_cost_table(results, "granian")
    assert head == "| workload | ours | Flask 3.1.3 | Flask/ours | bare WSGI/Flask |"
    assert row == "| hello | 50 µs | 200 µs | 4.00x | 2.00x |"


def _paired(median: float) -> dict[str, float]:
    return {"median": median, "q1": median, "q3": median}


def test_targets_and_summary(bench_modules: ModuleType) -> None:
    """The summary gives every ratio measured and counts the targets: the
    in-process ratios, ours ahead of the references a workload names, the
    end-to-end ratios under the servers that carry targets (not gunicorn),
    and import time and memory no worse than Flask."""
    report = bench_modules
    labels = {"ours": "ours", "flask31": "Flask 3.1.3", "werkzeug": "Werkzeug"}
    labels["bottle"] = "Bottle"
    workloads = [
        {"name": "hello", "target": 5.0, "ahead_of": ["werkzeug"], "e2e_target": 2.5},
        {"name": "template", "target": 2.0, "ahead_of": ["werkzeug", "bottle"]},
    ]
    inprocess = {
        "hello": {
            "ours": {
                "to_flask": _paired(5.5),
                "to_refs": {"werkzeug": _paired(2.0)},
            }
        },
        "template": {
            "ours": {
                "to_flask": _paired(1.5),
                "to_refs": {"werkzeug": _paired(1.2), "bottle": _paired(0.9)},
            }
        },
    }
    e2e = {
        server: {
            "hello": {"ours": {"to_flask": _paired(r)}},
            "template": {"ours": {"to_flask": _paired(r)}},
        }
        for server, r in (("granian", 2.6), ("gunicorn", 1.1))
    }
    servers = {
        "granian": {"label": "granian", "has_targets": True},
        "gunicorn": {"label": "gunicorn", "has_targets": False},
    }
    results = {
        "flask_version": "3.1.3",
        "frameworks": {k: {"label": v} for k, v in labels.items()},
        "workloads": workloads,
        "settings": {"e2e_servers": servers, "e2e_generator": "wrk"},
        "inprocess": inprocess,
        "e2e": e2e,
        "import_time": {"importtime_ms_ratio": _paired(0.95)},
        "memory": {
            "ours": {"import_kib": 110.0, "app_kib": 0.0},
            "flask31": {"import_kib": 100.0, "app_kib": 0.0},
        },
    }
    found = report.targets(results)
    missed = {x.what for x in found if not x.met}
    assert missed == {"in process template", "template ahead of Bottle", "memory"}
    assert len(found) == 8  # 2 in process, 3 ahead, 1 under granian, 2 footprint
    assert report.summary(results) == (
        "ours / Flask 3.1.3, in process: hello 5.50x, template 1.50x"
        " (geomean 2.87x, 1/2 targets met); ahead of Werkzeug on 2/2, Bottle on"
        " 0/1; end to end under granian: hello 2.60x, template 2.60x (1/1"
        " targets met); under gunicorn: hello 1.10x, template 1.10x; import"
        " time 0.95x, memory 1.10x (lower is better); targets met: 5/8"
    )
    # Without wrk, the end-to-end figures measure the Python client: shown,
    # counted against no target.
    results["settings"]["e2e_generator"] = "python"
    assert len(report.targets(results)) == 7
    assert "end to end (without wrk: not comparable) under granian: hello 2.60x," in (
        report.summary(results)
    )


def test_load_requests_carry_method_body_and_cookie(
    bench_modules: ModuleType,
) -> None:
    """wrk is told the workload's method and body (a Lua script) and its
    headers; a GET needs no script."""
    e2e = sys.modules["e2e"]
    workloads = sys.modules["workloads"]
    assert e2e.wrk_script(workloads.BY_NAME["hello"]) is None
    form = workloads.BY_NAME["form"]
    script = e2e.wrk_script(form)
    assert script == (f"wrk.method = [[POST]]\nwrk.body = [[{form.body.decode()}]]\n")
    assert e2e._lua_string("a]]b]=]") == "[==[a]]b]=]]==]"
    headers = e2e.request_headers(form, "session=abc")
    assert headers == {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "session=abc",
    }


def test_every_benchmark_venv_has_both_servers(bench_modules: ModuleType) -> None:
    venvs = sys.modules["venvs"]
    e2e = sys.modules["e2e"]
    assert [s.key for s in e2e.SERVERS] == ["granian", "gunicorn"]
    for requirements in venvs.REQUIREMENTS.values():
        assert "gunicorn" in requirements
        assert f"granian=={venvs.GRANIAN}" in requirements
