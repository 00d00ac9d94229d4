"""Reading order of a scanned page's words (OCR's words with their boxes, in PDF points): rows top to
bottom, and the columns of a part of the page set in two read one after the other.

A page may be set in columns over only part of its height (two columns of prose above a picture, or
under a full-width table), so the columns are looked for band by band: a run of rows that a white
strip (the gutter) runs down, with lines of text filling each side. A line crossing the gutter (a
heading, a title) stays in its place and ends the stretch of columns before it. A table whose
wrapped cells leave a gutter too is not columns: its rows start together on both sides.

A cover's title is found by its type (:func:`title_run`: the run of lines in the largest type that
holds the most letters, not a logo's few big ones) and set first on the page (:func:`title_first`),
where the document's title is then taken from, as a born-digital PDF's is from its largest type.
"""

from __future__ import annotations

import statistics
from typing import Any

MIN_BAND_ROWS = 10  # rows a band of columns spans, at least
MIN_SIDE_ROWS = 5  # lines on each side of the gutter, at least
CROSSING = 0.1  # the share of a band's rows that may cross its gutter (headings spanning both columns)
GUTTER = 1.0  # the gutter between two columns is this many line heights wide, at least
MIN_COLUMN = 0.2  # a column of text is this share of the page's width or more
FULL = 0.7  # a line filling its column runs this share of its width or more
PARAGRAPH_GAP = 0.5  # a gap over this many line heights above a line starts a paragraph (or a table's row)


def centre(w: dict[str, Any]) -> float:
    return (w["top"] + w["bottom"]) / 2


def flow_text(words: list[dict[str, Any]], page_width: float) -> str:
    """Words with boxes as plain text in reading order: where part of the page is set in columns, the
    columns read one after the other (a line spanning them ends them), rows joined left to right,
    paragraphs apart."""
    if not words:
        return ""
    return "\n\n".join(t for t in _flow(rows_of(words), (0.0, page_width), page_width) if t)


Span = tuple[float, float]  # from x to x, in points


def _flow(rows: list[list[dict[str, Any]]], span: Span, page_width: float) -> list[str]:
    """``rows`` (across ``span`` of the page) as texts in reading order: the band set in columns that
    spans the most rows read column by column (each column looked at again for columns inside it: a
    page in three), and the rows above and below it read the same way in turn."""
    band = _column_band(rows, span, page_width)
    if band is None:
        return [_rows_text([w for row in rows for w in row])]
    start, end, gutter = band
    out = _flow(rows[:start], span, page_width)
    part: list[dict[str, Any]] = []
    for row in rows[start:end]:  # a row crossing the gutter (a heading over both columns) ends a stretch
        if _crosses(row, gutter):
            out += [*_columns_text(part, span, gutter, page_width), _join(row)]
            part = []
        else:
            part += row
    out += _columns_text(part, span, gutter, page_width)
    return out + _flow(rows[end:], span, page_width)


def _columns_text(words: list[dict[str, Any]], span: Span, gutter: float, page_width: float) -> list[str]:
    left = [w for w in words if w["x1"] <= gutter]
    right = [w for w in words if w["x0"] >= gutter]
    return [
        *(_flow(rows_of(left), (span[0], gutter), page_width) if left else []),
        *(_flow(rows_of(right), (gutter, span[1]), page_width) if right else []),
    ]


def _column_band(rows: list[list[dict[str, Any]]], span: Span, page_width: float) -> tuple[int, int, float] | None:
    """The run of ``rows`` set in two columns that holds the most rows beside a gutter, as (first row,
    the row after the last, the gutter's x), or None. A gutter is a strip between 30% and 70% across
    ``span`` that at most a tenth of the run's rows cross; the run starts and ends beside it."""
    n = len(rows)
    if n < MIN_BAND_ROWS:
        return None
    best: tuple[tuple[int, int], int, int, float] | None = None
    for step in range(30, 71, 2):
        x = span[0] + (span[1] - span[0]) * step / 100
        crossing = [_crosses(row, x) for row in rows]
        crossed = [0]
        for c in crossing:
            crossed.append(crossed[-1] + c)
        # a run is widest from the top or just under a row crossing the strip; it ends at the last
        # row that leaves the two sides columns of text (not the picture or table below them)
        for s in (s for s in range(n - MIN_BAND_ROWS + 1) if not crossing[s] and (s == 0 or crossing[s - 1])):
            for e in range(n, s + MIN_BAND_ROWS - 1, -1):
                across = crossed[e] - crossed[s]
                key = (e - s - across, -across)
                if best is not None and key <= best[0]:
                    break
                if not crossing[e - 1] and across <= CROSSING * (e - s) and _columns(rows[s:e], x, page_width):
                    best = (key, s, e, x)
                    break
    return best[1:] if best else None


def _crosses(row: list[dict[str, Any]], x: float) -> bool:
    """Whether a row runs across ``x``: a word over it, or words either side of it no further apart
    than a line's height (a space between words: a line OCR read in two parts, not a gutter)."""
    if any(w["x0"] < x < w["x1"] for w in row):
        return True
    left, right = _side(row, x, True), _side(row, x, False)
    if not left or not right:
        return False
    height = statistics.median(w["bottom"] - w["top"] for w in row)
    return min(w["x0"] for w in right) - max(w["x1"] for w in left) < GUTTER * height


def _columns(rows: list[list[dict[str, Any]]], x: float, page_width: float) -> bool:
    """Whether ``rows`` read as two columns of text either side of ``x``: five lines or more on each
    side, each side a fifth of the page wide or more (not a table's narrow cells), a third of its
    lines filling it (a table's short labels beside their values do not), neither side a table's
    columns of cells, and paragraphs that do not start together on both sides (a table's rows of
    wrapped cells do)."""
    left = [side for row in rows if (side := _side(row, x, True))]
    right = [side for row in rows if (side := _side(row, x, False))]
    if len(left) < MIN_SIDE_ROWS or len(right) < MIN_SIDE_ROWS:
        return False
    left_edge = min(w["x0"] for side in left for w in side)
    right_edge = max(w["x1"] for side in right for w in side)
    if min(x - left_edge, right_edge - x) < MIN_COLUMN * page_width:
        return False
    if not (_full(left, x - left_edge) and _full(right, right_edge - x)):
        return False
    if _cells_inside(left, page_width) or _cells_inside(right, page_width):
        return False
    height = statistics.median(w["bottom"] - w["top"] for row in rows for w in row)
    starts = [_starts(left, height), _starts(right, height)]
    fewer, more = sorted(starts, key=len)
    together = sum(1 for top in fewer if any(abs(top - other) < PARAGRAPH_GAP * height for other in more))
    return not fewer or together * 3 < len(fewer) * 2


def _cells_inside(lines: list[list[dict[str, Any]]], page_width: float) -> bool:
    """Whether one side's ``lines`` hold a gutter of their own that is not one between columns of text:
    a table's columns of short cells (text on both sides of it in five lines or more: not a list's
    bullets or numbers hanging left of their items)."""
    lo, hi = min(w["x0"] for line in lines for w in line), max(w["x1"] for line in lines for w in line)
    for step in range(10, 91, 4):
        x = lo + (hi - lo) * step / 100
        if sum(_crosses(line, x) for line in lines) > CROSSING * len(lines):
            continue
        both = [line for line in lines if _worded(_side(line, x, True)) and _worded(_side(line, x, False))]
        if len(both) >= MIN_SIDE_ROWS and not _columns(lines, x, page_width):
            return True
    return False


def _worded(words: list[dict[str, Any]]) -> bool:
    return sum(c.isalnum() for w in words for c in w["text"]) >= 3


def _starts(lines: list[list[dict[str, Any]]], height: float) -> list[float]:
    """The tops of the lines that start a paragraph, under a gap, but for the first."""
    spans = [(min(w["top"] for w in line), max(w["bottom"] for w in line)) for line in lines]
    return [top for (_, bottom), (top, _) in zip(spans, spans[1:]) if top - bottom > PARAGRAPH_GAP * height]


def _full(lines: list[list[dict[str, Any]]], column: float) -> bool:
    """Whether a third or more of a side's lines run most of its width (text, not a table's labels)."""
    spans = [(min(w["x0"] for w in line), max(w["x1"] for w in line)) for line in lines]
    return sum(1 for a, b in spans if b - a >= FULL * column) >= len(spans) / 3


def _side(row: list[dict[str, Any]], x: float, left: bool) -> list[dict[str, Any]]:
    return [w for w in row if (w["x1"] <= x if left else w["x0"] >= x)]


def rows_of(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Words grouped into rows, left to right: a line OCR read stays whole (so a tilted scan's words
    keep their line), and lines side by side (a table's cells, two columns) whose middles fall within
    the first one's band share a row; a line under another is a row of its own."""
    rows: list[tuple[float, float, list[dict[str, Any]]]] = []
    for line in sorted(by_line(words), key=_middle):
        x0, x1 = min(w["x0"] for w in line), max(w["x1"] for w in line)
        last = rows[-1] if rows else None
        beside = last and not any(w["x0"] < x1 - 2 and x0 + 2 < w["x1"] for w in last[2])
        if last and beside and last[0] <= _middle(line) <= last[1]:
            last[2].extend(line)
        else:
            rows.append((min(w["top"] for w in line), max(w["bottom"] for w in line), list(line)))
    return [sorted(r, key=lambda w: w["x0"]) for _, _, r in rows]


def by_line(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The words grouped by the line OCR read them in (a word without a line number stands alone)."""
    lines: dict[Any, list[dict[str, Any]]] = {}
    for i, w in enumerate(words):
        lines.setdefault(w.get("line", ("word", i)), []).append(w)
    return list(lines.values())


def _middle(line: list[dict[str, Any]]) -> float:
    return sum(centre(w) for w in line) / len(line)


def _join(row: list[dict[str, Any]]) -> str:
    return " ".join(w["text"] for w in row)


def _rows_text(words: list[dict[str, Any]]) -> str:
    """Rows top to bottom, a blank line where the gap above a row is over half a line's height."""
    rows = rows_of(words)
    if not rows:
        return ""
    height = statistics.median(w["bottom"] - w["top"] for w in words)
    lines = [_join(rows[0])]
    for above, row in zip(rows, rows[1:]):
        gap = min(w["top"] for w in row) - max(w["bottom"] for w in above)
        if gap > PARAGRAPH_GAP * height:
            lines.append("")
        lines.append(_join(row))
    return "\n".join(lines)


TITLE_TYPE = 22.0  # a cover's title is set this high or more (points of an OCR box: about 15 for body text)
TITLE_OVER_BODY = 1.25  # and this many times the body text's height, where the page has body text
BODY_WORDS = 30  # words in lines of five or more that make a page's body text (a cover may have none)
SAME_TYPE = 0.75  # lines of one type: heights within this ratio (OCR's boxes vary with ascenders and descenders)
PITCH = 1.3  # a title's lines stand evenly: a line further under the last than this many steps before ends it


def title_run(words: list[dict[str, Any]]) -> list[str] | None:
    """The lines of a cover's title among a first page's OCR'd ``words``, top to bottom, or None: the run
    of lines set one under the other in one large type (each starting under two of its heights below
    the one before and at the run's line pitch, not further, so a date set apart below is not taken;
    overlapping it across) that holds the most large letters (letters times height
    squared: a logo's big letters are few, a title's many). A run of one line needs four words or
    more ("The Planning Inspectorate" over a letter is a logo, as is a lone "Appeal Decision" ruled
    out by it); the type is large against the body's (lines of five words or more), if there is any."""
    lines = []
    for line in by_line(words):
        line = sorted(line, key=lambda w: w["x0"])
        text = " ".join(w["text"] for w in line)
        if sum(c.isalpha() for c in text) >= 2:
            height = statistics.median(w["bottom"] - w["top"] for w in line)
            lines.append((min(w["top"] for w in line), height, line[0]["x0"], line[-1]["x1"], text, len(line)))
    body = [h for _, h, _, _, _, n in lines for _ in range(n) if n >= 5]  # a word each
    floor = max(TITLE_TYPE, TITLE_OVER_BODY * statistics.median(body) if len(body) >= BODY_WORDS else 0.0)
    runs: list[list[tuple[float, float, float, float, str, int]]] = []
    for line in sorted(lines):
        top, height, x0, x1 = line[:4]
        for run in runs:
            last, step = run[-1], top - run[-1][0]
            pitch = run[-1][0] - run[-2][0] if len(run) >= 2 else 2 * max(height, last[1])
            if (
                0.5 * height <= step <= min(2 * max(height, last[1]), PITCH * pitch)
                and SAME_TYPE <= height / statistics.median(line[1] for line in run) <= 1 / SAME_TYPE
                and x0 < last[3]
                and last[2] < x1
            ):
                run.append(line)
                break
        else:
            runs.append([line])

    def weight(run: list[tuple[float, float, float, float, str, int]]) -> float:
        height = statistics.median(line[1] for line in run)
        return sum(c.isalpha() for line in run for c in line[4]) * height**2

    titles = [
        run
        for run in runs
        if statistics.median(line[1] for line in run) >= floor
        and (len(run) >= 2 or run[0][5] >= 4)
        and sum(c.isalpha() for line in run for c in line[4]) >= 8
        and len(" ".join(line[4] for line in run)) <= 160
    ]
    return [line[4] for line in max(titles, key=weight)] if titles else None


def title_first(text: str, title: list[str]) -> str:
    """``text`` (a first page's reading) with the ``title`` lines, where they stand in it one after the
    other (blank lines between), set first, a paragraph of their own (the title the document then
    takes whole: see :func:`.metadata.detect_metadata`; each line as printed, so a running header that
    repeats the title does not take the cover's lines with it); what a row holds beside a title line
    (a logo's word) stays in its place. ``text`` as it was where the lines are not found."""
    lines = text.split("\n")

    def beside(line: str, want: str) -> str | None:  # the rest of a row holding a title line
        line = line.strip()
        if line == want:
            return ""
        if line.startswith(want + " "):
            return line[len(want) + 1 :]
        return line[: -len(want) - 1] if line.endswith(" " + want) else None

    for start, line in enumerate(lines):
        if beside(line, title[0]) is None:
            continue
        at, k = [start], start + 1
        for want in title[1:]:
            while k < len(lines) and not lines[k].strip():
                k += 1
            if k >= len(lines) or beside(lines[k], want) is None:
                break
            at.append(k)
            k += 1
        if len(at) == len(title):
            rest = [r for k, want in zip(at, title) if (r := beside(lines[k], want))]
            body = "\n".join([*lines[:start], *rest, *lines[at[-1] + 1 :]]).strip("\n")
            return "\n".join(title) + ("\n\n" + body if body else "")
    return text
