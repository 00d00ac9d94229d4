"""Evidence hit@1/3/5 of our hybrid retrieval against two baselines, on text and PDF corpora.

Baselines, on the same question set (evals/questions.jsonl):
- tutorial: the LangChain tutorial pipeline: 1000/200-character chunks of the raw text, MiniLM, cosine top-k;
- bm25: the same chunks ranked by SQLite FTS5 BM25.
Usage: python bench/retrieval_bench.py [--corpus corpus] [--texts evals/text-renditions].
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

import numpy as np
from langchain_text_splitters import RecursiveCharacterTextSplitter

import assistant  # noqa: F401  (offline environment)
from assistant.api import ANSWER_KINDS, Assistant
from assistant.documents import Filters
from assistant.evaluation import QUESTIONS, load_questions, normalise
from assistant.indexing.embedding import get_encoder
from assistant.indexing.ingest import ingest
from assistant.indexing.lexical import fts_query
from assistant.settings import Settings


def raw_text(path: Path) -> str:
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)
    return path.read_text(encoding="utf-8", errors="replace")


def hits(ranks: list[int | None]) -> list[float]:
    return [round(sum(1 for r in ranks if r is not None and r <= k) / len(ranks), 3) for k in (1, 3, 5)]


def rank_of(snippet: str, texts: list[str]) -> int | None:
    return next((i for i, t in enumerate(texts, 1) if snippet in normalise(t)), None)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="corpus", help="the PDFs")
    ap.add_argument("--texts", default="evals/text-renditions", help="the same reports as text")
    args = ap.parse_args()
    items = [i for i in load_questions([QUESTIONS]) if not i["unanswerable"]]
    encoder = get_encoder()
    for suffix in (".txt", ".pdf"):
        files = sorted(Path(args.texts if suffix == ".txt" else args.corpus).glob(f"*{suffix}"))
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        chunks = [c for f in files for c in splitter.split_text(raw_text(f))]
        vectors = np.asarray(encoder.embed(chunks))
        db = sqlite3.connect(":memory:")
        db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='porter unicode61')")
        db.executemany("INSERT INTO t (rowid, body) VALUES (?, ?)", [(i, c) for i, c in enumerate(chunks)])
        tutorial, bm25, ours = [], [], []
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "c"
            folder.mkdir()
            for f in files:
                (folder / f.name).write_bytes(f.read_bytes())
            ingest([folder], Settings(index_dir=Path(tmp) / "index"), progress=False)
            a = Assistant(Path(tmp) / "index")
            for item in items:
                snippet = normalise(item["evidence"])
                q = item["question"]
                sims = vectors @ np.asarray(encoder.embed_query(q))
                tutorial.append(rank_of(snippet, [chunks[i] for i in np.argsort(-sims)[:5]]))
                rows = db.execute(
                    "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 5", (fts_query(q),)
                ).fetchall()
                bm25.append(rank_of(snippet, [chunks[r[0]] for r in rows]))
                ours.append(rank_of(snippet, [p.text for p in a.search(q, 5, Filters(kinds=ANSWER_KINDS))]))
            a.close()
        label = "text" if suffix == ".txt" else "PDF"
        print(f"{label}: {len(items)} questions, evidence hit@1/@3/@5")
        print(f"  tutorial (1000/200, MiniLM, cosine): {hits(tutorial)}")
        print(f"  BM25 (same chunks, FTS5):            {hits(bm25)}")
        print(f"  ours (structure-aware hybrid):       {hits(ours)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
