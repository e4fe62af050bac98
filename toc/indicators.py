"""What an indicator measures: stated, or inferred from its name by SPEC's ordered rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from toc.model import Indicator, Measures

__all__ = ["INFERENCE_RULES", "infer_measures", "measures_of", "PROXY_MEASURES", "REAL_MEASURES"]

# Counts and fidelity describe spread and visible form; they are the proxies that can become
# the measure. Change and outcome indicators are evidence that something actually moved.
PROXY_MEASURES = frozenset({Measures.COUNT, Measures.FIDELITY})
REAL_MEASURES = frozenset({Measures.CHANGE, Measures.OUTCOME})

# Tried in this order, first match wins: "number of students reaching proficiency" is an
# outcome, "changes in school attendance" a change.
INFERENCE_RULES: tuple[tuple[Measures, tuple[str, ...]], ...] = (
    (
        Measures.OUTCOME,
        (
            "assessment",
            "proficiency",
            "growth",
            "graduation",
            "graduating",
            "graduates",
            "achievement",
            "benchmark",
            "test scores",
            "scores on",
            "on track",
            "on-track",
        ),
    ),
    (
        Measures.CHANGE,
        (
            "change in",
            "changes in",
            "increase in",
            "decrease in",
            "improvement in",
            "improved",
            # Before count's "attendance": a rate of attendance is a change in experience,
            # a head count of who turned up to a session is not.
            "attendance rate",
            "absenteeism",
            "chronic absence",
        ),
    ),
    (
        Measures.FIDELITY,
        ("on pace", "on schedule", "implemented with fidelity", "walkthrough checklist"),
    ),
    (
        Measures.COUNT,
        (
            "number of",
            "# of",
            "% of teachers trained",
            "trained",
            "screened",
            "enrolled",
            "hired",
            "participation",
            "coverage",
            "sessions held",
            "attendance",
            "logged",
            "completed",
            "distributed",
        ),
    ),
)


def _phrase_pattern(phrase: str) -> str:
    """Whole words, case folded, each word also in its plural ("assessments", "sessions")."""
    parts = []
    for word in phrase.split():
        if word.isalpha():
            parts.append(re.escape(word) + "(?:s|es)?")
        else:
            parts.append(re.escape(word))
    body = r"\s+".join(parts)
    # Word boundaries only where the phrase starts or ends with a letter: "# of" and
    # "% of teachers trained" begin with punctuation ("5% of teachers trained" must match).
    start = r"(?<![a-z0-9])" if phrase[0].isalnum() else ""
    end = r"(?![a-z0-9])" if phrase[-1].isalnum() else ""
    return start + body + end


@dataclass(frozen=True)
class _Rule:
    measures: Measures
    pattern: re.Pattern[str]


_RULES = tuple(
    _Rule(measures, re.compile("|".join(_phrase_pattern(p) for p in phrases), re.IGNORECASE))
    for measures, phrases in INFERENCE_RULES
)


# Portfolios reuse a handful of indicator names across thousands of nodes.
@lru_cache(maxsize=4096)
def infer_measures(name: str) -> Measures | None:
    """The kind of signal an indicator's name suggests, or None when no rule matches.

    >>> infer_measures("Number of students reaching proficiency")
    <Measures.OUTCOME: 'outcome'>
    >>> infer_measures("Changes in school attendance")
    <Measures.CHANGE: 'change'>
    >>> infer_measures("Coaching cycles logged")
    <Measures.COUNT: 'count'>
    >>> infer_measures("Posts blogged") is None
    True
    """
    for rule in _RULES:
        if rule.pattern.search(name):
            return rule.measures
    return None


def measures_of(indicator: Indicator) -> Measures | None:
    """The stated kind, else the inferred one, else None (unknown: neither proxy nor change)."""
    if indicator.measures is not None:
        return indicator.measures
    return infer_measures(indicator.name)
