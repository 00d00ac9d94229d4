"""The lexical index: FTS5 search, and leaving out words that carry no BM25 weight."""

from pathlib import Path

from assistant.chunking import chunk_document
from assistant.lexical import LexicalIndex, fts_query, query_words
from assistant.loading import load_document


def _index(tmp_path: Path, reports: dict[str, str]) -> LexicalIndex:
    lexical = LexicalIndex(tmp_path / "lexical.sqlite3")
    for name, text in reports.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        doc = load_document(path, path.read_bytes())
        lexical.commit_document(doc, str(path), chunk_document(doc))
    return lexical


def _report(force: str, n: int) -> str:
    paras = "\n\n".join(f"2.{i} The service report records {n * 10 + i} items for {force} this year." for i in range(1, 8))
    return f"TITLE: {force} Annual Service Report\n\n1. PURPOSE\n\n1.1 This report covers {force}.\n\n2. DETAIL\n\n{paras}\n"


def test_words_in_half_the_chunks_are_left_out_and_the_ranking_is_kept(tmp_path):
    lexical = _index(tmp_path, {f"r{i}.txt": _report(force, i) for i, force in enumerate(["Kent", "Surrey", "Dorset", "Essex"])})
    question = "How many items does the service report record for Dorset?"
    words = query_words(question)
    kept = lexical.discriminating(words)
    assert "dorset" in kept and "items" not in kept and "report" not in kept and "service" not in kept
    full = lexical.conn.execute(
        "SELECT chunk_id FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT 5", (fts_query(words),)).fetchall()
    assert [c for c, _ in lexical.search(question, 5)] == [c for (c,) in full]
    assert lexical.discriminating(["report", "service"]) == ["report", "service"]  # nothing rarer: keep them all
    lexical.close()


def test_the_stemmer_is_the_index_tokenizer(tmp_path):
    lexical = LexicalIndex(tmp_path / "lexical.sqlite3")
    assert lexical.stemmer(["strategies", "services", "2018", "policing"]) == ["strategi", "servic", "2018", "polic"]
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
