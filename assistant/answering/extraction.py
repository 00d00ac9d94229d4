"""Extraction and composition, the answerer's fifth stage: the answer as the report writes it.

Takes the :class:`~.analysis.Query`, the chosen :class:`~.candidates.Unit` and the retrieved
passages; hands on the answer (:func:`compose`): a concise answer quoting the figure, date or
name as the report gives it (a table row's answering cells under their headers, a sentence
without its paragraph number), and the passages that support it (:func:`supporting`): the
unit's own, then others stating the same figure. :class:`Extracted` is the answerer's result.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..documents import Passage
from ..reading.guard import without_instructions
from .analysis import Query
from .candidates import LEAD_NUMBER, Unit
from .entities import named
from .figures import figures

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


def _money(header: str, value: str) -> str:
    """Write a money cell as the issue's citations do: -£86,192."""
    if value.startswith("£-") or value.startswith("£–"):
        return "-£" + value[2:]
    return value


def compose(query: Query, unit: Unit) -> str:
    """A concise answer quoting the figure as the report writes it."""
    if unit.cells:
        cells = unit.answer_cells
        where = f"{unit.label}, {unit.caption}" if unit.caption else unit.label
        if len(cells) == 1:
            head, value = cells[0]
            return trim(f"{head or 'Value'} for {where}: {_money(head, value)}")
        if cells:
            return trim(f"{where}: " + "; ".join(f"{h} {_money(h, v)}".strip() for h, v in cells))
    sentence = LEAD_NUMBER.sub("", unit.text)
    name = named(sentence, query.kind, query.terms)
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
