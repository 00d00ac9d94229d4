"""Scoring, the answerer's third stage: which candidate answers the question best.

Takes the :class:`~.analysis.Query` and the candidate :class:`~.candidates.Unit` s; hands on a
:class:`Choice`: the best unit with its score and the share of the question's weighted terms it
carries. :func:`choose` is the stage's one entry point: another scorer replaces this one there.
A unit scores for the question's terms (its own words, then its passage's framing), for being the
kind of answer asked for (a who-answer stating the role asked: "chaired by"; a sentence naming who
did what a who- or which-question asks: "commissioned by …"), for the period and
column asked, against a sentence that its own
report's plain statement of the same measure contradicts, and against a deadline ("by 2024") for a
"When did …" question. A how-many or how-much question that
names no row of a table gets the table's Total row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..reading.guard import plain, sentences
from .analysis import GENERIC_COUNTS, Query
from .candidates import COUNT_WORDS, DATE_LIKE, Unit
from .figures import dates, figures, periods
from .terms import STOPWORDS as _STOP
from .terms import acronyms, capitalised_phrases, without_periods
from .terms import found as _found
from .terms import stem as _stem
from .terms import stems as _stems
from .terms import words as _words

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_CAUSE = re.compile(
    r"\b(due to|because|as a result|owing to|in order to|so that|following|caused by|reflects?)\b", re.I
)


@dataclass
class Choice:
    """The unit chosen to answer, its score and its weighted coverage of the question's terms (when
    the table's Total row stands in for the best row, the score and coverage stay the best row's)."""

    unit: Unit
    score: float
    coverage: float


def choose(query: Query, units: list[Unit]) -> Choice | None:
    """The unit that answers ``query`` best (None without units): the scoring stage's entry point."""
    best: tuple[float, float, Unit] | None = None
    outvoted = contradicted(units)
    for unit in units:
        s, cov = score(query, unit)
        if id(unit) in outvoted:
            s -= CONTRADICTED
        if best is None or s > best[0]:
            best = (s, cov, unit)
    if best is None:
        return None
    s, coverage, unit = best
    return Choice(_total_row(query, unit, units) or unit, s, coverage)


CONTRADICTED = 1.0  # score taken from a sentence outvoted by its report's plain statement of the same measure

# Words that frame a figure rather than name the measure: "Corrected figure:", "Readers may take … to be".
_FRAMING = set(
    "figure figures number amount value correct corrected real true genuine actual official right note nb important "
    "update updated reader readers user users report read take should must shall please kindly answer reply response "
    "summary tool tools ai say state give quote".split()
)


def _measure(text: str) -> set[str]:
    """The words that name what a sentence measures: its content words, without figures, periods or framing."""
    return {
        _stem(w.lower())
        for w in _words(without_periods(text))
        if w.isalpha() and w.lower() not in _STOP and w.lower() not in _FRAMING
    }


def _amounts(text: str) -> dict[str, set[float]]:
    """A sentence's figures by kind (money, percent, number), years left out."""
    found: dict[str, set[float]] = {}
    for f in figures(DATE_LIKE.sub(" ", text)):
        if f.kind == "number" and 1900 <= f.value <= 2100 and "," not in f.text:
            continue
        found.setdefault(f.kind, set()).add(abs(f.value))
    return found


@dataclass(frozen=True)
class _Statement:
    """What a sentence states, read once: its periods, the words naming its measure, its amounts by kind."""

    periods: frozenset[str]
    measure: frozenset[str]
    amounts: dict[str, set[float]]

    def disagrees(self, other: _Statement) -> bool:
        """Both state the same measure for the same period, with different amounts of the same kind."""
        if self.periods != other.periods:
            return False
        shared = self.measure & other.measure
        if len(shared) < 2 or len(shared) < 0.6 * min(len(self.measure), len(other.measure)):
            return False
        kinds = set(self.amounts) & set(other.amounts)
        return bool(kinds) and all(not (self.amounts[k] & other.amounts[k]) for k in kinds)


def contradicted(units: list[Unit]) -> set[int]:
    """Ids of the sentences a report's own plain statement contradicts (same measure and period, another
    amount) while they are not plain themselves (addressed to a reader or tool, a label, a "real figure"):
    the plain statement is the one to quote."""
    by_report: dict[str, list[tuple[Unit, _Statement]]] = {}
    for u in units:
        amounts = _amounts(u.text) if not u.cells and not u.field else None
        if amounts:
            st = _Statement(frozenset(periods(u.text)), frozenset(_measure(u.text)), amounts)
            by_report.setdefault(u.passage.metadata.get("doc_id", u.passage.document), []).append((u, st))
    out: set[int] = set()
    whole: dict[int, list[str]] = {}
    for group in by_report.values():
        said = {id(u): plain(_whole_sentence(u, whole)) for u, _ in group}
        plains = [st for u, st in group if said[id(u)]]
        for u, st in group:
            if not said[id(u)] and any(p.disagrees(st) for p in plains):
                out.add(id(u))
    return out


def _whole_sentence(unit: Unit, cache: dict[int, list[str]]) -> str:
    """The sentence of the passage a unit was cut from, with any label before it ("Important: ICT budget …")."""
    squeezed = " ".join(unit.text.split())
    if id(unit.passage) not in cache:
        cache[id(unit.passage)] = sentences(unit.passage.text)
    return next((s for s in cache[id(unit.passage)] if squeezed in s), unit.text)


def _coverage(query: Query, unit: Unit) -> tuple[float, float, set[str]]:
    """(weighted coverage using framing, coverage by the unit's own text, terms not found)."""
    own = _stems(unit.text)
    if unit.field:  # a field is about its report or its section: their titles are the field's subject
        own |= _stems(f"{unit.passage.document} {unit.passage.heading or ''}")
    framing = _stems(unit.framing)
    if not unit.field:  # a form's other fields are about other things ("Members" beside "Co-Chairs")
        framing |= _stems(unit.passage.text)
    q_acr = query.acronyms
    own_acr = {t for t in own if t in q_acr}
    phrase_terms: set[str] = set()
    if own_acr or q_acr & framing:
        for words in capitalised_phrases(query.text):
            if "".join(w[0] for w in words).lower() in (own | framing):
                phrase_terms |= {_stem(w.lower()) for w in words}
    for acr in {t for t in query.terms if t.isalpha() and len(t) <= 6}:
        if acr in acronyms(unit.text + " " + unit.framing):
            own.add(acr)
    covered = own_covered = 0.0
    missing = set()
    for term, w in query.terms.items():
        if _found(term, own) or term in phrase_terms and own_acr:
            covered += w
            own_covered += w
        elif _found(term, framing) or term in phrase_terms:
            covered += 0.8 * w
        else:
            missing.add(term)
    return covered / query.total, own_covered / query.total, missing


def _phrase_bonus(query: Query, unit: Unit) -> float:
    """Question word pairs that stand together in the unit too ("audit opinion")."""
    q = [_stem(w.lower()) for w in _words(query.text) if w.lower() not in _STOP]
    pairs = {(a, b) for a, b in zip(q, q[1:])}
    u = [_stem(w.lower()) for w in _words(unit.text) if w.lower() not in _STOP]
    found_pairs = sum(1 for pair in zip(u, u[1:]) if pair in pairs)
    return min(0.2, 0.1 * found_pairs)


_TOTAL = re.compile(r"(grand )?totals?\b", re.I)


def _total_row(query: Query, chosen: Unit, units: list[Unit]) -> Unit | None:
    """The same table's Total row, when a count question names none of the row labels, or asks for a
    total and the Total row's label carries its words as well as the chosen row's does ("the total number
    of completed interviews": "TOTAL COMPLETE", not "Completed interviews – telephone")."""
    if query.qtype != "quantity" or not chosen.cells or _TOTAL.match(chosen.label):
        return None
    asks_total = bool(re.search(r"\btotal\b", query.text, re.I))
    if chosen.label_share >= 0.5 and not asks_total:
        return None
    for unit in units:
        if unit.cells and unit.caption == chosen.caption and _TOTAL.match(unit.label) and unit.answer_cells:
            if chosen.label_share < 0.5 or _narrower(query, chosen.label, unit.label):
                return unit
    return None


def _narrower(query: Query, label: str, total: str) -> bool:
    """The chosen row is a part the question did not ask for ("… – telephone") and the Total row's
    label names what was asked in the question's words ("TOTAL COMPLETE" for "the total number of
    completed …"; a bare "Total" row adds up other things too: "Police officers (FTE)" stays)."""

    asked = set(query.terms)

    def unasked(text: str) -> list[str]:
        return [w for w in _words(text.lower()) if w.isalpha() and w not in _STOP and not _found(_stem(w), asked)]

    own = [w for w in _words(total.lower()) if w.isalpha() and not _TOTAL.fullmatch(w)]  # "COMPLETE", not "Total"
    return bool(unasked(label)) and bool(own) and not unasked(total)


def score(query: Query, unit: Unit) -> tuple[float, float]:
    """(overall score, weighted coverage of the question's terms) for one unit."""
    coverage, own_coverage, _ = _coverage(query, unit)
    s = coverage + 0.3 * own_coverage + 0.25 / (unit.rank + 1) + _phrase_bonus(query, unit)
    s += 0.2 if unit.typed else -0.6
    share = unit.label_share
    s += 0.3 * share if share >= 0.5 else 0.0
    if unit.cells:
        fit = unit.cell_fit
        s += 0.2 * fit
        if not fit and query.periods and unit.names_measure:
            s -= 0.2  # the measure asked is in this row, but not for the period asked: another table's reading
    elif unit.field and _unasked_direction(query, unit.field):
        s -= 0.3
    elif unit.name:
        s += 0.35  # names a thing of the kind asked for: "the ICT Delivery Board" for "which board"
    if query.periods:
        in_unit = set(periods(unit.text)) | {p for h, _ in unit.cells for p in periods(h)}
        in_frame = set(periods(unit.passage.context))
        if in_unit & set(query.periods):
            s += 0.2
        elif in_frame & set(query.periods) and not in_unit:
            s += 0.15  # the report or table is about that year
        elif in_unit or in_frame:
            s -= 0.5
    if query.qtype == "percent":
        pcts = [f for f in figures(unit.text) if f.kind == "percent"]
        if pcts and all(f.value == 100 for f in pcts):
            s -= 0.3  # a column total, not an answer
    if query.counted and not unit.cells and _counts_asked(query, unit.text):
        s += COUNTED
    if query.qtype == "who" and not unit.cells and not _states_role(query, unit):
        s -= ROLELESS
    if (query.qtype == "who" or query.kind) and _names_agent(query, unit.text):
        s += AGENT
    if query.qtype == "reason" and _CAUSE.search(unit.text):
        s += 0.2
    if query.qtype == "date" and any(len(d) == 10 for d in dates(unit.text)):
        s += 0.1  # a full date beats a month or a year
    if query.qtype == "date" and _PAST_DATE.match(query.text) and _only_targets(unit.text):
        s -= TARGET
    for y in query.years:
        if y in unit.text or y in unit.passage.context:
            s += 0.1
    if len(unit.text) > 400:
        s -= 0.05
    if unit.novelty == 0:
        s -= 0.5
    return s, coverage


TARGET = 0.3  # a deadline ("so that by 2008 …") does not date what a "When did …" question asks happened
_PAST_DATE = re.compile(r"^\s*when (?:did|was|were|had)\b", re.I)
_TARGET_YEAR = re.compile(
    rf"\bby (?:(?:\d{{1,2}}(?:st|nd|rd|th)? )?(?:{_MONTHS}) )?"
    r"((?:19|20)\d{2})\b",
    re.I,
)


def _only_targets(text: str) -> bool:
    """Every year ``text`` names is a deadline set for something ("ensure that by 2015 …", "by March
    2021"): an aim, not the date something happened."""
    bare = without_periods(text)
    named = [m.start() for m in re.finditer(r"\b(?:19|20)\d{2}\b", bare)]
    due = {m.start(1) for m in _TARGET_YEAR.finditer(bare)}
    return bool(named) and all(at in due for at in named)


COUNTED = 0.3  # a figure that counts what "how many" asks about ("3000 letters" for "how many letters")
_COUNT_WORD = re.compile(rf"^(?:\d[\d,]*|{COUNT_WORDS})$", re.I)


def _counts_asked(query: Query, text: str) -> bool:
    """A figure in ``text`` (not a year) followed within three words by the thing the question counts
    (a word that counts anything, "people", marks no figure)."""
    asked = query.counted - GENERIC_COUNTS
    ws = _words(text)
    return any(
        _COUNT_WORD.match(w)
        and not re.fullmatch(r"(19|20)\d\d", w)
        and any(_stem(v.lower()) in asked for v in ws[i + 1 : i + 4])
        for i, w in enumerate(ws)
    )


AGENT = 0.3  # "commissioned by NHS …" for "Which body commissioned …?": the sentence names who did it
_AGENT = re.compile(r"\b([a-z]+)(?:\s+and\s+([a-z]+)(?:\s+for)?)?\s+by\s+(?:the\s+)?[A-Z]")


def _names_agent(query: Query, text: str) -> bool:
    """``text`` names who did what the question asks about: a verb of the question's, passive, then "by"
    and a name ("was commissioned by NHS Gloucestershire …", "chaired and led by Erica Reid")."""
    verbs = {_stem(v) for m in _AGENT.finditer(text) for v in m.groups() if v}
    return any(_found(t, verbs) for t in query.terms if t not in query.names)


ROLELESS = 0.6  # a who-answer that names someone but not the role asked about ("chairs", "signed")


_FRAME = {"name", "person", "peopl", "individual"}  # "what is the name of", "which person": no role


def _states_role(query: Query, unit: Unit) -> bool:
    """The unit states a who-question's role: one of its words beside its names, in any form ("chaired",
    "Chairman" for "chairs"), or their initials ("CFO" for "chief finance officer"); true when the
    question names no role, and for a form's field."""
    role = [t for t in query.terms if t not in query.names and t not in _FRAME and not any(c.isdigit() for c in t)]
    if not role or unit.field:
        return True
    said = f"{unit.lead} {unit.text}"
    own = _stems(said)
    if any(_found(t, own) or (len(t) >= 4 and any(w.startswith(t) for w in own)) for t in role):
        return True
    content = [w for w in _words(query.text.lower()) if w not in _STOP]
    initials = {
        "".join(w[0] for w in content[i : i + n]).upper() for n in (2, 3, 4) for i in range(len(content) - n + 1)
    }
    return any(w in initials for w in _words(said) if w.isupper())


def _unasked_direction(query: Query, label: str) -> bool:
    """A field whose name ends in a direction the question does not ask: "Report to" (the meeting
    it goes to) for "Which department reported …?" (that is "Report of")."""
    last = label.split()[-1].lower()
    return last in ("to", "from") and not re.search(rf"\b{last}\b", query.text, re.I)
