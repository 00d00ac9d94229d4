"""The lexical index and document registry: SQLite FTS5 beside Chroma, with the same chunk ids.

The ``documents`` table is the commit point of an ingest: a document is in the index once
its row is written, in the same transaction as its chunks and full-text rows.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..documents import Chunk, SourceDocument

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT,
    kind TEXT NOT NULL,
    pages INTEGER NOT NULL,
    chunks INTEGER NOT NULL,
    disclosure TEXT,
    metadata TEXT NOT NULL,
    ingested_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_path ON documents(path);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL,
    fts_rowid INTEGER  -- its row in chunks_fts: a report's full-text rows are found by doc_id, not by a scan
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS acronyms (
    short TEXT NOT NULL,
    long TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (short, long, doc_id)
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(%s);
"""
_TOKENIZER = "porter unicode61"
# ``access`` holds the report's disclosure status as a word, so a public user's query is
# ``body : (...) AND access : public``: FTS5 intersects posting lists instead of reading every
# matching row's report (that subquery doubled a question's time at 100k chunks).
_FTS_COLUMNS = f"chunk_id UNINDEXED, doc_id UNINDEXED, kind UNINDEXED, body, access, tokenize = '{_TOKENIZER}'"
_SCHEMA %= _FTS_COLUMNS
_RANK = "bm25(chunks_fts, 0, 0, 0, 1, 0)"  # only the body words score
_K1 = 1.2  # FTS5's bm25() constant: a word's share of a row's score is below (_K1 + 1) * its IDF
_GROUP_SHARE = 0.05  # the rarest query words read together hold at most this share of the chunks
_MAX_PARTS = 6  # the last part takes every remaining word: each part's query counts every word's rows
_WAL_LIMIT = 64 * 1024 * 1024  # bytes the write-ahead log is cut back to after a checkpoint
_STOPWORDS = set(
    "a an and are as at be by did do does for from had has have how in into is it its many much of on or "
    "than that the their there these this those to was were what when where which who whom why will with "
    "within would".split()
)


@dataclass
class DocumentRecord:
    doc_id: str
    path: str
    source: str
    title: str
    date: str | None
    kind: str
    pages: int
    chunks: int
    disclosure: str | None
    metadata: dict[str, Any]
    ingested_at: float


def _record(row: tuple) -> DocumentRecord:
    return DocumentRecord(*row[:9], json.loads(row[9]), row[10])


_DEFINITION = re.compile(r"((?:[A-Z][a-z]+[ -](?:(?:and|of|for|&)\s)?){1,6}[A-Z][a-z]+)\s*\(([A-Z][A-Za-z&]{1,7})\)")


def find_acronyms(text: str) -> set[tuple[str, str]]:
    """Acronyms a report defines: "Digital Services Division (DSD)" -> ("DSD", "Digital Services Division")."""
    found = set()
    for m in _DEFINITION.finditer(text):
        short = m.group(2)
        words = re.split(r"[ -]+", m.group(1))
        letters = [c for c in short if c.isupper()]
        caps = [w for w in words if w[:1].isupper()]
        # take as many trailing capitalised words as the acronym has capitals
        if len(caps) >= len(letters) and [w[0] for w in caps[-len(letters) :]] == letters:
            start = m.group(1).rfind(caps[-len(letters)])
            found.add((short, m.group(1)[start:].strip()))
    return found


def query_words(text: str) -> list[str]:
    """The meaningful words and figures of ``text``, lower-cased, each once."""
    return list(dict.fromkeys(t for t in re.findall(r"\w+", text.lower()) if t not in _STOPWORDS))


def fts_query(text: str | list[str]) -> str | None:
    """An FTS5 OR-query of the meaningful words and figures in ``text`` (or of the given words)."""
    tokens = query_words(text) if isinstance(text, str) else text
    return " OR ".join(f'"{t}"' for t in tokens) if tokens else None


class _Stemmer:
    """FTS5's own tokenizer on an in-memory table, so a query word is looked up as it was indexed."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self.conn.execute(f"CREATE VIRTUAL TABLE words USING fts5(w, tokenize = '{_TOKENIZER}')")
        self.conn.execute("CREATE VIRTUAL TABLE stems USING fts5vocab(words, instance)")

    def tokens(self, words: list[str]) -> list[list[str]]:
        """Each word's indexed tokens: one for most words, several for "a_b", none for "_"."""
        self.conn.execute("DELETE FROM words")
        self.conn.executemany("INSERT INTO words(rowid, w) VALUES (?, ?)", enumerate(words))
        out: list[list[str]] = [[] for _ in words]
        for row, term in self.conn.execute("SELECT doc, term FROM stems ORDER BY doc, offset"):
            out[row].append(term)
        return out


def create_owner_only(path: Path) -> None:
    """The database file created 0600 (SQLite gives its -wal and -shm files the same mode), or an
    existing one of this user's, with those files, made so.

    An existing file is never opened here: closing any descriptor of it drops every lock this
    process's SQLite connections hold on it, and another process closing the database then finds
    itself the last user and deletes the write-ahead log under them ("disk I/O error")."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDONLY, 0o600))
    except FileExistsError:
        if not path.exists():  # a link to no file: its target is created owner-only (nothing holds it open)
            os.close(os.open(path, os.O_CREAT | os.O_RDONLY, 0o600))
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            continue
        if st.st_uid == os.geteuid() and stat.S_ISREG(st.st_mode) and st.st_mode & 0o077:
            os.chmod(p, stat.S_IMODE(st.st_mode) & ~0o077)


class LexicalIndex:
    """Full-text search over chunks, plus the registry of indexed documents."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        create_owner_only(path)
        self.path = path
        # One connection per thread: the app answers several users at once while an upload
        # is ingested; WAL lets those readers run beside the writer.
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # chunks holding each looked-up stem, while the registry reads _counts_state (chunks,
        # reports, last ingest)
        self._counts: dict[str, int] = {}
        self._counts_state: tuple = ()
        self.prune_from = 20_000  # query words' chunk counts summed, from which search() prunes
        self.conn.executescript(_SCHEMA)
        self.conn.commit()
        self._migrate()
        self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS chunks_terms USING fts5vocab(chunks_fts, col)")
        self.conn.commit()

    def _migrate(self) -> None:
        """Bring an index written by an earlier version to the current layout (each step once)."""
        # The access column (a public user's query is one FTS5 match).
        self._convert_once(
            lambda: "access" in self._columns("chunks_fts"),
            "Adding the access column to the full-text index (once)",
            f"CREATE VIRTUAL TABLE chunks_fts_new USING fts5({_FTS_COLUMNS})",
            # rowids kept: the chunks' fts_rowid links stay true
            "INSERT INTO chunks_fts_new (rowid, chunk_id, doc_id, kind, body, access) SELECT f.rowid, f.chunk_id, "
            "f.doc_id, f.kind, f.body, coalesce(d.disclosure, 'restricted') FROM chunks_fts f "
            "LEFT JOIN documents d ON d.doc_id = f.doc_id",
            "DROP TABLE IF EXISTS chunks_vocab",
            "DROP TABLE chunks_fts",
            "ALTER TABLE chunks_fts_new RENAME TO chunks_fts",
        )
        # Each chunk's full-text rowid: without it, dropping a report's full-text rows scanned every
        # row (``doc_id`` is not indexed there), which at a million passages took longer than the
        # rest of a report's ingest.
        self._convert_once(
            lambda: "fts_rowid" in self._columns("chunks"),
            "Linking the chunks to their full-text rows (once)",
            "ALTER TABLE chunks ADD COLUMN fts_rowid INTEGER",
            "CREATE TEMP TABLE fts_rows AS SELECT rowid AS fts_rowid, chunk_id FROM chunks_fts",
            "CREATE INDEX temp.fts_rows_chunk ON fts_rows(chunk_id)",
            "UPDATE chunks SET fts_rowid = (SELECT fts_rowid FROM fts_rows WHERE fts_rows.chunk_id = chunks.chunk_id)",
            "DROP TABLE temp.fts_rows",
        )

    def _columns(self, table: str) -> set[str]:
        return {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}

    def _convert_once(self, done: Callable[[], bool], message: str, *statements: str) -> None:
        """Run ``statements`` in one transaction unless ``done()``, asked again once the write lock is
        held (another process may have converted the index while this one waited)."""
        if done():
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            if not done():
                log.warning(message)
                for sql in statements:
                    self.conn.execute(sql)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the conversion's log, written back and emptied

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # A big transaction (an index conversion, a large flush) grows the write-ahead log to
            # its size, and the file stays that size: 2 GB after linking 500k chunks, which the
            # next process to open the index after an unclean exit must read through.
            conn.execute(f"PRAGMA journal_size_limit = {_WAL_LIMIT}")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @property
    def stemmer(self) -> _Stemmer:
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = _Stemmer()
        return stemmer

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    # --- registry -------------------------------------------------------------------------
    _RECORD = "SELECT doc_id, path, source, title, date, kind, pages, chunks, disclosure, metadata, ingested_at FROM documents"

    def documents(self) -> list[DocumentRecord]:
        return [_record(r) for r in self.conn.execute(f"{self._RECORD} ORDER BY title")]

    def document(self, doc_id: str) -> DocumentRecord | None:
        """One registry row by id."""
        row = self.conn.execute(f"{self._RECORD} WHERE doc_id = ?", (doc_id,)).fetchone()
        return _record(row) if row else None

    def doc_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT doc_id FROM documents")}

    def commit_document(
        self,
        doc: SourceDocument,
        path: str,
        chunks: list[Chunk],
        replaces: Iterable[str] = (),
        sidecar: str | None = None,
    ) -> None:
        """Write a document's chunks and registry row in one transaction, dropping the ones it replaces."""
        meta = {
            "sidecar": sidecar,
            "date_text": doc.date_text,
            "metadata_origin": doc.metadata_origin,
            "disclosure_reason": doc.disclosure_reason,
            "warnings": doc.warnings,
            "flags": doc.flags,
            **({"unread_pages": doc.unread_pages, "ocr_limits": doc.ocr_limits} if doc.unread_pages else {}),
        }
        with self.conn:
            for old in {*replaces, doc.doc_id}:
                self._delete(old)
            access = doc.disclosure or "restricted"
            fts_rowids = [
                self.conn.execute(
                    "INSERT INTO chunks_fts (chunk_id, doc_id, kind, body, access) VALUES (?, ?, ?, ?, ?)",
                    (c.chunk_id, doc.doc_id, c.kind, c.embedding_text(doc.title), access),
                ).lastrowid
                for c in chunks
            ]
            self.conn.executemany(
                "INSERT INTO chunks (chunk_id, doc_id, kind, text, metadata, fts_rowid) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (c.chunk_id, doc.doc_id, c.kind, c.text, json.dumps(c.metadata(doc)), rowid)
                    for c, rowid in zip(chunks, fts_rowids)
                ],
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO acronyms (short, long, doc_id) VALUES (?, ?, ?)",
                [(short, long, doc.doc_id) for short, long in find_acronyms(" ".join(c.text for c in chunks))],
            )
            self.conn.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.doc_id,
                    path,
                    doc.source,
                    doc.title,
                    doc.date,
                    doc.kind,
                    doc.page_count,
                    len(chunks),
                    doc.disclosure,
                    json.dumps(meta),
                    time.time(),
                ),
            )

    def move_document(self, doc_id: str, path: str, source: str) -> None:
        """Record that an unchanged document now lives at another path."""
        with self.conn:
            self.conn.execute("UPDATE documents SET path = ?, source = ? WHERE doc_id = ?", (path, source, doc_id))

    def remove_document(self, doc_id: str) -> None:
        with self.conn:
            self._delete(doc_id)

    def _delete(self, doc_id: str) -> None:
        self.conn.execute(
            "DELETE FROM chunks_fts WHERE rowid IN (SELECT fts_rowid FROM chunks WHERE doc_id = ?)", (doc_id,)
        )
        self.conn.execute("DELETE FROM acronyms WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    # --- search ---------------------------------------------------------------------------
    def search(
        self, text: str, k: int, doc_ids: set[str] | None = None, public_only: bool = False
    ) -> list[tuple[str, float]]:
        """(chunk id, BM25 score; higher is better) of the best ``k`` matches."""
        ranked, chunks = self._ranked(query_words(text))
        if not ranked:
            return []
        counts = [n for _, n in ranked if n is not None]
        if len(counts) == len(ranked) > 1 and sum(counts) >= self.prune_from:
            rows = self._top_pruned([(w, n or 0) for w, n in ranked], chunks, k, doc_ids, public_only)
        else:
            rows = self._top(f"body : ({fts_query([w for w, _ in ranked])})", k, doc_ids, public_only)
        return [(cid, -score) for _, cid, score in rows]

    def _top(
        self, expression: str, k: int, doc_ids: set[str] | None, public_only: bool
    ) -> list[tuple[int, str, float]]:
        """(rowid, chunk id, bm25(); lower is better) of the best ``k`` rows matching ``expression``."""
        sql = f"SELECT rowid, chunk_id, {_RANK} FROM chunks_fts WHERE chunks_fts MATCH ?"
        params: list[Any] = [f"({expression}) AND access : public" if public_only else expression]
        if doc_ids is not None:
            sql += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
            params += sorted(doc_ids)
        sql += f" ORDER BY {_RANK}, rowid LIMIT ?"
        return self.conn.execute(sql, (*params, k)).fetchall()

    def _top_pruned(
        self, ranked: list[tuple[str, int]], chunks: float, k: int, doc_ids: set[str] | None, public_only: bool
    ) -> list[tuple[int, str, float]]:
        """The best ``k`` rows of the one query over every word, scoring far fewer rows (MaxScore).

        FTS5 computes bm25() for every row holding any query word; at a million passages that was
        most of a question's time. Here rows are read by their rarest query word: first the rows
        holding one of the rarest words, then those holding the next word but none before it, and
        so on. A word adds less than (k1 + 1) * IDF to a row's score, so once the k-th best score
        found reaches the sum of the remaining words' caps, no unread row can enter the best k.
        Each query names every word once, in the one query's (rarest-first) order, so a row
        scores exactly what that query gives it; ties go to the lower rowid there and here.
        """
        words = [w for w, _ in ranked]
        rows = chunks * 1.01 + 10  # above FTS5's own row count, so the caps err high
        caps = [(_K1 + 1) * max(math.log((rows - n + 0.5) / (n + 0.5)), 1e-6) for _, n in ranked]
        found: dict[int, tuple[str, float]] = {}

        def bar() -> float:  # the k-th best score found so far (a lower bound on the true one)
            scores = sorted(s for _, s in found.values())
            return -scores[k - 1] if len(scores) >= k else -math.inf

        start, part = 0, 1
        while start < len(words) and sum(caps[start:]) > bar():
            end = start + 1 if part < _MAX_PARTS else len(words)
            while end < len(words) and sum(n for _, n in ranked[start : end + 1]) <= _GROUP_SHARE * rows:
                end += 1
            group, later = fts_query(words[start:end]), words[end:]
            unless = f" NOT body : ({fts_query(words[:start])})" if start else ""
            if later:  # rows holding a group word and a later one, scored by every word they hold
                for rowid, cid, score in self._top(
                    f"body : ({group}) AND body : ({fts_query(later)}){unless}", k, doc_ids, public_only
                ):
                    found[rowid] = (cid, score)
            if sum(caps[start:end]) > bar():
                # rows holding group words only; a row also holding a later word is scored low here,
                # and if it belongs in the best k the query above has it at its true score
                for rowid, cid, score in self._top(f"body : ({group}){unless}", k, doc_ids, public_only):
                    if rowid not in found or score < found[rowid][1]:
                        found[rowid] = (cid, score)
            start, part = end, part + 1
        return sorted(((r, c, s) for r, (c, s) in found.items()), key=lambda row: (row[2], row[0]))[:k]

    def discriminating(self, words: list[str]) -> list[str]:
        """``words`` without those in at least half the chunks (all of them if none is rarer).

        FTS5's BM25 gives such a word no weight (its IDF is clamped at zero), so leaving it out
        keeps the ranking; but each would make the query score every row it occurs in, which
        at 100k similar chunks ("report", "services") was most of a question's time.
        """
        kept = {w for w, _ in self._ranked(words)[0]}
        return [w for w in words if w in kept]

    def _ranked(self, words: list[str]) -> tuple[list[tuple[str, int | None]], float]:
        """The discriminating ``words`` with the number of chunks holding each, rarest first (None:
        not counted, for a single word or one the index holds as several tokens), and the number
        of chunks in the index."""
        if len(words) < 2:
            return [(w, None) for w in words], 0.0
        tokens = self.stemmer.tokens(words)
        state = self._state()
        known = sorted({t[0] for t in tokens if t})
        if not known or not state[0]:
            return [(w, None) for w in words], state[0]
        counts = self._counts if self._counts_state == state and len(self._counts) < 50_000 else {}
        missing = [s for s in known if s not in counts]
        if missing:  # fts5vocab walks a term's whole posting list: ask once per index state
            found = dict(
                self.conn.execute(
                    f"SELECT term, doc FROM chunks_terms WHERE col = 'body' AND term IN ({','.join('?' * len(missing))})",
                    missing,
                )
            )
            counts = {**counts, **{s: found.get(s, 0) for s in missing}}
            if self._state() == state:  # no report committed meanwhile: the counts are this state's
                self._counts, self._counts_state = counts, state
        first = [counts.get(t[0], 0) if t else 0 for t in tokens]  # a word's first token decides if it is kept
        counted = [(w, n if len(t) == 1 else None) for w, t, n in zip(words, tokens, first)]
        kept = [wn for wn, n in zip(counted, first) if n * 2 < state[0]]
        return sorted(kept or counted, key=lambda wn: wn[1] or 0), state[0]

    def _state(self) -> tuple[float, int, float | None]:
        """Chunks, reports and the last ingest time: changes with every report added, replaced or removed."""
        return tuple(self.conn.execute("SELECT total(chunks), count(*), max(ingested_at) FROM documents").fetchone())

    def chunks(self, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of chunks by id."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT chunk_id, text, metadata FROM chunks WHERE chunk_id IN ({marks})", ids
        ).fetchall()
        return {cid: (text, json.loads(meta)) for cid, text, meta in rows}

    def section(self, doc_id: str, heading: str) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of a report's paragraph chunks under ``heading`` (or, without one, that section), by id."""
        rows = self.conn.execute(
            "SELECT chunk_id, text, metadata FROM chunks WHERE doc_id = ? AND kind = 'paragraph' AND "
            "coalesce(nullif(json_extract(metadata, '$.heading'), ''), json_extract(metadata, '$.section')) = ?",
            (doc_id, heading),
        )
        return {cid: (text, json.loads(meta)) for cid, text, meta in rows}

    def kinds(self, ids: list[str]) -> dict[str, str]:
        """The kind (paragraph, table_row, table) of committed chunks by id."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return dict(self.conn.execute(f"SELECT chunk_id, kind FROM chunks WHERE chunk_id IN ({marks})", ids))

    def expand_acronyms(self, text: str, doc_ids: set[str] | None = None, public_only: bool = False) -> str:
        """The query plus the other form of any acronym the reports (``doc_ids``) define (DSD <-> Digital Services Division)."""
        lowered = text.lower()
        tokens = sorted(set(re.findall(r"\b[A-Z][A-Za-z&]{1,7}\b", text)))
        # SQLite picks the candidates (a short form among the query's words, or a long form inside
        # it), so the cost does not grow with the number of acronyms in the archive.
        sql = f"SELECT DISTINCT short, long FROM acronyms WHERE (short IN ({','.join('?' * len(tokens))}) OR instr(?, lower(long)) > 0)"
        params: list[Any] = [*tokens, lowered]
        if doc_ids is not None:
            sql += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
            params += sorted(doc_ids)
        if public_only:
            sql += " AND doc_id IN (SELECT doc_id FROM documents WHERE disclosure = 'public')"
        extra = []
        for short, long in self.conn.execute(sql, params):
            if re.search(rf"\b{re.escape(short)}\b", text):
                extra.append(long)
            elif long.lower() in lowered:
                extra.append(short)
        return f"{text} {' '.join(dict.fromkeys(extra))}" if extra else text

    def texts(self, doc_id: str) -> list[str]:
        """The distinct passage texts of one report."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT text FROM chunks WHERE doc_id = ?", (doc_id,))]

    def shared_passages(self, doc_id: str) -> dict[str, int]:
        """For each other report, how many of ``doc_id``'s distinct passages it holds word for word."""
        rows = self.conn.execute(
            "SELECT c.doc_id, COUNT(DISTINCT c.text) FROM chunks c "
            "WHERE c.doc_id != ? AND c.text IN (SELECT text FROM chunks WHERE doc_id = ?) GROUP BY c.doc_id",
            (doc_id, doc_id),
        )
        return {r[0]: r[1] for r in rows}

    def chunk_count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
