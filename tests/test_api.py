from assistant.api import Answer
from assistant.retrieval import Passage


def _passage(text: str) -> Passage:
    return Passage(f"d:{hash(text)}", "Annual Report", "r.txt", 3, "2.1", "Finance", "paragraph", text, 1.0, {})


def test_an_answer_shows_its_citations_or_after_an_abstention_the_related_passages():
    cited, related = _passage("The budget was £1.2m."), _passage("Staffing rose in 2019.")
    assert Answer("q", "£1.2m", False, [cited], [related]).shown == [cited]
    assert Answer("q", "The reports do not say.", True, [], [related]).shown == [related]
