"""Cost of an async view relative to a sync view, in one process.

Calls the WSGI app directly (no server, no test client) with a GET for a
view that returns a short string, written as ``def`` and as ``async def``,
and reports the median cost per request of each and their ratio. Rounds
alternate between the views so drift affects both alike.

Cost is CPU time of the whole process (all threads: Flask runs async
views in another thread), which stays meaningful on a busy machine; the
wall-clock figures are printed beside it.

    python bench/async_ratio.py                  # the flask importable here
    python bench/async_ratio.py --python python3 # also another interpreter

With ``--python``, the script runs again under that interpreter (for
example one with Flask 3.1 installed). If asgiref is missing there, the
asgiref installed here is put on its path, alone, so Flask's async views
can run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t


def measure(rounds: int, requests: int) -> dict[str, t.Any]:
    import asyncio

    import flask
    from werkzeug.test import create_environ

    app = flask.Flask("bench_async")

    @app.route("/sync")
    def sync_view() -> str:
        return "hello"

    @app.route("/async")
    async def async_view() -> str:
        return "hello"

    @app.route("/async-await")
    async def async_await_view() -> str:
        await asyncio.sleep(0)
        return "hello"

    def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> t.Any:
        return None

    environs = {
        name: create_environ(path)
        for name, path in {
            "sync": "/sync",
            "async": "/async",
            "async_await": "/async-await",
        }.items()
    }

    def one_round(environ: dict[str, t.Any]) -> tuple[float, float]:
        start_cpu = time.process_time()
        start_wall = time.perf_counter()

        for _ in range(requests):
            body = app(environ.copy(), start_response)

            for _chunk in body:
                pass

            if hasattr(body, "close"):
                body.close()

        return (
            (time.process_time() - start_cpu) / requests * 1e6,
            (time.perf_counter() - start_wall) / requests * 1e6,
        )

    for environ in environs.values():
        assert b"".join(app(environ.copy(), start_response)) == b"hello"
        one_round(environ)  # warm up

    cpu: dict[str, list[float]] = {name: [] for name in environs}
    wall: dict[str, list[float]] = {name: [] for name in environs}

    for _ in range(rounds):
        for name, environ in environs.items():
            cpu_us, wall_us = one_round(environ)
            cpu[name].append(cpu_us)
            wall[name].append(wall_us)

    result: dict[str, t.Any] = {
        "flask": os.path.dirname(flask.__file__),
        "python": sys.version.split()[0],
    }

    for clock, samples in (("cpu", cpu), ("wall", wall)):
        us = {name: statistics.median(values) for name, values in samples.items()}
        result[clock] = {
            "us_per_request": {name: round(value, 1) for name, value in us.items()},
            "ratio_async": round(us["async"] / us["sync"], 2),
            "ratio_async_await": round(us["async_await"] / us["sync"], 2),
        }

    return result


def _run_under(python: str, rounds: int, requests: int) -> dict[str, t.Any]:
    env = dict(os.environ)
    check = subprocess.run(
        [python, "-c", "import asgiref"], env=env, capture_output=True
    )

    with tempfile.TemporaryDirectory() as tmp:
        if check.returncode != 0:
            import asgiref

            os.symlink(os.path.dirname(asgiref.__file__), os.path.join(tmp, "asgiref"))
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (tmp, env.get("PYTHONPATH")) if p
            )

        out = subprocess.run(
            [
                python,
                __file__,
                "--json",
                f"--rounds={rounds}",
                f"--requests={requests}",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )

    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--python", action="append", default=[])
    parser.add_argument("--json", action="store_true", help="print only JSON")
    args = parser.parse_args()
    results = [measure(args.rounds, args.requests)]

    if args.json:
        print(json.dumps(results[0]))
        return

    for python in args.python:
        results.append(_run_under(python, args.rounds, args.requests))

    for result in results:
        print(f"{result['flask']} (Python {result['python']})")

        for clock in ("cpu", "wall"):
            r = result[clock]
            us = r["us_per_request"]
            print(
                f"  {clock:4}: sync {us['sync']} us, async {us['async']} us"
                f" ({r['ratio_async']}x), async+await {us['async_await']} us"
                f" ({r['ratio_async_await']}x)"
            )


if __name__ == "__main__":
    main()
