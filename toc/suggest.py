"""Did you mean: the nearest valid value or name to a misspelt one, when one is close."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from difflib import SequenceMatcher

__all__ = ["CLOSE", "nearest", "did_you_mean", "NearestId"]

# difflib's own default: close enough that a person sees the slip ("teachers" → "teacher",
# "becuase" → "because"), far enough that unrelated words are not offered.
CLOSE = 0.6


def nearest(word: str, choices: Iterable[str], *, cutoff: float = CLOSE) -> str | None:
    """The choice most like `word` (case ignored), or None when none is at least `cutoff` alike.

    Ties go to the choice listed first, so the answer never depends on a set's order.

    >>> nearest("teachers", ["system", "teacher", "student"])
    'teacher'
    >>> nearest("district", ["system", "teacher", "student"]) is None
    True
    """
    return _nearest(word, choices, cutoff)[0]


def _nearest(word: str, choices: Iterable[str], cutoff: float) -> tuple[str | None, int]:
    """The nearest choice and how many choices were compared."""
    matcher = SequenceMatcher(autojunk=False)
    # SequenceMatcher caches what it learns about its second sequence: the word, here.
    matcher.set_seq2(word.casefold())
    best, best_score, compared = None, cutoff, 0
    for choice in choices:
        compared += 1
        matcher.set_seq1(choice.casefold())
        # The cheap upper bounds first, as difflib.get_close_matches does.
        if (
            matcher.real_quick_ratio() >= best_score
            and matcher.quick_ratio() >= best_score
            and (score := matcher.ratio()) >= best_score
            and (best is None or score > best_score)
        ):
            best, best_score = choice, score
    return best, compared


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = CLOSE) -> str:
    """`"; did you mean 'X'?"` for the nearest choice, or `""` when none is close.

    >>> did_you_mean("becuase", ["from", "to", "because", "evidence"])
    "; did you mean 'because'?"
    """
    found = nearest(word, choices, cutoff=cutoff)
    return f"; did you mean {found!r}?" if found is not None else ""


class NearestId:
    """Nearest node ids for the dangling link ends of one document.

    A statewide portfolio has a hundred thousand ids, and comparing a misspelt end with each
    takes a noticeable fraction of a second: answers are remembered per misspelling, and once
    `budget` comparisons are spent no further suggestions are made, so a document whose every
    link dangles is still rejected promptly (every problem is still listed).
    """

    def __init__(self, ids: Collection[str], budget: int = 200_000):
        self._ids = ids
        self._budget = budget
        self._known: dict[str, str] = {}

    def did_you_mean(self, word: str) -> str:
        if word not in self._known:
            if self._budget < len(self._ids):
                return ""
            found, compared = _nearest(word, self._ids, CLOSE)
            self._budget -= compared
            self._known[word] = f"; did you mean {found!r}?" if found is not None else ""
        return self._known[word]
