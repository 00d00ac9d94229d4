"""Disclosure status from the report's words, and clearance enforced inside both store queries."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT

from assistant.documents import Page
from assistant.reading.disclosure import PUBLIC, RESTRICTED, detect


def _status(*lines: str) -> str:
    return detect([Page(number=1, text="\n".join(lines))]).status


@pytest.mark.parametrize(
    "lines",
    [
        ["10. PUBLIC INTEREST", "10.1 This document can be disclosed to the public."],
        ["11.2 Are the contents of this report suitable for the public domain? Yes"],
        ["Public/Non Public*: Public"],
        ["This report can be disclosed to the", "public."],  # wrapped across PDF lines
    ],
)
def test_public_only_when_the_report_says_so(lines):
    assert _status(*lines) == PUBLIC


@pytest.mark.parametrize(
    "lines",
    [
        ["Public/Non Public*: Non Public"],
        ["Is there a **Part 2** form - **YES**"],
        ["OFFICIAL-SENSITIVE"],
        ["Are the contents suitable for the public domain? No"],
        ["This report is exempt under section 43 (commercial interests)."],
        ["This document can be disclosed to the public.", "Is there a Part 2 form - YES"],  # restricting wins
        ["1.1 The budget was £2m."],  # says nothing: restricted by default
        ["Public/Non Public*", "*If Non Public, please state under which category"],  # an unfilled form field
        [
            "I confirm this report is suitable for the public domain / is not suitable for the public domain (delete as appropriate)"
        ],
    ],
)
def test_restricted_otherwise(lines):
    assert _status(*lines) == RESTRICTED


def test_reason_and_origin_are_recorded():
    d = detect([Page(number=4, text="This report is exempt under section 43 (commercial interests).")])
    assert d.reason.startswith("exempt under section 43") and d.origin.startswith("report text (p. 4):")
    assert detect([Page(number=None, text="Nothing here")]).origin.startswith("default")


def test_part_1_non_confidential_heading_is_not_a_marking():
    assert (
        _status(
            "PART 1 – NON CONFIDENTIAL FACTS AND ADVICE TO THE PCC", "This document can be disclosed to the public."
        )
        == PUBLIC
    )


# --- clearance, end to end over a real index ----------------------------------------------
PUBLIC_REPORT = """TITLE: Public Estates Update
Date: 1 June 2020
1. Estates
1.1 The force refurbished seventeen police stations during 2019/20 at a cost of £3.2m.
2. Disclosure
2.1 This document can be disclosed to the public.
"""
RESTRICTED_REPORT = """TITLE: Covert Surveillance Review
Date: 2 June 2020
1. Findings
1.1 The covert surveillance budget for Operation Kestrel was £845,000 in 2019/20.
1.2 Eleven undercover officers were deployed to the Kestrel operation.
Is there a Part 2 form - YES
"""
SECRET_WORDS = "covert surveillance budget for Operation Kestrel"


@pytest.fixture(scope="module")
def cleared_index(tmp_path_factory):
    from assistant.indexing.ingest import ingest
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("clearance")
    (root / "reports").mkdir()
    (root / "reports" / "estates.txt").write_text(PUBLIC_REPORT)
    (root / "reports" / "kestrel.txt").write_text(RESTRICTED_REPORT)
    summary = ingest([root / "reports"], Settings(index_dir=root / "index"), progress=False)
    assert summary.failed == 0
    return root / "index"


@pytest.mark.slow
def test_public_clearance_never_sees_a_restricted_passage(cleared_index):
    from assistant.api import Assistant, abstention
    from assistant.documents import Filters

    a = Assistant(cleared_index)
    try:
        public = Filters(clearance="public")
        full = a.ask(f"What was the {SECRET_WORDS} in 2019/20?")
        assert not full.abstained and "£845,000" in full.answer  # restricted clearance sees it

        hidden = a.ask(f"What was the {SECRET_WORDS} in 2019/20?", public)
        shown = hidden.citations + hidden.related + hidden.passages
        assert hidden.abstained and hidden.answer == abstention(hidden.question)  # echoes only the user's own words
        assert all(p.document == "Public Estates Update" for p in shown)
        for query in (SECRET_WORDS, "Eleven undercover officers were deployed to the Kestrel operation", "Kestrel"):
            assert all(p.document == "Public Estates Update" for p in a.search(query, k=20, filters=public))
        # Both stores apply the filter themselves.
        lexical = a.index.lexical.search("Kestrel", 20, public_only=True)
        assert lexical == []
        vector = a.retriever.encoder.embed_query(SECRET_WORDS)
        dense = a.index.vectors.query(vector, 20, public_only=True)
        assert dense and all(a.index.lexical.chunks([c])[c][1]["title"] == "Public Estates Update" for c, _ in dense)
    finally:
        a.close()


@pytest.mark.slow
def test_cli_acts_as_a_user_of_the_given_clearance(cleared_index):
    def run(*args):
        done = subprocess.run(
            [sys.executable, "-m", "assistant", *args, "--index", str(cleared_index)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "Kestrel" in json.dumps(json.loads(run("search", "Kestrel", "--json"))["results"])
    assert "Kestrel" not in json.dumps(
        json.loads(run("search", "Kestrel", "--json", "--clearance", "public"))["results"]
    )
    answer = json.loads(run("ask", f"What was the {SECRET_WORDS}?", "--json", "--clearance", "public"))
    assert answer["abstained"] and "Kestrel" not in json.dumps(answer["citations"]) + answer["answer"].split("“")[0]
