"""The one-off demo account of ``assistant serve --demo``: shown as a demo to the demo account alone,
and gone (refused, its sessions ended) once the first real account exists, without a restart."""

import os
import re
import sys

import pytest
from common import add_user, fill_sign_in
from conftest import ROOT, free_port, local_server
from test_server import _marks, _settled, _shot, browser

__all__ = ["browser"]  # the fixture, shared with test_server

in_browser = [pytest.mark.server, pytest.mark.slow, pytest.mark.browser]


def test_the_demo_account_works_only_while_there_is_no_users_file(tmp_path):
    from assistant.web.server import Login
    from assistant.web.users import UserStore

    store = UserStore(tmp_path / "users.json")
    login = Login(store, ("demo", "demo-password-1"))
    assert login("demo", "demo-password-1") and login.demo_active()
    assert login.user("demo").role == "admin" and login.fingerprint("demo") == "demo"
    store.add("rita", "staff", "real-user-pass-5")
    assert not login.demo_active()
    assert not login("demo", "demo-password-1"), "refused once a real account exists"
    assert login.user("demo") is None and login.fingerprint("demo") is None  # its sessions end
    assert login("rita", "real-user-pass-5")
    # A real account named "demo" is an account like any other.
    store.add("demo", "staff", "a-real-demo-pass")
    assert login("demo", "a-real-demo-pass") and login.user("demo").role == "staff"


def test_demo_is_refused_when_users_exist(settings, tmp_path):
    from assistant.web.server import SetupError, serve
    from assistant.web.users import UserStore

    users = tmp_path / "users.json"
    UserStore(users).add("rita", "staff", "real-user-pass-5")
    with pytest.raises(SetupError, match="already has users"):
        serve(settings.model_copy(update={"users_file": users}), demo=True)


@_marks(in_browser)
def test_demo_banner_for_the_demo_account_only_and_gone_once_a_user_exists(gwent_index, browser, tmp_path):
    users = tmp_path / "users.json"
    env = {
        **os.environ,
        "ASSISTANT_USERS_FILE": str(users),
        "ASSISTANT_AUDIT_DB": str(tmp_path / "audit.sqlite3"),
        "ASSISTANT_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "assistant", "serve", "--demo", "--index", str(gwent_index), "--port", str(port)]
    with local_server(command, url + "/", timeout=180, env=env, log=log):
        password = re.search(r"password: (\S+)", log.read_text()).group(1)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        fill_sign_in(page, url, "demo", password)
        assert "Local demo" in page.locator("main").inner_text()
        page.get_by_role("button", name="Sign in").click()
        banner = page.locator("#demo-banner .demo-banner")
        banner.wait_for()
        text = banner.inner_text()
        assert "one-off account “demo”" in text and "stops working" in text
        assert "`" not in text and banner.locator("code", has_text="assistant users add").count() == 1
        _shot(page, "demo-1-banner")

        # The first real account: the demo account's session ends and its sign-in is refused, no restart.
        add_user("rita", "staff", users, "real-user-pass-5", cwd=ROOT)
        page.reload()
        page.get_by_label("User name").wait_for()
        assert "Local demo" not in page.locator("main").inner_text()
        fill_sign_in(page, url, "demo", password).click()
        page.get_by_text("That user name and password do not match", exact=False).wait_for()
        _shot(page, "demo-2-refused")

        # A real user signed in to the demo server never sees the banner.
        fill_sign_in(page, url, "rita", "real-user-pass-5").click()
        page.locator("#who", has_text="Signed in as rita").wait_for()
        _settled(page)  # the banner's own load event has run
        assert page.locator("#demo-banner .demo-banner").count() == 0
        assert "Local demo" not in page.locator("body").inner_text()
        _shot(page, "demo-3-real-user")
        page.close()


@pytest.mark.server
@pytest.mark.slow
def test_the_demo_command_sets_up_quietly_and_reaches_the_app(tmp_path):
    """``bash scripts/demo.sh`` as the README gives it (its setup on the existing .venv, the sample corpus
    indexed into a temporary folder, a question, the app): a progress line per step, no warning or
    traceback, and the app answering with its one-off demo account."""
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(tmp_path / "index"),
        "ASSISTANT_USERS_FILE": str(tmp_path / "users.json"),  # none yet: the local demo
        "ASSISTANT_UPLOAD_DIR": str(tmp_path / "uploads"),
        "ASSISTANT_PORT": str(port),
    }
    log = tmp_path / "demo.log"
    with local_server(
        ["bash", str(ROOT / "scripts" / "demo.sh")], f"http://127.0.0.1:{port}/", timeout=900, env=env, log=log
    ):
        out = log.read_text()
    assert "Setting up: done in" in out and "password: " in out and "24,635" in out, out
    assert f"(into {tmp_path / 'index'}/)" in out and (tmp_path / "index" / "lexical.sqlite3").exists()
    noise = [line for line in out.splitlines() if re.search(r"(?i)warn|error|traceback|^!!|deprecat|failed to", line)]
    assert not noise, noise
