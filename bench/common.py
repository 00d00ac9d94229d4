"""Helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable

from assistant.evaluation import percentile as pct


def latency(name: str, call: Callable[[str], object], queries: Iterable[str], repeat: int) -> str:
    """Run ``call`` on every query ``repeat`` times; a line of p50 / p95 / max in milliseconds."""
    lat = []
    queries = list(queries)
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            call(q)
            lat.append((time.perf_counter() - t) * 1000)
    return f"{name}: n={len(lat)} p50={statistics.median(lat):.1f} ms p95={pct(lat, 95):.1f} ms max={max(lat):.1f} ms"
