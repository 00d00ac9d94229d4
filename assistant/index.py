"""The index as one object: the Chroma collection and the lexical index/registry kept in step."""

from __future__ import annotations

from pathlib import Path

from .lexical import LexicalIndex
from .settings import Settings
from .store import VectorStore


class Index:
    """Both halves of the index for one ``--index`` folder (and optional Chroma server)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
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
