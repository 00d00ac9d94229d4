"""Tables as a person sees them on a PDF page, from the positions pdfplumber (pdfminer.six) reads.

A ruled table is read from its ruling lines (pdfplumber's lines strategy), leaving out shading
drawn in a cell's own colour (it rules nothing one sees); a row whose cells each list
"label: figure" lines, as many in each, is read a line at a time. An unruled one is
read from the words' positions: words are grouped into lines, a line into segments at wide
gaps, the columns are the x-ranges that the segments of the body lines leave free, and a
line that only continues the text of the row above (a wrapped label or header) is joined to
it. A segment over several columns is a spanning cell.

``region_table(page, box)`` reads the table in a known region; ``page_tables(page)`` finds
the tables of a page first. Both return a grid: rows of cell strings, a spanning cell's text
in its first column.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .cleaning import join_wrapped

Grid = list[list[str]]
Box = tuple[float, float, float, float]  # x0, top, x1, bottom in pdfplumber's coordinates
_NUMERIC = re.compile(r"^[-–(+]?[£$€]?\s?-?\d[\d,. ]*%?\)?[a-z]?$|^[-–—]$|^n/?a$", re.I)


@dataclass
class Segment:
    x0: float
    x1: float
    top: float
    bottom: float
    text: str


@dataclass
class Line:
    top: float
    bottom: float
    segments: list[Segment] = field(default_factory=list)


_LEADER = re.compile(r"^[.…·_]+$")


def _words(page: Any) -> list[dict]:
    """The page's words, without dot leaders (". . . ." between a label and its figure)."""
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2.5, keep_blank_chars=False, use_text_flow=False)
    return [w for w in words if not _LEADER.match(w["text"])]


def word_lines(words: list[dict]) -> list[list[dict]]:
    """Words grouped into lines by vertical overlap, top to bottom, each left to right."""
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        mid = (w["top"] + w["bottom"]) / 2
        for line in lines:
            top, bottom = min(x["top"] for x in line), max(x["bottom"] for x in line)
            if top - 0.5 <= mid <= bottom + 0.5:
                line.append(w)
                break
        else:
            lines.append([w])
    for line in lines:
        line.sort(key=lambda w: w["x0"])
    return sorted(lines, key=lambda line: min(w["top"] for w in line))


def _segments(line: list[dict], gap: float) -> Line:
    """Words closer than ``gap`` joined into segments (a cell's words)."""
    out = Line(min(w["top"] for w in line), max(w["bottom"] for w in line))
    for w in line:
        last = out.segments[-1] if out.segments else None
        if last is not None and w["x0"] - last.x1 < gap:
            last.x1 = max(last.x1, w["x1"])
            last.text += " " + w["text"]
        else:
            out.segments.append(Segment(w["x0"], w["x1"], w["top"], w["bottom"], w["text"]))
    return out


def _columns(lines: list[Line], x0: float, x1: float) -> list[tuple[float, float]]:
    """Column x-ranges: what the segments of the body lines cover, split at the gaps they leave."""
    body = [ln for ln in lines if len(ln.segments) >= 2] or lines
    # A spanning header covers a gap in one or two lines; a gap is a gap if few body lines cross it.
    allowed = int(0.12 * len(body))
    step = 0.5
    n = max(1, int((x1 - x0) / step) + 1)
    cover = [0] * n
    for ln in body:
        for s in ln.segments:
            for i in range(max(0, int((s.x0 - x0) / step)), min(n, int((s.x1 - x0) / step) + 1)):
                cover[i] += 1
    columns, start = [], None
    for i, c in enumerate(cover + [0]):
        if c > allowed and start is None:
            start = i
        elif c <= allowed and start is not None:
            columns.append((x0 + start * step, x0 + i * step))
            start = None
    return columns


def _place(seg: Segment, columns: list[tuple[float, float]]) -> tuple[int, int]:
    """The first and last column a segment lies over."""
    hits = [
        i for i, (a, b) in enumerate(columns) if min(seg.x1, b) - max(seg.x0, a) > 0.3 * min(seg.x1 - seg.x0, b - a)
    ]
    if not hits:
        centre = (seg.x0 + seg.x1) / 2
        nearest = min(range(len(columns)), key=lambda i: min(abs(centre - columns[i][0]), abs(centre - columns[i][1])))
        return nearest, nearest
    return hits[0], hits[-1]


def _numeric(text: str) -> bool:
    return bool(_NUMERIC.match(text.strip()))


def _glued(a: str, b: str) -> bool:
    """Whether ``b`` ends a word (or figure) that ``a`` began, broken in a narrow cell: "Numbe" + "r", "2017/1" + "8"."""
    return join_wrapped([a, b]) == a.strip() + b.strip()


def _continues(prev: dict[int, str], row: dict[int, str], gap: float, spacing: float) -> bool:
    """Whether ``row`` (column -> text) only continues the text of ``prev`` (a wrapped cell)."""
    if not prev or not row:
        return False
    if set(row) <= set(prev) and all(_glued(prev[c], t) for c, t in row.items()):
        return True
    if any(_numeric(t) for t in row.values()) or not set(row) <= set(prev):
        return False
    if any(_numeric(prev[c]) for c in row):
        return False
    if len(row) >= len(prev) and len(prev) > 1:
        return False
    first = next(iter(row.values()))
    tight = gap < 0.6 * spacing
    return tight or first[:1].islower() or prev[min(row)].rstrip()[-1:] in ",-–&(/"


def _split(line: list[dict], columns: list[tuple[float, float]], space: float) -> Line:
    """A line's words as cells: split where a word lies in another column than the one before it,
    unless the two are only a normal space apart (a phrase spanning columns, e.g. a group header)."""
    out = Line(min(w["top"] for w in line), max(w["bottom"] for w in line))
    last_col = None
    for w in line:
        col = _place(Segment(w["x0"], w["x1"], w["top"], w["bottom"], w["text"]), columns)[0]
        last = out.segments[-1] if out.segments else None
        if last is not None and (col == last_col or w["x0"] - last.x1 < space):
            last.x1 = max(last.x1, w["x1"])
            last.text += " " + w["text"]
        else:
            out.segments.append(Segment(w["x0"], w["x1"], w["top"], w["bottom"], w["text"]))
            last_col = col
    return out


def table_from_words(words: list[dict], box: Box) -> Grid | None:
    """The grid of an unruled table from its words (pdfplumber dicts) inside ``box`` (x0, top, x1, bottom)."""
    if not words:
        return None
    size = statistics.median(w["bottom"] - w["top"] for w in words)
    raw_lines = word_lines(words)
    # Columns from single words: a gap between two words of one multi-word label is covered by other lines.
    single_words = [
        Line(0, 0, [Segment(w["x0"], w["x1"], w["top"], w["bottom"], w["text"]) for w in ln]) for ln in raw_lines
    ]
    columns = _columns(single_words, box[0], box[2])
    if not columns:
        return None
    lines = [_split(ln, columns, space=0.3 * size) for ln in raw_lines]
    placed: list[tuple[Line, dict[int, str]]] = []
    for ln in lines:
        row: dict[int, str] = {}
        for seg in ln.segments:
            first, _ = _place(seg, columns)
            row[first] = f"{row[first]} {seg.text}" if first in row else seg.text
        placed.append((ln, row))
    gaps = [b[0].top - a[0].bottom for a, b in zip(placed, placed[1:])]
    # The gap between rows, from the gaps above lines that hold a figure (a row's first line): in a
    # table where most labels wrap, the commonest gap is the one inside a wrapped cell.
    before_figures = [g for g, (_, row) in zip(gaps, placed[1:]) if g > 0 and any(_numeric(t) for t in row.values())]
    spacing = statistics.median(before_figures or [g for g in gaps if g > 0] or [size])
    rows: list[dict[int, str]] = []
    prev_line: Line | None = None
    for ln, row in placed:
        gap = ln.top - prev_line.bottom if prev_line else 1e9
        if rows and _continues(rows[-1], row, gap, spacing):
            for c, text in row.items():
                rows[-1][c] = join_wrapped([rows[-1][c], text])
        else:
            rows.append(dict(row))
        prev_line = ln
    width = len(columns)
    return [[r.get(c, "") for c in range(width)] for r in rows]


_LINES = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "intersection_tolerance": 4}


def _highlights(page: Any) -> list[dict]:
    """Filled rectangles drawn inside a larger one of the same colour (a shaded line of text in a cell
    shaded alike): they cannot be seen, so their edges rule no cells."""
    filled = [r for r in page.rects if r.get("fill") and min(r["width"], r["height"]) > 2]

    def within(a: dict, b: dict) -> bool:
        return (
            a is not b
            and a.get("non_stroking_color") == b.get("non_stroking_color")
            and b["x0"] - 0.5 <= a["x0"]
            and a["x1"] <= b["x1"] + 0.5
            and b["top"] - 0.5 <= a["top"]
            and a["bottom"] <= b["bottom"] + 0.5
            and a["width"] * a["height"] < 0.9 * b["width"] * b["height"]
        )

    return [r for r in filled if any(within(r, o) for o in filled)]


def _hollow_column(rows: list[list[str | None]]) -> bool:
    """Whether a ruled grid has a column with no text of its own (each cell empty, covered by its
    neighbour, or repeating its text): edges that rule no column."""
    width = max((len(r) for r in rows), default=0)
    return width > 2 and any(
        all(not (r[i] if i < len(r) else None) or r[i] == r[i - 1] for r in rows) for i in range(1, width)
    )


def _keyed(line: str) -> bool:
    """A "label: figure" line ("65+: 19.11%", "Female 49.8%"): words, then one figure ending it."""
    toks = line.strip().rstrip(".").split()
    return len(toks) >= 2 and _numeric(toks[-1]) and any(c.isalnum() for c in " ".join(toks[:-1]))


def split_stacked(row: list[str | None]) -> list[list[str]]:
    """A ruled row whose cells each list "label: figure" lines, as many in each of two or more
    cells (one short table per cell, side by side: a target beside the actual), as one row a line;
    the other cells (the row's label) are joined and repeated on each. Otherwise the row as it is,
    each cell's wrapped lines joined."""
    cells = [(c or "").split("\n") for c in row]
    stacked = [i for i, lines in enumerate(cells) if len(lines) >= 2 and all(_keyed(l) for l in lines)]
    counts = {len(cells[i]) for i in stacked}
    if len(stacked) < 2 or len(counts) != 1:
        return [[join_wrapped(lines) for lines in cells]]
    return [
        [cells[i][k].strip() if i in stacked else join_wrapped(cells[i]) for i in range(len(cells))]
        for k in range(counts.pop())
    ]


def _ruled_tables(page: Any) -> list[tuple[Box, Grid]]:
    """(bbox, grid) of the ruled tables on a page: cells bounded by drawn lines."""
    out = []
    tables = page.find_tables(_LINES)
    extracted = [t.extract() for t in tables]
    skip = {(r["x0"], r["top"], r["x1"], r["bottom"]) for r in _highlights(page)}
    if skip:  # ruled without the shading no one sees, if that still rules every column
        unseen = page.filter(
            lambda o: o.get("object_type") != "rect" or (o["x0"], o["top"], o["x1"], o["bottom"]) not in skip
        )
        clean = unseen.find_tables(_LINES)
        rows = [t.extract() for t in clean]
        if not any(_hollow_column(r) for r in rows):
            tables, extracted = clean, rows
    for t, rows in zip(tables, extracted):
        grid = [sub for row in rows for sub in split_stacked(row)]
        if len(grid) >= 2 and max(len(r) for r in grid) >= 2 and sum(1 for r in grid for c in r if c) >= 4:
            out.append((t.bbox, grid))
    return out


def _overlap(a: Box, b: Box) -> float:
    """The share of ``a``'s area that ``b`` covers."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    area = (a[2] - a[0]) * (a[3] - a[1])
    return w * h / area if w > 0 and h > 0 and area > 0 else 0.0


def _coverage(grid: Grid, words: list[dict]) -> float:
    text = "".join("".join(r) for r in grid).replace(" ", "")
    total = "".join(w["text"] for w in words)
    return len(text) / len(total) if total else 0.0


def _filled(grid: Grid) -> float:
    """Non-empty cells per row: how finely a grid divides the table."""
    return sum(1 for r in grid for c in r if c) / max(1, len(grid))


def _better(ruled: Grid, words: list[dict], box: Box) -> Grid | None:
    """The ruled grid, unless its rules miss columns the words show (rows ruled only across, say)."""
    text = table_from_words(words, box)
    if _coverage(ruled, words) < 0.85:
        return text
    if text is not None and _filled(ruled) < 0.8 * _filled(text):
        return text
    return ruled


def _with_stub(box: Box, grid: Grid, words: list[dict], page_width: float) -> Box:
    """``box`` widened to the left over a column of row labels printed beside the ruled part, if any."""
    first = [t for row in grid[1:] if row for t in row[0].split()]
    if not first or sum(_numeric(t) for t in first) < 0.6 * len(first):
        return box  # the grid's first column holds its labels
    reach = max(0.6 * (box[2] - box[0]), 0.45 * page_width)
    left = [
        w
        for w in words
        if w["x1"] <= box[0] + 1 and w["x0"] >= box[0] - reach and box[1] - 1 <= w["top"] and w["bottom"] <= box[3] + 1
    ]
    inner = {round(w["top"]) for w in words if box[0] <= w["x0"] and w["x1"] <= box[2] and box[1] <= w["top"] <= box[3]}
    if len({round(w["top"]) for w in left}) < max(3, 0.3 * len(inner)):
        return box
    return (min(w["x0"] for w in left), box[1], box[2], box[3])


def region_table(page: Any, box: Box) -> Grid | None:
    """The table inside ``box`` (x0, top, x1, bottom in pdfplumber's coordinates) of a pdfplumber page."""
    crop = page.crop(box, strict=False)
    words = _words(crop)
    # Ruled tables are found on the whole page: a tight crop can cut off the outer rules.
    ruled = [g for b, g in _ruled_tables(page) if _overlap(box, b) > 0.6 and _overlap(b, box) > 0.6]
    if len(ruled) == 1:
        return _better(ruled[0], words, box)
    return table_from_words(words, box)


def open_pdf(stream: Any) -> Any:
    """A pdfplumber document with pdfminer's layout analysis on (text boxes in reading order)."""
    import pdfplumber

    return pdfplumber.open(stream, password="", laparams={})


def page_tables(page: Any) -> list[Grid]:
    """The tables found on a pdfplumber page (ruled ones, then aligned blocks of unruled text)."""
    return [grid for _, grid in located_tables(page)]


def located_tables(page: Any) -> list[tuple[Box, Grid]]:
    """(bbox, grid) of each table found on a pdfplumber page, top to bottom."""
    all_words = _words(page)

    def inside(w: dict, b: Box) -> bool:
        return b[0] - 1 <= w["x0"] and w["x1"] <= b[2] + 1 and b[1] - 1 <= w["top"] and w["bottom"] <= b[3] + 1

    found, ruled = [], []
    for b, grid in _ruled_tables(page):
        wider = _with_stub(b, grid, all_words, page.width)
        if wider != b:  # rules drawn only over the figures: the row labels stand to their left
            b, best = wider, table_from_words([w for w in all_words if inside(w, wider)], wider)
        else:
            best = _better(grid, [w for w in all_words if inside(w, b)], b)
        ruled.append(b)
        if best:
            found.append((b, best))
    found += word_tables([w for w in all_words if not any(inside(w, b) for b in ruled)])
    return sorted(found, key=lambda t: t[0][1])


def word_tables(words: list[dict]) -> list[tuple[Box, Grid]]:
    """(bbox, grid) of each unruled table in ``words`` (pdfplumber's, or OCR's read from a scan):
    runs of lines set in aligned columns."""
    found = []
    for block in _aligned_blocks(words):
        box = (
            min(w["x0"] for w in block),
            min(w["top"] for w in block),
            max(w["x1"] for w in block),
            max(w["bottom"] for w in block),
        )
        grid = table_from_words(block, box)
        if grid and len(grid) >= 2 and len(grid[0]) >= 2:
            found.append((box, grid))
    return found


def grid_text(grid: Grid) -> str:
    """A table as ``| cell | cell |`` rows, each as wide as the widest."""
    width = max(len(r) for r in grid)
    return "\n".join(
        "| " + " | ".join(c.replace("|", "/") or " " for c in row + [""] * (width - len(row))) + " |"
        for row in grid
        if any(row)
    )


_PARA = re.compile(r"^\(?\d{1,2}(\.\d{1,2}){0,3}\.?\)?$|^\(?[a-z]\)$|^[•◆▪●\-–]$")


def is_data_table(grid: Grid) -> bool:
    """A grid that holds data, not a page's layout: figures in its body, not numbered prose or long sentences."""
    cells = [c for row in grid for c in row if c]
    if len(grid) < 2 or max(len(r) for r in grid) < 2 or not cells:
        return False
    firsts = [next((c for c in row if c), "") for row in grid]
    if sum(bool(_PARA.match(f.strip())) for f in firsts) >= 0.5 * len(grid):
        return False  # "3.6 | There were 24,635 ..." is a numbered paragraph set off by a gap
    long_cells = sum(len(c) > 80 for c in cells)
    if long_cells >= 0.25 * len(cells):
        return False
    words = sorted(len(c.split()) for c in cells)
    figures = sum(_numeric(c) or len(c) <= 60 and _keyed(c) for c in cells)  # "65+: 19.11%" holds a figure
    if words[len(words) // 2] >= 4 and figures < 0.2 * len(cells):
        return False  # lines of prose set in columns, not cells
    body = [c for row in grid[1:] for c in row[1:] if c]
    return bool(body) and sum(_numeric(c) or bool(re.search(r"\d", c)) for c in body) >= 0.4 * len(body)


def _centred_in(obj: dict, boxes: list[Box]) -> bool:
    """Whether the middle of a pdfplumber object (a char, a text line or box) lies in one of ``boxes``."""
    mx, my = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(b[0] - 1 <= mx <= b[2] + 1 and b[1] - 1 <= my <= b[3] + 1 for b in boxes)


_MARKER = re.compile(r"^(\d{1,3}|[*†‡§])\s*(?=[A-Za-z(“\"'])")
_TEXT_OBJECTS = ("char", "textlinehorizontal", "textboxhorizontal")


def _size(chars: list[dict]) -> float:
    return (
        statistics.median(c["size"] for c in chars if c["text"].strip())
        if any(c["text"].strip() for c in chars)
        else 0.0
    )


def note_mark(text: str) -> str | None:
    """The marker a footnote opens with ("3", "*"), or None if ``text`` does not open with one."""
    m = _MARKER.match(text)
    return m.group(1) if m else None


def footnotes(page: Any, placed: list[Box], referenced: set[str]) -> tuple[list[str], Box | None]:
    """The footnotes at the foot of a page, each opening with its marker ("3 See the decision
    notice ..."), set smaller than the body text, and the band they fill; ([], None) if none.

    A lone note must be referenced by a raised mark in the text (``referenced``): a footer that
    opens with the page number ("26 The EFSA Journal 2009") is not a note. Page furniture below
    the notes (a page number, a footer set apart) stays in the page text for the running-line filter.
    """
    chars = [c for c in page.chars if c["text"].strip() and not _centred_in(c, placed)]
    if len(chars) < 80:
        return [], None
    body = _size(chars)
    lines = [
        ln
        for ln in page.extract_text_lines(strip=True, return_chars=True, x_tolerance=1.5)
        if ln["text"].strip() and not _centred_in(ln, placed)
    ]
    small = [_size(ln["chars"]) <= 0.9 * body for ln in lines]
    i = len(lines)
    while i > 0 and len(lines) - i < 2 and not small[i - 1] and len(lines[i - 1]["text"]) <= 40:
        i -= 1  # a page number or footer line in body type, under the notes
    end = i
    while i > 0 and small[i - 1]:
        i -= 1
    first = next((k for k in range(i, end) if note_mark(lines[k]["text"])), None)
    if first is None or sum(not s for s in small[:first]) < 3:
        return [], None
    notes: list[list[str]] = []
    last = first

    def opens_note(text: str) -> bool:  # a marker, and the next number if the notes are numbered
        mark, before = note_mark(text), note_mark(notes[-1][0]) if notes else None
        return mark is not None and not (
            before and before.isdigit() and mark.isdigit() and int(mark) != int(before) + 1
        )

    for k in range(first, end):
        ln, prev = lines[k], lines[k - 1]
        if opens_note(ln["text"]):
            notes.append([ln["text"]])
        elif ln["top"] - prev["bottom"] <= 0.8 * (prev["bottom"] - prev["top"]):
            notes[-1].append(ln["text"])  # the note wraps onto this line
        else:
            break  # set apart: a footer, not part of a note
        last = k
    texts = [join_wrapped(n) for n in notes if len(re.findall(r"[A-Za-z]{2,}", " ".join(n))) >= 2]
    if not texts or len(texts) == 1 and note_mark(texts[0]) not in referenced:
        return [], None
    return texts, (0.0, lines[first]["top"] - 0.5, float(page.width), lines[last]["bottom"] + 0.5)


def _references(chars: list[dict], body: float) -> list[list[dict]]:
    """The footnote reference marks in the text, each a run of chars: small raised digits or daggers
    right after a word or figure ("budget³", "£45,000²"), which would otherwise join the word or figure."""
    marks: list[list[dict]] = []
    for prev, c in zip(chars, chars[1:]):
        if c["text"] not in "0123456789*†‡" or c["size"] > 0.8 * body or not -1 <= c["x0"] - prev["x1"] <= 2:
            continue
        if marks and marks[-1][-1] is prev and abs(prev["bottom"] - c["bottom"]) < 0.5:
            marks[-1].append(c)
        elif prev["size"] > c["size"] + 1 and prev["bottom"] - c["bottom"] >= 1.5:
            marks.append([c])
    return marks


def read_page(page: Any) -> tuple[str, list[str]]:
    """A page's text in reading order, with each data table written as ``| cell | cell |`` rows
    in its place, and apart from it the page's footnotes (see :func:`footnotes`)."""
    tables: list[tuple[Box, Grid]] = []
    forms: list[tuple[Box, list[str]]] = []
    for b, g in located_tables(page):
        if is_data_table(g):
            tables.append((b, g))
        elif fields := form_fields(g):
            forms.append((b, fields))
    placed = [b for b, _ in tables + forms]
    refs = _references([c for c in page.chars if c["text"].strip()], _size(page.chars)) if page.chars else []
    marks = {id(c) for ref in refs for c in ref}
    notes, band = footnotes(page, placed, {"".join(c["text"] for c in ref) for ref in refs})

    def outside(obj: dict) -> bool:
        kind = obj.get("object_type")
        if band is not None and kind in _TEXT_OBJECTS and _centred_in(obj, [band]):
            return False
        return kind != "char" or not (_centred_in(obj, placed) or id(obj) in marks)

    rendered = [(b, grid_text(grid)) for b, grid in tables]
    rendered += [(b, "\n".join(fields)) for b, fields in forms]
    body = page.filter(outside)
    flow = _column_flow(body, placed)
    if flow is not None:
        return "\n".join(_place_tables(flow, rendered)), notes
    lines = body.extract_text_lines(strip=True, return_chars=False, x_tolerance=1.5)
    items = [(ln["top"], ln["text"]) for ln in lines if ln["text"].strip()]
    items += [(b[1], text) for b, text in rendered]
    items.sort(key=lambda t: t[0])
    return "\n".join(text for _, text in items), notes


def _column_flow(page: Any, tables: list[Box]) -> list[tuple[Box, str]] | None:
    """On a page set in columns, its text lines in reading order (pdfminer's text boxes in its
    flow order, one column after another); None on a single-column page, or without layout analysis."""
    boxes = page.objects.get("textboxhorizontal")
    if not boxes:
        return None

    def column(b: dict) -> bool:  # a block of prose lines, narrower than the page
        lines = [ln for ln in b["text"].split("\n") if ln.strip()]
        return (
            len(lines) >= 4
            and 0.25 * page.width <= b["x1"] - b["x0"] < 0.55 * page.width
            and sum(map(len, lines)) >= 20 * len(lines)
            and not _centred_in(b, tables)
        )

    prose = [b for b in boxes if column(b)]
    side_by_side = any(
        a["x1"] <= c["x0"] and min(a["bottom"], c["bottom"]) - max(a["top"], c["top"]) > 20
        for a in prose
        for c in prose
        if a is not c
    )
    if not side_by_side:
        return None
    # Each box's lines from its words: pdfminer splits a justified line at wide spaces, out of order.
    words = [w for w in _words(page) if not _centred_in(w, tables)]
    flow: list[tuple[Box, str]] = []
    for group in _joined_boxes(boxes, statistics.median(w["bottom"] - w["top"] for w in words) if words else 0):
        inside = {id(w) for w in words if _centred_in(w, group)}
        flow += _line_items([w for w in words if id(w) in inside])
        words = [w for w in words if id(w) not in inside]
    return flow + _line_items(words)  # words in no box (rare), last


def _joined_boxes(boxes: list[dict], size: float) -> list[list[Box]]:
    """pdfminer's text boxes in flow order, joined to those beside them nearer than 1.5 type sizes (a gutter is wider)."""
    groups: list[list[Box]] = []
    for b in boxes:
        r = (b["x0"], b["top"], b["x1"], b["bottom"])
        near = [g for g in groups if any(_beside(r, o, 1.5 * size) for o in g)]
        if near:
            near[0] += [r, *(o for g in near[1:] for o in g)]
            groups = [g for g in groups if not any(g is h for h in near[1:])]
        else:
            groups.append([r])
    return groups


def _beside(a: Box, b: Box, gap: float) -> bool:
    return min(a[3], b[3]) > max(a[1], b[1]) and max(a[0], b[0]) - min(a[2], b[2]) < gap


def _line_items(words: list[dict]) -> list[tuple[Box, str]]:
    """Words as lines, (bbox, text) top to bottom, a line overlapping the next in height (a raised "th") joined to it."""
    lines: list[list[dict]] = []
    for line in word_lines(words):
        if lines and max(w["bottom"] for w in lines[-1]) - min(w["top"] for w in line) >= 1:
            lines[-1] = sorted(lines[-1] + line, key=lambda w: w["x0"])
        else:
            lines.append(line)
    boxes = [
        (ln[0]["x0"], min(w["top"] for w in ln), max(w["x1"] for w in ln), max(w["bottom"] for w in ln)) for ln in lines
    ]
    glued = [
        "".join(("" if a is None or b["x0"] - a["x1"] < 1.5 else " ") + b["text"] for a, b in zip([None, *ln], ln))
        for ln in lines
    ]
    return list(zip(boxes, glued))  # a raised "th" glued back to its figure, as the words tolerate


def _place_tables(flow: list[tuple[Box, str]], tables: list[tuple[Box, str]]) -> list[str]:
    """Each table before the first line of the flow printed below its top in the columns it spans."""
    out = list(flow)
    for box, text in tables:
        at = next(
            (i for i, (b, _) in enumerate(out) if b[1] >= box[1] - 1 and b[0] < box[2] and b[2] > box[0]), len(out)
        )
        out.insert(at, (box, text))
    return [text for _, text in out]


def _complete(label: str) -> bool:
    """A label that has ended: "Date:" or a paragraph number ("1.", "2.1")."""
    return label.rstrip().endswith(":") or bool(_PARA.match(label.strip()))


def form_fields(grid: Grid) -> list[str] | None:
    """A cover sheet or decision form's label/value grid as "Label: value" lines, or None if it is not one.

    The label columns are those up to the last one holding labels ending in ":"; a label or value
    wrapped over several rows (a narrow cell) is joined again.
    """
    colon = Counter(i for row in grid for i, c in enumerate(row) if c.strip().endswith(":") and len(c) <= 50)
    label_columns = [i for i, n in colon.items() if n >= 2]  # one "with:" in a value is not a label column
    if not label_columns:
        return None
    k = max(label_columns)
    fields: list[tuple[list[str], dict[int, list[str]]]] = []  # label parts, value parts by column
    for row in grid:
        label = [c for c in row[: k + 1] if c.strip()]
        if label and (not fields or _complete(fields[-1][0][-1]) or _PARA.match(label[0].strip())):
            fields.append((label, {}))
        elif label and fields:
            fields[-1][0].extend(label)
        elif not fields and any(c.strip() for c in row[k + 1 :]):
            return None
        for i, c in enumerate(row[k + 1 :]):
            if c.strip() and fields:
                fields[-1][1].setdefault(i, []).append(c)
    # a value wrapped in a narrow cell is read down its column, then on to the next column
    done = [
        (join_wrapped(lab), " ".join(join_wrapped(parts) for _, parts in sorted(val.items()))) for lab, val in fields
    ]
    labelled = [
        (lab, val) for lab, val in done if lab.endswith(":") and val and len(lab) <= 60 and not _PARA.match(lab)
    ]
    if len(labelled) < 2:
        return None
    return [f"{lab} {val}".strip() for lab, val in done]


def _aligned_blocks(words: list[dict]) -> list[list[dict]]:
    """Runs of three or more consecutive lines that split into two or more segments (table bodies)."""
    if not words:
        return []
    size = statistics.median(w["bottom"] - w["top"] for w in words)
    blocks: list[list[dict]] = []
    current: list[tuple[list[dict], bool]] = []  # the block's lines, each with whether it splits

    def above(i: int) -> float:
        return current[i][0][0]["top"] - max(w["bottom"] for w in current[i - 1][0])

    def close() -> None:
        # A one-segment line at the end of a block is the last row's wrapped label only when it
        # sits as close under it as a wrapped line does, closer than the rows are apart: else it
        # is the sentence under the table.
        rows = [above(i) for i in range(1, len(current)) if current[i][1]]
        spacing = statistics.median(rows) if rows else 0.0
        while len(current) > 1 and not current[-1][1] and above(len(current) - 1) >= spacing:
            current.pop()
        if len(current) >= 3:
            blocks.append([w for line, _ in current for w in line])

    for raw in word_lines(words):
        multi = len(_segments(raw, gap=max(2.5, 1.2 * size)).segments) >= 2
        near = current and raw[0]["top"] - max(w["bottom"] for w in current[-1][0]) < 2.5 * size
        if multi and (not current or near):
            current.append((raw, True))
        elif multi:
            close()
            current = [(raw, True)]
        else:
            # A one-segment line inside a table (a wrapped label, a group heading) keeps the block going.
            if current and near and sum(len(w["text"].split()) for w in raw) <= 8:
                current.append((raw, False))
                continue
            close()
            current = []
    close()
    return blocks
