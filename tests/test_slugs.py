"""The one slug rule: any title gives a valid, new id within the length asked for."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from strategies import texts

from toc.model import NODE_ID_PATTERN
from toc.slugs import slug_from_title


@given(texts(max_size=300), st.sets(st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True)))
def test_any_title_gives_a_valid_new_id(title: str, taken: set[str]) -> None:
    slug = slug_from_title(title, taken)
    assert re.fullmatch(NODE_ID_PATTERN, slug)
    assert len(slug) <= 60
    assert slug not in taken


def test_taken_ids_count_up_from_two() -> None:
    taken: set[str] = set()
    for _ in range(4):
        taken.add(slug_from_title("Teacher coaching", taken))
    assert sorted(taken) == [
        "teacher-coaching",
        "teacher-coaching-2",
        "teacher-coaching-3",
        "teacher-coaching-4",
    ]
