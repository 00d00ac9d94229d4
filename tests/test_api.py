import re
import shutil

import pytest
from conftest import GWENT_TXT, passage
from test_answering import ROWS

from assistant.api import Answer, Assistant
from assistant.documents import Filters
from assistant.evaluation import citation_supported


def test_an_answer_shows_its_citations_or_after_an_abstention_the_related_passages():
    cited, related = passage("The budget was £1.2m."), passage("Staffing rose in 2019.")
    assert Answer("q", "£1.2m", False, [cited], [related]).shown == [cited]
    assert Answer("q", "The reports do not say.", True, [], [related]).shown == [related]


@pytest.fixture(scope="module")
def library(tmp_path_factory, fake_encoder):
    """An Assistant over a fresh index (hashing encoder) holding the Gwent report (public) and an
    OFFICIAL-SENSITIVE estates strategy; a test adds and removes an upload."""
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("api")
    (root / "reports").mkdir()
    shutil.copy(GWENT_TXT, root / "reports" / GWENT_TXT.name)
    (root / "reports" / "estates.txt").write_text(
        "Estates Strategy 2020\n\nOFFICIAL-SENSITIVE\n\n1.1 Seventeen stations were refurbished in 2020/21.\n",
        encoding="utf-8",
    )
    settings = Settings(index_dir=root / "index", embedding_model=fake_encoder, upload_dir=root / "uploads")
    with Assistant(settings=settings) as assistant:
        yield assistant


# question -> (clearance -> (a figure the answer states, the report it cites) or None for an abstention)
CHAIN = {
    "What was the variance for SRS Airwave in 2018/19?": {
        None: ("86,192", "Annual Report – ICT & Digital Services 2018/19"),
        "public": ("86,192", "Annual Report – ICT & Digital Services 2018/19"),
    },
    "How many requests for service were there in 2018/19?": {
        None: ("24,635", "Annual Report – ICT & Digital Services 2018/19"),
        "public": ("24,635", "Annual Report – ICT & Digital Services 2018/19"),
    },
    "How many stations were refurbished in 2020/21?": {
        None: ("Seventeen", "Estates Strategy 2020"),
        "public": None,  # only the OFFICIAL-SENSITIVE report says, and a public user cannot see it
    },
    "What was the cost of the Mars base in 2031?": {None: None, "public": None},
}


@pytest.mark.parametrize("question", CHAIN)
@pytest.mark.parametrize("clearance", [None, "public"])
def test_the_langchain_chain_answers_and_cites_as_each_clearance_allows(library, question, clearance):
    """``chain().invoke`` gives the right figure cited from the right report, or abstains, for each clearance;
    a restricted report's passages never reach a public user's answer, citations or related passages."""
    library.ingest([library.settings.index_dir.parent / "reports"])
    got = library.chain(Filters(clearance=clearance)).invoke(question)
    want = CHAIN[question][clearance]
    if want is None:
        assert got.abstained and not got.citations, got.answer
    else:
        figure, report = want
        assert not got.abstained and figure in got.answer, got.answer
        assert got.citations and {p.document for p in got.citations} == {report}
        assert any(figure in p.text for p in got.citations)  # the figure is quoted from a cited passage
    if clearance == "public":
        assert all(p.document != "Estates Strategy 2020" for p in got.passages + got.shown)


def test_a_public_user_selecting_a_restricted_report_by_name_or_id_selects_nothing(library):
    """The report filter itself leaves out what the clearance may not see (the store queries check it again)."""
    library.ingest([library.settings.index_dir.parent / "reports"])
    estates = next(d for d in library.documents() if d.title.startswith("Estates"))
    for chosen in (
        Filters(clearance="public", report="Estates"),
        Filters(clearance="public", doc_ids={estates.doc_id}),
    ):
        assert library.retriever.allowed_docs(chosen) == set()
    assert library.retriever.allowed_docs(Filters(report="Estates")) == {estates.doc_id}


TOPIC = passage("The service desk is the first point of contact, and users can follow each request online.", para="3.5")
AIRWAVE = passage("The Airwave budget overspent because more handsets were bought.", para="5.2")
DECISION = passage(
    "Decision number: PCC/2019/041 Date: 4 September 2019 Contact officer: Joanne Regan", "field", para=""
)


@pytest.mark.parametrize(
    "question, passages, figure",
    [  # the passage holding the figure is never the top-ranked one here
        (
            "How many requests for service were there in 2018/19?",
            [TOPIC, passage("There were 24,635 requests for service in 2018/19.", para="3.6")],
            "24,635",
        ),
        ("What was the variance for SRS Airwave in 2018/19?", [AIRWAVE, ROWS[1], ROWS[0]], "86,192"),
        ("What is the date of the decision?", [TOPIC, AIRWAVE, DECISION], "4 September 2019"),
    ],
    ids=["prose", "table row", "form field"],
)
def test_an_answer_cites_the_passage_its_figure_comes_from_not_the_top_ranked_one(library, question, passages, figure):
    got = library.answer(question, passages)
    assert not got.abstained and figure in got.answer, got.answer
    holder = next(p for p in passages if figure in p.text)
    assert [p.chunk_id for p in got.citations] == [holder.chunk_id]
    assert citation_supported(got, [figure])


@pytest.mark.parametrize(
    "text, problem",
    [
        ("budget \ud800", "cannot be encoded as UTF-8"),
        ("What was the budget\udfff?", "position 20"),
        ("budget\x00", "U+0000"),
    ],
)
def test_text_that_cannot_be_encoded_fails_cleanly(library, text, problem):
    """A lone surrogate or a control character is a clear ValueError, not a crash deep in lexical search."""
    with pytest.raises(ValueError, match=f"the question cannot be used: .*{re.escape(problem)}"):
        library.ask(text)
    with pytest.raises(ValueError, match=f"the search cannot be used: .*{re.escape(problem)}"):
        library.search(text)
