"""The dense index: a Chroma collection (embedded PersistentClient, or a server via HttpClient)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

from .embedding import PackagedMiniLM
from .settings import Settings

UPSERT_BATCH = 500


def make_client(settings: Settings) -> chromadb.ClientAPI:
    """``ASSISTANT_CHROMA_URL`` selects a Chroma server; otherwise an embedded store in the index folder."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https", settings=chroma_settings
        )
    path = Path(settings.index_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class VectorStore:
    """Chunk embeddings with their metadata, in one cosine-distance collection."""

    def __init__(self, settings: Settings) -> None:
        self.client = make_client(settings)
        model = str(settings.embedding_model) if settings.embedding_model else None
        self.collection = self.client.get_or_create_collection(
            name=settings.collection,
            embedding_function=PackagedMiniLM(model),
            configuration={"hnsw": {"space": "cosine"}},
        )

    def upsert(self, ids: list[str], embeddings: list[list[float]], documents: list[str], metadatas: list[dict[str, Any]]) -> None:
        for i in range(0, len(ids), UPSERT_BATCH):
            j = i + UPSERT_BATCH
            self.collection.upsert(ids=ids[i:j], embeddings=embeddings[i:j], documents=documents[i:j], metadatas=metadatas[i:j])

    def delete_ids(self, ids: list[str]) -> None:
        for i in range(0, len(ids), UPSERT_BATCH):
            self.collection.delete(ids=ids[i: i + UPSERT_BATCH])

    def delete_document(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def doc_ids(self) -> set[str]:
        """Document ids present in the collection (chunk ids are ``doc_id:hash``)."""
        found: set[str] = set()
        offset, page = 0, 5000
        while True:
            got = self.collection.get(include=[], limit=page, offset=offset)
            ids = got["ids"]
            found.update(i.split(":", 1)[0] for i in ids)
            if len(ids) < page:
                return found
            offset += page

    def count(self) -> int:
        return self.collection.count()

    def query(self, embedding: list[float], k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``k`` nearest chunks."""
        # No count() guard: Chroma answers an empty or small collection itself, and the extra
        # round trip cost 20 ms a question at 100k chunks.
        res = self.collection.query(query_embeddings=[embedding], n_results=k, where=where or None, include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0])]
