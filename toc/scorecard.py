"""The initiative scorecard as people read it: a terminal table, CSV for a spreadsheet, JSON.

The rows are the report's `initiatives` (SPEC §3), computed by `toc.standing`; this module only
renders them. Every standing is shown as its words with its mark beside it, from the one table
in `toc.standing`, never a mark alone, so a table copied into an email or read by a screen
reader still says what it means.

>>> rows = [
...     {"id": "coach", "title": "Coaching", "standing": "sound", "mixed": False,
...      "works_against": [], "worked_against_by": ["app"], "progress": "moving",
...      "raises": ["reading"], "lowers": [], "because_chain": True, "measured": "leading",
...      "evidence": 2, "essa_tier": None, "rated_links": {"rated": 2, "links": 3},
...      "conflicts": ["practice"], "siloed": False, "decision": "keep", "required": False,
...      "cost": 250000, "reach": 1200, "cost_per_student": 208.33,
...      "findings": {"error": 0, "warning": 0, "info": 1}},
...     {"id": "app", "title": "Reading app", "standing": "no-chain", "mixed": False,
...      "works_against": ["coach"], "worked_against_by": [], "progress": "no-data",
...      "raises": [], "lowers": [], "because_chain": False, "measured": None,
...      "evidence": None, "essa_tier": None, "rated_links": {"rated": 0, "links": 0},
...      "conflicts": ["practice"], "siloed": False, "decision": None, "required": True,
...      "cost": None, "reach": None, "cost_per_student": None,
...      "findings": {"error": 1, "warning": 1, "info": 0}},
... ]
>>> print(to_text(rows, width=96))
Coaching: ✔ logic complete
  beside it ⇅ worked against by Reading app; data moving; measured leading; weakest step tier 2;
  decision keep; per student reached ≈ 208; findings 0/0/1 (error/warning/info)
Reading app: ✖ no chain drawn to students
  beside it ⇅ works against Coaching; data no data; measured —; weakest step —; decision
  required; per student reached —; findings 1/1/0 (error/warning/info)
>>> [row["id"] for row in by_standing(rows)]
['app', 'coach']
>>> to_csv(rows).splitlines()[2].split(",")[:8]
['app', 'Reading app', 'no-chain', 'no chain drawn to students', 'false', 'coach', '', 'no-data']
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from toc.formats.csvzip import _guard as _formula_guard
from toc.standing import (
    FLAGS,
    STANDING_BY_SLUG,
    STANDING_TABLE,
    STANDINGS,
    money,
    standing_label,
)
from toc.vocabulary import TIER_NAMES

__all__ = [
    "STANDINGS",
    "MARKS",
    "WORDS",
    "MEANINGS",
    "standing_label",
    "flags_text",
    "by_standing",
    "to_text",
    "to_csv",
    "to_json",
    "CSV_COLUMNS",
]

# Read from the one table in toc.standing: a mark to scan a column by, the words beside it.
MARKS: dict[str, str] = {standing.slug: standing.mark for standing in STANDING_TABLE}
WORDS: dict[str, str] = {standing.slug: standing.words for standing in STANDING_TABLE}
MEANINGS: dict[str, str] = {standing.slug: standing.meaning for standing in STANDING_TABLE}

# The CSV's columns, in order (docs/standings.md lists them; a test pins them).
CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "standing",
    "standing_words",
    "mixed",
    "works_against",
    "worked_against_by",
    "progress",
    "raises",
    "lowers",
    "because_chain",
    "measured",
    "evidence",
    "evidence_name",
    "essa_tier",
    "rated_links",
    "chain_links",
    "conflicts",
    "siloed",
    "decision",
    "required",
    "cost",
    "reach",
    "cost_per_student",
    "errors",
    "warnings",
    "info",
)

_NONE = "\u2014"  # —, an empty cell that still reads as "nothing" rather than as missing
_GAP = "  "
# A table row taller than this is hard to follow across: past it, the rows are stacked.
_MAX_LINES = 6


def flags_text(row: Mapping[str, Any], titles: Mapping[str, str] | None = None) -> list[str]:
    """The flags beside a row's standing, each as mark and words; initiatives by title.

    >>> flags_text({"mixed": True, "works_against": ["b"], "worked_against_by": []},
    ...     {"b": "Pacing review"})
    ['▲ raises and lowers outcomes', '⇅ works against Pacing review']
    """
    found = []
    if row.get("mixed"):
        found.append(" ".join(FLAGS["mixed"]))
    for key in ("works_against", "worked_against_by"):
        others = row.get(key) or []
        if others:
            mark, words = FLAGS[key]
            named = ", ".join(titles.get(i, i) if titles else i for i in others)
            found.append(f"{mark} {words} {named}")
    return found


def by_standing(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows worst standing first, in id order within a standing (a stable sort).

    `STANDINGS` (from `toc.standing`) is the order SPEC §3 judges them in, worst first.
    """
    rank = {standing: i for i, standing in enumerate(STANDINGS)}
    return sorted(rows, key=lambda row: rank.get(row["standing"], len(STANDINGS)))


def _names(ids: Sequence[str], titles: Mapping[str, str] | None) -> str:
    if not ids:
        return _NONE
    return ", ".join(titles.get(i, i) if titles else i for i in ids)


def _decision(row: Mapping[str, Any]) -> str:
    verdict = row.get("decision")
    if row.get("required"):
        return f"{verdict} (required)" if verdict else "required"
    return verdict or _NONE


def _text_cells(
    row: Mapping[str, Any], titles: Mapping[str, str], currency: str | None
) -> list[str]:
    counts = row["findings"]
    tier = row.get("evidence")
    share = row.get("cost_per_student")
    return [
        str(row["title"]),
        standing_label(row["standing"]),
        "; ".join(flags_text(row, titles)) or _NONE,
        # The table's narrow column reads the slug as words ("no data", "off track"); the
        # summary and the pages say it in full (PROGRESS_WORDS).
        (row.get("progress") or _NONE).replace("-", " "),
        row["measured"] or _NONE,
        f"tier {tier}" if tier else _NONE,
        _decision(row),
        f"\u2248 {money(share, currency)}" if share is not None else _NONE,
        f"{counts['error']}/{counts['warning']}/{counts['info']}",
    ]


_HEADERS = (
    "Initiative",
    "Standing",
    "Beside it",
    "Data",
    "Measured",
    "Weakest step",
    "Decision",
    "Per student",
    "E/W/I",
)
_LEGEND = (
    "Weakest step: the evidence tier of the weakest step on its best-evidenced chain "
    "(not an ESSA rating of the initiative).\n"
    "Per student: its cost a year divided by the students it reaches a year.\n"
    "E/W/I: the initiative's findings by severity (error/warning/info)."
)
# Columns that wrap when the table is wider than the terminal, and how narrow each may get.
_SHRINK_ORDER = ((0, 20), (1, 16), (2, 16), (3, 12), (6, 8), (7, 8))


def _widths(table: list[list[str]], width: int) -> list[int] | None:
    """Column widths that fit `width`, wrapping the wordy columns; None when none fit.

    The widest wordy column gives way first, one character at a time, down to its floor, so
    the wrapping is shared rather than piled on one column. None too when a cell would need
    more than `_MAX_LINES` lines: the rows are stacked then, so that nothing is cut.
    """
    widths = [max(len(line) for line in column) for column in zip(*table, strict=True)]
    # A column never gets narrower than its header, which does not wrap.
    floors = {column: max(floor, len(_HEADERS[column])) for column, floor in _SHRINK_ORDER}
    overflow = sum(widths) + len(_GAP) * (len(widths) - 1) - width
    while overflow > 0:
        column = max(floors, key=lambda c: widths[c] - floors[c])
        if widths[column] <= floors[column]:
            return None
        widths[column] -= 1
        overflow -= 1
    for row in table[1:]:
        for column in floors:
            if len(_wrap(row[column], widths[column])) > _MAX_LINES:
                return None
    return widths


def _wrap(cell: str, width: int) -> list[str]:
    return [cell] if len(cell) <= width else textwrap.wrap(cell, width) or [""]


def _stacked(cells: list[list[str]], width: int) -> str:
    """One block per initiative, for a terminal too narrow for the table."""
    labels = ("beside it", "data", "measured", "weakest step", "decision", "per student reached")
    out: list[str] = []
    for row in cells:
        out.extend(textwrap.wrap(f"{row[0]}: {row[1]}", max(20, width)))
        details = [f"{label} {cell}" for label, cell in zip(labels, row[2:-1], strict=True)]
        details.append(f"findings {row[-1]} (error/warning/info)")
        out.extend(
            textwrap.wrap(
                "; ".join(details), max(20, width), initial_indent="  ", subsequent_indent="  "
            )
        )
    return "\n".join(out)


def to_text(
    rows: Sequence[Mapping[str, Any]],
    *,
    titles: Mapping[str, str] | None = None,
    width: int | None = None,
    currency: str | None = None,
) -> str:
    """The scorecard as a table for a terminal, one row per initiative (no trailing newline).

    Initiatives are named by title (read from the rows; `titles` may add others). Wordy
    columns wrap, up to six lines a cell, to fit `width` (the terminal's by default); on a
    terminal too narrow for that, each initiative is a block of its own, wrapped whole, so
    that nothing is ever cut. `currency` is the model's own (None: no currency sign).

    >>> to_text([])
    'No initiatives.'
    """
    if not rows:
        return "No initiatives."
    if width is None:
        width = shutil.get_terminal_size((120, 24)).columns
    names = {row["id"]: str(row["title"]) for row in rows}
    names.update(titles or {})
    cells = [_text_cells(row, names, currency) for row in rows]
    widths = _widths([list(_HEADERS), *cells], width)
    if widths is None:
        return _stacked(cells, width)
    out = [
        _GAP.join(h.ljust(w) for h, w in zip(_HEADERS, widths, strict=True)).rstrip(),
        _GAP.join("-" * w for w in widths),
    ]
    for row in cells:
        wrapped = [_wrap(cell, w) for cell, w in zip(row, widths, strict=True)]
        for i in range(max(len(lines) for lines in wrapped)):
            parts = [
                (lines[i] if i < len(lines) else "").ljust(w)
                for lines, w in zip(wrapped, widths, strict=True)
            ]
            out.append(_GAP.join(parts).rstrip())
    out.append(_LEGEND)
    return "\n".join(out)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return _formula_guard(";".join(value))
    if isinstance(value, str):
        return _formula_guard(value)
    if isinstance(value, float):
        return f"{value:.2f}" if not value.is_integer() else str(int(value))
    return str(value)


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """The scorecard as CSV: a header row (`CSV_COLUMNS`), then one row per initiative.

    `standing` is the machine slug and `standing_words` what people read; lists are
    `;`-separated ids; `rated_links` and `chain_links` split SPEC's `rated_links`; a cost per
    student is written to the cent. A cell that a spreadsheet would run as a formula
    (starting `=`, `+`, `-` or `@`) is written with a leading `'`, as the CSV zip format does,
    so that a hostile title is shown, never run.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        counts = row["findings"]
        tier = row.get("evidence")
        standing = STANDING_BY_SLUG.get(row["standing"])
        rated = row.get("rated_links") or {"rated": 0, "links": 0}
        values = [
            row["id"],
            row["title"],
            row["standing"],
            standing.words if standing else row["standing"],
            row.get("mixed", False),
            list(row.get("works_against") or []),
            list(row.get("worked_against_by") or []),
            row.get("progress"),
            list(row["raises"]),
            list(row["lowers"]),
            row["because_chain"],
            row["measured"],
            tier,
            TIER_NAMES.get(tier) if tier else None,
            row.get("essa_tier"),
            rated["rated"],
            rated["links"],
            list(row["conflicts"]),
            row["siloed"],
            row.get("decision"),
            row.get("required", False),
            row.get("cost"),
            row.get("reach"),
            row.get("cost_per_student"),
            counts["error"],
            counts["warning"],
            counts["info"],
        ]
        writer.writerow([_csv_cell(value) for value in values])
    return buffer.getvalue()


def to_json(rows: Sequence[Mapping[str, Any]]) -> str:
    """The scorecard as JSON, `{"initiatives": [...]}`, indented by two, ending in a newline.

    >>> to_json([])
    '{\\n  "initiatives": []\\n}\\n'
    """
    return json.dumps({"initiatives": list(rows)}, ensure_ascii=False, indent=2) + "\n"
