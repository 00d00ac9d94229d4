"""Query latency, accuracy, cold start and serve memory on a (large) index.

Usage: python bench/scale_bench.py --index DIR --questions FILE [--sample 300] [--chroma-server] [--serve-memory]

- cold start: wall time of `assistant ask --json` in a fresh process, to its first answer;
- warm `ask` and `search` p50 / p95 (extractive answerer) and answer accuracy on a sample of the
  questions (bench/synth.py writes them for its archive);
- --chroma-server: the same warm figures with the vectors served by `chroma run` over the
  index's own Chroma folder (ASSISTANT_CHROMA_URL), the lexical index local;
- --serve-memory: peak RSS of `assistant serve` over the index after answering questions.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import add_user, assistant_command, chroma_run, free_port, latency, running, serve_args

import assistant  # noqa: F401  (offline environment)
from assistant.api import Assistant
from assistant.disclosure import PUBLIC
from assistant.documents import Filters
from assistant.evaluation import load_questions, run, summarise
from assistant.settings import Settings


def cold_start(index: Path, question: str) -> float:
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "assistant", "ask", question, "--json", "--index", str(index)],
            check=True,
            capture_output=True,
            env={**os.environ, "ASSISTANT_AUDIT_DB": str(Path(tmp) / "audit.sqlite3")},
        )
    return time.perf_counter() - t


def warm(settings: Settings, items: list[dict], label: str) -> None:
    a = Assistant(settings=settings)
    try:
        t = time.perf_counter()
        a.ask("warm-up question about the budget")
        print(f"[{label}] process warm-up (model load + first query): {time.perf_counter() - t:.2f} s")
        summary = summarise(run(a, items))
        print(
            f"[{label}] answer accuracy {summary['answer_accuracy']}, evidence hit@1/@3/@5 "
            f"{summary['evidence_hit@1']}/{summary['evidence_hit@3']}/{summary['evidence_hit@5']} on {len(items)} questions"
        )
        print(f"[{label}] ask: p50={summary['latency_ms_p50']} ms p95={summary['latency_ms_p95']} ms")
        questions = [i["question"] for i in items]
        print(f"[{label}] " + latency("search", lambda q: a.search(q, k=10), questions, 1))
        public = Filters(clearance=PUBLIC)  # a staff user: the disclosure filter inside both store queries
        print(f"[{label}] " + latency("ask, public clearance", lambda q: a.ask(q, public), questions, 1))
    finally:
        a.close()


def serve_memory(index: Path, items: list[dict]) -> None:
    from gradio_client import Client

    with tempfile.TemporaryDirectory() as tmp:
        users = Path(tmp) / "users.json"
        add_user("bench", "admin", users, "bench-pass-word")
        port = free_port()
        env = {**os.environ, "ASSISTANT_AUDIT_DB": str(Path(tmp) / "audit.sqlite3")}
        command = assistant_command(*serve_args(index, users, port))
        with running(command, f"http://127.0.0.1:{port}/", env=env) as proc:
            client = Client(f"http://127.0.0.1:{port}", auth=("bench", "bench-pass-word"), verbose=False)
            for item in items[:50]:
                client.predict(item["question"], api_name="/ask")
                client.predict(item["question"], 20, [], None, [], "", api_name="/search")
            status = Path(f"/proc/{proc.pid}/status").read_text()
            peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
            now = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
            print(f"assistant serve: peak RSS {peak / 1024:.0f} MB, RSS now {now / 1024:.0f} MB after 100 requests")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--questions", required=True)
    ap.add_argument("--sample", type=int, default=300)
    ap.add_argument("--chroma-server", action="store_true")
    ap.add_argument("--serve-memory", action="store_true")
    args = ap.parse_args()
    index = Path(args.index)
    items = load_questions([Path(args.questions)])
    random.Random(1).shuffle(items)
    items = items[: args.sample]
    db = sqlite3.connect(index / "lexical.sqlite3")
    chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    db.close()
    print(f"index {index}: {chunks} chunks")
    print(
        f"cold start (`assistant ask`, fresh process, to the first answer): "
        f"{cold_start(index, items[0]['question']):.2f} s, {cold_start(index, items[1]['question']):.2f} s"
    )
    warm(Settings(index_dir=index), items, "embedded")
    if args.chroma_server:
        port = free_port()
        with running(chroma_run(index / "chroma", port), f"http://127.0.0.1:{port}/api/v2/heartbeat"):
            warm(Settings(index_dir=index, chroma_url=f"http://127.0.0.1:{port}"), items, "chroma server")
    if args.serve_memory:
        serve_memory(index, items)
    return 0


if __name__ == "__main__":
    sys.exit(main())
