"""The append-only audit trail: who asked or searched what, and which passages they were shown.

One SQLite table, readable and writable by its owner only (0600). Triggers refuse UPDATE,
DELETE and REPLACE, so nothing in the app or the CLI can change or remove an entry. Each entry
carries an HMAC of itself and of the entry before it, keyed by a secret kept in a file apart
from the database (``ASSISTANT_AUDIT_KEY_FILE``, 0600): without the key nobody can rewrite an
entry and recompute the chain after it. A separate anchor file holds the entry count and the
last MAC, written with every entry, so removing the newest entries is detected too.
Entries keep the user's name as it was, so removing a user keeps their history.

Creating a log writes its first, keyed entry ("audit log created") in the same transaction
that creates the table, so a log is never legitimately empty and :meth:`AuditLog.verify` fails
on one with no entries, a missing anchor, a missing key, or an unkeyed entry. Nothing re-seeds
a log that was emptied or re-anchors one whose anchor went: :meth:`AuditLog.record` refuses to
write to an empty table or past a missing or changed anchor, as it does to a replaced file.

Older logs:

- A log from before keys (every entry a plain SHA-256 hash) is migrated once, when first opened
  while it still has no key and no anchor: the key is created and a keyed "audit log migrated"
  entry records how many unkeyed entries precede it and the last one's hash. A log whose entries
  are all unkeyed but whose key or anchor already exists was re-chained without the key and is
  never migrated. A log that already continues keyed after its unkeyed entries (written by the
  version that introduced keys) gets the same migration entry if its key and anchor check out.
  :meth:`AuditLog.verify` accepts unkeyed entries only before a migration entry whose count
  and hash match them.
- A log written keyed from its first entry (before creation entries existed) needs nothing: its
  first entry links to nothing and carries a MAC, which only the key holder can make, so it is
  as good a start as a creation entry; its anchor must be present and genuine as for any log.

The files themselves are the limit: whoever can delete both the database and its anchor can have
a fresh log start in their place, and with the key deleted too, fake a legacy one. A database
deleted alone is not started afresh (its anchor records entries), and neither is one emptied.
Keep the key where the log's writers cannot reach it, and copy the anchor off the host.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .documents import Passage
from .indexing.lexical import create_owner_only
from .settings import Settings

if TYPE_CHECKING:
    from .api import Answer


class User(Protocol):
    """Who an entry is about: a signed-in user of the app (``web.users.User``) or of the command line."""

    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def clearance(self) -> str: ...


# Statements, not one script: they run in the transaction that writes a new log's first entry.
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS audit (
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
)""",
    """CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_no_replace BEFORE INSERT ON audit
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    # The audit view reads every "remove" entry on each refresh for a public-clearance admin (auditview).
    "CREATE INDEX IF NOT EXISTS audit_by_action ON audit(action, id)",
)
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
_KEYED = "h1:"  # prefix of a keyed MAC; logs from before keys hold plain SHA-256 hashes
_ANCHOR_SIZE = 512  # the anchor is rewritten in place as one small write
_TABLE_EXISTS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'"
CREATED = "audit log created"  # the action of a new log's first entry
MIGRATED = "audit log migrated"  # the action of the entry that vouches for a legacy log's unkeyed entries
# A user's stored conversations (assistant/web/history.py): each entry's query is the conversation's title,
# its report ids those its answers cited (so the audit view withholds it as it would the answers), and its
# detail the conversation's id and number of questions. The questions and answers themselves are in the
# "ask" entries, which deleting a conversation leaves as they are.
CONVERSATION_OPENED = "conversation opened"
CONVERSATION_RENAMED = "conversation renamed"
CONVERSATION_DELETED = "conversation deleted"
CONVERSATION_REFUSED = "conversation refused"
CONVERSATION_ACTIONS = (CONVERSATION_OPENED, CONVERSATION_RENAMED, CONVERSATION_DELETED, CONVERSATION_REFUSED)


class AuditError(RuntimeError):
    """The audit log cannot be written safely (its files were replaced, or its key is missing)."""


def _body(prev: str, row: dict[str, Any]) -> bytes:
    return json.dumps([prev] + [row.get(k) for k in _HASHED], ensure_ascii=False, default=str).encode()


def _legacy_digest(prev: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(_body(prev, row)).hexdigest()


def _mac(key: bytes, data: bytes) -> str:
    return _KEYED + hmac.new(key, data, hashlib.sha256).hexdigest()


def _anchor_mac(key: bytes, count: int, last_id: int, last_hash: str) -> str:
    return _mac(key, f"anchor|{count}|{last_id}|{last_hash}".encode())


def _genuine_anchor(data: bytes, key: bytes | None) -> tuple[int, int, str] | None:
    """(count, last id, last hash) from an anchor file's bytes, or None when it is empty, unreadable or forged."""
    try:
        anchor = json.loads(data.strip() or b"null")
        count, last_id, last_hash = int(anchor["count"]), int(anchor["last_id"]), str(anchor["last_hash"])
        genuine = key is not None and hmac.compare_digest(_anchor_mac(key, count, last_id, last_hash), anchor["mac"])
    except (KeyError, TypeError, ValueError):
        return None
    return (count, last_id, last_hash) if genuine else None


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


def _row(
    user: str,
    role: str,
    action: str,
    query: str | None = None,
    *,
    clearance: str | None = None,
    answer: str | None = None,
    abstained: bool | None = None,
    chunk_ids: Iterable[str] = (),
    doc_hashes: Iterable[str] = (),
    answerer: str | None = None,
    settings: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The hashed fields of one entry."""
    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "user": user,
        "role": role,
        "clearance": clearance,
        "action": action,
        "query": query,
        "answer": answer,
        "abstained": None if abstained is None else int(abstained),
        "chunk_ids": json.dumps(list(chunk_ids)),
        "doc_hashes": json.dumps(list(dict.fromkeys(doc_hashes))),
        "answerer": answerer,
        "settings": json.dumps(settings or {}, default=str, sort_keys=True),
        "detail": json.dumps(detail or {}, default=str, ensure_ascii=False),
    }


def _detail(row: dict[str, Any]) -> dict[str, Any]:
    try:
        detail = json.loads(row["detail"] or "{}")
    except ValueError:
        return {}
    return detail if isinstance(detail, dict) else {}


class AuditLog:
    """The audit trail in one SQLite file (``ASSISTANT_AUDIT_DB``), shared by the app and the CLI."""

    def __init__(self, path: Path, key_file: Path | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.key_file = Path(key_file) if key_file else key_path(self.path)
        self.anchor_file = anchor_path(self.path)
        self._lock = threading.Lock()
        create_owner_only(self.path)
        create_owner_only(self.anchor_file)
        self._identity = self._stat()
        self.conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
        # A rollback journal, not WAL: no long-lived side files whose loss would hide later entries.
        self.conn.execute("PRAGMA journal_mode=DELETE")
        self.conn.execute("PRAGMA synchronous=FULL")  # an entry written is an entry kept, even on power loss
        self._key: bytes | None = None
        self._start()

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

    @contextmanager
    def _anchor_locked(self) -> Iterator[int]:
        """The anchor file, locked against every other writer of the log in any process."""
        try:
            fd = os.open(self.anchor_file, os.O_RDWR)
        except FileNotFoundError:
            raise AuditError(f"{self.anchor_file}: the anchor is missing; nothing more is written to the log") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)  # closing releases the lock

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _start(self) -> None:
        """Create the table with its first entry, or migrate a legacy log: once, by whichever process is first."""
        with self._anchor_locked() as fd:
            with self._transaction():
                existed = self.conn.execute(_TABLE_EXISTS).fetchone() is not None
                for statement in _SCHEMA:  # also puts back triggers someone dropped
                    self.conn.execute(statement)
                first = self.conn.execute("SELECT hash FROM audit ORDER BY id LIMIT 1").fetchone()
                if first is None:
                    if self._new(existed, os.pread(fd, _ANCHOR_SIZE, 0)):
                        key = _load_key(self.key_file, create=True)
                        last_id, mac = self._insert(key, _row("-", "-", CREATED), "")
                        # Before the commit: if it never comes, the table goes too and the next open starts afresh.
                        self._write_anchor(fd, key, 1, last_id, mac)
                    return
                if first[0].startswith(_KEYED):
                    return
                migrated = self._migrate(fd)
            if migrated:
                self._write_anchor(fd, *migrated)

    def _new(self, existed: bool, anchor: bytes) -> bool:
        """Whether an empty log is new, rather than emptied or deleted while its anchor stayed (left for verify)."""
        if not anchor.strip():
            # An empty table without a key was only opened (older versions created the table at once and the
            # key with the first entry). With a key, entries were written: the log was emptied, or dropped with
            # its anchor cut, and starting afresh under the same key would pass for the real log. To start a
            # new log, move the old key aside too.
            return not self.key_file.exists()
        # The anchor is written before a new log's commit: a creation rolled back leaves one naming entry 1 alone.
        anchor_names = _genuine_anchor(anchor, _load_key(self.key_file, create=False))
        return not existed and anchor_names is not None and anchor_names[:2] == (1, 1)

    def _migrate(self, fd: int) -> tuple[bytes, int, int, str] | None:
        """A keyed entry vouching for the log's leading unkeyed entries (their count and last hash), unless there
        is one already or the log's files show it was keyed before; then the anchor to write after it."""
        if self.conn.execute(
            "SELECT 1 FROM audit WHERE action = ? AND substr(hash, 1, 3) = ? LIMIT 1", (MIGRATED, _KEYED)
        ).fetchone():
            return None
        first_keyed = self.conn.execute("SELECT min(id) FROM audit WHERE substr(hash, 1, 3) = ?", (_KEYED,)).fetchone()
        bound = first_keyed[0] if first_keyed[0] is not None else 2**63 - 1
        legacy, last_legacy = self.conn.execute("SELECT count(*), max(id) FROM audit WHERE id < ?", (bound,)).fetchone()
        legacy_hash = self.conn.execute("SELECT hash FROM audit WHERE id = ?", (last_legacy,)).fetchone()[0]
        if first_keyed[0] is None:
            # Every entry unkeyed: a log from before keys has neither a key nor an anchor yet.
            if self.key_file.exists() or os.pread(fd, _ANCHOR_SIZE, 0).strip():
                return None
            key = _load_key(self.key_file, create=True)
            if key is None:
                return None
            count, prev = legacy, legacy_hash
        else:
            try:  # only a log whose key and anchor check out: else verify reports it as it is
                key = _load_key(self.key_file, create=False)
                if key is None:
                    return None
                count, prev = self._tail(fd, key)
            except AuditError:
                return None
        detail = {"legacy_entries": legacy, "legacy_last_hash": legacy_hash}
        last_id, mac = self._insert(key, _row("-", "-", MIGRATED, detail=detail), prev)
        return key, count + 1, last_id, mac

    def _signing_key(self) -> bytes:
        if self._key is None:
            key = _load_key(self.key_file, create=False)
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
        """Append one entry: the chunk ids shown and their reports' content hashes (from ``passages`` or given).

        Raises :class:`AuditError` rather than write to a log whose file was replaced, whose key is missing,
        which is empty or whose anchor is missing or changed: a write would hide what was done to it."""
        shown = list(passages)
        row = _row(
            user,
            role,
            action,
            query,
            clearance=clearance,
            answer=answer,
            abstained=abstained,
            chunk_ids=chunk_ids if chunk_ids is not None else [p.chunk_id for p in shown],
            doc_hashes=doc_hashes if doc_hashes is not None else [p.metadata.get("doc_id", "") for p in shown],
            answerer=answerer,
            settings=settings,
            detail=detail,
        )
        with self._lock:
            try:
                same = self._stat() == self._identity
            except FileNotFoundError:
                same = False
            if not same:
                raise AuditError(f"{self.path} was removed or replaced while open; nothing more is written to it")
            key = self._signing_key()
            with self._anchor_locked() as fd:  # entry and anchor in one step across processes
                with self._transaction():  # the chain needs the last hash and this insert in one step
                    count, prev = self._tail(fd, key)
                    last_id, mac = self._insert(key, row, prev)
                self._write_anchor(fd, key, count + 1, last_id, mac)

    def _insert(self, key: bytes, row: dict[str, Any], prev: str) -> tuple[int, str]:
        """Append ``row`` after the entry whose hash is ``prev``: its id and MAC."""
        row = {**row, "prev_hash": prev}
        row["hash"] = _mac(key, _body(prev, row))
        cur = self.conn.execute(
            f"INSERT INTO audit ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )
        return int(cur.lastrowid or 0), row["hash"]

    def _tail(self, fd: int, key: bytes) -> tuple[int, str]:
        """The number of entries and the last one's hash, checked against the anchor (not by counting the
        table, which grows with the log on every write)."""
        last = self.conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        if last is None:
            raise AuditError(f"{self.path}: the log is empty, its first entry removed; nothing more is written to it")
        anchor = _genuine_anchor(os.pread(fd, _ANCHOR_SIZE, 0), key)
        if anchor is None:
            raise AuditError(
                f"{self.anchor_file}: the anchor is missing or changed; nothing more is written to the log"
            )
        count, last_id, last_hash = anchor
        if (last_id, last_hash) == tuple(last):
            return count, last_hash
        # A write interrupted between its commit and its anchor leaves entries after the one the anchor names.
        named = self.conn.execute("SELECT hash FROM audit WHERE id = ?", (last_id,)).fetchone()
        if named is None or named[0] != last_hash:
            raise AuditError(
                f"entry {last_id}, the newest the anchor records, is missing or changed; nothing more is written to the log"
            )
        after = self.conn.execute("SELECT count(*) FROM audit WHERE id > ?", (last_id,)).fetchone()[0]
        return count + after, last[1]

    @staticmethod
    def _write_anchor(fd: int, key: bytes, count: int, last_id: int, last_hash: str) -> None:
        data = json.dumps(
            {
                "count": count,
                "last_id": last_id,
                "last_hash": last_hash,
                "mac": _anchor_mac(key, count, last_id, last_hash),
            }
        ).encode()
        os.pwrite(fd, data.ljust(_ANCHOR_SIZE, b" "), 0)
        os.fsync(fd)

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
            chunk_ids=[p.chunk_id for p in result.shown],
            # Every report the answerer read, not only those shown: the audit view withholds by them.
            doc_hashes=list(dict.fromkeys(p.metadata.get("doc_id", "") for p in [*result.shown, *result.passages])),
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
        """Problems found (empty when every entry is as written and none is missing, newest included).

        Fails on an empty log, a missing key or anchor, and unkeyed entries no migration entry vouches for."""
        rows, anchor = self._snapshot()
        if not rows:
            return [f"{self.path}: the log is empty: even a new log holds its first entry"]
        try:
            key = _load_key(self.key_file, create=False)
        except AuditError as exc:
            return [str(exc)]
        if key is None:
            return [f"{self.key_file}: the audit key is missing, so no entry can be checked"]
        return self._check_chain(rows, key) + self._check_legacy(rows) + self._check_anchor(rows, anchor, key)

    def _snapshot(self) -> tuple[list[dict[str, Any]], bytes | None]:
        """Every entry, oldest first, and the anchor's bytes (None if it is gone), read while nothing is written."""
        try:
            fd = os.open(self.anchor_file, os.O_RDONLY)
        except FileNotFoundError:
            return list(reversed(self.entries(limit=None))), None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            return list(reversed(self.entries(limit=None))), os.pread(fd, 1 << 16, 0)
        finally:
            os.close(fd)

    @staticmethod
    def _check_chain(rows: list[dict[str, Any]], key: bytes) -> list[str]:
        problems = []
        prev, seen_keyed = "", False
        for row in rows:
            if row["prev_hash"] != prev:
                problems.append(f"entry {row['id']}: the entry before it is missing or changed")
            if row["hash"].startswith(_KEYED):
                seen_keyed = True
                ok = hmac.compare_digest(_mac(key, _body(row["prev_hash"], row)), row["hash"])
            else:  # an unkeyed entry from before keys can only precede every keyed one
                ok = not seen_keyed and _legacy_digest(row["prev_hash"], row) == row["hash"]
            if not ok:
                problems.append(f"entry {row['id']}: changed after it was written")
            prev = row["hash"]
        return problems

    @staticmethod
    def _check_legacy(rows: list[dict[str, Any]]) -> list[str]:
        """Leading unkeyed entries must be vouched for by a migration entry recording their count and last hash."""
        legacy = next((n for n, row in enumerate(rows) if row["hash"].startswith(_KEYED)), len(rows))
        last_hash = rows[legacy - 1]["hash"] if legacy else ""
        markers = [r for r in rows[legacy:] if r["action"] == MIGRATED]
        problems = []
        if legacy and not markers:
            first, last = rows[0]["id"], rows[legacy - 1]["id"]
            span = f"entries {first} to {last} are unkeyed" if legacy > 1 else f"entry {first} is unkeyed"
            problems.append(f"{span} and no migration entry vouches for it: written or re-chained without the key")
        for marker in markers:
            detail = _detail(marker)
            if (detail.get("legacy_entries"), detail.get("legacy_last_hash")) != (legacy, last_hash):
                problems.append(
                    f"entry {marker['id']}: the migration entry records {detail.get('legacy_entries')} unkeyed "
                    f"entries before it, the log holds {legacy} (or their last one changed)"
                )
        return problems

    def _check_anchor(self, rows: list[dict[str, Any]], data: bytes | None, key: bytes) -> list[str]:
        if data is None or not data.strip():
            return [f"{self.anchor_file}: the anchor is missing"]
        anchor = _genuine_anchor(data, key)
        if anchor is None or anchor[0] < 1:
            return [f"{self.anchor_file}: the anchor was changed"]
        count, last_id, last_hash = anchor
        # Entries after the anchor can only come from a write interrupted between commit and anchor.
        if len(rows) < count:
            return [
                f"{count - len(rows)} of the newest entries are missing (the anchor counts {count}, the log holds {len(rows)})"
            ]
        row = rows[count - 1]
        if row["id"] != last_id or row["hash"] != last_hash:
            return [f"entry {last_id}: the newest entry the anchor records is missing or changed"]
        return []

    def export_csv(
        self,
        path: Path,
        user: str | None = None,
        redact: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        derived: dict[str, Callable[[dict[str, Any]], str]] | None = None,
    ) -> Path:
        """The whole log (oldest first) as CSV; ``redact`` (if given) rewrites each row, a dict of
        :data:`FIELDS`, before it is written, e.g. to withhold what a reader may not see; ``derived``:
        columns added after :data:`FIELDS`, each computed from the (redacted) row."""
        rows = list(reversed(self.entries(limit=None, user=user)))
        derived = derived or {}
        with open(path, "w", newline="", encoding="utf-8-sig") as f:
            writer = csv.DictWriter(f, fieldnames=[*FIELDS, *derived])
            writer.writeheader()
            for row in rows:
                if redact is not None:
                    row = redact(dict(row))
                    if not isinstance(row, dict):
                        raise TypeError(f"redact must return a dict of audit fields, not {type(row).__name__}")
                row = {**row, **{name: column(row) for name, column in derived.items()}}
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


_FORMULA_START = frozenset("=+-@|\t\r")  # | starts a DDE payload in some spreadsheets
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


def csv_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, starting (or starting after spaces or line breaks)
    with = + - @ | or a tab or carriage return, gets a leading quote that keeps it text. A cell that is
    entirely a number ("-252,877", "-5") stays one, and a lone "-" (no role) stays "-"."""
    if not isinstance(value, str) or value == "-" or _NUMBER.fullmatch(value):
        return value
    if value[:1] in ("\t", "\r") or value.lstrip()[:1] in _FORMULA_START:
        return "'" + value
    return value
