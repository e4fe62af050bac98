"""The check catalogue: what a sharp evaluator would say about a theory of change."""

from toc.checks import registry
from toc.checks.registry import Check, Hit, all_checks

__all__ = ["registry", "Check", "Hit", "all_checks"]
