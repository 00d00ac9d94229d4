"""Whether a question or search is written in Welsh, so the assistant can say that it answers in
English from the reports' English text, rather than answering "not found" in silence.

Welsh police bodies (Gwent, South Wales, Dyfed-Powys, North Wales) publish bilingual reports; the
assistant reads and answers their English. A text counts as Welsh when it holds Welsh function words
(the question words, articles, prepositions and forms of "bod" that any Welsh sentence uses) or, in
a longer text, mostly words that are not English and are spelt as Welsh is (dd, ll, rh, ŵ, ŷ, wy, gw, -au, ch
at a word's start). No word of any particular question is listed.
"""

from __future__ import annotations

import re

from ..reading.cleaning import known_word

WELSH_NOTICE = (
    "This looks like Welsh. The assistant answers in English, from the reports' English text; "
    "Welsh questions are not yet understood, so ask in English for the best answer."
)

# Very common Welsh words that are not also common English words ("a", "i", "am", "mae" are left out).
FUNCTION_WORDS = frozenset(
    "y yr ac yn ym yng ar gyfer gan gyda efo hefo oedd roedd ydy ydyw yw oes sydd fydd bydd wedi "
    "beth faint pwy pryd ble lle sut pam pa paham ei eu ein eich fy dy hwn hon hyn hynny rhwng ond neu "
    "hefyd dros drwy trwy ynghylch ynglŷn gafodd cafodd gwnaeth ydych ydyn nid nad ddim mewn iddo iddi "
    "iddynt wrth heb tua".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_WELSH_SPELLING = re.compile(r"[ŵŷ]|dd|ll|^rh|wy|yw|^ch|^ff|^gw|ydd|wch|au$")
MIN_FUNCTION_WORDS = 2  # distinct ones
MIN_SPELT_SHARE = 0.5
ENGLISH_ZIPF = 1.5  # a word at least this common in English is no sign of Welsh


def welsh(text: str) -> bool:
    """Whether ``text`` (a question or search) is written in Welsh."""
    words = [w.lower().replace("’", "'").split("'")[0] for w in _WORD.findall(text)]  # yw'r -> yw
    if len({w for w in words if w in FUNCTION_WORDS}) >= MIN_FUNCTION_WORDS:
        return True
    long = [w for w in words if len(w) >= 4]
    spelt = [w for w in long if not known_word(w, ENGLISH_ZIPF) and _WELSH_SPELLING.search(w)]
    return len(long) >= 2 and len(spelt) >= MIN_SPELT_SHARE * len(long) and len(spelt) >= 2
