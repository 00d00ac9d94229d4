"""Names in a sentence, and the kind of thing a "which …" question asks for."""

from __future__ import annotations

import re
from collections.abc import Collection

from .terms import STOPWORDS, stem, vocabulary, words

_ASKED = re.compile(r"\b(?:which|what)\s+(\S.*)", re.I)
# Capitalised words standing together on one line, joined by "of", "and", "for" or "&":
# "Management of Risks", "Dyfed Powys Police", "Gov Wi-Fi 4".
_NAME = re.compile(r"[A-Z][\w'’/-]*(?:[ \t]+(?:(?:of|and|for|&)[ \t]+)?[A-Z0-9][\w'’/-]*)*")
_ACRONYM_AFTER = re.compile(r"^\s*\([^)]{1,15}\)")


def asked_kind(question: str) -> set[str]:
    """Stems of the words after "which"/"what" that name what is asked for ("Which force will host …"
    -> forc), with the vocabulary's last words of a name of that kind (police, constabulary).
    Empty when the question does not ask "which <kind>" (first or later: "… reported to which board?")."""
    m = next((m for m in _ASKED.finditer(question) if m.group(1).split()[0].lower() not in STOPWORDS), None)
    if m is None:
        return set()
    kind: set[str] = set()
    for n, w in enumerate(words(m.group(1))[:3]):
        if w.lower() in STOPWORDS or w[0].isdigit() or n and re.search(r"(ed|s)$", w):
            break  # a verb ("Which board monitors …", "Which committee approved …")
        kind.add(stem(w.lower()))
    for k in list(kind):
        kind |= vocabulary().kinds.get(k, set())
    return kind


def named(sentence: str, kind: Collection[str], asked: Collection[str]) -> str | None:
    """The first name in ``sentence`` of the kind asked, with a word the question does not use:
    its last word, or the word after it, names the kind ("ICT Delivery Board" for "which board",
    "Management of Risks (M_o_R) methodology" for "what methodology")."""
    if not kind:
        return None
    for m in _NAME.finditer(sentence):
        name = m.group(0).split()
        while name and name[0].lower() in STOPWORDS:  # "The", "We" opening a sentence
            name.pop(0)
        stems = [stem(w.lower()) for w in name]
        if not stems or all(s in asked for s in stems):
            continue
        last = next((s for s in reversed(stems) if not s[0].isdigit()), "")  # "Gov Wi-Fi 4" is a Wi-Fi
        after = words(_ACRONYM_AFTER.sub("", sentence[m.end() :]))[:1]
        if last in kind or after and stem(after[0].lower()) in kind:
            return " ".join(name)
    return None
