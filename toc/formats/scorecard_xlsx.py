"""The scorecard as an Excel workbook: the CSV's columns, numbers as numbers, a filter row.

Built from `toc.scorecard.to_csv`, so the workbook always has the CSV's columns, new ones
included; the standing in its words (the CSV's `standing_words` column, or its mark and word
where a scorecard has no such column), counts, tiers and money as numbers a spreadsheet can
sum and sort, and the header row carries a filter on every column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from toc.formats.safecsv import unguard
from toc.observations import parse_number
from toc.scorecard import standing_label, to_csv

__all__ = ["to_xlsx"]

# Columns whose cells are text even when they read as a number (a title "2024" stays text).
_TEXT_COLUMNS = frozenset(
    {"id", "title", "raises", "lowers", "conflicts", "works_against", "worked_against_by"}
)


def to_xlsx(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The scorecard rows as XLSX bytes, one sheet named `scorecard`."""
    from toc.formats.xlsx import write_sheet

    table = list(csv.reader(io.StringIO(to_csv(rows), newline="")))
    header, body = table[0], table[1:]
    cells: list[list[Any]] = []
    for row in body:
        values: list[Any] = []
        for column, raw in zip(header, row, strict=False):
            text = unguard(raw)
            if text == "":
                values.append(None)
            elif column == "standing" and "standing_words" not in header:
                values.append(standing_label(text))
            elif column not in _TEXT_COLUMNS and parse_number(text) is not None:
                values.append(parse_number(text))
            else:
                values.append(text)
        cells.append(values)
    return write_sheet("scorecard", header, cells)
