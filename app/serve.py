"""`toc serve` and `toc token create`: open the configured store, fill it, and run the app."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, unquote_plus

from sqlalchemy import Engine
from sqlmodel import Session

from services import auth, store, workspaces
from services.auth import TOKEN_PREFIX, TokenInfo, parse_lifetime
from services.config import Settings, get_settings
from services.db import make_engine, run_migrations
from services.workspaces import DEFAULT_WORKSPACE

__all__ = [
    "serve",
    "create_token",
    "list_tokens",
    "revoke_token",
    "redact_tokens_in_access_log",
    "redact_query",
    "EXAMPLES_DIR",
    "example_files",
    "DEFAULT_WORKSPACE",
]

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"


def example_files() -> list[Path]:
    """The demo's models: every example, and the district plans of the example portfolio."""
    return sorted(EXAMPLES_DIR.glob("*.json")) + sorted(EXAMPLES_DIR.glob("portfolio/*.json"))


@contextmanager
def _store(settings: Settings) -> Iterator[Engine]:
    """The configured store, migrated, for one command."""
    engine = make_engine(settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)
    try:
        run_migrations(engine)
        yield engine
    finally:
        engine.dispose()


def create_token(
    workspace: str,
    role: str,
    settings: Settings | None = None,
    name: str | None = None,
    expires: str | None = None,
    models: list[str] | None = None,
) -> str:
    """Create a token (and the workspace if needed) in the configured store; return it.

    `name` (default: the role) is the author the history shows for the token's writes;
    `expires` is a lifetime such as `30d`, `12h` or `8w` (`services.auth.parse_lifetime`);
    `models` limits an editor token to writing those models.
    """
    workspaces.check_workspace_name(workspace)  # before touching the store
    expires_in = parse_lifetime(expires) if expires is not None else None
    auth.check_models(role, models)  # before touching the store
    with _store(settings or get_settings()) as engine, Session(engine) as session:
        return workspaces.create_token(
            session, workspace, role, name, expires_in=expires_in, models=models
        )


def list_tokens(workspace: str | None = None, settings: Settings | None = None) -> list[TokenInfo]:
    """Every token of the store (or of one workspace): never the token itself."""
    with _store(settings or get_settings()) as engine, Session(engine) as session:
        workspace_id = None
        if workspace is not None:
            workspace_id = store.workspace_id(session, workspace)
            if workspace_id is None:
                return []
        return auth.list_tokens(session, workspace_id)


def revoke_token(token_id: int, settings: Settings | None = None) -> bool:
    """Revoke a token by its id (as `list_tokens` shows it); False when there is none."""
    with _store(settings or get_settings()) as engine, Session(engine) as session:
        return auth.revoke_token(session, token_id)


def _display_host(host: str) -> str:
    # A server listening on every interface is still reached locally by the one who started it.
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def serve(host: str = "127.0.0.1", port: int = 8000, demo: bool = False) -> None:
    """Migrate the store, optionally load the examples, print a sign-in URL, and serve."""
    import uvicorn

    from api import API_PREFIX
    from app.main import create_app

    settings = get_settings()
    with _store(settings) as engine, Session(engine) as session:
        if demo:
            loaded, skipped = workspaces.load_examples(session, example_files(), DEFAULT_WORKSPACE)
            for path, rejected in skipped:
                print(f"toc: skipping example {path.name}: {rejected}", file=sys.stderr)
            if loaded:
                print(f"toc: loaded example models: {', '.join(loaded)}", flush=True)
        # Tokens of servers that died before revoking them go first; this one's lives as long
        # as this process, as Jupyter's does: restarts leave no admin tokens behind.
        auth.sweep_process_tokens(session)
        process = auth.this_process()
        token = workspaces.create_token(session, DEFAULT_WORKSPACE, "admin", server_process=process)
    base = f"http://{_display_host(host)}:{port}"
    print(
        f"toc: serving the workspace '{DEFAULT_WORKSPACE}' at {base}/\n"
        f"    sign in with this URL (it holds an admin token that ends with this server):\n"
        f"    {base}/login?token={token}\n"
        f"    API: {base}{API_PREFIX}  docs: {base}/docs",
        flush=True,
    )
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    finally:
        # The sign-in token, and the sessions signed in with it, end with the server.
        with _store(settings) as engine, Session(engine) as session:
            auth.revoke_process_tokens(session, process)


def redact_query(path: str) -> str:
    """`path` with every value that could be a token replaced by `[redacted]`.

    The parameter names are read as the server reads them, percent-decoded
    (`/login?%74oken=...` is a `token`), and so is the path (`/%6cogin` is `/login`): on
    `/login` every value goes, elsewhere the value of any `token` parameter and any value
    that decodes to something holding a toc token.

    >>> redact_query("/login?%74oken=toc_abc&x=1")
    '/login?%74oken=[redacted]&x=[redacted]'
    >>> redact_query("/api/v1/models?limit=5&TOKEN=toc_abc")
    '/api/v1/models?limit=5&TOKEN=[redacted]'
    """
    base, mark, query = path.partition("?")
    if not mark:
        return path
    login = unquote(base).rstrip("/").lower() == "/login"
    parts = []
    for pair in re.split(r"([&;])", query):
        if pair in ("&", ";"):
            parts.append(pair)
            continue
        name, equals, value = pair.partition("=")
        secret = TOKEN_PREFIX in unquote_plus(unquote_plus(pair))
        if equals:
            if login or secret or unquote_plus(name).strip().lower() == "token":
                value = "[redacted]"
            parts.append(f"{name}={value}")
        else:
            parts.append("[redacted]" if login or secret else name)
    return f"{base}?{''.join(parts)}"


class RedactTokens(logging.Filter):
    """Keeps tokens out of the access log: the query of `/login` (which carries one) is
    written with every value `[redacted]`, and so is a `token` parameter (however its name is
    percent-encoded) or a value holding a token on any other path (`redact_query`)."""

    _QUERY = re.compile(r"\S*\?\S*")

    def _clean(self, text: str) -> str:
        return self._QUERY.sub(lambda found: redact_query(found.group(0)), text)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self._clean(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.msg, str):
            record.msg = self._clean(record.msg)
        return True


def redact_tokens_in_access_log() -> None:
    """Install `RedactTokens` on uvicorn's access log (once; uvicorn keeps a logger's filters
    when it configures logging)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, RedactTokens) for existing in access.filters):
        access.addFilter(RedactTokens())
