"""Hybrid retrieval: dense (Chroma, cosine) and lexical (FTS5/BM25) candidates fused by
reciprocal rank, re-ranked for the period a question asks about, with report/date/kind
filters applied inside both store queries. Also exposed as a LangChain ``BaseRetriever``.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from ..documents import Filters, Passage
from ..indexing.embedding import get_encoder
from ..indexing.index import Index
from ..reading.disclosure import PUBLIC
from .figures import periods
from .terms import coverage, expand, query_terms

# Fitted on the development parts (realworld-dev's four reports, the generated sets' dev parts):
# BM25 is the stronger signal on long real reports, where the encoder puts many passages of one
# topic near a paraphrased question; a sharper k keeps each list's own top few ahead.
RRF_K = 30
DENSE_WEIGHT = 0.3
LEXICAL_WEIGHT = 1.2
COVERAGE_WEIGHT = 0.015  # re-rank: weighted share of the question's terms the passage carries
PERIOD_BONUS = 0.012  # about the RRF weight of a top-5 rank in one list
PERIOD_PENALTY = 0.012


def reciprocal_rank_fusion(
    rankings: list[list[str]], k: int = RRF_K, weights: list[float] | None = None
) -> dict[str, float]:
    scores: dict[str, float] = {}
    for n, ranking in enumerate(rankings):
        w = weights[n] if weights else 1.0
        for rank, cid in enumerate(ranking):
            scores[cid] = scores.get(cid, 0.0) + w / (k + rank + 1)
    return scores


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


class Retriever:
    """Hybrid search over one index."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.encoder = get_encoder(index.settings.embedding_model)

    def allowed_docs(self, filters: Filters | None) -> set[str] | None:
        """The reports ``filters`` select by report, date or id; None when they select by none of these."""
        f = filters or Filters()
        if f.doc_ids is None and not f.report and not f.date_from and not f.date_to and not f.undated:
            return None  # every report (clearance is a store filter of its own)
        docs = self.index.lexical.documents()
        keep = set()
        for d in docs:
            if f.doc_ids is not None and d.doc_id not in f.doc_ids:
                continue
            if f.report and f.report.lower() not in d.title.lower() and f.report.lower() not in d.source.lower():
                continue
            if f.date_from and (not d.date or d.date < f.date_from):
                continue
            if f.date_to and (not d.date or d.date[: len(f.date_to)] > f.date_to):
                continue
            if f.undated and d.date:
                continue
            if f.clearance == PUBLIC and d.disclosure != PUBLIC:
                continue
            keep.add(d.doc_id)
        return keep

    def search(self, query: str, k: int = 5, filters: Filters | None = None, pool: int = 30) -> list[Passage]:
        """The ``k`` best passages for ``query`` (near-duplicates across text/PDF copies removed)."""
        allowed = self.allowed_docs(filters)
        if allowed is not None and not allowed:
            return []
        kinds = filters.kinds if filters else None
        public_only = bool(filters and filters.clearance == PUBLIC)
        # Clearance is part of both store queries, not a filter on their results: a public user's
        # question searches only the public vector collection and only public FTS5 rows. An
        # unfiltered query carries no report list: at thousands of reports that list is most of its cost.
        # The kind filter is applied to both stores' results, not inside them: at 100k chunks a
        # Chroma pre-filter on a common field costs more than the whole HNSW search, and an FTS5
        # condition on an unindexed column reads every matching row (it doubled the query).
        where = {"doc_id": {"$in": sorted(allowed)}} if allowed is not None else None
        expanded = expand(self.index.lexical.expand_acronyms(query, allowed, public_only))
        vector = self.encoder.embed_query(expanded, threads=self.index.settings.query_threads)
        fetch = pool * 2 if kinds else pool
        dense = self.index.vectors.query(vector, fetch, where, public_only)
        lexical = self.index.lexical.search(expanded, fetch, allowed, public_only=public_only)
        if kinds:  # a committed chunk of a wanted kind (the kind alone: reading whole chunks here cost 18 ms)
            kind_of = self.index.lexical.kinds(list(dict.fromkeys(c for c, _ in dense + lexical)))
            dense, lexical = ([(c, x) for c, x in hits if kind_of.get(c) in kinds][:pool] for hits in (dense, lexical))
        fused = reciprocal_rank_fusion(
            [[c for c, _ in dense], [c for c, _ in lexical]], weights=[DENSE_WEIGHT, LEXICAL_WEIGHT]
        )
        stored = self.index.lexical.chunks(list(fused))
        passages = []
        for cid, score in fused.items():
            if cid not in stored:
                continue  # not committed (an interrupted ingest)
            passages.append(Passage.stored(cid, *stored[cid], score))
        asked = periods(query)
        terms = query_terms(query)
        for p in passages:
            p.score += COVERAGE_WEIGHT * coverage(terms, p.text, p.context)
            if asked:
                p.score += period_adjustment(asked, p)
        passages.sort(key=lambda p: p.score, reverse=True)
        out: list[Passage] = []
        for p in passages:
            if not any(_near_duplicate(p, q) for q in out):
                p.score = round(p.score, 5)
                out.append(p)
            if len(out) == k:
                break
        return out

    def section(self, passage: Passage) -> list[Passage]:
        """Every paragraph of the report section ``passage`` is in (the same heading), in reading order."""
        stored = self.index.lexical.section(passage.metadata.get("doc_id", ""), passage.under)
        return sorted(
            (Passage.stored(cid, text, meta) for cid, (text, meta) in stored.items()), key=lambda p: p.reading_order
        ) or [passage]


def period_adjustment(asked: list[str], passage: Passage) -> float:
    """Prefer passages about the asked financial year; demote ones only about other years."""
    own = periods(passage.text)
    framing = periods(passage.context)
    if any(p in own for p in asked):
        return PERIOD_BONUS
    if any(p in framing for p in asked) and not own:
        return PERIOD_BONUS  # the report (or table) is about that year
    if own or framing:
        return -PERIOD_PENALTY
    return 0.0


def _near_duplicate(a: Passage, b: Passage) -> bool:
    """The same passage from the text and PDF copies of one report."""
    if a.document != b.document or a.metadata.get("doc_id") == b.metadata.get("doc_id") or a.kind != b.kind:
        return False
    ta, tb = _tokens(a.text), _tokens(b.text)
    if not ta or not tb:
        return False
    return len(ta & tb) / min(len(ta), len(tb)) >= 0.85


class ReportRetriever(BaseRetriever):
    """LangChain retriever returning ``Document``s with the chunk metadata (and ``score``)."""

    retriever: Any
    k: int = 5
    filters: Any = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(
                page_content=p.text, metadata={**p.metadata, "chunk_id": p.chunk_id, "score": p.score}, id=p.chunk_id
            )
            for p in self.retriever.search(query, k=self.k, filters=self.filters)
        ]


def search(
    index: Index, query: str, k: int = 5, doc_ids: set[str] | None = None, kinds: set[str] | None = None
) -> list[Passage]:
    """Convenience wrapper: one hybrid search."""
    return Retriever(index).search(query, k, Filters(doc_ids=doc_ids, kinds=kinds))
