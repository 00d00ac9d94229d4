"""The FOI finder's relevance floor: which of a search's ranked passages are worth showing.

A search always ranks something first, however unrelated; this keeps only passages that carry
the search's own words and rank near the best, and never a fragment (a heading on its own, the
tail of a heading broken by the PDF's layout, a contents line, a table line whose words ran
together). Measured on the realworld-dev set's questions and the sample questions by
``bench/foi_floor.py``. The answerer does not use it: it reads the ranked passages as they are.
"""

from __future__ import annotations

import re

from ..documents import Passage
from ..reading.cleaning import join_wrapped, normalise
from ..reading.legibility import legible
from .terms import coverage, query_terms

# Fitted on realworld-dev's development reports (bench/foi_floor.py): every passage holding a
# question's evidence in the top 10 kept, about a third of the rest dropped.
RELATIVE_FLOOR = 0.5  # a passage's score at least this share of the best passage's
COVERAGE_FLOOR = 0.45  # the weighted share of the search's words it carries (in its heading or title: half)

_WORD = re.compile(r"[^\W\d_]{2,}")
_FIGURE = re.compile(r"\d")
_NUMBERING = re.compile(r"^[\s.,;:•·*–—-]*(?:\(?\d+(?:\.\d+)*\)?[.)]?\s+)?")
_SENTENCE_END = re.compile(r"[.!?:;]\W*$")
_CONTENTS_LINE = re.compile(r"^[^\d|.!?:;]+\s\d{1,3}$")  # "Part 3 Main Findings 9" (its page number last)
_RUN_TOGETHER = re.compile(r"[a-z]{3,}[A-Z]{2,}")  # "rsecurityCCTV": two cells' words without a space
CONTENTS_WORDS = 8


def fragment(p: Passage) -> bool:
    """Whether ``p`` is a piece of layout rather than a passage: too few words to say anything (and no
    figure), its own heading and nothing more, a contents line, the rest of a heading broken by the
    layout ("TION & BACKGROUND" under "INTRODUC"), words run together across table cells, or not language."""
    text = " ".join(p.text.split())
    body = _NUMBERING.sub("", text)
    words = _WORD.findall(body)
    if len(words) < 3 and not _FIGURE.search(body):
        return True
    heading = " ".join((p.heading or "").split())
    if (
        heading
        and normalise(body) in (normalise(heading), normalise(_NUMBERING.sub("", heading)))
        and not _SENTENCE_END.search(body)
    ):
        return True
    if len(words) <= CONTENTS_WORDS and _CONTENTS_LINE.match(body):
        return True
    if heading[-1:].isalpha() and body[:1].isalpha() and join_wrapped([heading, body]) == heading + body:
        return True  # the heading's last word and the passage's first are one word the layout split
    if _RUN_TOGETHER.search(text) and len(words) <= 12:
        return True
    return not legible(text)


def relevant(query: str, passages: list[Passage]) -> list[Passage]:
    """The ranked ``passages`` of a search for ``query`` that clear the floor, in their order.

    A passage is kept when it is not a :func:`fragment`, scores at least :data:`RELATIVE_FLOOR` of the
    best passage's score, and carries at least :data:`COVERAGE_FLOOR` of the search's words by weight,
    and more than its single weightiest word ("contract values" needs both words, not one). A search
    with no words of its own (a bare year, "2018/19") is held to the relative floor alone."""
    kept = [p for p in passages if not fragment(p)]
    if not kept:
        return []
    best = max(p.score for p in passages)
    terms = query_terms(query)
    one_word = max(terms.values()) / sum(terms.values()) if len(terms) > 1 else 0.0  # its weightiest word's share

    def carries(p: Passage) -> bool:
        share = coverage(terms, p.text, p.context)
        return share >= COVERAGE_FLOOR and share > one_word + 1e-9

    return [p for p in kept if p.score >= RELATIVE_FLOOR * best and (not terms or carries(p))]
