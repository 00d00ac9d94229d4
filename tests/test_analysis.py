"""Question analysis: what a question asks for is read from its main clause."""

import pytest

from assistant.answering.analysis import analyse, names


@pytest.mark.parametrize(
    "question, qtype",
    [  # a clause setting the scene, then the question: its main clause says what is asked
        ("When the county council reorganised its libraries in 2015, how many branches closed?", "quantity"),
        ("After the merger of the two control rooms, who led the new service?", "who"),
        ("If council tax rises by 4%, how much will a Band D household pay?", "quantity"),
        ("Once the pilot ended, what percentage of callers used the online form?", "percent"),
        # a question that is one clause keeps its own type
        ("When did the panel last meet?", "date"),
        ("When was the library in Abergavenny closed?", "date"),
        ("How many branches closed when the libraries were reorganised?", "quantity"),
    ],
)
def test_a_leading_clause_does_not_set_the_questions_type(question, qtype):
    assert analyse(question).qtype == qtype


def test_a_leading_clause_keeps_its_words_and_years_as_terms():
    q = analyse("When the county council reorganised its libraries in 2015, how many branches closed?")
    assert {"librari", "2015", "branch"} <= set(q.terms)
    assert q.years == ["2015"] and q.counted


def test_the_first_word_of_a_questions_second_sentence_is_no_name():
    assert names("The panel met in Usk in 2019. Roughly how many members attended?") == {"usk"}
    assert names("How many HMRC staff used Keytime?") == {"hmrc", "keytim"}
