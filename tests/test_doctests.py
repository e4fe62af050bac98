"""The examples in the domain core's docstrings run, so the documentation stays true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import toc

MODULES = sorted(info.name for info in pkgutil.walk_packages(toc.__path__, "toc."))


def test_the_core_has_docstring_examples() -> None:
    examples = sum(
        len(test.examples)
        for name in MODULES
        for test in doctest.DocTestFinder().find(importlib.import_module(name))
    )
    assert examples >= 10


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
