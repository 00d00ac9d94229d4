"""The evaluation runner, and the CI quality gate on both corpora (text and PDF)."""

import json
import shutil
import subprocess
import sys

import pytest
from conftest import CORPUS, ROOT, TEXTS, passage, require_benchmark

from assistant.answering.figures import periods
from assistant.api import Answer
from assistant.evaluation import (
    QUESTIONS,
    answer_matches,
    citation_supported,
    evaluate,
    load_questions,
    normalise,
    question_set,
)
from assistant.indexing.ingest import ingest
from assistant.settings import Settings

GENERATED = ROOT / "evals" / "generated-questions.jsonl"
PARAPHRASED = ROOT / "evals" / "paraphrased-questions.jsonl"  # 40 questions in people's words on the sample reports
OPEN = ROOT / "evals" / "open-questions.jsonl"  # 13 open questions on the sample reports, scored by key points
THRESHOLDS = json.loads((ROOT / "evals" / "thresholds.json").read_text())
ARTIFACTS = ROOT / "test-artifacts"
REALWORLD = ROOT.parent / "shared" / "benchmarks" / "realworld-dev"  # real public-body PDFs, questions people wrote
ICDAR = ROOT.parent / "shared" / "benchmarks" / "icdar2013-tables"  # 67 EU and US government PDFs
HELDOUT = ROOT / "evals" / "heldout-questions.jsonl"  # written blind, run as a test set: never tuned on
HELDOUT2 = ROOT / "evals" / "heldout2-questions.jsonl"  # written blind in stop 46 on 12 other PDFs: all held back
SAMPLE_HELDOUT = ROOT / "evals" / "sample-heldout-questions.jsonl"  # written blind in stop 46 on the sample reports


def test_question_set_is_well_formed():
    items = load_questions([QUESTIONS])
    assert len(items) >= 100
    assert sum(i["unanswerable"] for i in items) >= 12
    assert len({i["id"] for i in items}) == len(items)
    for i in items:
        assert set(i) >= {"id", "question", "expected", "evidence", "unanswerable", "type"}
        if not i["unanswerable"]:
            assert i["expected"] and i["evidence"]


def test_the_question_sets_are_found_through_the_installed_package(tmp_path):
    """``assistant eval`` without --questions works from any folder, not only beside the source tree."""
    for name in (
        "questions.jsonl",
        "generated-questions.jsonl",
        "paraphrased-questions.jsonl",
        "open-questions.jsonl",
        "heldout-questions.jsonl",
        "heldout2-questions.jsonl",
        "sample-heldout-questions.jsonl",
        "thresholds.json",
    ):
        assert question_set(name).read_bytes() == (ROOT / "evals" / name).read_bytes()
    out = subprocess.run(
        [sys.executable, "-c", "from assistant.evaluation import QUESTIONS; print(QUESTIONS.is_file())"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"


def test_answer_matching_normalises_numbers():
    assert answer_matches("There were 24,635 requests for service.", ["24,635"])
    assert answer_matches("Variance: -£86,192", ["-86,192"])
    assert answer_matches("The underspend was £1.15m.", ["£1.15m"])
    assert answer_matches("67 per cent were resolved.", ["67%"])
    assert not answer_matches("There were 24,636 requests.", ["24,635"])
    assert normalise("Since July, 2011!") == "sincejuly2011"


def test_citation_support_checks_what_the_answer_states_against_what_it_cites():
    row = passage("Financial Performance 2018/19 | SRS Airwave | Budget £567,448 | Variance £-86,192", "table_row")
    prose = passage("The Airwave budget overspent because more handsets were bought. It was £86,192 over.")
    composed = "The variance for SRS Airwave in Financial Performance 2018/19 was -£86,192"
    assert citation_supported(Answer("q", composed, False, [row]), [])
    assert not citation_supported(Answer("q", composed, False, [passage("Airwave is the radio network.")]), [])
    points = "Key points quoted from R:\n1. “The Airwave budget overspent because …” (p. 16, para 5.2)\n2. “It was £86,192 over.” (p. 16)"
    assert citation_supported(Answer("q", points, False, [prose]), [])  # a point's number and page are no claims
    assert not citation_supported(Answer("q", points.replace("£86,192", "£96,192"), False, [prose]), [])
    field = passage("Date: 4 September 2019\nContact officer: Joanne Regan")
    assert citation_supported(Answer("q", "Lead officer: Joanne Regan", False, [field]), [])
    assert not citation_supported(Answer("q", "Lead officer: Jo Bloggs", False, [field]), [])


def test_every_gated_set_has_a_threshold_for_each_part_and_gates_the_citation():
    """A set split into development and held-back parts has a threshold per part, never one shared floor;
    every set gates citation support at 0.98, evidence hit@1 and (where it has unanswerable questions)
    abstention precision."""
    gates = {
        "text": THRESHOLDS["text"],
        "pdf": THRESHOLDS["pdf"],
        **{f"generated {c} {p}": THRESHOLDS["generated"][c][p] for c in ("text", "pdf") for p in ("dev", "test")},
        **{f"paraphrased {c}": THRESHOLDS["paraphrased"][c] for c in ("text", "pdf")},
        **{f"icdar {p}": THRESHOLDS["icdar2013"]["questions"][p] for p in ("dev", "test")},
        **{f"realworld {p}": THRESHOLDS["realworld"]["part"][p] for p in ("dev", "test")},
        "realworld": THRESHOLDS["realworld"]["all"],
        **{f"heldout {p}": THRESHOLDS["heldout"]["part"][p] for p in ("dev", "test")},
        "heldout": THRESHOLDS["heldout"]["all"],
        "heldout2": THRESHOLDS["heldout2"],
        **{
            f"sample held-out {c} {p}": THRESHOLDS["sample_heldout"][c][p]
            for c in ("text", "pdf")
            for p in ("dev", "test")
        },
    }
    for name, gate in gates.items():
        assert gate["citation_support"] == 0.98, name
        assert "evidence_hit@1" in gate or name == "realworld", name
        assert "abstention_precision" in gate or name.startswith("icdar") or name == "realworld test", name
    assert set(THRESHOLDS["icdar2013"]["structure"]) == {"dev", "test"}


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
    for f in TEXTS.glob("*.txt") if corpus == "text" else CORPUS.glob("*.pdf"):
        shutil.copy(f, folder / f.name)
    index = tmp_path / "index"
    summary = ingest([folder], Settings(index_dir=index), progress=False)
    assert summary.failed == 0
    out = ARTIFACTS / f"eval-{corpus}"
    result = evaluate(index, None, out, title=f"Evaluation on the {corpus} corpus")
    assert (out / "results.jsonl").exists() and (out / "report.md").exists() and (out / "charts.png").exists()
    _check(result, THRESHOLDS[corpus], corpus)
    generated = evaluate(
        index, [GENERATED], ARTIFACTS / f"eval-{corpus}-generated", title=f"Generated questions, {corpus}"
    )
    print(corpus, generated["by_part"], "gap", generated["dev_test_accuracy_gap"])
    assert set(generated["by_part"]) == {"dev", "test"}
    for part, got in generated["by_part"].items():  # questions generated from the reports' structure, each part
        _check(got, THRESHOLDS["generated"][corpus][part], f"{corpus} generated {part}")
    reworded = evaluate(
        index, [PARAPHRASED], ARTIFACTS / f"eval-{corpus}-paraphrased", title=f"Paraphrased questions, {corpus}"
    )
    _check(reworded, THRESHOLDS["paraphrased"][corpus], f"{corpus} paraphrased")
    points = evaluate(index, [OPEN], ARTIFACTS / f"eval-{corpus}-open", title=f"Open questions, {corpus}")
    _check(points, THRESHOLDS["open"][corpus], f"{corpus} open")
    blind = evaluate(
        index, [SAMPLE_HELDOUT], ARTIFACTS / f"eval-{corpus}-sample-heldout", title=f"Held-out questions, {corpus}"
    )
    print(corpus, "sample held-out", blind["by_part"])
    for part, got in blind["by_part"].items():  # written blind; two reports' questions a development part
        _check(got, THRESHOLDS["sample_heldout"][corpus][part], f"{corpus} sample held-out {part}")


def _check(got: dict, bounds: dict, where: str) -> None:
    for metric, bound in ((m, b) for m, b in bounds.items() if not m.startswith("_")):
        if metric.endswith("_max"):
            assert got[metric[:-4]] <= bound, f"{where}: {metric[:-4]} {got[metric[:-4]]} > {bound}"
        else:
            assert got[metric] >= bound, f"{where}: {metric} {got[metric]} < {bound}"


@pytest.mark.slow
def test_realworld_gate(tmp_path):
    """The realworld-dev set (7 UK public-body PDFs, 58 questions written by a person) on one index of
    all seven: the whole set and each of its parts (split by report, thresholds.json) meet the gate."""
    require_benchmark(REALWORLD / "questions.jsonl", "the realworld-dev set")
    gate = THRESHOLDS["realworld"]
    index = tmp_path / "index"
    summary = ingest([REALWORLD / "pdfs"], Settings(index_dir=index), progress=False)
    assert summary.failed == 0
    items = load_questions([REALWORLD / "questions.jsonl"])
    for item in items:
        item["part"] = "test" if item["doc"] in gate["_test_documents"] else "dev"
    questions = tmp_path / "realworld.jsonl"
    questions.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    result = evaluate(index, [questions], ARTIFACTS / "eval-realworld", title="Realworld-dev (../shared)")
    print("realworld", {k: result[k.removesuffix("_max")] for k in gate["all"]}, result["by_part"])
    _check(result, gate["all"], "realworld")
    assert set(result["by_part"]) == {"dev", "test"}
    for part, got in result["by_part"].items():
        _check(got, gate["part"][part], f"realworld {part}")


@pytest.mark.slow
def test_heldout_gate(tmp_path):
    """The held-out set (40 questions in people's words, written in stop 45 by a session that had seen
    neither the code nor any other question set, on 14 of the ICDAR 2013 and realworld-dev PDFs) on one
    index of all 74 of those PDFs, read by the default reader: the whole set and each part meet the gate.
    The questions on the ICDAR EU documents are a development part since stop 45 (two general rules were
    fitted to their failures); the rest are held back: their failures are not listed and nothing is fitted
    to them."""
    require_benchmark(ICDAR / "competition-dataset-eu", "the ICDAR 2013 PDFs")
    require_benchmark(REALWORLD / "pdfs", "the realworld-dev PDFs")
    gate = THRESHOLDS["heldout"]
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for pdf in [*sorted(ICDAR.glob("*/*.pdf")), *sorted((REALWORLD / "pdfs").glob("*.pdf"))]:
        shutil.copy(pdf, folder / pdf.name)
    index = tmp_path / "index"
    assert ingest([folder], Settings(index_dir=index), progress=False).failed == 0
    items = load_questions([HELDOUT])
    for item in items:
        item["part"] = "dev" if item["doc"].startswith("eu-") else "test"
    questions = tmp_path / "heldout.jsonl"
    questions.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    result = evaluate(index, [questions], ARTIFACTS / "eval-heldout", title="Held-out questions (../shared PDFs)")
    print("heldout", {k: result[k.removesuffix("_max")] for k in gate["all"]}, result["by_part"])
    _check(result, gate["all"], "heldout")
    for part, got in result["by_part"].items():
        _check(got, gate["part"][part], f"heldout {part}")
    second = evaluate(index, [HELDOUT2], ARTIFACTS / "eval-heldout2", title="Second held-out set (../shared PDFs)")
    print("heldout2", {k: second[k.removesuffix("_max")] for k in THRESHOLDS["heldout2"] if not k.startswith("_")})
    _check(second, THRESHOLDS["heldout2"], "heldout2")


def test_the_generated_set_is_the_generators_output():
    """evals/generated-questions.jsonl is exactly what bench/generate_questions.py writes, split by section."""
    sys.path.insert(0, str(ROOT / "bench"))
    import generate_questions

    items = generate_questions.generate()
    assert generate_questions.render(items) == GENERATED.read_text(encoding="utf-8")
    assert {i["type"] for i in items} == {"table", "prose", "entity", "field", "unanswerable"}
    mentioned = {p for path in TEXTS.glob("*.txt") for p in periods(path.read_text(encoding="utf-8"))}
    for i in items:  # an unanswerable question asks for a year no report mentions, and expects nothing
        if i["unanswerable"]:
            assert i["expected"] == [] and not set(periods(i["question"])) & mentioned and periods(i["question"])
    sections: dict[tuple[str, str], set[str]] = {}
    for i in items:  # one section's questions (a table's cells, a paragraph's sentences) never straddle the parts
        sections.setdefault((i["report"], i["section"]), set()).add(i["part"])
    assert all(len(parts) == 1 for parts in sections.values()) and len(sections) >= 10
    assert 0.25 <= sum(i["part"] == "test" for i in items) / len(items) <= 0.75


def test_generated_questions_read_periods_and_sentences_as_people_write_them():
    sys.path.insert(0, str(ROOT / "bench"))
    from generate_questions import period_forms, sentence_questions

    assert period_forms("2019/20") == ["2019/20", "2019-20", "the year to March 2020"]
    assert period_forms("16/17") == ["2016/17", "2016-17", "the year to March 2017"]
    from generate_questions import _absent_period

    assert _absent_period("2018-19", {"2019/20", "2020/21"}) == "2021-22"  # written as the table writes it
    (q,) = sentence_questions("There were 1,204 calls for service in the quarter, most by telephone.")
    assert q == (
        "How many calls for service in the quarter were there?",
        "1,204",
        "1,204 calls for service in the quarter",
    )
    (q,) = sentence_questions("The new custody suite was opened by the Commissioner on 3 March 2020.")
    assert q[0] == "When was the new custody suite opened by the Commissioner?" and q[1] == "3 March 2020"
    (q,) = sentence_questions("In 2020/21 72% of victims were contacted within 48 hours.")
    assert q[:2] == ("What percentage of victims were contacted within 48 hours in 2020/21?", "72%")
    assert sentence_questions("The Commissioner is asked to note the report.") == []
    from generate_questions import name_questions

    (q,) = name_questions("Complaints data is reviewed every quarter by the Professional Standards Board.")
    assert q == (
        "Complaints data is reviewed every quarter by which board?",
        "Professional Standards Board",
        "Professional Standards Board",
    )
    (q,) = name_questions("Leicestershire Police will host the new regional firearms training unit from April.")
    assert q[:2] == (
        "Which force will host the new regional firearms training unit from April?",
        "Leicestershire Police",
    )
    assert name_questions("The Digital Services Division reports to the Chief Officer Board.") == []  # the name goes on
    assert (
        name_questions("Frequency: Monthly - Chair: Head of Audit - Members: Audit Board") == []
    )  # a form, not a sentence


def test_a_figure_cited_on_the_wrong_page_is_caught(tmp_path):
    from pdfgen import make_pdf

    from assistant.api import Answer
    from assistant.documents import Passage
    from assistant.evaluation import figure_on_cited_page

    path = tmp_path / "budget.pdf"
    path.write_bytes(make_pdf([["Financial performance", "Budget | 1,200,000"], ["SRS Airwave | Variance | -86,192"]]))
    paths = {"d1": str(path)}

    def answer(page: int) -> Answer:
        cited = Passage(
            "c1",
            "Budget",
            str(path),
            page,
            None,
            None,
            "table_row",
            "SRS Airwave | Variance -86,192",
            1.0,
            {"doc_id": "d1", "page_end": page},
        )
        return Answer("What was the variance?", "Variance for SRS Airwave: -£86,192", False, [cited])

    assert figure_on_cited_page(answer(2), paths) is True
    assert figure_on_cited_page(answer(1), paths) is False  # a row cited one page early
    assert figure_on_cited_page(Answer("q", "The reports do not say.", True, []), paths) is None


def test_the_page_check_reads_the_cited_page_as_the_assistant_does(tmp_path):
    """A label Word set one letter a line and ran over a page break (its header repeated between) is one
    word only in the assistant's reading of the page: the evidence is found on the page cited."""
    from pdfgen import stacked_label_table_pdf

    from assistant.api import Answer
    from assistant.documents import Passage
    from assistant.evaluation import _pdf_pages, page_correct

    def pdf(name: str, pages: list) -> str:
        path = tmp_path / name
        path.write_bytes(stacked_label_table_pdf("Audit findings", ["Opinion", "Tested"], pages, [60, 200, 320]))
        return str(path)

    first = [("Custody", ["LIMITED", "31"]), ("Fleet Man", ["MODERATE", "18"])]
    split = pdf("split.pdf", [first, [("agement", []), ("Estates", ["LIMITED", "9"])]])
    other = pdf("other.pdf", [first[:1], [("Fleet Man", []), ("Estates", ["LIMITED", "9"])]])
    text = "Audit findings | Fleet Management | Opinion MODERATE | Tested 18"

    def cited(path: str) -> Answer:
        passage = Passage("c1", "Audit", path, 1, None, None, "table_row", text, 1.0, {"doc_id": "d1"})
        return Answer("How many controls were tested for fleet management?", "18", False, [passage])

    assert "fleetmanagement" not in "".join(_pdf_pages(split))  # pypdf: "Fleet Man", the header, then "agement"
    assert page_correct({"evidence": "Fleet Management"}, cited(split), {"d1": split}) is True
    assert page_correct({"evidence": "Fleet Management"}, cited(other), {"d1": other}) is False


def test_abstention_curve_sweeps_the_confidence_threshold(tmp_path):
    from assistant.api import Answer
    from assistant.evaluation import Scored, abstention_chart, abstention_curve

    def scored(unanswerable: bool, confidence: float) -> Scored:
        item = {"id": "x", "question": "q", "expected": [], "unanswerable": unanswerable, "type": "t"}
        return Scored(item, Answer("q", "a", confidence < 0.4, [], confidence=confidence), None, False, False)

    # two unanswerable (one blocked by a check: confidence 0), three answerable
    got = {
        c["threshold"]: c
        for c in abstention_curve(
            [scored(True, 0.0), scored(True, 0.5), scored(False, 0.3), scored(False, 0.7), scored(False, 0.9)], steps=10
        )
    }
    assert got[0.0] == {"threshold": 0.0, "precision": 1.0, "recall": 0.5, "false_abstention_rate": 0.0}
    assert got[0.4] == {"threshold": 0.4, "precision": 0.5, "recall": 0.5, "false_abstention_rate": 0.3333}
    assert got[0.6]["recall"] == 1.0 and got[1.0]["false_abstention_rate"] == 1.0
    assert abstention_curve([scored(False, 0.5)]) == []  # nothing unanswerable: no curve
    abstention_chart(list(got.values()), tmp_path / "a.png", "t")
    assert (tmp_path / "a.png").stat().st_size > 1000


def test_open_questions_are_scored_by_key_points_and_answers_by_their_cited_evidence():
    from assistant.api import Answer
    from assistant.documents import Passage
    from assistant.evaluation import Scored, evidence_cited, key_points, summarise

    cited = Passage(
        "c1", "Report", "r.pdf", 3, "2.1", None, "paragraph", "Each juror was paid £400 for five days.", 1.0, {}
    )
    right = Answer("How much was each juror paid?", "Each juror was paid £400 for five days.", False, [cited])
    item = {"id": "a", "question": right.question, "expected": ["£400"], "evidence": "paid £400 for five", "type": "x"}
    assert evidence_cited(item, right) and not evidence_cited({**item, "evidence": "£480 for eight"}, right)
    opened = Answer("Why was it refused?", "1. “Outside the settlement boundary.” 2. “Harm to the area.”", False, [])
    assert key_points(opened, ["outside the settlement boundary", "character and appearance"]) == 0.5
    assert key_points(Answer("q", "The reports do not say.", True, []), ["outside"]) == 0.0
    open_item = {"id": "b", "question": "Why?", "expected": ["outside the settlement boundary"], "type": "open"}
    scored = [
        Scored({**item, "unanswerable": False}, right, 1, True, True, cited=True),
        Scored({**open_item, "unanswerable": False}, opened, None, False, False, key_points=1.0),
    ]
    summary = summarise(scored)
    assert summary["answer_accuracy"] == 1.0 and summary["answer_with_citation"] == 1.0  # the open one is apart
    assert summary["open_key_points"] == 1.0 and summary["by_type"]["open"]["accuracy"] == 1.0


def test_a_key_point_answer_is_checked_against_the_pages_its_points_cite(tmp_path):
    from pdfgen import make_pdf

    from assistant.api import Answer
    from assistant.documents import Passage
    from assistant.evaluation import figure_on_cited_page

    path = tmp_path / "fleet.pdf"
    path.write_bytes(make_pdf([["Fleet overspent by 86,192 on fuel."], ["Repairs cost a further 41,300."]]))
    paths = {"d1": str(path)}

    def cited(page: int, text: str) -> Passage:
        return Passage(f"c{page}", "Fleet", str(path), page, None, None, "paragraph", text, 1.0, {"doc_id": "d1"})

    def points(second: str) -> Answer:
        text = f"Key points quoted from Fleet:\n1. “Fleet overspent by 86,192 on fuel.” (p. 1)\n2. “{second}” (p. 2)"
        return Answer("Why?", text, False, [cited(1, "Fleet overspent by 86,192 on fuel."), cited(2, second)])

    assert figure_on_cited_page(points("Repairs cost a further 41,300."), paths) is True
    assert figure_on_cited_page(points("Repairs cost a further 99,999."), paths) is False  # printed on no cited page


def test_evidence_held_in_another_reading_order():
    from assistant.evaluation import holds_evidence

    row = "Appendix 2 – Staffing | Vacancies – police staff | North 12 | South 7 | East 3"
    assert holds_evidence("Vacancies – 12 7 3 police staff", row)  # a reader that ran the cells together
    assert holds_evidence("North 12 | South", row)  # letters and digits, in order
    assert not holds_evidence("Vacancies – 12 7 4 police staff", row)  # a figure it does not hold
    assert not holds_evidence("Vacancies – 7 12 3 police staff", row)  # figures keep their order
    assert not holds_evidence("The precept rose by 2.5 per cent", "The precept rose by 5.2 per cent")
    assert not holds_evidence("staff South North", row)  # a short snippet keeps its order
    spread = "Vacancies " + "filler " * 30 + "police staff 12 7 3"
    assert not holds_evidence("Vacancies – 12 7 3 police staff", spread)  # words too far apart
