"""The one exception hierarchy of the domain core."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TocError", "Problem", "DocumentRejected", "UnwritableText"]


class TocError(Exception):
    """Base class of every error the domain core raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One way a document breaks the toc/1 contract, and where (a JSON path like `nodes[1].id`)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class DocumentRejected(TocError):
    """A document broke the contract; it is rejected whole with every problem listed."""

    def __init__(self, problems: list[Problem], unlisted: int = 0):
        self.problems = problems
        # How many more were found than listed (`problems` then ends with a line saying so).
        self.unlisted = unlisted
        count = len(problems)
        super().__init__(
            f"document rejected: {count} problem{'s' if count != 1 else ''}"
            + "".join(f"\n  {p}" for p in problems)
        )


class UnwritableText(TocError, ValueError):
    """A model's text holds a character that a format cannot carry (XML 1.0: GraphML, GEXF)."""
