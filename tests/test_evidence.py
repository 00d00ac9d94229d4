"""Page images with the cited passage highlighted: found on the page, cached, and shown only to
users who may see the report."""

import pytest
from conftest import GWENT_PDF
from pdfgen import make_pdf, pages_pdf
from PIL import Image

from assistant.api import Assistant
from assistant.reading.evidence import locate, render

HIGHLIGHT = (255, 214, 0)


def _yellow_rows(path) -> int:
    """Image rows that carry the highlight's tint over white paper."""
    image = Image.open(path).convert("RGB")
    rows = 0
    for y in range(image.height):
        pixels = [image.getpixel((x, y)) for x in range(0, image.width, 4)]
        if sum(1 for r, g, b in pixels if r > 240 and 200 < g < 245 and b < 190) > 10:
            rows += 1
    return rows


def test_a_paragraph_is_found_highlighted_and_its_figure_outlined(tmp_path):
    passage = (
        "There were 24,635 requests for service in the year of which 18.4% were requested through self-service "
        "with the remainder being telephone calls for service."
    )
    out = tmp_path / "p8.png"
    info = render(str(GWENT_PDF), 8, passage, ["24,635"], str(out))
    assert info == {"lines": 3, "marked": 1, "found": True, "page": 8, "header": False}
    image = Image.open(out)
    assert image.format == "PNG" and image.width == 820 and image.height < 600, "cropped around the passage"
    assert _yellow_rows(out) > 20


def test_a_table_row_written_out_with_its_headers_lands_on_its_cells(tmp_path):
    row = "Financial Performance 2018/19 | SRS Airwave | Budget 567,448 | Expenditure 653,640 | Variance -86,192"
    info = render(str(GWENT_PDF), 16, row, ["-86,192"], str(tmp_path / "row.png"))
    assert info == {"lines": 1, "marked": 1, "found": True, "page": 16, "header": True}


def test_a_total_row_far_below_its_headers_marks_the_cell_the_answer_quotes_with_the_headers_in_view(tmp_path):
    # Aligned word by word, the header words were spent on the header line and only the last cell
    # (Variance) was lit; the answer's figure, the Budget cell, went unmarked and the headers were cropped off.
    row = "Financial Performance 2018/19 | Total | Budget 9,123,757 | Expenditure 7,971,387 | Variance 1,152,370"
    out = tmp_path / "total.png"
    info = render(str(GWENT_PDF), 16, row, ["£9,123,757"], str(out))
    assert info == {"lines": 1, "marked": 1, "found": True, "page": 16, "header": True}
    image = Image.open(out).convert("RGB")
    top_tint = next(y for y in range(image.height) if _tinted(image, y, lambda r, g, b: b > 240 and r < 235))
    first_yellow = next(y for y in range(image.height) if _tinted(image, y, lambda r, g, b: r > 240 and b < 190))
    assert top_tint < first_yellow  # the column headers (tinted blue) are in the image, above the row


def _tinted(image, y, test) -> bool:
    return sum(1 for x in range(0, image.width, 4) if test(*image.getpixel((x, y)))) > 10


def test_a_passage_over_a_page_break_is_shown_on_the_page_that_prints_the_figure(tmp_path):
    first = ["BT /F1 11 Tf 72 760 Td (3.2 The force replaced its oldest vehicles during the year, and the) Tj ET"]
    second = ["BT /F1 11 Tf 72 760 Td (total cost of the new fleet was 412,000 pounds.) Tj ET"]
    pdf = tmp_path / "fleet.pdf"
    pdf.write_bytes(pages_pdf([first, second]))
    passage = (
        "3.2 The force replaced its oldest vehicles during the year, and the total cost of the new fleet was "
        "412,000 pounds."
    )
    assert render(str(pdf), 1, passage, ["412,000"], str(tmp_path / "a.png"), last_page=2)["page"] == 2
    assert (
        render(str(pdf), 1, passage, [], str(tmp_path / "b.png"), last_page=2)["page"] == 1
    )  # no figure: where it starts
    assert render(str(pdf), 1, passage, ["412,000"], str(tmp_path / "c.png"))["page"] == 1  # one page cited: that page


def test_locate_keeps_runs_and_lone_figures_not_lone_common_words():
    words = [{"text": t} for t in "The budget was agreed . The total budget was £4.5m in 2019/20 for the force".split()]
    hits = [w["text"] for w in locate(words, "The total budget was £4.5m")]
    assert hits == ["The", "total", "budget", "was", "£4.5m"]
    assert [w["text"] for w in locate(words, "Spending reached new levels")] == []


@pytest.fixture
def library(tmp_path, fast_settings):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "estates.pdf").write_bytes(
        make_pdf(
            [["Estates Strategy 2020", "OFFICIAL-SENSITIVE", "1.1 Seventeen stations were refurbished in 2020/21."]]
        )
    )
    (reports / "fleet.txt").write_text("Fleet Review\n\n2.1 The fleet has 212 vehicles.\n", encoding="utf-8")
    with Assistant(settings=fast_settings) as assistant:
        assistant.ingest([reports])
        yield assistant


def test_the_assistant_renders_once_for_users_who_may_see_the_report(library):
    stations = library.search("stations refurbished", k=1)[0]
    fleet = library.search("fleet vehicles", k=1)[0]
    image = library.evidence(stations.chunk_id, "restricted", ["2020/21"])
    assert image is not None and image.parent == library.settings.index_dir / "page-images"
    made = image.stat().st_mtime_ns
    assert library.evidence(stations.chunk_id, "restricted", ["2020/21"]) == image
    assert image.stat().st_mtime_ns == made, "the second view is served from the cache"
    assert library.evidence(stations.chunk_id, "public") is None, "beyond public clearance: as if it did not exist"
    assert library.evidence(fleet.chunk_id, "restricted") is None, "a text report has no page to show"
    assert library.evidence("no-such-chunk", "restricted") is None
    library.remove(stations.metadata["doc_id"])
    assert not image.exists(), "a removed report's page images go with it"


def test_page_images_are_owner_only_whatever_the_umask(library):
    import os
    import stat

    old = os.umask(0o022)
    try:
        stations = library.search("stations refurbished", k=1)[0]
        image = library.evidence(stations.chunk_id, "restricted", ["2020/21"])
    finally:
        os.umask(old)
    assert stat.S_IMODE(image.stat().st_mode) == 0o600
    assert stat.S_IMODE(image.parent.stat().st_mode) == 0o700
    assert not list(image.parent.glob("*.tmp"))


def _at(x: int, y: int, text: str) -> str:
    return f"BT /F1 10 Tf {x} {y} Td ({text}) Tj ET"


def test_column_headers_of_periods_or_set_over_several_lines_are_in_view(tmp_path):
    # The caption and the row label hold most of the row's words, so no header line held half of
    # them: a line of periods ("2019/20 2020/21") and a header set over three lines went uncounted.
    periods = [
        _at(72, 760, "Table 4: Complaints received by the Office of the Police and Crime Commissioner"),
        _at(250, 730, "2019/20"),
        _at(380, 730, "2020/21"),
        _at(72, 712, "Complaints logged"),
        _at(250, 712, "412"),
        _at(380, 712, "388"),
    ]
    stacked = [
        _at(72, 760, "Table 5: Summary of the internal audit reviews completed during the year"),
        _at(200, 730, "Number of"),
        _at(330, 730, "Share of"),
        _at(200, 718, "recommendations"),
        _at(330, 718, "controls"),
        _at(200, 706, "made"),
        _at(330, 706, "in place"),
        _at(72, 688, "Fleet management"),
        _at(200, 688, "14"),
        _at(330, 688, "71%"),
    ]
    pdf = tmp_path / "tables.pdf"
    pdf.write_bytes(pages_pdf([periods, stacked]))
    row = (
        "Table 4: Complaints received by the Office of the Police and Crime Commissioner | Complaints logged | "
        "2019/20 412 | 2020/21 388"
    )
    assert render(str(pdf), 1, row, ["412"], str(tmp_path / "a.png"))["header"]
    row = (
        "Table 5: Summary of the internal audit reviews completed during the year | Fleet management | "
        "Number of recommendations made 14 | Share of controls in place 71%"
    )
    out = tmp_path / "b.png"
    assert render(str(pdf), 2, row, ["14"], str(out))["header"]
    image = Image.open(out).convert("RGB")
    tinted = [y for y in range(image.height) if _tinted(image, y, lambda r, g, b: b > 240 and r < 235)]
    assert tinted[-1] - tinted[0] > 2 * 12 * 820 / 595  # all three header lines, not only the nearest
