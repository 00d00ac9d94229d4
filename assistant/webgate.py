"""The HTTP gate in front of the Gradio app: every request passes here before Gradio sees it.

Gradio trusts more of what a browser sends than this app can afford to. The gate:

- answers only the Gradio routes the app uses (no REST ``/call`` or ``/run`` API, no proxy,
  streams, monitoring or dev routes);
- binds each ``session_hash`` (query, path or JSON body) to the first signed-in user who
  uses it and refuses, and audits, anyone else presenting it;
- serves ``/gradio_api/file=…`` only for files that the same user uploaded;
- limits sign-in attempts per address and overall, answering 429 at once when exceeded;
- ends a session at once when its user is removed or changed (role, clearance, password),
  and audits sign-outs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any

from .audit import AuditLog
from .sessions import Sessions

log = logging.getLogger(__name__)
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# Gradio routes the app never uses; answered 404 so they cannot be used around the app's checks.
CLOSED = (
    "/gradio_api/call/",
    "/gradio_api/run/",
    "/gradio_api/api/",
    "/gradio_api/stream/",
    "/gradio_api/proxy=",
    "/gradio_api/mcp",
    "/gradio_api/vibe",
    "/gradio_api/undo-vibe",
    "/gradio_api/process_recording",
    "/gradio_api/run-history",
    "/gradio_api/runs",
    "/gradio_api/dev/",
    "/gradio_api/file/",
    "/monitoring",
    "/dev/",
    "/gradio_api/openapi.json",
)
MAX_BODY = 1_000_000  # a queue request carries a question, never a file
LOGIN_WINDOW = 60.0
USER = "signed_in_user"  # the key in the request's state under which the gate leaves the user's name


class Gate:
    """ASGI middleware; ``tokens()`` is Gradio's live token -> user name map."""

    def __init__(
        self,
        app: Callable,
        *,
        tokens: Callable[[], dict[str, str]],
        cookie_id: Callable[[], str],
        fingerprint: Callable[[str], str | None],
        sessions: Sessions,
        audit: AuditLog,
        role_of: Callable[[str], tuple[str, str | None]],
        login_rate: int = 20,
        max_pending_logins: int = 8,
        signin_page: bytes | None = None,
    ) -> None:
        self.app = app
        self.signin_page = signin_page
        self.tokens = tokens
        self.cookie_id = cookie_id
        self.fingerprint = fingerprint
        self.sessions = sessions
        self.audit = audit
        self.role_of = role_of
        self.login_rate = login_rate
        self.max_pending_logins = max_pending_logins
        self._token_prints: dict[str, str | None] = {}
        self._uploads: dict[str, set[str]] = defaultdict(set)
        self._attempts: dict[str, deque[float]] = defaultdict(deque)
        self._refused: dict[str, float] = {}
        self._pending = 0
        self._lock = threading.Lock()

    # ---- helpers -------------------------------------------------------------------
    def _token(self, scope: Scope) -> str | None:
        cookies = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                try:
                    cookies.load(value.decode("latin-1"))
                except Exception:  # noqa: BLE001 - a malformed cookie header is just no token
                    return None
        cid = self.cookie_id()
        for key in (f"access-token-{cid}", f"access-token-unsecure-{cid}"):
            if key in cookies:
                return cookies[key].value
        return None

    def user(self, scope: Scope) -> str | None:
        """The signed-in user of the request; a token whose user was removed or changed is revoked here."""
        token = self._token(scope)
        name = self.tokens().get(token) if token else None
        if name is None:
            return None
        if token not in self._token_prints or self.fingerprint(name) != self._token_prints[token]:
            self.revoke(name)
            role, clearance = self.role_of(name)
            self._record(
                name,
                role,
                "session ended",
                clearance=clearance,
                detail={"reason": "the user was removed or changed since signing in"},
            )
            return None
        return name

    def revoke(self, name: str) -> None:
        tokens = self.tokens()
        for token, owner in list(tokens.items()):
            if owner == name:
                tokens.pop(token, None)
                self._token_prints.pop(token, None)
        self.sessions.end_user(name)
        self._uploads.pop(name, None)

    def _record(self, name: str, role: str, action: str, **fields: Any) -> None:
        try:
            self.audit.record(name[:64], role, action, chunk_ids=[], doc_hashes=[], **fields)
        except Exception:  # noqa: BLE001 - a refusal still goes out; the audit failure is logged
            log.exception("could not audit %s for %s", action, name)

    async def _answer(
        self, send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        body = json.dumps({"detail": message}).encode()
        await self._respond(send, status, body, [(b"content-type", b"application/json"), *(headers or [])])

    @staticmethod
    async def _respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*headers, (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _page(self, send: Send, body: bytes) -> None:
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"cache-control", b"no-store"),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
        ]
        await self._respond(send, 200, body, headers)

    # ---- the gate ------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path: str = scope.get("path", "")
        method: str = scope.get("method", "GET")
        if any(path.startswith(p) for p in CLOSED):
            return await self._answer(send, 404, "Not Found")
        if path.rstrip("/") == "/login" and method == "POST":
            return await self._login(scope, receive, send)
        name = self.user(scope)
        if name is None and method == "GET" and path in ("", "/") and self.signin_page is not None:
            return await self._page(send, self.signin_page)
        # The app's own routes (/report, /download) read the user from here: one check per request.
        scope.setdefault("state", {})[USER] = name
        if path.rstrip("/") == "/logout":
            if name:
                role, clearance = self.role_of(name)
                self._record(name, role, "sign-out", clearance=clearance)
                self.revoke(name)
            return await self.app(scope, receive, send)
        if path.startswith("/gradio_api/file="):
            wanted = urllib.parse.unquote(path[len("/gradio_api/file=") :])
            if not name or wanted not in self._uploads.get(name, set()):
                return await self._answer(send, 404, "Not Found")
        body = b""
        inspect = method == "POST" and not path.startswith("/gradio_api/upload")
        if inspect:
            chunks, size = [], 0
            while True:
                message = await receive()
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > MAX_BODY:
                    return await self._answer(send, 413, "Request too large")
                chunks.append(chunk)
                if not message.get("more_body"):
                    break
            body = b"".join(chunks)
        session = self._session_hash(scope, path, body)
        if session is not None:
            owner = self.sessions.owner(session)
            if name is None and owner is not None:
                return await self._answer(send, 403, "This session belongs to another user.")
            if name is not None and not self.sessions.claim(session, name):
                role, clearance = self.role_of(name)
                self._record(
                    name,
                    role,
                    "session refused",
                    clearance=clearance,
                    detail={"path": path, "reason": "session of another user"},
                )
                return await self._answer(send, 403, "This session belongs to another user.")
        replay = _replay(body, receive) if inspect else receive
        if path.startswith("/gradio_api/upload") and name:
            return await self.app(scope, replay, self._remember_uploads(name, send))
        return await self.app(scope, replay, send)

    @staticmethod
    def _session_hash(scope: Scope, path: str, body: bytes) -> str | None:
        query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("session_hash"):
            return query["session_hash"][0]
        if path.startswith("/gradio_api/heartbeat/"):
            return path.rsplit("/", 1)[-1] or None
        if body[:1] == b"{":
            try:
                data = json.loads(body)
            except ValueError:
                return None
            value = data.get("session_hash") if isinstance(data, dict) else None
            return str(value) if value else None
        return None

    def _remember_uploads(self, name: str, send: Send) -> Send:
        """Note the temporary paths Gradio gives this user's uploads: the only files ``file=`` serves them."""
        parts: list[bytes] = []

        async def wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body"):
                    try:
                        paths = json.loads(b"".join(parts))
                        if isinstance(paths, list):
                            self._uploads[name].update(str(p) for p in paths if isinstance(p, str))
                    except ValueError:
                        pass
            await send(message)

        return wrapped

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = (scope.get("client") or ("?", 0))[0]
        now = time.monotonic()
        with self._lock:
            attempts = self._attempts[address]
            while attempts and now - attempts[0] > LOGIN_WINDOW:
                attempts.popleft()
            limited = len(attempts) >= self.login_rate
            busy = self._pending >= self.max_pending_logins
            # One audit entry per address and window, not one per flooded request.
            key = address if limited else "(all addresses)"
            first_refusal = (limited or busy) and now - self._refused.get(key, -LOGIN_WINDOW) > LOGIN_WINDOW
            if first_refusal:
                self._refused[key] = now
            if not limited and not busy:
                attempts.append(now)
                self._pending += 1
        if limited or busy:
            if first_refusal:
                self._record(
                    "-",
                    "-",
                    "sign-in refused",
                    detail={
                        "address": address,
                        "reason": "rate limited" if limited else "too many sign-ins at once",
                        "note": "further refusals in this minute are not recorded one by one",
                    },
                )
            return await self._answer(
                send, 429, "Too many sign-in attempts: wait a minute and try again.", [(b"retry-after", b"60")]
            )
        try:
            await self.app(scope, receive, self._note_token(send))
        finally:
            with self._lock:
                self._pending -= 1

    def _note_token(self, send: Send) -> Send:
        """Remember, for each new login token, the user's fingerprint at sign-in."""
        cid = self.cookie_id()

        async def wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                for key, value in message.get("headers", []):
                    if key == b"set-cookie" and value.startswith(f"access-token-{cid}=".encode()):
                        token = value.split(b";", 1)[0].split(b"=", 1)[1].decode()
                        name = self.tokens().get(token)
                        if name is not None:
                            self._token_prints[token] = self.fingerprint(name)
            await send(message)

        return wrapped


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the client's own messages (so a disconnect is still seen)."""
    sent = False

    async def replayed() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
