"""Open answers (:mod:`assistant.answering.open_answers`): key points from lists, from a section the
question names, and a why-question's reasons read from across its report."""

from conftest import passage

from assistant.answering.answerer import extract


def _meaning():
    from assistant.indexing.embedding import get_encoder

    return get_encoder(None).similarities  # the packaged sentence encoder, as Assistant passes it


def _points(answer: str) -> list[str]:
    """The quoted points of a key-point answer, in order."""
    return [line.split("“", 1)[1].rsplit("”", 1)[0] for line in answer.splitlines()[1:]]


def _points_read(question: str, chunks: list, read: int) -> list[str]:
    """The points answered when the first ``read`` of a section's ``chunks`` are retrieved."""
    got = extract(question, chunks[:read], section=lambda p: chunks, meaning=_meaning())
    assert got.answer is not None
    return _points(got.answer)


def test_a_lettered_list_after_a_sentence_naming_what_follows_is_the_answer():
    items = [
        "The new custody suite at Ystrad Mynach.",
        "The replacement of the fleet's diesel vans.",
        "New body armour for response officers.",
    ]
    lead = "3.4 The estates board will fund the following schemes for the force in 2024/25."
    as_pdf = passage(" ".join([f"• {lead}", *(f"• {c}. {t}" for c, t in zip("abc", items))]), para="3.4")
    as_text = passage("\n".join([f"- {lead}", *(f"- {c}. {t}" for c, t in zip("abc", items))]), para="3.4")
    for stored in (as_pdf, as_text):
        got = extract("What schemes will the estates board fund in 2024/25?", [stored], meaning=_meaning())
        assert got.answer is not None
        assert _points(got.answer) == items, got.answer  # each item, without its letter


def test_a_section_whose_heading_the_question_names_gives_its_own_points_in_order():
    texts = [
        "6.1 The custody review will report to the Commissioner in March.",
        "6.2 Staff consultation on the new rota opens in the spring.",
        "6.3 The joint control room moves to Bridgend once the building is handed over.",
    ]
    section = [passage(t, para=t.split()[0], heading="Next Steps", span_start=n) for n, t in enumerate(texts)]
    far = {"Staff consultation on the new rota opens in the spring.": 0.1}  # far in meaning from the question
    got = extract(
        "What are the next steps for the programme?",
        section[:1],
        section=lambda p: section,
        meaning=lambda q, ts: [far.get(t, 0.5) for t in ts],
    )
    assert got.answer is not None
    assert _points(got.answer) == [t.split(" ", 1)[1] for t in texts]


def test_bullets_set_inside_a_line_are_the_points_of_a_section_the_question_names():
    text = (
        "• Information sharing with partners is central to the plan. It will be reviewed yearly. "
        "• Officers will carry fewer devices by 2026. "
        "• Procurement will favour suppliers already on national frameworks."
    )
    stored = [passage(text, para=None, heading="Key Messages")]
    got = extract("What are the key messages of the plan?", stored, section=lambda p: stored, meaning=_meaning())
    assert got.answer is not None
    assert [p.split(".")[0] for p in _points(got.answer)] == [
        "Information sharing with partners is central to the plan",
        "Officers will carry fewer devices by 2026",
        "Procurement will favour suppliers already on national frameworks",
    ]


DECISION = """Decision on the proposed Northgate station

Background

1. The panel considered the bid from the estates team to build a new station at Northgate.
2. Members visited Northgate in May and heard from the bid's sponsors.
3. Members thanked the estates team for a clear bid and a helpful site visit.
4. The bid's sponsors expect the station to open in 2027.

Cost

5. The station would cost £4.8m to build and fit out.
6. That cost would breach the estates strategy's ceiling of £2m for a single station and so conflict with it.

Access

7. The site is four miles from the nearest bus route.
8. Its distance from public transport would breach the estates strategy's access standard and so conflict with it.

Other matters

9. Residents wrote letters both for and against the bid.
10. The letters were read in full before the hearing on the bid.
11. The sponsors offered to revise the bid's car park layout.

Conclusion

12. The bid would conflict with the estates strategy as a whole and nothing outweighs that conflict. Accordingly, for the reasons given above, the panel turns the bid down.
"""


def test_a_why_question_gathers_the_reasons_its_answer_concludes_from_across_the_report(tmp_path):
    from assistant.api import Assistant
    from assistant.settings import Settings

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "northgate-decision.txt").write_text(DECISION, encoding="utf-8")
    with Assistant(settings=Settings(index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads")) as assistant:
        assistant.ingest([reports])
        got = assistant.ask("Why did the panel turn down the bid?")
    assert not got.abstained
    points = _points(got.answer)
    assert "conflict with the estates strategy as a whole" in points[0]
    # the reasons it concludes from, in sections the question's words do not lead to
    assert any("ceiling of £2m" in p or "access standard" in p for p in points), got.answer


def _chunked(texts: list[str], heading: str, para: str | None = None) -> list:
    """Consecutive chunks of one section (each span starting where the one before ends, overlap allowed)."""
    out, at = [], 0
    for text in texts:
        out.append(passage(text, para=para, heading=heading, span_start=at, span_end=at + len(text)))
        at += len(text) - 12
    return out


def test_an_open_questions_list_is_found_in_its_report_though_chunked_apart_from_the_passages_read():
    # The list's introduction says little alone ("The main suggestions from officers were:"); the
    # sentence before it says what it is about. Neither ranks among the passages retrieved; the
    # report's passages closest to the question include only the list's second chunk, which opens
    # inside the item the chunk before ends with.
    summary = _chunked(
        [
            "Officers in both forces used the cameras on most shifts, and most found them reliable. "
            "The cameras could do much more for officers with some changes to how they are issued and set up.",
            "The main suggestions from officers were: • Issue each officer a camera of their own rather than "
            "one from a shared pool • Start recording automatically when a Taser is drawn • Make footage upload "
            "at the sta",
            "at the station, faster • Add a clearer light showing that the camera is recording "
            "• Give supervisors a way to review footage while on patrol",
        ],
        heading="Summary of findings",
    )
    retrieved = [
        passage("Views on the cameras varied by role. Response officers used them most.", para="4.1", heading="Use"),
        passage("Most officers had worn a body-worn camera for over a year before the review.", para="2.3"),
    ]
    asked: list[tuple[str, int]] = []

    def search(text: str, doc_id: str, k: int) -> list:
        asked.append((doc_id, k))
        return [summary[2]]

    got = extract(
        "What improvements did officers suggest for the body-worn cameras?",
        retrieved,
        section=lambda p: summary if p.under == "Summary of findings" else [p],
        meaning=_meaning(),
        search=search,
    )
    assert asked and asked[0][0] == "d"  # the report the passages read come from
    assert got.answer is not None
    points = _points(got.answer)
    assert points[0] == "Issue each officer a camera of their own rather than one from a shared pool", got.answer
    assert "Make footage upload at the station, faster" in points  # the item runs on into the next chunk, once
    assert len(points) == 5


def test_a_section_the_question_names_gives_its_sentences_in_order():
    text = (
        "The new custody suite opened in Ystrad Mynach in March. Detention officers report that the cell "
        "call system fails at night. Its second exercise yard will not be finished before 2026."
    )
    stored = [passage(text, para="7", heading="Custody Suite")]
    got = extract(
        "What does the estates review say about the custody suite?",
        stored,
        section=lambda p: stored,
        meaning=_meaning(),
    )
    assert got.answer is not None
    assert _points(got.answer) == [
        "The new custody suite opened in Ystrad Mynach in March.",
        "Detention officers report that the cell call system fails at night.",
        "Its second exercise yard will not be finished before 2026.",
    ]


def test_items_the_report_numbers_with_a_label_are_the_points_not_the_sentence_introducing_them():
    as_text = "\n".join(
        [
            "- 6.3 The principal options considered are set out below",
            "- Option 1 Keep the two control rooms and share a duty inspector at night.",
            "Cost – no change to the current budget.",
            "Option 2 – Merge the control rooms at Bridgend from April 2026.",
            "Cost – £1.2m over three years.",
            " Option 3 – Buy call handling from a neighbouring force.",
        ]
    )
    # as a PDF is read: the lines run together, the dashes set as bullets
    as_pdf = " ".join(f"• {line[2:]}" if line.startswith("- ") else line.strip() for line in as_text.splitlines())
    for text in (as_text, as_pdf):
        stored = [passage(text, para="6.3", heading="Options")]
        got = extract(
            "What are the main options for the control rooms?",
            stored,
            section=lambda p, stored=stored: stored,
            meaning=_meaning(),
        )
        assert got.answer is not None
        assert _points(got.answer) == [
            "Option 1 Keep the two control rooms and share a duty inspector at night.",
            "Option 2 – Merge the control rooms at Bridgend from April 2026.",
            "Option 3 – Buy call handling from a neighbouring force.",
        ], got.answer


def test_an_account_quoted_from_a_lists_item_goes_on_with_the_other_items_of_its_list():
    # each recommendation is a passage of its own; the second shares few words with the question
    recommendations = _chunked(
        [
            "- 3.1 That the Police and Crime Panel notes the progress made on the estates programme in 2023/24.",
            "- 3.2 That a further report on the sale of the old headquarters comes back in the autumn.",
            "- 3.3 That the Chief Finance Officer reviews the reserves held for the Bridgend depot.",
        ],
        heading="Recommendations",
        para="3",
    )
    other = passage("The estates programme was set up in 2021 to rationalise the force's buildings.", para="1.1")
    got = extract(
        "What does the report recommend to the Police and Crime Panel?",
        [recommendations[0], other],
        section=lambda p: recommendations if p.under == "Recommendations" else [p],
        meaning=_meaning(),
    )
    assert got.answer is not None
    assert _points(got.answer)[:3] == [
        "That the Police and Crime Panel notes the progress made on the estates programme in 2023/24.",
        "That a further report on the sale of the old headquarters comes back in the autumn.",
        "That the Chief Finance Officer reviews the reserves held for the Bridgend depot.",
    ], got.answer


def test_a_list_goes_on_into_a_chunk_that_opens_with_a_sub_item():
    # Word sets a sub-item under a bullet as "o"; a chunk may open with one
    chunks = _chunked(
        [
            "Taken together, the panel:",
            "• Was satisfied with the custody inspection's follow-up; o Seven of nine actions are closed",
            "o Staffing at night remains below the agreed level",
            "• Asked for a report on detainees' access to legal advice by the spring",
        ],
        heading="Panel findings",
    )
    points = _points_read("What were the panel's main findings on custody?", chunks, 2)
    assert any("Staffing at night remains below the agreed level" in p for p in points), points
    assert any(p.startswith("Asked for a report on detainees") for p in points), points


def _report(sections: dict[str, list[str]], title: str, doc_id: str = "d") -> list:
    """A report's passages, one a paragraph, in reading order under their headings."""
    out, at = [], 0
    for heading, texts in sections.items():
        for text in texts:
            number = text.split()[0] if text[:1].isdigit() else None
            out.append(
                passage(
                    text,
                    para=number,
                    heading=heading,
                    title=title,
                    span_start=at,
                    span_end=at + len(text),
                    doc_id=doc_id,
                )
            )
            at += len(text) + 1
    return out


def test_a_reports_summary_takes_statements_from_across_its_sections_never_its_cover_or_form():
    # A fire authority's committee report, as a PDF's passages: a cover of fields, the report's body,
    # and the form's nil returns and declaration. The question names the report, so its cover and
    # each sentence restating its name are closest to it.
    title = "Estates Review 2023"
    report = _report(
        {
            "Cover": [
                "Report title: Estates Review 2023. Agenda item: 7. Date: 12 March 2024. Report of: Head of Estates.",
                "Estates Review 2023. This review sets out how the authority's estate will change by 2030.",
            ],
            "Purpose": ["1.1 The estates review was commissioned by the authority in 2022 to plan its estate to 2030."],
            "Findings": [
                "2.1 Four of the nineteen fire stations need new roofs within five years, at about £2.4m.",
                "2.2 Two on-call stations share a site with the ambulance service and could merge their yards.",
                "2.3 Training at the Upton tower is limited because its drill yard floods each winter.",
                "2.4 Energy use across the estate fell by 18% after the LED lighting programme.",
            ],
            "Risks": ["3.1 Construction inflation could add a fifth to the roof programme if it starts after 2025."],
            "Legal Implications": [
                "4.1 There are no specific legal implications arising from this report. This will be kept under "
                "review as each scheme is brought forward."
            ],
            "Equality Implications": ["5.1 None, the review concerns buildings only and has no effect on staff."],
            "Declaration": [
                "I confirm that this report has been considered by the Chief Fire Officer and the Treasurer."
            ],
        },
        title,
    )
    asked: list[int] = []

    def search(text: str, doc_id: str, k: int) -> list:
        asked.append(k)
        return list(reversed(report))  # the report's passages, not in reading order

    got = extract(f"Summarise the {title}", report[:2], section=lambda p: [p], meaning=_meaning(), search=search)
    assert asked and asked[0] >= len(report)  # the whole report is read, not only the passages retrieved
    assert got.answer is not None
    points = _points(got.answer)
    assert 3 <= len(points) <= 5, got.answer
    for form in ("Report title", "Agenda item", "Estates Review 2023", "I confirm", "None", "no specific legal"):
        assert not any(form in p for p in points), got.answer
    assert not any("kept under review" in p for p in points)  # not a nil return's next sentence either
    sections = [next(q.heading for q in report if p in q.text) for p in points]
    assert len(set(sections)) >= 3 and max(sections.count(s) for s in sections) <= 2, sections
    order = [next(q.reading_order for q in report if p in q.text) for p in points]
    assert order == sorted(order)  # in the report's order


def test_a_summary_is_of_the_report_the_question_names_not_the_best_ranked_passages():
    fleet = _report(
        {"Fleet": ["1.1 The fleet review found that forty vehicles are past their replacement age this year."]},
        "Fleet Strategy 2024",
    )
    estates = _report(
        {"Estates": ["2.1 The estates review found that four stations need new roofs within five years."]},
        "Estates Review 2023",
        doc_id="e",
    )
    read: list[str] = []

    def search(text: str, doc_id: str, k: int) -> list:
        read.append(doc_id)
        return estates if doc_id == "e" else fleet

    got = extract("Summarise the estates review 2023", fleet + estates, section=lambda p: [p], search=search)
    assert read == ["e"] and got.answer is not None and "Estates Review 2023" in got.answer


def test_a_why_questions_reason_goes_on_in_the_paragraphs_after_it_before_points_from_elsewhere():
    # A fire and rescue authority's business case: the reason stated, then argued over the two
    # paragraphs after it (one passage each); another section is close to it in meaning.
    case = _chunked(
        [
            "7.2 The reason for proposing a single control room is that emergency calls have risen by a "
            "third since 2019 while control staff numbers have fallen.",
            "Two separate rooms cannot both be staffed to meet peaks in demand, and each is left short "
            "on summer evenings when wildfire calls come in.",
            "The call-handling equipment of both rooms reaches the end of its supported life in 2026. "
            "Consequently, replacing it twice would cost about £4m more than equipping one shared room.",
        ],
        heading="Business Case",
        para="7.2",
    )
    restated = passage(
        "Shared control rooms have run in other fire services since 2016, taking calls for several counties.",
        para="2.1",
        heading="Background",
    )
    got = extract(
        "Why did the authority propose a single control room?",
        [case[0], restated],
        section=lambda p: case if p.under == "Business Case" else [p],
        meaning=_meaning(),
    )
    assert got.answer is not None
    points = _points(got.answer)
    assert "risen by a third" in points[0], got.answer
    assert "cannot both be staffed" in points[1] and "end of its supported life" in points[2], got.answer
    assert any("£4m more" in p for p in points[:4]), got.answer


def test_a_list_set_inside_a_numbered_paragraphs_line_gives_its_items_not_each_chunks_first_sentence():
    # As pypdf reads a Word report's numbered list: one line, each item after a bullet, the chunks
    # overlapping inside an item; the section is what the question asks for.
    chunks = _chunked(
        [
            "• 5.2 The programme board has agreed the following actions for the coming year. • a. Recruit two "
            "data analysts for the joint control room. • b. Replace the duty rota system used by both forces. • c. Move",
            "Replace the duty rota system used by both forces. • c. Move the records team to the Bridgend site. "
            "• d. Publish performance reports each quarter.",
        ],
        heading="Next Steps",
        para="5.2",
    )
    points = _points_read("What are the next steps for the programme board?", chunks, 1)
    assert points[:2] == [
        "Recruit two data analysts for the joint control room.",
        "Replace the duty rota system used by both forces.",
    ], points
    assert not any(p.startswith("The programme board has agreed") for p in points)


def test_a_why_question_naming_its_report_is_answered_from_that_report():
    """ "… in Dyfed-Powys's 2022 estates update?": the report the question names answers, though
    another report's passage on the same work ranks first."""
    annual = _report(
        {
            "Custody": [
                "3.1 The custody suite refurbishment was delayed because the contractor went into administration."
            ]
        },
        "Dyfed-Powys Fleet and Custody Annual Report 2021",
    )
    update = _report(
        {"Custody": ["2.1 The custody suite refurbishment is a concern because its costs have risen by 40 per cent."]},
        "Dyfed-Powys Estates Update 2022",
        doc_id="u",
    )
    asked = "Why is the custody suite refurbishment a worry in Dyfed-Powys's 2022 estates update?"
    got = extract(asked, annual + update, section=lambda p: [p], meaning=_meaning())
    assert got.answer is not None and "Estates Update 2022" in got.answer and "administration" not in got.answer
