"""A portfolio: several models checked together as one graph, across the levels of a system.

SPEC §6. Every node of every model is a node of one compact engine (`toc.engine.Engine`) with
the id `MODEL:NODE`, every link a link with the id `MODEL:LINK`, and each `realizes` reference
that resolves one more `leads_to` link with polarity `+`: from the higher initiative to the lower
one that carries it out, and from the lower change or outcome to the higher one it rolls up
into. Those reference links are identities, not steps: the engine numbers them last
(`own_links`) so that evidence, shares and link findings leave them out. Every check of the
catalogue then runs on that one engine unchanged, each model's `checks` re-rate the findings
about its own nodes, and the scorecard gains `model` and `carried_out_by`.

Everything is computed in one pass over the portfolio's nodes, links and references (plus the
size of the answer): no search per initiative.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from toc.algorithms.components import strongly_connected
from toc.bulk import gc_paused
from toc.checks.catalogue import all_checks
from toc.engine import Engine
from toc.errors import DocumentRejected, Problem
from toc.limits import DEFAULT_LIMITS, Limits
from toc.model import Severity
from toc.report import SEVERITY_RANK, Finding, _metrics
from toc.standing import scorecard

__all__ = [
    "SCOPE_RANK",
    "References",
    "PortfolioReport",
    "check_portfolio",
    "read_portfolio",
    "rank_of",
    "take_up_line",
    "scorecard_csv",
    "combined_model",
]

# Whose plan a model is, ranked: a reference always points up these ranks (SPEC §6).
SCOPE_RANK = {"state": 3, "district": 2, "network": 2, "school": 1}
_RANK_WORDS = {3: ("state", "states"), 2: ("district", "districts"), 1: ("school", "schools")}


def rank_of(document: Any) -> int | None:
    """The rank of a model's `scope` (3 state, 2 district or network, 1 school), None without."""
    scope = getattr(document, "scope", None)
    return None if scope is None else SCOPE_RANK.get(str(scope))


class _Reference:
    """A reference link as the engine reads a link: an identity, `+`, with a because."""

    __slots__ = ("id", "source", "target")
    type = "leads_to"
    polarity = "+"
    because = "realizes"
    evidence: tuple[()] = ()
    assumptions: tuple[()] = ()
    lag = None

    def __init__(self, key: str, source: str, target: str):
        self.id, self.source, self.target = key, source, target


class _Document:
    """The portfolio as the engine reads a document: its nodes and links, no re-ratings."""

    __slots__ = ("id", "nodes", "links", "checks")

    def __init__(self, nodes: list[Any], links: list[Any]):
        self.checks: dict[str, str] = {}
        self.id, self.nodes, self.links = "portfolio", nodes, links


@dataclass
class References:
    """What the portfolio's references say, by engine node number; `engine.portfolio` holds it.

    `model_of[node]` is the position of its model in `models`, `ranks` each model's rank (None
    without a scope); `unresolved` lists (holder id, reference, why) for TOC801; `rollup` maps
    a node that rolls up to the highest nodes it reaches along roll-up references (a node
    absent rolls up into itself); `carries[node]` and `carried_by[node]` are the initiatives a
    higher initiative is carried out by, and those a lower one carries out, through chains of
    references too; `rolls_up` flags nodes with a resolved roll-up reference; `writes` flags
    nodes whose `realizes` is not empty.
    """

    models: list[str]
    ranks: list[int | None]
    model_of: list[int]
    unresolved: list[tuple[str, str, str]] = field(default_factory=list)
    rollup: dict[int, list[int]] = field(default_factory=dict)
    carried_out_by: dict[int, set[int]] = field(default_factory=dict)
    carries: dict[int, set[int]] = field(default_factory=dict)
    rolls_up: bytearray = field(default_factory=bytearray)
    writes: bytearray = field(default_factory=bytearray)


@dataclass
class PortfolioReport:
    """What `toc portfolio` says (SPEC §6)."""

    models: list[str]
    findings: list[Finding]
    metrics: dict[str, Any]
    initiatives: list[dict[str, Any]]
    take_up: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    as_of: datetime.date
    # Each model's own fields the faces show: title, scope, org, designations, version.
    about: dict[str, dict[str, Any]] = field(default_factory=dict)
    currencies: list[str] = field(default_factory=list)
    # The reference links drawn into the graph: (link id, from `MODEL:NODE`, to `MODEL:NODE`).
    references: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def _whole(self, findings: Any) -> dict[str, Any]:
        return {
            "models": self.models,
            "findings": findings,
            "metrics": self.metrics,
            "initiatives": self.initiatives,
            "take_up": self.take_up,
            "rejected": self.rejected,
            "as_of": self.as_of.isoformat(),
        }

    def to_dict(self) -> dict[str, Any]:
        return self._whole([f.to_dict() for f in self.findings])

    def to_json(self) -> bytes:
        """The report as JSON text, indented by two, UTF-8, ending in a newline."""
        with gc_paused():
            encoded = msgspec.json.encode(self._whole(self.findings))
            return msgspec.json.format(encoded, indent=2) + b"\n"


def read_portfolio(
    files: Iterable[tuple[str, bytes]],
    *,
    as_of: datetime.date,
    limits: Limits = DEFAULT_LIMITS,
) -> PortfolioReport:
    """Read toc/1 JSON documents (name, bytes) and check them as one portfolio.

    A document that breaks the contract is listed in `rejected` with its problems; the rest
    are checked.
    """
    from toc.reading import read_document

    documents: list[tuple[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    with gc_paused():
        for name, data in files:
            try:
                documents.append((name, read_document(data, limits)))
            except DocumentRejected as error:
                rejected.append({"file": name, "problems": [str(p) for p in error.problems]})
    return check_portfolio(documents, as_of=as_of, rejected=rejected)


def check_portfolio(
    documents: Sequence[tuple[str, Any]],
    *,
    as_of: datetime.date,
    rejected: Sequence[dict[str, Any]] = (),
) -> PortfolioReport:
    """Check valid documents, each named (its file, or its id), as one portfolio.

    A second model with an id already read is listed in `rejected`.

    >>> from toc.document import parse_document
    >>> state = parse_document({"id": "state", "title": "State", "nodes": [
    ...     {"id": "grant", "level": "system", "kind": "initiative", "title": "Grant"}]})
    >>> day = datetime.date(2026, 6, 30)
    >>> report = check_portfolio([("state.json", state), ("again.json", state)], as_of=day)
    >>> report.models, [f.subject for f in report.findings if f.code == "TOC101"]
    (['state'], ['state:grant'])
    >>> report.rejected[0]["file"]
    'again.json'
    """
    refused = list(rejected)
    taken: dict[str, str] = {}
    accepted: list[Any] = []
    for name, document in documents:
        if document.id in taken:
            refused.append(
                {
                    "file": name,
                    "problems": [
                        str(
                            Problem(
                                "id",
                                f"a model with the id '{document.id}' was already read "
                                f"from {taken[document.id]}",
                            )
                        )
                    ],
                }
            )
            continue
        taken[document.id] = name
        accepted.append(document)
    accepted.sort(key=lambda document: document.id)
    with gc_paused():
        engine, facts = _build(accepted, as_of)
        findings = _findings(engine, accepted)
        rows = scorecard(engine, findings)
        metrics = _metrics(engine, findings, rows)
        _add_model_columns(rows, engine, facts)
        currencies = _costs(metrics, rows, engine, facts, accepted)
        take_up = _take_up(rows, engine, facts, accepted)
    about = {
        document.id: {
            "title": str(document.title),
            "scope": _text(getattr(document, "scope", None)),
            "org": getattr(document, "org", None),
            "designations": list(getattr(document, "designations", None) or []),
            "version": getattr(document, "version", None),
        }
        for document in accepted
    }
    return PortfolioReport(
        [document.id for document in accepted],
        findings,
        metrics,
        rows,
        take_up,
        refused,
        as_of,
        about,
        currencies,
        [
            (engine.key(k), engine.ids[engine.link_source[k]], engine.ids[engine.link_target[k]])
            for k in range(engine.own_links, len(engine.link))
        ],
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# -- the graph ---------------------------------------------------------------------------------


def _build(documents: list[Any], as_of: datetime.date) -> tuple[Engine, References]:
    """One engine over every model, with the reference links last; and what they say."""
    ids: list[str] = []
    nodes: list[Any] = []
    model_of: list[int] = []
    links: list[Any] = []
    sources: list[int | None] = []
    targets: list[int | None] = []
    prefixes: list[str] = []
    local: list[dict[str, int]] = []  # each model's nodes that are not retired → number
    # Comprehensions per model rather than one loop per item: a statewide portfolio has
    # hundreds of thousands of items.
    for position, document in enumerate(documents):
        prefix = document.id + ":"
        live = [node for node in document.nodes if node.status != "retired"]
        start = len(ids)
        names = [node.id for node in live]
        ids.extend([prefix + name for name in names])
        nodes.extend(live)
        model_of.extend([position] * len(live))
        numbers = dict(zip(names, range(start, start + len(live)), strict=True))
        local.append(numbers)
        own_links = document.links
        get = numbers.get
        links.extend(own_links)
        sources.extend([get(link.source) for link in own_links])
        targets.extend([get(link.target) for link in own_links])
        prefixes.extend([prefix] * len(own_links))
    ranks = [rank_of(document) for document in documents]
    facts = References([document.id for document in documents], ranks, model_of)
    facts.rolls_up = bytearray(len(ids))
    facts.writes = bytearray(len(ids))
    position_of = {document.id: position for position, document in enumerate(documents)}
    # Resolve every reference held by a node that is not retired.
    candidates: list[tuple[int, int, str]] = []  # (holder, referenced, reference)
    all_ids: dict[int, set[str]] = {}  # every id of a model, retired ones too, when asked
    for holder, node in enumerate(nodes):
        realizes = getattr(node, "realizes", None)
        if not realizes:
            continue
        facts.writes[holder] = 1
        seen: set[str] = set()
        for reference in realizes:
            if reference in seen:
                continue
            seen.add(reference)
            found = _resolve(
                holder,
                node,
                reference,
                nodes,
                model_of,
                documents,
                ranks,
                position_of,
                local,
                all_ids,
            )
            if isinstance(found, str):
                facts.unresolved.append((ids[holder], reference, found))
            else:
                candidates.append((holder, found, reference))
    resolved = _without_loops(candidates, facts, ids, nodes)
    # The reference links: carrying out from the higher initiative down, rolling up from the
    # lower change or outcome up.
    carry: list[tuple[int, int]] = []
    roll: list[tuple[int, int]] = []
    for holder, referenced, reference in resolved:
        if str(nodes[holder].kind) == "initiative":
            carry.append((referenced, holder))
            source, target = referenced, holder
        else:
            roll.append((holder, referenced))
            facts.rolls_up[holder] = 1
            source, target = holder, referenced
        links.append(_Reference(f"{ids[holder]}->{reference}", ids[source], ids[target]))
        sources.append(source)
        targets.append(target)
        prefixes.append("")
    facts.rollup = _highest(roll)
    facts.carried_out_by, facts.carries = _closure(carry)
    engine = Engine(
        _Document(nodes, links),
        as_of=as_of,
        link_ends=(sources, targets),
        ids=ids,
        link_prefixes=prefixes,
        identities=len(resolved),
    )
    engine.portfolio = facts
    return engine, facts


def _resolve(
    holder: int,
    node: Any,
    reference: str,
    nodes: list[Any],
    model_of: list[int],
    documents: list[Any],
    ranks: list[int | None],
    position_of: dict[str, int],
    local: list[dict[str, int]],
    all_ids: dict[int, set[str]],
) -> int | str:
    """The node number a reference names, or why it does not resolve (TOC801)."""
    model, _, name = reference.partition(":")
    own = model_of[holder]
    title = f"'{node.title}'"
    if model == documents[own].id:
        return (
            f"{title} realizes '{reference}', a node of its own model: a reference joins two plans"
        )
    where = position_of.get(model)
    if where is None:
        return f"{title} realizes '{reference}', but the portfolio holds no model '{model}'"
    number = local[where].get(name)
    if number is None:
        # Not a node that is retired: a retired one, or none at all (looked up only here).
        every = all_ids.get(where)
        if every is None:
            every = all_ids[where] = {other.id for other in documents[where].nodes}
        if name in every:
            return f"{title} realizes '{reference}', a retired node"
        return f"{title} realizes '{reference}', but model '{model}' has no node '{name}'"
    target = nodes[number]
    kind, other = str(node.kind), str(target.kind)
    if kind == "initiative" or other == "initiative":
        if kind != other:
            return (
                f"{title} is {_a(kind)} and '{reference}' is {_a(other)}: an initiative "
                "realizes an initiative, a change or outcome a change or outcome"
            )
    elif str(node.level) != str(target.level):
        return (
            f"{title} is at the {node.level} level and '{reference}' at the {target.level} "
            "level: a change or outcome realizes one of the same level"
        )
    mine, theirs = ranks[own], ranks[where]
    if mine is not None and theirs is not None and theirs <= mine:
        return (
            f"{title} realizes '{reference}', but '{model}' is a "
            f"{_text(getattr(documents[where], 'scope', None))} plan, not above this "
            f"{_text(getattr(documents[own], 'scope', None))} plan"
        )
    return number


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _without_loops(
    candidates: list[tuple[int, int, str]], facts: References, ids: list[str], nodes: list[Any]
) -> list[tuple[int, int, str]]:
    """The references that lie on no loop of references; those that do go to TOC801."""
    if not candidates:
        return []
    holders = {holder for holder, _, _ in candidates}
    if not any(referenced in holders for _, referenced, _ in candidates):
        return candidates  # no node both holds a reference and is named by one: no loop
    # Only the nodes that hold or are named by a reference take part: number them compactly.
    compact: dict[int, int] = {}
    for holder, referenced, _ in candidates:
        compact.setdefault(holder, len(compact))
        compact.setdefault(referenced, len(compact))
    succ: list[list[int]] = [[] for _ in compact]
    for holder, referenced, _ in candidates:
        succ[compact[holder]].append(compact[referenced])
    group = [-1] * len(compact)
    for number, members in enumerate(strongly_connected(bytearray([1]) * len(compact), succ)):
        if len(members) >= 2:
            for member in members:
                group[member] = number
    kept = []
    for holder, referenced, reference in candidates:
        where = group[compact[holder]]
        if where >= 0 and where == group[compact[referenced]]:
            facts.unresolved.append(
                (
                    ids[holder],
                    reference,
                    f"'{nodes[holder].title}' realizes '{reference}', which lies on a loop of "
                    "references: each plan would sit above the other",
                )
            )
        else:
            kept.append((holder, referenced, reference))
    return kept


def _highest(roll: list[tuple[int, int]]) -> dict[int, list[int]]:
    """Each node that rolls up → the highest nodes it reaches along roll-up references."""
    if not roll:
        return {}
    up: dict[int, list[int]] = {}
    for lower, higher in roll:
        up.setdefault(lower, []).append(higher)
    found: dict[int, list[int]] = {}
    # The roll-up references hold no loop (they were refused): an iterative depth-first
    # search, each node settled once from what its higher nodes roll up into.
    for start in up:
        if start in found:
            continue
        stack = [start]
        while stack:
            node = stack[-1]
            pending = [other for other in up[node] if other in up and other not in found]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            if node in found:
                continue
            tops: dict[int, None] = {}
            for other in up[node]:
                for top in found.get(other, (other,)):
                    tops[top] = None
            found[node] = sorted(tops)
    return found


def _closure(carry: list[tuple[int, int]]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """For each higher initiative, every initiative carrying it out (through chains too); and
    for each lower one, every initiative it carries out."""
    down: dict[int, list[int]] = {}
    up: dict[int, list[int]] = {}
    for higher, lower in carry:
        down.setdefault(higher, []).append(lower)
        up.setdefault(lower, []).append(higher)
    return _transitive(down), _transitive(up)


def _transitive(step: dict[int, list[int]]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for start in step:
        if start in found:
            continue
        stack = [start]
        while stack:
            node = stack[-1]
            pending = [o for o in step[node] if o in step and o not in found]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            if node in found:
                continue
            reached: set[int] = set()
            for other in step[node]:
                reached.add(other)
                more = found.get(other)
                if more:
                    reached |= more
            found[node] = reached
    return found


# -- findings, scorecard, take-up --------------------------------------------------------------


def _findings(engine: Engine, documents: list[Any]) -> list[Finding]:
    """Every check on the portfolio's engine; each model's `checks` re-rate its own findings.

    Findings sort by severity, code, subject, reference, indicator. Each check's hits are
    sorted by the last three and put in the bucket of their (severity, code); the buckets,
    read in order, give the whole order without sorting every finding by a five-part key.
    """
    rerated: dict[str, dict[str, str]] = {}  # code → model → setting, where some model re-rates
    for document in documents:
        for code, setting in document.checks.items():
            rerated.setdefault(code, {})[document.id] = setting
    buckets: dict[tuple[int, str], list[Finding]] = {}
    for check in all_checks():
        code, name, hint = check.code, check.name, check.hint
        subject = check.subject
        is_initiative, is_node, is_link = (
            subject == "initiative",
            subject == "node",
            subject == "link",
        )
        hits = list(check(engine))
        if not hits:
            continue
        hits.sort(key=_hit_order)
        settings = rerated.get(code)
        for hit in hits:
            model = hit.subject.partition(":")[0]
            severity = check.severity
            if settings is not None:
                setting = settings.get(model)
                if setting == "off":
                    continue
                if setting is not None:
                    severity = Severity(setting)
            bucket = buckets.get((SEVERITY_RANK[severity], code))
            if bucket is None:
                bucket = buckets[SEVERITY_RANK[severity], code] = []
            bucket.append(
                Finding(
                    code,
                    name,
                    severity,
                    hit.subject if is_initiative else None,
                    hit.subject if is_node else None,
                    hit.subject if is_link else None,
                    hit.nodes,
                    hit.indicator,
                    hit.message,
                    hit.hint or hint,
                    hit.pushers,
                    model=model,
                    reference=hit.reference,
                    initiatives=hit.initiatives,
                )
            )
    findings: list[Finding] = []
    for key in sorted(buckets):
        findings.extend(buckets[key])
    return findings


def _hit_order(hit: Any) -> tuple[str, str, str]:
    return hit.subject, hit.reference or "", hit.indicator or ""


def _add_model_columns(rows: list[dict[str, Any]], engine: Engine, facts: References) -> None:
    """Each scorecard row's `model` and `carried_out_by` (sorted `MODEL:NODE` ids)."""
    ids, index, models, model_of = engine.ids, engine.index, facts.models, facts.model_of
    carried = facts.carried_out_by
    for row in rows:
        number = index[row["id"]]
        row["model"] = models[model_of[number]]
        below = carried.get(number)
        row["carried_out_by"] = sorted(ids[other] for other in below) if below else []


def _pass_through(node: Any, model: str, engine: Engine) -> float:
    """The part of an initiative's funding passed through from an initiative of another model
    of the portfolio (counted there already). Money from a plan the portfolio does not hold
    is counted here: nobody else counts it."""
    total = 0.0
    for entry in getattr(node, "funding", None) or ():
        source = str(entry.source)
        owner, colon, _ = source.partition(":")
        if not colon or owner == model:
            continue
        number = engine.index.get(source)
        if number is not None and engine.kinds[number] == "initiative":
            total += entry.amount
    return total


def _costs(
    metrics: dict[str, Any],
    rows: list[dict[str, Any]],
    engine: Engine,
    facts: References,
    documents: list[Any],
) -> list[str]:
    """`cost_by_standing` across models: pass-through money counted once, and only when every
    model that gives a cost names the same currency (else null). Returns the currencies."""
    index, nodes = engine.index, engine.node
    currency = {d.id: str(getattr(d, "currency", None) or "USD") for d in documents}
    spent: dict[str, float] = {}
    used: set[str] = set()
    for row in rows:
        node = nodes[index[row["id"]]]
        # The row's cost (its `cost`, else the sum of its `funding`), as the scorecard says it.
        cost = row.get("cost", getattr(node, "cost", None))
        if cost is None:
            continue
        used.add(currency[row["model"]])
        counted = cost - _pass_through(node, row["model"], engine)
        spent[row["standing"]] = spent.get(row["standing"], 0) + counted
    from toc.standing import STANDINGS

    if len(used) > 1:
        metrics["cost_by_standing"] = None
    else:
        metrics["cost_by_standing"] = {
            standing: (int(total) if float(total).is_integer() else total)
            for standing in STANDINGS
            if (total := spent.get(standing)) is not None
        }
    return sorted(used)


def _take_up(
    rows: list[dict[str, Any]], engine: Engine, facts: References, documents: list[Any]
) -> list[dict[str, Any]]:
    """One row per initiative of a scoped model with a model of a lower rank in the portfolio."""
    by_rank: dict[int, list[int]] = {}
    for position, rank in enumerate(facts.ranks):
        if rank is not None:
            by_rank.setdefault(rank, []).append(position)
    standing = {row["id"]: row["standing"] for row in rows}
    index, model_of = engine.index, facts.model_of
    found = []
    for row in rows:
        number = index[row["id"]]
        rank = facts.ranks[model_of[number]]
        if rank is None:
            continue
        lower = _next_lower(rank, by_rank)
        if lower is None:
            continue
        below = set(by_rank[lower])
        carriers = [
            other for other in facts.carried_out_by.get(number, ()) if model_of[other] in below
        ]
        standings = Counter(standing[engine.ids[other]] for other in carriers)
        holding = {model_of[other] for other in carriers}
        node = engine.node[number]
        eligible = getattr(node, "eligible", None)
        orgs = {getattr(documents[m], "org", None) for m in holding}
        found.append(
            {
                "initiative": row["id"],
                "models_below": len(below),
                "carried_out": len(holding),
                "standings": {s: n for s, n in _ordered(standings)},
                "eligible": len(eligible) if eligible else None,  # an empty list: none given
                "missing": sorted(code for code in set(eligible or ()) if code not in orgs),
            }
        )
    return found


def _next_lower(rank: int, by_rank: dict[int, list[int]]) -> int | None:
    """The rank below: a state's districts and networks, or its schools where it has none."""
    lower = [other for other in by_rank if other < rank]
    if not lower:
        return None
    if rank == 3 and 2 not in by_rank:
        return 1
    return rank - 1 if rank - 1 in by_rank else None


def _ordered(counts: Counter[str]) -> list[tuple[str, int]]:
    from toc.standing import STANDINGS

    order = {name: position for position, name in enumerate(reversed(STANDINGS))}
    return sorted(counts.items(), key=lambda item: (-item[1], order.get(item[0], 99)))


def take_up_line(row: dict[str, Any], title: str, below_scope: str = "district") -> str:
    """The state's question in one line: "HQIM grants: carried out in 7 of 12 districts; 5
    sound, 1 no-because, 1 unmeasured".

    >>> take_up_line({"initiative": "s:hqim", "models_below": 12, "carried_out": 7,
    ...     "standings": {"sound": 5, "no-because": 1, "unmeasured": 1}, "eligible": None,
    ...     "missing": []}, "HQIM grants")
    'HQIM grants: carried out in 7 of 12 districts; 5 sound, 1 no-because, 1 unmeasured'
    """
    whole = row["eligible"] if row["eligible"] is not None else row["models_below"]
    plural = {"district": "districts", "network": "networks", "school": "schools"}
    words = plural.get(below_scope, below_scope + "s")
    if row["eligible"] is not None:
        words = f"eligible {words}"
    line = f"{title}: carried out in {row['carried_out']} of {whole} {words}"
    if row["standings"]:
        line += "; " + ", ".join(f"{n} {s}" for s, n in row["standings"].items())
    if row["missing"]:
        line += "; missing " + ", ".join(row["missing"])
    return line


def scorecard_csv(rows: list[dict[str, Any]]) -> str:
    """The cross-model scorecard as CSV: `model` first, then the scorecard's own columns, then
    `carried_out_by` (`;`-separated), one row per initiative of every model.

    The scorecard's own writer makes the cells (formula guard included); this adds the
    portfolio's two columns around them.
    """
    import csv
    import io

    from toc.scorecard import to_csv

    table = list(csv.reader(io.StringIO(to_csv(rows))))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["model", *table[0], "carried_out_by"])
    for row, cells in zip(rows, table[1:], strict=True):
        writer.writerow([row["model"], *cells, ";".join(row["carried_out_by"])])
    return buffer.getvalue()


def combined_model(documents: Sequence[Any], report: PortfolioReport) -> Any:
    """The portfolio as one `TheoryOfChange` for drawing: `MODEL:NODE` ids, `MODEL:LINK` link
    ids, and the reference links as `leads_to` links whose `because` is `realizes`.

    Built without validation (`:` is not allowed in a document's ids, on purpose): it is a
    picture of the portfolio graph, never a document to store.
    """
    from toc.model import Link, LinkType, Polarity, TheoryOfChange

    nodes: list[Any] = []
    links: list[Any] = []
    for document in sorted(documents, key=lambda d: d.id):
        if document.id not in report.models:
            continue
        model = document
        if not isinstance(model, TheoryOfChange):
            model = TheoryOfChange.model_validate(msgspec.to_builtins(document))
        prefix = model.id + ":"
        nodes.extend(node.model_copy(update={"id": prefix + node.id}) for node in model.nodes)
        links.extend(
            link.model_copy(
                update={
                    "id": prefix + link.key,
                    "source": prefix + link.source,
                    "target": prefix + link.target,
                }
            )
            for link in model.links
        )
    for key, source, target in report.references:
        links.append(
            Link.model_construct(
                id=key,
                source=source,
                target=target,
                type=LinkType.LEADS_TO,
                polarity=Polarity.PLUS,
                because="realizes",
                evidence=[],
                assumptions=[],
            )
        )
    return TheoryOfChange.model_construct(
        id="portfolio", title="Portfolio", nodes=nodes, links=links, checks={}
    )
