"""What the services raise on purpose: part of the domain's one exception family (`TocError`)."""

from __future__ import annotations

from collections.abc import Collection

from toc.errors import TocError

__all__ = ["Expected", "ServiceError", "NotFound", "AlreadyExists", "VersionConflict"]

# The version(s) a write expects the model to be at: None for an unconditional write.
Expected = int | Collection[int] | None


class ServiceError(TocError):
    """Base class of what the services raise on purpose (besides `DocumentRejected`)."""


class NotFound(ServiceError):
    """No such model (in this workspace), node, link or initiative."""

    def __init__(self, what: str, subject: str, model_id: str | None = None):
        self.what = what
        self.subject = subject
        self.model_id = model_id
        where = f" in model '{model_id}'" if model_id is not None else ""
        super().__init__(f"no {what} '{subject}'{where}")


class AlreadyExists(ServiceError):
    """A new model was given an id the workspace already uses."""

    def __init__(self, model_id: str):
        self.model_id = model_id
        super().__init__(f"a model with id '{model_id}' already exists in this workspace")


class VersionConflict(ServiceError):
    """The model is no longer at the version the write expected; nothing was changed."""

    def __init__(self, model_id: str, expected: Expected, current: int):
        self.model_id = model_id
        self.expected = expected
        self.current = current
        super().__init__(
            f"model '{model_id}' is at version {current}, not the version the write expected"
        )
