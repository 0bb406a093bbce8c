"""The API reference (docs/api/*.rst) documents every public name.

A public name is one defined at the top level of a public module (a
function, a class, or an assigned value such as a proxy or a signal) whose
name has no leading underscore, excluding type variables, plus every name
that ``flask`` itself exports. It counts as documented when a directive in
docs/api documents it under its own module, or under ``flask`` when
``flask`` exports the same object.

When this fails after adding a public name, add an ``auto*`` (or
``.. data::``) directive for it to the matching page in docs/api.
"""

from __future__ import annotations
import __future__

import ast
import importlib
import re
import typing
from pathlib import Path

import pytest

import flask

API_DIR = Path(__file__).resolve().parent.parent / "api"

MODULES = [
    "flask.app",
    "flask.blueprints",
    "flask.cli",
    "flask.config",
    "flask.ctx",
    "flask.debughelpers",
    "flask.globals",
    "flask.helpers",
    "flask.json",
    "flask.json.provider",
    "flask.json.tag",
    "flask.logging",
    "flask.sansio.app",
    "flask.sansio.blueprints",
    "flask.sansio.scaffold",
    "flask.sessions",
    "flask.signals",
    "flask.templating",
    "flask.testing",
    "flask.typing",
    "flask.views",
    "flask.wrappers",
]

_DIRECTIVE = re.compile(
    r"^\s*\.\. (?:py:)?(?P<kind>auto\w+|class|function|data|attribute|method"
    r"|exception|decorator|module|currentmodule)::\s+(?P<name>[\w.]+)",
    re.MULTILINE,
)


def documented_names() -> set[str]:
    """Fully qualified names documented by the directives in docs/api."""
    names = set()

    for page in sorted(API_DIR.glob("*.rst")):
        module = None

        for match in _DIRECTIVE.finditer(page.read_text("utf8")):
            kind, name = match["kind"], match["name"]

            if kind in {"module", "currentmodule", "automodule"}:
                module = name
                names.add(name)
            elif kind.startswith("auto") and name.startswith("flask"):
                names.add(name)
            elif module is not None and not name.startswith("flask."):
                names.add(f"{module}.{name}")
            else:
                names.add(name)

    return names


def public_names(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    tree = ast.parse(Path(module.__file__).read_text("utf8"))
    found = []

    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.append(node.name)
        elif isinstance(node, ast.Assign):
            found.extend(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.append(node.target.id)

    return [
        name
        for name in dict.fromkeys(found)
        if not name.startswith("_")
        and not isinstance(getattr(module, name, None), typing.TypeVar)
    ]


DOCUMENTED = documented_names()


def _is_documented(module_name: str, name: str) -> bool:
    if f"{module_name}.{name}" in DOCUMENTED:
        return True

    obj = getattr(importlib.import_module(module_name), name)
    # Documented once under the name users import it by.
    return f"flask.{name}" in DOCUMENTED and getattr(flask, name, None) is obj


@pytest.mark.parametrize("module_name", MODULES)
def test_module_is_documented(module_name: str):
    missing = [
        name
        for name in public_names(module_name)
        if not _is_documented(module_name, name)
    ]
    assert not missing, f"{module_name}: not in docs/api: {missing}"


def test_flask_exports_are_documented():
    exported = [
        name
        for name, obj in vars(flask).items()
        if not name.startswith("_")
        and not isinstance(obj, type(flask) | __future__._Feature)
    ]
    missing = [name for name in exported if f"flask.{name}" not in DOCUMENTED]
    assert not missing, f"flask: not in docs/api: {missing}"


def test_every_public_module_has_a_page():
    for module_name in MODULES:
        assert module_name in DOCUMENTED, f"no '.. module:: {module_name}'"
