"""The evaluation runner, and the CI quality gate on both corpora (text and PDF)."""

import json
import shutil

import pytest

from assistant.evaluation import QUESTIONS, answer_matches, evaluate, load_questions, normalise
from assistant.ingest import ingest
from assistant.settings import Settings
from conftest import CORPUS, ROOT

THRESHOLDS = json.loads((ROOT / "evals" / "thresholds.json").read_text())
ARTIFACTS = ROOT / "test-artifacts"


def test_question_set_is_well_formed():
    items = load_questions([QUESTIONS])
    assert len(items) >= 100
    assert sum(i["unanswerable"] for i in items) >= 12
    assert len({i["id"] for i in items}) == len(items)
    for i in items:
        assert set(i) >= {"id", "question", "expected", "evidence", "unanswerable", "type"}
        if not i["unanswerable"]:
            assert i["expected"] and i["evidence"]


def test_answer_matching_normalises_numbers():
    assert answer_matches("There were 24,635 requests for service.", ["24,635"])
    assert answer_matches("Variance: -£86,192", ["-86,192"])
    assert answer_matches("The underspend was £1.15m.", ["£1.15m"])
    assert answer_matches("67 per cent were resolved.", ["67%"])
    assert not answer_matches("There were 24,636 requests.", ["24,635"])
    assert normalise("Since July, 2011!") == "sincejuly2011"


def test_foreign_question_file_works(tmp_path):
    f = tmp_path / "other.jsonl"
    f.write_text(json.dumps({"id": "x1", "question": "What is it?"}) + "\n", encoding="utf-8")
    (item,) = load_questions([f])
    assert item["expected"] == [] and item["unanswerable"] is False


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["text", "pdf"])
def test_quality_gate(corpus, tmp_path):
    folder = tmp_path / corpus
    folder.mkdir()
    suffix = ".txt" if corpus == "text" else ".pdf"
    for f in CORPUS.glob(f"*{suffix}"):
        shutil.copy(f, folder / f.name)
    index = tmp_path / "index"
    summary = ingest([folder], Settings(index_dir=index), progress=False)
    assert summary.failed == 0
    out = ARTIFACTS / f"eval-{corpus}"
    result = evaluate(index, None, out, title=f"Evaluation on the {corpus} corpus")
    assert (out / "results.jsonl").exists() and (out / "report.md").exists() and (out / "charts.png").exists()
    for metric, bound in THRESHOLDS[corpus].items():
        if metric.endswith("_max"):
            assert result[metric[:-4]] <= bound, f"{corpus}: {metric[:-4]} {result[metric[:-4]]} > {bound}"
        else:
            assert result[metric] >= bound, f"{corpus}: {metric} {result[metric]} < {bound}"


def test_a_figure_cited_on_the_wrong_page_is_caught(tmp_path):
    from pdfgen import make_pdf

    from assistant.api import Answer
    from assistant.evaluation import figure_on_cited_page
    from assistant.retrieval import Passage

    path = tmp_path / "budget.pdf"
    path.write_bytes(make_pdf([["Financial performance", "Budget | 1,200,000"], ["SRS Airwave | Variance | -86,192"]]))
    paths = {"d1": str(path)}

    def answer(page: int) -> Answer:
        cited = Passage("c1", "Budget", str(path), page, None, None, "table_row", "SRS Airwave | Variance -86,192", 1.0,
                        {"doc_id": "d1", "page_end": page})
        return Answer("What was the variance?", "Variance for SRS Airwave: -£86,192", False, [cited])

    assert figure_on_cited_page(answer(2), paths) is True
    assert figure_on_cited_page(answer(1), paths) is False  # a row cited one page early
    assert figure_on_cited_page(Answer("q", "The reports do not say.", True, []), paths) is None
