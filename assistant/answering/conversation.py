"""Follow-up questions in a chat: "and in 2017/18?" after a 2018/19 question.

A follow-up is resolved against the previous question of the conversation into a question
that stands on its own, which is what gets retrieved, answered and shown:

- a new period or year replaces the old one ("and in 2017/18?", "the year before?");
- "the <Name>" replaces the previous question's own "the <Name>", keeping its measure and
  period ("and the DSD?" after "What was the SRS Collaboration underspend?");
- a measure replaces the previous question's measure, keeping its subject and period ("what about
  the variance?" after "What was the ICT budget in 2018/19?": "What was the ICT variance in 2018/19?");
- a bare name replaces the previous question's one bare name ("and for South Wales?" after "How many
  officers does Gwent have?"); any other name is added to it ("and for Cumbria?");
- "it" and "its" in a short question stand for the one "the <Name>" the previous question used
  ("Who chairs it?" after "What does the ICT Delivery Board do?").

A message without a follow-up's opening ("and", "what about", …) is a follow-up only when it
is nothing but a period or a name ("2017/18?", "Gwent?"); one ordinary word ("budget") is a
question of its own.
"""

from __future__ import annotations

import re

from .analysis import MEASURE
from .figures import period_spans
from .terms import STOPWORDS, query_terms, without_periods

_LEAD = re.compile(
    r"^\s*(?:(?:and|but|also|so|ok|okay|then)\b[\s,]*)*(?:(?:what|how) about|what of|same (?:for|in)|(?:and )?for|in|during)?\b[\s,]*",
    re.I,
)
_STARTS_AS_FOLLOW_UP = re.compile(r"^\s*(and|but|also|what about|how about|what of|same for|same in)\b", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_EARLIER = re.compile(
    r"\b(?:the )?(?:(?:year|period) before(?: that)?|previous (?:year|period)|prior year|year earlier)\b", re.I
)
_LATER = re.compile(
    r"\b(?:the )?(?:(?:year|period) after(?: that)?|following (?:year|period)|next year|year later)\b", re.I
)


def _years_outside_periods(text: str) -> list[tuple[int, int, str]]:
    masked = without_periods(text)
    return [(m.start(), m.end(), m.group(0)) for m in _YEAR.finditer(masked)]


# A name: capitalised words or acronyms, joined by "of", "and", "&" ("SRS Collaboration", "DSD").
_NAME_WORDS = r"[A-Z][\w'’&/-]*(?:\s+(?:(?:of|and|&)\s+)?[A-Z][\w'’&/-]*)*"
_NAME = re.compile(rf"(?:the\s+)?{_NAME_WORDS}")
_THE_NAME = re.compile(rf"\bthe\s+({_NAME_WORDS})")


def is_follow_up(question: str) -> bool:
    """Whether ``question`` leans on the one before ("and in 2017/18?", "what about Gwent?")."""
    if _STARTS_AS_FOLLOW_UP.match(question):
        return True
    rest = _LEAD.sub("", _YEAR.sub("", without_periods(question)))
    terms = query_terms(rest)
    if not terms:
        return True  # nothing to ask about except a period or a year: "2017/18?", "In 2016?"
    # A name ("Gwent?", "the Estates Board?"), not ordinary words ("budget": a question of its own).
    return (
        len(terms) <= 4
        and not re.search(r"\b(who|what|which|when|where|why|how)\b", rest, re.I)
        and _NAME.fullmatch(rest.strip(" ?.!,")) is not None
    )


def _replaced_subject(topic: str, previous: str) -> str | None:
    """``previous`` with its one "the <Name>" replaced by ``topic`` when ``topic`` is itself "the <Name>"."""
    m = re.fullmatch(r"the\s+(.+)", topic, re.I)
    if not m or not _NAME.fullmatch(m.group(1)):
        return None
    named = [n for n in _THE_NAME.finditer(previous) if not period_spans(n.group(1))]
    if len(named) != 1:
        return None  # no subject, or more than one: which the follow-up replaces is not clear
    return previous[: named[0].start(1)] + m.group(1) + previous[named[0].end(1) :]


def _replaced_name(topic: str, previous: str) -> str | None:
    """``previous`` with its one bare name ("Gwent", not "the ICT …") replaced by ``topic`` when ``topic``
    is itself a bare name ("and for South Wales?" after "How many officers does Gwent have?")."""
    if topic.lower().startswith("the ") or not re.fullmatch(_NAME_WORDS, topic):
        return None
    bare = [n for n in _names(previous) if not n.group(0).lower().startswith("the ")]
    if len(bare) != 1:
        return None  # none, or several: which the follow-up replaces is not clear
    return previous[: bare[0].start()] + topic + previous[bare[0].end() :]


def _replaced_measure(topic: str, previous: str) -> str | None:
    """``previous`` with its last measure ("budget") replaced by ``topic`` when ``topic`` is a measure
    in lower case, with at most two words before it ("the variance", "the capital budget")."""
    m = re.fullmatch(r"(?:the\s+)?((?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*)", topic)
    if not m or not MEASURE.fullmatch(m.group(1).split()[-1]):
        return None
    # the previous measure in lower case (not a word of a name: "the Capital Programme Board"),
    # with the measure words before it ("the capital budget" is replaced whole by "the revenue budget")
    found = [f for f in MEASURE.finditer(previous) if f.group(0).islower()]
    if not found:
        return None
    start, end = found[-1].span()
    while (before := re.search(r"([a-z][\w-]*)\s+$", previous[:start])) and MEASURE.fullmatch(before.group(1)):
        start = before.start(1)
    return previous[:start] + m.group(1) + previous[end:]


def _shift(span_text: str, period: str | None, delta: int) -> str:
    """The year or period ``delta`` years on: 2018/19 -> 2017/18; 2018 -> 2017."""
    if period:
        start = int(period[:4]) + delta
        return f"{start}/{str(start + 1)[-2:]}"
    return str(int(span_text) + delta)


_PRONOUN = re.compile(r"\b(it|its)\b", re.I)
_DUMMY_IT = re.compile(
    r"\b(?:is|was|will|would|does|did|do)\s+it\s+(?:true|possible|likely|the case|right|fair)\b|\bit\s+takes?\b", re.I
)
_PRONOUN_WORDS = 2  # a question with more words of its own than this is about them, not the previous name


def _names(question: str) -> list[re.Match[str]]:
    """Where the names a question uses stand, but for its first word (capitalised as the sentence's start)."""
    first = re.match(r"\s*\S+\s*", question)
    return [
        m
        for m in _NAME.finditer(question, first.end() if first else 0)
        if not period_spans(m.group(0)) and not _YEAR.fullmatch(m.group(0))
    ]


def _named(question: str) -> list[str]:
    """The names a question uses, but for its first word."""
    return [m.group(0) for m in _names(question)]


def _unpronouned(question: str, previous: str) -> str | None:
    """``question`` with "it" or "its" standing for the one "the <Name>" the previous question asked
    about ("Who chairs it?" after "What does the ICT Delivery Board do?"); None when the question has
    names or several words of its own, or the previous question did not name one thing."""
    if not _PRONOUN.search(question) or _DUMMY_IT.search(question) or _named(question):
        return None
    if len(query_terms(without_periods(question))) > _PRONOUN_WORDS:
        return None
    names = list(dict.fromkeys(_named(previous)))
    if len(names) != 1 or not names[0].lower().startswith("the "):
        return None  # a bare name ("Does Gwent have a custody suite?") may not be what "it" is
    name = names[0]
    after = re.match(r"\s*([a-z]\w*)", previous[previous.find(name) + len(name) :])
    if after and after.group(1) not in STOPWORDS:
        return None  # the name qualifies a word after it ("the ICT budget"): which it stands for is not clear
    return _PRONOUN.sub(lambda m: f"{name}’s" if m.group(1).lower() == "its" else name, question)


def resolve(question: str, previous: str | None) -> str:
    """The follow-up rewritten as a standalone question; other questions unchanged."""
    question = question.strip()
    if not previous or not question:
        return question
    previous = previous.strip()
    if not is_follow_up(question):
        return _unpronouned(question, previous) or question
    new_periods = [question[s:e] for s, e, _ in period_spans(question)]
    new_years = [y for _, _, y in _years_outside_periods(question)]
    topic = _LEAD.sub("", question).strip(" ?.!")
    for written in new_periods + new_years:
        topic = topic.replace(written, "")
    topic = re.sub(r"\b(in|for|during)\s*$", "", topic.strip(" ,")).strip(" ,")
    old = sorted(
        [(s, e, p) for s, e, p in period_spans(previous)]
        + [(s, e, None) for s, e, _ in _years_outside_periods(previous)]
    )
    shift = -1 if _EARLIER.search(topic) else 1 if _LATER.search(topic) else 0
    if shift and old and not (new_periods or new_years):
        start, end, period = old[0]
        previous = previous[:start] + _shift(previous[start:end], period, shift) + previous[end:]
        topic = _LATER.sub("", _EARLIER.sub("", topic)).strip(" ,")
    elif new_periods or new_years:
        replacement = (new_periods or new_years)[0]
        if old:
            start, end, _ = old[0]
            previous = previous[:start] + replacement + previous[end:]
        else:
            previous = f"{previous.rstrip(' ?')} in {replacement}?"
    if topic:
        replaced = (
            _replaced_subject(topic, previous) or _replaced_name(topic, previous) or _replaced_measure(topic, previous)
        )
        previous = replaced if replaced is not None else f"{previous.rstrip(' ?')}, {topic}?"
    return previous
