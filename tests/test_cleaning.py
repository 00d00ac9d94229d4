from assistant.documents import Page
from assistant.reading.cleaning import clean_line, clean_pages, join_wrapped, merge_vertical_text


def test_running_header_and_page_numbers_removed():
    pages = [
        Page(
            i,
            f"OFFICE OF POLICE AND CRIME COMMISSIONER\n{i}.1 Body text number {i} here.\n"
            + "\n".join(f"Line {j} of page {i} body." for j in range(8))
            + f"\nPage {i} of 4",
        )
        for i in range(1, 5)
    ]
    text = "\n".join(p.text for p in clean_pages(pages))
    assert "OFFICE OF POLICE" not in text
    assert "Page 2 of 4" not in text
    assert "2.1 Body text number 2 here." in text


def test_header_on_a_few_pages_kept_once():
    pages = [
        Page(i, ("Table Header Row\n" if 3 <= i <= 6 else "") + f"line {i} body text\nend {i}.") for i in range(1, 13)
    ]
    text = "\n".join(p.text for p in clean_pages(pages))
    assert text.count("Table Header Row") == 1


def test_markup_removed():
    assert clean_line("**Date: 24<sup>th</sup> February 2016**") == "Date: 24th February 2016"
    assert (
        clean_line("I hereby approve/~~do not approve~~ the recommendation") == "I hereby approve/ the recommendation"
    )


def test_vertical_text_merged():
    assert merge_vertical_text(["C", "C", "T", "V", " ", "R", "o", "o", "m", "LIMITED"]) == ["CCTV Room", "LIMITED"]


def test_join_wrapped_repairs_split_words():
    assert (
        join_wrapped(["the Information", "Communica", "tion Technology"]) == "the Information Communication Technology"
    )
    assert join_wrapped(["in", "to the"]) == "in to the"
    assert join_wrapped(["for 2017/1", "8 and"]) == "for 2017/18 and"


def test_a_running_header_carrying_its_page_number_is_removed_also_when_joined_to_text():
    """A two-column page's reading joins the header to the text beside it ("… Report 7 The force …")."""
    pages = [
        Page(
            i,
            (
                f"Annual Report of the Commissioner 2019-20 {i + 4} The force recruited {i} officers."
                if i % 2
                else f"Annual Report of the Commissioner 2019-20 {i + 4}\nThe force recruited {i} officers."
            )
            + "\n"
            + "\n".join(f"Line {j} of page {i} body." for j in range(8))
            + f"\n{i + 4} | Testshire OPCC annual report",
        )
        for i in range(1, 7)
    ]
    text = "\n".join(p.text for p in clean_pages(pages))
    assert "Annual Report of the Commissioner" not in text and "Testshire OPCC annual report" not in text
    for i in range(1, 7):
        assert f"The force recruited {i} officers." in text


def test_a_figure_line_repeated_on_a_few_pages_is_not_taken_for_a_numbered_header():
    pages = [
        Page(i, (f"Officers recruited this quarter {10 + i}\n" if i <= 3 else "") + f"line {i} body text\nend {i}.")
        for i in range(1, 9)
    ]
    text = "\n".join(p.text for p in clean_pages(pages))
    assert all(f"Officers recruited this quarter {10 + i}" in text for i in range(1, 4))


def test_text_that_starts_like_a_running_header_is_kept_unless_its_number_is_the_page():
    pages = [
        Page(i, f"Police and Crime Plan {i + 2}\nLine of page {i} body.\nMore of page {i}.\nEnd {i}.")
        for i in range(1, 7)
    ]
    pages.append(Page(7, "Police and Crime Plan 2021 sets out four priorities.\nLine of page 7.\nMore.\nEnd."))
    text = "\n".join(p.text for p in clean_pages(pages))
    assert "Police and Crime Plan 2021 sets out four priorities." in text  # 2021 is not page 7's number
    assert "Police and Crime Plan 5" not in text
