"""Files the app makes for one user (FOI passage exports, audit exports), served only to them.

Each file is written to a private folder (0700) under an unguessable token and served at
``/download/<token>`` to the user who made it, once: it is deleted after the download, and any
file not fetched within ``ttl`` seconds is deleted too. Gradio's own file route never sees it.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Download:
    owner: str
    path: Path
    filename: str
    expires: float
    doc_ids: tuple[str, ...] = ()  # the reports whose passages it holds (the audit names them)


class Downloads:
    """Owner-only, one-time, expiring downloads."""

    def __init__(self, folder: Path | None = None, ttl: float = 900.0) -> None:
        """``folder``: where the files are kept (a previous run's are deleted); without one, a
        temporary folder made at the first file and removed when this object or the process ends."""
        self._folder = Path(folder) if folder else None
        if self._folder:
            self._folder.mkdir(parents=True, exist_ok=True)
            os.chmod(self._folder, 0o700)
            for stale in self._folder.iterdir():  # a previous run's files: their tokens died with it
                if stale.is_file():
                    stale.unlink(missing_ok=True)
        self.ttl = ttl
        self._items: dict[str, Download] = {}
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path:
        with self._lock:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="opcc-downloads-"))  # 0700
                weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)
            return self._folder

    def add(
        self, owner: str, filename: str, write: Callable[[Path], None], doc_ids: list[str] | tuple[str, ...] = ()
    ) -> str:
        """Write a file for ``owner`` with ``write(path)``; its URL path (``/download/<token>``).
        ``doc_ids``: the reports whose passages the file holds, recorded when it is downloaded."""
        self.sweep()
        token = secrets.token_urlsafe(24)
        path = self.folder / token
        write(path)
        os.chmod(path, 0o600)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "download"
        with self._lock:
            self._items[token] = Download(owner, path, safe, time.monotonic() + self.ttl, tuple(dict.fromkeys(doc_ids)))
        return f"/download/{token}"

    def take(self, token: str, user: str) -> Download | None:
        """The download for ``user``, removed from the list (the caller deletes the file after sending it)."""
        self.sweep()
        with self._lock:
            item = self._items.get(token)
            if item is None or item.owner != user:
                return None
            del self._items[token]
            return item

    def sweep(self) -> None:
        """Delete what expired."""
        now = time.monotonic()
        with self._lock:
            gone = [t for t, d in self._items.items() if d.expires < now]
            paths = [self._items.pop(t).path for t in gone]
        for path in paths:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
