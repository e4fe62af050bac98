"""Server-rendered web pages (sign-in, models, a model's page, forms)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
