"""Indicator kinds inferred from names: SPEC §1's rules, order and word matching."""

from __future__ import annotations

import pytest

from toc.indicators import infer_measures


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Number of students reaching proficiency", "outcome"),  # outcome is tried first
        ("Changes in school attendance", "change"),  # change before count
        ("State ELA assessments", "outcome"),  # plural
        ("Grade 3 ASSESSMENT results", "outcome"),  # case
        ("Four-year graduation rate", "outcome"),
        ("Increase in students' academic talk", "change"),
        ("Improved questioning in observed lessons", "change"),
        ("Units on pace", "fidelity"),
        ("Curriculum implemented with fidelity", "fidelity"),
        ("Walkthrough checklists completed", "fidelity"),  # fidelity before count
        ("# of coaching cycles", "count"),
        ("85% of teachers trained", "count"),
        ("PD sessions held", "count"),
        ("Coaching cycles logged", "count"),
        ("Workbooks distributed", "count"),
        ("Posts blogged", None),  # whole words only
        ("Reassessment window", None),  # "reassessment" is not the word "assessment"
        ("Teacher reflection", None),
    ],
)
def test_inference(name: str, expected: str | None) -> None:
    measures = infer_measures(name)
    assert (measures.value if measures else None) == expected
