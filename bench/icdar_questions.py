"""Questions generated from the ICDAR 2013 ground-truth cells, and the evaluation of both PDF readers on them.

For every body cell holding a figure, with a row header (the cell in the table's first column)
and a column header (the header cells above it), a question asks for the value in one of a few
paraphrase templates; the expected answer is the cell's text and the evidence its row label.
Ambiguous cells (the same figure three or more times in a table, bare zeros and dashes) are left
out, and at most ``--per-table`` questions are kept per table, chosen by a fixed hash. Each
question carries its document's part (``dev``/``test``, the same split as ``icdar_bench.py``).

Usage:
  python bench/icdar_questions.py write evals/icdar2013-questions.jsonl
  python bench/icdar_questions.py eval [--readers pypdf,layout] [--questions FILE] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path

from icdar_bench import DATA, documents, load_truth, part

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "evals" / "icdar2013-questions.jsonl"
TEMPLATES = ["What was the {column} for {row}?", "What was {row} in {column}?", "What is the {column} of {row}?"]


def _clean(text: str) -> str:
    """Spacing folded, and words the ground truth ran together split as a person would type them
    ("UnitedKingdom" -> "United Kingdom")."""
    return " ".join(re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", " ", text).split())


def _is_figure(text: str) -> bool:
    t = text.strip()
    return (
        bool(re.search(r"\d", t))
        and len(t) <= 24
        and len(re.findall(r"[A-Za-z]", t)) <= 2
        and t not in {"0", "0.0", "-", "–"}
    )


def questions_for(stem: str, structure: Path, per_table: int) -> list[dict]:
    out = []
    for t, region in enumerate(load_truth(structure)):
        cells = region.cells
        if not cells:
            continue
        counts = Counter(_clean(c.text) for c in cells)
        body_top = min((c.row for c in cells if c.col > 0 and _is_figure(c.text)), default=None)
        if body_top is None:
            continue
        candidates = []
        for c in cells:
            value = _clean(c.text)
            if c.col == 0 or c.row < body_top or not _is_figure(value) or counts[value] >= 3:
                continue
            row = next(
                (_clean(x.text) for x in cells if x.col == 0 and x.row <= c.row <= x.end_row and _clean(x.text)), ""
            )
            heads = [
                _clean(x.text)
                for x in sorted(cells, key=lambda x: x.row)
                if x.row < body_top and x.col <= c.col <= x.end_col and _clean(x.text)
            ]
            column = " ".join(heads)
            if (
                not row
                or not column
                or _is_figure(row)
                and not re.search(r"[A-Za-z]{3}", row)
                or len(row) > 80
                or len(column) > 80
            ):
                continue
            candidates.append((zlib.crc32(f"{stem}|{t}|{c.row}|{c.col}".encode()), c, row, column, value))
        for h, c, row, column, value in sorted(candidates)[:per_table]:
            out.append(
                {
                    "id": f"{stem}-t{t}-r{c.row}c{c.col}",
                    "question": TEMPLATES[h % len(TEMPLATES)].format(row=row, column=column),
                    "expected": [value],
                    "evidence": row,
                    "unanswerable": False,
                    "type": "table",
                    "report": stem,
                    "page": region.page,
                    "part": part(stem),
                }
            )
    return out


def write(path: Path, per_table: int) -> int:
    items = []
    for stem, _, truths in documents(DATA):
        if truths:
            items += questions_for(stem, truths[0], per_table)
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return len(items)


def evaluate_readers(readers: list[str], questions: Path, out: Path) -> dict:
    """Index the 67 PDFs with each reader and score each part of the question set."""
    from assistant.evaluation import PART_METRICS, evaluate
    from assistant.indexing.ingest import ingest
    from assistant.settings import Settings

    items = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pdfs"
        folder.mkdir()
        for _, pdf, _ in documents(DATA):
            shutil.copy(pdf, folder / pdf.name)
        for which in ("dev", "test"):
            (Path(tmp) / f"{which}.jsonl").write_text(
                "".join(json.dumps(i) + "\n" for i in items if i["part"] == which), encoding="utf-8"
            )
        for reader in readers:
            settings = Settings(index_dir=Path(tmp) / f"index-{reader}", pdf_reader=reader)
            summary = ingest([folder], settings, progress=False)
            results[reader] = {"ingest_seconds": round(summary.seconds, 1), "chunks": summary.chunks}
            for which in ("dev", "test"):
                got = evaluate(
                    settings.index_dir,
                    [Path(tmp) / f"{which}.jsonl"],
                    out / f"{reader}-{which}",
                    title=f"ICDAR 2013 generated questions, {which} half, {reader} reader",
                )
                results[reader][which] = {k: got[k] for k in PART_METRICS}
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("path", type=Path, nargs="?", default=QUESTIONS)
    w.add_argument("--per-table", type=int, default=6)
    e = sub.add_parser("eval")
    e.add_argument("--readers", default="pypdf,layout")
    e.add_argument("--questions", type=Path, default=QUESTIONS)
    e.add_argument("--out", type=Path, default=ROOT / "eval-out" / "icdar2013")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"{DATA} is missing: the ICDAR 2013 dataset lives in ../shared/benchmarks/", file=sys.stderr)
        return 2
    if args.cmd == "write":
        print(f"wrote {write(args.path, args.per_table)} questions to {args.path}")
        return 0
    print(json.dumps(evaluate_readers(args.readers.split(","), args.questions, args.out), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
