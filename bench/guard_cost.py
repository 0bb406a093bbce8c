"""What cross-origin protection and security headers cost a request.

The ``form_guarded`` workload (the urlencoded form, with the headers a
browser sends with a form of the app's own page) is sent to the form app
with ``CROSS_ORIGIN_PROTECTION`` and ``SECURITY_HEADERS`` off and on, in
this process, on this project only, interleaved in rounds; the cost is the
median over the rounds of ``time(on) / time(off) - 1``. Run it with the
project's virtualenv::

    .venv/bin/python bench/guard_cost.py [--rounds 30] [--seconds 0.2]

``--instructions`` counts instructions under valgrind's callgrind instead
of timing (repeatable on a busy machine): each app is run for N and 3N
requests in a fresh process, and the difference divided by 2N is the
count per request.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from apps import flask_app  # noqa: E402
from worker import Prepared  # noqa: E402
from workloads import BY_NAME  # noqa: E402

#: The app with the two settings off, and on.
PAIR = ("form", "form_guarded")


def prepared(name: str) -> Prepared:
    p = Prepared(BY_NAME["form_guarded"], flask_app.APPS[name]())
    error = p.validate()["error"]
    if error:
        raise SystemExit(f"{name} answered wrongly: {error}")
    return p


def timed(rounds: int, seconds: float) -> None:
    base, guarded = (prepared(name) for name in PAIR)
    n = base.calibrate(seconds)
    costs, per_request = [], []
    for r in range(rounds):
        order = (base, guarded) if r % 2 else (guarded, base)
        times = [p.run(n)[1] for p in order]  # CPU seconds
        off, on = times if order[0] is base else times[::-1]
        costs.append(on / off - 1)
        per_request.append(off / n)
    q1, median, q3 = statistics.quantiles(costs, n=4, method="inclusive")
    us = statistics.median(per_request) * 1e6
    print(f"off: {us:.1f} us per request (CPU), {n} requests x {rounds} rounds")
    print(f"on: {median:+.1%} of a request (quartiles {q1:+.1%} to {q3:+.1%})")


def _count(name: str, n: int) -> int:
    out = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--run",
            name,
            str(n),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    ).stderr
    return int(re.search(r"Collected : ([\d,]+)", out)[1].replace(",", ""))  # type: ignore[index]


def instructions(n: int) -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    counts = {name: (_count(name, 3 * n) - _count(name, n)) / (2 * n) for name in PAIR}
    base, guarded = counts["form"], counts["form_guarded"]
    print(f"off: {base:,.0f} instructions per request")
    print(
        f"on: {guarded:,.0f} ({guarded - base:+,.0f},"
        f" {guarded / base - 1:+.1%} of a request)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=0.2)
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--run", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        import gc

        gc.disable()  # collections fall at other places in the two runs
        name, n = args.run
        prepared(name).run(int(n))
    elif args.instructions:
        instructions(args.requests)
    else:
        timed(args.rounds, args.seconds)


if __name__ == "__main__":
    main()
