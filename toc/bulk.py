"""Pausing Python's cyclic garbage collector around bulk work.

Reading a statewide portfolio creates hundreds of thousands of small objects, none of them
garbage; each collection the allocations trigger walks all of them again, which makes a
linear load quadratic in practice. Pausing collection for the duration and restoring it
after is the standard remedy. The pause nests and is shared between threads: collection
resumes when the last bulk job ends, and only if it was on to begin with.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
