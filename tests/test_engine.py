"""The engine: its analyses are computed once per engine, and it judges by the day it is given."""

from __future__ import annotations

import datetime

import pytest

from toc.document import parse_document
from toc.engine import Engine, analysis

DAY = datetime.date(2026, 3, 1)


def _model():
    return parse_document(
        {
            "id": "m",
            "title": "M",
            "nodes": [
                {"id": "i", "level": "system", "kind": "initiative", "title": "I"},
                {"id": "o", "level": "student", "kind": "outcome", "title": "O"},
            ],
            "links": [{"from": "i", "to": "o"}],
        }
    )


def test_an_analysis_is_computed_once_per_engine() -> None:
    calls: list[Engine] = []

    @analysis
    def outcomes_count(engine: Engine) -> int:
        calls.append(engine)
        return len(engine.outcomes)

    first, second = Engine(_model(), as_of=DAY), Engine(_model(), as_of=DAY)
    assert [outcomes_count(first), outcomes_count(first), outcomes_count(second)] == [1, 1, 1]
    assert calls == [first, second]
    assert outcomes_count.__name__ == "outcomes_count"


def test_two_analyses_of_one_name_keep_their_own_results() -> None:
    # Keyed by the function, not by a name: two analyses never read each other's result.
    def make(value: int):
        @analysis
        def found(engine: Engine) -> int:
            return value

        return found

    one, two = make(1), make(2)
    engine = Engine(_model(), as_of=DAY)
    assert (one(engine), two(engine)) == (1, 2)


def test_the_engine_is_given_its_day() -> None:
    assert Engine(_model(), as_of=DAY).as_of == DAY
    with pytest.raises(TypeError, match="as_of"):
        Engine(_model())  # type: ignore[call-arg]
