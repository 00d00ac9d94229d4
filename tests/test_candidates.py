"""Candidates: what each unit offers the question."""

from conftest import passage

from assistant.answering.analysis import analyse
from assistant.answering.answerer import extract
from assistant.answering.candidates import candidates, caption_headers


def test_a_section_number_of_three_levels_is_no_figure():
    q = analyse("How many drivers were stopped in the summer campaign?")
    units = candidates(q, [passage("Drivers stopped in the summer campaign are described in 3.2.1 below.", para="")])
    assert units and not units[0].typed
    # … nor in brackets after "see", at a sentence's end; a decimal and a date stay what they are
    units = candidates(q, [passage("The summer campaign stopped drivers on every route (see 2.4.1.).", para="")])
    assert not units[0].typed
    assert candidates(q, [passage("The summer campaign stopped 1.2 thousand drivers.", para="")])[0].typed


def test_a_question_answered_only_beside_a_section_number_abstains():
    notes = [passage("Drivers stopped during the summer campaign are covered below (see 3.2.1).", para="")]
    assert extract("How many drivers were stopped in the summer campaign?", notes).answer is None


# A statistics table read without its column headers: its header line, each column ending in its unit,
# stands as the row's caption
OUTCOMES = [
    passage(
        f"Recorded (n) Solved (%) Victims (n) | {label} | {a} | {b} | {c}",
        "table_row",
        table="Outcomes by offence",
    )
    for label, a, b, c in (("Burglary", "1,204", "14.2", "980"), ("Vehicle crime", "2,310", "9.8", "2,004"))
]


def test_a_header_line_of_units_names_the_cells_of_a_row_read_without_headers():
    answer = extract("What percentage of burglary was solved?", OUTCOMES).answer
    assert answer and "14.2" in answer and "1,204" not in answer
    assert "Victims" not in answer  # the header line names no table in the answer's sentence
    answer = extract("How many vehicle crime victims were there?", OUTCOMES).answer
    assert answer and "2,004" in answer


def test_a_caption_is_a_header_line_only_when_it_lists_one_unit_a_cell():
    assert caption_headers("Recorded (n) Solved (%) Victims (n)", 3) == ["Recorded (n)", "Solved (%)", "Victims (n)"]
    assert caption_headers("Country Recorded (n) Solved (%)", 2) == ["Country Recorded (n)", "Solved (%)"]
    assert caption_headers("Recorded crime (n), Gwent, 2019", 3) == []  # a title, not a header line
    # one header more than cells: the first is the label column's
    assert caption_headers("Area (name) Solved (%) Victims (n)", 2) == ["Solved (%)", "Victims (n)"]
    assert caption_headers("Recorded (n) Solved (%)", 4) == []


def test_how_often_is_answered_by_the_count_in_the_row_and_column_it_names():
    rows = [
        passage("Stop and search by area | Newport | 2018 1,120 | 2019 1,342", "table_row", table="Stop and search"),
        passage("Stop and search by area | Cardiff | 2018 2,004 | 2019 2,230", "table_row", table="Stop and search"),
    ]
    answer = extract("How often were stop and search powers used in Newport in 2019?", rows).answer
    assert answer and "1,342" in answer
    # a row the question does not name answers no "how often"
    assert extract("How often were stop and search powers used in Swansea in 2019?", rows).answer is None
