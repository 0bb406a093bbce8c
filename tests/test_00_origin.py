"""The suite must test this project, not the Flask in the system Python."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import flask

PROJECT = Path(__file__).resolve().parent.parent


def test_flask_is_imported_from_this_project():
    origin = Path(flask.__file__).resolve()
    assert origin.is_relative_to(PROJECT / "src"), (
        f"flask was imported from {origin}, not from this project's src/;"
        " run the tests in the project's virtualenv"
    )


def test_distribution_metadata_is_ours():
    dist = importlib.metadata.distribution("flask")
    files = [str(f) for f in dist.files or ()]
    # An editable or regular install of this project, in the 3.1 series with
    # a purely numeric version that extensions can parse.
    version = dist.version
    assert version.startswith("3.1.")
    assert all(part.isdigit() for part in version.split("."))
    assert files, "the Flask distribution in this environment has no files"
