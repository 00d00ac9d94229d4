"""Each user's conversations, kept on the server: SQLite beside the index (``conversations.sqlite3``).

One table of conversations (id, owner, title, created, updated) and one of their turns (the question
as asked, the question answered, the answer, and the passages shown with it as JSON: chunk id, text
and the citation's metadata, doc_id, page, paragraph among it). Every read and write names the owner:
another user's conversation is looked up exactly like one that does not exist. The file is owner-only
(0600) in the owner-only index folder, written in WAL mode; a deleted conversation is overwritten in
the file (``secure_delete``) and the write-ahead log is truncated, so its text does not linger there.
What is stored is what was shown; whether it may be shown again is decided when it is reopened
(:mod:`assistant.web.history`), against the reader's clearance and the library as they are then.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..api import Answer
from ..documents import Passage, text_problem
from ..indexing.lexical import create_owner_only

FILE_NAME = "conversations.sqlite3"
TITLE_CHARS = 80  # a title: the first question clipped to this, or a name its owner gives
LISTED = 200  # the newest conversations a user's list offers

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations(owner, updated);
CREATE TABLE IF NOT EXISTS turns (
    conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    answered TEXT NOT NULL,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    answerer TEXT NOT NULL,
    note TEXT,
    passages TEXT NOT NULL,
    PRIMARY KEY (conversation, n)
);
"""


@dataclass(frozen=True)
class Conversation:
    """One conversation as its owner's list shows it."""

    id: str
    owner: str
    title: str
    created: str  # ISO 8601 local time with its offset
    updated: str
    questions: int

    @property
    def label(self) -> str:
        """ "first question — 24 Nov 2026 14:05" (shown as text, never as HTML)."""
        return f"{self.title} — {when(self.created)}"


@dataclass(frozen=True)
class Turn:
    """One question and its answer, with the passages shown (citations, or the related passages of an abstention)."""

    n: int
    question: str  # as asked
    answered: str  # the question that stands on its own (a follow-up resolved)
    answer: str
    abstained: bool
    answerer: str
    note: str | None
    passages: list[Passage]

    @property
    def doc_ids(self) -> list[str]:
        return list(dict.fromkeys(str(p.metadata.get("doc_id", "")) for p in self.passages))

    def result(self, passages: list[Passage] | None = None) -> Answer:
        """The answer as :class:`~assistant.api.Answer` again (for the renderer), with ``passages`` if given."""
        shown = self.passages if passages is None else passages
        return Answer(
            self.answered,
            self.answer,
            self.abstained,
            [] if self.abstained else shown,
            shown if self.abstained else [],
            answerer=self.answerer,
            note=self.note,
        )


def when(stamp: str) -> str:
    """An ISO time as the list shows it: "24 Nov 2026 14:05"."""
    try:
        return time.strftime("%d %b %Y %H:%M", time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return stamp


def title_problem(title: str) -> str | None:
    """Why ``title`` cannot name a conversation (None: it can); it is compared after spaces are collapsed."""
    problem = text_problem(title)
    if problem:
        return problem
    if not title:
        return "it is empty"
    if len(title) > TITLE_CHARS:
        return f"it is {len(title)} characters long; a name may be at most {TITLE_CHARS}"
    return None


def first_title(question: str) -> str:
    """A new conversation's title: its first question on one line, clipped at a word."""
    text = " ".join(question.split())
    if len(text) <= TITLE_CHARS:
        return text
    return text[: TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _stored(p: Passage) -> dict[str, Any]:
    meta = {k: v for k, v in p.metadata.items() if isinstance(v, (str, int, float, bool)) or v is None}
    return {"chunk_id": p.chunk_id, "text": p.text, "meta": meta}


def _passage(item: Any) -> Passage | None:
    if not isinstance(item, dict) or not isinstance(item.get("meta"), dict):
        return None
    return Passage.stored(str(item.get("chunk_id", "")), str(item.get("text", "")), item["meta"])


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class ConversationStore:
    """The conversations in one SQLite file; every method takes the owner and acts on their conversations only."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        create_owner_only(self.path)
        self._lock = threading.Lock()
        self.conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA secure_delete=ON")
        self.conn.executescript(_SCHEMA)

    @classmethod
    def beside(cls, index_dir: Path) -> ConversationStore:
        """The store in the index folder."""
        return cls(Path(index_dir) / FILE_NAME)

    def close(self) -> None:
        self.conn.close()

    def _rows(self, sql: str, *args: Any) -> list[tuple]:
        with self._lock:
            return self.conn.execute(sql, args).fetchall()

    def listing(self, owner: str, most: int = LISTED) -> list[Conversation]:
        """The owner's conversations, the one used last first."""
        rows = self._rows(
            "SELECT c.id, c.owner, c.title, c.created, c.updated, (SELECT count(*) FROM turns t WHERE t.conversation = c.id)"
            " FROM conversations c WHERE c.owner = ? ORDER BY c.updated DESC, c.rowid DESC LIMIT ?",
            owner,
            most,
        )
        return [Conversation(*r) for r in rows]

    def get(self, conversation_id: Any, owner: str) -> Conversation | None:
        """The conversation if ``owner`` owns it; None for any other id, value or owner alike."""
        if not isinstance(conversation_id, str) or not conversation_id or len(conversation_id) > 64:
            return None
        rows = self._rows(
            "SELECT c.id, c.owner, c.title, c.created, c.updated, (SELECT count(*) FROM turns t WHERE t.conversation = c.id)"
            " FROM conversations c WHERE c.id = ? AND c.owner = ?",
            conversation_id,
            owner,
        )
        return Conversation(*rows[0]) if rows else None

    def owner_of(self, conversation_id: Any) -> str | None:
        """Whose conversation an id names (for the audit of a refusal only, never to decide access)."""
        if not isinstance(conversation_id, str) or len(conversation_id) > 64:
            return None
        rows = self._rows("SELECT owner FROM conversations WHERE id = ?", conversation_id)
        return rows[0][0] if rows else None

    def turns(self, conversation_id: str, owner: str) -> list[Turn]:
        """The conversation's turns in order (none if it is not ``owner``'s)."""
        rows = self._rows(
            "SELECT t.n, t.question, t.answered, t.answer, t.abstained, t.answerer, t.note, t.passages"
            " FROM turns t JOIN conversations c ON c.id = t.conversation WHERE c.id = ? AND c.owner = ? ORDER BY t.n",
            conversation_id,
            owner,
        )
        out = []
        for n, question, answered, answer, abstained, answerer, note, passages in rows:
            try:
                items = json.loads(passages)
            except ValueError:
                items = []
            shown = [p for p in map(_passage, items if isinstance(items, list) else []) if p is not None]
            out.append(Turn(n, question, answered, answer, bool(abstained), answerer, note, shown))
        return out

    def keep(self, owner: str, conversation_id: str | None, asked: str, result: Answer) -> str:
        """Add a question and its answer to the owner's conversation ``conversation_id``, or to a new one
        titled by the question when it is None or no longer theirs (deleted meanwhile); its id."""
        passages = json.dumps([_stored(p) for p in result.shown], ensure_ascii=False, default=str)
        now = _now()
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                found = (
                    conversation_id
                    and self.conn.execute(
                        "SELECT 1 FROM conversations WHERE id = ? AND owner = ?", (conversation_id, owner)
                    ).fetchone()
                )
                if not found:
                    conversation_id = secrets.token_urlsafe(16)
                    self.conn.execute(
                        "INSERT INTO conversations (id, owner, title, created, updated) VALUES (?, ?, ?, ?, ?)",
                        (conversation_id, owner, first_title(asked), now, now),
                    )
                else:
                    self.conn.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
                (n,) = self.conn.execute(
                    "SELECT coalesce(max(n), 0) + 1 FROM turns WHERE conversation = ?", (conversation_id,)
                ).fetchone()
                self.conn.execute(
                    "INSERT INTO turns (conversation, n, time, question, answered, answer, abstained, answerer, note,"
                    " passages) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        conversation_id,
                        n,
                        now,
                        asked,
                        result.question,
                        result.answer,
                        int(result.abstained),
                        result.answerer,
                        result.note,
                        passages,
                    ),
                )
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        return str(conversation_id)

    def rename(self, conversation_id: str, owner: str, title: str) -> bool:
        """Give the owner's conversation a new title (checked by :func:`title_problem` first); whether it was theirs."""
        if title_problem(title):
            raise ValueError(f"not a conversation title: {title_problem(title)}")
        with self._lock:
            cur = self.conn.execute(
                "UPDATE conversations SET title = ? WHERE id = ? AND owner = ?", (title, conversation_id, owner)
            )
        return cur.rowcount == 1

    def delete_owner(self, owner: str) -> int:
        """Delete every conversation of ``owner`` (a removed user: a new account of that name starts with none)."""
        with self._lock:
            cur = self.conn.execute("DELETE FROM conversations WHERE owner = ?", (owner,))
            if cur.rowcount:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return cur.rowcount

    def delete(self, conversation_id: str, owner: str) -> bool:
        """Delete the owner's conversation and its turns, overwritten in the file; whether it was theirs."""
        with self._lock:
            cur = self.conn.execute("DELETE FROM conversations WHERE id = ? AND owner = ?", (conversation_id, owner))
            if cur.rowcount == 1:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return cur.rowcount == 1
