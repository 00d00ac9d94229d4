import time
import zlib

import pytest
from pdfgen import assemble, make_pdf

from assistant.documents import LoadError
from assistant.reading.isolation import LimitExceeded, Worker
from assistant.reading.loading import Limits, load_document


def test_a_hung_parse_is_stopped_and_the_worker_replaced():
    import signal

    w = Worker(memory_mb=512)
    try:
        processes = w._executor()._processes  # the pool's own record of the process it starts for the call
        with pytest.raises(LimitExceeded, match="longer than 1 s"):
            w.run(time.sleep, 30, timeout=1)
        (hung,) = processes.values()
        deadline = time.monotonic() + 60  # its end is reaped by the pool's thread or by this one
        while hung.exitcode is None:
            assert time.monotonic() < deadline, "the hung worker is still running"
            hung.join(timeout=0.1)
        assert hung.exitcode == -signal.SIGKILL, "the hung parse was killed, not waited for"
        assert w.run(len, "still works", timeout=30) == 11
    finally:
        w.close()


def test_the_parsing_worker_runs_at_a_lower_priority_than_the_app():
    import os

    from assistant.reading.isolation import PARSE_NICE, worker

    here = os.nice(0)
    assert worker(512).run(os.nice, 0, timeout=60) == min(here + PARSE_NICE, 19)
    w = Worker(memory_mb=512)  # other workers (the page images a user waits for) do not
    try:
        assert w.run(os.nice, 0, timeout=60) == here
    finally:
        w.close()


def test_memory_is_capped_in_the_worker():
    w = Worker(memory_mb=400)
    try:
        with pytest.raises(LimitExceeded, match="memory"):
            w.run(bytearray, 2_000_000_000, timeout=60)
    finally:
        w.close()


def _bomb_pdf(expanded_bytes: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``expanded_bytes``."""
    content = zlib.compress(b"BT /F1 10 Tf 50 800 Td (" + b"A" * expanded_bytes + b") Tj ET", 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return assemble(objects)


def test_decompression_bomb_is_refused(tmp_path):
    bomb = _bomb_pdf(100_000_000)
    assert len(bomb) < 200_000
    with pytest.raises(LoadError, match="refused"):
        load_document(tmp_path / "bomb.pdf", bomb)


def test_text_and_page_limits(tmp_path):
    with pytest.raises(LoadError, match="over the 3 page limit"):
        load_document(tmp_path / "long.pdf", make_pdf([["page"]] * 5), limits=Limits(max_pages=3))
    with pytest.raises(LoadError, match="characters of text"):
        load_document(tmp_path / "wordy.pdf", _bomb_pdf(2_000_000), limits=Limits(max_chars=1_000_000))
    with pytest.raises(LoadError, match="over the 100 limit"):
        load_document(tmp_path / "wordy.txt", b"word " * 100, limits=Limits(max_chars=100))


def test_a_slow_pdf_fails_clearly_and_the_next_one_loads(tmp_path):
    pdf = make_pdf([["1. Introduction", "1.1 The force opened two new stations."]])
    slow = make_pdf([[f"{n}.1 The force opened two new stations in district {n}."] * 40 for n in range(300)])
    with pytest.raises(LoadError, match="PDF refused: parsing took longer than"):  # 300 pages: never within 10 ms
        load_document(tmp_path / "slow.pdf", slow, limits=Limits(pdf_seconds=0.01))
    doc = load_document(tmp_path / "fine.pdf", pdf)
    assert "two new stations" in doc.pages[0].text


def test_a_worker_ends_when_the_process_that_started_it_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, sys, time\n"
            "from assistant.reading.isolation import Worker\n"
            "print(Worker(memory_mb=512).run(os.getpid, timeout=60), flush=True)\n"
            "time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        child = int(parent.stdout.readline())
        os.kill(child, 0)  # running
        parent.send_signal(signal.SIGKILL)  # no clean shutdown: nothing tells the worker
        parent.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        os.kill(child, signal.SIGKILL)
        pytest.fail("the worker outlived the process that started it")
    finally:
        parent.kill()
