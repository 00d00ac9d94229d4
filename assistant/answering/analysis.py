"""Question analysis, the answerer's first stage: what a question asks for.

Takes the question's text; hands on a :class:`Query`: its type, read from its main clause ("When
the courts closed, how many …?" asks a figure) (how many / how much: a figure;
when: a date; who: a name; which / what: an entity; aims or a summary: open), its weighted key
terms, the financial periods and years it names, the initials of its capitalised phrases and,
for "which <kind>" questions, the kind of thing asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .entities import asked_kind
from .figures import periods, years
from .terms import STOPWORDS, acronyms, query_terms, stem, without_periods, words

_QUANTITY = re.compile(
    r"\b(how (many|much)|number of|how big|what size|(what|which) (was|is|were|are) the\b.*\b(total|budget|cost|amount|value|"
    r"variance|spend|expenditure|figure|savings?|ratio|rate|funding|grant|count|headcount|underspend|overspend|investment|target))\b",
    re.I,
)
PERCENT = re.compile(r"\b(percentage|proportion|per ?cent|share|ratio)\b|%", re.I)
# Words naming a measure: what a figure question asks for ("the ICT budget", "the variance")
_MEASURE_WORDS = (
    "budget|cost|costs|spend|spent|expenditure|variance|savings?|amount|funding|grant|total|value|headcount|"
    "underspend|overspend|investment|capital|revenue|salary|salaries|pay|wage|wages|price|fee|fees|score|scores"
)
MEASURE = re.compile(rf"\b({_MEASURE_WORDS})\b", re.I)
_MEASURE_STEMS = {stem(w.rstrip("?")) for w in _MEASURE_WORDS.replace("s?", "s").split("|")}
# "How much" with one of these asks an amount of money, and only a sum of money answers it; they are also
# what another word is compared with in meaning (money_by_meaning).
MONEY_WORDS = (
    "budget", "cost", "spend", "spent", "expenditure", "underspend", "overspend", "saving", "funding", "grant",
    "investment", "salary", "pay", "wage", "price", "fee",
)  # fmt: skip
_MONEY = re.compile(
    rf"\bhow much\b.*\b({'|'.join(MONEY_WORDS).replace('salary', 'salar(?:y|ies)')})s?\b"
    r"|\b(budget|cost|spend|spent|expenditure|funding|pay|price|fee)s?\b.*\bhow much\b",
    re.I,
)
_HOW_MUCH_OF = re.compile(r"\bhow much ([a-z]+)\b", re.I)
# Mean cosine of a word with MONEY_WORDS above which it names money too ("funds", "income", "cash": 0.43-0.47;
# words of other amounts, "time", "energy", "weight", "support", "carbon": 0.21-0.31).
MONEY_MEANING = 0.36
# "What is the Chief Constable's salary?": a sum of money named as what is asked, not only after "how much"
_MONEY_NAMED = re.compile(
    r"^\s*(what|which) (is|was|are|were|will be) the\b[^?]{0,60}?\b(salary|salaries|wages?|price|fees?|"
    r"cost|costs|expenditure|spend|funding|grant|precept)\b(?: (?:of|for) [^?]*)?\??\s*$"
    # or the sum is what the sentence is about: "What total capital budget did the PCC approve …?"
    r"|^\s*(what|which) (?:[a-z-]+ ){0,3}?(budget|salary|wages?|price|fees?|cost|expenditure|spend|funding|"
    r"grant|precept)s? (did|does|do|was|were|is|are|has|have|had|will|would)\b",
    re.I,
)
# "when" before a verb in -ing opens a clause ("… work with which team when procuring goods?"): no date asked
_WHEN = re.compile(
    r"\b(when(?! [a-z]+ing\b)|dates?|dated|what year|which year|what month|by when|how long ago|deadline|"
    r"(what|which) period(?! of)|time ?frames?|timescales?)\b",
    re.I,
)
_OPENS_QUANTITY = re.compile(r"^\s*how (?:many|much)\b", re.I)
_HOW_LONG = re.compile(r"\bhow long\b", re.I)
_HOW_OFTEN = re.compile(r"\bhow (often|frequently)\b", re.I)
# "Which (planning) inspector …": a role held by a person asks for a name, as "who" does
_PERSON_ROLES = (
    r"officers?|persons?|people|individuals?|inspectors?|chairs?|chairman|chairwoman|chairperson|directors?|ministers?|"
    r"commissioners?|councillors?|judges?|auditors?|managers?|officials?|members?|facilitators?|authors?|"
    r"secretary|secretaries|presidents?|chiefs?|constables?|superintendents?|leaders?|heads?|representatives?"
)
# the role, then a verb (not a noun it qualifies: "Which officer numbers …", "Which chief officer group …")
_ROLE_THEN_VERB = (
    r"(?![’'-])\s+(?:was|were|is|are|did|does|do|has|have|had|will|would|can|could|should|may|must|of|from|at|on|in|"
    r"for|[a-z]+ed|[a-z]+[lnr]t|led|made|gave|wrote|said|met|ran|chose|heard|held|sat|set|saw|came|told|"
    r"found|spoke|sent|brought|became|began|won|lost)\b|\s*\??\s*$"
)
_WHO = re.compile(
    rf"^\s*(who|whom|which ([\w-]+ )?({_PERSON_ROLES})(?:{_ROLE_THEN_VERB})|what is the name of)",
    re.I,
)

# Questions answered with a section's key points, not one sentence: aims, priorities, risks,
# recommendations, a summary, "what does the report say about X".
_OPEN_WORDS = (
    r"aims?|objectives|goals|priorities|risks|recommendations|challenges|benefits|achievements|"
    r"principles|actions|key points|main points|key messages|themes|concerns|issues|problems|lessons|conclusions|"
    r"outcomes|improvements|strengths|weaknesses|opportunities|threats|next steps"
)

_OPEN = re.compile(
    rf"^\s*(?:what (?:are|were) (?:the )?(?:\w+ ){{0,2}}(?:{_OPEN_WORDS})\b"
    rf"|what (?:are|were) (?:the |its |their )?(?:[\w'’-]+ ){{0,3}}(?:main|key|principal|major) (?:\w+ )?\w+s\b"
    rf"|(?:what|which) (?:\w+ )?(?:{_OPEN_WORDS}) (?:does|do|did|are|were|has|have|will|would|should|must)\b"
    rf"|(?:list|summari[sz]e|outline|give a summary of)\b"
    rf"|what (?:does|do|did) (?:the |this |their )?[\w -]{{0,40}}(?:say|said|set out|state) (?:about|on)\b"
    rf"|(?:what is|give) (?:a |the )?summary of\b)",
    re.I,
)


# A question asking for an account, not one fact: how something was done, what someone said, did
# or decided, what a thing was about, or what <things> (a plural) someone did. Answered like a
# why-question: the best sentence first, then the points closest to it in meaning.
_ACCOUNT = re.compile(
    r"^\s*(?:how (?:did|does|do|was|were|is|are|will|has|have|had)\b"
    r"|what (?:did|does|do|has|have|had|will|would) (?:the|this|that|its|their|each|our|(?-i:[A-Z])\w*)\b"
    r"|what (?:was|is|were|are) [^?]{3,80}\babout\s*\??\s*$"
    r"|what [a-z]{3,}[^siu\W]s (?:did|do|does|were|are|have|has|had|will|would)\b)",
    re.I,
)
# … but not a definition ("What does ICT stand for?", "What does 'precept' mean?")
_DEFINITION = re.compile(r"\b(?:stand|stands|stood) for\b|\bmeans?\s*\??\s*$|\bmeant\b", re.I)


@dataclass
class Query:
    text: str
    qtype: str  # quantity | percent | date | who | frequency | duration | reason | entity | open
    terms: dict[str, float]  # stem -> weight
    periods: list[str]
    years: list[str]
    acronyms: set[str]  # initials of the question's capitalised phrases
    kind: set[str] = field(default_factory=set)  # what a "which <kind>" question asks for (board, force)
    # stems of the names it uses: its capitalised words after the first, its acronyms
    names: set[str] = field(default_factory=set)
    money: bool = False  # asks an amount of money ("how much … spend")
    counted: set[str] = field(default_factory=set)  # stems of what "how many" counts ("how many letters were …")
    account: bool = False  # asks for an account (how, what someone said or did): several points answer
    # stems of the words naming the report asked ("according to the annual report on …"): where to
    # look, not what the answer says, so its passage need not carry them
    source: dict[str, float] = field(default_factory=dict)

    total: float = field(init=False)  # the question's weighted terms summed (1 for none)

    def __post_init__(self) -> None:
        self.total = sum(self.terms.values()) or 1.0


def money_by_meaning(query: Query, meaning: Callable[[str, list[str]], list[float]]) -> Query:
    """``query`` asking an amount of money when the word after "how much" is close in meaning to the
    money words ("How much income …", "How much cash …"), which the word list does not name."""
    m = _HOW_MUCH_OF.search(query.text)
    if query.money or query.qtype != "quantity" or not m or m.group(1).lower() in STOPWORDS:
        return query
    near = meaning(m.group(1).lower(), list(MONEY_WORDS))
    return replace(query, money=True) if sum(near) / len(near) >= MONEY_MEANING else query


# A question that opens with a clause setting the scene ("When the county reorganised its courts in 2014,
# how many …?", "If the precept rises, what …?") asks what its main clause asks, after the comma.
_LEADING_CLAUSE = re.compile(
    r"^\s*(?:when|if|after|before|once|while|whilst|given|since|as|where)\b[^,?]{3,160},\s*"
    r"(?=(?:how|what|which|who|whom|whose|when|why|where)\b)",
    re.I,
)


def analyse(question: str) -> Query:
    """Question type, weighted key terms and period constraints."""
    q = question.strip()
    lead = _LEADING_CLAUSE.match(q)
    query = _analyse(q[lead.end() :] if lead else q)
    if not lead:
        return query
    # the type from the main clause; the terms, periods and names from the whole question
    whole = _analyse(q)
    return replace(
        whole, qtype=query.qtype, kind=query.kind, money=query.money, counted=query.counted, account=query.account
    )


def _analyse(q: str) -> Query:
    kind = asked_kind(q)
    if kind & _MEASURE_STEMS:
        kind = set()  # "which budget", "what savings": a figure is asked for, not a name
    if _OPEN.search(q) and not (_QUANTITY.search(q) or _WHEN.search(q) or _WHO.search(q)):
        qtype = "open"
    elif _HOW_OFTEN.search(q):
        qtype = "frequency"
    elif _HOW_LONG.search(q):
        qtype = "duration"
    elif _WHO.search(q):
        qtype = "who"
    elif _WHEN.search(q) and not _OPENS_QUANTITY.match(q):  # "How many … closed when …": a count
        qtype = "date"
    elif re.match(r"^\s*why\b", q, re.I):
        qtype = "reason"
    elif re.match(r"^\s*how (did|does|do|was|were|is|are|will)\b", q, re.I) and not _QUANTITY.search(q):
        qtype = "entity"  # a manner
    elif kind and not (_QUANTITY.search(q) or PERCENT.search(q)):
        qtype = "entity"  # "… reported to which board?", whatever else the question mentions
    elif PERCENT.search(q):
        qtype = "percent"
    elif _QUANTITY.search(q) or MEASURE.search(q):
        qtype = "quantity"
    else:
        qtype = "entity"
    kind = kind if qtype == "entity" else set()
    # "how much time … spend", "how much of the budget": a share or a duration may answer, not only a sum
    money = (
        qtype == "quantity"
        and bool(_MONEY.search(q) or _MONEY_NAMED.search(q))
        and not re.search(r"\bhow much (time|of)\b", q, re.I)
    )
    counted = counted_words(q) if qtype == "quantity" else set()
    account = (
        qtype == "entity"
        and bool(_ACCOUNT.search(q))
        and not (MEASURE.search(q) or PERCENT.search(q) or _DEFINITION.search(q))
    )
    asked, named_source = without_source(q)
    terms = query_terms(asked)
    return Query(
        q,
        qtype,
        terms,
        periods(q),
        list(dict.fromkeys(years(without_periods(q)) + spanned_years(q))),
        acronyms(q),
        kind,
        names(q),
        money,
        counted,
        account,
        {t: w for t, w in query_terms(named_source).items() if t not in terms},
    )


# The report a question names as its source: "…, according to the overview of training in Finland?",
# "In the chapter on market structure, …", "… in the HMICFRS inspection report?"
_OWNER = r"[A-Z][\w&.-]*(?:\s+(?:and\s+)?[A-Z][\w&.-]*){0,3}['’]s"  # "Gwent's", "Avon and Somerset's"
_SOURCE_WORDS = r"(?:report|chapter|study|overview|review|paper|document|survey|update|inspection|audit|minutes)"
_SOURCE = re.compile(
    r",?\s*\baccording to\b[^,?]*"
    rf"|^\s*(?:in|from) (?:the|its|their) [^,?]{{0,80}}?\b{_SOURCE_WORDS}\b[^,?]{{0,60}},\s*"
    # at the end, only a document's name: "in the survey" is often what is asked about
    # (or a body's own: "in Gwent's November 2021 collaboration update")
    rf"|,?\s*\bin (?:the|its|their|{_OWNER}) [^,?]{{0,60}}?\b(?:report|chapter|overview|paper|document|update)\b"
    r"(?: (?:on|about|of) [^,?]{0,60})?(?=\s*\?|\s*$)",
    re.I,
)


def without_source(question: str) -> tuple[str, str]:
    """The question without the words naming its source report, and those words ("" for none)."""
    found = [m.group(0) for m in _SOURCE.finditer(question)]
    if not found:
        return question, ""
    rest = _SOURCE.sub(" ", question).strip()
    return (rest, " ".join(found)) if len(rest.split()) >= 3 else (question, "")


_SPAN = re.compile(r"\b((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b")


def spanned_years(question: str) -> list[str]:
    """The first and last years of a span of several years the question names ("the 2018-2025
    strategy"); a financial year (2018-2019) is a period, not a span."""
    out = []
    for m in _SPAN.finditer(question):
        if 2 <= int(m.group(2)) - int(m.group(1)) <= 30:
            out += [m.group(1), m.group(2)]
    return out


_COUNTED = re.compile(r"\bhow many ((?:[\w'’-]+ ?){1,3})", re.I)
_AFTER_COUNTED = re.compile(
    r"^(were|was|are|is|did|do|does|have|has|had|will|would|could|can|in|of|for|on|at|to|from|with|by|that|who|which|"
    r"[a-z]+ed)$",
    re.I,
)
_PLURAL = re.compile(r"^([a-z'’-]+[^su'’\W]s|people|staff|police|personnel|children|men|women)$", re.I)
GENERIC_COUNTS = {"peopl", "person", "individual", "time", "one", "thing", "case"}  # stems of words counting anything


def counted_words(question: str) -> set[str]:
    """The stem of the thing "how many" counts: the last plural among its next words, up to a verb or a
    preposition ("How many recruitment letters were posted?" -> letter; "How many new officers joined?"
    -> officer), else the first of them."""
    m = _COUNTED.search(question)
    if not m:
        return set()
    phrase: list[str] = []
    for w in words(m.group(1)):
        if _AFTER_COUNTED.match(w) and phrase:
            break
        phrase.append(w)
    plurals = [w for w in phrase if _PLURAL.match(w) and not w.lower().endswith("selves")]
    head = plurals[-1] if plurals else phrase[0] if phrase else ""
    return {stem(head.lower())} if head and head.lower() not in STOPWORDS else set()


def names(question: str) -> set[str]:
    """Stems of the names a question uses: its capitalised words after the first, and its acronyms
    ("Keytime", "HMRC" in "How many HMRC staff used Keytime?")."""
    out = set()
    for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z])", question):  # each sentence's first word is capitalised
        ws = words(sentence)
        out |= {stem(w.lower()) for i, w in enumerate(ws) if w[:1].isupper() and (i or w.isupper())}
    return out
