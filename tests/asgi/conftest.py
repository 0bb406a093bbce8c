from __future__ import annotations

import faulthandler
import typing as t

import pytest


@pytest.fixture(autouse=True)
def _no_hang() -> t.Iterator[None]:
    """A test of the ASGI bridge that deadlocks (a loop waiting on itself)
    would hang the run: after two minutes, print every thread's stack and
    end the process instead.
    """
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
