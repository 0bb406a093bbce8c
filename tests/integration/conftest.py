"""Configuration of the integration suite: the fast/slow split and the
fixture that runs real servers as child processes.

The main test command (``./scripts/test``) runs the fast subset only; tests
marked ``slow`` are deselected unless ``RUN_SLOW_INTEGRATION=1`` is set, which
``tox -e integration`` does.
"""

from __future__ import annotations

import os
import subprocess
import typing as t
from pathlib import Path

import pytest
from integration_helpers import APPS_DIR
from integration_helpers import free_port
from integration_helpers import HERE
from integration_helpers import Server
from integration_helpers import server_env
from integration_helpers import stop_process_group
from integration_helpers import wait_for_port

#: Set to "1" to run the slow tests too (servers, subprocess CLIs, Redis).
SLOW_ENV = "RUN_SLOW_INTEGRATION"

# Apps served by child processes, and the project a child pytest runs with
# pytest-flask loaded; neither is part of this session's collection.
collect_ignore = ["apps", "pytest_flask_project"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"slow: integration test left out of the main test command; "
        f"set {SLOW_ENV}=1 (tox -e integration) to run it.",
    )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if os.environ.get(SLOW_ENV) == "1":
        return

    keep: list[pytest.Item] = []
    slow: list[pytest.Item] = []

    for item in items:
        if item.get_closest_marker("slow") and HERE in item.path.parents:
            slow.append(item)
        else:
            keep.append(item)

    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = keep


@pytest.fixture
def start_server(
    tmp_path: Path,
) -> t.Iterator[t.Callable[..., Server]]:
    """Start a command that serves on ``{port}`` and stop it afterwards.

    The command is a list of strings formatted with ``port=``; the process
    runs in its own session so its workers can be stopped as a group.
    """
    started: list[Server] = []

    def start(
        name: str,
        cmd: list[str],
        env: dict[str, str] | None = None,
        port: int | None = None,
        cwd: Path = APPS_DIR,
        timeout: float = 20.0,
    ) -> Server:
        port = port or free_port()
        log = tmp_path / f"{name}.log"
        argv = [part.format(port=port, tmp=tmp_path) for part in cmd]

        with log.open("wb") as out:
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env or server_env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        server = Server(name, port, proc, log)
        started.append(server)

        try:
            wait_for_port(port, proc, timeout)
        except RuntimeError as e:
            stop_process_group(proc)
            pytest.fail(f"{name}: {e}\n--- log ---\n{server.read_log()}")

        return server

    yield start

    for server in reversed(started):
        stop_process_group(server.proc)
