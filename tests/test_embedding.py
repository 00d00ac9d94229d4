"""The packaged encoder: order-preserving batches, and a question is not held up by a long ingest encode."""

import threading
import time

import numpy as np
import pytest

from assistant.embedding import get_encoder

# The real model's tests are slow; the fast tests plug the hashing encoder in through the same Encoder.

TEXTS = [
    "The service desk received 24,635 requests for service in 2018/19.",
    "Budget",
    "Capital programme underspend of £1.2m against a budget of £4.5m, largely on technology projects.",
] * 3


@pytest.mark.slow
def test_vectors_come_back_in_the_order_of_the_texts():
    encoder = get_encoder()
    together = np.array(encoder.embed(TEXTS, batch_size=2))
    one_by_one = np.array([encoder.embed_query(t) for t in TEXTS])
    assert together.shape == (len(TEXTS), 384)
    assert np.allclose(together, one_by_one, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_a_question_is_embedded_between_the_batches_of_a_long_encode():
    encoder = get_encoder()
    texts = [f"Paragraph {i}: the force spent £{i},000 on vehicles and estates in the year. " * 6 for i in range(300)]
    finished: dict[str, float] = {}
    bulk = threading.Thread(
        target=lambda: (encoder.embed(texts, batch_size=32), finished.setdefault("bulk", time.perf_counter()))
    )
    bulk.start()
    time.sleep(0.5)  # the bulk encode is under way
    encoder.embed_query("How many requests did the service desk receive?")
    finished["query"] = time.perf_counter()
    bulk.join()
    assert finished["query"] < finished["bulk"], "the question waited for the whole bulk encode"


def test_a_question_is_encoded_on_one_thread_and_an_ingest_on_all_cores(fast_settings, tmp_path):
    import os

    import torch

    from assistant.index import Index
    from assistant.ingest import ingest
    from assistant.retrieval import Retriever

    (tmp_path / "r.txt").write_text("1.1 The fleet has 212 vehicles.\n", encoding="utf-8")
    ingest([tmp_path / "r.txt"], fast_settings, progress=False)
    assert torch.get_num_threads() == (os.cpu_count() or 1), "an ingest encode uses every core"
    index = Index(fast_settings)
    try:
        Retriever(index).search("fleet vehicles")
        assert torch.get_num_threads() == fast_settings.query_threads == 1
    finally:
        index.close()
