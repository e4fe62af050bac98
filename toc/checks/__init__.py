"""The check catalogue: what a sharp evaluator would say about a theory of change.

`toc.checks.registry` says what a check is, the family modules hold the checks of one
hundred each, and `toc.checks.catalogue` lists them all.
"""

from toc.checks.registry import Check, Hit

__all__ = ["Check", "Hit"]
