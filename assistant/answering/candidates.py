"""Candidate answers, the answerer's second stage: the passages cut into units, each read
against the question once.

Takes the :class:`~.analysis.Query` and the retrieved passages; hands on :class:`Unit` s: the
sentences of each paragraph (a list item keeps the sentence that leads into it), table rows
with their cells under their column headers (a row read without them, under the header line its
caption is: "Recorded (n) Solved (%)"), and form fields ("Report to: …"). Each unit
carries what it offers the question: whether it holds the kind of answer asked for, what it
adds to the question's words, how well its label and columns fit, and which of its cells answer.
Text addressed to a model (``reading.guard``) is never a candidate.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..documents import Passage
from ..reading.guard import directed, instruction_like, without_instructions
from .analysis import GENERIC_COUNTS, PERCENT, Query
from .entities import named
from .figures import Figure, dates, figures, periods, years
from .terms import FUNCTION_WORDS, coverage, without_periods
from .terms import STOPWORDS as _STOP
from .terms import found as _found
from .terms import stem as _stem
from .terms import stems as _stems
from .terms import weight as _weight
from .terms import words as _words

COUNT_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|dozen"
_DURATION = re.compile(rf"\b(\d+|{COUNT_WORDS}|several|many)\s+(years?|months?|weeks?|days?)\b", re.I)
_FREQUENCY = re.compile(
    r"\b(daily|weekly|fortnightly|monthly|quarterly|annually|yearly|bi-?annual|every|each (day|week|month|year|quarter)|times a)\b",
    re.I,
)
_MONTH_SHORT_YEAR = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+'?\d{2}\b")
SENTENCE_SPLIT = re.compile(r"(?<=[.!?:])\s+(?=[A-Z(“\"•\-–0-9])|\n+(?=[A-Z(“\"•\-–0-9])|\s+[•◆▪]\s+")
LEAD_NUMBER = re.compile(  # a paragraph's number, not a date's day: "3.6 The …", not "4 September 2019"
    r"^\d{1,2}(\.\d{1,2}){0,3}\.?\s+(?=[A-Z])(?!(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b)"
)
_TITLED = re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr|DCC|ACC|ACO|DCI|Supt|CFO|CEO|Cllr|Sir|Dame|Signed:)\.?\s+[A-Z]")
# initials before a surname: "J E Tempest", "A. N. Other" (one initial only with its full stop: "A Jury …" is no name)
_INITIALLED = re.compile(r"(?<![\w.])(?:(?:[A-Z]\.?\s+){2,3}|[A-Z]\.\s*)([A-Z][a-z][A-Za-z'’-]+)\b")
_LABELLED = re.compile(
    r"\b(?:option|appendix|annex|priority|plan|part|section|table|figure|schedule|phase|stage|tier|level|grade|"
    r"class|category|item|note|box|group|team|area|zone|block|unit|site|route|model|scenario)\s*$",
    re.I,
)
_CAPITALISED_PAIR = re.compile(r"(?=\b([A-Z][A-Za-z'’-]+)\s+(?:[A-Z]\.\s+)?([A-Z][A-Za-z'’-]+)\b)")
_PARAGRAPH_START = "|".join(
    f"(?<=^{n}\\s)" for n in (r"\d", r"\d\d", r"\d\.\d", r"\d\.\d\d", r"\d\d\.\d", r"\d\d\.\d\d")
)
_NUMBER_WORDS = (
    re.compile(  # lower case, or capitalised only to start a sentence ("1.1 Seventeen …"): "Part One" is a title
        rf"\b({COUNT_WORDS})\b|(?:^|(?<=[.!?:]\s)|{_PARAGRAPH_START})({COUNT_WORDS.title()})\b"
    )
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
DATE_LIKE = re.compile(  # the day of a date is not a count: 13/02/2015, 13th, 13-Feb-15, 13 February, February 13
    r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{1,2}\s?(?:st|nd|rd|th)\b|\b\d{1,2}\s*-\s*[A-Z][a-z]{2}\s*-\s*\d{2}\b"
    rf"|\b\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+{_MONTH}(?=\s|$|[,.;)])|\b{_MONTH}\s+\d{{1,2}}\b(?!,?\d)"
)
_DAY_MONTH = re.compile(  # a date without its year: "25th May", "25 May", "May 25th" (not "May 12 arrests")
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?=\s|$|[,.;)])|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)\b"
)
# a number that names a part of the report or of a scheme is not a count: "question 6", "Appendix 2", "Tier 3"
REFERENCE = re.compile(
    r"\b(?:questions?|sections?|paragraphs?|paras?|pages?|pp?|appendix|appendices|annex(?:es)?|tables?|figures?|"
    r"chapters?|parts?|items?|recommendations?|phases?|stages?|options?|tiers?|levels?|steps?|priority|priorities|"
    r"objectives?|actions?|notes?|schedules?|clauses?|rules?|articles?|version)"
    r"\.?\s+\d+(?:\.\d+)*[a-z]?\b(?!\s+[a-z]+s\b)",  # "question 6 on …", not "part 3 officers"
    re.I,
)
# in a report numbered 1.1, 1.2 …, "the reasons stated in 11.3" points at paragraph 11.3
_CROSS_REFERENCE = re.compile(r"\b(?:see|in|under)\s+\d{1,2}\.\d{1,2}(?=\s*(?:[.,;:)]|above|below|$))", re.I)
_MONEY_UNIT = re.compile(r"[£$€]\s?(?:000s?|m|k|bn|millions?|thousands?)\b|\((?:£|\$|€)\)", re.I)
_ASKED = re.compile(r"\?[\s”\"’')\]]*$")
# A table of money says so somewhere: a currency in a cell or header, or a money word in its headers,
# caption or framing (a budget table may print bare figures under "Budget", "Outturn", "Variance").
_MONEY_TABLE = re.compile(
    r"[£$€]|\b(budgets?|budgeted|costs?|costings?|spend|spent|spending|expenditure|expenses?|outturn|variance|"
    r"savings?|funds?|funding|funded|grants?|income|revenue|capital|investment|salar(?:y|ies)|pay|wages?|prices?|"
    r"fees?|precept|finance|financial|forecast|estimates?|estimated|actuals?|amounts?|tax|taxes|allocation|"
    r"reserves?|payments?|charges?|GBP|pounds)\b",
    re.I,
)
_PERCENT_WORDS = re.compile(r"\bper ?cent\b", re.I)


@dataclass
class Unit:
    """A candidate answer: a sentence of a paragraph, or a table row."""

    passage: Passage
    rank: int
    text: str
    cells: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (header, value) for table rows
    label: str = ""
    caption: str = ""
    lead: str = ""  # the sentence introducing a list item ("The ratio for 2016/17 is:")
    field: str = ""  # a form field's name ("Report to"): the unit is its value
    header_line: bool = False  # the caption is the table's header line, which named the cells (no title)
    framing: str = dataclasses.field(init=False)  # the passage's context and the lead-in
    figure_cells: list[tuple[str, str]] = dataclasses.field(init=False)  # the cells that hold a figure
    # What the unit offers the question, read once by ``candidates`` (the only maker of units):
    typed: bool = False  # holds the kind of answer asked for
    name: str | None = None  # a name of the kind a "which <kind>" question asks for, that the question does not write
    novelty: int = 0  # words or figures it adds to the question's own (0: it only echoes it)
    label_share: float = 0.0  # share of a row's or field's label words the question uses
    cell_fit: float = 0.0  # how well its best cell's column fits the question (0 to 1.5)
    names_measure: bool = False  # a period is asked, no column fits it, and some figure column names the measure
    answer_cells: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # the cells that answer

    def __post_init__(self) -> None:
        self.framing = f"{self.passage.context} {self.lead}"
        self.figure_cells = [(h, v) for h, v in self.cells if any(c.isdigit() for c in v)]


# A cell's value at the end of "header value": a figure (signed, currency, thousands grouped by
# commas or spaces, a percentage), a year range (1990-96) or a dash for nothing.
_CELL = re.compile(
    r"^(.*?)\s*((?<![\d.,])(?:(?:19|20)\d{2}\s?[-–/]\s?\d{2,4}|[-–+]?[£$€]?\(?[£$€]?[-–]?(?:\d{1,3}(?: \d{3})+|\d[\d,]*)?"
    r"(?:\.\d+)?\)?%?)|[-–])$"
)


def _table_cells(text: str, columns: str | None = None) -> tuple[str, str, list[tuple[str, str]], bool]:
    """A table row's caption, label, (header, value) cells and whether the caption was the header line
    that named them. A cell is split after the longest of the table's ``columns`` it begins with when
    its value is no figure ("SYSTEM OPINION LIMITED", "REPORT 16-Aug-18", whose "-18" is no figure of
    its own), else before the figure that ends it."""
    parts = [p.strip() for p in text.split(" | ")]
    if len(parts) < 3:
        return "", parts[0] if parts else "", [], False
    caption, label, rest = parts[0], parts[1], parts[2:]
    headers = sorted({h.strip() for h in (columns or "").split(" | ") if h.strip()}, key=len, reverse=True)
    cells = _cells(rest, headers)
    heads = caption_headers(caption, len(cells)) if cells and not any(h for h, _ in cells) else []
    if heads:
        cells = [(h, v) for h, (_, v) in zip(heads, cells)]
    return caption, label, cells, bool(heads)


# A header line whose every column ends in its unit, "Country domestic (%) Imported (%) Total (n)"
_UNIT_HEADER = re.compile(r"\s*([^()|]*?\S\s*\([^()]{1,12}\))")


def caption_headers(caption: str, n: int) -> list[str]:
    """The column headers a row's caption lists when it is the table's header line, each ending in its
    unit in brackets, one a cell (or one more: the label column's); none when it is not."""
    heads, at = [], 0
    while at < len(caption) and (m := _UNIT_HEADER.match(caption, at)):
        heads.append(m.group(1).strip())
        at = m.end()
    if caption[at:].strip() or len(heads) not in (n, n + 1) or n < 2:
        return []
    return heads[-n:]


def _cells(rest: list[str], headers: list[str]) -> list[tuple[str, str]]:
    cells = []
    for part in rest:
        if part.startswith("Columns:"):
            continue
        m = _CELL.match(part)
        if m and m.group(2) and (m.start(2) == 0 or part[m.start(2) - 1] == " "):  # a figure, a token of its own
            cells.append((m.group(1).strip(), m.group(2)))
            continue
        head = next((h for h in headers if part.startswith(f"{h} ")), None)
        if head is not None:
            cells.append((head, part[len(head) :].strip()))
        elif m and m.group(2):
            cells.append((m.group(1).strip(), m.group(2)))
        else:
            cells.append(("", part))
    return cells


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


# A decision record's signature block, on its own lines or run into one by the PDF reader: "Police &
# Crime Commissioner (delete as appropriate) Signature: R. Hunter Date: 24th February 2016".
_SIGNED = re.compile(
    r"\b(?P<word>Signature|Signed)\s*:\s*(?P<name>(?:(?!\bDate\b)[^:\n]){0,40}?)\s*\bDate(?:\s+signed)?\s*:\s*"
    r"(?P<date>\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+,?\s+\d{4}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
)
_ROLE_START = re.compile(r".*(?:[.!?:]\s|\n)")


def signatures(text: str) -> list[tuple[str, str]]:
    """A passage's signature blocks as fields: who signed ("<role> Signature": the name) and when
    ("<role> Signature Date": the date), the role being the words before the block on its line."""
    found, start = [], 0
    for m in _SIGNED.finditer(text):
        before = text[start : m.start()]
        cut = _ROLE_START.match(before)
        role = before[cut.end() :] if cut else before
        role = " ".join(re.sub(r"\([^)]*\)", " ", role).split()[-12:])
        name = m.group("name").strip(" ,;")
        if name and re.match(r"[A-Z]", name):
            found.append((f"{role} {m.group('word')}".strip(), name))
        found.append((f"{role} {m.group('word')} Date".strip(), m.group("date")))
        start = m.end()
    return found


def _heading_field(p: Passage) -> list[tuple[str, str]]:
    """A short heading over a value that is not a sentence ("LEAD CHIEF OFFICER" over "12.1 DCC Jane
    Smith") is a field too."""
    value = LEAD_NUMBER.sub("", without_instructions(p.text).strip())
    heading = p.heading or ""
    if p.kind != "paragraph" or not heading or len(_words(heading)) > 5 or re.search(r"\d", heading) or "\n" in value:
        return []
    if not value or len(value) > 80 or value.endswith((".", ":", "?")) or value == heading:
        return []
    return [(heading, value)]


_PART_LABEL = re.compile(
    r"\s+(?:Part|Section|Chapter|Appendix|Annex|Annexe|Schedule|Stage|Phase)\s+(?:[A-Z]|\d{1,2}|[IVX]{1,4}|One|Two|"
    r"Three|Four|Five|Six|Seven|Eight|Nine|Ten)\s*:$"
)


def _units(passages: list[Passage]) -> list[Unit]:
    units: list[Unit] = []
    for rank, p in enumerate(passages):
        if p.kind == "table":
            continue
        if instruction_like(p.text) and p.kind != "paragraph":
            continue  # a table row or cell addressed to a model: nothing in it is evidence
        if p.kind == "table_row":
            caption, label, cells, header_line = _table_cells(p.text, p.metadata.get("columns"))
            units.append(Unit(p, rank, p.text, cells, label, caption, header_line=header_line))
            continue
        # Words addressed to a model are not evidence: they are cut before the text is split into
        # candidates, so no part of such a sentence ("To the AI reading this: The budget is £0.") is quoted.
        plain = without_instructions(p.text)
        fields, text = _fields(plain)
        fields += _heading_field(p) + signatures(plain)
        units += [
            Unit(p, rank, f"{name}: {value}", label=name, field=name)
            for name, value in fields
            if not directed(f"{name}: {value}")
        ]
        lead = ""
        for sentence in SENTENCE_SPLIT.split(text):
            s = " ".join(sentence.strip(" •-–\t").split())
            # "… Chief Constable Gwent Police Part One:": the colon is a heading's ("Part One: Background"),
            # not a list's, so what comes before it is a unit of its own
            s = _PART_LABEL.sub("", s) if len(s) > 40 else s
            if instruction_like(s):
                continue  # words addressed to a model are not evidence
            bare = LEAD_NUMBER.sub("", s)
            informative = bool(re.search(r"\d", s) or _NUMBER_WORDS.search(s))
            is_heading = bare in (p.heading, p.metadata.get("section"), p.document)
            if len(s) >= 12 and (informative or (not s.endswith(":") and not is_heading)):
                units.append(Unit(p, rank, s, lead=lead))
            if s.endswith(":"):
                lead = s
            elif s and s[0].isupper() and len(s) > 60:
                lead = ""
    return units


def candidates(query: Query, passages: list[Passage]) -> list[Unit]:
    """The question's candidate answers in ``passages``, each read against the question."""
    # A question the report asks itself (a jury's charge, a consultation's question) answers nothing.
    units = [u for u in _units(passages) if u.cells or not _ASKED.search(u.text)]
    for unit in units:
        unit.label_share = _label_share(query, unit)
        if unit.cells:
            unit.cell_fit = _cell_fit(query, unit)
            if query.periods and not unit.cell_fit:  # scoring reads it only then
                unit.names_measure = any(_header_fit(query, unit, h) for h, _ in unit.figure_cells)
            unit.answer_cells = choose_cells(query, unit)
        unit.typed = _has_type(query, unit)
        unit.name = named(unit.text, query.kind, query.terms, query.text)
        unit.novelty = _novelty(query, unit)
    return units


def _references(query: Query) -> list[str]:
    """The reference numbers the question gives ("decision 008/2016", "Ref S.16/0940"), not its periods."""
    return [t for t in query.terms if re.search(r"\d[/.-]\d", t) and not periods(t)]


def _references_asked(query: Query, text: str) -> str:
    """``text`` without the references the question gives: a date question's own reference number
    holds a year but dates nothing."""
    for t in _references(query):
        text = re.sub(re.escape(t), " ", text, flags=re.I)
    return text


def _has_type(query: Query, unit: Unit) -> bool:
    """Whether the unit holds the kind of answer asked for (reads ``unit.label_share``, set first)."""
    text = unit.text
    if query.qtype in ("quantity", "percent"):
        counting = bool(re.search(r"\bhow many\b", query.text, re.I))
        if unit.cells:  # a table row answers with its cells, not with numbers in its labels
            values = unit.figure_cells
            if counting:  # a count is not an amount of money
                values = [(h, v) for h, v in values if not re.search(r"[£$€]", h + v)]
            figs = [f for _, v in values for f in figures(v)]
        else:
            figs = [f for f in figures(_references_masked(text, unit)) if not _is_paragraph_number(f, unit)]
            if counting:
                figs = [f for f in figs if f.kind != "money"]
        real = [f for f in figs if not (f.kind == "number" and 1900 <= f.value <= 2100 and "," not in f.text)]
        if (
            query.money
            and unit.cells
            and not _MONEY_TABLE.search(" ".join([*map(" ".join, unit.cells), unit.caption, unit.framing]))
        ):
            return False  # a table of counts (people recruited, calls taken) does not answer a sum of money
        if query.money and not unit.cells:  # a sentence answers with a sum of money (a table may print bare figures)
            # … or bare figures (not years) under a unit of money it states ("£000": a table read as text)
            return any(f.kind == "money" for f in figs) or bool(real and _MONEY_UNIT.search(unit.passage.text))
        if query.qtype == "percent":
            in_percent = any(PERCENT.search(h) for h, _ in unit.figure_cells)
            return any(f.kind == "percent" for f in figs) or in_percent or bool(_PERCENT_WORDS.search(text))
        return bool(real) or (not unit.cells and any(_counts(m, text, query) for m in _NUMBER_WORDS.finditer(text)))
    if query.qtype == "date":
        asks_year = re.search(r"\b(year|financial year|period)\b", query.text, re.I)
        text = _references_asked(query, text)
        return bool(
            dates(text)
            or _DAY_MONTH.search(text)
            or years(without_periods(text))
            or _MONTH_SHORT_YEAR.search(text)
            or (asks_year and periods(text))
        )
    if query.qtype == "who":  # a form's field the question names answers with whoever or whatever it holds
        # the question's own names are not the answer, unless it asks who they are ("Who is Jane Hughes?")
        asked = set(query.terms) if any(t not in query.names for t in query.terms) else None
        return _names_someone(text, asked) or bool(unit.field) and unit.label_share >= 0.5
    if query.qtype in ("frequency", "duration") and _names_cell(unit):
        return True  # "How often were … used in 2019?": the count in the row and column it names
    if query.qtype == "frequency":
        return bool(_FREQUENCY.search(text))
    if query.qtype == "duration":
        return bool(_DURATION.search(text))
    if query.qtype == "reason":
        return not unit.cells  # a table row states figures, not reasons
    return True


def _names_cell(unit: Unit) -> bool:
    """The question names a table row (most of its label's words) and a column holding a figure in it:
    that cell answers, whatever the question's type word (read after ``cell_fit`` and ``answer_cells``)."""
    return (
        bool(unit.cells)
        and unit.label_share >= 0.5
        and unit.cell_fit > 0
        and any(any(c.isdigit() for c in v) for _, v in unit.answer_cells)
    )


def _counts(m: re.Match[str], text: str, query: Query) -> bool:
    """A number word that counts: "one" only before the thing asked ("one force" for "how many forces");
    elsewhere it is mostly a determiner ("with one voice", "one of the")."""
    if m.group(0).lower() != "one":
        return True
    after = {_stem(w.lower()) for w in _words(text[m.end() :])[:3]}  # "one officer", "one police officer"
    return bool(after & query.counted or query.counted & GENERIC_COUNTS and after & _PERSON)


_PERSON = {"person", "individual", "member", "peopl"}  # one of "how many people …"


def _names_someone(text: str, asked: set[str] | None = None) -> bool:
    """A person or organisation: a titled name, a rare capitalised pair, or an acronym before a name;
    not one the question itself names (``asked``: its term stems): "Who chairs the Audit Board?" is
    not answered by a sentence that names only the Audit Board."""
    if _TITLED.search(text):
        return True
    for m in _INITIALLED.finditer(text):
        surname = m.group(1)
        if _LABELLED.search(text[: m.start()]):
            continue  # "Appendix A. Custody Suites", "Option C. Tempest said": a label, not an initial
        if _weight(surname.lower()) >= 2.0 and not (asked and _stem(surname.lower()) in asked):
            return True
    for m in _CAPITALISED_PAIR.finditer(text):
        first, second = m.group(1), m.group(2)
        if second.isupper():
            continue  # "Tri-Force PCC": a name does not end in an acronym
        if asked and _stem(first.lower()) in asked and _stem(second.lower()) in asked:
            continue
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


# a number of three levels or more ("see 4.3.1.", "under 2.1.3") numbers a section, never a quantity
_SECTION_NUMBER = re.compile(r"(?<![\d.,])\d{1,2}\.\d{1,2}\.\d{1,2}(?:\.\d{1,2})*\.?(?![\d,])")


def _references_masked(text: str, unit: Unit) -> str:
    """``text`` without its dates and the numbers naming parts of the report."""
    text = _SECTION_NUMBER.sub(" ", REFERENCE.sub(" ", DATE_LIKE.sub(" ", text)))
    if "." in (unit.passage.paragraph or ""):
        text = _CROSS_REFERENCE.sub(" ", text)
    return text


def _is_paragraph_number(fig: Figure, unit: Unit) -> bool:
    para = unit.passage.paragraph
    return bool(para) and unit.text.lstrip("•-– ").startswith(para) and fig.text.strip(".") == para


def _novelty(query: Query, unit: Unit) -> int:
    """How many words or figures the unit adds to the question (a heading echoing it adds none; a
    name of the kind asked that the question does not write adds one, though it uses its words)."""
    if any(c.isdigit() for c in unit.text) or unit.name:
        return 1
    known = set(query.terms) | query.acronyms
    return sum(1 for t in _stems(unit.text) if t not in known and t not in _STOP and len(t) > 2)


_TOTAL_WORD = re.compile(r"\b(?:totals?|combined|altogether|overall)\b", re.I)
_ITEM_NUMBER = re.compile(r"^\s*\(?\d{1,2}[.)]\s+")


def _label_share(query: Query, unit: Unit) -> float:
    """The share of a table row's label words that the question uses (0 for sentences)."""
    own = _ITEM_NUMBER.sub("", unit.label)  # "4. Active Directory …": the item's number is no word of its name
    label = {_stem(w.lower()) for w in _words(own) if w.lower() not in FUNCTION_WORDS}
    if not label:
        return 0.0
    asked = {_stem(w.lower()) for w in _words(query.text)} | query.acronyms
    return sum(1 for t in label if _found(t, asked)) / len(label)


def _cell_fit(query: Query, unit: Unit) -> float:
    """How well a table row's best cell fits the question: a column of the period asked whose header
    names the measure asked ("2016/17 Total" for a total in 2016-17), from 0 to 1.5."""
    cells = _in_period(query, unit.figure_cells)
    return max((_header_fit(query, unit, h) for h, _ in cells), default=0.0)


def _in_period(query: Query, cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The cells whose column is of a period the question asks about, or all of them when none is; a
    total asked over several periods ("the total … across 16/17 and 17/18") also reads the columns of
    totals that name no period."""
    if not query.periods:
        return cells
    kept = [(h, v) for h, v in cells if set(periods(h)) & set(query.periods)]
    if len(set(query.periods)) > 1 and _TOTAL_WORD.search(query.text):
        kept += [(h, v) for h, v in cells if _TOTAL_WORD.search(h) and not periods(h)]
    return kept or cells


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
        pct = [(h, v) for h, v in cells if v.endswith("%") or PERCENT.search(h)]
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
    # a year the caption names among others ("… shares, 1996 and 1997") still tells its column apart
    asked = {t: (0.3 * w if _found(t, framing) and not t.isdigit() else w) for t, w in query.terms.items()}
    recall = sum(w for t, w in asked.items() if _found(t, head)) / (sum(asked.values()) or 1.0)
    precision = sum(1 for t in words if any(_found(t, {a}) or _found(a, {t}) for a in asked)) / len(words)
    return recall + 0.5 * precision if recall else 0.0


NAMED_SHARE = 1 / 3  # of the words naming the source, the share a report's title must carry


def of_named_report(query: Query, passages: list[Passage]) -> list[Passage]:
    """The passages of the report the question names: by a reference number of its own ("decision
    008/2016", when some retrieved reports print it and others do not), or as its source ("… in Gwent's
    November 2021 collaboration update": the reports whose title carries the most of those words, at
    least :data:`NAMED_SHARE` of them, when another report's carries fewer); else ``passages``."""
    refs = _references(query)
    if refs:
        holding = {report_of(p) for p in passages if any(r in p.text.lower() for r in refs)}
        if holding and holding != {report_of(p) for p in passages}:
            passages = [p for p in passages if report_of(p) in holding]
    if not query.source:
        return passages
    words = {t: 1.0 for t in query.source}
    share = {report_of(p): coverage(words, p.document) for p in passages}
    best = max(share.values(), default=0.0)
    if best < NAMED_SHARE or all(v == best for v in share.values()):
        return passages
    return [p for p in passages if share[report_of(p)] == best]


def report_of(p: Passage) -> str:
    """The report a passage is of (its id)."""
    return p.metadata.get("doc_id", p.document)
