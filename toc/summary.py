"""The summary a cabinet decides from (SPEC §3): what the report and the model page open with.

How many initiatives stand where and what they cost, which work against which, what the data
says along their chains, the decisions taken and missing, the reviews and money ending within
the year, and every decision that disagrees with the plan. Everything is read from a report's
scorecard rows and the model's own initiatives: no search of the graph, and no check code, so
every sentence can be read out at a board meeting. Standing words come from the one table in
`toc.standing`.
"""

from __future__ import annotations

from typing import Any

from toc.checks.chains import disagreement, disagreement_message, due_reasons
from toc.standing import (
    FLAGS,
    PROGRESS,
    PROGRESS_WORDS,
    STANDING_TABLE,
    VERDICTS,
    money,
)

__all__ = ["cabinet_summary", "summary_text"]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _lead_in(slug: str, words: str) -> str:
    """How a cost sentence names the initiatives of a standing, with the table's words."""
    if slug == "no-chain":
        return f"initiatives with {words}"
    if slug == "sound":
        return f"initiatives whose {words.replace('logic complete', 'logic is complete')}"
    return f"initiatives marked \u201c{words}\u201d"


def cabinet_summary(document: Any, report: Any) -> dict[str, Any]:
    """The cabinet's summary of a checked model, as data a page or a handout lays out.

    Parameters
    ----------
    document : TheoryOfChange or the fast reader's document
        The model checked: its initiatives' titles, decisions and funding.
    report : toc.report.Report
        Its report: the scorecard rows (`initiatives`), the check date and the currency.

    Returns
    -------
    dict
        `initiatives` (how many), `currency` (the model's own, or None), `standings` (every
        standing in the table's order: `standing`, `mark`, `words`, `meaning`, `count`,
        `cost`, `cost_text`, `titles`), `cost_lines` (sentences, one per standing with a
        cost), `against` (`{"id", "title", "against", "against_title", "text"}` per pair),
        `progress` (each progress with `words`, `count`, `titles`), `decisions` (`taken`: each
        decision with `id`, `title`, `verdict`, `date`, `decided_by`, `rationale`, `required`;
        `missing`: titles of initiatives with none; `counts` by verdict), `due` (`{"id",
        "title", "text"}` for reviews and funding ending within the year) and
        `disagreements` (`{"id", "title", "text"}` for each decision the plan disagrees
        with). Whether or not a check is switched off, the summary says what the model says.
    """
    rows = list(report.initiatives)
    currency = getattr(report, "currency", None)
    as_of = report.as_of
    nodes = {node.id: node for node in document.nodes}
    titles = {row["id"]: str(row["title"]) for row in rows}
    standings = []
    cost_lines = []
    for standing in STANDING_TABLE:
        mine = [row for row in rows if row["standing"] == standing.slug]
        costs = [row["cost"] for row in mine if row.get("cost") is not None]
        cost = sum(costs) if costs else None
        cost_text = f"{money(cost, currency)} a year" if cost is not None else None
        if cost_text is not None:
            cost_lines.append(f"{cost_text} in {_lead_in(standing.slug, standing.words)}")
        standings.append(
            {
                "standing": standing.slug,
                "mark": standing.mark,
                "words": standing.words,
                "meaning": standing.meaning,
                "count": len(mine),
                "cost": cost,
                "cost_text": cost_text,
                "titles": [str(row["title"]) for row in mine],
            }
        )
    against = []
    mark = FLAGS["works_against"][0]
    for row in rows:
        for other in row.get("works_against") or []:
            against.append(
                {
                    "id": row["id"],
                    "title": titles[row["id"]],
                    "against": other,
                    "against_title": titles.get(other, other),
                    "text": f"{mark} '{titles[row['id']]}' works against "
                    f"'{titles.get(other, other)}'",
                }
            )
    progress = [
        {
            "progress": slug,
            "words": PROGRESS_WORDS[slug],
            "count": len(mine),
            "titles": [str(row["title"]) for row in mine],
        }
        for slug in PROGRESS
        for mine in [[row for row in rows if row.get("progress") == slug]]
    ]
    taken, missing, disagreements, due = [], [], [], []
    counts = dict.fromkeys((*VERDICTS, "none"), 0)
    for row in rows:
        node = nodes.get(row["id"])
        decision = getattr(node, "decision", None)
        title = titles[row["id"]]
        if decision is None:
            counts["none"] += 1
            missing.append(title)
        else:
            verdict = str(decision.verdict)
            counts[verdict] = counts.get(verdict, 0) + 1
            taken.append(
                {
                    "id": row["id"],
                    "title": title,
                    "verdict": verdict,
                    "date": decision.date.isoformat(),
                    "decided_by": decision.decided_by,
                    "rationale": decision.rationale,
                    "required": bool(row.get("required")),
                }
            )
            why = disagreement(
                verdict, bool(row.get("required")), row["standing"], row.get("progress") or ""
            )
            if why is not None:
                disagreements.append(
                    {
                        "id": row["id"],
                        "title": title,
                        "text": disagreement_message(title, decision, why),
                    }
                )
        reasons = due_reasons(node, as_of) if node is not None else []
        if reasons:
            due.append(
                {
                    "id": row["id"],
                    "title": title,
                    "text": f"'{title}': " + "; ".join(reasons),
                }
            )
    return {
        "initiatives": len(rows),
        "currency": currency,
        "as_of": as_of.isoformat(),
        "standings": standings,
        "cost_lines": cost_lines,
        "against": against,
        "progress": progress,
        "decisions": {"taken": taken, "missing": missing, "counts": counts},
        "due": due,
        "disagreements": disagreements,
    }


def summary_text(summary: dict[str, Any]) -> str:
    """The summary as plain sentences, one a line (no trailing newline).

    >>> print(summary_text({"initiatives": 0, "standings": [], "cost_lines": [],
    ...     "against": [], "progress": [], "decisions": {"taken": [], "missing": [],
    ...     "counts": {}}, "due": [], "disagreements": []}))
    No initiatives.
    """
    if not summary["initiatives"]:
        return "No initiatives."
    lines = [f"{_plural(summary['initiatives'], 'initiative')}:"]
    for standing in summary["standings"]:
        if standing["count"]:
            lines.append(f"  {standing['count']} {standing['mark']} {standing['words']}")
    lines += summary["cost_lines"]
    lines += [pair["text"] for pair in summary["against"]]
    for entry in summary["progress"]:
        if entry["count"]:
            lines.append(f"Data: {entry['count']} {entry['words']}")
    decisions = summary["decisions"]
    lines.append(f"Decisions: {len(decisions['taken'])} taken, {len(decisions['missing'])} missing")
    lines += [f"Due: {entry['text']}" for entry in summary["due"]]
    lines += [f"Disagrees: {entry['text']}" for entry in summary["disagreements"]]
    return "\n".join(lines)
