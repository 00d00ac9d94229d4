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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from .chunking import chunk_document
from .documents import LoadError
from .embedding import get_encoder
from .index import Index
from .loading import SIDECAR_SUFFIXES, Limits, content_id, load_document, read_file
from .metadata import sidecar_fingerprint
from .settings import Settings

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
    seconds: float = 0.0
    results: list[FileResult] = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        self.results.append(result)
        self.files += 1
        self.warnings += len(result.warnings)
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
        lines.append(
            f"files {self.files}, pages {self.pages}, chunks {self.chunks} (embedded {self.embedded}), "
            f"skipped {self.skipped}, failed {self.failed}, removed {self.removed}, {self.seconds:.1f} s"
        )
        return "\n".join(lines)


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
    on_file: Callable[[int, int, str], None] | None = None,
) -> IngestSummary:
    """Index the reports under ``paths``; never aborts on one bad file.

    ``on_file(done, total, name)`` is called before each file (the app's progress bar).
    """
    started = time.perf_counter()
    summary = IngestSummary()
    files, bad = discover(paths)
    for result in bad:
        summary.add(result)
    index = Index(settings)
    try:
        orphans = index.reconcile()
        if orphans:
            log.info("removed %d half-ingested document(s) left by an interrupted run", orphans)
        by_id = {d.doc_id: d for d in index.lexical.documents()}
        claimed: dict[str, str] = {}  # doc id -> path, for duplicates within this run
        bar = tqdm(files, desc="files", unit="file", disable=not progress, leave=False)
        for n, path in enumerate(bar):
            bar.set_postfix_str(path.name[:40])
            if on_file:
                on_file(n, len(files), path.name)
            summary.add(_ingest_file(path, settings, index, by_id, claimed, summary, progress))
        if prune:
            for doc in index.lexical.documents():
                if not Path(doc.path).exists():
                    index.remove_document(doc.doc_id)
                    summary.add(FileResult(doc.source, "removed", "file no longer exists; its chunks were removed"))
    finally:
        index.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _ingest_file(path, settings, index, by_id, claimed, summary, progress) -> FileResult:
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
    if existing is not None:
        claimed[doc_id] = existing.path if Path(existing.path).exists() else abspath
        if existing.path == abspath:
            return FileResult(display, "unchanged", title=existing.title, pages=existing.pages, chunks=existing.chunks)
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
    _embed_and_store(doc, chunks, settings, index, progress)
    index.lexical.commit_document(doc, abspath, chunks, replaces=replaced, sidecar=sidecar)
    for old in replaced:
        if old != doc.doc_id:  # same bytes re-indexed for new metadata: its vectors were just upserted
            index.vectors.delete_document(old)
            by_id.pop(old, None)
    summary.embedded += len(chunks)
    status = "replaced" if replaced else "indexed"
    return FileResult(display, status, None, doc.title, doc.page_count, len(chunks), doc.warnings)


def _embed_and_store(doc, chunks, settings: Settings, index: Index, progress: bool) -> None:
    encoder = get_encoder(settings.embedding_model)
    size = settings.embed_batch_size
    steps = range(0, len(chunks), size)
    for i in tqdm(steps, desc="embedding", unit="batch", disable=not progress, leave=False):
        batch = chunks[i: i + size]
        vectors = encoder.embed([c.embedding_text(doc.title) for c in batch], batch_size=size)
        index.vectors.upsert(
            [c.chunk_id for c in batch], vectors, [c.text for c in batch], [c.metadata(doc) for c in batch]
        )
