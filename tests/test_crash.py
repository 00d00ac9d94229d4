"""Crash safety: kill an ingest or the server at random points; the index still answers, nothing is
duplicated, and the audit log stays readable and unbroken."""

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from common import add_user, assistant_command, serve_args
from conftest import ROOT, TEXTS, free_port

pytestmark = [pytest.mark.slow, pytest.mark.server]
QUESTION = "How many requests for service did the service desk receive in 2018/19?"


def _cli(*args, env=None, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout
    )


def test_random_kills_leave_a_consistent_index_and_audit_log(tmp_path):
    from gradio_client import Client
    from load_bench import check_index

    from assistant.audit import AuditLog

    reports = tmp_path / "reports"
    reports.mkdir()
    texts = sorted(TEXTS.glob("*.txt"))
    for f in texts:
        shutil.copy(f, reports / f.name)
    index = tmp_path / "index"
    env = {**os.environ, "ASSISTANT_AUDIT_DB": str(tmp_path / "audit.sqlite3")}
    rng = random.Random(20261123)
    kills = []

    # 1. Ingest, killed at random points (-9: no clean-up runs), three times.
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "ingest", str(reports), "--index", str(index), "--no-progress"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        delay = rng.uniform(3, 14)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills.append(("ingest", round(delay, 1)))

    # 2. The server, killed mid-question at random points, twice.
    users = tmp_path / "users.json"
    add_user("ada", "admin", users, "crash-test-pass", cwd=ROOT)
    # The server opens (or creates) the index in whatever state the kills left it.
    for _ in range(2):
        port = free_port()
        server = subprocess.Popen(
            assistant_command(*serve_args(index, users, port)),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.time() + 120
            client = None
            while client is None:
                try:
                    client = Client(f"http://127.0.0.1:{port}", auth=("ada", "crash-test-pass"), verbose=False)
                except Exception:
                    assert time.time() < deadline and server.poll() is None, "the server did not start"
                    time.sleep(0.5)
            asking = threading.Thread(
                target=lambda client=client: [_safe(client.predict, QUESTION, api_name="/ask") for _ in range(20)]
            )
            asking.start()
            delay = rng.uniform(0.2, 3)
            time.sleep(delay)
            kills.append(("server", round(delay, 1)))
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait()
        asking.join(timeout=60)

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


def _safe(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except Exception:  # the server was killed under it
        return None
