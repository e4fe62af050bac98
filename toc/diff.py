"""Comparing two versions of a theory of change: what changed, and which findings came or went.

The shape is SPEC §5's::

    {"from": N, "to": M,
     "model": {field: [old, new]},
     "nodes": {"added": [ids], "removed": [ids], "changed": {id: {field: [old, new]}}},
     "links": {"added": [ids], "removed": [ids], "changed": {id: {field: [old, new]}}},
     "findings": {"new": [findings], "resolved": [findings]},
     "metrics": {key: [old, new]},
     "initiatives": {id: {field: [old, new]}}}

Only what changed is listed, but every key is always there (empty when nothing changed), so a
reader never has to ask whether a key is missing or empty. A field absent on one side is
`null` there; list fields (indicators, evidence, tags...) are compared whole. The model's
`version` is left out of `model`: `from` and `to` carry the versions compared. Nodes are matched
by id and links by their id (their own or the generated `FROM->TO`). A finding is the same
finding in both versions when its code, its subject and the indicator it names (TOC701,
TOC702) are the same. `initiatives` lists, for each initiative in both versions, the scorecard
fields (SPEC §3) that changed; a field only one side's report carries (a report stored before
the field existed) is not a change.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from toc.model import TheoryOfChange
from toc.report import Report, check

__all__ = ["diff_models", "diff_command", "render_diff_text", "finding_key"]

ReportLike = Report | Mapping[str, Any]

# Bookkeeping rather than content: the diff's own `from` and `to` say which versions these are.
_NOT_COMPARED = frozenset({"nodes", "links", "version"})


def finding_key(finding: Mapping[str, Any]) -> tuple[str, str, str]:
    """What makes two findings the same finding: code, subject, and the indicator it names."""
    subject = finding.get("initiative") or finding.get("node") or finding.get("link") or ""
    return finding["code"], subject, finding.get("indicator") or ""


def _fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    changed = {}
    for field in sorted(old.keys() | new.keys()):
        before, after = old.get(field), new.get(field)
        if before != after:
            changed[field] = [before, after]
    return changed


def _items(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], key: Any) -> Any:
    before = {key(item): item for item in old}
    after = {key(item): item for item in new}
    changed = {}
    for item_id in sorted(before.keys() & after.keys()):
        fields = _fields(before[item_id], after[item_id])
        if fields:
            changed[item_id] = fields
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": changed,
    }


def _initiatives(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
) -> dict[str, dict[str, list[Any]]]:
    """The scorecard fields that changed, per initiative present in both versions."""
    before = {row["id"]: row for row in old}
    changed = {}
    for row in sorted(new, key=lambda row: row["id"]):
        was = before.get(row["id"])
        if was is None:
            continue
        fields = {
            field: [was[field], row[field]]
            for field in row
            if field != "id" and field in was and was[field] != row[field]
        }
        if fields:
            changed[row["id"]] = fields
    return changed


def _link_key(link: Mapping[str, Any]) -> str:
    return link.get("id") or f"{link['from']}->{link['to']}"


def _report_dict(report: ReportLike | None, model: TheoryOfChange, as_of: datetime.date) -> Any:
    if report is None:
        report = check(model, as_of=as_of)
    return report.to_dict() if isinstance(report, Report) else report


def _unmatched(
    findings: Sequence[Mapping[str, Any]], others: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Findings with no counterpart among `others` (counted, in case two share a key)."""
    left = Counter(finding_key(f) for f in others)
    unmatched = []
    for finding in findings:
        key = finding_key(finding)
        if left[key]:
            left[key] -= 1
        else:
            unmatched.append(dict(finding))
    return unmatched


def diff_models(
    old: TheoryOfChange,
    new: TheoryOfChange,
    old_report: ReportLike | None = None,
    new_report: ReportLike | None = None,
    from_version: int | None = None,
    to_version: int | None = None,
    *,
    as_of: datetime.date,
) -> dict[str, Any]:
    """What changed from `old` to `new`, in SPEC §5's shape (see the module doc).

    Parameters
    ----------
    old, new : TheoryOfChange
        The two versions.
    old_report, new_report : Report or dict, optional
        Their check reports, as a `Report` or its `to_dict()` form (as a store keeps it);
        computed when not given.
    from_version, to_version : int, optional
        The versions compared, reported as `from` and `to` (null for two files).
    as_of : datetime.date
        The check date for reports computed here, the same for both so that time passing
        alone changes nothing.

    Returns
    -------
    dict
        `{"from", "to", "model", "nodes", "links", "findings", "metrics", "initiatives"}`,
        every key
        present, only what changed listed, ids sorted.

    Examples
    --------
    >>> from toc.document import parse_document
    >>> old = parse_document({"id": "m", "title": "M", "nodes": [
    ...     {"id": "grant", "level": "system", "kind": "initiative", "title": "Grant"}]})
    >>> new = parse_document({"id": "m", "title": "M", "nodes": [
    ...     {"id": "grant", "level": "system", "kind": "initiative", "title": "Literacy grant"},
    ...     {"id": "reading", "level": "student", "kind": "outcome", "title": "Reading"}],
    ...     "links": [{"from": "grant", "to": "reading"}]})
    >>> diff = diff_models(old, new, as_of=datetime.date(2026, 6, 30))
    >>> diff["nodes"]["added"], diff["nodes"]["changed"]
    (['reading'], {'grant': {'title': ['Grant', 'Literacy grant']}})
    >>> [(f["code"], f["initiative"] or f["node"]) for f in diff["findings"]["resolved"]]
    [('TOC101', 'grant'), ('TOC201', 'grant')]
    """
    day = as_of
    before, after = old.to_document(), new.to_document()
    old_dict = _report_dict(old_report, old, day)
    new_dict = _report_dict(new_report, new, day)
    old_findings, new_findings = old_dict["findings"], new_dict["findings"]
    return {
        "from": from_version,
        "to": to_version,
        "model": _fields(
            {k: v for k, v in before.items() if k not in _NOT_COMPARED},
            {k: v for k, v in after.items() if k not in _NOT_COMPARED},
        ),
        "nodes": _items(before["nodes"], after["nodes"], lambda node: node["id"]),
        "links": _items(before["links"], after["links"], _link_key),
        "findings": {
            "new": _unmatched(new_findings, old_findings),
            "resolved": _unmatched(old_findings, new_findings),
        },
        "metrics": _fields(old_dict["metrics"], new_dict["metrics"]),
        "initiatives": _initiatives(
            old_dict.get("initiatives") or [], new_dict.get("initiatives") or []
        ),
    }


def _worse(diff: Mapping[str, Any]) -> bool:
    return any(finding["severity"] == "error" for finding in diff["findings"]["new"])


def _value(value: Any, width: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def _shown(value: Any) -> str:
    """A scorecard value as one line of text: words bare, lists joined, the rest as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return "none"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value) if value else "none"
    return _value(value)


def _subject(finding: Mapping[str, Any]) -> str:
    subject = finding.get("initiative") or finding.get("node") or finding.get("link") or ""
    indicator = finding.get("indicator")
    return f"{subject} [{indicator}]" if indicator else subject


def render_diff_text(diff: Mapping[str, Any]) -> str:
    """The diff as a person reads it in a terminal or a CI log, one change a line.

    >>> print(render_diff_text({"from": 3, "to": 4, "model": {"title": ["A", "B"]},
    ...     "nodes": {"added": ["x"], "removed": [], "changed": {}},
    ...     "links": {"added": [], "removed": [], "changed": {}},
    ...     "findings": {"new": [], "resolved": []}, "metrics": {}}), end="")
    version 3 → 4
    model: title "A" → "B"
    nodes: 1 added, 0 removed, 0 changed
      + x
    findings: 0 new, 0 resolved
    """
    lines = []
    if diff.get("from") is not None or diff.get("to") is not None:
        lines.append(f"version {diff.get('from')} → {diff.get('to')}")
    for field, (before, after) in diff["model"].items():
        lines.append(f"model: {field} {_value(before)} → {_value(after)}")
    for what in ("nodes", "links"):
        part = diff[what]
        if not (part["added"] or part["removed"] or part["changed"]):
            continue
        lines.append(
            f"{what}: {len(part['added'])} added, {len(part['removed'])} removed, "
            f"{len(part['changed'])} changed"
        )
        lines += [f"  + {item}" for item in part["added"]]
        lines += [f"  - {item}" for item in part["removed"]]
        for item, fields in part["changed"].items():
            lines.append(f"  ~ {item}")
            for field, (before, after) in fields.items():
                lines.append(f"      {field}: {_value(before)} → {_value(after)}")
    findings = diff["findings"]
    lines.append(f"findings: {len(findings['new'])} new, {len(findings['resolved'])} resolved")
    for label, items in (("new", findings["new"]), ("resolved", findings["resolved"])):
        for finding in items:
            lines.append(
                f"  {label} {finding['severity']} {finding['code']} {finding['name']} "
                f"{_subject(finding)}: {finding['message']}"
            )
    for key, (before, after) in diff["metrics"].items():
        lines.append(f"metrics: {key} {_value(before)} → {_value(after)}")
    changed = diff.get("initiatives") or {}
    if changed:
        lines.append(f"initiatives: {len(changed)} changed on the scorecard")
        for initiative, fields in changed.items():
            for field, (before, after) in fields.items():
                lines.append(f"  {initiative}: {field} {_shown(before)} → {_shown(after)}")
    if _worse(diff):
        lines.append("worse: the new version has an error the old one had not")
    return "\n".join(lines) + "\n"


def diff_command(
    old: TheoryOfChange,
    new: TheoryOfChange,
    fmt: str = "text",
    *,
    as_of: datetime.date,
) -> tuple[str, int]:
    """What `toc diff OLD NEW [--format text|json]` prints, and its exit status.

    Parameters
    ----------
    old, new : TheoryOfChange
        The models read from OLD and NEW. Reading the files, and exit status 2 for a
        rejected document, are the CLI's.
    fmt : {"text", "json"}
        `text` for a person (`render_diff_text`), `json` for a program (the diff itself).
    as_of : datetime.date
        The check date for both reports.

    Returns
    -------
    text : str
        What to print on stdout, ending in a newline.
    status : int
        1 when NEW has an error-severity finding that OLD has not (the edit made the theory
        worse: a CI gate), else 0.
    """
    if fmt not in ("text", "json"):
        raise ValueError(f"unknown format {fmt!r}; expected text or json")
    diff = diff_models(old, new, as_of=as_of)
    if fmt == "json":
        text = json.dumps(diff, indent=2, ensure_ascii=False) + "\n"
    else:
        text = render_diff_text(diff)
    return text, 1 if _worse(diff) else 0
