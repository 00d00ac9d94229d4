"""Generated inputs for the loaders and the chunker: nothing crashes, every bad file gets a clear error."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfgen import make_pdf

from assistant.documents import LoadError
from assistant.reading.chunking import chunk_document
from assistant.reading.loading import Limits, load_document

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
VALID_PDF = make_pdf(
    [
        [
            "Annual Report 2019/20",
            "1. Finance",
            "1.1 The budget was £2.3m in 2019/20.",
            "Item | 2018/19 | 2019/20",
            "Airwave | 100 | 200",
        ]
    ],
    title="Annual Report",
)


def load_and_chunk(name: str, data: bytes, reader: str = "pypdf") -> None:
    """Either a clear LoadError naming the file, or chunks that each carry text and an id."""
    try:
        doc = load_document(Path(name), data, limits=Limits(pdf_reader=reader))
    except LoadError as exc:
        assert exc.path == name and exc.reason and str(exc).startswith(f"{name}: ")
        return
    chunks = chunk_document(doc, 500, 80)
    ids = [c.chunk_id for c in chunks]
    assert len(ids) == len(set(ids))
    for c in chunks:
        assert c.text.strip() and c.chunk_id and c.kind


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_named_pdf(data):
    load_and_chunk("random.pdf", data)
    load_and_chunk("headed.pdf", b"%PDF-1.4\n" + data + b"\n%%EOF\n")


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_named_text(data):
    load_and_chunk("random.txt", data)


@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, len(VALID_PDF) - 1), st.integers(0, 255)), min_size=1, max_size=20),
    st.integers(0, len(VALID_PDF)),
)
def test_malformed_pdfs(flips, cut):
    data = bytearray(VALID_PDF)
    for pos, value in flips:
        data[pos] = value
    load_and_chunk("malformed.pdf", bytes(data))
    load_and_chunk("truncated.pdf", VALID_PDF[:cut])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(VALID_PDF) - 1), st.integers(0, 255)), min_size=1, max_size=20))
def test_malformed_pdfs_through_the_layout_reader(flips):
    data = bytearray(VALID_PDF)
    for pos, value in flips:
        data[pos] = value
    load_and_chunk("malformed.pdf", bytes(data), reader="layout")


ODD_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)


@FUZZ
@given(
    st.lists(
        st.one_of(
            ODD_TEXT,
            st.builds(lambda n, w: f"{n}. {w}", st.integers(0, 30), ODD_TEXT),
            st.builds(lambda a, b, w: f"{a}.{b} {w}", st.integers(0, 12), st.integers(0, 40), ODD_TEXT),
            st.builds(lambda n: "x" * n, st.integers(1000, 120_000)),  # a huge line
            st.builds(
                lambda rows: "\n".join("| " + " | ".join(r) + " |" for r in rows),  # a ragged table
                st.lists(
                    st.lists(st.text("abc £0123456789,.-%", max_size=12), min_size=0, max_size=7),
                    min_size=1,
                    max_size=8,
                ),
            ),
            st.builds(
                lambda rows: "\n".join("\t".join(r) for r in rows),
                st.lists(
                    st.lists(st.text("Total £0123456789,", max_size=10), min_size=1, max_size=6), min_size=1, max_size=6
                ),
            ),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_generated_reports(parts):
    text = "\n".join(parts)
    load_and_chunk("generated.txt", text.encode("utf-8"))
    load_and_chunk("generated.md", text.encode("utf-8", errors="replace"))


@FUZZ
@given(st.lists(st.lists(ODD_TEXT.map(lambda t: t.replace("\n", " ")), min_size=1, max_size=6), min_size=1, max_size=3))
def test_generated_pdfs(pages):
    load_and_chunk("generated.pdf", make_pdf(pages))
