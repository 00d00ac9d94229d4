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
