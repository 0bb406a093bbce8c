"""The benchmark suite's quick mode runs, and benchmarks correct responses.

``bench/run.py --quick`` needs virtualenvs for this project and for Flask 3.1
from PyPI (cached in ``bench/.venvs``); when they cannot be created, e.g.
without network access to the registry, the test is skipped with the reason.
No timing is asserted: only that every workload was measured, on responses
that are the expected ones.
"""

from __future__ import annotations

import dataclasses
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
    # The quick run starts no server: no ASGI part either.
    assert "asgi" not in results
    assert "ASGI" not in md
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
    """``bench/report.py`` (and ``bench/e2e.py`` and ``bench/run.py`` in
    ``sys.modules``), imported with ``bench/`` on ``sys.path`` for the
    duration of the test only."""
    monkeypatch.syspath_prepend(str(BENCH))
    names = ("report", "stats", "venvs", "e2e", "workloads", "asgi_e2e", "run")
    names += ("footprint",)
    saved = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    import e2e  # type: ignore[import-not-found]  # noqa: F401
    import report  # type: ignore[import-not-found]
    import run  # type: ignore[import-not-found]  # noqa: F401

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


def test_every_benchmark_venv_has_the_servers(bench_modules: ModuleType) -> None:
    venvs = sys.modules["venvs"]
    e2e = sys.modules["e2e"]
    assert [s.key for s in e2e.SERVERS] == ["granian", "gunicorn"]
    for requirements in venvs.REQUIREMENTS.values():
        assert "gunicorn" in requirements
        assert f"granian=={venvs.GRANIAN}" in requirements
        assert f"uvicorn[standard]=={venvs.UVICORN}" in requirements
    # ours serves app.asgi: the project's asgi extra (greenlet).
    assert f"{venvs.ROOT}[asgi]" in venvs.REQUIREMENTS["ours"]
    for fw in venvs.ASGI_FRAMEWORKS:
        assert fw.venv in venvs.REQUIREMENTS
        assert fw.asgi_entry == ("app.asgi" if fw.key == "ours" else "app")


def test_asgi_options(bench_modules: ModuleType) -> None:
    """--asgi-only runs the ASGI part alone, a full run has it, --quick,
    --no-e2e and --e2e-only start no ASGI server, and --workloads and
    --frameworks pick in each part what it has."""
    run = sys.modules["run"]
    gen = ["--load-generator", "python"]
    args = run.parse_args(["--asgi-only", *gen])
    assert (args.wsgi, args.e2e, args.asgi) == (False, False, True)
    assert args.frameworks == [] and args.workloads == []
    assert args.asgi_frameworks == ["ours", "flask31", "starlette", "quart"]
    assert args.asgi_workloads == ["slow_async", "hello", "json_params"]
    assert args.asgi_servers == ["uvicorn", "granian"]
    assert args.output is None
    args = run.parse_args(gen)
    assert (args.wsgi, args.e2e, args.asgi) == (True, True, True)
    assert "slow_async" not in args.workloads
    for option in ("--quick", "--no-e2e", "--e2e-only", "--no-asgi"):
        args = run.parse_args([option, *gen])
        assert not args.asgi and not args.asgi_frameworks, option
    args = run.parse_args(
        ["--workloads", "hello,slow_async", "--frameworks", "quart,bottle", *gen]
    )
    assert args.workloads == ["hello"]
    assert args.asgi_workloads == ["hello", "slow_async"]
    assert args.frameworks == ["ours", "flask31", "bottle"]
    assert args.asgi_frameworks == ["ours", "flask31", "quart"]
    for wrong in (
        ["--quick", "--asgi-only"],
        ["--asgi-only", "--no-asgi"],
        ["--asgi-only", "--workloads", "template"],
        ["--workloads", "slow_async"],
        ["--asgi-servers", "gunicorn"],
    ):
        with pytest.raises(SystemExit):
            run.parse_args([*wrong, *gen])


def test_slow_workload_load(bench_modules: ModuleType) -> None:
    """The slow async workload keeps its 500 connections busy and waits for
    every answer as long as a round lasts (a framework that queues them is
    slow, not failing); the others keep wrk's defaults."""
    e2e = sys.modules["e2e"]
    workloads = sys.modules["workloads"]
    slow = workloads.ASGI_BY_NAME["slow_async"]
    assert e2e.wrk_command(slow, "", 2.0) == [
        "wrk",
        "-t1",
        "-c500",
        "-d2s",
        "--timeout=32s",
    ]
    assert e2e.wrk_command(workloads.BY_NAME["hello"], "", 2.0) == [
        "wrk",
        "-t1",
        f"-c{e2e.CONNECTIONS}",
        "-d2s",
    ]
    # A lenient framework's rate counts its right answers only.
    load = e2e.Load(100.0, requests=200, wrong=50)
    assert load.right_rps == pytest.approx(75.0)
    assert e2e.Load(100.0, requests=200).right_rps == 100.0
    log = (
        "ERROR:    Exception in ASGI application\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in f\n'
        "RuntimeError: CurrentThreadExecutor already quit or is broken\n"
        "asyncio.exceptions.CancelledError\n"
    )
    assert e2e._EXCEPTION_LINE.findall(log) == [
        "RuntimeError: CurrentThreadExecutor already quit or is broken",
        "asyncio.exceptions.CancelledError",
    ]


def _asgi_cell(rates: list[float], **extra: t.Any) -> dict[str, t.Any]:
    return {"rates": rates, "median": sorted(rates)[len(rates) // 2], **extra}


def test_asgi_targets_and_summary(bench_modules: ModuleType) -> None:
    """Issue 17's targets: ratios paired within rounds (Starlette / ours for
    the one bounded from above), under uvicorn only, with wrk only; the
    summary gives ours / Flask per server with the other ratios."""
    report = bench_modules
    asgi_e2e = sys.modules["asgi_e2e"]
    labels = {
        "ours": "ours (app.asgi)",
        "flask31": "Flask 3.1.3 (WsgiToAsgi)",
        "starlette": "Starlette",
        "quart": "Quart",
    }
    flask = _asgi_cell([10.0, 10.0], wrong=10, answers=40, answer_rates=[20.0, 20.0])
    uvicorn = {
        "slow_async": {
            "ours": _asgi_cell([3000.0, 3000.0], to_flask=_paired(300.0)),
            "flask31": flask,
            "starlette": _asgi_cell([6000.0, 6000.0]),
            "quart": _asgi_cell([2000.0, 2000.0]),
        },
        "hello": {
            "ours": _asgi_cell([5000.0, 5000.0], to_flask=_paired(2.5)),
            "flask31": _asgi_cell([2000.0, 2000.0]),
            "starlette": _asgi_cell([9000.0, 9000.0]),
            "quart": _asgi_cell([5500.0, 5500.0]),
        },
    }
    granian = {"hello": {"ours": _asgi_cell([1.0], to_flask=_paired(1.5))}}
    results = {
        "flask_version": "3.1.3",
        "frameworks": {},
        "workloads": [],
        "settings": {"e2e_generator": "wrk"},
        "asgi": {
            "frameworks": {k: {"label": v} for k, v in labels.items()},
            "servers": {
                "uvicorn": {"label": "uvicorn", "has_targets": True},
                "granian": {"label": "granian", "has_targets": False},
            },
            "goals": [dataclasses.asdict(g) for g in asgi_e2e.GOALS],
            "rows": {"uvicorn": uvicorn, "granian": granian},
        },
    }
    found = report.targets(results)
    assert [(x.what, x.value, x.met) for x in found] == [
        (
            "slow_async under uvicorn: ours (app.asgi) / Flask 3.1.3 (WsgiToAsgi)",
            300.0,
            True,
        ),
        ("slow_async under uvicorn: Starlette / ours (app.asgi)", 2.0, False),
        ("hello under uvicorn: ours (app.asgi) / Flask 3.1.3 (WsgiToAsgi)", 2.5, True),
        ("hello under uvicorn: ours (app.asgi) / Quart", 5000.0 / 5500.0, False),
    ]
    assert report.summary(results) == (
        "ours / Flask 3.1.3, ASGI under uvicorn: slow_async 300.00x"
        " (Starlette/ours 2.00x), hello 2.50x (ours/Quart 0.91x) (2/4 targets"
        " met); ASGI under granian: hello 1.50x; targets met: 2/4"
    )
    notes = report._asgi_notes(results["asgi"])
    assert notes == [
        "Flask 3.1.3 (WsgiToAsgi) on slow_async under uvicorn: 10 of its 40"
        " answers during the load (25%) had another status than the"
        " workload's, and are left out of its rate; counting them as served,"
        " ours/Flask would be 150.00x."
    ]
    # A run without the references has only the targets against Flask.
    for cells in uvicorn.values():
        del cells["starlette"], cells["quart"]
    found = report.targets(results)
    assert [x.what.split(":")[0] for x in found] == ["slow_async under uvicorn"] + [
        "hello under uvicorn"
    ]
    # The table of targets: its head, its rule and the two measured.
    assert len(report._asgi_goals(results["asgi"])) == 4
    # The Python load generator measures mostly itself: no target.
    results["settings"]["e2e_generator"] = "python"
    assert report.targets(results) == []
