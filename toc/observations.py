"""Observations coming in: read from JSON or CSV, checked against a model, merged all or nothing.

What a data office exports (SPEC §5): one row per measured value, as JSON
``[{"node", "indicator", "date", "value", "note"?}]`` or CSV with a header row naming the
columns ``node, indicator, date, value, note`` (``note`` may be left out; column names in any
case). ``indicator`` is the indicator's ``id``, or else its exact ``name``. Every problem is
reported at once, each with where it is (``[2].value`` in JSON, ``row 3.value`` in CSV, rows
numbered as a spreadsheet numbers them, the header being row 1), and nothing is merged when
there is one.

What a data office actually sends is read as it means (SPEC §5): in CSV and XLSX, a value with
a trailing ``%`` (``86%`` is 86) or thousands separators (``4,200,000``); dates written
``YYYY-MM-DD``, or in the order ``date_format`` names (``MDY``: ``06/30/2026``; ``DMY``:
``30/06/2026``; ``/``, ``-`` or ``.`` between), or typed as date cells of a workbook; with
``skip_blank``, a row whose value is empty is skipped and counted (`ObservationRows.skipped`).
A date that would read in another order gets a "did you mean 2026-06-30 (date_format=MDY)?".
"""

from __future__ import annotations

import csv
import datetime
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple, Protocol, overload

import msgspec

from toc import formats
from toc.errors import DocumentRejected, Problem
from toc.formats.safecsv import bounded_lines
from toc.limits import DEFAULT_LIMITS, MAX_INT_DIGITS, Limits, decode_json, over_limit
from toc.model import (
    OBSERVATIONS_MAX,
    TEXT_MAX,
    Observation,
    TheoryOfChange,
    parse_iso_date,
)

__all__ = [
    "ObservationInput",
    "COLUMNS",
    "read_observations",
    "read_observations_json",
    "read_observations_csv",
    "resolve_indicator",
    "merge_observations",
    "merge_observations_into_nodes",
    "named_nodes",
    "NamedIndicator",
    "observe",
    "observe_model",
    "observe_file",
    "observe_paths",
    "Observed",
    "parse_number",
    "parse_measure",
    "ObservationRows",
    "DATE_FORMATS",
    "read_observations_xlsx",
    "observations_format",
    "date_hint",
]

DATE_FORMATS = ("MDY", "DMY")

COLUMNS = ("node", "indicator", "date", "value", "note")
_COLUMN_SET = frozenset(COLUMNS)
_REQUIRED = ("node", "indicator", "date", "value")
# The numbers a spreadsheet writes: optional sign, digits, optional fraction and exponent.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WHOLE = re.compile(r"[+-]?[0-9]+")


class ObservationInput(NamedTuple):
    """One incoming row, as given (checked by `merge_observations`), and where it came from."""

    where: str
    node: Any
    indicator: Any
    date: Any
    value: Any
    note: Any = None


def parse_number(text: str) -> int | float | None:
    """A number written in a cell, or None when the cell is not one (whole numbers stay whole).

    >>> parse_number("42"), parse_number(" -0.5 "), parse_number("1e3"), parse_number("12 pupils")
    (42, -0.5, 1000.0, None)
    """
    word = text.strip()
    if not _NUMBER.fullmatch(word):
        return None
    if _WHOLE.fullmatch(word):
        # Past Python's digit limit a whole number cannot be read: it is no number here.
        return int(word) if len(word) <= MAX_INT_DIGITS else None
    number = float(word)
    return number if math.isfinite(number) else None


class _JsonRow(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A well-formed JSON row, as a data office's export sends 100,000 of them."""

    node: str | None = None
    indicator: str | None = None
    date: str | None = None
    value: int | float | None = None
    note: str | None = None


_JSON_ROWS = msgspec.json.Decoder(list[_JsonRow])
_CELLS = attrgetter("node", "indicator", "date", "value", "note")
# A number of 19 digits or more: read by the careful path, which knows Python's digit limit.
# Found as a run of 19 zeros once every digit is written 0 and anything else a space: a
# translation and a substring search take a 50th of the time a regex takes over 8 MB.
_LONG_NUMBER = b"0" * 19
_DIGITS_AS_ZEROS = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))


def _has_long_number(raw: bytes) -> bool:
    """Whether `raw` holds a run of 19 digits or more.

    >>> _has_long_number(b'[{"value": 1234567890123456789}]'), _has_long_number(b"[1.5, 2e300]")
    (True, False)
    """
    return _LONG_NUMBER in raw.translate(_DIGITS_AS_ZEROS)


class _JsonRows(Sequence[ObservationInput]):
    """The rows of a JSON array decoded in one pass, each made an `ObservationInput` only when
    asked for.

    CPython never untracks a tuple subclass: 100,000 `ObservationInput`s held at once are
    100,000 more objects that every garbage collection walks, a third of a big upload's time.
    The decoded rows are not tracked at all, and the checks read them through `_cells`.
    """

    __slots__ = ("_decoded",)

    def __init__(self, decoded: list[_JsonRow]) -> None:
        self._decoded = decoded

    def __len__(self) -> int:
        return len(self._decoded)

    @overload
    def __getitem__(self, index: int) -> ObservationInput: ...

    @overload
    def __getitem__(self, index: slice) -> list[ObservationInput]: ...

    def __getitem__(self, index: int | slice) -> ObservationInput | list[ObservationInput]:
        if isinstance(index, slice):
            return [self[at] for at in range(*index.indices(len(self._decoded)))]
        row = self._decoded[index]
        where = f"[{index % len(self._decoded)}]"
        return ObservationInput(where, row.node, row.indicator, row.date, row.value, row.note)

    def __iter__(self) -> Iterator[ObservationInput]:
        for index in range(len(self._decoded)):
            yield self[index]

    def cells(self) -> Iterator[tuple[Any, Any, Any, Any, Any]]:
        """Each row's (node, indicator, date, value, note), as plain tuples."""
        return map(_CELLS, self._decoded)

    def nodes(self) -> set[str]:
        """The node ids the rows give."""
        return {row.node for row in self._decoded if row.node is not None}


def _cells(rows: Sequence[ObservationInput]) -> Iterable[tuple[Any, Any, Any, Any, Any]]:
    """Each row's (node, indicator, date, value, note), without its `where`."""
    if isinstance(rows, _JsonRows):
        return rows.cells()
    return (row[1:] for row in rows)


def _read_plain_json(data: str | bytes) -> Sequence[ObservationInput] | None:
    """The rows of an array of plain well-formed rows, decoded in one pass; None for anything
    else (a missing or unknown field, a value of another type, malformed JSON), which
    `read_observations_json` then reads row by row to name every problem."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if _has_long_number(raw):
        return None
    try:
        return _JsonRows(_JSON_ROWS.decode(raw))
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


# A number with thousands separators, as a spreadsheet shows one: 4,200,000 or 1,234.5.
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
# A date written day, month and year in some order: 06/30/2026, 30.06.2026, 6-30-2026.
_ORDERED_DATE = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})")


def parse_measure(text: str) -> int | float | None:
    """A measured value as a data office writes it: a number, with a trailing `%` or thousands
    separators allowed; None when the cell is not one.

    >>> [parse_measure(text) for text in ("86%", "4,200,000", "1,234.5", "12,5")]
    [86, 4200000, 1234.5, None]
    """
    word = text.strip()
    if word.endswith("%"):
        word = word[:-1].rstrip()
    if _THOUSANDS.fullmatch(word):
        word = word.replace(",", "")
    return parse_number(word)


def _ordered_date(text: str, order: str) -> str | None:
    """`text` read as a date in `order` (MDY or DMY), as YYYY-MM-DD; None when it is not one."""
    match = _ORDERED_DATE.fullmatch(text.strip())
    if match is None:
        return None
    first, second, year = int(match[1]), int(match[3]), int(match[4])
    month, day = (first, second) if order == "MDY" else (second, first)
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def read_date_text(text: str, date_format: str | None) -> str:
    """A date cell's text as YYYY-MM-DD when `date_format` reads it; else the text as given,
    for the check to report (with `date_hint`)."""
    if date_format is not None:
        read = _ordered_date(text, date_format)
        if read is not None:
            return read
    return text.strip()


def date_hint(value: Any) -> str:
    """`"; did you mean 2026-06-30 (date_format=MDY)?"` for a date that reads in an order other
    than the one given, or `""`.

    >>> date_hint("06/30/2026"), date_hint("2026-06-30")
    ('; did you mean 2026-06-30 (date_format=MDY)?', '')
    >>> date_hint("03/04/2026")
    '; did you mean 2026-03-04 (date_format=MDY) or 2026-04-03 (date_format=DMY)?'
    """
    if type(value) is not str:
        return ""
    readings = [
        f"{read} (date_format={order})"
        for order in DATE_FORMATS
        if (read := _ordered_date(value, order)) is not None
    ]
    return f"; did you mean {' or '.join(dict.fromkeys(readings))}?" if readings else ""


class ObservationRows(list[ObservationInput]):
    """The rows read, and how many were skipped for an empty value (`skip_blank`)."""

    skipped: int = 0


def _cell_row(
    where: str,
    cells: dict[str, Any],
    date_format: str | None,
    skip_blank: bool,
    rows: ObservationRows,
) -> None:
    """One row of a CSV or a sheet, as `ObservationInput`, added to `rows` (or counted)."""

    def text(column: str) -> Any:
        value = cells.get(column)
        if isinstance(value, str):
            return value if value.strip() else None
        return value

    value = text("value")
    if value is None and skip_blank:
        rows.skipped += 1
        return
    if isinstance(value, str):
        measured = parse_measure(value)
        value = measured if measured is not None else value
    date = text("date")
    if isinstance(date, datetime.datetime):
        date = date.date().isoformat()
    elif isinstance(date, datetime.date):
        date = date.isoformat()
    elif isinstance(date, str):
        date = read_date_text(date, date_format)
    node = text("node")
    note = text("note")
    rows.append(
        ObservationInput(
            where,
            node.strip() or None if isinstance(node, str) else node,
            text("indicator"),
            date,
            value,
            note if note is None or isinstance(note, str) else str(note),
        )
    )


def _date_format(date_format: str | None) -> str | None:
    if date_format is None or date_format.upper() in ("", "YMD", "ISO"):
        return None
    if date_format.upper() not in DATE_FORMATS:
        raise DocumentRejected(
            [Problem("date_format", f"unknown date_format {date_format!r}; expected MDY or DMY")]
        )
    return date_format.upper()


def read_observations_json(data: str | bytes) -> Sequence[ObservationInput]:
    """Rows from a JSON array of objects; a malformed array is rejected with every problem."""
    plain = _read_plain_json(data)
    if plain is not None:
        return plain
    decoded = decode_json(data)
    if not isinstance(decoded, list):
        raise DocumentRejected(
            [Problem("$", "expected an array of {node, indicator, date, value, note?} objects")]
        )
    rows: list[ObservationInput] = []
    problems: list[Problem] = []
    for index, item in enumerate(decoded):
        where = f"[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, "expected an object {node, indicator, date, value}"))
            continue
        if len(item) > 5 or not _COLUMN_SET.issuperset(item):
            for field in item:
                if field not in _COLUMN_SET:
                    problems.append(Problem(f"{where}.{field}", f"unknown field '{field}'"))
        get = item.get
        rows.append(
            ObservationInput(
                where, get("node"), get("indicator"), get("date"), get("value"), get("note")
            )
        )
    if problems:
        raise DocumentRejected(problems)
    return rows


def read_observations_csv(
    data: str | bytes,
    where: Callable[[int], str] = lambda row: f"row {row}",
    date_format: str | None = None,
    skip_blank: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> ObservationRows:
    """Rows from CSV text with a header row; `where` names a spreadsheet row in problems.

    `date_format` (`MDY`, `DMY`) reads dates written in that order too; `skip_blank` skips
    (and counts) rows whose value is empty rather than refusing them. A line that would make
    a row of more cells than `limits` allow is refused before it is built."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as bad:
            raise DocumentRejected(
                [Problem("$", f"not UTF-8 text ({bad.reason} at byte {bad.start})")]
            ) from None
    data = data.removeprefix("\ufeff")
    date_format = _date_format(date_format)
    csv.field_size_limit(limits.max_cell_chars)
    # Lines are bounded before the csv module builds a row of them (toc.formats.safecsv).
    reader = csv.reader(bounded_lines("$", data, limits))
    rows_read = iter(reader)
    try:
        first = next(rows_read, None)
    except csv.Error as bad:
        raise DocumentRejected([Problem(where(reader.line_num), f"not valid CSV: {bad}")]) from None
    if first is None:
        raise DocumentRejected(
            [Problem("$", f"empty: expected a header row naming {', '.join(COLUMNS)}")]
        )
    header = [cell.strip().lower() for cell in first]
    _check_header(header, where(1))
    position = {column: header.index(column) for column in COLUMNS if column in header}
    rows = ObservationRows()
    try:
        for number, cells in enumerate(rows_read, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) + rows.skipped >= limits.max_observations:
                raise over_limit("$", "observations", limits.max_observations)
            values = {
                column: cells[index] for column, index in position.items() if index < len(cells)
            }
            _cell_row(where(number), values, date_format, skip_blank, rows)
    except csv.Error as bad:
        raise DocumentRejected([Problem(where(reader.line_num), f"not valid CSV: {bad}")]) from None
    return rows


def _check_header(header: list[str], where: str) -> None:
    problems = []
    for column in header:
        if column and column not in COLUMNS:
            problems.append(
                Problem(f"{where}.{column}", f"unknown column; expected {', '.join(COLUMNS)}")
            )
        elif column and header.count(column) > 1:
            problems.append(Problem(f"{where}.{column}", "column given more than once"))
    for column in _REQUIRED:
        if column not in header:
            problems.append(Problem(where, f"no '{column}' column"))
    if problems:
        raise DocumentRejected(list(dict.fromkeys(problems)))


def read_observations_xlsx(
    data: bytes,
    date_format: str | None = None,
    skip_blank: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> ObservationRows:
    """Rows from a workbook: the sheet named `observations`, else the first; date cells are
    dates, number cells numbers, and problems are at `SHEET row N`."""
    from toc.formats.xlsx import open_workbook, sheet_rows, unreadable

    date_format = _date_format(date_format)
    book = open_workbook(data, limits)
    try:
        sheets = {sheet.title.strip().lower(): sheet for sheet in book.worksheets}
        sheet = sheets.get("observations") or (book.worksheets[0] if book.worksheets else None)
        if sheet is None:
            raise DocumentRejected([Problem("$", "a workbook with no sheet")])
        rows = ObservationRows()
        table = sheet_rows(sheet, limits.max_observations, "observations")
        _, first = next(table)
        header = ["" if cell is None else str(cell).strip().lower() for cell in first]
        _check_header(header, f"{sheet.title} row 1")
        position = {column: header.index(column) for column in COLUMNS if column in header}
        for number, cells in table:
            values = {
                column: cells[index] for column, index in position.items() if index < len(cells)
            }
            _cell_row(f"{sheet.title} row {number}", values, date_format, skip_blank, rows)
        return rows
    except DocumentRejected:
        raise
    except Exception as bad:  # a damaged part met while streaming rows
        raise unreadable(bad) from None
    finally:
        book.close()


def read_observations(
    data: bytes,
    fmt: str,
    date_format: str | None = None,
    skip_blank: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Sequence[ObservationInput]:
    """Rows from `data` in `fmt`: `json`, `csv` or `xlsx` (the last two read as a data office
    writes them: `date_format`, `skip_blank`; the answer's `skipped` counts skipped rows)."""
    if fmt == "json":
        return read_observations_json(data)
    if fmt == "csv":
        return read_observations_csv(
            data, date_format=date_format, skip_blank=skip_blank, limits=limits
        )
    if fmt == "xlsx":
        return read_observations_xlsx(data, date_format, skip_blank, limits)
    raise DocumentRejected(
        [Problem("$", f"cannot read observations as {fmt!r}; use json, csv or xlsx")]
    )


class NamedIndicator(Protocol):
    """What a row's indicator key is matched against: an indicator's id and name."""

    @property
    def id(self) -> str | None: ...

    @property
    def name(self) -> str: ...


def resolve_indicator(
    indicators: Sequence[NamedIndicator], key: str, node: str = "the node"
) -> int | str:
    """The index of the indicator `key` names (its id, or else its exact name), or a message.

    >>> from toc.model import Indicator
    >>> both = [Indicator(name="Visits"), Indicator(id="talk", name="Student talk")]
    >>> resolve_indicator(both, "talk"), resolve_indicator(both, "Visits")
    (1, 0)
    >>> resolve_indicator(both, "visits", "'talk'")
    "'talk' has no indicator with id or name 'visits'"
    """
    for index, indicator in enumerate(indicators):
        if indicator.id == key:
            return index
    named = [index for index, indicator in enumerate(indicators) if indicator.name == key]
    if len(named) == 1:
        return named[0]
    if named:
        return f"{node} has {len(named)} indicators named {key!r}: give each an id and use that"
    return f"{node} has no indicator with id or name {key!r}"


def _read_date(value: Any) -> datetime.date | str:
    """The date a cell holds, or the problem with it.

    Read before any comparison of dates: two rows for one day are the same day however
    they were written, so the one-per-date rule is judged on the date read, never on the text.
    """
    try:
        return parse_iso_date(value)
    except ValueError:
        return f"expected a date written YYYY-MM-DD, got {value!r}{date_hint(value)}"


# The checked rows, by the indicator they observe (its node's id, its index on the node), then
# by the date they hold (written YYYY-MM-DD): each the row's position, value and note.
_Grouped = dict[tuple[str, int], dict[str, tuple[int, Any, Any]]]


def _grouped(
    indicators_of: Mapping[str, Sequence[NamedIndicator]], rows: Sequence[ObservationInput]
) -> _Grouped:
    """Each row's indicator and date, checked against the nodes' indicators (a node id absent
    from `indicators_of` is no node); raises with every problem when any row is bad."""
    groups: _Grouped = {}
    # What each (node id, indicator key) pair names, looked up once however many rows name it:
    # its indicator's dates, or the problem with it.
    named: dict[tuple[str, str], dict[str, tuple[int, Any, Any]] | str] = {}
    # Date texts already read as dates and written as toc/1 writes them (YYYY-MM-DD): a data
    # office sends few dates, each for many indicators.
    good_dates: set[str] = set()
    problems: list[Problem] = []
    largest = sys.float_info.max
    isfinite = math.isfinite
    for position, (node, key, text, value, note) in enumerate(_cells(rows)):
        # The usual row, checked in one expression (a data office sends 100,000 of them);
        # anything unusual, the first row of an indicator or of a date, takes the full path.
        if (
            type(node) is str
            and type(key) is str
            and type(dates := named.get((node, key))) is dict
            and type(text) is str
            and text in good_dates
            and text not in dates
            and (
                (type(value) is float and isfinite(value))
                or (type(value) is int and -largest <= value <= largest)
            )
            and (note is None or (type(note) is str and len(note) <= TEXT_MAX))
        ):
            dates[text] = (position, value, note)
            continue
        where = rows[position].where
        found = len(problems)
        dates = None
        if type(node) is not str:
            problems.append(Problem(f"{where}.node", "required: the node's id"))
        elif node not in indicators_of:
            problems.append(Problem(f"{where}.node", f"no node with id {node!r}"))
        if type(key) is not str:
            problems.append(Problem(f"{where}.indicator", "required: the indicator's id or name"))
        elif type(node) is str and node in indicators_of:
            answer = named.get((node, key))
            if answer is None:
                index = resolve_indicator(indicators_of[node], key, f"node {node!r}")
                answer = named[node, key] = (
                    index if isinstance(index, str) else groups.setdefault((node, index), {})
                )
            if isinstance(answer, str):
                problems.append(Problem(f"{where}.indicator", answer))
            else:
                dates = answer
        read = _read_date(text)
        if isinstance(read, str):
            problems.append(Problem(f"{where}.date", read))
        if type(value) is int and abs(value) > largest:
            # A measured value is plotted and compared as a float: one past float's range
            # (a 400-digit integer) is no measurement toc can use.
            digits = len(str(abs(value)))
            problems.append(
                Problem(
                    f"{where}.value",
                    f"expected a number between -{largest:.4g} and "
                    f"{largest:.4g}, got an integer of {digits} digits",
                )
            )
        elif type(value) not in (int, float) or not math.isfinite(value):
            shown = "nothing" if value is None else repr(value)
            problems.append(Problem(f"{where}.value", f"expected a number, got {shown}"))
        if note is not None and type(note) is not str:
            problems.append(Problem(f"{where}.note", "expected a text"))
        elif note is not None and len(note) > TEXT_MAX:
            problems.append(
                Problem(f"{where}.note", f"too long: {len(note)} characters, at most {TEXT_MAX}")
            )
        if len(problems) > found or isinstance(read, str) or dates is None:
            continue
        day = read.isoformat()
        if text == day:
            good_dates.add(day)
        if day in dates:
            problems.append(
                Problem(
                    f"{where}.date",
                    f"a second observation of this indicator for {day} (first at "
                    f"{rows[dates[day][0]].where}): at most one per date",
                )
            )
            continue
        dates[day] = (position, value, note)
    if problems:
        raise DocumentRejected(problems)
    return groups


def _too_many(node_index: int, indicator_index: int, node_id: str) -> Problem:
    return Problem(
        f"nodes[{node_index}].indicators[{indicator_index}].observations",
        f"too many items on node {node_id!r}: at most {OBSERVATIONS_MAX}",
    )


_NEW = Observation.__new__
_SET = object.__setattr__
_FIELDS = frozenset(("date", "value"))
_FIELDS_AND_NOTE = frozenset(("date", "value", "note"))


def _observation(date: datetime.date, value: int | float, note: str | None) -> Observation:
    """An `Observation` of values `_grouped` has checked, built as pydantic's `model_construct`
    builds one (the same fields, the same set of fields given) at a third of its cost: a big
    merge builds one per row.

    >>> import datetime
    >>> day = datetime.date(2026, 3, 1)
    >>> _observation(day, 4, None) == Observation(date=day, value=4)
    True
    >>> _observation(day, 4.5, "spring").model_dump(exclude_unset=True)
    {'date': datetime.date(2026, 3, 1), 'value': 4.5, 'note': 'spring'}
    """
    made = _NEW(Observation)
    _SET(made, "__dict__", {"date": date, "value": value, "note": note})
    _SET(made, "__pydantic_fields_set__", set(_FIELDS if note is None else _FIELDS_AND_NOTE))
    _SET(made, "__pydantic_extra__", None)
    _SET(made, "__pydantic_private__", None)
    return made


def merge_observations(
    model: TheoryOfChange, observations: Sequence[ObservationInput]
) -> TheoryOfChange:
    """The model with the observations added, all or nothing.

    Parameters
    ----------
    model : TheoryOfChange
        Left as it was, whatever happens.
    observations : sequence of ObservationInput
        Rows from `read_observations_json` or `read_observations_csv`.

    Returns
    -------
    TheoryOfChange
        A new model in which each row's observation is added to its indicator; one for a
        date that already has one replaces it. Each row is checked whole first; an indicator
        left with more than `OBSERVATIONS_MAX` observations rejects them all.

    Raises
    ------
    DocumentRejected
        With every problem, each at its row: unknown node or indicator, an indicator name
        two indicators share, bad date, a value that is not a number, two rows for the same
        indicator and date.

    Examples
    --------

    >>> from toc.document import parse_document
    >>> model = parse_document({"id": "m", "title": "M", "nodes": [{"id": "talk",
    ...     "level": "teacher", "kind": "change", "title": "Talk", "indicators": [
    ...     {"id": "share", "name": "Share of lessons", "observations": [
    ...     {"date": "2026-01-05", "value": 0.2}]}]}]})
    >>> rows = read_observations_csv("node,indicator,date,value\\ntalk,share,2026-01-05,0.3\\n")
    >>> merged = merge_observations(model, rows)
    >>> [o.value for o in merged.nodes[0].indicators[0].observations]
    [0.3]
    """
    groups = _grouped({node.id: node.indicators for node in model.nodes}, observations)
    place = {node.id: index for index, node in enumerate(model.nodes)}
    # Each touched indicator's observations by date, built once: a row replaces the one of its
    # date in constant time, so a merge costs the rows plus the observations it touches
    # (rebuilding the list per row was quadratic: 24,000 rows of one indicator took 41 s).
    # Every row was checked whole above (date, number, note), so its observation is built
    # as it is, not validated a second time; the rest of the model is shared, unchanged.
    by_date: dict[tuple[int, int], dict[datetime.date, Observation]] = {}
    from_text = datetime.date.fromisoformat
    for (node_id, indicator_index), dates in groups.items():
        node_index = place[node_id]
        indicator = model.nodes[node_index].indicators[indicator_index]
        merged = {observation.date: observation for observation in indicator.observations}
        for text, (_position, value, note) in dates.items():
            day = from_text(text)
            merged[day] = _observation(day, value, note)
        by_date[node_index, indicator_index] = merged
    problems = [
        _too_many(node_index, indicator_index, model.nodes[node_index].id)
        for (node_index, indicator_index), observed in by_date.items()
        if len(observed) > OBSERVATIONS_MAX
    ]
    if problems:
        raise DocumentRejected(problems)
    touched: dict[int, dict[int, list[Observation]]] = {}
    for (node_index, indicator_index), observed in by_date.items():
        touched.setdefault(node_index, {})[indicator_index] = [
            observed[d] for d in sorted(observed)
        ]
    nodes = list(model.nodes)
    for node_index, changed in touched.items():
        node = nodes[node_index]
        indicators = list(node.indicators)
        for indicator_index, merged_list in changed.items():
            indicators[indicator_index] = indicators[indicator_index].model_copy(
                update={"observations": merged_list}
            )
        nodes[node_index] = node.model_copy(update={"indicators": indicators})
    return model.model_copy(update={"nodes": nodes})


class Observed(NamedTuple):
    """Observations merged into a model: the new model, how many rows were merged, and how
    many were skipped for an empty value (`skip_blank`)."""

    model: TheoryOfChange
    merged: int
    skipped: int


def observe_model(
    model: TheoryOfChange,
    observations_data: bytes,
    observations_format: str,
    date_format: str | None = None,
    skip_blank: bool = False,
) -> Observed:
    """Read observations (`json`, `csv` or `xlsx`) and merge them into `model`, all or nothing.

    Raises `DocumentRejected` with every problem of the observations, each at its row.
    """
    rows = read_observations(observations_data, observations_format, date_format, skip_blank)
    merged = merge_observations(model, rows)
    return Observed(merged, len(rows), getattr(rows, "skipped", 0))


def observe_file(
    model: TheoryOfChange,
    observations_path: Path,
    date_format: str | None = None,
    skip_blank: bool = False,
) -> Observed:
    """`observe_model` with a data file, read in the format its suffix names, in any case
    (`observations_format`): what `toc observe` does once it has read the model."""
    return observe_model(
        model,
        observations_path.read_bytes(),
        observations_format(observations_path),
        date_format,
        skip_blank,
    )


class _Named(NamedTuple):
    """An indicator of a node object, as a row's indicator key is matched against it."""

    id: str | None
    name: str


class _Observed(msgspec.Struct, omit_defaults=True, gc=False):
    """A checked row's observation, as toc/1 writes it (a note only when given)."""

    date: str
    value: int | float
    note: str | None = None


_ENCODE = msgspec.json.Encoder().encode


def named_nodes(rows: Sequence[ObservationInput]) -> set[str]:
    """The ids of the nodes the rows name (those given as text)."""
    if isinstance(rows, _JsonRows):
        return rows.nodes()
    return {row.node for row in rows if type(row.node) is str}


def merge_observations_into_nodes(
    nodes: Mapping[str, tuple[int, dict[str, Any]]], observations: Sequence[ObservationInput]
) -> dict[str, str]:
    """The nodes the observations change, each as its new toc/1 JSON text, all or nothing.

    The same merge as `merge_observations`, over the toc/1 objects of the nodes the rows name
    rather than a whole model, so that a store rewrites only those: `nodes` holds, for the id
    of each node the rows name that exists, its index in the document (for a problem's path)
    and its object. A node whose observations the rows leave as they were (the same value
    and note for a date already there) is not among those changed. Raises `DocumentRejected`
    with the problems `merge_observations` would raise.

    >>> node = {"id": "talk", "level": "teacher", "kind": "change", "title": "Talk",
    ...     "indicators": [{"id": "share", "name": "Share", "observations": [
    ...     {"date": "2026-01-05", "value": 0.2}]}]}
    >>> rows = read_observations_csv("node,indicator,date,value\\ntalk,share,2026-02-05,0.3\\n")
    >>> import json
    >>> changed = merge_observations_into_nodes({"talk": (0, node)}, rows)
    >>> json.loads(changed["talk"])["indicators"][0]["observations"]
    [{'date': '2026-01-05', 'value': 0.2}, {'date': '2026-02-05', 'value': 0.3}]
    >>> merge_observations_into_nodes({"talk": (0, node)}, rows[:0])
    {}
    """
    indicators_of = {
        node_id: [
            _Named(indicator.get("id"), indicator.get("name"))
            for indicator in node.get("indicators") or ()
        ]
        for node_id, (_index, node) in nodes.items()
    }
    groups = _grouped(indicators_of, observations)
    problems: list[Problem] = []
    touched: dict[str, dict[int, list[Any]]] = {}
    for (node_id, indicator_index), dates in groups.items():
        node_index, node = nodes[node_id]
        stored = node["indicators"][indicator_index].get("observations") or ()
        merged: dict[str, Any] = {observation["date"]: observation for observation in stored}
        changed = False
        for text, (_position, value, note) in dates.items():
            before = merged.get(text)
            if (
                before is None
                or type(before["value"]) is not type(value)
                or before["value"] != value
                or before.get("note") != note
            ):
                merged[text] = _Observed(text, value, note)
                changed = True
        if len(merged) > OBSERVATIONS_MAX:
            problems.append(_too_many(node_index, indicator_index, node_id))
        elif changed:
            touched.setdefault(node_id, {})[indicator_index] = [merged[d] for d in sorted(merged)]
    if problems:
        raise DocumentRejected(problems)
    texts: dict[str, str] = {}
    for node_id, changed_indicators in touched.items():
        node = dict(nodes[node_id][1])
        indicators = list(node["indicators"])
        for indicator_index, merged_list in changed_indicators.items():
            indicators[indicator_index] = {
                **indicators[indicator_index],
                "observations": merged_list,
            }
        node["indicators"] = indicators
        texts[node_id] = _ENCODE(node).decode("utf-8")
    return texts


def observe(
    model_data: bytes,
    model_format: str,
    observations_data: bytes,
    observations_format: str,
    date_format: str | None = None,
    skip_blank: bool = False,
) -> bytes:
    """Read a model and observations, merge them, write the model back.

    Parameters
    ----------
    model_data : bytes
        The model, in `model_format` (one of `toc.formats.READ_FORMATS`).
    model_format : str
    observations_data : bytes
        The rows, in `observations_format`: `json`, `csv` or `xlsx`.
    observations_format : str
    date_format : str, optional
        `MDY` or `DMY`: how dates not written YYYY-MM-DD are read (CSV, XLSX).
    skip_blank : bool
        Skip rows whose value is empty rather than refuse them.

    Returns
    -------
    bytes
        The merged model, written in `model_format`.

    Raises
    ------
    DocumentRejected
        For a bad model or bad observations, with every problem; nothing is written.
    """
    model = formats.read(model_data, model_format)
    observed = observe_model(model, observations_data, observations_format, date_format, skip_blank)
    return formats.write(observed.model, model_format)


def observations_format(path: Path) -> str:
    """The format of a data file by its suffix, in any case: `.json` JSON, `.xlsx`/`.xlsm` XLSX,
    else CSV."""
    suffix = path.suffix.lower()
    return "json" if suffix == ".json" else "xlsx" if suffix in (".xlsx", ".xlsm") else "csv"


def observe_paths(
    model_path: Path,
    observations_path: Path,
    date_format: str | None = None,
    skip_blank: bool = False,
) -> bytes:
    """`toc observe FILE DATA -o OUT`, as bytes: the model (a file, or a folder of CSV files)
    and the data read in the formats their suffixes name, the model written back in its own."""
    model = formats.read_path(model_path)
    observed = observe_file(model, observations_path, date_format, skip_blank)
    return formats.write(observed.model, formats.format_for_path(model_path))
