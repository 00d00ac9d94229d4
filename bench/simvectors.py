"""Ingest with simulated passage vectors, for archives too large to encode here (a million passages
would take the 2-core machine about four hours of encoding).

A passage's vector is the mean of the packaged model's own vectors for the passage's words (each
distinct word encoded once, numbers left out), normalised. The vectors live in the model's space,
so questions are still encoded by the real model and searched the real way; everything else in
the ingest (reading, chunking, the lexical index, the Chroma store) is the real pipeline.

Usage: python bench/simvectors.py --index DIR --files LIST   (LIST: one report path per line)
Prints one JSON line: the ingest summary's counts, seconds and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

import assistant  # noqa: F401  (offline environment)
from assistant.indexing.embedding import Encoder, default_model_path, use_encoder
from assistant.indexing.ingest import ingest
from assistant.settings import Settings

WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


class WordMeanModel:
    """A stand-in for the sentence-transformers model with only ``encode``: word-mean vectors."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.words: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], normalize_embeddings: bool = True, **_: Any) -> np.ndarray:
        tokens = [[w.lower() for w in WORD.findall(t)] for t in texts]
        new = sorted({w for ws in tokens for w in ws} - self.words.keys())
        if new:
            self.words.update(zip(new, self.real.encode(new, batch_size=256, normalize_embeddings=True)))
        out = np.stack(
            [
                np.mean([self.words[w] for w in ws], axis=0)
                if ws
                else self.real.encode([t], normalize_embeddings=True)[0]
                for t, ws in zip(texts, tokens)
            ]
        ).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def install(model_path: Path | None = None) -> None:
    """Make this process's ingest use word-mean vectors for the configured model (None: the packaged one)."""
    path = Path(model_path) if model_path else default_model_path()
    use_encoder(model_path, Encoder(path, model=WordMeanModel(Encoder(path).model)))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--files", required=True, help="a text file listing the reports to ingest, one per line")
    args = ap.parse_args()
    settings = Settings(index_dir=Path(args.index))
    install(settings.embedding_model)
    paths = [Path(line) for line in Path(args.files).read_text().splitlines() if line.strip()]
    summary = ingest(paths, settings, progress=False)
    counts = Counter(result.status for result in summary.results)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "files": counts,
                "chunks": summary.embedded,
                "seconds": round(summary.seconds, 1),
                "peak_mb": round(peak_mb),
            }
        )
    )
    return 0 if not counts.get("failed") else 1


if __name__ == "__main__":
    sys.exit(main())
