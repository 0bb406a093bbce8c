"""The frameworks under test and the cached virtualenvs they run in.

This project and Flask 3.1 both install as ``flask``, so they never share a
virtualenv: ``ours`` has this project installed in editable mode with its
``asgi`` extra (it follows the working tree), ``flask31`` has Flask 3.1.3
from PyPI with asgiref (for its async views, and ``WsgiToAsgi`` under the
ASGI servers), ``refs`` has Bottle, Falcon and Werkzeug, and ``asgirefs``
has Starlette and Quart, the references of the ASGI part (their current
releases need Python 3.11). The libraries they have in common are pinned to
the versions ``ours`` resolved, so every framework runs on the same
Werkzeug, Jinja and ItsDangerous, and the same servers. Every virtualenv
has the servers of the end-to-end benchmark: gunicorn, granian (pinned: its
wheels cover CPython 3.10 to 3.14 on Linux x86_64) and uvicorn with uvloop
and httptools (``uvicorn[standard]``, pinned). Each virtualenv is rebuilt
only when what it should contain changes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENVS = Path(os.environ.get("FLASK_BENCH_VENVS", BENCH / ".venvs"))
#: The reference version this project is measured against.
FLASK_REFERENCE = "3.1.3"
#: The granian release the end-to-end benchmark runs under.
GRANIAN = "2.8.9"
#: The uvicorn release the ASGI part runs under (with uvloop and httptools).
UVICORN = "0.54.0"
#: The ASGI references.
STARLETTE = "1.10.0"
QUART = "0.22.0"
#: Bumped when a cached virtualenv must be rebuilt for a reason its
#: requirements do not show (a new layout, a changed install step).
SPEC_FORMAT = 2
#: Libraries every virtualenv pins to the versions installed in ``ours``.
SHARED = (
    "Werkzeug",
    "Jinja2",
    "MarkupSafe",
    "itsdangerous",
    "blinker",
    "click",
    "asgiref",
    "gunicorn",
    "granian",
    "uvicorn",
    "uvloop",
    "httptools",
    "h11",
)


@dataclass(frozen=True)
class Framework:
    """One column of the results."""

    key: str
    label: str
    venv: str
    app_module: str
    #: The distributions whose versions the report lists for it.
    dists: tuple[str, ...]
    #: For the ASGI part: what the ASGI servers load from ``serve_asgi``
    #: (``app``, the application the module builds, or ``app.asgi``).
    asgi_entry: str = ""


_FLASK_DISTS = ("Flask", *SHARED)
_LIBS = ("Jinja2", "MarkupSafe", "itsdangerous", "gunicorn", "granian")
FRAMEWORKS: tuple[Framework, ...] = (
    Framework("ours", "ours", "ours", "apps.flask_app", _FLASK_DISTS),
    Framework(
        "flask31", f"Flask {FLASK_REFERENCE}", "flask31", "apps.flask_app", _FLASK_DISTS
    ),
    Framework(
        "werkzeug", "Werkzeug", "refs", "apps.werkzeug_app", ("Werkzeug", *_LIBS)
    ),
    Framework("bottle", "Bottle", "refs", "apps.bottle_app", ("bottle", *_LIBS)),
    Framework("falcon", "Falcon", "refs", "apps.falcon_app", ("falcon", *_LIBS)),
    Framework("wsgi", "bare WSGI", "refs", "apps.wsgi_app", _LIBS),
)
BY_KEY = {f.key: f for f in FRAMEWORKS}

_ASGI_SERVERS = ("uvicorn", "uvloop", "httptools", "granian")
_ASGI_FLASK_DISTS = ("Flask", "Werkzeug", "asgiref", *_ASGI_SERVERS)
#: The frameworks of the ASGI part, each served by the ASGI servers of
#: ``asgi_e2e.py`` (a key names the same virtualenv as in FRAMEWORKS).
ASGI_FRAMEWORKS: tuple[Framework, ...] = (
    Framework(
        "ours",
        "ours (app.asgi)",
        "ours",
        "apps.flask_app",
        (*_ASGI_FLASK_DISTS, "greenlet"),
        "app.asgi",
    ),
    Framework(
        "flask31",
        f"Flask {FLASK_REFERENCE} (WsgiToAsgi)",
        "flask31",
        "apps.flask_wsgi_to_asgi",
        _ASGI_FLASK_DISTS,
        "app",
    ),
    Framework(
        "starlette",
        "Starlette",
        "asgirefs",
        "apps.starlette_app",
        ("starlette", "anyio", *_ASGI_SERVERS),
        "app",
    ),
    Framework(
        "quart",
        "Quart",
        "asgirefs",
        "apps.quart_app",
        ("Quart", "Flask", "Werkzeug", *_ASGI_SERVERS),
        "app",
    ),
)
ASGI_BY_KEY = {f.key: f for f in ASGI_FRAMEWORKS}

#: What ``pip install`` gets in each virtualenv.
_SERVERS = ["gunicorn", f"granian=={GRANIAN}", f"uvicorn[standard]=={UVICORN}"]
REQUIREMENTS: dict[str, list[str]] = {
    "ours": ["-e", f"{ROOT}[asgi]", "asgiref", *_SERVERS],
    "flask31": [f"Flask=={FLASK_REFERENCE}", "asgiref", *_SERVERS],
    "refs": ["bottle", "falcon", "Werkzeug", "Jinja2", "itsdangerous", *_SERVERS],
    # Quart depends on Flask: the reference release, from PyPI.
    "asgirefs": [
        f"starlette=={STARLETTE}",
        f"Quart=={QUART}",
        f"Flask=={FLASK_REFERENCE}",
        *_SERVERS,
    ],
}


class VenvError(Exception):
    """A virtualenv could not be created, usually because PyPI is out of reach."""


#: Variables that would change what a child Python imports or how fast: with
#: PYTHONDONTWRITEBYTECODE an editable install recompiles on every import.
_UNWANTED_ENV = {
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONDONTWRITEBYTECODE",
    "VIRTUAL_ENV",
    # The servers' own settings: only their command lines configure them.
    "GUNICORN_CMD_ARGS",
    "WEB_CONCURRENCY",
}
_UNWANTED_PREFIXES = ("FLASK_", "GRANIAN_", "UVICORN_")


def clean_env() -> dict[str, str]:
    """The environment for child Pythons: nothing that changes what they import."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _UNWANTED_ENV and not k.startswith(_UNWANTED_PREFIXES)
    }
    env["PYTHONHASHSEED"] = "0"
    return env


def python(venv: str) -> Path:
    return VENVS / venv / "bin" / "python"


def _run(cmd: list[str], what: str) -> str:
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=900, env=clean_env()
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise VenvError(f"{what}: {e}") from e
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise VenvError(f"{what} failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


def _shared_versions() -> str:
    """Pins for the shared libraries, read from the ``ours`` virtualenv."""
    code = (
        "import importlib.metadata as m, sys\n"
        "for n in sys.argv[1:]:\n"
        "    try: print(f'{n}=={m.version(n)}')\n"
        "    except m.PackageNotFoundError: pass\n"
    )
    return _run([str(python("ours")), "-c", code, *SHARED], "reading ours' versions")


def _project_requirements() -> str:
    """What this project asks pip for: a change means reinstalling ``ours``."""
    data = (ROOT / "pyproject.toml").read_bytes()
    try:
        import tomllib
    except ImportError:  # Python 3.10: any change to the file counts.
        return hashlib.sha256(data).hexdigest()
    project = tomllib.loads(data.decode()).get("project", {})
    keys = ("name", "version", "dependencies", "optional-dependencies", "scripts")
    return json.dumps({k: project.get(k) for k in keys}, sort_keys=True)


def _spec(venv: str) -> dict[str, object]:
    base = getattr(sys, "_base_executable", sys.executable)
    spec: dict[str, object] = {
        "format": SPEC_FORMAT,
        "python": sys.version,
        # The same interpreter reached through python3, python3.11 or a venv.
        "base": os.path.realpath(base),
        "requirements": REQUIREMENTS[venv],
    }
    if venv == "ours":
        spec["project"] = _project_requirements()
    else:
        spec["constraints"] = _shared_versions()
    return spec


class Lease:
    """Use of the virtualenvs for one run, safe against concurrent runs.

    A test suite and a developer may run the benchmark at the same time, and
    rebuilding a virtualenv under a running worker would make it import the
    wrong ``flask``. So the lock is exclusive while virtualenvs are checked
    or built (:meth:`ensure`), then shared for the rest of the run
    (:meth:`share`): a run that needs a rebuild waits for the others to end.
    """

    def __enter__(self) -> Lease:
        VENVS.mkdir(parents=True, exist_ok=True)
        self._file = open(VENVS / ".lock", "w")
        fcntl.flock(self._file, fcntl.LOCK_EX)
        return self

    def ensure(self, venv: str) -> Path:
        """Create or reuse the virtualenv *venv*, and return its Python.

        ``ours`` comes first: the others are pinned to its versions.

        :raises VenvError: when it cannot be created.
        """
        return _ensure(venv)

    def share(self) -> None:
        fcntl.flock(self._file, fcntl.LOCK_SH)

    def __exit__(self, *exc_info: object) -> None:
        self._file.close()


def _ensure(venv: str) -> Path:
    path = VENVS / venv
    marker = path / "bench-venv.json"
    spec = _spec(venv)
    if python(venv).exists() and marker.exists():
        try:
            if json.loads(marker.read_text()) == spec:
                return python(venv)
        except ValueError:
            pass
    print(f"[bench] creating virtualenv {path} ...", file=sys.stderr, flush=True)
    shutil.rmtree(path, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(path)], f"creating {path}")
    cmd = [str(python(venv)), "-m", "pip", "install", "--quiet"]
    cmd += ["--disable-pip-version-check", *REQUIREMENTS[venv]]
    constraints = spec.get("constraints")
    if isinstance(constraints, str) and constraints.strip():
        pins = path / "constraints.txt"
        pins.write_text(constraints)
        cmd += ["-c", str(pins)]
    try:
        _run(cmd, f"installing {' '.join(REQUIREMENTS[venv])} into {path}")
    except VenvError:
        shutil.rmtree(path, ignore_errors=True)
        raise
    marker.write_text(json.dumps(spec))
    return python(venv)
