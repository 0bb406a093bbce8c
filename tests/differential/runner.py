"""Run every scenario under this interpreter's ``flask``; write JSON.

Usage: ``python -I runner.py OUT EXPECTED_ROOT [SCENARIO_ID ...]``

Refuses to run (exit status 3) unless the imported ``flask`` lies inside
``EXPECTED_ROOT``, so the reference run can never use this project's flask
and the other way round. Each scenario runs in its own copy of the context
variables, with ``os.environ``, ``sys.path``, the module table, the working
directory and the app logger restored afterwards, and a time limit; an
exception escaping a scenario is recorded as its outcome.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import signal
import sys
import time
import traceback
import types
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
FROZEN_TIME = 1_700_000_000
LIMIT = 20


class ScenarioTimeout(BaseException):
    pass


def _alarm(signum, frame):
    raise ScenarioTimeout(f"scenario took more than {LIMIT} s")


def _reset_loggers() -> None:
    for name in list(logging.Logger.manager.loggerDict):
        if name.startswith(("diff", "flask")):
            logger = logging.getLogger(name)
            logger.handlers.clear()
            logger.setLevel(logging.NOTSET)
            logger.disabled = False
            logger.propagate = True


def _leftover() -> dict[str, bool] | None:
    import flask.globals

    rc = flask.globals._cv_request.get(None)
    ac = flask.globals._cv_app.get(None)

    if rc is None and ac is None:
        return None

    return {"request": rc is not None, "app": ac is not None}


def run_one(sc, kit) -> dict:
    environ = dict(os.environ)
    path = list(sys.path)
    modules = set(sys.modules)
    cwd = os.getcwd()
    caught: list[warnings.WarningMessage] = []
    out: dict

    def body():
        rv = sc.func(*sc.args)
        return rv, _leftover()

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # Emitted whenever the collector runs, possibly in a later
            # scenario: not comparable.
            warnings.simplefilter("ignore", ResourceWarning)
            signal.alarm(LIMIT)

            try:
                record, leftover = contextvars.copy_context().run(body)
            finally:
                signal.alarm(0)

        out = {"record": json.loads(json.dumps(record, default=kit.plain))}

        if leftover:
            out["leftover_contexts"] = leftover
    except BaseException as e:  # noqa: B036 (recorded, never re-raised)
        tb = traceback.extract_tb(e.__traceback__)
        out = {"crash": kit.exc(e), "where": [f"{f.name}:{f.lineno}" for f in tb][-4:]}

        if isinstance(e, KeyboardInterrupt):
            raise
    finally:
        kit.cleanup()
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environ)
        sys.path[:] = path

        for name in set(sys.modules) - modules:
            if name.startswith(("diff_", "cliapp")):
                del sys.modules[name]

        _reset_loggers()

    if caught:
        out["warnings"] = sorted(
            {f"{w.category.__name__}: {kit.plain(str(w.message))}" for w in caught}
        )

    return out


def main(argv: list[str]) -> int:
    out_file, expected_root, *only = argv
    sys.path.insert(0, str(HERE))

    import flask

    flask_file = Path(flask.__file__).resolve()

    if not flask_file.is_relative_to(Path(expected_root).resolve()):
        print(
            f"refusing to run: imported flask from {flask_file},"
            f" expected inside {expected_root}",
            file=sys.stderr,
        )
        return 3

    # Signed cookies carry the signing time: freeze it so both runs sign
    # the same bytes (expiry dates in Set-Cookie are normalised instead).
    import itsdangerous.timed

    itsdangerous.timed.time = types.SimpleNamespace(time=lambda: FROZEN_TIME)

    import scenarios
    from scenarios import _kit as kit

    registry = scenarios.load_all()
    # Both runs work in the same folder, so relative paths (the instance
    # folder of an app that is not a module, ...) come out the same.
    os.chdir(kit.FIXTURES)
    results = {}
    timings = {}
    signal.signal(signal.SIGALRM, _alarm)
    start = time.perf_counter()

    for sid, sc in registry.items():
        if only and sid not in only:
            continue

        t0 = time.perf_counter()
        results[sid] = run_one(sc, kit)
        timings[sid] = round(time.perf_counter() - t0, 4)

    doc = {
        "flask_file": str(flask_file),
        "python": sys.version.split()[0],
        "seconds": round(time.perf_counter() - start, 3),
        "results": results,
        "timings": timings,
    }
    Path(out_file).write_text(json.dumps(doc, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
