"""Observations coming in: read from JSON or CSV, checked against a model, merged all or nothing.

What a data office exports (SPEC §5): one row per measured value, as JSON
``[{"node", "indicator", "date", "value", "note"?}]`` or CSV with a header row naming the
columns ``node, indicator, date, value, note`` (``note`` may be left out; column names in any
case). ``indicator`` is the indicator's ``id``, or else its exact ``name``. Every problem is
reported at once, each with where it is (``[2].value`` in JSON, ``row 3.value`` in CSV, rows
numbered as a spreadsheet numbers them, the header being row 1), and nothing is merged when
there is one.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from toc import formats
from toc.document import parse_document
from toc.errors import DocumentRejected, Problem
from toc.limits import MAX_INT_DIGITS, decode_json
from toc.model import Indicator, TheoryOfChange, parse_iso_date

__all__ = [
    "ObservationInput",
    "COLUMNS",
    "read_observations",
    "read_observations_json",
    "read_observations_csv",
    "resolve_indicator",
    "merge_observations",
    "observe",
    "observe_paths",
    "parse_number",
]

COLUMNS = ("node", "indicator", "date", "value", "note")
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


def read_observations_json(data: str | bytes) -> list[ObservationInput]:
    """Rows from a JSON array of objects; a malformed array is rejected with every problem."""
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
        for field in item:
            if field not in COLUMNS:
                problems.append(Problem(f"{where}.{field}", f"unknown field '{field}'"))
        rows.append(ObservationInput(where, *(item.get(field) for field in COLUMNS)))
    if problems:
        raise DocumentRejected(problems)
    return rows


def read_observations_csv(
    data: str | bytes, where: Callable[[int], str] = lambda row: f"row {row}"
) -> list[ObservationInput]:
    """Rows from CSV text with a header row; `where` names a spreadsheet row in problems."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as bad:
            raise DocumentRejected(
                [Problem("$", f"not UTF-8 text ({bad.reason} at byte {bad.start})")]
            ) from None
    data = data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        table = list(reader)
    except csv.Error as bad:
        raise DocumentRejected([Problem(where(reader.line_num), f"not valid CSV: {bad}")]) from None
    if not table:
        raise DocumentRejected(
            [Problem("$", f"empty: expected a header row naming {', '.join(COLUMNS)}")]
        )
    header = [cell.strip().lower() for cell in table[0]]
    problems = []
    for column in header:
        if column and column not in COLUMNS:
            problems.append(
                Problem(f"{where(1)}.{column}", f"unknown column; expected {', '.join(COLUMNS)}")
            )
        elif column and header.count(column) > 1:
            problems.append(Problem(f"{where(1)}.{column}", "column given more than once"))
    for column in _REQUIRED:
        if column not in header:
            problems.append(Problem(where(1), f"no '{column}' column"))
    if problems:
        raise DocumentRejected(list(dict.fromkeys(problems)))
    position = {column: header.index(column) for column in COLUMNS if column in header}
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(column: str, cells: Sequence[str] = cells) -> str | None:
            index = position.get(column)
            text = cells[index] if index is not None and index < len(cells) else ""
            return text if text.strip() else None

        value = cell("value")
        number_value = parse_number(value) if value is not None else None
        rows.append(
            ObservationInput(
                where(number),
                (cell("node") or "").strip() or None,
                cell("indicator"),
                (cell("date") or "").strip() or None,
                number_value if number_value is not None else value,
                cell("note"),
            )
        )
    return rows


def read_observations(data: bytes, fmt: str) -> list[ObservationInput]:
    """Rows from `data` in `fmt`: `json` or `csv`."""
    if fmt == "json":
        return read_observations_json(data)
    if fmt == "csv":
        return read_observations_csv(data)
    raise DocumentRejected([Problem("$", f"cannot read observations as {fmt!r}; use json or csv")])


def resolve_indicator(
    indicators: Sequence[Indicator], key: str, node: str = "the node"
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
        return f"expected a date written YYYY-MM-DD, got {value!r}"


class _Resolved(NamedTuple):
    """A checked row: where its indicator is, and the date it holds, written `YYYY-MM-DD`."""

    node: int
    indicator: int
    date: str
    row: ObservationInput


def _check(model: TheoryOfChange, rows: Sequence[ObservationInput]) -> list[_Resolved]:
    """Each row's node and indicator positions; raises with every problem when any row is bad."""
    nodes = {node.id: index for index, node in enumerate(model.nodes)}
    # One lookup per (node, indicator key), however many rows name it.
    indicators: dict[tuple[int, str], int | str] = {}
    problems: list[Problem] = []
    resolved = []
    seen: dict[tuple[int, int, str], str] = {}
    for row in rows:
        found = len(problems)
        node_index = indicator_index = -1
        if type(row.node) is not str:
            problems.append(Problem(f"{row.where}.node", "required: the node's id"))
        elif row.node not in nodes:
            problems.append(Problem(f"{row.where}.node", f"no node with id {row.node!r}"))
        else:
            node_index = nodes[row.node]
        if type(row.indicator) is not str:
            problems.append(
                Problem(f"{row.where}.indicator", "required: the indicator's id or name")
            )
        elif node_index >= 0:
            answer = indicators.get((node_index, row.indicator))
            if answer is None:
                answer = indicators[node_index, row.indicator] = resolve_indicator(
                    model.nodes[node_index].indicators, row.indicator, f"node {row.node!r}"
                )
            if isinstance(answer, str):
                problems.append(Problem(f"{row.where}.indicator", answer))
            else:
                indicator_index = answer
        read = _read_date(row.date)
        if isinstance(read, str):
            problems.append(Problem(f"{row.where}.date", read))
        if type(row.value) is int and abs(row.value) > sys.float_info.max:
            # A measured value is plotted and compared as a float: one past float's range
            # (a 400-digit integer) is no measurement toc can use.
            digits = len(str(abs(row.value)))
            problems.append(
                Problem(
                    f"{row.where}.value",
                    f"expected a number between -{sys.float_info.max:.4g} and "
                    f"{sys.float_info.max:.4g}, got an integer of {digits} digits",
                )
            )
        elif type(row.value) not in (int, float) or not math.isfinite(row.value):
            shown = "nothing" if row.value is None else repr(row.value)
            problems.append(Problem(f"{row.where}.value", f"expected a number, got {shown}"))
        if row.note is not None and type(row.note) is not str:
            problems.append(Problem(f"{row.where}.note", "expected a text"))
        if len(problems) > found or isinstance(read, str):
            continue
        date = read.isoformat()
        key = (node_index, indicator_index, date)
        if key in seen:
            problems.append(
                Problem(
                    f"{row.where}.date",
                    f"a second observation of this indicator for {date} (first at "
                    f"{seen[key]}): at most one per date",
                )
            )
            continue
        seen[key] = row.where
        resolved.append(_Resolved(node_index, indicator_index, date, row))
    if problems:
        raise DocumentRejected(problems)
    return resolved


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
        date that already has one replaces it. The result is validated again as a whole.

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
    resolved = _check(model, observations)
    document = model.to_document()
    # Each touched indicator's observations by date, built once: a row replaces the one of its
    # date in constant time, so a merge costs the rows plus the observations it touches
    # (rebuilding the list per row was quadratic: 24,000 rows of one indicator took 41 s).
    by_date: dict[tuple[int, int], dict[str, dict[str, Any]]] = {}
    for node_index, indicator_index, date, row in resolved:
        dates = by_date.get((node_index, indicator_index))
        if dates is None:
            indicator = document["nodes"][node_index]["indicators"][indicator_index]
            dates = by_date[node_index, indicator_index] = {
                observation["date"]: observation
                for observation in indicator.get("observations", [])
            }
        entry: dict[str, Any] = {"date": date, "value": row.value}
        if row.note is not None:
            entry["note"] = row.note
        dates[date] = entry
    for (node_index, indicator_index), dates in by_date.items():
        indicator = document["nodes"][node_index]["indicators"][indicator_index]
        indicator["observations"] = [dates[date] for date in sorted(dates)]
    return parse_document(document)


def observe(
    model_data: bytes, model_format: str, observations_data: bytes, observations_format: str
) -> bytes:
    """`toc observe`: read a model and observations, merge them, write the model back.

    Parameters
    ----------
    model_data : bytes
        The model, in `model_format` (one of `toc.formats.READ_FORMATS`).
    model_format : str
    observations_data : bytes
        The rows, in `observations_format`: `json` or `csv`.
    observations_format : str

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
    merged = merge_observations(model, read_observations(observations_data, observations_format))
    return formats.write(merged, model_format)


def observe_paths(model_path: Path, observations_path: Path) -> bytes:
    """`toc observe FILE DATA`: formats chosen by suffix (DATA: `.json` is JSON, else CSV)."""
    data_format = "json" if observations_path.suffix.lower() == ".json" else "csv"
    return observe(
        model_path.read_bytes(),
        formats.format_for_path(model_path),
        observations_path.read_bytes(),
        data_format,
    )
