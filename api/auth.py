"""Workspaces, bearer tokens and roles.

A token is 32 random bytes from `secrets` (URL-safe base64, prefixed `toc_`); the store keeps
only its SHA-256. A slow password hash (bcrypt, argon2) defends low-entropy secrets against
guessing; a 256-bit random token cannot be guessed, so one SHA-256 is enough to make a leaked
table useless, and it lets a token be found by an indexed equality lookup on every request.

The web pages sign in with the same tokens: `GET /login?token=...` stores the raw token in
the session cookie `SESSION_COOKIE`, and each page resolves it with `principal_for_token`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api import store
from api.db import writing

__all__ = [
    "Role",
    "Principal",
    "SESSION_COOKIE",
    "WORKSPACE_NAME_PATTERN",
    "hash_token",
    "lookup_hash",
    "new_token",
    "principal_for_token",
    "create_token",
    "ensure_workspace",
]

SESSION_COOKIE = "toc_session"
WORKSPACE_NAME_PATTERN = r"^[a-z0-9][a-z0-9-_.]{0,127}$"
TOKEN_PREFIX = "toc_"


class Role(StrEnum):
    """viewer reads; editor also writes; admin also manages tokens."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: a workspace and a role in it."""

    workspace_id: int
    workspace: str
    role: Role
    name: str = ""  # the token's name: the author of the versions it writes

    @property
    def can_write(self) -> bool:
        return self.role.allows(Role.EDITOR)


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh token: 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def lookup_hash(token: str | None) -> str | None:
    """The hash to look a presented token up by, or None when it could never have been issued
    (missing, or longer than any token): such a token is unknown without asking the store."""
    if not token or len(token) > 200:
        return None
    return hash_token(token)


def principal_for_token(session: Session, token: str | None) -> Principal | None:
    """The workspace and role a raw token grants, or None for a missing or unknown token.

    This is what the pages call with the token held in their session cookie. The token's
    name is left on the session (`store.AUTHOR`): the history records it as the author of
    whatever this session writes.
    """
    token_hash = lookup_hash(token)
    if token_hash is None:
        return None
    grant = store.token_grant(session, token_hash)
    if grant is None:
        return None
    role, workspace_id, workspace, name = grant
    session.info[store.AUTHOR] = name
    return Principal(workspace_id=workspace_id, workspace=workspace, role=Role(role), name=name)


def ensure_workspace(session: Session, name: str) -> int:
    """The id of workspace `name`, created if needed (commits)."""
    found = store.workspace_id(session, name)
    if found is not None:
        return found
    try:
        with writing(session):
            return store.insert_workspace(session, name)
    except IntegrityError:  # created meanwhile by someone else
        found = store.workspace_id(session, name)
        assert found is not None
        return found


def create_token(
    session: Session, workspace: str, role: Role | str, name: str | None = None
) -> str:
    """Create a token for `workspace` (created if needed) with `role`; return the raw token.

    The raw token is returned once and never stored. `name` (default: the role) is what the
    history shows as the author of each version the token writes.
    """
    role = Role(role)
    workspace_id = ensure_workspace(session, workspace)
    token = new_token()
    with writing(session):
        store.insert_token(session, workspace_id, role.value, hash_token(token), name)
    return token
