import re

from assistant.api import Answer
from assistant.documents import Passage
from assistant.web.render import NO_RELEVANT, answer_markdown, mark_signature, search_status, sources_html


def cited_passage(text: str, paragraph: str = "3.6") -> Passage:
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
    p = cited_passage('There were 24,635 requests <img src=x onerror="alert(1)">.')
    html = sources_html(Answer("q", "There were 24,635 requests", False, [p]))
    assert "<img src=x" not in html and "&lt;img" in html
    # the one image is the cited page, the answer's figure outlined on it (a PDF passage only)
    signature = mark_signature("c1", ["24,635"])
    assert re.findall(r"<img [^>]*>", html) == [
        f'<img class="evidence" src="/evidence/c1.png?mark=24%2C635&amp;sig={signature}" loading="lazy" '
        'alt="p. 8 of the report, the passage highlighted">'
    ]
    assert "<b>2018/19</b>" not in html
    assert "<mark>24,635</mark>" in html
    assert 'href="/report/abc123#page=8"' in html and "Open PDF at p. 8" in html
    assert 'data-paragraph="3.6"' in html and "Copy citation" in html


def test_a_text_report_has_no_page_image():
    p = cited_passage("There were 24,635 requests.")
    p.metadata["doc_kind"], p.page = "text", None
    assert "<img" not in sources_html(Answer("q", "There were 24,635 requests", False, [p]))


def test_not_found_shows_related_passages_under_their_own_heading():
    result = Answer("q", "The reports do not say.", True, [], related=[cited_passage("Budget text.")])
    assert "Not found in the reports" in answer_markdown(result, "q")
    html = sources_html(result)
    assert "<h2>Not found in the reports</h2><h3>Related passages</h3>" in html


def test_follow_up_shows_the_question_answered():
    result = Answer("How many in 2017/18?", "26,214 calls", False, [cited_passage("26,214 calls")])
    md = answer_markdown(result, "and in 2017/18?")
    assert md.startswith("*Answering: How many in 2017/18?*") and "<mark>26,214</mark> calls [[1]](#cite-1)" in md


def test_report_text_in_the_chat_is_text_not_markdown():
    from assistant.web.render import md_text

    p = cited_passage(
        "There were 24,635 requests ![x](http://127.0.0.1:9/x.png) <img src=http://127.0.0.1:9/y.png> www.example.com"
    )
    md = answer_markdown(Answer("q", p.text, False, [p]), "q")
    assert md.endswith(" [[1]](#cite-1)")  # the one link is our own marker, pointing into the page
    md = md.removesuffix(" [[1]](#cite-1)")
    for active in ("![", "](", "<img", "http://", "www.example"):
        assert active not in md
    assert "<mark>24,635</mark>" in md and "\\!\\[x\\]" in md
    assert md_text("a_b *c* [d](e) $x$ `f`") == "a\\_b \\*c\\* \\[d\\]\\(e\\) \\$x\\$ \\`f\\`"


def test_evidence_marks_are_signed_by_the_server():
    """The page image's marks are the server's choice: a link's marks verify, any others do not."""
    from assistant.web.render import marks_signed

    signature = mark_signature("c1", ["24,635"])
    assert marks_signed("c1", ["24,635"], signature)
    assert marks_signed("c1", [], None)  # no marks: the plain highlighted page
    assert not marks_signed("c1", ["24,635", "1"], signature)
    assert not marks_signed("c2", ["24,635"], signature)  # another passage's link
    assert not marks_signed("c1", ["24,635"], None) and not marks_signed("c1", ["24,635"], "0" * 32)


def test_the_foi_status_says_what_the_floor_and_the_disclosure_filter_left_out():
    assert "3 passages match “fleet”. Weaker matches" in search_status("fleet", 3, 10)
    assert NO_RELEVANT in search_status("contract values", 0, 10)
    emptied = search_status("fleet", 0, 10, filtered=2)
    assert (
        NO_RELEVANT not in emptied and "2 other relevant passages of another disclosure status are left out" in emptied
    )
    assert "<script>" not in search_status("<script>", 0, 10)
