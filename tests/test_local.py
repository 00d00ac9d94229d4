"""The command line's short cut to a running server: only ask and search, only for the server's own user."""

import json
import os
import socket

import pytest

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
