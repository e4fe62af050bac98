"""The examples in the docstrings of the core and of the web layer run, so the docs stay true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import toc
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
