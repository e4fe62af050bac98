"""Checks on the map's structure: orphans, dead ends and unreached changes (TOC201–TOC203)."""

from __future__ import annotations

from collections.abc import Iterator

from toc.checks.registry import Hit, check
from toc.engine import Engine
from toc.model import Severity


@check(
    "TOC201",
    "orphan",
    Severity.WARNING,
    subject="node",
    summary="A node has no link at all to or from a node that is not retired "
    "(a `feedback` link counts).",
    rationale="""
    A node with no links is an idea the theory of change never uses: nothing causes it and
    it causes nothing. It is often a leftover from a brainstorm, a programme added to the
    map for completeness, or a step whose links were lost when something else was retired.
    Either connect it to the chain it belongs to or take it off the map, so the picture the
    team shares is the one it is acting on.
    """,
    hint="Link it to what produces it and what it produces, or retire it.",
)
def orphan(engine: Engine) -> Iterator[Hit]:
    linked, ids = engine.linked, engine.ids
    for i, node in enumerate(engine.node):
        if not linked[i]:
            yield Hit(ids[i], f"'{node.title}' has no links")


@check(
    "TOC202",
    "dead-end",
    Severity.WARNING,
    subject="node",
    summary="A change reaches no outcome.",
    rationale="""
    A change in teachers' practice or in system conditions matters to a theory of change
    only through what it does for students. A change from which no chain continues to a
    student outcome is where the reasoning stops short: the team expects something to shift
    but has not said how that shift reaches learning. These dead ends are where milestones
    quietly stand in for indicators of learning.
    """,
    hint="Continue the chain: what should this change do for students?",
)
def dead_end(engine: Engine) -> Iterator[Hit]:
    linked, finishing, kinds, ids = engine.linked, engine.reaches_outcome, engine.kinds, engine.ids
    for i, node in enumerate(engine.node):
        if kinds[i] == "change" and not finishing[i] and linked[i]:
            yield Hit(ids[i], f"change '{node.title}' reaches no student outcome")


@check(
    "TOC203",
    "unreached",
    Severity.WARNING,
    subject="node",
    summary="A change or outcome that no initiative reaches: nobody works on it.",
    rationale="""
    A change or outcome that no initiative leads to is a hope without a plan. The map says
    it should happen, but nothing the system does is expected to bring it about. Either an
    initiative is missing from the map, or the team is counting on it to happen by itself;
    both are worth saying out loud before the results come in.
    """,
    hint="Link an initiative to it, or say which initiative is expected to bring it about.",
)
def unreached(engine: Engine) -> Iterator[Hit]:
    linked, reached, kinds, ids = (
        engine.linked,
        engine.reached_by_initiative,
        engine.kinds,
        engine.ids,
    )
    for i, node in enumerate(engine.node):
        if kinds[i] != "initiative" and not reached[i] and linked[i]:
            yield Hit(ids[i], f"{kinds[i]} '{node.title}' is reached by no initiative")
