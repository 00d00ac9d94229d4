import json
import stat
import subprocess
import sys

import pytest
from conftest import ROOT

from assistant.web.users import User, UserError, UserStore, check_password, hash_password


def test_password_hash_is_scrypt_and_salted():
    a, b = hash_password("a-long-password"), hash_password("a-long-password")
    assert a.startswith("scrypt$") and a != b
    assert check_password("a-long-password", a)
    assert not check_password("a-long-passwore", a)
    assert not check_password("a-long-password", "bcrypt$garbage")


def test_store_adds_authenticates_and_removes(tmp_path):
    store = UserStore(tmp_path / "users.json")
    assert not store.exists()
    store.add("fiona", "foi", "foi-officer-pass")
    assert store.authenticate("fiona", "foi-officer-pass") == User("fiona", "foi", "restricted")
    assert store.authenticate("fiona", "wrong-password-1") is None
    assert store.authenticate("nobody", "foi-officer-pass") is None
    text = (tmp_path / "users.json").read_text()
    assert "foi-officer-pass" not in text and json.loads(text)["users"]["fiona"]["role"] == "foi"
    assert stat.S_IMODE((tmp_path / "users.json").stat().st_mode) == 0o600
    store.remove("fiona")
    assert store.authenticate("fiona", "foi-officer-pass") is None


def test_store_rejects_bad_users(tmp_path):
    store = UserStore(tmp_path / "users.json")
    with pytest.raises(UserError, match="role"):
        store.add("x", "superuser", "long-enough-pass")
    with pytest.raises(UserError, match="too short"):
        store.add("x", "staff", "short")
    with pytest.raises(UserError, match="user name"):
        store.add("../etc", "staff", "long-enough-pass")
    store.add("x", "staff", "long-enough-pass")
    with pytest.raises(UserError, match="already exists"):
        store.add("x", "admin", "long-enough-pass")
    store.add("x", "admin", "other-long-pass", replace=True)
    assert store.get("x") == User("x", "admin", "restricted")
    assert store.add("z", "foi", "long-enough-pass", clearance="public").clearance == "public"
    with pytest.raises(UserError, match="clearance"):
        store.add("w", "foi", "long-enough-pass", clearance="secret")
    with pytest.raises(UserError, match="no user"):
        store.remove("y")


def test_roles_grant_what_the_issue_says():
    staff, foi, admin = User("s", "staff"), User("f", "foi"), User("a", "admin")
    assert staff.can("ask") and staff.can("search") and not staff.can("export") and not staff.can("upload")
    assert foi.can("export") and not foi.can("upload") and not foi.can("remove")
    assert admin.can("upload") and admin.can("remove") and admin.can("export")


def test_a_change_to_the_file_is_seen_without_restart(tmp_path):
    path = tmp_path / "users.json"
    running = UserStore(path)
    UserStore(path).add("late", "staff", "late-user-pass")
    assert running.authenticate("late", "late-user-pass") == User("late", "staff", "public")


def test_cli_manages_users(tmp_path):
    users = str(tmp_path / "users.json")

    def run(*args, stdin=None):
        return subprocess.run(
            [sys.executable, "-m", "assistant", "users", *args, "--users", users],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )

    assert run("add", "ada", "--role", "admin", "--password-stdin", stdin="admin-pass-word\n").returncode == 0
    listed = run("list", "--json")
    assert json.loads(listed.stdout) == [{"name": "ada", "role": "admin", "clearance": "restricted"}]
    bad = run("add", "bob", "--role", "staff", "--password-stdin", stdin="short\n")
    assert bad.returncode == 1 and "too short" in bad.stderr
    assert run("remove", "ada").returncode == 0
    assert json.loads(run("list", "--json").stdout) == []
