"""Today's date (UTC) for the service: the check date of `GET .../check` and its cache key.

One function, called through this module by the route and the cached-check fast path alike,
so that a test can move "today" for both at once.
"""

from __future__ import annotations

import datetime

__all__ = ["today"]


def today() -> datetime.date:
    """The check date of the service and the CLI: today in UTC."""
    return datetime.datetime.now(datetime.UTC).date()
