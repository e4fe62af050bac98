"""CSV interchange: a model as a zip (or a folder) of spreadsheets: `model.csv`, `nodes.csv`,
`links.csv`, and `indicators.csv`, `evidence.csv`, `funding.csv` and `observations.csv` when
the model has some (docs/format.md shows every column).

Layout
------
Each file is UTF-8 with a byte-order mark (so Excel reads it as UTF-8), RFC 4180 quoting and
CRLF rows; a header row names the columns, whose names are the toc/1 field names.

- ``model.csv``: one row, columns ``format, id, title, description, version, checks``.
  ``checks`` is ``CODE=setting`` items, e.g. ``TOC601=off; TOC104=warning``.
- ``nodes.csv``: one row per node, its fields (``decision`` and ``essa_tier`` as columns
  of their parts, ``decision_verdict``...). Older files packed the indicators into an
  ``indicators`` column, still read (see Cells).
- ``links.csv`` (optional: a model may have no links yet): one row per link, columns
  ``id, from, to, type, polarity, because, assumptions, lag``. Older files packed the
  evidence into an ``evidence`` column, still read.
- ``indicators.csv``, ``evidence.csv``, ``funding.csv``: one row per entry, keyed by
  ``node`` (or ``link``: the link's id, or ``FROM->TO``). A node whose indicators (or a link
  whose evidence) come both packed and as rows is a problem.
- ``observations.csv`` (optional: written only when some indicator has observations): one row
  per observation, columns ``node, indicator, date, value, note``, where ``indicator`` is the
  indicator's id, or else its name; when the name does not tell it apart from the node's
  other indicators (two without ids share it), ``#N``, its place among the node's
  indicators counting from 1 (read before names: an indicator named ``#2`` is written
  by its place). ``value`` is a number.

Cells
-----
- An empty cell is an absent field (None, or the field's default).
- Text cells hold the text as it is. The one exception keeps an empty text apart from an
  absent one: a present empty text is written ``""`` (two quote characters), and a text made
  only of quote characters is written with two more.
- List cells (``tags``, ``assumptions``, ``checks``) hold items separated by ``;``.
  Nested lists hold one record per item, its fields separated by ``|``, trailing empty fields
  left out: ``indicators`` as ``name|measures|target|baseline|source|cadence|id`` and
  ``evidence`` as ``citation|tier|url|note``, e.g. ``Newmann et al. (2001)|3``.
  Spaces around ``;`` and ``|`` are ignored; a backslash makes the next character literal
  (``\\;``, ``\\|``, ``\\\\``, or an edge space); an empty field is absent and ``""`` is an
  empty text, as in text cells.
- ``target`` and ``baseline`` are each a number or a text. A field written as a number
  (``80``, ``-2.5``, ``1e3``) is read as one; a text that would read as a number is written
  with its first character escaped (``\\80`` is the text "80"), so each comes back as it was.
  Whole numbers stay whole: ``80`` is 80, ``80.0`` is 80.0.

Reading also accepts the files inside a folder of the zip, column names in any case, rows with
missing trailing cells, blank rows, and CRLF or LF line ends. Problems name the file, the row as
a spreadsheet numbers it (the header is row 1) and the column: ``nodes.csv:3.level``.

Formulas
--------
A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula, and a formula can fetch URLs or run commands: text from users must not
become one (CSV injection). So a text or list cell that would start with one of those is
written with a leading apostrophe (``'=HYPERLINK(...)``), and so is a cell that already starts
with apostrophes followed by one (one more apostrophe). Reading takes one apostrophe off such
a cell, so every text comes back as it was. Spreadsheets do not write that apostrophe when
they save as CSV, so hand-made files read as typed. Ids and enumerations (``level``,
``polarity``...) are never guarded: a valid model holds no formula there.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from toc.document import parse_document
from toc.errors import DocumentRejected, Problem
from toc.formats.safecsv import bounded_lines, guard, unguard, write_rows
from toc.limits import DEFAULT_LIMITS, MAX_INT_DIGITS, Limits, capped, over_limit
from toc.model import TheoryOfChange
from toc.observations import parse_number

__all__ = [
    "write_csv_zip",
    "read_csv_zip",
    "MODEL_CSV",
    "NODES_CSV",
    "LINKS_CSV",
    "OBSERVATIONS_CSV",
    "INDICATORS_CSV",
    "EVIDENCE_CSV",
    "FUNDING_CSV",
    "read_csv_folder",
    "INDICATOR_FIELDS",
    "EVIDENCE_FIELDS",
]

MODEL_CSV, NODES_CSV, LINKS_CSV = "model.csv", "nodes.csv", "links.csv"
OBSERVATIONS_CSV = "observations.csv"
INDICATORS_CSV, EVIDENCE_CSV, FUNDING_CSV = "indicators.csv", "evidence.csv", "funding.csv"
# `id` came last, so files written before indicators had ids read the same.
INDICATOR_FIELDS = ("name", "measures", "target", "baseline", "source", "cadence", "id")
# Fields that hold a number or a text (SPEC §1).
_NUMBER_OR_TEXT = frozenset({"target", "baseline"})
# Tier before url: a team usually rates its evidence long before it finds a link for it.
EVIDENCE_FIELDS = ("citation", "tier", "url", "note")

# A fixed timestamp makes the same model give the same bytes, so exports diff cleanly.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

_ONLY_QUOTES = re.compile('"*')
# Digits Python can turn into an int (it refuses longer strings); longer ones stay text.
_DIGITS = re.compile(f"[0-9]{{1,{MAX_INT_DIGITS}}}")


# --- cells ------------------------------------------------------------------------------------


def _write_text(value: str) -> str:
    # An empty cell means absent, so a present empty text needs a mark of its own: `""`.
    return value + '""' if _ONLY_QUOTES.fullmatch(value) else value


def _read_text(cell: str) -> str:
    return cell[:-2] if len(cell) >= 2 and _ONLY_QUOTES.fullmatch(cell) else cell


# The cell as a spreadsheet will show it, not run it (see "Formulas" above): one rule for
# every CSV toc writes, in `toc.formats.safecsv`.
_guard, _unguard = guard, unguard


def _read_word(cell: str) -> str | None:
    # Ids and enum values never hold spaces, so stray ones from a spreadsheet are dropped.
    return cell.strip() or None


def _read_whole_number(cell: str) -> int | str | None:
    word = cell.strip()
    # Anything else goes through as text, for the contract to report as a wrong type.
    return int(word) if _DIGITS.fullmatch(word) else word or None


def _escape(value: str, specials: str) -> str:
    chars = ["\\" + ch if ch in specials else ch for ch in value]
    # Readers trim spaces around separators; escaped edge spaces survive that.
    start = 0
    while start < len(chars) and chars[start].isspace():
        chars[start] = "\\" + chars[start]
        start += 1
    end = len(chars) - 1
    while end >= start and chars[end].isspace():
        chars[end] = "\\" + chars[end]
        end -= 1
    return _write_text("".join(chars))


def _finish_field(token: list[tuple[str, bool]]) -> str | None:
    """One field's characters (each marked escaped or not), trimmed and decoded."""
    start, end = 0, len(token)
    while start < end and not token[start][1] and token[start][0].isspace():
        start += 1
    while end > start and not token[end - 1][1] and token[end - 1][0].isspace():
        end -= 1
    kept = token[start:end]
    if not kept:
        return None
    if len(kept) >= 2 and all(ch == '"' and not escaped for ch, escaped in kept):
        kept = kept[2:]
    text = "".join(ch for ch, _ in kept)
    return _Literal(text) if kept and kept[0][1] else text


class _Literal(str):
    """A field whose first character was escaped: a text even if it reads as a number."""

    __slots__ = ()


def _plain_field(text: str) -> str | None:
    """`_finish_field` for a field with no escaped character."""
    text = text.strip()
    return _read_text(text) if text else None


def _split(cell: str, nested: bool) -> list[list[str | None]]:
    """A list cell's items, each a list of fields; items with no field at all are dropped."""
    if "\\" not in cell:
        # Most cells escape nothing: plain splitting gives the same answer much faster.
        plain = [
            [_plain_field(field) for field in (item.split("|") if nested else [item])]
            for item in cell.split(";")
        ]
        return [item for item in plain if any(field is not None for field in item)]
    items: list[list[str | None]] = []
    fields: list[str | None] = []
    token: list[tuple[str, bool]] = []
    chars = iter(cell)
    for ch in chars:
        if ch == "\\":
            token.append((next(chars, "\\"), True))
        elif ch == ";" or (nested and ch == "|"):
            fields.append(_finish_field(token))
            token = []
            if ch == ";":
                items.append(fields)
                fields = []
        else:
            token.append((ch, False))
    fields.append(_finish_field(token))
    items.append(fields)
    return [item for item in items if any(field is not None for field in item)]


def _read_strings(cell: str) -> list[str]:
    return [item[0] for item in _split(cell, nested=False) if item[0] is not None]


def _write_strings(values: Iterable[str]) -> str:
    return "; ".join(_escape(value, ";\\") for value in values)


def _read_records(fields: tuple[str, ...], cell: str) -> list[dict[str, Any]]:
    records = []
    for number, item in enumerate(_split(cell, nested=True), start=1):
        if len(item) > len(fields):
            raise ValueError(
                f"item {number} has {len(item)} fields; expected at most {len(fields)} "
                f"({'|'.join(fields)})"
            )
        record: dict[str, Any] = {}
        for name, value in zip(fields, item, strict=False):
            if value is None:
                continue
            if name == "tier" and _DIGITS.fullmatch(value):
                # The ESSA tier is a number; JSON would carry it as one.
                record[name] = int(value)
            elif name in _NUMBER_OR_TEXT and type(value) is str:
                parsed = parse_number(value)
                record[name] = value if parsed is None else parsed
            else:
                record[name] = str(value)
        records.append(record)
    return records


def _write_records(fields: tuple[str, ...], records: Iterable[dict[str, Any]]) -> str:
    items = []
    for record in records:
        values = [record.get(name) for name in fields]
        while values and values[-1] is None:
            values.pop()
        items.append("|".join(_write_field(value) for value in values))
    return "; ".join(items)


def _write_field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return _write_number(value)
    text = _escape(str(value), ";|\\")
    # A text that reads as a number keeps its kind by an escaped first character.
    return "\\" + text if parse_number(text) is not None else text


def _write_number(value: int | float) -> str:
    # repr gives the shortest text that reads back as the same float ("0.1", "1e+20").
    return repr(value) if isinstance(value, float) else str(value)


def _read_value(cell: str) -> int | float | str | None:
    number = parse_number(cell)
    # Anything else goes through as text, for the contract to report as not a number.
    return number if number is not None else cell.strip() or None


def _read_checks(cell: str) -> dict[str, str]:
    checks = {}
    for item in _read_strings(cell):
        code, equals, setting = item.partition("=")
        if not equals:
            raise ValueError(f"expected CODE=setting (e.g. TOC601=off), got {item!r}")
        checks[code.strip()] = setting.strip()
    return checks


def _write_checks(checks: dict[str, str]) -> str:
    return _write_strings(f"{code}={setting}" for code, setting in checks.items())


class _Codec(NamedTuple):
    read: Callable[[str], Any]
    write: Callable[[Any], str]


def _guarded(codec: _Codec) -> _Codec:
    """The codec of a cell that holds users' text: never written as a formula."""
    return _Codec(lambda cell: codec.read(_unguard(cell)), lambda value: _guard(codec.write(value)))


def _read_bool(cell: str) -> bool | str | None:
    word = cell.strip().lower()
    if word in ("true", "yes"):
        return True
    if word in ("false", "no"):
        return False
    return cell.strip() or None


def _write_bool(value: Any) -> str:
    return "true" if value is True else "false" if value is False else str(value)


_BOOL = _Codec(_read_bool, _write_bool)
_WORD = _Codec(_read_word, str)
_NUMBER = _Codec(_read_whole_number, str)
# Never guarded: a spreadsheet reads "-5" as a number, not a formula, and writes it back so.
_VALUE = _Codec(_read_value, _write_number)
_TEXT = _guarded(_Codec(_read_text, _write_text))
_STRINGS = _guarded(_Codec(_read_strings, _write_strings))


def _read_number_or_text(cell: str) -> int | float | str | None:
    cell = _unguard(cell)
    if cell.startswith("\\"):
        return _read_text(cell[1:])  # a text, even one that reads as a number
    number = parse_number(cell)
    return number if number is not None else _read_text(cell)


def _write_number_or_text(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _write_number(value)  # a number is never guarded: "-5" is no formula
    text = _write_text(str(value))
    if text.startswith("\\") or parse_number(text) is not None:
        text = "\\" + text
    return _guard(text)


_NUMBER_OR_TEXT_CELL = _Codec(_read_number_or_text, _write_number_or_text)

# Each file's columns, in the order they are written, with how their cells are read and written.
_COLUMNS: dict[str, dict[str, _Codec]] = {
    MODEL_CSV: {
        "format": _WORD,
        "id": _WORD,
        "title": _TEXT,
        "description": _TEXT,
        "version": _NUMBER,
        "scope": _WORD,
        "org": _TEXT,
        "designations": _STRINGS,
        "currency": _WORD,
        "checks": _guarded(_Codec(_read_checks, _write_checks)),
    },
    NODES_CSV: {
        "id": _WORD,
        "level": _WORD,
        "kind": _WORD,
        "title": _TEXT,
        "label": _TEXT,
        "description": _TEXT,
        "actor": _TEXT,
        "form": _TEXT,
        "function": _TEXT,
        "status": _WORD,
        "tags": _STRINGS,
        "realizes": _STRINGS,
        "cost": _VALUE,
        "reach": _NUMBER,
        "required": _BOOL,
        "eligible": _STRINGS,
        "essa_tier": _NUMBER,
        "essa_tier_source": _TEXT,
        "decision_verdict": _WORD,
        "decision_rationale": _TEXT,
        "decision_date": _WORD,
        "decision_owner": _TEXT,
        "decision_review_by": _WORD,
        # Read only, as files written before indicators.csv packed them (module doc).
        "indicators": _guarded(
            _Codec(
                partial(_read_records, INDICATOR_FIELDS), partial(_write_records, INDICATOR_FIELDS)
            )
        ),
    },
    LINKS_CSV: {
        "id": _WORD,
        "from": _WORD,
        "to": _WORD,
        "type": _WORD,
        "polarity": _WORD,
        "because": _TEXT,
        "lag": _TEXT,
        # Read only, as files written before evidence.csv packed them (module doc).
        "evidence": _guarded(
            _Codec(
                partial(_read_records, EVIDENCE_FIELDS), partial(_write_records, EVIDENCE_FIELDS)
            )
        ),
        "assumptions": _STRINGS,
    },
    INDICATORS_CSV: {
        "node": _WORD,
        "id": _WORD,
        "name": _TEXT,
        "measures": _WORD,
        "target": _NUMBER_OR_TEXT_CELL,
        "baseline": _NUMBER_OR_TEXT_CELL,
        "source": _TEXT,
        "cadence": _TEXT,
    },
    EVIDENCE_CSV: {
        "link": _WORD,
        "citation": _TEXT,
        "tier": _NUMBER,
        "url": _TEXT,
        "note": _TEXT,
    },
    FUNDING_CSV: {
        "node": _WORD,
        "source": _TEXT,
        "amount": _VALUE,
        "ends": _WORD,
    },
    OBSERVATIONS_CSV: {
        "node": _WORD,
        "indicator": _TEXT,
        "date": _WORD,
        "value": _VALUE,
        "note": _TEXT,
    },
}
# Files a zip may leave out: a model may have no links, and no observations yet.
_OPTIONAL = frozenset({LINKS_CSV, INDICATORS_CSV, EVIDENCE_CSV, FUNDING_CSV, OBSERVATIONS_CSV})
# Columns read from older files but no longer written: their rows have files of their own.
_PACKED = {NODES_CSV: "indicators", LINKS_CSV: "evidence"}
# Columns holding a part of an object field: (field, part).
_PARTS: dict[str, tuple[str, str]] = {
    "essa_tier": ("essa_tier", "tier"),
    "essa_tier_source": ("essa_tier", "source"),
    "decision_verdict": ("decision", "verdict"),
    "decision_rationale": ("decision", "rationale"),
    "decision_date": ("decision", "date"),
    "decision_owner": ("decision", "decided_by"),
    "decision_review_by": ("decision", "review_by"),
}
_FILE_ORDER = {name: index for index, name in enumerate(_COLUMNS)}


# --- writing ----------------------------------------------------------------------------------


def _write_table(name: str, records: Iterable[dict[str, Any]]) -> bytes:
    columns = {c: codec for c, codec in _COLUMNS[name].items() if _PACKED.get(name) != c}
    rows = []
    for record in records:
        cells = []
        for column, codec in columns.items():
            value: Any = record.get(column)
            if column in _PARTS:
                field, part = _PARTS[column]
                whole = record.get(field)
                value = whole.get(part) if isinstance(whole, dict) else None
            cells.append("" if value is None else codec.write(value))
        rows.append(cells)
    # The one CSV writer of toc: CRLF rows, a cell with CR, LF, quote or comma quoted.
    return write_rows(columns, rows).encode("utf-8-sig")


def _child_rows(
    items: list[dict[str, Any]], field: str, key: Callable[[dict[str, Any]], str], column: str
) -> list[dict[str, Any]]:
    """One row per entry of each item's list `field`, keyed by `column`: the model's order."""
    return [{column: key(item), **entry} for item in items for entry in item.get(field) or []]


def write_csv_zip(model: TheoryOfChange) -> bytes:
    """The model as a zip of `model.csv`, `nodes.csv`, `links.csv` and, when there are any,
    `indicators.csv`, `evidence.csv`, `funding.csv` and `observations.csv` (see the module
    doc).

    >>> from toc.model import TheoryOfChange
    >>> data = write_csv_zip(TheoryOfChange(id="m", title="M"))
    >>> read_csv_zip(data) == TheoryOfChange(id="m", title="M")
    True
    """
    document = model.to_document()
    nodes, links = document["nodes"], document["links"]
    tables = {
        MODEL_CSV: [document],
        NODES_CSV: nodes,
        LINKS_CSV: links,
        INDICATORS_CSV: _child_rows(nodes, "indicators", lambda node: node["id"], "node"),
        EVIDENCE_CSV: _child_rows(links, "evidence", _link_key, "link"),
        FUNDING_CSV: _child_rows(nodes, "funding", lambda node: node["id"], "node"),
        OBSERVATIONS_CSV: _observation_rows(nodes),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, records in tables.items():
            if name in _OPTIONAL and name != LINKS_CSV and not records:
                continue
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, _write_table(name, records))
    return buffer.getvalue()


def _link_key(link: dict[str, Any]) -> str:
    """How evidence.csv names a link: its id, or the FROM->TO id toc gives one without."""
    return str(link.get("id") or f"{link.get('from')}->{link.get('to')}")


def _indicator_key(indicators: list[dict[str, Any]], index: int) -> str:
    """How observations.csv names the indicator at `index`: id, else name, else `#N`."""
    indicator = indicators[index]
    if "id" in indicator:
        return str(indicator["id"])
    name = str(indicator["name"])
    # `#N` always names the N-th indicator: no id can hold `#`, and places come before names.
    return name if _find_indicator(indicators, name) == index else f"#{index + 1}"


def _find_indicator(indicators: list[dict[str, Any]], key: str) -> int | str:
    """The index of the indicator `key` names (id, `#N`, unique name), or why there is none."""
    for index, indicator in enumerate(indicators):
        if indicator.get("id") == key:
            return index
    place = re.fullmatch(r"#([1-9][0-9]*)", key)
    if place and int(place[1]) <= len(indicators):
        return int(place[1]) - 1
    named = [index for index, indicator in enumerate(indicators) if indicator.get("name") == key]
    if len(named) == 1:
        return named[0]
    if named:
        return f"{len(named)} indicators are named {key!r}: use an id or #N (its place)"
    return f"no indicator with id or name {key!r}"


def _observation_rows(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per observation, by node, indicator and date: the model's own order."""
    rows = []
    for node in nodes:
        indicators = node.get("indicators", [])
        for index, indicator in enumerate(indicators):
            observations = indicator.get("observations")
            if not observations:
                continue
            key = _indicator_key(indicators, index)
            rows += [{"node": node["id"], "indicator": key, **o} for o in observations]
    return rows


# --- reading ----------------------------------------------------------------------------------


class _Located(NamedTuple):
    """A problem at a place in the zip: file, spreadsheet row (0: the whole file), column."""

    file: str
    row: int
    column: str
    message: str

    def sort_key(self) -> tuple[int, int, int, str]:
        columns = list(_COLUMNS.get(self.file, {}))
        base = re.split(r"[.\[]", self.column, maxsplit=1)[0]
        position = columns.index(base) if base in columns else -1
        return (_FILE_ORDER.get(self.file, -1), self.row, position, self.column)

    def problem(self) -> Problem:
        if not self.file:
            return Problem(self.column or "$", self.message)
        path = f"{self.file}:{self.row}" if self.row else self.file
        return Problem(f"{path}.{self.column}" if self.column else path, self.message)


class _Problems(list[_Located]):
    """The problems found so far: past what a rejection lists, they are counted, not kept, so
    a file of a million bad rows costs no more memory than one of a thousand."""

    def __init__(self, limits: Limits):
        super().__init__()
        self.limits = limits
        self.dropped = 0

    def append(self, problem: _Located) -> None:
        if len(self) < self.limits.max_problems:
            super().append(problem)
        else:
            self.dropped += 1

    def extend(self, problems: Iterable[_Located]) -> None:
        for problem in problems:
            self.append(problem)


def _rejected(problems: _Problems) -> DocumentRejected:
    listed = [p.problem() for p in sorted(problems, key=_Located.sort_key)]
    return capped(listed, problems.limits, len(listed) + problems.dropped)


# Each file's rows are records of one kind, each kind with its limit.
_ROW_LIMITS = {
    NODES_CSV: ("max_nodes", "nodes"),
    LINKS_CSV: ("max_links", "links"),
    OBSERVATIONS_CSV: ("max_observations", "observations"),
}


def _unzip(data: bytes, limits: Limits) -> dict[str, str]:
    """The text of each known file in the zip; rejects a zip that cannot give them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise DocumentRejected(
            [Problem("$", f"not a zip archive: a CSV model is a zip of {', '.join(_COLUMNS)}")]
        ) from None
    found: dict[str, list[zipfile.ZipInfo]] = {}
    for info in archive.infolist():
        # Zipping a folder on macOS adds `__MACOSX/._nodes.csv` shadows; they are not data.
        if info.is_dir() or info.filename.startswith("__MACOSX/"):
            continue
        name = PurePosixPath(info.filename).name.lower()
        if name in _COLUMNS:
            found.setdefault(name, []).append(info)

    problems = _Problems(limits)
    texts: dict[str, str] = {}
    # What the files may inflate to, together: each is read no further than what is left.
    budget = limits.max_unzipped_bytes
    too_large = f"unzips to more than {budget:,} bytes: over this service's limit"
    if sum(info.file_size for infos in found.values() for info in infos) > budget:
        raise DocumentRejected([Problem("$", too_large)])
    for name in _COLUMNS:
        infos = found.get(name, [])
        if not infos:
            if name not in _OPTIONAL:
                problems.append(_Located(name, 0, "", "missing from the zip"))
            continue
        if len(infos) > 1:
            places = ", ".join(info.filename for info in infos)
            problems.append(_Located(name, 0, "", f"found more than once ({places})"))
            continue
        try:
            with archive.open(infos[0]) as member:
                # The declared size may lie: inflating stops one byte past what is left.
                raw = member.read(budget + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError) as bad:
            # Corrupt data, an unsupported compression method, a password: all are unreadable.
            problems.append(_Located(name, 0, "", f"cannot be read from the zip: {bad}"))
            continue
        if len(raw) > budget:
            raise DocumentRejected([Problem("$", too_large)])
        budget -= len(raw)
        try:
            texts[name] = raw.decode("utf-8-sig")  # Excel starts UTF-8 CSV with a BOM
        except UnicodeDecodeError as bad:
            problems.append(
                _Located(
                    name,
                    0,
                    "",
                    f"not UTF-8 text ({bad.reason} at byte {bad.start}); in Excel, "
                    "save as 'CSV UTF-8'",
                )
            )
    if problems:
        raise _rejected(problems)
    return texts


class _RowCount:
    """The rows read so far across a zip's files, against `limits.max_csv_rows`."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.rows = 0

    def counted(self, reader: Iterable[list[str]]) -> Iterable[list[str]]:
        for row in reader:
            self.rows += 1
            if self.rows > self.limits.max_csv_rows:
                raise over_limit("$", "CSV rows", self.limits.max_csv_rows)
            yield row


def _read_table(
    name: str, text: str, problems: _Problems, count: _RowCount
) -> list[tuple[int, dict[str, Any]]]:
    """Each data row as (spreadsheet row number, fields present); blank rows are skipped.

    Rows are read one at a time and counted as they come: a file with more rows than the
    limits allow is rejected at the first row too many.
    """
    columns = _COLUMNS[name]
    limit_name, items = _ROW_LIMITS.get(name, ("max_csv_rows", "rows"))
    most = getattr(count.limits, limit_name)
    # csv's cap on a cell is global: it is set to this reader's limit while it reads (the
    # module checks it as it parses, before the cell is built).
    csv.field_size_limit(count.limits.max_cell_chars)
    reader = csv.reader(bounded_lines(name, text, count.limits))
    rows = iter(count.counted(reader))
    try:
        first = next(rows, None)
        if first is None:
            problems.append(
                _Located(name, 0, "", "empty: expected a header row naming the columns")
            )
            return []
        header = [cell.strip().lower() for cell in first]
        known: dict[int, str] = {}
        unknown: dict[int, str] = {}
        for index, column in enumerate(header):
            if column in known.values():
                problems.append(_Located(name, 1, column, "column given more than once"))
            elif column in columns:
                known[index] = column
            else:
                unknown[index] = column
        # A trailing column with no name and no data is what spreadsheets leave behind.
        used = {index for index, column in unknown.items() if column}
        records = _records(name, rows, header, known, unknown, used, problems, most, items)
    except csv.Error as bad:
        problems.append(_Located(name, reader.line_num, "", f"not valid CSV: {bad}"))
        return []
    for index, column in unknown.items():
        if index in used:
            problems.append(
                _Located(
                    name,
                    1,
                    column,
                    f"unknown column {column!r}; expected {', '.join(columns)}",
                )
            )
    return records


def _records(
    name: str,
    rows: Iterable[list[str]],
    header: list[str],
    known: dict[int, str],
    unknown: dict[int, str],
    used: set[int],
    problems: _Problems,
    most: int,
    items: str,
) -> list[tuple[int, dict[str, Any]]]:
    columns = _COLUMNS[name]
    records: list[tuple[int, dict[str, Any]]] = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        for index in unknown:
            if index not in used and index < len(row) and row[index].strip():
                used.add(index)
        if len(records) >= most:
            raise over_limit(name, items, most)
        if any(cell.strip() for cell in row[len(header) :]):
            problems.append(
                _Located(name, number, "", f"{len(row)} cells, but the header has {len(header)}")
            )
        record: dict[str, Any] = {}
        for index, column in known.items():
            cell = row[index] if index < len(row) else ""
            if not cell:
                continue
            try:
                value = columns[column].read(cell)
            except ValueError as bad:
                problems.append(_Located(name, number, column, str(bad)))
                continue
            if value is not None:
                record[column] = value
        records.append((number, record))
    return records


_ITEM_PATH = re.compile(r"(nodes|links)\[(\d+)\]\.?(.*)")
_OBSERVATION_PATH = re.compile(r"nodes\[(\d+)\]\.indicators\[(\d+)\]\.observations\[(\d+)\]\.?(.*)")


def _attach_observations(
    nodes: list[dict[str, Any]],
    rows: list[tuple[int, dict[str, Any]]],
    problems: list[_Located],
) -> dict[tuple[int, int, int], int]:
    """Add each observations.csv row to its indicator; returns where each one came from."""
    by_id = {node.get("id"): index for index, node in enumerate(nodes)}
    origin: dict[tuple[int, int, int], int] = {}
    for number, row in rows:
        node_index = by_id.get(row.get("node"))
        if node_index is None:
            message = f"no node with id {row['node']!r}" if "node" in row else "required"
            problems.append(_Located(OBSERVATIONS_CSV, number, "node", message))
            continue
        indicators = nodes[node_index].get("indicators")
        found: int | str = "required"
        if "indicator" in row:
            found = _find_indicator(
                indicators if isinstance(indicators, list) else [], row["indicator"]
            )
        if isinstance(found, str):
            problems.append(_Located(OBSERVATIONS_CSV, number, "indicator", found))
            continue
        assert isinstance(indicators, list)
        observation = {k: v for k, v in row.items() if k not in ("node", "indicator")}
        listed = indicators[found].setdefault("observations", [])
        origin[(node_index, found, len(listed))] = number
        listed.append(observation)
    return origin


_CHILD_PATH = re.compile(r"(nodes|links)\[(\d+)\]\.(indicators|evidence|funding)\[(\d+)\]\.?(.*)")
# Where each list of children is read from, with the column naming its parent.
_CHILD_FILES = (
    (INDICATORS_CSV, "nodes", "indicators", "node"),
    (FUNDING_CSV, "nodes", "funding", "node"),
    (EVIDENCE_CSV, "links", "evidence", "link"),
)
Origins = dict[tuple[str, int, str, int], tuple[str, int]]


def _fold_parts(record: dict[str, Any]) -> None:
    """`decision_verdict` and its kind, read as columns, put back into their objects."""
    for column, (field, part) in _PARTS.items():
        if column in record:
            record.setdefault(field, {})[part] = record.pop(column)


def _column(rest: str) -> str:
    """The column a field path inside a node or link sits in (`decision.date` → its column)."""
    for column, (field, part) in _PARTS.items():
        if rest == f"{field}.{part}" or rest.startswith(f"{field}.{part}."):
            return column
    return rest


def _attach_children(
    document: dict[str, Any],
    tables: dict[str, list[tuple[int, dict[str, Any]]]],
    problems: _Problems,
) -> Origins:
    """Add each indicators.csv, funding.csv and evidence.csv row to its node or link."""
    origin: Origins = {}
    parents = {"nodes": document["nodes"], "links": document["links"]}
    index_of = {
        "nodes": {node.get("id"): index for index, node in enumerate(document["nodes"])},
        "links": {_link_key(link): index for index, link in enumerate(document["links"])},
    }
    for file, kind, field, column in _CHILD_FILES:
        # Items whose list came packed in a cell of nodes.csv or links.csv (older files).
        packed = {index for index, item in enumerate(parents[kind]) if field in item}
        for number, row in tables.get(file, []):
            key = row.pop(column, None)
            index = index_of[kind].get(key)
            if index is None:
                what = "node" if kind == "nodes" else "link (its id, or FROM->TO)"
                message = f"no {what} with id {key!r}" if key is not None else "required"
                problems.append(_Located(file, number, column, message))
                continue
            if index in packed:
                problems.append(
                    _Located(
                        file,
                        number,
                        column,
                        f"{key!r} also has {field} in the {field} column of {kind}.csv: give "
                        f"them one way, here (one row each) or there",
                    )
                )
                continue
            listed = parents[kind][index].setdefault(field, [])
            origin[(kind, index, field, len(listed))] = (file, number)
            listed.append(row)
    return origin


def _locate(
    problem: Problem,
    rows: dict[str, list[int]],
    observed: dict[tuple[int, int, int], int],
    children: Origins,
) -> _Located:
    """A contract problem's toc/1 path told as file, row and column of the zip."""
    observation = _OBSERVATION_PATH.fullmatch(problem.path)
    if observation:
        where = (int(observation[1]), int(observation[2]), int(observation[3]))
        if where in observed:
            return _Located(OBSERVATIONS_CSV, observed[where], observation[4], problem.message)
    child = _CHILD_PATH.fullmatch(problem.path)
    if child:
        found = children.get((child[1], int(child[2]), child[3], int(child[4])))
        if found is not None:
            return _Located(found[0], found[1], child[5], problem.message)
    item = _ITEM_PATH.fullmatch(problem.path)
    if item:
        name = f"{item[1]}.csv"
        return _Located(name, rows[name][int(item[2])], _column(item[3]), problem.message)
    if problem.path in ("$", ""):
        return _Located("", 0, "", problem.message)
    return _Located(MODEL_CSV, rows[MODEL_CSV][0], problem.path, problem.message)


def read_csv_zip(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TheoryOfChange:
    """Read a model from a zip of `model.csv`, `nodes.csv`, `links.csv`, `indicators.csv`,
    `evidence.csv`, `funding.csv` and `observations.csv` (the last four optional).

    Raises `DocumentRejected` listing every problem at once, each at `file:row.column` (the
    first `limits.max_problems`, then a count of the rest). The zip may unzip to no more than
    `limits.max_unzipped_bytes`, and hold no more rows, cells per row or characters per cell
    than the limits allow, all checked while it is read.
    """
    return _read_texts(_unzip(data, limits), limits)


def read_csv_folder(folder: Path, limits: Limits = DEFAULT_LIMITS) -> TheoryOfChange:
    """Read a model from a folder of CSV files, as `read_csv_zip` reads a zip of them."""
    texts: dict[str, str] = {}
    problems = _Problems(limits)
    budget = limits.max_unzipped_bytes
    for path in sorted(folder.iterdir()):
        name = path.name.lower()
        if name not in _COLUMNS or not path.is_file():
            continue
        if path.stat().st_size > budget:
            raise DocumentRejected(
                [
                    Problem(
                        "$", f"more than {limits.max_unzipped_bytes:,} bytes of CSV: over the limit"
                    )
                ]
            )
        raw = path.read_bytes()
        budget -= len(raw)
        try:
            texts[name] = raw.decode("utf-8-sig")
        except UnicodeDecodeError as bad:
            problems.append(
                _Located(
                    name,
                    0,
                    "",
                    f"not UTF-8 text ({bad.reason} at byte {bad.start}); in Excel, "
                    "save as 'CSV UTF-8'",
                )
            )
    for name in _COLUMNS:
        if name not in texts and name not in _OPTIONAL and not problems:
            problems.append(_Located(name, 0, "", f"missing from the folder {folder}"))
    if problems:
        raise _rejected(problems)
    return _read_texts(texts, limits)


def _read_texts(texts: dict[str, str], limits: Limits) -> TheoryOfChange:
    problems = _Problems(limits)
    count = _RowCount(limits)
    tables = {}
    for name in list(texts):
        tables[name] = _read_table(name, texts.pop(name), problems, count)

    model_rows = tables[MODEL_CSV]
    for number, _ in model_rows[1:]:
        problems.append(
            _Located(
                MODEL_CSV, number, "", "one row too many: model.csv holds the model's row alone"
            )
        )
    document: dict[str, Any] = dict(model_rows[0][1]) if model_rows else {}
    document["nodes"] = [record for _, record in tables[NODES_CSV]]
    document["links"] = [record for _, record in tables.get(LINKS_CSV, [])]
    for node in document["nodes"]:
        _fold_parts(node)
    children = _attach_children(document, tables, problems)
    observed = _attach_observations(document["nodes"], tables.get(OBSERVATIONS_CSV, []), problems)
    rows = {
        MODEL_CSV: [model_rows[0][0] if model_rows else 2],
        NODES_CSV: [number for number, _ in tables[NODES_CSV]],
        LINKS_CSV: [number for number, _ in tables.get(LINKS_CSV, [])],
    }
    del tables
    try:
        model = parse_document(document, limits)
    except DocumentRejected as rejected:
        listed = rejected.problems[: len(rejected.problems) - (1 if rejected.unlisted else 0)]
        problems.extend(_locate(problem, rows, observed, children) for problem in listed)
        problems.dropped += rejected.unlisted
        raise _rejected(problems) from None
    if problems:
        raise _rejected(problems)
    return model
