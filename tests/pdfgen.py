"""A tiny PDF writer for test fixtures: real text-layer PDFs with chosen lines on each page."""

from __future__ import annotations


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A PDF whose page ``i`` shows ``pages[i]``, one line per entry, top to bottom."""
    objects: list[bytes] = []
    n_pages = len(pages)
    page_ids = [4 + 2 * i for i in range(n_pages)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, lines in enumerate(pages):
        content_id = page_ids[i] + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        ops = ["BT", "/F1 10 Tf", "14 TL", "50 800 Td"]
        for line in lines:
            ops.append(f"({_escape(line)}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("cp1252", errors="replace")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    info_ref = ""
    if title:
        objects.append(f"<< /Title ({_escape(title)}) >>".encode())
        info_ref = f" /Info {len(objects)} 0 R"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for num, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{num} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info_ref} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def encrypt_pdf(data: bytes, user_password: str, algorithm: str = "AES-256") -> bytes:
    """``data`` re-written as an encrypted PDF (pypdf)."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def assemble(objects: list[bytes], info: int | None = None) -> bytes:
    """A PDF file of ``objects`` (object 1 is the catalog; ``info`` the number of the /Info dictionary)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for num, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % num + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    extra = b" /Info %d 0 R" % info if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, extra, xref)
    return bytes(out)


def one_page_pdf(ops: list[str], extra: list[bytes] | None = None, info: int | None = None) -> bytes:
    """A one-page A4 PDF drawing ``ops`` with Helvetica as /F1; ``extra`` objects follow as 6, 7, ..."""
    stream = "\n".join(ops).encode("cp1252", errors="replace")
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            *(extra or []),
        ],
        info=info,
    )


def indirect_title_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF whose metadata /Title is an indirect reference to a string object."""
    ops = ["BT", "/F1 10 Tf", "14 TL", "50 800 Td"] + [f"({_escape(line)}) Tj T*" for line in lines] + ["ET"]
    return one_page_pdf(ops, [b"<< /Title 7 0 R /Author 7 0 R >>", f"({_escape(title)})".encode("cp1252")], info=6)


def form_bomb_pdf(megabytes: int = 300) -> bytes:
    """A one-page PDF whose page draws a Form XObject that inflates to ``megabytes`` (a decompression bomb)."""
    import zlib

    body = zlib.compress(b"BT /F1 12 Tf 72 720 Td (x) Tj ET\n" + b" " * (megabytes * 1024 * 1024), 9)
    draw = b"q /X1 Do Q\n"
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /X1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream",
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 6 0 R >> >> "
            b"/Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def table_pdf(
    rows: list[list[str]],
    xs: list[float],
    ruled: bool = False,
    top: float = 760,
    step: float = 16,
    before: list[str] | None = None,
) -> bytes:
    """A one-page PDF with ``rows`` set in columns starting at ``xs`` (optionally with ruling lines)."""
    ops = ["BT", "/F1 9 Tf"]
    y = top
    for line in before or []:
        ops += [f"1 0 0 1 50 {y + 40} Tm", f"({_escape(line)}) Tj"]
        y -= step
    y = top
    for row in rows:
        for x, cell in zip(xs, row):
            if cell:
                ops += [f"1 0 0 1 {x} {y} Tm", f"({_escape(cell)}) Tj"]
        y -= step
    ops.append("ET")
    if ruled:
        left, right = xs[0] - 4, xs[-1] + 90
        ys = [top + 12 - step * i for i in range(len(rows) + 1)]
        ops += [f"{left} {yy} m {right} {yy} l S" for yy in ys]
        ops += [f"{x - 4} {ys[0]} m {x - 4} {ys[-1]} l S" for x in xs] + [f"{right} {ys[0]} m {right} {ys[-1]} l S"]
    return one_page_pdf(ops)


def long_table_pdf(
    header: list[str],
    rows: list[list[str]],
    xs: list[float],
    rows_per_page: int = 40,
    repeat_header: bool = True,
    title: str = "Expenditure by cost centre",
) -> bytes:
    """A table over many pages (as Excel prints one): the header repeated on each page (or not),
    a running title at the top and "Page N" at the foot of every page."""
    pages = [rows[i : i + rows_per_page] for i in range(0, len(rows), rows_per_page)]
    drawn = []
    for n, chunk in enumerate(pages, 1):
        ops = ["BT", "/F1 9 Tf", f"1 0 0 1 50 800 Tm ({_escape(title)}) Tj"]
        y = 770
        for row in ([header] if repeat_header or n == 1 else []) + chunk:
            ops += [f"1 0 0 1 {x} {y} Tm ({_escape(cell)}) Tj" for x, cell in zip(xs, row) if cell]
            y -= 16
        drawn.append(ops + [f"1 0 0 1 280 40 Tm (Page {n}) Tj", "ET"])
    return pages_pdf(drawn)


def pages_pdf(pages: list[list[str]], info: bytes | None = None, size: tuple[int, int] = (595, 842)) -> bytes:
    """An A4 PDF (or pages of ``size`` points) whose page ``i`` draws the content-stream operators
    ``pages[i]`` (Helvetica as /F1); ``info`` is its /Info dictionary, if any."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for ops in pages:
        stream = "\n".join(ops).encode("cp1252", errors="replace")
        kids.append(len(objects) + 1)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size[0]} {size[1]}] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {len(objects) + 2} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    if info:
        objects.append(info)
    return assemble(objects, info=len(objects) if info else None)


def footnote_pdf(pages: list[tuple[list[str], list[str]]]) -> bytes:
    """Pages of 10 pt body lines and 7 pt footnotes at the foot, with "Page N" under them. A body
    line may carry a raised 6 pt reference mark written ``^3`` after a word or figure."""
    drawn = []
    for n, (body, notes) in enumerate(pages, 1):
        ops = ["BT"]
        for i, line in enumerate(body):
            ops.append(f"/F1 10 Tf 0 Ts 1 0 0 1 50 {780 - 14 * i} Tm")
            for k, part in enumerate(line.split("^")):
                mark, rest = (part[0], part[1:]) if k else ("", part)
                if mark:
                    ops.append(f"/F1 6 Tf 4 Ts ({mark}) Tj /F1 10 Tf 0 Ts")
                ops.append(f"({_escape(rest)}) Tj")
        for i, note in enumerate(notes):
            ops.append(f"/F1 7 Tf 0 Ts 1 0 0 1 50 {90 - 9 * i} Tm ({_escape(note)}) Tj")
        drawn.append(ops + [f"/F1 9 Tf 1 0 0 1 280 40 Tm (Page {n}) Tj", "ET"])
    return pages_pdf(drawn)


def two_column_pdf(left: list[str], right: list[str]) -> bytes:
    """A one-page PDF with prose set in two columns, line by line."""
    ops = ["BT", "/F1 10 Tf"]
    for x, lines in ((50, left), (310, right)):
        ops += [f"1 0 0 1 {x} {760 - 14 * i} Tm ({_escape(line)}) Tj" for i, line in enumerate(lines)]
    return one_page_pdf(ops + ["ET"])


def leader_table_pdf(rows: list[tuple[str, list[str]]], xs: list[float]) -> bytes:
    """A table whose ruled grid covers only the figures; the row labels stand to its left with dot leaders."""
    ops, top, step = ["BT", "/F1 9 Tf"], 760, 16
    for i, (label, cells) in enumerate(rows):
        y = top - step * i
        ops.append(f"1 0 0 1 50 {y} Tm ({_escape(label + ' ' + '. ' * 8)}) Tj")
        ops += [f"1 0 0 1 {x} {y} Tm ({_escape(c)}) Tj" for x, c in zip(xs, cells)]
    ops.append("ET")
    left, right = xs[0] - 6, xs[-1] + 70
    ys = [top + 12 - step * i for i in range(len(rows) + 1)]
    ops += [f"{left} {y} m {right} {y} l S" for y in ys]
    ops += [f"{x - 6} {ys[0]} m {x - 6} {ys[-1]} l S" for x in xs] + [f"{right} {ys[0]} m {right} {ys[-1]} l S"]
    return one_page_pdf(ops)


def scanned_copy(
    data: bytes, dpi: int = 200, seed: int = 0, blur: float = 0.6, tilt: float = 1.0, pages: list[int] | None = None
) -> bytes:
    """``data`` as a scanner would return it: each page (or each of ``pages``, 0-based; the others are
    kept as they are) rendered at ``dpi``, in grey, turned by up to ``tilt`` degrees and blurred, in a
    PDF of images with no text layer."""
    import io
    import random

    import pypdfium2
    from pypdf import PdfReader, PdfWriter

    rnd = random.Random(seed)
    pdf = pypdfium2.PdfDocument(data)
    try:
        chosen = range(len(pdf)) if pages is None else pages
        images = {i: scanned_image(pdf[i], dpi, rnd.uniform(-tilt, tilt), blur) for i in chosen}
        count = len(pdf)
    finally:
        pdf.close()
    original = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for i in range(count):
        if i in images:
            buf = io.BytesIO()
            images[i].save(buf, "PDF", resolution=dpi)
            writer.add_page(PdfReader(io.BytesIO(buf.getvalue())).pages[0])
        else:
            writer.add_page(original.pages[i])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_image(page, dpi: int = 200, angle: float = 0.0, blur: float = 0.6):  # noqa: ANN001, ANN201
    """A pypdfium2 page as a scanner would return it: a grey PIL image at ``dpi``, turned ``angle``
    degrees and blurred."""
    from PIL import Image, ImageFilter

    image = page.render(scale=dpi / 72).to_pil().convert("L")
    image = image.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    return image.filter(ImageFilter.GaussianBlur(blur)) if blur else image


def wrapped_label_table_pdf(
    caption: str, headers: list[str], rows: list[tuple[list[str], list[str]]], xs: list[float], size: int = 11
) -> bytes:
    """A one-page PDF: ``caption``, then a table whose row labels wrap over lines (a Word table's
    narrow first column), each row's figures on its first line; a sentence below it."""
    ops, y = ["BT", f"/F1 {size} Tf", f"1 0 0 1 {xs[0]} 740 Tm", f"({_escape(caption)}) Tj"], 700.0
    ops += [f"1 0 0 1 {x} {y} Tm ({_escape(h)}) Tj" for x, h in zip(xs[1:], headers)]
    y -= 2 * size
    for label, figures in rows:
        for i, part in enumerate(label):
            ops += [f"1 0 0 1 {xs[0]} {y} Tm ({_escape(part)}) Tj"]
            if i == 0:
                ops += [f"1 0 0 1 {x} {y} Tm ({_escape(f)}) Tj" for x, f in zip(xs[1:], figures)]
            y -= size + 2  # a wrapped line
        y -= size - 2  # the cell's padding: the next row
    ops += [f"1 0 0 1 {xs[0]} {y - 20} Tm (Overall, the budgets were underspent for the year.) Tj", "ET"]
    return one_page_pdf(ops)


def stacked_label_table_pdf(
    caption: str,
    headers: list[str],
    pages: list[list[tuple[str, list[str]]]],
    xs: list[float],
    size: int = 11,
    prose: list[str] | None = None,
) -> bytes:
    """A table whose first column is one letter wide, as Word sets it: each row's label is drawn one
    glyph per line (a space as a line holding a space), at one x, a line pitch apart, before the row's
    other cells; a cell holding "\\n" wraps there. ``pages`` holds each page's rows; the header is
    repeated at the top of each page, and a row of a later page with no cells goes on with the label
    of the row before the break. ``prose`` lines stand above the caption on the first page, and a
    sentence below the table on the last."""
    pitch = size + 3
    drawn = []
    for n, rows in enumerate(pages):
        ops, y = ["BT", f"/F1 {size} Tf"], 800.0
        if n == 0:
            for line in prose or []:
                ops.append(f"1 0 0 1 {xs[0]} {y} Tm ({_escape(line)}) Tj")
                y -= pitch
            ops.append(f"1 0 0 1 {xs[0]} {y} Tm ({_escape(caption)}) Tj")
            y -= 2 * pitch
        ops += [f"1 0 0 1 {x} {y} Tm ({_escape(h)}) Tj" for x, h in zip(xs[1:], headers)]
        y -= pitch + 6
        for label, cells in rows:
            ops += [f"1 0 0 1 {xs[0]} {y - k * pitch} Tm ({_escape(ch)}) Tj" for k, ch in enumerate(label)]
            for x, cell in zip(xs[1:], cells):
                ops += [
                    f"1 0 0 1 {x} {y - k * pitch} Tm ({_escape(part)}) Tj" for k, part in enumerate(cell.split("\n"))
                ]
            y -= len(label) * pitch + 6  # the cell's padding: the next row
        if n == len(pages) - 1:
            ops.append(f"1 0 0 1 {xs[0]} {y - 20} Tm (Each finding has an agreed action plan.) Tj")
        drawn.append(ops + ["ET"])
    return pages_pdf(drawn)


def wide_table_pdf(
    caption: str,
    headers: list[tuple[str, str]],
    rows: list[list[str]],
    rows_per_page: int | None = None,
    repeat_header: bool = True,
    size: float = 7,
) -> bytes:
    """A landscape A4 PDF of a wide table in small type: ``caption`` above it, a two-line header
    (``("Recorded", "crimes")`` per column, the first over the row labels), then ``rows``; after
    ``rows_per_page`` rows the table goes on over the next page, its header repeated there or not.
    Every page has "Page N" at its foot."""
    xs = [40.0] + [150.0 + 42.0 * i for i in range(len(headers) - 1)]
    per = rows_per_page or len(rows)
    parts = [rows[i : i + per] for i in range(0, len(rows), per)]
    drawn = []
    for n, part in enumerate(parts, 1):
        ops, y = ["BT", f"/F1 {size} Tf"], 540.0
        if n == 1:
            ops.append(f"/F1 {size + 3} Tf 1 0 0 1 40 555 Tm ({_escape(caption)}) Tj /F1 {size} Tf")
            y -= 10
        if n == 1 or repeat_header:
            for line in (0, 1):
                ops += [f"1 0 0 1 {x} {y} Tm ({_escape(h[line])}) Tj" for x, h in zip(xs, headers) if h[line]]
                y -= size + 2
            y -= 4
        for row in part:
            ops += [f"1 0 0 1 {x} {y} Tm ({_escape(c)}) Tj" for x, c in zip(xs, row) if c]
            y -= size + 5
        drawn.append(ops + [f"1 0 0 1 400 30 Tm (Page {n}) Tj", "ET"])
    return pages_pdf(drawn, size=(842, 595))


def hanging_list_pdf(lines: list[tuple[str, str]], size: int = 11, indent: float = 22.0) -> bytes:
    """A one-page PDF of lines set with a hanging indent: each line is (marker, text); a marker ("•",
    "–", or "" for a wrapped line) stands at the margin and the text ``indent`` points to its right."""
    ops, y = ["BT", f"/F1 {size} Tf"], 780.0
    for marker, text in lines:
        if marker:
            ops.append(f"1 0 0 1 72 {y} Tm ({_escape(marker)}) Tj")
        ops.append(f"1 0 0 1 {72 + indent} {y} Tm ({_escape(text)}) Tj")
        y -= size + 4
    return one_page_pdf([*ops, "ET"])


def cell_by_cell_table_pdf(
    caption: str, headers: list[list[str]], rows: list[tuple[list[str], list[str]]], xs: list[float]
) -> bytes:
    """A one-page PDF whose table is drawn a cell at a time, as pypdf then reads it: each header cell's
    wrapped lines in turn ("to air" / "kg/year" / "to water" / ...), and each row's label lines before
    its figures, which sit at the middle of a label wrapped over lines; a sentence below it."""
    ops, y = ["BT", "/F1 10 Tf", f"1 0 0 1 {xs[0]} 760 Tm ({_escape(caption)}) Tj"], 730.0
    for x, cell in zip(xs[1:], headers):
        ops += [f"1 0 0 1 {x} {y - 12 * i} Tm ({_escape(line)}) Tj" for i, line in enumerate(cell)]
    y -= 12 * max(len(c) for c in headers) + 8
    for label, figures in rows:
        ops += [f"1 0 0 1 {xs[0]} {y - 20 * i} Tm ({_escape(line)}) Tj" for i, line in enumerate(label)]
        middle = y - 10 * (len(label) - 1)
        ops += [f"1 0 0 1 {x} {middle} Tm ({_escape(f)}) Tj" for x, f in zip(xs[1:], figures)]
        y -= 20 * len(label) + 6
    ops += [f"1 0 0 1 {xs[0]} {y - 20} Tm (The figures are those reported at the year end.) Tj", "ET"]
    return one_page_pdf(ops)


def columns_part_pdf(title: str, left: list[str], right: list[str], below: list[str], size: int = 10) -> bytes:
    """A one-page PDF: ``title`` across the top, prose in two columns under it (``left`` and ``right``,
    line by line; "" a blank line between paragraphs), then ``below``: lines across the full width."""
    step = size + 4
    ops = ["BT", f"/F1 {size + 6} Tf 1 0 0 1 50 780 Tm ({_escape(title)}) Tj", f"/F1 {size} Tf"]
    for x, lines in ((50, left), (310, right)):
        ops += [f"1 0 0 1 {x} {750 - step * i} Tm ({_escape(line)}) Tj" for i, line in enumerate(lines) if line]
    y = 750 - step * (max(len(left), len(right)) + 2)
    ops += [f"1 0 0 1 50 {y - step * i} Tm ({_escape(line)}) Tj" for i, line in enumerate(below) if line]
    return one_page_pdf([*ops, "ET"])


def text_table_pdf(
    rows: list[tuple[list[str], list[str]]], xs: tuple[float, float] = (50, 310), size: int = 10
) -> bytes:
    """A one-page PDF of a table of two columns of wrapped text, no rules: each row's two cells (their
    lines) start on one baseline, a blank line between rows."""
    step, y = size + 4, 780.0
    ops = ["BT", f"/F1 {size} Tf"]
    for cells in rows:
        for x, lines in zip(xs, cells):
            ops += [f"1 0 0 1 {x} {y - step * i} Tm ({_escape(line)}) Tj" for i, line in enumerate(lines)]
        y -= step * (max(len(c) for c in cells) + 1)
    return one_page_pdf([*ops, "ET"])


def headed_list_pdf(heading: str, items: list[tuple[str, str]], lead: float = 12, size: int = 11) -> bytes:
    """A one-page PDF: ``heading`` in large type across the page, then a list set close under it
    (``lead`` points below), each item (marker, text) with its marker at the heading's left edge."""
    ops = ["BT", f"/F1 {size + 4} Tf 1 0 0 1 72 780 Tm ({_escape(heading)}) Tj", f"/F1 {size} Tf"]
    y = 780 - lead
    for marker, text in items:
        ops += [f"1 0 0 1 72 {y} Tm ({_escape(marker)}) Tj", f"1 0 0 1 94 {y} Tm ({_escape(text)}) Tj"]
        y -= size + 3
    return one_page_pdf([*ops, "ET"])


def listed_cells_table_pdf(
    caption: str, headers: list[str], rows: list[tuple[str, list[list[str]]]], xs: list[float], size: int = 10
) -> bytes:
    """A one-page PDF: ``caption``, then a table whose cells each list lines ("Female: 36%" over
    "Male: 64%"), a row's label beside its cells' first line, a rule between rows; a sentence below."""
    ops, y = ["BT", f"/F1 {size} Tf", f"1 0 0 1 {xs[0]} 760 Tm ({_escape(caption)}) Tj"], 730.0
    ops += [f"1 0 0 1 {x} {y} Tm ({_escape(h)}) Tj" for x, h in zip(xs[1:], headers)]
    rules = [y - 5]
    y -= 2 * size + 2
    for label, cells in rows:
        ops.append(f"1 0 0 1 {xs[0]} {y} Tm ({_escape(label)}) Tj")
        for x, lines in zip(xs[1:], cells):
            ops += [f"1 0 0 1 {x} {y - (size + 3) * i} Tm ({_escape(line)}) Tj" for i, line in enumerate(lines)]
        y -= (size + 3) * max(len(c) for c in cells) + 6
        rules.append(y + size + 1)
    ops += [f"1 0 0 1 {xs[0]} {y - 20} Tm (The workforce is more diverse than it was five years ago.) Tj", "ET"]
    ops += [f"{xs[0] - 4} {r} m {xs[-1] + 150} {r} l S" for r in rules]
    return one_page_pdf(ops)


def sized_lines_pdf(lines: list[tuple[str, float, float, float]]) -> bytes:
    """A one-page A4 PDF of ``lines``, each (text, type size, x, y) in Helvetica: a cover's logo, title and
    date in their sizes above body text."""
    ops = ["BT"] + [f"/F1 {size} Tf 1 0 0 1 {x} {y} Tm ({_escape(text)}) Tj" for text, size, x, y in lines]
    return one_page_pdf(ops + ["ET"])
