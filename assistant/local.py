"""The command line's short cut to a running ``assistant serve`` over the same index.

A cold ``assistant ask`` spends seconds importing torch and loading the encoder; a server over
the index has both in memory. The server listens on a Unix socket in the index folder (mode
0600) and answers ``ask`` and ``search`` only for processes of its own operating-system user,
which the kernel vouches for (``SO_PEERCRED``), not anything the client says. The client trusts
the listener the same way before it sends the command line (which carries the question): the
socket file must be this user's, in a folder of this user's that nobody else may write to, and
the kernel must vouch that the listening process is this user's. The command runs in the server
exactly as it would in the client: same output, same audit entry (the user, role ``cli``). Any
failure to reach (or trust) the server and the client answers in its own process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import socketserver
import stat
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

SOCKET_NAME = "assistant.sock"
COMMANDS = ("ask", "search")
MAX_REQUEST = 64 * 1024


def socket_path(index_dir: Path) -> Path:
    """Where a server over ``index_dir`` listens."""
    return Path(index_dir) / SOCKET_NAME


def ask_server(index_dir: Path, argv: list[str], timeout: float = 60.0) -> tuple[int, str] | None:
    """The exit code and output of ``argv`` (an ``ask`` or ``search`` command line) run by the
    server over ``index_dir``; None when no server answers, or none this user can trust (the
    caller then runs it itself, and the command line is never sent)."""
    path = socket_path(index_dir)
    try:
        problem = untrusted(path)
    except FileNotFoundError:
        return None
    if problem:
        log.warning("not asking the server on %s: %s; answering here", path, problem)
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            listener = _peer_uid(s)
            if listener != os.getuid():
                log.warning(
                    "not asking the server on %s: it is run by uid %d, not this user (uid %d); answering here",
                    path,
                    listener,
                    os.getuid(),
                )
                return None
            s.sendall(json.dumps({"argv": argv}).encode() + b"\n")
            reply = json.loads(_read_line(s, limit=64 * 1024 * 1024))
        if reply.get("error"):
            log.info("the server did not answer (%s); answering here", reply["error"])
            return None
        return int(reply["exit"]), str(reply["stdout"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def untrusted(path: Path) -> str | None:
    """What makes the socket file at ``path`` untrustworthy for this user (None: nothing).

    The file itself is not followed if it is a link. FileNotFoundError when there is none."""
    uid = os.getuid()
    st = os.lstat(path)
    if not stat.S_ISSOCK(st.st_mode):
        return "it is not a socket"
    if st.st_uid != uid:
        return f"the socket file belongs to uid {st.st_uid}, not this user (uid {uid})"
    folder = os.stat(path.parent)
    if folder.st_uid != uid:
        return f"its folder {path.parent} belongs to uid {folder.st_uid}, not this user (uid {uid})"
    if folder.st_mode & 0o022:
        return f"its folder {path.parent} may be written by other users (mode {stat.S_IMODE(folder.st_mode):o})"
    return None


def _read_line(s: socket.socket, limit: int) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > limit:
            raise ValueError("reply too long")
    return data


def _peer_uid(sock: socket.socket) -> int:
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def _live_peer(path: Path) -> int | None:
    """The uid of the process listening on ``path``, or None when nobody listens there."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2.0)
            s.connect(str(path))
            return _peer_uid(s)
    except OSError:
        return None


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM raises SystemExit while the block runs, so ``finally`` blocks run (uvicorn catches
    SIGTERM, shuts down, restores the handler it found and raises the signal again: with the
    default handler the process would die there, before any clean-up)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def serving(index_dir: Path, run: Callable[[list[str]], tuple[int, str]], owner: int | None = None) -> Iterator[Path]:
    """Answer command lines on the index's socket while the block runs; ``run(argv)`` gives
    the exit code and output of one. Only user ``owner`` (default: this process's) is answered.

    The socket goes on every way out of the block: normal, exception, SIGINT and SIGTERM (which
    raises SystemExit(143) here). Another live server of this user keeps its socket (this one
    then serves no command lines); a socket left by a dead server, or a listener of another user,
    is replaced."""
    owner = os.getuid() if owner is None else owner
    path = socket_path(index_dir)
    peer = _live_peer(path)
    if peer == os.getuid():
        log.warning("another assistant serve answers command lines on %s; this one will not", path)
        yield path
        return
    if peer is not None:
        log.warning("replacing %s: its listener is run by uid %d, not this user", path, peer)
    path.unlink(missing_ok=True)  # left by a server that was killed

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            try:
                if _peer_uid(self.connection) != owner:
                    self._reply(2, "", "refused: another operating-system user")
                    return
                line = self.rfile.readline(MAX_REQUEST)
                if not line:  # connected and gone: another server checking whether this one is alive
                    return
                request = json.loads(line)
                argv = request["argv"]
                if not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv)):
                    raise ValueError("argv must be a list of strings")
                if argv[0] not in COMMANDS:
                    self._reply(2, "", f"refused: only {' and '.join(COMMANDS)} are answered here")
                    return
                code, out = run(argv)
                self._reply(code, out)
            except Exception as exc:  # noqa: BLE001 - a bad request costs its own connection only
                log.warning("command-line request refused: %s", exc)
                self._reply(2, "", f"refused: {type(exc).__name__}")

        def _reply(self, code: int, out: str, error: str = "") -> None:
            with contextlib.suppress(OSError):
                self.wfile.write(json.dumps({"exit": code, "stdout": out, "error": error}).encode() + b"\n")

    class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
        daemon_threads = True

    old = os.umask(0o177)  # the socket is created 0600: only this user may connect at all
    try:
        server = Server(str(path), Handler)
    finally:
        os.umask(old)
    made = os.lstat(path)
    thread = threading.Thread(target=server.serve_forever, name="assistant-cli-socket", daemon=True)
    thread.start()
    try:
        with _terminate_as_exit():
            yield path
    finally:
        server.shutdown()
        server.server_close()
        _unlink_if_same(path, made)


def _unlink_if_same(path: Path, made: os.stat_result) -> None:
    """Remove the socket file this server made, not one another server has put there since."""
    with contextlib.suppress(FileNotFoundError):
        now = os.lstat(path)
        if (now.st_dev, now.st_ino) == (made.st_dev, made.st_ino):
            path.unlink()
