"""Eight users at once against `assistant serve` while an upload is ingested (bench/load_bench.py, shortened)."""

import pytest
from conftest import TEXTS


@pytest.mark.server
@pytest.mark.slow
def test_eight_users_during_an_ingest_lose_and_duplicate_nothing(tmp_path):
    from load_bench import run_load

    texts = sorted(TEXTS.glob("*.txt"))
    result = run_load(8, 20, tmp_path, texts[:2], texts[2:4])
    summary = result.summary()
    print(summary)  # the latency figures, in the test log
    assert result.errors == []
    assert result.upload.count("indexed") == 2
    assert summary["ask_n"] > 0 and summary["search_n"] > 0
    c = result.consistency
    assert c["documents"] == 4
    assert (
        c["lexical_matches_registry"]
        and c["vectors_match_registry"]
        and c["fts_rows_unique"]
        and c["vector_ids_unique"]
    )
    assert c["audited_questions_and_searches"] == result.calls  # every question and search is in the audit log
