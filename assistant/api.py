"""The one door into the assistant, used by the CLI, the chat app, the server and the evaluation:
``Assistant(index_dir).ask(q)``, ``.search(q)``, and the library (``reports``, ``add``, ``remove``, ``ingest``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from .answering.answerer import extract
from .answering.extraction import Extracted
from .answering.language import WELSH_NOTICE, welsh
from .answering.llm import MARKER, build_chat_model, build_messages, verify
from .answering.relevance import relevant
from .answering.retrieval import ReportRetriever, Retriever
from .documents import Filters, Passage, text_problem
from .indexing.index import Index
from .indexing.ingest import IngestSummary, ingest
from .indexing.lexical import DocumentRecord
from .indexing.library import ReportRow, add_reports, documents, evidence_folder, find_report, remove_report, reports
from .reading.evidence import page_image
from .settings import Settings, get_settings

log = logging.getLogger(__name__)
CITATION_KEYS = ("document", "source", "page", "paragraph", "heading", "text", "score")
ANSWER_PASSAGES = 8  # passages the answerer reads
ANSWER_KINDS = {"paragraph", "table_row"}
RELATED = 3


@dataclass
class Answer:
    """An answer with its citations (or an abstention with related passages)."""

    question: str
    answer: str
    abstained: bool
    citations: list[Passage]
    related: list[Passage] = field(default_factory=list)
    latency_ms: float = 0.0
    answerer: str = "extractive"
    note: str | None = None
    passages: list[Passage] = field(default_factory=list, repr=False)  # what the answerer read, ranked
    confidence: float | None = None  # the extractive answerer's evidence coverage (0 when a check failed)

    @property
    def shown(self) -> list[Passage]:
        """The passages to show with the answer: its citations, or after an abstention the related passages."""
        return self.related if self.abstained else self.citations

    def to_json(self) -> dict[str, Any]:
        """Exactly the ``ask --json`` object."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [
                {**{k: p.citation()[k] for k in CITATION_KEYS}, "ocr": bool(p.metadata.get("ocr"))}
                for p in self.citations
            ],
            "latency_ms": round(self.latency_ms, 1),
        }


def _check_text(text: str, what: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"the {what} must be text, not {type(text).__name__}")
    problem = text_problem(text, controls=False)
    if problem:
        raise ValueError(f"the {what} cannot be used: {problem}")


def abstention(question: str) -> str:
    return f"The reports do not say. No passage answers: “{question.strip()}”"


class Assistant:
    """Retrieval plus the extractive answerer, with the verified LLM answerer when configured."""

    def __init__(self, index_dir: str | Path | None = None, settings: Settings | None = None) -> None:
        self.settings = (settings or get_settings()).with_index(index_dir)
        self.index = Index(self.settings)

    @cached_property
    def retriever(self) -> Retriever:
        """Hybrid search over the index (loads the encoder: not needed to list, add or remove reports)."""
        return Retriever(self.index)

    def load(self) -> Assistant:
        """Load the encoder now, so that the first question is as quick as the rest (the app does at start)."""
        _ = self.retriever
        return self

    def warm(self) -> Assistant:
        """Load the encoder and run one search, so that a server's first users do not pay for the
        first forward pass and the first reads of the indexes (about 0.25 s each, more when they come at once)."""
        self.load().retrieve("annual report budget")
        return self

    @cached_property
    def llm(self) -> Any | None:
        """The chat model when one is configured (loaded on the first question, not for ingest or search)."""
        return build_chat_model(self.settings) if self.settings.llm_enabled else None

    def close(self) -> None:
        self.index.close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- questions and searches ---------------------------------------------
    def ask(self, question: str, filters: Filters | None = None) -> Answer:
        """Answer ``question`` with citations, or abstain with related passages.

        ValueError for a question that cannot be encoded as UTF-8 or holds a NUL."""
        _check_text(question, "question")
        started = time.perf_counter()
        result = self.answer(question, self.retrieve(question, filters))
        result.latency_ms = (time.perf_counter() - started) * 1000
        return result

    def retrieve(self, question: str, filters: Filters | None = None) -> list[Passage]:
        """The passages the answerer reads: paragraphs and table rows (whole tables are for display and search)."""
        scoped = replace(filters or Filters(), kinds=(filters.kinds if filters and filters.kinds else ANSWER_KINDS))
        return self.search(question, ANSWER_PASSAGES, scoped)

    def answer(self, question: str, passages: list[Passage]) -> Answer:
        """The answer to ``question`` from ``passages`` (ranked), which it keeps as ``Answer.passages``."""
        result = self._answer(question, passages)
        result.passages = passages
        if welsh(question):  # said, not a silent "not found": the reports are read in English
            result.note = " ".join(x for x in (WELSH_NOTICE, result.note) if x)
        return result

    def chain(self, filters: Filters | None = None) -> Runnable:
        """The answer path as a LangChain runnable (question -> :class:`Answer`): the same two steps as ``ask``."""
        retrieve = RunnableLambda(lambda q: {"question": q, "passages": self.retrieve(q, filters)})
        return retrieve | RunnableLambda(lambda x: self.answer(x["question"], x["passages"]))

    def search(
        self, query: str, k: int = 5, filters: Filters | None = None, relevant_only: bool = False
    ) -> list[Passage]:
        """Ranked source passages (the FOI passage finder): no answer generation. ``relevant_only``: of
        the ``k`` best, only those above the relevance floor and no fragments (:mod:`.answering.relevance`);
        the answerer reads them all.

        ValueError for a query that cannot be encoded as UTF-8 or holds a NUL."""
        _check_text(query, "search")
        found = self.retriever.search(query, k=k, filters=filters)
        return relevant(query, found) if relevant_only else found

    def as_retriever(self, k: int = 5, filters: Filters | None = None) -> ReportRetriever:
        """A LangChain ``BaseRetriever`` over this index."""
        return ReportRetriever(retriever=self.retriever, k=k, filters=filters)

    # ---- the library --------------------------------------------------------
    def documents(self, clearance: str | None = None) -> list[DocumentRecord]:
        """The indexed reports' registry records a user of ``clearance`` may see."""
        return documents(self.index, clearance)

    def reports(self, clearance: str | None = None) -> list[ReportRow]:
        """The indexed reports a user of ``clearance`` may see, as the library lists them."""
        return reports(self.index, clearance)

    def report(self, doc_id: str, clearance: str | None = None) -> DocumentRecord | None:
        """One report if a user of ``clearance`` may see it (else None, as if it did not exist)."""
        return find_report(self.index, doc_id, clearance)

    def evidence(self, chunk_id: str, clearance: str | None = None, marks: list[str] | None = None) -> Path | None:
        """The cited PDF page as an image with the passage highlighted and ``marks`` (figures) outlined.

        None for a passage a user of ``clearance`` may not see, or one with no PDF page to show."""
        found = self.index.lexical.chunks([chunk_id]).get(chunk_id)
        if found is None:
            return None
        text, meta = found
        doc = self.report(str(meta.get("doc_id", "")), clearance)
        page = meta.get("page")
        if doc is None or doc.kind != "pdf" or not isinstance(page, int) or not Path(doc.path).is_file():
            return None
        scanned = bool(meta.get("ocr"))  # its words are found by reading the page image again
        s = self.settings
        return page_image(
            Path(doc.path),
            page,
            text,
            marks or [],
            evidence_folder(s),
            doc.doc_id,
            max(s.pdf_memory_mb, s.ocr_memory_mb) if scanned else s.pdf_memory_mb,
            s.pdf_timeout + s.ocr_timeout if scanned else s.pdf_timeout,
            scanned,
            meta.get("page_end") if isinstance(meta.get("page_end"), int) else None,
        )

    def ingest(self, paths: list[Path], prune: bool = False, progress: bool = False) -> IngestSummary:
        """Index the reports under ``paths`` (files or folders); one bad file never aborts the rest."""
        return ingest(paths, self.settings, prune=prune, progress=progress, index=self.index)

    def add(
        self,
        uploads: list[tuple[Path, str]],
        on_progress: Callable[[float, str], None] | None = None,
        clearance: str | None = None,
    ) -> IngestSummary:
        """Check, store and index uploaded files (temporary path, name as uploaded).

        An earlier version is looked for only among the reports the uploader's ``clearance`` covers."""
        return add_reports(self.index, uploads, self.settings, on_progress=on_progress, clearance=clearance)

    def remove(self, doc_id: str, clearance: str | None = None) -> str:
        """Remove a report from both indexes (and its uploaded copy); returns its title.

        KeyError if there is no such report or a user of ``clearance`` may not see it (the same error)."""
        return remove_report(self.index, doc_id, self.settings, clearance)

    def _meaning(self, question: str, texts: list[str]) -> list[float]:
        """The sentence encoder's cosine of a question with each candidate answer or point."""
        return self.retriever.encoder.similarities(question, texts, threads=self.settings.query_threads)

    def _within_report(self, text: str, doc_id: str, k: int) -> list[Passage]:
        """The ``k`` paragraphs of one report closest to ``text`` (a report a retrieved passage comes from,
        so one the asker may read: disclosure is per report)."""
        return self.retriever.search(text, k=k, filters=Filters(doc_ids={doc_id}, kinds={"paragraph"}))

    def _answer(self, question: str, passages: list[Passage]) -> Answer:
        extracted = extract(question, passages, self.retriever.section, self._meaning, self._within_report)
        if self.llm is not None and passages:
            llm_answer = self._llm_answer(question, passages, extracted)
            if llm_answer is not None:
                return llm_answer
        if extracted.answer is None:
            return Answer(question, abstention(question), True, [], passages[:RELATED], confidence=extracted.confidence)
        return Answer(question, extracted.answer, False, extracted.support, confidence=extracted.confidence)

    def _llm_answer(self, question: str, passages: list[Passage], extracted: Extracted) -> Answer | None:
        shown = passages[:5]
        try:
            text = str(self.llm.invoke(build_messages(question, shown))).strip()
        except Exception as exc:  # noqa: BLE001 - an unreachable LLM falls back, never fails the question
            log.warning("LLM answerer failed (%s); extractive answer used", exc)
            return self._fallback(
                question, passages, extracted, f"The language model could not be reached ({type(exc).__name__})."
            )
        qtype = extracted.query.qtype
        needs = "figure" if qtype in ("quantity", "percent") else "date" if qtype == "date" else None
        check = verify(text, shown, needs)
        if check.ok:
            # Number the markers as the citations are listed: [3] [5] -> [1] [2].
            order = {i + 1: n for n, i in enumerate(check.cited, 1)}
            text = MARKER.sub(lambda m: f"[{order.get(int(m.group(1)), m.group(1))}]", text)
            return Answer(question, text, False, [shown[i] for i in check.cited], answerer="llm")
        if check.not_found and extracted.answer is None:
            return Answer(question, abstention(question), True, [], passages[:RELATED], answerer="llm")
        note = (
            "The language model's answer was not shown: "
            + "; ".join(check.problems[:3])
            + ". Extractive answer shown instead."
        )
        return self._fallback(question, passages, extracted, note)

    def _fallback(self, question: str, passages: list[Passage], extracted: Extracted, note: str) -> Answer:
        if extracted.answer is None:
            return Answer(
                question, abstention(question), True, [], passages[:RELATED], answerer="extractive", note=note
            )
        return Answer(question, extracted.answer, False, extracted.support, answerer="extractive", note=note)
