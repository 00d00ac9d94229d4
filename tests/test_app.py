import csv

from assistant.api import Answer
from assistant.app import answer_markdown, passage_row, sources_html, write_csv
from assistant.retrieval import Passage


def _passage(text: str, paragraph: str = "3.6") -> Passage:
    return Passage(
        "c1",
        "Annual Report <b>2018/19</b>",
        "corpus/annual.pdf",
        8,
        paragraph,
        "Service Levels",
        "paragraph",
        text,
        0.5,
        {"date": "2019-09-04", "doc_kind": "pdf", "doc_id": "abc123"},
    )


def test_sources_panel_cites_and_escapes():
    p = _passage('There were 24,635 requests <img src=x onerror="alert(1)">.')
    html = sources_html(Answer("q", "There were 24,635 requests", False, [p]))
    assert "<img" not in html and "&lt;img" in html
    assert "<b>2018/19</b>" not in html
    assert "<mark>24,635</mark>" in html
    assert 'href="/report/abc123#page=8"' in html and "Open PDF at p. 8" in html
    assert 'data-paragraph="3.6"' in html and "Copy citation" in html


def test_not_found_shows_related_passages_under_their_own_heading():
    result = Answer("q", "The reports do not say.", True, [], related=[_passage("Budget text.")])
    assert "Not found in the reports" in answer_markdown(result, "q")
    html = sources_html(result)
    assert "<h3>Not found in the reports</h3><h4>Related passages</h4>" in html


def test_follow_up_shows_the_question_answered():
    result = Answer("How many in 2017/18?", "26,214 calls", False, [_passage("26,214 calls")])
    md = answer_markdown(result, "and in 2017/18?")
    assert md.startswith("*Answering: How many in 2017/18?*") and "<mark>26,214</mark> calls [1]" in md


def test_csv_export_is_spreadsheet_safe(tmp_path):
    rows = [passage_row(1, _passage('=HYPERLINK("http://x")')), passage_row(2, _passage("-£86,192 variance"))]
    path = write_csv(rows, tmp_path / "out.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        out = list(csv.DictReader(f))
    assert out[0]["passage"] == '\'=HYPERLINK("http://x")'
    assert out[1]["passage"] == "'-£86,192 variance"
    assert out[0]["citation"].startswith("Annual Report <b>2018/19</b> (4 September 2019), p. 8, para 3.6:")


def test_report_text_in_the_chat_is_text_not_markdown():
    from assistant.app import md_text

    p = _passage(
        "There were 24,635 requests ![x](http://127.0.0.1:9/x.png) <img src=http://127.0.0.1:9/y.png> www.example.com"
    )
    md = answer_markdown(Answer("q", p.text, False, [p]), "q")
    for active in ("![", "](", "<img", "http://", "www.example"):
        assert active not in md
    assert "<mark>24,635</mark>" in md and "\\!\\[x\\]" in md
    assert md_text("a_b *c* [d](e) $x$ `f`") == "a\\_b \\*c\\* \\[d\\]\\(e\\) \\$x\\$ \\`f\\`"
