"""`GET /healthz`: liveness, no token needed."""

from __future__ import annotations

from fastapi import APIRouter

from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness", response_model=Health, operation_id="getHealth")
def healthz() -> Health:
    return Health()
