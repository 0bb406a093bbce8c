"""Keep the suite at full branch coverage when it runs inside a larger run.

Started from ``examples/tutorial`` the suite measures itself (see
``pyproject.toml``). When the project's test command collects it from the
repository root, this test starts that measured run in a subprocess, so a
change that leaves a line or branch untested fails there too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent.parent


def test_full_branch_coverage():
    pytest.importorskip("pytest_cov")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Required test coverage of 100% reached" in result.stdout
