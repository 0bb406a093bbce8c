"""Fixtures for the documentation tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _restore_environ_and_modules() -> Iterator[None]:
    # The CLI sets FLASK_* variables and the samples import modules; leave
    # neither behind for the next test.
    environ = os.environ.copy()
    modules = set(sys.modules)
    path = list(sys.path)
    yield
    os.environ.clear()
    os.environ.update(environ)

    for name in set(sys.modules) - modules:
        if name == "hello" or name.startswith("hello."):
            del sys.modules[name]

    sys.path[:] = path
