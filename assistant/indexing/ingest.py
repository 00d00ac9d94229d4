"""``assistant ingest``: files -> loaded documents -> chunks -> embeddings -> both indexes.

Idempotent and incremental: a document's id is the hash of its bytes, so an unchanged file
is skipped without embedding, a changed file replaces its old chunks, and the same file
under two names is indexed once. A document counts as indexed only once its registry row
is committed, so an interrupted run leaves an index that still answers; the next run
removes what the interruption left half-written and completes the work.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from ..documents import Chunk, LoadError, SourceDocument
from ..reading.chunking import chunk_document
from ..reading.guard import instructions
from ..reading.loading import (
    SIDECAR_SUFFIXES,
    Limits,
    content_id,
    load_document,
    more_generous,
    ocr_limits,
    read_file,
)
from ..reading.metadata import sidecar_fingerprint
from ..settings import Settings
from .embedding import get_encoder
from .index import Index

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    path: str
    status: str  # indexed | replaced | unchanged | moved | duplicate | failed | removed
    reason: str | None = None
    title: str | None = None
    pages: int = 0
    chunks: int = 0
    warnings: list[str] = field(default_factory=list)
    doc_id: str | None = None  # the report as indexed (indexed or replaced)
    version_of: dict[str, str] | None = None  # an earlier version already in the library: doc_id, title, share
    flags: list[str] = field(default_factory=list)  # what a reader should know (not warnings: the ingest succeeded)


@dataclass
class IngestSummary:
    files: int = 0
    pages: int = 0
    chunks: int = 0
    embedded: int = 0
    skipped: int = 0
    failed: int = 0
    removed: int = 0
    warnings: int = 0
    flagged: int = 0  # files with flags (instructions addressed to a model, active content)
    seconds: float = 0.0
    results: list[FileResult] = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        self.results.append(result)
        self.files += 1
        self.warnings += len(result.warnings)
        self.flagged += bool(result.flags) and result.status in ("indexed", "replaced")
        if result.status in ("indexed", "replaced"):
            self.pages += result.pages
            self.chunks += result.chunks
        elif result.status == "failed":
            self.failed += 1
        elif result.status == "removed":
            self.removed += 1
            self.files -= 1
        else:
            self.skipped += 1

    def to_dict(self) -> dict:
        return asdict(self)

    def render(self) -> str:
        lines = []
        for r in self.results:
            if r.status == "failed":
                lines.append(f"FAILED  {r.path}: {r.reason}")
            elif r.status in ("duplicate", "moved", "removed"):
                lines.append(f"{r.status.upper():8}{r.path}: {r.reason}")
            for w in r.warnings:
                lines.append(f"WARNING {r.path}: {w}")
            for f in r.flags:
                lines.append(f"FLAG    {r.path}: {f}")
        lines.append(
            f"files {self.files}, pages {self.pages}, passages {self.chunks} (embedded {self.embedded}), "
            f"skipped {self.skipped}, failed {self.failed}, removed {self.removed}, flagged {self.flagged}, "
            f"{self.seconds:.1f} s"
        )
        return "\n".join(lines)


def document_flags(doc: SourceDocument) -> list[str]:
    """What a reader of the library should know about a report: sentences addressed to an AI tool or to
    whoever answers (never evidence), active content in its PDF (JavaScript, launch actions, embedded
    files), and pages read by OCR."""
    flags = []
    addressed = sum(len(instructions(p.text)) for p in doc.pages)
    if addressed:
        noun = "sentence" if addressed == 1 else "sentences"
        flags.append(f"{addressed} {noun} addressed to an AI tool or reader (instructions, not evidence)")
    if doc.active_content:
        flags.append("active content: " + ", ".join(doc.active_content))
    if doc.ocr_pages:
        read, total = len(doc.ocr_pages), len(doc.pages)
        flags.append(f"{read} of {total} pages read by OCR (scanned): check a quoted figure against the page image")
    return flags


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def discover(paths: list[Path]) -> tuple[list[Path], list[FileResult]]:
    """Report files under the given paths (folders recursively), plus failures for bad paths."""
    files: list[Path] = []
    bad: list[FileResult] = []
    for p in paths:
        if not p.exists():
            bad.append(FileResult(str(p), "failed", "path does not exist"))
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not f.name.startswith(".") and f.suffix.lower() not in SIDECAR_SUFFIXES:
                    files.append(f)
        else:
            files.append(p)
    return files, bad


def ingest(
    paths: list[Path],
    settings: Settings,
    prune: bool = False,
    progress: bool = True,
    on_progress: Callable[[float, str], None] | None = None,
    threads: int = 0,
    index: Index | None = None,
) -> IngestSummary:
    """Index the reports under ``paths``; never aborts on one bad file.

    ``on_progress(fraction, what)`` is called as files are read and their passages embedded
    (the app's progress bar): reading and embedding each count for half of a file.
    ``threads``: intra-op threads for the embedding (0: all cores; the app's uploads use fewer).
    ``index``: the caller's open index (the app's), used and left open; otherwise one is opened and closed.
    """
    started = time.perf_counter()
    summary = IngestSummary()
    files, bad = discover(paths)
    for result in bad:
        summary.add(result)
    own = index is None
    index = Index(settings) if index is None else index
    try:
        orphans = index.reconcile()
        if orphans:
            log.info("removed %d half-ingested document(s) left by an interrupted run", orphans)
        by_id = {d.doc_id: d for d in index.lexical.documents()}
        claimed: dict[str, str] = {}  # doc id -> path, for duplicates within this run
        bar = tqdm(files, desc="files", unit="file", disable=not progress, leave=False)
        pending: list[_Loaded] = []
        steps = _Steps(len(files), on_progress)
        for n, path in enumerate(bar):
            bar.set_postfix_str(path.name[:40])
            steps.reading(n, path.name)
            prepared = _prepare(path, settings, index, by_id, claimed)
            if isinstance(prepared, FileResult):
                summary.add(prepared)
                steps.skipped()
                continue
            pending.append(prepared)
            if sum(len(p.chunks) for p in pending) >= settings.embed_buffer:
                for result in _flush(pending, settings, index, by_id, summary, steps, threads):
                    summary.add(result)
                pending = []
        for result in _flush(pending, settings, index, by_id, summary, steps, threads):
            summary.add(result)
        if prune:
            for doc in index.lexical.documents():
                if not Path(doc.path).exists():
                    index.remove_document(doc.doc_id)
                    summary.add(FileResult(doc.source, "removed", "file no longer exists; its passages were removed"))
    finally:
        if own:
            index.close()
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class _Steps:
    """An ingest's progress as a fraction: reading a file is half of it, embedding its passages the other half."""

    files: int
    report: Callable[[float, str], None] | None
    done: float = 0.0  # half-files finished

    def _say(self, extra: float, what: str) -> None:
        if self.report and self.files:
            self.report(min(1.0, (self.done + extra) / (2 * self.files)), what)

    def reading(self, n: int, name: str) -> None:
        self._say(0, f"Reading {name} ({n + 1} of {self.files})")

    def skipped(self) -> None:
        self.done += 2  # nothing to embed: the whole file is done

    def embedding(self, files: int) -> Callable[[int, int], None]:
        self.done += files  # their reading is over
        label = f"Embedding the passages of {files} report{'s' if files != 1 else ''}"
        self._say(0, label)
        return lambda k, total: self._say(files * k / total, f"{label} ({k} of {total} passages)")

    def embedded(self, files: int) -> None:
        self.done += files


@dataclass
class _Loaded:
    """A file loaded and chunked, waiting for its embeddings."""

    display: str
    abspath: str
    doc: SourceDocument
    chunks: list[Chunk]
    replaced: list[str]
    sidecar: str


def _prepare(
    path: Path, settings: Settings, index: Index, by_id: dict, claimed: dict[str, str]
) -> FileResult | _Loaded:
    """Decide what a file needs; load and chunk it when it needs indexing."""
    display = _display(path)
    abspath = str(path.resolve())
    try:
        data = read_file(path, int(settings.max_file_mb * 1_000_000))
    except LoadError as exc:
        return FileResult(display, "failed", exc.reason)
    doc_id = content_id(data)
    if doc_id in claimed and claimed[doc_id] != abspath:
        return FileResult(display, "duplicate", f"same content as {_display(Path(claimed[doc_id]))}; indexed once")
    existing = by_id.get(doc_id)
    sidecar = sidecar_fingerprint(path)
    if existing is not None and existing.path == abspath and existing.metadata.get("sidecar", sidecar) != sidecar:
        existing = None  # same bytes, new hand-set metadata (title, date, disclosure): index again
    if (
        existing is not None
        and existing.path == abspath
        and existing.metadata.get("unread_pages")
        and more_generous(ocr_limits(Limits.from_settings(settings)), existing.metadata.get("ocr_limits") or {})
    ):
        log.info("%s: reading again the scanned pages OCR left unread, under more generous OCR limits", display)
        existing = None  # same bytes, scanned pages that OCR may read now: index again
    if existing is not None:
        claimed[doc_id] = existing.path if Path(existing.path).exists() else abspath
        if existing.path == abspath:
            return FileResult(
                display,
                "unchanged",
                title=existing.title,
                pages=existing.pages,
                chunks=existing.chunks,
                flags=list(existing.metadata.get("flags") or []),
            )
        if Path(existing.path).exists():
            return FileResult(display, "duplicate", f"same content as {existing.source}; indexed once")
        index.lexical.move_document(doc_id, abspath, display)
        return FileResult(display, "moved", f"unchanged content, moved from {existing.source}", existing.title)
    claimed[doc_id] = abspath
    try:
        doc = load_document(path, data, source=display, limits=Limits.from_settings(settings))
        chunks = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
    except LoadError as exc:
        return FileResult(display, "failed", exc.reason)
    except Exception as exc:  # noqa: BLE001 - one broken file must never abort the batch
        log.exception("unexpected error loading %s", display)
        return FileResult(display, "failed", f"could not be read ({type(exc).__name__}: {exc})")
    if not chunks:
        return FileResult(display, "failed", "no indexable text after cleaning")
    replaced = [d.doc_id for d in by_id.values() if d.path == abspath]
    return _Loaded(display, abspath, doc, chunks, replaced, sidecar)


def _flush(
    pending: list[_Loaded],
    settings: Settings,
    index: Index,
    by_id: dict,
    summary: IngestSummary,
    steps: _Steps,
    threads: int = 0,
) -> list[FileResult]:
    """Embed the chunks of several files in one encode call, then store and commit each file.

    One call over many files lets the encoder sort all their texts by length, so a batch is
    not padded to one file's longest chunk (a whole table); that is most of the encoder's time.
    """
    if not pending:
        return []
    texts = [c.embedding_text(item.doc.title) for item in pending for c in item.chunks]
    on_batch = steps.embedding(len(pending))
    vectors = get_encoder(settings.embedding_model).embed(
        texts, batch_size=settings.embed_batch_size, threads=threads, on_batch=on_batch
    )
    steps.embedded(len(pending))
    # Vectors first, for all the files at once; each file counts as indexed only when its
    # registry row is committed below, so an interruption here leaves orphans, never half a file.
    index.vectors.upsert(
        [c.chunk_id for item in pending for c in item.chunks],
        vectors,
        [c.text for item in pending for c in item.chunks],
        [c.metadata(item.doc) for item in pending for c in item.chunks],
    )
    results = []
    for item in pending:
        doc, chunks = item.doc, item.chunks
        doc.flags = flags = document_flags(doc)  # stored with the registry row, in the same transaction
        index.lexical.commit_document(doc, item.abspath, chunks, replaces=item.replaced, sidecar=item.sidecar)
        for old in item.replaced:
            if old != doc.doc_id:  # same bytes re-indexed for new metadata: its vectors were just upserted
                index.vectors.delete_document(old)
                by_id.pop(old, None)
        summary.embedded += len(chunks)
        status = "replaced" if item.replaced else "indexed"
        results.append(
            FileResult(
                item.display,
                status,
                None,
                doc.title,
                doc.page_count,
                len(chunks),
                doc.warnings,
                doc_id=doc.doc_id,
                flags=flags,
            )
        )
    return results
