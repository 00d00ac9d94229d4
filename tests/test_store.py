"""The vector store's two collections: public chunks apart from restricted ones (embedded Chroma)."""

import random

import chromadb
from chromadb.config import Settings as ChromaSettings

from assistant.indexing.embedding import PackagedMiniLM
from assistant.indexing.store import LAYOUT_KEY, VectorStore
from assistant.settings import Settings


def _vector(seed: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-1, 1) for _ in range(384)]


def _chunks(n: int) -> tuple[list[str], list[list[float]], list[str], list[dict]]:
    ids = [f"doc{i % 5}:{i}" for i in range(n)]
    metas = [{"doc_id": f"doc{i % 5}", "disclosure": "public" if i % 5 < 2 else "restricted"} for i in range(n)]
    return ids, [_vector(i) for i in range(n)], [f"text {i}" for i in range(n)], metas


def test_public_user_queries_only_public_vectors(tmp_path):
    store = VectorStore(Settings(index_dir=tmp_path))
    ids, vectors, texts, metas = _chunks(50)
    store.upsert(ids, vectors, texts, metas)
    public = {i for i, m in zip(ids, metas) if m["disclosure"] == "public"}
    assert store.count() == 50 and store.public.count() == len(public) == 20
    assert {c for c, _ in store.query(vectors[3], 50, public_only=True)} == public  # vectors[3] is restricted
    everything = store.query(vectors[3], 5)
    assert everything[0][0] == ids[3] and [s for _, s in everything] == sorted((s for _, s in everything), reverse=True)
    store.delete_document("doc0")
    assert store.doc_ids() == {"doc1", "doc2", "doc3", "doc4"} and store.count() == 40


def test_a_store_written_as_one_collection_is_split_once(tmp_path):
    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    old = client.get_or_create_collection(
        "opcc_reports", embedding_function=PackagedMiniLM(None), configuration={"hnsw": {"space": "cosine"}}
    )
    ids, vectors, texts, metas = _chunks(4500)  # more than one page of the move
    for start in range(0, 4500, 1000):
        old.add(
            ids=ids[start : start + 1000],
            embeddings=vectors[start : start + 1000],
            documents=texts[start : start + 1000],
            metadatas=metas[start : start + 1000],
        )
    del client, old
    store = VectorStore(Settings(index_dir=tmp_path))
    assert store.public.count() == 1800 and store.restricted.count() == 2700
    assert (store.restricted.metadata or {}).get(LAYOUT_KEY)
    got = store.public.get(ids=[ids[0]], include=["embeddings", "documents", "metadatas"])
    assert got["documents"] == [texts[0]] and got["metadatas"][0]["disclosure"] == "public"
    assert max(abs(a - b) for a, b in zip(got["embeddings"][0], vectors[0])) < 1e-5
    assert sorted(store.ids()) == sorted(ids)
