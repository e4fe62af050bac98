"""The item forms as a codec: a node or link as form values (`node_values`, `link_values`), and
form values back to the item (`node_fields`, `link_fields`).

The rule that makes the round trip exact (docs/service.md, "The forms"): **a field the visitor did
not change keeps its stored value as it is.** Saving reads the stored item again and starts from
it; each field the form shows is compared with what the form showed for it, and only a changed
field is read from what was typed. So a numeric target stays a number, a text target that reads
like a number stays a text, an indicator keeps its `id` and its observations, and a field the form
does not show at all (observations; any field a later toc adds) is carried through untouched.

List entries (indicators, evidence, funding) are rows of their own; each row carries in a hidden
cell the position of the stored entry it shows, so an edited row keeps what the form does not show
of its entry, a cleared (or "remove"-ticked) row is dropped, and a blank row adds an entry.

What a browser changes of a value it sends back is allowed for: a text input drops line breaks,
a text area sends them as CR LF. A changed value is read with its line breaks as LF and the spaces
at its ends trimmed; a changed number field is read as a number (`1,200`, `-2.5`, `1e3`), a
changed target or baseline as a number when it reads as one and as a text otherwise.

A form's problems are kept beside the field they are about (`FormState`); the problems of a
rejected write are placed there too (`place_problems`), by the path the core gives each one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from toc.errors import Problem
from toc.indicators import infer_measures
from toc.model import (
    Kind,
    Level,
    LinkType,
    Measures,
    Polarity,
    Status,
    TheoryOfChange,
    Verdict,
)

__all__ = [
    "FormState",
    "Cell",
    "form_values",
    "node_fields",
    "node_values",
    "link_fields",
    "link_values",
    "row_indices",
    "place_problems",
    "form_version",
    "choices",
    "differences",
    "browser_sent",
    "inferred_measures",
    "model_values",
    "model_fields",
]

Item = dict[str, Any]

# The hidden cell of a row: the position, in the stored list, of the entry the row shows.
ROW = "row"
REMOVE = "remove"
BLANK_ROWS = 2  # empty rows under a list's entries, to add new ones


@dataclass
class FormState:
    """A form's raw values, its errors by field, and errors that belong to no one field."""

    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


class Invalid(ValueError):
    """A changed field that does not read as what it must be (the message says what)."""


# -- what a browser does to a value it shows and sends back ------------------------------------
def _as_sent(text: str, multiline: bool) -> str:
    """`text` as a browser would send it back unchanged, modulo CR LF.

    A text input drops line breaks (its value cannot hold one); a text area keeps them, as LF
    in its value and CR LF on the wire; the HTML parser itself turns a CR into LF.
    """
    if multiline:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\r", "").replace("\n", "")


def browser_sent(text: str, multiline: bool) -> str:
    """What a browser posts for a field showing `text` that nobody touched (for tests).

    >>> browser_sent("a\\rb\\nc", multiline=True), browser_sent("a\\r\\nb", multiline=False)
    ('a\\r\\nb\\r\\nc', 'ab')
    """
    return _as_sent(text, multiline).replace("\n", "\r\n") if multiline else _as_sent(text, False)


def _typed(text: str) -> str:
    """A changed value as it is read: line breaks as LF, spaces at the ends trimmed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


# -- cells: one value of an item, shown as text and read back ----------------------------------
_INTEGER = re.compile(r"[+-]?\d+")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DIGITS_MAX = 4300  # Python's int() limit on decimal digits


def _show_number(value: Any) -> str:
    # repr of a float reads back as the same float ("0.1", "1e+20").
    if value is None:
        return ""
    return repr(value) if type(value) is float else str(value)


def _number(text: str) -> int | float | None:
    """The number a typed text spells, or None.

    >>> _number("1,200"), _number("-2.5"), _number("1e3"), _number("80"), _number("1e999")
    (1200, -2.5, 1000.0, 80, None)
    """
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if _INTEGER.fullmatch(text) and len(text) <= _DIGITS_MAX:
        return int(text)
    if _DECIMAL.fullmatch(text) and len(text) <= _DIGITS_MAX:
        number = float(text)
        return number if math.isfinite(number) else None
    return None


def _read_text(text: str) -> str | None:
    return text or None


def _read_number(text: str) -> int | float | None:
    if not text:
        return None
    number = _number(text)
    if number is None:
        raise Invalid(f"{text[:40]!r} is not a number")
    return number


def _read_number_or_text(text: str) -> int | float | str | None:
    if not text:
        return None
    number = _number(text)
    return text if number is None else number


def _whole_number(text: str) -> int | None:
    """The whole number a field holds, or None: not negative, no sign, no superscripts.

    `str.isdigit` admits `²`, which `int` refuses; `isdecimal` admits only what `int` reads.

    >>> _whole_number("12"), _whole_number("²"), _whole_number("-1"), _whole_number("")
    (12, None, None, None)
    >>> _whole_number("9" * 5000) is None  # past Python's 4,300-digit limit for int()
    True
    """
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= _DIGITS_MAX else None


def _read_whole(text: str) -> int | None:
    if not text:
        return None
    number = _whole_number(text.replace(",", "") if _GROUPED.fullmatch(text) else text)
    if number is None:
        raise Invalid(f"{text[:40]!r} is not a whole number")
    return number


def _read_check(text: str) -> bool | None:
    return True if text else None


def _show_check(value: Any) -> str:
    return "on" if value is True else ""


def _show_list(separator: str) -> Callable[[Any], str]:
    return lambda value: separator.join(str(entry) for entry in value or [])


def _read_commas(text: str) -> list[str]:
    return [entry.strip() for entry in text.split(",") if entry.strip()]


def _read_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _show_text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Cell:
    """One field of an item (or of a list entry): its control, how it is shown and read."""

    name: str
    control: str = "text"  # text, textarea, select, date, check, number
    read: Callable[[str], Any] = _read_text
    show: Callable[[Any], str] = _show_text

    @property
    def multiline(self) -> bool:
        return self.control == "textarea"


def _text(name: str) -> Cell:
    return Cell(name)


def _area(name: str) -> Cell:
    return Cell(name, "textarea")


def _choice(name: str) -> Cell:
    return Cell(name, "select")


def _date(name: str) -> Cell:
    return Cell(name, "date")


def _number_cell(name: str) -> Cell:
    return Cell(name, "number", _read_number, _show_number)


def _whole_cell(name: str) -> Cell:
    return Cell(name, "number", _read_whole, _show_number)


def _target(name: str) -> Cell:
    return Cell(name, "text", _read_number_or_text, _show_number)


def _read_tier(text: str) -> int | None:
    if not text:
        return None
    tier = _whole_number(text)
    if tier is None or not 1 <= tier <= 4:
        raise Invalid(f"the tier is 1, 2, 3 or 4 (the ESSA tiers), not {text[:40]!r}")
    return tier


def _tier_choice(name: str) -> Cell:
    return Cell(name, "select", _read_tier, _show_number)


def _commas(name: str) -> Cell:
    return Cell(name, "text", _read_commas, _show_list(", "))


def _lines(name: str) -> Cell:
    return Cell(name, "textarea", _read_lines, _show_list("\n"))


@dataclass(frozen=True)
class Group:
    """A field of an item that is an object (`decision`) or a list of objects (`indicators`)."""

    name: str
    cells: tuple[Cell, ...]
    rows: bool  # a list of entries, one row each; else one object (None when all left empty)


@dataclass(frozen=True)
class Codec:
    """The form of one item type: its single fields and its groups, in the form's order."""

    cells: tuple[Cell, ...]
    groups: tuple[Group, ...]

    def values(self, item: Mapping[str, Any] | None) -> dict[str, str]:
        """The item as the form shows it (a new item's form: blank, with defaults given)."""
        item = item or {}
        values = {cell.name: cell.show(item.get(cell.name)) for cell in self.cells}
        for group in self.groups:
            if group.rows:
                entries = list(item.get(group.name) or [])
                for index, entry in enumerate([*entries, *[None] * BLANK_ROWS]):
                    prefix = f"{group.name}.{index}."
                    values[prefix + ROW] = str(index) if entry is not None else ""
                    for cell in group.cells:
                        values[prefix + cell.name] = cell.show((entry or {}).get(cell.name))
            else:
                entry = item.get(group.name) or {}
                for cell in group.cells:
                    values[f"{group.name}.{cell.name}"] = cell.show(entry.get(cell.name))
        return values

    def fields(self, state: FormState, original: Mapping[str, Any] | None) -> Item:
        """The item the form's values make, starting from the stored one (`original`).

        With `original`, every field the form shows unchanged keeps its stored value, and
        every field it does not show is kept; without (a new item), every field is read.
        """
        values = state.values
        item: Item = dict(original or {})
        _read_into(item, values, "", self.cells, original, state, None)
        for group in self.groups:
            before = (original or {}).get(group.name)
            if group.rows:
                stored = before if isinstance(before, list) else []
                entries = _read_rows(values, group, stored, state)
                if entries:
                    item[group.name] = entries
                elif original is not None and group.name in original:
                    item[group.name] = [] if isinstance(before, list) else before
                else:
                    item.pop(group.name, None)
            else:
                entry: Item = dict(before) if isinstance(before, dict) else {}
                prefix = f"{group.name}."
                shown = [values.get(prefix + cell.name, "") for cell in group.cells]
                if not any(_typed(text) for text in shown):
                    item.pop(group.name, None)
                    continue
                stored_entry = before if isinstance(before, dict) else None
                _read_into(entry, values, prefix, group.cells, stored_entry, state, group.name)
                item[group.name] = entry
        return item


def _read_into(
    target: Item,
    values: Mapping[str, str],
    prefix: str,
    cells: Iterable[Cell],
    original: Mapping[str, Any] | None,
    state: FormState,
    group: str | None,
    row: int | None = None,
) -> None:
    """Read each cell into `target`; an unchanged one keeps the stored value."""
    for cell in cells:
        sent = values.get(prefix + cell.name, "")
        if original is not None:
            stored = original.get(cell.name)
            if _as_sent(sent, cell.multiline) == _as_sent(cell.show(stored), cell.multiline):
                continue  # unchanged: `target` already holds the stored value (or lacks it)
        try:
            value = cell.read(_typed(sent))
        except Invalid as invalid:
            where = group or cell.name
            line = f"row {row + 1} ({cell.name}): " if row is not None else ""
            state.add(where, f"{line}{invalid}")
            continue
        if value is None or (value == [] and cell.name not in (original or {})):
            target.pop(cell.name, None)  # cleared: left out (a list kept empty if it was there)
        else:
            target[cell.name] = value


def row_indices(values: Mapping[str, str], group: str) -> list[int]:
    """The row numbers of a group's rows in a form's values, in order."""
    prefix = group + "."
    found = set()
    for name in values:
        if name.startswith(prefix):
            number = name[len(prefix) :].partition(".")[0]
            if number.isascii() and number.isdecimal() and len(number) < 6:
                found.add(int(number))
    return sorted(found)


def _read_rows(
    values: Mapping[str, str], group: Group, stored: list[Any], state: FormState
) -> list[Item]:
    entries: list[Item] = []
    used: set[int] = set()
    for count, index in enumerate(row_indices(values, group.name)):
        prefix = f"{group.name}.{index}."
        if values.get(prefix + REMOVE):
            continue
        shown = [values.get(prefix + cell.name, "") for cell in group.cells]
        position = _whole_number(values.get(prefix + ROW, ""))
        stored_row = (
            position is not None
            and position < len(stored)
            and position not in used
            and isinstance(stored[position], dict)
        )
        # A new row of spaces adds nothing; a stored row is dropped only when cleared, so an
        # entry whose text is spaces (valid toc/1) survives its form untouched.
        if not any(text if stored_row else _typed(text) for text in shown):
            continue  # a blank row, or one the visitor cleared
        original = None
        if stored_row:
            assert position is not None
            original = stored[position]
            used.add(position)
        entry: Item = dict(original or {})
        _read_into(entry, values, prefix, group.cells, original, state, group.name, count)
        entries.append(entry)
    return entries


# -- the node and link forms ------------------------------------------------------------------
NODE_CODEC = Codec(
    cells=(
        _text("title"),
        _text("label"),
        _choice("level"),
        _choice("kind"),
        _choice("status"),
        _text("actor"),
        _area("description"),
        _area("form"),
        _area("function"),
        _commas("tags"),
        _lines("realizes"),
        _number_cell("cost"),
        _whole_cell("reach"),
        Cell("required", "check", _read_check, _show_check),
        _commas("eligible"),
    ),
    groups=(
        Group(
            "indicators",
            (
                _text("name"),
                _choice("measures"),
                _target("target"),
                _target("baseline"),
                _text("source"),
                _text("cadence"),
                _text("id"),
            ),
            rows=True,
        ),
        Group(
            "decision",
            (
                _choice("verdict"),
                _date("date"),
                _text("decided_by"),
                _date("review_by"),
                _area("rationale"),
            ),
            rows=False,
        ),
        Group("funding", (_text("source"), _number_cell("amount"), _date("ends")), rows=True),
        # The ESSA tier of an intervention is a choice whose stored value is a number.
        Group("essa_tier", (_tier_choice("tier"), _text("source")), rows=False),
    ),
)
LINK_CODEC = Codec(
    cells=(
        _choice("from"),
        _choice("to"),
        _area("because"),
        _lines("assumptions"),
        _choice("type"),
        _choice("polarity"),
        _text("lag"),
        _text("id"),
    ),
    groups=(
        Group(
            "evidence",
            (_text("citation"), _tier_choice("tier"), _text("url"), _text("note")),
            rows=True,
        ),
    ),
)

_CHECK_LINE = re.compile(r"(TOC\d{3})\s*[:=]?\s*(off|error|warning|info)", re.IGNORECASE)


def _show_checks(value: Any) -> str:
    return "\n".join(f"{code}: {setting}" for code, setting in sorted((value or {}).items()))


def _read_checks(text: str) -> dict[str, str] | None:
    settings: dict[str, str] = {}
    for line in _read_lines(text):
        match = _CHECK_LINE.fullmatch(line)
        if match is None:
            raise Invalid(f"{line[:40]!r} is not CODE: off, error, warning or info")
        settings[match[1].upper()] = match[2].lower()
    return settings or None


# A model's own fields: the settings page (title, description, scope, org, designations,
# currency, check settings); its nodes and links are never read or written by it.
MODEL_CODEC = Codec(
    cells=(
        _text("title"),
        _area("description"),
        _choice("scope"),
        _text("org"),
        _commas("designations"),
        _text("currency"),
        Cell("checks", "textarea", _read_checks, _show_checks),
    ),
    groups=(),
)


def model_values(head: Mapping[str, Any]) -> dict[str, str]:
    """A model's own fields as its settings form shows them."""
    return MODEL_CODEC.values(head)


def model_fields(state: FormState, original: Mapping[str, Any] | None) -> Item:
    """The model's own fields the settings form makes, from the stored ones (`original`)."""
    return MODEL_CODEC.fields(state, original)


_NODE_DEFAULTS = {"status": Status.ACTIVE.value}
_LINK_DEFAULTS = {"type": LinkType.LEADS_TO.value, "polarity": Polarity.PLUS.value}


def form_values(form: FormData) -> dict[str, str]:
    """Every text value a posted form holds, by name (the first of each; files ignored)."""
    values: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str) and name not in values and name not in ("csrf", "version"):
            values[name] = value
    return values


def node_values(node: Mapping[str, Any] | None) -> dict[str, str]:
    """A node as its form shows it (`id` included, for the page's heading and a new node)."""
    values = NODE_CODEC.values({**_NODE_DEFAULTS, **(node or {})})
    values["id"] = str((node or {}).get("id") or "")
    return values


def node_fields(state: FormState, original: Mapping[str, Any] | None = None) -> Item:
    """The node a form makes; `original` is the stored node an edit starts from."""
    node = NODE_CODEC.fields(state, original)  # `id` is no field of it: the route sets it
    if original is None and "status" not in node:
        node["status"] = Status.ACTIVE.value
    return node


def link_values(link: Mapping[str, Any] | None) -> dict[str, str]:
    return LINK_CODEC.values({**_LINK_DEFAULTS, **(link or {})})


def link_fields(state: FormState, original: Mapping[str, Any] | None = None) -> Item:
    return LINK_CODEC.fields(state, original)


def inferred_measures(values: Mapping[str, str]) -> dict[int, str]:
    """For each indicator row whose `measures` is left to toc, what toc infers from its name."""
    found = {}
    for index in row_indices(values, "indicators"):
        prefix = f"indicators.{index}."
        name = values.get(prefix + "name", "")
        if name and not values.get(prefix + "measures"):
            measures = infer_measures(name)
            found[index] = measures.value if measures is not None else "unknown"
    return found


_PATH = re.compile(r"^(?:nodes|links)\[\d+\]\.([A-Za-z_]+)(?:\[(\d+)\])?")


def place_problems(state: FormState, problems: Iterable[Problem]) -> None:
    """Put each problem of a rejected write beside the field (or list) it is about."""
    for problem in problems:
        match = _PATH.match(problem.path)
        name = match.group(1) if match else None
        known = name is not None and (
            name in state.values or any(key.startswith(f"{name}.") for key in state.values)
        )
        if match is None or name is None or not known:
            state.general.append(str(problem))
            continue
        item = match.group(2)
        prefix = f"entry {int(item) + 1}: " if item is not None else ""
        state.add(name, prefix + problem.message)


def form_version(form: FormData) -> int | None:
    value = form.get("version")
    value = value.strip() if isinstance(value, str) else ""
    return _whole_number(value) if len(value) < 19 else None


def choices(model: TheoryOfChange) -> dict[str, Any]:
    return {
        "levels": [level.value for level in Level],
        "kinds": [kind.value for kind in Kind],
        "statuses": [status.value for status in Status],
        "link_types": [t.value for t in LinkType],
        "polarities": [p.value for p in Polarity],
        "measures": [m.value for m in Measures],
        "verdicts": [v.value for v in Verdict],
        "node_options": [(node.id, f"{node.title} ({node.id})") for node in model.nodes],
    }


def differences(stored: dict[str, str], yours: dict[str, str]) -> list[dict[str, str]]:
    """The form fields where the stored item now differs from what the visitor sent."""
    return [
        {"field": name, "stored": stored.get(name, ""), "yours": yours[name]}
        for name in yours
        if _as_sent(stored.get(name, ""), True) != _as_sent(yours[name], True)
    ]
