"""The initiative scorecard as people read it: a terminal table, CSV for a spreadsheet, JSON.

The rows are the report's `initiatives` (SPEC §3), computed by `toc.report`; this module only
renders them. Every standing is shown as a word with a mark beside it, never a mark alone, so a
table copied into an email or read by a screen reader still says what it means.

>>> rows = [
...     {"id": "coach", "title": "Coaching", "standing": "sound", "raises": ["reading"],
...      "lowers": [], "because_chain": True, "measured": "leading", "evidence": 2,
...      "conflicts": [], "siloed": False, "findings": {"error": 0, "warning": 0, "info": 1}},
...     {"id": "app", "title": "Reading app", "standing": "no-chain", "raises": [],
...      "lowers": [], "because_chain": False, "measured": None, "evidence": None,
...      "conflicts": [], "siloed": False, "findings": {"error": 1, "warning": 1, "info": 0}},
... ]
>>> print(to_text(rows, width=100))
Initiative   Standing    Raises   Lowers  Because  Measured  Evidence  Conflicts  E/W/I
-----------  ----------  -------  ------  -------  --------  --------  ---------  -----
Coaching     ✔ sound     reading  —       yes      leading   tier 2    —          0/0/1
Reading app  ✖ no-chain  —        —       no       —         —         —          1/1/0
E/W/I: the initiative's findings by severity (error/warning/info).
>>> print(to_text(rows, width=60))
Coaching: ✔ sound
  raises reading; lowers —; because-chain yes; measured
  leading; evidence tier 2; conflicts —; findings 0/0/1
  (error/warning/info)
Reading app: ✖ no-chain
  raises —; lowers —; because-chain no; measured —; evidence
  —; conflicts —; findings 1/1/0 (error/warning/info)
>>> [row["id"] for row in by_standing(rows)]
['app', 'coach']
>>> print(*to_csv(rows).splitlines(), sep=chr(10))
id,title,standing,raises,lowers,because_chain,measured,evidence,evidence_name,conflicts,siloed,errors,warnings,info
coach,Coaching,sound,reading,,true,leading,2,moderate,,false,0,0,1
app,Reading app,no-chain,,,false,,,,,false,1,1,0
"""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from toc.formats.safecsv import guard as _formula_guard
from toc.formats.safecsv import write_rows
from toc.standing import STANDINGS
from toc.vocabulary import TIER_NAMES

__all__ = [
    "STANDINGS",
    "MARKS",
    "MEANINGS",
    "standing_label",
    "by_standing",
    "to_text",
    "to_csv",
    "to_json",
    "CSV_COLUMNS",
]


# A mark to scan a column by; the word always stands beside it.
MARKS: dict[str, str] = {
    "no-chain": "\u2716",  # ✖
    "only-lowers": "\u2716",  # ✖
    "mixed": "\u25b2",  # ▲
    "no-because": "?",
    "unmeasured": "\u25cb",  # ○
    "sound": "\u2714",  # ✔
}

# What each standing tells a cabinet deciding to keep, fix or stop an initiative.
MEANINGS: dict[str, str] = {
    "no-chain": "reaches no student outcome",
    "only-lowers": "reaches student outcomes only through a weakening (−) link",
    "mixed": "raises some student outcomes and lowers others",
    "no-because": "no chain to students says why each step happens",
    "unmeasured": "no leading measure on its chains",
    "sound": "a because-chain to students, measured along the way",
}

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "standing",
    "raises",
    "lowers",
    "because_chain",
    "measured",
    "evidence",
    "evidence_name",
    "conflicts",
    "siloed",
    "errors",
    "warnings",
    "info",
)

_NONE = "\u2014"  # —, an empty cell that still reads as "nothing" rather than as missing
_GAP = "  "
# A table row taller than this is hard to follow across: past it, the rows are stacked.
_MAX_LINES = 4


def standing_label(standing: str) -> str:
    """The standing as a mark and its word.

    >>> standing_label("mixed")
    '▲ mixed'
    >>> standing_label("something-new")
    'something-new'
    """
    mark = MARKS.get(standing)
    return f"{mark} {standing}" if mark else standing


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


def _text_cells(row: Mapping[str, Any], titles: Mapping[str, str] | None) -> list[str]:
    counts = row["findings"]
    tier = row.get("evidence")
    return [
        str(row["title"]),
        standing_label(row["standing"]),
        _names(row["raises"], titles),
        _names(row["lowers"], titles),
        "yes" if row["because_chain"] else "no",
        row["measured"] or _NONE,
        f"tier {tier}" if tier else _NONE,
        _names(row["conflicts"], titles),
        f"{counts['error']}/{counts['warning']}/{counts['info']}",
    ]


_HEADERS = (
    "Initiative",
    "Standing",
    "Raises",
    "Lowers",
    "Because",
    "Measured",
    "Evidence",
    "Conflicts",
    "E/W/I",
)
_LEGEND = "E/W/I: the initiative's findings by severity (error/warning/info)."
# Columns that wrap when the table is wider than the terminal: the ones holding names. The
# lists give way first, down to a dozen characters; the initiative's title last.
_SHRINK_ORDER = ((7, 12), (3, 12), (2, 12), (0, 20))


def _widths(table: list[list[str]], width: int) -> list[int] | None:
    """Column widths that fit `width`, wrapping the name columns; None when none fit.

    None too when a cell would need more than four lines: the rows are stacked then, so
    that nothing is cut.
    """
    widths = [max(len(line) for line in column) for column in zip(*table, strict=True)]
    overflow = sum(widths) + len(_GAP) * (len(widths) - 1) - width
    for column, narrowest in _SHRINK_ORDER:
        if overflow <= 0:
            break
        step = max(0, min(overflow, widths[column] - narrowest))
        widths[column] -= step
        overflow -= step
    if overflow > 0:
        return None
    for row in table[1:]:
        for column, _ in _SHRINK_ORDER:
            if len(_wrap(row[column], widths[column])) > _MAX_LINES:
                return None
    return widths


def _wrap(cell: str, width: int) -> list[str]:
    return [cell] if len(cell) <= width else textwrap.wrap(cell, width) or [""]


def _stacked(cells: list[list[str]], width: int) -> str:
    """One block per initiative, for a terminal too narrow for the table."""
    labels = ("raises", "lowers", "because-chain", "measured", "evidence", "conflicts")
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
) -> str:
    """The scorecard as a table for a terminal, one row per initiative (no trailing newline).

    `titles` names the outcomes and conflict nodes by title instead of id. Columns holding
    names wrap, up to four lines a cell, to fit `width` (the terminal's by default); on a
    terminal too narrow for that, each initiative is a block of its own, wrapped whole, so
    that nothing is ever cut.

    >>> to_text([])
    'No initiatives.'
    """
    if not rows:
        return "No initiatives."
    if width is None:
        width = shutil.get_terminal_size((120, 24)).columns
    cells = [_text_cells(row, titles) for row in rows]
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
    return str(value)


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """The scorecard as CSV: a header row, then one row per initiative.

    Lists (`raises`, `lowers`, `conflicts`) are `;`-separated ids; a cell that a spreadsheet
    would run as a formula (starting `=`, `+`, `-` or `@`) is written with a leading `'`, as
    the CSV zip format does, so that a hostile title is shown, never run.

    >>> print(to_csv([{"id": "x", "title": "=HYPERLINK(1)", "standing": "sound",
    ...     "raises": ["a", "b"], "lowers": [], "because_chain": True, "measured": "leading",
    ...     "evidence": None, "conflicts": [], "siloed": True,
    ...     "findings": {"error": 0, "warning": 0, "info": 0}}]).splitlines()[1])
    x,'=HYPERLINK(1),sound,a;b,,true,leading,,,,true,0,0,0
    """
    table = []
    for row in rows:
        counts = row["findings"]
        tier = row.get("evidence")
        values = [
            row["id"],
            row["title"],
            row["standing"],
            list(row["raises"]),
            list(row["lowers"]),
            row["because_chain"],
            row["measured"],
            tier,
            TIER_NAMES.get(tier) if tier else None,
            list(row["conflicts"]),
            row["siloed"],
            counts["error"],
            counts["warning"],
            counts["info"],
        ]
        table.append([_csv_cell(value) for value in values])
    # One CSV writer for all of toc: CRLF rows, any cell with CR, LF, quote or comma quoted.
    return write_rows(CSV_COLUMNS, table)


def to_json(rows: Sequence[Mapping[str, Any]]) -> str:
    """The scorecard as JSON, `{"initiatives": [...]}`, indented by two, ending in a newline.

    >>> to_json([])
    '{\\n  "initiatives": []\\n}\\n'
    """
    return json.dumps({"initiatives": list(rows)}, ensure_ascii=False, indent=2) + "\n"
