"""Tables and forms a PDF prints as running text ("flowed"), read back as rows and fields.

Some converters draw a table's cells one after another as wrapped lines of text, so a page's words
carry no columns: "Workstream 2016/17 2017/18 £000 £000 1. Network Design 25 90 2. Wireless Review
10 10 …". Such a table is found by measured signals: rows numbered 1., 2., 3. … in sequence, most
of them ending in the same number of figures, after a header holding period or unit tokens (2016/17,
£000); a total row may close it. It is written back as ``| cell | cell |`` rows with its header rows
(what :mod:`~assistant.reading.tables` reads). A row with fewer figures than columns keeps its figures
in its label cell (their columns are not known). A header and rows not numbered ("Capital 2350 3653
6003 Revenue 500 1176 1676") are read when one header row names as many columns as most rows hold.

A form printed as running text ("Report to: Board Date of Meeting: May 2017 Report of: …"), three or
more ``Label:`` fields of one to four title-case words, two of them starting inside a line, is split
into one ``Label: value`` line a field (what the chunker and the answerer read as fields).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

from ..documents import Page
from .cleaning import known_word
from .stacking import rows_text

log = logging.getLogger(__name__)

_FIGURE = re.compile(r"^[(\-–]?[£$€]?-?\d[\d,]*(\.\d+)?%?\)?$|^[-–—]$")
_PERIOD = re.compile(r"^(19|20)\d{2}$|^(19|20)?\d{2}/(19|20)?\d{2}$|^(19|20)\d{2}[-–](19|20)?\d{2}$")
_UNIT = re.compile(r"^\(?([£$€](000|m|k|bn)?s?|%|(£|GBP)?000s|£000s?)\)?$", re.I)
_LEAD_NUMBER = re.compile(r"^(\d{1,2}(\.\d{1,2})*\.?|\(?[a-z]\)|[•·▪◆*-])$")
_TOTAL = re.compile(r"total", re.I)
_BULLETS = {"•", "·", "▪", "◆", "*", "-", "–", "o", "➢", "§"}
_JOINERS = {"of", "to", "and", "for", "by", "from", "in", "on", "the", "&", "/", "per", "vs"}
MAX_LABEL = 14  # words in a numbered row's label
MAX_UNNUMBERED_LABEL = 6  # words in an unnumbered row's label
ROW_REACH = 40  # tokens a row may span before the next row's number
HEADER_LINES = 4  # lines above the first row a header may take
MAX_VALUE = 16  # tokens in one form field's value


@dataclass
class _Token:
    text: str
    start: int
    end: int
    line: int
    first: bool  # the first token of its line
    structured: bool = False  # on a line already set as cells ("| a | b |", tab-separated)


def _tokens(text: str) -> list[_Token]:
    """The page's words with their offsets and lines; a word hyphenated over a line end is joined ("Re-" "defining")."""
    out: list[_Token] = []
    pos = 0
    for line, raw in enumerate(text.split("\n")):
        first = True
        structured = raw.lstrip().startswith("|") or "\t" in raw.strip()
        for m in re.finditer(r"\S+", raw):
            tok = _Token(m.group(), pos + m.start(), pos + m.end(), line, first, structured)
            prev = out[-1] if out else None
            if (
                first
                and prev is not None
                and prev.line == line - 1
                and re.search(r"[A-Za-z]-$", prev.text)
                and tok.text[:1].islower()
            ):
                prev.text += tok.text
                prev.end = tok.end
            else:
                out.append(tok)
            first = False
        pos += len(raw) + 1
    return out


def _inside(toks: list[_Token], i: int) -> bool:
    """Whether token ``i`` starts inside a line (not first, nor after a lone bullet): text run on."""
    return not toks[i].first and not (toks[i - 1].first and _bullet(toks[i - 1].text))


def _bullet(t: str) -> bool:
    return t in _BULLETS or len(t) == 1 and not t.isalnum()


def _flowed(toks: list[_Token], firsts: list[int]) -> bool:
    """Whether rows starting at tokens ``firsts`` were printed as running text: a quarter of them, and
    two or more, start inside a line (a table printed as lines has each row start one)."""
    inside = sum(_inside(toks, i) for i in firsts)
    return inside >= max(2, len(firsts) // 4)


def _figure(t: str) -> bool:
    return bool(_FIGURE.match(t))


def _period_or_unit(t: str) -> bool:
    return bool(_PERIOD.match(t) or _UNIT.match(t))


def _header_word(t: str) -> bool:
    """A token a table's header may hold: a period, a unit, a capitalised word, a joining word."""
    if _period_or_unit(t) or t.lower() in _JOINERS:
        return True
    return t[:1].isupper() and not t.endswith((".", ":", ";", ",")) or t[:1] in "(&"


@dataclass
class _Table:
    start: int  # first token (of the header)
    end: int  # past the last token
    header: list[list[str]]  # header rows, each [label header, cell …] of width + 1
    rows: list[list[str]]


def _split_row(words: list[str], width: int | None) -> tuple[str, list[str]]:
    """A row's tokens as (label, figures): its figures are the run at its end; a figure more than
    ``width`` at the front of that run goes with the label ("Windows 10" then 2 figures)."""
    k = len(words)
    while k > 0 and _figure(words[k - 1]):
        k -= 1
    figures = words[k:]
    if width is not None and len(figures) > width:
        k += len(figures) - width
        figures = words[k:]
    return " ".join(words[:k]), figures


def _label_ok(label: str, most: int) -> bool:
    words = label.split()
    return (
        1 <= len(words) <= most
        and not any(w.endswith((".", ";", ":", "?", "!")) for w in words[:-1])
        and not (words[-1].endswith((";", ":", "?", "!")))
    )


def _header_start(toks: list[_Token], first_row: int) -> int:
    """Where the header above the first row starts: the header tokens before it on its line, and the
    whole lines above made of header tokens (at most HEADER_LINES, none starting with a paragraph number)."""
    i = first_row
    line = toks[first_row].line
    while i > 0 and toks[i - 1].line == line and _header_word(toks[i - 1].text):
        i -= 1
    if i > 0 and toks[i - 1].line == line:
        return i  # the header starts inside the line (after a sentence)
    while i > 0 and toks[i - 1].line >= toks[first_row].line - HEADER_LINES:
        above = toks[i - 1].line
        j = i
        while j > 0 and toks[j - 1].line == above:
            j -= 1
        words = [t.text for t in toks[j:i]]
        if _LEAD_NUMBER.match(words[0]) or not all(_header_word(w) for w in words):
            break
        i = j
    return i


def _header_rows(words: list[str], width: int) -> list[list[str]]:
    """Header tokens as rows of ``width`` cells under a label header: a row ends when full, before a
    unit after other tokens (units are a row of their own) and before a period after words only."""
    f = next((k for k, w in enumerate(words) if _period_or_unit(w)), len(words))
    if f > 1 and len(words) - f <= width:
        label, rest = " ".join(words[:f]), words[f:]  # "Project Requirements" over the labels
    elif f >= 1:
        label, rest = words[0], words[1:]
    else:
        label, rest = "", words
    rows: list[list[str]] = []
    cur: list[str] = []
    for w in rest:
        unit, period = bool(_UNIT.match(w)), bool(_PERIOD.match(w))
        if cur and (
            len(cur) == width
            or unit
            and not all(_UNIT.match(c) for c in cur)
            or period
            and not any(_period_or_unit(c) for c in cur)
        ):
            rows.append(cur)
            cur = []
        cur.append(w)
    if cur:
        rows.append(cur)
    out = [[label if k == 0 else ""] + r + [""] * (width - len(r)) for k, r in enumerate(rows)]
    return out or [[label] + [""] * width]


def _cells(label: str, figures: list[str], width: int) -> list[str]:
    if len(figures) == width or not figures:
        return [label] + figures + [""] * (width - len(figures))
    return [" ".join([label, *figures])] + [""] * width  # columns unknown: the figures stay with their label


def _numbered(toks: list[_Token], a: int) -> _Table | None:
    """The table whose row 1 is numbered at token ``a`` ("1."), if the signals hold."""
    starts = [a]
    while True:
        want = f"{len(starts) + 1}."
        nxt = next(
            (m for m in range(starts[-1] + 1, min(len(toks), starts[-1] + ROW_REACH)) if toks[m].text == want), None
        )
        if nxt is None:
            break
        starts.append(nxt)
    parsed: list[list[str]] = []  # the tokens of each row but the last, after its number
    for s, e in zip(starts, starts[1:]):
        words = [t.text for t in toks[s + 1 : e]]
        if not _label_ok(_split_row(words, None)[0], MAX_LABEL):
            break
        parsed.append(words)
    counts = Counter(n for n in (len(_split_row(w, None)[1]) for w in parsed) if n >= 2)
    if not counts:
        return None
    width, seen = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if seen < 2:
        return None
    rows = []
    for k, words in enumerate(parsed):
        label, figures = _split_row(words, width)
        rows.append(_cells(f"{k + 1}. {label}", figures, width))
    end = starts[len(parsed)] if len(parsed) < len(starts) else None
    if len(parsed) == len(starts) - 1:  # the last numbered row: its label, then up to ``width`` figures
        last = starts[-1]
        i = last + 1
        while i < len(toks) and i - last <= MAX_LABEL and not _figure(toks[i].text):
            i += 1
        label = " ".join(t.text for t in toks[last + 1 : i])
        j = i
        while j < len(toks) and j - i < width and _figure(toks[j].text):
            j += 1
        cut = j < i + width and j == len(toks)  # the row goes on over the page break: left as printed
        if j > i and _label_ok(label, MAX_LABEL) and not cut:
            rows.append(_cells(f"{len(starts)}. {label}", [t.text for t in toks[i:j]], width))
            end = j
            total = _total_row(toks, j, width)
            if total is not None:
                rows.append(total[0])
                end = total[1]
        else:
            end = last
    if end is None or len(rows) < 3 or sum(len([c for c in r[1:] if c]) == width for r in rows) < 2:
        return None
    start = _header_start(toks, a)
    header = [t.text for t in toks[start:a]]
    if not any(_period_or_unit(w) for w in header):
        return None
    if not _flowed(toks, starts[: len(rows)]):
        return None
    return _Table(start, end, _header_rows(header, width), rows)


def _total_row(toks: list[_Token], i: int, width: int) -> tuple[list[str], int] | None:
    """A total row at token ``i``: a short label naming a total, then ``width`` figures."""
    j = i
    while j < len(toks) and j - i < 4 and not _figure(toks[j].text):
        j += 1
    label = " ".join(t.text for t in toks[i:j])
    if j == i or not _TOTAL.search(label) or not _label_ok(label, 4):
        return None
    figures = [t.text for t in toks[j : j + width]]
    if len(figures) < width or not all(_figure(f) for f in figures):
        return None
    return [label, *figures], j + width


def _unnumbered(toks: list[_Token], h: int) -> _Table | None:
    """A table whose header starts at token ``h`` (the first of a line) and whose rows are not numbered:
    a label header, one header row of ``width`` cells holding two or more periods, then rows of a
    short label and figures, most of them ``width``."""
    k = h
    while k < len(toks) and (not _figure(toks[k].text) or _PERIOD.match(toks[k].text)) and _header_word(toks[k].text):
        k += 1
    words = [t.text for t in toks[h:k]]
    periods = [n for n, w in enumerate(words) if _PERIOD.match(w)]
    if len(periods) < 2 or k >= len(toks) or not _figure(toks[k].text):
        return None
    # rows: (label tokens, figure tokens) runs
    runs: list[tuple[int, int, int]] = []  # label start, figures start, figures end
    i = k
    label_start = None
    while i < len(toks):
        j = i
        while j < len(toks) and _figure(toks[j].text):
            j += 1
        runs.append((label_start if label_start is not None else -1, i, j))
        label_start = j
        while j < len(toks) and not _figure(toks[j].text) and j - label_start <= MAX_UNNUMBERED_LABEL:
            j += 1
        if j >= len(toks) or j == label_start or not _figure(toks[j].text) or not toks[label_start].text[:1].isupper():
            break
        if not _label_ok(" ".join(t.text for t in toks[label_start:j]), MAX_UNNUMBERED_LABEL):
            break
        i = j
    counts = Counter(e - s for _, s, e in runs if e - s >= 2)
    if not counts:
        return None
    width, seen = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if seen < 3 or width < 2:
        return None
    # the header row: the label header, then ``width`` cells; what is left over names the first row
    after = len(words) - periods[0]
    cells_from = periods[0] if after >= width else None
    if cells_from is None:
        return None
    first_label = words[cells_from + width :]
    units = 0
    while units < min(width, len(first_label)) and _UNIT.match(first_label[units]):
        units += 1  # a row of units under the header's
    first_label = first_label[units:]
    header = _header_rows(words[: cells_from + width + units], width)
    if len(header) != 1 + (units > 0) or not first_label or not _label_ok(" ".join(first_label), MAX_UNNUMBERED_LABEL):
        return None
    rows = []
    for n, (ls, s, e) in enumerate(runs):
        label = " ".join(first_label) if n == 0 else " ".join(t.text for t in toks[ls:s])
        figures = [t.text for t in toks[s:e]]
        if n + 1 < len(runs) and len(figures) > width:  # figures more than the columns: the first go with the label
            label, figures = " ".join([label, *figures[: len(figures) - width]]), figures[-width:]
        rows.append(_cells(label, figures[:width], width))
    end = min(runs[-1][2], runs[-1][1] + width)
    if runs[-1][2] - runs[-1][1] < width and end == len(toks):
        return None  # the table goes on over the page break, where no header names its columns: left as printed
    if not _flowed(toks, [h + cells_from + width] + [ls for ls, _, _ in runs[1:]]):
        return None
    return _Table(h, end, header, rows)


def find_tables(toks: list[_Token]) -> list[_Table]:
    """The flowed tables among a page's tokens, in order."""
    found: list[_Table] = []
    i = 0
    while i < len(toks):
        table = None
        if toks[i].structured:
            pass
        elif toks[i].text == "1.":
            table = _numbered(toks, i)
        elif toks[i].first and (not found or i >= found[-1].end):
            table = _unnumbered(toks, i)
        if table is not None and (not found or table.start >= found[-1].end):
            found.append(table)
            i = table.end
        else:
            i += 1
    return found


# --- forms -----------------------------------------------------------------------------------


def _capitalised(t: str) -> bool:
    """A word in title case ("Report", "E-mail"); not one in capitals ("OFFICER", set as a heading)."""
    return t[:1].isupper() and not (len(t) > 1 and t.isupper()) and bool(re.fullmatch(r"[A-Za-z][A-Za-z'’/&-]*", t))


def _label_at(toks: list[_Token], c: int, starts: set[str]) -> int | None:
    """The first token of the ``Label:`` ending at token ``c``, or None if it is none: one to four
    title-case words ("Date of Meeting", "Report to"). A lone word takes the capitalised word before it
    when that is a common word (not a name) and it follows the value's end ("…uk Other Contacts:") or
    opens another label of the page ("Report")."""
    stem = toks[c].text[:-1]
    if len(stem) < 2 or toks[c].text.endswith("::"):
        return None
    first = c
    if stem.lower() in _JOINERS and stem.islower():
        if c == 0 or not _capitalised(toks[c - 1].text):
            return None
        first = c - 1
    elif not _capitalised(stem):
        return None
    while first >= 2 and c - first + 3 <= 4 and toks[first - 1].text in _JOINERS and _capitalised(toks[first - 2].text):
        first -= 2
    if first == c and first >= 1 and _capitalised(toks[first - 1].text) and known_word(toks[first - 1].text, 4.0):
        before = toks[first - 2].text if first >= 2 else ""
        if not _capitalised(before) or toks[first - 1].text.lower() in starts:
            first -= 1  # a common word (not a name) after the value's end, or one that opens other labels
    return first


def _form_lines(toks: list[_Token]) -> list[tuple[int, int, list[str]]]:
    """Forms printed as running text: (first token, past the last, "Label: value" lines)."""
    colons = [c for c, t in enumerate(toks) if t.text.endswith(":") and len(t.text) > 1 and not t.structured]
    heads = {c: _label_at(toks, c, set()) for c in colons}
    starts = {toks[f].text.lower() for f in heads.values() if f is not None and f < len(toks)}
    labels = [(f, c) for c in colons if (f := _label_at(toks, c, starts)) is not None]
    out: list[tuple[int, int, list[str]]] = []
    chain: list[tuple[int, int]] = []

    def close(until: int) -> None:
        ends = [f for f, _ in chain[1:]] + [until]
        filled = sum(c + 1 < e for (_, c), e in zip(chain, ends))
        inside = sum(_inside(toks, f) for f, _ in chain)  # labels starting inside a line: printed as running text
        if len(chain) >= 3 and filled >= 3 and inside >= max(2, len(chain) / 2):
            lines = [" ".join(t.text for t in toks[f:e]) for (f, _), e in zip(chain, ends)]
            out.append((chain[0][0], until, lines))
        chain.clear()

    for f, c in labels:
        if chain:
            pc = chain[-1][1]
            value = toks[pc + 1 : f]
            broken = any(t.text.endswith((".", "!", "?")) for t in value[:-1])  # a sentence ends inside it
            listed = bool(value) and value[-1].text.endswith((",", ";"))  # items of a list, not fields
            again = _said(toks, f, c) in {_said(toks, a, b) for a, b in chain}
            if f <= pc or len(value) > MAX_VALUE or broken or listed or again:
                close(min(_line_end(toks, pc), f))
        chain.append((f, c))
    if chain:
        close(_line_end(toks, chain[-1][1]))
    return out


def _said(toks: list[_Token], f: int, c: int) -> str:
    return " ".join(t.text for t in toks[f : c + 1]).lower()


def _line_end(toks: list[_Token], c: int) -> int:
    """Past the last token of the value after the label ending at token ``c``: to the end of its line
    (the next line's, when the label ends a line), at most MAX_VALUE tokens."""
    i = c + 1
    if i >= len(toks):
        return i
    line = toks[i].line
    while i < len(toks) and toks[i].line == line and i - c <= MAX_VALUE:
        i += 1
    return i


# --- the page ----------------------------------------------------------------------------------


def unflow(text: str) -> str:
    """``text`` (one page's reading) with its flowed tables as ``| cell |`` rows and its flowed forms
    as ``Label: value`` lines; unchanged where none is found."""
    toks = _tokens(text)
    spans: list[tuple[int, int, str]] = []
    for t in find_tables(toks):
        spans.append((t.start, t.end, rows_text(t.header + t.rows)))
    for s, e, lines in _form_lines(toks):
        if not any(s < b and a < e for a, b, _ in spans):
            # a field a paragraph of its own: the chunker joins a PDF's lines of one paragraph into
            # running text, and its paragraphs with line breaks (what the answerer reads fields from)
            spans.append((s, e, "\n" + "\n\n".join(lines) + "\n"))
    if not spans:
        return text
    out, pos = "", 0
    for s, e, new in sorted(spans):
        before = text[pos : toks[s].start].rstrip(" ")
        out += before + ("\n" if before and not before.endswith("\n") else "") + new + "\n"
        pos = toks[e - 1].end
        while pos < len(text) and text[pos] == " ":
            pos += 1
        pos += pos < len(text) and text[pos] == "\n"
    return out + text[pos:]


def unflowed_pages(pages: list[Page]) -> list[Page]:
    """``pages`` with each page's flowed tables and forms written back as rows and fields."""
    out = []
    for p in pages:
        try:
            text = unflow(p.text) if p.text.strip() else p.text
        except Exception as exc:  # noqa: BLE001 - only a repair: the page's reading stands
            log.warning(
                "page %s: flowed-table reading failed (%s: %s); the reading kept", p.number, type(exc).__name__, exc
            )
            text = p.text
        out.append(p if text == p.text else Page(p.number, text, p.notes, p.ocr))
    return out
