"""Scanned pages read by OCR (RapidOCR, offline): the text, its reading order, the citation's mark,
the evidence image, and the pages OCR cannot read."""

from pathlib import Path

import pytest
from pdfgen import make_pdf, scanned_copy, sized_lines_pdf

from assistant.api import Assistant
from assistant.documents import LoadError
from assistant.reading import ocr
from assistant.reading.loading import Limits, load_document, read_file
from assistant.reading.scanorder import title_first, title_run
from assistant.settings import Settings

DECISION = [
    "Police and Crime Commissioner for Dyfed-Powys",
    "Decision Record PCC/2021/017",
    "",
    "1. Background",
    "1.1 The Commissioner approved a grant of £48,500 to the Safer Streets project.",
    "1.2 The grant runs from 1 April 2021 to 31 March 2022 and is reviewed every quarter.",
    "",
    "2. Decision",
    "2.1 The Commissioner signed this decision on 12 March 2021.",
]
COVER = ["Annual Policing Plan 2021/22", "", "1.1 The plan sets out the Commissioner's six priorities for the year."]


def _word(text: str, x0: float, top: float, width: float = 40.0) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + 10}


def test_two_columns_are_read_one_after_the_other():
    words = []
    for n in "abcdefghijkl":  # twelve lines of words in two columns (words, not figures: not a table)
        top = 100 + (ord(n) - 97) * 14
        # a word space apart (under half the words' height; words a line's height apart at the same x
        # in every line would be a table's columns of cells)
        words += [_word(f"left{n}a", 40, top), _word(f"left{n}b", 84, top), _word(f"left{n}c", 128, top, 132)]
        words += [
            _word(f"right{n}a", 320, top),
            _word(f"right{n}b", 364, top),
            _word(f"right{n}c", 408, top, 142),
        ]
    text = ocr.layout_text(words, 595)
    assert text.index("leftlc") < text.index("rightaa")  # the whole left column, then the right
    assert "leftaa leftab leftac\nleftba" in text


def test_labels_beside_their_values_stay_on_one_line():
    words = []
    for row, (label, value) in enumerate(
        [(f"Label{n}:", f"value {n} of the form, written out at length") for n in range(12)]
    ):
        top = 100 + row * 14
        words.append(_word(label, 40, top))
        x = 320
        for part in value.split():
            words.append(_word(part, x, top, 30))
            x += 34
    lines = ocr.layout_text(words, 595).splitlines()
    assert "Label3: value 3 of the form, written out at length" in lines


def test_ocr_turned_off_refuses_a_scan_and_says_why(tmp_path):
    f = tmp_path / "scan.pdf"
    f.write_bytes(scanned_copy(make_pdf([DECISION])))
    with pytest.raises(LoadError) as err:
        load_document(f, read_file(f, 50_000_000), limits=Limits(ocr=False))
    assert "scan.pdf" in str(err.value) and "no text layer" in str(err.value) and "OCR is turned off" in str(err.value)


@pytest.mark.slow
def test_a_scanned_page_is_read_by_ocr_and_a_text_page_is_not(tmp_path):
    f = tmp_path / "mixed.pdf"
    f.write_bytes(scanned_copy(make_pdf([COVER, DECISION]), pages=[1]))  # page 2 scanned, page 1 born digital
    doc = load_document(f, read_file(f, 50_000_000))
    assert [p.ocr for p in doc.pages] == [False, True]
    assert "six priorities" in doc.pages[0].text
    scanned = " ".join(doc.pages[1].text.split())
    assert "£48,500" in scanned and "Safer Streets" in scanned and "12 March 2021" in scanned
    assert doc.ocr_pages == {2} and not doc.warnings


@pytest.mark.slow
def test_a_page_ocr_cannot_read_in_time_is_skipped_with_a_warning_naming_it(tmp_path):
    f = tmp_path / "mixed.pdf"
    f.write_bytes(scanned_copy(make_pdf([COVER, DECISION]), pages=[1]))
    doc = load_document(f, read_file(f, 50_000_000), limits=Limits(ocr_seconds=0.01))
    assert "six priorities" in doc.pages[0].text and not doc.pages[1].text.strip()
    assert any(w.startswith("page 2: OCR could not read it") for w in doc.warnings)


@pytest.mark.slow
def test_an_answer_from_a_scanned_report_cites_its_page_as_read_by_ocr(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "decision-pcc-2021-017.pdf").write_bytes(scanned_copy(make_pdf([DECISION]), seed=3))
    settings = Settings(index_dir=tmp_path / "index", audit_db=tmp_path / "audit.sqlite3")
    with Assistant(settings=settings) as a:
        summary = a.ingest([folder])
        assert summary.failed == 0 and summary.warnings == 0 and summary.flagged == 1
        record = a.reports()[0]
        assert any("read by OCR" in flag for flag in record.flags)
        got = a.ask("How much was the grant to the Safer Streets project?")
        assert not got.abstained and "48,500" in got.answer
        cited = got.citations[0]
        assert "read by OCR" in cited.location() and cited.page == 1
        image = a.evidence(cited.chunk_id, marks=["£48,500"])
        assert image is not None and Path(image).stat().st_size > 1000


@pytest.mark.slow
def test_the_evidence_image_of_a_scanned_page_highlights_the_passage(tmp_path):
    from assistant.reading.evidence import render

    f = tmp_path / "scan.pdf"
    f.write_bytes(scanned_copy(make_pdf([DECISION])))
    passage = "1.1 The Commissioner approved a grant of £48,500 to the Safer Streets project."
    got = render(str(f), 1, passage, ["£48,500"], str(tmp_path / "out.png"), True)
    assert got["found"] and got["lines"] >= 1 and got["marked"] >= 1
    blind = render(str(f), 1, passage, ["£48,500"], str(tmp_path / "blind.png"), False)
    assert not blind["found"]  # without OCR a scanned page has no words to highlight


def test_a_tilted_line_stays_whole_beside_its_neighbours():
    """Up a 2-degree tilt a full-width line climbs about its own height: read by position alone, its
    last words would join the next line; the line OCR read keeps them."""
    words = []
    for line in range(3):
        for k in range(10):
            top = 100 + line * 12 + k * 1.6  # each word a little lower than the one before
            words.append(
                {
                    "text": f"w{line}{k}",
                    "x0": 40 + k * 50,
                    "x1": 80 + k * 50,
                    "top": top,
                    "bottom": top + 10,
                    "line": line,
                }
            )
    rows = ocr.layout_text(words, 595).splitlines()
    assert [r for r in rows if r] == [" ".join(f"w{line}{k}" for k in range(10)) for line in range(3)]


def test_an_inline_image_marks_a_page_to_read():
    import io

    from pdfgen import pages_pdf
    from pypdf import PdfReader

    from assistant.reading.loading import _has_image

    inline = ["q 200 0 0 200 50 500 cm", "BI /W 2 /H 2 /CS /G /BPC 8 ID", "\x00\xff\xff\x00", "EI Q"]
    text = ["BT /F1 12 Tf 50 700 Td (A page of text only) Tj ET"]
    reader = PdfReader(io.BytesIO(pages_pdf([inline, text])))
    assert _has_image(reader.pages[0]) and not _has_image(reader.pages[1])


def test_a_source_card_says_its_passage_was_read_by_ocr():
    from assistant.documents import Passage
    from assistant.web.render import source_card

    meta = {"doc_id": "d1", "title": "Decision Record", "page": 2, "doc_kind": "pdf", "ocr": True}
    card = source_card(1, Passage.stored("d1:c1", "1.1 The Commissioner approved a grant of £48,500.", meta), "£48,500")
    assert "read by OCR" in card
    assert "read by OCR" not in source_card(1, Passage.stored("d1:c2", "1.2 Text.", {**meta, "ocr": False}), "")


@pytest.mark.slow
def test_a_blank_scanned_page_is_no_warning(tmp_path):
    f = tmp_path / "mixed.pdf"
    f.write_bytes(scanned_copy(make_pdf([COVER, [""], DECISION]), pages=[1, 2]))  # page 2 a blank scan
    doc = load_document(f, read_file(f, 50_000_000))
    assert [p.ocr for p in doc.pages] == [False, False, True] and not doc.warnings


@pytest.mark.slow
def test_ocr_gives_up_on_a_file_after_three_pages_in_a_row_fail(tmp_path):
    mixed = tmp_path / "mixed.pdf"
    mixed.write_bytes(scanned_copy(make_pdf([COVER] + [DECISION] * 5), pages=[1, 2, 3, 4, 5], blur=0))
    doc = load_document(mixed, read_file(mixed, 50_000_000), limits=Limits(ocr_seconds=0.01))
    assert "six priorities" in doc.pages[0].text
    assert [w.split(":")[0] for w in doc.warnings] == ["page 2", "page 3", "page 4", "pages 5, 6"]
    assert doc.warnings[-1].startswith("pages 5, 6: not read by OCR (OCR failed on the pages before)")


def test_pages_left_unread_for_want_of_ocr_are_read_again_once_it_can(tmp_path, fast_settings):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "plan.pdf").write_bytes(scanned_copy(make_pdf([COVER, DECISION]), pages=[1]))
    with Assistant(settings=fast_settings.model_copy(update={"ocr": False})) as a:
        first = a.ingest([folder]).results[0]
        assert first.status == "indexed" and "OCR is turned off" in " ".join(first.warnings)
        assert a.ingest([folder]).results[0].status == "unchanged"  # OCR still off: nothing to gain
    with Assistant(settings=fast_settings) as a:
        assert a.ingest([folder]).results[0].status == "replaced"  # the scanned page, read now
        (doc,) = a.documents()
        assert "48,500" in " ".join(a.index.lexical.texts(doc.doc_id)) and "unread_pages" not in doc.metadata
        assert a.ingest([folder]).results[0].status == "unchanged"


def test_ocr_limits_are_more_generous_when_ocr_may_read_what_it_could_not():
    from assistant.reading.loading import more_generous

    then = {"ocr": True, "engine": True, "seconds": 120.0, "file_seconds": 3600.0, "memory_mb": 3072}
    assert not more_generous(dict(then), then)
    assert more_generous({**then, "seconds": 300.0}, then) and more_generous({**then, "memory_mb": 4096}, then)
    assert not more_generous({**then, "seconds": 60.0}, then)
    assert more_generous(then, {**then, "ocr": False}) and more_generous(then, {**then, "engine": False})
    assert not more_generous({**then, "ocr": False, "seconds": 300.0}, then)  # turned off: reads nothing
    assert not more_generous(then, {})  # nothing was left unread


def test_a_scanned_table_is_read_as_rows_whose_wrapped_labels_stay_whole():
    from pdfgen import wrapped_label_table_pdf

    rows = [
        (["SRS", "Collaboration"], ["3,707,910", "3,246,373", "461,537"]),
        (["SRS Airwave"], ["567,448", "653,640", "-86,192"]),
        (["Devolved", "Force", "Budgets"], ["2,192,578", "1,159,753", "1,032,825"]),
        (["Total"], ["9,123,757", "7,971,387", "1,152,370"]),
    ]
    pdf = wrapped_label_table_pdf(
        "Financial Performance 2018/19", ["Budget", "Expenditure", "Variance"], rows, [72, 250, 350, 450]
    )
    text, _ = ocr.read_page(scanned_copy(pdf, seed=1), 0)  # turned by up to a degree, blurred
    lines = text.splitlines()
    cells = [[c.strip() for c in line.strip("|").split("|") if c.strip()] for line in lines if line.startswith("|")]
    assert ["Devolved Force Budgets", "2,192,578", "1,159,753", "1,032,825"] in cells
    assert ["SRS Collaboration", "3,707,910", "3,246,373", "461,537"] in cells
    assert cells[0] == ["Budget", "Expenditure", "Variance"] and len(cells) == 5
    assert lines[0] == "Financial Performance 2018/19" and lines[-1].startswith("Overall")  # in their places


FIGURE_ROWS = [
    "1. Wide Area Network 285 25 310 520 50 570 805 75",
    "2. Agile and Remote Access 1,790 150 1,940 1,790 707 2,497 3,580 857",
    "3. Video Conferencing 85 15 100 25 14 39 110 29",
    "4. Management Information Review 70 130 200 115 230 345 185 360",
]


@pytest.mark.slow
def test_figures_a_single_space_apart_are_read_apart(monkeypatch):
    """OCR writes no space between figures set one space apart ("39110" for "39 110"); where the
    digits stand further apart than a figure's own, the word parts. Dates and years stay whole."""
    lines = ["Capital programme, 2016/17 to 2017/18 (figures in £000):", *FIGURE_ROWS]
    lines.append("The programme was approved on 12 March 2017 and runs to 31 March 2019.")
    scan = scanned_copy(make_pdf([lines]), seed=5)

    def figures_read(text: str) -> int:
        words = text.split()
        return sum(min(words.count(f), row.split().count(f)) for row in FIGURE_ROWS for f in set(row.split()[-8:]))

    text, _ = ocr.read_page(scan, 0)
    assert figures_read(text) >= 31  # of 32 (32 on this machine; 29 by the model's steps alone, 12 at spaces only)
    assert "2016/17 to 2017/18" in text and "12 March 2017" in text and "31 March 2019" in text
    monkeypatch.setattr(ocr, "INK_SPACE", 100.0)  # no blank strip is a space: words parted at the text's spaces only
    assert figures_read(ocr.read_page(scan, 0)[0]) <= 20


def _chars(text: str, pitch: float = 0.5, space: float = 0.8, height: float = 40.0) -> list[tuple[str, list]]:
    """Characters with boxes as OCR gives them: digits ``pitch`` line heights apart, ``space`` where
    the text has "_" (a space OCR did not write)."""
    out, x = [], 100.0
    for c in text:
        if c == "_":
            x += (space - pitch) * height
            continue
        box = [[x - 8, 0.0], [x + 8, 0.0], [x + 8, height], [x - 8, height]]
        out.append((c, box))
        x += pitch * height
    return out


def test_a_word_parts_between_digits_that_stand_apart_and_nowhere_else():
    def parts(text: str) -> list[str]:
        chars = _chars(text)
        joined = "".join(c for c, _ in chars)
        return ["".join(c for c, _ in w) for w in ocr._line_words(joined, chars, 0.5)]

    assert parts("285_25_310") == ["285", "25", "310"]
    assert parts("1,790_150_1,940") == ["1,790", "150", "1,940"]
    assert parts("17_/18") == ["17/18"]  # a year range stays whole
    assert parts("1,7_90") == ["1,790"]  # a figure grouped in thousands as it should be
    assert parts("6,0_03_1,676") == ["6,003", "1,676"]  # no cut inside a group of thousands
    assert parts("2_0_20") == ["2020"] and parts("£1_75") == ["£175"]  # a lone digit: digits set a little apart
    assert parts("20_21") == ["2021"] and parts("185_20_21") == ["185", "2021"]  # a year stays whole
    assert parts("2020") == ["2020"] and parts("December_2021") == ["December", "2021"]  # a word, then a year
    assert parts("Note_12") == ["Note12"]  # a word, then a footnote's number: no cut


def test_words_ocr_ran_together_part_where_each_side_is_a_word():
    """A narrow space OCR did not write: between a word and a year or a figure, or before a word
    that joins others. Names, compounds, prefixes and codes stay whole."""

    def parted(text: str) -> str:
        cuts = ocr.run_together(text)
        return " ".join(text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)]))

    assert parted("dependenceon") == "dependence on" and parted("sectionof") == "section of"
    assert parted("ofthe") == "of the" and parted("softwarewithin") == "software within"
    assert parted("Since2019") == "Since 2019" and parted("in2021") == "in 2021" and parted("12months") == "12 months"
    assert parted("rose12.5%") == "rose 12.5%" and parted("Planningwith") == "Planning with"
    for whole in ("Seaton", "Galland", "helpdesk", "cybersecurity", "workstream", "intakes", "inefficient"):
        assert parted(whole) == whole
    for whole in ("login", "projector", "hereby", "forbids", "3rd", "£3.1m", "M25", "process1", "report.pdf"):
        assert parted(whole) == whole


def test_a_line_whose_boxes_do_not_match_its_text_keeps_its_text():
    chars = _chars("Safer")  # five boxes for a text of eleven letters
    (word,) = ocr._line_words("Safer Streets", chars, 0.5)
    assert [c for c, _ in word] == ["Safer Streets"]


def _inked(text: str, space: float = 0.8, pitch: float = 0.5, height: float = 40.0):  # noqa: ANN202
    """Characters with boxes as OCR gives them and a page image printing them: each character a
    block of ink narrower than its step, a blank strip where the text has "_" (a space OCR did not
    write)."""
    import numpy

    chars = _chars(text, pitch, space, height)
    grey = numpy.full((int(height) + 20, int(chars[-1][1][1][0]) + 40), 250, dtype=numpy.uint8)
    for _, box in chars:
        x = (box[0][0] + box[1][0]) / 2
        grey[5 : int(height) - 5, int(x - 7) : int(x + 7)] = 30  # the glyph: 14 of the step's 20 pixels
    return chars, grey


def test_a_word_parts_where_the_page_image_shows_a_space():
    """Where the image shows a blank strip a quarter of a line high between two characters, OCR ran
    two things together: figures ("2350 3653", however close the model set them), a word and a
    figure ("Design 70"). Where it shows none, the word stays whole ("M25", "Note12", "1176")."""

    def parts(text: str, space: float = 0.8) -> list[str]:
        chars, grey = _inked(text, space)
        joined = "".join(c for c, _ in chars)
        return ["".join(c for c, _ in w) for w in ocr._line_words(joined, chars, 0.5, ocr._ink(grey, chars))]

    assert parts("Design_70_130_200") == ["Design", "70", "130", "200"]
    assert parts("TOTAL_1,690_3,045") == ["TOTAL", "1,690", "3,045"]
    assert parts("2350_3653_6003", space=0.6) == ["2350", "3653", "6003"]  # steps alone would not part these
    assert parts("Note12") == ["Note12"] and parts("M25") == ["M25"] and parts("1176") == ["1176"]
    assert parts("Desig_125") == ["Desig", "125"] and parts("Note_1") == ["Note1"]  # a lone digit: a footnote
    assert parts("715_5.") == ["715", "5."] and parts("805_75_2.") == ["805", "75", "2."]  # the next row's number
    assert parts("20_21") == ["2021"] and parts("17/_18") == ["17/18"]  # a year, a year range stay whole
    assert parts("3.1_This") == ["3.1", "This"] and parts("4.COLLABORATION") == ["4.", "COLLABORATION"]


def test_words_run_together_part_where_the_page_image_shows_a_space():
    def parts(text: str) -> list[str]:
        chars, grey = _inked(text)
        joined = "".join(c for c, _ in chars)
        return ["".join(c for c, _ in w) for w in ocr._line_words(joined, chars, 0.5, ocr._ink(grey, chars))]

    assert parts("shown_below_and_are_being") == ["shown", "below", "and", "are", "being"]
    assert parts("Network_(WAN)_Review") == ["Network", "(WAN)", "Review"] and parts("Desk_&") == ["Desk", "&"]
    assert parts("with_a_view") == ["with", "a", "view"] and parts("X_ray") == ["Xray"]  # one letter: no cut
    assert parts("S_U_M_M_A_R_Y") == ["SUMMARY"]  # a heading set letter-spaced
    assert parts("end._The") == ["end.The"]  # a full stop sits below the strip: no cut beside it
    assert parts("Regional") == ["Regional"]


def test_a_word_parts_before_a_currency_sign_and_after_a_list_number():
    def parts(text: str) -> list[str]:
        chars = _chars(text)
        return ["".join(c for c, _ in w) for w in ocr._line_words(text, chars, 0.5)]

    assert parts("£000£000£000") == ["£000", "£000", "£000"] and parts("2017/18£000") == ["2017/18", "£000"]
    assert parts("7.Video") == ["7.", "Video"] and parts("12.Review") == ["12.", "Review"]
    assert parts("£3.1m") == ["£3.1m"] and parts("1.5bn") == ["1.5bn"] and parts("No.5") == ["No.5"]


@pytest.mark.slow
def test_a_line_the_model_reads_with_little_confidence_is_read_again_upright(monkeypatch):
    """Every line read again from an upright crop around its box reads the same characters, and its
    words stand where the first reading put them (the re-read's boxes are placed on the page, not
    the crop); the reading with more confidence is kept."""
    scan = scanned_copy(make_pdf([["Budget 2019/20 2020/21 2021/22 Total", *FIGURE_ROWS]]), seed=2)
    first = ocr.page_words(scan, 0)
    monkeypatch.setattr(ocr, "REREAD_SCORE", 1.01)  # read every line again
    again = ocr.page_words(scan, 0)
    assert "".join(w["text"] for w in again) == "".join(w["text"] for w in first)
    placed = {(w["text"], round(w["top"] / 5), round(w["x0"] / 5)) for w in first}
    near = [
        w
        for w in again
        if any(
            (w["text"], round(w["top"] / 5) + a, round(w["x0"] / 5) + b) in placed
            for a in (-1, 0, 1)
            for b in (-1, 0, 1)
        )
    ]
    assert len(near) >= 0.9 * len(again)
    monkeypatch.setattr(ocr, "REREAD_SCORE", 0.0)  # the engine kept no step of the re-reads: a page is found whole
    assert [w["text"] for w in ocr.page_words(scan, 0)] == [w["text"] for w in first]


@pytest.mark.slow
def test_a_table_printed_as_running_text_is_read_as_rows_from_a_scan(tmp_path):
    """A table a converter printed as wrapped lines of text (no columns to see), figures one space
    apart: OCR runs figures and the next row's number together ("455 1,010 1554."); read apart, the
    flowed-table reader writes its rows as on the born-digital page."""
    lines = [
        "3.2 The capital programme for the year is shown below.",
        "Project 2019/20 2020/21 Total £000 £000 £000 1. Body Worn Video Cameras 120 45 165 2. Mobile",
        "Data Terminals 310 95 405 3. Digital Interview Recording 75 60 135 4. Automatic Number",
        "Plate Recognition 210 180 390 5. Fleet Telematics 40 35 75 TOTAL 755 415 1,170",
        "The programme is funded from the capital reserve.",
    ]
    f = tmp_path / "programme.pdf"
    f.write_bytes(scanned_copy(make_pdf([lines]), seed=4))
    doc = load_document(f, read_file(f, 50_000_000))
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in doc.pages[0].text.splitlines() if "|" in line]
    assert ["2. Mobile Data Terminals", "310", "95", "405"] in rows
    assert ["4. Automatic Number Plate Recognition", "210", "180", "390"] in rows
    assert ["TOTAL", "755", "415", "1,170"] in rows


@pytest.mark.slow
def test_a_scanned_table_whose_labels_are_set_one_letter_per_line_reads_each_label_on_its_row(tmp_path):
    """Word's narrow first column prints each label one letter a line; OCR reads a column of lone
    letters (and runs a row's first letter into the cell beside it). Read from the boxes' geometry,
    each label is a word on its row, and the label running over the page break joins its row."""
    from pdfgen import stacked_label_table_pdf

    pdf = stacked_label_table_pdf(
        "Table 2: Internal audit opinions 2022/23",
        ["Assurance", "Issued", "Tested", "Actions"],
        [
            [
                ("Victim Services", ["LIMITED", "12-\nMar-\n23", "18", "3"]),
                ("Estates Review", ["SUBSTANTIAL", "04-Jun-23", "25", "1"]),
                ("Fleet", ["MODERATE", "19-\nJul-\n23", "30", "7"]),
            ],
            [("Management", []), ("Cyber Access", ["REASONABLE", "02-Oct-23", "11", "2"])],
        ],
        [60.0, 74.0, 200.0, 300.0, 400.0, 470.0],
        prose=["The audit plan covered four areas in the year."],
    )
    f = tmp_path / "audit.pdf"
    f.write_bytes(scanned_copy(pdf, seed=3))
    doc = load_document(f, read_file(f, 50_000_000))
    assert all(p.ocr for p in doc.pages)
    first, second = ([line for line in p.text.splitlines() if line.startswith("|")] for p in doc.pages)
    assert first == [
        "| | Assurance | Issued | Tested | Actions |",
        "| Victim Services | LIMITED | 12-Mar-23 | 18 | 3 |",
        "| Estates Review | SUBSTANTIAL | 04-Jun-23 | 25 | 1 |",
        "| Fleet Management | MODERATE | 19-Jul-23 | 30 | 7 |",  # its label's end was on the next page
    ]
    assert second[-1] == "| Cyber Access | REASONABLE | 02-Oct-23 | 11 | 2 |"
    assert doc.pages[0].text.startswith("The audit plan covered four areas in the year.")
    assert doc.pages[1].text.endswith("Each finding has an agreed action plan.")


def _stack(label: str, x: float, top: float, pitch: float = 14.0) -> list[dict]:
    """A label as OCR reads it down a narrow column: one letter a line, a blank line for a space."""
    return [{**_word(c, x, top + k * pitch, 7), "line": f"{label}{k}"} for k, c in enumerate(label) if not c.isspace()]


def test_a_column_of_lone_letters_is_read_as_each_rows_label():
    """OCR's boxes of a stacked label: lone letters one pitch apart at one x (a digit for a look-alike
    letter, a capital whose shape is the small letter's), a row's first letter run into the cell
    beside it ("P" + "LIMITED"); the rows' other cells start level with their label's first letter."""
    words = [{**_word("Assessment of controls", 40, 60, 200), "line": "title"}]
    words += [{**_word(h, x, 90), "line": f"h{x}"} for h, x in [("Opinion", 80), ("Tested", 200), ("Findings", 300)]]
    words += _stack("Vetting Unit", 66, 112)
    words += [{**_word(t, x, 112), "line": f"r1{x}"} for t, x in [("MODERATE", 80), ("44", 200), ("6", 300)]]
    words += _stack("C0ntr0l Room", 66, 112 + 13 * 14)  # "o" read "0", "l" read "1" is left to the words
    words[-11] = {**words[-11], "text": "CLIMITED", "x1": 142}  # the row's first letter run into its cell
    words += [{**_word(t, x, 112 + 13 * 14), "line": f"r2{x}"} for t, x in [("12", 200), ("3", 300)]]
    words += _stack("PrOSeCUtiOn", 66, 112 + 26 * 14)
    words += [{**_word(t, x, 112 + 26 * 14), "line": f"r3{x}"} for t, x in [("LIMITED", 80), ("9", 200), ("1", 300)]]
    rows = [" ".join(line.split()) for line in ocr.layout_text(words, 595).splitlines() if line.startswith("|")]
    assert rows == [
        "| | Opinion | Tested | Findings |",
        "| Vetting Unit | MODERATE | 44 | 6 |",
        "| Control Room | LIMITED | 12 | 3 |",
        "| Prosecution | LIMITED | 9 | 1 |",
    ]
    assert ocr.layout_text(words, 595).startswith("Assessment of controls")


def test_a_label_running_over_a_page_break_joins_the_row_before_it():
    from assistant.reading.scantables import join_labels

    known = ocr.vocabulary()
    before = "Findings\n| | Opinion | Tested |\n| Cyber | LIMITED | 12 |\n| Performance | MODERATE | 9 |\nPage 4"
    after = "| | Opinion | Tested |\n| Management |\n| Estates | LIMITED | 3 |\nThe plan was agreed."
    joined = join_labels([before, after], known)
    assert "| Performance Management | MODERATE | 9 |" in joined[0] and "Management" not in joined[1]
    broken = join_labels([before.replace("Performance", "Organi"), after.replace("Management", "Sation")], known)
    assert "| Organisation | MODERATE | 9 |" in broken[0]  # inside a word: run on, its case mended
    kept = after.replace("| Management |", "| Management | | |")  # a group's heading row: a row of its own
    assert join_labels([before, kept], known) == [before, kept]


def test_figures_of_two_cells_part_and_a_period_over_two_columns_heads_both():
    """A year set over its "Number" and "%" columns, and each row's two figures OCR read as one line
    ("1,204 62%"): two cells, each under its year."""
    words = [{**_word("Stop and search outcomes", 40, 60, 200), "line": "title"}]
    words += [{**_word(t, x, 90), "line": f"y{x}"} for t, x in [("2021/22", 150), ("2022/23", 300)]]
    words += [
        {**_word(t, x, 104), "line": f"s{x}"} for t, x in [("Number", 150), ("%", 210), ("Number", 300), ("%", 360)]
    ]
    for k, (label, figures) in enumerate(
        [
            ("Arrests", ["1,204", "62%", "1,310", "64%"]),
            ("Warnings", ["511", "26%", "498", "24%"]),
            ("No action", ["230", "12%", "244", "12%"]),
        ]
    ):
        top = 124 + 16 * k
        words.append({**_word(label, 40, top, 60), "line": f"l{k}"})
        words += [
            {**_word(f, x, top, 34), "line": f"a{k}" if x < 250 else f"b{k}"}
            for f, x in zip(figures, [150, 192, 300, 342])
        ]
    rows = [" ".join(line.split()) for line in ocr.layout_text(words, 595).splitlines() if line.startswith("|")]
    assert "| Arrests | 1,204 | 62% | 1,310 | 64% |" in rows
    assert rows[0] == "| | 2021/22 | 2021/22 | 2022/23 | 2022/23 |"


@pytest.mark.slow
def test_a_lists_bullets_and_dashes_the_model_leaves_unread_are_found_on_the_page_image():
    """OCR reads no list marker set apart before its item; a lone blot of ink there, on the line's
    middle, is one: round, a bullet; flat, a dash. A wrapped line and a line with nothing before it get none."""
    from pdfgen import hanging_list_pdf

    lines = [
        ("", "The Commissioner set three aims for the year:"),
        ("•", "Reduce repeat victimisation across the county"),
        ("–", "Fund two further independent domestic violence advisers"),
        ("", "from the Safer Streets grant."),
        ("•", "Open the new custody suite in the spring"),
    ]
    text, _ = ocr.read_page(scanned_copy(hanging_list_pdf(lines), seed=2), 0)
    got = [line.strip() for line in text.splitlines() if line.strip()]
    assert got[0].startswith("The Commissioner")
    assert got[1].startswith("• Reduce repeat") and got[4].startswith("• Open the new")
    assert got[2].startswith("– Fund two") and got[3].startswith("from the Safer")


def _prose_row(prefix: str, top: float, x0: float, width: float, words: int = 5) -> list[dict]:
    """A line OCR read, of ``words`` words filling ``width`` points from ``x0``, named ``{prefix}w0``,
    ``{prefix}w1``...; its spaces fall where the line's length puts them (not under another line's)."""
    step = width / words
    shift = sum(map(ord, prefix)) % 13  # the line's first word a little longer or shorter than the next line's
    edges = [x0] + [x0 + k * step + shift for k in range(1, words)] + [x0 + width]
    return [
        {**_word(f"{prefix}w{k}", a, top, b - a - 5), "line": prefix} for k, (a, b) in enumerate(zip(edges, edges[1:]))
    ]


def test_columns_over_part_of_a_page_are_read_one_after_the_other():
    """Two columns of prose under a title, then lines across the full width (a letter printed below
    them): the columns are read one after the other, the title before and the full-width lines after."""
    words = _prose_row("title", 60, 40, 400, 4)
    for n in range(12):
        top = 90 + n * 14
        words += _prose_row(f"left{n}", top, 40, 240) + _prose_row(f"right{n}", top, 320, 240)
    for n in range(10):
        words += _prose_row(f"below{n}", 300 + n * 14, 40, 510, 9)
    text = ocr.layout_text(words, 595)
    order = [text.index(w) for w in ("titlew0", "left0w0", "left11w4", "right0w0", "right11w4", "below0w0")]
    assert order == sorted(order)
    assert "left3w0 left3w1 left3w2 left3w3 left3w4\nleft4w0" in text
    assert "below2w0 below2w1 below2w2 below2w3 below2w4 below2w5 below2w6 below2w7 below2w8" in text


def test_a_table_of_wrapped_text_cells_is_read_row_by_row():
    """A table of two columns of wrapped text leaves a gutter as columns of prose do, but each row's
    cells start together on both sides, a gap above them: it is read across, row by row."""
    words, top = [], 60.0
    for n, (left, right) in enumerate([(2, 3), (3, 2), (1, 3), (2, 2), (3, 1)]):
        for k in range(max(left, right)):
            if k < left:
                words += _prose_row(f"risk{n}l{k}", top + 14 * k, 40, 240)
            if k < right:
                words += _prose_row(f"action{n}l{k}", top + 14 * k, 320, 240)
        top += 14 * (max(left, right) + 1)
    lines = ocr.layout_text(words, 595).splitlines()
    first = next(line for line in lines if "risk1l0w0" in line)
    assert "action1l0w0" in first  # a row's two cells side by side, not the column of risks first


@pytest.mark.slow
def test_a_scanned_page_set_in_columns_above_a_full_width_part_is_read_column_by_column(tmp_path):
    from pdfgen import columns_part_pdf

    left = [
        "The Commissioner funds support for victims of",
        "crime across the county through a single hub,",
        "which took over from three separate services",
        "in the spring. Every victim referred by the",
        "police is now contacted within two days.",
        "",
        "The hub also runs the restorative justice",
        "service, bringing together those harmed and",
        "those who caused the harm where both agree.",
        "Its caseworkers handled a rising number of",
        "referrals from schools during the year.",
    ]
    right = [
        "Satisfaction with the service is measured by",
        "a short survey sent after each case closes,",
        "and the results are reported to the panel",
        "every quarter alongside the hub's caseload.",
        "",
        "Most victims who answered said they felt",
        "better able to cope after their contact,",
        "though waiting times for counselling grew",
        "longer in the winter months. A new contract",
        "for counselling starts next April to address",
        "those delays and widen the choice offered.",
    ]
    below = [
        "The chart below shows the number of referrals made to the hub in each month of the year, by",
        "the source of the referral: the police, schools, health services and victims who came forward",
        "themselves. Referrals from the police were steady through the year while those from schools",
        "rose in the autumn term, when the hub's caseworkers began to visit secondary schools to talk",
        "to pupils about what the service offers and how it can be reached in confidence.",
    ]
    f = tmp_path / "victims.pdf"
    f.write_bytes(scanned_copy(columns_part_pdf("Victim Services Annual Review", left, right, below), seed=5))
    text = " ".join(load_document(f, read_file(f, 50_000_000)).pages[0].text.split())
    assert text.startswith("Victim Services Annual Review")
    assert "through a single hub, which took over from three separate services" in text
    assert "waiting times for counselling grew longer in the winter months" in text
    order = [text.index(s) for s in ("during the year.", "Satisfaction with", "choice offered.", "The chart below")]
    assert order == sorted(order)
    assert "in each month of the year, by the source of the referral: the police" in text  # read whole


@pytest.mark.slow
def test_a_scanned_table_of_wrapped_text_stays_in_rows(tmp_path):
    from pdfgen import text_table_pdf

    rows = [
        (["Risk"], ["Mitigation"]),
        (
            ["Loss of the control room's power supply during", "a storm, leaving calls to be taken by hand"],
            [
                "A second generator was fitted in March and is",
                "tested every month by the estates team, with",
                "a log kept of each test",
            ],
        ),
        (
            ["Staff leaving the contact centre faster than", "new call handlers can be trained to replace", "them"],
            [
                "A rolling recruitment campaign and a shorter",
                "course for handlers who have worked in other",
                "contact centres",
            ],
        ),
        (
            ["A failure of the records system when its", "supplier's support ends next year"],
            [
                "The replacement is being bought jointly with",
                "two neighbouring forces, due to go live in",
                "the autumn",
            ],
        ),
        (
            ["Delays in vetting new officers and staff"],
            ["Vetting officers moved from another team until", "the backlog is cleared"],
        ),
    ]
    f = tmp_path / "risks.pdf"
    f.write_bytes(scanned_copy(text_table_pdf(rows), seed=6))
    lines = load_document(f, read_file(f, 50_000_000)).pages[0].text.splitlines()
    first = next(line for line in lines if "power supply" in line)
    assert "second generator" in first  # the row's two cells side by side, not all the risks first
    assert any("Delays in vetting" in line and "Vetting officers" in line for line in lines)


def test_a_page_in_three_columns_is_read_column_by_column():
    words, letters = [], str.maketrans("0123456789", "abcdefghij")  # words, not figures: not a table
    for n in range(14):
        top = 90 + n * 14
        for k, x in enumerate((40, 225, 410)):
            words += [{**w, "text": w["text"].translate(letters)} for w in _prose_row(f"c{k}r{n}", top, x, 150, 3)]
    text = ocr.layout_text(words, 595)
    order = [text.index(f"c{k}r{n}wa".translate(letters)) for k in range(3) for n in (0, 13)]
    assert order == sorted(order)


@pytest.mark.slow
def test_a_list_marker_under_a_line_set_close_above_it_is_found():
    """A large line set close above a list reaches into its first item's band; it runs on over the item,
    so it is no cell or label beside the marker, and the first item keeps its marker as the others do."""
    from pdfgen import headed_list_pdf

    items = [
        ("–", "Approve the revised budget for the Violence Reduction Unit"),
        ("–", "Extend the victims' hub contract to March 2025"),
        ("•", "Publish the decision on the Commissioner's website"),
    ]
    text, _ = ocr.read_page(scanned_copy(headed_list_pdf("Decision Record PCC/2023/014 Summary", items), seed=8), 0)
    got = [line.strip() for line in text.splitlines() if line.strip()]
    assert got[1].startswith("– Approve the revised") and got[2].startswith("– Extend the")
    assert got[3].startswith("• Publish the decision")


@pytest.mark.slow
def test_a_scanned_tables_cells_listing_labelled_figures_are_read_a_row_a_line():
    """Each cell lists "label: figure" lines, a target beside the actual; OCR reads a cell's lines as
    one cell. Each line is a row of its own under the row's label, as on the born-digital page."""
    from pdfgen import listed_cells_table_pdf

    rows = [
        ("Sex", [["Female: 36%", "Male: 64%"], ["Female: 38.5%", "Male: 61.5%"]]),
        (
            "Ethnicity",
            [
                ["White: 91%", "Black, Asian and minority ethnic: 9%"],
                ["White: 92.4%", "Black, Asian and minority ethnic: 7.6%"],
            ],
        ),
        (
            "Age",
            [
                ["Under 25: 12%", "25 to 44: 58%", "45 and over: 30%"],
                ["Under 25: 9.8%", "25 to 44: 61%", "45 and over: 29.2%"],
            ],
        ),
        ("Disability", [["Disabled: 4%", "Not disabled: 96%"], ["Disabled: 5.1%", "Not disabled: 94.9%"]]),
    ]
    pdf = listed_cells_table_pdf(
        "Table 3: Workforce profile", ["Target for 2024", "Officers in post"], rows, [60, 200, 380]
    )
    text, _ = ocr.read_page(scanned_copy(pdf, seed=9), 0)
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines() if line.startswith("|")]
    assert ["Age", "45 and over: 30%", "45 and over: 29.2%"] in cells
    assert ["Ethnicity", "Black, Asian and minority ethnic: 9%", "Black, Asian and minority ethnic: 7.6%"] in cells
    assert len(cells) == 10 and text.splitlines()[-1].startswith("The workforce")


def test_only_cells_listing_the_same_labelled_figures_part_into_rows():
    from assistant.reading.scantables import listed

    grid = [
        ["", "Budget", "Spent"],
        ["Estates", "1,200", "1,150"],  # figures with no labels: a row as it is
        ["Cyber", "Phishing 12% Malware 30%", "Phishing 15% Malware 28%"],
        ["", "Ransomware: 4%", "Ransomware: 6%"],  # the list going on under a rule: its label above
        ["Fleet", "Vans: 40 Cars: 120", "Lorries: 4 Cars: 118"],  # not the same labels: not a list
    ]
    assert listed(grid) == [
        ["", "Budget", "Spent"],
        ["Estates", "1,200", "1,150"],
        ["Cyber", "Phishing 12%", "Phishing 15%"],
        ["Cyber", "Malware 30%", "Malware 28%"],
        ["Cyber", "Ransomware: 4%", "Ransomware: 6%"],
        ["Fleet", "Vans: 40 Cars: 120", "Lorries: 4 Cars: 118"],
    ]


def _sized(text: str, x0: float, top: float, height: float, line: int) -> list[dict]:
    """A line's words as OCR gives them: boxes ``height`` points high, one line number."""
    words, x = [], x0
    for part in text.split():
        width = 0.5 * height * len(part)
        words.append({"text": part, "x0": x, "x1": x + width, "top": top, "bottom": top + height, "line": line})
        x += width + 0.3 * height
    return words


def test_a_covers_title_is_its_largest_run_of_lines_not_a_logo_or_the_date_below():
    words = _sized("Safer", 420, 40, 36, 0) + _sized("Roads", 420, 80, 36, 1)  # a logo's two big words
    for n, line in enumerate(["Community Speedwatch", "Review of the First", "Three Years"]):
        words += _sized(line, 60, 300 + 34 * n, 28, 2 + n)
    words += _sized("October 2023", 60, 420, 22, 5)  # a date set apart below, a little smaller
    for n in range(6):  # body text: lines of ten words in a smaller type
        words += _sized(" ".join(["text"] * 10), 60, 500 + 16 * n, 14, 6 + n)
    assert title_run(words) == ["Community Speedwatch", "Review of the First", "Three Years"]
    # a single short line in large type over a letter is a logo's, not a title: none is taken
    assert title_run(_sized("The Roads Office", 60, 40, 30, 0) + words[-60:]) is None


def test_a_covers_title_lines_are_set_first_keeping_what_stands_beside_them():
    text = "Safer\nCommunity Speedwatch ROADS\n\nReview of the First\nThree Years\nOctober 2023"
    first = title_first(text, ["Community Speedwatch", "Review of the First", "Three Years"])
    assert first == "Community Speedwatch\nReview of the First\nThree Years\n\nSafer\nROADS\nOctober 2023"
    assert title_first(text, ["Not on the page"]) == text


@pytest.mark.slow
def test_a_scanned_reports_title_is_the_largest_type_on_its_cover(tmp_path):
    """A scanned cover: a council's name in large capitals at the top right (a logo), the title over
    three lines, a smaller date under it, and body text; the title is taken whole, as the born-digital
    copy takes its largest type, not the logo's words that come first."""
    lines = [("NORTHSHIRE", 24, 380, 790), ("COUNCIL", 24, 380, 764)]
    lines += [
        (t, 22, 60, 560 - 28 * n) for n, t in enumerate(["Community Speedwatch", "Review of the First", "Three Years"])
    ]
    lines += [("October 2023", 14, 60, 450)]
    body = "The review looks at how volunteers and officers ran speed checks in the county's villages."
    lines += [(body, 10, 60, 400 - 14 * n) for n in range(5)]
    f = tmp_path / "cover.pdf"
    f.write_bytes(scanned_copy(sized_lines_pdf(lines), seed=5))
    doc = load_document(f, read_file(f, 50_000_000))
    assert doc.pages[0].ocr
    assert doc.title == "Community Speedwatch Review of the First Three Years"


def test_a_scanned_reports_title_survives_a_running_footer_that_repeats_it(tmp_path):
    """Pages whose footer repeats the report's title: the cover's title lines, set apart from the
    footer's one line, are not dropped with it, and are the title."""
    from assistant.documents import Page
    from assistant.reading.cleaning import clean_pages
    from assistant.reading.metadata import detect_metadata

    cover = Page(1, "Community Speedwatch\nReview of the First\nThree Years\n\nNORTHSHIRE\nOctober 2023", ocr=True)
    body = [
        Page(
            n,
            f"Section {n}\nThe volunteers ran checks in {n} villages this year.\n"
            "Community Speedwatch Review of the First Three Years",
            ocr=True,
        )
        for n in range(2, 6)
    ]
    pages = clean_pages([cover, *body])
    assert all("Review of the First Three" not in p.text for p in pages[1:])  # the footer is dropped
    meta = detect_metadata(tmp_path / "scan.pdf", pages, None)
    assert meta.title == "Community Speedwatch Review of the First Three Years"


@pytest.mark.slow
def test_a_bullet_beside_a_line_of_the_column_to_its_left_is_found(tmp_path):
    """A page in two columns, prose on the left and a bulleted list on the right, each item beside a
    line of prose: the bullets the model leaves unread are found, the prose line a gutter to the left
    no cell or label before them."""
    from pdfgen import one_page_pdf

    prose = [
        "The panel met four times in the year and heard",
        "from officers, volunteers and residents about",
        "the speed checks in the villages, and about the",
        "roads where residents asked for more checks.",
        "It agreed the following points for the next year",
        "and asked for a report on each in the spring.",
    ]
    items = ["Checks on school roads", "More volunteers trained", "Signs moved nearer bends"]
    ops = ["BT", "/F1 10 Tf"]
    ops += [f"1 0 0 1 50 {760 - 14 * i} Tm ({line}) Tj" for i, line in enumerate(prose)]
    for i, item in enumerate(items):
        y = 760 - 28 * i
        ops += [f"1 0 0 1 292 {y} Tm (•) Tj", f"1 0 0 1 306 {y} Tm ({item}) Tj"]
    f = tmp_path / "two.pdf"
    f.write_bytes(scanned_copy(one_page_pdf(ops + ["ET"]), seed=3))
    text = ocr.read_page(f.read_bytes(), 0)[0]
    for item in items:
        assert f"• {item}" in text


@pytest.mark.slow
def test_lines_set_at_an_angle_in_a_picture_are_left_out_and_the_page_text_kept(tmp_path):
    """A page of level text with a note set at an angle beside it (a photographed sticky note, a
    flip chart): a born-digital page holds such a note only as an image, so its lines are not read
    into the page's text; the level lines are."""
    import math

    from pdfgen import one_page_pdf

    body = [
        "The panel reviewed the speed checks run in the",
        "villages over the year and the roads where the",
        "residents asked for more of them to be run.",
        "It agreed three points for the next year.",
    ]
    note = ["MORE CHECKS NEAR", "THE SCHOOL GATES", "IN THE MORNINGS", "PLEASE AND THANKS"]
    ops = ["BT", "/F1 10 Tf"] + [f"1 0 0 1 50 {760 - 14 * i} Tm ({line}) Tj" for i, line in enumerate(body)]
    c, s = math.cos(math.radians(10)), math.sin(math.radians(10))
    for i, line in enumerate(note):  # the note's lines turned ten degrees, one under the other
        x, y = 330 + 20 * i * s, 600 - 20 * i * c
        ops.append(f"/F1 12 Tf {c:.4f} {s:.4f} {-s:.4f} {c:.4f} {x:.1f} {y:.1f} Tm ({line}) Tj")
    f = tmp_path / "note.pdf"
    f.write_bytes(scanned_copy(one_page_pdf(ops + ["ET"]), seed=4, tilt=0.5))
    data = f.read_bytes()
    words = " ".join(w["text"] for w in ocr.page_words(data, 0))
    assert "SCHOOL" in words  # OCR reads the note
    text = ocr.read_page(data, 0)[0]
    assert "villages over the year" in text and "three points" in text
    assert "SCHOOL" not in text and "MORNINGS" not in text
