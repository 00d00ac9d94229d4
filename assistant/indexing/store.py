"""The dense index: a Chroma collection (embedded PersistentClient, or a server via HttpClient)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InternalError

from ..reading.disclosure import PUBLIC
from ..settings import Settings
from .embedding import PackagedMiniLM

log = logging.getLogger(__name__)

UPSERT_BATCH = 500
PUBLIC_SUFFIX = "-public"
LAYOUT_KEY = "opcc_layout"  # set once public chunks live in their own collection


def make_client(settings: Settings) -> chromadb.ClientAPI:
    """``ASSISTANT_CHROMA_URL`` selects a Chroma server; otherwise an embedded store in the index folder."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https", settings=chroma_settings
        )
    path = Path(settings.index_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)  # restricted passages: owner-only (see index.py)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class VectorStore:
    """Chunk embeddings with their metadata in two cosine collections: public and restricted chunks.

    A user with public clearance queries only the public collection, so the disclosure filter is
    the store itself: restricted vectors are never searched for them. (A Chroma ``where`` on the
    disclosure field did the same at 100k chunks in 670 ms a query; the split costs nothing.)
    """

    def __init__(self, settings: Settings) -> None:
        self.client = make_client(settings)
        model = str(settings.embedding_model) if settings.embedding_model else None

        def open_collection(name: str) -> Collection:
            return self.client.get_or_create_collection(
                name=name, embedding_function=PackagedMiniLM(model), configuration={"hnsw": {"space": "cosine"}}
            )

        self.restricted = open_collection(settings.collection)
        self.public = open_collection(f"{settings.collection}{PUBLIC_SUFFIX}")
        if not (self.restricted.metadata or {}).get(LAYOUT_KEY):
            self._split_public()

    @property
    def collections(self) -> list[Collection]:
        return [self.public, self.restricted]

    def _split_public(self) -> None:
        """Move public chunks of a store written before the split into their own collection (once)."""
        if self.restricted.count():
            log.warning("Moving public passages into their own collection (once; about 3 minutes per 100,000 passages)")
        offset, page = 0, 2000
        while True:
            got = self.restricted.get(include=["embeddings", "documents", "metadatas"], limit=page, offset=offset)
            picked = [i for i, m in enumerate(got["metadatas"]) if (m or {}).get("disclosure") == PUBLIC]
            if picked:
                ids = [got["ids"][i] for i in picked]
                self.public.upsert(
                    ids=ids,
                    embeddings=[got["embeddings"][i] for i in picked],
                    documents=[got["documents"][i] for i in picked],
                    metadatas=[got["metadatas"][i] for i in picked],
                )
                self.restricted.delete(ids=ids)
            if len(got["ids"]) < page:
                break
            offset += page - len(picked)
        self.restricted.modify(metadata={LAYOUT_KEY: 2})

    def upsert(
        self, ids: list[str], embeddings: list[list[float]], documents: list[str], metadatas: list[dict[str, Any]]
    ) -> None:
        for collection, wanted in ((self.public, True), (self.restricted, False)):
            rows = [i for i, m in enumerate(metadatas) if (m.get("disclosure") == PUBLIC) == wanted]
            for start in range(0, len(rows), UPSERT_BATCH):
                part = rows[start : start + UPSERT_BATCH]
                collection.upsert(
                    ids=[ids[i] for i in part],
                    embeddings=[embeddings[i] for i in part],
                    documents=[documents[i] for i in part],
                    metadatas=[metadatas[i] for i in part],
                )

    def delete_ids(self, ids: list[str]) -> None:
        for collection in self.collections:
            for i in range(0, len(ids), UPSERT_BATCH):
                collection.delete(ids=ids[i : i + UPSERT_BATCH])

    def delete_document(self, doc_id: str) -> None:
        for collection in self.collections:
            collection.delete(where={"doc_id": doc_id})

    def doc_ids(self) -> set[str]:
        """Document ids present in the store (chunk ids are ``doc_id:hash``)."""
        return {i.split(":", 1)[0] for i in self.ids()}

    def ids(self) -> list[str]:
        """Every chunk id in the store."""
        found: list[str] = []
        for collection in self.collections:
            offset, page = 0, 5000
            while True:
                got = collection.get(include=[], limit=page, offset=offset)["ids"]
                found += got
                if len(got) < page:
                    break
                offset += page
        return found

    def count(self) -> int:
        return sum(c.count() for c in self.collections)

    def query(
        self, embedding: list[float], k: int, where: dict[str, Any] | None = None, public_only: bool = False
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``k`` nearest chunks (public chunks only if ``public_only``)."""
        # No count() guard: Chroma answers an empty or small collection itself, and the extra
        # round trip cost 20 ms a question at 100k chunks.
        found: dict[str, float] = {}  # by id: a split interrupted half-way may leave a chunk in both
        for collection in [self.public] if public_only else self.collections:
            res = _query(collection, embedding, k, where)
            found.update((cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0]))
        return sorted(found.items(), key=lambda x: -x[1])[:k]


def _query(collection: Collection, embedding: list[float], k: int, where: dict[str, Any] | None) -> Any:
    # A Chroma server answers "Nothing found on disk" for a few milliseconds while a collection's
    # first vectors are written (its HNSW segment is being created): ask again, briefly.
    for attempt in range(6):
        try:
            return collection.query(
                query_embeddings=[embedding], n_results=k, where=where or None, include=["distances"]
            )
        except InternalError as exc:
            if "Nothing found on disk" not in str(exc) or attempt == 5:
                raise
            time.sleep(0.02 * 2**attempt)
