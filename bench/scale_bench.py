"""Query latency, accuracy, cold start, index open time, memory and disk on a (large) index,
and how they grow with the archive.

Usage:
  python bench/scale_bench.py --index DIR --questions FILE [--sample 300] [--chroma-server] [--serve-memory]
  python bench/scale_bench.py --index DIR --questions FILE --grow REPORTS_DIR \\
      --steps 125000,500000,1000000 [--sample 200] [--chroma-server] [--serve-memory]

- cold start: wall time of `assistant ask --json --no-server` in a fresh process, to its answer;
- open: in a fresh process with the model loaded, opening the index and its first search;
- warm `ask` and `search` p50 / p95 (extractive answerer), `ask` as a public-clearance user, and
  answer accuracy on a sample of the questions about reports in the index (bench/synth.py
  writes them for its archive);
- --chroma-server: the same warm figures with the vectors served by `chroma run` over the
  index's own Chroma folder (ASSISTANT_CHROMA_URL), the lexical index local;
- the library listing: the registry read and its size as JSON, which the app sends at every page
  load (the library table and the report lists);
- --serve-memory: peak RSS of `assistant serve` over the index after answering 100 requests, and
  (with Chromium) a browser's wait from signing in to the signed-in page;
- --grow: ingest the reports of REPORTS_DIR (in the order bench/synth.py made them) into the index
  until it holds each step's number of passages, measuring all of the above at each step, then
  print a table. The passages' vectors are simulated (bench/simvectors.py: word-mean vectors in
  the model's space); questions are encoded by the real model. Build time is the ingest's wall
  time for the step, peak RSS its process's.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from chromadb.api.shared_system_client import SharedSystemClient
from common import (
    CHROMIUM,
    CHROMIUM_ARGS,
    BrowserUser,
    add_user,
    assistant_command,
    chroma_run,
    fill_sign_in,
    free_port,
    p50_p95,
    running,
    serve_args,
    spread,
    timings,
)

import assistant  # noqa: F401  (offline environment)
from assistant.api import Assistant
from assistant.documents import Filters
from assistant.evaluation import load_questions, run, summarise
from assistant.reading.disclosure import PUBLIC
from assistant.settings import Settings

HERE = Path(__file__).resolve().parent
_OPEN = """
import json, sys, time
import assistant
from assistant.api import Assistant
from assistant.indexing.embedding import get_encoder
from assistant.settings import Settings
t = time.perf_counter()
get_encoder(None).embed_query("warm-up")
t1 = time.perf_counter()
a = Assistant(settings=Settings(index_dir=sys.argv[1])).load()
a.retrieve("annual report budget")
print(json.dumps({"model_s": t1 - t, "open_s": time.perf_counter() - t1}))
"""


def _quiet_env(tmp: str) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_AUDIT_DB": str(Path(tmp) / "audit.sqlite3")}


def cold_start(index: Path, question: str) -> float:
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "assistant", "ask", question, "--json", "--no-server", "--index", str(index)],
            check=True,
            capture_output=True,
            env=_quiet_env(tmp),
        )
    return time.perf_counter() - t


def open_time(index: Path) -> dict[str, float]:
    """Seconds to load the model, then to open the index and answer its first search (fresh process)."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [sys.executable, "-c", _OPEN, str(index)], check=True, capture_output=True, text=True, env=_quiet_env(tmp)
        )
    return json.loads(done.stdout.splitlines()[-1])


def warm(settings: Settings, items: list[dict], label: str) -> dict:
    """Warm figures over ``items``: accuracy, ask, search and public-clearance ask (p50, p95 in ms)."""
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
        search = timings(lambda q: a.search(q, k=10), questions)
        print(f"[{label}] " + spread("search", search))
        public = Filters(clearance=PUBLIC)  # a staff user: the disclosure filter inside both store queries
        public_ask = timings(lambda q: a.ask(q, public), questions)
        print(f"[{label}] " + spread("ask, public clearance", public_ask))
        return {
            "accuracy": summary["answer_accuracy"],
            "ask": (summary["latency_ms_p50"], summary["latency_ms_p95"]),
            "search": p50_p95(search),
            "public ask": p50_p95(public_ask),
        }
    finally:
        a.close()


def serve_figures(index: Path, items: list[dict]) -> dict:
    """Peak RSS (MB) of ``assistant serve`` over ``index`` after 50 questions and 50 searches, and
    the seconds a browser waits from signing in to the signed-in page with its library (Chromium)."""
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        users = Path(tmp) / "users.json"
        add_user("bench", "admin", users, "bench-pass-word")
        port = free_port()
        command = assistant_command(*serve_args(index, users, port))
        url = f"http://127.0.0.1:{port}"
        with running(command, url + "/", env=_quiet_env(tmp), timeout=900) as proc:
            if CHROMIUM.exists():
                figures["page load after sign-in s"] = round(page_load(url, "bench", "bench-pass-word"), 2)
            user = BrowserUser(url, "bench", "bench-pass-word")
            for item in items[:50]:
                user.call("ask", item["question"])
                user.call("search", item["question"], 20, [], None, [], "")
            user.close()
            status = Path(f"/proc/{proc.pid}/status").read_text()
            peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
            now = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
            print(f"assistant serve: peak RSS {peak / 1024:.0f} MB, RSS now {now / 1024:.0f} MB after 100 requests")
            figures["serve peak RSS MB"] = round(peak / 1024)
    return figures


def page_load(url: str, name: str, password: str) -> float:
    """Seconds from pressing Sign in to the app showing who is signed in (its library and report lists loaded)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(600_000)
            button = fill_sign_in(page, url, name, password)
            t = time.perf_counter()
            button.click()
            page.get_by_text("Signed in as").wait_for()
            seconds = time.perf_counter() - t
        finally:
            browser.close()
    print(f"browser: {seconds:.2f} s from Sign in to the signed-in page")
    return seconds


def library_listing(index: Path) -> dict[str, float]:
    """What the app reads and sends for the library table and report lists at every page load."""
    with Assistant(settings=Settings(index_dir=index)) as a:
        t = time.perf_counter()
        rows = a.reports()
        ms = (time.perf_counter() - t) * 1000
    size = len(json.dumps([dataclasses.astuple(r) for r in rows]))
    print(f"library listing: {len(rows)} reports read in {ms:.0f} ms, {size / 1e6:.1f} MB as JSON")
    return {"library listing ms / MB": (round(ms), round(size / 1e6, 1))}


def _megabytes(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_blocks * 512 for p in files) / 1e6  # allocated, as `du` counts


def _ingested(index: Path) -> tuple[int, set[str]]:
    """The index's passage count and the file stems of its reports."""
    if not (index / "lexical.sqlite3").exists():
        return 0, set()
    db = sqlite3.connect(index / "lexical.sqlite3")
    try:
        chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        stems = {Path(p).stem for (p,) in db.execute("SELECT path FROM documents")}
    finally:
        db.close()
    return chunks, stems


def measure(index: Path, items: list[dict], args: argparse.Namespace) -> dict:
    """Every figure for the index as it stands."""
    chunks, stems = _ingested(index)
    asked = [i for i in items if i["report"] in stems] if stems and "report" in items[0] else items
    asked = asked[: args.sample]
    print(f"index {index}: {chunks} chunks in {len(stems)} reports; {len(asked)} questions")
    row: dict = {"chunks": chunks}
    row["disk MB (chroma / lexical)"] = (
        round(_megabytes(index / "chroma")),
        round(_megabytes(index / "lexical.sqlite3")),
    )
    cold = [cold_start(index, asked[0]["question"]), cold_start(index, asked[1]["question"])]
    print(
        f"cold start (`assistant ask --no-server`, fresh process, to the first answer): {cold[0]:.2f} s, {cold[1]:.2f} s"
    )
    row["cold ask s"] = round(min(cold), 2)
    opened = open_time(index)
    print(
        f"fresh process: model load {opened['model_s']:.2f} s, then index open + first search {opened['open_s']:.2f} s"
    )
    row["open s"] = round(opened["open_s"], 2)
    row |= library_listing(index)
    row |= {f"{k} (embedded)": v for k, v in warm(Settings(index_dir=index), asked, "embedded").items()}
    if args.chroma_server:
        port = free_port()
        with running(chroma_run(index / "chroma", port), f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=900):
            settings = Settings(index_dir=index, chroma_url=f"http://127.0.0.1:{port}")
            row |= {f"{k} (chroma run)": v for k, v in warm(settings, asked, "chroma server").items()}
    if args.serve_memory:
        row |= serve_figures(index, asked)
    return row


def grow(index: Path, reports: list[Path], target: int) -> dict:
    """Ingest the next reports (simulated vectors) until the index holds about ``target`` passages."""
    chunks, stems = _ingested(index)
    per_report = chunks / len(stems) if stems else 53.0  # bench/synth.py's reports run to about 53 passages
    waiting = [p for p in reports if p.stem not in stems]
    wanted = waiting[: max(0, round((target - chunks) / per_report))]
    if not wanted:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "files.txt"
        listing.write_text("\n".join(str(p) for p in wanted))
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(HERE / "simvectors.py"), "--index", str(index), "--files", str(listing)],
            capture_output=True,
            text=True,
            env=_quiet_env(tmp),
        )
        seconds = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"simulated ingest failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    # This process's embedded Chroma clients cache what they read of the store; it changed underneath.
    SharedSystemClient.clear_system_cache()
    result = json.loads(done.stdout.splitlines()[-1])
    print(f"grew by {len(wanted)} reports: {json.dumps(result)} ({seconds:.0f} s with the process start)")
    return {"build min (this step)": round(seconds / 60, 1), "build peak RSS MB": result["peak_mb"]}


def _order(path: Path) -> int:
    found = re.search(r"-(\d+)$", path.stem)  # bench/synth.py numbers its reports in the order it drew them
    return int(found.group(1)) if found else 0


def _table(rows: list[dict]) -> str:
    keys = list(dict.fromkeys(k for row in rows for k in row))
    cell = lambda v: " / ".join(str(x) for x in v) if isinstance(v, tuple) else str(v)  # noqa: E731
    lines = ["| | " + " | ".join(f"{row['chunks']:,}" for row in rows) + " |", "| --- |" + " --- |" * len(rows)]
    lines += [f"| {k} | " + " | ".join(cell(row.get(k, "")) for row in rows) + " |" for k in keys if k != "chunks"]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--questions", required=True)
    ap.add_argument("--sample", type=int, default=300)
    ap.add_argument("--chroma-server", action="store_true")
    ap.add_argument("--serve-memory", action="store_true")
    ap.add_argument("--grow", help="a folder of reports to grow the index from (bench/synth.py --quarterly)")
    ap.add_argument("--steps", default="125000,500000,1000000", help="passage counts to measure at, with --grow")
    args = ap.parse_args()
    index = Path(args.index)
    items = load_questions([Path(args.questions)])
    random.Random(1).shuffle(items)
    if not args.grow:
        print(_table([measure(index, items, args)]))
        return 0
    reports = sorted((p for p in Path(args.grow).iterdir() if p.suffix in (".txt", ".pdf")), key=_order)
    rows = []
    for target in (int(s) for s in args.steps.split(",")):
        built = grow(index, reports, target)
        rows.append({**measure(index, items, args), **built})
        print(_table(rows), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
