import csv
import json
import os
import secrets
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import cli

from assistant.audit import (
    _SCHEMA,
    CREATED,
    FIELDS,
    MIGRATED,
    AuditError,
    AuditLog,
    _anchor_mac,
    _body,
    _legacy_digest,
    _mac,
    _row,
    csv_safe,
)
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
    newest, first, created = log.entries()
    assert created["action"] == "audit log created"
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
    from assistant.web.users import UserStore

    users = UserStore(tmp_path / "users.json")
    users.add("leaver", "staff", "leaver-pass-word")
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record("leaver", "staff", "ask", "=cmd|' /C calc'!A0")
    users.remove("leaver")
    assert log.entries(user="leaver")[0]["query"].startswith("=cmd")
    out = log.export_csv(tmp_path / "audit.csv")
    rows = list(csv.DictReader(open(out, encoding="utf-8-sig")))
    assert rows[0]["action"] == "audit log created" and rows[0]["role"] == "-"  # "-" is no formula
    assert rows[1]["user"] == "leaver" and rows[1]["query"].startswith("'=cmd")  # not a formula in a spreadsheet


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
    assert len(logs[0].entries(limit=None)) == 1 + 100 and logs[0].verify() == []


def _log_of(tmp_path, n: int = 5) -> AuditLog:
    log = AuditLog(tmp_path / "audit.sqlite3")
    for i in range(n):
        log.record("fiona", "foi", "ask", f"question {i}", answer=f"answer {i}")
    assert log.verify() == []
    return log


def test_removing_the_newest_entries_is_detected(tmp_path):
    log = _log_of(tmp_path)
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    db.executescript("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id >= 5;")  # 1 is the creation entry
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
    assert '"count": 3' in text  # the creation entry and two more
    anchor.write_text(text.replace('"count": 3', '"count": 2'))
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


def _insert(db: sqlite3.Connection, row: dict) -> int:
    return db.execute(
        f"INSERT INTO audit ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
    ).lastrowid


def _legacy_log(path: Path, n: int) -> list[str]:
    """A log as written before keys: a plain SHA-256 chain, no key, no anchor. The entries' hashes."""
    db = sqlite3.connect(path)
    for statement in _SCHEMA:
        db.execute(statement)
    prev, hashes = "", []
    for i in range(n):
        row = {**_row("old", "staff", "ask", f"question {i}"), "prev_hash": prev}
        row["hash"] = prev = _legacy_digest(prev, row)
        _insert(db, row)
        hashes.append(prev)
    db.commit()
    db.close()
    return hashes


def _append_as_before(path: Path, n: int) -> None:
    """Entries as the version before creation entries wrote them: keyed, anchored, no creation entry."""
    key_file = path.with_suffix(".key")
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
    key = bytes.fromhex(key_file.read_text())
    db = sqlite3.connect(path)
    last = db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    prev = last[0] if last else ""
    for i in range(n):
        row = {**_row("sam", "staff", "search", f"search {i}"), "prev_hash": prev}
        row["hash"] = prev = _mac(key, _body(prev, row))
        last_id = _insert(db, row)
    count = db.execute("SELECT count(*) FROM audit").fetchone()[0]
    db.commit()
    db.close()
    anchor = {"count": count, "last_id": last_id, "last_hash": prev, "mac": _anchor_mac(key, count, last_id, prev)}
    path.with_suffix(".anchor").write_text(json.dumps(anchor).ljust(512))


def _rechain_without_key(path: Path) -> None:
    """The best an attacker without the key can do: every answer changed, every entry on the unkeyed chain."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    db.execute("DROP TRIGGER audit_no_update")
    prev = ""
    for row in [dict(r) for r in db.execute("SELECT * FROM audit ORDER BY id")]:
        row["answer"] = "£1"
        digest = _legacy_digest(prev, row)
        db.execute(
            "UPDATE audit SET answer = ?, prev_hash = ?, hash = ? WHERE id = ?",
            (row["answer"], prev, digest, row["id"]),
        )
        prev = digest
    db.commit()
    db.close()


def _verify_cli(db: Path) -> subprocess.CompletedProcess:
    """``assistant audit --verify`` in a fresh process, the log named as the server names it."""
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_AUDIT_KEY_FILE"}
    return cli("audit", "--verify", env={**env, "ASSISTANT_AUDIT_DB": str(db)}, timeout=120)


def test_a_new_log_holds_its_keyed_creation_entry_and_verifies(tmp_path):
    db = tmp_path / "audit.sqlite3"
    log = AuditLog(db)
    [created] = log.entries()
    assert (created["action"], created["user"], created["role"], created["prev_hash"]) == (CREATED, "-", "-", "")
    assert created["hash"].startswith("h1:") and log.verify() == []
    for name in ("audit.sqlite3", "audit.key", "audit.anchor"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
    log.close()
    assert len(AuditLog(db).entries()) == 1  # opening it again adds nothing
    done = _verify_cli(db)
    assert done.returncode == 0 and "every entry is as written" in done.stdout, done.stdout + done.stderr


def test_an_emptied_log_with_its_anchor_deleted_fails_verify(tmp_path):
    db = tmp_path / "audit.sqlite3"
    _log_of(tmp_path, 3).close()
    with sqlite3.connect(db) as conn:
        conn.executescript("DROP TRIGGER audit_no_delete; DROP TRIGGER audit_no_update; DELETE FROM audit;")
    (tmp_path / "audit.anchor").unlink()
    done = _verify_cli(db)
    assert done.returncode == 1 and "the log is empty" in done.stdout, done.stdout + done.stderr
    log = AuditLog(db)  # as the server would open it next: not started afresh
    assert log.entries() == [] and any("the log is empty" in p for p in log.verify())
    with pytest.raises(AuditError, match="the log is empty"):
        log.record("fiona", "foi", "ask", "after the wipe")
    assert any("the log is empty" in p for p in log.verify())


def test_a_deleted_database_is_not_started_afresh_while_its_anchor_records_entries(tmp_path):
    db = tmp_path / "audit.sqlite3"
    _log_of(tmp_path, 3).close()
    db.unlink()
    log = AuditLog(db)
    assert log.entries() == [] and any("the log is empty" in p for p in log.verify())
    with pytest.raises(AuditError, match="the log is empty"):
        log.record("fiona", "foi", "ask", "after the deletion")
    # The anchor is written before a new log's commit: a creation that never committed starts again.
    fresh = tmp_path / "fresh" / "audit.sqlite3"
    AuditLog(fresh).close()
    fresh.unlink()
    log = AuditLog(fresh)
    assert [e["action"] for e in log.entries()] == [CREATED] and log.verify() == []


def test_a_log_rechained_without_the_key_and_its_anchor_deleted_fails_verify(tmp_path):
    db = tmp_path / "audit.sqlite3"
    _log_of(tmp_path, 3).close()
    _rechain_without_key(db)
    (tmp_path / "audit.anchor").unlink()
    done = _verify_cli(db)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "entries 1 to 4 are unkeyed and no migration entry vouches for it" in done.stdout
    log = AuditLog(db)  # a key exists, so this is no log from before keys: it is not migrated
    assert [e["action"] for e in log.entries()].count(MIGRATED) == 0 and len(log.entries()) == 4
    with pytest.raises(AuditError, match="anchor is missing"):
        log.record("fiona", "foi", "ask", "after the rewrite")
    assert any("no migration entry vouches" in p for p in log.verify())


def test_a_deleted_anchor_fails_verify_and_no_later_write_puts_it_back(tmp_path):
    """Without the anchor the newest entries could be removed unseen, so a write must not re-anchor the log."""
    db = tmp_path / "audit.sqlite3"
    _log_of(tmp_path, 4).close()
    (tmp_path / "audit.anchor").unlink()
    done = _verify_cli(db)
    assert done.returncode == 1 and "the anchor is missing" in done.stdout, done.stdout + done.stderr
    with sqlite3.connect(db) as conn:
        conn.executescript("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id >= 4;")
    log = AuditLog(db)  # a restarted server
    with pytest.raises(AuditError, match="anchor is missing"):
        log.record("fiona", "foi", "ask", "after the cut")
    assert any("the anchor is missing" in p for p in log.verify())
    assert len(log.entries()) == 3


def test_a_deleted_or_replaced_key_fails_verify(tmp_path):
    db = tmp_path / "audit.sqlite3"
    _log_of(tmp_path, 2).close()
    key = tmp_path / "audit.key"
    key.unlink()
    done = _verify_cli(db)
    assert done.returncode == 1 and f"{key}: the audit key is missing" in done.stdout, done.stdout + done.stderr
    log = AuditLog(db)
    assert not key.exists()  # opening a keyed log never makes a new key to sign with
    with pytest.raises(AuditError, match="key is missing"):
        log.record("fiona", "foi", "ask", "after the key went")
    key.write_text("not a key")
    done = _verify_cli(db)
    assert done.returncode == 1 and f"{key}: not an audit key file" in done.stdout, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_legacy_log_is_migrated_once_and_its_entries_stay_checked(tmp_path):
    db = tmp_path / "audit.sqlite3"
    hashes = _legacy_log(db, 3)
    log = AuditLog(db)
    migrated = log.entries()[0]
    assert (migrated["id"], migrated["action"], migrated["user"], migrated["prev_hash"]) == (
        4,
        MIGRATED,
        "-",
        hashes[-1],
    )
    assert json.loads(migrated["detail"]) == {"legacy_entries": 3, "legacy_last_hash": hashes[-1]}
    assert log.verify() == []
    log.record("fiona", "foi", "ask", "after the migration")
    assert log.verify() == []
    for name in ("audit.sqlite3", "audit.key", "audit.anchor"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
    assert [e["action"] for e in AuditLog(db).entries()].count(MIGRATED) == 1  # once only
    assert _verify_cli(db).returncode == 0

    # A legacy entry changed and the unkeyed chain recomputed up to the migration entry.
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    conn.execute("DROP TRIGGER audit_no_update")
    prev = hashes[0]
    for row in [dict(r) for r in conn.execute("SELECT * FROM audit WHERE id IN (2, 3) ORDER BY id")]:
        row["query"] = "edited"
        digest = _legacy_digest(prev, row)
        conn.execute(
            "UPDATE audit SET query = ?, prev_hash = ?, hash = ? WHERE id = ?", ("edited", prev, digest, row["id"])
        )
        prev = digest
    conn.commit()
    problems = log.verify()
    assert any("entry 4: the migration entry records 3 unkeyed entries" in p for p in problems), problems
    assert any("entry 4: the entry before it is missing or changed" in p for p in problems)


def test_a_log_continued_keyed_after_legacy_entries_is_migrated(tmp_path):
    """The version that introduced keys went on keyed after a legacy log's entries, with no migration entry."""
    db = tmp_path / "audit.sqlite3"
    hashes = _legacy_log(db, 2)
    _append_as_before(db, 2)
    log = AuditLog(db)
    newest = log.entries()[0]
    assert (newest["id"], newest["action"]) == (5, MIGRATED)
    assert json.loads(newest["detail"]) == {"legacy_entries": 2, "legacy_last_hash": hashes[-1]}
    log.record("fiona", "foi", "ask", "q")
    assert log.verify() == []


def test_logs_written_before_creation_entries_still_verify(tmp_path):
    keyed = tmp_path / "keyed" / "audit.sqlite3"
    keyed.parent.mkdir()
    _legacy_log(keyed, 0)
    _append_as_before(keyed, 3)
    log = AuditLog(keyed)
    assert len(log.entries()) == 3 and log.verify() == []  # keyed from its first entry: nothing to add
    log.record("fiona", "foi", "ask", "q")
    assert log.verify() == [] and len(log.entries()) == 4

    opened = tmp_path / "opened" / "audit.sqlite3"  # opened by that version, never written: no key yet
    opened.parent.mkdir()
    _legacy_log(opened, 0)
    opened.with_suffix(".anchor").write_bytes(b"")
    log = AuditLog(opened)
    assert [e["action"] for e in log.entries()] == [CREATED] and log.verify() == []


@pytest.mark.parametrize("legacy", [0, 2])
def test_logs_opened_at_once_write_one_first_entry_and_share_one_key(tmp_path, legacy):
    """The server and the CLI may open a new (or legacy) log together: one creation (or migration) entry."""
    first = MIGRATED if legacy else CREATED
    for attempt in range(4):
        db = tmp_path / str(attempt) / "audit.sqlite3"
        db.parent.mkdir()
        if legacy:
            _legacy_log(db, legacy)
        start = threading.Barrier(8)
        logs: list[AuditLog] = []
        errors: list[BaseException] = []

        def open_and_write(
            db: Path = db, start: threading.Barrier = start, logs: list = logs, errors: list = errors
        ) -> None:
            start.wait()
            try:
                log = AuditLog(db)
                logs.append(log)
                log.record("fiona", "foi", "ask", "q")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=open_and_write) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        actions = [e["action"] for e in logs[0].entries(limit=None)]
        assert actions.count(first) == 1 and len(actions) == legacy + 1 + 8
        assert len({log._signing_key() for log in logs}) == 1
        assert logs[0].verify() == []
        for log in logs:
            log.close()


@pytest.mark.parametrize(
    "value, written",
    [
        ("=1+1", "'=1+1"),
        (" =1+1", "' =1+1"),
        ("\n=cmd|' /C calc'!A0", "'\n=cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-1+1", "'-1+1"),
        ("-5 ", "'-5 "),
        ("-5\n=1+1", "'-5\n=1+1"),
        ("\tplain", "'\tplain"),
        ("\rplain", "'\rplain"),
        ("|calc", "'|calc"),
        ("-", "-"),
        ("-5", "-5"),
        ("-252,877", "-252,877"),
        ("-2.5", "-2.5"),
        ("1,234", "1,234"),
        ("Airwave cost £86,192", "Airwave cost £86,192"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_csv_safe_keeps_formulas_text_and_numbers_numbers(value, written):
    assert csv_safe(value) == written


def test_export_csv_passes_each_row_through_redact(tmp_path):
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record(
        "fiona",
        "foi",
        "ask",
        "What did the restricted review find?",
        answer="A secret finding",
        passages=[_passage("restricted-chunk", "restricted-doc")],
    )
    log.record("sam", "staff", "ask", "=1+1", answer="-252,877", passages=[_passage("c1", "d1")])
    seen: list[list[str]] = []

    def withhold(row: dict) -> dict:
        seen.append(sorted(row))
        if "restricted-doc" in json.loads(row["doc_hashes"]):
            row.update(query="[withheld]", answer="[withheld]", chunk_ids="[]", doc_hashes="[]")
        return row

    out = log.export_csv(tmp_path / "audit.csv", redact=withhold)
    text = out.read_text(encoding="utf-8-sig")
    created, fiona, sam = csv.DictReader(text.splitlines())
    assert seen == [sorted(FIELDS)] * 3
    assert (fiona["query"], fiona["answer"], fiona["chunk_ids"]) == ("[withheld]", "[withheld]", "[]")
    assert "secret" not in text and "restricted review" not in text and "restricted-" not in text
    assert (sam["query"], sam["answer"], sam["role"], created["role"]) == ("'=1+1", "-252,877", "staff", "-")
    assert log.entries()[1]["answer"] == "A secret finding"  # the log itself is untouched
    only_sam = list(
        csv.DictReader(open(log.export_csv(tmp_path / "sam.csv", user="sam", redact=withhold), encoding="utf-8-sig"))
    )
    assert [r["user"] for r in only_sam] == ["sam"]
    with pytest.raises(TypeError, match="redact must return a dict"):
        log.export_csv(tmp_path / "bad.csv", redact=lambda row: None)
    with pytest.raises(ValueError, match="not in fieldnames"):
        log.export_csv(tmp_path / "bad.csv", redact=lambda row: {**row, "extra": 1})


def test_a_log_dropped_with_its_anchor_cut_does_not_start_afresh_under_the_same_key(tmp_path):
    """Dropping the table and truncating the anchor (not deleting the files) must not let a new, genuine-looking
    log begin under the old key: to start a new log, the key must go too."""
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record("ada", "admin", "ask", "What was the budget?", chunk_ids=[], doc_hashes=[])
    log.close()
    with sqlite3.connect(tmp_path / "audit.sqlite3") as db:
        db.execute("DROP TABLE audit")
    (tmp_path / "audit.anchor").write_bytes(b"")
    reopened = AuditLog(tmp_path / "audit.sqlite3")
    assert reopened.verify() != []
    with pytest.raises(AuditError):
        reopened.record("mallory", "admin", "ask", "fresh start?", chunk_ids=[], doc_hashes=[])
