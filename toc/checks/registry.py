"""The check catalogue: each check a small function registered with its code, name and rationale."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from toc.engine import Engine
from toc.model import Severity

__all__ = ["Hit", "Check", "register", "all_checks", "get", "codes", "SubjectKind"]

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
# searches as cached properties, and `as_of`, the day it judges by.
CheckFunction = Callable[[Engine], Iterable[Hit]]


@dataclass(frozen=True)
class Check:
    """A registered check. Codes are stable and never reused."""

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


_REGISTRY: dict[str, Check] = {}


def register(
    code: str,
    name: str,
    severity: Severity,
    *,
    subject: SubjectKind,
    summary: str,
    rationale: str,
    hint: str,
) -> Callable[[CheckFunction], CheckFunction]:
    """Add a check to the catalogue. `summary` says when it fires; `rationale` why it matters."""

    def decorate(function: CheckFunction) -> CheckFunction:
        if code in _REGISTRY:
            raise ValueError(f"check code {code} is registered twice")
        _REGISTRY[code] = Check(
            code=code,
            name=name,
            severity=severity,
            subject=subject,
            summary=" ".join(summary.split()),
            rationale=" ".join(rationale.split()),
            hint=" ".join(hint.split()),
            run=function,
        )
        return function

    return decorate


def all_checks() -> list[Check]:
    """Every registered check, by code."""
    _load_catalogue()
    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


def get(code: str) -> Check:
    _load_catalogue()
    return _REGISTRY[code]


def codes() -> frozenset[str]:
    _load_catalogue()
    return frozenset(_REGISTRY)


def _load_catalogue() -> None:
    # Importing the catalogue modules registers their checks; done lazily to avoid an import cycle.
    from toc.checks import (  # noqa: F401
        chains,
        coherence,
        decisions,
        levels,
        measures,
        monitoring,
        portfolio,
        structure,
    )
