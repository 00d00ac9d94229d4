"""Load: N concurrent users (Gradio's queue protocol, as a browser speaks it) ask and search
`assistant serve` while an admin's upload is ingested; then the index is checked for lost or
duplicated chunks.

Usage: python bench/load_bench.py [--users 8] [--seconds 60] [--login-flood N] [--compare-flood]
Starts its own server on a free 127.0.0.1 port over a fresh index of two text renditions, and
uploads three of the sample PDFs during the run. Prints latency percentiles (also apart for the
calls made wholly during the upload), errors and the consistency check.
``--login-flood N`` adds N wrong-password sign-ins during the run from 8 connections on 8 loopback
addresses (127.0.0.2-9, so the per-address limit alone does not absorb them); ``--compare-flood``
runs once without and once with the flood and prints the ratio of the users' p95 latencies.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import BrowserUser, add_user, assistant_command, free_port, questions, running, serve_args, sign_in

ROOT = Path(__file__).resolve().parent.parent
SEARCHES = [
    "Airwave variance",
    "service desk calls",
    "mobile data devices",
    "Digital Services Division staff",
    "ICT strategy priorities",
    "capital budget",
    "cyber security",
    "body worn video",
]


@dataclass
class LoadResult:
    calls: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"ask": [], "search": []})
    during: dict[str, list[float]] = field(default_factory=lambda: {"ask": [], "search": []})  # while ingesting
    slowest: list[tuple[float, float, str]] = field(default_factory=list)  # (ms, seconds into the run, kind)
    upload: str = ""
    upload_seconds: float = 0.0
    consistency: dict = field(default_factory=dict)
    flood: dict[int, int] = field(default_factory=dict)  # status code -> sign-in attempts answered with it

    def summary(self) -> dict:
        from assistant.evaluation import percentile

        out = {
            "slowest_calls": [f"{kind} {ms:.0f} ms at {at:.1f} s" for ms, at, kind in self.slowest],
            "calls": self.calls,
            "errors": len(self.errors),
            "upload_seconds": round(self.upload_seconds, 1),
            "consistency": self.consistency,
        }
        if self.flood:
            out["login_flood"] = {str(k): v for k, v in sorted(self.flood.items())}
        for prefix, groups in (("", self.latencies), ("during_upload_", self.during)):
            for kind, lat in groups.items():
                if lat:
                    out[f"{prefix}{kind}_n"] = len(lat)
                    out[f"{prefix}{kind}_p50_ms"] = round(percentile(lat, 50), 1)
                    out[f"{prefix}{kind}_p95_ms"] = round(percentile(lat, 95), 1)
                    if not prefix:
                        out[f"{kind}_max_ms"] = round(max(lat), 1)
        return out


def check_index(index_dir: Path) -> dict:
    """Registry, lexical chunks and Chroma vectors agree: nothing lost, nothing duplicated."""
    from assistant.indexing.index import Index
    from assistant.settings import Settings

    db = sqlite3.connect(index_dir / "lexical.sqlite3")
    registry = dict(db.execute("SELECT doc_id, chunks FROM documents"))
    lexical = dict(db.execute("SELECT doc_id, COUNT(*) FROM chunks GROUP BY doc_id"))
    fts = db.execute("SELECT COUNT(*), COUNT(DISTINCT chunk_id) FROM chunks_fts").fetchone()
    db.close()
    index = Index(Settings(index_dir=index_dir))
    try:
        ids = index.vectors.ids()
        vectors: dict[str, int] = {}
        for chunk_id in ids:
            doc_id = chunk_id.split(":", 1)[0]
            vectors[doc_id] = vectors.get(doc_id, 0) + 1
    finally:
        index.close()
    return {
        "documents": len(registry),
        "chunks": sum(registry.values()),
        "lexical_matches_registry": lexical == registry,
        "vectors_match_registry": vectors == registry,
        "fts_rows_unique": fts[0] == fts[1] == sum(registry.values()),
        "vector_ids_unique": len(ids) == len(set(ids)),
    }


def _flood(url: str, attempts: int, stop: float, result: LoadResult, lock: threading.Lock) -> list[threading.Thread]:
    """Wrong-password sign-ins from 8 loopback addresses, bounded in count and time."""
    import httpx

    def one(n: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.0.{2 + n}")
        with httpx.Client(base_url=url, transport=transport, timeout=30) as client:
            for i in range(attempts // 8):
                if time.time() > stop:
                    return
                try:
                    code = sign_in(client, "admin", f"guess-{n}-{i}").status_code
                except httpx.HTTPError:
                    code = 0
                with lock:
                    result.flood[code] = result.flood.get(code, 0) + 1

    return [threading.Thread(target=one, args=(n,)) for n in range(8)]


def run_load(
    users: int, seconds: float, workdir: Path, initial: list[Path], uploads: list[Path], login_flood: int = 0
) -> LoadResult:
    """Start a server over ``initial``, upload ``uploads`` as admin while ``users`` clients ask and search."""
    from gradio_client import Client, handle_file

    from assistant.indexing.ingest import ingest
    from assistant.settings import Settings

    corpus = workdir / "reports"
    corpus.mkdir(parents=True)
    for f in initial:
        shutil.copy(f, corpus / f.name)
    index = workdir / "index"
    ingest([corpus], Settings(index_dir=index), progress=False)
    users_file = workdir / "users.json"
    accounts = {f"user{n}": ("staff" if n % 2 else "foi", f"load-test-pass-{n}") for n in range(users)}
    accounts["admin"] = ("admin", "load-test-admin-pass")
    for name, (role, password) in accounts.items():
        add_user(name, role, users_file, password)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ASSISTANT_UPLOAD_DIR": str(workdir / "uploads"),
        "ASSISTANT_AUDIT_DB": str(workdir / "audit.sqlite3"),
    }
    command = assistant_command(*serve_args(index, users_file, port))
    result = LoadResult()
    with running(command, url + "/", env=env):
        admin = Client(url, auth=("admin", accounts["admin"][1]), verbose=False)
        # The users speak the queue protocol as a browser does (gradio_client, built for scripts, opens a
        # new HTTP client per call and would take a core of the two being measured).
        clients = [BrowserUser(url, name, accounts[name][1]) for name in accounts if name != "admin"]
        asked = questions()
        lock = threading.Lock()
        started = time.perf_counter()
        upload = admin.submit([handle_file(str(f)) for f in uploads], api_name="/add") if uploads else None
        stop = time.time() + seconds

        def user(n: int, client) -> None:
            rng = random.Random(n)
            while time.time() < stop:
                kind = "ask" if rng.random() < 0.6 else "search"
                t = time.perf_counter()
                ingesting = upload is not None and not upload.done()
                try:
                    if kind == "ask":
                        client.call("ask", rng.choice(asked))
                    else:
                        client.call("search", rng.choice(SEARCHES), 10, [], None, [], "")
                    ms = (time.perf_counter() - t) * 1000
                    with lock:
                        result.latencies[kind].append(ms)
                        if ingesting and not upload.done():  # the whole call overlapped the upload
                            result.during[kind].append(ms)
                        result.calls += 1
                        result.slowest = sorted([*result.slowest, (ms, t - started, kind)], reverse=True)[:5]
                except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                    with lock:
                        result.errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:300])

        threads = [threading.Thread(target=user, args=(n, c)) for n, c in enumerate(clients)]
        if login_flood:
            threads += _flood(url, login_flood, stop, result, lock)
        for t in threads:
            t.start()
        if upload is not None:
            result.upload = str(upload.result(timeout=600)[0])
            result.upload_seconds = time.perf_counter() - started
        for t in threads:
            t.join()
        for c in clients:
            c.close()
    result.consistency = check_index(index)
    db = sqlite3.connect(workdir / "audit.sqlite3")
    result.consistency["audited_questions_and_searches"] = db.execute(
        "SELECT COUNT(*) FROM audit WHERE action IN ('ask', 'search')"
    ).fetchone()[0]
    db.close()
    return result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--login-flood", type=int, default=0, help="wrong-password sign-ins sent during the run")
    ap.add_argument("--compare-flood", action="store_true", help="run without, then with a 400-attempt flood")
    args = ap.parse_args()
    texts = sorted((ROOT / "evals" / "text-renditions").glob("*.txt"))
    pdfs = sorted((ROOT / "corpus").glob("*.pdf"))
    floods = [0, args.login_flood or 400] if args.compare_flood else [args.login_flood]
    summaries, failed = [], False
    for flood in floods:
        with tempfile.TemporaryDirectory() as tmp:
            result = run_load(args.users, args.seconds, Path(tmp), texts[:2], pdfs[2:], login_flood=flood)
        summaries.append(result.summary())
        print(json.dumps(summaries[-1], indent=2))
        for e in result.errors[:10]:
            print("error:", e)
        print("upload:", result.upload.replace("\n", " | ")[:600])
        failed |= bool(result.errors)
    if len(summaries) == 2:
        for kind in ("ask", "search"):
            quiet, flooded = summaries[0][f"{kind}_p95_ms"], summaries[1][f"{kind}_p95_ms"]
            print(f"{kind} p95: {quiet:.0f} ms without the flood, {flooded:.0f} ms with it ({flooded / quiet:.2f}x)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
