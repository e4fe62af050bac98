"""`toc serve` and `toc token create`: thin shells over the app factory and `api.auth`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from api import auth, service
from api.config import Settings, get_settings
from api.db import make_engine, run_migrations
from toc.errors import DocumentRejected, TocError

__all__ = ["serve", "create_token", "load_examples", "EXAMPLES_DIR", "DEFAULT_WORKSPACE"]

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
DEFAULT_WORKSPACE = "default"


def _engine(settings: Settings) -> Engine:
    engine = make_engine(settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)
    run_migrations(engine)
    return engine


def create_token(workspace: str, role: str, settings: Settings | None = None) -> str:
    """Create a token (and the workspace if needed) in the configured store; return it."""
    if not re.match(auth.WORKSPACE_NAME_PATTERN, workspace):
        raise TocError(
            f"{workspace!r} is not a workspace name: use lower-case letters, digits, '-', '_' "
            "or '.', starting with a letter or digit"
        )
    engine = _engine(settings or get_settings())
    try:
        with Session(engine) as session:
            return auth.create_token(session, workspace, auth.Role(role))
    finally:
        engine.dispose()


def load_examples(session: Session, workspace: str = DEFAULT_WORKSPACE) -> list[str]:
    """Store every example model of `EXAMPLES_DIR` not yet in `workspace`; return their ids."""
    from toc.document import load_json

    workspace_id = auth.ensure_workspace(session, workspace)
    loaded: list[str] = []
    for path in sorted(EXAMPLES_DIR.glob("*.json")):
        try:
            model = load_json(path.read_bytes())
        except DocumentRejected as rejected:
            print(f"toc: skipping example {path.name}: {rejected}", file=sys.stderr)
            continue
        try:
            service.create_model(session, workspace_id, model)
        except service.AlreadyExists:
            continue
        loaded.append(model.id)
    return loaded


def _display_host(host: str) -> str:
    # A server listening on every interface is still reached locally by the one who started it.
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def serve(host: str = "127.0.0.1", port: int = 8000, demo: bool = False) -> None:
    """Migrate the store, optionally load the examples, print a sign-in URL, and serve."""
    import uvicorn

    from api.main import create_app

    settings = get_settings()
    engine = _engine(settings)
    try:
        with Session(engine) as session:
            if demo:
                loaded = load_examples(session)
                if loaded:
                    print(f"toc: loaded example models: {', '.join(loaded)}", flush=True)
            token = auth.create_token(session, DEFAULT_WORKSPACE, auth.Role.ADMIN)
    finally:
        engine.dispose()
    base = f"http://{_display_host(host)}:{port}"
    print(
        f"toc: serving the workspace '{DEFAULT_WORKSPACE}' at {base}/\n"
        f"    sign in with this URL (it holds a fresh admin token):\n"
        f"    {base}/login?token={token}\n"
        f"    API: {base}/api/v1  docs: {base}/docs",
        flush=True,
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
