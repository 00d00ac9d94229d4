"""Crash safety: an ingest and the server are killed (SIGKILL: no clean-up runs) inside known steps of
their work; the index still answers, nothing is duplicated, and the audit log stays readable and unbroken.

Each process runs the real command line through ``tests/crashpoints.py``, which reports "enter X" /
"leave X" as it goes (a pipe for the kill, a file for the record). A kill is sent when the process
reports that it has entered the chosen step, and counts only if the file, read once the process is
dead, shows that the step was not left: a kill that landed after the step is tried again.
"""

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest
from common import BrowserUser, add_user, free_port, serve_args
from conftest import ROOT, TEXTS
from crashpoints import Launched, unfinished

pytestmark = [pytest.mark.slow, pytest.mark.server]
QUESTION = "How many requests for service did the service desk receive in 2018/19?"
GWENT = "gwent-ict-digital-services-annual-report-2018-19"  # the report that answers it: 24,635
PASSWORD = "crash-test-pass"
ATTEMPTS = 8  # tries to land one kill inside its step before the test fails
BATCH = 16  # passages per embedding batch in the killed ingests (every report has three batches or more)
# What the server's death may do to a request under way (or sent after it): nothing else is tolerated.
SERVER_GONE = (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


def _cli(*args, env=None, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout
    )


def _registered(index, source: str = "") -> int:
    """Reports in the index's registry (whose file name holds ``source``)."""
    db_path = index / "lexical.sqlite3"
    if not db_path.exists():
        return 0
    db = sqlite3.connect(db_path)
    try:
        return db.execute("SELECT COUNT(*) FROM documents WHERE source LIKE ?", (f"%{source}%",)).fetchone()[0]
    except sqlite3.OperationalError:  # killed before the registry's tables were made
        return 0
    finally:
        db.close()


def test_kills_inside_ingest_and_answer_steps_leave_a_consistent_index_and_audit_log(tmp_path):
    from load_bench import check_index

    from assistant.audit import AuditLog

    reports = tmp_path / "reports"
    reports.mkdir()
    texts = sorted(TEXTS.glob("*.txt"))
    for f in texts:
        shutil.copy(f, reports / f.name)
    index = tmp_path / "index"
    env = {
        **os.environ,
        "ASSISTANT_AUDIT_DB": str(tmp_path / "audit.sqlite3"),
        # One report per embed-and-commit, in batches of BATCH passages: each report has its own steps
        # (at least three batches, its vectors written, its registry row committed) to be killed in.
        "ASSISTANT_EMBED_BUFFER": "1",
        "ASSISTANT_EMBED_BATCH_SIZE": str(BATCH),
    }
    # A seed whose points spread over the reports, the one answering QUESTION indexed before the server runs.
    rng = random.Random(3)
    kills: list[str] = []

    # 1. Three ingests, each killed inside another step of one report's indexing.
    steps = ["embedding", "upsert", "commit"]
    rng.shuffle(steps)
    for run, step in enumerate(steps, 1):
        left = len(texts) - _registered(index)
        assert left > 0, kills
        report = rng.randint(1, left - (len(steps) - run))  # its place among this run's: later runs have work left
        kills.append(_kill_ingest(tmp_path, run, step, report, rng.randint(1, 2), reports, index, env))

    # 2. The server, killed twice inside a question: while answering it, and while auditing the answer.
    users = tmp_path / "users.json"
    add_user("ada", "admin", users, PASSWORD, cwd=ROOT)
    # The server opens the index in whatever state the kills left it.
    for run, step in enumerate(("ask", "audit"), 1):
        kills.append(_kill_server(tmp_path, run, step, rng.randint(2, 5), index, users, env))
    print("\n".join(kills))

    # 3. Afterwards: the audit log is readable and unbroken, one more ingest completes the index,
    #    nothing is duplicated, and the index answers.
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert AuditLog(tmp_path / "audit.sqlite3").verify() == []
    done = _cli("ingest", str(reports), "--index", str(index), "--json", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    check = check_index(index)
    assert check["documents"] == len(texts), (kills, check)
    assert all(
        check[k] for k in ("lexical_matches_registry", "vectors_match_registry", "fts_rows_unique", "vector_ids_unique")
    ), (kills, check)
    again = json.loads(_cli("ingest", str(reports), "--index", str(index), "--json", env=env).stdout)
    assert again["embedded"] == 0  # nothing left half-done
    answer = json.loads(_cli("ask", QUESTION, "--json", "--index", str(index), env=env).stdout)
    assert "24,635" in answer["answer"], kills


def _kill_ingest(tmp_path, run, step, report, batch, reports, index, env) -> str:
    """Kill ``assistant ingest`` inside ``step`` of the ``report``-th report it indexes: "embedding"
    (after its ``batch``-th batch, during the next), "upsert" (writing its vectors) or "commit" (its registry row)."""
    total = sum(1 for _ in reports.iterdir())
    for attempt in range(1, ATTEMPTS + 1):
        before = _registered(index)
        # A missed attempt may have committed reports: aim at the same place among those still to do.
        assert before < total, f"ingest {run}: every report was indexed before a kill landed inside {step}"
        n = str(min(report, total - before))

        def wanted(line: str, n: str = n) -> bool:
            if step == "embedding":  # its batch-th batch is done, and it has more
                return line.startswith(f"batch {n} ") and line.split()[2].startswith(f"{BATCH * batch}/")
            return line.split()[:3] == ["enter", step, n]

        marker = tmp_path / f"ingest-{run}-{attempt}.lines"
        proc = Launched(["ingest", str(reports), "--index", str(index), "--no-progress"], marker, env)
        try:
            proc.wait_for(wanted, f"{step} of report {n}")
        finally:
            lines = proc.kill()
        name = next(line.split()[3] for line in lines if line.startswith(f"enter flush {n} "))
        committed = sum(line.startswith("leave commit ") for line in lines)
        if step == "embedding":
            landed = unfinished(lines, "flush") == f"flush {n}" and f"enter upsert {n}" not in lines
        else:
            landed = unfinished(lines, step) == f"{step} {n}"
        if not landed:  # the step ended before the kill: try again (this run's work stays done)
            continue
        # A report counts as indexed once its registry row is committed, and not before.
        after = _registered(index)
        if step == "commit":  # killed inside the commit: it happened or it did not, wholly
            assert after in (before + committed, before + committed + 1), (lines, before, after)
        else:
            assert after == before + committed, (lines, before, after)
        return (
            f"ingest {run}: killed inside report {n} ({name})'s {step}, attempt {attempt}; its last line "
            f"{lines[-1]!r}; reports registered {before} -> {after}"
        )
    raise AssertionError(f"ingest {run}: no kill landed inside {step} of report {n} in {ATTEMPTS} attempts")


def _kill_server(tmp_path, run, step, question, index, users, env) -> str:
    """Kill ``assistant serve`` inside ``step`` ("ask": answering, "audit": writing its audit entry) of
    the ``question``-th question, asked over and over by one signed-in user."""
    for attempt in range(1, ATTEMPTS + 1):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        marker = tmp_path / f"serve-{run}-{attempt}.lines"
        proc = Launched(serve_args(index, users, port), marker, env, log=tmp_path / f"serve-{run}-{attempt}.log")
        asker = None
        figure = _registered(index, GWENT)  # the report holding the answer is indexed: the answer gives it
        try:
            user = _signed_in(url, proc)
            asker = _Asker(user)
            asker.start()
            proc.wait_for(lambda line: line == f"enter {step} {question}", f"{step} of question {question}")
        finally:
            if asker:
                asker.killed.set()
            lines = proc.kill()
        if asker:
            asker.join(timeout=120)
            assert not asker.is_alive(), "a question went on after the server was killed"
            assert asker.unexpected == [], asker.unexpected  # only the connection errors of a dead server
        if f"leave {step} {question}" in lines:  # it ended before the kill: try again
            continue
        # Every question before this one was answered (from the reports indexed so far); this one never came back.
        assert asker.answers == [figure > 0] * (question - 1), (asker.answers, figure, lines)
        return (
            f"serve {run}: killed inside question {question}'s {step}, attempt {attempt}; its last line "
            f"{lines[-1]!r}; the asker saw {asker.ended}"
        )
    raise AssertionError(f"serve {run}: no kill landed inside {step} of question {question} in {ATTEMPTS} attempts")


def _signed_in(url: str, proc: Launched, timeout: float = 180.0) -> BrowserUser:
    """A user signed in to the server once it listens; fails if it exits or never listens."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return BrowserUser(url, "ada", PASSWORD)
        except httpx.ConnectError:
            assert proc.proc.poll() is None, f"the server exited ({proc.proc.returncode}) before it listened"
            assert time.monotonic() < deadline, f"the server did not listen within {timeout:.0f} s"
            time.sleep(0.3)


class _Asker(threading.Thread):
    """Asks QUESTION until the server dies; records each answer (right or not) and every error not
    caused by the kill."""

    def __init__(self, user: BrowserUser) -> None:
        super().__init__(daemon=True)
        self.user = user
        self.killed = threading.Event()  # set before the kill: errors from then on may be the kill's
        self.answers: list[bool] = []
        self.unexpected: list[str] = []
        self.ended = ""  # the error that ended the asking

    def run(self) -> None:
        try:
            while True:
                try:
                    reply = _reply(self.user.call("ask", QUESTION))
                except SERVER_GONE as exc:
                    self.ended = type(exc).__name__
                    if not self.killed.is_set():
                        self.unexpected.append(f"before the kill: {type(exc).__name__}: {exc}")
                    return
                except Exception as exc:  # noqa: BLE001 - recorded, and the test fails on it
                    self.unexpected.append(f"{type(exc).__name__}: {exc}")
                    return
                if self.killed.is_set():  # answered after the kill was decided: not counted
                    continue
                if "Searching the reports" in reply:
                    self.unexpected.append(f"not an answer: {reply}")
                    return
                self.answers.append("24,635" in reply)
        finally:
            self.user.close()


def _reply(out: list) -> str:
    """The answer in an ask event's outputs: the text of the chat's last message, the assistant's."""
    last = out[0][-1]
    assert last["role"] == "assistant", last
    return " ".join(part.get("text", "") for part in last["content"])
