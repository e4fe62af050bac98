"""How much one document may hold, and JSON decoding that turns any hostile input into a rejection.

Every reader takes a `Limits` and checks it while it reads, before its work grows with the
input: a document over a limit is rejected with one problem naming the limit, and a
rejection lists at most `max_problems` problems, then one line counting the rest. The CLI
reads with `DEFAULT_LIMITS`; the service passes its settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from toc.errors import DocumentRejected, Problem

__all__ = [
    "Limits",
    "DEFAULT_LIMITS",
    "MAX_INT_DIGITS",
    "decode_json",
    "capped",
    "over_limit",
    "check_counts",
]

# Python refuses to turn a longer digit string into an int (CVE-2020-10735's guard).
MAX_INT_DIGITS = 4300


@dataclass(frozen=True)
class Limits:
    """The most one document may hold; the defaults fit a large statewide portfolio."""

    max_nodes: int = 200_000
    max_links: int = 400_000
    max_indicators: int = 400_000
    max_observations: int = 2_000_000
    # Every row a CSV zip holds, blank ones included, across its files.
    max_csv_rows: int = 3_000_000
    # The unzipped size of a CSV zip, all its files together (and so each one).
    max_unzipped_bytes: int = 256 * 1024 * 1024
    # The most characters one cell of a CSV file or a workbook may hold, and the most cells one
    # row may hold (a worksheet's 16,384 columns): checked line by line while reading, so a
    # row of millions of empty cells is refused before it is built.
    max_cell_chars: int = 16 * 1024 * 1024
    max_row_cells: int = 16_384
    # How many problems one rejection lists; a last line counts the rest.
    max_problems: int = 1_000


DEFAULT_LIMITS = Limits()


def over_limit(path: str, what: str, limit: int) -> DocumentRejected:
    """The rejection of a document that holds more of `what` than `limit` allows."""
    return DocumentRejected(
        [Problem(path, f"more than {limit:,} {what}: over this service's limit; nothing was read")]
    )


def capped(problems: list[Problem], limits: Limits, total: int | None = None) -> DocumentRejected:
    """The rejection listing the first `max_problems` problems, then one line counting the
    rest (of `total`, when more were found than collected)."""
    total = max(total or 0, len(problems))
    if total <= limits.max_problems:
        return DocumentRejected(problems)
    shown = problems[: limits.max_problems]
    rest = total - len(shown)
    line = Problem("$", f"and {rest:,} more problem{'s' if rest != 1 else ''} not listed")
    return DocumentRejected([*shown, line], unlisted=rest)


def check_counts(data: Any, limits: Limits) -> None:
    """Reject a decoded document with more nodes, links, indicators or observations than the
    limits allow, before any validation work is spent on it."""
    if type(data) is not dict:
        return
    nodes, links = data.get("nodes"), data.get("links")
    if type(nodes) is list:
        if len(nodes) > limits.max_nodes:
            raise over_limit("nodes", "nodes", limits.max_nodes)
        indicators = observations = 0
        for node in nodes:
            listed = node.get("indicators") if type(node) is dict else None
            if type(listed) is not list:
                continue
            indicators += len(listed)
            for indicator in listed:
                seen = indicator.get("observations") if type(indicator) is dict else None
                if type(seen) is list:
                    observations += len(seen)
        if indicators > limits.max_indicators:
            raise over_limit("nodes", "indicators", limits.max_indicators)
        if observations > limits.max_observations:
            raise over_limit("nodes", "observations", limits.max_observations)
    if type(links) is list and len(links) > limits.max_links:
        raise over_limit("links", "links", limits.max_links)


def decode_json(data: str | bytes, path: str = "$", what: str = "") -> Any:
    """JSON text as Python values; anything that cannot be read is a rejection at `path`.

    Beyond malformed JSON, that is JSON nested deeper than the interpreter's recursion
    limit (about a thousand levels: no toc/1 document comes near) and integers of more
    than 4,300 digits, which Python refuses to convert.

    >>> decode_json(b"[" * 100_000)
    Traceback (most recent call last):
    ...
    toc.errors.DocumentRejected: document rejected: 1 problem
      $: JSON nested too deeply to read
    """
    prefix = f"{what} " if what else ""
    try:
        return json.loads(data)
    except json.JSONDecodeError as bad:
        message = (
            f"{prefix}not JSON: {bad.msg}"
            if what
            else f"not valid JSON: {bad.msg} at line {bad.lineno}, column {bad.colno}"
        )
    except UnicodeDecodeError as bad:
        message = f"{prefix}not UTF-8 text: {bad.reason}"
    except RecursionError:
        message = f"{prefix}JSON nested too deeply to read"
    except ValueError:  # an integer over MAX_INT_DIGITS digits
        message = f"{prefix}holds a number of more than {MAX_INT_DIGITS:,} digits"
    raise DocumentRejected([Problem(path, message)])
