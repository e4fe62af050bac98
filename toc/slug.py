"""Ids made from titles: one slug rule for every place toc has a title but no id.

A slug is the title in lowercase ASCII letters and digits, other runs of characters turned into
one ``-``, at most 60 characters; when that id is taken, ``-2``, ``-3``... is added.

>>> taken: set[str] = {"coaching"}
>>> title_slug("Coaching", taken), title_slug("Coaching", taken)
('coaching-2', 'coaching-3')
>>> title_slug("Élèves: explain & justify!", set())
'eleves-explain-justify'
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["title_slug", "MAX_SLUG"]

MAX_SLUG = 60
_RUN = re.compile(r"[^a-z0-9]+")


def title_slug(title: str, taken: set[str]) -> str:
    """A new id made from `title`, not in `taken`; it is added to `taken`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = _RUN.sub("-", ascii_title.lower()).strip("-")[:MAX_SLUG].strip("-") or "node"
    slug, number = base, 1
    while slug in taken:
        number += 1
        suffix = f"-{number}"
        slug = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
    taken.add(slug)
    return slug
