"""Run one framework's applications in this process, for ``run.py``.

Started by the orchestrator with the Python of the framework's virtualenv::

    python bench/worker.py serve --app-module apps.flask_app
    python bench/worker.py memory --app-module apps.flask_app --mode rss
    python bench/worker.py describe --app-module apps.starlette_app

``serve`` answers one JSON command per line on stdin with one JSON line on
stdout (``setup``, ``calibrate``, ``run``, ``validate``, ``quit``), so that
the orchestrator can interleave the frameworks while each one keeps its
warmed-up applications. Anything the framework prints goes to stderr.
``memory`` measures a fresh process that builds the ``routes300`` application
and handles one request. ``describe`` imports the module and prints what
``setup`` reports about the framework (versions, where it comes from), for
the applications the ASGI servers serve.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import sys
import time
import traceback
import typing as t
from io import BytesIO

from workloads import BY_NAME
from workloads import call
from workloads import cookie_header
from workloads import make_environ
from workloads import verify
from workloads import Workload
from workloads import WORKLOADS

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment

#: Distributions whose versions are worth reporting, when installed.
DISTRIBUTIONS = (
    "Flask",
    "Werkzeug",
    "Jinja2",
    "MarkupSafe",
    "itsdangerous",
    "blinker",
    "click",
    "asgiref",
    "bottle",
    "falcon",
    "gunicorn",
    "granian",
    "uvicorn",
    "uvloop",
    "httptools",
    "greenlet",
    "starlette",
    "anyio",
    "Quart",
    "hypercorn",
)


def _start_response(
    status: str, headers: list[tuple[str, str]], exc_info: object = None
) -> t.Callable[[bytes], object]:
    return _write


def _write(data: bytes) -> None:
    pass


def time_calls(
    app: WSGIApplication, environ: WSGIEnvironment, body: bytes, n: int
) -> tuple[float, float]:
    """Call *app* *n* times the way a WSGI server does.

    Each call gets a copy of the prepared environ with a fresh ``wsgi.input``,
    and the response iterable is consumed and closed. The garbage collector
    stays on, as in a server; it is run once before the clock starts.

    :return: the wall-clock seconds and the CPU seconds of this process (all
        threads), which other processes competing for the cores do not
        inflate.
    """
    copy = environ.copy
    start_response = _start_response
    new_input = BytesIO
    gc.collect()
    cpu_start = time.process_time()
    start = time.perf_counter()
    for _ in range(n):
        env = copy()
        env["wsgi.input"] = new_input(body)
        rv = app(env, start_response)
        for _chunk in rv:
            pass
        close = getattr(rv, "close", None)
        if close is not None:
            close()
    wall = time.perf_counter() - start
    return wall, time.process_time() - cpu_start


class Prepared:
    """A workload's application and its request, built once."""

    def __init__(self, w: Workload, app: WSGIApplication) -> None:
        self.workload = w
        self.app = app
        cookie = ""
        if w.prime_cookies:
            primed = call(app, make_environ(w), w.body)
            cookie = cookie_header(primed.set_cookies)
        self.environ = make_environ(w, cookie)

    def validate(self) -> dict[str, t.Any]:
        """Send the request once and check the response."""
        try:
            rv = call(self.app, self.environ, self.workload.body)
        except Exception:
            return {"available": True, "error": traceback.format_exc()}
        return {
            "available": True,
            "status": rv.status,
            "headers": rv.headers,
            "body": rv.body.decode("latin-1"),
            "error": verify(self.workload, rv.status, rv.headers, rv.body),
        }

    def run(self, n: int) -> tuple[float, float]:
        return time_calls(self.app, self.environ, self.workload.body, n)

    def calibrate(self, seconds: float) -> int:
        """Return how many calls take about *seconds*."""
        n = 1
        while True:
            elapsed = self.run(n)[0]
            if elapsed >= min(seconds / 4, 0.05) or n >= 1 << 24:
                return max(1, round(n * seconds / max(elapsed, 1e-9)))
            n *= 4 if elapsed < seconds / 40 else 2


def describe(app_module: str) -> dict[str, t.Any]:
    """The versions and locations that say what exactly was measured."""
    versions = {}
    for name in DISTRIBUTIONS:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    info: dict[str, t.Any] = {
        "app_module": app_module,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "versions": versions,
    }
    for module in ("flask", "falcon"):
        if module in sys.modules:
            info[f"{module}_file"] = sys.modules[module].__file__
    if "falcon" in sys.modules:
        # Falcon ships Cython-compiled wheels; say whether this one is.
        spec = importlib.util.find_spec("falcon.cyutil.misc")
        origin = (spec and spec.origin) or ""
        info["falcon_compiled"] = origin.endswith((".so", ".pyd"))
    return info


class Server:
    """The ``serve`` command: prepared workloads driven over stdin/stdout."""

    def __init__(self, app_module: str, out: t.TextIO) -> None:
        self.app_module = app_module
        self.out = out
        self.prepared: dict[str, Prepared] = {}
        self.failed: dict[str, str] = {}

    def setup(self) -> dict[str, t.Any]:
        module = importlib.import_module(self.app_module)
        apps = module.APPS
        results: dict[str, t.Any] = {}
        for w in WORKLOADS:
            if w.name not in apps:
                results[w.name] = {"available": False}
                continue
            try:
                self.prepared[w.name] = Prepared(w, apps[w.name]())
            except Exception:
                self.failed[w.name] = traceback.format_exc()
                results[w.name] = {"available": True, "error": self.failed[w.name]}
                continue
            results[w.name] = self.prepared[w.name].validate()
        return {"info": describe(self.app_module), "workloads": results}

    def validate(self) -> dict[str, t.Any]:
        results = {name: p.validate() for name, p in self.prepared.items()}
        return {"workloads": results}

    def handle(self, msg: dict[str, t.Any]) -> dict[str, t.Any]:
        op = msg["op"]
        if op == "setup":
            return self.setup()
        if op == "validate":
            return self.validate()
        if op == "calibrate":
            return {
                "iterations": self.prepared[msg["workload"]].calibrate(msg["seconds"])
            }
        if op == "run":
            wall, cpu = self.prepared[msg["workload"]].run(msg["iterations"])
            return {"seconds": wall, "cpu_seconds": cpu}
        raise ValueError(f"unknown op {op!r}")

    def loop(self, commands: t.TextIO) -> None:
        for line in commands:
            msg = json.loads(line)
            if msg["op"] == "quit":
                break
            try:
                reply = self.handle(msg)
            except Exception:
                reply = {"error": traceback.format_exc()}
            self.out.write(json.dumps(reply) + "\n")
            self.out.flush()


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def memory(app_module: str, mode: str) -> dict[str, t.Any]:
    """Import the framework, build ``routes300`` and handle one request.

    ``tracemalloc`` mode reports the bytes allocated by the import and by the
    application (with its one request) separately; ``rss`` mode reports the
    resident set size, without tracemalloc's own overhead.
    """
    w = BY_NAME["routes300"]
    gc.collect()
    if mode == "tracemalloc":
        import tracemalloc

        tracemalloc.start()
    rss_before = _rss_kib()
    module = importlib.import_module(app_module)
    gc.collect()
    if mode == "tracemalloc":
        imported = tracemalloc.get_traced_memory()[0]
    app = module.APPS[w.name]()
    rv = call(app, make_environ(w), w.body)
    error = verify(w, rv.status, rv.headers, rv.body)
    gc.collect()
    result: dict[str, t.Any] = {"error": error}
    if mode == "tracemalloc":
        total = tracemalloc.get_traced_memory()[0]
        result.update(import_bytes=imported, app_bytes=total - imported)
    else:
        rss = _rss_kib()
        result.update(rss_kib=rss, rss_delta_kib=rss - rss_before)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["serve", "memory", "describe"])
    parser.add_argument("--app-module", required=True)
    parser.add_argument("--mode", choices=["tracemalloc", "rss"], default="rss")
    args = parser.parse_args(argv)
    # The protocol owns the real stdout; the framework's prints go to stderr.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if args.command == "serve":
        Server(args.app_module, out).loop(sys.stdin)
    elif args.command == "describe":
        importlib.import_module(args.app_module)
        out.write(json.dumps(describe(args.app_module)) + "\n")
    else:
        out.write(json.dumps(memory(args.app_module, args.mode)) + "\n")
    out.close()


if __name__ == "__main__":
    main()
