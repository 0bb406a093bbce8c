"""Differential tests: the same scenarios under Flask 3.1.3 and under ours.

The runner (``runner.py``) executes every scenario of ``scenarios/`` once
per interpreter, the reference virtualenv's (see ``tests/ref_venv.py``) and
this one, both at the same time, once per test session. Each test then
compares one scenario's two records.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
import ref_venv
import scenarios
from compare import assert_same
from divergences import DIVERGENCES

HERE = Path(__file__).resolve().parent
REGISTRY = scenarios.load_all()
OURS_ROOT = ref_venv.ROOT / "src"


def _start(python: Path, out: Path, root: Path, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(python), "-I", str(HERE / "runner.py"), str(out), str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env={**ref_venv.clean_env(), "PYTHONHASHSEED": "0"},
    )


def _finish(name: str, proc: subprocess.Popen[str], out: Path) -> dict[str, t.Any]:
    try:
        _, stderr = proc.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"the {name} run took more than 600 s")

    if proc.returncode != 0:
        pytest.fail(f"the {name} run failed ({proc.returncode}):\n{stderr[-3000:]}")

    return json.loads(out.read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, t.Any]:
    ref_python = ref_venv.ref_python()
    tmp = tmp_path_factory.mktemp("differential")
    runs = {}

    for name, python, root in (
        ("reference", ref_python, ref_python.parent.parent),
        ("ours", Path(sys.executable), OURS_ROOT),
    ):
        cwd = tmp / name
        cwd.mkdir()
        out = tmp / f"{name}.json"
        runs[name] = (_start(python, out, root, cwd), out)

    docs = {name: _finish(name, proc, out) for name, (proc, out) in runs.items()}
    assert ref_venv.is_reference_file(ref_python, docs["reference"]["flask_file"])
    assert Path(docs["ours"]["flask_file"]).is_relative_to(OURS_ROOT)
    return {name: doc["results"] for name, doc in docs.items()}


def _params() -> list[t.Any]:
    unknown = set(DIVERGENCES) - set(REGISTRY)
    assert not unknown, f"divergences registered for unknown scenarios: {unknown}"
    return [
        pytest.param(
            sid,
            id=sid,
            marks=[pytest.mark.xfail(strict=True, reason=DIVERGENCES[sid])]
            if sid in DIVERGENCES
            else [],
        )
        for sid in REGISTRY
    ]


@pytest.mark.parametrize("sid", _params())
def test_scenario(outcomes: dict[str, t.Any], sid: str) -> None:
    ref = outcomes["reference"][sid]
    ours = outcomes["ours"][sid]

    if "crash" in ref and "crash" in ours:
        pytest.fail(f"the scenario itself crashed under both:\n{ref}\n{ours}")

    differs = REGISTRY[sid].differs
    failure = None

    try:
        if differs is not None and "record" in ref and "record" in ours:
            extra_ours = {k: v for k, v in ours.items() if k != "record"}
            extra_ref = {k: v for k, v in ref.items() if k != "record"}
            assert_same(extra_ours, extra_ref)
            differs(ours["record"], ref["record"])
        else:
            assert_same(ours, ref)
    except AssertionError as e:
        failure = f"{sid}: {e}"

    if failure is not None:
        pytest.fail(failure, pytrace=False)
