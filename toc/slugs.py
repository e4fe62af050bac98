"""The one rule that makes an id from a title, wherever toc has to invent one.

A node added on the pages with its id left blank, or a spreadsheet row without an id, gets the
id this module makes from its title: lower case, ASCII letters and digits joined by `-`, at most
`max_length` characters, and `-2`, `-3`... appended while the id is taken. The result always
matches `toc.model.NODE_ID_PATTERN`, so it is a valid node id (and a valid model id).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

__all__ = ["slug_from_title", "FALLBACK"]

# The id of a title with no letter or digit toc can spell in ASCII ("¿?", "中文", "😀").
FALLBACK = "node"

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _ascii_words(title: str) -> str:
    # "Évaluation" -> "Evaluation": accents come apart from their letters under NFKD.
    decomposed = unicodedata.normalize("NFKD", title)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def slug_from_title(title: str, taken: Collection[str] = (), max_length: int = 60) -> str:
    """A new id made from `title`: not in `taken`, at most `max_length` characters.

    >>> slug_from_title("Instructional Coaching (K-5)")
    'instructional-coaching-k-5'
    >>> slug_from_title("Évaluation des élèves", taken={"evaluation-des-eleves"})
    'evaluation-des-eleves-2'
    >>> slug_from_title("Reading", taken={"reading", "reading-2"})
    'reading-3'
    >>> slug_from_title("  <script>alert(1)</script> ")
    'script-alert-1-script'
    >>> slug_from_title("中文 😀")
    'node'
    >>> len(slug_from_title("word " * 100)), slug_from_title("word " * 100)[-5:]
    (59, '-word')
    >>> slug_from_title("a" * 70, taken={"a" * 60})
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-2'
    """
    if max_length < 8:
        raise ValueError("max_length must leave room for a word and a -N suffix")
    base = _NOT_SLUG.sub("-", _ascii_words(title)).strip("-") or FALLBACK
    base = base[:max_length].rstrip("-")
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1
