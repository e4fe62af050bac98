"""Cursors of paginated lists: opaque to clients, a position or an id to us."""

from __future__ import annotations

import base64
import binascii
import json

from api.problems import ApiProblem
from toc.errors import Problem

__all__ = ["encode_cursor", "decode_cursor", "decode_position"]


def encode_cursor(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        after = None
    if not isinstance(after, str):
        raise ApiProblem(
            422,
            "the cursor is not one this service gave out",
            kind="invalid-request",
            title="Invalid request",
            errors=[Problem("query.cursor", "not a cursor from a previous page")],
        )
    return after


def decode_position(cursor: str) -> int:
    """A cursor that holds a position (lists of items, versions); 422 for any other."""
    after = decode_cursor(cursor)
    if not after.isdigit() or not after.isascii() or len(after) > 18:
        decode_cursor("")  # the same 422 as any cursor this service never gave out
    return int(after)
