"""How well the PDF readers recover table structure, on the ICDAR 2013 Table Competition PDFs.

The competition's measure: for each table, every cell is paired with its nearest non-empty
neighbour to the right and below (adjacency relations, compared by normalised text).
Precision and recall are counted over these relations per document; F1 per document is their
harmonic mean, and the figures are averaged over documents.

Two modes, as in the competition:
  regions  the true table regions are given (structure recognition); each region is read on
           its own, padded by 5 pt;
  complete the reader finds the tables on every page itself (complete process); all relations
           of a document are pooled.

Readers: ``ours`` (assistant.reading.layout), ``pypdf`` (today's pypdf text + tables.find_pdf_tables,
the baseline), and pdfplumber's own ``text`` and ``lines`` table strategies for reference.

Usage: python bench/icdar_bench.py [--data DIR] [--readers ours,pypdf] [--docs eu-001,us-002] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "benchmarks" / "icdar2013-tables"
PAD = 5.0
Grid = list[list[str]]


@dataclass
class Cell:
    row: int
    col: int
    end_row: int
    end_col: int
    text: str


@dataclass
class Region:
    page: int  # from 1
    bbox: tuple[float, float, float, float]  # x1, y1, x2, y2 in PDF points, origin bottom left
    cells: list[Cell] = field(default_factory=list)


def norm(text: str) -> str:
    """Cell text as compared: letters and digits only, lower case."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def load_truth(structure: Path) -> list[Region]:
    """The regions (one per table and page) and cells of one ``-str.xml`` file; boxes from ``-reg.xml`` when given."""
    reg = structure.with_name(structure.name.replace("-str.xml", "-reg.xml"))
    boxes_given = load_regions(reg) if reg.exists() else {}
    regions = []
    for key, region in (
        (k, r)
        for t, table in enumerate(ET.parse(structure).getroot().iter("table"))
        for k, r in (((t, i), r) for i, r in enumerate(table.iter("region")))
    ):
        cells, boxes = [], []
        for c in region.iter("cell"):
            sr, sc = int(c.get("start-row")), int(c.get("start-col"))
            er, ec = int(c.get("end-row", sr)), int(c.get("end-col", sc))
            content = c.findtext("content") or ""
            cells.append(Cell(sr, sc, er, ec, content))
            b = c.find("bounding-box")
            if b is not None:
                try:
                    boxes.append(tuple(float(re.sub(r"[^0-9.]", "0", b.get(k))) for k in ("x1", "y1", "x2", "y2")))
                except (TypeError, ValueError):
                    pass
        bbox = (
            (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
            if boxes
            else (0.0, 0.0, 0.0, 0.0)
        )
        regions.append(Region(int(region.get("page")), boxes_given.get(key, bbox), cells))
    return regions


def load_regions(reg: Path) -> dict[tuple[int, int], tuple[float, float, float, float]]:
    """(table index, region index) -> the region's bounding box, from ``-reg.xml``."""
    out = {}
    for t, table in enumerate(ET.parse(reg).getroot().iter("table")):
        for r, region in enumerate(table.iter("region")):
            b = region.find("bounding-box")
            if b is not None:
                out[(t, r)] = tuple(float(re.sub(r"[^0-9.]", "0", b.get(k))) for k in ("x1", "y1", "x2", "y2"))
    return out


def relations(cells: list[Cell]) -> Counter:
    """Adjacency relations: each cell with its nearest non-empty neighbour right and below."""
    at: dict[tuple[int, int], int] = {}
    for i, c in enumerate(cells):
        if not norm(c.text):
            continue
        for r in range(c.row, c.end_row + 1):
            for k in range(c.col, c.end_col + 1):
                at[(r, k)] = i
    if not at:
        return Counter()
    max_row = max(r for r, _ in at)
    max_col = max(k for _, k in at)
    found: set[tuple[int, int, str]] = set()
    for i, c in enumerate(cells):
        if not norm(c.text):
            continue
        for r in range(c.row, c.end_row + 1):
            for k in range(c.end_col + 1, max_col + 1):
                if (r, k) in at and at[(r, k)] != i:
                    found.add((i, at[(r, k)], "right"))
                    break
        for k in range(c.col, c.end_col + 1):
            for r in range(c.end_row + 1, max_row + 1):
                if (r, k) in at and at[(r, k)] != i:
                    found.add((i, at[(r, k)], "below"))
                    break
    return Counter((norm(cells[a].text), norm(cells[b].text), d) for a, b, d in found)


def grid_cells(grid: Grid) -> list[Cell]:
    return [Cell(r, k, r, k, text or "") for r, row in enumerate(grid) for k, text in enumerate(row)]


def prf(truth: Counter, found: Counter) -> tuple[float, float, int, int, int]:
    tp = sum((truth & found).values())
    n_t, n_f = sum(truth.values()), sum(found.values())
    return (tp / n_f if n_f else 0.0), (tp / n_t if n_t else 0.0), tp, n_t, n_f


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# ---- readers ---------------------------------------------------------------------------
def _plumber_crop(page, bbox):
    return page.crop(_pdf_box(page, bbox), strict=False)


def plumber_reader(strategy: str):
    settings = {"vertical_strategy": strategy, "horizontal_strategy": strategy}

    def region(pdf, page_no: int, bbox) -> list[Grid]:
        crop = _plumber_crop(pdf.pages[page_no - 1], bbox)
        return [[[c or "" for c in row] for row in t] for t in crop.extract_tables(settings)]

    def page(pdf, page_no: int) -> list[Grid]:
        return [[[c or "" for c in row] for row in t] for t in pdf.pages[page_no - 1].extract_tables(settings)]

    return region, page


def pypdf_reader():
    """Today's reader: pypdf's plain text, tables guessed by ``tables.find_pdf_tables``."""
    from assistant.reading.tables import find_pdf_tables

    cache: dict[tuple[int, int], list[Grid]] = {}

    def page(pdf, page_no: int) -> list[Grid]:
        key = (id(pdf), page_no)
        if key not in cache:
            from pypdf import PdfReader

            reader = PdfReader(pdf.stream.name if hasattr(pdf.stream, "name") else pdf.stream)
            lines = (reader.pages[page_no - 1].extract_text() or "").splitlines()
            cache[key] = [[t.headers] + t.rows for _, _, t in find_pdf_tables(lines)]
        return cache[key]

    def region(pdf, page_no: int, bbox) -> list[Grid]:
        return page(pdf, page_no)  # it has no geometry to crop with

    return region, page


def ours_reader():
    from assistant.reading.layout import page_tables, region_table

    def region(pdf, page_no: int, bbox) -> list[Grid]:
        table = region_table(pdf.pages[page_no - 1], _pdf_box(pdf.pages[page_no - 1], bbox))
        return [table] if table else []

    def page(pdf, page_no: int) -> list[Grid]:
        return page_tables(pdf.pages[page_no - 1])

    return region, page


def _pdf_box(page, bbox):
    """A ground-truth box (origin bottom left) as pdfplumber's (x0, top, x1, bottom), padded."""
    x1, y1, x2, y2 = bbox
    h = page.height
    return (max(0, x1 - PAD), max(0, h - y2 - PAD), min(page.width, x2 + PAD), min(h, h - y1 + PAD))


READERS = {
    "ours": ours_reader,
    "pypdf": pypdf_reader,
    "plumber-text": lambda: plumber_reader("text"),
    "plumber-lines": lambda: plumber_reader("lines"),
}


# ---- scoring -----------------------------------------------------------------------------
def documents(data: Path) -> list[tuple[str, Path, list[Path]]]:
    """(name, pdf, structure files): a document's ``b`` annotation is scored beside its ``a`` one."""
    out = []
    for pdf in sorted(data.glob("competition-dataset-*/*.pdf")):
        stem = pdf.stem
        truths = [pdf.with_name(f"{stem}-str.xml")]
        if stem.endswith("a"):
            alt = pdf.with_name(f"{stem[:-1]}b-str.xml")
            if alt.exists():
                truths.append(alt)
        out.append((stem, pdf, [t for t in truths if t.exists()]))
    return out


def score_document(pdf_path: Path, truths: list[Path], readers: dict) -> dict:
    import pdfplumber

    result = {}
    with pdfplumber.open(pdf_path) as pdf:
        for name, (read_region, read_page) in readers.items():
            best = None
            started = time.perf_counter()
            for truth_file in truths:
                regions = load_truth(truth_file)
                truth_all: Counter = Counter()
                found_regions: Counter = Counter()
                for region in regions:
                    truth_all += relations(region.cells)
                    try:
                        grids = read_region(pdf, region.page, region.bbox)
                    except Exception as exc:  # noqa: BLE001 - a reader's crash scores zero for that region
                        print(f"  {pdf_path.name} p{region.page} {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                        grids = []
                    for g in grids:
                        found_regions += relations(grid_cells(g))
                found_pages: Counter = Counter()
                for page_no in range(1, len(pdf.pages) + 1):
                    try:
                        for g in read_page(pdf, page_no):
                            found_pages += relations(grid_cells(g))
                    except Exception as exc:  # noqa: BLE001
                        print(f"  {pdf_path.name} p{page_no} {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                pa, ra, *_ = prf(truth_all, found_regions)
                pb, rb, *_ = prf(truth_all, found_pages)
                scores = {
                    "regions": {"p": pa, "r": ra, "f1": f1(pa, ra)},
                    "complete": {"p": pb, "r": rb, "f1": f1(pb, rb)},
                }
                if (
                    best is None
                    or scores["regions"]["f1"] + scores["complete"]["f1"]
                    > best["regions"]["f1"] + best["complete"]["f1"]
                ):
                    best = scores
            best["seconds"] = time.perf_counter() - started
            result[name] = best
    return result


def part(stem: str) -> str:
    """``dev`` or ``test``: a fixed split by document (a stable hash of its name), about half each."""
    import zlib

    return "dev" if zlib.crc32(stem.rstrip("ab").encode()) % 2 == 0 else "test"


def summarise(per_doc: dict[str, dict]) -> dict:
    out = {}
    names = next(iter(per_doc.values())).keys()
    for name in names:
        out[name] = {}
        for mode in ("regions", "complete"):
            rows = [d[name][mode] for d in per_doc.values()]
            out[name][mode] = {k: round(statistics.mean(r[k] for r in rows), 3) for k in ("p", "r", "f1")}
        out[name]["seconds"] = round(sum(d[name]["seconds"] for d in per_doc.values()), 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--readers", default="ours,pypdf")
    ap.add_argument("--docs", help="comma-separated document names (default all)")
    ap.add_argument("--json", action="store_true", help="per-document figures as JSON")
    args = ap.parse_args()
    if not args.data.exists():
        print(f"{args.data} is missing: the ICDAR 2013 dataset lives in ../shared/benchmarks/", file=sys.stderr)
        return 2
    readers = {n: READERS[n]() for n in args.readers.split(",")}
    wanted = set(args.docs.split(",")) if args.docs else None
    per_doc = {}
    for stem, pdf, truths in documents(args.data):
        if wanted and stem not in wanted:
            continue
        per_doc[stem] = score_document(pdf, truths, readers)
        if not args.json:
            line = "  ".join(
                f"{n}: {s['regions']['f1']:.2f}/{s['complete']['f1']:.2f}" for n, s in per_doc[stem].items()
            )
            print(f"{stem:10s} {line}", flush=True)
    parts = {"all": per_doc}
    for which in ("dev", "test"):
        chosen = {k: v for k, v in per_doc.items() if part(k) == which}
        if chosen:
            parts[which] = chosen
    summary = {which: summarise(docs) | {"documents": len(docs)} for which, docs in parts.items()}
    if args.json:
        print(json.dumps({"documents": per_doc, "summary": summary}, indent=2))
    else:
        print("\nF1 averaged over documents (regions given / complete process)")
        for which, readers in summary.items():
            for name, s in readers.items():
                if name == "documents":
                    continue
                print(
                    f"{which:4s} ({readers['documents']:2d} docs) {name:14s} regions P {s['regions']['p']:.3f} R {s['regions']['r']:.3f} "
                    f"F1 {s['regions']['f1']:.3f}   complete P {s['complete']['p']:.3f} R {s['complete']['r']:.3f} "
                    f"F1 {s['complete']['f1']:.3f}   {s['seconds']} s"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
