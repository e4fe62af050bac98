"""The check catalogue: every check, listed once by code, from its family module.

Each family holds the checks of one hundred (`chains` 1xx, `structure` 2xx, `measures` 3xx,
`levels` 4xx, `coherence` 5xx, `assumptions` 6xx, `monitoring` 7xx, `references` 8xx). They
import `toc.checks.registry` and never this module, so nothing is registered by importing:
a check is in the catalogue because it is written here.
"""

from __future__ import annotations

from toc.checks import (
    assumptions,
    chains,
    coherence,
    levels,
    measures,
    monitoring,
    references,
    structure,
)
from toc.checks.registry import Check

__all__ = ["FAMILIES", "CHECKS", "all_checks", "get", "codes"]

# The family modules, by hundred: FAMILIES[n - 1] holds the checks TOCn01–TOCn99.
FAMILIES = (chains, structure, measures, levels, coherence, assumptions, monitoring, references)

CHECKS: tuple[Check, ...] = (
    chains.unanchored_initiative,  # TOC101
    chains.no_because_chain,  # TOC102
    chains.missing_because,  # TOC103
    chains.unevidenced_because,  # TOC104
    chains.only_lowers,  # TOC105
    chains.lowers_outcome,  # TOC106
    chains.decision_against_standing,  # TOC107
    chains.review_due,  # TOC108
    chains.unevidenced_school_improvement,  # TOC109
    structure.orphan,  # TOC201
    structure.dead_end,  # TOC202
    structure.unreached,  # TOC203
    measures.form_only,  # TOC301
    measures.proxy_measure,  # TOC302
    measures.unmeasured_chain,  # TOC303
    measures.no_leading_measure,  # TOC304
    levels.level_inversion,  # TOC401
    levels.causal_cycle,  # TOC402
    coherence.conflicting_pressure,  # TOC501
    coherence.siloed_initiative,  # TOC502
    coherence.duplicate_effort,  # TOC503
    assumptions.unstated_assumptions,  # TOC601
    monitoring.stale_indicator,  # TOC701
    monitoring.off_track,  # TOC702
    monitoring.step_not_holding_check,  # TOC703
    references.unresolved_reference,  # TOC801
    references.off_strategy,  # TOC802
)

# By code, in code order. The report reads the checks from here, so a test may swap one.
_BY_CODE: dict[str, Check] = {check.code: check for check in CHECKS}
_CODES = frozenset(_BY_CODE)


def all_checks() -> list[Check]:
    """Every check, by code.

    >>> [check.code for check in all_checks()][:3]
    ['TOC101', 'TOC102', 'TOC103']
    """
    return list(_BY_CODE.values())


def get(code: str) -> Check:
    """The check with this code (KeyError when there is none).

    >>> get("TOC402").name
    'causal-cycle'
    """
    return _BY_CODE[code]


def codes() -> frozenset[str]:
    """Every check's code.

    >>> "TOC801" in codes(), len(codes()) == len(CHECKS)
    (True, True)
    """
    return _CODES
