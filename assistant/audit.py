"""The append-only audit trail: who asked or searched what, and which passages they were shown.

One SQLite table. Triggers refuse UPDATE and DELETE, so nothing in the app or the CLI can
change or remove an entry. Each entry also carries a hash of the one before it, so an entry
edited or removed outside the app (with the triggers dropped) shows up in :meth:`AuditLog.verify`.
Entries keep the user's name as it was, so removing a user keeps their history.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterable

from .retrieval import Passage
from .settings import Settings

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
"""
FIELDS = ["id", "time", "user", "role", "clearance", "action", "query", "answer", "abstained", "chunk_ids", "doc_hashes",
          "answerer", "settings", "detail", "prev_hash", "hash"]
_HASHED = FIELDS[1:14]


def _digest(prev: str, row: dict[str, Any]) -> str:
    body = json.dumps([prev] + [row.get(k) for k in _HASHED], ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


class AuditLog:
    """The audit trail in one SQLite file (``ASSISTANT_AUDIT_DB``), shared by the app and the CLI."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")  # an entry written is an entry kept, even on power loss
        self.conn.executescript(_SCHEMA)

    def close(self) -> None:
        self.conn.close()

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
            "user": user, "role": role, "clearance": clearance, "action": action, "query": query,
            "answer": answer, "abstained": None if abstained is None else int(abstained),
            "chunk_ids": json.dumps(chunk_ids),
            "doc_hashes": json.dumps(list(dict.fromkeys(doc_hashes))),
            "answerer": answerer,
            "settings": json.dumps(settings or {}, default=str, sort_keys=True),
            "detail": json.dumps(detail or {}, default=str, ensure_ascii=False),
        }
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")  # the chain needs the last hash and this insert in one step
            try:
                last = self.conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
                row["prev_hash"] = last[0] if last else ""
                row["hash"] = _digest(row["prev_hash"], row)
                cols = ", ".join(row)
                self.conn.execute(f"INSERT INTO audit ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def entries(self, limit: int | None = 500, user: str | None = None, action: str | None = None) -> list[dict[str, Any]]:
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
        """Problems in the hash chain (empty when every entry is as written, none missing)."""
        problems = []
        prev = ""
        for row in reversed(self.entries(limit=None)):
            if row["prev_hash"] != prev:
                problems.append(f"entry {row['id']}: the entry before it is missing or changed")
            if _digest(row["prev_hash"], row) != row["hash"]:
                problems.append(f"entry {row['id']}: changed after it was written")
            prev = row["hash"]
        return problems

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
        "index_dir": str(settings.index_dir), "chroma_url": settings.chroma_url, "collection": settings.collection,
        "embedding_model": str(settings.embedding_model or "packaged all-MiniLM-L6-v2"),
        "llm": settings.llm_model if settings.llm_enabled else None,
        "llm_base_url": settings.llm_base_url, "llm_gguf": str(settings.llm_gguf) if settings.llm_gguf else None,
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
