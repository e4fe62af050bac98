"""Checks on form, function and measurement: TOC301–TOC303."""

from __future__ import annotations

from collections.abc import Iterator

from toc.checks.registry import Hit, register
from toc.graph import ChainGraph
from toc.indicators import PROXY_MEASURES
from toc.model import Kind, Severity


def _stated(text: str | None) -> bool:
    return bool(text and text.strip())


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
def form_only(graph: ChainGraph) -> Iterator[Hit]:
    for node_id, node in graph.nodes.items():
        if (
            node.kind in (Kind.INITIATIVE, Kind.CHANGE)
            and _stated(node.form)
            and not _stated(node.function)
        ):
            yield Hit(node_id, f"'{node.title}' says what it looks like but not what it does")


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
def proxy_measure(graph: ChainGraph) -> Iterator[Hit]:
    for node_id, kinds in graph.measures.items():
        node = graph.nodes[node_id]
        if node.kind in (Kind.CHANGE, Kind.OUTCOME) and all(k in PROXY_MEASURES for k in kinds):
            yield Hit(
                node_id,
                f"'{node.title}' is measured only by counts or fidelity "
                f"({len(kinds)} indicator{'s' if len(kinds) != 1 else ''})",
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
def unmeasured_chain(graph: ChainGraph) -> Iterator[Hit]:
    for initiative in graph.initiatives:
        if initiative in graph.anchored and initiative not in graph.measured_initiatives:
            title = graph.nodes[initiative].title
            yield Hit(
                initiative,
                f"nothing on the chains of '{title}' measures a change or a learning outcome",
            )
