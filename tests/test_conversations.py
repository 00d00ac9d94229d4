"""Each user's stored conversations, without a browser: the SQLite store beside a real index, and the
Ask tab's events (list, reopen, rename, delete) called as Gradio would call them, forged values included."""

import json
import os
import sqlite3
import stat
import subprocess
import sys

import gradio as gr
import pytest
from conftest import ROOT
from test_handlers import index_two_reports, request

from assistant.api import Answer, Assistant
from assistant.audit import CONVERSATION_DELETED, CONVERSATION_REFUSED, CREATED, AuditLog
from assistant.documents import Passage
from assistant.web.auditview import WITHHELD
from assistant.web.conversations import TITLE_CHARS, ConversationStore, first_title
from assistant.web.handlers import AUDIT_ACTIONS, AppContext, Handlers
from assistant.web.history import WITHHELD_ANSWER, History
from assistant.web.users import User, UserStore

AIRWAVE = "What was the variance for SRS Airwave in 2018/19?"
STATIONS = "How many stations were refurbished in 2020/21?"


class App:
    """Handlers and conversation events over one index, as one server process has them; ``restart`` is a new process."""

    def __init__(self, settings, audit_path, users):
        self.settings, self.audit_path, self.users = settings, audit_path, users
        self.start()

    def start(self):
        self.assistant = Assistant(settings=self.settings)
        self.audit = AuditLog(self.audit_path)
        self.on = Handlers(AppContext(self.assistant, self.users.get, self.audit))
        self.history = History(self.on)

    def stop(self):
        self.on.conversations.close()
        self.audit.close()
        self.assistant.close()

    def restart(self):
        self.stop()
        self.start()

    def ask(self, message, who="sam", tab=None):
        *_, last = self.on.ask(message, request(who, tab), progress=lambda *a, **k: None)
        return last

    def listed(self, who, tab=None):
        return self.history.conversation_list(request(who, tab))["choices"]

    def entries(self, action=None):
        return [e for e in self.audit.entries(limit=100, action=action) if e["action"] != CREATED]


@pytest.fixture
def app(tmp_path, fast_settings):
    """A real index (hashing encoder) of the Gwent report (public) and a restricted estates report."""
    index_two_reports(tmp_path, fast_settings)
    users = {
        "sam": User("sam", "staff", "public"),
        "fay": User("fay", "foi", "restricted"),
        "ada": User("ada", "admin", "restricted"),
        "pam": User("pam", "admin", "public"),
    }
    app = App(fast_settings, tmp_path / "audit.sqlite3", users)
    yield app
    app.stop()


def _answer(text: str, doc_id: str = "d1") -> Answer:
    meta = {"doc_id": doc_id, "title": "Report", "source": "r.txt", "kind": "paragraph", "page": 3, "paragraph": "2.1"}
    return Answer(
        "Q?", text, False, [Passage(f"{doc_id}:1", "Report", "r.txt", 3, "2.1", None, "paragraph", text, 1, meta)]
    )


# ---- the store ---------------------------------------------------------------


def test_the_store_keeps_turns_per_owner_in_an_owner_only_file(tmp_path):
    store = ConversationStore.beside(tmp_path / "index")
    first = store.keep("sam", None, "What was the budget?", _answer("The budget was £5m."))
    assert store.keep("sam", first, "and in 2017/18?", _answer("It was £4m.")) == first
    other = store.keep("fay", None, "Fay's question", _answer("Fay's answer."))
    # An id that is not the owner's starts a new conversation instead of writing into another user's.
    mine = store.keep("sam", other, "Sam's question", _answer("Sam's answer."))
    assert mine not in (first, other)
    assert [c.id for c in store.listing("sam")] == [mine, first]
    assert [(t.n, t.question) for t in store.turns(first, "sam")] == [
        (1, "What was the budget?"),
        (2, "and in 2017/18?"),
    ]
    turn = store.turns(first, "sam")[0]
    assert turn.passages[0].metadata["paragraph"] == "2.1" and turn.passages[0].text == "The budget was £5m."
    assert turn.result().citations[0].chunk_id == "d1:1"
    # Nothing of another owner's is read, renamed or deleted, whatever id is named.
    assert store.get(other, "sam") is None and store.turns(other, "sam") == []
    assert not store.rename(other, "sam", "mine now") and not store.delete(other, "sam")
    assert store.get(other, "fay").title == "Fay's question" and len(store.turns(other, "fay")) == 1
    for forged in (None, 7, ["x"], {"id": other}, "x" * 100, "' OR 1=1 --"):
        assert store.get(forged, "sam") is None
    path = tmp_path / "index" / "conversations.sqlite3"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_a_deleted_conversation_leaves_no_text_in_the_files(tmp_path):
    store = ConversationStore.beside(tmp_path)
    kept = store.keep("sam", None, "Where is the zebra-crossing-7731 budget?", _answer("zebra-crossing-7731 cost £9."))
    store.keep("sam", None, "Another question", _answer("Another answer."))
    assert store.delete(kept, "sam") and store.get(kept, "sam") is None
    store.close()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("conversations.sqlite3*"))
    assert b"zebra-crossing-7731" not in data and b"Another answer" in data


def test_titles_are_the_first_question_on_one_line_clipped_and_renames_are_checked(tmp_path):
    assert first_title("What  was\nthe budget?") == "What was the budget?"
    long = first_title("word " * 40)
    assert len(long) <= TITLE_CHARS and long.endswith("…")
    store = ConversationStore.beside(tmp_path)
    cid = store.keep("sam", None, "Q", _answer("A"))
    for bad in ("", "x" * (TITLE_CHARS + 1), "bell\x07", "\ud800"):
        with pytest.raises(ValueError):
            store.rename(cid, "sam", bad)
    assert store.rename(cid, "sam", "<b>Budgets</b> & [links](http://x)")
    assert store.get(cid, "sam").title == "<b>Budgets</b> & [links](http://x)"  # stored as typed, escaped when shown
    store.close()


# ---- the events ----------------------------------------------------------------


def test_answers_are_kept_and_reopened_after_a_restart_and_follow_ups_continue(app):
    chat, sources, _ = app.ask(AIRWAVE)
    app.ask("and the year before?")
    [(label, cid)] = app.listed("sam")
    assert label.startswith(AIRWAVE + " — ")
    before = app.on.ctx.sessions.get("tab-of-sam", "sam")
    asked_before, chat_before, sources_before = list(before.asked), list(before.chat), dict(before.sources)

    app.restart()  # a new process: sessions gone, the store read again from its file
    assert app.listed("sam", "new-tab") == [(label, cid)]
    chat, sources, status, title = app.history.open_conversation(cid, request("sam", "new-tab"))
    # Exactly as shown before: questions, answers (the follow-up's "Answering: …" too) and each one's sources.
    assert chat == chat_before and len(chat) == 4 and "86,192" in chat[1]["content"]
    assert app.on.ctx.sessions.get("new-tab", "sam").sources == sources_before and sources == sources_before[3]
    assert title == AIRWAVE and status.startswith("Opened") and "2 questions" in status
    # An earlier answer's sources come back when it is clicked, as in a live chat.
    first = app.on.show_sources(
        request("sam", "new-tab"), gr.SelectData(None, {"index": 1, "value": "", "selected": True})
    )
    assert "86,192" in first
    session = app.on.ctx.sessions.get("new-tab", "sam")
    assert session.asked == asked_before and session.conversation == cid
    # A follow-up continues the reopened conversation (resolved against its last question) and is kept in it.
    chat, *_ = app.ask("and the DSD?", tab="new-tab")
    assert "Answering:" in chat[-1]["content"] and "DSD" in chat[-1]["content"]
    assert app.listed("sam", "new-tab") == [(label, cid)]
    assert [t.question for t in app.on.conversations.turns(cid, "sam")][-1] == "and the DSD?"
    opened = app.entries("conversation opened")[0]
    assert opened["user"] == "sam" and opened["query"] == AIRWAVE and json.loads(opened["chunk_ids"])


def test_a_new_conversation_starts_a_new_stored_one(app):
    app.ask(AIRWAVE)
    app.on.reset_chat(request("sam"))
    assert app.history.conversation_list(request("sam"))["value"] is None
    app.ask("How many requests for service were there in 2018/19?")
    listed = app.listed("sam")
    assert [label.split(" — ")[0] for label, _ in listed] == [
        "How many requests for service were there in 2018/19?",
        AIRWAVE,
    ]
    assert app.history.conversation_list(request("sam"))["value"] == listed[0][1]


@pytest.mark.parametrize("forged", ["someone-elses", 42, ["x"], {"id": "x"}, "z" * 5000, True])
def test_another_users_or_a_forged_conversation_id_is_refused_and_audited(app, forged):
    app.ask(AIRWAVE, "sam")
    [(_, sams)] = app.listed("sam")
    wanted = sams if forged == "someone-elses" else forged
    assert app.listed("fay") == []
    calls = [
        lambda: app.history.open_conversation(wanted, request("fay")),
        lambda: app.history.rename_conversation(wanted, "Mine now", request("fay")),
        lambda: app.history.confirm_deletion(wanted, request("fay")),
        lambda: app.history.delete_conversation(wanted, request("fay")),
    ]
    for call in calls:
        with pytest.raises(gr.Error, match="Choose one of your conversations"):
            call()
    refused = app.entries(CONVERSATION_REFUSED)
    assert [(e["user"], json.loads(e["detail"])["wanted"]) for e in refused] == [
        ("fay", "delete"),
        ("fay", "delete"),
        ("fay", "rename"),
        ("fay", "open"),
    ]
    detail = json.loads(refused[0]["detail"])
    if forged == "someone-elses":
        assert detail["reason"] == "another user's conversation" and detail["owner"] == "sam"
    else:
        assert detail["reason"] == "not one of the choices" and len(detail["value"]) <= 200
    # Fay's tab is untouched and sam's conversation is as it was.
    assert app.on.ctx.sessions.get("tab-of-fay", "fay").chat == []
    assert app.on.conversations.get(sams, "sam").title == AIRWAVE and app.listed("sam")[0][1] == sams
    assert "86,192" not in json.dumps([e for e in app.entries() if e["user"] == "fay"])


def test_reopening_withholds_what_the_user_may_no_longer_see(app):
    # fay (restricted clearance) asks about the restricted estates report and the public Gwent report.
    chat, *_ = app.ask(STATIONS, "fay")
    assert "Seventeen" in chat[-1]["content"]
    app.ask(AIRWAVE, "fay")
    [(_, cid)] = app.listed("fay")
    # Her clearance is lowered to public: the estates source and the answer quoting it are withheld.
    app.users["fay"] = User("fay", "foi", "public")
    chat, sources, status, _ = app.history.open_conversation(cid, request("fay", "later"))
    assert chat[0]["content"].startswith("How many stations"), "the user's own question is shown"
    assert chat[1]["content"] == WITHHELD_ANSWER and "86,192" in chat[3]["content"]
    first_sources = app.on.show_sources(
        request("fay", "later"), gr.SelectData(None, {"index": 1, "value": "", "selected": True})
    )
    assert "Withheld" in first_sources and "Seventeen" not in first_sources and "Estates" not in first_sources
    assert "Seventeen" not in json.dumps(chat) and "86,192" in sources
    assert "no longer available to you" in status
    entry = app.entries("conversation opened")[0]
    assert json.loads(entry["detail"])["withheld"] >= 1
    assert all(not c.startswith(_estates(app)) for c in json.loads(entry["chunk_ids"]))
    # A report removed from the library is withheld too, for everyone.
    gwent = next(r.doc_id for r in app.assistant.reports() if r.title.startswith("Annual Report"))
    app.assistant.remove(gwent)
    chat, sources, *_ = app.history.open_conversation(cid, request("fay", "later"))
    assert chat[3]["content"] == WITHHELD_ANSWER and "86,192" not in json.dumps(chat) + sources


def _estates(app) -> str:
    return next(r.doc_id for r in app.assistant.reports() if r.title.startswith("Estates"))


def test_renaming_checks_the_name_and_is_audited(app):
    app.ask(AIRWAVE)
    [(_, cid)] = app.listed("sam")
    update, status = app.history.rename_conversation(cid, "  Airwave   figures ", request("sam"))
    assert update["choices"][0] == (update["choices"][0][0], cid) and update["choices"][0][0].startswith(
        "Airwave figures — "
    )
    assert update["value"] == cid and "Airwave figures" in status
    for bad, message in (("", "empty"), ("x" * 200, "at most 80"), (None, "plain text"), ("a\x1bb", "plain text")):
        with pytest.raises(gr.Error, match=message):
            app.history.rename_conversation(cid, bad, request("sam"))
    # Markup in a name is kept as typed and shown as text.
    _, status = app.history.rename_conversation(cid, "**bold** <img src=x>", request("sam"))
    assert "<img" not in status and "\\*\\*bold" in status
    renamed = app.entries("conversation renamed")
    assert [(e["query"], json.loads(e["detail"])["was"]) for e in renamed] == [
        ("**bold** <img src=x>", "Airwave figures"),
        ("Airwave figures", AIRWAVE),
    ]
    assert [json.loads(e["detail"])["reason"] for e in app.entries(CONVERSATION_REFUSED)] == [
        "it contains a control character (U+001B at position 2)",
        "not text (NoneType)",
    ]


def test_deleting_asks_first_then_deletes_and_audits_what_it_deleted(app):
    app.ask(STATIONS, "fay")
    app.ask(AIRWAVE, "fay")
    [(_, cid)] = app.listed("fay")
    shown, question, _ = app.history.confirm_deletion(cid, request("fay"))
    assert shown["visible"] is True and question.startswith("Delete “How many stations") and "2 questions" in question
    assert app.history.cancel_deletion(request("fay"))[2] == "Nothing deleted." and app.listed("fay")
    with pytest.raises(gr.Error, match="Choose Delete again"):  # cancelled: "Yes, delete it" is no longer asked
        app.history.delete_conversation(cid, request("fay"))
    assert app.listed("fay")
    app.history.confirm_deletion(cid, request("fay"))
    update, hidden, status, chat, sources = app.history.delete_conversation(cid, request("fay"))
    assert update["choices"] == [] and hidden["visible"] is False and status.startswith("Deleted")
    assert chat == [] and "Ask a question" in sources, "the chat on screen was the one deleted"
    assert app.on.ctx.sessions.get("tab-of-fay", "fay").conversation is None
    assert app.on.conversations.get(cid, "fay") is None and app.on.conversations.turns(cid, "fay") == []
    with pytest.raises(gr.Error, match="Choose one of your conversations"):
        app.history.open_conversation(cid, request("fay"))
    # The questions and answers stay in the log's ask entries; the deletion says what went.
    [deleted] = app.entries(CONVERSATION_DELETED)
    detail = json.loads(deleted["detail"])
    assert (deleted["user"], deleted["query"], detail["conversation"], detail["questions"]) == ("fay", STATIONS, cid, 2)
    assert _estates(app) in json.loads(deleted["doc_hashes"])
    assert len(app.entries("ask")) == 2
    # A public-clearance admin sees that fay deleted a conversation, not what it was about.
    rows = app.on.show_audit("fay", CONVERSATION_DELETED, request("pam"))
    assert [(r[2], r[5], r[6]) for r in rows] == [("fay", CONVERSATION_DELETED, WITHHELD)]
    assert app.on.show_audit("fay", CONVERSATION_DELETED, request("ada"))[0][6] == STATIONS


def test_the_audit_tab_offers_the_conversation_actions(app):
    for action in ("conversation opened", "conversation renamed", "conversation deleted", "conversation refused"):
        assert action in AUDIT_ACTIONS
        app.on.show_audit("", action, request("ada"))  # a choice the tab accepts


def test_a_forged_conversation_id_reaches_the_handler_through_the_built_app(app):
    """As a browser's request is processed: Gradio passes a value not among the choices on, to be refused here."""
    import asyncio

    from assistant.web.app import build_app

    app.ask(AIRWAVE)
    [(_, sams)] = app.listed("sam")
    demo = build_app(app.on.ctx)
    fns = {fn.name: fn for fn in reversed(demo.fns.values())}
    for name, inputs in (
        ("open_conversation", [sams]),
        ("rename_conversation", [sams, "mine"]),
        ("delete_conversation", [{"forged": True}]),
    ):
        with pytest.raises(gr.Error, match="Choose one of your conversations"):
            asyncio.run(demo.process_api(fns[name], inputs, state=None, request=request("fay")))
    assert [json.loads(e["detail"])["wanted"] for e in app.entries(CONVERSATION_REFUSED)] == [
        "delete",
        "rename",
        "open",
    ]
    assert app.on.conversations.get(sams, "sam").title == AIRWAVE


def test_removing_a_user_deletes_their_conversations(tmp_path):
    """A later account of the same name starts with none of the removed user's conversations."""
    index = tmp_path / "index"
    store = ConversationStore.beside(index)
    store.keep("sam", None, "What was the budget?", _answer("The budget was £5m."))
    kept = store.keep("fay", None, "Fay's question", _answer("Fay's answer."))
    store.close()
    users = tmp_path / "users.json"
    UserStore(users).add("sam", "staff", "staff-pass-word")
    audit = tmp_path / "audit.sqlite3"
    env = {**os.environ, "ASSISTANT_AUDIT_DB": str(audit)}
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "users", "remove", "sam", "--users", str(users), "--index", str(index)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "1 of their conversations deleted" in done.stdout
    store = ConversationStore.beside(index)
    assert store.listing("sam") == [] and [c.id for c in store.listing("fay")] == [kept]
    store.close()
    log = AuditLog(audit)
    (entry,) = log.entries(action=CONVERSATION_DELETED)
    assert json.loads(entry["detail"]) == {"owner": "sam", "conversations": 1}
    log.close()


def test_only_the_conversation_asked_about_is_deleted(app):
    """Asked about one, then another chosen in the list before "Yes, delete it": nothing is deleted."""
    app.ask(STATIONS, "fay")
    first = app.on.ctx.sessions.get("tab-of-fay", "fay").conversation
    app.on.reset_chat(request("fay"))
    app.ask(AIRWAVE, "fay")
    second = app.on.ctx.sessions.get("tab-of-fay", "fay").conversation
    assert first != second
    app.history.confirm_deletion(first, request("fay"))
    with pytest.raises(gr.Error, match="Choose Delete again"):
        app.history.delete_conversation(second, request("fay"))
    assert {cid for _, cid in app.listed("fay")} == {first, second} and not app.entries(CONVERSATION_DELETED)


def test_an_answer_written_while_a_new_conversation_starts_goes_to_the_one_asked_in(app):
    asking = app.on.ask(STATIONS, request("fay"), progress=lambda *a, **k: None)
    next(asking)  # the question is on screen, the answer is being written
    app.on.reset_chat(request("fay"))  # "New conversation" meanwhile
    assert list(asking) == [], "nothing more is drawn over the new conversation"
    session = app.on.ctx.sessions.get("tab-of-fay", "fay")
    assert session.chat == [] and session.conversation is None and session.asked == []
    [(_, cid)] = app.listed("fay")
    [turn] = app.on.conversations.turns(cid, "fay")
    assert turn.question == STATIONS and not turn.abstained


def test_the_demo_accounts_conversations_are_never_a_real_accounts(app):
    live = {"on": True}
    app.on.ctx.is_demo = lambda name: name == "demo" and live["on"]
    app.on.ctx.demo_notice = "Local demo: a one-off account."
    app.users["demo"] = User("demo", "admin", "restricted")
    app.ask(STATIONS, "demo")
    assert len(app.listed("demo")) == 1 and app.on.conversations.listing("demo") == []  # kept as "~demo"
    assert app.on.demo_banner(request("demo"))["visible"] is True
    live["on"] = False  # a real account named "demo" once users exist
    assert app.listed("demo") == [] and app.on.demo_banner(request("demo"))["visible"] is False
