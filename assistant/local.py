"""The command line's short cut to a running ``assistant serve`` over the same index.

A cold ``assistant ask`` spends seconds importing torch and loading the encoder; a server over
the index has both in memory. The server listens on a Unix socket in the index folder (mode
0600) and answers ``ask`` and ``search`` only for processes of its own operating-system user,
which the kernel vouches for (``SO_PEERCRED``), not anything the client says. The command runs
in the server exactly as it would in the client: same output, same audit entry (the user, role
``cli``). Any failure to reach the server and the client answers in its own process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import socketserver
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
    server over ``index_dir``; None when no server answers (the caller then runs it itself)."""
    path = socket_path(index_dir)
    if not path.exists():
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            s.sendall(json.dumps({"argv": argv}).encode() + b"\n")
            reply = json.loads(_read_line(s, limit=64 * 1024 * 1024))
        if reply.get("error"):
            log.info("the server did not answer (%s); answering here", reply["error"])
            return None
        return int(reply["exit"]), str(reply["stdout"])
    except (OSError, ValueError, KeyError, TypeError):
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


@contextlib.contextmanager
def serving(index_dir: Path, run: Callable[[list[str]], tuple[int, str]], owner: int | None = None) -> Iterator[Path]:
    """Answer command lines on the index's socket while the block runs; ``run(argv)`` gives
    the exit code and output of one. Only user ``owner`` (default: this process's) is answered."""
    owner = os.getuid() if owner is None else owner
    path = socket_path(index_dir)
    path.unlink(missing_ok=True)  # left by a server that was killed

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            try:
                if _peer_uid(self.connection) != owner:
                    self._reply(2, "", "refused: another operating-system user")
                    return
                request = json.loads(self.rfile.readline(MAX_REQUEST))
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
    thread = threading.Thread(target=server.serve_forever, name="assistant-cli-socket", daemon=True)
    thread.start()
    try:
        yield path
    finally:
        server.shutdown()
        server.server_close()
        path.unlink(missing_ok=True)
