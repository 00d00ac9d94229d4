import shutil

import pytest
from conftest import GWENT_TXT, TEXTS
from pdfgen import make_pdf

from assistant.answering.retrieval import Retriever
from assistant.indexing.index import Index
from assistant.indexing.library import add_reports, earlier_version, remove_report, reports, safe_name, sniff


def test_type_is_decided_by_content():
    assert sniff(make_pdf([["Hello"]])) == ".pdf"
    assert sniff("1.1 The budget was £2m.\n".encode()) == ".txt"
    assert sniff("café £ report".encode("cp1252")) == ".txt"
    assert sniff(b"PK\x03\x04" + bytes(range(200))) is None  # a zip (docx, xlsx) named .pdf
    assert sniff(b"\x89PNG\r\n\x1a\n" + bytes(100)) is None
    assert sniff(b"   ") is None


@pytest.mark.parametrize(
    "name, suffix, expected",
    [
        ("Annual Report 2019 (final).pdf", ".pdf", "Annual-Report-2019-final.pdf"),
        ("../../etc/passwd", ".txt", "passwd.txt"),
        ("C:\\Users\\x\\Rapport été.txt", ".txt", "Rapport-ete.txt"),
        ("notes.pdf", ".txt", "notes.txt"),  # named .pdf, holds text
        ("....pdf", ".pdf", "report.pdf"),
    ],
)
def test_names_are_sanitised(name, suffix, expected):
    assert safe_name(name, suffix) == expected


def test_uploads_are_checked_stored_ingested_and_removable(fast_settings, tmp_path):
    settings = fast_settings.model_copy(update={"max_file_mb": 1.0})
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    good = incoming / "upload-1"
    good.write_bytes(make_pdf([["Estates Update 2020/21", "1.1 Seventeen stations were refurbished in 2020/21."]]))
    zipped = incoming / "upload-2"
    zipped.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    big = incoming / "upload-3"
    big.write_bytes(b"a" * 1_100_000)
    copy = incoming / "upload-4"
    shutil.copy(GWENT_TXT, copy)
    seen = []

    index = Index(settings)
    summary = add_reports(
        index,
        [(good, "Estates (v2).pdf"), (zipped, "minutes.pdf"), (big, "huge.txt"), (copy, "annual.txt")],
        settings,
        on_progress=lambda frac, desc: seen.append(desc),
    )
    status = {r.path: (r.status, r.reason) for r in summary.results}
    assert status["Estates (v2).pdf"][0] == "indexed"
    assert status["minutes.pdf"] == ("failed", "not a PDF or text report (checked by content, not by name)")
    assert status["huge.txt"][0] == "failed" and "over the 1 MB limit" in status["huge.txt"][1]
    assert status["annual.txt"][0] == "indexed"
    assert seen[0].startswith("Reading ") and seen[-1].startswith("Embedding the passages of 2 reports")
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["Estates-v2.pdf", "annual.txt"]

    again = add_reports(index, [(copy, "annual-again.txt")], settings)
    assert again.results[0].status == "duplicate" and "already indexed" in again.results[0].reason

    try:
        estates = next(r for r in reports(index) if r.title.startswith("Estates"))
        assert estates.pages == 1 and estates.disclosure == "restricted"
        assert Retriever(index).search("stations refurbished")[0].document == estates.title
        remove_report(index, estates.doc_id, settings)
        assert all(r.doc_id != estates.doc_id for r in reports(index))
        assert estates.doc_id not in index.vectors.doc_ids()
        assert not (tmp_path / "uploads" / "Estates-v2.pdf").exists()
        assert all(p.document != estates.title for p in Retriever(index).search("stations refurbished"))
    finally:
        index.close()


def test_versions_and_duplicates_are_looked_for_only_within_the_uploaders_clearance(fast_settings, tmp_path):
    collab = (TEXTS / "gwent-collaboration-update-report-november-2021.txt").read_text(encoding="utf-8")
    sensitive = tmp_path / "upload-1"
    sensitive.write_text("OFFICIAL-SENSITIVE\n\n" + collab, encoding="utf-8")
    copy = tmp_path / "upload-2"
    copy.write_text(collab.replace("over 100 memberships", "over 120 memberships"), encoding="utf-8")
    index = Index(fast_settings)
    try:
        add_reports(index, [(sensitive, "board paper.txt")], fast_settings, clearance="restricted")
        restricted = next(r for r in reports(index) if r.source.endswith("board-paper.txt"))
        assert restricted.disclosure == "restricted"
        added = add_reports(index, [(copy, "collab.txt")], fast_settings, clearance="public")
        new = added.results[0]
        assert new.status == "indexed" and new.version_of is None, "a public uploader is told nothing of it"
        assert earlier_version(index, new.doc_id)[0].doc_id == restricted.doc_id, "it is a near-copy"
        assert earlier_version(index, new.doc_id, "public") is None
        again = add_reports(index, [(sensitive, "again.txt")], fast_settings, clearance="public")
        assert (again.results[0].status, again.results[0].reason) == ("duplicate", "already in the library")
        seen = add_reports(index, [(sensitive, "again.txt")], fast_settings, clearance="restricted")
        assert "board-paper.txt" in seen.results[0].reason
        with pytest.raises(KeyError) as unseen:
            remove_report(index, restricted.doc_id, fast_settings, clearance="public")
        with pytest.raises(KeyError) as unknown:
            remove_report(index, "f" * 64, fast_settings, clearance="public")
        assert str(unseen.value).replace(restricted.doc_id, "ID") == str(unknown.value).replace("f" * 64, "ID")
        assert any(r.doc_id == restricted.doc_id for r in reports(index)), "nothing removed"
    finally:
        index.close()
