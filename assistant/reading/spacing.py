"""Letter-spaced words and figures rejoined: pypdf puts a space where a justified or kerned line
widens the gap between two glyphs ("£48 0", "3 32 applicants", "desig n"); pdfminer, which
groups glyphs by their gaps, reads the same line whole. A page that shows the symptom is
repaired with the words pdfminer reads on it, and only where pdfminer never reads the split form.
"""

from __future__ import annotations

import re

# A word split before its last letter ("desig n", "jur y") or after its first ("t o", "s ervices").
# Not after an apostrophe ("don't see", "it's a"), and not "e"/"o" alone (bullet glyphs of symbol fonts).
_LETTER_SPLIT = re.compile(r"\b[a-z]{2,} [b-df-hj-np-z]\b(?![\w'’])|(?<![\w.,'’‘])[b-hj-z] [a-z]{1,3}\b")
# A figure split inside its digits ("3 32", "£48 0"; not a thousands group): in a table, two cells.
_FIGURE_SPLIT = re.compile(r"(?<![\d,.])\d{1,2} \d{1,2}(?![\d,])")
SPACED_DOCUMENT = 3  # letter splits over a whole document before its pages are worth a second reading

_TOKEN = re.compile(r"\S+")
_EDGE = re.compile(r"^[^\w£$€]+|[^\w%]+$")


def spaced_pages(texts: list[str]) -> list[int]:
    """The pages worth repairing: none unless the document reads letter-spaced (a few split words over
    its pages), else every page showing a split word or figure (pdfminer is slow: read only these)."""
    if sum(len(_LETTER_SPLIT.findall(t)) for t in texts) < SPACED_DOCUMENT:
        return []
    return [i for i, t in enumerate(texts) if _LETTER_SPLIT.search(t) or _FIGURE_SPLIT.search(t)]


def _bare(token: str) -> str:
    return _EDGE.sub("", token)


def rejoin(text: str, reference: str) -> str:
    """``text`` with each pair of neighbouring tokens joined where ``reference`` (the same page read by
    glyph gaps) has the joined word and never the two apart; spacing and line breaks otherwise kept."""
    tokens = [_bare(t) for t in _TOKEN.findall(reference)]
    words, pairs = set(tokens), set(zip(tokens, tokens[1:]))
    out: list[str] = []
    pos = 0
    matches = list(_TOKEN.finditer(text))
    i = 0
    while i < len(matches):
        m = matches[i]
        if i + 1 < len(matches):
            n = matches[i + 1]
            gap = text[m.end() : n.start()]
            a, b = _bare(m.group()), _bare(n.group())
            joined = _bare(m.group() + n.group())
            if (
                gap == " "
                and a
                and b
                and min(len(a), len(b)) <= 2
                and a[-1].isdigit() == b[0].isdigit()
                and joined in words
                and (a, b) not in pairs
            ):
                out.append(text[pos : m.start()] + m.group() + n.group())
                pos = n.end()
                i += 2
                continue
        i += 1
    out.append(text[pos:])
    return "".join(out)
