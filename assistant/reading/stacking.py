"""Words set one letter per line read as words: a table column too narrow for a word (Word and Excel
wrap a cell's text letter by letter when no word fits) prints each letter on a line of its own, at one
x, a line pitch apart, and pypdf reads them as they are drawn, one letter a line ("C\\ny\\nb\\ne").
A page showing runs of one-letter lines is re-read from pdfminer's glyph positions: each vertical
run of single glyphs (a *stack*; a space is a line holding a space glyph) is one word, every cell's
wrapped lines are one text, and the cells standing at one height are one table row. The rows replace
the stretch of pypdf's text they were drawn as, written as ``| cell | cell |`` rows (the chunker reads
those as a table); a page where that stretch cannot be found keeps pypdf's text.

A label that runs over a page break goes on at the top of the next page's table, after its repeated
header, as a row holding that label alone: :func:`join_continued` gives it to the last row of the
table on the page before.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

STACK_LINES = 4  # one-character lines in a row, in pypdf's text, before a page is worth a second reading
MIN_STACK = 3  # glyphs in a stack
_SAME_X = 0.75  # points: the glyphs of a stack start at one x
_PITCH_DRIFT = 1.0  # points: how far a stack's line pitch may vary
_MERGE_GAP = 4.0  # line pitches between two stacks of one table


@dataclass
class Cell:
    """One cell's text and box; ``stack`` when its text was set one glyph per line."""

    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    stack: bool = False
    lines: list[Cell] = field(default_factory=list)  # a wrapped cell's lines, top to bottom


@dataclass
class Region:
    """A table with stacked cells on one page: its glyphs (in drawing order) and its rows of cells."""

    chars: list[dict]
    cells: list[list[list[Cell]]]  # rows of columns of the cells placed there
    spaced: bool  # the producer draws the space a wrapped line ends in
    rows: list[list[str]] = field(default_factory=list)  # the cells' text, once rendered
    stacked: list[list[bool]] = field(default_factory=list)  # which cells were stacks
    start: int = 0  # the span of the page's text it replaces
    end: int = 0


def stacked_pages(texts: list[str]) -> list[int]:
    """The pages worth re-reading: those with a run of ``STACK_LINES`` lines of one character each,
    most of them letters (a word set one letter per line)."""
    out = []
    for i, text in enumerate(texts):
        run = letters = 0
        for line in text.split("\n"):
            s = line.strip()
            if len(s) == 1:
                run += 1
                letters += s.isalpha()
                if run >= STACK_LINES and letters * 2 > run:
                    out.append(i)
                    break
            else:
                run = letters = 0
    return out


def _stacks(chars: list[dict]) -> list[list[dict]]:
    """Runs of glyphs drawn one after another, each a line below the one before at one pitch, all at one x."""
    runs: list[list[dict]] = []
    for c in chars:
        if runs and _below(runs[-1], c):
            runs[-1].append(c)
        else:
            runs.append([c])
    return [run for run in runs if len(run) >= MIN_STACK and sum(ch["text"].isalnum() for ch in run) >= 2]


def _below(run: list[dict], c: dict) -> bool:
    last = run[-1]
    step = c["top"] - last["top"]
    size = last.get("size") or (last["bottom"] - last["top"])
    if abs(c["x0"] - run[0]["x0"]) > _SAME_X or not 0.8 * size <= step <= 1.6 * size:
        return False
    return len(run) < 2 or abs(step - (run[1]["top"] - run[0]["top"])) <= _PITCH_DRIFT


def _stack_cell(run: list[dict]) -> Cell:
    return Cell(
        run[0]["x0"],
        max(c["x1"] for c in run),
        run[0]["top"],
        run[-1]["bottom"],
        "".join(c["text"] for c in run),
        stack=True,
    )


def _fragments(chars: list[dict]) -> list[Cell]:
    """Glyphs on one line and close together: one line of one cell's text. A line is cut at wide gaps,
    and at narrower ones before a glyph that starts where another cell of the table starts (a column)."""
    lines: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if lines and abs(lines[-1][0]["top"] - c["top"]) <= 1.0:
            lines[-1].append(c)
        else:
            lines.append([c])
    for line in lines:
        line.sort(key=lambda c: c["x0"])
    wide = [_cut(line, 0.5, []) for line in lines]
    columns = sorted(f[0]["x0"] for pieces in wide for f in pieces)
    return [_fragment(f) for line in lines for f in _cut(line, 0.5, columns) if "".join(c["text"] for c in f).strip()]


def _cut(line: list[dict], gap: float, columns: list[float]) -> list[list[dict]]:
    """A line's glyphs in pieces: cut where the gap before a glyph is over ``gap`` type sizes, or over a
    third of one where the glyph starts at one of ``columns``."""
    out: list[list[dict]] = []
    for c in line:
        size = c.get("size") or (c["bottom"] - c["top"])
        space = c["x0"] - out[-1][-1]["x1"] if out else 0.0
        k = bisect.bisect_left(columns, c["x0"] - 1.0)
        at_column = k < len(columns) and columns[k] <= c["x0"] + 1.0
        if not out or space > gap * size or (at_column and space > 0.3 * size):
            out.append([c])
        else:
            out[-1].append(c)
    return out


def _fragment(chars: list[dict]) -> Cell:
    text = ""
    for prev, c in zip([None, *chars], chars):
        size = c.get("size") or (c["bottom"] - c["top"])
        if prev is not None and c["x0"] - prev["x1"] > 0.15 * size and not (text.endswith(" ") or c["text"] == " "):
            text += " "  # a word gap with no space glyph drawn
        text += c["text"]
    return Cell(chars[0]["x0"], max(c["x1"] for c in chars), min(c["top"] for c in chars), chars[-1]["bottom"], text)


def _blocks(fragments: list[Cell], pitch: float) -> list[Cell]:
    """Lines one pitch below one another, overlapping across: the lines of one wrapped cell."""
    blocks: list[Cell] = []
    growing: list[Cell] = []  # the blocks a line lower down may still go on
    for f in sorted(fragments, key=lambda f: (f.top, f.x0)):
        growing = [b for b in growing if b.lines[-1].top >= f.top - pitch - _PITCH_DRIFT]
        for b in growing:
            last = b.lines[-1]
            if abs(f.top - last.top - pitch) <= _PITCH_DRIFT and min(f.x1, last.x1) > max(f.x0, last.x0):
                b.lines.append(f)
                b.x0, b.x1, b.bottom = min(b.x0, f.x0), max(b.x1, f.x1), f.bottom
                break
        else:
            blocks.append(Cell(f.x0, f.x1, f.top, f.bottom, "", lines=[f]))
            growing.append(blocks[-1])
    return blocks


def _glue(text: str, line: str, spaced: bool, words: set[str]) -> str:
    """What goes between a wrapped cell's ``text`` so far and its next ``line``. A figure or a hyphen
    goes on as drawn ("4" + "0", "02-" + "Jan-"). Where the producer draws the space a line wraps at
    (``spaced``), a line that ends in none broke inside a word ("MODER" + "ATE"), unless both sides are
    words the document uses elsewhere (a line break: "SYSTEM" / "OPINION")."""
    if not text or not line or text.endswith(" ") or line.startswith(" "):
        return ""
    if text.endswith("-") or text[-1].isdigit() and line[0].isdigit():
        return ""
    if not spaced:
        return " "
    left, right = text.split()[-1].lower(), line.split()[0].lower()
    return " " if left.isalpha() and right.isalpha() and left in words and right in words else ""


def _cell_text(cell: Cell, spaced: bool, words: set[str]) -> str:
    """A cell's text: a stack's glyphs as drawn, a wrapped cell's lines joined (see :func:`_glue`)."""
    if cell.stack or not cell.lines:
        return cell.text
    text = cell.lines[-1].text
    for line in reversed(cell.lines[:-1]):  # from the foot up: the word a line goes on to is whole
        text = line.text + _glue(line.text, text, spaced, words) + text
    return text


def _regions(chars: list[dict]) -> list[Region]:
    """The tables of a page (its glyphs, in drawing order) that hold stacks, as rows of cells."""
    chars = [c for c in chars if c.get("upright", True) and c.get("text")]
    stacks = _stacks(chars)
    if not stacks:
        return []
    pitch = sorted(r[1]["top"] - r[0]["top"] for r in stacks)[len(stacks) // 2]
    bands: list[list[list[dict]]] = []
    for run in sorted(stacks, key=lambda r: r[0]["top"]):
        if bands and run[0]["top"] - max(c["bottom"] for r in bands[-1] for c in r) <= _MERGE_GAP * pitch:
            bands[-1].append(run)
        else:
            bands.append([run])
    out = []
    for band in bands:
        region = _region(chars, band, pitch)
        if region is not None:
            out.append(region)
    return out


def _header_top(chars: list[dict], top: float, starts: list[float], pitch: float, most: int = 6) -> float:
    """``top`` raised over the lines just above it that are set in the table's columns: two or more
    pieces starting where cells of the table start, and at most one other (a header row, not a caption)."""
    above = _fragments([c for c in chars if top - (most + 1) * pitch <= (c["top"] + c["bottom"]) / 2 < top])
    lines: list[list[Cell]] = []
    for f in sorted(above, key=lambda f: -f.top):
        if lines and abs(lines[-1][0].top - f.top) <= 1.0:
            lines[-1].append(f)
        else:
            lines.append([f])
    for line in lines[:most]:
        if line[0].bottom < top - 2 * pitch:
            break
        placed = sum(any(abs(f.x0 - x) <= 2.0 for x in starts) for f in line)
        if placed < 2 or placed < len(line) - 1:  # a header over an empty column still lines up
            break
        top = min(f.top for f in line)
    return top


def _region(chars: list[dict], stacks: list[list[dict]], pitch: float) -> Region | None:
    top = min(r[0]["top"] for r in stacks)
    bottom = max(r[-1]["bottom"] for r in stacks)
    in_stack = {id(c) for r in stacks for c in r}
    for _ in range(2):  # widen to the whole cells the band cuts through
        inside = [c for c in chars if top <= (c["top"] + c["bottom"]) / 2 <= bottom]
        blocks = _blocks(_fragments([c for c in inside if id(c) not in in_stack]), pitch)
        top = min([top] + [b.top for b in blocks])
        bottom = max([bottom] + [b.bottom for b in blocks])
        top = _header_top(chars, top, [r[0]["x0"] for r in stacks] + [b.x0 for b in blocks], pitch)
    inside = [c for c in chars if top <= (c["top"] + c["bottom"]) / 2 <= bottom]  # in drawing order
    for b in blocks:  # a short stack (two glyphs, "n" / "t") is a wrapped cell of one-glyph lines
        b.stack = len(b.lines) >= 2 and all(len(line.text.strip()) <= 1 for line in b.lines)
        b.text = "".join(line.text for line in b.lines) if b.stack else ""
    cells = [_stack_cell(r) for r in stacks] + blocks
    # Rows: cells whose heights overlap; columns: the x at which cells start.
    rows: list[list[Cell]] = []
    for c in sorted(cells, key=lambda c: c.top):
        if rows and c.top < max(x.bottom for x in rows[-1]) - 0.5:
            rows[-1].append(c)
        else:
            rows.append([c])
    starts: list[float] = []
    for x in sorted(c.x0 for c in cells):
        if not starts or x - starts[-1] > 2.0:
            starts.append(x)
    if len(rows) < 2 or len(starts) < 2:
        return None
    grid: list[list[list[Cell]]] = []
    for row in rows:
        placed: list[list[Cell]] = [[] for _ in starts]
        for c in sorted(row, key=lambda c: (c.x0, c.top)):
            placed[max(i for i, s in enumerate(starts) if s <= c.x0 + 2.0)].append(c)
        grid.append(placed)
    spaced = any(line.text.endswith(" ") for b in blocks for line in b.lines[:-1])
    return Region(inside, grid, spaced)


def render(region: Region, words: set[str]) -> None:
    """Fill ``region.rows`` with its cells' text (``words``: those the document uses outside its tables)."""
    region.rows = [
        [
            "".join(
                _cell_text(c, region.spaced, words) if k == 0 else " " + _cell_text(c, region.spaced, words)
                for k, c in enumerate(cells)
            )
            for cells in row
        ]
        for row in region.cells
    ]
    region.stacked = [[any(c.stack for c in cells) for cells in row] for row in region.cells]


def _span(text: str, chars: list[dict]) -> tuple[int, int] | None:
    """Where in ``text`` (pypdf's reading of the page) ``chars`` (pdfminer's glyphs, in drawing order)
    were read: whole lines holding exactly those glyphs, once. None if they are not found so."""
    want = "".join("".join(unicodedata.normalize("NFKC", c["text"]).split()) for c in chars)  # ligatures spelt out
    flat, where = [], []
    for i, ch in enumerate(text):
        p = "".join(unicodedata.normalize("NFKC", ch).split())
        flat.append(p)
        where += [i] * len(p)
    joined = "".join(flat)
    at = joined.find(want)
    if not want or at < 0 or joined.find(want, at + 1) >= 0:
        return None
    start, end = where[at], where[at + len(want) - 1] + 1
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if text[line_start:start].strip() or text[end:line_end].strip():
        return None
    return line_start, line_end


def read_regions(text: str, chars: list[dict]) -> list[Region]:
    """The stacked tables of a page, each located in ``text`` (pypdf's reading of it); those not
    found there are left out."""
    found = []
    for region in _regions(chars):
        span = _span(text, region.chars)
        if span is not None:
            region.start, region.end = span
            found.append(region)
    found.sort(key=lambda r: r.start)
    return [r for k, r in enumerate(found) if k == 0 or r.start >= found[k - 1].end]


def rows_text(rows: list[list[str]]) -> str:
    """Rows as ``| cell | cell |`` lines (an empty cell as a space, a "|" in a cell as "/")."""
    cells = [[" ".join(c.split()).replace("|", "/") for c in row] for row in rows]
    return "\n".join("| " + " | ".join(c or " " for c in row) + " |" for row in cells if any(row))


def furniture(text: str) -> bool:
    """Nothing but page furniture: at most three short lines ("Page 5", a running header)."""
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) <= 3 and all(len(line.strip()) <= 40 for line in lines)


def join_continued(texts: list[str], regions: list[list[Region]]) -> None:
    """Give a label continued over a page break to its row: where page *i*'s text ends with a stacked
    table and page *i + 1*'s text starts with one as wide (past page furniture), the first row of the
    second after the header rows it repeats, holding nothing but a stacked label, is the end of the
    label of the first's last row (when that row holds more than its label). Changes ``regions`` in place."""
    for i in range(len(regions) - 1):
        if not regions[i] or not regions[i + 1]:
            continue
        before, after = regions[i][-1], regions[i + 1][0]
        if not furniture(texts[i][before.end :]) or not furniture(texts[i + 1][: after.start]):
            continue
        if not before.rows or not after.rows or len(before.rows[0]) != len(after.rows[0]):
            continue
        k = 0
        while k < len(after.rows) and k < len(before.rows) and after.rows[k] == before.rows[k]:
            k += 1  # the header, repeated
        if k >= len(after.rows):
            continue
        row, flags, last = after.rows[k], after.stacked[k], before.rows[-1]
        label = next((j for j, c in enumerate(row) if c), None)
        if (
            label is None
            or not flags[label]
            or any(c for j, c in enumerate(row) if j != label)
            or not last[label]
            or not any(c for j, c in enumerate(last) if j != label)
        ):
            continue
        last[label] += row[label]
        del after.rows[k], after.stacked[k]


def _spliced(text: str, regions: list[Region], rows: bool) -> str:
    """``text`` with the spans the ``regions`` (in order) were read from replaced by their rows, or by
    nothing (``rows`` false: the text outside the tables)."""
    pos, parts = 0, []
    for r in regions:
        parts += [text[pos : r.start], rows_text(r.rows) if rows else ""]
        pos = r.end
    return "".join(parts) + text[pos:]


def restack(texts: list[str], chars_of: Any, pages: list[int]) -> dict[int, str]:
    """The new text of each of ``pages`` (0-based) whose stacked tables were read: ``chars_of(i)`` gives
    page *i*'s glyphs (pdfplumber's ``page.chars``) or None."""
    regions: list[list[Region]] = [[] for _ in texts]
    for i in pages:
        chars = chars_of(i)
        if chars:
            regions[i] = read_regions(texts[i], chars)
    outside = [_spliced(t, found, rows=False) for t, found in zip(texts, regions)]
    words = {w.lower() for t in outside for w in re.findall(r"[^\W\d_]{2,}", t)}
    for found in regions:
        for r in found:
            render(r, words)
    join_continued(texts, regions)
    return {i: _spliced(texts[i], found, rows=True) for i, found in enumerate(regions) if found}
