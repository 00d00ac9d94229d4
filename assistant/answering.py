"""The default answerer: extractive and grounded, no LLM.

From the top passages it picks the sentence or table cell that answers the question,
matched to the question's type (how many / how much: figures; when: dates; who: names;
which/what: entities) and constraints (period, organisation, table column). It abstains
when no passage carries the question's key terms and the kind of answer asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .documents import Passage
from .entities import asked_kind, named
from .figures import Figure, dates, figures, periods, years
from .guard import directed, instruction_like, plain, sentences, without_instructions
from .terms import FUNCTION_WORDS, coverage, query_terms, without_periods
from .terms import STOPWORDS as _STOP
from .terms import found as _found
from .terms import stem as _stem
from .terms import stems as _stems
from .terms import weight as _weight
from .terms import words as _words

MAX_ANSWER = 300
ABSTAIN_COVERAGE = 0.4  # share of the question's weighted terms the best evidence must carry
RARE_TERM = 2.7  # a question word this rare (7 - Zipf frequency) must appear in some retrieved passage

_QUANTITY = re.compile(
    r"\b(how (many|much)|number of|how big|what size|(what|which) (was|is|were|are) the\b.*\b(total|budget|cost|amount|value|"
    r"variance|spend|expenditure|figure|savings?|ratio|rate|funding|grant|count|headcount|underspend|overspend|investment|target))\b",
    re.I,
)
_PERCENT = re.compile(r"\b(percentage|proportion|per ?cent|share|ratio)\b|%", re.I)
_MEASURE = re.compile(
    r"\b(budget|cost|costs|spend|spent|expenditure|variance|savings?|amount|funding|grant|total|value|"
    r"headcount|underspend|overspend|investment|capital|revenue|salary|salaries|pay|wage|wages|price|fee|fees)\b",
    re.I,
)
_WHEN = re.compile(r"\b(when|date|dated|what year|which year|what month|by when|how long ago|deadline)\b", re.I)
_CAUSE = re.compile(
    r"\b(due to|because|as a result|owing to|in order to|so that|following|caused by|reflects?)\b", re.I
)
_HOW_LONG = re.compile(r"\bhow long\b", re.I)
_COUNT = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|dozen"
_DURATION = re.compile(rf"\b(\d+|{_COUNT}|several|many)\s+(years?|months?|weeks?|days?)\b", re.I)
_HOW_OFTEN = re.compile(r"\bhow (often|frequently)\b", re.I)
_FREQUENCY = re.compile(
    r"\b(daily|weekly|fortnightly|monthly|quarterly|annually|yearly|bi-?annual|every|each (day|week|month|year|quarter)|times a)\b",
    re.I,
)
_MONTH_SHORT_YEAR = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+'?\d{2}\b")
_WHO = re.compile(r"^\s*(who|whom|which (officer|person|people|individual)|what is the name of)\b", re.I)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?:])\s+(?=[A-Z(“\"•\-–0-9])|\n+(?=[A-Z(“\"•\-–0-9])|\s+[•◆▪]\s+")
_LEAD_NUMBER = re.compile(r"^\d{1,2}(\.\d{1,2}){0,3}\.?\s+(?=[A-Z])")
_TITLED = re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr|DCC|ACC|ACO|DCI|Supt|CFO|CEO|Cllr|Sir|Dame|Signed:)\.?\s+[A-Z]")
_CAPITALISED_PAIR = re.compile(r"(?=\b([A-Z][A-Za-z'’-]+)\s+(?:[A-Z]\.\s+)?([A-Z][A-Za-z'’-]+)\b)")
_NUMBER_WORDS = re.compile(  # lower case, or capitalised only to start a sentence: "Part One" is a title
    rf"\b({_COUNT})\b|(?:^|(?<=[.!?:]\s))({_COUNT.title()})\b"
)
_DATE_LIKE = re.compile(
    r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{1,2}\s?(?:st|nd|rd|th)\b|\b\d{1,2}\s*-\s*[A-Z][a-z]{2}\s*-\s*\d{2}\b"
)
_PERCENT_WORDS = re.compile(r"\bper ?cent\b", re.I)
# Questions answered with a section's key points, not one sentence: aims, priorities, risks,
# recommendations, a summary, "what does the report say about X".
_OPEN_WORDS = (
    r"aims?|objectives|goals|priorities|risks|recommendations|challenges|benefits|achievements|"
    r"principles|actions|key points|main points|key messages|themes"
)
_OPEN = re.compile(
    rf"^\s*(?:what (?:are|were) (?:the )?(?:\w+ ){{0,2}}(?:{_OPEN_WORDS})\b|what (?:\w+ )?(?:{_OPEN_WORDS}) (?:does|do|did|are|were|has|have)\b"
    rf"|(?:list|summari[sz]e|outline|give a summary of)\b"
    rf"|what (?:does|do|did) (?:the |this |their )?[\w -]{{0,40}}(?:say|said|set out|state) (?:about|on)\b"
    rf"|(?:what is|give) (?:a |the )?summary of\b)",
    re.I,
)
MAX_POINTS = 5
SectionReader = Callable[[Passage], list[Passage]]
_ITEM = re.compile(r"^\s*(?:[-•◆▪*–]|\(?[a-z]\)|\(?[ivx]{1,4}\)|\d{1,2}\.\d{1,2}\.?)\s+(?=\S)")


@dataclass
class Query:
    text: str
    qtype: str  # quantity | percent | date | who | frequency | duration | reason | entity | open
    terms: dict[str, float]  # stem -> weight
    periods: list[str]
    years: list[str]
    acronyms: set[str]  # initials of the question's capitalised phrases
    kind: set[str] = field(default_factory=set)  # what a "which <kind>" question asks for (board, force)

    @property
    def total(self) -> float:
        return sum(self.terms.values()) or 1.0


def analyse(question: str) -> Query:
    """Question type, weighted key terms and period constraints."""
    q = question.strip()
    kind = asked_kind(q)
    if _MEASURE.search(" ".join(kind)):
        kind = set()  # "which budget": a figure is asked for, not a name
    if _OPEN.search(q) and not (_QUANTITY.search(q) or _WHEN.search(q) or _WHO.search(q)):
        qtype = "open"
    elif _HOW_OFTEN.search(q):
        qtype = "frequency"
    elif _HOW_LONG.search(q):
        qtype = "duration"
    elif _WHO.search(q):
        qtype = "who"
    elif _WHEN.search(q):
        qtype = "date"
    elif re.match(r"^\s*why\b", q, re.I):
        qtype = "reason"
    elif re.match(r"^\s*how (did|does|do|was|were|is|are|will)\b", q, re.I) and not _QUANTITY.search(q):
        qtype = "entity"  # a manner
    elif kind and not (_QUANTITY.search(q) or _PERCENT.search(q)):
        qtype = "entity"  # "… reported to which board?", whatever else the question mentions
    elif _PERCENT.search(q):
        qtype = "percent"
    elif _QUANTITY.search(q) or _MEASURE.search(q):
        qtype = "quantity"
    else:
        qtype = "entity"
    kind = kind if qtype == "entity" else set()
    return Query(q, qtype, query_terms(q), periods(q), years(without_periods(q)), _acronyms(q), kind)


@dataclass
class Unit:
    """A candidate answer: a sentence of a paragraph, or a table row."""

    passage: Passage
    rank: int
    text: str
    cells: list[tuple[str, str]] = field(default_factory=list)  # (header, value) for table rows
    label: str = ""
    caption: str = ""
    lead: str = ""  # the sentence introducing a list item ("The ratio for 2016/17 is:")
    field: str = ""  # a form field's name ("Report to"): the unit is its value

    @property
    def framing(self) -> str:
        return f"{self.passage.context} {self.lead}"

    @property
    def figure_cells(self) -> list[tuple[str, str]]:
        """A table row's cells that hold a figure."""
        return [(h, v) for h, v in self.cells if any(c.isdigit() for c in v)]


# A cell's value at the end of "header value": a figure (signed, currency, thousands grouped by
# commas or spaces, a percentage), a year range (1990-96) or a dash for nothing.
_CELL = re.compile(
    r"^(.*?)\s*((?<![\d.,])(?:(?:19|20)\d{2}\s?[-–/]\s?\d{2,4}|[-–+]?[£$€]?\(?[£$€]?[-–]?(?:\d{1,3}(?: \d{3})+|\d[\d,]*)?"
    r"(?:\.\d+)?\)?%?)|[-–])$"
)


def _table_cells(text: str) -> tuple[str, str, list[tuple[str, str]]]:
    parts = [p.strip() for p in text.split(" | ")]
    if len(parts) < 3:
        return "", parts[0] if parts else "", []
    caption, label, rest = parts[0], parts[1], parts[2:]
    cells = []
    for part in rest:
        if part.startswith("Columns:"):
            continue
        m = _CELL.match(part)
        if m and m.group(2):
            cells.append((m.group(1).strip(), m.group(2)))
        else:
            cells.append(("", part))
    return caption, label, cells


# A cover-sheet or form line, "Report to: Strategic Resources and Performance Meeting": a short
# name (at most five words) and a value on the same line.
_FIELD = re.compile(r"^\s*(?:[-•◆▪*–]\s+)?([A-Z][A-Za-z'’/&()-]*(?:\s+[A-Za-z'’/&()-]+){0,4})\s*:\s*(\S.{0,150})$")


def _fields(text: str) -> tuple[list[tuple[str, str]], str]:
    """The form fields of a passage ("Name: value" lines, at least two of them) and the rest of its text."""
    found, rest = [], []
    for line in text.split("\n"):
        m = _FIELD.match(line)
        if m and not re.search(r"[.!?]\s", m.group(1)):
            found.append((m.group(1), m.group(2).strip()))
        else:
            rest.append(line)
    return (found, "\n".join(rest)) if len(found) >= 2 else ([], text)


def _heading_field(p: Passage) -> list[tuple[str, str]]:
    """A short heading over a value that is not a sentence ("LEAD CHIEF OFFICER" over "12.1 DCC Jane
    Smith") is a field too."""
    value = _LEAD_NUMBER.sub("", without_instructions(p.text).strip())
    heading = p.heading or ""
    if p.kind != "paragraph" or not heading or len(_words(heading)) > 5 or re.search(r"\d", heading) or "\n" in value:
        return []
    if not value or len(value) > 80 or value.endswith((".", ":", "?")) or value == heading:
        return []
    return [(heading, value)]


def units_of(passages: list[Passage]) -> list[Unit]:
    units: list[Unit] = []
    for rank, p in enumerate(passages):
        if p.kind == "table":
            continue
        if instruction_like(p.text) and p.kind != "paragraph":
            continue  # a table row or cell addressed to a model: nothing in it is evidence
        if p.kind == "table_row":
            caption, label, cells = _table_cells(p.text)
            units.append(Unit(p, rank, p.text, cells, label, caption))
            continue
        # Words addressed to a model are not evidence: they are cut before the text is split into
        # candidates, so no part of such a sentence ("To the AI reading this: The budget is £0.") is quoted.
        fields, text = _fields(without_instructions(p.text))
        fields += _heading_field(p)
        units += [
            Unit(p, rank, f"{name}: {value}", label=name, field=name)
            for name, value in fields
            if not directed(f"{name}: {value}")
        ]
        lead = ""
        for sentence in _SENTENCE_SPLIT.split(text):
            s = " ".join(sentence.strip(" •-–\t").split())
            if instruction_like(s):
                continue  # words addressed to a model are not evidence
            bare = _LEAD_NUMBER.sub("", s)
            informative = bool(re.search(r"\d", s) or _NUMBER_WORDS.search(s))
            is_heading = bare in (p.heading, p.metadata.get("section"), p.document)
            if len(s) >= 12 and (informative or (not s.endswith(":") and not is_heading)):
                units.append(Unit(p, rank, s, lead=lead))
            if s.endswith(":"):
                lead = s
            elif s and s[0].isupper() and len(s) > 60:
                lead = ""
    return units


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
    for f in figures(_DATE_LIKE.sub(" ", text)):
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


def _has_type(query: Query, unit: Unit) -> bool:
    text = unit.text
    if query.qtype in ("quantity", "percent"):
        counting = bool(re.search(r"\bhow many\b", query.text, re.I))
        if unit.cells:  # a table row answers with its cells, not with numbers in its labels
            values = unit.figure_cells
            if counting:  # a count is not an amount of money
                values = [(h, v) for h, v in values if not re.search(r"[£$€]", h + v)]
            figs = [f for _, v in values for f in figures(v)]
        else:
            figs = [f for f in figures(_DATE_LIKE.sub(" ", text)) if not _is_paragraph_number(f, unit)]
            if counting:
                figs = [f for f in figs if f.kind != "money"]
        if query.qtype == "percent":
            in_percent = any(_PERCENT.search(h) for h, _ in unit.figure_cells)
            return any(f.kind == "percent" for f in figs) or in_percent or bool(_PERCENT_WORDS.search(text))
        real = [f for f in figs if not (f.kind == "number" and 1900 <= f.value <= 2100 and "," not in f.text)]
        return bool(real) or (not unit.cells and bool(_NUMBER_WORDS.search(text)))
    if query.qtype == "date":
        asks_year = re.search(r"\b(year|financial year)\b", query.text, re.I)
        return bool(
            dates(text)
            or years(without_periods(text))
            or _MONTH_SHORT_YEAR.search(text)
            or (asks_year and periods(text))
        )
    if query.qtype == "who":  # a form's field the question names answers with whoever or whatever it holds
        return _names_someone(text) or bool(unit.field) and _label_share(query, unit) >= 0.5
    if query.qtype == "frequency":
        return bool(_FREQUENCY.search(text))
    if query.qtype == "duration":
        return bool(_DURATION.search(text))
    if query.qtype == "reason":
        return not unit.cells  # a table row states figures, not reasons
    return True


def _names_someone(text: str) -> bool:
    """A person or organisation: a titled name, a rare capitalised pair, or an acronym before a name."""
    if _TITLED.search(text):
        return True
    for m in _CAPITALISED_PAIR.finditer(text):
        first, second = m.group(1), m.group(2)
        if second.isupper():
            continue  # "Tri-Force PCC": a name does not end in an acronym
        if (
            first.isupper()
            and 2 <= len(first) <= 6
            and _weight(first.lower()) >= 2.5
            and _weight(second.lower()) >= 2.3
        ):
            return True  # NHS Collaborative, CFO Gwent
        if min(_weight(first.lower()), _weight(second.lower())) >= 2.3:
            return True
    return False


def _is_paragraph_number(fig: Figure, unit: Unit) -> bool:
    para = unit.passage.paragraph
    return bool(para) and unit.text.lstrip("•-– ").startswith(para) and fig.text.strip(".") == para


_PHRASE = re.compile(r"\b(?:[A-Z][a-z]+(?:\s+(?:and|of|&)\s+|\s+)){1,5}[A-Z][a-z]+")


def _capitalised_phrases(text: str) -> list[list[str]]:
    """The capitalised words of each capitalised phrase (Shared Resource Service)."""
    return [[w for w in re.split(r"\s+", m.group(0)) if w[0].isupper()] for m in _PHRASE.finditer(text)]


def _acronyms(text: str) -> set[str]:
    """Initials of capitalised phrases (Shared Resource Service -> srs)."""
    return {"".join(w[0] for w in words).lower() for words in _capitalised_phrases(text) if len(words) >= 2}


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
        for words in _capitalised_phrases(query.text):
            if "".join(w[0] for w in words).lower() in (own | framing):
                phrase_terms |= {_stem(w.lower()) for w in words}
    for acr in {t for t in query.terms if t.isalpha() and len(t) <= 6}:
        if acr in _acronyms(unit.text + " " + unit.framing):
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


def _label_share(query: Query, unit: Unit) -> float:
    """The share of a table row's label words that the question uses (0 for sentences)."""
    label = {_stem(w.lower()) for w in _words(unit.label) if w.lower() not in FUNCTION_WORDS}
    if not label:
        return 0.0
    asked = {_stem(w.lower()) for w in _words(query.text)} | query.acronyms
    return sum(1 for t in label if _found(t, asked)) / len(label)


_TOTAL = re.compile(r"(grand )?totals?\b", re.I)


def _total_row(query: Query, chosen: Unit, units: list[Unit]) -> Unit | None:
    """The same table's Total row, when a count question names none of the row labels."""
    if (
        query.qtype != "quantity"
        or not chosen.cells
        or _TOTAL.match(chosen.label)
        or _label_share(query, chosen) >= 0.5
    ):
        return None
    for unit in units:
        if unit.cells and unit.caption == chosen.caption and _TOTAL.match(unit.label) and choose_cells(query, unit):
            return unit
    return None


def score(query: Query, unit: Unit) -> tuple[float, float]:
    """(overall score, weighted coverage of the question's terms) for one unit."""
    coverage, own_coverage, _ = _coverage(query, unit)
    s = coverage + 0.3 * own_coverage + 0.25 / (unit.rank + 1) + _phrase_bonus(query, unit)
    s += 0.2 if _has_type(query, unit) else -0.6
    share = _label_share(query, unit)
    s += 0.3 * share if share >= 0.5 else 0.0
    if unit.cells:
        fit = _cell_fit(query, unit)
        s += 0.2 * fit
        if not fit and query.periods and any(_header_fit(query, unit, h) for h, _ in unit.figure_cells):
            s -= 0.2  # the measure asked is in this row, but not for the period asked: another table's reading
    elif unit.field and _unasked_direction(query, unit.field):
        s -= 0.3
    elif named(unit.text, query.kind, query.terms):
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
    if query.qtype == "reason" and _CAUSE.search(unit.text):
        s += 0.2
    if query.qtype == "date" and any(len(d) == 10 for d in dates(unit.text)):
        s += 0.1  # a full date beats a month or a year
    for y in query.years:
        if y in unit.text or y in unit.passage.context:
            s += 0.1
    if len(unit.text) > 400:
        s -= 0.05
    if _novelty(query, unit) == 0:
        s -= 0.5
    return s, coverage


def _unasked_direction(query: Query, label: str) -> bool:
    """A field whose name ends in a direction the question does not ask: "Report to" (the meeting
    it goes to) for "Which department reported …?" (that is "Report of")."""
    last = label.split()[-1].lower()
    return last in ("to", "from") and not re.search(rf"\b{last}\b", query.text, re.I)


def _cell_fit(query: Query, unit: Unit) -> float:
    """How well a table row's best cell fits the question: a column of the period asked whose header
    names the measure asked ("2016/17 Total" for a total in 2016-17), from 0 to 1.5."""
    cells = _in_period(query, unit.figure_cells)
    return max((_header_fit(query, unit, h) for h, _ in cells), default=0.0)


def _in_period(query: Query, cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The cells whose column is of a period the question asks about, or all of them when none is."""
    if not query.periods:
        return cells
    return [(h, v) for h, v in cells if set(periods(h)) & set(query.periods)] or cells


def choose_cells(query: Query, unit: Unit) -> list[tuple[str, str]]:
    """The table cells that answer the question: its period's column, its measure, its unit."""
    numeric = query.qtype in ("quantity", "percent")
    cells = [(h, v) for h, v in unit.cells if v and (any(c.isdigit() for c in v) or not numeric)]
    if not cells:
        return []
    cells = _in_period(query, cells)
    fits = [_header_fit(query, unit, h) for h, _ in cells]
    if max(fits) > 0:  # the column the question names: most of its words, and few others
        cells = [c for c, fit in zip(cells, fits) if fit >= max(fits) - 1e-9]
    if query.qtype == "percent":
        pct = [(h, v) for h, v in cells if v.endswith("%") or _PERCENT.search(h)]
        cells = pct or cells
    elif len(cells) > 1:
        plain = [(h, v) for h, v in cells if not v.endswith("%") and "%" not in h]
        cells = plain or cells
    return cells[:3]


def _header_fit(query: Query, unit: Unit, header: str) -> float:
    """How well a column header matches the question: most of its words, and few others.

    Words the row label or the table's caption already explain count for less.
    """
    words = {_stem(w.lower()) for w in _words(header) if w.lower() not in _STOP}
    if not words:
        return 0.0
    head = words | _stems(header)  # with the report's other words for it (expenditure ~ spend)
    framing = _stems(f"{unit.label} {unit.caption}")
    asked = {t: (0.3 * w if _found(t, framing) else w) for t, w in query.terms.items()}
    recall = sum(w for t, w in asked.items() if _found(t, head)) / (sum(asked.values()) or 1.0)
    precision = sum(1 for t in words if any(_found(t, {a}) or _found(a, {t}) for a in asked)) / len(words)
    return recall + 0.5 * precision if recall else 0.0


def _money(header: str, value: str) -> str:
    """Write a money cell as the issue's citations do: -£86,192."""
    if value.startswith("£-") or value.startswith("£–"):
        return "-£" + value[2:]
    return value


def compose(query: Query, unit: Unit) -> str:
    """A concise answer quoting the figure as the report writes it."""
    if unit.cells:
        cells = choose_cells(query, unit)
        where = f"{unit.label}, {unit.caption}" if unit.caption else unit.label
        if len(cells) == 1:
            head, value = cells[0]
            return _trim(f"{head or 'Value'} for {where}: {_money(head, value)}")
        if cells:
            return _trim(f"{where}: " + "; ".join(f"{h} {_money(h, v)}".strip() for h, v in cells))
    sentence = _LEAD_NUMBER.sub("", unit.text)
    name = named(sentence, query.kind, query.terms)
    return _trim(f"{name}: {sentence}" if name and not unit.field else sentence)


def _trim(text: str, limit: int = MAX_ANSWER) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return cut[: cut.rfind(" ")] + "…"


@dataclass
class Extracted:
    query: Query
    answer: str | None
    unit: Unit | None
    coverage: float
    support: list[Passage]
    confidence: float = 0.0  # the coverage of an answer that passes every check, else 0: abstain below ABSTAIN_COVERAGE


def _points(passages: list[Passage]) -> list[tuple[str, Passage]]:
    """A section's key points in reading order: its list items, or else each passage's first sentence."""
    ordered = sorted(passages, key=lambda p: p.reading_order)
    items = [
        (_LEAD_NUMBER.sub("", _ITEM.sub("", line).strip()), p)
        for p in ordered
        for line in without_instructions(p.text).split("\n")
        if _ITEM.match(line)
    ]
    items = [(t, p) for t, p in items if len(t) >= 20 and not t.endswith(":") and not instruction_like(t)]
    if len(items) < 2:
        items = []
        for p in ordered:  # a sentence, not a heading line: long, or closed by a full stop
            text = without_instructions(p.text)
            sentences = (_LEAD_NUMBER.sub("", s.strip(" •-–")) for s in _SENTENCE_SPLIT.split(text))
            first = next((t for t in sentences if len(t) >= 60 or len(t) >= 30 and t.endswith(".")), "")
            if first and not instruction_like(first):
                items.append((first, p))
    return items


def _open_answer(query: Query, passages: list[Passage], section: SectionReader | None) -> Extracted:
    """The key points of the section that best matches an open question, each quoted and cited
    (read whole through ``section`` when given, else from the retrieved passages)."""
    sections: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        if p.kind == "paragraph" and without_instructions(p.text):
            key = (p.metadata.get("doc_id", p.document), p.under)
            sections.setdefault(key, []).append(p)
    summary = bool(re.search(r"\bsummar", query.text, re.I))
    best: tuple[float, list[Passage]] | None = None
    for rank, ((_, heading), group) in enumerate(sections.items()):
        text = " ".join(without_instructions(p.text) for p in group)
        frame = " ".join(p.context for p in group)
        s = coverage(query.terms, frame, text, context_weight=0.8) + 0.1 / (rank + 1)
        named = {_stem(w.lower()) for w in _words(heading) if w.lower() not in _STOP and not w[0].isdigit()}
        if named:  # a heading that is what the question asks for ("Recommendations", not "Reasons for Recommendations")
            s += 0.2 * sum(1 for t in named if _found(t, set(query.terms))) / len(named)
        if summary and re.search(r"\b(summary|purpose|introduction|overview|conclusions?)\b", heading, re.I):
            s += 0.3
        if best is None or s > best[0]:
            best = (s, group)
    if best is None or best[0] < ABSTAIN_COVERAGE:
        return Extracted(query, None, None, best[0] if best else 0.0, [], 0.0)
    # The best paragraph's own list if it has one, else the whole section's points.
    lead = max(
        best[1], key=lambda p: coverage(query.terms, without_instructions(p.text), p.context, context_weight=0.8)
    )
    group = section(lead) if section else best[1]
    points = _points([p for p in group if p.paragraph and p.paragraph == lead.paragraph])
    if len(points) < 2:
        points = _points(group)
    points = points[:MAX_POINTS]
    if not points:
        return Extracted(query, None, None, best[0], [], 0.0)
    where = lead.under
    lines = [f"Key points quoted from {lead.document}" + (f", “{where}”" if where else "") + ":"]
    for n, (text, p) in enumerate(points, 1):
        lines.append(f"{n}. “{_trim(text, 220)}” ({p.location() or 'text'})")
    support = list({p.chunk_id: p for _, p in points}.values())
    return Extracted(query, "\n".join(lines), None, best[0], support, best[0])


def extract(question: str, passages: list[Passage], section: SectionReader | None = None) -> Extracted:
    """The best grounded answer in ``passages``, or an abstention (``answer`` None).

    ``section`` reads the whole report section a passage is in, for open questions' key points."""
    query = analyse(question)
    if query.qtype == "open":
        return _open_answer(query, passages, section)
    best: tuple[float, float, Unit] | None = None
    units = units_of(passages)
    outvoted = contradicted(units)
    for unit in units:
        s, cov = score(query, unit)
        if id(unit) in outvoted:
            s -= CONTRADICTED
        if best is None or s > best[0]:
            best = (s, cov, unit)
    if best is None:
        return Extracted(query, None, None, 0.0, [])
    s, coverage, unit = best
    total = _total_row(query, unit, units)
    if total is not None:
        unit = total
    pool_text = " ".join(f"{p.text} {p.context}" for p in passages)
    pool = _stems(pool_text)
    blocked = (
        not _has_type(query, unit)
        or _period_conflict(query, unit)
        or _year_conflict(query, unit)
        or _unmatched_constraint(query, unit, pool, pool_text.lower())
    )
    confidence = 0.0 if blocked else coverage
    if confidence < ABSTAIN_COVERAGE:
        return Extracted(query, None, unit, coverage, [], confidence)
    answer = compose(query, unit)
    support = [unit.passage]
    answer_figs = [f for f in figures(answer) if f.kind != "number" or f.value >= 10]
    for p in passages:
        if p is not unit.passage and p.kind != "table" and answer_figs and len(support) < 3:
            evidence = without_instructions(p.text)  # a figure only an injected sentence gives supports nothing
            if all(any(abs(g.value) == abs(f.value) for g in figures(evidence)) for f in answer_figs[:1]):
                support.append(p)
    return Extracted(query, answer, unit, coverage, support, confidence)


def _within_financial_year(iso: str, period: str) -> bool:
    """Whether a report dated ``iso`` falls in UK financial year ``period`` (April to March)."""
    m = re.match(r"(\d{4})-(\d{2})", iso)
    if not m:
        return False
    year, month = int(m.group(1)), int(m.group(2))
    start = int(period[:4])
    return (year == start and month >= 4) or (year == start + 1 and month <= 3)


def _unmatched_constraint(query: Query, unit: Unit, pool: set[str], pool_text: str) -> bool:
    """The question names something no retrieved passage mentions (a rare word or a figure),
    or the evidence adds nothing to the question's own words (a heading echoing it)."""
    for term, w in query.terms.items():
        if any(c.isdigit() for c in term):
            if term not in pool_text:
                return True
        elif w >= RARE_TERM and not _found(term, pool):
            return True
    return _novelty(query, unit) == 0


def _novelty(query: Query, unit: Unit) -> int:
    """How many words or figures the unit adds to the question (a heading echoing it adds none)."""
    if any(c.isdigit() for c in unit.text):
        return 1
    known = set(query.terms) | query.acronyms
    return sum(1 for t in _stems(unit.text) if t not in known and t not in _STOP and len(t) > 2)


def _year_conflict(query: Query, unit: Unit) -> bool:
    """The question asks about a calendar year the evidence does not mention, while naming another."""
    if not query.years or query.qtype == "date":
        return False
    own = set(years(unit.text))
    return bool(own) and not (own & set(query.years)) and not any(y in unit.passage.context for y in query.years)


def _period_conflict(query: Query, unit: Unit) -> bool:
    """The evidence is only about a different financial year than the one asked, or never names it."""
    if not query.periods:
        return False
    mentioned = set(periods(f"{unit.text} {unit.passage.text} {unit.passage.context}"))
    date = unit.passage.metadata.get("date") or ""
    in_year = any(_within_financial_year(date, p) for p in query.periods)
    if not (mentioned & set(query.periods)) and not in_year:
        return True
    own = set(periods(unit.text)) | {p for h, _ in unit.cells for p in periods(h)}
    frame = set(periods(unit.passage.context))
    asked = set(query.periods)
    return bool((own or frame) and not ((own | frame) & asked))
