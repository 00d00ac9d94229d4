"""Cost of the highlighted page images: ms per image, cold (rendered in the PDF worker) and cached.

Usage: python bench/evidence_bench.py [--index DIR] [--corpus corpus] [--questions 40]
Asks the evaluation questions on a PDF index, then renders the page image of each answer's first
PDF citation twice: once from scratch (the worker started beforehand) and once from the cache.
Builds a temporary index of the corpus's PDFs when --index is not given. Asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import questions, spread

import assistant  # noqa: F401  (offline environment)
from assistant.answering.citations import answer_terms
from assistant.api import Assistant
from assistant.indexing.library import evidence_folder
from assistant.reading.evidence import render
from assistant.settings import Settings


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index")
    ap.add_argument("--corpus", default="corpus")
    ap.add_argument("--questions", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(args.index) if args.index else Path(tmp) / "index"
        with Assistant(index) as a:
            if not args.index:
                folder = Path(tmp) / "pdfs"
                folder.mkdir()
                for pdf in Path(args.corpus).glob("*.pdf"):
                    shutil.copy(pdf, folder / pdf.name)
                a.ingest([folder])
            cache = evidence_folder(Settings(index_dir=index))
            shutil.rmtree(cache, ignore_errors=True)
            wanted, found = [], []
            for q in questions():
                answer = a.ask(q)
                cited = next((p for p in answer.shown if p.page and p.metadata.get("doc_kind") == "pdf"), None)
                if cited is not None:
                    wanted.append((cited.chunk_id, answer_terms(answer.answer)))
                    found.append((cited, answer_terms(answer.answer)))
                if len(wanted) >= args.questions:
                    break
            started = time.perf_counter()
            a.evidence(wanted[0][0], None, wanted[0][1])  # starts the worker process
            print(f"first image, worker start included: {(time.perf_counter() - started) * 1000:.0f} ms")
            cold, cached = [], []
            for chunk_id, marks in wanted[1:]:
                t = time.perf_counter()
                a.evidence(chunk_id, None, marks)
                cold.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                a.evidence(chunk_id, None, marks)
                cached.append((time.perf_counter() - t) * 1000)
            sizes = [p.stat().st_size / 1024 for p in cache.glob("*.png")]
            print(spread("rendered (cold)", cold))
            print(spread("cached", cached))
            print(f"image size: median {statistics.median(sizes):.0f} KB over {len(sizes)} images")
            _what_is_drawn(a, found, Path(tmp))
    return 0


def _what_is_drawn(a: Assistant, cited: list, tmp: Path) -> None:
    """How often the image shows what the answer rests on: the passage found on the page, the answer's
    figure outlined, and a table row's column headers in the crop."""
    found = outlined = with_figure = rows = headed = 0
    for passage, marks in cited:
        doc = a.report(str(passage.metadata.get("doc_id")))
        info = render(
            doc.path,
            passage.page,
            passage.text,
            marks,
            str(tmp / "probe.png"),
            last_page=passage.metadata.get("page_end"),
        )
        found += info["found"]
        with_figure += bool(marks)
        outlined += bool(marks) and info["marked"] > 0
        rows += passage.kind == "table_row"
        headed += passage.kind == "table_row" and info["header"]
    print(
        f"passage found on its page: {found}/{len(cited)}; answer's figure outlined: {outlined}/{with_figure}; "
        f"table rows with their column headers in view: {headed}/{rows}"
    )


if __name__ == "__main__":
    sys.exit(main())
