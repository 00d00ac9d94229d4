import pytest

from assistant.answering.conversation import is_follow_up, resolve

PREVIOUS = "How many requests for service did the service desk receive in 2018/19?"


@pytest.mark.parametrize(
    "follow_up, expected",
    [
        ("and in 2017/18?", "How many requests for service did the service desk receive in 2017/18?"),
        ("What about 2016-17?", "How many requests for service did the service desk receive in 2016-17?"),
        ("And the year before?", "How many requests for service did the service desk receive in 2017/18?"),
        ("and the following year?", "How many requests for service did the service desk receive in 2019/20?"),
        ("In 2017?", "How many requests for service did the service desk receive in 2017?"),
    ],
)
def test_follow_ups_take_the_previous_question(follow_up, expected):
    assert is_follow_up(follow_up)
    assert resolve(follow_up, PREVIOUS) == expected


def test_a_period_is_added_when_the_first_question_had_none():
    assert resolve("and in 2017/18?", "What was the ICT budget?") == "What was the ICT budget in 2017/18?"


def test_a_new_topic_is_carried_over():
    assert (
        resolve("and for Cumbria?", "What was the ICT budget in 2018/19?")
        == "What was the ICT budget in 2018/19, Cumbria?"
    )


@pytest.mark.parametrize(
    "question",
    [
        "How much were the technology budgets underspent in 2018/19?",
        "Who wrote the report?",
        "What was the total?",
    ],
)
def test_standalone_questions_are_left_alone(question):
    assert resolve(question, PREVIOUS) == question


def test_no_previous_question():
    assert resolve("and in 2017/18?", None) == "and in 2017/18?"
