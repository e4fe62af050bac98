"""XLSX interchange: a model as one workbook, a sheet per kind of row, nothing packed into a cell.

Layout (SPEC §2; docs/format.md shows it with an example)
--------------------------------------------------------
Each sheet has a header row naming its columns (any case, any order) and one row per item:

- ``model``: one row, ``format, id, title, description, version, scope, org, designations,
  currency``;
- ``nodes``: one row per node, its fields, lists ``;``-separated, ``decision`` as the columns
  ``decision_verdict, decision_rationale, decision_date, decision_owner`` (+
  ``decision_review_by``) and ``essa_tier`` as ``essa_tier, essa_tier_source``;
- ``links``: one row per link; ``indicators`` (``node`` + the indicator's fields), ``evidence``
  (``link``: the link's id, or ``FROM->TO``, + the entry's fields), ``observations`` (``node,
  indicator, date, value, note``), ``funding`` (``node, source, amount, ends``) and ``checks``
  (``code, rating``): one row per entry, in the model's order;
- ``chains`` (read only, optional): a logic model as rows of titles (see `toc.formats.chains`).

Cells keep their types: numbers are number cells (floats written exactly, integers beyond 2⁵³
as text, which a number column reads back as the integer), text is always a string cell — never
a formula, whatever it starts with — and a formula someone typed is read as its text, never
evaluated. An empty text is written ``""`` (an empty cell means absent), list items holding a
``;`` escape it with a backslash, as in the CSV zip. Dates may be typed as dates (or as Excel's
serial numbers) in date columns.

Problems name the sheet, the cell and what is wrong: ``nodes!C7: unknown level 'System'``.
openpyxl opens a workbook (read-only) and writes the template; toc writes a model's
workbook part by part and streams each sheet's rows itself (see docs/performance.md). openpyxl
is imported only when a workbook is read or written.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Generator, Iterator
from typing import Any, NamedTuple

from toc.document import parse_document
from toc.errors import DocumentRejected, Problem, UnwritableText
from toc.formats.csvzip import (
    _find_indicator,
    _indicator_key,
    _read_strings,
    _read_text,
    _write_strings,
    _write_text,
)
from toc.limits import DEFAULT_LIMITS, Limits, capped, over_limit
from toc.model import TheoryOfChange, generated_link_id
from toc.observations import parse_number

__all__ = [
    "read_xlsx",
    "write_xlsx",
    "SHEETS",
    "MAX_SHEET_ROWS",
    "MEDIA_TYPE",
    "open_workbook",
    "sheet_rows",
    "cell_name",
    "unreadable",
]

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A worksheet holds 1,048,576 rows; the header takes one.
MAX_SHEET_ROWS = 1_048_575
# A worksheet holds 16,384 columns; a row of more cells than that is not a worksheet's.
MAX_COLUMNS = 16_384
# Integers a spreadsheet keeps exactly (a double's 53 bits); larger ones are written as text.
_EXACT = 2**53


class Column(NamedTuple):
    """A column of a sheet: its header, how its cells read, and where it sits in the item."""

    header: str
    kind: str  # word, text, int, number, number_or_text, bool, list, date
    key: tuple[str, ...]


def _columns(*spec: tuple[str, str] | tuple[str, str, tuple[str, ...]]) -> tuple[Column, ...]:
    return tuple(Column(s[0], s[1], s[2] if len(s) == 3 else (s[0],)) for s in spec)


MODEL_COLUMNS = _columns(
    ("format", "word"),
    ("id", "word"),
    ("title", "text"),
    ("description", "text"),
    ("version", "int"),
    ("scope", "word"),
    ("org", "text"),
    ("designations", "list"),
    ("currency", "word"),
)
NODE_COLUMNS = _columns(
    ("id", "word"),
    ("level", "word"),
    ("kind", "word"),
    ("title", "text"),
    ("label", "text"),
    ("description", "text"),
    ("actor", "text"),
    ("form", "text"),
    ("function", "text"),
    ("status", "word"),
    ("tags", "list"),
    ("realizes", "list"),
    ("cost", "number"),
    ("reach", "int"),
    ("required", "bool"),
    ("eligible", "list"),
    ("essa_tier", "int", ("essa_tier", "tier")),
    ("essa_tier_source", "text", ("essa_tier", "source")),
    ("decision_verdict", "word", ("decision", "verdict")),
    ("decision_rationale", "text", ("decision", "rationale")),
    ("decision_date", "date", ("decision", "date")),
    ("decision_owner", "text", ("decision", "decided_by")),
    ("decision_review_by", "date", ("decision", "review_by")),
)
LINK_COLUMNS = _columns(
    ("id", "word"),
    ("from", "word"),
    ("to", "word"),
    ("type", "word"),
    ("polarity", "word"),
    ("because", "text"),
    ("assumptions", "list"),
    ("lag", "text"),
)
INDICATOR_COLUMNS = _columns(
    ("node", "word"),
    ("id", "word"),
    ("name", "text"),
    ("measures", "word"),
    ("target", "number_or_text"),
    ("baseline", "number_or_text"),
    ("source", "text"),
    ("cadence", "text"),
)
EVIDENCE_COLUMNS = _columns(
    ("link", "word"), ("citation", "text"), ("tier", "int"), ("url", "text"), ("note", "text")
)
OBSERVATION_COLUMNS = _columns(
    ("node", "word"), ("indicator", "text"), ("date", "date"), ("value", "number"), ("note", "text")
)
FUNDING_COLUMNS = _columns(
    ("node", "word"), ("source", "text"), ("amount", "number"), ("ends", "date")
)
CHECK_COLUMNS = _columns(("code", "word"), ("rating", "word"))

SHEETS: dict[str, tuple[Column, ...]] = {
    "model": MODEL_COLUMNS,
    "nodes": NODE_COLUMNS,
    "links": LINK_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "evidence": EVIDENCE_COLUMNS,
    "observations": OBSERVATION_COLUMNS,
    "funding": FUNDING_COLUMNS,
    "checks": CHECK_COLUMNS,
}
# The fields each item type writes to a sheet of its own rather than to a column.
_CHILD_FIELDS = {"model": {"nodes", "links", "checks"}, "nodes": {"indicators", "funding"}}
_CHILD_FIELDS["links"] = {"evidence"}
_CHILD_FIELDS["indicators"] = {"observations"}


# --- writing ----------------------------------------------------------------------------------


# Per sheet, computed once: the fields a row may carry, and the parts of each object field.
_KNOWN = {
    sheet: {column.key[0] for column in columns} | _CHILD_FIELDS.get(sheet, set())
    for sheet, columns in SHEETS.items()
}
_OBJECT_PARTS = {
    sheet: {
        field: {c.key[1] for c in columns if len(c.key) == 2 and c.key[0] == field}
        for field in {c.key[0] for c in columns if len(c.key) == 2}
    }
    for sheet, columns in SHEETS.items()
}


def _flatten(sheet: str, item: dict[str, Any], prefix: dict[str, Any]) -> list[Any]:
    """The row of `item` in `sheet`: the values its columns name (None where absent)."""
    known, objects = _KNOWN[sheet], _OBJECT_PARTS[sheet]
    for field, given in item.items():
        # A field this layout does not know would be lost: refuse rather than drop it.
        if field not in known:
            raise UnwritableText(f"{sheet}: field {field!r} has no column in the XLSX layout")
        if field in objects and isinstance(given, dict) and not objects[field].issuperset(given):
            raise UnwritableText(f"{sheet}: field {field!r} has parts XLSX does not carry")
    row: list[Any] = []
    for column in SHEETS[sheet]:
        if column.header in prefix:
            row.append(prefix[column.header])
            continue
        value: Any = item.get(column.key[0])
        if len(column.key) == 2:
            value = value.get(column.key[1]) if isinstance(value, dict) else None
        row.append(value)
    return row


def _document_rows(document: dict[str, Any]) -> dict[str, list[list[Any]]]:
    rows: dict[str, list[list[Any]]] = {sheet: [] for sheet in SHEETS}
    rows["model"].append(_flatten("model", document, {}))
    for node in document.get("nodes", []):
        rows["nodes"].append(_flatten("nodes", node, {}))
        indicators = node.get("indicators", [])
        for index, indicator in enumerate(indicators):
            rows["indicators"].append(_flatten("indicators", indicator, {"node": node["id"]}))
            key = _indicator_key(indicators, index)
            for observation in indicator.get("observations", []):
                rows["observations"].append(
                    _flatten("observations", observation, {"node": node["id"], "indicator": key})
                )
        for funding in node.get("funding", []) or []:
            rows["funding"].append(_flatten("funding", funding, {"node": node["id"]}))
    for link in document.get("links", []):
        rows["links"].append(_flatten("links", link, {}))
        key = link.get("id") or generated_link_id(link["from"], link["to"])
        for evidence in link.get("evidence", []):
            rows["evidence"].append(_flatten("evidence", evidence, {"link": key}))
    for code, rating in document.get("checks", {}).items():
        rows["checks"].append([code, rating])
    return rows


def _cell_value(kind: str, value: Any) -> tuple[Any, str | None]:
    """What a cell holds and its type: `s` string, `n` number (its exact text), `b` bool."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return value, "b"
    if isinstance(value, int):
        if abs(value) >= _EXACT:
            return str(value), "s"
        return value, "n"
    if isinstance(value, float):
        # openpyxl writes 16 significant digits; repr is the shortest text that reads back exact.
        return repr(value), "n"
    if kind == "list":
        return _write_strings(value), "s"
    text = str(value)
    marked = kind in ("text", "number_or_text")
    return (_write_text(text) if marked else text), "s"


def write_xlsx(model: TheoryOfChange) -> bytes:
    """The model as an XLSX workbook (see the module doc), written part by part
    (`write_package`).

    Raises `UnwritableText` for a model that does not fit a worksheet, or text a workbook
    cannot hold (control characters XML 1.0 forbids).

    >>> from toc.model import TheoryOfChange
    >>> read_xlsx(write_xlsx(TheoryOfChange(id="m", title="=1+1"))).title
    '=1+1'
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    rows = _document_rows(model.to_document())
    for sheet, table in rows.items():
        if len(table) > MAX_SHEET_ROWS:
            raise UnwritableText(
                f"{sheet}: {len(table):,} rows do not fit a worksheet ({MAX_SHEET_ROWS:,} at "
                "most); export as JSON or CSV"
            )
    for sheet in SHEETS:
        for number, values in enumerate(rows[sheet], start=2):
            for index, value in enumerate(values):
                if value is None or type(value) in (int, float, bool):
                    continue
                text = "\n".join(value) if isinstance(value, list) else str(value)
                if ILLEGAL_CHARACTERS_RE.search(text):
                    raise UnwritableText(
                        f"{sheet}!{cell_name(index, number)}: a control character cannot be "
                        "written in a workbook; remove it or export as JSON or CSV"
                    )
    tables = []
    for sheet, columns in SHEETS.items():
        if sheet in ("funding", "checks") and not rows[sheet]:
            continue
        kinds = [column.kind for column in columns]
        typed = [
            [_cell_value(kind, value) for kind, value in zip(kinds, values, strict=True)]
            for values in rows.pop(sheet)
        ]
        tables.append((sheet, [column.header for column in columns], typed))
    return write_package(tables)


# The parts of a workbook besides its sheets: what Excel, LibreOffice and openpyxl need.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _escape_xml(text: str) -> str:
    # A CR as a character reference: written as it is, XML readers would turn it into an LF.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text


def _letters(index: int) -> str:
    return cell_name(index, 1)[:-1]


def _sheet_xml(
    header: list[str],
    rows: Iterator[list[tuple[Any, str | None]]],
    count: int,
    filtered: bool,
    strings: dict[str, int],
) -> bytes:
    letters = [_letters(index) for index in range(max(len(header), 1))]
    last = f"{letters[-1]}{count + 1}"
    parts = [
        f'{_XML}<worksheet xmlns="{_MAIN}"><dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews><sheetData>",
        '<row r="1">',
        *(
            f'<c r="{letter}1" s="1" t="inlineStr"><is><t>{_escape_xml(name)}</t></is></c>'
            for letter, name in zip(letters, header, strict=False)
        ),
        "</row>",
    ]
    for number, cells in enumerate(rows, start=2):
        parts.append(f'<row r="{number}">')
        for letter, (content, kind) in zip(letters, cells, strict=False):
            if content is None:
                continue
            if kind == "s":
                # Shared strings: a level or a kind is read once per workbook, not per cell.
                index = strings.setdefault(content, len(strings))
                parts.append(f'<c r="{letter}{number}" t="s"><v>{index}</v></c>')
            elif kind == "b":
                parts.append(f'<c r="{letter}{number}" t="b"><v>{int(content)}</v></c>')
            else:
                parts.append(f'<c r="{letter}{number}"><v>{content}</v></c>')
        parts.append("</row>")
    parts.append("</sheetData>")
    if filtered:
        parts.append(f'<autoFilter ref="A1:{last}"/>')
    parts.append("</worksheet>")
    return "".join(parts).encode("utf-8")


def write_package(tables: list[tuple[str, list[str], Any]], filtered: bool = False) -> bytes:
    """A workbook of `(sheet name, header, rows of (content, type) cells)`: a frozen, bold
    header row (with a filter when `filtered`), each text a (shared) string cell, each number
    its exact text. Written part by part, not through openpyxl's writer: that one writes a
    float to 16 digits, turns a text starting `=` into a formula unless told otherwise, costs
    ten times the CSV writer, and writes no `<dimension>`, without which its own reader parses
    every sheet twice."""
    from toc.formats.csvzip import _ZIP_DATE

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, content: str | bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)

        names = [name for name, _, _ in tables]
        put(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for n in range(1, len(names) + 1)
            )
            + "</Types>",
        )
        put(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        put(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
            + "".join(
                f'<sheet name="{_escape_xml(name)}" sheetId="{n}" r:id="rId{n}"/>'
                for n, name in enumerate(names, start=1)
            )
            + "</sheets></workbook>",
        )
        put(
            "xl/_rels/workbook.xml.rels",
            f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{_RELS}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, len(names) + 1)
            )
            + f'<Relationship Id="rId{len(names) + 1}" Type="{_RELS}/styles" '
            'Target="styles.xml"/>'
            f'<Relationship Id="rId{len(names) + 2}" Type="{_RELS}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>',
        )
        put("xl/styles.xml", _STYLES)
        strings: dict[str, int] = {}
        for n, (_, header, rows) in enumerate(tables, start=1):
            rows = list(rows)
            sheet = _sheet_xml(header, iter(rows), len(rows), filtered, strings)
            put(f"xl/worksheets/sheet{n}.xml", sheet)
        put(
            "xl/sharedStrings.xml",
            (
                f'{_XML}<sst xmlns="{_MAIN}" uniqueCount="{len(strings)}">'
                + "".join(
                    f'<si><t xml:space="preserve">{_escape_xml(text)}</t></si>' for text in strings
                )
                + "</sst>"
            ).encode("utf-8"),
        )
    return buffer.getvalue()


# --- reading ----------------------------------------------------------------------------------


def cell_name(index: int, row: int) -> str:
    """`C7` for the third column (index 2) of row 7."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _check_container(data: bytes, limits: Limits) -> None:
    """Refuse what is not a workbook, or unzips past the limits, before openpyxl reads it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise DocumentRejected(
            [Problem("$", "not an XLSX workbook (an .xlsx file is a zip of XML parts)")]
        ) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise DocumentRejected(
            [Problem("$", "not an XLSX workbook: no xl/workbook.xml (save it as .xlsx)")]
        )
    # zipfile stops inflating at each part's declared size, so the declared sizes bound it.
    if sum(info.file_size for info in infos) > limits.max_unzipped_bytes:
        raise DocumentRejected(
            [
                Problem(
                    "$",
                    f"unzips to more than {limits.max_unzipped_bytes:,} bytes: over this "
                    "service's limit",
                )
            ]
        )
    # openpyxl builds a whole row before handing it over: count the cells of each row first,
    # streaming, so that one row of millions of cells is refused before it costs memory; and
    # refuse any part that declares a DTD, which no workbook needs (entity tricks live there).
    for info in infos:
        if not info.is_dir():
            _check_row_widths(archive, info)


def _check_row_widths(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    cells = 0
    tail = b""
    carry = b""
    try:
        with archive.open(info) as part:
            while chunk := part.read(1 << 20):
                if b"<!DOCTYPE" in carry + chunk[:16] or b"<!DOCTYPE" in chunk:
                    raise DocumentRejected(
                        [Problem("$", f"{info.filename} declares a DTD: not a part of a workbook")]
                    )
                carry = chunk[-16:]
                text = tail + chunk
                pieces = text.split(b"<row")
                for index, piece in enumerate(pieces):
                    if index:
                        cells = 0
                    cells += piece.count(b"<c ") + piece.count(b"<c>") + piece.count(b"<c/")
                    if cells > MAX_COLUMNS:
                        raise DocumentRejected(
                            [
                                Problem(
                                    "$",
                                    f"a row of more than {MAX_COLUMNS:,} cells: not a worksheet "
                                    "a spreadsheet writes",
                                )
                            ]
                        )
                # Keep the last bytes so a tag cut by the chunk's end is seen whole, once.
                tail = text[-4:]
                cells -= tail.count(b"<c ") + tail.count(b"<c>") + tail.count(b"<c/")
                if b"<row" in tail:
                    cells = 0
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as bad:
        unreadable = Problem("$", f"a part of the workbook cannot be read: {bad}")
        raise DocumentRejected([unreadable]) from None


def _fast_sheets() -> None:
    """Let openpyxl parse worksheets and the shared strings with the C ElementTree parser
    rather than defusedxml's pure-Python one (three times slower). Safe here: `open_workbook`
    refuses any part that declares a DTD before openpyxl reads it, and without a DTD there is
    no entity to expand (expat 2.4+ also bounds amplification); the workbook's other parts
    still go through defusedxml."""
    import xml.etree.ElementTree as ElementTree

    from openpyxl.reader import strings
    from openpyxl.worksheet import _reader

    _reader.iterparse = ElementTree.iterparse
    strings.iterparse = ElementTree.iterparse


def open_workbook(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """The workbook in `data`, read-only (rows streamed, formulas as their text), or a
    rejection saying why it cannot be read."""
    _check_container(data, limits)
    from openpyxl import load_workbook

    _fast_sheets()

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except DocumentRejected:
        raise
    except Exception as bad:  # openpyxl raises many kinds on a damaged workbook
        raise unreadable(bad) from None


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _VALUE, _FORMULA, _INLINE, _TEXT = (
    f"{_NS}row",
    f"{_NS}v",
    f"{_NS}f",
    f"{_NS}is",
    f"{_NS}t",
)
_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]*)")


def _column_index(reference: str) -> int:
    match = _REFERENCE.match(reference)
    if match is None:
        raise ValueError(f"a cell reference that names no cell: {reference!r}")
    index = 0
    for letter in match[1]:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _cell(cell: Any, shared: Any, date_styles: Any, epoch: Any) -> Any:
    """A cell's value as openpyxl's read-only mode gives it (formulas as their text)."""
    formula = cell.find(_FORMULA)
    if formula is not None:
        return "=" + (formula.text or "")
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(_INLINE)
        return None if inline is None else "".join(t.text or "" for t in inline.iter(_TEXT))
    value = cell.findtext(_VALUE)
    if value is None or value == "":
        return None
    if kind == "s":
        return shared[int(value)]
    if kind == "b":
        return value.strip() in ("1", "true")
    if kind != "n":
        return value  # str (a formula's cached text), e (an error), d (an ISO date)
    number: int | float = (
        float(value) if any(ch in value for ch in ".eE") or len(value) > 4300 else int(value)
    )
    style = cell.get("s")
    if style and int(style) in date_styles:
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(number, epoch)
        except (OverflowError, ValueError):
            return number
    return number


def _rows(worksheet: Any, width: int) -> Generator[tuple[int, list[Any]], None, None]:
    """(row number, the first `width` values) of each row the sheet's XML holds, streamed.

    openpyxl's read-only rows cost a dict per cell; this reads the same XML with one pass of
    the C parser and the workbook's own shared strings and date styles."""
    import xml.etree.ElementTree as ElementTree

    shared = worksheet._shared_strings
    date_styles = worksheet.parent._date_formats
    epoch = worksheet.parent.epoch
    number = 0
    with worksheet._get_source() as source:
        for _, element in ElementTree.iterparse(source):
            if element.tag != _ROW:
                continue
            given = element.get("r")
            number = int(given) if given else number + 1
            values: list[Any] = [None] * width
            column = -1
            for cell in element:
                reference = cell.get("r")
                column = _column_index(reference) if reference else column + 1
                if column < width:
                    values[column] = _cell(cell, shared, date_styles, epoch)
            element.clear()
            yield number, values


def sheet_rows(worksheet: Any, max_rows: int, what: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of a sheet, the header first; blank rows skipped but counted
    against `max_rows` (by their row numbers), and each row no wider than the header."""
    rows = _rows(worksheet, MAX_COLUMNS)
    first = next(rows, None)
    rows.close()  # the header row is all it reads; the source file closes with it
    header = list(first[1]) if first is not None and first[0] == 1 else []
    while header and (header[-1] is None or str(header[-1]).strip() == ""):
        header.pop()
    yield 1, header
    if not header:
        return
    width = len(header)
    for number, values in _rows(worksheet, width):
        if number == 1:
            continue
        if number - 1 > max_rows:
            raise over_limit(worksheet.title, what, max_rows)
        if any(value is not None and str(value).strip() != "" for value in values):
            yield number, values


def _date_text(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _serial_date(value: float) -> str | None:
    # Excel's serial day numbers (1900 date system); a plausible range only.
    if 1 <= value < 2_958_466 and float(value).is_integer():
        from openpyxl.utils.datetime import from_excel

        read: str = from_excel(value).date().isoformat()
        return read
    return None


_BIG_INT = re.compile(r"[+-]?[0-9]{16,4300}")


def read_cell(kind: str, value: Any) -> Any:
    """A cell's value as the toc/1 field wants it; what cannot be is left for the contract."""
    if isinstance(value, str) and kind not in ("text", "list", "number_or_text"):
        value = value.strip()
        if value == "":
            return None
    if kind == "text":
        if isinstance(value, str):
            return _read_text(value) if value != "" else None
        if isinstance(value, datetime.date):
            return _date_text(value)
        return _plain(value)
    if kind == "list":
        return _read_strings(value) if isinstance(value, str) else [_plain(value)]
    if kind == "word":
        if isinstance(value, datetime.date):
            return _date_text(value)
        return value if isinstance(value, str) else _plain(value)
    if kind == "date":
        if isinstance(value, datetime.date):
            return _date_text(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _serial_date(value) or value
        return value
    if kind == "bool":
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
            return value.lower() in ("true", "yes")
        return value
    if kind in ("int", "number"):
        if isinstance(value, str):
            parsed = parse_number(value)
            return value if parsed is None else parsed
        if isinstance(value, float) and kind == "int" and value.is_integer():
            return int(value)
        return value
    if kind == "number_or_text":
        # Integers past 2⁵³ are written as text; digits that long are read back as the number.
        if isinstance(value, str):
            if _BIG_INT.fullmatch(value) and abs(int(value)) >= _EXACT:
                return int(value)
            return _read_text(value) if value != "" else None
        return value
    return value


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT:
        return str(int(value))
    return str(value)


class _Place(NamedTuple):
    sheet: str
    row: int
    columns: dict[str, int]  # header → column index


class _Reader:
    """One workbook's sheets read into a toc/1 document, remembering where each value came from."""

    def __init__(self, book: Any, limits: Limits):
        self.limits = limits
        self.sheets = {ws.title.strip().lower(): ws for ws in book.worksheets}
        self.problems: list[tuple[tuple[int, str, int, int], Problem]] = []
        self.total_rows = 0

    def problem(self, sheet: str, row: int, column: int | None, message: str) -> None:
        where = f"{sheet}!{cell_name(column, row)}" if column is not None else f"{sheet}!{row}"
        if not row:
            where = sheet
        order = list(SHEETS).index(sheet) if sheet in SHEETS else len(SHEETS)
        self.problems.append(((order, sheet, row, column or 0), Problem(where, message)))

    def table(self, sheet: str, limit_name: str | None, what: str) -> list[tuple[_Place, dict]]:
        worksheet = self.sheets.get(sheet)
        if worksheet is None:
            return []
        columns = SHEETS[sheet]
        by_header = {column.header: column for column in columns}
        most = getattr(self.limits, limit_name) if limit_name else self.limits.max_csv_rows
        rows = sheet_rows(worksheet, most, what)
        _, header = next(rows)
        positions: dict[str, int] = {}
        for index, name in enumerate(header):
            word = "" if name is None else str(name).strip().lower()
            if word == "":
                continue
            if word not in by_header:
                known = ", ".join(by_header)
                self.problem(sheet, 1, index, f"unknown column {word!r}; expected {known}")
            elif word in positions:
                self.problem(sheet, 1, index, f"column {word!r} given more than once")
            else:
                positions[word] = index
        records = []
        # Each read column once: where it is, how its cells read, where its value goes.
        plan = [
            (index, by_header[name].kind, by_header[name].key) for name, index in positions.items()
        ]
        for number, values in rows:
            self.total_rows += 1
            if self.total_rows > self.limits.max_csv_rows:
                raise over_limit("$", "rows", self.limits.max_csv_rows)
            record: dict[str, Any] = {}
            width = len(values)
            for index, kind, key in plan:
                raw = values[index] if index < width else None
                if raw is None:
                    continue
                if kind == "word" and type(raw) is str:
                    value: Any = raw.strip() or None  # the common case, read inline
                else:
                    value = read_cell(kind, raw)
                if value is None:
                    continue
                if len(key) == 1:
                    record[key[0]] = value
                else:
                    record.setdefault(key[0], {})[key[1]] = value
            records.append((_Place(sheet, number, positions), record))
        return records


_ITEM_PATH = re.compile(r"(nodes|links)\[(\d+)\]\.?(.*)")
_CHILD_PATH = re.compile(r"(nodes|links)\[(\d+)\]\.(indicators|evidence|funding)\[(\d+)\]\.?(.*)")
_OBSERVATION_PATH = re.compile(r"nodes\[(\d+)\]\.indicators\[(\d+)\]\.observations\[(\d+)\]\.?(.*)")


def _column_for(sheet: str, rest: str) -> str | None:
    """The header of the column a field path inside an item sits in."""
    parts = [p for p in re.split(r"[.\[\]]", rest) if p and not p.isdigit()]
    for column in SHEETS[sheet]:
        if tuple(parts[: len(column.key)]) == column.key:
            return column.header
    for column in SHEETS[sheet]:
        if parts and column.key[0] == parts[0]:
            return column.header
    return None


def read_xlsx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TheoryOfChange:
    """Read a model from an XLSX workbook (see the module doc).

    Raises `DocumentRejected` listing every problem, each at ``sheet!CELL``; the limits of
    `limits` hold on every sheet while it is read.
    """
    book = open_workbook(data, limits)
    try:
        return _read_book(book, limits)
    except (DocumentRejected, UnwritableText):
        raise
    except Exception as bad:  # a damaged part met while streaming rows (bad XML, bad cell)
        raise unreadable(bad) from None
    finally:
        book.close()


def unreadable(bad: Exception) -> DocumentRejected:
    """The rejection of a workbook openpyxl could not read, saying what it met."""
    return DocumentRejected(
        [Problem("$", f"not a readable XLSX workbook: {type(bad).__name__}: {bad}"[:500])]
    )


def _read_book(book: Any, limits: Limits) -> TheoryOfChange:
    from toc.formats.chains import read_chains

    reader = _Reader(book, limits)
    if "nodes" not in reader.sheets and "chains" not in reader.sheets:
        names = ", ".join(repr(ws.title) for ws in book.worksheets) or "none"
        raise DocumentRejected(
            [
                Problem(
                    "$",
                    f"no 'nodes' or 'chains' sheet (sheets: {names}); `toc template -o "
                    "plan.xlsx` writes a workbook to start from",
                )
            ]
        )
    model_rows = reader.table("model", None, "rows")
    nodes = reader.table("nodes", "max_nodes", "nodes")
    links = reader.table("links", "max_links", "links")
    indicators = reader.table("indicators", "max_indicators", "indicators")
    evidence = reader.table("evidence", None, "rows")
    observations = reader.table("observations", "max_observations", "observations")
    funding = reader.table("funding", None, "rows")
    checks = reader.table("checks", None, "rows")

    document: dict[str, Any] = dict(model_rows[0][1]) if model_rows else {}
    for place, _ in model_rows[1:]:
        reader.problem("model", place.row, None, "one row too many: the model sheet holds one")
    document["nodes"] = [record for _, record in nodes]
    document["links"] = [record for _, record in links]
    node_places = [place for place, _ in nodes]
    link_places = [place for place, _ in links]
    if "chains" in reader.sheets:
        found = read_chains(reader.sheets["chains"], document["nodes"], limits)
        for number, column, message in found.problems:
            reader.problem("chains", number, column, message)
        document["nodes"].extend(found.nodes)
        node_places.extend(_Place("chains", number, {}) for number in found.node_rows)
        document["links"].extend(found.links)
        link_places.extend(_Place("chains", number, {}) for number in found.link_rows)
        if not model_rows:
            title = reader.sheets["chains"].parent.properties.title
            document.setdefault("id", "logic-model")
            document.setdefault("title", title or "Logic model")

    by_node = {node.get("id"): index for index, node in enumerate(document["nodes"])}
    child_places: dict[tuple[str, int, str, int], _Place] = {}
    for place, record in indicators + funding:
        field = "indicators" if place.sheet == "indicators" else "funding"
        node_id = record.pop("node", None)
        if node_id not in by_node:
            message = f"no node with id {node_id!r}" if node_id else "required: the node's id"
            reader.problem(place.sheet, place.row, place.columns.get("node"), message)
            continue
        listed = document["nodes"][by_node[node_id]].setdefault(field, [])
        child_places[("nodes", by_node[node_id], field, len(listed))] = place
        listed.append(record)
    by_link: dict[Any, int] = {}
    for index, link in enumerate(document["links"]):
        by_link[link.get("id") or generated_link_id(str(link.get("from")), str(link.get("to")))] = (
            index
        )
    for place, record in evidence:
        key = record.pop("link", None)
        if key not in by_link:
            message = f"no link with id {key!r} (a link's id, or FROM->TO)" if key else "required"
            reader.problem("evidence", place.row, place.columns.get("link"), message)
            continue
        listed = document["links"][by_link[key]].setdefault("evidence", [])
        child_places[("links", by_link[key], "evidence", len(listed))] = place
        listed.append(record)
    observed: dict[tuple[int, int, int], _Place] = {}
    for place, record in observations:
        node_id = record.pop("node", None)
        key = record.pop("indicator", None)
        if node_id not in by_node:
            message = f"no node with id {node_id!r}" if node_id else "required: the node's id"
            reader.problem("observations", place.row, place.columns.get("node"), message)
            continue
        node_index = by_node[node_id]
        listed = document["nodes"][node_index].get("indicators", [])
        found_index: int | str = (
            _find_indicator(listed, str(key)) if key is not None else "required"
        )
        if isinstance(found_index, str):
            reader.problem("observations", place.row, place.columns.get("indicator"), found_index)
            continue
        seen = listed[found_index].setdefault("observations", [])
        observed[(node_index, found_index, len(seen))] = place
        seen.append(record)
    if checks:
        document["checks"] = {}
        for place, record in checks:
            code = record.get("code")
            if code is None:
                reader.problem("checks", place.row, place.columns.get("code"), "required")
                continue
            document["checks"][str(code)] = record.get("rating")

    def locate(problem: Problem) -> None:
        match = _OBSERVATION_PATH.fullmatch(problem.path)
        if match:
            where = (int(match[1]), int(match[2]), int(match[3]))
            if where in observed:
                place = observed[where]
                column = _column_for("observations", match[4])
                reader.problem(
                    "observations", place.row, place.columns.get(column or ""), problem.message
                )
                return
        match = _CHILD_PATH.fullmatch(problem.path)
        if match:
            child = child_places.get((match[1], int(match[2]), match[3], int(match[4])))
            if child is not None:
                column = _column_for(child.sheet, match[5])
                reader.problem(
                    child.sheet, child.row, child.columns.get(column or ""), problem.message
                )
                return
        match = _ITEM_PATH.fullmatch(problem.path)
        if match:
            places = node_places if match[1] == "nodes" else link_places
            index = int(match[2])
            if index < len(places):
                place = places[index]
                column = _column_for(match[1], match[3])
                reader.problem(
                    place.sheet, place.row, place.columns.get(column or ""), problem.message
                )
                return
        if problem.path.startswith("checks"):
            reader.problem("checks", 0, None, f"{problem.path}: {problem.message}")
            return
        if problem.path in ("$", ""):
            reader.problems.append(((-1, "", 0, 0), problem))
            return
        column = _column_for("model", problem.path)
        if model_rows:
            place = model_rows[0][0]
            reader.problem("model", place.row, place.columns.get(column or ""), problem.message)
        else:
            reader.problem("model", 0, None, f"{problem.path}: {problem.message}")

    rejected_unlisted = 0
    model: TheoryOfChange | None = None
    try:
        model = parse_document(document, limits)
    except DocumentRejected as rejected:
        listed = rejected.problems[: len(rejected.problems) - (1 if rejected.unlisted else 0)]
        for problem in listed:
            locate(problem)
        rejected_unlisted = rejected.unlisted
    if reader.problems or rejected_unlisted:
        ordered = [problem for _, problem in sorted(reader.problems, key=lambda item: item[0])]
        raise capped(ordered, limits, len(ordered) + rejected_unlisted)
    assert model is not None
    return model


def write_sheet(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    """A workbook of one table: a bold, frozen header row with a filter on every column,
    numbers as number cells and every text a string cell (never a formula)."""
    typed = [[_cell_value("word", value) for value in values] for values in rows]
    return write_package([(title, header, typed)], filtered=True)
