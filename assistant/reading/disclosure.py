"""Disclosure status of a report: ``public`` or ``restricted``, from the report's own words.

A sidecar or manifest entry decides when given. Otherwise the report's disclosure statements
are read: "This document can be disclosed to the public", "suitable for the public domain? Yes",
a "Public/Non Public" field with one value left, "Is there a Part 2 form - YES", a protective
marking. Any restricting statement wins over a public one, and a report that says nothing
is restricted: marking something public needs the report's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..documents import Page

PUBLIC = "public"
RESTRICTED = "restricted"
STATUSES = (PUBLIC, RESTRICTED)

_I = re.I
_PUBLIC_SIGNS = [
    re.compile(r"\b(?:can|may|will|should) be (?:disclosed|released|made available|published) to the public\b", _I),
    re.compile(r"\bsuitable for (?:the )?public domain\W{0,6}yes\b", _I),
    re.compile(r"\bpublic\s*/\s*non[- ]?public\*?\s*[:\t ]\s*public\b(?!\s*/)", _I),
    re.compile(r"\b(?:classification|status|disclosure)\s*[:\-]\s*public\b", _I),
    re.compile(r"\bfor publication\s*[:\-]\s*yes\b", _I),
]
_RESTRICTED_SIGNS = [
    (re.compile(r"\bpublic\s*/\s*non[- ]?public\*?\s*[:\t ]\s*non[- ]?public\b", _I), "marked Non Public"),
    (re.compile(r"^\s*non[- ]public\s*$", _I | re.M), "marked Non Public"),
    (
        re.compile(
            r"\bnot (?:be )?(?:suitable )?for (?:the )?public(?:ation| domain| disclosure| release)?\b(?!\s*/)", _I
        ),
        "not for publication",
    ),
    (re.compile(r"\bsuitable for (?:the )?public domain\W{0,6}no\b", _I), "not suitable for the public domain"),
    (re.compile(r"\bpart\s*(?:2|two|ii)\b[^\n]{0,30}?[-–:?]\s*yes\b", _I), "has a confidential Part 2"),
    (
        re.compile(r"\bpublication of this (?:form|report|document) (?:to )?be deferred\W{0,6}yes\b", _I),
        "publication deferred",
    ),
    (
        re.compile(r"\bexempt (?:from (?:publication|disclosure)|under section \d+[A-Za-z()0-9]*)[^\n.]{0,80}", _I),
        "exempt from disclosure",
    ),
    (re.compile(r"\b(?:OFFICIAL[- ]SENSITIVE|SECRET|TOP SECRET)\b"), "protective marking"),
    (re.compile(r"(?<!NON )(?<!NON-)\b(?:RESTRICTED|CONFIDENTIAL)\b(?! FACTS)"), "protective marking"),
]
# A form line that still offers both choices ("suitable / is not suitable ... delete as appropriate") says nothing.
_UNDECIDED = re.compile(r"delete as appropriate|\bif (?:non[- ]public|yes|you consider)\b|please state", _I)


@dataclass(frozen=True)
class Disclosure:
    status: str
    reason: str | None
    origin: str  # how it was decided, as shown in the report library


def _lines(pages: list[Page]) -> list[tuple[int | None, str]]:
    """Each line, then each pair of lines (a statement wrapped in a PDF), without form prompts."""
    singles, pairs = [], []
    for page in pages:
        lines = [" ".join(line.replace("*", " ").replace("|", " ").split()) for line in page.text.splitlines()]
        lines = [line for line in lines if line]
        singles += [(page.number, line) for line in lines]
        pairs += [(page.number, f"{a} {b}") for a, b in zip(lines, lines[1:])]
    return [(n, text) for n, text in singles + pairs if not _UNDECIDED.search(text)]


def _quote(number: int | None, text: str) -> str:
    where = f" (p. {number})" if number else ""
    return f"report text{where}: “{text[:160]}”"


def detect(pages: list[Page]) -> Disclosure:
    """The status the report's own words give, or ``restricted`` when they give none."""
    public: tuple[int | None, str] | None = None
    for number, text in _lines(pages):
        for sign, reason in _RESTRICTED_SIGNS:
            m = sign.search(text)
            if m:
                detail = m.group(0).strip() if reason == "exempt from disclosure" else reason
                return Disclosure(RESTRICTED, detail, _quote(number, text))
        if public is None and any(s.search(text) for s in _PUBLIC_SIGNS):
            public = (number, text)
    if public is not None:
        return Disclosure(PUBLIC, None, _quote(*public))
    return Disclosure(RESTRICTED, "no disclosure statement found", "default: the report does not say it is public")


def parse_status(value: object) -> str | None:
    """A sidecar's disclosure value as a status, or None when it is not one."""
    text = str(value).strip().lower().replace("-", " ")
    if text in ("public", "open", "yes"):
        return PUBLIC
    if text in ("restricted", "non public", "not public", "confidential", "private", "no"):
        return RESTRICTED
    return None
