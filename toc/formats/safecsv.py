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
from collections.abc import Iterable
from typing import Any

__all__ = ["guard", "unguard", "write_rows"]

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
