"""Hybrid retrieval: dense (Chroma, cosine) and lexical (FTS5/BM25) candidates fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .embedding import get_encoder
from .index import Index

RRF_K = 60


@dataclass
class Passage:
    """A retrieved chunk with the fields a citation needs."""

    chunk_id: str
    document: str  # report title
    source: str
    page: int | None
    paragraph: str | None
    heading: str | None
    kind: str
    text: str
    score: float
    metadata: dict[str, Any]

    def citation(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("metadata")
        return d


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, cid in enumerate(ranking):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank + 1)
    return scores


def search(index: Index, query: str, k: int = 5, doc_ids: set[str] | None = None, kinds: set[str] | None = None) -> list[Passage]:
    """The ``k`` best passages for ``query``, from documents committed to the registry only."""
    registered = index.lexical.doc_ids()
    allowed = registered if doc_ids is None else registered & doc_ids
    if not allowed:
        return []
    pool = max(k * 4, 20)
    where: dict[str, Any] = {"doc_id": {"$in": sorted(allowed)}}
    if kinds:
        where = {"$and": [where, {"kind": {"$in": sorted(kinds)}}]}
    vector = get_encoder(index.settings.embedding_model).embed_query(query)
    dense = index.vectors.query(vector, pool, where)
    lexical = index.lexical.search(query, pool, allowed, kinds)
    fused = reciprocal_rank_fusion([[c for c, _ in dense], [c for c, _ in lexical]])
    best = sorted(fused, key=fused.get, reverse=True)[:k]  # type: ignore[arg-type]
    stored = index.lexical.chunks(best)
    passages = []
    for cid in best:
        if cid not in stored:
            continue
        text, meta = stored[cid]
        passages.append(
            Passage(cid, meta.get("title", ""), meta.get("source", ""), meta.get("page"), meta.get("paragraph"),
                    meta.get("heading"), meta.get("kind", ""), text, round(fused[cid], 5), meta)
        )
    return passages
