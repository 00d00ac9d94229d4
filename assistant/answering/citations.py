"""Citations as people quote them: the copyable citation line, the verbatim quote, and the
answer's figures highlighted in the passage (HTML-escaped: report text is never markup).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from ..documents import Passage
from ..reading.guard import without_instructions
from ..reading.metadata import format_date
from .figures import figures

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(“\"0-9£])")
QUOTE_MAX = 400


def answer_terms(answer: str) -> list[str]:
    """The strings to highlight: the figures the answer gives, as written."""
    return list(dict.fromkeys(f.text for f in figures(answer) if any(ch.isdigit() for ch in f.text)))


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for term in sorted(terms, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\d.,]){re.escape(term)}(?!\d|,\d|\.\d)", text):
            if not any(s < m.end() and m.start() < e for s, e in spans):
                spans.append((m.start(), m.end()))
    return sorted(spans)


def highlight(text: str, terms: list[str], escape: Callable[[str], str] = html.escape) -> str:
    """``text`` with each occurrence of ``terms`` in ``<mark>``, the text escaped by ``escape`` (HTML by default)."""
    out, last = [], 0
    for start, end in _spans(text, terms):
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def quote(passage: str, answer: str = "") -> str:
    """The verbatim words to quote: the sentences holding the answer's figures, else the passage; a sentence
    addressed to an AI tool or whoever answers is never quoted (it is an instruction, not evidence)."""
    text = " ".join(without_instructions(passage).split())
    terms = answer_terms(answer)
    if terms and len(text) > QUOTE_MAX:
        sentences = _SENTENCE_END.split(text)
        chosen = [s for s in sentences if _spans(s, terms)]
        if chosen:
            first, last = sentences.index(chosen[0]), sentences.index(chosen[-1])
            picked = " ".join(sentences[first : last + 1])
            if len(picked) <= QUOTE_MAX * 2:
                return ("... " if first else "") + picked + (" ..." if last < len(sentences) - 1 else "")
    if len(text) <= QUOTE_MAX:
        return text
    cut = text[:QUOTE_MAX].rsplit(" ", 1)[0]
    return f"{cut} ..."


def citation_text(p: Passage, answer: str = "") -> str:
    """``Title (4 September 2019), p. 6, para 3.6: "verbatim words ..."``."""
    date = format_date(p.metadata.get("date"))
    head = f"{p.document} ({date})" if date else p.document
    where = p.location()
    return f'{head}{", " + where if where else ""}: "{quote(p.text, answer)}"'
