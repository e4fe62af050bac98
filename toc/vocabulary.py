"""The domain's words for people: names of evidence tiers, levels and interchange formats.

Pure data, shared by every face of toc (the pages, the map) so that a tier or a format is
called the same everywhere.

>>> TIER_NAMES[2]
'moderate'
>>> LEVEL_LABELS[Level.STUDENT]
'Students'
"""

from __future__ import annotations

from toc.model import Level

__all__ = ["TIER_NAMES", "LEVEL_LABELS", "FORMAT_LABELS"]

# The US ESSA evidence tiers, by number.
TIER_NAMES: dict[int, str] = {
    1: "strong",
    2: "moderate",
    3: "promising",
    4: "demonstrates a rationale",
}

# Each level as the name of its band on the map, top to bottom.
LEVEL_LABELS: dict[Level, str] = {
    Level.SYSTEM: "System",
    Level.TEACHER: "Teachers",
    Level.STUDENT: "Students",
}

# Each interchange format (`toc.formats`) as a person would choose it.
FORMAT_LABELS: dict[str, str] = {
    "json": "toc/1 JSON",
    "xlsx": "Excel workbook (.xlsx)",
    "csv": "CSV (zip of nodes.csv and links.csv)",
    "graphml": "GraphML (yEd)",
    "gexf": "GEXF (Gephi)",
    "mermaid": "Mermaid flowchart",
}
