"""Whether a page's extracted text is language, or the gibberish a mis-decoded font gives.

A PDF whose fonts an extractor decodes wrongly yields runs like "Ñ¤ÔÏ ¦ÐÞ" or "Xqzv Blmt Kpw":
letters, but not words. A page is legible when most of its longer alphabetic tokens are words
of English (wordfreq, the word list the cleaning stage already uses) and few of its characters
are private-use glyphs or pdfminer's ``(cid:NN)`` placeholders.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[^\W\d_]{3,}")
_ODD = re.compile(r"[\ue000-\uf8ff\ufffd]|\(cid:\d+\)")
MIN_TOKENS = 12  # fewer than this (a page number, a title) is not judged
MIN_WORD_SHARE = 0.5


def legible(text: str) -> bool:
    """True unless ``text`` is clearly not language (short texts are given the benefit of the doubt)."""
    odd = len(_ODD.findall(text))
    if odd >= 20 and odd > 0.05 * max(1, len(text.strip())) / 4:
        return False
    tokens = _TOKEN.findall(text)
    if len(tokens) < MIN_TOKENS:
        return True
    from wordfreq import zipf_frequency

    known = sum(1 for t in tokens if zipf_frequency(t.lower(), "en") > 1.0)
    return known >= MIN_WORD_SHARE * len(tokens)
