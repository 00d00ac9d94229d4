"""Helpers shared by the benchmarks."""

from __future__ import annotations

import contextlib
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright's own browser download fails offline
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def fill_sign_in(page: Any, url: str, name: str, password: str) -> Any:
    """Open the app at ``url`` in a Playwright ``page`` and fill in its sign-in form; the Sign in button."""
    page.goto(url)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    return page.get_by_role("button", name="Sign in")


def sign_in(http: Any, name: str, password: str) -> Any:
    """POST /login as the sign-in page does (an httpx client): first the page, for its form's token and cookie."""
    import re

    page = http.get("/")
    found = re.search(r'name="signin_token" value="([^"]+)"', page.text)
    token = found.group(1) if found else ""
    return http.post("/login", data={"username": name, "password": password, "signin_token": token})


def wait_until_ready(proc: subprocess.Popen, ready_url: str, timeout: float = 180.0) -> None:
    """Wait until ``ready_url`` answers; RuntimeError if ``proc`` exits first or the time runs out."""
    deadline = time.time() + timeout
    while True:
        try:
            urllib.request.urlopen(ready_url, timeout=2)
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before it was ready") from None
            if time.time() > deadline:
                raise RuntimeError(
                    f"{' '.join(proc.args[:3])} did not answer {ready_url} within {timeout:.0f} s"
                ) from None
            time.sleep(0.3)


@contextlib.contextmanager
def running(
    command: list[str], ready_url: str, timeout: float = 180.0, env: dict | None = None, log: Path | None = None
) -> Iterator[subprocess.Popen]:
    """Run a server process until ``ready_url`` answers (RuntimeError if it never does); stop it afterwards.

    Its output goes to ``log`` when given (to read what the server said), else nowhere."""
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below, after the process
    proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL, env=env)
    try:
        wait_until_ready(proc, ready_url, timeout)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()


def assistant_command(*args: str) -> list[str]:
    """``assistant ARGS`` run by this interpreter."""
    return [sys.executable, "-m", "assistant", *args]


def serve_args(index: Path, users: Path, port: int) -> list[str]:
    """``serve`` over ``index`` for the accounts in ``users``, on 127.0.0.1:``port``."""
    return ["serve", "--index", str(index), "--users", str(users), "--port", str(port)]


def add_user_args(name: str, role: str, users: Path, *extra: str) -> list[str]:
    """``users add`` for one account, its password read from stdin."""
    return ["users", "add", name, "--role", role, *extra, "--password-stdin", "--users", str(users)]


def add_user(name: str, role: str, users: Path, password: str, *extra: str, cwd: Path | None = None) -> None:
    """Add one account with ``assistant users add`` (the password on stdin); raises if the command fails."""
    subprocess.run(
        assistant_command(*add_user_args(name, role, users, *extra)),
        input=password + "\n",
        text=True,
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def chroma_run(path: Path, port: int) -> list[str]:
    """The ``chroma run`` command serving ``path`` on 127.0.0.1:``port`` (the venv's executable first)."""
    exe = Path(sys.executable).parent / "chroma"
    exe = exe if exe.exists() else Path(shutil.which("chroma") or "chroma")
    return [str(exe), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)]


def questions() -> list[str]:
    """The hand-written evaluation questions (the packaged set), as the benchmarks ask them."""
    from assistant.evaluation import QUESTIONS, load_questions

    return [item["question"] for item in load_questions([QUESTIONS])]


def p50_p95(lat: list[float]) -> tuple[float, float]:
    """The median and 95th percentile of ``lat``, to 0.1 (as the evaluation summary reports them)."""
    from assistant.evaluation import percentile

    return round(statistics.median(lat), 1), round(percentile(lat, 95), 1)


def spread(name: str, lat: list[float]) -> str:
    """A line of p50 / p95 / max of ``lat`` (milliseconds)."""
    p50, p95 = p50_p95(lat)
    return f"{name}: n={len(lat)} p50={p50:.1f} ms p95={p95:.1f} ms max={max(lat):.1f} ms"


def latency(name: str, call: Callable[[str], object], queries: Iterable[str], repeat: int) -> str:
    """Run ``call`` on every query ``repeat`` times; a line of p50 / p95 / max in milliseconds."""
    return spread(name, timings(call, queries, repeat))


def timings(call: Callable[[str], object], queries: Iterable[str], repeat: int = 1) -> list[float]:
    """Milliseconds of ``call`` on every query, ``repeat`` times over."""
    lat = []
    queries = list(queries)
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            call(q)
            lat.append((time.perf_counter() - t) * 1000)
    return lat


class BrowserUser:
    """One signed-in user speaking Gradio's queue protocol as the browser does: one kept-alive
    connection, join the queue, read the event stream to the result.

    Much lighter than ``gradio_client`` (a new HTTP client per call), so on a two-core machine
    the load generator does not take the cores the server is being measured on."""

    def __init__(self, url: str, name: str, password: str) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=120, follow_redirects=True)
        sign_in(self.http, name, password).raise_for_status()
        config = self.http.get("/config").json()
        self.fn = {d["api_name"]: d["id"] for d in config["dependencies"] if d.get("api_name")}
        self.session = f"bench-{name}-{id(self):x}"

    def call(self, api_name: str, *data: object) -> list:
        """The outputs of the event ``api_name`` for ``data``; RuntimeError with the server's message on failure."""
        import json

        body = {"data": list(data), "fn_index": self.fn[api_name], "session_hash": self.session, "event_data": None}
        r = self.http.post("/gradio_api/queue/join", json=body)
        r.raise_for_status()
        event = r.json()["event_id"]
        with self.http.stream("GET", "/gradio_api/queue/data", params={"session_hash": self.session}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("event_id") != event or msg.get("msg") != "process_completed":
                    continue
                out = msg.get("output") or {}
                if not msg.get("success", False):
                    raise RuntimeError(str(out.get("error") or out))
                return out.get("data", [])
        raise RuntimeError(f"{api_name}: the event stream ended without a result")

    def close(self) -> None:
        self.http.close()
