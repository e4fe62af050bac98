"""The scorecard's rows and the one table of standings (SPEC §3): what a cabinet decides from.

A standing judges the plan's logic, not the program: whether a chain is drawn to students,
whether by its own links it only lowers them, whether a chain says why, and whether
something before the outcomes is measured. toc checks that a `because` is written and that
the chain holds together, not that the mechanism is true.

The rows are read from the checks' own analyses, not from the findings, so a row says what
the model says whether or not a check is switched off; only its `findings` counts follow the
model's re-ratings. Every analysis covers all initiatives at once: no per-initiative search.

`STANDING_TABLE` is the one place a standing's mark, words, meaning and order are written;
every face (CLI text, CSV, JSON, pages, the handout, the summary) reads it from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from toc.algorithms.bitsets import members, tally
from toc.checks.analyses import data_along_chains, raised_and_lowered
from toc.checks.coherence import pressure_meetings, siloed
from toc.checks.measures import measurement
from toc.engine import NO_TIER, Engine, analysis

if TYPE_CHECKING:
    from toc.report import Finding

__all__ = [
    "Standing",
    "STANDING_TABLE",
    "STANDINGS",
    "STANDING_BY_SLUG",
    "PROGRESS",
    "PROGRESS_WORDS",
    "VERDICTS",
    "MEASURED",
    "ROW_KEYS",
    "FLAGS",
    "standing_label",
    "money",
    "per_student",
    "scorecard",
    "scorecard_metrics",
    "standings_of",
    "cost_of",
]


class Standing(NamedTuple):
    """One standing: its slug (what JSON and CSV carry), mark, words and what it means."""

    slug: str
    mark: str
    words: str
    meaning: str


# In the order they are judged, worst first: the first that holds is an initiative's standing.
STANDING_TABLE: tuple[Standing, ...] = (
    Standing(
        "no-chain",
        "\u2716",  # ✖
        "no chain drawn to students",
        "No chain of steps is drawn from it to a student outcome: the plan does not say what "
        "it changes for students.",
    ),
    Standing(
        "only-lowers",
        "\u2716",  # ✖
        "by its own links, only lowers outcomes",
        "Every chain drawn from it reaches students through a step that weakens the next: "
        "by the plan's own account it lowers the outcomes it reaches and raises none.",
    ),
    Standing(
        "no-because",
        "?",
        "no chain says why",
        "Chains reach students, but on each of them some step has no stated reason why it "
        "should happen.",
    ),
    Standing(
        "unmeasured",
        "\u25cb",  # ○
        "not measured before the outcomes",
        "The logic is written, but nothing between it and the student outcomes is measured: "
        "whether its own mechanism works shows only in results every initiative shares.",
    ),
    Standing(
        "sound",
        "\u2714",  # ✔
        "logic complete",
        "A chain to students, a reason on every step of one, and a measure before the "
        "outcomes. This says the plan's logic is complete, not that the program works.",
    ),
)
STANDINGS: tuple[str, ...] = tuple(standing.slug for standing in STANDING_TABLE)
STANDING_BY_SLUG: dict[str, Standing] = {standing.slug: standing for standing in STANDING_TABLE}

# The flags shown beside a standing, never folded into it (SPEC §3): mark and words.
FLAGS: dict[str, tuple[str, str]] = {
    "mixed": ("\u25b2", "raises and lowers outcomes"),  # ▲
    "works_against": ("\u21c5", "works against"),  # ⇅
    "worked_against_by": ("\u21c5", "worked against by"),
}

# What the data along an initiative's chains says (SPEC §3 `progress`, §5), worst first.
PROGRESS: tuple[str, ...] = ("off-track", "stalled", "moving", "no-data", "not-yet")
PROGRESS_WORDS: dict[str, str] = {
    "off-track": "off track: data moving away from target",
    "stalled": "stalled: a step did not hold",
    "moving": "moving toward target",
    "no-data": "no data along its chains",
    "not-yet": "data in, nothing moved yet",
}
VERDICTS: tuple[str, ...] = ("keep", "revise", "stop", "scale")
MEASURED = ("leading", "outcome-only", "counts-only", "none")

# A row's keys, in SPEC §3's order.
ROW_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "standing",
    "mixed",
    "works_against",
    "worked_against_by",
    "progress",
    "raises",
    "lowers",
    "because_chain",
    "measured",
    "evidence",
    "essa_tier",
    "rated_links",
    "conflicts",
    "siloed",
    "decision",
    "required",
    "cost",
    "reach",
    "cost_per_student",
    "findings",
)

# Checks that name a node and count towards an initiative's own findings when the node is it.
_OWN_NODE_CHECKS = frozenset({"TOC201", "TOC301", "TOC501", "TOC701", "TOC702"})


def standing_label(standing: str) -> str:
    """The standing as a mark and its words, as every face shows it.

    >>> standing_label("sound")
    '✔ logic complete'
    >>> standing_label("something-new")
    'something-new'
    """
    found = STANDING_BY_SLUG.get(standing)
    return f"{found.mark} {found.words}" if found else standing


# Signs for the currencies a US or Canadian state plan is likely to name; any other is shown
# by its code. `USD` is the default only when the model names no currency: then no sign.
_SIGNS = {"USD": "$", "CAD": "CA$", "EUR": "\u20ac", "GBP": "\u00a3", "AUD": "A$", "NZD": "NZ$"}


def money(amount: float, currency: str | None = None) -> str:
    """An amount as people read it in a handout: `$4.2M`, `$250,000`, `1,240`.

    Millions and billions to one decimal; smaller amounts whole, with thousands separators
    (below 10, to the cent). A currency sign only when the model names a currency.

    >>> money(4_200_000, "USD"), money(250_000, "USD"), money(1240.4), money(3.5, "EUR")
    ('$4.2M', '$250,000', '1,240', '€3.50')
    >>> money(12_000_000_000, "MXN")
    'MXN 12B'
    """
    for size, suffix in ((1e9, "B"), (1e6, "M")):
        if abs(amount) >= size:
            text = f"{amount / size:.1f}".removesuffix(".0") + suffix
            break
    else:
        text = f"{amount:,.2f}" if abs(amount) < 10 and amount != int(amount) else f"{amount:,.0f}"
    if currency is None:
        return text
    sign = _SIGNS.get(currency)
    return f"{sign}{text}" if sign else f"{currency} {text}"


def per_student(amount: float, currency: str | None = None) -> str:
    """A cost per student, rounded, with "≈" and what `reach` counts.

    >>> per_student(208.333, "USD")
    '≈ $208 per student reached'
    """
    return f"\u2248 {money(amount, currency)} per student reached"


def _works_against(engine: Engine) -> list[int]:
    """For each initiative (by position), the bitset of initiatives it pushes `-` at a TOC501
    node where they push `+` (itself left out)."""
    up, down = engine.pushes
    against = [0] * len(engine.initiatives)
    # Meetings pushed down by the same initiatives are merged first: a statewide portfolio
    # has many meetings and few distinct sets of initiatives pushing down.
    merged: dict[int, int] = {}
    for node in pressure_meetings(engine):
        merged[down[node]] = merged.get(down[node], 0) | up[node]
    for pushed_down, pushed_up in merged.items():
        for j in members(pushed_down):
            against[j] |= pushed_up
    return [bits & ~(1 << j) for j, bits in enumerate(against)]


def _rated_links(engine: Engine) -> tuple[list[int], list[int]]:
    """For each initiative (by position), how many links on its chains have a tier, and how
    many links lie on them. A link on A's chains is one whose `from` A reaches and whose `to`
    reaches an outcome; the initiatives reaching a node are read from the signed pushes, and
    the counts are summed for all initiatives at once: by member for the few initiatives
    that reach most nodes, by bit-sliced counters for nodes many initiatives reach."""
    up, down = engine.pushes
    finishing = engine.reaches_outcome
    sources, targets, links = engine.link_source, engine.link_target, engine.link
    more = engine.edge_more
    own = engine.own_links  # a portfolio's reference links are identities, not steps
    leaving = [0] * len(engine)  # links on chains leaving each node
    leaving_rated = [0] * len(engine)  # those of them with a tier
    # Merged edges carry their best tier; only the few with parallel links are read link by link.
    for edge, (k, tier) in enumerate(zip(engine.edge_link, engine.edge_tier, strict=True)):
        if k >= own:
            continue
        if not finishing[targets[k]]:
            continue
        u = sources[k]
        if edge in more:
            parallel = engine.links_of(edge)
            leaving[u] += len(parallel)
            leaving_rated[u] += sum(
                any(evidence.tier is not None for evidence in links[m].evidence) for m in parallel
            )
        else:
            leaving[u] += 1
            if tier != NO_TIER:
                leaving_rated[u] += 1
    per_node = {u: (count, leaving_rated[u]) for u, count in enumerate(leaving) if count}
    size = len(engine.initiatives)
    every, rated = [0] * size, [0] * size
    wide: list[tuple[int, int, int]] = []
    # Nodes reached by the same initiatives are summed first: many share their set.
    grouped: dict[int, list[int]] = {}
    for node, (count, good) in per_node.items():
        bits = up[node] | down[node]
        held = grouped.get(bits)
        if held is None:
            grouped[bits] = [count, good]
        else:
            held[0] += count
            held[1] += good
    for bits, (count, good) in grouped.items():
        if not bits:
            continue
        if bits.bit_count() > 64:
            wide.append((bits, count, good))
            continue
        for j in members(bits):
            every[j] += count
            rated[j] += good
    if wide:
        for totals, position in ((every, 1), (rated, 2)):
            # Adding a bitset `count` times: once per set bit of the count, shifted.
            by_shift: dict[int, list[int]] = {}
            for entry in wide:
                bits, count = entry[0], entry[position]
                shift = 0
                while count:
                    if count & 1:
                        by_shift.setdefault(shift, []).append(bits)
                    count >>= 1
                    shift += 1
            for shift, group in by_shift.items():
                for j, found in enumerate(tally(group, size)):
                    totals[j] += found << shift
    return rated, every


def _field(node: Any, name: str) -> Any:
    return getattr(node, name, None)


def cost_of(node: Any) -> int | float | None:
    """An initiative's cost a year: its `cost`, else the sum of its `funding` (SPEC §1: when
    funding is given, the cost is its sum), else None."""
    cost = _field(node, "cost")
    if cost is not None:
        return cost
    funding = _field(node, "funding")
    if funding:
        return sum(entry.amount for entry in funding)
    return None


@analysis
def standings_of(engine: Engine) -> list[str]:
    """Each initiative's standing (by position in `engine.initiatives`), computed once."""
    raises, lowers = raised_and_lowered(engine)
    measured = measurement(engine)
    anchored, explained = engine.anchored, engine.explained
    return [
        _standing(bool(anchored[i]), raises[j], lowers[j], bool(explained[i]), measured[j])
        for j, i in enumerate(engine.initiatives)
    ]


def scorecard(engine: Engine, findings: list[Finding]) -> list[dict[str, Any]]:
    """One row per initiative that is not retired, in id order, with SPEC §3's keys."""
    initiatives, ids = engine.initiatives, engine.ids
    if not initiatives:
        return []
    raises, lowers = raised_and_lowered(engine)
    measured = measurement(engine)
    explained = engine.explained
    strength = engine.evidence_strength
    alone = siloed(engine)
    standings = standings_of(engine)
    progress = data_along_chains(engine)
    rated, on_chain = _rated_links(engine)
    against = _works_against(engine)
    position = {initiative: j for j, initiative in enumerate(initiatives)}
    order = sorted(range(len(initiatives)), key=lambda j: ids[initiatives[j]])
    rank = {j: r for r, j in enumerate(order)}
    # Each initiative's members are read once and serve both directions.
    positions = [members(bits) for bits in against]
    names = [ids[i] for i in initiatives]
    works = [[names[o] for o in sorted(found, key=rank.__getitem__)] for found in positions]
    worked_by: list[list[str]] = [[] for _ in initiatives]
    # Visiting initiatives in id order leaves every `worked_against_by` list sorted.
    for j in order:
        name = names[j]
        for o in positions[j]:
            worked_by[o].append(name)
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
        if finding.initiative is not None:
            subject = finding.initiative
        elif finding.node is not None and finding.code in _OWN_NODE_CHECKS:
            subject = finding.node
        else:
            continue
        if subject in counts:
            counts[subject][str(finding.severity)] += 1
    titles, nodes = engine.title, engine.node
    rows = []
    for j in order:
        i = initiatives[j]
        name, node = ids[i], nodes[i]
        raised = [ids[o] for o in raises[j]]
        lowered = [ids[o] for o in lowers[j]]
        decision, essa = _field(node, "decision"), _field(node, "essa_tier")
        cost, reach = cost_of(node), _field(node, "reach")
        rows.append(
            {
                "id": name,
                "title": titles(i),
                "standing": standings[j],
                "mixed": bool(raised and lowered),
                "works_against": works[j],
                "worked_against_by": worked_by[j],
                "progress": progress[j],
                "raises": raised,
                "lowers": lowered,
                "because_chain": bool(explained[i]),
                "measured": measured[j],
                "evidence": strength[name],
                "essa_tier": essa.tier if essa is not None else None,
                "rated_links": {"rated": rated[j], "links": on_chain[j]},
                "conflicts": conflicts[position[i]],
                "siloed": bool(alone[i]),
                "decision": str(decision.verdict) if decision is not None else None,
                "required": bool(_field(node, "required")),
                "cost": cost,
                "reach": reach,
                "cost_per_student": cost / reach
                if cost is not None and reach is not None and reach > 0
                else None,
                "findings": counts[name],
            }
        )
    return rows


def scorecard_metrics(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """`metrics.standings`, `metrics.decisions` and `metrics.cost_by_standing` (SPEC §3).

    Every standing and verdict (and `none`) with its count, zeros included; the cost of each
    standing only where some initiative in it has a cost.

    >>> scorecard_metrics([{"standing": "sound", "decision": "keep", "cost": 10},
    ...     {"standing": "sound", "decision": None, "cost": None}])["cost_by_standing"]
    {'sound': 10}
    """
    standings = dict.fromkeys(STANDINGS, 0)
    decisions = dict.fromkeys((*VERDICTS, "none"), 0)
    costs: dict[str, int | float] = {}
    for row in rows:
        standing = row["standing"]
        standings[standing] = standings.get(standing, 0) + 1
        verdict = row.get("decision") or "none"
        decisions[verdict] = decisions.get(verdict, 0) + 1
        cost = row.get("cost")
        if cost is not None:
            costs[standing] = costs.get(standing, 0) + cost
    return {
        "standings": standings,
        "decisions": decisions,
        "cost_by_standing": {s: costs[s] for s in STANDINGS if s in costs},
    }


def _standing(
    anchored: bool, raised: list[int], lowered: list[int], explained: bool, measured: str | None
) -> str:
    if not anchored:
        return "no-chain"
    if lowered and not raised:
        return "only-lowers"
    if not explained:
        return "no-because"
    if measured != "leading":
        return "unmeasured"
    return "sound"
