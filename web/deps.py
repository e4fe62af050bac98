"""The pages' own route dependencies: a database session per request.

The pages stand beside the REST adapter on the services; they share its store (the engine the
composition root opened on `app.state`), never its code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

__all__ = ["SessionDep"]


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per page request, closed when the response is sent (making it does no I/O)."""
    session = Session(request.app.state.engine)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
