"""The JSON Schema of the toc/1 format, generated from the typed model.

Regenerate with `python -m toc.schema`; a test fails when schemas/toc-1.schema.json is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from toc.checks.catalogue import codes
from toc.model import INITIATIVE_ONLY, TheoryOfChange

__all__ = ["json_schema", "SCHEMA_PATH", "render"]

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "toc-1.schema.json"
SCHEMA_ID = "https://toc.example/schemas/toc-1.schema.json"


def json_schema() -> dict[str, Any]:
    """The schema of a toc/1 document, with the rules that join fields spelt out too."""
    schema = TheoryOfChange.model_json_schema(by_alias=True, mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }
    schema["title"] = "toc/1: a multi-level theory of change"
    schema["description"] = (
        "One theory of change: initiatives, changes and student outcomes at the system, "
        "teacher and student levels, joined by links that say *because* of what mechanism "
        "each step should happen. Rules that span items (unique ids, links between existing "
        "nodes, no self-links) are enforced by toc when it reads a document."
    )
    schema["properties"]["checks"]["propertyNames"] = {"enum": sorted(codes())}
    node = schema["$defs"]["Node"]
    # An outcome is a student learning outcome; the schema says so where JSON Schema can.
    node["allOf"] = [
        {
            "if": {"properties": {"kind": {"const": "outcome"}}, "required": ["kind"]},
            "then": {"properties": {"level": {"const": "student"}}},
        },
        # Cost, reach, the decision and the rest are an initiative's alone (null or an empty
        # list is the same as leaving them out).
        {
            "if": {
                "properties": {"kind": {"not": {"const": "initiative"}}},
                "required": ["kind"],
            },
            "then": {
                "properties": {
                    field: (
                        {"type": "array", "maxItems": 0}
                        if field in ("funding", "eligible")
                        else {"type": "null"}
                    )
                    for field in INITIATIVE_ONLY
                }
            },
        },
    ]
    return schema


def render() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"


def main() -> int:
    SCHEMA_PATH.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
