"""`toc serve` and `toc token create`: open the configured store, fill it, and run the app."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from api.config import Settings, get_settings
from api.db import make_engine, run_migrations
from api.services import workspaces
from api.services.workspaces import DEFAULT_WORKSPACE

__all__ = ["serve", "create_token", "EXAMPLES_DIR", "DEFAULT_WORKSPACE"]

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"


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
    workspace: str, role: str, settings: Settings | None = None, name: str | None = None
) -> str:
    """Create a token (and the workspace if needed) in the configured store; return it.

    `name` (default: the role) is the author the history shows for the token's writes.
    """
    workspaces.check_workspace_name(workspace)  # before touching the store
    with _store(settings or get_settings()) as engine, Session(engine) as session:
        return workspaces.create_token(session, workspace, role, name)


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
            loaded, skipped = workspaces.load_examples(
                session, sorted(EXAMPLES_DIR.glob("*.json")), DEFAULT_WORKSPACE
            )
            for path, rejected in skipped:
                print(f"toc: skipping example {path.name}: {rejected}", file=sys.stderr)
            if loaded:
                print(f"toc: loaded example models: {', '.join(loaded)}", flush=True)
        token = workspaces.create_token(session, DEFAULT_WORKSPACE, "admin")
    base = f"http://{_display_host(host)}:{port}"
    print(
        f"toc: serving the workspace '{DEFAULT_WORKSPACE}' at {base}/\n"
        f"    sign in with this URL (it holds a fresh admin token):\n"
        f"    {base}/login?token={token}\n"
        f"    API: {base}{API_PREFIX}  docs: {base}/docs",
        flush=True,
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
