"""Load PDF and text reports into :class:`SourceDocument`, or fail with a clear :class:`LoadError`."""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

from .documents import LoadError, Page, SourceDocument
from .cleaning import clean_pages
from .metadata import detect_metadata

log = logging.getLogger(__name__)

PDF_SUFFIXES = {".pdf"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | TEXT_SUFFIXES
SIDECAR_SUFFIXES = (".yaml", ".yml")


def content_id(data: bytes) -> str:
    """The stable document id: a hash of the file's bytes."""
    return hashlib.sha256(data).hexdigest()[:20]


def read_file(path: Path, max_bytes: int) -> bytes:
    """Read a file's bytes, refusing missing, oversized and empty files."""
    if not path.exists():
        raise LoadError(str(path), "path does not exist")
    if not path.is_file():
        raise LoadError(str(path), "not a regular file")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise LoadError(
            str(path),
            f"unsupported file type '{path.suffix or '(none)'}'; supported: "
            + ", ".join(sorted(SUPPORTED_SUFFIXES)),
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(str(path), f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    data = path.read_bytes()
    if not data.strip():
        raise LoadError(str(path), "empty file")
    return data


def load_document(path: Path, data: bytes, source: str | None = None) -> SourceDocument:
    """Turn one file's bytes into a cleaned document with its metadata.

    The type is decided by content: a ``.txt`` holding PDF or binary bytes is refused.
    """
    name = source or str(path)
    is_pdf_bytes = data.lstrip()[:5] == b"%PDF-"
    suffix = path.suffix.lower()
    warnings: list[str] = []
    if suffix in PDF_SUFFIXES:
        if not is_pdf_bytes:
            raise LoadError(name, "not a PDF: the file does not start with a PDF header")
        pages, pdf_title = _load_pdf(name, data)
        kind = "pdf"
    else:
        if is_pdf_bytes:
            raise LoadError(name, "a PDF file with a text extension; rename it to .pdf")
        text = _decode_text(name, data, warnings)
        pages = [Page(number=None, text=t) for t in _split_form_feeds(text)]
        pdf_title = None
        kind = "text"
    pages = clean_pages(pages)
    if not any(p.text.strip() for p in pages):
        raise LoadError(name, "no text found in the file")
    meta = detect_metadata(path, pages, pdf_title)
    return SourceDocument(
        doc_id=content_id(data),
        source=name,
        kind=kind,
        pages=pages,
        title=meta.title,
        date=meta.date,
        date_text=meta.date_text,
        disclosure=meta.disclosure or "restricted",
        disclosure_reason=meta.disclosure_reason,
        metadata_origin=meta.origin,
        warnings=warnings,
    )


def _split_form_feeds(text: str) -> list[str]:
    parts = text.split("\f")
    return parts if len(parts) > 1 else [text]


def _decode_text(name: str, data: bytes, warnings: list[str]) -> str:
    if b"\x00" in data[:65536]:
        raise LoadError(name, "binary content (NUL bytes) in a text file")
    sample = data[:65536]
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if control / max(len(sample), 1) > 0.05:
        raise LoadError(name, "binary content (control bytes) in a text file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        warnings.append(f"not valid UTF-8 (byte {exc.start}); decoded as Windows-1252")
        log.warning("%s: not valid UTF-8, decoded as Windows-1252", name)
        return text


def _load_pdf(name: str, data: bytes) -> tuple[list[Page], str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if b"%%EOF" not in data[-2048:]:
        raise LoadError(name, "truncated PDF: no end-of-file marker")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many "protected" reports open with an empty user password.
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # noqa: BLE001 - pypdf raises assorted errors here
                raise LoadError(name, f"encrypted PDF that cannot be opened ({exc})") from exc
            if not ok:
                raise LoadError(name, "encrypted PDF: a password is required")
        pages = [Page(number=i + 1, text=page.extract_text() or "") for i, page in enumerate(reader.pages)]
        title = None
        if reader.metadata is not None:
            title = reader.metadata.title
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise LoadError(name, f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc
    if not pages:
        raise LoadError(name, "PDF has no pages")
    if not any(p.text.strip() for p in pages):
        raise LoadError(name, f"PDF has no text layer ({len(pages)} pages, scanned images?): it needs OCR first")
    return pages, title
