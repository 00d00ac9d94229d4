"""The data passed between pipeline stages: loaded documents, their chunks, and the passages
retrieved from them with the filters that select them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any


class LoadError(Exception):
    """A file that cannot be ingested; the message says what is wrong with it."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self):  # survives the trip back from the parsing worker process
        return (LoadError, (self.path, self.reason))


@dataclass
class Page:
    """The text of one page (PDF) or of a whole text file (``number`` is None), and the
    page's footnotes, kept apart so that a sentence running on to the next page stays whole."""

    number: int | None
    text: str
    notes: list[str] = field(default_factory=list)
    ocr: bool = False  # the text was read from the page's image (a scan), not its text layer


@dataclass
class SourceDocument:
    """A loaded report: its pages and what is known about it."""

    doc_id: str
    source: str
    kind: str  # "pdf" | "text"
    pages: list[Page]
    title: str
    date: str | None = None  # ISO date (YYYY-MM-DD or YYYY-MM) as the report states it
    date_text: str | None = None
    disclosure: str = "restricted"  # public | restricted (see reading/disclosure.py)
    disclosure_reason: str | None = None
    metadata_origin: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    active_content: list[str] = field(default_factory=list)  # a PDF's JavaScript, launch actions, embedded files
    flags: list[str] = field(default_factory=list)  # what the library shows a reader (set by ingest)
    # Scanned pages left unread for want of OCR (turned off, not installed, out of time or memory),
    # and the OCR limits they were read under: an ingest under more generous ones reads them again.
    unread_pages: list[int] = field(default_factory=list)
    ocr_limits: dict[str, Any] = field(default_factory=dict)

    @cached_property  # read for every chunk at ingest; a document's pages are set when it is loaded
    def ocr_pages(self) -> set[int]:
        """The numbers of the pages read by OCR (scans)."""
        return {p.number for p in self.pages if p.ocr and p.number is not None}

    @property
    def page_count(self) -> int:
        return sum(1 for p in self.pages if p.number is not None) or 1


@dataclass
class Chunk:
    """One retrievable passage with the metadata a citation needs."""

    text: str
    kind: str  # "paragraph" | "table_row" | "table"
    paragraph: str | None
    heading: str | None
    page: int | None
    page_end: int | None
    span: tuple[int, int]
    table: str | None = None  # caption of the table a row or table chunk belongs to
    section: str | None = None  # the enclosing section heading ("ISSUES FOR CONSIDERATION")
    columns: str | None = None  # a table row's column headers
    chunk_id: str = ""
    content_hash: str = ""

    def embedding_text(self, title: str) -> str:
        """The text embedded and indexed: the passage with its report title and heading."""
        context = " · ".join(dict.fromkeys(p for p in (title, self.section, self.heading) if p))
        return f"{context}\n{self.text}" if context else self.text

    def metadata(self, doc: SourceDocument) -> dict[str, Any]:
        """Flat metadata for Chroma (no None values allowed there)."""
        meta: dict[str, Any] = {
            "doc_id": doc.doc_id,
            "title": doc.title,
            "source": doc.source,
            "kind": self.kind,
            "span_start": self.span[0],
            "span_end": self.span[1],
            "content_hash": self.content_hash,
            "doc_kind": doc.kind,
        }
        optional = {
            "date": doc.date,
            "disclosure": doc.disclosure,
            "page": self.page,
            "page_end": self.page_end,
            "paragraph": self.paragraph,
            "heading": self.heading,
            "table": self.table,
            "section": self.section,
            "columns": self.columns,
        }
        meta.update({k: v for k, v in optional.items() if v is not None})
        if self.page is not None and doc.ocr_pages & set(range(self.page, (self.page_end or self.page) + 1)):
            meta["ocr"] = True  # read from a scanned page's image: the citation says so
        return meta


@dataclass
class Filters:
    """Which chunks a query may see."""

    doc_ids: set[str] | None = None
    report: str | None = None  # substring of a report's title or file name
    date_from: str | None = None  # ISO, inclusive
    date_to: str | None = None
    undated: bool = False  # only reports that state no date
    kinds: set[str] | None = None
    clearance: str | None = None  # "public": public reports only; None or "restricted": all


@dataclass
class Passage:
    """A retrieved chunk with the fields a citation needs."""

    chunk_id: str
    document: str  # report title
    source: str
    page: int | None
    paragraph: str | None
    heading: str | None
    kind: str
    text: str
    score: float
    metadata: dict[str, Any] = field(repr=False)

    @classmethod
    def stored(cls, chunk_id: str, text: str, meta: dict[str, Any], score: float = 0.0) -> Passage:
        """A passage from a chunk as the index stores it (text and metadata)."""
        return cls(
            chunk_id,
            meta.get("title", ""),
            meta.get("source", ""),
            meta.get("page"),
            meta.get("paragraph"),
            meta.get("heading"),
            meta.get("kind", ""),
            text,
            score,
            meta,
        )

    def citation(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "metadata"}

    @property
    def under(self) -> str:
        """The heading (or, without one, the section) the passage stands under ("" for neither)."""
        return self.heading or self.metadata.get("section") or ""

    @property
    def reading_order(self) -> tuple[int, int]:
        """Sort key putting a report's passages in the order they are read (page, then offset)."""
        return self.page or 0, self.metadata.get("span_start", 0)

    @property
    def pages(self) -> str:
        """ "p. 8", or "pp. 8–9" for a passage that runs on to the next page ("" without a page)."""
        end = self.metadata.get("page_end")
        if not self.page:
            return ""
        return f"pp. {self.page}–{end}" if isinstance(end, int) and end > self.page else f"p. {self.page}"

    def location(self, paragraph: str | None = None) -> str:
        """Where in the report: "p. 8, para 3.6" (either part may be absent); ``paragraph``: the number
        of a paragraph inside the passage, for a point quoted from it."""
        para = paragraph or self.paragraph
        ocr = "read by OCR" if self.metadata.get("ocr") else ""
        return ", ".join(x for x in (self.pages, f"para {para}" if para else "", ocr) if x)

    @property
    def context(self) -> str:
        """Text that frames the passage: report title, heading and table caption."""
        m = self.metadata
        return " ".join(
            str(x)
            for x in (self.document, m.get("section"), self.heading, m.get("table"), m.get("columns"), m.get("date"))
            if x
        )


def text_problem(text: str, controls: bool = True) -> str | None:
    """Why ``text`` cannot be a question or search (None: it can): characters that cannot be encoded as
    UTF-8 (a lone surrogate such as "\\ud800", as Python decodes bytes that are not UTF-8), a NUL, and with
    ``controls`` any other control character but tab and line breaks (the app refuses those; the CLI and
    library callers only what breaks a search)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"it cannot be encoded as UTF-8 text (a lone surrogate or broken character at position {exc.start + 1})"
    bad = next(
        (
            i
            for i, c in enumerate(text)
            if c == "\x00" or (controls and c not in "\t\n\r" and unicodedata.category(c) == "Cc")
        ),
        None,
    )
    if bad is not None:
        return f"it contains a control character (U+{ord(text[bad]):04X} at position {bad + 1})"
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with what cannot be stored or shown (lone surrogates, control characters) escaped, for the audit."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
