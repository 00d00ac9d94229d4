"""The app's handlers called as plain functions, as Gradio would call them: role checks, sessions,
untrusted input and the audit entries each writes, without a browser."""

import csv
import json
import os
import re
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest
from conftest import GWENT_TXT, TEXTS
from test_render import cited_passage

from assistant.api import Assistant
from assistant.audit import CREATED, AuditLog
from assistant.web.auditview import WITHHELD, local_time, redact_entry
from assistant.web.handlers import AppContext, Handlers, write_csv
from assistant.web.render import passage_row
from assistant.web.users import User

USERS = {
    "sam": User("sam", "staff", "public"),
    "fay": User("fay", "foi", "restricted"),
    "ada": User("ada", "admin", "restricted"),
    "pam": User("pam", "admin", "public"),
}


def index_two_reports(tmp_path: Path, settings) -> None:
    """Index the Gwent report (public) and a restricted estates report into ``settings``' index."""
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(GWENT_TXT, reports / GWENT_TXT.name)
    (reports / "estates.txt").write_text(
        "Estates Strategy 2020\n\nOFFICIAL-SENSITIVE\n\n1.1 Seventeen stations were refurbished in 2020/21.\n",
        encoding="utf-8",
    )
    indexer = Assistant(settings=settings)
    try:
        indexer.ingest([reports])
    finally:
        indexer.close()


@pytest.fixture
def app(tmp_path, fast_settings):
    """Handlers over a real index (hashing encoder) of the Gwent report (public) and a restricted one."""
    index_two_reports(tmp_path, fast_settings)
    assistant = Assistant(settings=fast_settings)
    audit = AuditLog(tmp_path / "audit.sqlite3")
    yield Handlers(AppContext(assistant, USERS.get, audit))
    audit.close()
    assistant.close()


def request(user: str | None, session: str | None = None) -> SimpleNamespace:
    """What Gradio hands a handler: the signed-in name and the tab's session hash (one tab per user)."""
    return SimpleNamespace(username=user, session_hash=session or f"tab-of-{user}")


def entries(on: Handlers) -> list[dict]:
    """The entries the handlers wrote, newest first (not the log's own first entry)."""
    return [e for e in on.ctx.audit.entries(limit=50) if e["action"] != CREATED]


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


def test_a_follow_up_naming_another_subject_answers_for_it(app):
    chat, _, _ = ask(app, "What was the variance for the SRS Airwave in 2018/19?")
    assert "86,192" in chat[-1]["content"]
    chat, _, _ = ask(app, "and the DSD?")  # the subject changes; the measure and the period stay
    assert "252,877" in chat[-1]["content"] and "86,192" not in chat[-1]["content"]
    assert json.loads(entries(app)[0]["detail"])["answered"] == "What was the variance for the DSD in 2018/19?"
    chat, _, _ = ask(app, "budget")  # one ordinary word is a question of its own, not "…, budget?"
    assert json.loads(entries(app)[0]["detail"])["answered"] == "budget"


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
    public, *_ = app.search("stations", "not a number", [], None, None, "", request("sam"))
    assert public and not any(row[1].startswith("Estates") for row in public)
    assert json.loads(entries(app)[0]["detail"]) == {"k": 10, "reports": [], "year": None, "kinds": [], "status": None}
    found, choices, _, _, _ = app.search("stations refurbished", 5, [], None, ["Paragraphs"], "", request("fay"))
    assert found[0][1].startswith("Estates") and choices["choices"][0][1] == "1"
    assert json.loads(entries(app)[0]["detail"])["kinds"] == ["Paragraphs"]


def test_results_show_rank_kind_and_disclosure_in_words_and_filter_by_status(app):
    found, choices, *_ = app.search("stations", 10, [], None, [], "", request("fay"))
    assert [row[0] for row in found] == list(range(1, len(found) + 1))
    assert {row[6] for row in found} <= {"Paragraph", "Table row", "Table"}
    assert {row[7] for row in found} == {"Public", "Restricted"}
    labels = [label for label, _ in choices["choices"]]
    assert len(set(labels)) == len(labels), "every export label is unique"
    assert any(label.endswith("[restricted]") for label in labels)
    public, *_ = app.search("stations", 10, [], None, [], "Public only", request("fay"))
    assert public and {row[7] for row in public} == {"Public"}
    restricted, *_ = app.search("stations", 10, [], None, [], "Restricted only", request("fay"))
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
    with pytest.raises(gr.Error, match="from the list of results"):
        app.export(["1"], False, request("fay"))  # nothing searched in this session yet
    app.search("Airwave variance", 5, [], None, [], "Public only", request("fay"))
    assert "Select at least one" in app.export([], False, request("fay")), "said beside the button, not raised"
    for forged in (["1", "99"], ["1", {"path": "/etc/passwd"}], "1", [1]):
        with pytest.raises(gr.Error, match="from the list of results"):
            app.export(forged, False, request("fay"))
        refused = entries(app)[0]
        assert refused["action"] == "export refused"
        assert json.loads(refused["detail"])["reason"] == "not one of the choices"
    link = app.export(["1"], False, request("fay"))
    assert 'href="/download/' in link and "1 passage" in link and 'download="passages-airwave-variance-' in link
    export = entries(app)[0]
    assert export["action"] == "export" and len(json.loads(export["chunk_ids"])) == 1


def test_restricted_passages_are_exported_only_when_ticked(app):
    app.search("stations refurbished", 5, [], None, [], "Restricted only", request("fay"))
    for tick in (False, "true", None):
        said = app.export(["1"], tick, request("fay"))  # beside the export button, gone with the next action
        assert 'class="foi-refusal" role="alert"' in said and "restricted reports. Tick" in said
        refused = entries(app)[0]
        assert refused["action"] == "export refused", "nothing exported, the refusal recorded"
        assert json.loads(refused["detail"])["restricted"] == [1] and json.loads(refused["detail"])["ranks"] == [1]
        assert len(json.loads(refused["chunk_ids"])) == 1
    assert not any(e["action"] == "export" for e in entries(app))
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
    assert entries(app)[0]["action"] == "remove"
    assert json.loads(entries(app)[0]["detail"]) == {"title": "Estates Strategy 2020", "disclosure": "restricted"}
    with pytest.raises(gr.Error, match="Choose a report from the list"):
        app.remove(estates.doc_id, request("ada"))
    assert entries(app)[0]["action"] == "remove refused"
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


COLLAB = TEXTS / "gwent-collaboration-update-report-november-2021.txt"  # public by its own words


def _added(on: Handlers, who: str, name: str, text: str) -> tuple:
    summary, table, *_, version_row, version_choice = on.add(
        [_upload(name, text)], request(who), progress=lambda *a, **k: None
    )
    return summary, version_row, version_choice


def _restricted_collab(on: Handlers) -> str:
    """The collaboration report added by a restricted admin with a protective marking: its doc id."""
    _added(on, "ada", "board-paper-sensitive.txt", "OFFICIAL-SENSITIVE\n\n" + COLLAB.read_text(encoding="utf-8"))
    return next(r.doc_id for r in on.assistant.reports() if r.source.endswith("board-paper-sensitive.txt"))


def test_version_detection_compares_only_with_reports_the_uploader_may_see(app):
    restricted = _restricted_collab(app)
    public_copy = COLLAB.read_text(encoding="utf-8").replace("over 100 memberships", "over 120 memberships")
    summary, version_row, version_choice = _added(app, "pam", "collab-public.txt", public_copy)
    assert "indexed" in summary and "new version" not in summary and "board-paper-sensitive" not in summary
    assert any(r.source.endswith("collab-public.txt") for r in app.assistant.reports("public"))
    assert version_row["visible"] is False and version_choice["choices"] == []
    upload = entries(app)[0]
    assert upload["action"] == "upload" and restricted not in upload["doc_hashes"]
    assert json.loads(upload["detail"])["files"][0]["version_of"] is None
    # The same near-copy from an admin who may see the restricted report is offered as its new version.
    summary, version_row, _ = _added(app, "ada", "collab-again.txt", public_copy.replace("120", "130"))
    assert "looks like a new version of" in summary and version_row["visible"] is True
    # An exact copy of the restricted report is a duplicate, without its title or file name.
    sensitive = "OFFICIAL-SENSITIVE\n\n" + COLLAB.read_text(encoding="utf-8")
    summary, *_ = _added(app, "pam", "copy.txt", sensitive)
    assert "already in the library" in summary and "board-paper-sensitive" not in summary
    assert "Collaboration" not in summary.split("already in the library")[1]


def test_forged_report_ids_are_refused_on_the_server_and_audited(app):
    estates = next(r.doc_id for r in app.assistant.reports() if r.title.startswith("Estates"))
    unknown = "f" * 64
    for forged, reason in ((estates, "beyond the user's clearance"), (unknown, "not one of the choices")):
        for step in (app.confirm_removal, app.remove):
            with pytest.raises(gr.Error) as refused:
                step(forged, request("pam"))
            assert refused.value.message == "Choose a report from the list to remove.", "unknown and unseen alike"
            entry = entries(app)[0]
            assert entry["action"] == "remove refused" and json.loads(entry["detail"])["reason"] == reason
            assert json.loads(entry["doc_hashes"]) == [forged]
    with pytest.raises(gr.Error, match="Choose a report from the list"):
        app.remove(["not", "an", "id"], request("pam"))
    assert json.loads(entries(app)[0]["detail"])["value"] == "['not', 'an', 'id']"
    with pytest.raises(gr.Error, match="Choose a report from the list"):
        app.remove("\ud800", request("pam"))
    assert json.loads(entries(app)[0]["detail"])["value"] == "'\\ud800'"
    with pytest.raises(gr.Error, match="Type a user name as plain text"):
        app.show_audit("\ud800", "", request("pam"))
    assert entries(app)[0]["action"] == "audit refused"
    assert app.assistant.report(estates) is not None, "nothing was removed"
    # A version offer naming a report beyond the admin's clearance (as a forged or stale offer would).
    public_copy = COLLAB.read_text(encoding="utf-8")
    restricted = _restricted_collab(app)
    _added(app, "pam", "collab-public.txt", public_copy)
    new = next(r.doc_id for r in app.assistant.reports("public") if r.source.endswith("collab-public.txt"))
    app.ctx.sessions.get("tab-of-pam", "pam").versions[new] = (restricted, "label")
    for settle, action in ((app.replace_version, "replace refused"), (app.keep_both, "keep both refused")):
        for value in (new, restricted, {"id": new}):
            with pytest.raises(gr.Error, match="Choose one of the new versions listed"):
                settle(value, request("pam"))
            assert entries(app)[0]["action"] == action
    detail = [json.loads(e["detail"])["reason"] for e in entries(app)[:6]]
    assert detail.count("beyond the user's clearance") == 2 and detail.count("not one of the choices") == 4
    assert app.assistant.report(restricted) is not None and app.assistant.report(new) is not None


def test_a_public_admin_sees_entries_about_restricted_reports_withheld(app):
    ask(app, "How many stations were refurbished in 2020/21?", "fay")  # cites the restricted Estates report
    ask(app, "What was the variance for SRS Airwave in 2018/19?", "sam")
    app.search("stations refurbished", 5, [], None, [], "Restricted only", request("fay"))
    estates = next(r.doc_id for r in app.assistant.reports() if r.title.startswith("Estates"))
    with pytest.raises(gr.Error):
        app.remove(estates, request("pam"))

    def by_action(rows):
        return {(r[2], r[5]): r for r in rows}

    seen = by_action(app.show_audit("", "", request("pam")))
    for key in (("fay", "ask"), ("fay", "search"), ("pam", "remove refused")):
        row = seen[key]
        assert row[6] == WITHHELD and row[7] == WITHHELD and row[8] == WITHHELD, key
        assert row[1] and row[3], "the time and role are still shown"
    assert "Airwave" in seen[("sam", "ask")][6] and "86,192" in seen[("sam", "ask")][7]
    everything = by_action(app.show_audit("", "", request("ada")))
    assert "refurbished" in everything[("fay", "ask")][6] and "refurbished" in everything[("fay", "ask")][7]
    assert "refurbished" in everything[("fay", "search")][6]

    link = app.export_audit("", request("pam"))
    token = link.split('href="/download/')[1].split('"')[0]
    with open(app.ctx.downloads.take(token, "pam").path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    text = json.dumps(rows)
    assert "refurbished" not in text and "Seventeen" not in text and estates not in text and "Estates" not in text
    fay_ask = next(r for r in rows if r["user"] == "fay" and r["action"] == "ask")
    assert {fay_ask[k] for k in ("query", "answer", "chunk_ids", "doc_hashes", "detail")} == {WITHHELD}
    assert any(r["user"] == "sam" and "Airwave" in r["query"] for r in rows)
    # the tab's two derived columns, in the CSV too: local time with its zone, and the report or file
    assert fay_ask["report_or_file"] == WITHHELD and fay_ask["local_time"] == local_time(fay_ask["time"])
    assert fay_ask["local_time"] != fay_ask["time"] and fay_ask["local_time"][-3:].isalpha()
    link = app.export_audit("", request("ada"))
    token = link.split('href="/download/')[1].split('"')[0]
    with open(app.ctx.downloads.take(token, "ada").path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert "refurbished" in json.dumps(rows)
    refused = next(r for r in rows if r["user"] == "pam" and r["action"] == "remove refused")
    assert refused["report_or_file"].startswith("Estates")


def test_removed_reports_stay_withheld_unless_they_were_public(app):
    gwent = next(r.doc_id for r in app.assistant.reports("public"))
    estates = next(r.doc_id for r in app.assistant.reports() if r.title.startswith("Estates"))
    ask(app, "What was the variance for SRS Airwave in 2018/19?", "sam")
    ask(app, "How many stations were refurbished in 2020/21?", "fay")
    app.remove(gwent, request("ada"))
    app.remove(estates, request("ada"))
    seen = {(r[2], r[5]): r for r in app.show_audit("", "", request("pam"))}
    assert "Airwave" in seen[("sam", "ask")][6], "the log shows the removed report was public"
    assert seen[("fay", "ask")][6] == WITHHELD


def test_the_redaction_rule(app):
    visible = {"pub"}
    row = {
        "id": 7,
        "time": "t",
        "user": "u",
        "role": "admin",
        "clearance": "restricted",
        "action": "ask",
        "query": "q",
        "answer": "a",
        "abstained": 0,
        "chunk_ids": json.dumps(["pub:1"]),
        "doc_hashes": json.dumps(["pub"]),
        "answerer": "extractive",
        "settings": "{}",
        "detail": "{}",
    }
    assert redact_entry(row, visible, "public") == row
    assert redact_entry(row, set(), "restricted") == row, "restricted clearance sees everything"
    nothing = {**row, "chunk_ids": "[]", "doc_hashes": "[]"}
    assert redact_entry(nothing, set(), "public") == nothing, "an entry naming no report is shown"
    for changed in (
        {"chunk_ids": json.dumps(["sec:1"])},  # a passage of another report
        {"doc_hashes": json.dumps(["gone"])},  # an id no longer in the library
        {"detail": json.dumps({"reports": ["sec"]})},  # a search filtered to another report
        {"detail": json.dumps({"replaced_by": "sec"})},
        {"detail": json.dumps({"files": [{"name": "x.txt", "status": "indexed"}]})},  # an upload without its id
        {
            "detail": json.dumps(
                {"files": [{"name": "x", "status": "indexed", "doc_id": "pub", "version_of": {"doc_id": "sec"}}]}
            )
        },
        {"detail": "not json"},
    ):
        out = redact_entry({**row, **changed}, visible, "public")
        assert [out[k] for k in ("query", "answer", "chunk_ids", "doc_hashes", "detail")] == [WITHHELD] * 5, changed
        assert (out["id"], out["user"], out["action"], out["time"], out["abstained"]) == (7, "u", "ask", "t", None)
    failed = {**row, "detail": json.dumps({"files": [{"name": "x.txt", "status": "failed"}]})}
    assert redact_entry(failed, visible, "public") == failed, "a file that never became a report names none"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("budget \ud800 variance", "cannot be encoded as UTF-8"),
        ("budget\x00", "control character (U+0000"),
        ("budget\x1b[2J", "control character (U+001B"),
    ],
)
def test_text_that_cannot_be_encoded_is_refused_and_audited(app, text, reason):
    with pytest.raises(gr.Error, match="cannot be used"):
        ask(app, text)
    with pytest.raises(gr.Error, match="cannot be used"):
        app.search(text, 5, [], None, [], "", request("sam"))
    searched, asked = entries(app)[:2]
    assert (asked["action"], searched["action"]) == ("ask refused", "search refused")
    assert reason in json.loads(asked["detail"])["reason"] and asked["query"].startswith("budget")
    assert app.ctx.sessions.get("tab-of-sam", "sam").chat == [], "nothing half-said in the chat"


@pytest.mark.parametrize(
    "field, args",
    [
        ("reports", {"docs": ["../../etc/passwd"]}),
        ("reports", {"docs": "not a list"}),
        ("reports", {"docs": [f"{i:020x}" for i in range(25)]}),  # many ids: checked against one read
        ("year", {"year": "20; DROP"}),
        ("year", {"year": 2019}),
        ("kind", {"kinds": ["Bogus"]}),
        ("disclosure", {"status": "Bogus"}),
    ],
)
def test_a_search_filter_that_is_not_one_of_the_choices_is_refused_and_audited(app, field, args):
    values = {"docs": [], "year": None, "kinds": [], "status": "", **args}
    with pytest.raises(gr.Error, match=f"Choose the {field} filter from its list"):
        app.search("budget", 5, values["docs"], values["year"], values["kinds"], values["status"], request("sam"))
    refused = entries(app)[0]
    assert refused["action"] == "search refused"
    assert json.loads(refused["detail"])["reason"] == "not one of the choices"


def test_a_report_beyond_clearance_is_not_a_search_choice(app):
    estates = next(r.doc_id for r in app.assistant.reports() if r.title.startswith("Estates"))
    with pytest.raises(gr.Error, match="Choose the reports filter"):
        app.search("stations refurbished", 5, [estates], None, [], "", request("sam"))
    found, *_ = app.search("stations refurbished", 5, [estates], None, [], "", request("fay"))
    assert found and {row[1] for row in found} == {"Estates Strategy 2020"}


def test_values_gradio_would_refuse_reach_the_handlers_and_are_audited(app):
    """Through the built app, as a browser's request is processed: Gradio passes the forged value on."""
    import asyncio

    from assistant.web.app import build_app

    demo = build_app(app.ctx)
    fns = {}
    for fn in demo.fns.values():
        fns.setdefault(fn.name, fn)
    choosers = [
        f
        for f in demo.fns.values()
        if any(type(b).__name__ in ("Dropdown", "CheckboxGroup", "Radio") for b in f.inputs)
    ]
    assert {f.name for f in choosers} == {
        "search",
        "export",
        "confirm_removal",
        "remove",
        "replace_version",
        "keep_both",
        "show_audit",
        "open_conversation",  # the conversation list's events (tests/test_conversations.py)
        "rename_conversation",
        "confirm_deletion",
        "delete_conversation",
    }

    def call(name, inputs, who="ada"):
        with pytest.raises(gr.Error) as refused:
            asyncio.run(demo.process_api(fns[name], inputs, state=None, request=request(who)))
        return refused.value.message, entries(app)[0]

    message, entry = call("show_audit", ["", "bogus action"])
    assert message == "Choose an action from the list." and entry["action"] == "audit refused"
    message, entry = call("confirm_removal", ["f" * 64])
    assert entry["action"] == "remove refused" and json.loads(entry["detail"])["reason"] == "not one of the choices"
    message, entry = call("search", ["budget", 5, [], "1999", [], ""])
    assert entry["action"] == "search refused" and json.loads(entry["detail"])["field"] == "year"
    app.search("budget", 5, [], None, [], "", request("fay"))
    message, entry = call("export", [["1", "77"], False], "fay")
    assert entry["action"] == "export refused" and json.loads(entry["detail"])["value"] == "['1', '77']"
    message, entry = call("replace_version", ["no-such-version"])
    assert entry["action"] == "replace refused"


def test_the_library_shows_each_reports_ingest_flags(app):
    from assistant.indexing.lexical import DocumentRecord
    from assistant.indexing.library import report_flags
    from assistant.web.app import LIBRARY_HEADERS

    rows = app.refresh_library(request("ada"))
    assert all(len(row) == len(LIBRARY_HEADERS) for row in rows) and LIBRARY_HEADERS[-1] == "Flags"
    record = DocumentRecord(
        "d", "p", "s", "t", None, "txt", 1, 1, "public", {"flags": ["active content: JavaScript", 3]}, 0
    )
    assert report_flags(record) == ["active content: JavaScript"]
    assert report_flags(DocumentRecord("d", "p", "s", "t", None, "txt", 1, 1, "public", {"flags": "x"}, 0)) == []


# ---- FOI results end where relevance ends; the CSV and the audit tab say what happened (issue 29) ----


def test_a_search_nothing_matches_says_so_and_a_welsh_search_is_told_so(app):
    found, choices, cleared, _, status = app.search("contract values", 10, [], None, [], "", request("fay"))
    assert found == [] and choices["choices"] == [] and cleared == ""
    assert "No relevant passages" in status and "contract values" in status and 'role="status"' in status
    assert entries(app)[0]["action"] == "search" and json.loads(entries(app)[0]["chunk_ids"]) == []
    found, *_, status = app.search("stations", 10, [], None, [], "", request("fay"))
    assert found and f"{len(found)} passage" in status and "No relevant" not in status and "Welsh" not in status
    found, *_, status = app.search("Faint o orsafoedd a gafodd eu hadnewyddu?", 10, [], None, [], "", request("fay"))
    assert "answers in English, from the reports&#x27; English text" in status and "No relevant passages" in status


def test_the_csv_gives_the_page_as_cited_the_disclosure_reason_and_no_server_path(app):
    app.search("stations refurbished", 5, [], None, [], "Restricted only", request("fay"))
    link = app.export(["1"], True, request("fay"))
    token = link.split('href="/download/')[1].split('"')[0]
    with open(app.ctx.downloads.take(token, "fay").path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames[-1] == "passage_id" and "source" not in reader.fieldnames
    assert rows[0]["report"] == "Estates Strategy 2020" and rows[0]["file"] == "estates.txt"
    assert rows[0]["disclosure"] == "Restricted" and rows[0]["disclosure_reason"] == "protective marking"
    assert not any(str(app.settings.index_dir.parent) in cell for cell in rows[0].values()), "no server path"
    assert rows[0]["passage_id"].startswith(json.loads(entries(app)[0]["doc_hashes"])[0])
    spanning = cited_passage("A sentence that runs on to the next page.")
    spanning.metadata["page_end"] = 9
    row = passage_row(1, spanning)
    assert row["page"] == "8–9" and "pp. 8–9" in row["citation"]


def test_the_audit_tab_names_the_file_and_gives_local_time_with_its_zone(app):
    app.add(
        [_upload("fleet-review.txt", "Fleet Review\n\n2.1 The fleet has 212 vehicles.\n")],
        request("ada"),
        progress=lambda *a, **k: None,
    )
    fleet = next(r for r in app.assistant.reports() if r.title == "Fleet Review")
    app.remove(fleet.doc_id, request("ada"))
    rows = {r[5]: r for r in app.show_audit("ada", "", request("ada"))}
    assert rows["upload"][-1] == "fleet-review.txt" and rows["remove"][-1] == "Fleet Review"
    assert re.fullmatch(r"\d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [A-Z][A-Za-z+\-0-9]*", rows["upload"][1]), rows["upload"][
        1
    ]
    assert local_time("2026-11-24T10:15:02+0000").endswith(time.strftime("%Z", time.localtime(1795601702)))
    assert local_time("not a time") == "not a time"
