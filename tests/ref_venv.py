"""The reference virtualenv: the real Flask 3.1.3 from PyPI, built once.

Tests that compare this project with the real Flask (``test_session_compat``,
``differential/``) run code in a separate interpreter where ``flask`` is the
published 3.1.3. The virtualenv lives in ``$FLASK_REF_VENV``, or
``.cache/flask-ref-venv`` at the top of the repository, and is reused while
its ready-marker matches the wanted requirements.

Its dependencies (werkzeug, jinja2, click, itsdangerous, blinker, markupsafe
and the optional asgiref and python-dotenv) are pinned to the versions
installed next to this project, read at run time, so that both sides produce
comparable output. The marker's name carries a digest of those pins: when a
version changes here, the next run installs the new pins in place.

When the virtualenv cannot be built (no package registry), :func:`build`
raises :class:`RefVenvUnavailable`, and :func:`ref_python` turns that into a
``pytest.skip`` with the reason.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import subprocess
import sys
import typing as t
from pathlib import Path

REF_VERSION = "3.1.3"
ROOT = Path(__file__).resolve().parent.parent

#: Distributions pinned in the reference virtualenv to the version installed
#: here. The optional ones are pinned only when they are installed here.
PINNED = (
    "werkzeug",
    "jinja2",
    "click",
    "itsdangerous",
    "blinker",
    "markupsafe",
    "asgiref",
    "python-dotenv",
)


class RefVenvUnavailable(Exception):
    """The reference virtualenv could not be built; the message says why."""


def venv_dir() -> Path:
    """Where the reference virtualenv is (or will be) built."""
    return Path(os.environ.get("FLASK_REF_VENV") or ROOT / ".cache" / "flask-ref-venv")


def venv_python(venv: Path) -> Path:
    if os.name == "nt":  # pragma: no cover
        return venv / "Scripts" / "python.exe"

    return venv / "bin" / "python"


def requirements() -> list[str]:
    """``Flask==3.1.3`` and the pins read from this interpreter."""
    reqs = [f"Flask=={REF_VERSION}"]

    for name in PINNED:
        try:
            reqs.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue

    return reqs


def clean_env() -> dict[str, str]:
    """The environment for the reference interpreter: nothing that would
    make it import this project's modules or another site.
    """
    env = dict(os.environ)

    for key in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"):
        env.pop(key, None)

    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _marker(venv: Path, reqs: list[str]) -> Path:
    digest = hashlib.sha256("\n".join(reqs).encode()).hexdigest()[:12]
    return venv / f".flask-{REF_VERSION}-{digest}-ready"


def _run(step: str, cmd: list[str], timeout: int) -> None:
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=clean_env(), timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise RefVenvUnavailable(
            f"{step} timed out; is the package registry reachable?"
        ) from None
    except OSError as e:
        raise RefVenvUnavailable(f"{step} failed: {e}") from None

    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout or "").strip().splitlines()
        raise RefVenvUnavailable(f"{step} failed: " + " | ".join(lines[-3:]))


def build() -> Path:
    """Return the reference interpreter, building or updating it if needed.

    :raises RefVenvUnavailable: when the virtualenv cannot be built.
    """
    venv = venv_dir()
    python = venv_python(venv)
    reqs = requirements()
    marker = _marker(venv, reqs)

    if marker.exists() and python.exists():
        return python

    try:
        if not python.exists():
            _run(
                "venv creation",
                [sys.executable, "-m", "venv", "--clear", str(venv)],
                timeout=300,
            )

        _run(
            "pip install (is the package registry reachable?)",
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-input",
                "--timeout",
                "30",
                *reqs,
            ],
            timeout=600,
        )
    except RefVenvUnavailable as e:
        raise RefVenvUnavailable(
            f"cannot build the Flask {REF_VERSION} reference virtualenv at {venv}: {e}"
        ) from None

    for old in venv.glob(".flask-*-ready"):
        old.unlink()

    marker.write_text("\n".join(reqs) + "\n")
    return python


def ref_python() -> Path:
    """:func:`build` for tests: skip the calling test when it fails."""
    import pytest

    try:
        return build()
    except RefVenvUnavailable as e:
        pytest.skip(str(e))


def is_reference_file(python: Path, path: str) -> bool:
    """Whether ``path`` (a module's ``__file__`` reported by the reference
    interpreter) lies inside the reference virtualenv.
    """
    return Path(path).resolve().is_relative_to(python.parent.parent.resolve())


def run_python(
    python: Path, args: list[str], **kwargs: t.Any
) -> subprocess.CompletedProcess[str]:
    """Run ``python -I args...`` with the clean environment, text output."""
    kwargs.setdefault("env", clean_env())
    return subprocess.run(
        [str(python), "-I", *args], capture_output=True, text=True, **kwargs
    )
