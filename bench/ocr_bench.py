"""OCR of scanned pages: the candidates side by side, and answers from scanned copies against born-digital.

1. Engines: each page (every ``--step``-th) of the sample PDFs and the realworld-dev PDFs is rendered
   at 200 dpi, in grey, turned by up to a degree and blurred (``tests/pdfgen.scanned_copy``'s
   scanner), then read by RapidOCR (what the assistant uses) and by Tesseract (Debian's
   ``tesseract-ocr``, when installed). Word recall: the share of the page's text-layer words (pypdf)
   that the engine reads, counted with repeats; pages per second on this machine.
2. ``--qa``: scanned copies of whole PDFs are ingested (OCR through the assistant's own reader) and
   the question sets run on them and on the born-digital PDFs: hand-written and generated on the
   sample corpus, realworld-dev's questions on its PDFs (when ``../shared`` is there).

   ``--sets sample`` (or ``realworld-dev``) answers one set only; ``--step 0`` skips the engines.
   Each set prints the questions the born-digital copy answers and the scanned copy does not.

Usage: python bench/ocr_bench.py [--step 3] [--qa] [--sets sample realworld-dev] [--out /tmp/ocr-bench].
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
REALWORLD = ROOT.parent / "shared" / "benchmarks" / "realworld-dev"


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[a-z0-9£%]+", text.lower()))


def recall(reference: str, read: str) -> float:
    """The share of ``reference``'s words (with repeats) that ``read`` holds."""
    ref, got = _words(reference), _words(read)
    total = sum(ref.values())
    return sum(min(n, got[w]) for w, n in ref.items()) / total if total else 1.0


def read_rapidocr(image) -> str:  # noqa: ANN001
    from assistant.reading import ocr

    return ocr.layout_text(ocr.image_words(image, 1.0), image.width)


def read_tesseract(image) -> str:  # noqa: ANN001
    buf = io.BytesIO()
    image.save(buf, "PNG")
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", "eng", "--psm", "3"],
        input=buf.getvalue(),
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8", "replace")


def engines_bench(pdfs: list[Path], step: int, dpi: int = 200) -> None:
    import random

    import pypdfium2
    from pdfgen import scanned_image
    from pypdf import PdfReader

    engines = {"rapidocr": read_rapidocr}
    if shutil.which("tesseract"):
        engines["tesseract"] = read_tesseract
    else:
        print("tesseract: not installed (Debian's tesseract-ocr); measured RapidOCR only")
    got: dict[str, list[tuple[float, float]]] = {name: [] for name in engines}
    pages = 0
    for pdf_path in pdfs:
        reader, doc = PdfReader(pdf_path), pypdfium2.PdfDocument(pdf_path)
        try:
            for i in range(0, len(doc), step):
                reference = reader.pages[i].extract_text() or ""
                if len(_words(reference)) < 20:
                    continue  # a cover or a picture: little text to score against
                image = scanned_image(doc[i], dpi, random.Random(i).uniform(-1, 1))
                pages += 1
                for name, read in engines.items():
                    started = time.perf_counter()
                    text = read(image)
                    got[name].append((recall(reference, text), time.perf_counter() - started))
        finally:
            doc.close()
    print(f"engines: {pages} scanned pages ({dpi} dpi, grey, turned up to 1 degree, blurred) of {len(pdfs)} PDFs")
    for name, rows in got.items():
        seconds = sum(s for _, s in rows)
        mean = sum(r for r, _ in rows) / len(rows)
        low = sorted(r for r, _ in rows)[len(rows) // 10]
        print(
            f"  {name:10s} word recall mean {mean:.3f} (10th percentile {low:.3f}); {len(rows) / seconds:.2f} pages/s"
        )


def qa_bench(out: Path, only: list[str] | None = None) -> None:
    from pdfgen import scanned_copy

    from assistant.api import Assistant
    from assistant.evaluation import QUESTIONS, load_questions, run, summarise
    from assistant.settings import Settings

    sets = [
        ("sample", sorted((ROOT / "corpus").glob("*.pdf")), [QUESTIONS, ROOT / "evals" / "generated-questions.jsonl"])
    ]
    if REALWORLD.exists():
        sets.append(("realworld-dev", sorted((REALWORLD / "pdfs").glob("*.pdf")), [REALWORLD / "questions.jsonl"]))
    else:
        print(f"realworld-dev: {REALWORLD} is absent; sample corpus only")
    sets = [t for t in sets if not only or t[0] in only]
    keys = ("answer_accuracy", "answer_with_citation", "evidence_hit@3", "abstention_recall", "false_abstention_rate")
    answered: dict[tuple[str, str], set[str]] = {}
    for name, pdfs, question_files in sets:
        for copy in ("born-digital", "scanned"):
            folder = out / name / copy
            shutil.rmtree(folder, ignore_errors=True)
            (folder / "files").mkdir(parents=True)
            started = time.perf_counter()
            for pdf in pdfs:
                data = pdf.read_bytes()
                (folder / "files" / pdf.name).write_bytes(
                    scanned_copy(data, seed=len(data)) if copy == "scanned" else data
                )
            settings = Settings(index_dir=folder / "index", audit_db=folder / "audit.sqlite3")
            with Assistant(settings=settings) as a:
                summary = a.ingest([folder / "files"])
                ingest_s = time.perf_counter() - started
                for path in question_files:
                    scored = run(a, load_questions([path]))
                    s = summarise(scored)
                    shown = {k: round(s[k], 3) for k in keys if isinstance(s.get(k), float)}
                    for part, got in s.get("by_part", {}).items():  # the development and held-back parts
                        shown[f"{part} accuracy"] = round(got["answer_accuracy"], 3)
                    print(f"{name} {copy} {path.name}: {shown}", flush=True)
                    answered[copy, path.name] = {x.item["id"] for x in scored if x.correct}
                    if copy == "scanned":
                        lost = sorted(answered["born-digital", path.name] - answered[copy, path.name])
                        print(f"  answered born-digital, not scanned ({len(lost)}): {' '.join(lost)}", flush=True)
            print(
                f"{name} {copy}: {summary.pages} pages, {summary.failed} failed, {summary.warnings} warnings, "
                f"ingest {ingest_s:.0f} s ({summary.pages / ingest_s:.2f} pages/s)",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step", type=int, default=3, help="read every n-th page in the engines comparison (0: skip it)")
    ap.add_argument("--qa", action="store_true", help="also answer the question sets from scanned copies")
    ap.add_argument("--sets", nargs="*", help="with --qa, only these sets: sample, realworld-dev")
    ap.add_argument("--out", type=Path, default=Path("/tmp/ocr-bench"), help="where the copies and indexes go")
    args = ap.parse_args()
    pdfs = sorted((ROOT / "corpus").glob("*.pdf"))
    if REALWORLD.exists():
        pdfs += sorted((REALWORLD / "pdfs").glob("*.pdf"))
    if args.step > 0:
        engines_bench(pdfs, args.step)
    if args.qa:
        qa_bench(args.out, args.sets)


if __name__ == "__main__":
    main()
