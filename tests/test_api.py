from conftest import passage

from assistant.api import Answer


def test_an_answer_shows_its_citations_or_after_an_abstention_the_related_passages():
    cited, related = passage("The budget was £1.2m."), passage("Staffing rose in 2019.")
    assert Answer("q", "£1.2m", False, [cited], [related]).shown == [cited]
    assert Answer("q", "The reports do not say.", True, [], [related]).shown == [related]
