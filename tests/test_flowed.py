"""Tables and forms a PDF prints as running text (issue 28): read back as rows and fields."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS, TEXTS
from pdfgen import make_pdf

from assistant.reading.chunking import chunk_document
from assistant.reading.flowed import unflow
from assistant.reading.loading import Limits, load_document

# A converter's rendering of a four-column table: its cells one after another, wrapped at the margin.
ESTATES = [
    "3.2 Estates Budget by Site",
    "Site 2021/22 2022/23 2023/24 Change",
    "£m £m £m % 1. Northern Custody Suite 4.2 4.5 4.9 16.7% 2. Central",
    "Headquarters 7.1 7.0 6.8 -4.2% 3. Southern Training Centre 1.9 2.2 2.4",
    "26.3% 4. Vehicle Workshop 0.8 0.9 0.9 12.5% Total 14.0 14.6 15.0 7.1%",
    "3.3 The estates budget rises by 7.1% over the period.",
]


def _chunks(lines: list[str], tmp_path: Path, reader: str = "pypdf") -> list:
    path = tmp_path / f"report-{reader}.pdf"
    data = make_pdf([lines])
    path.write_bytes(data)
    return chunk_document(load_document(path, data, limits=Limits(pdf_reader=reader)))


def _rows(chunks: list) -> list[str]:
    return [c.text for c in chunks if c.kind == "table_row"]


def _row(rows: list[str], label: str) -> str:
    found = [r for r in rows if label in r]
    assert len(found) == 1, (label, rows)
    return found[0]


@pytest.mark.parametrize("reader", ["pypdf", "layout"])
def test_a_numbered_table_printed_as_running_text_is_read_as_rows_under_its_headers(tmp_path, reader):
    rows = _rows(_chunks(ESTATES, tmp_path, reader))
    central = _row(rows, "2. Central Headquarters")  # a label wrapped over a line end
    assert re.search(r"\| 2021/22 \(£m\) 7\.1 \| 2022/23 \(£m\) 7\.0 \| 2023/24 \(£m\) 6\.8 \| Change -4\.2%$", central)
    southern = _row(rows, "3. Southern Training Centre")  # its last figure on the next line
    assert southern.endswith("| 2023/24 (£m) 2.4 | Change 26.3%"), southern
    total = _row(rows, "| Total |")
    assert total.endswith("| 2021/22 (£m) 14.0 | 2022/23 (£m) 14.6 | 2023/24 (£m) 15.0 | Change 7.1%"), total
    assert len(rows) == 5
    assert total.startswith("Estates Budget by Site |")  # the numbered line above captions the table


def test_a_row_with_fewer_figures_than_columns_keeps_them_with_its_label(tmp_path):
    lines = [
        "Table 4: Officer numbers by division",
        "Division 2019/20 2020/21 2021/22 1. North 310 322 331 2. South 290 301",
        "3. East 180 176 190 4. West 240 251 262",
        "Officer numbers rose in every division with a full record.",
    ]
    rows = _rows(_chunks(lines, tmp_path))
    assert _row(rows, "3. East").endswith("| 3. East | 2019/20 180 | 2020/21 176 | 2021/22 190")
    south = _row(rows, "2. South")
    assert south.endswith("| 2. South 290 301"), south  # which two of the three years is not known
    assert "2019/20" not in south and "2021/22" not in south


def test_an_unnumbered_table_under_a_header_of_periods_is_read_as_rows(tmp_path):
    lines = [
        "Funding of the capital programme",
        "Source 2024/25 2025/26 Total Home Office Grant 1,200 1,350 2,550 Revenue",
        "Contribution 400 420 820 Capital Receipts 150 90 240 Borrowing 2,000",
        "2,500 4,500",
        "The programme is funded as shown above.",
    ]
    rows = _rows(_chunks(lines, tmp_path))
    assert _row(rows, "Revenue Contribution").endswith("| Revenue Contribution | 2024/25 400 | 2025/26 420 | Total 820")
    assert _row(rows, "Borrowing").endswith("| Borrowing | 2024/25 2,000 | 2025/26 2,500 | Total 4,500")
    assert _row(rows, "Home Office Grant").endswith("| 2024/25 1,200 | 2025/26 1,350 | Total 2,550")


def test_an_unnumbered_table_cut_by_the_page_break_is_left_as_printed(tmp_path):
    """Its rows go on over the page, where no header names their columns: only the whole table before it is read."""
    lines = [
        "Source 2024/25 2025/26 Total Home Office Grant 1,200 1,350 2,550 Revenue",
        "Contribution 400 420 820 Capital Receipts 150 90 240",
        "Reserves used on the estate",
        "Site 2024/25 2025/26 Total North 10 12 22 South 14 15 29 East 8 9",
    ]
    path = tmp_path / "cut.pdf"
    data = make_pdf([lines, ["17 West 11 12 23", "The reserves are set out above."]])
    path.write_bytes(data)
    chunks = chunk_document(load_document(path, data))
    rows = _rows(chunks)
    assert _row(rows, "Capital Receipts").endswith("Capital Receipts | 2024/25 150 | 2025/26 90 | Total 240")
    assert not [r for r in rows if "South" in r or "West" in r]
    assert "North 10 12 22 South 14 15 29 East 8 9" in " ".join(c.text for c in chunks if c.kind == "paragraph")


def test_a_form_printed_as_running_text_is_split_into_its_fields(tmp_path):
    lines = [
        "OFFICE OF THE POLICE, FIRE AND CRIME COMMISSIONER",
        "Panel: Police and Crime Panel for Dyfed-Powys Date: 14 March 2024 Lead",
        "Officer: Chief Finance Officer Title of Paper: Estates Strategy Refresh Status:",
        "For decision",
        "1. Introduction",
        "1.1 This paper sets out the refreshed estates strategy for the Panel to consider.",
    ]
    chunks = _chunks(lines, tmp_path)
    form = next(c.text for c in chunks if "Panel:" in c.text)
    fields = [line for line in form.split("\n") if ":" in line]
    assert fields == [
        "Panel: Police and Crime Panel for Dyfed-Powys",
        "Date: 14 March 2024",
        "Lead Officer: Chief Finance Officer",
        "Title of Paper: Estates Strategy Refresh",
        "Status: For decision",
    ]
    assert any(c.text.startswith("1.1 This paper sets out") for c in chunks)


def test_numbered_prose_paragraphs_are_left_as_they_are(tmp_path):
    prose = [
        "1. Purpose of the Report 1.1 To inform the Panel of the budget for 2024/25 and",
        "the precept of £285.50 for a Band D property. 2. Recommendations 2.1 That the",
        "Panel notes the budget of £312.4m in 2024/25, up 4.1% on 2023/24. 3. Background",
        "3.1 To allow 12 months for the review, as agreed in 2023.",
    ]
    page = prose + ESTATES
    text = "\n".join(page)
    assert unflow("\n".join(prose)) == "\n".join(prose)
    chunks = _chunks(page, tmp_path)
    assert len(_rows(chunks)) == 5  # the table on the same page is read
    body = " ".join(c.text for c in chunks if c.kind == "paragraph")
    for sentence in ("To inform the Panel of the budget for 2024/25 and the precept", "up 4.1% on 2023/24."):
        assert sentence in body
    assert unflow(text).startswith("\n".join(prose) + "\n")


def test_the_sample_reports_flowed_table_reads_as_its_text_copys_rows(tmp_path):
    """The Nottinghamshire report's resourcing table (page 9), printed as running text, holds each row of
    its text copy's table (tab-separated there) with the same label and figures; the text copy is unchanged."""
    name = "nottinghamshire-it-strategy-update-may-2017"
    copy = (TEXTS / f"{name}.txt").read_text(encoding="utf-8")
    assert unflow(copy) == copy
    table = copy[copy.index("5.2 Internal") : copy.index("5.3 Funding")]
    expected = [line.split("\t") for line in table.split("\n") if re.match(r"^(\d+\. |TOTAL\t)", line)]
    assert len(expected) == 12
    data = (CORPUS / f"{name}.pdf").read_bytes()
    chunks = chunk_document(load_document(CORPUS / f"{name}.pdf", data))
    rows = [c.text for c in chunks if c.kind == "table_row" and c.page == 9 and "Resourcing Costs" in c.text]
    for label, *figures in expected:
        row = _row(rows, f"| {label} |")
        assert [cell.split()[-1] for cell in row.split(" | ")[2:]] == figures, row
    cover = next(c.text for c in chunks if c.page == 1 and "Agenda Item:" in c.text)
    assert "\nReport of: Information Services\n" in cover
    assert "\nOther Contacts: Tim Chesworth (IS Transformation Programme Manager)\n" in cover


@pytest.mark.slow
def test_a_scanned_form_printed_as_running_text_is_split_into_its_fields_too(tmp_path):
    """OCR reads the scan of such a form as the same run of text: its fields are parted as on a born-digital page."""
    from pdfgen import scanned_copy

    from assistant.reading import ocr

    if not ocr.available():
        pytest.skip("the OCR engine is not installed")
    lines = [
        "Meeting: Joint Audit Committee Date: 21 June 2023 Item:",
        "9 Purpose: For information Author: Head of Finance",
        "1. Summary",
        "1.1 This paper reports the internal audit plan for the year ahead.",
    ]
    path = tmp_path / "scanned-cover.pdf"
    path.write_bytes(scanned_copy(make_pdf([lines]), seed=3))
    doc = load_document(path, path.read_bytes())
    assert doc.pages[0].ocr
    text = doc.pages[0].text
    assert "\nDate: 21 June 2023\n" in f"\n{text}\n" and "\nAuthor: Head of Finance\n" in f"\n{text}\n", text
