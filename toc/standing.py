"""The scorecard's rows: each initiative's standing, signs, measures and conflicts (SPEC §3).

Read from the checks' own analyses, not from the findings, so a row says what the model
says whether or not a check is switched off; only its `findings` counts follow the model's
re-ratings. Every analysis covers all initiatives at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toc.checks.chains import raised_and_lowered
from toc.checks.coherence import pressure_meetings, siloed
from toc.checks.measures import measurement
from toc.engine import Engine, members

if TYPE_CHECKING:
    from toc.report import Finding

__all__ = ["STANDINGS", "MEASURED", "scorecard"]

# In the order they are judged: the first that holds is an initiative's standing.
STANDINGS = ("no-chain", "only-lowers", "mixed", "no-because", "unmeasured", "sound")
MEASURED = ("leading", "outcome-only", "counts-only", "none")


def scorecard(engine: Engine, findings: list[Finding]) -> list[dict[str, Any]]:
    """One row per initiative that is not retired, in id order, with SPEC §3's keys."""
    initiatives, ids = engine.initiatives, engine.ids
    if not initiatives:
        return []
    raises, lowers = raised_and_lowered(engine)
    measured = measurement(engine)
    anchored, explained = engine.anchored, engine.explained
    strength = engine.evidence_strength
    alone = siloed(engine)
    position = {initiative: j for j, initiative in enumerate(initiatives)}
    conflicts: list[list[str]] = [[] for _ in initiatives]
    up, down = engine.pushes
    for node in pressure_meetings(engine):
        # The meeting nodes come in id order, so each initiative's list is sorted already.
        for j in members(up[node] | down[node]):
            conflicts[j].append(ids[node])
    counts: dict[str, dict[str, int]] = {
        ids[i]: {"error": 0, "warning": 0, "info": 0} for i in initiatives
    }
    for finding in findings:
        if finding.link is not None:
            continue
        # A finding about the initiative's own node: named as initiative, or as node (an
        # orphan initiative, a form without a function).
        subject = finding.initiative or finding.node
        if subject is not None and subject in counts:
            counts[subject][str(finding.severity)] += 1
    titles = engine.title
    rows = []
    for j, i in enumerate(initiatives):
        name = ids[i]
        raised = [ids[o] for o in raises[j]]
        lowered = [ids[o] for o in lowers[j]]
        rows.append(
            {
                "id": name,
                "title": titles(i),
                "standing": _standing(
                    bool(anchored[i]), raised, lowered, bool(explained[i]), measured[j]
                ),
                "raises": raised,
                "lowers": lowered,
                "because_chain": bool(explained[i]),
                "measured": measured[j],
                "evidence": strength[name],
                "conflicts": conflicts[position[i]],
                "siloed": bool(alone[i]),
                "findings": counts[name],
            }
        )
    rows.sort(key=lambda row: row["id"])
    return rows


def _standing(
    anchored: bool, raised: list[str], lowered: list[str], explained: bool, measured: str | None
) -> str:
    if not anchored:
        return "no-chain"
    if lowered and not raised:
        return "only-lowers"
    if lowered:
        return "mixed"
    if not explained:
        return "no-because"
    if measured != "leading":
        return "unmeasured"
    return "sound"
