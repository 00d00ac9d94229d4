"""Report metadata: title and date from the report's own words, overridable by a sidecar file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..documents import Page
from .disclosure import RESTRICTED, parse_status
from .disclosure import detect as detect_disclosure

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s*(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})\b", re.I)
_MONTH_YEAR = re.compile(rf"\b{_MONTH},?\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(
    rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I
)  # US: September 4, 2019
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_DATE_LABEL = re.compile(r"\b(?:date(?: of (?:meeting|report|decision))?|meeting date|report date)\s*[:\-]", re.I)
_TITLE_LABEL = re.compile(r"^\s*(?:report\s+)?title\s*:\s*(.*)$", re.I)
_KEY_LINE = re.compile(r"^[A-Z][A-Za-z /&()'-]{1,40}:(\s|$)")
_NUMBERED = re.compile(r"^\s*(?:[-•*]\s*)?\d+(\.\d+)*\.?\s")
_PERIOD_LINE = re.compile(r"^\s*\d{4}\s*[-–/]\s*\d{2,4}\s*$")
_SIDECAR_KEYS = {"title", "date", "disclosure", "disclosure_reason"}


@dataclass
class DocumentMetadata:
    title: str
    date: str | None = None
    date_text: str | None = None
    disclosure: str | None = None
    disclosure_reason: str | None = None
    origin: dict[str, str] = field(default_factory=dict)


def month_first(text: str) -> bool:
    """Whether ``text`` writes its dates month first (US style), on the evidence of its own unambiguous dates:
    numeric ones with a part over 12 and written ones ("4 September 2019" against "September 4, 2019")."""
    numeric = [(int(a), int(b)) for a, b, _ in _NUMERIC.findall(text)]
    us = sum(b > 12 for a, b in numeric) + len(_MONTH_DAY_YEAR.findall(text))
    uk = sum(a > 12 for a, b in numeric) + len(_DAY_MONTH_YEAR.findall(text))
    return us > uk


def parse_date(text: str, us: bool = False) -> tuple[str, str] | None:
    """The first date in ``text`` as (ISO date, the words as written), or None.

    Full dates give ``YYYY-MM-DD``; a month and year give ``YYYY-MM``; 07/08/2019 is read
    day-first, as UK reports write it, unless ``us`` (see :func:`month_first`).
    """
    candidates: list[tuple[int, str, str]] = []
    for m in _MONTH_DAY_YEAR.finditer(text):
        mon, d, y = MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2)), int(m.group(3))
        if _valid(y, mon, d):
            candidates.append((m.start(), f"{y:04d}-{mon:02d}-{d:02d}", m.group(0)))
    for m in _DAY_MONTH_YEAR.finditer(text):
        d, mon, y = int(m.group(1)), MONTHS[m.group(2).lower().rstrip(".")], int(m.group(3))
        if _valid(y, mon, d):
            candidates.append((m.start(), f"{y:04d}-{mon:02d}-{d:02d}", m.group(0)))
    for m in _NUMERIC.finditer(text):
        d, mon, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if us:
            d, mon = mon, d
        if _valid(y, mon, d):
            candidates.append((m.start(), f"{y:04d}-{mon:02d}-{d:02d}", m.group(0)))
    for m in _MONTH_YEAR.finditer(text):
        if not any(s <= m.start() < s + len(t) for s, _, t in candidates):
            y = int(m.group(2))
            if 1900 < y < 2200:
                candidates.append((m.start(), f"{y:04d}-{MONTHS[m.group(1).lower().rstrip('.')]:02d}", m.group(0)))
    if not candidates:
        return None
    _, iso, written = min(candidates)
    return iso, " ".join(written.split())


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return 1900 < y < 2200


def junk_title(title: str) -> bool:
    """A metadata title that names a file, a program or a form field rather than the report."""
    t = title.strip()
    return bool(
        len(t) <= 3
        or re.search(r"(?i)\.(docx?|xlsx?|pptx?|pdf|rtf|odt|txt)\b", t)
        or re.match(r"(?i)(microsoft\s+(word|excel|powerpoint)|untitled|document\d*$|slide \d+$|title\s*:?$)", t)
        or re.match(r"(?i)^(report title|agenda item|item \d+|insert title|click here)", t)
        # a word processor's style name, a browser's blank page, a letter's header word
        or re.match(r"(?i)^(heading|subtitle|normal|body text|default|caption|header|footer)\s*\d*$", t)
        or re.match(r"(?i)^(about:blank|from|subject)\s*:?$", t)
        # the report writer's template, or a spreadsheet's sheet or book
        or re.search(r"(?i)\btemplate(\s*v?\d+(\.\d+)*)?$", t)
        or re.match(r"(?i)^(sheet|book|workbook|chart)\s*\d*$", t)
        or (" " not in t and re.search(r"[_\d]", t))  # ICT_report_v3, 20190904final
        or not re.search(r"[A-Za-z]{3}", t)
        # a blank page's notice, or a font's alphabet set as text ("zyxwvutsrq…")
        or re.search(r"(?i)\bpage (?:is )?(?:intentionally|deliberately) (?:left )?blank", t)
        or re.search(r"(?i)abcdefgh|hgfedcba|[a-z]{30}", t)
        or _garbled(t)
    )


def _garbled(title: str) -> bool:
    """Two or more long words no dictionary knows: two texts printed over each other
    ("EXECUTIVAEP SPUEMNMDIAXR" for "EXECUTIVE SUMMARY" over "APPENDIX A")."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover
        return False
    long = [w for w in re.findall(r"[A-Za-z]{8,}", title)]
    return sum(zipf_frequency(w.lower(), "en") == 0 for w in long) >= 2


def detect_metadata(
    path: Path, pages: list[Page], pdf_title: str | None, pdf_title_origin: str = "PDF metadata"
) -> DocumentMetadata:
    """Title and date from a sidecar, else from the report's text, else the file name."""
    head_lines = [l.strip(" |\t") for l in "\n".join(p.text for p in pages[:3]).split("\n")][:120]
    head_lines = [" ".join(l.replace("|", " ").split()) for l in head_lines]
    origin: dict[str, str] = {}

    title, how = _title_from_text(head_lines, pdf_title, pdf_title_origin)
    if how in ("first heading-like line", "") and pages and pages[0].ocr and (cover := _scanned_cover_title(pages[0])):
        title, how = cover, "largest type on the first page (OCR)"
    if not title:
        title, how = path.stem.replace("-", " ").replace("_", " ").strip() or path.name, "file name"
    origin["title"] = how

    head_text = " ".join(l for l in head_lines if l)[:4000]
    us = month_first("\n".join(p.text for p in pages)[:200_000])
    found = None
    label = _DATE_LABEL.search(head_text)
    if label:
        found = parse_date(head_text[label.end() : label.end() + 60], us)
        if found:
            origin["date"] = "date label"
    if not found:
        found = parse_date(head_text[:3000], us)
        if found:
            origin["date"] = "first date in the report"
    if found and us:
        origin["date"] += " (the report writes dates month first)"
    meta = DocumentMetadata(title=title, origin=origin)
    if found:
        meta.date, meta.date_text = found
    apply_sidecar(path, meta)
    if meta.disclosure is None:
        found_status = detect_disclosure(pages)
        meta.disclosure, meta.origin["disclosure"] = found_status.status, found_status.origin
        meta.disclosure_reason = meta.disclosure_reason or found_status.reason
    return meta


def _title_from_text(
    lines: list[str], pdf_title: str | None, pdf_title_origin: str = "PDF metadata"
) -> tuple[str | None, str]:
    for i, line in enumerate(lines):
        m = _TITLE_LABEL.match(line)
        if m:
            parts = [m.group(1).strip()]
            for nxt in lines[i + 1 : i + 12]:  # a wrapped title in a narrow form column
                if not nxt or _KEY_LINE.match(nxt) or len(" ".join(parts)) > 150:
                    break
                parts.append(nxt)
            title = " ".join(p for p in parts if p).strip(" .")
            if title:
                return title, "TITLE line"
    if pdf_title and not junk_title(pdf_title):
        return pdf_title.strip(), pdf_title_origin
    for line in lines:
        if line.startswith("#"):
            text = line.lstrip("#").strip()
            if len(text.split()) >= 2 and not re.search(r"(?i)office of the police", text):
                return text, "first heading"
    for i, line in enumerate(lines):
        if _title_like(line):
            title = line.lstrip("#").strip()
            nxt = next((l for l in lines[i + 1 : i + 4] if l), "")
            if _PERIOD_LINE.match(nxt) or (_title_like(nxt) and len(nxt.split()) <= 5 and len(title.split()) <= 3):
                title = f"{title} {nxt.lstrip('#').strip()}"
            return title, "first heading-like line"
    return None, ""


def _scanned_cover_title(page: Page) -> str | None:
    """The title of a scanned cover: the lines OCR's reading sets first, a paragraph of two to six
    lines (where it sets a cover's largest type: see :func:`.scanorder.title_first`), joined, if that
    reads as a title."""
    lines = page.text.strip("\n").split("\n")
    end = next((k for k, line in enumerate(lines) if not line.strip()), len(lines))
    title = " ".join(" ".join(line.split()) for line in lines[:end])
    return title if 2 <= end <= 6 and _title_like(title) else None


# A Government Security Classifications marking heads many police papers; it is never their title.
_MARKING = re.compile(
    r"(?i)^(?:not protectively marked|(?:official|unclassified)(?:[- ]sensitive)?(?:\s*[-:–].*)?|"
    r"restricted|confidential|(?:top )?secret)$"
)


def _title_like(line: str) -> bool:
    text = line.lstrip("#").strip()
    words = text.split()
    return (
        8 <= len(text) <= 140
        and 1 <= len(words) <= 16
        and text[0].isupper()
        and ":" not in text
        and "=" not in text  # a formula ("Wi = 1/Pi, where …")
        and not text.endswith((".", ",", ";", "*"))  # "Public/Non Public*" is a form field
        and not re.search(r"(?i)\bnon[- ]?public\b|delete as appropriate", text)
        and text.count("/") < 2
        and not _NUMBERED.match(text)
        and not re.search(r"(?i)office of (the )?police|police (and|&) crime commissioner$", text)
        and sum(c.isalpha() for c in text) >= len(text) * 0.6
        and not _MARKING.match(text)
        and not junk_title(text)
        and not _WRAPPED.search(text)
        and not re.search(r"[a-z]{2}\. [A-Z]", text)  # one sentence ending and the next starting: body text
        # a long line in sentence case, or running on after a comma ("…, and the FBI to …"): body text
        and (len(words) < 11 or (_capitalised(words) >= 0.3 and not re.search(r", [a-z]", text)))
    )


# A line that stops inside a sentence, to be carried on the next: a function word or a word broken
# at its hyphen ("… and over a", "… graduate or first-"): body text wrapped, not a heading.
_WRAPPED = re.compile(
    r"(?i)(?:\b(?:the|a|an|of|in|into|to|and|or|but|by|for|with|that|than|over|from|as|at|on|which|who|whose|is|are|"
    r"was|were|be|been|its|their|this|these|those|such|not)|[a-z]-)$"
)


def _capitalised(words: list[str]) -> float:
    """The share of a line's longer words (four letters or more) that begin with a capital: a long title
    is written in title case or capitals, a sentence of body text mostly in lower case."""
    longer = [w for w in words if sum(c.isalpha() for c in w) >= 4]
    return sum(w[0].isupper() for w in longer) / len(longer) if longer else 1.0


def sidecar_for(path: Path) -> dict[str, Any]:
    """Hand-set metadata for a report: ``<file>.yaml`` beside it, or its entry in ``manifest.yaml``."""
    data: dict[str, Any] = {}
    manifest = path.parent / "manifest.yaml"
    if manifest.exists():
        entries = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        entry = entries.get(path.name) if isinstance(entries, dict) else None
        if isinstance(entry, dict):
            data.update(entry)
    for suffix in (".yaml", ".yml"):
        own = path.with_name(path.name + suffix)
        if own.exists():
            loaded = yaml.safe_load(own.read_text(encoding="utf-8")) or {}
            if isinstance(loaded, dict):
                data.update(loaded)
    return {k: v for k, v in data.items() if k in _SIDECAR_KEYS and v is not None}


def sidecar_fingerprint(path: Path) -> str:
    """A short hash of a report's hand-set metadata: a changed sidecar means re-index the report."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(sidecar_for(path), sort_keys=True, default=str).encode()).hexdigest()[:16]


def apply_sidecar(path: Path, meta: DocumentMetadata) -> None:
    for key, value in sidecar_for(path).items():
        if key == "date":
            text = str(value)
            parsed = parse_date(text)
            meta.date = parsed[0] if parsed else text
            meta.date_text = text
        elif key == "title":
            meta.title = str(value)
        elif key == "disclosure":
            status = parse_status(value)
            meta.disclosure = status or RESTRICTED
            meta.origin[key] = (
                "sidecar" if status else f"sidecar value {str(value)[:40]!r} is not public or restricted; restricted"
            )
            continue
        elif key == "disclosure_reason":
            meta.disclosure_reason = str(value)
            continue
        else:
            continue
        meta.origin[key] = "sidecar"


_MONTH_NAMES = ("January February March April May June July August September October November December").split()


def format_date(iso: str | None) -> str | None:
    """``2019-09-04`` -> ``4 September 2019``; ``2019-09`` -> ``September 2019``."""
    if not iso:
        return None
    parts = iso.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {_MONTH_NAMES[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{_MONTH_NAMES[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return iso
