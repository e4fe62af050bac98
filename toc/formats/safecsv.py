"""CSV that a spreadsheet opens safely: one writer for every CSV toc writes.

Every CSV toc writes (the CSV zip's files, the scorecard) goes through `write_rows`: rows end
in CRLF (RFC 4180), and a cell holding a CR, an LF, a quote or the separator is quoted, so no
text can start a new row. A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula, and a formula can fetch URLs or run commands (OWASP
"CSV injection"): `guard` writes such a *text* cell with a leading apostrophe, which a
spreadsheet shows as text, and `unguard` takes it off again when toc reads its own file. Ids,
enumerated values and numbers are never guarded (`-5` is a number, not a formula).

>>> print(write_rows(["title", "value"], [[guard("=cmd|' /C calc'!A0"), -5],
...     [guard("two\\rlines"), 1]]).replace("\\r\\n", "⏎\\n"), end="")
title,value⏎
'=cmd|' /C calc'!A0,-5⏎
"two\rlines",1⏎
>>> unguard(guard("=1+1")) == "=1+1" and unguard(guard("'=x")) == "'=x"
True
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from toc.errors import DocumentRejected, Problem
from toc.limits import Limits

__all__ = ["guard", "unguard", "write_rows", "bounded_lines"]

# A cell a spreadsheet would run as a formula, after any apostrophes that already guard it.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def guard(cell: str) -> str:
    """A text cell as a spreadsheet will show it, never run it: an apostrophe before a cell
    that would start a formula (and one more before one that an apostrophe already guards)."""
    return "'" + cell if _FORMULA.match(cell) else cell


def unguard(cell: str) -> str:
    """The text `guard` was given: one leading apostrophe off a guarded cell."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell, 1) else cell


def write_rows(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """CSV text: the header, then each row; CRLF line ends, quoting where a cell needs it.

    Cells are written as given (`None` as an empty cell): guard text cells before."""
    buffer = io.StringIO()
    # QUOTE_MINIMAL quotes a cell holding the separator, the quote or any character of the
    # line terminator; with "\r\n" that is a bare CR as well as an LF.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    return buffer.getvalue()


_QUOTED = re.compile(r'"[^"]*"')


def bounded_lines(name: str, text: str, limits: Limits) -> Iterator[str]:
    """The lines of `text`, refusing one that starts a row of more cells than the limits
    allow, before the csv module builds that row (a line of millions of commas would cost
    gigabytes as a list of cells)."""
    most = limits.max_row_cells
    in_quotes = False
    row_commas = 0
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        commas = line.count(",")
        starts_in = in_quotes
        if line.count('"') % 2:
            in_quotes = not in_quotes
        if starts_in or in_quotes or row_commas + commas >= most:
            # Count only the separators outside quoted cells (the quotes' parity says where).
            outside = line
            if starts_in:
                close = outside.find('"')
                outside = outside[close + 1 :] if close >= 0 else ""
            outside = _QUOTED.sub("", outside)
            open_quote = outside.find('"')
            commas = outside.count(",", 0, open_quote if open_quote >= 0 else len(outside))
        row_commas = row_commas + commas if starts_in else commas
        if row_commas >= most:
            raise DocumentRejected(
                [
                    Problem(
                        f"{name}:{number}",
                        f"a row of more than {most:,} cells: over this service's limit; "
                        "nothing was read",
                    )
                ]
            )
        yield line
