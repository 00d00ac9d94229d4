"""Words set one letter per line in a narrow table column (issue 28): read as words, on their row."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pytest
from conftest import GWENT_PDF
from pdfgen import make_pdf, pages_pdf, stacked_label_table_pdf
from pypdf import PdfReader

from assistant.reading.chunking import chunk_document
from assistant.reading.loading import Limits, load_document
from assistant.reading.stacking import restack, stacked_pages

HEADERS = ["Opinion", "Report", "Controls", "Findings"]
XS = [60.0, 74.0, 190.0, 290.0, 390.0]  # the first column is one letter wide
PROSE = ["The internal auditor reviewed five areas in the year.", "Two of them were rated limited."]


def _chunks(data: bytes, tmp_path: Path, reader: str = "pypdf") -> list:
    path = tmp_path / f"audit-{reader}.pdf"
    path.write_bytes(data)
    return chunk_document(load_document(path, data, limits=Limits(pdf_reader=reader)))


def _rows(chunks: list) -> list[str]:
    return [c.text for c in chunks if c.kind == "table_row"]


def _pypdf(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("reader", ["pypdf", "layout"])
def test_labels_set_one_letter_per_line_are_read_as_words_on_their_rows(tmp_path, reader):
    data = stacked_label_table_pdf(
        "Table 3: Audit findings 2023/24",
        HEADERS,
        [
            [
                ("Custody Records", ["LIMITED", "02-\nJan-\n24", "31", "6"]),
                ("Firearms Licensing", ["SUBSTANTIAL", "14-\nMar-\n24", "22", "0"]),
            ]
        ],
        XS,
        prose=PROSE,
    )
    assert "C\nu\ns\nt\no\nd\ny" in _pypdf(data)[0]  # the symptom: one letter a line
    chunks = _chunks(data, tmp_path, reader)
    rows = _rows(chunks)
    custody = next(r for r in rows if "Custody Records" in r)
    assert re.search(r"Opinion LIMITED \| Report 02-Jan-24 \| Controls 31 \| Findings 6$", custody), custody
    firearms = next(r for r in rows if "Firearms Licensing" in r)
    assert "Opinion SUBSTANTIAL | Report 14-Mar-24 | Controls 22 | Findings 0" in firearms
    assert all(c.page == 1 for c in chunks)
    prose = " ".join(c.text for c in chunks if c.kind == "paragraph")
    assert "reviewed five areas in the year" in prose and "agreed action plan" in prose  # the page's prose kept


def test_a_label_continued_over_a_page_break_joins_its_row(tmp_path):
    """The label runs past the foot of the page and goes on under the next page's repeated header, in a
    row of its own: it is the end of the last row's label (a space included, drawn as a line of its own)."""
    data = stacked_label_table_pdf(
        "Table 3: Audit findings 2023/24",
        HEADERS,
        [
            [
                ("Custody Records", ["LIMITED", "02-Jan-24", "31", "6"]),
                ("Fleet Man", ["MODERATE", "07-Feb-24", "18", "2"]),
            ],
            [
                ("agement", []),
                ("Estates", ["LIMITED", "11-Mar-24", "9", "4"]),
                ("Victim", ["SUBSTANTIAL", "", "7", "1"]),
            ],
            [(" Services", []), ("Payroll", ["MODERATE", "19-Apr-24", "12", "3"])],
        ],
        XS,
        prose=PROSE,
    )
    assert stacked_pages(_pypdf(data)) == [0, 1, 2]
    rows = _rows(_chunks(data, tmp_path))
    labels = [r.split(" | ")[1] for r in rows]
    assert labels == ["Custody Records", "Fleet Management", "Estates", "Victim Services", "Payroll"], rows
    fleet = next(r for r in rows if "Fleet Management" in r)
    assert "Opinion MODERATE | Report 07-Feb-24 | Controls 18 | Findings 2" in fleet
    assert "Controls 7 | Findings 1" in next(r for r in rows if "Victim Services" in r)


def test_a_continuation_with_figures_of_its_own_is_a_row_of_its_own(tmp_path):
    """Only a row holding nothing but its label goes on from the page before: one with figures is its own row."""
    data = stacked_label_table_pdf(
        "Table 3: Audit findings 2023/24",
        HEADERS,
        [
            [("Custody", ["LIMITED", "02-Jan-24", "31", "6"])],
            [("Estates", ["LIMITED", "11-Mar-24", "9", "4"])],
        ],
        XS,
    )
    labels = [r.split(" | ")[1] for r in _rows(_chunks(data, tmp_path))]
    assert labels == ["Custody", "Estates"]


def test_pages_without_stacks_read_exactly_as_before(tmp_path):
    """A page with no word set one letter per line is not re-read: its text is pypdf's, as before, even
    in a document whose other page is repaired."""
    plain = [
        "BT",
        "/F1 11 Tf",
        "1 0 0 1 60 800 Tm (Table 2: Calls answered) Tj",
        "1 0 0 1 200 780 Tm (2022/23) Tj 1 0 0 1 300 780 Tm (2023/24) Tj",
        "1 0 0 1 60 760 Tm (999 calls) Tj 1 0 0 1 200 760 Tm (12,636) Tj 1 0 0 1 300 760 Tm (14,189) Tj",
        "1 0 0 1 60 740 Tm (101 calls) Tj 1 0 0 1 200 740 Tm (20,961) Tj 1 0 0 1 300 740 Tm (21,066) Tj",
        "1 0 0 1 60 700 Tm (A) Tj 1 0 0 1 60 686 Tm (B) Tj 1 0 0 1 80 686 Tm (second option) Tj",
        "1 0 0 1 60 660 Tm (Demand rose in the year.) Tj",
        "ET",
    ]
    alone = pages_pdf([plain])
    stacked = stacked_label_table_pdf(
        "Audit findings", HEADERS, [[("Custody Records", ["LIMITED", "", "31", "6"])]], XS
    )
    both = pages_pdf([plain, *_page_ops(stacked)])
    assert stacked_pages(_pypdf(alone)) == [] and stacked_pages(_pypdf(both)) == [1]
    (tmp_path / "a.pdf").write_bytes(alone)
    (tmp_path / "b.pdf").write_bytes(both)
    before = load_document(tmp_path / "a.pdf", alone).pages[0].text
    after = load_document(tmp_path / "b.pdf", both).pages
    assert after[0].text == before
    assert "| Custody Records | LIMITED |" in after[1].text
    # A page showing the signal is re-read, but a stack that stands in no table (a list of letters) is left.
    letters = make_pdf([["Options:", "a", "b", "c", "d", "e", "Pick one."]])
    assert stacked_pages(_pypdf(letters)) == [0]
    with pdfplumber.open(io.BytesIO(letters)) as pdf:
        assert restack(_pypdf(letters), lambda i: pdf.pages[i].chars, [0]) == {}


def _page_ops(pdf: bytes) -> list[list[str]]:
    """The content-stream operators of each page of a PDF ``pages_pdf`` wrote."""
    return [p.get_contents().get_data().decode("cp1252").split("\n") for p in PdfReader(io.BytesIO(pdf)).pages]


def test_the_repair_loses_no_glyph(tmp_path):
    """Every letter and figure pypdf read is still there after the repair, and no other."""
    data = stacked_label_table_pdf(
        "Audit findings",
        HEADERS,
        [
            [("Custody Records", ["LIMITED", "02-\nJan-\n24", "31", "6"]), ("Fleet Man", ["MODERATE", "", "18", "2"])],
            [("agement", []), ("Estates", ["LIMITED", "11-Mar-24", "9", "4"])],
        ],
        XS,
        prose=PROSE,
    )
    (tmp_path / "a.pdf").write_bytes(data)
    repaired = "".join(p.text for p in load_document(tmp_path / "a.pdf", data).pages)
    assert sorted(re.sub(r"[\W_]", "", repaired)) == sorted(re.sub(r"[\W_]", "", "".join(_pypdf(data))))


@pytest.mark.slow
def test_the_gwent_audit_findings_table_reads_as_rows():
    """The sample corpus's own case: the internal audit table of the Gwent ICT report (pages 9-14)."""
    data = GWENT_PDF.read_bytes()
    chunks = chunk_document(load_document(GWENT_PDF, data))
    rows = [c for c in chunks if c.kind == "table_row" and c.table and "Summary of Findings" in c.table]
    by_label = {c.text.split(" | ")[1]: c for c in rows}
    assert list(by_label) == [
        "Cybersecurity",
        "CCTV / Control Room",
        "Performance Management",
        "Identity and Access Management",
        "Mobile Computing",
        "Application Support / Maintenance",
        "Supplier Management",
        "Virtualisation",
        "IT Governance",
    ]
    identity = by_label["Identity and Access Management"]
    assert "MODERATE | REPORT 15-Feb-19 | No. of controls tested 44 | %age of controls in place 57%" in identity.text
    assert identity.page == 11
    cyber = by_label["Cybersecurity"]
    assert "No. of controls tested 97" in cyber.text and "М 40" in cyber.text and cyber.page == 9


def test_a_wrapped_cell_is_joined_as_its_producer_wrapped_it():
    """Where the producer draws the space a line wraps at, a line ending in none broke inside a word,
    unless both sides are words the document uses elsewhere (a line break in a header)."""
    from assistant.reading.stacking import Cell, _cell_text

    def cell(*lines: str) -> Cell:
        return Cell(0, 1, 0, 1, "", lines=[Cell(0, 1, 0, 1, t) for t in lines])

    words = {"system", "opinion", "controls"}
    assert _cell_text(cell("No. of ", "controls ", "tested"), True, words) == "No. of controls tested"
    assert _cell_text(cell("MODER", "ATE"), True, words) == "MODERATE"
    assert _cell_text(cell("SYSTEM", "OPINIO", "N"), True, words) == "SYSTEM OPINION"
    assert _cell_text(cell("02-", "Jan-", "19"), True, words) == "02-Jan-19"
    assert _cell_text(cell("4", "0"), False, words) == "40"  # a figure goes on as drawn
    assert _cell_text(cell("Closed at", "first point"), False, words) == "Closed at first point"
