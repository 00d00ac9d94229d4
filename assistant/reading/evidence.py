"""Evidence you can see: the cited PDF page as an image, the passage highlighted on it and the
answer's figures outlined, so an officer checks a figure without hunting through the PDF.

Word positions come from pdfplumber (pdfminer.six) and the page image from pypdfium2, both
in the isolated PDF worker (time and memory limits, as for ingest). The passage is found on
the page by aligning its words with the page's words in reading order, so a passage the reader
cleaned (joined hyphens, a table row written out with its headers) still lands on its words.
Images are cached by report content, page, passage and marks; a report's images go with it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from .isolation import worker
from .layout import word_lines

WIDTH = 820  # pixels: the sources panel, at about 1.4x for a sharp image
MARGIN = 110  # PDF points kept above and below the highlighted lines
_WORD = re.compile(r"[a-z0-9£%]+(?:[.,][0-9]+)*")
_YEAR = re.compile(r"(?:19|20)\d\d")


def cache_name(doc_id: str, page: int, passage: str, marks: list[str]) -> str:
    """The cached image's file name: the report's content id first, so its images can be removed with it."""
    digest = hashlib.sha256("\x1f".join([passage, *marks]).encode("utf-8")).hexdigest()[:20]
    return f"{doc_id}-p{page}-{digest}.png"


def remove_cached(folder: Path, doc_id: str) -> None:
    """Delete every cached image of one report."""
    for path in folder.glob(f"{doc_id}-p*.png"):
        path.unlink(missing_ok=True)


def page_image(
    pdf: Path,
    page: int,
    passage: str,
    marks: list[str],
    folder: Path,
    doc_id: str,
    memory_mb: int,
    timeout: float,
    scanned: bool = False,
    last_page: int | None = None,
) -> Path:
    """The highlighted image of ``page`` (1-based) of ``pdf``, rendered once in the PDF worker, then cached;
    ``scanned``: the page was read by OCR, whose words are found on its image again; ``last_page``: the
    passage's last page, shown instead when it, not ``page``, prints a mark."""
    _owner_only_folder(folder)
    out = folder / cache_name(doc_id, page, passage, marks)
    if not out.exists():
        tmp = out.with_suffix(".tmp")
        # at full priority, apart from parsing: an ingest of a large PDF does not hold up the page images
        worker(memory_mb, nice=0).run(
            render, str(pdf), page, passage, marks, str(tmp), scanned, last_page, timeout=timeout
        )
        os.chmod(tmp, 0o600)  # a restricted page: owner-only before it has its name
        tmp.replace(out)  # whole images only: a reader never sees half a file
    return out


def _owner_only_folder(folder: Path) -> None:
    """The image folder, created 0700, or made so if this user owns it."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = os.stat(folder)
    if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(folder, 0o700)


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u00ad", ""))


def locate(words: list[dict[str, Any]], passage: str) -> list[dict[str, Any]]:
    """The page words that carry ``passage``: runs of its words found in the page's reading order."""
    page_tokens = [(_tokens(w["text"]) or [""])[0] for w in words]
    wanted = _tokens(passage)
    if not wanted:
        return []
    matcher = SequenceMatcher(None, page_tokens, wanted, autojunk=False)
    hits: list[dict[str, Any]] = []
    for block in matcher.get_matching_blocks():
        # A lone common word elsewhere on the page is not the passage; a lone figure (a table cell) is.
        lone_figure = block.size == 1 and len(wanted[block.b]) >= 3 and any(c.isdigit() for c in wanted[block.b])
        if block.size >= 2 or lone_figure or (block.size and len(wanted) <= 3):
            hits += words[block.a : block.a + block.size]
    return hits


def lines(boxes: list[dict[str, Any]]) -> list[tuple[float, float, float, float]]:
    """Word boxes merged into one rectangle per line (x0, top, x1, bottom)."""
    merged: list[list[float]] = []
    for w in sorted(boxes, key=lambda w: (round(w["top"]), w["x0"])):
        last = merged[-1] if merged else None
        if last and abs(w["top"] - last[1]) < 3 and w["x0"] - last[2] < 90:  # table cells: one band a row
            last[2], last[3] = max(last[2], w["x1"]), max(last[3], w["bottom"])
        else:
            merged.append([w["x0"], w["top"], w["x1"], w["bottom"]])
    return [tuple(m) for m in merged]  # type: ignore[misc]


def _first(word: dict[str, Any]) -> str:
    """A page word's first token, its currency sign dropped (the answer writes "£9,123,757", a table "9,123,757")."""
    return (_tokens(word["text"]) or [""])[0].lstrip("£")


def _mark_tokens(marks: list[str]) -> set[str]:
    return {t[0].lstrip("£") for t in (_tokens(m) for m in marks) if t}


def table_row(words: list[dict[str, Any]], passage: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """For a table row written out with its headers ("Caption | Total | Budget 9,123,757 | …"): the
    printed line carrying its figures, and the nearest line above carrying its column headers.
    ([], []) for other passages, or when no line holds the row's figures.

    Aligning such a passage word by word can spend its header words on the header line and miss
    the row's own cells; the figures find the row."""
    cells = passage.split(" | ")
    if len(cells) < 3:
        return [], []
    tokens = [t.lstrip("£") for t in _tokens(passage)]
    figures = Counter(t for t in tokens if any(c.isdigit() for c in t) and len(t) >= 2)
    if not figures:
        return [], []
    text_words = {t for t in tokens if not any(c.isdigit() for c in t) and len(t) >= 2}
    lines_ = word_lines(words)

    def held(line: list[dict[str, Any]]) -> tuple[int, int]:
        seen = [_first(w) for w in line]
        return sum((figures & Counter(seen)).values()), len(text_words & set(seen))

    scored = [(held(line), i) for i, line in enumerate(lines_)]
    (figs, named), at = max(scored, key=lambda s: (s[0][0], s[0][1], -s[1]))
    if figs < min(2, sum(figures.values())) or (figs == 1 and not named):
        return [], []
    row = lines_[at]
    on_row = {_first(w) for w in row}
    headers = text_words - on_row
    # a column header may be a period ("2017/18") the row's own figures do not hold
    periods = {t for t in tokens if _YEAR.fullmatch(t)} - on_row
    need = max(2, (len(headers) + 1) // 2) if len(headers) >= 2 else 1
    for n in range(at - 1, -1, -1):
        if _heads(lines_[n], headers, periods, need):
            # the header's other lines just above it ("No. of / controls / tested" set on three lines)
            block = lines_[n]
            for above in reversed(lines_[max(0, n - 3) : n]):
                if above[0]["bottom"] < block[0]["top"] - 1.5 * (block[0]["bottom"] - block[0]["top"]) - 2:
                    break
                if not _heads(above, headers, periods, 0):
                    break
                block = above + block
            return row, block
    return row, []


def _heads(line: list[dict[str, Any]], headers: set[str], periods: set[str], need: int) -> bool:
    """Whether a printed line is (part of) a table row's column headers: it holds ``need`` of them, or
    two or more of its own words (or periods) are headers and they are at least half of its words
    (``need`` 0: a header's further line, one such word is enough)."""
    own = {_first(w) for w in line}
    if need and headers and len(headers & own) >= need:
        return True
    longer = {t for t in own if len(t) >= 3}
    named = (headers | periods) & longer
    return len(named) >= min(2, need or 1) and len(named) >= 0.5 * len(longer)


def _holds_mark(words: list[dict[str, Any]], marks: list[str]) -> bool:
    wanted = _mark_tokens(marks)
    return any(_first(w) in wanted for w in words)


def render(
    pdf: str, page: int, passage: str, marks: list[str], out: str, scanned: bool = False, last_page: int | None = None
) -> dict[str, Any]:
    """Draw the page with the passage's lines highlighted and ``marks`` outlined; crop to them (with a
    table row's column headers); save a PNG. The words are the text layer's (pdfplumber), or for a
    ``scanned`` page OCR's reading of its image. A passage running on to ``last_page`` is shown on
    the first of its pages that prints a mark (the answer's figure), else on ``page``."""
    import pdfplumber
    import pypdfium2
    from PIL import Image, ImageDraw

    with pdfplumber.open(pdf) as doc:
        last = min(max(last_page or page, page), len(doc.pages), page + 2)
        shown, words = page, _page_words(doc, pdf, page, scanned)
        found, header = _found(words, passage)
        if marks and not _holds_mark(found or words, marks):
            for later in range(page + 1, last + 1):
                more = _page_words(doc, pdf, later, scanned)
                there, above = _found(more, passage)
                if _holds_mark(there, marks):
                    shown, words, found, header = later, more, there, above
                    break
        width, height = float(doc.pages[shown - 1].width), float(doc.pages[shown - 1].height)
    spans = lines(found)
    wanted = _mark_tokens(marks)
    marked = [w for w in (found or words) if _first(w) in wanted]
    scale = WIDTH / width
    pdfium = pypdfium2.PdfDocument(pdf)
    try:
        image = pdfium[shown - 1].render(scale=scale).to_pil().convert("RGB")
    finally:
        pdfium.close()
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for x0, top, x1, bottom in lines(header):  # the columns' names, tinted apart from the passage
        draw.rectangle([x0 * scale - 2, top * scale - 2, x1 * scale + 2, bottom * scale + 2], fill=(90, 150, 255, 45))
    for x0, top, x1, bottom in spans:
        draw.rectangle([x0 * scale - 2, top * scale - 2, x1 * scale + 2, bottom * scale + 2], fill=(255, 214, 0, 90))
    for w in marked:
        box = [w["x0"] * scale - 3, w["top"] * scale - 3, w["x1"] * scale + 3, w["bottom"] * scale + 3]
        draw.rectangle(box, outline=(214, 40, 40, 255), width=3)
    image = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
    if spans:
        kept = spans + lines(header)
        top = max(0.0, min(s[1] for s in kept) - MARGIN)
        bottom = min(height, max(s[3] for s in kept) + MARGIN)
        image = image.crop((0, int(top * scale), image.width, int(bottom * scale)))
    image.save(out, format="PNG", optimize=True)
    return {"lines": len(spans), "marked": len(marked), "found": bool(spans), "page": shown, "header": bool(header)}


def _found(words: list[dict[str, Any]], passage: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The page words carrying ``passage`` (a table row's printed line, else its aligned runs) and
    a table row's column-header line."""
    row, header = table_row(words, passage)
    return row or locate(words, passage), header


def _page_words(doc: Any, pdf: str, page: int, scanned: bool) -> list[dict[str, Any]]:
    """One page's words with their boxes: the text layer's, or OCR's for a ``scanned`` page."""
    if scanned:
        from .ocr import page_words

        return page_words(pdf, page - 1)
    return doc.pages[page - 1].extract_words(keep_blank_chars=False, use_text_flow=True)
