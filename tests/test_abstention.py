"""The abstention rule pinned from both sides: near misses that must be answered and near misses that
must abstain, on passages of several shapes (a sentence, a table row, a form), none from the evaluation sets.

Moving ABSTAIN_COVERAGE from 0.4 to 0.2 answers the second list; moving it to 0.55 abstains on the
first. MEANING_FLOOR is pinned the same way with cosines just either side of it."""

import pytest
from conftest import passage

from assistant.answering.abstention import ABSTAIN_COVERAGE
from assistant.answering.answerer import extract
from assistant.indexing.embedding import get_encoder

SURVEY = passage("There were 2,310 responses to the neighbourhood policing survey in 2019/20.", para="4.2")
SPECIALS = passage(
    "The force recruited 86 new special constables during the year, and 41 of them completed training.", para="6.1"
)
WORKFORCE = passage(
    "Workforce 2019/20 | Police officers | Establishment 1,420 | Actual 1,388 | Vacancies 32",
    "table_row",
    table="Workforce 2019/20",
)
COVER = passage("Report to: Police and Crime Panel\nDate: 12 March 2020\nAuthor: Chief Finance Officer", para="")


@pytest.fixture(scope="module")
def meaning():
    encoder = get_encoder(None)
    return lambda question, texts: encoder.similarities(question, texts)


@pytest.mark.parametrize(
    "question, where, figure",
    [  # other words for what the passage says: under half the question's weighted words are the passage's
        ("How many answers came back from the local policing survey?", SURVEY, "2,310"),
        ("How many people filled in the survey?", SURVEY, "2,310"),
        ("What number of residents answered the neighbourhood survey?", SURVEY, "2,310"),
    ],
)
def test_a_paraphrase_just_above_the_coverage_floor_is_answered(meaning, question, where, figure):
    got = extract(question, [where], meaning=meaning)
    assert got.answer is not None and figure in got.answer, (got.coverage, got.answer)
    assert ABSTAIN_COVERAGE <= got.coverage < 0.55  # a near miss: the floor moved to 0.55 abstains


@pytest.mark.parametrize(
    "question, where",
    [  # the same topic, another thing asked: only the coverage floor stops these
        ("What was the turnout for the neighbourhood meetings in 2019/20?", SURVEY),
        ("How many police cars did the force buy during the year?", SPECIALS),
        ("How many staff were on long-term sick leave in 2019/20?", WORKFORCE),
    ],
)
def test_a_question_sharing_only_some_words_just_below_the_coverage_floor_abstains(meaning, question, where):
    got = extract(question, [where], meaning=meaning)
    assert got.answer is None, got.answer
    assert 0.2 <= got.coverage < ABSTAIN_COVERAGE  # a near miss: the floor moved to 0.2 answers it


@pytest.mark.parametrize("where", [SURVEY, WORKFORCE, COVER], ids=["sentence", "table row", "form"])
def test_every_shape_answers_the_question_it_holds_and_abstains_on_one_it_does_not(meaning, where):
    asked = {
        SURVEY.text: ("How many responses did the neighbourhood policing survey get in 2019/20?", "2,310"),
        WORKFORCE.text: ("How many police officer vacancies were there in 2019/20?", "32"),
        COVER.text: ("What is the date of the report?", "12 March 2020"),
    }[where.text]
    got = extract(asked[0], [where], meaning=meaning)
    assert got.answer and asked[1] in got.answer
    assert extract("How many drones did the force buy in 2021/22?", [where], meaning=meaning).answer is None


def test_a_missing_ordinary_word_is_forgiven_just_above_the_meaning_floor_and_not_just_below():
    """One word the passage does not use ("replied" for "responses"): forgiven at a cosine of 0.45, not at
    0.35 (MEANING_FLOOR is 0.4; moved to 0.2 or to 0.55, this fails)."""
    question = "How many people replied to the neighbourhood policing survey?"
    assert "2,310" in extract(question, [SURVEY], meaning=lambda q, ts: [0.45] * len(ts)).answer
    assert extract(question, [SURVEY], meaning=lambda q, ts: [0.35] * len(ts)).answer is None


def test_the_real_encoder_forgives_a_paraphrase(meaning):
    got = extract("How many people replied to the neighbourhood policing survey?", [SURVEY], meaning=meaning)
    assert got.answer and "2,310" in got.answer


def test_a_span_of_years_the_question_names_conflicts_with_evidence_of_other_years():
    """ "the 2021-2026 plan": evidence only about 2016 and 2017 answers nothing of it; evidence dated
    inside the span, or in a report framed by it, does."""
    other = passage(
        "Estates plan budget | TOTAL | 2016/17 Total (£000) 3,505 | 2017/18 Total (£000) 4,174",
        "table_row",
        table="Estates plan budget",
    )
    asked = "What is the total budget for the 2021-2026 estates plan?"
    assert extract(asked, [other]).answer is None
    inside = passage("The estates plan budget for 2023 is £4.2m, approved in March 2022.", para="3.1")
    got = extract(asked, [inside]).answer
    assert got is not None and "£4.2m" in got
    asked = "What is the total budget for the 2016-2019 estates plan?"
    assert extract(asked, [other]).answer is not None  # its own years, inside the span


def test_words_naming_the_source_report_need_not_be_in_the_answer_but_the_report_must_be_found():
    """ "…, according to the census briefing on migration?": the briefing's words say where to look, not
    what the answer says; when no retrieved passage is from such a report, nothing answers."""
    born = passage(
        "About 4.2 % of the county's residents were born outside the United Kingdom.",
        para="2.3",
        title="Who lives here",
        heading="Population",
    )
    about = passage("This census briefing on migration sets out the 2021 results for the county.", para="1.1")
    asked = (
        "Roughly what share of the county's residents were born abroad, according to the census briefing on migration?"
    )
    got = extract(asked, [born, about]).answer
    assert got is not None and "4.2 %" in got
    other = passage(
        "About 4.2 % of the county's residents were born outside the United Kingdom.",
        para="2.3",
        title="Estates plan",
        heading="Estates",
    )
    assert (
        extract(asked.replace("census briefing on migration", "HMICFRS inspection of vetting"), [other]).answer is None
    )
