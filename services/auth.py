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
import os
import re
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services import store
from services.db import writing

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
    "TokenInfo",
    "list_tokens",
    "revoke_token",
    "parse_lifetime",
    "this_process",
    "sweep_process_tokens",
    "revoke_process_tokens",
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
    session: Session,
    workspace: str,
    role: Role | str,
    name: str | None = None,
    *,
    expires_in: int | None = None,
    server_process: str | None = None,
) -> str:
    """Create a token for `workspace` (created if needed) with `role`; return the raw token.

    The raw token is returned once and never stored. `name` (default: the role) is what the
    history shows as the author of each version the token writes. `expires_in` (seconds)
    makes it stop working that long from now; `server_process` ties it to a running server
    (`this_process`), which revokes it when it stops.
    """
    role = Role(role)
    workspace_id = ensure_workspace(session, workspace)
    token = new_token()
    expires_at = int(time.time()) + expires_in if expires_in is not None else None
    with writing(session):
        store.insert_token(
            session,
            workspace_id,
            role.value,
            hash_token(token),
            name,
            expires_at=expires_at,
            server_process=server_process,
        )
    return token


_LIFETIME = re.compile(r"([1-9][0-9]{0,5})([hdw])")
_UNIT_SECONDS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def parse_lifetime(text: str) -> int:
    """Seconds in a lifetime written `12h`, `30d` or `8w`; ValueError for anything else.

    >>> parse_lifetime("30d"), parse_lifetime("12h")
    (2592000, 43200)
    """
    matched = _LIFETIME.fullmatch(text.strip())
    if matched is None:
        raise ValueError(f"{text!r} is not a lifetime: write a number and h, d or w (e.g. 30d)")
    return int(matched[1]) * _UNIT_SECONDS[matched[2]]


@dataclass(frozen=True)
class TokenInfo:
    """What may be told about a token: never the token, nor its hash."""

    id: int
    workspace: str
    role: str
    name: str | None
    created_at: datetime
    expires_at: datetime | None
    state: str  # active, expired or revoked
    server_process: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "workspace": self.workspace,
            "role": self.role,
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "state": self.state,
            "server_process": self.server_process,
        }


def list_tokens(session: Session, workspace_id: int | None = None) -> list[TokenInfo]:
    """The tokens of a workspace (or of all), oldest first, each with its state now."""
    now = int(time.time())
    listed = []
    for token, workspace in store.list_tokens(session, workspace_id):
        assert token.id is not None
        if token.revoked_at is not None:
            state = "revoked"
        elif token.expires_at is not None and token.expires_at <= now:
            state = "expired"
        else:
            state = "active"
        expires = (
            datetime.fromtimestamp(token.expires_at, UTC) if token.expires_at is not None else None
        )
        created = token.created_at
        listed.append(
            TokenInfo(
                id=token.id,
                workspace=workspace,
                role=token.role,
                name=getattr(token, "name", None),  # tokens have names where the store has them
                created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
                expires_at=expires,
                state=state,
                server_process=token.server_process,
            )
        )
    return listed


def revoke_token(session: Session, token_id: int, workspace_id: int | None = None) -> bool:
    """Revoke a token (of that workspace only, when given): every request, page and cached
    check refuses it from now on. False when there is no such token."""
    with writing(session):
        return store.revoke_token(session, token_id, workspace_id)


def this_process() -> str:
    """How a server process names itself on its tokens: `HOST:PID`."""
    return f"{socket.gethostname()}:{os.getpid()}"


def revoke_process_tokens(session: Session, process: str) -> int:
    """Revoke the tokens tied to server process `process` (it is stopping); returns how many."""
    tied = [
        token_id for token_id, owner in store.process_tokens(session, process) if owner == process
    ]
    for token_id in tied:
        revoke_token(session, token_id)
    return len(tied)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep_process_tokens(session: Session) -> int:
    """Revoke the sign-in tokens of server processes of this host that no longer run (a
    server killed before it could revoke its own); returns how many. A process whose id is
    this one's is a dead predecessor: this process has not made its token yet."""
    host = socket.gethostname()
    swept = 0
    for token_id, process in store.process_tokens(session, f"{host}:"):
        pid = process.rpartition(":")[2]
        if not pid.isdecimal() or int(pid) == os.getpid() or not _alive(int(pid)):
            revoke_token(session, token_id)
            swept += 1
    return swept
