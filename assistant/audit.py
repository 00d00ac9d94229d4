"""The append-only audit trail: who asked or searched what, and which passages they were shown.

One SQLite table, readable and writable by its owner only (0600). Triggers refuse UPDATE,
DELETE and REPLACE, so nothing in the app or the CLI can change or remove an entry. Each entry
carries an HMAC of itself and of the entry before it, keyed by a secret kept in a file apart
from the database (``ASSISTANT_AUDIT_KEY_FILE``, 0600): without the key nobody can rewrite an
entry and recompute the chain after it. A separate anchor file holds the entry count and the
last MAC, written with every entry, so removing the newest entries is detected too.
:meth:`AuditLog.verify` checks all three. Entries keep the user's name as it was, so removing a
user keeps their history.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .documents import Passage
from .settings import Settings
from .users import User

if TYPE_CHECKING:
    from .api import Answer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user TEXT NOT NULL,
    role TEXT NOT NULL,
    clearance TEXT,
    action TEXT NOT NULL,
    query TEXT,
    answer TEXT,
    abstained INTEGER,
    chunk_ids TEXT NOT NULL,
    doc_hashes TEXT NOT NULL,
    answerer TEXT,
    settings TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_replace BEFORE INSERT ON audit
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
FIELDS = [
    "id",
    "time",
    "user",
    "role",
    "clearance",
    "action",
    "query",
    "answer",
    "abstained",
    "chunk_ids",
    "doc_hashes",
    "answerer",
    "settings",
    "detail",
    "prev_hash",
    "hash",
]
_HASHED = FIELDS[1:14]
_KEYED = (
    "h1:"  # prefix of a keyed MAC; older logs hold plain SHA-256 hashes, accepted only before the first keyed entry
)
_ANCHOR_SIZE = 512  # the anchor is rewritten in place as one small write


class AuditError(RuntimeError):
    """The audit log cannot be written safely (its files were replaced, or its key is missing)."""


def _body(prev: str, row: dict[str, Any]) -> bytes:
    return json.dumps([prev] + [row.get(k) for k in _HASHED], ensure_ascii=False, default=str).encode()


def _legacy_digest(prev: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(_body(prev, row)).hexdigest()


def _mac(key: bytes, data: bytes) -> str:
    return _KEYED + hmac.new(key, data, hashlib.sha256).hexdigest()


def _private_file(path: Path) -> None:
    """Create ``path`` if missing, owner-only; tighten an existing one we own."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        if os.fstat(fd).st_uid == os.getuid():
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def key_path(db: Path) -> Path:
    """The default key file beside a database: ``audit.sqlite3`` -> ``audit.key``."""
    return Path(db).with_suffix(".key")


def anchor_path(db: Path) -> Path:
    return Path(db).with_suffix(".anchor")


def _load_key(path: Path, create: bool) -> bytes | None:
    """The key in ``path``; with ``create``, a new one if there is none (published whole, never half-written)."""
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        if not create:
            return None
    else:
        try:
            key = bytes.fromhex(text)
        except ValueError as exc:
            raise AuditError(f"{path}: not an audit key file") from exc
        if len(key) < 16:
            raise AuditError(f"{path}: not an audit key file (too short)")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".audit-key-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # atomic, and fails if another process published a key first
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return _load_key(path, create=False)


class AuditLog:
    """The audit trail in one SQLite file (``ASSISTANT_AUDIT_DB``), shared by the app and the CLI."""

    def __init__(self, path: Path, key_file: Path | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.key_file = Path(key_file) if key_file else key_path(self.path)
        self.anchor_file = anchor_path(self.path)
        self._lock = threading.Lock()
        _private_file(self.path)
        _private_file(self.anchor_file)
        self._identity = self._stat()
        self.conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
        # A rollback journal, not WAL: no long-lived side files whose loss would hide later entries.
        self.conn.execute("PRAGMA journal_mode=DELETE")
        self.conn.execute("PRAGMA synchronous=FULL")  # an entry written is an entry kept, even on power loss
        self.conn.executescript(_SCHEMA)
        self._key: bytes | None = None

    @classmethod
    def open(cls, settings: Settings, db: Path | None = None) -> AuditLog:
        """The log the settings name (or ``db``), with its key file."""
        path = Path(db) if db else settings.audit_db
        key = settings.audit_key_file if settings.audit_key_file and not db else None
        return cls(path, key)

    def _stat(self) -> tuple[int, int]:
        st = os.stat(self.path)
        return st.st_dev, st.st_ino

    def close(self) -> None:
        self.conn.close()

    def _signing_key(self) -> bytes:
        if self._key is None:
            keyed = self.conn.execute(f"SELECT 1 FROM audit WHERE hash LIKE '{_KEYED}%' LIMIT 1").fetchone()
            key = _load_key(self.key_file, create=not keyed)
            if key is None:
                raise AuditError(f"{self.key_file}: the audit key is missing; entries cannot be signed or checked")
            self._key = key
        return self._key

    def record(
        self,
        user: str,
        role: str,
        action: str,
        query: str | None = None,
        *,
        clearance: str | None = None,
        answer: str | None = None,
        abstained: bool | None = None,
        passages: Iterable[Passage] = (),
        chunk_ids: list[str] | None = None,
        doc_hashes: list[str] | None = None,
        answerer: str | None = None,
        settings: dict[str, Any] | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one entry: the chunk ids shown and their reports' content hashes (from ``passages`` or given)."""
        shown = list(passages)
        chunk_ids = chunk_ids if chunk_ids is not None else [p.chunk_id for p in shown]
        doc_hashes = doc_hashes if doc_hashes is not None else [p.metadata.get("doc_id", "") for p in shown]
        row: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "user": user,
            "role": role,
            "clearance": clearance,
            "action": action,
            "query": query,
            "answer": answer,
            "abstained": None if abstained is None else int(abstained),
            "chunk_ids": json.dumps(chunk_ids),
            "doc_hashes": json.dumps(list(dict.fromkeys(doc_hashes))),
            "answerer": answerer,
            "settings": json.dumps(settings or {}, default=str, sort_keys=True),
            "detail": json.dumps(detail or {}, default=str, ensure_ascii=False),
        }
        with self._lock:
            try:
                same = self._stat() == self._identity
            except FileNotFoundError:
                same = False
            if not same:
                raise AuditError(f"{self.path} was removed or replaced while open; nothing more is written to it")
            key = self._signing_key()
            fd = os.open(self.anchor_file, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # entry and anchor in one step across processes
                self.conn.execute("BEGIN IMMEDIATE")  # the chain needs the last hash and this insert in one step
                try:
                    last = self.conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
                    row["prev_hash"] = last[0] if last else ""
                    row["hash"] = _mac(key, _body(row["prev_hash"], row))
                    cols = ", ".join(row)
                    cur = self.conn.execute(
                        f"INSERT INTO audit ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values())
                    )
                    count = self._count_after_insert(fd, row["prev_hash"])
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
                self._write_anchor(fd, key, count, cur.lastrowid, row["hash"])
            finally:
                os.close(fd)  # closing releases the lock

    def _count_after_insert(self, fd: int, prev_hash: str) -> int:
        """Entries now in the log: the anchor's count plus one when the anchor names the entry before
        this one (counting the table instead grows with the log on every write), else counted."""
        try:
            anchor = json.loads(os.pread(fd, _ANCHOR_SIZE, 0).strip() or b"null")
        except ValueError:
            anchor = None
        if isinstance(anchor, dict) and anchor.get("last_hash") == prev_hash and isinstance(anchor.get("count"), int):
            return anchor["count"] + 1
        return self.conn.execute("SELECT count(*) FROM audit").fetchone()[0]

    @staticmethod
    def _anchor_mac(key: bytes, count: int, last_id: int, last_hash: str) -> str:
        return _mac(key, f"anchor|{count}|{last_id}|{last_hash}".encode())

    def _write_anchor(self, fd: int, key: bytes, count: int, last_id: int, last_hash: str) -> None:
        data = json.dumps(
            {
                "count": count,
                "last_id": last_id,
                "last_hash": last_hash,
                "mac": self._anchor_mac(key, count, last_id, last_hash),
            }
        ).encode()
        os.pwrite(fd, data.ljust(_ANCHOR_SIZE, b" "), 0)
        os.fsync(fd)

    def _read_anchor(self) -> dict[str, Any] | None:
        try:
            with open(self.anchor_file, "rb") as f:
                fcntl.flock(f.fileno(), fcntl.LOCK_SH)
                text = f.read().strip()
        except FileNotFoundError:
            return None
        return json.loads(text) if text else None

    def record_for(self, user: User, action: str, query: str | None = None, **fields: Any) -> None:
        """One entry for ``user`` (name, role, clearance); an entry that shows no passages says so."""
        if "passages" not in fields:
            fields.setdefault("chunk_ids", [])
            fields.setdefault("doc_hashes", [])
        self.record(user.name, user.role, action, query, clearance=user.clearance, **fields)

    def record_answer(self, user: User, asked: str, result: Answer, settings: Settings, **detail: Any) -> None:
        """An ``ask`` entry: the answer, the passages shown with it, which answerer gave it and the settings."""
        self.record_for(
            user,
            "ask",
            asked,
            answer=result.answer,
            abstained=result.abstained,
            passages=result.shown,
            answerer=answerer_name(result.answerer, settings),
            settings=run_settings(settings),
            detail={**detail, "latency_ms": round(result.latency_ms, 1)},
        )

    def entries(
        self, limit: int | None = 500, user: str | None = None, action: str | None = None
    ) -> list[dict[str, Any]]:
        """Newest first."""
        sql, params = "SELECT * FROM audit WHERE 1=1", []
        if user:
            sql += " AND user = ?"
            params.append(user)
        if action:
            sql += " AND action = ?"
            params.append(action)
        sql += " ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r)) for r in cursor.fetchall()]

    def verify(self) -> list[str]:
        """Problems found (empty when every entry is as written and none is missing, newest included)."""
        rows = list(reversed(self.entries(limit=None)))
        keyed = any(r["hash"].startswith(_KEYED) for r in rows)
        key = _load_key(self.key_file, create=False)
        if keyed and key is None:
            return [f"{self.key_file}: the audit key is missing, so no entry can be checked"]
        problems = []
        prev, seen_keyed = "", False
        for row in rows:
            if row["prev_hash"] != prev:
                problems.append(f"entry {row['id']}: the entry before it is missing or changed")
            if row["hash"].startswith(_KEYED):
                seen_keyed = True
                ok = hmac.compare_digest(_mac(key, _body(row["prev_hash"], row)), row["hash"])
            else:  # an unkeyed entry from before keys were used can only precede every keyed one
                ok = not seen_keyed and _legacy_digest(row["prev_hash"], row) == row["hash"]
            if not ok:
                problems.append(f"entry {row['id']}: changed after it was written")
            prev = row["hash"]
        problems += self._check_anchor(rows, key, keyed)
        return problems

    def _check_anchor(self, rows: list[dict[str, Any]], key: bytes | None, keyed: bool) -> list[str]:
        try:
            anchor = self._read_anchor()
        except (OSError, ValueError) as exc:
            return [f"{self.anchor_file}: the anchor cannot be read ({exc})"]
        if anchor is None:
            return [f"{self.anchor_file}: the anchor is missing"] if keyed else []
        try:
            count, last_id, last_hash = int(anchor["count"]), int(anchor["last_id"]), str(anchor["last_hash"])
            genuine = key is not None and hmac.compare_digest(
                self._anchor_mac(key, count, last_id, last_hash), anchor["mac"]
            )
        except (KeyError, TypeError, ValueError):
            genuine = False
        if not genuine:
            return [f"{self.anchor_file}: the anchor was changed"]
        # Entries after the anchor can only come from a write interrupted between commit and anchor.
        if len(rows) < count:
            return [
                f"{count - len(rows)} of the newest entries are missing (the anchor counts {count}, the log holds {len(rows)})"
            ]
        if count < 1:
            return [f"{self.anchor_file}: the anchor was changed"]
        row = rows[count - 1]
        if row["id"] != last_id or row["hash"] != last_hash:
            return [f"entry {last_id}: the newest entry the anchor records is missing or changed"]
        return []

    def export_csv(self, path: Path, user: str | None = None) -> Path:
        """The whole log (oldest first) as CSV."""
        rows = list(reversed(self.entries(limit=None, user=user)))
        with open(path, "w", newline="", encoding="utf-8-sig") as f:
            writer = csv.DictWriter(f, fieldnames=FIELDS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: csv_safe(v) for k, v in row.items()})
        return Path(path)


def run_settings(settings: Settings) -> dict[str, Any]:
    """The settings that shaped an answer, as recorded with it."""
    return {
        "index_dir": str(settings.index_dir),
        "chroma_url": settings.chroma_url,
        "collection": settings.collection,
        "embedding_model": str(settings.embedding_model or "packaged all-MiniLM-L6-v2"),
        "llm": settings.llm_model if settings.llm_enabled else None,
        "llm_base_url": settings.llm_base_url,
        "llm_gguf": str(settings.llm_gguf) if settings.llm_gguf else None,
    }


def answerer_name(answerer: str, settings: Settings) -> str:
    """``extractive``, or which LLM answered."""
    if answerer != "llm":
        return answerer
    return f"llm:{Path(settings.llm_gguf).name if settings.llm_gguf else settings.llm_model}"


def csv_safe(value: Any) -> Any:
    """A cell starting with = + - @ runs as a formula in a spreadsheet; the quote keeps it text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
