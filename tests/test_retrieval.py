import json

import pytest
from langchain_core.documents import Document

from assistant.api import Assistant
from assistant.cli import main
from assistant.documents import Filters

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant(gwent_index):
    a = Assistant(gwent_index)
    yield a
    a.close()


def test_hybrid_search_finds_the_paragraph(assistant):
    hits = assistant.search("How many requests for service did the service desk receive in 2018/19?", k=3)
    assert any("24,635" in h.text and h.paragraph == "3.6" for h in hits)


def test_text_and_pdf_copies_are_not_both_listed(assistant):
    hits = assistant.search("There were 24,635 requests for service", k=5)
    same = [h for h in hits if "There were 24,635 requests" in h.text]
    assert len(same) == 1


def test_filters_report_kind_and_date(assistant):
    cumbria = assistant.search("savings", k=5, filters=Filters(report="cumbria"))
    assert cumbria and all("Cumbria" in h.document for h in cumbria)
    rows = assistant.search("Airwave variance", k=5, filters=Filters(kinds={"table_row"}))
    assert rows and all(h.kind == "table_row" for h in rows)
    assert assistant.search("savings", k=5, filters=Filters(date_from="2019-01-01", report="cumbria")) == []
    recent = assistant.search("budget", k=5, filters=Filters(date_from="2019-01-01"))
    assert recent and all(h.metadata["date"] >= "2019-01-01" for h in recent)


def test_period_awareness(assistant):
    a18 = assistant.ask("How many telephone calls did the service desk take in 2017/18?")
    a19 = assistant.ask("How many telephone calls did the service desk take in 2018/19?")
    assert "21,136" in a18.answer and "20,096" not in a18.answer
    assert "20,096" in a19.answer


def test_langchain_retriever_and_chain(assistant):
    docs = assistant.as_retriever(k=3).invoke("Airwave variance 2018/19")
    assert docs and all(isinstance(d, Document) for d in docs)
    assert {"doc_id", "title", "kind", "chunk_id", "score"} <= set(docs[0].metadata)
    answer = assistant.chain().invoke("What was the variance for SRS Airwave in 2018/19?")
    assert "86,192" in answer.answer and not answer.abstained


def test_ask_cites_paragraph_and_page(assistant):
    answer = assistant.ask("How many requests for service did the service desk receive in 2018/19?")
    assert "24,635" in answer.answer
    assert any(c.paragraph == "3.6" for c in answer.citations)
    pdf = [c for c in answer.citations if c.source.endswith(".pdf")]
    assert all(c.page == 8 for c in pdf if "There were 24,635" in c.text)


def test_abstention_shows_related_passages(assistant):
    answer = assistant.ask("How much did Gwent Police spend on drones in 2018/19?")
    assert answer.abstained and answer.answer.startswith("The reports do not say")
    assert answer.citations == [] and answer.related


def test_ask_json_has_exactly_the_documented_keys(gwent_index, capsys):
    assert main(["ask", "What was the DSD budget for 2018/19?", "--index", str(gwent_index), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"question", "answer", "abstained", "citations", "latency_ms"}
    assert "1,865,354" in out["answer"] and out["abstained"] is False
    assert set(out["citations"][0]) == {"document", "source", "page", "paragraph", "heading", "text", "score", "ocr"}
    assert out["citations"][0]["ocr"] is False


def test_unfiltered_queries_carry_no_report_list(assistant):
    """At thousands of reports a report-id list in every store query is most of its cost."""
    from assistant.documents import Filters

    r = assistant.retriever
    assert r.allowed_docs(Filters()) is None
    assert r.allowed_docs(Filters(clearance="public")) is None  # clearance is a store filter of its own
    assert r.allowed_docs(Filters(report="Cumbria")) and len(r.allowed_docs(Filters(report="Cumbria"))) == 1


def test_open_question_quotes_the_sections_key_points(assistant):
    """An open question is answered with a section's list items, read whole from the index, each cited."""
    got = assistant.ask("What does the annual report say about governance?")
    lines = got.answer.splitlines()
    assert lines[0].startswith("Key points quoted from Annual Report")
    assert 3 <= len(lines) - 1 <= 5 and all(line[0].isdigit() and "para 3.8" in line for line in lines[1:])
    assert any("Strategic Board meets quarterly" in line for line in lines[1:])
    assert got.citations and all(p.paragraph == "3.8" for p in got.citations)
    section = assistant.retriever.section(got.citations[0])
    assert len(section) > 1 and all(p.metadata["doc_id"] == got.citations[0].metadata["doc_id"] for p in section)


def test_fusion_trusts_bm25s_first_over_the_encoders_first_that_bm25_ranks_twelfth():
    """On long real reports the encoder puts many passages of one topic near a paraphrased question;
    the weights fitted on the development parts keep BM25's clear first ahead of them."""
    from assistant.answering import retrieval

    others = [f"p{n}" for n in range(20)]
    dense = ["near", *others]  # the encoder's first; "exact" is not in its list
    lexical = ["exact", *others[:10], "near", *others[10:]]  # BM25's first; "near" is its twelfth
    weights = [retrieval.DENSE_WEIGHT, retrieval.LEXICAL_WEIGHT]
    fused = retrieval.reciprocal_rank_fusion([dense, lexical], weights=weights)
    assert fused["exact"] > fused["near"]
