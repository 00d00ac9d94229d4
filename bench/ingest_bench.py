"""Ingest benchmark on a corpus folder: first ingest, re-ingest, encoder ceiling, search latency.

Usage: python bench/ingest_bench.py [CORPUS_DIR] [--repeat N] [--ceiling-only --sample-files N]
--ceiling-only measures only the raw encode rate, on the chunks of N files picked at random:
the ceiling for an archive already ingested with ``assistant ingest --json``.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from common import latency

import assistant  # noqa: F401  (sets the offline environment)
from assistant.answering.retrieval import search
from assistant.indexing.embedding import get_encoder
from assistant.indexing.index import Index
from assistant.indexing.ingest import discover, ingest
from assistant.reading.chunking import chunk_document
from assistant.reading.loading import load_document, read_file
from assistant.settings import Settings

QUERIES = [
    "How many requests for service did the service desk receive in 2018/19?",
    "How much were the technology budgets underspent?",
    "Airwave variance",
    "What savings has ICT delivered?",
    "When will the Emergency Services Network Beta capability be ready?",
    "funding apportionment ratio Nottinghamshire",
]


def ceiling(files: list[Path], settings: Settings) -> float:
    """Raw ``SentenceTransformer.encode`` chunks/s on these files' chunk texts (same batch size and threads)."""
    texts = []
    for f in files:
        doc = load_document(f, read_file(f, 10**9))
        texts += [c.embedding_text(doc.title) for c in chunk_document(doc, settings.chunk_size, settings.chunk_overlap)]
    model = get_encoder(settings.embedding_model).model
    t = time.perf_counter()
    model.encode(texts, batch_size=settings.embed_batch_size, normalize_embeddings=True, show_progress_bar=False)
    raw = time.perf_counter() - t
    print(
        f"raw encode ceiling: {len(files)} files, {len(texts)} chunks in {raw:.2f} s ({len(texts) / raw:.1f} chunks/s)"
    )
    return len(texts) / raw


def read_rate(pdfs: list[Path]) -> None:
    """Pages per second of each PDF reader (parsing only, in this process), over ``pdfs``."""
    import time

    from assistant.reading.loading import Limits, _load_pdf

    for reader in ("pypdf", "layout"):
        pages, started = 0, time.perf_counter()
        for pdf in pdfs:
            try:
                pages += len(_load_pdf(pdf.name, pdf.read_bytes(), Limits(pdf_reader=reader))[0])
            except Exception as exc:  # noqa: BLE001 - a refused file is reported, not counted
                print(f"  {pdf.name}: {exc}")
        seconds = time.perf_counter() - started
        print(f"{reader:7s} {len(pdfs)} PDFs, {pages} pages in {seconds:.1f} s: {pages / seconds:.1f} pages/s")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default="corpus")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--ceiling-only", action="store_true")
    ap.add_argument("--sample-files", type=int, default=0)
    ap.add_argument(
        "--read-rate", action="store_true", help="only the pages/s of each PDF reader over the corpus's PDFs"
    )
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if args.read_rate:
        read_rate(sorted(corpus.rglob("*.pdf")))
        return 0
    if args.ceiling_only:
        files, _ = discover([corpus])
        if args.sample_files:
            files = random.Random(1).sample(files, min(args.sample_files, len(files)))
        ceiling(files, Settings())
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp) / "index")
        get_encoder(settings.embedding_model)  # model load is not ingest throughput
        first = ingest([corpus], settings, progress=False)
        second = ingest([corpus], settings, progress=False)
        print(
            f"first ingest: {first.files} files, {first.pages} pages, {first.chunks} chunks in {first.seconds:.2f} s "
            f"({first.pages / first.seconds:.1f} pages/s, {first.chunks / first.seconds:.1f} chunks/s)"
        )
        print(
            f"re-ingest unchanged: {second.seconds:.3f} s = {100 * second.seconds / first.seconds:.2f}% of first (embedded {second.embedded})"
        )

        files, _ = discover([corpus])
        rate = ceiling(files, settings)
        print(f"pipeline reaches {100 * (first.chunks / first.seconds) / rate:.0f}% of the raw encode ceiling")

        index = Index(settings)
        print(latency("search (hybrid, k=5, warm)", lambda q: search(index, q, k=5), QUERIES, args.repeat))
        index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
