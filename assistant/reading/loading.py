"""Load PDF and text reports into :class:`SourceDocument`, or fail with a clear :class:`LoadError`."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..documents import LoadError, Page, SourceDocument
from ..settings import Settings
from .cleaning import clean_pages
from .isolation import LimitExceeded, worker
from .metadata import detect_metadata, junk_title
from .ocr import MIN_TEXT

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
            f"unsupported file type '{path.suffix or '(none)'}'; supported: " + ", ".join(sorted(SUPPORTED_SUFFIXES)),
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(str(path), f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    data = path.read_bytes()
    if not data.strip():
        raise LoadError(str(path), "empty file")
    return data


@dataclass(frozen=True)
class Limits:
    """How much one file may cost: pages, text, and for PDFs parse time and memory."""

    max_pages: int = 2000
    max_chars: int = 20_000_000
    pdf_seconds: float = 60.0
    pdf_memory_mb: int = 1536
    pdf_reader: str = "pypdf"  # or "layout": pdfplumber's positions, tables as rows (assistant/reading/layout.py)
    ocr: bool = True  # read pages with no text layer from their image (assistant/reading/ocr.py)
    ocr_seconds: float = 120.0  # per page
    ocr_memory_mb: int = 3072
    ocr_file_seconds: float = 3600.0  # all of one file's pages

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            settings.max_pages,
            settings.max_text_chars,
            settings.pdf_timeout,
            settings.pdf_memory_mb,
            settings.pdf_reader,
            settings.ocr,
            settings.ocr_timeout,
            settings.ocr_memory_mb,
            settings.ocr_file_timeout,
        )


def is_pdf(data: bytes) -> bool:
    """A PDF by content: its header, after any leading whitespace, whatever the file is called."""
    return data[:1024].lstrip().startswith(b"%PDF-")


def load_document(path: Path, data: bytes, source: str | None = None, limits: Limits = Limits()) -> SourceDocument:
    """Turn one file's bytes into a cleaned document with its metadata.

    The type is decided by content: a ``.txt`` holding PDF or binary bytes is refused. PDFs
    are parsed in a worker process under ``limits`` (time, memory, pages, text).
    """
    name = source or str(path)
    is_pdf_bytes = is_pdf(data)
    suffix = path.suffix.lower()
    warnings: list[str] = []
    active: list[str] = []
    if suffix in PDF_SUFFIXES:
        if not is_pdf_bytes:
            raise LoadError(name, "not a PDF: the file does not start with a PDF header")
        try:
            pages, (pdf_title, title_origin), pdf_warnings, active, unread = worker(limits.pdf_memory_mb).run(
                _load_pdf, name, data, limits, timeout=limits.pdf_seconds
            )
        except LimitExceeded as exc:
            raise LoadError(name, f"PDF refused: parsing {exc}") from exc
        pages, pdf_warnings, left = _read_by_ocr(name, data, pages, unread, pdf_warnings, limits)
        warnings += pdf_warnings
        kind = "pdf"
    else:
        if is_pdf_bytes:
            raise LoadError(name, "a PDF file with a text extension; rename it to .pdf")
        text = _decode_text(name, data, warnings)
        if len(text) > limits.max_chars:
            raise LoadError(name, f"{len(text):,} characters of text, over the {limits.max_chars:,} limit")
        pages = [Page(number=None, text=t) for t in _split_form_feeds(text)]
        pdf_title, title_origin = None, ""
        kind = "text"
        left = []
    pages = clean_pages(pages)
    if not any(p.text.strip() for p in pages):
        raise LoadError(name, "no text found in the file")
    meta = detect_metadata(path, pages, pdf_title, title_origin)
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
        active_content=active,
        unread_pages=left,
        ocr_limits=ocr_limits(limits) if left else {},
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


@contextlib.contextmanager
def _pypdf_warnings() -> Iterator[list[str]]:
    """The messages pypdf logs meanwhile (it reports some refusals only as a log line)."""
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logger = logging.getLogger("pypdf")
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)


def _plain_title(reader: Any) -> str | None:
    """The metadata title as a plain string (an indirect object or odd type must not cross the worker boundary)."""
    if reader.metadata is None:
        return None
    raw = reader.metadata.get("/Title")
    for _ in range(8):  # resolve a chain of indirect references, not forever
        if not hasattr(raw, "get_object"):
            break
        raw = raw.get_object()
    return str(raw).strip() or None if isinstance(raw, str) else None


class _Pdfminer:
    """The same bytes through pdfplumber (pdfminer.six), opened once and only when first asked for.

    ``doc`` is None when pdfminer refuses a file pypdf repaired: the second reader is only ever
    a fallback, so nothing it raises may fail the load.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._doc: Any = None
        self._tried = False

    @property
    def doc(self) -> Any:
        if not self._tried:
            self._tried = True
            try:
                from .layout import open_pdf

                self._doc = open_pdf(io.BytesIO(self.data))
                _ = self._doc.pages  # pdfminer reads the page tree lazily: a broken one raises here
            except Exception as exc:  # noqa: BLE001 - pdfminer raises assorted errors
                log.info("pdfminer cannot read the file (%s: %s)", type(exc).__name__, exc)
                self.close()
        return self._doc

    def page(self, index: int) -> Any:
        return self.doc.pages[index] if self.doc is not None and index < len(self.doc.pages) else None

    def close(self) -> None:
        doc, self._doc = self._doc, None
        if doc is not None:
            with contextlib.suppress(Exception):
                doc.close()


def _layout_pages(miner: _Pdfminer, pages: list[Page]) -> list[Page]:
    """The pages re-read with the layout reader; a page it cannot read keeps pypdf's text."""
    from .layout import read_page

    out = []
    for i, page in enumerate(pages):
        text, notes = "", []
        try:
            plumbed = miner.page(i)
            text, notes = read_page(plumbed) if plumbed is not None else ("", [])
        except Exception as exc:  # noqa: BLE001 - pdfminer raises assorted errors on odd pages
            log.warning(
                "page %d: layout reader failed (%s: %s); pypdf's text kept", page.number, type(exc).__name__, exc
            )
        out.append(Page(page.number, text, notes) if text.strip() else page)
    return out


def _legible_pages(name: str, miner: _Pdfminer, pages: list[Page]) -> tuple[list[Page], list[str]]:
    """Pages whose text is not language re-read with pdfminer; a page neither reads is left empty, with a warning."""
    from .legibility import legible

    bad = [i for i, p in enumerate(pages) if p.text.strip() and not legible(p.text)]
    warnings, out = [], list(pages)
    for i in bad:
        try:
            plumbed = miner.page(i)
            other = (plumbed.extract_text() or "") if plumbed is not None else ""
        except Exception:  # noqa: BLE001 - pdfminer raises assorted errors on files pypdf repaired
            other = ""
        if other.strip() and legible(other):
            out[i] = Page(number=pages[i].number, text=other)
            log.info("%s: page %d re-read with pdfminer (pypdf's text was not language)", name, pages[i].number)
        else:
            out[i] = Page(number=pages[i].number, text="")
            warnings.append(
                f"page {pages[i].number}: its text is not language (a font neither reader decodes); "
                "nothing indexed from that page"
            )
    return out, warnings


def _respaced_pages(miner: _Pdfminer, pages: list[Page], budget: float) -> list[Page]:
    """Pages whose text looks letter-spaced ("£48 0") repaired from pdfminer's reading of the same page,
    for at most ``budget`` seconds (pages past it keep pypdf's text: a repair never costs the file)."""
    from .spacing import rejoin, spaced_pages

    out = list(pages)
    deadline = time.monotonic() + budget
    for i in spaced_pages([p.text for p in pages]):
        if time.monotonic() > deadline:
            log.info("letter-spacing repair stopped at page %d: its time budget is spent", pages[i].number)
            break
        try:
            plumbed = miner.page(i)
            reference = (plumbed.extract_text() or "") if plumbed is not None else ""
            if plumbed is not None:
                plumbed.close()  # pdfplumber keeps each page's objects until it is closed
        except Exception:  # noqa: BLE001 - only a repair; pypdf's text stands
            reference = ""
        if reference:
            out[i] = Page(pages[i].number, rejoin(pages[i].text, reference), pages[i].notes)
    return out


def _restacked_pages(miner: _Pdfminer, pages: list[Page], budget: float, read: list[Page]) -> list[Page]:
    """``read`` (the pages as read so far) with each page where ``pages`` (pypdf's reading) shows words set
    one letter per line (a narrow table column) replaced by ``pages``' text with those tables read from
    pdfminer's glyph positions as rows; for at most ``budget`` seconds (``reading/stacking.py``)."""
    from .stacking import restack, stacked_pages

    texts = [p.text for p in pages]
    wanted = stacked_pages(texts)
    if not wanted:
        return read
    deadline = time.monotonic() + budget
    try:
        import pdfplumber

        drawn = pdfplumber.open(io.BytesIO(miner.data), password="")  # no layout analysis: glyphs as drawn
    except Exception:  # noqa: BLE001 - pdfminer refuses a file pypdf repaired: the reading stands
        return read

    def chars_of(i: int) -> list[dict] | None:
        if time.monotonic() > deadline:
            log.info("stacked-letter repair skipped page %d: its time budget is spent", pages[i].number)
            return None
        try:
            plumbed = drawn.pages[i]
            chars = list(plumbed.chars)
            plumbed.close()
            return chars
        except Exception:  # noqa: BLE001 - only a repair; pypdf's text stands
            return None

    try:
        repaired = restack(texts, chars_of, wanted)
    except Exception as exc:  # noqa: BLE001 - only a repair; pypdf's text stands
        log.warning("stacked-letter repair failed (%s: %s); the reading kept", type(exc).__name__, exc)
        return read
    finally:
        drawn.close()
    from .legibility import legible

    fixed = {i: t for i, t in repaired.items() if read[i].text.strip() and legible(t)}
    return [Page(p.number, fixed[i], p.notes) if i in fixed else p for i, p in enumerate(read)]


_LABEL_ONLY = re.compile(r"(?i)^(appendix|annex|annexe|chapter|section|part|table|figure|item|page|schedule)\s+[\w.]+$")


def _largest_heading(miner: _Pdfminer) -> str | None:
    """The lines set in the largest type on the first page (a cover's title, taken whole over its lines),
    if that type stands out from the body text of the first pages (a cover may hold little else)."""
    try:
        page = miner.page(0)
        if page is None:
            return None
        page = page.dedupe_chars()  # a bold set by printing each letter twice ("HHIIGGHHLLIIGGHHTTSS")
        chars = [c for c in page.chars if c.get("text", "").strip()]
        if len(chars) < 20:
            return None
        body_chars = [
            c for i in (1, 2) if (p := miner.page(i)) is not None for c in p.chars if c.get("text", "").strip()
        ]
        sizes = sorted(round(c["size"], 1) for c in (body_chars if len(body_chars) >= 200 else chars))
        body = sizes[len(sizes) // 2]
        lines = page.extract_text_lines(strip=True, return_chars=True)
        for size in sorted({round(c["size"], 1) for c in chars}, reverse=True):  # the largest type first
            if size < body * 1.2:
                return None
            run = [ln for ln in lines if _line_size(ln) == size]
            title = _title_lines(run, size)
            if len(title) > 160:
                title = _title_lines(run, size, most=3)  # a long run: its first lines, not a smaller type
            if 4 <= len(title) <= 160 and not _LABEL_ONLY.match(title) and not junk_title(title):
                return title
    except Exception:  # noqa: BLE001 - only a title candidate; the PDF was already read
        return None
    return None


def _line_size(line: dict[str, Any]) -> float:
    """The type size most of a line's letters are set in (small capitals set some of them larger)."""
    sizes = [round(c["size"], 1) for c in line.get("chars", []) if c.get("text", "").strip()]
    return max(sizes, key=sizes.count) if sizes else 0.0


def _title_lines(lines: list[dict[str, Any]], size: float, most: int = 6) -> str:
    """The first run of ``lines`` (all in one type ``size``), at most ``most`` of them, each starting
    less than 2.2 times the type size below the one before (a wider gap ends the title)."""
    run: list[dict[str, Any]] = []
    for ln in lines:
        if run and (ln["top"] - run[-1]["top"] > 2.2 * size or len(run) == most):
            break
        run.append(ln)
    return " ".join(ln["text"].strip() for ln in run if ln["text"].strip())


_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "launch action"}
_MAX_OBJECTS = 5000  # objects looked at for active content: enough for any real report, bounded for a crafted one


def _resolved(obj: Any) -> Any:
    for _ in range(8):  # a chain of indirect references, not forever
        if not hasattr(obj, "get_object"):
            break
        obj = obj.get_object()
    return obj


class _ActiveContent:
    """What a PDF would do when opened, read from its objects: JavaScript (the names tree, document, page,
    annotation and form-field actions, /OpenAction, /AA), launch actions, embedded files and file attachments."""

    def __init__(self) -> None:
        self.found: set[str] = set()
        self.seen: set[int] = set()

    def action(self, action: Any) -> None:
        """An action dictionary, and the actions it chains to (/Next)."""
        for _ in range(64):
            action = _resolved(action)
            if isinstance(action, list):
                for a in action[:64]:
                    self.action(a)
                return
            if not hasattr(action, "get") or id(action) in self.seen or len(self.seen) > _MAX_OBJECTS:
                return
            self.seen.add(id(action))
            kind = _ACTIONS.get(str(_resolved(action.get("/S"))))
            if kind:
                self.found.add(kind)
            if "/JS" in action:
                self.found.add("JavaScript")
            action = action.get("/Next")
            if action is None:
                return

    def triggers(self, holder: Any) -> None:
        """The /A and /AA (additional actions: on open, close, page view, keystroke …) of a catalog, page,
        annotation or field."""
        holder = _resolved(holder)
        if not hasattr(holder, "get"):
            return
        if "/A" in holder:
            self.action(holder["/A"])
        extra = _resolved(holder.get("/AA"))
        if hasattr(extra, "values"):
            for a in list(extra.values())[:32]:
                self.action(a)

    def names(self, tree: Any, depth: int = 0) -> bool:
        """Whether a name tree (/Names → /JavaScript or /EmbeddedFiles) has any entry."""
        tree = _resolved(tree)
        if not hasattr(tree, "get") or depth > 16:
            return False
        if _resolved(tree.get("/Names")):
            return True
        return any(self.names(kid, depth + 1) for kid in (_resolved(tree.get("/Kids")) or [])[:64])

    def read(self, reader: Any) -> list[str]:
        root = _resolved(reader.trailer.get("/Root"))
        if not hasattr(root, "get"):
            return []
        names = _resolved(root.get("/Names"))
        if hasattr(names, "get"):
            if self.names(names.get("/JavaScript")):
                self.found.add("JavaScript")
            if self.names(names.get("/EmbeddedFiles")):
                self.found.add("embedded files")
        if "/OpenAction" in root:
            self.action(root["/OpenAction"])
        self.triggers(root)
        for field_ in (_resolved(_resolved(root.get("/AcroForm") or {}).get("/Fields")) or [])[:_MAX_OBJECTS]:
            self.triggers(field_)
        for page in reader.pages[:2000]:
            self.triggers(page)
            for annot in (_resolved(page.get("/Annots")) or [])[:500]:
                annot = _resolved(annot)
                if hasattr(annot, "get") and str(annot.get("/Subtype")) == "/FileAttachment":
                    self.found.add("file attachment")
                self.triggers(annot)
        order = ["JavaScript", "launch action", "embedded files", "file attachment"]
        return [k for k in order if k in self.found]


def active_content(reader: Any) -> list[str]:
    """The active content a PDF (a pypdf reader) carries, as plain words; never raises (text extraction goes on)."""
    try:
        return _ActiveContent().read(reader)
    except Exception as exc:  # noqa: BLE001 - a malformed object must not fail the load
        log.info("active content not fully read (%s: %s)", type(exc).__name__, exc)
        return []


def _load_pdf(
    name: str, data: bytes, limits: Limits = Limits()
) -> tuple[list[Page], tuple[str | None, str], list[str], list[str], list[int]]:
    """Pages, (title candidate, where it came from), warnings, active content and the pages to read
    by OCR (0-based) of a PDF (runs in the worker; plain values only)."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

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
        if len(reader.pages) > limits.max_pages:
            raise LoadError(name, f"PDF has {len(reader.pages)} pages, over the {limits.max_pages} page limit")
        pages, chars = [], 0
        for i, page in enumerate(reader.pages):
            with _pypdf_warnings() as warned:
                text = page.extract_text() or ""
            if any("Limit reached" in w for w in warned):  # pypdf skips the part it refused and goes on
                raise LoadError(
                    name,
                    f"PDF refused: a compressed stream on page {i + 1} expands past pypdf's safety limit "
                    "(a decompression bomb)",
                )
            chars += len(text)
            if chars > limits.max_chars:
                raise LoadError(
                    name, f"PDF yields over {limits.max_chars:,} characters of text (a decompression bomb?)"
                )
            pages.append(Page(number=i + 1, text=text))
        miner = _Pdfminer(data)
        try:
            title, title_origin = _plain_title(reader), "PDF metadata"
            if title is None or junk_title(title):
                title, title_origin = _largest_heading(miner), "largest type on the first page"
            drawn = pages  # pypdf's reading, in drawing order
            if limits.pdf_reader == "layout":
                pages = _layout_pages(miner, pages)
            pages, warnings = _legible_pages(name, miner, pages)
            if limits.pdf_reader != "layout":
                pages = _respaced_pages(miner, pages, limits.pdf_seconds / 4)
                drawn = pages
            pages = _restacked_pages(miner, drawn, limits.pdf_seconds / 4, pages)
            from .flowed import unflowed_pages

            pages = unflowed_pages(pages)  # tables and forms printed as running text, as rows and fields
        finally:
            miner.close()
        active = active_content(reader)
    except LoadError:
        raise
    except LimitReachedError as exc:
        raise LoadError(name, f"PDF refused: a compressed stream expands past pypdf's safety limit ({exc})") from exc
    except MemoryError as exc:
        raise LoadError(name, "PDF refused: parsing needed more memory than allowed") from exc
    except RecursionError as exc:
        raise LoadError(name, "corrupt PDF: its objects refer to each other without end") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise LoadError(name, f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc
    if not pages:
        raise LoadError(name, "PDF has no pages")
    # Pages to read from their image: too little text, and an image to read it from (a scan) or
    # text in a font no reader decodes (its glyphs still print).
    unread = [
        i
        for i, p in enumerate(pages)
        if len(p.text.strip()) < MIN_TEXT
        and (any(w.startswith(f"page {p.number}: ") for w in warnings) or _has_image(reader.pages[i]))
    ]
    return pages, (title, title_origin), warnings, active, unread


def _has_image(page: Any) -> bool:
    """Whether a page draws an image (an image XObject, also inside a form XObject, or an image inline
    in its content, as fax and scanner software writes them); never raises."""
    try:
        if _holds_image(_resolved(page.get("/Resources")), 0):
            return True
        contents = page.get_contents()
        return contents is not None and _INLINE_IMAGE.search(contents.get_data()[:2_000_000]) is not None
    except Exception:  # noqa: BLE001 - a malformed resource dictionary or content stream: no image found
        return False


_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s.{0,2000}?\sID\s", re.S)
OCR_GIVE_UP = 3  # pages in a row OCR fails on before the file's other scanned pages are left


def _holds_image(resources: Any, depth: int) -> bool:
    if not hasattr(resources, "get") or depth > 3:
        return False
    objects = _resolved(resources.get("/XObject"))
    if not hasattr(objects, "values"):
        return False
    for obj in list(objects.values())[:200]:
        obj = _resolved(obj)
        if not hasattr(obj, "get"):
            continue
        kind = str(obj.get("/Subtype"))
        if kind == "/Image" or kind == "/Form" and _holds_image(_resolved(obj.get("/Resources")), depth + 1):
            return True
    return False


def _numbers(pages: list[Page], indexes: list[int], most: int = 20) -> str:
    """The page numbers of ``indexes`` (0-based) for a warning: "4, 5, 6", the first ``most`` and "…"."""
    return ", ".join(str(pages[i].number) for i in indexes[:most]) + (" …" if len(indexes) > most else "")


def ocr_limits(limits: Limits) -> dict[str, Any]:
    """The OCR limits a document's scanned pages are read under (recorded with pages left unread)."""
    from . import ocr

    return {
        "ocr": limits.ocr,
        "engine": ocr.available(),
        "seconds": limits.ocr_seconds,
        "file_seconds": limits.ocr_file_seconds,
        "memory_mb": limits.ocr_memory_mb,
    }


def more_generous(now: dict[str, Any], then: dict[str, Any]) -> bool:
    """Whether OCR limits ``now`` could read a page that ``then`` left unread: OCR turned on or
    installed since, or more time or memory."""
    if not then:
        return False
    if now["ocr"] and now["engine"] and not (then.get("ocr") and then.get("engine")):
        return True
    return now["ocr"] and any(now[k] > then.get(k, now[k]) for k in ("seconds", "file_seconds", "memory_mb"))


def _read_by_ocr(
    name: str, data: bytes, pages: list[Page], unread: list[int], warnings: list[str], limits: Limits
) -> tuple[list[Page], list[str], list[int]]:
    """``pages`` with the ``unread`` ones (0-based) read from their image by OCR, one page a call in
    the OCR worker (its own time and memory limits); a page OCR cannot read is skipped with a warning.
    Also the numbers of the pages left for want of OCR (off, not installed, out of time or memory).
    Refuses the file when no page has text at all."""
    from . import ocr
    from .flowed import unflowed_pages
    from .legibility import legible
    from .scantables import join_labels

    out = list(pages)
    skipped: list[str] = []
    left: list[int] = []
    if unread and limits.ocr and ocr.available():
        deadline = time.monotonic() + limits.ocr_file_seconds
        failed_in_a_row = 0
        for n, i in enumerate(unread):
            number = pages[i].number
            if time.monotonic() > deadline or failed_in_a_row >= OCR_GIVE_UP:
                which = _numbers(pages, unread[n:])
                why = "OCR failed on the pages before" if failed_in_a_row >= OCR_GIVE_UP else "its OCR time is spent"
                skipped.append(f"pages {which}: not read by OCR ({why}); nothing indexed from them")
                left += [pages[j].number for j in unread[n:]]
                break
            try:
                text, _ = worker(limits.ocr_memory_mb).run(ocr.read_page, data, i, timeout=limits.ocr_seconds)
            except LimitExceeded as exc:
                failed_in_a_row += 1
                skipped.append(f"page {number}: OCR could not read it ({exc}); nothing indexed from that page")
                left.append(number)
                continue
            except Exception as exc:  # noqa: BLE001 - an image the renderer or the model cannot take
                failed_in_a_row += 1
                why = type(exc).__name__
                skipped.append(f"page {number}: OCR could not read it ({why}); nothing indexed from that page")
                continue
            failed_in_a_row = 0
            if text.strip() and legible(text):
                out[i] = unflowed_pages([Page(number, text, [], ocr=True)])[0]  # a scanned form run together
                warnings = [w for w in warnings if not w.startswith(f"page {number}: ")]  # read after all
            elif text.strip() and not any(w.startswith(f"page {number}: ") for w in warnings):
                # (a font that decodes to gibberish may print gibberish too: its own warning then stands)
                skipped.append(f"page {number}: OCR's reading of it is not language; nothing indexed from that page")
        texts = join_labels([p.text if p.ocr else "" for p in out], ocr.vocabulary())
        out = [Page(p.number, t, p.notes, ocr=True) if p.ocr and t != p.text else p for p, t in zip(out, texts)]
        log.info("%s: %d of %d pages read by OCR", name, sum(p.ocr for p in out), len(out))
    elif unread and any(p.text.strip() for p in pages):
        which = _numbers(pages, unread)
        why = "OCR is turned off" if not limits.ocr else "the OCR engine is not installed"
        skipped.append(f"pages {which}: no text layer and {why}; nothing indexed from them")
        left = [pages[i].number for i in unread]
    warnings = warnings + skipped
    if not any(p.text.strip() for p in out):
        if any("not language" in w for w in warnings):
            raise LoadError(name, f"no page's text is language ({len(pages)} pages): its fonts decode to gibberish")
        if not limits.ocr:
            why = "OCR is turned off (ASSISTANT_OCR=false)"
        elif not ocr.available():
            why = "the OCR engine is not installed (pip install rapidocr onnxruntime)"
        else:
            why = "OCR found no text on any page"
        raise LoadError(name, f"PDF has no text layer ({len(pages)} pages, scanned images?) and {why}")
    return out, warnings, [n for n in left if n is not None]
