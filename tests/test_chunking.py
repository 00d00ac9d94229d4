from pathlib import Path

import pytest
from conftest import GWENT_PDF, GWENT_TXT

from assistant.documents import Page, SourceDocument
from assistant.reading.chunking import chunk_document, is_successor
from assistant.reading.loading import load_document


def chunks_of(path: Path):
    return chunk_document(load_document(path, path.read_bytes()))


@pytest.fixture(scope="module")
def txt_chunks():
    return chunks_of(GWENT_TXT)


@pytest.fixture(scope="module")
def pdf_chunks():
    return chunks_of(GWENT_PDF)


def test_figure_lands_in_its_paragraph_text(txt_chunks):
    hits = [c for c in txt_chunks if "There were 24,635 requests" in c.text]
    assert hits and all(c.paragraph == "3.6" and c.kind == "paragraph" for c in hits)
    assert hits[0].heading == "Service Levels"


def test_figure_lands_in_its_paragraph_and_page_pdf(pdf_chunks):
    hits = [c for c in pdf_chunks if "There were 24,635 requests" in c.text]
    assert hits and hits[0].paragraph == "3.6" and hits[0].page == 8


def test_inline_numbered_paragraphs_are_split(txt_chunks):
    by_para = {c.paragraph for c in txt_chunks}
    assert {"3.1", "3.2", "3.3", "3.4"} <= by_para
    strategy = next(c for c in txt_chunks if c.paragraph == "3.2")
    assert strategy.text.startswith("3.2 Digital Strategy.") and strategy.heading == "Digital Strategy"


@pytest.mark.parametrize("fixture", ["txt_chunks", "pdf_chunks"])
def test_table_rows_carry_caption_and_headers(fixture, request):
    chunks = request.getfixturevalue(fixture)
    rows = [c for c in chunks if c.kind == "table_row" and "SRS Airwave" in c.text]
    assert rows, "the Airwave row of the financial table"
    row = rows[0]
    assert row.text.startswith("Financial Performance 2018/19 | SRS Airwave |")
    assert "Budget" in row.text and "Variance" in row.text and "-86,192" in row.text
    assert row.table == "Financial Performance 2018/19" and row.paragraph == "5.2"
    tables = [c for c in chunks if c.kind == "table" and c.table == "Financial Performance 2018/19"]
    assert len(tables) == 1 and "DSD" in tables[0].text and "1,152,370" in tables[0].text


def test_service_desk_rows_name_their_year(pdf_chunks):
    row = next(c for c in pdf_chunks if c.kind == "table_row" and "Total Calls" in c.text and "24,635" in c.text)
    assert "2018/19 Number 24,635" in row.text


def test_running_header_not_indexed(pdf_chunks):
    assert not any("OFFICE OF POLICE AND CRIME COMMISSIONER" in c.text for c in pdf_chunks[3:])


def test_long_paragraph_split_keeps_number(tmp_path):
    body = " ".join(f"Sentence {i} says the programme delivered item {i} on time." for i in range(80))
    f = tmp_path / "long.txt"
    f.write_text(f"1. INTRODUCTION\n\n1.1 {body}\n\n1.2 Short closing paragraph.\n", encoding="utf-8")
    chunks = chunks_of(f)
    long = [c for c in chunks if c.paragraph == "1.1"]
    assert len(long) >= 4 and all(len(c.text) <= 1000 for c in long)
    assert all(c.heading == "INTRODUCTION" for c in long)
    spans = [c.span for c in long]
    assert spans == sorted(spans)
    # each piece after the first starts at a sentence, not at the stop of the one before (". Sentence 12 …")
    assert all(c.text.startswith("Sentence ") for c in long[1:]), [c.text[:20] for c in long]
    assert all(c.text.rstrip().endswith(".") or len(c.text) > 900 for c in long)


def test_chunk_metadata_complete(pdf_chunks):
    c = next(c for c in pdf_chunks if c.paragraph == "3.6")
    doc = load_document(GWENT_PDF, GWENT_PDF.read_bytes())
    meta = c.metadata(doc)
    for key in (
        "doc_id",
        "title",
        "date",
        "source",
        "page",
        "paragraph",
        "heading",
        "kind",
        "span_start",
        "span_end",
        "content_hash",
    ):
        assert key in meta, key
    assert None not in meta.values()


def test_chunk_ids_stable_and_unique(txt_chunks):
    again = chunks_of(GWENT_TXT)
    assert [c.chunk_id for c in again] == [c.chunk_id for c in txt_chunks]
    assert len({c.chunk_id for c in txt_chunks}) == len(txt_chunks)


def test_successor_rule():
    assert is_successor((3, 1), (3, 2))
    assert is_successor((3, 9), (4, 1))
    assert is_successor((3,), (3, 1))
    assert not is_successor((3, 1), (2, 5))
    assert not is_successor((3, 1), (3, 5))


def test_unnumbered_prose_chunked_by_headings(tmp_path):
    f = tmp_path / "strategy.txt"
    f.write_text(
        "Digital Strategy\n\nAchievements\n\nWe deployed body worn video to 1,200 officers.\n\n"
        "Governance\n\nThe board meets quarterly.\n",
        encoding="utf-8",
    )
    chunks = chunks_of(f)
    video = next(c for c in chunks if "1,200" in c.text)
    board = next(c for c in chunks if "quarterly" in c.text)
    assert video.heading == "Achievements" and board.heading == "Governance"
    assert video.paragraph is None


def test_pipe_tables_without_outer_pipes_are_tables(tmp_path):
    path = tmp_path / "fleet.txt"
    path.write_text(
        "TITLE: Fleet Services Annual Report 2018/19\n\n4. FINANCE\n\n"
        "4.2 The table below shows financial performance for 2018/19.\n\n"
        "Financial Performance 2018/19 | Budget | Expenditure | Variance\n"
        "Fuel | 1,149,056 | 1,244,621 | -95,565\nTelematics | 1,027,499 | 991,201 | 36,298\n\n"
        "4.3 Options were compared | in a single line with a pipe, which is prose.\n",
        encoding="utf-8",
    )
    chunks = chunks_of(path)
    rows = [c for c in chunks if c.kind == "table_row"]
    assert [r.text for r in rows] == [
        "Financial Performance 2018/19 | Fuel | Budget 1,149,056 | Expenditure 1,244,621 | Variance -95,565",
        "Financial Performance 2018/19 | Telematics | Budget 1,027,499 | Expenditure 991,201 | Variance 36,298",
    ]
    assert all(r.paragraph == "4.2" for r in rows)
    assert any(c.kind == "paragraph" and c.paragraph == "4.3" and "single line with a pipe" in c.text for c in chunks)


def _doc(*pages: str, kind: str = "pdf") -> SourceDocument:
    return SourceDocument(
        "d", "d.pdf", kind, [Page(i + 1 if kind == "pdf" else None, t) for i, t in enumerate(pages)], "Title"
    )


def _paras(doc: SourceDocument) -> dict[str, str | None]:
    """The paragraph each numbered line is cited under."""
    return {
        line.split()[0]: c.paragraph for c in chunk_document(doc) for line in c.text.splitlines() if line[:1].isdigit()
    }


ITEMS = "\n".join(
    f"{n}. Item number {n} of the list, which says what the forces will deliver next year." for n in (1, 2, 3)
)


def test_a_list_after_a_lead_in_is_not_cited_as_paragraphs():
    doc = _doc(f"The plan breaks this down into three deliverables:\n{ITEMS}\nThe board agreed the plan.")
    assert _paras(doc) == {"1.": None, "2.": None, "3.": None}


def test_list_items_keep_the_paragraph_they_belong_to():
    doc = _doc(f"3.1 The plan has three deliverables:\n{ITEMS}\n3.2 The board agreed the plan in May.")
    paras = _paras(doc)
    assert paras["1."] == paras["2."] == paras["3."] == "3.1" and paras["3.2"] == "3.2"


def test_numbering_that_restarts_was_a_list_all_along():
    first = ITEMS.replace("list,", "first list,")
    second = ITEMS.replace("list,", "second list,")
    doc = _doc(f"Our aims\n{first}\nOur principles\n{second}\nThe board agreed them.")
    assert {c.paragraph for c in chunk_document(doc) if "list," in c.text} == {None}


def test_a_section_heading_after_a_long_list_opens_its_own_section():
    """Section 4 lists ten programmes numbered 1 to 10, each a heading; "5. NEXT STEPS" then "• 5.1 …"
    is the report's section 5 (it opens with 5.1), not the list's item 5: its bulleted paragraphs are
    cited 5.1, 5.2 and 6.1, never as the list's last number, and the list's own item 5 stays in 4."""
    programmes = "\n".join(
        f"{n}. Programme {name}\nThe programme {name} continues to be delivered by the regional team this year."
        for n, name in enumerate("Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliet".split(), 1)
    )
    doc = _doc(
        "3. ISSUES FOR CONSIDERATION\n• 3.1 This report considers the collaborations in force.\n4. COLLABORATION",
        programmes,
        "5. NEXT STEPS\n• 5.1 The collaborations are managed through business boards.\n"
        "• 5.2 The services continue to be monitored by the boards.\n6. FINANCIAL CONSIDERATIONS\n"
        "• 6.1 Business benefits are both cash releasing and non cash releasing.",
    )
    chunks = chunk_document(doc)
    cited = {" ".join(c.text.split()[:2]): c.paragraph for c in chunks if c.text.startswith("•")}
    assert cited == {"• 3.1": "3.1", "• 5.1": "5.1", "• 5.2": "5.2", "• 6.1": "6.1"}
    # the list's items, set in ordinary case under a section in capitals, stay in section 4 (item 5 too)
    assert {c.paragraph for c in chunks if "Programme" in c.text} == {"4"}


def test_a_contents_page_does_not_number_the_report():
    """A contents page lists the report's numbers with their pages ("3.3.5 Segment findings 21"); the
    body's own 1.1, 1.2 … are its paragraphs, not text under the contents' last number."""
    contents = "Contents\n1.1 Background 6\n1.2 Research objectives 6\n2.1 Sampling 8\n3.3.5 Segment findings 21"
    body = (
        "1.1 Background\nMost customers use an agent to file their return each year.\n"
        "1.2 Research objectives\nThe research asked whether the triggers changed what agents did.\n"
        "2.1 Sampling\nForty agents were interviewed in the spring by telephone."
    )
    chunks = chunk_document(_doc(contents, body))
    cited = [next(c.paragraph for c in chunks if words in c.text) for words in ("Most customers", "research", "Forty")]
    assert cited == ["1.1", "1.2", "2.1"]
    assert all(c.paragraph is None for c in chunks if c.page == 1)


def test_a_figure_at_a_wrapped_lines_end_is_not_a_paragraph_number():
    """ "… After the next 1.5" / "minutes, all in row A moved" is a figure in a sentence, not paragraph 1.5;
    a report's own 2.7 after 2.6 stays 2.7 even when its text starts in lower case (a garbled line)."""
    page = (
        "Jury members were paired in two rows and talked for\n1.5\nminutes about what they felt mattered most.\n"
        "After the next 1.5\nminutes, all in row A moved one place to the right."
    )
    assert {c.paragraph for c in chunk_document(_doc(page))} == {None}
    numbered = "2.6 The strategic direction is set by the board.\n2.7 a key enabler to the delivery of services."
    assert [c.paragraph for c in chunk_document(_doc(numbered))] == ["2.6", "2.7"]


def test_a_sentences_first_line_is_not_a_heading():
    """In a narrow PDF column a sentence's first line can look like a heading ("Previous experience of
    such processes show the"); a line that ends in a word a sentence goes on from, taken up in lower
    case by the next, is not one. A real heading above its paragraph still is."""
    page = (
        "The jury met four times in the spring.\nPrevious experience of such processes show the\n"
        "importance of creating the right setting for every member of the jury to take part.\n"
        "Wellbeing Rivers\nParticipants drew rivers to reflect on their different experiences of care."
    )
    headings = {c.heading for c in chunk_document(_doc(page))}
    assert "Previous experience of such processes show the" not in headings
    assert "Wellbeing Rivers" in headings


@pytest.mark.parametrize("kind", ["pdf", "text"])
def test_a_reports_own_top_level_numbering_is_kept(kind):
    body = [
        "\n".join(f"{n}. Paragraph {n} of the report sets out the position on the estate in some detail." for n in r)
        for r in (range(1, 6), range(6, 11), range(11, 16))
    ]
    doc = _doc(*body, kind=kind) if kind == "pdf" else _doc("\n\n".join(body), kind=kind)
    assert _paras(doc) == {f"{n}.": str(n) for n in range(1, 16)}


def test_a_long_numbered_report_keeps_its_numbers_when_an_appendix_restarts():
    pages = [
        "\n".join(f"{n}. Paragraph {n} of the report sets out the position in detail." for n in (2 * p + 1, 2 * p + 2))
        for p in range(4)
    ]
    appendix = "Appendix A\n" + ITEMS
    chunks = chunk_document(_doc(*pages, appendix))
    assert {c.paragraph for c in chunks if c.text.startswith("Paragraph") or "Paragraph 1 " in c.text} <= {
        str(n) for n in range(1, 9)
    }
    assert next(c for c in chunks if "Paragraph 1 " in c.text).paragraph == "1"
    assert all(c.paragraph != "1" for c in chunks if "list," in c.text)


@pytest.mark.parametrize("kind", ["pdf", "text"])
def test_unnumbered_headings_between_numbered_paragraphs_name_their_section(kind):
    """A committee report or decision numbers every paragraph 1, 2, 3 … and heads groups of them
    without numbers: each paragraph stands under the heading before it, and keeps its number."""
    para = "{n}. Paragraph {n} weighs the effect of the proposal on the estate in some detail."
    parts = ["Main issues", para.format(n=1), para.format(n=2), "Other matters", para.format(n=3), "Conclusions"]
    parts += [para.format(n=4), para.format(n=5)]
    doc = _doc("\n".join(parts), kind=kind) if kind == "pdf" else _doc("\n\n".join(parts), kind=kind)
    under = {c.paragraph: c.heading or c.section for c in chunk_document(doc) if c.text.startswith(f"{c.paragraph}.")}
    assert under == {
        "1": "Main issues",
        "2": "Main issues",
        "3": "Other matters",
        "4": "Conclusions",
        "5": "Conclusions",
    }


def test_a_long_bulleted_list_is_split_between_its_items():
    """A list of members run into one paragraph is split at its bullets, so no member is parted
    from their role ("…, Director of Estates (Chair)")."""
    members = [f"Member {n} Surname{n}, Director of Service Area {n}, County Council" for n in range(1, 13)]
    members[9] = "Gwen Pryce, Strategic Director of Environment & Operations, County Council (Chair)"
    doc = _doc("Who attended the panel meetings? • " + " • ".join(members))
    texts = [c.text for c in chunk_document(doc, chunk_size=500)]
    assert len(texts) > 1
    assert any("Gwen Pryce, Strategic Director of Environment & Operations, County Council (Chair)" in t for t in texts)
    assert all(t.startswith(("Who attended", "•")) for t in texts)


def test_justified_prose_whose_word_gaps_are_tabs_is_prose_and_a_tab_separated_table_a_table():
    prose = (
        "In 2006, cardiovascular disease was responsible for 31.7% of all deaths: 26.0% from heart\n"
        "disease\tand\t5.7%\tfrom\tstroke\t(1). Deaths from coronary heart disease (CHD)\n"
        "comprise 67.4% of all deaths from heart disease."
    )
    table = "Workstream\t2016/17\t2017/18\nWide Area Network\t285\t520\nTelephony\t125\t350"
    chunks = chunk_document(_doc(prose + "\n\n" + table))
    rows = [c.text for c in chunks if c.kind == "table_row"]
    assert len(rows) == 2 and rows[0].endswith("Wide Area Network | 2016/17 285 | 2017/18 520")
    text = " ".join(c.text for c in chunks if c.kind == "paragraph")
    assert "heart disease and 5.7% from stroke (1). Deaths" in text and "\t" not in text


def test_names_in_capitals_over_lists_head_their_own_lists():
    """A chart's boxes read one after another: each board's name in capitals, then its bulleted fields.
    No sentence ends before a name, so each list ran into the one before and its fields lost their board."""
    doc = _doc(
        "Oversight\nThe partnership is overseen by two boards and a working group, as set out below.\n"
        "PARTNERSHIP OVERSIGHT\nEXECUTIVE BOARD\n• Meets: Quarterly\n• Chair: Chief Executive of the OPCC\n"
        "• Members: both Chief Constables and both Chief Finance Officers\nDELIVERY BOARD\n• Meets: Monthly\n"
        "• Chair: Head of Estates\n• Members: the estates and fleet managers of each force"
    )
    chunks = chunk_document(doc)
    chaired = {c.heading: c.text for c in chunks if "Chair:" in c.text}
    assert "Head of Estates" in chaired["DELIVERY BOARD"] and "Chief Executive" not in chaired["DELIVERY BOARD"]
    assert "Chief Executive" in chaired["EXECUTIVE BOARD"]


def test_a_figure_ending_a_line_before_any_numbering_is_not_a_first_paragraph_number():
    """ "Rural districts 1.40" in a list of one figure a line: 1.40 cannot open a report's numbering
    (1 or 2.1 can), so the label keeps its figure in one passage."""
    page = (
        "Cost per resident by district\nDistrict Cost (£)\nRural districts 1.40\nMarket towns 2.15\n"
        "Coastal towns 2.05\nThe city 1.85\nCosts fell in every district over the year."
    )
    chunks = chunk_document(_doc(page))
    assert [c.paragraph for c in chunks] == [None]
    assert "Rural districts 1.40 Market towns 2.15" in chunks[0].text
    assert not is_successor(None, (1, 40)) and not is_successor(None, (2, 15))
    assert is_successor(None, (1,)) and is_successor(None, (2, 1)) and is_successor(None, (1, 1, 1))


def test_ligatures_are_spelt_out(tmp_path):
    """A typesetter's ligature glyphs (ﬁ, ﬂ, ﬀ, ﬃ) are read as their letters, so "ﬁnancial" is found as
    "financial"."""
    path = tmp_path / "note.txt"
    data = "The o\ufb03ce's \ufb01nancial sta\ufb00 re\ufb02ected on the \ufb01gures.\n".encode()
    path.write_bytes(data)
    assert [c.text for c in chunk_document(load_document(path, data))] == [
        "The office's financial staff reflected on the figures."
    ]
