"""Welsh questions are recognised (assistant/answering/language.py), and said so, never a silent "not found"."""

import json
from pathlib import Path

import pytest

from assistant.answering.language import WELSH_NOTICE, welsh

EVALS = Path(__file__).resolve().parents[1] / "evals"
WELSH = [
    "Faint yw cyllideb TGCh ar gyfer 2018/19?",
    "Beth oedd y gyllideb ar gyfer y gwasanaethau digidol?",
    "Pwy yw'r Comisiynydd Heddlu a Throseddu?",
    "Faint o alwadau a dderbyniodd y ddesg gwasanaeth?",
    "Pryd cafodd y strategaeth ei chymeradwyo?",
    "Sut mae’r heddlu yn defnyddio camerâu corff?",
    "gwasanaethau digidol cyllideb",
    "Pam wnaeth y costau godi?",
]
ENGLISH = [
    "Airwave",
    "contract values",
    "What did Beth Jones say about the SRS?",
    "Dyfed-Powys Police budget",
    "Caerphilly and Llandudno stations",
    "Llanelli Airwave",
    "How many calls did the Ysbyty Gwynedd site take?",
]


@pytest.mark.parametrize("text", WELSH)
def test_welsh_is_recognised(text):
    assert welsh(text)


@pytest.mark.parametrize("text", ENGLISH)
def test_english_with_welsh_names_is_not(text):
    assert not welsh(text)


def test_no_question_of_the_english_sets_is_taken_for_welsh():
    questions = [
        json.loads(line)["question"]
        for name in ("questions.jsonl", "generated-questions.jsonl", "icdar2013-questions.jsonl")
        for line in (EVALS / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(questions) > 800 and [q for q in questions if welsh(q)] == []


def test_a_welsh_question_is_answered_with_the_notice(gwent_text):
    result = gwent_text.ask("Faint yw cyllideb TGCh ar gyfer 2018/19?")
    assert result.note and result.note.startswith(WELSH_NOTICE)
    assert gwent_text.ask("How many requests for service were there in 2018/19?").note is None
