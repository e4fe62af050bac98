"""Reading and writing models in every interchange format: toc/1 JSON, XLSX, CSV, GraphML, GEXF,
Mermaid.

`read` is the core's one way in: bytes in any of READ_FORMATS, or a toc/1 document already
parsed into builtins (a mapping), become a validated `TheoryOfChange`. Every reader returns a
validated model or raises `DocumentRejected` with every problem and
its path; every writer returns bytes. Export then import gives back an equal model for every
format that carries everything (all but Mermaid, which is written only).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from toc.document import dump_json, load_json, parse_document
from toc.errors import DocumentRejected, Problem
from toc.limits import DEFAULT_LIMITS, Limits
from toc.model import TheoryOfChange

__all__ = [
    "READ_FORMATS",
    "WRITE_FORMATS",
    "MEDIA_TYPES",
    "EXTENSIONS",
    "read",
    "write",
    "read_path",
    "format_for_path",
    "BINARY_FORMATS",
]


def _read_json(data: bytes, limits: Limits) -> TheoryOfChange:
    return load_json(data, limits)


def _write_json(model: TheoryOfChange) -> bytes:
    return dump_json(model).encode("utf-8")


# Each format's module is imported only when that format is used.
_READERS: dict[str, tuple[str, str]] = {
    "csv": ("toc.formats.csvzip", "read_csv_zip"),
    "xlsx": ("toc.formats.xlsx", "read_xlsx"),
    "graphml": ("toc.formats.graphml", "read_graphml"),
    "gexf": ("toc.formats.graphml", "read_gexf"),
}
_WRITERS: dict[str, tuple[str, str]] = {
    "csv": ("toc.formats.csvzip", "write_csv_zip"),
    "xlsx": ("toc.formats.xlsx", "write_xlsx"),
    "graphml": ("toc.formats.graphml", "write_graphml"),
    "gexf": ("toc.formats.graphml", "write_gexf"),
    "mermaid": ("toc.formats.mermaid", "write_mermaid"),
}


def _function(table: dict[str, tuple[str, str]], fmt: str) -> Callable[..., Any]:
    module, name = table[fmt]
    return getattr(importlib.import_module(module), name)


READ_FORMATS = ("json", "xlsx", "csv", "graphml", "gexf")
WRITE_FORMATS = ("json", "xlsx", "csv", "graphml", "gexf", "mermaid")
# Formats written as bytes that are no text: written to a file (`-o`), never to a terminal.
BINARY_FORMATS = frozenset({"xlsx", "csv"})
MEDIA_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "mermaid": "text/vnd.mermaid; charset=utf-8",
}
EXTENSIONS = {
    "json": "json",
    "xlsx": "xlsx",
    "csv": "zip",
    "graphml": "graphml",
    "gexf": "gexf",
    "mermaid": "mmd",
}
_BY_SUFFIX = {
    ".json": "json",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".zip": "csv",
    ".graphml": "graphml",
    ".gexf": "gexf",
}


def read(
    source: bytes | Mapping[str, Any], fmt: str = "json", limits: Limits = DEFAULT_LIMITS
) -> TheoryOfChange:
    """A validated model from bytes in one of READ_FORMATS, or from a parsed toc/1 document.

    Raises `DocumentRejected` with every problem, each with its path, when the source breaks
    the toc/1 contract or holds more than `limits` allow. (To check toc/1 JSON bytes without
    making pydantic objects, `toc.reading.read_document` reads them fast.)

    >>> read({"id": "m", "title": "M"}).title
    'M'
    >>> read(b'{"id": "m", "title": "M"}').id
    'm'
    """
    if not isinstance(source, bytes | bytearray | memoryview):
        # A parsed document; the validator rejects, with a path, what is not an object.
        return parse_document(source, limits)
    data = bytes(source)
    if fmt not in READ_FORMATS:
        raise DocumentRejected(
            [Problem("$", f"cannot read format {fmt!r}; expected one of {', '.join(READ_FORMATS)}")]
        )
    if fmt == "json":
        return _read_json(data, limits)
    return _function(_READERS, fmt)(data, limits)


def write(model: TheoryOfChange, fmt: str) -> bytes:
    """Write a model as bytes in one of WRITE_FORMATS."""
    if fmt not in WRITE_FORMATS:
        raise ValueError(f"cannot write format {fmt!r}; expected one of {', '.join(WRITE_FORMATS)}")
    if fmt == "json":
        return _write_json(model)
    return _function(_WRITERS, fmt)(model)


def format_for_path(path: Path) -> str:
    """The format a file's name suggests; toc/1 JSON when the suffix says nothing."""
    return _BY_SUFFIX.get(path.suffix.lower(), "json")


def read_path(path: Path, limits: Limits = DEFAULT_LIMITS) -> TheoryOfChange:
    """Read a model from a file, choosing the format by its suffix; a folder is read as the
    CSV files it holds (`model.csv`, `nodes.csv`...), as a CSV zip would be."""
    if path.is_dir():
        from toc.formats.csvzip import read_csv_folder

        return read_csv_folder(path, limits)
    return read(path.read_bytes(), format_for_path(path), limits)
