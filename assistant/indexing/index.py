"""The index as one object: the Chroma collection and the lexical index/registry kept in step.

The index folder holds restricted passages (the lexical index, the Chroma store, page images),
so it is owner-only: the folder 0700, and an index written with a looser mode has its folders
(0700) and files (0600) tightened when it is first opened.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..settings import Settings
from .lexical import LexicalIndex
from .store import VectorStore


class Index:
    """Both halves of the index for one ``--index`` folder (and optional Chroma server)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        owner_only(Path(settings.index_dir))
        self.lexical = LexicalIndex(Path(settings.index_dir) / "lexical.sqlite3")
        self.vectors = VectorStore(settings)

    def reconcile(self) -> int:
        """Drop Chroma chunks of documents the registry does not hold (left by an interrupted ingest)."""
        registered = self.lexical.doc_ids()
        orphans = self.vectors.doc_ids() - registered
        for doc_id in orphans:
            self.vectors.delete_document(doc_id)
        return len(orphans)

    def remove_document(self, doc_id: str) -> None:
        """Remove a report from both indexes: registry first, so it stops answering at once."""
        self.lexical.remove_document(doc_id)
        self.vectors.delete_document(doc_id)

    def close(self) -> None:
        self.lexical.close()


def owner_only(folder: Path) -> None:
    """Create ``folder`` owner-only (0700), or make it so if this user owns it.

    When it was not owner-only (an index made before this check, or under a loose umask), its
    folders and files that this user owns lose their group and other permissions too. Once the
    folder is 0700 that walk is skipped: nothing inside can be reached by another user then."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = os.stat(folder)
    if st.st_uid != os.geteuid() or not stat.S_IMODE(st.st_mode) & 0o077:
        return
    for root, dirs, files in os.walk(folder):  # links to folders are not followed
        for name in (*dirs, *files):
            _tighten(Path(root) / name)
    _tighten(folder)  # last: an interrupted walk is done again next time


def _tighten(path: Path) -> None:
    """Drop group and other permissions from ``path`` if this user owns it (links left alone)."""
    st = os.lstat(path)
    if st.st_uid == os.geteuid() and not stat.S_ISLNK(st.st_mode) and stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(path, stat.S_IMODE(st.st_mode) & ~0o077)
