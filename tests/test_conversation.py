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


@pytest.mark.parametrize(
    "previous, follow_up, expected",
    [
        # "the <Name>" replaces the previous question's own "the <Name>": measure and period stay.
        ("What was the SRS Collaboration underspend?", "and the DSD?", "What was the DSD underspend?"),
        (
            "How many officers did the Tri-Force Collaboration employ in 2019?",
            "what about the Regional Organised Crime Unit?",
            "How many officers did the Regional Organised Crime Unit employ in 2019?",
        ),
        (
            "What was the underspend of the Joint Audit Committee in 2018/19?",
            "And the Estates Board in 2017/18?",
            "What was the underspend of the Estates Board in 2017/18?",
        ),
    ],
)
def test_a_named_follow_up_replaces_the_subject(previous, follow_up, expected):
    assert resolve(follow_up, previous) == expected


def test_a_follow_up_naming_the_subject_of_an_ambiguous_question_is_added_not_guessed():
    previous = "Did the Police and Crime Panel approve the Estates Strategy?"  # two names: which to replace?
    assert resolve("and the Fleet Strategy?", previous) == f"{previous.rstrip('?')}, the Fleet Strategy?"


@pytest.mark.parametrize("message", ["budget", "overspend?", "staffing levels"])
def test_ordinary_words_alone_are_a_new_question_not_a_follow_up(message):
    assert not is_follow_up(message)
    assert resolve(message, PREVIOUS) == message


@pytest.mark.parametrize("message", ["Gwent?", "DSD", "the Estates Board?", "2016-17?"])
def test_a_name_or_a_period_alone_is_a_follow_up(message):
    assert is_follow_up(message)


@pytest.mark.parametrize(
    ("previous", "question", "expected"),
    [
        ("What does the Joint Audit Committee do?", "Who chairs it?", "Who chairs the Joint Audit Committee?"),
        (
            "What is the Tri-Force Collaboration?",
            "What is its budget?",
            "What is the Tri-Force Collaboration’s budget?",
        ),
        ("Who sits on the Estates Board?", "When did it last meet?", "When did the Estates Board last meet?"),
    ],
)
def test_a_pronoun_stands_for_the_one_thing_the_previous_question_named(previous, question, expected):
    assert resolve(question, previous) == expected


@pytest.mark.parametrize(
    ("previous", "question"),
    [
        ("How does Gwent Police work with Dyfed-Powys Police?", "Who chairs it?"),  # two names: which one?
        ("What was the ICT budget in 2018/19?", "Is it on track?"),  # "ICT" qualifies the budget
        ("What does the Estates Board do?", "Who chairs it for Gwent?"),  # a name of its own
        ("What was the total underspend?", "Why was it so large?"),  # no name at all
        ("Does Gwent have a custody suite?", "How big is it?"),  # a bare name need not be what "it" is
        ("What does the Joint Audit Committee do?", "Is it true that crime rose in 2022?"),  # "it" stands for nothing
        ("What does the Joint Audit Committee do?", "How do officers record their overtime?"),  # a new question
        ("What does the Joint Audit Committee do?", "How many victims in Gwent said it made them feel safe?"),
    ],
)
def test_a_pronoun_is_left_alone_when_what_it_stands_for_is_not_clear(previous, question):
    assert resolve(question, previous) == question


@pytest.mark.parametrize(
    "follow_up, expected",
    [
        ("What about the variance?", "What was the ICT variance in 2018/19?"),
        ("and the capital budget?", "What was the ICT capital budget in 2018/19?"),
        ("and the expenditure in 2017/18?", "What was the ICT expenditure in 2017/18?"),
    ],
)
def test_a_measure_replaces_the_previous_measure_keeping_subject_and_period(follow_up, expected):
    assert resolve(follow_up, "What was the ICT budget in 2018/19?") == expected


def test_a_measure_after_a_question_with_none_is_added():
    assert resolve("and the budget?", "Who chairs the board?") == "Who chairs the board, the budget?"


@pytest.mark.parametrize(
    "previous, expected",
    [
        ("What was the 2018/19 ICT budget?", "What was the 2018/19 ICT variance?"),  # a period before the measure
        ("In 2018/19, what was the ICT budget?", "In 2018/19, what was the ICT variance?"),
        ("What was the capital budget for ICT?", "What was the variance for ICT?"),  # the measure replaced whole
        # a measure word inside a name is not the measure
        ("What did the Capital Programme Board decide?", "What did the Capital Programme Board decide, the variance?"),
    ],
)
def test_the_measure_replaced_is_the_previous_questions_own(previous, expected):
    assert resolve("and the variance?", previous) == expected


@pytest.mark.parametrize(
    "previous, follow_up, expected",
    [
        # a bare name replaces the previous question's one bare name, keeping its measure and period
        ("How many officers does Gwent have?", "and for South Wales?", "How many officers does South Wales have?"),
        (
            "What was the ICT budget in Gwent in 2018/19?",
            "and for Cumbria?",
            "What was the ICT budget in Cumbria in 2018/19?",
        ),
        (
            "How many officers did Dyfed-Powys recruit in 2019?",
            "North Wales?",
            "How many officers did North Wales recruit in 2019?",
        ),
        # no bare name before, or two: the name is added, not guessed
        ("What was the ICT budget in 2018/19?", "and for Cumbria?", "What was the ICT budget in 2018/19, Cumbria?"),
        (
            "Did Gwent spend more than Cumbria on fleet?",
            "and for Avon?",
            "Did Gwent spend more than Cumbria on fleet, Avon?",
        ),
    ],
)
def test_a_bare_name_replaces_the_previous_questions_one_bare_name(previous, follow_up, expected):
    assert resolve(follow_up, previous) == expected
