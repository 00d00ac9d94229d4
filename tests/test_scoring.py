"""Scoring: which candidate answers a question best."""

import pytest
from conftest import passage

from assistant.answering import scoring
from assistant.answering.answerer import extract

# A plan's deadline ranked first and sharing more of the question's words, the event it asks the date of second
ESTATE = [
    passage(
        "The estates strategy aims to move every neighbourhood team into a shared public building by 2024.",
        para="2.3",
        heading="Estates strategy",
    ),
    passage(
        "Brynmawr's neighbourhood team was the first to move, sharing the town's library building from 2017.",
        para="4.1",
        heading="Progress",
    ),
]


def test_a_deadline_does_not_date_what_a_past_question_asks_happened():
    answer = extract("When did a neighbourhood team first move into a shared public building?", ESTATE).answer
    assert answer and "2017" in answer and "2024" not in answer


def test_without_the_rule_the_deadline_would_be_chosen(monkeypatch):
    monkeypatch.setattr(scoring, "TARGET", 0.0)
    answer = extract("When did a neighbourhood team first move into a shared public building?", ESTATE).answer
    assert answer and "2024" in answer


@pytest.mark.parametrize(
    "text, target",
    [
        ("Every officer will be trained by March 2023.", True),
        ("so that by 2030 nine in ten calls are answered within ten seconds", True),
        ("By 2019 the force had recruited 300 officers, up from 200 in 2015.", False),  # a year of its own too
        ("The hub opened in 2018 and was extended by the council.", False),
        ("The pilot started in April 2017, with a report due by June 2017.", False),  # the same year twice
        ("The 2022/23 budget was set in February.", False),  # a period names no year alone
    ],
)
def test_a_sentence_whose_every_year_is_a_deadline_is_a_target(text, target):
    assert scoring._only_targets(text) is target


def test_a_deadline_still_answers_a_question_asking_when_something_is_due():
    answer = extract("When will every neighbourhood team be in a shared public building?", ESTATE[:1]).answer
    assert answer and "2024" in answer
