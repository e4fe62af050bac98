"""Checks on form, function and measurement: TOC301–TOC304."""

from __future__ import annotations

from collections.abc import Iterator

from toc.algorithms.reach import reach, reaches_another
from toc.checks.registry import Hit, check
from toc.engine import Engine, analysis
from toc.indicators import PROXY_MEASURES, REAL_MEASURES
from toc.model import Severity


def _stated(text: str | None) -> bool:
    return bool(text and text.strip())


@analysis
def _real_measures(engine: Engine) -> tuple[list[int], list[int]]:
    """Nodes that reach an outcome and have a `change` or `outcome` indicator (stated or
    inferred): those that are not outcomes (candidate leading measures) and the outcomes."""
    finishing, kinds = engine.reaches_outcome, engine.kinds
    leading: list[int] = []
    outcomes: list[int] = []
    for i, measured in engine.measures.items():
        if finishing[i] and any(kind in REAL_MEASURES for kind in measured):
            (outcomes if kinds[i] == "outcome" else leading).append(i)
    return leading, outcomes


def _pred_before_outcomes(engine: Engine) -> list[list[int]]:
    """`engine.pred` without the outcomes: a backward search over it never passes an outcome,
    so what it finds reaches its start along a path on which no node is an outcome."""
    kinds, succ = engine.kinds, engine.succ
    if not any(succ[o] for o in engine.outcomes):
        return engine.pred  # no link leaves an outcome: no path passes one
    blocked = bytearray(kind == "outcome" for kind in kinds)
    return [[u for u in others if not blocked[u]] for others in engine.pred]


@analysis
def leading_measured(engine: Engine) -> bytearray:
    """Flags of anchored initiatives with a measured node *before their outcomes* (SPEC §1):
    on their chains, not themselves, not an outcome, and reached along a path that passes no
    outcome. Such a node is a leading measure, read before the outcomes move.

    One backward search for every initiative at once, from the measured nodes that are not
    outcomes, which never enters an outcome; each node learns up to two of those measured
    nodes, so an initiative that learns two, or one that is not itself, has one.
    """
    leading = _real_measures(engine)[0]
    flags = bytearray(len(engine))
    if not leading:
        return flags
    found = reaches_another(leading, _pred_before_outcomes(engine))
    anchored = engine.anchored
    for i in engine.initiatives:
        if anchored[i] and found[i]:
            flags[i] = 1
    return flags


@analysis
def measured_initiatives(engine: Engine) -> bytearray:
    """Flags of anchored initiatives whose chains hold a measured node other than themselves.

    A chain node is measured when it has a `change` or `outcome` indicator (stated or
    inferred); TOC303 fires for an anchored initiative this does not flag. One backward
    search from every measured node that reaches an outcome, through outcomes too (a change
    after an outcome still lies on the chains), each node learning up to two of them.
    """
    leading, outcomes = _real_measures(engine)
    flags = bytearray(len(engine))
    if not leading and not outcomes:
        return flags
    found = reaches_another([*leading, *outcomes], engine.pred)
    anchored = engine.anchored
    for i in engine.initiatives:
        if anchored[i] and found[i]:
            flags[i] = 1
    return flags


def measurement(engine: Engine) -> list[str | None]:
    """For each initiative (by position in `engine.initiatives`), how its chains are measured.

    `leading`, `outcome-only` (TOC304), `counts-only` (some chain node, itself included,
    carries an indicator, but TOC303 holds), `none`, or None when it has no chain (SPEC §3).
    """
    measured, leading, anchored = (
        measured_initiatives(engine),
        leading_measured(engine),
        engine.anchored,
    )
    initiatives = engine.initiatives
    indicated = None
    if any(anchored[i] and not measured[i] for i in initiatives):
        on_chains = engine.on_chains
        indicated = reach((i for i in engine.measures if on_chains[i]), engine.pred)
    found: list[str | None] = []
    for i in initiatives:
        if not anchored[i]:
            found.append(None)
        elif leading[i]:
            found.append("leading")
        elif measured[i]:
            found.append("outcome-only")
        elif indicated is not None and indicated[i]:
            found.append("counts-only")
        else:
            found.append("none")
    return found


@check(
    "TOC301",
    "form-only",
    Severity.WARNING,
    subject="node",
    summary="An initiative or change states its `form` but not its `function`.",
    rationale="""
    Form is what a practice looks like: students in groups, a teacher circulating, teachers
    trained, classrooms implementing. Function is what it does for learning: keeping
    cognitive demand high, making thinking visible, building belonging. Systems that write
    down only the form spread the look of a practice and lose its mechanism, so classrooms
    can appear alike while students do very different intellectual work. Saying the
    function lets people adapt the form and keep what matters.
    """,
    hint="Add the function: what does this do for students' learning when it works?",
)
def form_only(engine: Engine) -> Iterator[Hit]:
    kinds, ids = engine.kinds, engine.ids
    for i, node in enumerate(engine.node):
        if kinds[i] != "outcome" and _stated(node.form) and not _stated(node.function):
            yield Hit(ids[i], f"'{node.title}' says what it looks like but not what it does")


@check(
    "TOC302",
    "proxy-measure",
    Severity.WARNING,
    subject="node",
    summary="A change or outcome at the `teacher` or `student` level whose indicators are all "
    "`count` or `fidelity` (stated or inferred).",
    rationale="""
    Counts of people trained, sessions held or materials distributed measure spread, and
    fidelity checklists measure whether the visible form is present. Neither shows that
    practice, belief or students' experience changed. When every indicator of a change is a
    count or a fidelity check, the proxy has become the measure: the system can report
    success on rollout while learning stays where it was. At the system level it is the
    other way round: grants awarded, tutoring scheduled at full dosage or classrooms
    supplied with the programme are rightly counted, so only teacher and student steps are
    judged.
    """,
    hint="Add an indicator of the change itself (e.g. 'change in ...') or of student learning.",
)
def proxy_measure(engine: Engine) -> Iterator[Hit]:
    kinds, levels, nodes = engine.kinds, engine.levels, engine.node
    for i, measured in engine.measures.items():
        # Levels: 0 system, 1 teacher, 2 student.
        if kinds[i] != "initiative" and levels[i] and all(k in PROXY_MEASURES for k in measured):
            yield Hit(
                engine.ids[i],
                f"'{nodes[i].title}' is measured only by counts or fidelity "
                f"({len(measured)} indicator{'s' if len(measured) != 1 else ''})",
            )


@check(
    "TOC303",
    "unmeasured-chain",
    Severity.WARNING,
    subject="initiative",
    summary="An initiative with chains where no node but itself has a `change` or `outcome` "
    "indicator: it is tracked by counts alone, or not at all.",
    rationale="""
    An initiative is worth its cost only if something downstream of it moves. When nothing
    on its chains, apart from the initiative itself, carries an indicator of change in
    practice or of student learning, the team will learn how much of the initiative
    happened but never whether it worked. Coaching cycles completed are not evidence of
    impact; what changes in teaching because coaching is happening is.
    """,
    hint="Give a teacher or student change on its chains an indicator of change, "
    "or the outcome an indicator of learning.",
)
def unmeasured_chain(engine: Engine) -> Iterator[Hit]:
    measured = measured_initiatives(engine)
    anchored = engine.anchored
    for i in engine.initiatives:
        if anchored[i] and not measured[i]:
            yield Hit(
                engine.ids[i],
                f"nothing on the chains of '{engine.title(i)}' measures a change or a learning "
                "outcome",
            )


@check(
    "TOC304",
    "no-leading-measure",
    Severity.WARNING,
    subject="initiative",
    summary="An initiative with chains on which some node other than itself has a `change` or "
    "`outcome` indicator, but no node *before its outcomes* does: none that it reaches along a "
    "path passing no outcome (never together with TOC303).",
    rationale="""
    A state test or an annual graduation rate moves for many reasons, a year or more after
    the work, and every initiative in the portfolio shares it. An initiative measured only
    there cannot tell its team in time whether its own mechanism is working. Leading
    indicators of changed practice, such as the share of lessons where students do the
    reasoning, show within weeks whether teachers are doing what the theory needs them to
    do, which is when a team can still adjust the work instead of explaining results. A
    measure reached only by way of an outcome does not count: linking one outcome to
    another must not lend an annual test to every initiative upstream.
    """,
    hint="Give a teacher or student change on its chains an indicator of change, so its own "
    "mechanism is watched before the outcomes move.",
)
def no_leading_measure(engine: Engine) -> Iterator[Hit]:
    measured, leading = measured_initiatives(engine), leading_measured(engine)
    for i in engine.initiatives:
        if measured[i] and not leading[i]:
            yield Hit(
                engine.ids[i],
                f"only the outcomes on the chains of '{engine.title(i)}' are measured: "
                "nothing says whether its own mechanism works",
            )
