import csv
import sqlite3

import pytest

from assistant.audit import AuditLog
from assistant.documents import Passage


def _passage(cid: str, doc: str) -> Passage:
    return Passage(cid, "Report", "r.pdf", 1, "1.1", None, "paragraph", "text", 0.1, {"doc_id": doc})


def test_entries_record_who_saw_what(tmp_path):
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record(
        "fiona",
        "foi",
        "ask",
        "How many calls?",
        clearance="restricted",
        answer="24,635 calls",
        abstained=False,
        passages=[_passage("c1", "d1"), _passage("c2", "d1")],
        answerer="extractive",
        settings={"index_dir": "index"},
    )
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
    db.executescript(
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
        "UPDATE audit SET query = 'edited' WHERE id = 2; DELETE FROM audit WHERE id = 1;"
    )
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
    threads = [
        threading.Thread(target=lambda l=l, n=n: [l.record(f"u{n}", "staff", "ask", str(i)) for i in range(25)])
        for n, l in enumerate(logs)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(logs[0].entries(limit=None)) == 100 and logs[0].verify() == []


def _log_of(tmp_path, n: int = 5) -> AuditLog:
    log = AuditLog(tmp_path / "audit.sqlite3")
    for i in range(n):
        log.record("fiona", "foi", "ask", f"question {i}", answer=f"answer {i}")
    assert log.verify() == []
    return log


def test_removing_the_newest_entries_is_detected(tmp_path):
    log = _log_of(tmp_path)
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    db.executescript("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id >= 4;")
    db.commit()
    assert any("2 of the newest entries are missing" in p for p in log.verify())


def test_an_edit_with_the_chain_recomputed_is_detected(tmp_path):
    """Without the key an attacker can only recompute plain hashes; every keyed MAC then fails."""
    import hashlib
    import json

    from assistant.audit import _HASHED

    log = _log_of(tmp_path)
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    db.row_factory = sqlite3.Row
    db.execute("DROP TRIGGER audit_no_update")
    prev = ""
    for row in [dict(r) for r in db.execute("SELECT * FROM audit ORDER BY id")]:
        if row["id"] == 2:
            row["answer"] = "£1"
        row["prev_hash"] = prev
        body = json.dumps([prev] + [row.get(k) for k in _HASHED], ensure_ascii=False, default=str).encode()
        for guess in (hashlib.sha256(body).hexdigest(), "h1:" + hashlib.sha256(body).hexdigest()):
            row["hash"] = guess
        db.execute(
            "UPDATE audit SET answer = ?, prev_hash = ?, hash = ? WHERE id = ?",
            (row["answer"], row["prev_hash"], row["hash"], row["id"]),
        )
        prev = row["hash"]
    db.commit()
    problems = log.verify()
    assert any("entry 2: changed" in p for p in problems) and any("entry 1: changed" in p for p in problems)


def test_replace_into_is_refused_and_detected(tmp_path):
    log = _log_of(tmp_path)
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    row = db.execute("SELECT * FROM audit WHERE id = 3").fetchone()
    forged = list(row)
    forged[7] = "£1"  # answer
    marks = ", ".join("?" * len(forged))
    for verb in ("REPLACE INTO", "INSERT OR REPLACE INTO"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(f"{verb} audit VALUES ({marks})", forged)
    # With the triggers dropped the rewrite goes through, and the MAC shows it.
    db.executescript("DROP TRIGGER audit_no_replace;")
    db.execute(f"REPLACE INTO audit VALUES ({marks})", forged)
    db.commit()
    assert any("entry 3: changed" in p for p in log.verify())


def test_a_forged_or_missing_anchor_or_key_is_reported(tmp_path):
    log = _log_of(tmp_path, 2)
    anchor = tmp_path / "audit.anchor"
    text = anchor.read_text()
    anchor.write_text(text.replace('"count": 2', '"count": 1'))
    assert any("anchor was changed" in p for p in log.verify())
    anchor.unlink()
    assert any("anchor is missing" in p for p in log.verify())
    (tmp_path / "audit.key").unlink()
    assert any("audit key is missing" in p for p in log.verify())


def test_files_are_private_and_a_replaced_file_is_not_written(tmp_path):
    from assistant.audit import AuditError

    log = _log_of(tmp_path, 1)
    for name in ("audit.sqlite3", "audit.key", "audit.anchor"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
    (tmp_path / "audit.sqlite3").rename(tmp_path / "moved.sqlite3")
    (tmp_path / "audit.sqlite3").write_bytes(b"")
    with pytest.raises(AuditError, match="removed or replaced"):
        log.record("fiona", "foi", "ask", "after the swap")


def test_an_old_unkeyed_log_still_verifies_and_continues_keyed(tmp_path):
    import hashlib
    import json

    from assistant.audit import _HASHED

    db_path = tmp_path / "audit.sqlite3"
    AuditLog(db_path).close()  # schema only
    db = sqlite3.connect(db_path)
    row = {
        "time": "2026-01-01T00:00:00+0000",
        "user": "old",
        "role": "staff",
        "clearance": "public",
        "action": "ask",
        "query": "q",
        "answer": None,
        "abstained": None,
        "chunk_ids": "[]",
        "doc_hashes": "[]",
        "answerer": None,
        "settings": "{}",
        "detail": "{}",
        "prev_hash": "",
    }
    row["hash"] = hashlib.sha256(json.dumps([""] + [row.get(k) for k in _HASHED]).encode()).hexdigest()
    db.execute(f"INSERT INTO audit ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    db.commit()
    log = AuditLog(db_path)
    log.record("new", "staff", "ask", "q2")
    assert log.verify() == []


def test_logs_opened_at_once_share_one_key(tmp_path):
    """The first writers race to create the key: none may sign with a half-written one."""
    import threading

    for attempt in range(5):
        folder = tmp_path / str(attempt)
        logs = [AuditLog(folder / "audit.sqlite3") for _ in range(12)]
        start = threading.Barrier(len(logs))

        def write(log: AuditLog, start: threading.Barrier = start) -> None:
            start.wait()
            log.record("fiona", "foi", "ask", "q")

        threads = [threading.Thread(target=write, args=(log,)) for log in logs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({log._key for log in logs}) == 1
        assert logs[0].verify() == []
