"""Tables on scanned pages, from OCR's words and boxes. Row labels set one letter per line (see
:mod:`.stacking` for the born-digital page): OCR reads such a label as a column of lone letters, one
a line; rebuilt from the boxes' geometry, each label is a word on its row, and a label running over
a page break joins the row it began on. A header over a group of columns ("2017/18" over "Number |
%") heads each of them. A row whose cells each list "label: figure" lines (a target beside the
actual) is read a row a line, as the born-digital reader reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .stacking import MIN_STACK, furniture, rows_text

# On a scanned page there are no glyphs, only the words OCR read with their boxes: a stacked label
# comes back as a column of one-letter words, one a line, at one x (a letter OCR ran into the cell
# beside it, "C" + "LIMITE" read "CLIMITE", is taken back), and a space as a line left blank.
_LOOK_ALIKE = {"0": "oO", "1": "lI", "5": "sS", "6": "gG"}  # a lone letter OCR read as a digit
_SAME_SHAPE = frozenset("cosuvwxzp")  # letters whose capital OCR cannot tell from a lone letter's shape


@dataclass
class _Piece:
    text: str  # one character; " " for a line left blank (a space)
    top: float
    bottom: float
    index: int | None  # the OCR word it came from


def ocr_tables(words: list[dict[str, Any]], known: frozenset[str]) -> list[tuple[float, set[int], str]]:
    """The tables of a scanned page whose row labels are set one letter per line, from OCR's ``words``
    (levelled for the scan's tilt, each with its index ``i`` among the page's words): (top, the
    indexes of the words they hold, rows as ``| cell | cell |`` text). ``known``: the words of a
    vocabulary, to tell a word wrapped over two lines ("MODER" / "ATE") from two words.

    A stack is a column of one-character words at one x, a line pitch apart (a blank line between
    two is a space). Its label for a row is the run of letters from the row's first line (where
    the row's other cells start) to the next row's; a run under a header that holds no figures
    is a row of its own (a label going on from the page before: see :func:`join_labels`)."""
    singles = [w for w in words if len(w["text"]) == 1]
    if len(singles) < 2 * MIN_STACK:
        return []
    height = sorted(w["bottom"] - w["top"] for w in singles)[len(singles) // 2]
    columns = _x_columns(singles, 0.35 * height)
    if not columns:
        return []
    drift = _drift(max(columns, key=len))
    if abs(drift) > 0.002:  # a tilt the page's lines did not show: level it by the stack
        words = [turned(w, -drift) for w in words]
        singles = [w for w in words if len(w["text"]) == 1]
        columns = _x_columns(singles, 0.35 * height)
    found: list[tuple[float, set[int], str]] = []
    taken: set[int] = set()
    for column in columns:
        for run in _ocr_stacks(column, words, height):
            if {p.index for p in run} & taken:
                continue
            table = _ocr_table(run, words, height, known)
            if table is not None:
                found.append(table)
                taken |= table[1]
    return sorted(found, key=lambda t: t[0])


def _drift(column: list[dict[str, Any]]) -> float:
    """How far a column of letters leans: x across per point down (least squares over their left edges)."""
    ys, xs = [(w["top"] + w["bottom"]) / 2 for w in column], [w["x0"] for w in column]
    my, mx = sum(ys) / len(ys), sum(xs) / len(xs)
    spread = sum((y - my) ** 2 for y in ys)
    return sum((y - my) * (x - mx) for x, y in zip(xs, ys)) / spread if spread else 0.0


def turned(w: dict[str, Any], slope: float) -> dict[str, Any]:
    """A word's box turned level against a tilt of ``slope`` (points down per point across)."""
    lift, shift = slope * (w["x0"] + w["x1"]) / 2, slope * (w["top"] + w["bottom"]) / 2
    return {**w, "top": w["top"] - lift, "bottom": w["bottom"] - lift, "x0": w["x0"] + shift, "x1": w["x1"] + shift}


def _x_columns(singles: list[dict[str, Any]], slack: float) -> list[list[dict[str, Any]]]:
    """One-character words grouped by the x they start at (each group top to bottom)."""
    groups: list[list[dict[str, Any]]] = []
    for w in sorted(singles, key=lambda w: w["x0"]):
        if groups and w["x0"] - groups[-1][-1]["x0"] <= slack:
            groups[-1].append(w)
        else:
            groups.append([w])
    return [sorted(g, key=lambda w: w["top"]) for g in groups if len(g) >= MIN_STACK]


def _ocr_stacks(column: list[dict[str, Any]], words: list[dict[str, Any]], height: float) -> list[list[_Piece]]:
    """Runs of one-character words down a column, each a line pitch below the one before; a line
    between two left blank is a space, and a line where OCR ran the letter into the next cell's word
    gives that word's first character."""
    steps = [b["top"] - a["top"] for a, b in zip(column, column[1:])]
    near = sorted(s for s in steps if 0.7 * height <= s <= 1.5 * height)
    if len(near) < 2:
        return []
    pitch = near[len(near) // 2]
    x0 = sorted(w["x0"] for w in column)[len(column) // 2]

    def merged(y: float) -> _Piece | None:  # a word starting in the column on the line at y
        for w in words:
            if len(w["text"]) > 1 and abs(w["x0"] - x0) <= 0.4 * height and abs(w["top"] - y) <= 0.4 * pitch:
                return _Piece(w["text"][0], w["top"], w["bottom"], w["i"])
        return None

    runs: list[list[_Piece]] = []
    run: list[_Piece] = []
    for w in column:
        piece = _Piece(w["text"], w["top"], w["bottom"], w["i"])
        if run:
            step = piece.top - run[-1].top
            slots = 1 if step < 1.6 * pitch else round(step / pitch)
            fill: list[_Piece] | None = []
            if step < 0.6 * pitch or slots > 4 or abs(step - slots * pitch) > 0.5 * pitch and slots > 1:
                fill = None
            else:
                for k in range(1, slots):
                    y = run[-1].top + k * pitch
                    got = merged(y)
                    if got is None and fill and fill[-1].text == " ":
                        fill = None  # two blank lines: the column ends
                        break
                    fill.append(got or _Piece(" ", y, y + pitch, None))
            if fill is None:
                runs.append(run)
                run = []
            else:
                run += fill
        run.append(piece)
    runs.append(run)
    out = []
    for run in runs:
        while run and (above := merged(run[0].top - pitch)) is not None:  # a row's first letter, run in
            run.insert(0, above)
        letters = [p for p in run if p.text.strip()]
        longest = max(len(w) for w in "".join(p.text for p in run).split())  # a word, not a column of marks
        if longest >= MIN_STACK and sum(p.text.isalpha() for p in letters) * 2 > len(letters):
            out.append(run)
    return out


def _ocr_table(
    run: list[_Piece], words: list[dict[str, Any]], height: float, known: frozenset[str]
) -> tuple[float, set[int], str] | None:
    """The rows of the table a stack stands in: each row's label (its stretch of the stack) and its
    other cells (OCR's words right of the stack, a wrapped cell's lines joined)."""
    tops = [p.top for p in run if p.text.strip()]
    pitch = sorted(b - a for a, b in zip(tops, tops[1:]))[len(tops) // 2 - 1]
    taken = {p.index for p in run if p.index is not None}
    ran_in = {p.index for p in run if p.index is not None and len(words[_at(words, p.index)]["text"]) > 1}
    stack_x = min(words[_at(words, p.index)]["x0"] for p in run if p.index is not None)
    right_of = stack_x + 0.5 * height
    top, bottom = run[0].top - 0.5 * pitch, run[-1].bottom + 0.5 * pitch
    cells: list[dict[str, Any]] = []
    for w in words:
        if w["i"] in taken and w["i"] not in ran_in:
            continue
        if w["i"] in ran_in:  # the rest of a word OCR ran the stack's letter into
            w = {**w, "text": w["text"][1:], "x0": w["x0"] + (w["x1"] - w["x0"]) / len(w["text"])}
        centre = (w["top"] + w["bottom"]) / 2
        if top <= centre <= bottom:
            if w["x0"] <= right_of:
                return None  # text down the stack's own margin: not a table column
            cells.append(w)
    cells += _header_above(words, top, right_of, pitch)
    if not cells:
        return None
    lines = _centre_lines(_phrases(cells, height), pitch)
    blocks: list[list[list[dict[str, Any]]]] = []
    head = run[0].top - 0.25 * pitch  # lines above the stack's first letter: the header
    for line in lines:
        if (
            blocks
            and _mid(line[0]) - _mid(blocks[-1][-1][0]) <= 1.6 * pitch
            and (_mid(line[0]) < head) == (_mid(blocks[-1][-1][0]) < head)
        ):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    starts: list[float] = []
    last = None
    for x in sorted(w["x0"] for line in lines for w in line):
        if last is None or x - last > 0.6 * height:
            starts.append(x)
        last = x
    labels: list[list[_Piece]] = [[] for _ in blocks]
    alone: dict[int, list[_Piece]] = {}  # a run under a header, before the first row: a row of its own
    for p in run:
        mid = (p.top + p.bottom) / 2
        k = max((j for j, b in enumerate(blocks) if _mid(b[0][0]) - 0.5 * pitch <= mid), default=0)
        block_bottom = max(w["bottom"] for w in blocks[k][-1])
        if mid > block_bottom + 0.5 * pitch and not any(c.isdigit() for ln in blocks[k] for w in ln for c in w["text"]):
            alone.setdefault(k, []).append(p)
        else:
            labels[k].append(p)
    rows: list[list[str]] = []
    for k, block in enumerate(blocks):
        row = [_label(labels[k])] + [""] * len(starts)
        for line in block:
            for w in line:
                c = 1 + max(j for j, s in enumerate(starts) if s <= w["x0"] + 0.6 * height)
                row[c] = wrap_join(row[c], w["text"], known)
        rows.append(row)
        if k in alone:  # written as a row of one cell: join_labels looks for it
            rows.append([_label(alone[k])])
    if len(rows) < 2 or sum(bool(r[0]) for r in rows) < 2:
        return None
    members = taken | {i for w in cells for i in w.get("members", {w["i"]})}
    return min(min(p.top for p in run), min(w["top"] for w in cells)), members, rows_text(rows)


def _at(words: list[dict[str, Any]], index: int) -> int:
    return next(k for k, w in enumerate(words) if w["i"] == index)


def _mid(w: dict[str, Any]) -> float:
    return (w["top"] + w["bottom"]) / 2


def _header_above(words: list[dict[str, Any]], top: float, right_of: float, pitch: float) -> list[dict[str, Any]]:
    """The lines just above a stack's top set right of it (the table's header), up to two."""
    near = [w for w in words if top - 2.5 * pitch <= _mid(w) < top]
    out: list[dict[str, Any]] = []
    for line in reversed(_centre_lines(near, pitch)):
        if len(line) < 2 or any(w["x0"] <= right_of for w in line):
            break
        out += line
    return out


def _centre_lines(words: list[dict[str, Any]], pitch: float) -> list[list[dict[str, Any]]]:
    """Words grouped into lines by their middles, top to bottom, each left to right."""
    lines: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=_mid):
        if lines and _mid(w) - _mid(lines[-1][0]) <= 0.5 * pitch:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _phrases(words: list[dict[str, Any]], height: float) -> list[dict[str, Any]]:
    """Words of one OCR line joined as one cell's words: less than a line's height apart, or half one
    beside a figure; never two figures (those of two columns stand closer than a phrase's words)."""
    out: list[dict[str, Any]] = []
    for w in sorted(words, key=lambda w: (str(w.get("line", w["i"])), w["x0"])):
        last = out[-1] if out else None
        gap = w["x0"] - last["x1"] if last else height
        letters = _has_letters(w["text"]) + _has_letters(last["text"]) if last else 0
        if last and "line" in w and last.get("line") == w["line"] and gap < (0, 0.5, 1)[letters] * height:
            last.update(text=f"{last['text']} {w['text']}", x1=w["x1"], members=last["members"] | {w["i"]})
        else:
            out.append({**w, "members": {w["i"]}})
    return out


def _has_letters(text: str) -> bool:
    return any(c.isalpha() for c in text)


def wrap_join(text: str, line: str, known: frozenset[str]) -> str:
    """A cell's ``text`` so far and its next wrapped ``line``: run together where the line broke
    inside a word or figure ("MODER" / "ATE", "02-" / "Jan-", "4" / "0"), else a space between."""
    if not text:
        return line
    if text.endswith("-") or text[-1].isdigit() and line[:1].isdigit():
        return text + line
    left, right = re.search(r"[^\W\d_]*$", text).group(), re.match(r"[^\W\d_]*", line).group()
    whole = (left + right).lower()
    if left and right and whole in known and not (left.lower() in known and right.lower() in known):
        return text + line
    return f"{text} {line}"


def _label(pieces: list[_Piece]) -> str:
    """A stretch of a stack as words: its letters top to bottom, a blank line a space; within a word
    a digit OCR read for a letter is that letter ("C0ntr01") and a letter whose capital has its
    shape takes the case of the word's others ("ACCeSS")."""
    words = "".join(p.text for p in pieces).split()
    return " ".join(_mend(w) for w in words)


def _mend(word: str) -> str:
    letters = [c for c in word if c.isalpha()]
    if len(letters) < 2:
        return word
    told = [c for c in word[1:] if c.isalpha() and c.lower() not in _SAME_SHAPE]
    upper = sum(c.isupper() for c in told) * 2 > len(told) if told else word[1:].isupper()
    out = word[0] if not word[0].isdigit() else _LOOK_ALIKE.get(word[0], word[0])[int(upper or word[1:2].isupper())]
    for c in word[1:]:
        if c in _LOOK_ALIKE:
            c = _LOOK_ALIKE[c][int(upper)]
        elif c.lower() in _SAME_SHAPE:
            c = c.upper() if upper else c.lower()
        elif c in "Il":  # a capital i and a small L: one stroke
            c = "I" if upper else "l"
        out += c
    return out


def _table_rows(lines: list[str]) -> list[list[str]]:
    return [[c.strip() for c in line.strip()[1:-1].split("|")] for line in lines]


def join_labels(texts: list[str], known: frozenset[str]) -> list[str]:
    """Scanned pages' ``texts`` with a row label continued over a page break given to its row: where
    a page ends with a table (past page furniture) whose last row holds a label and more, and the
    next starts with one whose first row under its header (rows without figures) is a label alone
    (a row of one cell, as :func:`ocr_tables` writes a stack's stretch above the page's first row),
    that label goes on the row before the break: run on where it breaks inside a word (two runs
    of letters, not both words of ``known``: "Cybe" / "rsecurity"), else after a space."""
    texts = list(texts)
    for i in range(len(texts) - 1):
        before, after = texts[i].rstrip("\n").split("\n"), texts[i + 1].split("\n")
        end = max((k for k, line in enumerate(before) if line.startswith("| ")), default=None)
        start = next((k for k, line in enumerate(after) if line.startswith("| ")), None)
        if end is None or start is None:
            continue
        if not furniture("\n".join(before[end + 1 :])) or not furniture("\n".join(after[:start])):
            continue
        stop = start
        while stop < len(after) and after[stop].startswith("| "):
            stop += 1
        last, rows = _table_rows([before[end]])[0], _table_rows(after[start:stop])
        k = 0
        while k < len(rows) and not any(c.isdigit() for cell in rows[k] for c in cell) and any(rows[k][1:]):
            k += 1  # the header, repeated
        if k >= len(rows) or len(rows[k]) != 1 or not rows[k][0] or not last[0] or not any(last[1:]):
            continue
        left, right = last[0].split()[-1], rows[k][0].split()[0]
        inside = left.isalpha() and right.isalpha() and not (left.lower() in known and right.lower() in known)
        tail = rows[k][0]
        if inside and tail[0].lower() in _SAME_SHAPE and tail[1:2].islower():
            tail = tail[0].lower() + tail[1:]  # "Virtuali" / "Sation": a word's middle
        last[0] += ("" if inside else " ") + tail
        before[end] = rows_text([last])
        del after[start + k]
        texts[i], texts[i + 1] = "\n".join(before), "\n".join(after)
    return texts


def spanned(grid: list[list[str]], known: frozenset[str]) -> list[list[str]]:
    """``grid`` with a header cell set over a group of columns written in each of them: in a header
    row above the figures whose labels stand every *n* columns (n of two or more) from the first
    figure column on, with the columns between left blank ("2017/18 | | 2018/19 |" over "Number | % |
    Number | %"), each label spans its group: a scan shows a merged cell's text over one of its
    columns (the first or the last). A header cell wrapped inside a word or figure over two header
    rows ("2017/1" / "8") is joined first (``known``: a vocabulary, see :func:`wrap_join`)."""
    body = next((k for k, row in enumerate(grid) if _body_row(row)), None)
    if not body:
        return grid
    width = len(grid[body])
    out = [list(row) + [""] * (width - len(row)) for row in grid]
    for upper, lower in zip(out[: body - 1], out[1:body]):  # a header wrapped inside a word: "2017/1" / "8"
        for j in range(width):
            if upper[j] and lower[j] and wrap_join(upper[j], lower[j], known) == upper[j] + lower[j]:
                upper[j], lower[j] = upper[j] + lower[j], ""
    out = [row for k, row in enumerate(out) if k >= body or any(row)]
    body = next(k for k, row in enumerate(out) if _body_row(row))
    for row in out[:body]:
        filled = [j for j in range(1, width) if row[j].strip()]
        if len(filled) < 2 or (step := filled[1] - filled[0]) < 2 or filled != list(range(filled[0], width, step)):
            continue
        if filled[-1] + step == width:  # each label over the first of its columns
            spans = [(j, j + step) for j in filled]
        elif filled[-1] == width - 1 and filled[0] - step + 1 >= 1:  # over the last
            spans = [(j - step + 1, j + 1) for j in filled]
        else:
            continue
        for (a, b), j in zip(spans, filled):
            row[a:b] = [row[j]] * (b - a)
    return out


def _body_row(row: list[str]) -> bool:
    """A table's first row of data: a label, and two figures or more."""
    return bool(row and row[0].strip()) and sum(figure(c) for c in row[1:]) >= 2


def figure(text: str) -> bool:
    """Whether a word is a figure: "21,136", "81%", "£4.5m", "(1,200)"."""
    return bool(re.fullmatch(r"[(£$€-]*\d[\d,.]*%?m?\)?", text))


# "65+: 19.11%", "White British 69%", "IMD: level 1-2: 45%.": a label and its figure, the figure a
# percentage or set after a colon; a cell of a scanned table lists several, one a line, read as one
_PERCENT = re.compile(r"(?:[^:]*:)?[£$€]?\d[\d,]*(?:\.\d+)?%")
_AMOUNT = re.compile(r"(?:[^:]*:)?[£$€]?\d[\d,]*(?:\.\d+)?")


def _items(cell: str) -> list[tuple[str, str]] | None:
    """A cell listing "label: figure" lines, as (label, the line) each; None if it is not such a list."""
    items: list[tuple[str, str]] = []
    current: list[str] = []
    for token in cell.split():
        current.append(token)
        bare = token.rstrip(".;,")
        if _PERCENT.fullmatch(bare) or (
            _AMOUNT.fullmatch(bare) and (":" in bare or len(current) > 1 and current[-2].endswith(":"))
        ):
            line = " ".join(current)
            label = re.sub(
                r"[^0-9a-z]", "", line[: line.rfind(":")].lower() if ":" in line else line[: -len(token)].lower()
            )
            if not label:
                return None
            items.append((label, line))
            current = []
    return items if items and not current else None


def listed(grid: list[list[str]]) -> list[list[str]]:
    """``grid`` with a row whose cells each list the same "label: figure" lines (a target beside the
    actual: "Male: 50.2%. Female 49.8%" | "Male: 50%. Female: 50%") read as a row a line, as the
    born-digital page's are; such a row with no label of its own (the list went on over a rule) takes
    the label of the row above it."""
    out: list[list[str]] = []
    for row in grid:
        cells = [_items(c) for c in row[1:]]
        if len(row) < 3 or any(c is None for c in cells) or len({len(c) for c in cells if c}) != 1:
            out.append(row)
            continue
        lists = [c for c in cells if c]
        label = row[0] or (out[-1][0] if out and len(out[-1]) == len(row) else "")
        n = len(lists[0])
        same = sum(len({c[j][0] for c in lists}) == 1 for j in range(n))
        if n == 1 or same * 3 < n * 2:
            out.append([label, *row[1:]] if len(lists) == len(cells) else row)
            continue
        out += [[label, *(c[j][1] if c else "" for c in cells)] for j in range(n)]
    return out
