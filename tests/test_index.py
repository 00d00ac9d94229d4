"""The index: owner-only on disk, and through a real Chroma server (``chroma run``) started by the test."""

import os
import shutil
import stat
import time

import pytest
from common import chroma_run
from conftest import GWENT_TXT, TEXTS, free_port, local_server
from crashpoints import HOLD_ENV, Launched, read

from assistant.answering.retrieval import search
from assistant.indexing.index import Index
from assistant.indexing.ingest import ingest
from assistant.indexing.store import VectorStore
from assistant.settings import Settings


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def loose_umask():
    """A login's usual umask (files 0644, folders 0755) while the test runs."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _loosen(folder) -> None:
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)
    os.chmod(folder, 0o755)


def test_a_new_index_is_owner_only_whatever_the_umask(fast_settings, gwent_dir, loose_umask):
    summary = ingest([gwent_dir], fast_settings, progress=False)
    assert summary.failed == 0
    index_dir = fast_settings.index_dir
    assert _mode(index_dir) == 0o700 and _mode(index_dir / "chroma") == 0o700
    assert _mode(index_dir / "lexical.sqlite3") == 0o600
    for journal in index_dir.glob("lexical.sqlite3-*"):  # SQLite gives them the database's mode
        assert _mode(journal) == 0o600, journal.name


def test_an_existing_index_is_tightened_on_open(tmp_path, fast_settings, gwent_dir, loose_umask):
    ingest([gwent_dir], fast_settings, progress=False)
    index_dir = fast_settings.index_dir
    (index_dir / "page-images").mkdir()
    (index_dir / "page-images" / "d-p1-x.png").write_bytes(b"png")
    outside = tmp_path / "outside.txt"
    outside.write_text("not the index's")
    (index_dir / "link.txt").symlink_to(outside)
    theirs = index_dir / "theirs.txt"
    theirs.write_text("another user's file")
    _loosen(index_dir)
    os.chown(theirs, 65534, 65534)
    before = sum(1 for _ in index_dir.rglob("*"))
    assert _mode(index_dir / "lexical.sqlite3") == 0o644 and _mode(index_dir / "chroma") == 0o755

    Index(fast_settings).close()

    assert _mode(index_dir) == 0o700
    checked = 0
    for path in index_dir.rglob("*"):
        if path.is_symlink() or path == theirs:
            continue
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
        checked += 1
    assert checked == before - 2 and checked > 5
    assert _mode(outside) == 0o644, "a link is not followed"
    assert _mode(theirs) == 0o644, "another user's file is theirs to keep"


@pytest.fixture
def chroma_server(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with local_server(chroma_run(tmp_path / "chroma-server", port), f"{url}/api/v2/heartbeat", timeout=60):
        yield url


@pytest.mark.server
@pytest.mark.slow
def test_ingest_and_query_through_chroma_server(tmp_path, chroma_server):
    folder = tmp_path / "r"
    folder.mkdir()
    shutil.copy(GWENT_TXT, folder / GWENT_TXT.name)
    settings = Settings(index_dir=tmp_path / "idx", chroma_url=chroma_server)
    summary = ingest([folder], settings, progress=False)
    assert summary.failed == 0 and summary.chunks > 50
    index = Index(settings)
    try:
        assert index.vectors.count() == summary.chunks
        assert not (tmp_path / "idx" / "chroma").exists(), "server mode keeps no embedded store"
        hits = search(index, "How many requests for service did the service desk receive?", k=3)
        assert any("24,635" in h.text and h.paragraph == "3.6" for h in hits)
    finally:
        index.close()
    again = ingest([folder], settings, progress=False)
    assert again.embedded == 0


@pytest.mark.server
@pytest.mark.slow
def test_app_processes_share_the_chroma_server_and_the_lexical_index_while_one_ingests(tmp_path, chroma_server):
    """The shared deployment: one process ingests (vectors to the server, registry and FTS5 to the
    SQLite file in WAL mode) while another answers from the same index; nothing fails or half-appears."""
    folder = tmp_path / "r"
    folder.mkdir()
    for f in sorted(TEXTS.glob("*.txt")):
        shutil.copy(f, folder / f.name)
    settings = Settings(index_dir=tmp_path / "idx", chroma_url=chroma_server)
    seed = tmp_path / "seed"
    seed.mkdir()
    shutil.copy(GWENT_TXT, seed / GWENT_TXT.name)
    ingest([seed], settings, progress=False)
    # The writer runs the real command line, reporting its steps (tests/crashpoints.py), and waits at the
    # first batch of its second embed (its first file or two committed, the rest to come) until the
    # reader has answered from that in-between index.
    hold = tmp_path / "hold"
    hold.write_text("batch 2", encoding="utf-8")
    env = {
        **os.environ,
        "ASSISTANT_CHROMA_URL": chroma_server,
        "ASSISTANT_EMBED_BUFFER": "100",  # commit a file or two at a time
        HOLD_ENV: str(hold),
    }
    marker = tmp_path / "ingest.lines"
    writer = Launched(
        ["ingest", str(folder), "--index", str(tmp_path / "idx"), "--no-progress"], marker, env, tmp_path / "ingest.log"
    )
    index = Index(settings)
    between = []
    deadline = time.monotonic() + 600
    try:
        while writer.proc.poll() is None:
            assert time.monotonic() < deadline, read(marker)
            holding = hold.exists() and any(line.startswith("hold ") for line in read(marker))
            hits = search(index, "How many requests for service did the service desk receive?", k=3)
            assert any("24,635" in h.text for h in hits)
            registered = index.lexical.doc_ids()
            assert all(h.metadata["doc_id"] in registered for h in hits)  # only committed reports answer
            if holding:  # answered while the writer had committed some reports and not the others
                committed = sum(line.startswith("leave commit ") for line in read(marker))
                between.append((1 + committed, len(registered)))
                hold.unlink()  # the writer goes on
        assert writer.proc.returncode == 0, (tmp_path / "ingest.log").read_text(errors="replace")
        assert len(between) == 1 and between[0][0] == between[0][1] and 1 < between[0][1] < 5, between
        assert len(index.lexical.doc_ids()) == 5
        registry = sum(d.chunks for d in index.lexical.documents())
        assert index.lexical.chunk_count() == registry == index.vectors.count()
    finally:
        writer.close()
        index.close()


@pytest.mark.server
@pytest.mark.slow
def test_queries_during_a_new_collections_first_writes_succeed(tmp_path, chroma_server):
    """The server briefly has no HNSW segment for a collection receiving its first vectors."""
    import random
    import threading

    store = VectorStore(Settings(index_dir=tmp_path / "idx", chroma_url=chroma_server))
    rng = random.Random(3)
    vector = lambda: [rng.uniform(-1, 1) for _ in range(384)]  # noqa: E731
    batches = [[vector() for _ in range(100)] for _ in range(20)]

    queries, failures = 0, []
    asked = threading.Condition()

    def write() -> None:
        try:
            for b, embeddings in enumerate(batches):
                ids = [f"doc{b}:{i}" for i in range(100)]
                store.upsert(ids, embeddings, ["text"] * 100, [{"doc_id": f"doc{b}", "disclosure": "public"}] * 100)
                with asked:  # the next write waits until a query made after this one has been answered
                    seen = queries
                    if not asked.wait_for(lambda seen=seen: queries >= seen + 2, timeout=120):
                        failures.append(f"no query answered after write {b}")
                        return
        except Exception as exc:  # noqa: BLE001 - the test fails on it below
            failures.append(repr(exc))

    writer = threading.Thread(target=write)
    writer.start()
    while writer.is_alive():
        store.query([0.1] * 384, 5, public_only=True)  # raised InternalError before the retry
        with asked:
            queries += 1
            asked.notify_all()
    writer.join()
    assert failures == []
    assert queries >= 2 * len(batches) and len(store.query([0.1] * 384, 5, public_only=True)) == 5
