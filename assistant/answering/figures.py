"""Figures in text: numbers, money, percentages, dates and financial-year periods, normalised.

Used to match a question's period, to check that a generated answer's figures appear in
the passages it cites (1,152,370 = 1152370; £1.15m ≈ 1,150,000; 67 per cent = 67%), and
by the evaluation to compare answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..reading.metadata import parse_date

_PERIOD = re.compile(r"\b(?:FY\s*)?((?:19|20)\d{2})\s*(?:/|-|–|to)\s*((?:19|20)?\d{2})\b")
# "the year to March 2019", "financial year ending 31st March 2019": UK financial year 2018/19
YEAR_ENDING = re.compile(
    r"\b(?:financial\s+)?year\s+(?:to|ending|ended)\s+(?:(?:the\s+)?31(?:st)?\s+)?March\s+((?:19|20)\d{2})\b", re.I
)
_SHORT_PERIOD = re.compile(r"(?<![\d/£$.,])\b(\d{2})/(\d{2})\b(?![\d/])")
_FIGURE = re.compile(
    r"(?P<neg>[-–−])?\s?(?P<cur>[£$€]|\b(?:EUR|USD|GBP)\b)?\s?(?P<neg2>[-–−])?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s?(?P<suffix>%|per\s?cent|percent|bn|billion|m\b|million|k\b|thousand)?(?P<named>\s(?:euros?|dollars)\b)?",
    re.I,
)
# Thousands grouped by spaces ("EUR 1 107 million", "€ 57 986"): read as one figure only after a
# currency or before a scale word; elsewhere "373 396" is two cells of a table row read as text.
_SPACED = re.compile(
    r"(?:(?<=[£$€] )|(?<=[£$€])|(?<=\b(?:EUR|USD|GBP) ))\d{1,3}(?: \d{3})+\b"
    r"|\b\d{1,3}(?: \d{3})+(?= ?(?:bn|billion|million|thousand)\b)"
)
_SCALE = {"bn": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6, "k": 1e3, "thousand": 1e3}


def canonical_period(start: str, end: str) -> str | None:
    """``2018``, ``19`` -> ``2018/19`` when the years are consecutive."""
    s = int(start)
    e = int(end)
    if e < 100:
        e += (s // 100) * 100
    if e != s + 1:
        return None
    return f"{s}/{str(e)[-2:]}"


def period_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, ``YYYY/YY``) of each financial-year period written in ``text``, in order."""
    spans: list[tuple[int, int, str]] = []
    for m in _PERIOD.finditer(text):
        p = canonical_period(m.group(1), m.group(2))
        if p:
            spans.append((m.start(), m.end(), p))
    for m in YEAR_ENDING.finditer(text):
        end = int(m.group(1))
        spans.append((m.start(), m.end(), f"{end - 1}/{end % 100:02d}"))
    for m in _SHORT_PERIOD.finditer(text):
        a, b = int(m.group(1)), int(m.group(2))
        if b == (a + 1) % 100 and 0 <= a <= 60:
            spans.append((m.start(), m.end(), f"20{a:02d}/{b:02d}"))
    return sorted(spans)


def periods(text: str) -> list[str]:
    """Financial-year periods in ``text`` as ``YYYY/YY`` (2018/19, 2018-19, 2018/2019, 18/19, the year to March 2019)."""
    return list(dict.fromkeys(p for _, _, p in period_spans(text)))


def years(text: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"\b(?:19|20)\d{2}\b", text)))


# A web or email address: its digits ("citizensjuries.org/371-2/") are no figure of the report's
_ADDRESS = re.compile(
    r"\b(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*\.(?:org|com|net|gov|uk)/\S*", re.I
)


@dataclass(frozen=True)
class Figure:
    text: str
    value: float
    kind: str  # number | money | percent
    scaled: bool  # written with m/k/bn: compare approximately


def figures(text: str) -> list[Figure]:
    """Every figure in ``text`` (periods and dates excluded)."""
    masked = _ADDRESS.sub(lambda m: " " * len(m.group(0)), text)
    masked = _PERIOD.sub(lambda m: " " * len(m.group(0)), masked)
    masked = _SPACED.sub(lambda m: m.group(0).replace(" ", ","), masked)  # as long as before: spans hold
    out = []
    for m in _FIGURE.finditer(masked):
        raw = text[m.start() : m.end()].strip()  # as the report prints it ("EUR 1 107 million")
        try:
            value = float(m.group("num").replace(",", ""))
        except ValueError:
            continue
        suffix = (m.group("suffix") or "").lower().replace(" ", "")
        if (m.group("neg") and m.group("cur")) or m.group("neg2"):
            value = -value
        elif m.group("neg") and m.start("neg") == m.start() and (m.start() == 0 or masked[m.start() - 1] in " (|:"):
            value = -value
        scaled = suffix in _SCALE
        value *= _SCALE.get(suffix, 1)
        kind = (
            "percent"
            if suffix in ("%", "percent", "percent") or suffix.startswith("per")
            else "money"
            if m.group("cur") or m.group("named")
            else "number"
        )
        out.append(Figure(raw, value, kind, scaled))
    return out


def figure_in(fig: Figure, text: str) -> bool:
    """Whether ``fig`` (as a value) appears among the figures of ``text``."""
    for other in figures(text):
        if fig.scaled or other.scaled:
            if fig.value and abs(abs(other.value) - abs(fig.value)) <= 0.01 * abs(fig.value):
                return True
        elif abs(other.value) == abs(fig.value):
            return True
    return False


def dates(text: str) -> list[str]:
    """ISO dates written in ``text`` (full dates and month-year)."""
    out = []
    rest = text
    while True:
        found = parse_date(rest)
        if not found:
            return out
        iso, written = found
        out.append(iso)
        idx = rest.find(written)
        if idx < 0:
            return out
        rest = rest[idx + len(written) :]
