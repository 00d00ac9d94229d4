import csv
import io
import json
import shutil
from contextlib import redirect_stdout

import pytest
from conftest import GWENT_TXT

from assistant.cli import main
from assistant.settings import get_settings


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, fake_encoder):
    """The commands run in this process, embedding with the hashing encoder and auditing to a log of their own."""
    root = tmp_path_factory.mktemp("cli")
    (root / "r").mkdir()
    shutil.copy(GWENT_TXT, root / "r" / GWENT_TXT.name)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ASSISTANT_EMBEDDING_MODEL", str(fake_encoder))
        env.setenv("ASSISTANT_AUDIT_DB", str(root / "audit.sqlite3"))
        get_settings.cache_clear()
        assert main(["ingest", str(root / "r"), "--index", str(root / "idx"), "--no-progress"]) == 0
        yield root / "idx"
    get_settings.cache_clear()


def run(args: list[str]) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(args) == 0
    return buf.getvalue()


def test_search_json_has_citation_fields(index_dir):
    out = json.loads(run(["search", "requests for service 2018/19", "--index", str(index_dir), "--json", "--k", "3"]))
    assert out["results"] and out["latency_ms"] >= 0
    first = out["results"][0]
    for key in ("document", "source", "page", "paragraph", "heading", "text", "score"):
        assert key in first
    assert any("24,635" in r["text"] for r in out["results"])


def test_search_csv_export(index_dir):
    rows = list(csv.DictReader(io.StringIO(run(["search", "Airwave variance", "--index", str(index_dir), "--csv"]))))
    assert rows and rows[0]["rank"] == "1" and rows[0]["document"].startswith("Annual Report")


def test_search_report_filter(index_dir):
    out = json.loads(run(["search", "budget", "--index", str(index_dir), "--json", "--report", "no-such-report"]))
    assert out["results"] == []


def test_searches_and_questions_are_audited_as_the_operating_system_user(index_dir):
    import getpass

    from assistant.audit import AuditLog

    run(["search", "Airwave variance", "--index", str(index_dir), "--json", "--clearance", "public"])
    run(["ask", "How many requests for service were there in 2018/19?", "--index", str(index_dir), "--json"])
    log = AuditLog(index_dir.parent / "audit.sqlite3")
    try:
        ask, search = log.entries(limit=2)
    finally:
        log.close()
    assert (search["action"], search["user"], search["role"], search["clearance"]) == (
        "search",
        getpass.getuser(),
        "cli",
        "public",
    )
    assert search["query"] == "Airwave variance"
    assert (ask["action"], ask["clearance"], ask["answerer"]) == ("ask", "restricted", "extractive")
    assert json.loads(ask["chunk_ids"]) and "latency_ms" in json.loads(ask["detail"])


def test_a_running_server_answers_the_command_line_as_it_would_itself(index_dir):
    from assistant.api import Assistant
    from assistant.audit import AuditLog
    from assistant.cli import run_in_server
    from assistant.local import serving

    question = ["ask", "How many requests for service were there in 2018/19?", "--index", str(index_dir), "--json"]
    own = json.loads(run([*question, "--no-server"]))
    settings = get_settings().with_index(str(index_dir))
    log = AuditLog.open(settings)
    before = len(log.entries(limit=None))
    served: list = []
    with Assistant(settings=settings) as shared:

        def answer(argv: list[str]) -> tuple[int, str]:
            served.append(argv)
            return run_in_server(argv, shared)

        with serving(index_dir, answer):
            remote = json.loads(run(question))
    assert served == [question]
    own.pop("latency_ms"), remote.pop("latency_ms")
    assert remote == own and "24,635" in remote["answer"]
    entries = log.entries(limit=None)
    assert len(entries) == before + 1 and entries[0]["role"] == "cli" and entries[0]["action"] == "ask"
    log.close()
