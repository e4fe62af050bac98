"""toc: a multi-level Theory of Change modeler for school systems (the domain core).

`read` gives a validated model (from bytes in any format, or a parsed toc/1 document) and
`check(model, as_of=DAY)` its `Report`; the day is the caller's, the core reads no clock.
"""

from toc.document import dump_json, load_json, parse_document
from toc.errors import DocumentRejected, Problem, TocError
from toc.formats import read
from toc.graph import ChainGraph, build_graph
from toc.model import Evidence, Indicator, Link, Node, TheoryOfChange
from toc.report import Finding, Report, check

__all__ = [
    "read",
    "check",
    "load_json",
    "parse_document",
    "dump_json",
    "DocumentRejected",
    "Problem",
    "TocError",
    "ChainGraph",
    "build_graph",
    "TheoryOfChange",
    "Node",
    "Link",
    "Indicator",
    "Evidence",
    "Finding",
    "Report",
]

__version__ = "0.2.0"
