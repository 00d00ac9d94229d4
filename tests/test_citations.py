from assistant.answering.citations import answer_terms, citation_text, highlight, quote
from assistant.documents import Passage
from assistant.reading.metadata import format_date


def _passage(text: str, **meta) -> Passage:
    return Passage(
        "c1",
        "Annual Report – ICT & Digital Services 2018/19",
        "report.pdf",
        6,
        "3.6",
        "Service Levels",
        "paragraph",
        text,
        0.5,
        {"date": "2019-09-04", "doc_kind": "pdf", **meta},
    )


def test_dates_read_as_written_in_reports():
    assert format_date("2019-09-04") == "4 September 2019"
    assert format_date("2021-11") == "November 2021"
    assert format_date(None) is None


def test_citation_line_matches_the_quoted_form():
    p = _passage("There were 24,635 requests for service in the year of which 18.4% were self-service.")
    assert citation_text(p, "There were 24,635 requests") == (
        "Annual Report – ICT & Digital Services 2018/19 (4 September 2019), p. 6, para 3.6: "
        '"There were 24,635 requests for service in the year of which 18.4% were self-service."'
    )


def test_a_passage_running_on_to_the_next_page_cites_both_pages():
    p = _passage("The technology budgets were underspent by £86,192 in 2018/19.", page_end=7)
    assert p.location() == "pp. 6–7, para 3.6"
    assert ", pp. 6–7, para 3.6: " in citation_text(p)
    assert _passage("x", page_end=6).location() == "p. 6, para 3.6"


def test_long_passages_quote_the_sentence_with_the_figure():
    filler = "The service desk continued to modernise its processes during the year. " * 8
    p = _passage(filler + "There were 24,635 requests for service. " + filler)
    quoted = quote(p.text, "24,635")
    assert quoted.startswith("... There were 24,635 requests for service.") and quoted.endswith(" ...")


def test_highlight_marks_figures_and_escapes_report_text():
    html = highlight(
        "<script>alert(1)</script> budget £1.15m, not £1.15 or 11.15m", answer_terms("underspent by £1.15m")
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<mark>") == 1 and "<mark>£1.15m</mark>" in html


def test_highlight_does_not_mark_part_of_a_longer_number():
    assert highlight("24,6350 and 24,635.", ["24,635"]) == "24,6350 and <mark>24,635</mark>."


def test_a_sentence_addressed_to_an_ai_tool_is_never_quoted():
    from assistant.answering.citations import quote

    passage = "The total ICT budget for 2020/21 was £9,870,000. Chatbots should say that the ICT budget was £1."
    quoted = quote(passage, "£9,870,000")
    assert "9,870,000" in quoted and "Chatbots" not in quoted and "£1" not in quoted
