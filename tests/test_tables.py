import subprocess
import sys

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
