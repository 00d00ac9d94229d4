"""Summaries: a whole report's key points, from across its sections.

"Summarise <report>" is typed ``open`` by the analysis stage and handed here by the answerer. Takes
the :class:`~.analysis.Query`, the retrieved passages, a reader of whole sections, the sentence
encoder and a search of one report; hands on :class:`~.extraction.Extracted` whose answer lists up
to five points quoted from the report's paragraphs: each paragraph's opening statement (a whole
sentence, not its cover, a form's field or declaration, a nil return or an editorial note), chosen
by meaning for what the report says most (closest to the report's other openings) and least said
already (far from the points chosen), its own summary or conclusions first, at most two from one
section, in reading order.
"""

from __future__ import annotations

import re

from ..documents import Passage
from .abstention import ABSTAIN_COVERAGE, Meaning
from .analysis import Query
from .candidates import report_of
from .extraction import Extracted
from .open_answers import (
    MAX_POINTS,
    ReportSearch,
    SectionReader,
    answer_points,
    asks_summary,
    point_like,
    same,
    sentences,
)
from .terms import coverage

SUMMARY_READ = 150  # a report's passages read for its summary (its closest to the question first)
OPENINGS = 40  # paragraph openings weighed by meaning (each encoded once, ~10 ms)
SECTION_POINTS = 2  # a summary's points from one section, at most
RESTATES = 0.7  # an opening this close to the question ("Summarise the X strategy") restates the report's name
STATEMENT_WORDS = 8  # an opening quoted as a point has at least this many words
OWN_SUMMARY = 0.05  # the report's own summary or conclusions come first (added to an opening's score)
CENTRAL = 0.4  # weight of what the report says most against what is said already (maximal marginal relevance)

# What a committee report's form says rather than the report: a nil return ("None.", "There are no
# specific implications"), a declaration in the first person ("I confirm that …"), an editorial note
# in brackets ("(List any relevant business case …)"), a field's label ("Report title: …")
_FORM = re.compile(
    r"^(?:(?:none|nil|n/?a|not applicable)\b|there (?:are|were) no (?:\w+ ){0,2}(?:implications|issues|comments)\b"
    r"|i (?:confirm|hereby|have been consulted|am satisfied)\b|\(|[A-Z][\w/&' -]{1,30}:\s)",
    re.I,
)


# A section that sums the report up: its executive summary, key points, findings or conclusions
_SUMMING_UP = re.compile(r"\b(summary|key (?:points|messages|findings)|conclusions?|overview)\b", re.I)


def whole_report(query: Query) -> bool:
    """The question asks for a whole report's summary ("Summarise the estates plan"), not one topic's."""
    return asks_summary(query) and not re.search(r"\b(about|on)\b", query.text, re.I)


def summary(
    query: Query,
    passages: list[Passage],
    section: SectionReader,
    meaning: Meaning | None = None,
    search: ReportSearch | None = None,
) -> Extracted:
    """The key points of the report the question names (the best-ranked retrieved passage's whose title
    carries most of the question's words): read whole through ``search``
    when given (else the sections the retrieved passages stand in), its paragraphs' openings chosen
    by ``meaning`` when given (else each section's first), at most five, in reading order."""
    paragraphs = [p for p in passages if p.kind == "paragraph"]
    if not paragraphs:
        return Extracted(query, None, None, 0.0, [], 0.0)
    # the report the question names: the best-ranked of those whose title carries most of its words
    top = max(paragraphs, key=lambda p: coverage(query.terms, p.document))  # the first of equals
    doc = report_of(top)
    if search is not None:
        report = [p for p in search(query.text, doc, SUMMARY_READ) if p.kind == "paragraph"] or [top]
    else:
        report, seen = [], set()
        for p in passages:
            if p.kind == "paragraph" and report_of(p) == doc and p.under not in seen:
                seen.add(p.under)
                report += section(p)
    openings = _openings(sorted(report, key=lambda p: p.reading_order))
    if meaning is None or len(openings) <= MAX_POINTS:
        firsts: dict[str, tuple[str, Passage]] = {}
        for text, p in openings:
            if not any(same(text, t) for t, _ in firsts.values()):
                firsts.setdefault(p.under, (text, p))
        points = list(firsts.values())[:MAX_POINTS]
    else:
        points = _chosen(query, openings[:OPENINGS], meaning)
    if not points:
        return Extracted(query, None, None, 0.0, [], 0.0)
    points.sort(key=lambda tp: tp[1].reading_order)
    return answer_points(query, points, top.document, "", ABSTAIN_COVERAGE)


def _openings(report: list[Passage]) -> list[tuple[str, Passage]]:
    """Each paragraph's opening statement (its first sentence that reads as a point and is not a
    form's), once, in reading order: a numbered paragraph chunked into several passages opens once."""
    out: list[tuple[str, Passage]] = []
    done: set[object] = set()
    for p in report:
        key: object = (p.under, p.paragraph) if p.paragraph else p.chunk_id
        if key in done:
            continue
        first = next((t for t, _ in sentences([p]) if _statement(t, p)), None)
        if first is not None and not _FORM.match(first):  # a paragraph opening with a nil return gives none
            done.add(key)
            out.append((first, p))
    return out


def _statement(text: str, p: Passage) -> bool:
    """``text`` states something of the report: a point and a whole sentence, not its title restated."""
    plain = re.sub(r"\W+", " ", text).strip().lower()
    title = re.sub(r"\W+", " ", p.document).strip().lower()
    # a sentence, not a cover's reference line, a table's row or a list's item naming a thing
    whole = text.rstrip().endswith((".", "!", "”", '"')) and len(text.split()) >= STATEMENT_WORDS
    return whole and point_like(text, p) and not (title and plain.startswith(title))


def _chosen(query: Query, openings: list[tuple[str, Passage]], meaning: Meaning) -> list[tuple[str, Passage]]:
    """Up to five ``openings`` by maximal marginal relevance: close to what the report's openings say
    together (their mean closeness to one another) and far from the points chosen before; none that
    restates the question (the report's name), at most :data:`SECTION_POINTS` from one section."""
    texts = [t for t, _ in openings]
    asked = meaning(query.text, texts)
    pairs = [meaning(t, texts) for t in texts]  # each opening encoded once: the others' vectors are kept
    central = [sum(row[i] for row in pairs) / len(pairs) for i in range(len(texts))]
    chosen: list[int] = []
    taken: dict[str, int] = {}
    while len(chosen) < MAX_POINTS:
        best: tuple[float, int] | None = None
        for i, (_, p) in enumerate(openings):
            if i in chosen or asked[i] >= RESTATES or taken.get(p.under, 0) >= SECTION_POINTS:
                continue
            said = max((pairs[j][i] for j in chosen), default=0.0)
            s = CENTRAL * central[i] - (1 - CENTRAL) * said + (OWN_SUMMARY if _SUMMING_UP.search(p.under) else 0.0)
            if best is None or s > best[0]:
                best = (s, i)
        if best is None:
            break
        chosen.append(best[1])
        under = openings[best[1]][1].under
        taken[under] = taken.get(under, 0) + 1
    return [openings[i] for i in chosen]
