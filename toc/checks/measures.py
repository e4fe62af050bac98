"""Checks on form, function and measurement: TOC301–TOC303."""

from __future__ import annotations

from collections.abc import Iterator

from toc.checks.registry import Hit, register
from toc.engine import Engine, two_labels
from toc.indicators import PROXY_MEASURES, REAL_MEASURES
from toc.model import Severity


def _stated(text: str | None) -> bool:
    return bool(text and text.strip())


def measured_initiatives(engine: Engine) -> bytearray:
    """Flags of anchored initiatives whose chains hold a measured node other than themselves.

    A chain node is measured when it has a `change` or `outcome` indicator (stated or
    inferred). Each node learns up to two of the measured chain nodes it reaches, in one
    backward search from all of them; an initiative that reaches two of them, or one that is not
    itself, is measured.
    """
    on_chains = engine.on_chains
    measured = [
        i
        for i, kinds in engine.measures.items()
        if on_chains[i] and any(kind in REAL_MEASURES for kind in kinds)
    ]
    first, second = two_labels(((i, i) for i in measured), engine.pred)
    anchored = engine.anchored
    flags = bytearray(len(engine))
    for i in engine.initiatives:
        if anchored[i] and (second[i] >= 0 or first[i] not in (-1, i)):
            flags[i] = 1
    return flags


@register(
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


@register(
    "TOC302",
    "proxy-measure",
    Severity.WARNING,
    subject="node",
    summary="A change or outcome whose indicators are all `count` or `fidelity` "
    "(stated or inferred).",
    rationale="""
    Counts of people trained, sessions held or materials distributed measure spread, and
    fidelity checklists measure whether the visible form is present. Neither shows that
    practice, belief or students' experience changed. When every indicator of a change is a
    count or a fidelity check, the proxy has become the measure: the system can report
    success on rollout while learning stays where it was.
    """,
    hint="Add an indicator of the change itself (e.g. 'change in ...') or of student learning.",
)
def proxy_measure(engine: Engine) -> Iterator[Hit]:
    kinds, nodes = engine.kinds, engine.node
    for i, measured in engine.measures.items():
        if kinds[i] != "initiative" and all(k in PROXY_MEASURES for k in measured):
            yield Hit(
                engine.ids[i],
                f"'{nodes[i].title}' is measured only by counts or fidelity "
                f"({len(measured)} indicator{'s' if len(measured) != 1 else ''})",
            )


@register(
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
