"""pytest-flask: its fixtures (``client``, ``client_class``, ``config``,
``accept_*``, ``live_server``), the request context it pushes and the
``options`` marker, driving our test client and ``app.run``.

pytest-flask is a pytest plugin with autouse fixtures that push a request
context around every test using a fixture named ``app``, which the main
suite's own tests do; so the main suite runs with ``-p no:flask`` and this
test runs a separate pytest, with the plugin, on ``pytest_flask_project``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from integration_helpers import HERE
from integration_helpers import NOT_INSTALLED

pytest.importorskip("pytest_flask", reason=NOT_INSTALLED)


PROJECT = HERE / "pytest_flask_project"


def test_pytest_flask_fixtures_in_a_child_pytest() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(PROJECT / "pytest.ini"),
            "--rootdir",
            str(PROJECT),
            "-p",
            "pytest_flask.plugin",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rA",
            str(PROJECT),
        ],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "9 passed" in output, output
