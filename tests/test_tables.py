import subprocess
import sys

import pytest

from assistant.reading.tables import find_pdf_tables, is_layout_table, parse_grid, split_row

MD = """| | Budget | Expenditure | Variance |
|---|---|---|---|
| Section | £ | £ | £ |
| SRS Airwave | 567,448 | 653,640 | -86,192 |
| DSD | 1,865,354 | 2,118,231 | -252,877 |""".split("\n")


def test_markdown_table_rows_carry_caption_headers_and_units():
    table = parse_grid(MD, "|", "Financial Performance 2018/19")
    assert table is not None
    rows = [table.linearise(r, i) for i, r in enumerate(table.rows)]
    assert (
        rows[0]
        == "Financial Performance 2018/19 | SRS Airwave | Budget £567,448 | Expenditure £653,640 | Variance £-86,192"
    )
    assert "DSD" in table.render() and "Variance" in table.render()


def test_layout_table_is_not_data():
    rows = [
        split_row(l, "|")
        for l in [
            "| 2.2 | Since July 2011 the ICT service ... |",
            "| TITLE: | | Annual Report |",
            "| 2.3 | In January 2018 the DSD was set up. |",
        ]
    ]
    assert is_layout_table(rows)


def test_tsv_table_with_group_headers():
    lines = [
        "Workstream\t2016/17\t2016/17\t2017/18\t2017/18",
        "\tCapital\tRevenue\tCapital\tRevenue",
        "\t£000\t£000\t£000\t£000",
        "1. Wide Area Network\t285\t25\t520\t50",
    ]
    table = parse_grid(lines, "\t", "Budget provision")
    assert table.linearise(table.rows[0], 0) == (
        "Budget provision | 1. Wide Area Network | 2016/17 Capital (£000) 285 | 2016/17 Revenue (£000) 25 | "
        "2017/18 Capital (£000) 520 | 2017/18 Revenue (£000) 50"
    )


def test_text_table_with_wrapped_cells():
    lines = ["Project\tBenefits\tTimelines", "Video Conferencing\tReduced travel\tJune 2017", "\tand costs\t"]
    table = parse_grid(lines, "\t", None)
    assert table.rows == [["Video Conferencing", "Reduced travel and costs", "June 2017"]]
    assert "Benefits Reduced travel and costs" in table.linearise(table.rows[0], 0)


def test_pdf_extracted_table():
    lines = [
        "The table below shows spend.",
        "Financial Performance 2018/19",
        "Budget Expenditure Variance",
        "SRS ",
        "Collaboration",
        "3,707,910 3,246,373 461,537",
        "SRS Airwave 567,448 653,640 -86,192",
        "Total 9,123,757 7,971,387 1,152,370",
        "Overall the budget was underspent.",
    ]
    ((start, end, table),) = find_pdf_tables(lines)
    assert (start, end) == (1, 8)
    assert table.caption == "Financial Performance 2018/19"
    assert (
        table.linearise(table.rows[0], 0)
        == "Financial Performance 2018/19 | SRS Collaboration | Budget 3,707,910 | Expenditure 3,246,373 | Variance 461,537"
    )
    assert table.linearise(table.rows[1], 1).endswith("Variance -86,192")


def test_misplaced_group_headers_follow_the_leaf_pattern():
    lines = [
        "| | 201 | 2017/18 | | 2018/19 | | |",
        "|---|---|---|---|---|---|---|",
        "| Narrative | Number | % | Number | % | | |",
        "| Telephone Calls | 21,136 | 81% | 20,096 | 82% | | |",
    ]
    table = parse_grid(lines, "|", "Service Desk Calls")
    assert table.linearise(table.rows[0], 0) == (
        "Service Desk Calls | Telephone Calls | 2017/18 Number 21,136 | 2017/18 % 81% | 2018/19 Number 20,096 | 2018/19 % 82%"
    )


def test_a_row_ending_in_an_em_dash_is_a_row_and_a_line_of_figures_is_read_in_one_pass():
    from assistant.reading.tables import numeric_row

    assert numeric_row("Prison admissions 49,316 27,797 8,421 —") == (
        "Prison admissions",
        ["49,316", "27,797", "8,421", "—"],
    )
    # Figures that a line's end does not let match were split every possible way (7 figures ending
    # in "—" took 11 s, one ingest of a 7-page US table 185 s); 40 would never finish. Run apart, with a limit.
    line = " ".join(["12,345"] * 40) + " per cent of the total"
    code = f"from assistant.reading.tables import numeric_row; print(numeric_row({line!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "None", done.stderr


# --- wide tables: every row keeps its label and every column header ---------------------------

AREAS = ["Northfield", "Eastvale", "Southmoor", "Westbrook", "Kingsford", "Riverside", "Hillcrest", "Lakeside"]
AREAS += ["Oakwood", "Ashford Vale", "Brookmere", "Castleton", "Dunmore", "Elmstead", "Fairhaven"]
WIDE_HEADERS = [("Area", ""), ("Recorded", "crimes"), ("Violent", "offences"), ("Sexual", "offences")]
WIDE_HEADERS += [("Robbery", ""), ("Burglary", ""), ("Vehicle", "crime"), ("Shoplifting", ""), ("Criminal", "damage")]
WIDE_HEADERS += [("Drug", "offences"), ("Arrests", ""), ("Stop and", "search"), ("Charges", ""), ("Cautions", "")]
WIDE_HEADERS += [("Officers", "(FTE)"), ("999", "calls"), ("Complaints", "")]
WIDE_CAPTION = "Table 4: Crime, outcomes and resources by area, 2022/23"


def _wide_rows() -> list[list[str]]:
    """15 areas by 16 measures, every figure different, and a Total row that adds them up."""
    measures = len(WIDE_HEADERS) - 1
    rows = [[a] + [f"{(r + 3) * 1000 + (c + 1) * 37 + r * c:,}" for c in range(measures)] for r, a in enumerate(AREAS)]
    total = ["Total"] + [f"{sum(int(r[c + 1].replace(',', '')) for r in rows):,}" for c in range(measures)]
    return rows + [total]


def _pypdf_lines(header_on_page_two: bool) -> list[str]:
    """The lines pypdf reads from the wide table: the two header lines run together, then the rows;
    the page's number, and on the next page the header again (or not)."""
    head = [" ".join(h for h, _ in WIDE_HEADERS), " ".join(b for _, b in WIDE_HEADERS if b)]
    rows = [" ".join(r) for r in _wide_rows()]
    return (
        ["The table below sets out the year's figures for each area.", WIDE_CAPTION, *head, *rows[:9], "Page 1"]
        + (head if header_on_page_two else [])
        + [*rows[9:], "Page 2"]
    )


def test_a_wide_table_from_pypdf_is_one_table_whose_rows_keep_label_caption_and_headers():
    for repeated in (True, False):
        lines = _pypdf_lines(repeated)
        ((start, end, table),) = find_pdf_tables(lines)  # one table over the page break, the header not a row
        assert (start, end) == (1, len(lines) - 1)
        assert table.caption == "Crime, outcomes and resources by area, 2022/23"
        assert [r[0] for r in table.rows] == AREAS + ["Total"]  # "Page 1" is not a row's label
        passages = {r[0]: table.linearise(r, i) for i, r in enumerate(table.rows)}
        riverside, dunmore, total = _wide_rows()[5], _wide_rows()[12], _wide_rows()[-1]
        assert passages["Riverside"].startswith(
            "Crime, outcomes and resources by area, 2022/23 | Riverside | Recorded "
        )
        assert f"| Burglary {riverside[5]} |" in passages["Riverside"]  # a middle column
        assert f"| Complaints {riverside[16]} |" in passages["Riverside"]  # the right edge
        assert f"| Drug {dunmore[9]} |" in passages["Dunmore"]  # on page 2
        assert f"| Stop and {dunmore[11]} |" in passages["Dunmore"] and f"| 999 {dunmore[15]} |" in passages["Dunmore"]
        assert passages["Total"].startswith("Crime, outcomes and resources by area, 2022/23 | Total | Recorded ")
        assert f"Arrests {total[10]}" in passages["Total"]
        # the header's second line cannot be placed under its columns from pypdf's text: it is kept whole
        assert passages["Dunmore"].endswith(
            "| Columns: crimes offences offences crime damage offences search (FTE) calls"
        )


def test_header_cells_of_a_wide_table():
    from assistant.reading.tables import header_cells

    line = "Force Recorded crime Stop and Search Officers (FTE) 999 calls Cost per head £"
    assert header_cells(line, 5) == [
        "Recorded crime",
        "Stop and Search",
        "Officers (FTE)",
        "999 calls",
        "Cost per head",
    ]
    # above another header line a cell may end in a joining word: its header goes on below it
    assert header_cells("Area Stop and Arrests Charges Cautions Fines", 5, last=False) == [
        "Stop and",
        "Arrests",
        "Charges",
        "Cautions",
        "Fines",
    ]
    # a narrow table's header is read as before: four columns or fewer are too easily matched by chance
    assert header_cells("Freq. Percent Mean Loss Fraction of", 4) is None
    assert header_cells("The figures for each area are set out below", 5) is None


def test_a_wide_grid_whose_header_holds_a_figure_keeps_its_two_line_headers():
    rows = _wide_rows()
    grid = [
        "| " + " | ".join(h for h, _ in WIDE_HEADERS) + " |",
        "| " + " | ".join(b for _, b in WIDE_HEADERS) + " |",
        *("| " + " | ".join(r) + " |" for r in rows),
    ]
    table = parse_grid(grid, "|", "Crime by area")
    assert table.headers[1] == "Recorded crimes" and table.headers[15] == "999 calls"  # "999" is a header here
    assert table.headers[11] == "Stop and search" and table.headers[14] == "Officers (FTE)"
    assert [r[0] for r in table.rows] == AREAS + ["Total"]
    hill = table.linearise(table.rows[6], 6)
    assert f"| Criminal damage {rows[6][8]} |" in hill and hill.endswith(f"| Complaints {rows[6][16]}")
    assert f"| 999 calls {rows[-1][15]} |" in table.linearise(table.rows[-1], len(rows) - 1)


WIDE_QUESTIONS = [  # (question, row, column of the figure that answers it)
    ("What was the number of burglary offences in Riverside?", "Riverside", 5),  # a middle cell
    ("How many complaints were there in Hillcrest?", "Hillcrest", 16),  # the right edge
    ("How many drug offences were there in Dunmore?", "Dunmore", 9),  # page 2 when the table runs on
    ("What was the number of 999 calls in Elmstead?", "Elmstead", 15),
    ("What was the total number of arrests?", "Total", 10),  # the Total row answers the total
    ("What was the total number of recorded crimes?", "Total", 1),
]
TWO_LINE_QUESTIONS = [  # answered by a header's second line ("Criminal" over "damage")
    ("How many criminal damage offences were recorded in Kingsford?", "Kingsford", 8),
    ("How many drug offences were recorded in Dunmore?", "Dunmore", 9),
]


@pytest.mark.slow  # about 20 s in all: real indexes and the real encoder (the first loads it)
@pytest.mark.parametrize(
    "reader, per_page, repeated",
    [("pypdf", None, True), ("pypdf", 9, True), ("pypdf", 9, False), ("layout", 9, False)],
)
def test_a_wide_table_answers_middle_edge_page_two_and_total_cells(tmp_path, reader, per_page, repeated):
    from pdfgen import wide_table_pdf

    from assistant.api import Assistant
    from assistant.indexing.ingest import ingest
    from assistant.settings import Settings

    rows = _wide_rows()
    folder = tmp_path / "reports"
    folder.mkdir()
    data = wide_table_pdf(WIDE_CAPTION, WIDE_HEADERS, rows, rows_per_page=per_page, repeat_header=repeated)
    (folder / "crime-and-outcomes-by-area.pdf").write_bytes(data)
    settings = Settings(index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads", pdf_reader=reader)
    assert ingest([folder], settings, progress=False).failed == 0
    by_label = {r[0]: r for r in rows}
    questions = WIDE_QUESTIONS + (TWO_LINE_QUESTIONS if reader == "layout" else [])
    with Assistant(settings=settings) as assistant:
        for question, label, column in questions:
            got = assistant.ask(question)
            figure = by_label[label][column]
            assert not got.abstained and figure in got.answer, (question, got.answer)
            cited = got.citations[0]
            assert f"| {label} |" in cited.text and cited.kind == "table_row", (question, cited.text)
            on_page_two = per_page is not None and (label == "Total" or AREAS.index(label) >= per_page)
            assert cited.page == (2 if on_page_two else 1), (question, cited.page)
            others = [r[column] for r in rows if r[0] != label]
            assert not any(o in got.answer for o in others), (question, got.answer)  # not another row's figure


# pypdf's text of a ruled table whose cells list "label: figure" lines, three columns of them: a row's
# label read onto its first line, each cell's lines after the other's, a wrapped label on lines of its own.
SIDE_BY_SIDE = [
    "Victims' satisfaction survey results.",
    "Target Achieved Last year",
    "Burglary Very satisfied: 61%",
    "Fairly satisfied: 27%",
    "Very satisfied: 58%",
    "Fairly satisfied: 30%",
    "Very satisfied: 64%",
    "Fairly satisfied: 25%",
    "Vehicle crime and",
    "criminal damage",
    "Kept informed: 70%",
    "Treated fairly: 88%",
    "Kept informed: 66%",
    "Treated fairly: 91%",
    "Kept informed: 72%",
    "Treated fairly: 90%",
    "The survey is run each quarter.",
]


def test_cells_listing_label_figure_lines_side_by_side_as_pypdf_reads_them():
    spans = find_pdf_tables(SIDE_BY_SIDE)
    assert [(s, e) for s, e, _ in spans] == [(1, 16)]
    table = spans[0][2]
    assert table.headers == ["", "Target", "Achieved", "Last year"]
    assert table.rows[1] == ["Burglary", "Fairly satisfied: 27%", "Fairly satisfied: 30%", "Fairly satisfied: 25%"]
    assert table.linearise(table.rows[3]) == (
        "Vehicle crime and criminal damage | Target Treated fairly: 88% | Achieved Treated fairly: 91%"
        " | Last year Treated fairly: 90%"
    )
    # label: figure lines whose labels do not come round again are a list, not cells side by side
    assert find_pdf_tables(["Budget: £4.2m", "Spent: £3.9m", "Officers: 1,200", "Staff: 900"]) == []


def test_a_header_naming_its_unit_in_brackets_holds_no_figure():
    """ "Outlets (000)" is a column's header, not a label beside its figure: the header row stays a header."""
    from assistant.reading.tables import holds_figure, parse_grid

    assert holds_figure("65+: 19.11%") and holds_figure("Female 49.8%")
    assert not holds_figure("Number of outlets (000)") and not holds_figure("Sales per outlet (Ecu 000)")
    assert not holds_figure("Companies on FTSE Eurotop 100")  # a number in a name
    lines = ["| | Outlets (000) | Sales (Ecu bn) |", "| Germany | 415.3 | 373 |", "| France | 343.4 | 292 |"]
    table = parse_grid(lines, "|", None)
    assert table is not None and table.headers[1:] == ["Outlets (000)", "Sales (Ecu bn)"]
    assert [r[0] for r in table.rows] == ["Germany", "France"]


def _pdf_rows(tmp_path, data: bytes) -> list[str]:
    from assistant.reading.chunking import chunk_document
    from assistant.reading.loading import load_document

    path = tmp_path / "table.pdf"
    path.write_bytes(data)
    return [c.text for c in chunk_document(load_document(path, data)) if c.kind == "table_row"]


def test_stacked_header_cells_and_figures_grouped_by_a_space_as_pypdf_reads_them(tmp_path):
    """pypdf reads a header cell's wrapped lines one after another ("Officers" / "FTE" / "Staff" / "FTE"):
    each run ending in the line every column repeats is one column's header. A figure whose thousands a
    space groups ("1 050") is one figure, and a label's own digit ("(Tier2)") is no figure of its row."""
    from pdfgen import cell_by_cell_table_pdf

    from assistant.reading.tables import numeric_row

    data = cell_by_cell_table_pdf(
        "Table 2: Workforce by function, March 2023",
        [["Officers", "FTE"], ["Staff", "FTE"], ["PCSOs", "FTE"]],
        [
            (["Neighbourhood policing (Tier2)"], ["1 050", "310", "42"]),
            (["Response"], ["2 000", "95", "0"]),
            (["Investigations"], ["640", "1 005", "12"]),
        ],
        [50, 260, 340, 420],
    )
    assert _pdf_rows(tmp_path, data) == [
        "Workforce by function, March 2023 | Neighbourhood policing (Tier2) | Officers FTE 1 050 | Staff FTE 310"
        " | PCSOs FTE 42",
        "Workforce by function, March 2023 | Response | Officers FTE 2 000 | Staff FTE 95 | PCSOs FTE 0",
        "Workforce by function, March 2023 | Investigations | Officers FTE 640 | Staff FTE 1 005 | PCSOs FTE 12",
    ]
    assert numeric_row("Grants (Phase 2) 1 000 000 250 000") == ("Grants (Phase 2)", ["1 000 000", "250 000"])
    assert numeric_row("Budget 1 250 980") == ("Budget", ["1", "250", "980"])  # no zero: three figures


def test_a_first_row_label_that_reads_like_a_header_wraps_as_the_other_labels_do(tmp_path):
    """Every row's label wraps over two lines, its figures on a line of their own after it: the first
    row's label takes its two lines too, even where one looks like a header ("(Exeter City)")."""
    from pdfgen import cell_by_cell_table_pdf

    data = cell_by_cell_table_pdf(
        "Table 3: Victim satisfaction by area",
        [["2019/20"], ["2020/21"]],
        [
            (["Devon and Cornwall", "(Exeter City)"], ["81.2%", "79.5%"]),
            (["Dorset", "(Bournemouth Area)"], ["77.0%", "78.4%"]),
            (["Wiltshire", "(Swindon Area)"], ["80.1%", "82.3%"]),
        ],
        [50, 260, 340],
    )
    rows = _pdf_rows(tmp_path, data)
    assert rows[0] == "Victim satisfaction by area | Devon and Cornwall (Exeter City) | 2019/20 81.2% | 2020/21 79.5%"
    assert rows[1] == "Victim satisfaction by area | Dorset (Bournemouth Area) | 2019/20 77.0% | 2020/21 78.4%"
