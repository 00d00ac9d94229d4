from assistant.answering import analyse, extract
from assistant.retrieval import Passage


def passage(text: str, kind: str = "paragraph", para: str = "5.2", heading: str = "Finance", **meta) -> Passage:
    m = {"title": "Annual Report – ICT 2018/19", "date": "2019-09-04", "doc_id": "d", **meta}
    return Passage(f"d:{hash(text)}", m["title"], "r.txt", 6, para, heading, kind, text, 1.0, m)


def test_question_types():
    assert analyse("How many requests were there?").qtype == "quantity"
    assert analyse("What percentage of calls were resolved?").qtype == "percent"
    assert analyse("When was the division established?").qtype == "date"
    assert analyse("Who is the contact officer?").qtype == "who"
    assert analyse("How often does the board meet?").qtype == "frequency"
    assert analyse("Which system replaced NSPIS?").qtype == "entity"
    assert analyse("What was the DSD budget for 2018/19?").periods == ["2018/19"]


ROWS = [
    passage("Financial Performance 2018/19 | SRS Airwave | Budget £567,448 | Expenditure £653,640 | Variance £-86,192",
            "table_row", table="Financial Performance 2018/19"),
    passage("Financial Performance 2018/19 | DSD | Budget £1,865,354 | Expenditure £2,118,231 | Variance £-252,877",
            "table_row", table="Financial Performance 2018/19"),
]


def test_table_answer_names_the_cell():
    got = extract("What was the variance for SRS Airwave?", ROWS)
    assert got.answer == "Variance for SRS Airwave, Financial Performance 2018/19: -£86,192"
    assert got.support[0].text.startswith("Financial Performance 2018/19 | SRS Airwave")


def test_period_column_is_chosen():
    rows = [passage("Service Desk Calls | Telephone Calls | 2017/18 Number 21,136 | 2017/18 % 81% | 2018/19 Number 20,096 | 2018/19 % 82%",
                    "table_row", para="3.6", heading="Service Levels", table="Service Desk Calls")]
    assert extract("How many telephone calls did the service desk take in 2017/18?", rows).answer.endswith("21,136")
    assert extract("How many telephone calls did the service desk take in 2018/19?", rows).answer.endswith("20,096")
    assert extract("What percentage of calls were telephone calls in 2018/19?", rows).answer.endswith("82%")
    assert extract("How many telephone calls did the service desk take in 2015/16?", rows).answer is None


def test_prose_answer_is_concise_and_quotes_the_figure():
    long_tail = " ".join(["The service also logged other details about the work of the desk."] * 8)
    p = passage(f"There were 24,635 requests for service in the year. {long_tail}", para="3.6", heading="Service Levels")
    got = extract("How many requests for service were there?", [p])
    assert got.answer == "There were 24,635 requests for service in the year."
    assert len(got.answer) <= 300


def test_abstains_when_the_reports_do_not_say():
    p = passage("There were 24,635 requests for service in the year.", para="3.6")
    assert extract("How much did the force spend on drones?", [p]).answer is None
    assert extract("Who is the Chief Constable?", [p]).answer is None
    assert extract("How many requests for service were there in 2016/17?", [p]).answer is None
