"""The index through a real Chroma server (``chroma run``) started by the test."""

import shutil
import sys
from pathlib import Path

import pytest

from assistant.index import Index
from assistant.ingest import ingest
from assistant.retrieval import search
from assistant.settings import Settings
from conftest import GWENT_TXT, free_port, local_server

pytestmark = [pytest.mark.server, pytest.mark.slow]


@pytest.fixture
def chroma_server(tmp_path):
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "chroma")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(exe), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "chroma-server")]
    with local_server(command, f"{url}/api/v2/heartbeat", timeout=60):
        yield url


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
