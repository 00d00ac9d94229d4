"""The packaged encoder: order-preserving batches, and a question is not held up by a long ingest encode."""

import threading
import time

import numpy as np
import pytest

from assistant.indexing.embedding import get_encoder

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
    asked: dict[str, object] = {}

    def between(done: int, total: int) -> None:
        """The bulk encode's progress: after its first batch (of ten) it is under way and has more to do;
        it waits here, between two batches, for the question (a lock held across the whole encode would
        keep the question out until the bulk ended, so it would never come back)."""
        if "vector" in asked or "waited" in asked:
            return
        question = threading.Thread(target=lambda: asked.setdefault("vector", encoder.embed_query(QUERY)))
        question.start()
        question.join(timeout=120)
        asked["waited"] = (done, total)

    vectors = encoder.embed(texts, batch_size=32, on_batch=between)
    assert asked["waited"] == (32, 300)  # the question was asked after the first batch of ten
    assert "vector" in asked, "the question waited for the whole bulk encode"
    assert len(vectors) == 300 and np.allclose(asked["vector"], encoder.embed_query(QUERY), atol=1e-5)


QUERY = "How many requests did the service desk receive?"


def test_a_question_is_encoded_on_one_thread_and_an_ingest_on_all_cores(fast_settings, tmp_path):
    import os

    import torch

    from assistant.answering.retrieval import Retriever
    from assistant.indexing.index import Index
    from assistant.indexing.ingest import ingest

    (tmp_path / "r.txt").write_text("1.1 The fleet has 212 vehicles.\n", encoding="utf-8")
    ingest([tmp_path / "r.txt"], fast_settings, progress=False)
    assert torch.get_num_threads() == (os.cpu_count() or 1), "an ingest encode uses every core"
    index = Index(fast_settings)
    try:
        Retriever(index).search("fleet vehicles")
        assert torch.get_num_threads() == fast_settings.query_threads == 1
    finally:
        index.close()


@pytest.mark.slow
def test_the_encoder_gives_the_models_own_vectors():
    """Tokenising and the forward pass are run apart (to let encodes overlap): the vectors are the model's."""
    encoder = get_encoder()
    texts = [*TEXTS, "x " * 3000, "a"]
    ours = np.array(encoder.embed(texts, batch_size=4))
    theirs = encoder.model.encode(texts, batch_size=4, normalize_embeddings=True, convert_to_numpy=True)
    assert np.allclose(ours, theirs, atol=1e-6)


def test_encodes_wanting_the_same_threads_overlap_and_another_count_waits():
    from assistant.indexing.embedding import _ThreadGate

    gate, log, lock = _ThreadGate(), [], threading.Lock()
    release = {name: threading.Event() for name in ("upload", "question", "ingest", "late question")}
    gate._cond = checks = _Checks(gate)  # each time an encode looks at the gate and waits: who, and who was in

    def hold(name: str, threads: int) -> None:
        with gate.using(threads):
            with lock:
                log.append(f"in {name}")
            release[name].wait(10)

    def until(condition) -> None:
        deadline = time.monotonic() + 10
        while not condition():
            assert time.monotonic() < deadline, (log, checks.waited)
            time.sleep(0.005)

    threads = {
        name: threading.Thread(target=hold, args=(name, count), name=name)
        for name, count in (
            ("upload", 1),
            ("question", 1),  # same count: beside the upload
            ("ingest", 2),  # another count: waits for both
            ("late question", 1),  # after ingest queued
        )
    }
    threads["upload"].start()
    until(lambda: "in upload" in log)
    threads["question"].start()
    until(lambda: "in question" in log)  # entered while the upload still holds the gate
    threads["ingest"].start()
    until(lambda: len(gate._queue) == 1)
    threads["late question"].start()
    until(lambda: len(gate._queue) == 2)
    release["question"].set()
    release["upload"].set()
    until(lambda: "in ingest" in log)
    # The ingest's entry woke the late question, which looked at the gate again with the ingest in it
    # (threads 2): the moment it would have passed. It went back to waiting, or it would be in the log.
    until(lambda: ("late question", 2) in checks.waited or "in late question" in log)
    assert "in late question" not in log, "no newcomer passes a waiting encode"
    release["ingest"].set()
    until(lambda: "in late question" in log)
    release["late question"].set()
    for t in threads.values():
        t.join()
    assert log == ["in upload", "in question", "in ingest", "in late question"]


class _Checks(threading.Condition):
    """The gate's condition, noting each wait: the waiting thread's name and the gate's thread count then
    (a waiter decides under the lock and waits at once, so a note means "looked, and stayed out")."""

    def __init__(self, gate) -> None:
        super().__init__()
        self.gate = gate
        self.waited: list[tuple[str, int | None]] = []

    def wait(self, timeout=None):
        self.waited.append((threading.current_thread().name, self.gate._current))
        return super().wait(timeout)


def test_the_meaning_floor_separates_a_paraphrase_from_an_unrelated_sentence():
    """The abstention checks forgive a missing word only above MEANING_FLOOR: the real model puts a
    paraphrase above it and a sentence about something else below."""
    from assistant.answering.abstention import MEANING_FLOOR
    from assistant.indexing.embedding import get_encoder

    encoder = get_encoder(None)
    question = "How many people replied to the survey about neighbourhood policing?"
    close, far = encoder.similarities(
        question,
        ["There were 2,310 responses to the neighbourhood policing survey.", "The custody suite cost £1.2m to refit."],
    )
    assert close >= MEANING_FLOOR > far


def test_similarities_keep_recent_vectors_and_give_the_same_cosines():
    from conftest import HashingModel

    from assistant.indexing.embedding import Encoder

    encoded: list[str] = []

    class Counting(HashingModel):
        def encode(self, texts, **kw):
            encoded.extend(texts)
            return super().encode(texts, **kw)

    encoder = Encoder(model=Counting())
    texts = ["The fleet budget overspent.", "The custody suite was rebuilt.", "The fleet budget overspent."]
    first = encoder.similarities("Why did the fleet overspend?", texts)
    assert len(first) == 3 and first[0] == first[2] and first[0] > first[1]
    assert sorted(encoded) == sorted(["Why did the fleet overspend?", *texts[:2]])  # each text once
    encoded.clear()
    assert encoder.similarities("Why did the fleet overspend?", texts) == first
    assert encoded == ["Why did the fleet overspend?"]  # the sentences' vectors were kept
    encoded.clear()
    against = encoder.similarities(texts[1], texts)  # one of them weighed against the others
    assert encoded == [] and against[1] == pytest.approx(1.0, abs=1e-5)
