"""Run the real ``assistant`` command line, reporting where its work is, for tests that kill or hold it.

    python tests/crashpoints.py ingest FOLDER --index INDEX ...     (the same arguments as ``assistant``)
    python tests/crashpoints.py serve --index INDEX --users USERS ...

Before the command runs, a few functions of the shipped code are wrapped so that, called exactly as
before, they also append lines to the file named by ``CRASHPOINTS_MARKER`` (one ``write`` per line on
an ``O_APPEND`` descriptor: a line is whole, and it outlives a SIGKILL of this process)::

    enter flush 2 a.txt b.txt   ingest: embedding and storing these files starts (``ingest._flush``, the 2nd call)
    batch 2 64/106              ingest: flush 2 has embedded 64 of its 106 passages (``Encoder.embed``'s batches)
    enter upsert 2              ingest: flush 2's vectors are being written (``VectorStore.upsert``)
    leave upsert 2
    enter commit 2 a.txt        ingest: a.txt's registry row is being committed (``LexicalIndex.commit_document``);
    leave commit 2 a.txt        once it is, the report counts as indexed
    leave flush 2
    enter ask 3                 serve: the 3rd question is being answered (``Assistant.ask``)
    leave ask 3
    enter audit 3               serve: its audit entry is being written (``AuditLog.record_answer``)
    leave audit 3

``CRASHPOINTS_PIPE``: a file descriptor (passed to this process) that receives the same lines as they
are written to the file, so that a test learns of a line at once. :class:`Launched` runs a command
this way and lets a test wait for a line. A test that waits for "enter X" and kills the process then
knows that the kill landed inside X unless "leave X" was written first; the file, read once the
process is dead, tells it which.

``CRASHPOINTS_HOLD``: a file path. While that file exists and a line just written begins with the
words the file holds (``batch 2``; empty: any ``batch`` line), the process writes ``hold <line>`` and
waits, inside that unit of work, until the test deletes the file; then it writes ``go`` and goes on.
Only ``batch`` lines hold (points between two batches of an ingest's embedding).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER_ENV = "CRASHPOINTS_MARKER"
PIPE_ENV = "CRASHPOINTS_PIPE"
HOLD_ENV = "CRASHPOINTS_HOLD"
HOLD_LIMIT = 600.0  # seconds a hold lasts at most (a test that forgot its hold file still ends)


def command(*args: str) -> list[str]:
    """``assistant ARGS`` run through this launcher (as ``bench/common.assistant_command`` runs it plainly)."""
    return [sys.executable, str(Path(__file__).resolve()), *args]


def read(marker: Path) -> list[str]:
    """The lines written so far (a line being written is not one yet)."""
    try:
        text = marker.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return text.split("\n")[:-1]


def unfinished(lines: list[str], kind: str) -> str | None:
    """The unit of ``kind`` ("flush", "ask", ...) entered and not left, e.g. "flush 3"; None if there is none."""
    open_units: dict[str, None] = {}
    for line in lines:
        words = line.split()
        if len(words) >= 3 and words[0] in ("enter", "leave") and words[1] == kind:
            unit = f"{kind} {words[2]}"
            if words[0] == "enter":
                open_units[unit] = None
            else:
                open_units.pop(unit, None)
    return next(reversed(open_units), None) if open_units else None


class Launched:
    """The test's side: ``assistant ARGS`` started through this launcher, its lines read from a pipe.

    ``wait_for(test, what)`` returns the first new line for which ``test(line)`` is true, and fails the
    test (AssertionError, with the last lines read) if the process ends or ``timeout`` passes first;
    ``lines`` holds every line read so far. The process's output goes to ``log`` (else nowhere)."""

    def __init__(self, args: list[str], marker: Path, env: dict[str, str], log: Path | None = None) -> None:
        self.marker = Path(marker)
        self.lines: list[str] = []
        self._buffer = b""
        self._pipe: int | None
        self._pipe, write_end = os.pipe()
        out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed once the process has it
        try:
            self.proc = subprocess.Popen(
                command(*args),
                cwd=ROOT,
                env={**env, MARKER_ENV: str(self.marker), PIPE_ENV: str(write_end)},
                pass_fds=(write_end,),
                stdout=out,
                stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
            )
        except BaseException:
            self.close()
            raise
        finally:
            os.close(write_end)  # the process holds the only write end: its death ends the pipe
            if log:
                out.close()

    def wait_for(self, test: Callable[[str], bool], what: str, timeout: float = 300.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\n", 1)
                line = raw.decode("utf-8")
                self.lines.append(line)
                if test(line):
                    return line
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no report of {what} within {timeout:.0f} s; reported: {self.lines[-20:]}")
            ready, _, _ = select.select([self._pipe], [], [], left)
            if ready:
                chunk = os.read(self._pipe, 65536)
                if not chunk:
                    self.proc.wait()
                    raise AssertionError(
                        f"the process ended (exit {self.proc.returncode}) before reporting {what}; "
                        f"reported: {self.lines[-20:]}"
                    )
                self._buffer += chunk

    def kill(self) -> list[str]:
        """SIGKILL (no clean-up runs), wait for the end; every line the process wrote, from the file."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.close()
        return read(self.marker)

    def close(self) -> None:
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None


class _Marker:
    """The launched process's side: the marker file, the pipe, the holds."""

    def __init__(self, path: str, pipe: str | None, hold: str | None) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.pipe = int(pipe) if pipe else None
        self.hold = Path(hold) if hold else None
        self.lock = threading.Lock()

    def write(self, line: str) -> None:
        self._write(line)
        if line.startswith("batch "):
            self._hold(line)

    @contextlib.contextmanager
    def inside(self, what: str, detail: str = "") -> Iterator[None]:
        """``enter WHAT [DETAIL]`` before the block, ``leave WHAT`` after it, however it ends."""
        self.write(f"enter {what} {detail}".rstrip())
        try:
            yield
        finally:
            self.write(f"leave {what}")

    def _write(self, line: str) -> None:
        data = (line + "\n").encode("utf-8")
        with self.lock:
            os.write(self.fd, data)  # first the file: a line the test has read from the pipe is in it
            if self.pipe is not None:
                try:
                    os.write(self.pipe, data)
                except OSError:  # the test stopped listening: the file still has every line
                    self.pipe = None

    def _hold(self, line: str) -> None:
        if self.hold is None:
            return
        try:
            wanted = self.hold.read_text(encoding="utf-8").split() or ["batch"]
        except FileNotFoundError:
            return
        if line.split()[: len(wanted)] != wanted:
            return
        self._write(f"hold {line}")
        deadline = time.monotonic() + HOLD_LIMIT
        while self.hold.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        self._write("go")


def install(marker: _Marker) -> None:
    """Wrap the functions named in the module docstring; each still runs unchanged."""
    from assistant.api import Assistant
    from assistant.audit import AuditLog
    from assistant.indexing import ingest
    from assistant.indexing.embedding import Encoder
    from assistant.indexing.lexical import LexicalIndex
    from assistant.indexing.store import VectorStore

    local = threading.local()  # the flush, or the question, this thread is in
    flushes, asks = itertools.count(1), itertools.count(1)

    real_flush = ingest._flush

    @functools.wraps(real_flush)
    def flush(pending, *args, **kwargs):
        if not pending:
            return real_flush(pending, *args, **kwargs)
        n = next(flushes)
        with marker.inside(f"flush {n}", " ".join(Path(item.display).name for item in pending)):
            local.flush = n
            try:
                return real_flush(pending, *args, **kwargs)
            finally:
                local.flush = None

    ingest._flush = flush

    real_embed = Encoder.embed

    @functools.wraps(real_embed)
    def embed(self, texts, *args, on_batch=None, **kwargs):
        n = getattr(local, "flush", None)
        if n is None:  # a question, a warm-up: not an ingest's
            return real_embed(self, texts, *args, on_batch=on_batch, **kwargs)

        def reported(done: int, total: int) -> None:
            marker.write(f"batch {n} {done}/{total}")
            if on_batch:
                on_batch(done, total)

        return real_embed(self, texts, *args, on_batch=reported, **kwargs)

    Encoder.embed = embed

    real_upsert = VectorStore.upsert

    @functools.wraps(real_upsert)
    def upsert(self, *args, **kwargs):
        n = getattr(local, "flush", None)
        if n is None:
            return real_upsert(self, *args, **kwargs)
        with marker.inside(f"upsert {n}"):
            return real_upsert(self, *args, **kwargs)

    VectorStore.upsert = upsert

    real_commit = LexicalIndex.commit_document

    @functools.wraps(real_commit)
    def commit_document(self, doc, path, *args, **kwargs):
        n = getattr(local, "flush", None)
        if n is None:
            return real_commit(self, doc, path, *args, **kwargs)
        with marker.inside(f"commit {n} {Path(path).name}"):
            return real_commit(self, doc, path, *args, **kwargs)

    LexicalIndex.commit_document = commit_document

    real_ask = Assistant.ask

    @functools.wraps(real_ask)
    def ask(self, *args, **kwargs):
        n = next(asks)
        local.ask = n
        with marker.inside(f"ask {n}"):
            return real_ask(self, *args, **kwargs)

    Assistant.ask = ask

    real_record = AuditLog.record_answer

    @functools.wraps(real_record)
    def record_answer(self, *args, **kwargs):
        with marker.inside(f"audit {getattr(local, 'ask', None)}"):
            return real_record(self, *args, **kwargs)

    AuditLog.record_answer = record_answer


def main() -> int:
    sys.path[0] = str(ROOT)  # the repository, not tests/, first: ``assistant`` as ``python -m assistant`` finds it
    marker = os.environ.get(MARKER_ENV)
    if marker:
        install(_Marker(marker, os.environ.get(PIPE_ENV), os.environ.get(HOLD_ENV)))
    from assistant.cli import main as cli

    return cli(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
