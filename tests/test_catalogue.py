"""The catalogue: one family per hundred, each check listed once, nothing registered by import."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import toc.checks
from toc.checks import catalogue
from toc.checks.registry import Check

FAMILY_NAMES = [family.__name__ for family in catalogue.FAMILIES]
CHECK_MODULES = sorted(
    info.name for info in pkgutil.iter_modules(toc.checks.__path__, "toc.checks.")
)


def _checks_in(module_name: str) -> list[Check]:
    module = importlib.import_module(module_name)
    return [value for value in vars(module).values() if isinstance(value, Check)]


def _imported(module_name: str) -> set[str]:
    """The modules a source file imports, at the top or inside a function."""
    path = Path(importlib.import_module(module_name).__file__ or "")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_families_are_the_hundreds_in_order() -> None:
    assert FAMILY_NAMES == [
        "toc.checks.chains",
        "toc.checks.structure",
        "toc.checks.measures",
        "toc.checks.levels",
        "toc.checks.coherence",
        "toc.checks.assumptions",
        "toc.checks.monitoring",
        "toc.checks.references",
    ]


@pytest.mark.parametrize("hundred, family", list(enumerate(FAMILY_NAMES, start=1)))
def test_a_family_holds_only_the_checks_of_its_hundred(hundred: int, family: str) -> None:
    checks = _checks_in(family)
    assert checks, f"{family} holds no check"
    for check in checks:
        assert check.code.startswith(f"TOC{hundred}"), f"{check.code} is in {family}"
        assert check.run.__module__ == family


def test_only_the_families_define_checks() -> None:
    others = [name for name in CHECK_MODULES if name not in FAMILY_NAMES]
    assert "toc.checks.catalogue" in others and "toc.checks.registry" in others
    for name in others:
        defined = [c.code for c in _checks_in(name) if c.run.__module__ == name]
        assert not defined, f"{name} defines {defined}, outside the families"


def test_the_catalogue_lists_each_check_once_in_code_order() -> None:
    listed = [check.code for check in catalogue.CHECKS]
    assert len(listed) == len(set(listed))
    assert listed == sorted(listed)
    assert [check.code for check in catalogue.all_checks()] == listed
    assert catalogue.codes() == frozenset(listed)
    assert catalogue.get("TOC503").name == "duplicate-effort"
    with pytest.raises(KeyError, match="TOC999"):
        catalogue.get("TOC999")


def test_the_catalogue_lists_every_check_a_family_defines() -> None:
    defined = {check.code for family in FAMILY_NAMES for check in _checks_in(family)}
    assert defined == catalogue.codes()


def test_codes_are_unique_within_their_hundred_and_numbered_from_one() -> None:
    by_hundred: dict[str, list[int]] = {}
    for code in sorted(catalogue.codes()):
        by_hundred.setdefault(code[3], []).append(int(code[4:]))
    for numbers in by_hundred.values():
        assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("name", CHECK_MODULES)
def test_nothing_under_the_catalogue_imports_it(name: str) -> None:
    # The catalogue imports the families; a family (or the registry) importing the catalogue
    # back would be the old registry <-> family cycle.
    if name == "toc.checks.catalogue":
        return
    assert "toc.checks.catalogue" not in _imported(name)


def test_the_registry_imports_no_family() -> None:
    assert not set(FAMILY_NAMES) & _imported("toc.checks.registry")
