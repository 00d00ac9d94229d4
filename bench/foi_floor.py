"""Precision and recall of the FOI finder's relevance floor (assistant/answering/relevance.py).

Each question is run as an FOI search (the 10 best passages, as the app shows by default), once as
ranked and once above the floor. A passage is relevant when it holds the question's evidence text
(letters and digits only, as ../shared/benchmarks/realworld-dev/README.md defines; unanswerable
questions have none). Recall: the relevant passages of the ranked 10 that the floor keeps;
precision: the kept passages that are relevant. Reported for realworld-dev's development reports
(the floor was tuned there), its held-back reports (evals/thresholds.json, never tuned on) and the
sample questions (evals/questions.jsonl over corpus/), with how many unanswerable questions showed
nothing and how many fragments the floor dropped.

Usage: python bench/foi_floor.py [--realworld-index DIR] [--sample-index DIR] [--k 10]
(an index folder is built there when empty; without one, in a temporary folder). Prints figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import assistant  # noqa: F401  (offline environment)
from assistant.answering.relevance import fragment
from assistant.api import Assistant
from assistant.evaluation import QUESTIONS, holds_evidence, load_questions
from assistant.indexing.ingest import ingest
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = ROOT.parent / "shared" / "benchmarks" / "realworld-dev"
THRESHOLDS = ROOT / "evals" / "thresholds.json"


def index(folder: Path, sources: Path) -> Path:
    """``folder`` holding an index of ``sources`` (built when it holds none)."""
    if not (folder / "lexical.sqlite3").exists():
        summary = ingest([sources], Settings(index_dir=folder), progress=False)
        assert summary.failed == 0, f"{summary.failed} reports failed to index"
    return folder


def measure(app: Assistant, items: list[dict[str, Any]], k: int) -> dict[str, Any]:
    """The floor's precision and recall over ``items`` (each question an FOI search of ``k`` passages)."""
    ranked_relevant = kept_relevant = kept = shown = fragments = 0
    empty_unanswerable = unanswerable = 0
    started = time.perf_counter()
    for item in items:
        ranked = app.search(item["question"], k)
        floor = app.search(item["question"], k, relevant_only=True)
        evidence = item.get("evidence", "")
        is_relevant = [bool(evidence) and holds_evidence(evidence, p.text) for p in ranked]
        ids = {p.chunk_id for p in floor}
        ranked_relevant += sum(is_relevant)
        kept_relevant += sum(r for p, r in zip(ranked, is_relevant) if p.chunk_id in ids)
        kept += len(floor)
        shown += len(ranked)
        fragments += sum(fragment(p) for p in ranked)
        if item.get("unanswerable"):
            unanswerable += 1
            empty_unanswerable += not floor
    return {
        "questions": len(items),
        "precision": round(kept_relevant / kept, 3) if kept else None,
        "recall": round(kept_relevant / ranked_relevant, 3) if ranked_relevant else None,
        "precision_without_floor": round(ranked_relevant / shown, 3) if shown else None,
        "kept": kept,
        "ranked": shown,
        "relevant_ranked": ranked_relevant,
        "relevant_kept": kept_relevant,
        "fragments_dropped": fragments,
        "unanswerable_showing_nothing": f"{empty_unanswerable}/{unanswerable}",
        "ms_per_search": round(1000 * (time.perf_counter() - started) / max(1, 2 * len(items)), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--realworld-index", type=Path)
    parser.add_argument("--sample-index", type=Path)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    held_back = set(json.loads(THRESHOLDS.read_text(encoding="utf-8"))["realworld"]["_test_documents"])
    with tempfile.TemporaryDirectory() as tmp:
        results: dict[str, Any] = {}
        if (REALWORLD / "questions.jsonl").exists():
            folder = index(args.realworld_index or Path(tmp) / "realworld", REALWORLD / "pdfs")
            items = load_questions([REALWORLD / "questions.jsonl"])
            with Assistant(folder) as a:
                results["realworld dev (tuned)"] = measure(a, [i for i in items if i["doc"] not in held_back], args.k)
                results["realworld held back"] = measure(a, [i for i in items if i["doc"] in held_back], args.k)
        else:
            print(f"{REALWORLD} is missing: the realworld-dev set is skipped")
        folder = index(args.sample_index or Path(tmp) / "sample", ROOT / "corpus")
        with Assistant(folder) as a:
            results["sample questions"] = measure(a, load_questions([QUESTIONS]), args.k)
    for name, figures in results.items():
        print(f"{name}: " + ", ".join(f"{key} {value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
