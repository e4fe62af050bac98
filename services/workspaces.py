"""Workspaces and their tokens, and a workspace filled with example models."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from sqlmodel import Session

from services import auth
from services.errors import AlreadyExists
from services.models import create_model
from toc.document import load_json
from toc.errors import DocumentRejected, TocError

__all__ = ["DEFAULT_WORKSPACE", "check_workspace_name", "create_token", "load_examples"]

DEFAULT_WORKSPACE = "default"


def check_workspace_name(workspace: str) -> None:
    """A name no workspace can have is a `TocError` saying what a name looks like."""
    if not re.match(auth.WORKSPACE_NAME_PATTERN, workspace):
        raise TocError(
            f"{workspace!r} is not a workspace name: use lower-case letters, digits, '-', '_' "
            "or '.', starting with a letter or digit"
        )


def create_token(
    session: Session,
    workspace: str,
    role: auth.Role | str,
    name: str | None = None,
    *,
    expires_in: int | None = None,
    server_process: str | None = None,
) -> str:
    """A new token of `role` for `workspace` (created if needed); a bad name is a `TocError`.

    `name` (default: the role) is the author the history shows for the token's writes.
    """
    check_workspace_name(workspace)
    if name is not None and not 0 < len(name) <= 128:
        raise TocError("a token's name is 1 to 128 characters")
    return auth.create_token(
        session,
        workspace,
        auth.Role(role),
        name,
        expires_in=expires_in,
        server_process=server_process,
    )


def load_examples(
    session: Session, paths: Iterable[Path], workspace: str = DEFAULT_WORKSPACE
) -> tuple[list[str], list[tuple[Path, DocumentRejected]]]:
    """Store every model of `paths` not yet in `workspace`.

    Returns the ids stored, and the files that were no toc/1 document with why.
    """
    workspace_id = auth.ensure_workspace(session, workspace)
    loaded: list[str] = []
    skipped: list[tuple[Path, DocumentRejected]] = []
    for path in paths:
        try:
            model = load_json(path.read_bytes())
        except DocumentRejected as rejected:
            skipped.append((path, rejected))
            continue
        try:
            create_model(session, workspace_id, model)
        except AlreadyExists:
            continue
        loaded.append(model.id)
    return loaded, skipped
