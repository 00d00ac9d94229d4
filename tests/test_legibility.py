"""Garbled text (a font decoded wrongly) is recognised; real report text is not flagged."""

import random

import pytest
from conftest import TEXTS

from assistant.reading.legibility import legible


def _gibberish(n: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    return " ".join("".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(3, 8))) for _ in range(n))


def test_gibberish_is_not_language():
    assert not legible(_gibberish(60))
    assert not legible("(cid:12)(cid:45)(cid:3) " * 40)
    assert not legible("\ue001\ue002\ue003 " * 60)


def test_report_text_and_short_text_are_legible():
    for f in sorted(TEXTS.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        assert all(legible(text[i : i + 3000]) for i in range(0, len(text), 3000)), f.name
    assert legible("Page 7")  # too short to judge
    assert legible("Xqzv blmt")


@pytest.mark.parametrize("reader", ["pypdf", "layout"])
def test_a_gibberish_page_is_left_out_with_a_warning(tmp_path, reader):
    from pdfgen import make_pdf

    from assistant.reading.loading import Limits, load_document

    words = _gibberish(80).split()
    garbled = [" ".join(words[i : i + 8]) for i in range(0, 80, 8)]
    data = make_pdf([["1. Introduction", "1.1 The force opened two new stations in 2021."], garbled])
    doc = load_document(tmp_path / "mixed.pdf", data, limits=Limits(pdf_reader=reader))
    assert "two new stations" in doc.pages[0].text and doc.pages[1].text == ""
    assert any("page 2" in w and "not language" in w for w in doc.warnings)


def test_a_pdf_of_only_gibberish_says_so(tmp_path):
    from pdfgen import make_pdf

    from assistant.documents import LoadError
    from assistant.reading.loading import load_document

    words = _gibberish(80).split()
    data = make_pdf([[" ".join(words[i : i + 8]) for i in range(0, 80, 8)]])
    with pytest.raises(LoadError, match="fonts decode to gibberish") as refused:
        load_document(tmp_path / "garbled.pdf", data)
    assert "OCR" not in str(refused.value)
