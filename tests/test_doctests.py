"""The examples in the docstrings of the core and of the web layer run, so the docs stay true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import toc
import toc.algorithms
import web

CORE = sorted(info.name for info in pkgutil.walk_packages(toc.__path__, "toc."))
WEB = sorted(info.name for info in pkgutil.walk_packages(web.__path__, "web."))
MODULES = CORE + WEB


def _examples(names: list[str]) -> int:
    return sum(
        len(test.examples)
        for name in names
        for test in doctest.DocTestFinder().find(importlib.import_module(name))
    )


def test_the_core_has_docstring_examples() -> None:
    assert _examples(CORE) >= 10


def test_the_web_layer_has_docstring_examples() -> None:
    assert "web.map.layout" in WEB
    assert _examples(WEB) >= 5


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"


ALGORITHMS = sorted(
    info.name for info in pkgutil.walk_packages(toc.algorithms.__path__, "toc.algorithms.")
)


def test_the_algorithms_are_split_by_concern() -> None:
    assert {
        "toc.algorithms.reach",
        "toc.algorithms.bitsets",
        "toc.algorithms.components",
        "toc.algorithms.signs",
        "toc.algorithms.evidence",
    } <= set(ALGORITHMS)


@pytest.mark.parametrize("name", ALGORITHMS)
def test_every_algorithm_shows_an_example_that_holds(name: str) -> None:
    # networkx's habit: each public function of an algorithm module runs its own example.
    module = importlib.import_module(name)
    tests = {test.name.rsplit(".", 1)[-1]: test for test in doctest.DocTestFinder().find(module)}
    for public in module.__all__:
        if callable(getattr(module, public)):
            assert tests.get(public) and tests[public].examples, f"{name}.{public} has no example"
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
