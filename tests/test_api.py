import re
import shutil

import pytest
from conftest import GWENT_TXT, passage

from assistant.api import Answer, Assistant
from assistant.documents import Filters


def test_an_answer_shows_its_citations_or_after_an_abstention_the_related_passages():
    cited, related = passage("The budget was £1.2m."), passage("Staffing rose in 2019.")
    assert Answer("q", "£1.2m", False, [cited], [related]).shown == [cited]
    assert Answer("q", "The reports do not say.", True, [], [related]).shown == [related]


@pytest.fixture(scope="module")
def library(tmp_path_factory, fake_encoder):
    """An Assistant over a fresh index (hashing encoder) holding the Gwent report, a public one and an upload."""
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


QUESTIONS = [
    "What was the variance for SRS Airwave in 2018/19?",
    "How many requests for service were there in 2018/19?",
    "How many stations were refurbished in 2020/21?",
    "What was the cost of the Mars base in 2031?",
]


def test_the_library_is_reached_through_the_assistant(library, tmp_path):
    summary = library.ingest([library.settings.index_dir.parent / "reports"])
    assert summary.failed == 0 and summary.files == 2
    assert [r.title for r in library.reports("public")] == ["Annual Report – ICT & Digital Services 2018/19"]
    assert len(library.reports()) == 2
    assert {d.doc_id for d in library.documents()} == {r.doc_id for r in library.reports()}
    estates = next(r for r in library.reports() if r.title.startswith("Estates"))
    assert library.report(estates.doc_id).title == estates.title
    assert library.report(estates.doc_id, "public") is None, "beyond public clearance it is as if it did not exist"
    upload = tmp_path / "upload"
    upload.write_text("Fleet Review\n\n2.1 The fleet has 212 vehicles.\n", encoding="utf-8")
    added = library.add([(upload, "fleet review.txt")])
    assert [r.status for r in added.results] == ["indexed"]
    fleet = next(r for r in library.reports() if r.title == "Fleet Review")
    assert library.search("fleet vehicles", k=1)[0].document == "Fleet Review"
    assert library.remove(fleet.doc_id) == "Fleet Review"
    assert library.report(fleet.doc_id) is None and not (library.settings.upload_dir / "fleet-review.txt").exists()
    with pytest.raises(KeyError):
        library.remove(fleet.doc_id)


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_langchain_chain_gives_the_same_answer_as_ask(library, question):
    library.ingest([library.settings.index_dir.parent / "reports"])
    asked, chained = library.ask(question), library.chain().invoke(question)
    assert (asked.answer, asked.abstained, asked.confidence) == (chained.answer, chained.abstained, chained.confidence)
    assert [p.chunk_id for p in asked.shown] == [p.chunk_id for p in chained.shown]
    assert [p.chunk_id for p in asked.passages] == [p.chunk_id for p in chained.passages]
    public = Filters(clearance="public")
    assert library.ask(question, public).answer == library.chain(public).invoke(question).answer


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
