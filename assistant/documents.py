"""The data passed between pipeline stages: loaded documents and their chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    disclosure: str = "restricted"  # public | restricted (see disclosure.py)
    disclosure_reason: str | None = None
    metadata_origin: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

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
        return meta
