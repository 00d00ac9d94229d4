"""Open answers: the key points of a section, for questions no single sentence answers.

Aims, priorities, risks, recommendations, a summary, "what does the report say about X": the
analysis stage types these ``open``. Takes the :class:`~.analysis.Query`, the retrieved
passages and a reader of whole sections; hands on :class:`~.extraction.Extracted` whose answer
lists up to five points quoted from the best-matching section (its list items, else each
paragraph's first sentence), each with its location, or an abstention.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..documents import Passage
from ..reading.guard import instruction_like, without_instructions
from .abstention import ABSTAIN_COVERAGE
from .analysis import Query
from .candidates import LEAD_NUMBER, SENTENCE_SPLIT
from .extraction import Extracted, trim
from .terms import STOPWORDS as _STOP
from .terms import coverage
from .terms import found as _found
from .terms import stem as _stem
from .terms import words as _words

MAX_POINTS = 5
SectionReader = Callable[[Passage], list[Passage]]
_ITEM = re.compile(r"^\s*(?:[-•◆▪*–]|\(?[a-z]\)|\(?[ivx]{1,4}\)|\d{1,2}\.\d{1,2}\.?)\s+(?=\S)")


def _points(passages: list[Passage]) -> list[tuple[str, Passage]]:
    """A section's key points in reading order: its list items, or else each passage's first sentence."""
    ordered = sorted(passages, key=lambda p: p.reading_order)
    items = [
        (LEAD_NUMBER.sub("", _ITEM.sub("", line).strip()), p)
        for p in ordered
        for line in without_instructions(p.text).split("\n")
        if _ITEM.match(line)
    ]
    items = [(t, p) for t, p in items if len(t) >= 20 and not t.endswith(":") and not instruction_like(t)]
    if len(items) < 2:
        items = []
        for p in ordered:  # a sentence, not a heading line: long, or closed by a full stop
            text = without_instructions(p.text)
            sentences = (LEAD_NUMBER.sub("", s.strip(" •-–")) for s in SENTENCE_SPLIT.split(text))
            first = next((t for t in sentences if len(t) >= 60 or len(t) >= 30 and t.endswith(".")), "")
            if first and not instruction_like(first):
                items.append((first, p))
    return items


def open_answer(query: Query, passages: list[Passage], section: SectionReader | None) -> Extracted:
    """The key points of the section that best matches an open question, each quoted and cited
    (read whole through ``section`` when given, else from the retrieved passages)."""
    sections: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        if p.kind == "paragraph" and without_instructions(p.text):
            key = (p.metadata.get("doc_id", p.document), p.under)
            sections.setdefault(key, []).append(p)
    summary = bool(re.search(r"\bsummar", query.text, re.I))
    best: tuple[float, list[Passage]] | None = None
    for rank, ((_, heading), group) in enumerate(sections.items()):
        text = " ".join(without_instructions(p.text) for p in group)
        frame = " ".join(p.context for p in group)
        s = coverage(query.terms, frame, text, context_weight=0.8) + 0.1 / (rank + 1)
        named = {_stem(w.lower()) for w in _words(heading) if w.lower() not in _STOP and not w[0].isdigit()}
        if named:  # a heading that is what the question asks for ("Recommendations", not "Reasons for Recommendations")
            s += 0.2 * sum(1 for t in named if _found(t, set(query.terms))) / len(named)
        if summary and re.search(r"\b(summary|purpose|introduction|overview|conclusions?)\b", heading, re.I):
            s += 0.3
        if best is None or s > best[0]:
            best = (s, group)
    if best is None or best[0] < ABSTAIN_COVERAGE:
        return Extracted(query, None, None, best[0] if best else 0.0, [], 0.0)
    # The best paragraph's own list if it has one, else the whole section's points.
    lead = max(
        best[1], key=lambda p: coverage(query.terms, without_instructions(p.text), p.context, context_weight=0.8)
    )
    group = section(lead) if section else best[1]
    points = _points([p for p in group if p.paragraph and p.paragraph == lead.paragraph])
    if len(points) < 2:
        points = _points(group)
    points = points[:MAX_POINTS]
    if not points:
        return Extracted(query, None, None, best[0], [], 0.0)
    where = lead.under
    lines = [f"Key points quoted from {lead.document}" + (f", “{where}”" if where else "") + ":"]
    for n, (text, p) in enumerate(points, 1):
        lines.append(f"{n}. “{trim(text, 220)}” ({p.location() or 'text'})")
    support = list({p.chunk_id: p for _, p in points}.values())
    return Extracted(query, "\n".join(lines), None, best[0], support, best[0])
