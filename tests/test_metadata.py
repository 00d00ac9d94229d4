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
