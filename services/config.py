"""Service settings, read from the environment (TOC_*) by pydantic-settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from toc.limits import DEFAULT_LIMITS, Limits

__all__ = ["Settings", "get_settings", "DEFAULT_DATABASE_URL"]

# A file in the working directory: `toc serve` needs no database server.
DEFAULT_DATABASE_URL = "sqlite:///./toc.db"


class Settings(BaseSettings):
    """Everything the service reads from its environment.

    `TOC_DATABASE_URL` chooses the store (`sqlite:///path` or
    `postgresql+psycopg://user@host/db`); `TOC_MAX_BODY_BYTES` caps request bodies.
    """

    model_config = SettingsConfigDict(env_prefix="TOC_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    # How long a SQLite writer waits for another writer's lock before giving up.
    sqlite_busy_timeout_s: float = Field(default=30.0, gt=0)
    # Migrations run when the app starts; a deployment that migrates separately turns this off.
    migrate_on_start: bool = True
    # The session cookie of the web pages holds the raw token; `Secure` when served over HTTPS.
    cookie_secure: bool = False
    # What one posted document may hold (docs/service.md, *Limits*); checked while reading.
    max_nodes: int = Field(default=DEFAULT_LIMITS.max_nodes, ge=1)
    max_links: int = Field(default=DEFAULT_LIMITS.max_links, ge=0)
    max_indicators: int = Field(default=DEFAULT_LIMITS.max_indicators, ge=0)
    max_observations: int = Field(default=DEFAULT_LIMITS.max_observations, ge=0)
    max_csv_rows: int = Field(default=DEFAULT_LIMITS.max_csv_rows, ge=1)
    # A CSV zip may unzip to this many times the body limit, all its files together.
    max_unzip_ratio: int = Field(default=4, ge=1)
    max_problems: int = Field(default=DEFAULT_LIMITS.max_problems, ge=1)

    @property
    def limits(self) -> Limits:
        """The limits the domain core reads posted documents within."""
        return Limits(
            max_nodes=self.max_nodes,
            max_links=self.max_links,
            max_indicators=self.max_indicators,
            max_observations=self.max_observations,
            max_csv_rows=self.max_csv_rows,
            max_unzipped_bytes=self.max_unzip_ratio * self.max_body_bytes,
            max_problems=self.max_problems,
        )


@lru_cache
def get_settings() -> Settings:
    """The process's settings (cached; tests override the dependency or clear the cache)."""
    return Settings()
