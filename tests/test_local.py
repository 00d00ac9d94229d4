"""The command line's short cut to a running server: only ask and search, only for the server's own user."""

import contextlib
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from common import wait_until_ready
from conftest import cli, free_port, local_server

from assistant.local import ask_server, serving, socket_path


def _echo(calls: list):
    def run(argv: list[str]) -> tuple[int, str]:
        calls.append(argv)
        return 0, f"answered {argv[1]}\n"

    return run


def test_the_server_answers_its_own_user_and_goes_with_the_server(tmp_path):
    calls: list = []
    socket_path(tmp_path).write_text("left by a killed server")
    with serving(tmp_path, _echo(calls)) as path:
        assert path.stat().st_mode & 0o777 == 0o600
        assert ask_server(tmp_path, ["ask", "How many?", "--json"]) == (0, "answered How many?\n")
    assert calls == [["ask", "How many?", "--json"]]
    assert not path.exists() and ask_server(tmp_path, ["ask", "again"]) is None


@pytest.mark.parametrize("argv", [["ingest", "/etc"], ["users", "add", "x"], ["serve"], [], "ask x", [1, 2]])
def test_only_questions_and_searches_are_taken(tmp_path, argv):
    calls: list = []
    with serving(tmp_path, _echo(calls)):
        assert ask_server(tmp_path, argv) is None  # refused: the client answers itself
    assert calls == []


def test_a_malformed_request_is_refused_and_the_server_goes_on(tmp_path):
    calls: list = []
    with serving(tmp_path, _echo(calls)) as path:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(path))
            s.sendall(b"not json\n")
            assert "refused" in json.loads(s.makefile().readline())["error"]
        assert ask_server(tmp_path, ["search", "Airwave"]) == (0, "answered Airwave\n")


def test_a_socket_nobody_listens_on_is_no_answer(tmp_path):
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(socket_path(tmp_path)))  # bound, never listening: a server that died
    assert ask_server(tmp_path, ["ask", "x"]) is None


def test_another_user_is_refused_whatever_the_socket_allows(tmp_path):
    """The kernel's peer credentials decide: here the server belongs to another user than the caller."""
    calls: list = []
    with serving(tmp_path, _echo(calls), owner=os.getuid() + 1) as path:
        assert ask_server(tmp_path, ["ask", "x"]) is None
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(path))
            # refused on connecting, before any request is read: sending could race the close
            assert "another operating-system user" in json.loads(s.makefile().readline())["error"]
    assert calls == []


FAKE_LISTENER = r"""
import json, os, socket, sys

path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
if mode == "listener":
    os.setuid(65534)  # the kernel records the listener's credentials at listen()
s.listen(1)
if mode == "file":
    os.chown(path, 65534, 65534)
print("ready", flush=True)
conn, _ = s.accept()
print(json.dumps(conn.makefile("rb").readline().decode("utf-8", "replace")), flush=True)
try:
    conn.sendall(json.dumps({"exit": 0, "stdout": "FAKE ANSWER\n", "error": ""}).encode() + b"\n")
except OSError:  # the client did not wait for an answer
    pass
"""


@contextlib.contextmanager
def fake_listener(path, mode: str):
    """A process answering "FAKE ANSWER" on the socket ``path``: ``mode`` "same" runs as this user,
    "listener" listens as uid 65534 (its socket file ours), "file" has its socket file chowned to
    uid 65534. Yields a list that receives, once the block ends, every request line it was sent."""
    heard: list[str] = []
    proc = subprocess.Popen([sys.executable, "-c", FAKE_LISTENER, str(path), mode], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "ready\n"
        yield heard
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        heard += [line for line in (json.loads(x) for x in out.splitlines()) if line]
        path.unlink(missing_ok=True)


def test_a_listener_of_this_user_is_asked(tmp_path):
    """The fake listener itself, trusted: the checks below are what keeps the question from it."""
    with fake_listener(socket_path(tmp_path), "same") as heard:
        assert ask_server(tmp_path, ["ask", "How many stations?"]) == (0, "FAKE ANSWER\n")
    assert heard and "How many stations?" in heard[0]


@pytest.mark.parametrize(
    ("mode", "why"),
    [
        ("listener", "it is run by uid 65534, not this user"),
        ("file", "the socket file belongs to uid 65534, not this user"),
    ],
)
def test_a_listener_of_another_user_is_not_sent_the_question(tmp_path, caplog, mode, why):
    path = socket_path(tmp_path)
    with fake_listener(path, mode) as heard:
        assert ask_server(tmp_path, ["ask", "How many stations?"]) is None
    assert heard == []
    assert why in caplog.text and str(path) in caplog.text


def test_a_socket_in_a_folder_others_may_write_is_not_sent_the_question(tmp_path, caplog):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)  # anyone could have put the socket there
    with fake_listener(socket_path(folder), "same") as heard:
        assert ask_server(folder, ["ask", "How many stations?"]) is None
    assert heard == [] and "may be written by other users (mode 777)" in caplog.text


def test_a_link_to_a_socket_is_not_followed(tmp_path, caplog):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with fake_listener(elsewhere / "real.sock", "same") as heard:
        socket_path(tmp_path).symlink_to(elsewhere / "real.sock")
        assert ask_server(tmp_path, ["ask", "How many stations?"]) is None
    assert heard == [] and "it is not a socket" in caplog.text


def test_another_users_listener_is_replaced_and_a_live_servers_socket_kept(tmp_path):
    path = socket_path(tmp_path)
    with fake_listener(path, "listener") as heard, serving(tmp_path, _echo([])):
        assert ask_server(tmp_path, ["ask", "x"]) == (0, "answered x\n")
    assert heard == []
    calls: list = []
    with serving(tmp_path, _echo(calls)):
        with serving(tmp_path, _echo([])):  # a second server over the index leaves the first one's socket
            pass
        assert path.exists() and ask_server(tmp_path, ["ask", "y"]) == (0, "answered y\n")
    assert calls == [["ask", "y"]] and not path.exists()


def test_the_socket_goes_on_an_exception(tmp_path):
    with pytest.raises(RuntimeError), serving(tmp_path, _echo([])) as path:
        raise RuntimeError("the app failed")
    assert not path.exists()


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_socket_goes_when_assistant_serve_is_stopped(tmp_path, sig):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "fleet.txt").write_text("Fleet Review\n\n2.1 The fleet has 212 vehicles.\n", encoding="utf-8")
    env = {
        **os.environ,
        "ASSISTANT_USERS_FILE": str(tmp_path / "users.json"),
        "ASSISTANT_AUDIT_DB": str(tmp_path / "audit.sqlite3"),
        "ASSISTANT_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    index = tmp_path / "index"
    done = cli("ingest", str(reports), "--index", str(index), "--no-progress", env=env)
    assert done.returncode == 0, done.stderr
    port = free_port()
    command = [sys.executable, "-m", "assistant", "serve", "--demo", "--index", str(index), "--port", str(port)]
    with local_server(command, f"http://127.0.0.1:{port}/", env=env) as proc:
        assert stat.S_ISSOCK(os.lstat(socket_path(index)).st_mode)
        proc.send_signal(sig)
        proc.wait(timeout=60)
    assert not socket_path(index).exists()


# What a stop must not print: a traceback, or the resource tracker's word of leaked semaphores.
_NOISE = re.compile(r"Traceback|Error|leaked|resource_tracker|warn", re.I)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the PDF worker, the resource tracker)."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat_file.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat_file.parent.name))
    return found


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 0), (signal.SIGTERM, 143)], ids=["Ctrl+C", "SIGTERM"])
def test_assistant_serve_stops_quietly_with_its_pdf_worker(tmp_path, sig, code):
    """Stopped as a terminal's Ctrl+C or a service manager stops it (the signal goes to the whole
    process group: the server, its PDF worker and multiprocessing's resource tracker) right after an
    upload, the server exits with its code and nothing on the console but its own lines."""
    from gradio_client import Client, handle_file
    from pdfgen import make_pdf

    env = {
        **os.environ,
        "ASSISTANT_USERS_FILE": str(tmp_path / "users.json"),
        "ASSISTANT_AUDIT_DB": str(tmp_path / "audit.sqlite3"),
        "ASSISTANT_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "fleet.txt").write_text("Fleet Review\n\n2.1 The fleet has 212 vehicles.\n", encoding="utf-8")
    index = tmp_path / "index"
    assert cli("ingest", str(reports), "--index", str(index), "--no-progress", env=env).returncode == 0
    pdf = tmp_path / "estates.pdf"
    pdf.write_bytes(make_pdf([["Estates Update 2020/21", "1. Progress", "1.1 Seventeen stations were refurbished."]]))
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "assistant", "serve", "--demo", "--index", str(index), "--port", str(port)]
    with open(log, "w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        try:
            wait_until_ready(proc, f"http://127.0.0.1:{port}/")
        except RuntimeError as e:
            raise AssertionError(f"{e}:\n{log.read_text()}") from None
        password = re.search(r"password: (\S+)", log.read_text()).group(1)
        admin = Client(f"http://127.0.0.1:{port}", auth=("demo", password), verbose=False)
        added = admin.predict([handle_file(str(pdf))], api_name="/add")
        assert "indexed" in str(added[0]), added
        helpers = _children(proc.pid)
        assert len(helpers) >= 2, "the upload was read in a worker process, with multiprocessing's tracker"
        os.killpg(proc.pid, sig)
        assert proc.wait(timeout=60) == code
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 30
    while not all(_gone(p) for p in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)  # the tracker reports leaks as it exits, after the server
    assert all(_gone(p) for p in helpers), "no worker outlives the server"
    said = log.read_text()
    assert not _NOISE.search(said), said
    assert not socket_path(index).exists()
