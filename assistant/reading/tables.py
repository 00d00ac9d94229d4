"""Tables: parse Markdown, tab-separated and PDF-extracted tables and linearise their rows.

A row becomes ``Caption | Row label | Header value | Header value ...`` so that each
figure carries its row and column; the whole table is rendered for display too. In pypdf's
text, a table is found from its rows of figures, or from cells listing "label: figure" lines
side by side (a target beside the actual), which pypdf reads one cell after the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleaning import join_wrapped

_NUM = re.compile(r"^[-–(]?[£$€]?-?\d[\d,]*(\.\d+)?\s?(%|m|k|bn|million)?\)?$|^[-–—]$", re.I)  # a dash: nil
_PERIOD = re.compile(r"^(19|20)?\d{2}/\d{2}$|^(19|20)\d{2}[-–/](19|20)?\d{2}$|^(19|20)\d{2}$")
_UNIT = re.compile(r"^[£$€](000|m|k|bn)?$|^%$|^(£|GBP)?\s?000s?$", re.I)
_CURRENCY = re.compile(r"^[£$€](000|m|k|bn)?$|^(£|GBP)?000s?$", re.I)
_PARA_NUM = re.compile(r"^\d{1,2}(\.\d{1,2}){0,3}\.?$|^[a-z]\)$")
_SEPARATOR = re.compile(r"^\|?[\s|:\-]+\|?$")


@dataclass
class Table:
    caption: str | None
    headers: list[str]
    rows: list[list[str]]
    units: list[str] = field(default_factory=list)
    header_note: str | None = None  # header text that could not be mapped to columns
    unmapped: set[int] = field(default_factory=set)  # rows whose figures don't line up with the headers

    def row_label(self, row: list[str]) -> str:
        return next((c for c in row if c and not is_number(c)), "") or "(unlabelled row)"

    def linearise(self, row: list[str], index: int | None = None) -> str:
        """One row as ``caption | label | header value | ...``."""
        parts = [self.caption] if self.caption else []
        mapped = index not in self.unmapped
        label_idx = next((i for i, c in enumerate(row) if c and not is_number(c)), None)
        parts.append(row[label_idx] if label_idx is not None else "(unlabelled row)")
        for i, cell in enumerate(row):
            if i == label_idx or not cell:
                continue
            head = self.headers[i] if mapped and i < len(self.headers) else ""
            unit = self.units[i] if mapped and i < len(self.units) else ""
            value = f"{unit}{cell}" if unit in ("£", "$", "€") and is_number(cell) else cell
            if unit and unit not in ("£", "$", "€", "%"):
                head = f"{head} ({unit})".strip()
            parts.append(f"{head} {value}".strip())
        text = " | ".join(parts)
        if self.header_note:
            text += f" | Columns: {self.header_note}"
        return text

    def render(self) -> str:
        """The whole table as text, for display."""
        lines = [self.caption] if self.caption else []
        if any(self.headers):
            lines.append(" | ".join(self.headers))
        elif self.header_note:
            lines.append(self.header_note)
        lines += [" | ".join(r) for r in self.rows]
        return "\n".join(lines)


def is_number(cell: str) -> bool:
    c = cell.strip().replace(" ", "")
    return bool(c) and not _UNIT.match(c) and bool(_NUM.match(c))


def holds_figure(cell: str) -> bool:
    """A figure, or a short "label: figure" cell ("65+: 19.11%", "Female 49.8%") set as one; not a
    header naming a year ("Population 2011"), a unit in brackets ("Outlets (000)") or a number in a
    name ("Companies on FTSE Eurotop 100"): a label's figure follows a colon or is a percentage."""
    toks = cell.strip().rstrip(".").split()
    if len(toks) == 1 or len(cell) > 60:
        return len(toks) == 1 and is_number(toks[0])
    return (
        bool(toks)
        and is_number(toks[-1])
        and not _PERIOD.match(toks[-1])
        and not re.search(r"[()]", toks[-1])
        and (":" in cell or toks[-1].endswith("%"))
        and any(ch.isalnum() for ch in " ".join(toks[:-1]))
    )


def split_row(line: str, sep: str) -> list[str]:
    """Cells of a Markdown (``|``) or tab-separated row."""
    if sep == "|":
        line = line.strip()
        line = line[1:] if line.startswith("|") else line
        line = line[:-1] if line.endswith("|") else line
    return [" ".join(c.split()) for c in line.split(sep)]


def is_layout_table(rows: list[list[str]]) -> bool:
    """True for tables used to lay out prose (numbered paragraphs, form fields), not data."""
    layout = data = 0
    for row in rows:
        cells = [c for c in row if c]
        if not cells:
            continue
        numeric = sum(is_number(c) for c in cells[1:])
        longest = max(len(c) for c in cells)
        if numeric >= 1 and len(cells) >= 2:
            data += 1
        elif (
            _PARA_NUM.match(cells[0])
            or cells[0].endswith(":")
            or len(cells) == 1
            or (len(cells) == 2 and longest > 150)
        ):
            layout += 1
        else:
            data += 0.5
    return layout > data


def parse_grid(lines: list[str], sep: str, caption: str | None) -> Table | None:
    """A data table from Markdown/TSV lines; None when it is a layout table."""
    raw: list[list[str]] = []
    header_end: int | None = None
    for line in lines:
        if sep == "|" and _SEPARATOR.match(line.strip()):
            header_end = len(raw)
            continue
        raw.append(split_row(line, sep))
    raw = [r for r in raw if any(r)] if header_end is None else raw
    if not raw or is_layout_table(raw):
        return None
    width = max(len(r) for r in raw)
    raw = [r + [""] * (width - len(r)) for r in raw]

    # Header rows: those before a Markdown separator, then leading rows without figures.
    first_data = header_end if header_end is not None else 0
    while first_data < len(raw) and _wordy(raw[first_data]) and _looks_header(raw[first_data], raw, first_data):
        first_data += 1
    head_rows = [r for r in raw[:first_data] if any(r)]
    units = [""] * width
    names = [""] * width
    label_rows = []
    for r in head_rows:
        unit_cells = [c for c in r[1:] if c]
        if unit_cells and all(_UNIT.match(c) for c in unit_cells):
            units = [c if _UNIT.match(c) else u for c, u in zip(r, units)]
            names[0] = f"{names[0]} {r[0]}".strip()
        else:
            label_rows.append(r)
    blocked = _block_groups(label_rows, width)
    if blocked is not None:
        names = blocked
        label_rows = []
    for k, r in enumerate(label_rows):
        filled = list(r)
        if k < len(label_rows) - 1:  # a group header spans the empty cells to its right
            for i in range(1, width):
                if not filled[i] and filled[i - 1] and i > 1:
                    filled[i] = filled[i - 1]
        names = [f"{n} {c}".strip() for n, c in zip(names, filled)]

    rows: list[list[str]] = []
    for r in raw[first_data:]:
        if not any(r) or r in head_rows:
            continue  # a header repeated where the table goes on over a page break
        if rows and not r[0] and not any(holds_figure(c) for c in r):
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], r)]  # wrapped cell text
        else:
            rows.append(r)
    if not rows:
        return None
    return Table(caption=caption, headers=names, rows=rows, units=units)


def _block_groups(label_rows: list[list[str]], width: int) -> list[str] | None:
    """Group headers over a repeating leaf pattern (2017/18: Number %, 2018/19: Number %).

    Converters often misplace spanning group cells; when the leaf row repeats one pattern
    once per group, each group takes one block of leaves in order.
    """
    if len(label_rows) != 2:
        return None
    groups = [c for c in label_rows[0][1:] if c]
    groups = [g for g in groups if not any(o != g and o.startswith(g) for o in groups)]  # "201" of "2017/18"
    leaf_idx = [i for i in range(1, width) if label_rows[1][i]]
    leaves = [label_rows[1][i] for i in leaf_idx]
    if len(set(groups)) != len(groups) or not all(_PERIOD.match(g) for g in groups) or len(leaves) < 2 * len(groups):
        return None
    spread = spread_groups(groups, leaves)
    if spread is None:
        return None
    names = [""] * width
    names[0] = " ".join(c for c in (label_rows[0][0], label_rows[1][0]) if c)
    for i, name in zip(leaf_idx, spread):
        names[i] = name
    return names


def spread_groups(groups: list[str], leaves: list[str]) -> list[str] | None:
    """Each group over one block of leaves, in order ("2017/18 Number", "2017/18 %", "2018/19 Number" ...).

    None unless there are two or more groups and the leaves repeat one pattern per group.
    """
    if len(groups) < 2 or not leaves or len(leaves) % len(groups):
        return None
    size = len(leaves) // len(groups)
    if leaves != leaves[:size] * len(groups):
        return None
    return [f"{groups[i // size]} {leaf}" for i, leaf in enumerate(leaves)]


def _wordy(row: list[str]) -> bool:
    """A row that may be a header: no figures past its first cell, or a lone one among many words
    (a "999 calls" column among named measures)."""
    cells = [c for c in row[1:] if c]
    figures = sum(holds_figure(c) for c in cells)
    return figures == 0 or len(cells) >= 5 and figures <= 0.15 * len(cells)


def _looks_header(row: list[str], raw: list[list[str]], idx: int) -> bool:
    cells = [c for c in row if c]
    if not cells:
        return True
    # A text-only table: the first row is a header when its cells are short labels.
    later_numeric = any(any(holds_figure(c) for c in r[1:]) for r in raw[idx + 1 :])
    return later_numeric or (idx == 0 and all(len(c) <= 40 for c in cells) and len(raw) > 1)


# --- tables as pypdf extracts them: rows of figures after their wrapped labels -------------

# A figure ends where its digits end ((?![\d,])): without that, the figures of a line that does not
# match (one ending in "—") were split every possible way, and one line of a US table took 11 s.
_TRAILING_NUMS = re.compile(r"^(.*?)((?:\s*(?:[-–(]?[£$€]?-?\d[\d,]*(?![\d,])(?:\.\d+)?%?\)?|[-–—]))+)\s*$")


def numeric_row(line: str) -> tuple[str, list[str]] | None:
    """Split a line ending in two or more figures into (label, figures)."""
    m = _TRAILING_NUMS.match(line.strip())
    if not m:
        return None
    label, figures = m.group(1), m.group(2)
    values = figures.split()
    if label.count("(") > label.count(")") and values[0].endswith(")") and "(" not in values[0]:
        # the label's own digit closing the bracket it opened ("Ammonia (NH3)") is no figure of the row
        label, values = label + figures[: figures.index(")") + 1], values[1:]
    values = _grouped_thousands(values)
    if len(values) < 2 or not all(is_number(v) for v in values):
        return None
    label = label.strip()
    if (
        len(label) > 70
        or label.endswith((".", ",", ";"))
        or _PERIOD.match(values[0])
        and len(values) == 2
        and not label
    ):
        return None
    if all(_PERIOD.match(v) for v in values):
        return None  # a line of years is a header, not data
    return label, values


def _grouped_thousands(values: list[str]) -> list[str]:
    """Figures whose thousands are grouped by a space ("10 000", "1 000 000") as one: a group of three
    digits led by a zero ("000", "050") is never a figure of its own."""
    out: list[str] = []
    for v in values:
        if out and re.fullmatch(r"0\d\d", v) and re.fullmatch(r"-?\d{1,3}( \d{3})*", out[-1]):
            out[-1] += f" {v}"
        else:
            out.append(v)
    return out


def _short(line: str) -> bool:
    s = line.strip()
    return 0 < len(s) <= 45 and not s.endswith((".", ";", ":"))


# "Page 3", "Page 3 of 12", "3 of 12"; not a bare number, which may be a wrapped header's end ("2017/1" / "8")
_PAGE_FURNITURE = re.compile(r"^page\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$|^\d{1,4}\s+of\s+\d{1,4}$", re.I)
_SMALL_WORDS = {"the", "of", "to", "in", "for", "was", "were", "is", "are", "a", "an", "by", "on", "with", "that"}
_SMALL_WORDS |= {"this", "from", "as", "at", "be", "which", "it", "has", "have", "its", "we", "our", "will"}


def _furniture(line: str) -> bool:
    return bool(_PAGE_FURNITURE.match(line.strip()))


def _header_row(line: str, width: int) -> bool:
    """A line too long for a label that can still be a row of column headers over ``width`` figures
    (a wide table's, five columns or more): about as many words as columns, few of them a sentence's
    small words or figures."""
    s = line.strip()
    toks = s.split()
    if width < 5 or len(s) > 300 or s.endswith((".", ";", ":")) or len(toks) < max(4, width // 2) or numeric_row(s):
        return False
    small = sum(t.lower() in _SMALL_WORDS for t in toks)
    figures = sum(is_number(t) or bool(re.match(r"^\d+\.$", t)) for t in toks)  # "2." numbers a paragraph
    return small <= 0.1 * len(toks) and figures <= 0.15 * len(toks)


def _wide_header(lines: list[str], k: int, width: int) -> bool:
    """Whether long line ``k`` is part of a wide table's header: a row of column headers that divides
    into the table's columns, or a line of header words under one (at most two lines below it)."""
    if not _header_row(lines[k], width):
        return False
    return any(header_cells(lines[j], width, last=False) for j in range(k, max(k - 3, -1), -1))


def find_pdf_tables(lines: list[str]) -> list[tuple[int, int, Table]]:
    """Tables in PDF-extracted lines: returns (first line, last line + 1, table) spans."""
    paired = side_by_side_lists(lines)
    if paired:  # the lines of those tables are no one else's
        masked = list(lines)
        for start, end, _ in paired:
            masked[start:end] = [""] * (end - start)
        return sorted(paired + _figure_tables(masked), key=lambda span: span[0])
    return _figure_tables(lines)


def _figure_tables(lines: list[str]) -> list[tuple[int, int, Table]]:
    """Tables of rows ending in two or more figures (see :func:`find_pdf_tables`)."""
    found: list[tuple[int, int, Table]] = []
    i = 0
    n = len(lines)
    while i < n:
        parsed = numeric_row(lines[i])
        if not parsed:
            i += 1
            continue
        # Grow the table: rows may be preceded by a few short label lines.
        row_lines = [i]
        j = i + 1
        while j < n:
            k = j
            while k < n and k - j < 5 and not numeric_row(lines[k]) and _short(lines[k]):
                k += 1
            if k < n and numeric_row(lines[k]):
                row_lines.append(k)
                j = k + 1
            else:
                break
        if len(row_lines) < 2:
            i += 1
            continue
        rows = [numeric_row(lines[r]) for r in row_lines]  # each row's line read once
        counts = [len(r[1]) for r in rows]
        width = max(set(counts), key=lambda c: (counts.count(c), c))
        # Labels of the first row: its own short lines, as many as the second row used.
        second_extra = row_lines[1] - row_lines[0] - 1
        own_label = bool(parsed[0])
        limit = second_extra if own_label else max(second_extra, 4)
        # rows whose labels all wrap over as many lines ("Carte Noire" / "(K-J-S)"): the first row's label
        # takes as many, even where one reads like a header ("(Douwe Egberts)")
        unlabelled = [(a, b) for a, b, r in zip(row_lines, row_lines[1:], rows[1:]) if not r[0]]
        wraps = {b - a - 1 for a, b in unlabelled}
        uniform = not own_label and len(wraps) == 1 and second_extra in wraps and second_extra >= 1
        uniform = uniform and len(unlabelled) >= 2
        limit = second_extra if uniform else limit
        start = row_lines[0]
        while (
            start > 0
            and row_lines[0] - start < limit
            and _short(lines[start - 1])
            and (uniform or not _header_like(lines[start - 1], width))
        ):
            start -= 1
        head_start = start
        while (
            head_start > 0
            and start - head_start < 12
            and (_short(lines[head_start - 1]) or _wide_header(lines, head_start - 1, width))
            and not lines[head_start - 1].lower().startswith("table")
        ):
            head_start -= 1
        header_lines = [l for l in lines[head_start:start] if not _furniture(l)]
        caption = None
        above = lines[head_start - 1].strip() if head_start > 0 else ""
        if above.lower().startswith("table"):
            caption = re.sub(r"(?i)^table\s*\d*\s*[:.\-–]?\s*", "", above).strip() or None
            head_start -= 1
        elif (
            header_lines
            and len(header_lines[0].split()) >= 2
            and not header_cells(header_lines[0], width, last=len(header_lines) == 1)
            and (
                (not _fits(header_lines[0], width) and not _header_like(header_lines[0], width))
                or (
                    len(header_lines) > 1
                    and not _is_group(header_lines[0])
                    and any(c.isalpha() for c in header_lines[0])
                )
            )
        ):
            caption = header_lines.pop(0).strip()
        elif (
            above
            and len(above) <= 100
            and not numeric_row(above)
            and not above.endswith((".", ":"))
            and not re.match(r"^\W*\d+(\.\d+)*\.?\s", above)
        ):
            caption = above
            head_start -= 1
        headers, note = map_headers(header_lines, width)
        rows = []
        prev = start
        for r in row_lines:
            label, values = numeric_row(lines[r])
            label = join_wrapped([l for l in lines[prev:r] if not _furniture(l)] + [label])
            rows.append([label] + values)
            prev = r + 1
        unmapped = {k for k, c in enumerate(counts) if c != width}
        table = Table(caption=caption, headers=[""] + headers, rows=rows, header_note=note, unmapped=unmapped)
        if found and found[-1][1] <= head_start and _continues(found[-1], table, lines[found[-1][1] : head_start]):
            first, _, before = found[-1]
            before.unmapped |= {len(before.rows) + k for k in unmapped}
            before.rows += rows
            found[-1] = (first, row_lines[-1] + 1, before)
        else:
            found.append((head_start, row_lines[-1] + 1, table))
        i = row_lines[-1] + 1
    return found


def _continues(last: tuple[int, int, Table], table: Table, between: list[str]) -> bool:
    """Whether ``table`` goes on with the rows of the table before it (``last``), over a page break:
    nothing between them but page numbers, its header the same as that table's or none, and no
    caption of its own (or a "continued" one)."""
    before = last[2]
    if any(l.strip() and not _furniture(l) for l in between) or len(table.headers) != len(before.headers):
        return False
    caption = table.caption
    if caption and caption != before.caption and "continued" not in caption.lower():
        return False
    return table.headers == before.headers or not any(table.headers)


def _is_group(line: str) -> bool:
    toks = [t for t in line.split() if not _CURRENCY.match(t)]
    return bool(toks) and all(_PERIOD.match(t) or toks.count(t) > 1 for t in toks)


def _fits(line: str, width: int) -> bool:
    return len([t for t in line.split() if not _CURRENCY.match(t)]) in (width, width + 1)


def _header_like(line: str, width: int) -> bool:
    tokens = line.split()
    return any(_PERIOD.match(t) or t in ("%", "£", "£000") for t in tokens) or (
        len(tokens) in (width, width + 1) and all(t[:1].isupper() or not t[:1].isalpha() for t in tokens)
    )


def map_headers(header_lines: list[str], width: int) -> tuple[list[str], str | None]:
    """Column names for ``width`` figure columns from the header lines above a PDF table."""
    if not header_lines:
        return [""] * width, None
    for k, line in enumerate(header_lines):
        cells = header_cells(line, width, last=k == len(header_lines) - 1)
        if cells:  # a wide table's header: a cell a column, its words below it left in a note
            for j in range(k - 1, -1, -1):  # group headers above it, each over a block of its cells
                spread = spread_groups(_cells(header_lines[j]), cells)
                if spread:
                    return spread, join_wrapped(
                        header_lines[:j] + header_lines[j + 1 : k] + header_lines[k + 1 :]
                    ) or None
            rest = [l for j, l in enumerate(header_lines) if j != k]
            return cells, join_wrapped(rest) or None
    lines = [l.split() for l in header_lines]
    fitting = []
    for toks in lines:
        toks = [t for t in toks if not _CURRENCY.match(t)]
        if len(toks) == width + 1:
            toks = toks[1:]
        if len(toks) == width:
            fitting.append(toks)
    fitting = [f for k, f in enumerate(fitting) if f not in fitting[:k]]  # a header repeated on the next page
    if fitting:
        leaves = fitting[-1]
        groups = next((f for f in reversed(fitting[:-1]) if _is_group(" ".join(f))), None)
        if groups:
            return [f"{g} {l}" for g, l in zip(groups, leaves)], None
        # Years above a repeating leaf row (2017/18 2018/19 over Number % Number %) span blocks of it.
        above = [t for l in header_lines for t in join_wrapped([l]).split() if _PERIOD.match(t) and "/" in t]
        return spread_groups(list(dict.fromkeys(above)), leaves) or list(leaves), None
    stacked = _stacked_cells(header_lines, width)
    if stacked:
        return stacked
    tokens = join_wrapped(header_lines).split()
    periods = [t for t in tokens if _PERIOD.match(t)]
    others = [t for t in tokens if not _PERIOD.match(t) and not _CURRENCY.match(t)]
    if len(others) >= width and (not periods or width % len(periods) == 0):
        leaves = others[-width:]
        if periods:
            per = width // len(periods)
            return [f"{periods[i // per]} {leaf}" for i, leaf in enumerate(leaves)], None
        return leaves, None
    if len(periods) == width:
        return periods, None
    return [""] * width, join_wrapped(header_lines)


def _stacked_cells(header_lines: list[str], width: int) -> tuple[list[str], str | None] | None:
    """Header cells pypdf read one after another, each cell's lines in turn ("to air" / "kg/year" / "to
    water" / "kg/year" ...): the last lines fall into ``width`` runs of as many lines that all end (or
    all begin) with the same line, a unit or measure each column repeats; the lines above are a note."""
    lines = [" ".join(l.split()) for l in header_lines if l.strip()]
    for k in range(len(lines) // width if width >= 2 else 0, 1, -1):
        runs = [lines[len(lines) - width * k + i * k :][:k] for i in range(width)]
        shared = {r[-1] for r in runs} if len({r[-1] for r in runs}) == 1 else {r[0] for r in runs}
        if len(shared) == 1 and not _CURRENCY.match(next(iter(shared)).replace(" ", "")):
            cells = [join_wrapped(r) for r in runs]
            if len(set(cells)) == width:
                return cells, join_wrapped(lines[: len(lines) - width * k]) or None
    return None


_JOINERS = {"and", "&", "of", "per", "in", "to", "for", "the", "on", "by", "or", "vs", "/", "-", "–"}


def header_cells(line: str, width: int, last: bool = True) -> list[str] | None:
    """The column headers of ``width`` figure columns in one header line of several words a cell
    ("Area Recorded crime Stop and Officers (FTE) 999 calls"), or None unless it divides into as
    many, five or more (fewer match by chance). A cell starts at a capital or a figure and goes on
    with lower-case and bracketed words; on the last header line also after a joining word ("Stop
    and Search"), while above it a cell may end in one, its header going on below ("Stop and" /
    "search"). A first cell over the row labels is left out."""
    toks = [t for t in line.split() if not _CURRENCY.match(t)]
    if any(t.endswith((",", ";", ".”", ",”")) for t in toks):
        return None  # a sentence or a source note, not a row of headers
    names = _cells(line, last)
    if sum(is_number(n) for n in names) > 0.15 * len(names):
        return None  # a row of figures ("Italy 10 2360 .. 60 10") whose dots kept it from being read as one
    if len(names) == width + 1:
        names = names[1:]
    return names if len(names) == width and width >= 5 and len(toks) > width else None


def _cells(line: str, last: bool = True) -> list[str]:
    """A header line's words grouped into cells (see :func:`header_cells`)."""
    cells: list[list[str]] = []
    for t in (t for t in line.split() if not _CURRENCY.match(t)):
        prev = cells[-1][-1] if cells else ""
        starts = t[:1].isupper() or t[:1].isdigit() or t[:1] in "£$€%#"
        joined = last and (prev.lower() in _JOINERS or prev.endswith(("-", "/")))
        if cells and (not starts or joined):
            cells[-1].append(t)
        else:
            cells.append([t])
    return [" ".join(c) for c in cells]


# --- cells listing "label: figure" lines side by side, as pypdf reads them: one cell after the other ----


def key_value(line: str) -> tuple[str, str] | None:
    """A short "label: figure" line ("65+: 19.11%", "Female 49.8%") as (label, figure); else None."""
    toks = line.strip().rstrip(".").split()
    if len(line.strip()) > 80 or len(toks) < 2 or not is_number(toks[-1]) or _PERIOD.match(toks[-1]):
        return None
    key = " ".join(toks[:-1]).rstrip(":").strip()
    if not _norm(key) or key.endswith((".", ",", ";")):
        return None
    return key, toks[-1]


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _blocks(keys: list[str | None], p: int, k: int) -> int:
    """How many blocks of the ``k`` keys at ``p`` follow one another, the same keys in the same order
    (the first key of the first block may carry a prefix: the row's label, read onto its line)."""
    block = keys[p : p + k]
    if len(block) < k or None in block or len(set(block)) < k:
        return 0
    m = 1
    while len(nxt := keys[p + m * k : p + (m + 1) * k]) == k and all(
        key == mine or (j == 0 and key and len(key) >= 2 and mine and mine.endswith(key))
        for j, (key, mine) in enumerate(zip(nxt, block))
    ):
        m += 1
    return m


def side_by_side_lists(lines: list[str]) -> list[tuple[int, int, Table]]:
    """Tables whose cells each list "label: figure" lines, two or more such cells side by side in a row
    (a target beside the actual: "65+: 19.11%" | "65+: 15.63%"), as pypdf reads them: a row's label,
    then each cell's lines in turn. A run of lines whose labels repeat, block after block, is one row
    a line, its cells the blocks' lines side by side; a few short lines between runs with as many
    blocks label the next; the short lines above the first run are its column headers, one a cell
    when as many of them open with a capital as there are blocks (or as many cells as the header's
    words make, see :func:`header_cells`), else a note."""
    at = [i for i, l in enumerate(lines) if l.strip()]  # blank lines between a table's lines are no break
    parsed = [key_value(lines[i]) for i in at]
    keys = [_norm(kv[0]) if kv else None for kv in parsed]

    def run(p: int, least: int) -> tuple[int, int]:
        """(lines a block, blocks) of the largest run at ``p``, or (0, 0)."""
        for k in range(min(12, (len(keys) - p) // 2), least - 1, -1):
            m = _blocks(keys, p, k)
            if m >= 2:
                return k, m
        return 0, 0

    found: list[tuple[int, int, Table]] = []
    p = last = 0  # ``last``: where the table before ends
    while p < len(at):
        k, m = run(p, 2) if keys[p] else (0, 0)
        if not k:
            p += 1
            continue
        head = p
        while head > last and p - head < 6 and _short(lines[at[head - 1]]):
            head -= 1
        header = [lines[at[h]].strip() for h in range(head, p)]
        rows: list[list[str]] = []
        label_lines: list[str] = []
        end = p
        while k:
            first = lines[at[p]].strip()
            prefix = _prefix(first, parsed[p + k][0] if parsed[p + k] else "")
            label = join_wrapped(label_lines + ([prefix] if prefix else []))
            for j in range(k):
                cells = [lines[at[p + b * k + j]].strip() for b in range(m)]
                if j == 0 and prefix:
                    cells[0] = first[len(prefix) :].strip()
                rows.append([label] + cells)
            end = p + k * m
            # the next row: up to five short label lines, then as many blocks
            q = end
            while q < len(at) and q - end < 5 and keys[q] is None and _short(lines[at[q]]):
                q += 1
            k2, m2 = run(q, 1) if q < len(at) and keys[q] else (0, 0)
            if not k2 or m2 != m:
                break
            label_lines = [lines[at[x]].strip() for x in range(end, q)]
            p, k = q, k2
        capitals = [h for h in header if h[:1].isupper()]
        headers, note = [""] * (m + 1), None
        if header and len(capitals) == m and header[0][:1].isupper():
            cells, current = [], []
            for h in header:
                if h[:1].isupper() and current:
                    cells.append(join_wrapped(current))
                    current = []
                current.append(h)
            headers = [""] + cells + [join_wrapped(current)]
        elif header and len(words := _cells(join_wrapped(header))) == m:  # "Workforce plan Officers in post"
            headers = [""] + words
        elif header:
            note = join_wrapped(header)
        table = Table(caption=None, headers=headers, rows=rows, header_note=note)
        found.append((at[head], at[end - 1] + 1, table))
        p = last = end
    return found


def _prefix(first: str, other_key: str) -> str:
    """The words ``first`` (a run's first line) carries before the label its next block repeats: the
    row's label, read onto the line ("Age 15 – 24: 16%." over "15 – 24: 18.75%")."""
    mine, want = key_value(first), _norm(other_key)
    if not mine or not want or _norm(mine[0]) == want:
        return ""
    toks = first.split()
    for t in range(1, len(toks)):
        rest = key_value(" ".join(toks[t:]))
        if rest and _norm(rest[0]) == want:
            return " ".join(toks[:t])
    return ""
