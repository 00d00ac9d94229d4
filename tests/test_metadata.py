from pathlib import Path

import pytest

from assistant.documents import Page
from assistant.reading.metadata import detect_metadata


@pytest.mark.parametrize(
    "text",
    [
        "NOT PROTECTIVELY MARKED\n\nEstates Strategy 2020\n\n1.1 Seventeen stations were refurbished.\n",
        "OFFICIAL - SENSITIVE: COMMERCIAL\n\nEstates Strategy 2020\n\n1.1 Seventeen stations were refurbished.\n",
        "Estates Strategy 2020\n\nOFFICIAL-SENSITIVE\n\n1.1 Seventeen stations were refurbished.\n",
        "OFFICIAL\n\nEstates Strategy 2020\n\n1.1 Seventeen stations were refurbished.\n",
    ],
)
def test_a_protective_marking_is_never_the_title_or_part_of_it(text):
    meta = detect_metadata(Path("estates.txt"), [Page(None, text)], None)
    assert meta.title == "Estates Strategy 2020"


@pytest.mark.parametrize(
    "line",
    [
        "The panel reviewed each of the eleven complaints received during the year and found that",  # wraps on
        "Officers attending domestic abuse incidents completed the risk assessment in over-",  # a broken word
        "the force's call handlers answered most emergency calls within ten seconds, and the non",  # body text
        "Stop and search encounters fell in the second half of the year, and complaints about them fell too",
        "Wi = 1/Pi, where Pi is the probability of selecting the ward",  # a formula
        "This page is intentionally left blank",
        "zyxwvutsrqponmlkjihgfedcba",
    ],
)
def test_body_text_a_formula_or_a_blank_page_notice_is_no_title(line):
    text = f"{line}\n\nWorkforce Plan 2022\n\n1.1 The force employs 1,420 officers.\n"
    assert detect_metadata(Path("w.txt"), [Page(None, text)], None).title == "Workforce Plan 2022"


def test_a_title_in_sentence_case_is_still_a_title():
    text = "Annual report of the police and crime commissioner for Gwent 2019\n\n1.1 The year saw 210 arrests.\n"
    assert (
        detect_metadata(Path("a.txt"), [Page(None, text)], None).title
        == "Annual report of the police and crime commissioner for Gwent 2019"
    )


def test_two_texts_printed_over_each_other_are_no_title():
    from assistant.reading.metadata import junk_title

    assert junk_title("HIGHLIGHTS FROM THE SURVEY EXECUTIVAEP SPUEMNMDIAXR AY")
    assert not junk_title("Monmouthshire and Torfaen Community Safety Partnership")
