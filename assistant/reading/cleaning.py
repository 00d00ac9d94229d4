"""Text clean-up before chunking: markup, running headers/footers, PDF line-wrap repair."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from ..documents import Page

_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")
_STRIKE = re.compile(r"~~.*?~~")
_BOLD = re.compile(r"\*\*|__")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\ufeff\u00ad]")
_LIGATURE = re.compile(r"[\ufb00-\ufb06]")  # ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ: one glyph a typesetter drew for two or three letters
_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.I)
_ZONE = 4  # lines at the top and bottom of a page that may be running headers/footers


def clean_line(line: str) -> str:
    """Remove inline markup (HTML tags, bold, struck-out text), spell ligatures out and normalise spacing."""
    line = unicodedata.normalize("NFC", line)
    line = _LIGATURE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), line)
    line = _ZERO_WIDTH.sub("", line)
    line = _STRIKE.sub("", line)
    line = _TAG.sub("", line)
    line = _BOLD.sub("", line)
    line = _ESCAPE.sub(r"\1", line)
    line = line.replace("\t", "\x1f")  # keep tabs (table cells) through space folding
    line = _SPACES.sub(" ", line).replace("\x1f", "\t")
    return line.rstrip()


def clean_pages(pages: list[Page]) -> list[Page]:
    """Clean every page; for multi-page PDFs also drop running headers, footers and page numbers."""
    cleaned = []
    for page in pages:
        lines = [clean_line(l) for l in page.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        if page.number is not None:
            lines = merge_vertical_text(lines)
        cleaned.append(Page(page.number, "\n".join(lines), [clean_line(n) for n in page.notes], page.ocr))
    if sum(1 for p in cleaned if p.number is not None) >= 3:
        cleaned = remove_running_lines(cleaned)
    return cleaned


def merge_vertical_text(lines: list[str]) -> list[str]:
    """Join runs of one-character lines (text set vertically in a narrow table column)."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len([c for c in run if c.strip()]) >= 4:
            out.append("".join(c if c.strip() else " " for c in run).strip())
        else:
            out.extend(run)
        run.clear()

    for line in lines:
        if len(line.strip()) <= 1 and (line.strip() or run):
            run.append(line.strip() or " ")
        else:
            flush()
            out.append(line)
    flush()
    return out


def _norm(line: str) -> str:
    """Comparison key: case and spacing folded; digits folded in page furniture ("Page 3 of 19")."""
    key = " ".join(line.lower().split())
    return re.sub(r"\d+", "#", key) if re.search(r"\bpage\b", key) or len(key.split()) <= 2 else key


def _zone_indices(lines: list[str]) -> list[int]:
    idx = [i for i, l in enumerate(lines) if l.strip()]
    return sorted(set(idx[:_ZONE] + idx[-_ZONE:]))


def _numbered(line: str) -> tuple[str, str] | None:
    """(the text, the number) of a running line that carries its page number at either end
    ("Mental Health Commission: Citizens Jury 21", "14 | Annual Report of the Commissioner"), else None."""
    m = re.match(r"^\s*(\d{1,4})\s*[|·•–-]?\s+(\D.*?)\s*$|^\s*(.*\S)\s*[|·•–-]?\s+(\d{1,4})\s*$", line)
    if not m:
        return None
    text, number = (m.group(2), m.group(1)) if m.group(1) else (m.group(3), m.group(4))
    text = text.strip(" |·•–-")
    return (" ".join(text.lower().split()), number) if len(text.split()) >= 3 else None


def _page_furniture(split: list[list[str]], numbers: list[int | None]) -> dict[str, int | None]:
    """The texts of running lines numbered with their page (at the top or bottom of at least half the
    pages, and three, each time with another number), with the printed number's offset from the PDF
    page when most of them agree (None when they do not)."""
    printed: dict[str, list[tuple[str, int | None]]] = {}
    for lines, page in zip(split, numbers):
        for key in {k for k in (_numbered(lines[i]) for i in _zone_indices(lines)) if k}:
            printed.setdefault(key[0], []).append((key[1], page))
    out: dict[str, int | None] = {}
    for text, seen in printed.items():
        c = len(seen)
        if c >= 3 and c * 2 >= len(split) and len({n for n, _ in seen}) * 5 >= c * 4:
            offsets = Counter(int(n) - page for n, page in seen if page is not None)
            common = offsets.most_common(1)
            out[text] = common[0][0] if common and common[0][1] * 5 >= c * 3 else None
    return out


def _strip_furniture(line: str, furniture: dict[str, int | None], page: int | None) -> str | None:
    """``line`` without a numbered running header that starts it (a two-column page's reading joins
    the header to the text beside it), when its number is this page's; None when the line is nothing else."""
    whole = _numbered(line)
    if whole and whole[0] in furniture:
        return None
    folded = " ".join(line.split())
    for text, offset in furniture.items():
        m = re.match(rf"{re.escape(text)}\s*[|·•–-]?\s*(\d{{1,4}})\s+(?=\S)", folded, re.I)
        if m and offset is not None and page is not None and int(m.group(1)) - page == offset:
            return folded[m.end() :]
    return line


def remove_running_lines(pages: list[Page]) -> list[Page]:
    """Drop lines repeated at the top or bottom of several pages.

    A line in the header/footer zone of at least half the pages is dropped everywhere;
    one repeated on 3+ pages (a letterhead on the first pages, a table header repeated
    on each page of a long table, however many) is kept once, at its first occurrence. Bare page
    numbers in the zone are always dropped, and so is a running header or footer that carries its
    page number ("Citizens Jury 21"), also where the reading joined it to the text beside it.
    """
    split = [p.text.split("\n") for p in pages]
    counts: Counter[str] = Counter()
    for lines in split:
        counts.update({_norm(lines[i]) for i in _zone_indices(lines)})
    n = len(pages)
    furniture = _page_furniture(split, [p.number for p in pages])
    seen: set[str] = set()
    result = []
    for page, lines in zip(pages, split):
        zone = set(_zone_indices(lines))
        kept = []
        for i, line in enumerate(lines):
            if i in zone:
                key = _norm(line)
                if _PAGE_NUMBER.match(line.strip()):
                    continue
                if len(key) > 1 and counts[key] >= 3:
                    # a table's header row repeated on every page is kept once, at the table's start
                    if key in seen or counts[key] * 2 >= n and not line.lstrip().startswith("|"):
                        continue
                    seen.add(key)
                if furniture:
                    stripped = _strip_furniture(line, furniture, page.number)
                    if stripped is None:
                        continue
                    line = stripped
            kept.append(line)
        result.append(Page(page.number, "\n".join(kept), page.notes, page.ocr))
    return result


@lru_cache(maxsize=1)
def _zipf():
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a declared dependency
        return None
    return zipf_frequency


def normalise(text: str) -> str:
    """Case, spacing and punctuation folded away: letters and digits only (to compare texts as read)."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def known_word(word: str, threshold: float) -> bool:
    """Whether ``word`` (its punctuation aside) is an English word at least this common (wordfreq's Zipf scale)."""
    zipf = _zipf()
    w = word.strip(".,;:()'\"’‘“”").lower()
    if not w.isalpha():
        return False
    if len(w) == 1:
        return w in ("a", "i")
    return zipf is not None and zipf(w, "en") >= threshold


def join_wrapped(lines: list[str]) -> str:
    """Join hard-wrapped lines into one passage, repairing words split across lines.

    ``Communica`` + ``tion`` becomes ``Communication`` when the joined word is an
    English word and one of the parts is not; ``multi-`` + ``agency`` keeps its hyphen.
    """
    out = ""
    for line in (l.strip() for l in lines):
        if not line:
            continue
        if not out:
            out = line
            continue
        head = out.rsplit(" ", 1)[-1]
        tail = line.split(" ", 1)[0]
        joined = head + tail
        if re.search(r"\d{2,4}/\d$", head) and re.match(r"^\d\b", tail):
            out += line  # a year range wrapped in a narrow column: 2017/1 + 8
        elif head.endswith("-") and len(head) > 2 and known_word(head[:-1] + tail, 3.0) and not known_word(tail, 3.0):
            out = out[:-1] + line
        elif (
            head[-1:].isalpha()
            and tail[:1].isalpha()
            and (tail[:1].islower() or (head.isupper() and tail.isupper()))
            and known_word(joined, 2.5)
            and not (known_word(head, 2.0) and known_word(tail, 2.0))
        ):
            out += line
        else:
            out += " " + line
    return out
