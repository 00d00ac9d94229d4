"""The lexical index: FTS5 search, leaving out words that carry no BM25 weight and rows that cannot rank."""

import random
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.indexing.lexical import LexicalIndex, fts_query, query_words
from assistant.reading.chunking import chunk_document
from assistant.reading.loading import load_document


def _index(tmp_path: Path, reports: dict[str, str]) -> LexicalIndex:
    lexical = LexicalIndex(tmp_path / "lexical.sqlite3")
    for name, text in reports.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        doc = load_document(path, path.read_bytes())
        lexical.commit_document(doc, str(path), chunk_document(doc))
    return lexical


def _report(force: str, n: int) -> str:
    paras = "\n\n".join(
        f"2.{i} The service report records {n * 10 + i} items for {force} this year." for i in range(1, 8)
    )
    return f"TITLE: {force} Annual Service Report\n\n1. PURPOSE\n\n1.1 This report covers {force}.\n\n2. DETAIL\n\n{paras}\n"


def test_words_in_half_the_chunks_are_left_out_and_the_ranking_is_kept(tmp_path):
    lexical = _index(
        tmp_path, {f"r{i}.txt": _report(force, i) for i, force in enumerate(["Kent", "Surrey", "Dorset", "Essex"])}
    )
    question = "How many items does the service report record for Dorset?"
    words = query_words(question)
    kept = lexical.discriminating(words)
    assert "dorset" in kept and "items" not in kept and "report" not in kept and "service" not in kept
    full = lexical.conn.execute(
        "SELECT chunk_id FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 0, 0, 0, 1, 0) LIMIT 5",
        (f"body : ({fts_query(words)})",),
    ).fetchall()
    assert [c for c, _ in lexical.search(question, 5)] == [c for (c,) in full]
    assert lexical.discriminating(["report", "service"]) == ["report", "service"]  # nothing rarer: keep them all
    lexical.close()


_VOCABULARY = [f"w{i}" for i in range(400)]


def _zipf_report(rng: random.Random, n: int) -> str:
    """A report of random passages whose words follow a Zipf law: a few in most passages, most rare."""
    weights = [1 / (i + 1) for i in range(len(_VOCABULARY))]
    paras = "\n\n".join(
        f"2.{i} " + " ".join(rng.choices(_VOCABULARY, weights, k=rng.randint(8, 40))) + "." for i in range(1, 9)
    )
    public = "\n3. PUBLICATION\n\n3.1 This document can be disclosed to the public.\n" if n % 2 else ""
    return f"TITLE: Report {n}\n\n1. PURPOSE\n\n1.1 Report {n}.\n\n2. DETAIL\n\n{paras}\n{public}"


@pytest.fixture(scope="module")
def zipf_index(tmp_path_factory) -> LexicalIndex:
    rng = random.Random(7)
    tmp = tmp_path_factory.mktemp("zipf")
    lexical = _index(tmp, {f"r{n}.txt": _zipf_report(rng, n) for n in range(150)})
    yield lexical
    lexical.close()


@pytest.mark.parametrize("parts", [2, 6])
def test_pruned_ranking_is_the_one_query_ranking(zipf_index, monkeypatch, parts):
    """Reading rows by their rarest word gives exactly the rows, order and scores of one query over every word."""
    monkeypatch.setattr("assistant.indexing.lexical._MAX_PARTS", parts)  # 2: the last part taking every remaining word
    lexical, rng = zipf_index, random.Random(11)
    docs = sorted(d.doc_id for d in lexical.documents())
    for _ in range(120):
        words = rng.sample(_VOCABULARY[:60], rng.randint(1, 3)) + rng.sample(_VOCABULARY, rng.randint(1, 4))
        question = " ".join(words)
        for k, options in [(30, {}), (5, {}), (30, {"public_only": True}), (10, {"doc_ids": set(docs[::3])})]:
            lexical.prune_from = 10**12
            one = lexical.search(question, k, **options)
            lexical.prune_from = 0
            assert lexical.search(question, k, **options) == one, (question, k, options)


def test_a_rare_word_spares_scoring_the_rows_of_common_ones(tmp_path):
    rng = random.Random(3)

    def para(i: int, n: int) -> str:
        words = [w for w, share in [("budget", 0.3), ("quarter", 0.3)] if rng.random() < share]
        rare = "Airwave" if (n * 20 + i) % 100 == 0 else "radio"
        return f"2.{i} The {rare} {' '.join(words)} note {n}-{i} sits here among other words."

    reports = {
        f"r{n}.txt": f"TITLE: Report {n}\n\n2. DETAIL\n\n" + "\n\n".join(para(i, n) for i in range(1, 21))
        for n in range(50)
    }
    lexical = _index(tmp_path, reports)
    question = "Airwave budget quarter"
    lexical.prune_from = 10**12
    one, steps_one = lexical.search(question, 5), _steps(lexical, lambda: lexical.search(question, 5))
    lexical.prune_from = 0
    pruned, steps_pruned = lexical.search(question, 5), _steps(lexical, lambda: lexical.search(question, 5))
    assert pruned == one and len(one) == 5
    assert steps_pruned < steps_one / 3, (steps_pruned, steps_one)
    lexical.close()


def _steps(lexical: LexicalIndex, run) -> int:
    """SQLite virtual-machine steps ``run`` takes (in hundreds): the rows it reads, not the clock."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    lexical.conn.set_progress_handler(count, 100)
    try:
        run()
    finally:
        lexical.conn.set_progress_handler(None, 100)
    return steps[0]


def test_the_stemmer_is_the_index_tokenizer(tmp_path):
    lexical = LexicalIndex(tmp_path / "lexical.sqlite3")
    assert lexical.stemmer.tokens(["strategies", "services", "2018", "policing", "a_b"]) == [
        ["strategi"],
        ["servic"],
        ["2018"],
        ["polic"],
        ["a", "b"],
    ]
    lexical.close()


def test_counts_follow_the_index_as_reports_are_added(tmp_path):
    lexical = _index(tmp_path, {"a.txt": _report("Kent", 1), "b.txt": _report("Surrey", 2)})
    assert "kent" in lexical.discriminating(["kent", "items"])
    for i, force in enumerate(["Kent North", "Kent South", "Kent East"], 3):
        path = tmp_path / f"k{i}.txt"
        path.write_text(_report(force, i), encoding="utf-8")
        doc = load_document(path, path.read_bytes())
        lexical.commit_document(doc, str(path), chunk_document(doc))
    assert lexical.discriminating(["kent", "east"]) == ["east"]  # four of five reports now say Kent
    lexical.close()


def test_counts_follow_a_report_replaced_by_one_of_the_same_size(tmp_path):
    """The word counts bound the pruned ranking: a stale count would let it stop too early."""
    lexical = _index(
        tmp_path, {"a.txt": _report("Kent", 1), "b.txt": _report("Surrey", 2), "e.txt": _report("Essex", 3)}
    )
    assert dict(lexical._ranked(["kent", "dorset"])[0]) == {"kent": 9, "dorset": 0}
    (old,) = [d.doc_id for d in lexical.documents() if d.title.startswith("Kent")]
    lexical.remove_document(old)
    path = tmp_path / "c.txt"
    path.write_text(_report("Dorset", 1), encoding="utf-8")
    doc = load_document(path, path.read_bytes())
    lexical.commit_document(doc, str(path), chunk_document(doc))
    assert dict(lexical._ranked(["kent", "dorset"])[0]) == {"kent": 0, "dorset": 9}
    lexical.close()


def test_public_only_matches_public_reports_and_not_the_word_public(tmp_path):
    lexical = _index(
        tmp_path,
        {
            "open.txt": _report("Kent", 1)
            + "\n3. PUBLIC INTEREST\n\n3.1 This document can be disclosed to the public.\n",
            "closed.txt": _report("Surrey", 2)
            + "\n3. PUBLIC INTEREST\n\n3.1 Is there a Part 2 form - YES. Public interest test applies.\n",
        },
    )
    disclosure = {d.title: d.disclosure for d in lexical.documents()}
    assert disclosure == {"Kent Annual Service Report": "public", "Surrey Annual Service Report": "restricted"}
    titles = lambda hits: {lexical.chunks([c])[c][1]["title"] for c, _ in hits}  # noqa: E731
    assert titles(lexical.search("public interest items", 20)) == set(disclosure)
    assert titles(lexical.search("public interest items", 20, public_only=True)) == {"Kent Annual Service Report"}
    assert lexical.search("Surrey", 20, public_only=True) == []
    lexical.close()


def test_an_index_without_the_access_column_is_migrated(tmp_path):
    import sqlite3

    lexical = _index(
        tmp_path,
        {
            "open.txt": _report("Kent", 1) + "\n3.1 This document can be disclosed to the public.\n",
            "closed.txt": _report("Surrey", 2),
        },
    )
    before = lexical.search("items Surrey", 10)
    lexical.close()
    db = sqlite3.connect(tmp_path / "lexical.sqlite3")  # rebuild the FTS table as earlier versions wrote it
    with db:
        db.execute(
            "CREATE VIRTUAL TABLE old_fts USING fts5(chunk_id UNINDEXED, doc_id UNINDEXED, kind UNINDEXED, body, "
            "tokenize = 'porter unicode61')"
        )
        db.execute("INSERT INTO old_fts SELECT chunk_id, doc_id, kind, body FROM chunks_fts")
        db.execute("DROP TABLE chunks_terms")
        db.execute("DROP TABLE chunks_fts")
        db.execute("ALTER TABLE old_fts RENAME TO chunks_fts")
    db.close()
    lexical = LexicalIndex(tmp_path / "lexical.sqlite3")
    assert [c for c, _ in lexical.search("items Surrey", 10)] == [c for c, _ in before]
    assert lexical.search("Surrey", 10, public_only=True) == [] and lexical.search("Kent", 10, public_only=True)
    lexical.close()


def _fts_rows(lexical: LexicalIndex) -> dict[str, int]:
    return dict(lexical.conn.execute("SELECT chunk_id, rowid FROM chunks_fts"))


def test_removing_a_report_reads_its_own_rows_not_the_whole_index(tmp_path):
    forces = ["Kent", "Surrey", "Essex", "Dorset", "Durham", "Gwent", "Sussex", "Suffolk"]
    small = _index(tmp_path / "small", {f"{f}.txt": _report(f, i) for i, f in enumerate(forces[:2])})
    large = _index(tmp_path / "large", {f"{f}-{n}.txt": _report(f, n) for n in range(8) for f in forces})
    assert len(large.documents()) == 32 * len(small.documents())
    kent_small = next(d.doc_id for d in small.documents() if d.source.endswith("Kent.txt"))
    kent_large = next(d.doc_id for d in large.documents() if d.source.endswith("Kent-0.txt"))
    few = _steps(small, lambda: small.remove_document(kent_small))
    many = _steps(large, lambda: large.remove_document(kent_large))
    assert many < 3 * few, (few, many)  # a scan of the full-text table grows with the index (32x the reports)
    # and exactly that report's rows went: every other chunk keeps its full-text row
    remaining = {c for (c,) in large.conn.execute("SELECT chunk_id FROM chunks")}
    assert set(_fts_rows(large)) == remaining and not any(c.startswith(kent_large) for c in remaining)
    assert large.search("Kent", 100) and all(not c.startswith(kent_large) for c, _ in large.search("Kent", 100))
    small.close()
    large.close()


def test_an_index_without_full_text_links_is_linked_once(tmp_path):
    import sqlite3

    lexical = _index(tmp_path, {"kent.txt": _report("Kent", 1), "surrey.txt": _report("Surrey", 2)})
    rows = _fts_rows(lexical)
    surrey = next(d.doc_id for d in lexical.documents() if d.source.endswith("surrey.txt"))
    lexical.close()
    db = sqlite3.connect(tmp_path / "lexical.sqlite3")  # the chunks table as earlier versions wrote it
    with db:
        db.execute("ALTER TABLE chunks DROP COLUMN fts_rowid")
    db.close()
    lexical = LexicalIndex(tmp_path / "lexical.sqlite3")
    linked = dict(lexical.conn.execute("SELECT chunk_id, fts_rowid FROM chunks"))
    assert linked == rows
    # the conversion's write-ahead log is written back and emptied, and never kept at a large size
    assert (tmp_path / "lexical.sqlite3-wal").stat().st_size == 0
    assert lexical.conn.execute("PRAGMA journal_size_limit").fetchone()[0] == 64 * 1024 * 1024
    lexical.remove_document(surrey)
    assert set(_fts_rows(lexical)) == {c for c in rows if not c.startswith(surrey)} != set()
    lexical.close()


def test_opening_the_index_again_leaves_its_log_to_the_connections_using_it(tmp_path):
    """A second LexicalIndex on the same file in one process (the app's upload once opened one)
    must not drop the first one's locks: another process closing the database would then think
    itself the last user and delete the write-ahead log under the app ("disk I/O error")."""
    db = tmp_path / "lexical.sqlite3"
    first = LexicalIndex(db)
    assert first.documents() == []  # a read: the connection now holds its shared lock
    wal = db.with_name(db.name + "-wal")
    assert wal.exists()
    LexicalIndex(db).documents()
    reader = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM documents').fetchall(); c.close()"
    subprocess.run([sys.executable, "-c", reader, str(db)], check=True)
    assert wal.exists(), "another process deleted the log while this one's connections were open"
    assert first.documents() == []
    first.close()
