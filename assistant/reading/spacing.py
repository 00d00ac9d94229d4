"""Letter-spaced words and figures rejoined: pypdf puts a space where a justified or kerned line
widens the gap between two glyphs ("£48 0", "3 32 applicants", "desig n"); pdfminer, which
groups glyphs by their gaps, reads the same line whole. A page that shows the symptom is
repaired from pdfminer's reading of it: the two readings are aligned token by token, and two
pypdf tokens are joined only where they stand, in that alignment, for one pdfminer token.
"""

from __future__ import annotations

import difflib
import re

# A word split before its last letter ("desig n", "jur y") or after its first ("t o", "o nline").
# Not after an apostrophe ("don't see", "it's a"), and not "e"/"o" alone (bullet glyphs of symbol fonts).
_LETTER_SPLIT = re.compile(r"\b[a-z]{2,} [b-df-hj-np-z]\b(?![\w'’])|(?<![\w.,'’‘])[b-hj-z] [a-z]{1,3}\b")
# A figure split inside its digits ("3 32", "£48 0"; not a thousands group): in a table, two cells.
_FIGURE_SPLIT = re.compile(r"(?<![\d,.])\d{1,2} \d{1,2}(?![\d,])")
SPACED_DOCUMENT = 3  # letter splits over a whole document before its pages are worth a second reading

_TOKEN = re.compile(r"\S+")
_LONGEST = 64  # a token longer than this is never joined (nor stripped: a crafted run of punctuation is slow to)


def spaced_pages(texts: list[str]) -> list[int]:
    """The pages worth repairing: none unless the document reads letter-spaced (a few split words over
    its pages), else every page showing a split word or figure (pdfminer is slow: read only these)."""
    if sum(len(_LETTER_SPLIT.findall(t)) for t in texts) < SPACED_DOCUMENT:
        return []
    return [i for i, t in enumerate(texts) if _LETTER_SPLIT.search(t) or _FIGURE_SPLIT.search(t)]


def _bare(token: str) -> str:
    """The token without the punctuation around it ("(jur" -> "jur", "y)." -> "y"); a currency sign stays."""
    if len(token) > _LONGEST:
        return ""
    start, end = 0, len(token)
    while start < end and not (token[start].isalnum() or token[start] in "£$€"):
        start += 1
    while end > start and not (token[end - 1].isalnum() or token[end - 1] == "%"):
        end -= 1
    return token[start:end]


def _joinable(a: str, b: str, joined: str) -> bool:
    """Two bare tokens that may be one word or figure: one side short, letters with letters and digits with digits."""
    return bool(a and b) and min(len(a), len(b)) <= 2 and a[-1].isdigit() == b[0].isdigit() and a + b == joined


def rejoin(text: str, reference: str) -> str:
    """``text`` (pypdf's reading of a page) with each pair of neighbouring tokens joined where, aligned with
    ``reference`` (pdfminer's reading of the same page), the pair stands for one reference token: one side
    at most two characters, letters with letters and digits with digits, separated by one space. A word
    split twice ("£4 7 5k") is left as it is; spacing and line breaks are otherwise kept."""
    matches = list(_TOKEN.finditer(text))
    mine = [_bare(m.group()) for m in matches]
    theirs = [_bare(t) for t in _TOKEN.findall(reference)]
    join_after: set[int] = set()  # token i is joined to token i + 1
    aligned = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
    for op, i1, i2, j1, j2 in aligned.get_opcodes():
        if op != "replace":
            continue
        i, j = i1, j1
        while i < i2 and j < j2:
            if i + 1 < i2 and _joinable(mine[i], mine[i + 1], theirs[j]):
                join_after.add(i)
                i, j = i + 2, j + 1
            elif mine[i] == theirs[j]:
                i, j = i + 1, j + 1
            else:
                break  # the readings differ here in another way: leave the rest of the block alone
    out: list[str] = []
    pos = 0
    for i in sorted(join_after):
        m, n = matches[i], matches[i + 1]
        if text[m.end() : n.start()] == " ":
            out.append(text[pos : m.end()])
            pos = n.start()
    out.append(text[pos:])
    return "".join(out)
