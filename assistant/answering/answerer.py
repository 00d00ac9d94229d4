"""The default answerer: extractive and grounded, no LLM.

Runs the stages in pipeline order, each once: :mod:`.analysis` reads the question,
:mod:`.summaries` answers "Summarise <report>" from across its sections, :mod:`.open_answers` answers
another open one from a section's key points (a why-question or one asking
for an account, "How were …?", "What did … decide?", from its best sentence and the points closest
to it in meaning, or from the list a sentence near the top introduces); otherwise
:mod:`.candidates` cuts the passages into candidate answers, :mod:`.scoring` chooses one,
:mod:`.abstention` checks it may be given and :mod:`.extraction` words the answer and finds its
support. An answer below :data:`~.abstention.ABSTAIN_COVERAGE` is an abstention.
"""

from __future__ import annotations

from ..documents import Passage
from .abstention import ABSTAIN_COVERAGE, Meaning, confidence
from .analysis import analyse, money_by_meaning
from .candidates import LEAD_NUMBER, candidates, of_named_report
from .extraction import Extracted, compose, supporting
from .open_answers import MAX_POINTS, ReportSearch, SectionReader, by_meaning, open_answer, point_like
from .scoring import choose
from .summaries import summary, whole_report

ACCOUNT_POINTS = 3


def extract(
    question: str,
    passages: list[Passage],
    section: SectionReader | None = None,
    meaning: Meaning | None = None,
    search: ReportSearch | None = None,
) -> Extracted:
    """The best grounded answer in ``passages``, or an abstention (``answer`` None).

    ``section`` reads the whole report section a passage is in, for open questions' key points;
    ``meaning`` scores a text against the question with the sentence encoder (the abstention checks);
    ``search`` finds one report's passages closest to a text (a why-question's other reasons)."""
    query = analyse(question)
    if meaning is not None:
        query = money_by_meaning(query, meaning)
    if query.qtype == "open" and section is not None and whole_report(query):
        return summary(query, passages, section, meaning, search)
    # the report the question names as its source ("… in Gwent's collaboration update") answers; a
    # question no passage of it answers is still asked of the others (the title may be misread)
    named = of_named_report(query, passages)
    if query.qtype == "open":
        return open_answer(query, named, section, meaning, search)
    choice = choose(query, candidates(query, named))
    sure = confidence(query, choice.unit, choice.coverage, passages, meaning) if choice else 0.0
    points = query.qtype == "reason" or query.account  # answered with points: of the named report only
    if named is not passages and sure < ABSTAIN_COVERAGE and not points:
        choice = choose(query, candidates(query, passages))
        sure = confidence(query, choice.unit, choice.coverage, passages, meaning) if choice else 0.0
    if choice is None:
        return Extracted(query, None, None, 0.0, [])
    unit, coverage = choice.unit, choice.coverage
    # an account asked of a table row or a form's field is answered by its cell or value, as any question
    account = query.account and not (unit.cells or unit.field)
    if (query.qtype == "reason" or account) and meaning is not None:
        # a why-question or an account: the best sentence first, then the other points
        first: tuple[str, Passage] | None = None
        if sure >= ABSTAIN_COVERAGE and not account:
            first = (compose(query, unit), unit.passage)
        elif sure >= ABSTAIN_COVERAGE:  # an account's sentence quoted as the report prints it, not composed
            text = LEAD_NUMBER.sub("", " ".join(unit.text.split()))
            first = (text, unit.passage) if point_like(text, unit.passage) else None
        # an account's answer chosen is most of it: two more points at most, not five
        most = ACCOUNT_POINTS if account else MAX_POINTS
        return by_meaning(query, named, meaning, section, first, most=most, search=search)
    if sure < ABSTAIN_COVERAGE:
        return Extracted(query, None, unit, coverage, [], sure)
    answer = compose(query, unit)
    return Extracted(query, answer, unit, coverage, supporting(unit, answer, passages), sure)
