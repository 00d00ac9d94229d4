"""Where a question's time goes: pyinstrument over warm ``ask`` calls on an index.

Usage: python bench/profile_ask.py --index DIR --questions FILE [--sample 40] [--html OUT.html]
Prints p50 / p95 and the call tree (pyinstrument, from the ``bench`` extra); asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from pyinstrument import Profiler

import assistant  # noqa: F401  (offline environment)
from assistant.api import Assistant
from assistant.evaluation import load_questions, percentile
from assistant.settings import Settings


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--questions", required=True)
    ap.add_argument("--sample", type=int, default=40)
    ap.add_argument("--html")
    args = ap.parse_args()
    items = load_questions([Path(args.questions)])
    random.Random(7).shuffle(items)
    a = Assistant(settings=Settings(index_dir=Path(args.index)))
    a.ask("warm-up question about the budget")
    profiler = Profiler(interval=0.002)
    times = []
    profiler.start()
    for item in items[: args.sample]:
        t = time.perf_counter()
        a.ask(item["question"])
        times.append(1000 * (time.perf_counter() - t))
    profiler.stop()
    a.close()
    print(
        f"ask under the profiler: p50 {percentile(times, 50):.0f} ms, p95 {percentile(times, 95):.0f} ms on {len(times)} questions"
    )
    print(profiler.output_text(unicode=True, color=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
