"""The report library behind the app: list indexed reports, take uploads, remove a report.

Uploads are typed by their bytes, not their names: a PDF must start with a PDF header and
text must decode without binary content, whatever the file is called. The stored name is
sanitised and given the extension of the detected type. A report whose bytes are already
indexed is recognised and not stored twice. A file that fails to ingest is not kept.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..reading.disclosure import PUBLIC, RESTRICTED
from ..reading.evidence import remove_cached
from ..reading.loading import content_id, is_pdf
from ..reading.metadata import format_date
from ..settings import Settings
from .index import Index
from .ingest import FileResult, IngestSummary, ingest
from .lexical import DocumentRecord

_INGEST_LOCK = threading.Lock()  # one ingestion at a time per process; queries go on beside it


def sniff(data: bytes) -> str | None:
    """``.pdf`` or ``.txt`` by content, or None for anything else (images, Office files, archives...)."""
    if is_pdf(data):
        return ".pdf"
    sample = data[:65536]
    if not sample.strip() or b"\x00" in sample:
        return None
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if control / len(sample) > 0.01:
        return None
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a multi-byte character cut by the sample's end is fine
            try:
                sample.decode("cp1252")
            except UnicodeDecodeError:
                return None
    return ".txt"


def safe_name(original: str, suffix: str) -> str:
    """A file name safe on any file system: ASCII letters, digits, ``-`` and ``_``, with ``suffix``."""
    stem = Path(original.replace("\\", "/")).name
    stem = re.sub(r"\.(pdf|txt|md|markdown|text)$", "", stem, flags=re.I)
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_.")[:80] or "report"
    return f"{stem}{suffix}"


@dataclass
class ReportRow:
    doc_id: str
    title: str
    date: str | None
    pages: int
    chunks: int
    ingested: str
    disclosure: str
    decided: str  # how the disclosure status was decided (sidecar, the report's words, default)
    source: str
    kind: str
    flags: list[str]  # what ingestion noticed about the report (metadata["flags"]), shown in the library


def visible(doc: DocumentRecord, clearance: str | None) -> bool:
    """Whether a user of ``clearance`` may see the report (public clearance: public reports only)."""
    return clearance != PUBLIC or doc.disclosure == PUBLIC


def documents(index: Index, clearance: str | None = None) -> list[DocumentRecord]:
    """The registry records of the indexed reports a user of ``clearance`` may see."""
    return [d for d in index.lexical.documents() if visible(d, clearance)]


def reports(index: Index, clearance: str | None = None) -> list[ReportRow]:
    """The indexed reports a user of ``clearance`` may see, as the library tab lists them."""
    return [_row(d) for d in documents(index, clearance)]


def _row(d: DocumentRecord) -> ReportRow:
    reason = d.metadata.get("disclosure_reason")
    decided = d.metadata.get("metadata_origin", {}).get(
        "disclosure", "not recorded (indexed before disclosure detection)"
    )
    return ReportRow(
        d.doc_id,
        d.title,
        format_date(d.date),
        d.pages,
        d.chunks,
        time.strftime("%Y-%m-%d %H:%M", time.localtime(d.ingested_at)),
        d.disclosure or RESTRICTED,
        f"{decided}{' — ' + reason if reason and reason not in decided else ''}",
        d.source,
        d.kind,
        report_flags(d),
    )


def report_flags(d: DocumentRecord) -> list[str]:
    """The ingest flags recorded for a report (``metadata["flags"]``); only strings count."""
    flags = d.metadata.get("flags")
    return [f for f in flags if isinstance(f, str)] if isinstance(flags, list) else []


def add_reports(
    index: Index,
    uploads: list[tuple[Path, str]],
    settings: Settings,
    on_progress: Callable[[float, str], None] | None = None,
    clearance: str | None = None,
) -> IngestSummary:
    """Check, store and ingest uploaded files (temporary path, name as uploaded) into ``index``.

    ``clearance`` is the uploader's: an earlier version is looked for only among the reports they may
    see, and a duplicate of one they may not see is reported without its title or file name."""
    summary = IngestSummary()
    known = {d.doc_id: d for d in index.lexical.documents()}
    folder = Path(settings.upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    limit = int(settings.max_file_mb * 1_000_000)
    stored: list[Path] = []
    originals: dict[str, str] = {}  # stored name -> name as uploaded, for the results shown
    seen: dict[str, str] = {}
    for tmp, original in uploads:
        name = Path(original).name
        size = tmp.stat().st_size
        if size > limit:
            summary.add(
                FileResult(name, "failed", f"file is {size / 1e6:.1f} MB, over the {settings.max_file_mb:g} MB limit")
            )
            continue
        data = tmp.read_bytes()
        suffix = sniff(data)
        if suffix is None:
            summary.add(FileResult(name, "failed", "not a PDF or text report (checked by content, not by name)"))
            continue
        doc_id = content_id(data)
        if doc_id in known:
            doc = known[doc_id]
            # The bytes are the uploader's own, so only the title and file name could leak: withheld when unseen.
            said = (
                f"already indexed as “{doc.title}” ({Path(doc.source).name})"
                if visible(doc, clearance)
                else "already in the library"
            )
            summary.add(FileResult(name, "duplicate", said, doc_id=doc_id))
            continue
        if doc_id in seen:
            summary.add(FileResult(name, "duplicate", f"same content as {seen[doc_id]} in this upload"))
            continue
        seen[doc_id] = name
        target = _free_path(folder, safe_name(name, suffix))
        shutil.copyfile(tmp, target)
        stored.append(target)
        originals[target.name] = name
    if not stored:
        return summary
    with _INGEST_LOCK:
        result = ingest(
            stored,
            settings,
            progress=False,
            on_progress=on_progress,
            threads=settings.upload_threads,
            index=index,
        )
    for r in result.results:
        stored_name = Path(r.path).name
        if r.status == "failed":
            # Not indexed, so not kept: the library only holds what answers.
            (folder / stored_name).unlink(missing_ok=True)
        elif r.doc_id and find_report(index, r.doc_id, clearance) is not None:
            earlier = earlier_version(index, r.doc_id, clearance)
            if earlier is not None:
                doc, share = earlier
                r.version_of = {"doc_id": doc.doc_id, "title": doc.title, "share": f"{share:.0%}"}
        r.path = originals.get(stored_name, r.path)
        summary.add(r)
    summary.embedded += result.embedded
    summary.seconds = result.seconds
    return summary


VERSION_SHARE = 0.6  # most of a new report's passages already in one report: a new version of it


def earlier_version(index: Index, doc_id: str, clearance: str | None = None) -> tuple[DocumentRecord, float] | None:
    """The report already indexed, of those a user of ``clearance`` may see, that shares most passages
    with ``doc_id`` (a re-saved or amended copy). Reports beyond ``clearance`` are never compared."""
    total = len(index.lexical.texts(doc_id))
    if not total:
        return None
    candidates = []
    for other, count in index.lexical.shared_passages(doc_id).items():
        doc = index.lexical.document(other)
        if doc is not None and visible(doc, clearance):
            candidates.append((count, doc))
    if not candidates:
        return None
    count, doc = max(candidates, key=lambda c: c[0])
    return (doc, count / total) if count / total >= VERSION_SHARE else None


def _free_path(folder: Path, name: str) -> Path:
    path = folder / name
    n = 2
    while path.exists():
        path = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    return path


def evidence_folder(settings: Settings) -> Path:
    """Where the highlighted page images are cached: inside the index, which is never served as files."""
    return Path(settings.index_dir) / "page-images"


def find_report(index: Index, doc_id: str, clearance: str | None = None) -> DocumentRecord | None:
    """The report with ``doc_id`` if a user of ``clearance`` may see it (else None, as if it did not exist)."""
    doc = index.lexical.document(doc_id)
    if doc is None or not visible(doc, clearance):
        return None
    return doc


def remove_report(index: Index, doc_id: str, settings: Settings, clearance: str | None = None) -> str:
    """Remove a report from both indexes; an uploaded copy is deleted too so it does not come back.

    KeyError for a report that is not there or that a user of ``clearance`` may not see (the same message)."""
    doc = find_report(index, doc_id, clearance)
    if doc is None:
        raise KeyError(f"no report with id {doc_id}")
    index.remove_document(doc_id)
    remove_cached(evidence_folder(settings), doc_id)
    path = Path(doc.path)
    if path.parent.resolve() == Path(settings.upload_dir).resolve():
        path.unlink(missing_ok=True)
    return doc.title
