"""The package's import layering (STYLE.md section 2), checked with ast.

A module may import at module level only from modules earlier in LAYERS.
Imports inside functions are allowed only for the lazily loaded modules
(testing, debughelpers), for the CLI's discovery of the Flask class, and
for optional third-party dependencies. Nothing under sansio/ may touch the
request globals.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import flask

PACKAGE = Path(flask.__file__).parent

LAYERS = [
    "_async",
    "typing",
    "signals",
    "globals",
    "_routing",
    "config",
    "json.provider",
    "json",
    "json.tag",
    "logging",
    "helpers",
    "wrappers",
    "sessions",
    "ctx",
    "templating",
    "_coerce",
    "sansio",
    "sansio._registry",
    "sansio._plan",
    "sansio.scaffold",
    "sansio.app",
    "sansio.blueprints",
    "_cross_origin",
    "_security_headers",
    "_discovery",
    "_clitypes",
    "_uvicorn",
    "_checks",
    "_builtin_checks",
    "cli",
    "_devserver",
    "_bridge",
    "asgi",
    "_websocket",
    "testing",
    "app",
    "blueprints",
    "views",
    "debughelpers",
    "__init__",
    "__main__",
]

# _async imports asyncio, which import flask does not need until an async
# view runs; _bridge, asgi and _websocket need the optional greenlet and are
# loaded when the app is first served over ASGI; _builtin_checks only when
# flask check runs; cli (and click with it), _checks and _devserver when
# app.cli, app.check or app.run are first used.
LAZY_TARGETS = {
    "testing",
    "debughelpers",
    "_async",
    "_bridge",
    "asgi",
    "_websocket",
    "_builtin_checks",
    "cli",
    "_checks",
    "_devserver",
}
REQUEST_GLOBALS = {"request", "session", "g", "current_app"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)

    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()

    return ".".join(parts)


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The package-relative name a relative import refers to."""
    package = module.split(".") if module not in {"__init__", "__main__"} else []

    # A module's own package is everything but its last part, except for
    # packages (json, sansio), which are their own package.
    if (PACKAGE / module.replace(".", "/") / "__init__.py").exists():
        base = package
    else:
        base = package[:-1]

    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    target = ".".join([*base, node.module] if node.module else base)
    return target or "__init__"


def _imports(tree: ast.Module):
    """Yield (relative ImportFrom node, is_module_level, in_type_checking)."""

    def visit(node: ast.AST, module_level: bool, type_checking: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ImportFrom) and child.level > 0:
                yield child, module_level, type_checking
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(
                child.test
            ):
                yield from visit(child, module_level, True)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield from visit(child, False, type_checking)
            else:
                yield from visit(child, module_level, type_checking)

    yield from visit(tree, True, False)


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_the_layer_table():
    names = {_module_name(p) for p in MODULES}
    assert names <= set(LAYERS), f"add to LAYERS: {sorted(names - set(LAYERS))}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_imports_follow_the_layers(path: Path):
    module = _module_name(path)
    rank = LAYERS.index(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))

    for node, module_level, type_checking in _imports(tree):
        target = _resolve(module, node)

        # "from . import typing" names a submodule, not the package.
        if target == "__init__" and node.names:
            target = node.names[0].name

        if type_checking or target not in LAYERS:
            continue

        if module_level:
            assert LAYERS.index(target) < rank, (
                f"{module} imports {target} at line {node.lineno}, which is"
                " not above it in the layer table"
            )
        else:
            allowed = target in LAZY_TARGETS or (
                module in {"cli", "_discovery"} and target == "app"
            )
            assert allowed, (
                f"{module} imports {target} inside a function at line"
                f" {node.lineno}; only LAZY_TARGETS and the CLI's app"
                " discovery may be imported lazily"
            )


@pytest.mark.parametrize(
    "path",
    sorted((PACKAGE / "sansio").glob("*.py")),
    ids=lambda p: _module_name(p),
)
def test_sansio_never_touches_request_globals(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))

    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and "globals" in node.module
        ):
            names = {alias.name for alias in node.names}
            assert not names & REQUEST_GLOBALS, (
                f"{path.name} imports {names & REQUEST_GLOBALS} from globals"
            )
