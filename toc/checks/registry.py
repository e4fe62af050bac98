"""What a check is: a small function over the engine, with its code, name and rationale.

`@check(...)` turns a function into a `Check` value and keeps nothing: the family modules
(`toc.checks.chains` for TOC1xx, `structure` 2xx, `measures` 3xx, `levels` 4xx, `coherence`
5xx, `assumptions` 6xx, `monitoring` 7xx, `references` 8xx) define them, and
`toc.checks.catalogue` lists them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from toc.engine import Engine
from toc.model import Severity

__all__ = ["Hit", "Check", "check", "CheckFunction", "SubjectKind"]

SubjectKind = Literal["initiative", "node", "link"]


class Hit(NamedTuple):
    """What a check found about one subject; the report turns it into a finding."""

    subject: str
    message: str
    hint: str | None = None
    nodes: tuple[str, ...] | None = None
    indicator: str | None = None
    # TOC501: every initiative pushing the node each way, {"+": [ids], "-": [ids]}.
    pushers: dict[str, list[str]] | None = None
    # TOC402: whether the loop is `reinforcing` or `balancing`.
    loop: str | None = None
    # TOC801: the reference that does not resolve; TOC503: every member of the group.
    reference: str | None = None
    initiatives: tuple[str, ...] | None = None


# A check reads the engine (`toc.engine.Engine`): node and link facts by number, the shared
# searches as cached properties, its family's analyses, and `as_of`, the day it judges by.
CheckFunction = Callable[[Engine], Iterable[Hit]]


@dataclass(frozen=True)
class Check:
    """A check of the catalogue. Codes are stable and never reused."""

    code: str
    name: str
    severity: Severity
    subject: SubjectKind
    summary: str
    rationale: str
    hint: str
    run: CheckFunction = field(compare=False, repr=False)

    def __call__(self, engine: Engine) -> Iterator[Hit]:
        return iter(self.run(engine))


def check(
    code: str,
    name: str,
    severity: Severity,
    *,
    subject: SubjectKind,
    summary: str,
    rationale: str,
    hint: str,
) -> Callable[[CheckFunction], Check]:
    """Make a function a `Check`. `summary` says when it fires; `rationale` why it matters.

    >>> @check("TOC999", "example", Severity.INFO, subject="node", summary="Never.",
    ...        rationale="An example.", hint="None.")
    ... def example(engine):
    ...     return [Hit("a", "found")]
    >>> example.code, [hit.message for hit in example(None)]
    ('TOC999', ['found'])
    """

    def decorate(function: CheckFunction) -> Check:
        return Check(
            code=code,
            name=name,
            severity=severity,
            subject=subject,
            summary=" ".join(summary.split()),
            rationale=" ".join(rationale.split()),
            hint=" ".join(hint.split()),
            run=function,
        )

    return decorate
