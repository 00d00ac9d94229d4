"""``assistant serve`` for real: a server process on a free port, driven by headless Chromium
(Playwright with Debian's /usr/bin/chromium) and by gradio_client. Screenshots of each step
go to test-artifacts/app/.
"""

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import crashpoints
import pytest
from common import CHROMIUM, CHROMIUM_ARGS, add_user, fill_sign_in, serve_args
from conftest import GWENT_PDF, ROOT, TEXTS, free_port, local_server
from conftest import cli as _cli
from crashpoints import HOLD_ENV, MARKER_ENV
from pdfgen import make_pdf


def _marks(marks):
    def apply(f):
        for m in marks:
            f = m(f)
        return f

    return apply


live = [pytest.mark.server, pytest.mark.slow]
in_browser = [*live, pytest.mark.browser]

ARTIFACTS = ROOT / "test-artifacts" / "app"
PASSWORDS = {
    "fiona": ("foi", "foi-officer-pass-1"),
    "ada": ("admin", "admin-pass-word-2"),
    "sam": ("staff", "staff-pass-word-3"),
    "pat": ("foi", "public-foi-pass-4"),
}
CLEARANCE = {"pat": "public"}  # the others take their role's default: staff public, foi and admin restricted
QUESTION = "How many requests for service did the service desk receive in 2018/19?"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """The app on a free port over the Gwent annual report (PDF, public) and the Cumbria strategy
    (text, restricted), with one user per role."""
    from assistant.indexing.ingest import ingest
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("app")
    index = root / "index"
    reports = root / "reports"
    reports.mkdir()
    for f in (GWENT_PDF, TEXTS / "cumbria-ict-strategy-2015-2019-november-2015-update.txt"):
        shutil.copy(f, reports / f.name)
    assert ingest([reports], Settings(index_dir=index), progress=False).failed == 0
    users = root / "users.json"
    for name, (role, password) in PASSWORDS.items():
        extra = ["--clearance", CLEARANCE[name]] if name in CLEARANCE else []
        add_user(name, role, users, password, *extra, cwd=ROOT)
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_UPLOAD_DIR": str(root / "uploads"),
        "ASSISTANT_AUDIT_DB": str(root / "audit.sqlite3"),
    }
    # The real command line, reporting its steps (tests/crashpoints.py): an upload's embedding waits
    # between two batches while the file ``root / "hold"`` exists (see test_questions_are_answered_...).
    env[MARKER_ENV], env[HOLD_ENV] = str(root / "server.lines"), str(root / "hold")
    command = crashpoints.command(*serve_args(index, users, port))
    url = f"http://127.0.0.1:{port}"
    with local_server(command, url + "/", timeout=180, env=env, log=root / "server.log"):
        yield url, root


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed: apt-get install chromium chromium-driver (scripts/test.sh does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _settled(page) -> None:
    """Wait until no event is pending (Gradio fades a component while it waits) and transitions have run.
    (Not Playwright's "networkidle": Gradio keeps a connection open, so the network may never be idle.)"""
    page.wait_for_function("() => !document.querySelector('.gradio-container .pending, .gradio-container .generating')")
    page.wait_for_timeout(500)


def _login(browser, url: str, name: str, password: str | None = None):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    fill_sign_in(page, url, name, password or PASSWORDS[name][1]).click()
    return page


def _option(page, rank: int):
    """The export checkbox of the result ranked ``rank``."""
    return page.locator("#foi-selected label", has_text=re.compile(rf"^\s*{rank}\. "))


def _ask(page, question: str) -> str:
    """Ask in the chat and wait for the reply; returns its text."""
    before = page.locator("#chat [data-testid=bot]").count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        """([n]) => { const m = document.querySelectorAll('#chat [data-testid=bot]');
                      if (m.length <= n) return false;
                      const t = m[m.length - 1].innerText;
                      return t.trim() && !t.includes('Searching the reports') && !t.includes('Loading content'); }""",
        arg=[before],
        timeout=60_000,
    )
    return page.locator("#chat [data-testid=bot]").last.inner_text()


@_marks(in_browser)
def test_wrong_password_is_refused(app_server, browser):
    url, _ = app_server
    page = _login(browser, url, "fiona", "not-the-password")
    page.get_by_text("That user name and password do not match", exact=False).wait_for()
    assert page.get_by_role("heading", name="OPCC Report Assistant").is_visible()
    assert page.title() == "Sign in · OPCC Report Assistant"
    page.get_by_label("Password").fill("")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Enter your user name and password.").wait_for()
    assert page.locator("#question").count() == 0
    _shot(page, "01-wrong-password")
    page.context.close()


@_marks(live)
def test_report_files_need_a_login(app_server):
    url, _ = app_server
    request = urllib.request.Request(f"{url}/report/anything")
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request, timeout=10)
    assert refused.value.code == 303 and refused.value.headers["location"] == "/"


# Counts, in window.__shown, the elements that show a text at any moment from now on.
_COUNT_SHOWN = """(text) => {
    window.__shown = new Set();
    const note = (node) => {
        const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
        for (let t = node.nodeType === Node.TEXT_NODE ? node : walker.nextNode(); t; t = walker.nextNode()) {
            if (t.data.includes(text) && t.parentElement) window.__shown.add(t.parentElement);
        }
    };
    new MutationObserver((changes) => {
        for (const c of changes) {
            if (c.type === "characterData") note(c.target);
            for (const n of c.addedNodes) note(n);
        }
    }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@_marks(in_browser)
def test_chat_answers_with_cited_sources_and_follow_up(app_server, browser):
    url, _ = app_server
    page = _login(browser, url, "fiona")
    page.locator("#question").wait_for()
    _shot(page, "02-signed-in")

    # An empty question gets one plain message, and the server logs no traceback for it. Every element
    # that ever shows the message is counted (a toast goes after a while); once the next question is
    # answered, all the empty question's messages have come.
    page.evaluate(_COUNT_SHOWN, "Type a question first.")
    page.locator("#question textarea").press("Enter")
    page.get_by_text("Type a question first.").first.wait_for()
    reply = _ask(page, QUESTION)
    assert page.evaluate("window.__shown.size") == 1
    assert "Traceback" not in (app_server[1] / "server.log").read_text()
    page.locator("#sources .citation").first.wait_for()
    assert "24,635" in reply and "[1]" in reply
    answer = page.locator("#chat [data-testid=bot]").last
    assert answer.locator("mark", has_text="24,635").count() >= 1  # the figure is highlighted
    first = page.locator("#sources .citation").first
    assert first.get_attribute("data-paragraph") == "3.6"
    assert "para 3.6" in first.inner_text()
    assert first.locator("blockquote mark", has_text="24,635").count() == 1
    # The cited page as an image, the passage highlighted and the figure outlined, served to this user.
    evidence = first.locator("img.evidence")
    evidence.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('#sources img.evidence'); return i && i.complete; }"
    )
    assert evidence.evaluate("i => i.naturalWidth") == 820
    assert evidence.get_attribute("src").startswith("/evidence/") and "mark=24%2C635" in evidence.get_attribute("src")
    image = page.request.get(url + evidence.get_attribute("src"))
    assert image.status == 200 and image.headers["content-type"] == "image/png"
    first.screenshot(path=str(ARTIFACTS / "03b-evidence-on-the-page.png"))
    citation = first.locator(".copy-citation").get_attribute("data-citation")
    assert citation.startswith("Annual Report – ICT & Digital Services 2018/19 (4 September 2019), p. ")
    assert 'para 3.6: "There were 24,635 requests for service' in citation
    _shot(page, "03-answer-with-sources")

    # "Copy citation" puts exactly that text on the clipboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    first.locator(".copy-citation").click()
    assert page.evaluate("navigator.clipboard.readText()") == citation

    # The PDF link opens the served file at the cited page.
    link = first.locator("a", has_text="Open PDF")
    href = link.get_attribute("href")
    assert href.startswith("/report/") and href.endswith("#page=8")
    response = page.request.get(url + href.split("#")[0])
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"

    follow = _ask(page, "and in 2017/18?")
    assert "2017/18" in follow and "26,214" in follow
    _shot(page, "04-follow-up")

    # Each answer keeps its sources: a marker [1] in the first answer shows that answer's sources and
    # points at card 1 (without navigating); clicking the second answer brings its own back.
    assert "26,214" in page.locator("#sources .citation").first.inner_text()
    pages = len(page.context.pages)
    page.locator("#chat [data-testid=bot]").first.locator('a[href="#cite-1"]').click()
    page.wait_for_function("() => document.querySelector('#sources .citation blockquote').innerText.includes('24,635')")
    page.wait_for_function("() => document.querySelector('#sources #cite-1').classList.contains('flash')")
    assert page.url.rstrip("/") == url.rstrip("/") and len(page.context.pages) == pages
    _shot(page, "04b-earlier-answer-sources")
    page.locator("#chat [data-testid=bot]").nth(1).click()
    page.wait_for_function("() => document.querySelector('#sources .citation blockquote').innerText.includes('26,214')")

    assert "Not found in the reports" in _ask(page, "What was the budget for the police helicopter fleet in 2018/19?")
    assert page.locator("#sources h3", has_text="Related passages").count() == 1
    _shot(page, "05-not-found")

    # A new conversation forgets what was asked: a follow-up is read as it stands.
    page.get_by_role("button", name="New conversation").click()
    page.wait_for_function("() => document.querySelectorAll('#chat [data-testid=bot]').length === 0")
    assert "Answering:" not in _ask(page, "and in 2017/18?")
    assert page.locator("#chat [data-testid=user]").count() == 1
    _shot(page, "05b-new-conversation")

    # So does the chat's own clear icon.
    assert "24,635" in _ask(page, QUESTION)
    page.locator("#chat").get_by_role("button", name="Clear").click()
    page.wait_for_function("() => document.querySelectorAll('#chat [data-testid=bot]').length === 0")
    # The browser empties the chat at once; the server's reset has run when the sources panel is empty
    # too (asking before then raced it: the reset could land after the next question was sent).
    page.wait_for_function("() => document.querySelectorAll('#sources .citation').length === 0")
    assert "Answering:" not in _ask(page, "and in 2017/18?")
    page.context.close()


@_marks(in_browser)
def test_foi_search_and_csv_export(app_server, browser):
    url, _ = app_server
    page = _login(browser, url, "fiona")
    page.get_by_role("tab", name="Find passages (FOI)").click()
    page.locator("#foi-query textarea").fill("Airwave budget variance")
    page.locator("#foi-search").click()
    _option(page, 3).wait_for()
    table = page.locator("#foi-results")
    headers = table.locator("th").all_inner_texts()
    assert "Disclosure" in " ".join(headers) and "Score" not in " ".join(headers)
    rows = table.inner_text()
    assert "Airwave" in rows and "Table row" in rows and "table_row" not in rows and "Public" in rows
    labels = page.locator("#foi-selected label", has_text=re.compile(r"^\s*\d+\. ")).all_inner_texts()
    # results end where relevance ends (at most the 10 asked for), and every export label is unique
    assert 3 <= len(labels) <= 10 and len(set(labels)) == len(labels), labels

    # A result clicked is shown on its page.
    _shot(page, "06-foi-results")
    table.locator("[data-testid=cell-0-8]").click()
    page.locator("#foi-preview .citation img.evidence").wait_for()
    _shot(page, "06-foi-results-and-preview")

    _option(page, 1).click()
    _option(page, 2).click()
    page.locator("#foi-export").click()
    with page.expect_download() as download:
        page.locator("#foi-csv a").first.click()
    _shot(page, "06b-foi-export")
    assert re.fullmatch(r"passages-airwave-budget-variance-\d{4}-\d{2}-\d{2}\.csv", download.value.suggested_filename)
    data = Path(download.value.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(data)))
    assert [r["rank"] for r in exported] == ["1", "2"]
    assert all(r["report"] and r["citation"] and r["passage"] and r["disclosure"] for r in exported)
    assert any("Airwave" in r["passage"] for r in exported)

    # Restricted passages need the officer's tick before they go into a disclosure.
    page.locator("#foi-query textarea").fill("Samsung Galaxy devices deployed")
    page.locator("#foi-search").click()
    page.locator("#foi-selected label", has_text="[restricted]").first.wait_for()
    page.locator("#foi-selected label", has_text="[restricted]").first.click()
    page.locator("#foi-export").click()
    page.get_by_text("come from restricted reports", exact=False).first.wait_for()
    _shot(page, "06c-foi-restricted-warning")
    page.locator("#foi-include-restricted input").check()
    page.locator("#foi-export").click()
    page.locator("#foi-csv a").first.wait_for()
    page.context.close()


@_marks(in_browser)
def test_staff_cannot_export_or_manage_the_library(app_server, browser, tmp_path):
    url, _ = app_server
    page = _login(browser, url, "sam")
    page.locator("#question").wait_for()
    page.get_by_role("tab", name="Report library").click()
    page.locator("#library").wait_for()
    assert page.locator("#add-reports").count() == 0 or not page.locator("#add-reports").is_visible()
    page.get_by_role("tab", name="Find passages (FOI)").click()
    assert page.locator("#foi-export").count() == 0 or not page.locator("#foi-export").is_visible()
    page.context.close()

    # Hiding is not the control: the server refuses the action itself.
    from gradio_client import Client, handle_file

    report = tmp_path / "report.txt"
    report.write_text("1.1 The force opened two new stations in 2021.\n")
    client = Client(url, auth=("sam", PASSWORDS["sam"][1]), verbose=False)
    with pytest.raises(Exception, match="may not upload"):
        client.predict([handle_file(str(report))], api_name="/add")
    assert not (app_server[1] / "uploads").exists() or not any((app_server[1] / "uploads").iterdir())


@_marks(in_browser)
def test_admin_uploads_a_report_and_finds_it(app_server, browser, tmp_path):
    url, root = app_server
    pdf = tmp_path / "Estates update (draft) #2.pdf"
    pdf.write_bytes(
        make_pdf(
            [
                [
                    "Dyfed-Powys Estates Strategy Update 2020/21",
                    "Date: 12 March 2021",
                    "1. Introduction",
                    "1.1 This report updates the Police and Crime Commissioner on the estates programme.",
                    "2. Progress",
                    "2.1 The new custody suite at Llandrindod Wells opened in January 2021.",
                    "2.2 Seventeen stations were refurbished during 2020/21.",
                ]
            ],
            title="Dyfed-Powys Estates Strategy Update 2020/21",
        )
    )
    fake = tmp_path / "minutes.pdf"
    fake.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    duplicate = tmp_path / "copy-of-annual-report.pdf"
    shutil.copy(GWENT_PDF, duplicate)

    page = _login(browser, url, "ada")
    page.get_by_role("tab", name="Report library").click()
    rows = page.locator('#library [role=gridcell][data-col="0"]')
    rows.nth(1).wait_for()
    assert rows.count() == 2, "one row per report"
    _shot(page, "07a-library")
    page.locator("#upload input[type=file]").set_input_files([str(pdf), str(fake), str(duplicate)])
    # While the files are indexed, the progress is shown on the upload result and the table stays in view.
    page.evaluate(
        """() => { window.seen = []; window.watch = setInterval(() => {
            const rows = document.querySelectorAll('#library [role=gridcell]');
            window.seen.push([document.querySelector('#upload-result').innerText,
                              rows.length > 0 && rows[0].getBoundingClientRect().height > 0]); }, 50); }"""
    )
    page.locator("#add-reports").click()
    page.locator("#upload-result li").nth(2).wait_for(timeout=120_000)
    seen = page.evaluate("() => { clearInterval(window.watch); return window.seen; }")
    assert any("Reading Estates-update-draft-2.pdf" in text for text, _ in seen) and all(
        visible for _, visible in seen
    ), "progress on the result, the library still shown"
    result = page.locator("#upload-result").inner_text()
    _shot(page, "07-upload")
    assert "minutes.pdf: FAILED — not a PDF or text report" in result
    assert "copy-of-annual-report.pdf: duplicate — already indexed" in result
    assert "indexed — “Dyfed-Powys Estates Strategy Update 2020/21”" in result
    stored = {p.name for p in (root / "uploads").iterdir()}
    assert "Estates-update-draft-2.pdf" in stored  # sanitised
    assert not any(n.startswith(("minutes", "copy-of")) for n in stored)  # failed and duplicate files are not kept
    assert "Dyfed-Powys Estates Strategy Update 2020/21" in page.locator("#library").inner_text()

    page.get_by_role("tab", name="Ask").click()
    assert "January 2021" in _ask(page, "When did the new custody suite at Llandrindod Wells open?")
    assert "Dyfed-Powys Estates Strategy Update 2020/21" in page.locator("#sources").inner_text()
    _shot(page, "08-answer-from-upload")

    # Removing the report takes it out of both indexes: the question finds nothing from it.
    page.get_by_role("tab", name="Report library").click()
    page.locator("#remove-choice input").click()
    page.get_by_role("option", name="Dyfed-Powys Estates Strategy Update 2020/21", exact=False).click()
    page.locator("#remove-report").click()  # asked first; "Cancel" removes nothing
    page.locator("#remove-question", has_text="Remove “Dyfed-Powys Estates Strategy Update 2020/21”").wait_for()
    _shot(page, "09a-remove-confirmation")
    page.locator("#remove-no").click()
    page.locator("#remove-result", has_text="Nothing removed").wait_for()
    assert "Dyfed-Powys" in page.locator("#library").inner_text()
    page.locator("#remove-report").click()
    page.locator("#remove-yes").click()
    page.locator("#remove-result", has_text="Removed").wait_for()
    _shot(page, "09-removed")
    assert "Dyfed-Powys" not in page.locator("#library").inner_text()
    assert not (root / "uploads" / "Estates-update-draft-2.pdf").exists()
    done = _cli("search", "custody suite Llandrindod Wells", "--json", "--all", "--index", str(root / "index"))
    assert "Dyfed-Powys" not in done.stdout
    page.context.close()


def test_login_holds_a_name_from_an_address_after_repeated_wrong_passwords(tmp_path):
    from assistant.web.server import MAX_FAILURES, Login
    from assistant.web.users import UserStore

    store = UserStore(tmp_path / "users.json")
    store.add("ada", "admin", "admin-pass-word")
    login = Login(store)
    assert login("ada", "admin-pass-word", "10.0.0.1")
    for _ in range(MAX_FAILURES):
        assert not login("ada", "guess-guess-guess", "10.0.0.66")
    assert not login("ada", "admin-pass-word", "10.0.0.66")  # held from that address, even with the right password
    assert login("ada", "admin-pass-word", "10.0.0.1")  # but a guesser never locks the owner out from elsewhere
    assert login.user("ada").role == "admin" and login.user("nobody") is None


def test_no_users_means_no_server_unless_a_local_demo(settings, tmp_path):
    from assistant.web.server import SetupError, create_app, is_loopback, serve

    settings = settings.model_copy(update={"users_file": tmp_path / "none.json"})
    with pytest.raises(SetupError, match="assistant users add NAME --role admin"):
        create_app(settings)
    with pytest.raises(SetupError, match="loopback"):
        serve(settings.model_copy(update={"host": "0.0.0.0"}), demo=True)
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and not is_loopback("10.0.0.5")


@_marks(live)
def test_demo_account_is_printed_and_works_on_loopback(gwent_index, tmp_path):
    from gradio_client import Client

    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_USERS_FILE": str(tmp_path / "users.json"),
        "ASSISTANT_AUDIT_DB": str(tmp_path / "audit.sqlite3"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--demo", "--index", str(gwent_index), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        assert lines[0].startswith(f"Local demo at http://127.0.0.1:{port}")
        password = lines[2].split("password:")[1].strip()
        deadline = time.time() + 120
        while True:
            try:
                client = Client(f"http://127.0.0.1:{port}", auth=("demo", password), verbose=False)
                break
            except Exception:
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.5)
        reply = client.predict(QUESTION, api_name="/ask")
        assert "24,635" in str(reply)
        with pytest.raises(ValueError, match="Could not login"):  # gradio_client's AuthenticationError
            Client(f"http://127.0.0.1:{port}", auth=("demo", "wrong-password"), verbose=False)
        assert not (tmp_path / "users.json").exists()  # nothing saved
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@_marks(live)
def test_questions_are_answered_while_a_report_is_ingested(app_server):
    from gradio_client import Client, handle_file

    url, root = app_server
    admin = Client(url, auth=("ada", PASSWORDS["ada"][1]), verbose=False)
    staff = Client(url, auth=("sam", PASSWORDS["sam"][1]), verbose=False)
    reports = [
        TEXTS / f"{name}.txt"
        for name in (
            "nottinghamshire-it-strategy-update-may-2017",
            "gwent-south-wales-digital-services-strategy-2018-2025",
            "gwent-collaboration-update-report-november-2021",
        )
    ]
    # The upload's embedding waits after its first batch (of five) until the question has been answered.
    hold, marker = root / "hold", root / "server.lines"
    hold.write_text("batch", encoding="utf-8")
    seen = len(crashpoints.read(marker))
    upload = admin.submit([handle_file(str(r)) for r in reports], api_name="/add")
    try:
        held = _wait_for_line(marker, seen, lambda line: line.startswith("hold batch "))
        answer = staff.submit(QUESTION, api_name="/ask").result(timeout=120)
        lines = crashpoints.read(marker)[seen:]
        during = lines[lines.index(held) :]  # since the upload began to wait: answered, and not gone on
        assert any(line.startswith("leave ask ") for line in during) and "go" not in during, lines
        assert not upload.done()
    finally:
        hold.unlink(missing_ok=True)
    result = upload.result(timeout=300)
    assert "24,635" in str(answer), held
    assert str(result[0]).count("indexed") == 3


def _wait_for_line(marker: Path, seen: int, test, timeout: float = 300.0) -> str:
    """The first line after the ``seen`` first of ``marker`` for which ``test`` is true; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = [line for line in crashpoints.read(marker)[seen:] if test(line)]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"not reported within {timeout:.0f} s: {crashpoints.read(marker)[seen:]}"
        time.sleep(0.05)


@_marks(in_browser)
def test_public_clearance_sees_no_restricted_report_in_the_app(app_server, browser):
    """sam (staff) has public clearance; the Cumbria report is restricted (it has a Part 2)."""
    url, root = app_server
    secret = "How many Samsung Galaxy devices were deployed to officers during 2015?"
    page = _login(browser, url, "sam")
    reply = _ask(page, secret)
    sources = page.locator("#sources").inner_text()
    assert "Not found in the reports" in reply and "1400" not in reply
    assert "Cumbria" not in sources and "Samsung" not in sources
    _shot(page, "10-public-clearance-ask")
    page.get_by_role("tab", name="Find passages (FOI)").click()
    page.locator("#foi-query textarea").fill("Samsung Galaxy devices deployed to all Officers")
    page.locator("#foi-search").click()
    # only the restricted report holds these words: for sam nothing is relevant, and nothing of it shows
    page.locator("#foi-status", has_text="No relevant passages").wait_for()
    assert "Cumbria" not in page.locator("#foi-results").inner_text()
    page.locator("#foi-query textarea").fill("ICT strategy")  # both reports' words: the public one's passages only
    page.locator("#foi-search").click()
    page.wait_for_function("() => document.querySelector('#foi-results').innerText.includes('Annual Report')")
    assert "Cumbria" not in page.locator("#foi-results").inner_text()
    page.get_by_role("tab", name="Report library").click()
    library = page.locator("#library").inner_text()
    assert "Annual Report" in library and "Cumbria" not in library
    _shot(page, "11-public-clearance-library")

    import sqlite3

    with sqlite3.connect(root / "index" / "lexical.sqlite3") as db:
        cumbria = db.execute("SELECT doc_id FROM documents WHERE source LIKE '%cumbria%'").fetchone()[0]
    assert page.request.get(f"{url}/report/{cumbria}").status == 404  # as if it did not exist
    page.context.close()

    page = _login(browser, url, "fiona")  # restricted clearance sees it
    assert "1400" in _ask(page, secret)
    assert page.request.get(f"{url}/report/{cumbria}").status == 200
    page.context.close()


@_marks(in_browser)
def test_admin_reads_and_exports_the_audit_log(app_server, browser):
    url, root = app_server
    page = _login(browser, url, "fiona")
    _ask(page, QUESTION)
    page.context.close()
    page = _login(browser, url, "fiona", "wrong-password-x")
    page.get_by_text("That user name and password do not match", exact=False).wait_for()
    page.context.close()

    page = _login(browser, url, "ada")
    page.get_by_role("tab", name="Audit log").click()
    page.locator("#audit-user textarea, #audit-user input").first.fill("fiona")
    page.locator("#audit-show").click()
    page.wait_for_function("() => document.querySelector('#audit-table').innerText.includes('sign-in refused')")
    table = page.locator("#audit-table").inner_text()
    assert QUESTION in table and "24,635" in table and "extractive" in table
    _shot(page, "12-audit-log")

    # New entries appear while the tab is open, without asking for them.
    other = _login(browser, url, "fiona")
    _ask(other, "What was the variance for SRS Airwave in 2018/19?")
    other.context.close()
    page.wait_for_function(
        "() => document.querySelector('#audit-table').innerText.includes('SRS Airwave')", timeout=45_000
    )
    page.locator("#audit-export").click()
    with page.expect_download() as download:
        page.locator("#audit-csv a").first.click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    asked = [r for r in rows if r["action"] == "ask" and r["query"] == QUESTION]
    assert asked and asked[-1]["user"] == "fiona" and "24,635" in asked[-1]["answer"]
    assert asked[-1]["chunk_ids"].startswith('["') and asked[-1]["doc_hashes"].startswith('["')
    page.context.close()

    page = _login(browser, url, "sam")  # not an admin: no audit tab
    page.locator("#question").wait_for()
    assert not page.get_by_role("tab", name="Audit log").is_visible()
    page.context.close()
    from assistant.audit import AuditLog

    assert AuditLog(root / "audit.sqlite3").verify() == []


@_marks(in_browser)
def test_public_clearance_exports_no_restricted_passage(app_server, browser):
    url, _ = app_server
    page = _login(browser, url, "pat")  # foi, public clearance: may export, sees public reports only
    page.get_by_role("tab", name="Find passages (FOI)").click()
    page.locator("#foi-query textarea").fill("ICT strategy")  # words of the public report and the restricted one
    page.locator("#foi-search").click()
    _option(page, 1).wait_for()
    options = page.locator("#foi-selected label", has_text=re.compile(r"^\s*\d+\. "))
    for n in range(options.count()):
        options.nth(n).click()
    page.locator("#foi-export").click()
    with page.expect_download() as download:
        page.locator("#foi-csv a").first.click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows and all("Cumbria" not in r["report"] and "Samsung" not in r["passage"] for r in rows)
    _shot(page, "13-public-clearance-export")
    page.context.close()
