"""Abstention checks, the answerer's fourth stage: whether the chosen answer may be given.

Takes the :class:`~.analysis.Query`, the chosen :class:`~.candidates.Unit` with its coverage and the
retrieved passages; hands on a confidence: the coverage when every check passes, else 0. The
answerer abstains below :data:`ABSTAIN_COVERAGE`. A check fails when the unit is not the kind of
answer asked for, is about another financial year or calendar year than the one asked, only
repeats the question's own words, or the question names something (a name, a figure, a rare word)
that no retrieved passage mentions. One missing ordinary word is forgiven when the answer is close
in meaning to the question (``meaning``, the sentence encoder's cosine): a word differs ("replied"
for "responses") but nothing the question names is missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..documents import Passage
from ..reading.guard import sentences
from .analysis import Query
from .candidates import Unit
from .figures import periods, years
from .terms import found as _found
from .terms import stems as _stems

ABSTAIN_COVERAGE = 0.4  # share of the question's weighted terms the best evidence must carry
RARE_TERM = 2.7  # a question word this rare (7 - Zipf frequency) must appear in some retrieved passage
MEANING_FLOOR = 0.4  # cosine (question, answer) above which a missing ordinary word is a paraphrase
SOURCE_FOUND = 0.5  # share of the weight of the words naming the source report the retrieved passages must carry
FORGIVEN_WEIGHT = 4.0  # only a word commoner than this (7 - Zipf frequency) may be missing: "replied", not "precept"

Meaning = Callable[[str, list[str]], list[float]]  # (question, texts) -> each text's cosine with the question


def confidence(
    query: Query, unit: Unit, coverage: float, passages: list[Passage], meaning: Meaning | None = None
) -> float:
    """``coverage`` when the chosen ``unit`` passes every check, else 0."""
    pool, pool_text = pool_of(passages)
    blocked = (
        not unit.typed
        or _period_conflict(query, unit)
        or _year_conflict(query, unit)
        or _unmatched_constraint(query, unit, pool, pool_text, meaning)
    )
    return 0.0 if blocked else coverage


def _within_financial_year(iso: str, period: str) -> bool:
    """Whether a report dated ``iso`` falls in UK financial year ``period`` (April to March)."""
    m = re.match(r"(\d{4})-(\d{2})", iso)
    if not m:
        return False
    year, month = int(m.group(1)), int(m.group(2))
    start = int(period[:4])
    return (year == start and month >= 4) or (year == start + 1 and month <= 3)


def _unmatched_constraint(
    query: Query, unit: Unit, pool: set[str], pool_text: str, meaning: Meaning | None = None
) -> bool:
    """The question names something no retrieved passage mentions (a name, a figure, or a rare word
    the answer's meaning does not make up for), or the evidence adds nothing to the question's own
    words (a heading echoing it)."""
    if unit.novelty == 0 or unnamed(query, pool, pool_text) or _source_missing(query, pool):
        return True
    missing = [
        t
        for t, w in query.terms.items()
        if w >= RARE_TERM and t not in query.names and not any(c.isdigit() for c in t) and not _found(t, pool)
    ]
    if not missing:
        return False
    # One ordinary word may differ ("replied" for "responses"); a rarer one names the topic ("precept").
    if meaning is None or len(missing) > 1 or query.terms[missing[0]] >= FORGIVEN_WEIGHT:
        return True
    # a name alone means little to the encoder: a who-answer is read with the sentences beside it
    read = [answer_text(unit), _beside(unit)] if query.qtype == "who" else [answer_text(unit)]
    return max(meaning(query.text, read)) < MEANING_FLOOR


def _source_missing(query: Query, pool: set[str]) -> bool:
    """The report the question names as its source ("according to the HMICFRS inspection") is not
    among the retrieved passages: under half the weight of its naming words is found in them."""
    if not query.source:
        return False
    got = sum(w for t, w in query.source.items() if _found(t, pool))
    return got < SOURCE_FOUND * sum(query.source.values())


def _beside(unit: Unit) -> str:
    """The unit's sentence with the one before and the one after it ("… the appeal should be
    dismissed. J E Tempest INSPECTOR"): what the person named did."""
    said = sentences(unit.passage.text)
    squeezed = " ".join(unit.text.split())
    at = next((i for i, s in enumerate(said) if squeezed in s or s in squeezed), None)
    return " ".join(said[max(0, at - 1) : at + 2]) if at is not None else answer_text(unit)


def answer_text(unit: Unit) -> str:
    """What a unit says, as the sentence encoder reads it: a sentence with its lead-in, a row with
    its table's caption, label and cells, a field with its name."""
    if unit.cells:
        return " ".join([unit.caption, unit.label, *(f"{h} {v}" for h, v in unit.cells)]).strip()
    return f"{unit.lead} {unit.text}".strip()


def unnamed(query: Query, pool: set[str], pool_text: str) -> bool:
    """A name or a figure of the question that no retrieved passage mentions."""
    for term, w in query.terms.items():
        if any(c.isdigit() for c in term):
            if term not in pool_text:
                return True
        elif w >= RARE_TERM and term in query.names and not _found(term, pool):
            return True
    return False


def conflicts(query: Query, text: str, passage: Passage) -> bool:
    """``text`` of ``passage`` is about another financial year or calendar year than the one asked."""
    unit = Unit(passage, 0, text)
    return _period_conflict(query, unit) or _year_conflict(query, unit)


def pool_of(passages: list[Passage]) -> tuple[set[str], str]:
    """The stems and the lower-cased text of the retrieved passages with their framing."""
    text = " ".join(f"{p.text} {p.context}" for p in passages)
    return _stems(text), text.lower()


def _year_conflict(query: Query, unit: Unit) -> bool:
    """The question asks about a calendar year (or a span of years) the evidence does not mention,
    while naming another."""
    if not query.years or query.qtype == "date":
        return False
    own = [int(y) for y in years(unit.text)]
    asked = [int(y) for y in query.years]
    inside = any(min(asked) <= y <= max(asked) for y in own)  # a year of a span asked (2018-2025) is in it
    return bool(own) and not inside and not any(y in unit.passage.context for y in query.years)


def _period_conflict(query: Query, unit: Unit) -> bool:
    """The evidence is only about a different financial year than the one asked, or never names it."""
    if not query.periods:
        return False
    mentioned = set(periods(f"{unit.text} {unit.passage.text} {unit.passage.context}"))
    date = unit.passage.metadata.get("date") or ""
    in_year = any(_within_financial_year(date, p) for p in query.periods)
    if not (mentioned & set(query.periods)) and not in_year:
        return True
    own = set(periods(unit.text)) | {p for h, _ in unit.cells for p in periods(h)}
    frame = set(periods(unit.passage.context))
    asked = set(query.periods)
    return bool((own or frame) and not ((own | frame) & asked))
