from assistant.answering.entities import asked_kind, named


def test_the_kind_asked_for_first_or_last():
    assert asked_kind("Which committee approved the estates strategy?") == {"committe"}
    assert "constabulary" in asked_kind("Which force leads the regional procurement hub?")  # from the vocabulary
    assert asked_kind("The hub is led by which force?") >= {"forc", "polic"}
    assert asked_kind("What is the name of the hub?") == set()  # "what is": no kind named
    assert asked_kind("How many staff work in the hub?") == set()


def test_a_name_of_the_kind_asked_with_a_word_the_question_lacks():
    kind, asked = asked_kind("Which board signs off the savings plan?"), {"board", "sign", "saving", "plan"}
    sentence = "The savings plan is drafted by the Finance Team and signed off by the Joint Resources Board."
    assert named(sentence, kind, asked) == "Joint Resources Board"
    assert named("The Board signs off the savings plan.", kind, asked) is None  # nothing the question does not say
    methodology = asked_kind("What methodology does the programme use for benefits?")
    assert (
        named("Benefits are tracked with the Managing Benefits (MB) methodology.", methodology, {"benefit"})
        == "Managing Benefits"
    )
    assert named("Gwent Police will host the service.", set(), set()) is None  # no kind asked


def test_a_plural_kind_before_its_verb_and_names_listed_in_brackets():
    kind = asked_kind("Which partner forces were consulted on the custody plan?")
    assert {"partner", "forc"} <= kind  # "forces were": a plural noun, not the question's verb
    asked = {"partner", "forc", "consult", "custody", "plan"}
    sentence = "The three partner forces (Gwent, Dyfed-Powys and South Wales) were consulted in May."
    assert named(sentence, kind, asked) == "Gwent, Dyfed-Powys and South Wales"
    assert named("The custody plan (Appendix B) was consulted on.", kind, asked) is None  # not after the kind
    assert named("The partner forces (see Table 2) were consulted.", kind, asked) is None  # not names
    assert asked_kind("Which board monitors the plan?") == {"board"}  # "monitors the": still the verb


def test_a_name_made_of_the_questions_words_answers_when_the_question_does_not_write_it():
    question = "The estates plan sets out the priorities of which unit?"
    kind = asked_kind(question)
    asked = {"estat", "plan", "set", "prioriti", "unit"}
    sentence = "The estates plan sets out the priorities of the Estates Unit."
    assert named(sentence, kind, asked) is None  # every word is the question's ...
    assert named(sentence, kind, asked, question) == "Estates Unit"  # ... but it never names the unit
    assert named(sentence, kind, asked, "Which unit does the Estates Unit report to?") is None  # it does here
