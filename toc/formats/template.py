"""`toc template`: an empty workbook to plan in, with drop-down lists of the allowed values.

The workbook has the sheets toc reads (`model`, `nodes`, `links`, `indicators`, `evidence`,
`observations`, `chains`), each with its header row frozen, drop-down lists (data
validation) on every column whose values are fixed, and an `instructions` sheet first that
says what goes where, with a worked example. The example sits on the instructions sheet only,
so the empty workbook reads as an empty plan, not as somebody else's.
"""

from __future__ import annotations

import io

from toc.formats.chains import CHAIN_COLUMNS
from toc.formats.xlsx import SHEETS
from toc.model import Kind, Level, LinkType, Measures, Polarity, Status

__all__ = ["write_template", "CHOICES"]

# Each column with fixed values, and those values (SPEC §1).
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("nodes", "level"): tuple(level.value for level in Level),
    ("nodes", "kind"): tuple(kind.value for kind in Kind),
    ("nodes", "status"): tuple(status.value for status in Status),
    ("nodes", "required"): ("true", "false"),
    ("nodes", "essa_tier"): ("1", "2", "3", "4"),
    ("nodes", "decision_verdict"): ("keep", "revise", "stop", "scale"),
    ("model", "scope"): ("state", "district", "school", "network"),
    ("links", "type"): tuple(link_type.value for link_type in LinkType),
    ("links", "polarity"): tuple(polarity.value for polarity in Polarity),
    ("indicators", "measures"): tuple(measures.value for measures in Measures),
    ("evidence", "tier"): ("1", "2", "3", "4"),
    ("checks", "rating"): ("off", "error", "warning", "info"),
}

_TEMPLATE_SHEETS = ("model", "nodes", "links", "indicators", "evidence", "observations", "checks")

_INSTRUCTIONS = [
    ("How to fill in this workbook",),
    ("",),
    ("Each sheet is a table: keep its first row (the column names) and add one row per item.",),
    (
        "Columns with a drop-down list take only its values. Lists in one cell (tags, "
        "assumptions, realizes) are separated by ';'.",
    ),
    (
        "Check the plan with:  toc check plan.xlsx     Turn it into toc/1 JSON:  toc convert "
        "plan.xlsx --to json",
    ),
    ("",),
    (
        "model",
        "One row: the plan's id (lower-case letters, digits, '-'), its title, and "
        "optionally description, scope, org, designations, currency.",
    ),
    (
        "nodes",
        "One row per initiative or change: id, level (system, teacher, student), kind "
        "(initiative, change, outcome), title; an outcome is at the student level.",
    ),
    (
        "links",
        "One row per step of a chain: from and to (node ids), and because: why the "
        "first should produce the second. polarity '-' means it weakens the target.",
    ),
    (
        "indicators",
        "One row per indicator: its node's id, a name, what it measures (count, "
        "fidelity, change, outcome), a baseline and a target.",
    ),
    (
        "evidence",
        "One row per source for a step: the link (its id, or FROM->TO), the citation "
        "and its ESSA tier (1 strong … 4 rationale).",
    ),
    (
        "observations",
        "One row per measured value: node, indicator (its id or name), date (YYYY-MM-DD), value.",
    ),
    (
        "chains",
        "Or write whole chains, one per row, by titles, left to right, with the "
        "because of each step beside it; equal titles are one node.",
    ),
    ("",),
    ("Worked example (not read: copy rows to the sheets named)",),
    ("model", "id: milford-hqi", "title: Milford: a shared picture of high-quality instruction"),
    ("nodes", "hqi-live", "system", "initiative", "HQI Live! week"),
    (
        "nodes",
        "shared-model",
        "teacher",
        "change",
        "Teachers share a model of eliciting evidence of student thinking",
    ),
    (
        "nodes",
        "math-reasoning",
        "student",
        "outcome",
        "Students explain and justify mathematical reasoning",
    ),
    (
        "links",
        "from: hqi-live",
        "to: shared-model",
        "because: Enacted experience shifts mental models more than persuasion does",
    ),
    ("links", "from: shared-model", "to: math-reasoning"),
    (
        "indicators",
        "node: hqi-live",
        "name: Educators attending",
        "measures: count",
        "baseline: 0",
        "target: 120",
    ),
    ("evidence", "link: hqi-live->shared-model", "citation: Newmann et al. (2001)", "tier: 3"),
    (
        "observations",
        "node: hqi-live",
        "indicator: Educators attending",
        "date: 2026-09-30",
        "value: 86",
    ),
    (
        "chains",
        "HQI Live! week",
        "because: Enacted experience shifts mental models…",
        "(system change empty)",
        "",
        "Teachers share a model of eliciting evidence…",
        "",
        "",
        "",
        "Students explain and justify mathematical reasoning",
    ),
]


def write_template() -> bytes:
    """The empty planning workbook as XLSX bytes.

    >>> import io, openpyxl
    >>> book = openpyxl.load_workbook(io.BytesIO(write_template()))
    >>> book.sheetnames[:3], book["nodes"].freeze_panes
    (['instructions', 'model', 'nodes'], 'A2')
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    instructions = book.active
    instructions.title = "instructions"
    for row in _INSTRUCTIONS:
        instructions.append(list(row))
    instructions["A1"].font = Font(bold=True, size=14)
    instructions.column_dimensions["A"].width = 16
    instructions.column_dimensions["B"].width = 90

    headers: dict[str, list[str]] = {name: [c.header for c in SHEETS[name]] for name in SHEETS}
    # A planner has no use for the format's name: toc/1 is what an absent one means.
    headers["model"].remove("format")
    headers["chains"] = list(CHAIN_COLUMNS)
    for name in (*_TEMPLATE_SHEETS[:-1], "chains", "checks"):
        sheet = book.create_sheet(name)
        sheet.append(headers[name])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers[name], start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 2)
            choices = CHOICES.get((name, header))
            if choices is None:
                continue
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=f"{header}: not an allowed value",
                error=f"{header} is one of: {', '.join(choices)}",
            )
            sheet.add_data_validation(validation)
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}1048576")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
