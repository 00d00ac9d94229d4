"""Run untrusted parsing (PDFs) in a worker process with a time and a memory limit.

A PDF crafted to loop, or to inflate into gigabytes, then costs one worker, which is killed
and replaced, never the server or the ingest run that asked for it.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any


class LimitExceeded(RuntimeError):
    """The work ran past its time limit or memory limit, and its worker was stopped."""


def _start(megabytes: int, nice: int) -> None:
    # Ctrl+C in a terminal reaches the whole process group: the worker then ends at once and quietly
    # (Python's KeyboardInterrupt would print a traceback from its queue); the caller says it stopped.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if nice:
        os.nice(nice)
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True, name="parent-watch").start()


def _exit_with(parent: int) -> None:
    """End this worker once the process that started it is gone.

    A pool worker waits on a queue whose write end it holds itself, so when its parent is
    killed (an ingest stopped with SIGKILL, a server killed by the OOM killer) it would
    otherwise wait forever, an idle process per crash."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


# Parsing an upload is background work: on a busy machine the scheduler gives the cores to the
# app's questions first (alone, a niced worker runs at full speed).
PARSE_NICE = 10


class Worker:
    """One reusable worker process (spawned, so it shares no threads or locks with the caller),
    run at ``nice`` (higher: lower priority)."""

    def __init__(self, memory_mb: int, nice: int = 0) -> None:
        self.memory_mb = memory_mb
        self.nice = nice
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(self.memory_mb, self.nice),
            )
        return self._pool

    def _reset(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.kill()  # a hung parse does not stop when asked
            pool.shutdown(wait=False, cancel_futures=True)

    def run(self, func: Callable[..., Any], *args: Any, timeout: float) -> Any:
        """``func(*args)`` in the worker; :class:`LimitExceeded` past ``timeout`` seconds or the memory limit."""
        with self._lock:  # one file at a time per worker
            future = self._executor().submit(func, *args)
            try:
                return future.result(timeout=timeout)
            except FutureTimeout:
                self._reset()
                raise LimitExceeded(f"took longer than {timeout:g} s") from None
            except BrokenProcessPool:
                self._reset()
                raise LimitExceeded(
                    f"the parser process died: it crashed or ran past the {self.memory_mb} MB memory limit"
                ) from None
            except MemoryError:
                self._reset()
                raise LimitExceeded(f"needed more than the {self.memory_mb} MB memory limit") from None

    def close(self) -> None:
        with self._lock:
            self._reset()


_workers: dict[tuple[int, int], Worker] = {}
_workers_lock = threading.Lock()


def worker(memory_mb: int, nice: int = PARSE_NICE) -> Worker:
    """The process-wide worker for this memory limit and priority: parsing runs at a lower priority
    (``PARSE_NICE``); work a user waits for (page images, ``nice=0``) has workers of its own."""
    with _workers_lock:
        if (memory_mb, nice) not in _workers:
            _workers[memory_mb, nice] = Worker(memory_mb, nice=nice)
        return _workers[memory_mb, nice]
