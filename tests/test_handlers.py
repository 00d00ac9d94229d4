"""The app's handlers called as plain functions, as Gradio would call them: role checks, sessions,
untrusted input and the audit entries each writes, without a browser."""

import csv
import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest
from conftest import GWENT_TXT
from test_render import cited_passage

from assistant.api import Assistant
from assistant.audit import AuditLog
from assistant.handlers import AppContext, Handlers, write_csv
from assistant.render import passage_row
from assistant.users import User

USERS = {
    "sam": User("sam", "staff", "public"),
    "fay": User("fay", "foi", "restricted"),
    "ada": User("ada", "admin", "restricted"),
}


@pytest.fixture
def app(tmp_path, fast_settings):
    """Handlers over a real index (hashing encoder) of the Gwent report (public) and a restricted one."""
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(GWENT_TXT, reports / GWENT_TXT.name)
    (reports / "estates.txt").write_text(
        "Estates Strategy 2020\n\nOFFICIAL-SENSITIVE\n\n1.1 Seventeen stations were refurbished in 2020/21.\n",
        encoding="utf-8",
    )
    assistant = Assistant(settings=fast_settings)
    assistant.ingest([reports])
    audit = AuditLog(tmp_path / "audit.sqlite3")
    yield Handlers(AppContext(assistant, USERS.get, audit))
    audit.close()
    assistant.close()


def request(user: str | None, session: str | None = None) -> SimpleNamespace:
    """What Gradio hands a handler: the signed-in name and the tab's session hash (one tab per user)."""
    return SimpleNamespace(username=user, session_hash=session or f"tab-of-{user}")


def entries(on: Handlers) -> list[dict]:
    return on.ctx.audit.entries(limit=50)


def ask(on: Handlers, message, who: str = "sam", session: str | None = None) -> tuple:
    *_, last = on.ask(message, request(who, session), progress=lambda *a, **k: None)
    return last


def test_a_role_that_may_not_act_is_refused_and_the_refusal_audited(app):
    with pytest.raises(gr.Error, match=r"Your role \(staff\) may not remove"):
        app.remove("any-id", request("sam"))
    with pytest.raises(gr.Error, match="may not audit"):
        app.show_audit("", "", request("fay"))
    with pytest.raises(gr.Error, match="sign in again"):
        app.search("budget", 10, [], None, [], "", request(None))
    refused = [e for e in entries(app) if e["action"] == "refused"]
    assert [(e["user"], json.loads(e["detail"])["wanted"]) for e in refused] == [("fay", "audit"), ("sam", "remove")]


def test_an_answer_is_audited_with_what_was_shown_and_follow_ups_use_the_session(app):
    chat, sources, cleared = ask(app, "What was the variance for SRS Airwave in 2018/19?")
    assert "86,192" in chat[-1]["content"] and "Sources" in sources and cleared == ""
    ask(app, "and the year before?")
    latest = entries(app)[0]
    assert (latest["action"], latest["user"], latest["clearance"], latest["query"]) == (
        "ask",
        "sam",
        "public",
        "and the year before?",
    )
    detail = json.loads(latest["detail"])
    assert "Airwave" in detail["answered"] and detail["latency_ms"] >= 0
    assert app.reset_chat(request("sam"))[0] == []
    assert app.ctx.sessions.get("tab-of-sam", "sam").asked == []


def test_another_users_session_is_refused(app):
    ask(app, "How many requests for service were there in 2018/19?", "sam", "shared")
    with pytest.raises(gr.Error, match="belongs to another user"):
        ask(app, "What is in sam's chat?", "fay", "shared")
    assert entries(app)[0]["action"] == "session refused"


@pytest.mark.parametrize(
    "message, error, audited",
    [
        (["a", "list"], "as text", "ask refused"),
        ("   ", "Type a question first", None),
        ("x" * 2001, "at most", "ask refused"),
    ],
)
def test_a_question_that_is_not_text_empty_or_too_long_gets_one_clear_message(app, message, error, audited):
    with pytest.raises(gr.Error, match=error):
        ask(app, message)
    assert [e["action"] for e in entries(app)] == ([audited] if audited else [])


def test_search_sees_only_what_the_users_clearance_allows_and_sanitises_its_inputs(app):
    public, *_ = app.search("stations refurbished", "not a number", [], "20; DROP", ["Bogus"], "Bogus", request("sam"))
    assert public and not any(row[1].startswith("Estates") for row in public)
    assert json.loads(entries(app)[0]["detail"]) == {"k": 10, "reports": [], "year": None, "kinds": [], "status": None}
    nothing, *_ = app.search("stations refurbished", 5, ["../../etc/passwd"], None, [], "", request("sam"))
    assert nothing == []
    found, choices, _, _ = app.search("stations refurbished", 5, [], None, ["Paragraphs"], "", request("fay"))
    assert found[0][1].startswith("Estates") and choices["choices"][0][1] == "1"
    assert json.loads(entries(app)[0]["detail"])["kinds"] == ["Paragraphs"]


def test_results_show_rank_kind_and_disclosure_in_words_and_filter_by_status(app):
    found, choices, _, _ = app.search("stations refurbished budget", 10, [], None, [], "", request("fay"))
    assert [row[0] for row in found] == list(range(1, len(found) + 1))
    assert {row[6] for row in found} <= {"Paragraph", "Table row", "Table"}
    assert {row[7] for row in found} == {"Public", "Restricted"}
    labels = [label for label, _ in choices["choices"]]
    assert len(set(labels)) == len(labels), "every export label is unique"
    assert any(label.endswith("[restricted]") for label in labels)
    public, *_ = app.search("stations refurbished budget", 10, [], None, [], "Public only", request("fay"))
    assert public and {row[7] for row in public} == {"Public"}
    restricted, *_ = app.search("stations refurbished budget", 10, [], None, [], "Restricted only", request("fay"))
    assert restricted and {row[7] for row in restricted} == {"Restricted"}


def test_an_undated_report_can_be_filtered_as_undated(app):
    _, years, _ = app.listing(USERS["fay"])
    assert years[-1] == "Undated" and "2019" in years
    found, *_ = app.search("stations refurbished", 10, [], "Undated", [], "", request("fay"))
    assert found and {row[1] for row in found} == {"Estates Strategy 2020"}


def test_a_result_clicked_is_previewed_as_its_citation(app):
    app.search("stations refurbished", 5, [], None, [], "", request("fay"))
    card = app.preview(request("fay"), gr.SelectData(None, {"index": [0, 3], "value": "", "selected": True}))
    assert 'class="citation"' in card and "Seventeen stations were refurbished" in card
    outside = app.preview(request("fay"), gr.SelectData(None, {"index": [99, 0], "value": "", "selected": True}))
    assert outside == gr.update()


def test_export_takes_ranks_from_the_users_own_search_only(app):
    with pytest.raises(gr.Error, match="may not export"):
        app.export(["1"], False, request("sam"))
    with pytest.raises(gr.Error, match="Select at least one"):
        app.export(["1"], False, request("fay"))  # nothing searched in this session yet
    app.search("Airwave variance", 5, [], None, [], "Public only", request("fay"))
    link = app.export(["1", "99", {"path": "/etc/passwd"}], False, request("fay"))
    assert 'href="/download/' in link and "1 passage" in link and 'download="passages-airwave-variance-' in link
    export = entries(app)[0]
    assert export["action"] == "export" and len(json.loads(export["chunk_ids"])) == 1


def test_restricted_passages_are_exported_only_when_ticked(app):
    app.search("stations refurbished", 5, [], None, [], "Restricted only", request("fay"))
    with pytest.raises(gr.Error, match="restricted reports. Tick"):
        app.export(["1"], False, request("fay"))
    assert entries(app)[0]["action"] == "search", "nothing exported, nothing recorded as exported"
    assert "1 passage" in app.export(["1"], True, request("fay"))
    assert json.loads(entries(app)[0]["detail"])["restricted"] == [1]


def test_each_answer_keeps_its_own_sources(app):
    ask(app, "What was the variance for SRS Airwave in 2018/19?")
    ask(app, "How many requests for service were there in 2018/19?")
    first = app.show_sources(request("sam"), gr.SelectData(None, {"index": 1, "value": "", "selected": True}))
    second = app.show_sources(request("sam"), gr.SelectData(None, {"index": 3, "value": "", "selected": True}))
    assert "86,192" in first and "86,192" not in second and "24,635" in second
    question = app.show_sources(request("sam"), gr.SelectData(None, {"index": 0, "value": "", "selected": True}))
    assert question == first, "clicking a question shows its answer's sources"
    with pytest.raises(gr.Error, match="belongs to another user"):
        app.show_sources(request("fay", "tab-of-sam"), gr.SelectData(None, {"index": 1, "value": "", "selected": True}))


def test_only_files_in_the_upload_folder_can_be_added(app, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("1.1 Not an upload.\n", encoding="utf-8")
    with pytest.raises(gr.Error, match="only files uploaded in this app"):
        app.add([str(outside)], request("ada"), progress=lambda *a, **k: None)
    assert entries(app)[0]["action"] == "upload refused"


def test_an_admin_removes_a_report_and_the_library_lists_within_clearance(app):
    titles = lambda who: [row[0] for row in app.refresh_library(request(who))]  # noqa: E731
    assert titles("sam") == ["Annual Report – ICT & Digital Services 2018/19"]
    assert len(titles("ada")) == 2
    estates = next(r for r in app.assistant.reports() if r.title.startswith("Estates"))
    row = next(row for row in app.refresh_library(request("ada")) if row[0] == estates.title)
    assert row[1:3] == ["undated", "–"], "a text report has no pages and no date to show"
    shown, question, _ = app.confirm_removal(estates.doc_id, request("ada"))
    assert shown["visible"] is True and question.startswith("Remove “Estates Strategy 2020")
    assert app.cancel_removal(request("ada"))[2] == "Nothing removed."
    assert len(titles("ada")) == 2, "asking removes nothing"
    with pytest.raises(gr.Error, match="may not remove"):
        app.confirm_removal(estates.doc_id, request("sam"))
    message, table, *_ = app.remove(estates.doc_id, request("ada"))
    assert "Estates Strategy 2020" in message and len(table) == 1
    with pytest.raises(gr.Error, match="no report"):
        app.remove(estates.doc_id, request("ada"))
    assert entries(app)[0]["action"] == "remove"
    audit_rows = app.show_audit("ada", "remove", request("ada"))
    assert [r[5] for r in audit_rows] == ["remove"]


def test_csv_export_is_spreadsheet_safe(tmp_path):
    rows = [
        passage_row(1, cited_passage('=HYPERLINK("http://x")')),
        passage_row(2, cited_passage("-£86,192 variance")),
    ]
    path = write_csv(rows, tmp_path / "out.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        out = list(csv.DictReader(f))
    assert out[0]["passage"] == '\'=HYPERLINK("http://x")'
    assert out[1]["passage"] == "'-£86,192 variance"
    assert out[0]["citation"].startswith("Annual Report <b>2018/19</b> (4 September 2019), p. 8, para 3.6:")


def _upload(name: str, text: str):
    """A file as Gradio's upload box leaves it: in its upload folder, with the name it was sent under."""
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder()) / f"test-{os.getpid()}-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return SimpleNamespace(path=str(folder / name), orig_name=name)


def test_a_resaved_report_is_offered_as_a_new_version_to_replace_or_keep(app):
    text = GWENT_TXT.read_text(encoding="utf-8")
    amended = text + "\n\n9.9 Addendum: the service desk moved to a new building in 2020.\n"
    summary, table, *_, version_row, version_choice = app.add(
        [_upload("annual-report-v2.txt", amended)], request("ada"), progress=lambda *a, **k: None
    )
    assert "looks like a new version of “Annual Report – ICT &amp; Digital Services 2018/19”" in summary
    assert version_row["visible"] is True and len(version_choice["choices"]) == 1 and len(table) == 3
    new_id = version_choice["value"]
    with pytest.raises(gr.Error, match="Choose one of the new versions"):
        app.replace_version("someone-elses-doc", request("ada"))
    with pytest.raises(gr.Error, match="may not remove"):
        app.replace_version(new_id, request("fay"))
    message, table, *_, version_row, _ = app.replace_version(new_id, request("ada"))
    assert message.startswith("Replaced") and len(table) == 2 and version_row["visible"] is False
    assert [r.doc_id for r in app.assistant.reports() if r.title.startswith("Annual")] == [new_id]
    assert json.loads(entries(app)[0]["detail"])["replaced_by"] == new_id


def test_an_unrelated_report_is_not_a_version_and_keep_both_keeps_both(app):
    _, table, *_, version_row, _ = app.add(
        [_upload("fleet.txt", "Fleet Review\n\n2.1 The fleet has 212 vehicles.\n")],
        request("ada"),
        progress=lambda *a, **k: None,
    )
    assert version_row["visible"] is False and len(table) == 3
    *_, version_choice = app.add(
        [_upload("fleet-v2.txt", "Fleet Review\n\n2.1 The fleet has 212 vehicles.\n\n2.2 Nine are electric.\n")],
        request("ada"),
        progress=lambda *a, **k: None,
    )
    message, table, *_ = app.keep_both(version_choice["value"], request("ada"))
    assert message == "Both versions are kept in the library." and len(table) == 4
