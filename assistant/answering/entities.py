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
# A word ending "-s"/"-ed" before one of these is a plural noun, not the question's verb ("Which
# software firms were …", not "Which board monitors …").
_AUXILIARY = set("is are was were has have had do does did will would can could should may might must".split())
# Names listed in brackets after the words that say what they are: "three software providers
# (Andica, Iris and Keytime)", "the partner forces (Gwent and South Wales)".
_BRACKETED = re.compile(r"((?:[\w'’-]+\s+){1,3})\(([A-Z][^()]{1,118})\)")
_LISTED = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)")


def asked_kind(question: str) -> set[str]:
    """Stems of the words after "which"/"what" that name what is asked for ("Which force will host …"
    -> forc), with the vocabulary's last words of a name of that kind (police, constabulary).
    Empty when the question does not ask "which <kind>" (first or later: "… reported to which board?")."""
    m = next((m for m in _ASKED.finditer(question) if m.group(1).split()[0].lower() not in STOPWORDS), None)
    if m is None:
        return set()
    kind: set[str] = set()
    asked = words(m.group(1))
    for n, w in enumerate(asked[:3]):
        verb = n and re.search(r"(ed|s)$", w) and not (n + 1 < len(asked) and asked[n + 1].lower() in _AUXILIARY)
        if w.lower() in STOPWORDS or w[0].isdigit() or verb:
            break  # a verb ("Which board monitors …", "Which committee approved …")
        kind.add(stem(w.lower()))
    for k in list(kind):
        kind |= vocabulary().kinds.get(k, set())
    return kind


def named(sentence: str, kind: Collection[str], asked: Collection[str], question: str = "") -> str | None:
    """The first name in ``sentence`` of the kind asked, not one the question itself names: with a
    word the question does not use, or (given the ``question``) not written in it ("the Procurement
    Team" for "… with which team when procuring …"). Its last word, or the word after it, names the
    kind ("ICT Delivery Board" for "which board", "Management of Risks (M_o_R) methodology" for
    "what methodology")."""
    if not kind:
        return None
    said = " ".join(words(question.lower()))
    for m in _NAME.finditer(sentence):
        name = m.group(0).split()
        while name and name[0].lower() in STOPWORDS:  # "The", "We" opening a sentence
            name.pop(0)
        stems = [stem(w.lower()) for w in name]
        if (
            not stems
            or all(s in asked for s in stems)
            and (not said or " ".join(words(" ".join(name).lower())) in said)
        ):
            continue
        last = next((s for s in reversed(stems) if not s[0].isdigit()), "")  # "Gov Wi-Fi 4" is a Wi-Fi
        after = words(_ACRONYM_AFTER.sub("", sentence[m.end() :]))[:1]
        if last in kind or after and stem(after[0].lower()) in kind:
            return " ".join(name)
    return _bracketed(sentence, kind, asked)


def _bracketed(sentence: str, kind: Collection[str], asked: Collection[str]) -> str | None:
    """Names listed in brackets after a word of the kind asked ("software providers (Andica, Iris and
    Keytime)" for "which software firms"), each capitalised, one at least not the question's."""
    for m in _BRACKETED.finditer(sentence):
        if not any(stem(w.lower()) in kind for w in words(m.group(1))):
            continue
        items = [i.strip() for i in _LISTED.split(m.group(2)) if i.strip()]
        if all(i[0].isupper() and len(i.split()) <= 5 for i in items) and any(
            stem(w.lower()) not in asked for i in items for w in words(i)
        ):
            return m.group(2).strip()
    return None
