"""The same model gives the same findings in the same order, every run, in every process."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from services.clock import today
from toc.document import load_json, parse_document
from toc.report import check

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.json"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_two_runs_in_separate_processes_print_the_same_report(example: Path) -> None:
    # Different hash seeds change the iteration order of every set and str-keyed hash;
    # the report must not depend on it.
    outputs = []
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", "check", str(example), "--format", "json"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=False,
        )
        assert result.returncode in (0, 1), result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["findings"], "each example shows some findings"


def test_findings_are_ordered_by_severity_code_and_subject() -> None:
    report = check(load_json(EXAMPLES[-1].read_text()), as_of=today())
    rank = {"error": 0, "warning": 1, "info": 2}
    keys = [(rank[f.severity.value], f.code, f.subject) for f in report.findings]
    assert keys == sorted(keys)


def test_reordering_nodes_and_links_does_not_change_which_findings_are_reported() -> None:
    document = json.loads(EXAMPLES[-1].read_text())
    before = check(parse_document(document), as_of=today()).to_dict()
    rng = random.Random(4)
    rng.shuffle(document["nodes"])
    rng.shuffle(document["links"])
    after = check(parse_document(document), as_of=today()).to_dict()

    def subjects(report):
        return [(f["code"], f["initiative"], f["node"], f["link"]) for f in report["findings"]]

    assert subjects(after) == subjects(before)
    assert after["metrics"] == before["metrics"]
