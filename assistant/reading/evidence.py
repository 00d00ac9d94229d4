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
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from .isolation import worker

WIDTH = 820  # pixels: the sources panel, at about 1.4x for a sharp image
MARGIN = 110  # PDF points kept above and below the highlighted lines
_WORD = re.compile(r"[a-z0-9£%]+(?:[.,][0-9]+)*")


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
) -> Path:
    """The highlighted image of ``page`` (1-based) of ``pdf``, rendered once in the PDF worker, then cached;
    ``scanned``: the page was read by OCR, whose words are found on its image again."""
    _owner_only_folder(folder)
    out = folder / cache_name(doc_id, page, passage, marks)
    if not out.exists():
        tmp = out.with_suffix(".tmp")
        # at full priority, apart from parsing: an ingest of a large PDF does not hold up the page images
        worker(memory_mb, nice=0).run(render, str(pdf), page, passage, marks, str(tmp), scanned, timeout=timeout)
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


def render(pdf: str, page: int, passage: str, marks: list[str], out: str, scanned: bool = False) -> dict[str, Any]:
    """Draw the page with the passage's lines highlighted and ``marks`` outlined; crop to them; save a PNG.
    The words are the text layer's (pdfplumber), or for a ``scanned`` page OCR's reading of its image."""
    import pdfplumber
    import pypdfium2
    from PIL import Image, ImageDraw

    with pdfplumber.open(pdf) as doc:
        p = doc.pages[page - 1]
        width, height = float(p.width), float(p.height)
        words = [] if scanned else p.extract_words(keep_blank_chars=False, use_text_flow=True)
    if scanned:
        from .ocr import page_words

        words = page_words(pdf, page - 1)
    found = locate(words, passage)
    spans = lines(found)
    marked = [
        w for w in (found or words) if any(_tokens(m) and _tokens(w["text"])[:1] == _tokens(m)[:1] for m in marks)
    ]
    scale = WIDTH / width
    pdfium = pypdfium2.PdfDocument(pdf)
    try:
        image = pdfium[page - 1].render(scale=scale).to_pil().convert("RGB")
    finally:
        pdfium.close()
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for x0, top, x1, bottom in spans:
        draw.rectangle([x0 * scale - 2, top * scale - 2, x1 * scale + 2, bottom * scale + 2], fill=(255, 214, 0, 90))
    for w in marked:
        box = [w["x0"] * scale - 3, w["top"] * scale - 3, w["x1"] * scale + 3, w["bottom"] * scale + 3]
        draw.rectangle(box, outline=(214, 40, 40, 255), width=3)
    image = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
    if spans:
        top = max(0.0, min(s[1] for s in spans) - MARGIN)
        bottom = min(height, max(s[3] for s in spans) + MARGIN)
        image = image.crop((0, int(top * scale), image.width, int(bottom * scale)))
    image.save(out, format="PNG", optimize=True)
    return {"lines": len(spans), "marked": len(marked), "found": bool(spans)}
