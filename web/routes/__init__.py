"""Every route of the web: the pages and the HTML map, gathered in one `router`."""

from __future__ import annotations

from fastapi import APIRouter

import web.pages
from web.routes import map

__all__ = ["router"]

router = APIRouter()
router.include_router(map.router)
router.include_router(web.pages.router)
