"""Reader recall: the share of answerable questions whose evidence sits inside one indexed passage.

Usage: python bench/reader_recall.py [--sets realworld,generated,icdar] [--readers pypdf,layout] [--misses]

Each set's PDFs are read and chunked as ingest does (no embedding: the reader alone is measured), and
every answerable question is looked up in the passages of its own PDF:
- strict: the evidence, letters and digits only, is a substring of one passage (issue 28's measure);
  for an ICDAR question (evidence = the row's label), the label and the expected figure both are;
- match: the evaluation's evidence match (``holds_evidence``: strict, or for five or more words all
  of them near one another, figures in order), which hit@3 counts.
Also prints pages per second of each reader. ``--misses`` lists the questions no passage holds.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import assistant  # noqa: F401  (offline environment)
from assistant.evaluation import holds_evidence, normalise
from assistant.reading.chunking import chunk_document
from assistant.reading.loading import Limits, load_document
from assistant.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "benchmarks"


def _sets() -> dict[str, tuple[list[Path], list[dict], str]]:
    """name -> (PDFs, questions, the question field naming its PDF)."""

    def read(path: Path) -> list[dict]:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    icdar = SHARED / "icdar2013-tables"
    return {
        "realworld": (
            sorted((SHARED / "realworld-dev" / "pdfs").glob("*.pdf")),
            read(SHARED / "realworld-dev" / "questions.jsonl") if (SHARED / "realworld-dev").is_dir() else [],
            "doc",
        ),
        "generated": (
            sorted((ROOT / "corpus").glob("*.pdf")),
            read(ROOT / "evals" / "generated-questions.jsonl"),
            "report",
        ),
        "icdar": (
            sorted(icdar.glob("competition-dataset-*/*.pdf")) if icdar.is_dir() else [],
            read(ROOT / "evals" / "icdar2013-questions.jsonl"),
            "report",
        ),
    }


def passages(pdfs: list[Path], reader: str) -> tuple[dict[str, list[str]], int, float]:
    """Each PDF's passages (by file name and by stem) as ingest makes them; pages read; seconds."""
    settings = get_settings()
    limits = replace(Limits.from_settings(settings), pdf_reader=reader)
    out: dict[str, list[str]] = {}
    pages, start = 0, time.perf_counter()
    for pdf in pdfs:
        try:
            doc = load_document(pdf, pdf.read_bytes(), limits=limits)
        except Exception as exc:  # noqa: BLE001 - a file the reader refuses holds no evidence
            print(f"  {pdf.name}: {exc}", file=sys.stderr)
            texts: list[str] = []
        else:
            pages += len(doc.pages)
            texts = [c.text for c in chunk_document(doc, settings.chunk_size, settings.chunk_overlap)]
        out[pdf.name] = out[pdf.stem] = texts
    return out, pages, time.perf_counter() - start


def held(item: dict, texts: list[str]) -> tuple[bool, bool]:
    """(strict, match) for one question over its PDF's passages."""
    evidence = item.get("evidence") or ""
    wanted = [normalise(evidence)]
    if item.get("type") == "table" and item.get("id", "").startswith(("eu-", "us-")):
        wanted.append(normalise(item["expected"][0]))  # an ICDAR row label with its figure
    strict = any(all(w and w in normalise(t) for w in wanted) for t in texts)
    match = strict or any(holds_evidence(evidence, t) for t in texts)
    return strict, match


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="realworld,generated,icdar")
    ap.add_argument("--readers", default="pypdf,layout")
    ap.add_argument("--misses", action="store_true")
    args = ap.parse_args()
    all_sets = _sets()
    for name in args.sets.split(","):
        pdfs, items, field = all_sets[name]
        answerable = [i for i in items if not i.get("unanswerable") and i.get("evidence")]
        if not pdfs or not answerable:
            print(f"{name}: absent, skipped")
            continue
        for reader in args.readers.split(","):
            texts, pages, seconds = passages(pdfs, reader)
            results = [(i, *held(i, texts.get(i[field], []))) for i in answerable]
            strict = sum(r[1] for r in results)
            match = sum(r[2] for r in results)
            n = len(results)
            print(
                f"{name:10s} {reader:7s} strict {strict}/{n} = {strict / n:.3f}  match {match}/{n} = {match / n:.3f}"
                f"  ({pages} pages, {pages / seconds:.1f} pages/s)"
            )
            if args.misses:
                for item, s, _ in results:
                    if not s:
                        print(f"    miss {item['id']}: {item['evidence'][:90]!r} in {item[field]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
