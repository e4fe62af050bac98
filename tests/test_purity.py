"""The domain core imports only the standard library, pydantic, networkx and msgspec."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import toc

# msgspec: the fast reader of valid toc/1 bytes and the report writer (docs/performance.md).
ALLOWED_THIRD_PARTY = {"pydantic", "networkx", "msgspec"}
# The CLI is the shell around all three packages: it may reach the map and the service,
# but only inside the commands that need them (tests/test_cli.py proves `toc check` stays pure).
SHELL = {"cli.py"}


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_domain_core_imports_no_service_orm_or_map_library() -> None:
    root = Path(toc.__file__).parent
    stdlib = set(sys.stdlib_module_names)
    offenders = {}
    for path in sorted(root.rglob("*.py")):
        if path.name in SHELL and path.parent == root:
            continue
        foreign = _top_level_imports(path) - stdlib - ALLOWED_THIRD_PARTY - {"toc", "__future__"}
        if foreign:
            offenders[str(path.relative_to(root))] = sorted(foreign)
    assert offenders == {}
