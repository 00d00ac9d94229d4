"""Question terms: light stemming and rarity weights shared by re-ranking and answering."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .figures import YEAR_ENDING

STOPWORDS = set(
    "a an and are as at be been being by can could did do does for from had has have how i in into is it its "
    "me my of on or our over per that the their them there these they this those to up us was we were what "
    "when where which while who whom whose why will with within would you your than then so if not no any all "
    "about after before during since until also many much number amount give tell show list please "
    "report reports say says said according state stated summary table figure figures section paragraph "
    "appendix page document".split()
)
# a figure ends in a digit or "%": "2006," and "1994." at a clause's end are the years 2006 and 1994
_WORD = re.compile(r"[A-Za-z][A-Za-z'’&-]*[A-Za-z]|[A-Za-z]|\d(?:[\d,./%]*[\d%])?")
# "1st", "1 st" (a superscript set apart), "2nd": the ordinal as a word, so "first point" meets "1 st Point"
_ORDINAL = re.compile(r"\b([1-9]|10)\s?(st|nd|rd|th)\b")
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light suffix-stripping stem (savings, saved, save -> sav)."""
    w = re.sub(r"['’]s$", "", word.lower()).strip("'’")
    for suffix in ("ations", "ation", "ings", "ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w[:-1] if len(w) > 4 and w.endswith("e") else w


@lru_cache(maxsize=8192)
def weight(word: str) -> float:
    """Rarer words matter more: 7 minus the word's English Zipf frequency (figures weigh most)."""
    if any(c.isdigit() for c in word):
        return 4.0
    try:
        from wordfreq import zipf_frequency

        return max(0.5, 7.0 - zipf_frequency(word, "en"))
    except ImportError:  # pragma: no cover
        return 2.0


FUNCTION_WORDS = {"the", "of", "in", "for", "and", "a", "an", "to", "at", "by", "on", "with", "from", "&"}


def words(text: str) -> list[str]:
    """The words and figures of ``text``, an ordinal figure ("1st") as its word ("first")."""
    return _WORD.findall(_ORDINAL.sub(_ordinal, text))


def _ordinal(m: re.Match[str]) -> str:
    n, suffix = int(m.group(1)), m.group(2)
    right = {1: "st", 2: "nd", 3: "rd"}.get(n, "th")
    return _ORDINALS[n - 1] if suffix == right else m.group(0)


VOCABULARY = Path(__file__).resolve().parents[1] / "data" / "vocabulary.toml"


@dataclass(frozen=True)
class Vocabulary:
    """The reviewed vocabulary bridges of ``data/vocabulary.toml``."""

    equivalents: list[tuple[str, str, set[str]]]  # (key, its stem, stems of the question words it answers to)
    phrases: list[tuple[re.Pattern[str], str]]  # a question phrase and the report word it means
    kinds: dict[str, set[str]]  # stem of a kind asked for (force) -> stems of words naming one (police)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The vocabulary file, read once."""
    data = tomllib.loads(VOCABULARY.read_text(encoding="utf-8"))
    equivalents = [(k, stem(k), {stem(v) for v in vs}) for k, vs in data.get("equivalents", {}).items()]
    phrases = []
    for phrase, word in data.get("phrases", {}).items():
        pattern = r"\s+(?:(?:the|a|an)\s+)?".join(re.escape(w) for w in phrase.split())
        phrases.append((re.compile(rf"\b{pattern}\b", re.I), word))
    kinds = {stem(k): {stem(k)} | {stem(v) for v in vs} for k, vs in data.get("kinds", {}).items()}
    return Vocabulary(equivalents, phrases, kinds)


def rephrase(text: str) -> str:
    """``text`` with question phrases replaced by the report's word ("difference between budget
    and actual" -> "variance")."""
    for pattern, word in vocabulary().phrases:
        text = pattern.sub(word, text)
    return text


def expand(text: str) -> str:
    """The text, rephrased, plus the report's word for anything it asks in other words (wrote -> author)."""
    text = rephrase(text)
    asked = {stem(w.lower()) for w in words(text)}
    extra = [key for key, key_stem, values in vocabulary().equivalents if asked & values and key_stem not in asked]
    return f"{text} {' '.join(extra)}" if extra else text


_NEGATING = re.compile(r"(?i)(non|anti|counter|un|dis|mis|ex|pre|post|self)-")  # "non-crime" is no crime


def stems(text: str) -> set[str]:
    """Stems of the words of ``text`` (a hyphenated word also by its parts: "new-build" holds "build",
    "non-crime" does not hold "crime"; and written whole: "On-Line" holds "online"),
    with the vocabulary's equivalents of any it holds."""
    ws = words(text)
    out = {stem(w.lower()) for w in ws} | {
        stem(p.lower()) for w in ws if "-" in w and not _NEGATING.match(w) for p in w.split("-") if p
    }
    out |= {stem(w.replace("-", "").lower()) for w in ws if "-" in w}
    for _, key, values in vocabulary().equivalents:
        if key in out:
            out |= values
    return out


_YEAR_RANGE = re.compile(r"\b(?:19|20)\d{2}\s*[/-]\s*\d{2,4}\b")


def without_periods(text: str) -> str:
    """``text`` with year ranges (2018/19, 2018-2019, the year to March 2019) blanked, so their years are not read alone."""
    return YEAR_ENDING.sub(" ", _YEAR_RANGE.sub(" ", text))


def query_terms(question: str) -> dict[str, float]:
    """Stemmed content words of a question with their weights (periods removed)."""
    masked = without_periods(rephrase(question))
    terms: dict[str, float] = {}
    for w in words(masked):
        lw = w.lower().strip("'’-")
        if lw in STOPWORDS or len(lw) < 2:
            continue
        terms[stem(lw)] = max(terms.get(stem(lw), 0.0), weight(lw))
    return terms


def found(term: str, tokens: set[str]) -> bool:
    """``term`` among ``tokens``, allowing a different ending (overspend ~ overspent)."""
    if term in tokens:
        return True
    if len(term) >= 6:
        head = term[: max(5, len(term) - 2)]
        return any(t.startswith(head) for t in tokens if len(t) >= 5)
    return False


def coverage(terms: dict[str, float], text: str, context: str = "", context_weight: float = 0.5) -> float:
    """Weighted share of ``terms`` found in ``text`` (or, counting less, in ``context``)."""
    total = sum(terms.values()) or 1.0
    own, ctx = stems(text), stems(context)
    got = 0.0
    for t, w in terms.items():
        if found(t, own):
            got += w
        elif found(t, ctx):
            got += context_weight * w
    return got / total


_PHRASE = re.compile(r"\b(?:[A-Z][a-z]+(?:\s+(?:and|of|&)\s+|\s+)){1,5}[A-Z][a-z]+")


def capitalised_phrases(text: str) -> list[list[str]]:
    """The capitalised words of each capitalised phrase (Shared Resource Service)."""
    return [[w for w in re.split(r"\s+", m.group(0)) if w[0].isupper()] for m in _PHRASE.finditer(text)]


def acronyms(text: str) -> set[str]:
    """Initials of capitalised phrases (Shared Resource Service -> srs)."""
    return {"".join(w[0] for w in words).lower() for words in capitalised_phrases(text) if len(words) >= 2}
