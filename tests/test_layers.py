"""The import graph is the architecture: toc ← services ← api | web ← app.

The REST adapter (`api`) and the pages (`web`) stand side by side on the services: neither
imports the other, and nothing imports upward.

Every import of every module counts, at the top or inside a function: a lazy import is still a
dependency. There are no exemptions.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("toc", "services", "api", "web", "app")  # lowest first
# What each layer may import of the project besides itself: only what stands below it.
BELOW: dict[str, frozenset[str]] = {
    "toc": frozenset(),
    "services": frozenset({"toc"}),
    "api": frozenset({"toc", "services"}),
    "web": frozenset({"toc", "services"}),
    "app": frozenset({"toc", "services", "api", "web"}),
}
# The service layer knows nothing of HTTP or HTML: those are its two faces' business.
FACE_LIBRARIES = frozenset({"fastapi", "starlette", "jinja2", "pyvis"})
# The third-party libraries the domain core may use (besides the standard library).
CORE_THIRD_PARTY = frozenset({"pydantic", "networkx", "msgspec", "orjson", "numpy", "scipy"})


def imported_packages(source: str) -> set[str]:
    """The top-level package of every absolute import in `source`, wherever it stands."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and _dynamic_import(node):
            names.add(node.args[0].value.split(".")[0])  # type: ignore[attr-defined]
    return names


def _dynamic_import(call: ast.Call) -> bool:
    """`importlib.import_module("x")` or `__import__("x")` with a literal name."""
    func = call.func
    named = (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id in ("import_module", "__import__")
    )
    return (
        named
        and bool(call.args)
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    )


def layer_violations(layer: str, source: str) -> list[str]:
    """What a module of `layer` imports that its layer may not: a layer above or beside it,
    (for the domain core) a third-party library outside `CORE_THIRD_PARTY`, or (for the
    services) a web framework or template library."""
    others = set(LAYERS) - {layer} - BELOW[layer]
    imported = imported_packages(source)
    bad = sorted(imported & others)
    if layer == "services":
        bad += sorted(imported & FACE_LIBRARIES)
    if layer == "toc":
        allowed = set(sys.stdlib_module_names) | CORE_THIRD_PARTY | {"toc", "__future__"}
        bad += sorted(imported - allowed - others)
    return bad


def _modules() -> list[tuple[str, Path]]:
    return [(layer, path) for layer in LAYERS for path in sorted((ROOT / layer).rglob("*.py"))]


def test_every_layer_has_modules() -> None:
    found = {layer for layer, _ in _modules()}
    assert found == set(LAYERS)


@pytest.mark.parametrize(
    ("layer", "path"),
    _modules(),
    ids=[str(path.relative_to(ROOT)) for _, path in _modules()],
)
def test_no_module_imports_upward(layer: str, path: Path) -> None:
    assert layer_violations(layer, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("layer", "source", "offender"),
    [
        ("toc", "def f():\n    from services import models\n", "services"),
        ("toc", "from api.deps import SessionDep\n", "api"),
        ("toc", "import web.map\n", "web"),
        ("toc", "import fastapi\n", "fastapi"),
        ("toc", "import importlib\nimportlib.import_module('app.cli')\n", "app"),
        ("api", "def f():\n    import web.map\n", "web"),
        ("api", "from app.main import create_app\n", "app"),
        ("web", "def f():\n    from app import cli\n", "app"),
        ("web", "from api.deps import SessionDep\n", "api"),
        ("web", "def f():\n    from api import API_PREFIX\n", "api"),
        ("api", "from web.map import render_map_html\n", "web"),
        ("services", "from api.problems import ApiProblem\n", "api"),
        ("services", "from web.render import render\n", "web"),
        ("services", "from fastapi import Request\n", "fastapi"),
    ],
)
def test_an_upward_or_foreign_import_is_caught(layer: str, source: str, offender: str) -> None:
    assert offender in layer_violations(layer, source)


@pytest.mark.parametrize(
    ("layer", "source"),
    [
        ("toc", "import json\nimport networkx\nfrom pydantic import BaseModel\n"),
        ("services", "from toc.model import Node\nimport sqlmodel\n"),
        ("api", "from toc.model import Node\nfrom services import store\nimport fastapi\n"),
        ("web", "from services import models\nimport jinja2\n"),
        ("app", "def f():\n    from web.routes import router\n    import api\n"),
    ],
)
def test_a_downward_import_is_allowed(layer: str, source: str) -> None:
    assert layer_violations(layer, source) == []
