"""Extraction and composition, the answerer's fifth stage: the answer as the report writes it.

Takes the :class:`~.analysis.Query`, the chosen :class:`~.candidates.Unit` and the retrieved
passages; hands on the answer (:func:`compose`): a concise answer quoting the figure, date or
name as the report gives it (a table row's answering cells under their headers, a sentence
without its paragraph number), and the passages that support it (:func:`supporting`): the
unit's own, then others stating the same figure. :class:`Extracted` is the answerer's result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..documents import Passage
from ..reading.guard import without_instructions
from .analysis import Query
from .candidates import LEAD_NUMBER, Unit
from .entities import named
from .figures import figures
from .terms import weight

MAX_ANSWER = 300


@dataclass
class Extracted:
    """The answerer's result: the analysed question, the answer (None: an abstention), the unit it
    quotes, that unit's coverage of the question, the passages that support it and its confidence."""

    query: Query
    answer: str | None
    unit: Unit | None
    coverage: float
    support: list[Passage]
    confidence: float = 0.0  # the coverage of an answer that passes every check, else 0: abstain below ABSTAIN_COVERAGE


_THOUSANDS = re.compile(r"£\s*'?0{3}s?\b|£\s*'?(?:k|m|bn)\b|£\s*(?:thousands?|millions?|billions?)\b", re.I)
# A column of counts, rates or shares in a table of money: its figures are not pounds.
_NOT_MONEY = re.compile(r"%|\b(no\.?|number|count|headcount|fte|staff|officers|vehicles|ratio|rate|percent)\b", re.I)
_BARE = re.compile(r"^[-–]?\d[\d,]*(\.\d+)?$")


def _money(value: str) -> str:
    """Write a money cell as the reports' prose does: -£86,192, not £-86,192."""
    if value.startswith("£-") or value.startswith("£–"):
        return "-£" + value[2:]
    return value


def _with_currency(unit: Unit, header: str, value: str) -> str:
    """A bare figure in a column or table of pounds with its £ (from the header, else the caption or
    the row's label); in a table of thousands or millions, the figure as printed and the table's unit."""
    if not _BARE.match(value):
        return _money(value)
    if _THOUSANDS.search(header):
        return value  # "2021/22 Total (£000) … was 355": the header, quoted with it, gives the unit
    if _NOT_MONEY.search(header) and "£" not in header:
        return value
    for where in (header, unit.caption, unit.label):
        scale = _THOUSANDS.search(where)
        if scale:
            return f"{value} ({scale.group(0)})"
        if "£" in where:
            return _money(f"£{value}")
    return value


_TOTAL_LABEL = re.compile(r"(?:grand |overall )?total", re.I)


def _lower_first(header: str) -> str:
    """A header inside a sentence: "Budget" reads as "budget"; "ICT", "2018/19 Budget" and a name no
    word list knows ("Keytime") stay as printed."""
    common = header[:1].isupper() and header[1:2].islower() and weight(header.split()[0].lower()) < 6
    return header[0].lower() + header[1:] if common else header


def compose(query: Query, unit: Unit) -> str:
    """A concise answer quoting the figure as the report writes it: a table cell as a sentence ("The
    total budget in Financial Performance 2018/19 was £9,123,757"), a sentence without its number."""
    if unit.cells:
        cells = unit.answer_cells
        verb = "is" if re.match(r"^\s*(what|which|how much|how many)\s+(is|are)\b", query.text, re.I) else "was"
        # a caption that is the table's header line names no table: "in Recorded (n) Solved (%)" says nothing
        titled = unit.caption and unit.caption != unit.label and not unit.header_line
        place = f" in {unit.caption}" if titled else ""
        if len(cells) == 1:
            head, value = cells[0]
            measure = _lower_first(head) if head else "value"
            if re.fullmatch(r"spent|approved|allocated|committed|received|claimed|incurred|budgeted", measure):
                measure = f"amount {measure}"
            if _TOTAL_LABEL.fullmatch(unit.label.strip()):  # "The total budget …", not "The budget for Total …"
                return trim(
                    f"The {unit.label.strip().lower()} {measure}{place} {verb} {_with_currency(unit, head, value)}"
                )
            return trim(f"The {measure} for {unit.label}{place} {verb} {_with_currency(unit, head, value)}")
        if cells:
            listed = "; ".join(f"{h} {_with_currency(unit, h, v)}".strip() for h, v in cells)
            return trim(f"For {unit.label}{place}: {listed}")
    sentence = LEAD_NUMBER.sub("", unit.text)
    name = named(sentence, query.kind, query.terms, query.text)
    return trim(f"{name}: {sentence}" if name and not unit.field else sentence)


def trim(text: str, limit: int = MAX_ANSWER) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return cut[: cut.rfind(" ")] + "…"


def supporting(unit: Unit, answer: str, passages: list[Passage]) -> list[Passage]:
    """The unit's passage, then up to two others that state the answer's first figure."""
    support = [unit.passage]
    answer_figs = [f for f in figures(answer) if f.kind != "number" or f.value >= 10]
    for p in passages:
        if p is not unit.passage and p.kind != "table" and answer_figs and len(support) < 3:
            evidence = without_instructions(p.text)  # a figure only an injected sentence gives supports nothing
            if all(any(abs(g.value) == abs(f.value) for g in figures(evidence)) for f in answer_figs[:1]):
                support.append(p)
    return support
