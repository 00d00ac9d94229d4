from pathlib import Path

import pytest
from conftest import GWENT_PDF, GWENT_TXT
from pdfgen import encrypt_pdf, make_pdf

from assistant.documents import LoadError
from assistant.reading.loading import load_document, read_file

MAX = 50_000_000


def load(path: Path):
    return load_document(path, read_file(path, MAX))


def test_text_report_metadata():
    doc = load(GWENT_TXT)
    assert doc.title == "Annual Report – ICT & Digital Services 2018/19"
    assert doc.date == "2019-09-04"
    assert doc.kind == "text"
    assert len(doc.doc_id) == 20


def test_pdf_report_metadata_and_pages():
    doc = load(GWENT_PDF)
    assert doc.title == "Annual Report – ICT & Digital Services 2018/19"
    assert doc.date == "2019-09-04"
    assert doc.page_count == 19
    assert [p.number for p in doc.pages] == list(range(1, 20))


def test_sidecar_overrides_title_date_and_disclosure(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("# Some Heading Here\n\n1.1 The budget was £5m.\n", encoding="utf-8")
    (tmp_path / "report.txt.yaml").write_text("title: Hand Set Title\ndate: 3 March 2020\ndisclosure: Restricted\n")
    doc = load(report)
    assert (doc.title, doc.date, doc.disclosure) == ("Hand Set Title", "2020-03-03", "restricted")
    assert doc.metadata_origin["title"] == "sidecar"


def test_manifest_sets_metadata(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("Body text of a report about budgets.\n", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text("r.txt:\n  title: From Manifest\n  disclosure: public\n")
    doc = load(report)
    assert doc.title == "From Manifest" and doc.disclosure == "public"


def test_pdf_title_from_metadata(tmp_path):
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(make_pdf([["1.1 The total was 1,234 calls."]], title="Police Estates Strategy 2021"))
    assert load(pdf).title == "Police Estates Strategy 2021"


def _fails(path: Path, fragment: str) -> None:
    with pytest.raises(LoadError) as info:
        load(path)
    assert fragment in info.value.reason
    assert str(path) in str(info.value)


def test_missing_path(tmp_path):
    _fails(tmp_path / "nope.pdf", "does not exist")


def test_unsupported_extension(tmp_path):
    f = tmp_path / "report.docx"
    f.write_bytes(b"PK\x03\x04 not really")
    _fails(f, "unsupported file type")


def test_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"   \n")
    _fails(f, "empty file")


def test_binary_named_txt(tmp_path):
    f = tmp_path / "binary.txt"
    f.write_bytes(bytes(range(256)) * 20)
    _fails(f, "binary content")


def test_pdf_named_txt(tmp_path):
    f = tmp_path / "actually.txt"
    f.write_bytes(make_pdf([["hello"]]))
    _fails(f, "PDF file with a text extension")


def test_not_a_pdf(tmp_path):
    f = tmp_path / "fake.pdf"
    f.write_text("just text", encoding="utf-8")
    _fails(f, "not a PDF")


def test_truncated_pdf(tmp_path):
    data = GWENT_PDF.read_bytes()
    f = tmp_path / "truncated.pdf"
    f.write_bytes(data[: len(data) // 2])
    _fails(f, "truncated")


def test_corrupt_pdf(tmp_path):
    data = bytearray(GWENT_PDF.read_bytes())
    data[20:-200] = b"\x00garbage" * ((len(data) - 220) // 8) + b"\x00" * ((len(data) - 220) % 8)
    f = tmp_path / "corrupt.pdf"
    f.write_bytes(bytes(data))
    with pytest.raises(LoadError) as info:
        load(f)
    assert "corrupt" in info.value.reason or "no text" in info.value.reason


def test_encrypted_pdf(tmp_path):
    f = tmp_path / "encrypted.pdf"
    f.write_bytes(encrypt_pdf(make_pdf([["Secret figure 42,000"]]), "letmein"))
    _fails(f, "encrypted PDF")


def test_encrypted_pdf_with_empty_password_is_read(tmp_path):
    f = tmp_path / "open.pdf"
    f.write_bytes(encrypt_pdf(make_pdf([["Open figure 1,234 calls"]]), "", "AES-128"))
    assert "1,234" in load(f).pages[0].text


def test_a_blank_scan_is_refused_after_ocr_finds_no_text(tmp_path):
    from PIL import Image

    f = tmp_path / "scan.pdf"
    Image.new("RGB", (300, 400), "white").save(f, "PDF")
    _fails(f, "no text layer (1 pages, scanned images?) and OCR found no text on any page")


def test_non_utf8_text_is_decoded_with_warning(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("1.1 The budget was £2,000 for the café.\n".encode("cp1252"))
    doc = load(f)
    assert "£2,000" in doc.pages[0].text and "café" in doc.pages[0].text
    assert doc.warnings and "UTF-8" in doc.warnings[0]


def test_oversized_file(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("x" * 2000, encoding="utf-8")
    with pytest.raises(LoadError, match="limit"):
        read_file(f, 1000)


def test_a_bomb_inside_a_form_xobject_is_named_as_such(tmp_path):
    """pypdf only logs this refusal and goes on; the message must not blame a missing text layer."""
    from pdfgen import form_bomb_pdf

    path = tmp_path / "bomb.pdf"
    path.write_bytes(form_bomb_pdf())
    with pytest.raises(LoadError, match="decompression bomb") as refused:
        load(path)
    assert "OCR" not in str(refused.value) and "bomb.pdf" in str(refused.value)


@pytest.mark.parametrize("reader", ["pypdf", "layout"])
def test_an_indirect_metadata_title_is_read_as_plain_text(tmp_path, reader):
    """The worker process returns plain strings only: an indirect /Title once killed it while pickling."""
    from pdfgen import indirect_title_pdf

    from assistant.reading.loading import Limits

    data = indirect_title_pdf(
        "Estates Strategy Update 2020/21", ["1. Introduction", "1.1 Seventeen stations were refurbished."]
    )
    doc = load_document(tmp_path / "estates.pdf", data, limits=Limits(pdf_reader=reader))
    assert doc.title == "Estates Strategy Update 2020/21"
    assert "Seventeen stations" in doc.pages[0].text


def test_a_junk_metadata_title_gives_way_to_the_largest_heading(tmp_path):
    from pdfgen import one_page_pdf

    ops = [
        "BT",
        "/F1 22 Tf",
        "1 0 0 1 50 780 Tm",
        "(Estates Strategy) Tj",
        "1 0 0 1 50 752 Tm",
        "(Update 2020/21) Tj",
        "/F1 10 Tf",
        "1 0 0 1 50 700 Tm",
        "(1.1 Seventeen stations were refurbished during 2020/21 across the force.) Tj",
        "1 0 0 1 50 686 Tm",
        "(1.2 The new custody suite opened in January 2021.) Tj",
        "ET",
    ]
    for junk in ("Microsoft Word - estates_update_v3.docx", "Estates_v3"):
        data = one_page_pdf(ops, [f"<< /Title ({junk}) >>".encode()], info=6)
        doc = load_document(tmp_path / "e.pdf", data)
        assert doc.title == "Estates Strategy Update 2020/21", junk
        assert doc.metadata_origin["title"] == "largest type on the first page"


def test_dates_are_day_first_unless_the_report_writes_them_month_first(tmp_path):
    from assistant.reading.metadata import month_first, parse_date

    assert parse_date("Date: 07/08/2019") == ("2019-08-07", "07/08/2019")
    assert parse_date("Date: 07/08/2019", us=True) == ("2019-07-08", "07/08/2019")
    assert parse_date("issued September 4, 2019") == ("2019-09-04", "September 4, 2019")
    assert month_first("Meeting of 09/23/2019. Next: 10/02/2019.")
    assert not month_first("Meeting of 23/09/2019. Next: 02/10/2019.")
    assert not month_first("Report of 4 September 2019, 5 October 2019; it cites a letter of March 4, 2019.")
    us_report = tmp_path / "us.txt"
    us_report.write_text("Board Report\n\nDate: 03/04/2019\n\nThe board met on 03/14/2019 and 04/22/2019.\n")
    assert load(us_report).date == "2019-03-04"
    uk_report = tmp_path / "uk.txt"
    uk_report.write_text("Board Report\n\nDate: 03/04/2019\n\nThe board met on 14/03/2019 and 22/04/2019.\n")
    assert load(uk_report).date == "2019-04-03"


def _with(data: bytes, change) -> bytes:
    """``data`` re-written by pypdf after ``change(writer)``."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _document_javascript(writer) -> None:  # the names tree's JavaScript, run when the file opens
    from pypdf.actions import JavaScript

    writer.add_open_action(JavaScript("app.alert(1);"))


def _launch(writer) -> None:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def _attachment_annotation(writer) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject

    rect = ArrayObject([FloatObject(v) for v in (50, 50, 70, 70)])
    annot = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): rect,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])


def _page_javascript(writer) -> None:  # a page's open action (/AA /O) running JavaScript
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    js = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(js)})


@pytest.mark.parametrize(
    "change, expected",
    [
        (_document_javascript, ["JavaScript"]),
        (lambda w: w.add_attachment("payload.exe", b"MZ"), ["embedded files"]),
        (_launch, ["launch action"]),
        (_attachment_annotation, ["file attachment"]),
        (_page_javascript, ["JavaScript"]),
    ],
)
def test_active_content_in_a_pdf_is_found_and_its_text_still_read(tmp_path, change, expected):
    path = tmp_path / "active.pdf"
    path.write_bytes(_with(make_pdf([["The ICT budget for 2020/21 was 2,345,000 pounds."]]), change))
    doc = load_document(path, path.read_bytes())
    assert doc.active_content == expected
    assert "2,345,000" in doc.pages[0].text


def test_a_plain_pdf_and_a_text_file_carry_no_active_content():
    assert load(GWENT_PDF).active_content == [] and load(GWENT_TXT).active_content == []


def test_a_cover_title_is_taken_whole_over_its_lines_when_the_metadata_title_is_not_one(tmp_path):
    """A cover holds little but its title, so the title's type is measured against the pages after it;
    a style name ("Heading 9"), a browser's blank page or a letter's "From" is not a title."""
    from pdfgen import pages_pdf

    title = ["Tredegar Valleys", "Community Safety", "Partnership", "Annual Review"]
    cover = ["BT", "/F1 28 Tf"] + [f"1 0 0 1 60 {640 - 36 * i} Tm ({line}) Tj" for i, line in enumerate(title)]
    cover += ["1 0 0 1 60 300 Tm (Contents) Tj"]  # the same type further down: not the title's
    cover += ["/F1 14 Tf", "1 0 0 1 60 460 Tm (March 2023) Tj", "ET"]
    body = (
        ["BT", "/F1 10 Tf"]
        + [
            f"1 0 0 1 50 {780 - 14 * i} Tm (1.{i} The partnership met {i + 2} times and reviewed the risk register.) Tj"
            for i in range(12)
        ]
        + ["ET"]
    )
    for junk in ("Heading 9", "about:blank", "From", "OPCC Committee Report Template v2", "Sheet1", "Workbook"):
        data = pages_pdf([cover, body, body], f"<< /Title ({junk}) >>".encode())
        doc = load_document(tmp_path / "review.pdf", data)
        assert doc.title == "Tredegar Valleys Community Safety Partnership Annual Review", junk
        assert doc.metadata_origin["title"] == "largest type on the first page"


def test_a_title_set_bold_by_printing_each_letter_twice_is_read_once(tmp_path):
    """Fake bold: each letter drawn twice a hair apart; pdfplumber's duplicate removal reads it once."""
    from pdfgen import pages_pdf

    def twice(x: float, y: float, text: str) -> list[str]:
        return [f"1 0 0 1 {x} {y} Tm ({text}) Tj", f"1 0 0 1 {x + 0.3} {y} Tm ({text}) Tj"]

    cover = ["BT", "/F1 28 Tf", *twice(60, 640, "Custody Review"), *twice(60, 604, "Annual Report"), "ET"]
    body = (
        ["BT", "/F1 10 Tf"]
        + [
            f"1 0 0 1 50 {780 - 14 * i} Tm (1.{i} The custody suites held {i + 20} detainees a day.) Tj"
            for i in range(12)
        ]
        + ["ET"]
    )
    doc = load_document(tmp_path / "c.pdf", pages_pdf([cover, body, body], b"<< /Title (Untitled) >>"))
    assert doc.title == "Custody Review Annual Report"
