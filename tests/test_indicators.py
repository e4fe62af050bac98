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
        # SPEC §1's own examples of the wider vocabulary
        ("Attendance rate, grades K-3", "change"),  # "attendance rate" is tried before count
        ("percent of students screened", "count"),
        ("Chronic absence, grades K-3", "change"),
        ("Student absenteeism", "change"),
        ("Session attendance", "count"),  # a head count of who came, not a rate
        ("Students on track to read by grade 3", "outcome"),
        ("On-track rate, grade 9", "outcome"),
        ("Winter benchmark results", "outcome"),
        ("State test scores, grade 3", "outcome"),
        ("Reading achievement, all students", "outcome"),
        ("Teachers trained in the science of reading", "count"),
        ("Students enrolled in tutoring", "count"),
        ("Reading coaches hired", "count"),
        ("Family participation in literacy nights", "count"),
        ("Screener coverage", "count"),
        ("Number of students meeting the spring benchmark", "outcome"),  # outcome first
        ("Increase in students screened on time", "change"),  # change before count
        # The outcome words SPEC §1 added in toc 0.2
        ("Seniors graduating on time", "outcome"),
        ("Share of graduates enrolled in college", "outcome"),  # outcome before count
        ("Grade 8 scores on the Algebra I end-of-course exam", "outcome"),
        ("Number of students graduating", "outcome"),  # outcome before count
        ("Students who graduate", None),  # "graduates" and "graduating" are the words
        ("Scores of coaching visits logged", "count"),  # "scores on", not "scores"
        ("Posts blogged", None),  # whole words only
        ("Reassessment window", None),  # "reassessment" is not the word "assessment"
        ("Teacher reflection", None),
    ],
)
def test_inference(name: str, expected: str | None) -> None:
    measures = infer_measures(name)
    assert (measures.value if measures else None) == expected
