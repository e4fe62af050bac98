"""Today's date (UTC) for the service: the check date of `GET .../check` and its cache key.

One function, called through this module by the route and the cached-check fast path alike,
so that a test can move "today" for both at once.
"""

from __future__ import annotations

import datetime

from toc.progress import today_utc

__all__ = ["today"]


def today() -> datetime.date:
    """The service's check date: today in UTC."""
    return today_utc()
