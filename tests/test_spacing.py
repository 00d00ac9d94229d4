"""Letter-spaced words and figures rejoined from pdfminer's reading of the same page."""

from __future__ import annotations

from pathlib import Path

from pdfgen import one_page_pdf

from assistant.reading.loading import load_document
from assistant.reading.spacing import rejoin, spaced_pages


def test_rejoin_joins_what_the_reference_reads_whole() -> None:
    text = "Overtime cost £4 75k in 2022/23 and the desig n of the rota was t o change."
    reference = "Overtime cost £475k in 2022/23 and the design of the rota was to change."
    assert rejoin(text, reference) == reference


def test_rejoin_keeps_what_the_reference_also_reads_apart() -> None:
    # "in to" is two words in both readings, though "into" is a word elsewhere on the page.
    text = "Officers went in to the station. It fed into the plan."
    assert rejoin(text, text) == text
    # a word and a figure, or a word and a bracket, are never run together
    assert rejoin("Table 3 (see note)", "Table3 (see note)") == "Table 3 (see note)"
    assert rejoin("the budget ( £2m )", "the budget( £2m )") == "the budget ( £2m )"


def test_rejoin_keeps_line_breaks() -> None:
    assert rejoin("the desig n\nof the plan", "the design\nof the plan") == "the design\nof the plan"


def test_only_a_letter_spaced_document_is_read_twice() -> None:
    table = "Completed interviews 13 5 4\nTotal 24 10 7"
    prose = "It's a plan we don't see often; I'm not sure."
    assert spaced_pages([table, prose]) == []  # figures in table cells and apostrophes are not splits
    spaced = "the desig n of the jur y was t o change"  # three splits
    assert spaced_pages(["the desig n of the jur y"]) == []  # two are below SPACED_DOCUMENT
    assert spaced_pages([table, spaced, prose]) == [0, 1]  # once spaced, the table page is checked too


def _spaced_pdf() -> bytes:
    line = (
        "[(Each member was paid \\2434) -200 (75 for the desig) -200 (n of the jur) -200 (y and t) -200 (o attend.)] TJ"
    )
    return one_page_pdf(["BT", "/F1 10 Tf", "50 800 Td", line, "ET"])


def test_a_letter_spaced_pdf_reads_whole(tmp_path: Path) -> None:
    data = _spaced_pdf()
    doc = load_document(tmp_path / "spaced.pdf", data)
    text = " ".join(p.text for p in doc.pages)
    assert "£475" in text and "design" in text and "jury" in text and "to attend" in text
    assert "£4 75" not in text


def test_rejoin_follows_the_two_readings_side_by_side_not_the_page_at_large():
    # pdfminer ran a label into its first cell ("Cases1"): the cells stay apart although "12" is on the page
    assert rejoin("Cases 1 2 3 4\nPage 12", "Cases1 2 3 4\nPage 12") == "Cases 1 2 3 4\nPage 12"
    assert rejoin("Cases 1 2 3 4", "Cases 1 3\n2 4\nPage 12") == "Cases 1 2 3 4"
    assert rejoin("x" * 70 + " y", "x" * 70 + "y") == "x" * 70 + " y"  # an overlong token is left alone
