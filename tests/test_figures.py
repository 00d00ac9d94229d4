from assistant.answering.figures import figure_in, figures, periods


def test_periods_are_canonical():
    assert periods("In 2018/19, 2017-18, FY 2019/2020 and 16/17") == ["2018/19", "2017/18", "2019/20", "2016/17"]
    assert periods("between 2015 and 2019") == []
    assert periods("2018/19 %") == ["2018/19"]


def test_figures_are_normalised():
    values = {f.text: (f.value, f.kind) for f in figures("£-86,192, 67 per cent, £1.15m and 24,635 calls")}
    assert values["£-86,192"] == (-86192.0, "money")
    assert values["67 per cent"] == (67.0, "percent")
    assert values["£1.15m"] == (1150000.0, "money")
    assert values["24,635"] == (24635.0, "number")


def test_figure_in_matches_notation_and_scale():
    (million,) = figures("£1.15m")
    assert figure_in(million, "Total | 9,123,757 | 7,971,387 | 1,152,370")
    (exact,) = figures("1152370")
    assert figure_in(exact, "underspent by 1,152,370")
    (wrong,) = figures("25,000")
    assert not figure_in(wrong, "There were 24,635 requests")


def test_digits_of_a_web_or_email_address_are_no_figure():
    text = (
        "The minutes are at https://www.example-pcc.gov.uk/meetings/2021-22/item-14 and "
        "pcc.example.org/371-2/; write to foi2020@example.police.uk. The panel met 6 times."
    )
    assert [f.text for f in figures(text)] == ["6"]


def test_a_currency_code_and_thousands_grouped_by_spaces_make_one_sum_of_money():
    from assistant.answering.figures import figures

    got = [(f.text, f.value, f.kind) for f in figures("Operating costs amounted to EUR 1 107 million in 2004.")]
    assert got[0] == ("EUR 1 107 million", 1_107_000_000.0, "money")
    assert [f.kind for f in figures("a grant of 2.5 million euros")] == ["money"]
    assert [(f.value, f.kind) for f in figures("€ 12 500 a year")] == [(12500.0, "money")]
    # a table row read as text keeps its cells apart: no currency, no scale word
    assert [f.value for f in figures("Gwent 373 396 18100")] == [373.0, 396.0, 18100.0]
