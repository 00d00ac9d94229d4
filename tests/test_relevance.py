"""The FOI finder's relevance floor and its fragment test (assistant/answering/relevance.py), on passages
as the index stores them and on a real index of the Gwent report."""

import pytest

from assistant.answering.relevance import fragment, relevant
from assistant.documents import Passage


def passage(text: str, heading: str | None = None, score: float = 0.05, kind: str = "paragraph") -> Passage:
    meta = {"title": "Annual Report 2018/19", "doc_id": "d1", "kind": kind}
    if heading:
        meta["heading"] = heading
    return Passage.stored(f"d1:{abs(hash(text))}", text, meta, score)


@pytest.mark.parametrize(
    "text, heading",
    [
        ("INTEREST", "INTEREST"),  # a heading on its own
        ("TION & BACKGROUND", "INTRODUC"),  # the rest of "INTRODUCTION & BACKGROUND", broken by the layout
        ("Jury recruitment", "Jury recruitment"),
        ("5. NEXT STEPS", "NEXT STEPS"),
        ("3.2.1 Awareness and exposure to the triggers 12", "Published by HM Revenue and Customs"),  # contents
        ("13.1 None", "ANNEXES"),
        ("SYSTEM | LIMITED 16- Aug- 18 | rsecurityCCTV 12 | / 42% | Control 5 | Room 2", "Audit"),  # cells run together
        ("Xqzv Blmt Kpw Trnq Vbxl Qwmz Plkj Hgfd Zxcv Mnbv Lkjh Poiu Ytre", None),  # not language
    ],
)
def test_fragments_are_recognised(text, heading):
    assert fragment(passage(text, heading))


@pytest.mark.parametrize(
    "text, heading",
    [
        ("1. The appeal is dismissed.", "Decision"),  # short, but a sentence
        ("12.1 DCC Amanda Blakeman", "LEAD CHIEF OFFICER"),  # a form's answer under its label
        ("7.1 There are no legal implications.", "LEGAL IMPLICATIONS"),
        ("Financial Performance 2018/19 | SRS Airwave | Budget 567,448 | Variance -86,192", "Financial Performance"),
        ("What communication approaches are needed? The jury asked for plain letters.", "Communication"),
    ],
)
def test_passages_are_not_fragments(text, heading):
    assert not fragment(passage(text, heading))


def test_the_floor_keeps_passages_carrying_the_search_and_near_the_best():
    rows = [
        passage("Financial Performance 2018/19 | SRS Airwave | Budget 567,448 | Variance -86,192", score=0.063),
        passage("The Airwave network carries voice traffic for every force in Wales.", score=0.051),
        passage("We will provide corporate Wi-Fi at all main stations and offices.", score=0.009),  # filler
        passage("Airwave replacement is the Emergency Services Network programme.", score=0.02),  # far below the best
        passage("TION & BACKGROUND", "INTRODUC", score=0.06),
    ]
    assert [p.text[:30] for p in relevant("Airwave", rows)] == [rows[0].text[:30], rows[1].text[:30]]


def test_a_search_of_two_words_needs_both():
    rows = [
        passage("The contract values for the mobile devices were £1.2m over three years.", score=0.04),
        passage("The service continues under a single national contract.", score=0.05),
        passage("Our staff will feel valued and understand their work.", score=0.045),
    ]
    assert [p.text for p in relevant("contract values", rows)] == [rows[0].text]
    assert relevant("contract values", rows[1:]) == [], "neither word alone is a match"


def test_a_search_with_no_words_of_its_own_is_held_to_the_relative_floor_alone():
    rows = [passage("Budget 2018/19 was £9.1m.", score=0.05), passage("The 2018/19 plan.", score=0.01)]
    assert [p.text for p in relevant("2018/19", rows)] == [rows[0].text]
    assert relevant("anything", []) == []


def test_on_a_real_index_unrelated_words_find_nothing_and_filler_goes(gwent_text):
    assert gwent_text.search("contract values", 10) != [], "a search always ranks something"
    assert gwent_text.search("contract values", 10, relevant_only=True) == []
    kept = gwent_text.search("Airwave", 10, relevant_only=True)
    assert kept and len(kept) < len(gwent_text.search("Airwave", 10))
    assert all("airwave" in (p.text + p.context).lower() for p in kept)
    assert not any(fragment(p) for p in gwent_text.search("Airwave", 10, relevant_only=True))
    answered = gwent_text.retrieve("What was the SRS Airwave variance in 2018/19?")
    assert len(answered) == 8, "the answerer reads the ranked passages as they are, no floor"
