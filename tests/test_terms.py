"""Question terms: a figure at a clause's end is the figure, not the figure and its punctuation."""

from conftest import passage

from assistant.answering.analysis import analyse
from assistant.answering.answerer import extract
from assistant.answering.terms import words


def test_a_figure_ending_a_clause_or_a_sentence_leaves_its_punctuation():
    assert words("Arrests rose between 2016 and 2019. Most were in 2018, as before.") == [
        "Arrests", "rose", "between", "2016", "and", "2019", "Most", "were", "in", "2018", "as", "before",
    ]  # fmt: skip
    # what a figure holds inside it stays: a decimal, thousands, a date, a percentage
    assert words("£1,250.50 on 12/03/2020 was 4.5%.") == ["1,250.50", "on", "12/03/2020", "was", "4.5%"]


def test_a_year_before_a_comma_is_a_year_the_reports_name():
    question = "In 2021, how many volunteers did the scheme train?"
    assert "2021" in analyse(question).terms and "2021," not in analyse(question).terms
    notes = [passage("The scheme trained 64 volunteers in 2021 across the three districts.", para="3.1")]
    assert "64" in (extract(question, notes).answer or "")
