"""toc: a multi-level Theory of Change modeler for school systems (the domain core)."""

from toc.document import dump_json, load_json, parse_document
from toc.errors import DocumentRejected, Problem, TocError
from toc.graph import ChainGraph, build_graph
from toc.model import Evidence, Indicator, Link, Node, TheoryOfChange
from toc.report import Finding, Report, check_model

__all__ = [
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
    "check_model",
]

__version__ = "0.2.0"
