"""Warm query latency of ``ask`` (extractive) and ``search`` on an index: prints p50 / p95.

Usage: python bench/query_bench.py [--index DIR] [--corpus corpus] [--repeat 5] [--busy-core]
Builds a temporary index of the corpus when --index is not given. With --busy-core, another
process keeps one core busy throughout (as an upload or a scheduled ingest would), and the
figures are printed for the quiet machine first and then under that load. Asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import latency, questions

import assistant  # noqa: F401  (offline environment)
from assistant.api import Assistant
from assistant.indexing.ingest import ingest
from assistant.settings import Settings


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index")
    ap.add_argument("--corpus", default="corpus")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--busy-core", action="store_true", help="also measure with one core kept busy")
    args = ap.parse_args()
    asked = questions()
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(args.index) if args.index else Path(tmp) / "index"
        if not args.index:
            ingest([Path(args.corpus)], Settings(index_dir=index), progress=False)
        t = time.perf_counter()
        a = Assistant(index)
        a.ask("warm-up question about the budget")
        print(f"process warm-up (model load + first query): {time.perf_counter() - t:.2f} s")
        print(latency("ask", a.ask, asked, args.repeat))
        print(latency("search", lambda q: a.search(q, k=10), asked, args.repeat))
        if args.busy_core:
            busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
            try:
                time.sleep(1)
                print(latency("ask, one core busy", a.ask, asked, args.repeat))
                print(latency("search, one core busy", lambda q: a.search(q, k=10), asked, args.repeat))
            finally:
                busy.kill()
        a.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
