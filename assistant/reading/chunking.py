"""Structure-aware chunking: the citation unit is the report's own numbered paragraph.

Numbered paragraphs (``2.2``, ``3.6``, ``1.``) become chunks carrying their number and
heading; tables give one chunk per row (with caption and column headers) plus one for the
whole table; unnumbered prose is chunked by headings and blank lines; long passages are
split with overlap and keep their paragraph number.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ..documents import Chunk, SourceDocument
from .cleaning import join_wrapped
from .layout import note_mark
from .tables import Table, find_pdf_tables, is_number, parse_grid, split_row

_NUMBERED = re.compile(r"^\s*(?:[-•◆▪●*–]\s*)?(\d{1,2}(?:\.\d{1,2}){0,3})(\.|\))?(?:\s+(.*))?$")
_INLINE_NUMBER = re.compile(r"(?<=\s)(\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)\.?(?=\s+[A-Z(]|\s*$)")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
_BULLET = re.compile(r"^\s*[-•◆▪●*–]\s")
_RULE = re.compile(r"^[\s:|\-=_]+$")
_CAPTION = re.compile(r"(?i)^table\s*\d*\s*[:.\-–]")
_OWN_TITLE = re.compile(r"^([A-Z][\w&/,'’()\- ]{1,60}?)\.(?:\s|$)")
_SPLIT_STOP = re.compile(r"^[.;,:]+\s+(?=\S)")
MERGE_TARGET = 600  # consecutive small blocks of one paragraph are merged up to this size
TABLE_CHUNK_MAX = 6000


@dataclass
class Line:
    text: str
    page: int | None
    start: int
    end: int


@dataclass
class Block:
    kind: str  # "text" | "table"
    lines: list[Line]
    paragraph: str | None
    heading: str | None
    table: Table | None = None
    section: str | None = None


@dataclass
class _Run:
    """A tentative run of top-level numbered paragraphs (1., 2., ...) that may prove to be a list."""

    start: int  # index of its first block
    enclosing: tuple[str | None, tuple[int, ...] | None]  # the paragraph in force before it
    labels: set[str]
    first: Line
    last: Line

    def short(self) -> bool:
        """A list sits on a page or two; a report's own numbering runs through it."""
        if self.first.page is not None and self.last.page is not None:
            return self.last.page - self.first.page <= 1
        return self.last.end - self.first.start <= 5000


@dataclass
class _State:
    paragraph: str | None = None
    number: tuple[int, ...] | None = None
    section: str | None = None
    section_number: tuple[int, ...] | None = None
    section_guessed: bool = False  # the section is a plain heading line's, not a marked or numbered heading's
    title: str | None = None
    title_from_line: bool = False  # the title is the rest of a numbered line ("12.1 DCC Amanda Blakeman")
    pdf: bool = False
    buffer: list[Line] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    run: _Run | None = None
    list_next: int | None = None  # the next item number of a numbered list being read
    contents: bool = False  # reading a table of contents ("3.3.5 Segment specific recommendations 21")

    def last_line(self) -> str:
        if self.buffer:
            return self.buffer[-1].text.rstrip()
        if self.blocks and self.blocks[-1].kind == "text":
            return self.blocks[-1].lines[-1].text.rstrip()
        return ""

    def unwind(self, run: _Run) -> None:
        """The run was a list after all: its items belong to the paragraph in force before it."""
        for block in self.blocks[run.start :]:
            if block.paragraph in run.labels:
                block.paragraph = run.enclosing[0]
        self.paragraph, self.number = run.enclosing

    @property
    def heading(self) -> str | None:
        return self.title or self.section

    def flush(self) -> None:
        if self.title is None and self.paragraph and self.buffer and _NUMBERED.match(self.buffer[0].text):
            # A wrapped PDF line may cut the paragraph's own title ("3.2 Digital" / "Strategy. In ...").
            head = " ".join(l.text.strip() for l in self.buffer[:2])
            rest = (_NUMBERED.match(head).group(3) or "") if _NUMBERED.match(head) else ""
            own = _OWN_TITLE.match(rest)
            if own and len(own.group(1).split()) <= 6 and _title_case(own.group(1), 1.0):
                self.title = own.group(1).strip()
        if self.title_from_line and len(self.buffer) == 1:
            self.title = None  # a one-line paragraph: its text is content, not a title
        self.title_from_line = False
        if any(l.text.strip() for l in self.buffer):
            self.blocks.append(Block("text", self.buffer, self.paragraph, self.heading, section=self.section))
        self.buffer = []


def document_lines(doc: SourceDocument) -> list[Line]:
    """Every line of the document with its page and character offsets in the joined text."""
    lines: list[Line] = []
    offset = 0
    for page in doc.pages:
        for text in page.text.split("\n"):
            lines.append(Line(text, page.number, offset, offset + len(text)))
            offset += len(text) + 1
    return lines


def _parse_number(num: str) -> tuple[int, ...]:
    return tuple(int(p) for p in num.split("."))


def is_successor(prev: tuple[int, ...] | None, cand: tuple[int, ...]) -> bool:
    """Whether ``cand`` can follow paragraph ``prev`` (3.1 -> 3.2, 3.9 -> 4.1, 3 -> 3.1, 3.2 -> 3.2.1); with
    none before it, whether it can open a report's numbering (1, 2.1; not 2.60, a figure)."""
    if prev is None:
        return cand[0] <= 2 and all(c <= 1 for c in cand[1:])
    if cand == prev + (1,):
        return True
    for k in range(len(prev)):
        if cand[:k] == prev[:k] and len(cand) > k and cand[k] == prev[k] + 1 and all(c == 1 for c in cand[k + 1 :]):
            return True
    return False


def _plausible(prev: tuple[int, ...] | None, cand: tuple[int, ...]) -> bool:
    """Looser test for a number at the start of a line: forward, and not far ahead."""
    if prev is None:
        return cand[0] <= 3
    return is_successor(prev, cand) or (cand > prev and cand[0] - prev[0] <= 2)


_FORM_FIELD = re.compile(r"^[A-Z][A-Za-z /&()'-]{1,40}:\s+\S")


def _heading_like(text: str) -> bool:
    t = text.strip()
    if not t or len(t) > 70 or len(t.split()) > 9 or t.endswith((".", ",", ";", ":")) or _BULLET.match(t):
        return False
    if _FORM_FIELD.match(t):
        return False  # "Date of Meeting: May 2017" is a form's field and its value, not a heading
    letters = [c for c in t if c.isalpha()]
    return bool(letters) and (t[0].isupper() or t[0].isdigit()) and sum(c.isupper() for c in letters) >= 1


def _title_case(text: str, share: float) -> bool:
    """Whether at least ``share`` of the longer words are capitalised (a title, not a sentence)."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= share * len(words)


def _split_inline(text: str, prev: tuple[int, ...] | None) -> list[str]:
    """Split a line where paragraphs run on inline (``... functions. 3.2 Digital Strategy.``)."""
    pieces: list[str] = []
    last = 0
    current = prev
    lead = _NUMBERED.match(text)
    if lead and (lead.group(2) or "." in lead.group(1)):
        current = _parse_number(lead.group(1))
    for m in _INLINE_NUMBER.finditer(text):
        if m.start() == 0:
            continue
        cand = _parse_number(m.group(1))
        if is_successor(current, cand):
            pieces.append(text[last : m.start()].rstrip())
            last = m.start()
            current = cand
    pieces.append(text[last:])
    return [p for p in pieces if p.strip()]


def _grid_caption(lines: list[Line], i: int) -> str | None:
    back = [l.text.strip() for l in lines[max(0, i - 3) : i] if l.text.strip()]
    if not back:
        return None
    cap = back[-1].strip("|# ").strip()
    if re.match(r"(?i)^table\b", cap):
        return re.sub(r"(?i)^table\s*\d*\s*[:.\-–]?\s*", "", cap) or None
    numbered = _NUMBERED.match(cap)
    if numbered and numbered.group(3) and "." in numbered.group(1) and len(numbered.group(3)) <= 60:
        cap = numbered.group(3)  # "5.3 Funding Summary" captions the table below it
    elif numbered:
        return None
    return cap if len(cap) <= 80 and not cap.endswith((".", ":")) else None


def _bare_pipe_cells(line: str) -> int:
    """Cells of a table row written ``a | b | c`` without outer pipes (0 if it is not one)."""
    s = line.strip()
    if s.startswith("|") or s.count(" | ") < 1:
        return 0
    return s.count(" | ") + 1


def _continuation(lines: list[Line], j: int) -> int | None:
    """Where a ``| cell |`` table ending at line ``j`` goes on, on the next page, with as many
    columns: past blank lines and up to three short lines of page furniture ("Page 5",
    "Table 2 (continued)"); None if it does not."""
    if j == 0 or j >= len(lines):
        return None
    last = lines[j - 1]
    width = len(split_row(last.text, "|"))
    k, furniture = j, 0
    while k < len(lines) and not lines[k].text.strip().startswith("|"):
        text = lines[k].text.strip()
        if text:
            furniture += 1
            if furniture > 3 or len(text) > 40:
                return None
        k += 1
    if k >= len(lines) or lines[k].page == last.page or len(split_row(lines[k].text, "|")) != width:
        return None
    return k


def _tabbed_prose(line: str) -> bool:
    """A line of prose whose word gaps a PDF reader wrote as tabs ("disease\tand\t5.7%\tfrom\tstroke"),
    not a tab-separated table row: five or more cells, half of them a single lower-case word."""
    cells = [c.strip() for c in line.split("\t") if c.strip()]
    words = sum(1 for c in cells if " " not in c and c[:1].islower() and c.isalpha())
    return len(cells) >= 5 and words >= 0.5 * len(cells)


def segment(lines: list[Line]) -> list[tuple[str, object]]:
    """Lines -> a sequence of ("line", Line) and ("table", (Table, [Line])) items."""
    lines = list(lines)  # a line of prose set with tabs is replaced below
    items: list[tuple[str, object]] = []
    text_run: list[Line] = []

    def flush_text() -> None:
        spans = find_pdf_tables([l.text for l in text_run])
        pos = 0
        for start, end, table in spans:
            items.extend(("line", l) for l in text_run[pos:start])
            items.append(("table", (table, text_run[start:end])))
            pos = end
        items.extend(("line", l) for l in text_run[pos:])
        text_run.clear()

    i, n = 0, len(lines)
    while i < n:
        s = lines[i].text
        if "\t" in s and _tabbed_prose(s):  # justified text whose word gaps came out as tabs
            lines[i] = Line(s.replace("\t", " "), lines[i].page, lines[i].start, lines[i].end)
            s = lines[i].text
        sep = "|" if s.strip().startswith("|") else "\t" if len([c for c in s.split("\t") if c.strip()]) >= 2 else None
        bare = (
            sep is None
            and _bare_pipe_cells(s) > 0
            and _bare_pipe_cells(lines[i + 1].text if i + 1 < n else "") == _bare_pipe_cells(s)
        )
        if bare:
            sep = "|"
        if sep is None:
            text_run.append(lines[i])
            i += 1
            continue
        j = i
        while j < n:
            t = lines[j].text
            if bare and _bare_pipe_cells(t) > 0:
                j += 1
            elif sep == "|" and not bare and t.strip().startswith("|"):
                j += 1
            elif sep == "\t" and "\t" in t:
                j += 1
            elif sep == "\t" and not t.strip() and j + 1 < n and "\t" in lines[j + 1].text:
                j += 1
            else:
                break
        block = lines[i:j]
        while sep == "|" and not bare and (k := _continuation(lines, j)) is not None:
            end = k
            while end < n and lines[end].text.strip().startswith("|"):
                end += 1
            block, j = block + lines[k:end], end  # the table goes on over the page break
        flush_text()
        table = parse_grid([l.text for l in block if l.text.strip()], sep, _grid_caption(lines, i))
        if table is not None:
            items.append(("table", (table, block)))
        else:  # a layout table: its rows are prose lines
            for l in block:
                cells = [c for c in split_row(l.text, sep) if c and not _RULE.match(c)]
                items.append(("line", Line(" ".join(cells), l.page, l.start, l.end)))
        i = j
    flush_text()
    return items


def build_blocks(items: list[tuple[str, object]], pdf: bool = False) -> list[Block]:
    """Assign paragraph numbers and headings to text and table blocks."""
    st = _State(pdf=pdf)
    for pos, (kind, item) in enumerate(items):
        if kind == "table":
            table, tlines = item  # type: ignore[misc]
            st.flush()
            if not table.caption:
                # A stub-column header that names the table ("Financial Performance 2018/19")
                # says more than the section heading does.
                stub = table.headers[0] if table.headers else ""
                table.caption = stub if len(stub.split()) >= 2 and not is_number(stub) else st.heading
            st.blocks.append(Block("table", tlines, st.paragraph, st.heading, table, section=st.section))
            continue
        line: Line = item  # type: ignore[assignment]
        text = line.text.strip()
        if not text:
            st.flush()
            continue
        if _RULE.match(text) or _CAPTION.match(text):
            continue  # a rule line, or a table caption (kept with its table)
        md = _MD_HEADING.match(text)
        if md:
            text = md.group(1).strip()
        pieces = _split_inline(text, st.number)
        nxt = items[pos + 1][1] if pos + 1 < len(items) and items[pos + 1][0] == "line" else None
        next_text = nxt.text.strip() if isinstance(nxt, Line) else ""
        for i, piece in enumerate(pieces):
            _feed(st, piece, line, is_heading=bool(md), next_text=pieces[i + 1] if i + 1 < len(pieces) else next_text)
    st.flush()
    return st.blocks


def _feed(st: _State, text: str, line: Line, is_heading: bool, next_text: str = "") -> None:
    sub = Line(text, line.page, line.start, line.end)
    m = _NUMBERED.match(text)
    entry = _contents_entry(text)
    if entry and (st.contents or _contents_entry(next_text)):
        # a contents page lists the numbers the report uses later: they are not paragraphs here
        st.contents = True
        st.buffer.append(sub)
        return
    st.contents = st.contents and not m  # a contents page may hold unnumbered lines ("Appendices 22")
    if (
        m
        and not m.group(2)
        and ((m.group(3) or next_text)[:1].islower())
        and not (st.number is not None and is_successor(st.number, _parse_number(m.group(1))))
    ):
        m = None  # "… for 1.5" / "minutes about …": a figure in a wrapped sentence, not paragraph 1.5
    if m and (m.group(2) or "." in m.group(1)):
        num = _parse_number(m.group(1))
        rest = (m.group(3) or "").strip()
        depth_one = len(num) == 1
        opens = depth_one and _opens_section(num, next_text)  # "5. NEXT STEPS" then "• 5.1 …": not a list's item 5
        if depth_one and not opens and st.list_next == num[0]:
            st.list_next += 1
            _list_item(st, sub, rest)
            return
        st.list_next = None
        if (
            depth_one
            and not opens
            and st.number is not None
            and not is_successor(st.number[:1], num)
            and (len(st.number) > 1 or st.number == st.section_number)
        ):
            # A numbered list inside a paragraph or section (4. COLLABORATION / 1. ANPR ...):
            # the items keep the enclosing paragraph number; a short item names the block.
            if _lower_than(rest, st.section):  # its items are set unlike the sections: "5. National …" is item 5
                st.list_next = num[0] + 1
            _list_item(st, sub, rest)
            return
        # A numbered heading ("1. Introduction"), unless a PDF line wrapped ("... Cyber" / "threats.").
        heading = bool(rest) and (_heading_like(rest) or is_heading) and not (st.pdf and next_text[:1].islower())
        if num == (1,):
            # "1." after a lead-in ("... 10 key deliverables:") or restarting the numbering
            # begins a list, not the report's own paragraph 1 (a short run before it was one too).
            restart = st.run is not None and len(st.run.labels) >= 2
            if st.last_line().endswith(":") or (restart and not heading):
                st.flush()
                if restart and st.run.short():
                    st.unwind(st.run)
                st.run, st.list_next = None, 2
                _list_item(st, sub, rest)
                return
        if depth_one and heading and len(rest) <= 70:
            st.flush()
            if st.run is not None:
                st.run.labels.add(m.group(1))
            st.paragraph, st.number, st.section, st.title = m.group(1), num, rest, None
            st.section_guessed = False
            st.section_number = num
            return
        if depth_one or _plausible(st.number, num):
            st.flush()
            if num == (1,):
                st.run = _Run(len(st.blocks), (st.paragraph, st.number), set(), sub, sub)
            if depth_one and st.run is not None:
                st.run.labels.add(m.group(1))
                st.run.last = sub
            st.paragraph, st.number, st.title = m.group(1), num, None
            own = _OWN_TITLE.match(rest)
            if own and len(own.group(1).split()) <= 6 and _title_case(own.group(1), 1.0):
                st.title = own.group(1).strip()
            elif (
                rest
                and not depth_one
                and _heading_like(rest)
                and "," not in rest
                and len(rest.split()) >= 2
                and _title_case(rest, 0.5)
            ):
                st.title, st.title_from_line = rest, True
            st.buffer.append(sub)
            return
    if is_heading or (
        _heading_like(text)
        and (
            _ends_sentence(st.buffer, st.pdf)
            and _starts_body(next_text, st.pdf)
            and not (st.pdf and _wraps_on(text, next_text))
            or _capitals_over_list(text, next_text)
        )
    ):
        st.flush()
        if is_heading and st.paragraph is None:
            st.section, st.title, st.section_guessed = text, None, False
        elif (st.number is None and (st.section is None or st.section_guessed)) or (
            st.number is not None and len(st.number) == 1 and st.number != st.section_number
        ):
            # paragraphs numbered 1, 2, 3 … with unnumbered headings between them (an appeal decision, a
            # committee report), or no numbered paragraphs and no marked headings: the heading names the
            # section the next paragraphs stand in (a numbered list item does not end it), and belongs
            # to no paragraph (not the one before it)
            st.section, st.title, st.paragraph, st.section_guessed = text, None, None, True
        else:
            st.title = text
        st.buffer.append(sub)  # a heading stays in the text too (its own line): nothing is lost to a wrong guess
        st.flush()
        return
    st.buffer.append(sub)


_PAGE_REFERENCE = re.compile(r"^[^.!?;:]*[^\W\d][^.!?;:]*\s\d{1,3}$")


def _contents_entry(text: str) -> bool:
    """A numbered line of a table of contents: a short title ending in its page number ("1.3 The
    software providers 7"), with no sentence's punctuation."""
    m = _NUMBERED.match(text)
    rest = (m.group(3) or "") if m and (m.group(2) or "." in m.group(1)) else ""
    return bool(rest) and len(rest.split()) <= 12 and bool(_PAGE_REFERENCE.match(rest.strip()))


def _lower_than(item: str, section: str | None) -> bool:
    """Whether a list item's name is set in ordinary case under a section heading in capitals."""
    letters = [c for c in item if c.isalpha()]
    return bool(section and section.isupper() and letters) and not all(c.isupper() for c in letters)


def _opens_section(num: tuple[int, ...], next_text: str) -> bool:
    """Whether the line after top-level number ``num`` is its first subparagraph (5. then 5.1)."""
    m = _NUMBERED.match(next_text)
    return bool(m) and _parse_number(m.group(1)) == num + (1,)


def _list_item(st: _State, line: Line, rest: str) -> None:
    st.flush()
    st.buffer.append(line)
    if rest and _heading_like(rest):
        st.title = rest
        st.flush()  # the item's name is its own line, merged with its text below


_RUNS_ON = frozenset("the a an of and or to in on for with by from as at is are was were be that which who".split())


def _wraps_on(text: str, next_text: str) -> bool:
    """Whether a PDF line is a sentence's first line, not a heading: it ends in a word a sentence goes on
    from ("… processes show the") and the next line takes it up in lower case ("importance of …")."""
    words = text.split()
    return bool(words) and words[-1].lower() in _RUNS_ON and next_text[:1].islower()


def _capitals_over_list(text: str, next_text: str) -> bool:
    """A name of two or more words in capitals over a bulleted line ("PROGRAMME BOARD" / "• Frequency:
    Monthly"), or over another such name ("JOINT GOVERNANCE" / "STRATEGIC BOARD"), heads what follows
    wherever it stands: boxes of a chart, one after another, each with its own list."""
    if not _capitals(text):
        return False
    return bool(_BULLET.match(next_text)) or _capitals(next_text) and _heading_like(next_text)


def _capitals(text: str) -> bool:
    words = re.findall(r"[A-Za-z][A-Za-z'’&-]*", text)
    return len(words) >= 2 and all(w.isupper() for w in words if len(w) > 1) and sum(len(w) > 2 for w in words) >= 2


def _starts_body(next_text: str, pdf: bool) -> bool:
    """In a PDF a heading is followed by body text, not by another fragment of a narrow column."""
    if not pdf or not next_text:
        return True
    return len(next_text) >= 45 or bool(_BULLET.match(next_text) or _NUMBERED.match(next_text))


def _ends_sentence(buffer: list[Line], pdf: bool) -> bool:
    """Whether a new heading may start here: after a finished sentence (PDF) or a short line (text)."""
    if not buffer:
        return True
    last = buffer[-1].text.rstrip()
    return last.endswith((".", ":", "!", "?", ";", "”", '"')) or (not pdf and len(last) < 40)


def _chunk_id(doc_id: str, kind: str, paragraph: str | None, text: str, seen: dict[str, int]) -> tuple[str, str]:
    content_hash = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    key = hashlib.sha1(f"{doc_id}|{kind}|{paragraph}|{text}".encode()).hexdigest()[:16]
    seen[key] = seen.get(key, 0) + 1
    suffix = f"-{seen[key]}" if seen[key] > 1 else ""
    return f"{doc_id}:{key}{suffix}", content_hash


def chunk_document(doc: SourceDocument, chunk_size: int = 1000, overlap: int = 150) -> list[Chunk]:
    """Split a loaded document into citation-ready chunks."""
    blocks = build_blocks(segment(document_lines(doc)), pdf=doc.kind == "pdf")
    joiner = (
        (lambda ls: join_wrapped([l.text for l in ls]))
        if doc.kind == "pdf"
        else (lambda ls: "\n".join(l.text.strip() for l in ls if l.text.strip()))
    )
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=overlap,
        add_start_index=True,
        separators=["\n\n", "\n", ". ", " • ", "; ", ", ", " ", ""],
    )
    merged = _merge_small(blocks, joiner)
    chunks: list[Chunk] = []
    for block, text in merged:
        first, last = block.lines[0], block.lines[-1]
        span = (first.start, last.end)
        pages = [l.page for l in block.lines if l.page is not None]
        page, page_end = (min(pages), max(pages)) if pages else (None, None)
        if block.kind == "table" and block.table is not None:
            table = block.table
            chunks.append(
                Chunk(
                    table.render()[:TABLE_CHUNK_MAX],
                    "table",
                    block.paragraph,
                    block.heading,
                    page,
                    page_end,
                    span,
                    table.caption,
                    section=block.section,
                )
            )
            for index, (row, row_page) in enumerate(zip(table.rows, _row_pages(table.rows, block.lines, page))):
                row_text = table.linearise(row, index)
                for piece in _split(splitter, row_text, chunk_size):
                    chunks.append(
                        Chunk(
                            piece,
                            "table_row",
                            block.paragraph,
                            block.heading,
                            row_page,
                            row_page,
                            span,
                            table.caption,
                            section=block.section,
                            columns=" | ".join(h for h in table.headers if h) or None,
                        )
                    )
            continue
        pieces = splitter.create_documents([text]) if len(text) > chunk_size else None
        if not pieces:
            chunks.append(
                Chunk(text, "paragraph", block.paragraph, block.heading, page, page_end, span, section=block.section)
            )
            continue
        length = max(len(text), 1)
        src_len = span[1] - span[0]
        for piece in pieces:
            # the splitter keeps a sentence's stop with the piece after it (". The next …"): it stays with the
            # sentence, which the piece before holds
            content = _SPLIT_STOP.sub("", piece.page_content)
            start = piece.metadata.get("start_index", 0) + len(piece.page_content) - len(content)
            s = span[0] + int(src_len * start / length)
            e = span[0] + int(src_len * (start + len(content)) / length)
            chunks.append(
                Chunk(
                    content,
                    "paragraph",
                    block.paragraph,
                    block.heading,
                    page,
                    page_end,
                    (s, e),
                    section=block.section,
                )
            )
    chunks += _footnotes(doc, blocks)
    seen: dict[str, int] = {}
    for chunk in chunks:
        chunk.chunk_id, chunk.content_hash = _chunk_id(doc.doc_id, chunk.kind, chunk.paragraph, chunk.text, seen)
    return chunks


def _footnotes(doc: SourceDocument, blocks: list[Block]) -> list[Chunk]:
    """Each page's footnotes as passages of their own ("Footnote 3"), under the section the page is in."""
    chunks, offset = [], sum(len(p.text) + 1 for p in doc.pages)
    for page in (p for p in doc.pages if p.notes):
        section = next(
            (
                b.section
                for b in reversed(blocks)
                if b.lines[0].page is not None and page.number is not None and b.lines[0].page <= page.number
            ),
            None,
        )
        for note in page.notes:
            mark = note_mark(note)
            heading = f"Footnote {mark}" if mark else "Footnote"
            chunks.append(
                Chunk(
                    note,
                    "paragraph",
                    None,
                    heading,
                    page.number,
                    page.number,
                    (offset, offset + len(note)),
                    section=section,
                )
            )
            offset += len(note) + 1
    return chunks


def _row_pages(rows: list[list[str]], lines: list[Line], default: int | None) -> list[int | None]:
    """The page each table row is printed on: that of the first line, in order, holding its label,
    or failing that (a label wrapped over two lines) its first figure of three digits or more."""
    texts = [" ".join(line.text.split()) for line in lines]
    pages, pos, page = [], 0, default
    for row in rows:
        label = " ".join(next((c for c in row if c and not is_number(c)), "").split()[:4])
        figure = next((c.strip() for c in row if is_number(c) and sum(ch.isdigit() for ch in c) >= 3), "")
        for key in (label, figure):
            at = next((k for k in range(pos, len(lines)) if key and key in texts[k]), None)
            if at is not None:
                page, pos = lines[at].page, at + 1
                break
        pages.append(page)
    return pages


def _split(splitter: RecursiveCharacterTextSplitter, text: str, size: int) -> list[str]:
    return [text] if len(text) <= size else splitter.split_text(text)


def _merge_small(blocks: list[Block], joiner) -> list[tuple[Block, str]]:
    """Merge consecutive text blocks of one paragraph and heading while they stay small."""
    out: list[tuple[Block, str]] = []
    for block in blocks:
        if block.kind != "text":
            out.append((block, ""))
            continue
        text = joiner(block.lines)
        if not text.strip():
            continue
        if out:
            prev, prev_text = out[-1]
            same = prev.kind == "text" and prev.paragraph == block.paragraph
            fits = len(prev_text) + len(text) <= MERGE_TARGET
            title_only = len(prev.lines) == 1 and len(prev_text) < 80  # a lone heading line joins its body
            if same and (title_only or (fits and prev.heading == block.heading)):
                merged = Block(
                    "text",
                    prev.lines + block.lines,
                    prev.paragraph,
                    block.heading or prev.heading,
                    section=block.section,
                )
                out[-1] = (merged, f"{prev_text}\n{text}")
                continue
        out.append((block, text))
    return out
