"""What the portfolio page shows, from the portfolio report: the state's grid, a district's mirror.

Pure functions of the report (SPEC §6): the grid of a plan's initiatives against the plans one
rank below, grouped by designations, each cell the carrier's standing mark; the cross-level
conflicts; spend by standing; whose plans are missing; and, for a lower plan, the mirror.
"""

from __future__ import annotations

from typing import Any

from toc.portfolio import SCOPE_RANK, PortfolioReport
from toc.scorecard import MARKS, MEANINGS

__all__ = ["viewpoint", "grid", "mirror", "cross_level_conflicts", "plural"]

_PLURAL = {"state": "states", "district": "districts", "network": "networks", "school": "schools"}


def plural(scope: str | None) -> str:
    return _PLURAL.get(scope or "", "plans")


def _rank(report: PortfolioReport, model: str) -> int | None:
    scope = report.about[model]["scope"]
    return SCOPE_RANK.get(scope) if scope else None


def viewpoint(report: PortfolioReport, asked: str | None) -> str | None:
    """The plan the page looks from: the one asked for, else the highest-ranked plan."""
    if asked in report.about:
        return asked
    if not report.models:
        return None
    return max(report.models, key=lambda m: (_rank(report, m) or 0, -report.models.index(m)))


def _model_of(node: str) -> str:
    return node.partition(":")[0]


def _below(report: PortfolioReport, model: str) -> list[str]:
    """The plans of the next lower rank: a state's districts and networks (or its schools)."""
    rank = _rank(report, model)
    if rank is None:
        return []
    ranks = {m: _rank(report, m) for m in report.models}
    present = {r for r in ranks.values() if r is not None and r < rank}
    if not present:
        return []
    wanted = 2 if 2 in present else 1
    return [m for m in report.models if ranks[m] == wanted]


def grid(report: PortfolioReport, model: str, titles: dict[str, str]) -> dict[str, Any]:
    """The grid of `model`'s initiatives (rows) against the plans one rank below (columns)."""
    columns = _below(report, model)
    about = report.about

    def designations(m: str) -> str:
        return " · ".join(sorted(about[m]["designations"])) or "no designation"

    columns.sort(key=lambda m: (designations(m), about[m]["title"], m))
    groups: list[dict[str, Any]] = []
    for m in columns:
        label = designations(m)
        if not groups or groups[-1]["label"] != label:
            groups.append({"label": label, "models": []})
        groups[-1]["models"].append(m)
    standing = {row["id"]: row["standing"] for row in report.initiatives}
    carried = {row["id"]: row["carried_out_by"] for row in report.initiatives}
    take_up = {row["initiative"]: row for row in report.take_up}
    rows = []
    for row in report.initiatives:
        if row["model"] != model:
            continue
        counted = take_up.get(row["id"])
        cells = []
        for m in columns:
            carriers = [c for c in carried[row["id"]] if _model_of(c) == m]
            cells.append(
                {
                    "model": m,
                    "carriers": [
                        {
                            "id": c,
                            "title": titles.get(c, c),
                            "standing": standing.get(c, ""),
                            "mark": MARKS.get(standing.get(c, ""), ""),
                            "meaning": MEANINGS.get(standing.get(c, ""), ""),
                        }
                        for c in carriers
                    ],
                }
            )
        whole = None
        if counted is not None:
            whole = (
                counted["eligible"] if counted["eligible"] is not None else counted["models_below"]
            )
        rows.append(
            {
                "id": row["id"],
                "title": row["title"],
                "standing": row["standing"],
                "mark": MARKS.get(row["standing"], ""),
                "cells": cells,
                "carried_out": counted["carried_out"] if counted else 0,
                "whole": whole,
                "eligible": counted["eligible"] if counted else None,
                "missing": counted["missing"] if counted else [],
                "standings": counted["standings"] if counted else {},
            }
        )
    # Rows nobody carries out first: the row a state needs most.
    rows.sort(key=lambda r: (r["carried_out"] > 0, r["title"]))
    present = {about[m]["org"] for m in report.models if about[m]["org"]}
    wanted: set[str] = set()
    for counted in take_up.values():
        if _model_of(counted["initiative"]) == model:
            wanted.update(counted["missing"])
    scope = about[columns[0]]["scope"] if columns else None
    return {
        "groups": groups,
        "columns": columns,
        "rows": rows,
        "plans_missing": sorted(wanted - present),
        "below_word": plural(scope),
    }


def cross_level_conflicts(
    report: PortfolioReport, model: str, titles: dict[str, str]
) -> list[dict[str, Any]]:
    """TOC501 meetings where an initiative of `model` and initiatives of other plans push
    opposite ways: "State pacing reviews work against small-group programs in 4 districts"."""
    found = []
    for finding in report.findings:
        if finding.code != "TOC501" or not finding.pushers:
            continue
        plus, minus = finding.pushers["+"], finding.pushers["-"]
        for mine, theirs in ((minus, plus), (plus, minus)):
            own = [i for i in mine if _model_of(i) == model]
            others = [i for i in theirs if _model_of(i) != model]
            if not own or not others:
                continue
            plans = sorted({_model_of(i) for i in others})
            found.append(
                {
                    "node": finding.node,
                    "node_title": titles.get(finding.node or "", finding.node),
                    "own": [titles.get(i, i) for i in own],
                    "others": [titles.get(i, i) for i in others],
                    "plans": [report.about[p]["title"] for p in plans],
                    "count": len(plans),
                    "against": mine is minus,
                }
            )
    return found


def mirror(report: PortfolioReport, model: str, titles: dict[str, str]) -> dict[str, Any]:
    """A lower plan's view: the higher initiatives it carries out and does not, its programs
    the higher plan cannot see, and the higher mandates that work against its programs."""
    rank = _rank(report, model)
    higher = {m for m in report.models if rank is not None and (_rank(report, m) or 0) > rank}
    standing = {row["id"]: row["standing"] for row in report.initiatives}
    carries: list[dict[str, Any]] = []
    does_not: list[dict[str, Any]] = []
    org = report.about[model]["org"]
    eligible_missing = {
        row["initiative"] for row in report.take_up if org and org in row["missing"]
    }
    for row in report.initiatives:
        if row["model"] not in higher:
            continue
        mine = [c for c in row["carried_out_by"] if _model_of(c) == model]
        entry = {
            "id": row["id"],
            "title": row["title"],
            "plan": report.about[row["model"]]["title"],
            "carriers": [
                {
                    "title": titles.get(c, c),
                    "standing": standing.get(c, ""),
                    "mark": MARKS.get(standing.get(c, ""), ""),
                }
                for c in mine
            ],
            "eligible": row["id"] in eligible_missing,
        }
        (carries if mine else does_not).append(entry)
    unseen = [
        {"id": f.initiative, "title": titles.get(f.initiative or "", f.initiative)}
        for f in report.findings
        if f.code == "TOC802" and f.model == model
    ]
    against = [c for c in cross_level_conflicts(report, model, titles) if not c["against"]]
    return {"carries": carries, "does_not": does_not, "unseen": unseen, "against": against}
