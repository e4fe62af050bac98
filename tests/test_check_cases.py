"""Data-driven cases for every check: each names the subjects one check must report."""

from __future__ import annotations

import pytest

from toc.checks.cases import CheckCase, case_findings, finding_subject, load_cases
from toc.checks.catalogue import all_checks

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.name}")
def test_check_case(case: CheckCase) -> None:
    # A portfolio case (several models) is checked as a portfolio (SPEC §6).
    findings = case_findings(case)
    assert sorted(finding_subject(f.subject, f.indicator) for f in findings) == sorted(case.expect)
    if case.expect_groups is not None:
        assert [list(f.nodes or ()) for f in findings] == case.expect_groups
    if case.expect_pushers is not None:
        assert [f.pushers for f in findings] == case.expect_pushers
    if case.expect_messages is not None:
        assert [f.message for f in findings] == case.expect_messages
    if case.expect_loops is not None:
        assert [f.loop for f in findings] == case.expect_loops


@pytest.mark.parametrize("check", all_checks(), ids=lambda c: c.code)
def test_every_check_has_passing_and_failing_cases(check) -> None:
    mine = [c for c in CASES if c.code == check.code]
    assert any(c.passes for c in mine), f"{check.code} has no passing case"
    assert any(not c.passes for c in mine), f"{check.code} has no failing case"
    assert [c.doc for c in mine].count("fail") == 1, f"{check.code}: one case must be doc=fail"
    assert [c.doc for c in mine].count("pass") == 1, f"{check.code}: one case must be doc=pass"
    for case in mine:
        if case.doc == "fail":
            assert not case.passes
        if case.doc == "pass":
            assert case.passes


@pytest.mark.parametrize("check", all_checks(), ids=lambda c: c.code)
def test_every_check_pins_a_message(check) -> None:
    mine = [c for c in CASES if c.code == check.code]
    assert any(c.expect_messages for c in mine), f"{check.code} pins no message"


def test_case_names_are_unique_per_check() -> None:
    seen = [(c.code, c.name) for c in CASES]
    assert len(seen) == len(set(seen))
