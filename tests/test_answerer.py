"""The answerer runs its stages in pipeline order, each once, and its scorer sits behind one entry point."""

import sys
from pathlib import Path

from conftest import passage
from test_answering import ROWS as TABLE_ROWS

from assistant.answering import answerer
from assistant.answering.answerer import extract
from assistant.answering.scoring import Choice

STAGES = {"answerer", "analysis", "candidates", "scoring", "abstention", "extraction", "open_answers"}
ANSWERING = Path(answerer.__file__).parent

# The answering tests' two rows of a finance table, and a sentence beside them.
ROWS = [*TABLE_ROWS, passage("There were 24,635 requests for service in the year, 18.4% of them through self-service.")]


def _walk(question: str, passages) -> list[str]:
    """The answerer's stage modules in the order its functions are called, consecutive calls merged."""
    entered: list[str] = []

    def profile(frame, event, _arg):
        path = Path(frame.f_code.co_filename)
        if event == "call" and path.parent == ANSWERING and path.stem in STAGES:
            if not entered or entered[-1] != path.stem:
                entered.append(path.stem)

    sys.setprofile(profile)
    try:
        extract(question, passages)
    finally:
        sys.setprofile(None)
    return entered


def test_a_question_visits_each_stage_once_in_pipeline_order():
    assert _walk("What was the variance for SRS Airwave in 2018/19?", ROWS) == [
        "answerer",
        "analysis",
        "candidates",
        "scoring",
        "abstention",
        "extraction",
    ]
    assert _walk("How many requests for service were there?", ROWS)[-1] == "extraction"


def test_an_abstention_stops_at_the_checks():
    walk = _walk("How many drones did the force buy in 2021/22?", ROWS)
    assert walk == ["answerer", "analysis", "candidates", "scoring", "abstention"]


def test_another_scorer_replaces_this_one_at_its_entry_point(monkeypatch):
    question = "What was the variance for SRS Airwave in 2018/19?"
    assert "-£86,192" in extract(question, ROWS).answer

    def the_last_table_row(query, units):
        unit = [u for u in units if u.cells][-1]
        return Choice(unit, 1.0, 1.0)

    monkeypatch.setattr(answerer, "choose", the_last_table_row)
    assert "-£252,877" in extract(question, ROWS).answer  # the DSD row: what the other scorer chose
