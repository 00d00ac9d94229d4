import csv
import sqlite3

import pytest

from assistant.audit import AuditLog
from assistant.retrieval import Passage


def _passage(cid: str, doc: str) -> Passage:
    return Passage(cid, "Report", "r.pdf", 1, "1.1", None, "paragraph", "text", 0.1, {"doc_id": doc})


def test_entries_record_who_saw_what(tmp_path):
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record("fiona", "foi", "ask", "How many calls?", clearance="restricted", answer="24,635 calls", abstained=False,
               passages=[_passage("c1", "d1"), _passage("c2", "d1")], answerer="extractive", settings={"index_dir": "index"})
    log.record("sam", "staff", "search", "Airwave", clearance="public", passages=[_passage("c3", "d2")])
    newest, first = log.entries()
    assert newest["user"] == "sam" and newest["action"] == "search"
    assert first["chunk_ids"] == '["c1", "c2"]' and first["doc_hashes"] == '["d1"]'
    assert first["answer"] == "24,635 calls" and first["abstained"] == 0 and first["answerer"] == "extractive"
    assert log.entries(user="fiona")[0]["query"] == "How many calls?"
    assert log.verify() == []


def test_the_log_is_append_only(tmp_path):
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record("fiona", "foi", "ask", "q1")
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET query = 'other'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")


def test_tampering_outside_the_app_is_detected(tmp_path):
    log = AuditLog(tmp_path / "audit.sqlite3")
    for n in range(3):
        log.record("fiona", "foi", "ask", f"question {n}")
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    db.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
                     "UPDATE audit SET query = 'edited' WHERE id = 2; DELETE FROM audit WHERE id = 1;")
    db.commit()
    problems = log.verify()
    assert any("entry 2: changed" in p for p in problems)
    assert any("entry 2: the entry before it is missing" in p for p in problems)


def test_removing_a_user_keeps_their_entries_and_csv_export(tmp_path):
    from assistant.users import UserStore

    users = UserStore(tmp_path / "users.json")
    users.add("leaver", "staff", "leaver-pass-word")
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record("leaver", "staff", "ask", "=cmd|' /C calc'!A0")
    users.remove("leaver")
    assert log.entries(user="leaver")[0]["query"].startswith("=cmd")
    out = log.export_csv(tmp_path / "audit.csv")
    rows = list(csv.DictReader(open(out, encoding="utf-8-sig")))
    assert rows[0]["user"] == "leaver" and rows[0]["query"].startswith("'=cmd")  # not a formula in a spreadsheet


def test_concurrent_writers_keep_one_chain(tmp_path):
    import threading

    logs = [AuditLog(tmp_path / "audit.sqlite3") for _ in range(4)]
    threads = [threading.Thread(target=lambda l=l, n=n: [l.record(f"u{n}", "staff", "ask", str(i)) for i in range(25)])
               for n, l in enumerate(logs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(logs[0].entries(limit=None)) == 100 and logs[0].verify() == []
