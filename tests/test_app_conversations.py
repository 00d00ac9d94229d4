"""Conversations kept per user, for real: ``assistant serve`` over a real index, stopped and started
again, driven by headless Chromium (Debian's) and attacked with gradio_client. Screenshots of each
step go to test-artifacts/app/ (``conversations-*.png``)."""

import contextlib
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from common import add_user, serve_args
from conftest import GWENT_PDF, ROOT, TEXTS, free_port, local_server
from test_server import QUESTION, _ask, _login, _shot, browser  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.browser]

PASSWORDS = {"fiona": ("foi", "foi-officer-pass-1"), "sam": ("staff", "staff-pass-word-3")}
SECRET = "How many Samsung Galaxy devices were deployed to officers during 2015?"  # the restricted Cumbria report
RENAMED = '<img src=x onerror="document.title=1"> Service desk'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An index of the Gwent annual report (PDF, public) and the Cumbria strategy (text, restricted), its
    users (fiona: foi, restricted clearance; sam: staff, public), and a way to start the server over them."""
    from assistant.indexing.ingest import ingest
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("conversations")
    reports = root / "reports"
    reports.mkdir()
    for f in (GWENT_PDF, TEXTS / "cumbria-ict-strategy-2015-2019-november-2015-update.txt"):
        shutil.copy(f, reports / f.name)
    assert ingest([reports], Settings(index_dir=root / "index"), progress=False).failed == 0
    for name, (role, password) in PASSWORDS.items():
        add_user(name, role, root / "users.json", password, cwd=ROOT)
    env = {
        **os.environ,
        "ASSISTANT_UPLOAD_DIR": str(root / "uploads"),
        "ASSISTANT_AUDIT_DB": str(root / "audit.sqlite3"),
    }

    @contextlib.contextmanager
    def serving():
        port = free_port()
        command = [sys.executable, "-m", "assistant", *serve_args(root / "index", root / "users.json", port)]
        url = f"http://127.0.0.1:{port}"
        with local_server(command, url + "/", timeout=180, env=env, log=root / f"server-{port}.log"):
            yield url

    return root, serving


def _login_as(browser, url: str, name: str):  # noqa: F811
    page = _login(browser, url, name, PASSWORDS[name][1])
    page.locator("#question").wait_for()
    return page


def _listed(page, shot: str | None = None) -> list[str]:
    """The conversation list's entries, as the dropdown shows them (with ``shot``, a screenshot of it open)."""
    page.locator("#conversation-list input").click()
    options = page.get_by_role("option")
    texts = options.all_inner_texts() if options.count() else []
    if shot:
        _shot(page, shot)
    page.keyboard.press("Escape")
    return [t.replace("✓", "").strip() for t in texts]  # the chosen one carries a tick


def _listed_once_filled(page, n: int, shot: str | None = None) -> list[str]:
    """The list's entries once it holds ``n`` (it is refreshed after an answer, by an event of its own)."""
    deadline = time.monotonic() + 60
    while len(listed := _listed(page)) != n:
        assert time.monotonic() < deadline, f"the list never held {n} entries: {listed}"
        page.wait_for_timeout(250)
    return _listed(page, shot) if shot else listed


def _choose(page, label: str) -> None:
    page.locator("#conversation-list input").click()
    page.get_by_role("option", name=label, exact=False).first.click()


def _conversations(root: Path, owner: str) -> list[tuple[str, str]]:
    """(id, title) of a user's stored conversations, read from the server's file."""
    path = root / "index" / "conversations.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return db.execute(
            "SELECT id, title FROM conversations WHERE owner = ? ORDER BY created, rowid", (owner,)
        ).fetchall()


def _audit(root: Path, action: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(root / "audit.sqlite3")) as db:
        return db.execute("SELECT user, query, detail FROM audit WHERE action = ? ORDER BY id", (action,)).fetchall()


def test_conversations_are_kept_across_a_restart_and_no_other_user_reaches_them(site, browser):  # noqa: F811
    root, serving = site
    with serving() as url:
        page = _login_as(browser, url, "fiona")
        assert "24,635" in _ask(page, QUESTION)
        assert "26,214" in _ask(page, "and in 2017/18?")
        page.get_by_role("button", name="New conversation").click()
        page.wait_for_function("() => document.querySelectorAll('#chat [data-testid=bot]').length === 0")
        assert "1400" in _ask(page, SECRET)
        listed = _listed_once_filled(page, 2, "conversations-01-listed")
        assert [x.split(" — ")[0] for x in listed] == [SECRET, QUESTION]
        page.context.close()
    [(first, _), (secret, _)] = _conversations(root, "fiona")

    with serving() as url:  # a new server process: only the file remembers
        page = _login_as(browser, url, "fiona")
        page.wait_for_function("() => document.querySelector('#conversation-list') !== null")
        _choose(page, QUESTION)
        page.locator("#conversation-open").click()
        page.wait_for_function("() => document.querySelectorAll('#chat [data-testid=bot]').length === 2")
        answers = page.locator("#chat [data-testid=bot]").all_inner_texts()
        assert "24,635" in answers[0] and "2017/18" in answers[1] and "26,214" in answers[1]
        assert "26,214" in page.locator("#sources .citation").first.inner_text()
        page.locator("#chat [data-testid=bot]").first.click()  # the first answer's own sources come back
        page.wait_for_function(
            "() => document.querySelector('#sources .citation blockquote').innerText.includes('24,635')"
        )
        assert "para 3.6" in page.locator("#sources .citation").first.inner_text()
        page.locator("#sources img.evidence").first.wait_for()  # the cited page, drawn by this new process
        assert "Opened" in page.locator("#conversation-status").inner_text()
        _shot(page, "conversations-02-reopened-after-restart")
        # A follow-up continues it: resolved against its last question, and kept in it.
        follow = _ask(page, "and in 2018/19?")
        assert "Answering:" in follow and "24,635" in follow
        assert len(_conversations(root, "fiona")) == 2
        page.context.close()

        # sam (staff, public clearance) sees only his own (so the list has loaded) and cannot reach hers by id.
        page = _login_as(browser, url, "sam")
        assert "24,635" in _ask(page, QUESTION)
        assert [x.split(" — ")[0] for x in _listed_once_filled(page, 1)] == [QUESTION]
        assert len(_conversations(root, "sam")) == 1
        _shot(page, "conversations-03-another-user-sees-only-his-own")
        page.context.close()
        from gradio_client import Client

        client = Client(url, auth=("sam", PASSWORDS["sam"][1]), verbose=False)
        for api, args in (
            ("/open_conversation", [first]),
            ("/rename_conversation", [first, "mine now"]),
            ("/confirm_deletion", [secret]),
            ("/delete_conversation", [secret]),
            ("/open_conversation", [{"id": first}]),
        ):
            with pytest.raises(Exception, match="Choose one of your conversations") as refused:
                client.predict(*args, api_name=api)
            assert "24,635" not in str(refused.value) and "1400" not in str(refused.value)
        assert [t for _, t in _conversations(root, "fiona")] == [QUESTION, SECRET], "nothing renamed or deleted"
        refusals = [r for r in _audit(root, "conversation refused") if r[0] == "sam"]
        assert len(refusals) == 5 and sum('"owner": "fiona"' in r[2] for r in refusals) == 4

        # Her clearance is lowered to public: reopened, the restricted report's answer and source are withheld.
        add_user(
            "fiona", "foi", root / "users.json", PASSWORDS["fiona"][1], "--clearance", "public", "--replace", cwd=ROOT
        )
        page = _login_as(browser, url, "fiona")
        _choose(page, SECRET)
        page.locator("#conversation-open").click()
        page.get_by_text("Withheld", exact=False).first.wait_for()
        assert "1400" not in page.locator("#chat").inner_text()
        sources = page.locator("#sources").inner_text()
        assert "Withheld" in sources and "Samsung" not in sources and "Cumbria" not in sources
        _shot(page, "conversations-04-withheld-after-clearance-lowered")

        # Renamed: the name is shown as typed, as text.
        _choose(page, QUESTION)
        page.locator("#conversation-title textarea, #conversation-title input").first.fill(RENAMED)
        page.locator("#conversation-rename").click()
        page.get_by_text("Renamed", exact=False).first.wait_for()
        assert any(x.startswith(RENAMED + " — ") for x in _listed(page, "conversations-05-renamed"))
        assert page.locator("#conversation-list img, #conversation-status img").count() == 0
        assert page.title() != "1"

        # Deleted, after a confirmation: gone from the list and the file, and the audit log says so.
        page.locator("#conversation-delete").click()
        page.locator("#conversation-confirm").wait_for()
        assert "Delete “" in page.locator("#conversation-question").inner_text()
        _shot(page, "conversations-06-delete-confirm")
        page.locator("#conversation-yes").click()
        page.get_by_text("Deleted", exact=False).first.wait_for()
        assert [x.split(" — ")[0] for x in _listed(page)] == [SECRET]
        _shot(page, "conversations-07-deleted")
        page.context.close()
    assert [t for _, t in _conversations(root, "fiona")] == [SECRET]
    [(who, title, detail)] = _audit(root, "conversation deleted")
    assert who == "fiona" and title == RENAMED and f'"conversation": "{first}"' in detail and '"questions": 3' in detail
    from assistant.audit import AuditLog

    assert AuditLog(root / "audit.sqlite3").verify() == []
