"""The HTTP gate in front of the Gradio app: every request passes here before Gradio sees it.

Gradio trusts more of what a browser sends than this app can afford to. The gate:

- answers only the Gradio routes the app uses (no REST ``/call`` or ``/run`` API, no proxy,
  streams, monitoring or dev routes);
- reads each request's ``session_hash`` once: a request naming it twice, or differently in its
  query, path and body, is refused (400); a hash is bound to the first signed-in user who joins
  with it, and only that user may stream, cancel or join under it;
- refuses requests from other sites (an ``Origin``, ``Referer`` or ``Sec-Fetch-Site`` that is not
  the app's own), and sign-in without the token its form carries (bound to a cookie);
- serves ``/gradio_api/file=…`` only for files that the same user uploaded, and lets no queued
  event name any other file;
- limits sign-in attempts per address (the real peer: proxy headers count only from the
  addresses named in ``ASSISTANT_TRUSTED_PROXIES``), answering 429 at once when exceeded;
- signs out by POST only, with a relative redirect;
- puts ``X-Frame-Options: DENY``, a Content-Security-Policy and ``nosniff`` on every response;
- ends a session at once when its user is removed or changed (role, clearance, password),
  and audits every refusal and sign-out.
"""

from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import secrets
import threading
import time
import urllib.parse
from collections import OrderedDict, defaultdict, deque
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any

from ..audit import AuditLog
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
    "/gradio_api/component_server",
    "/gradio_api/deep_link",
    "/monitoring",
    "/dev/",
    "/gradio_api/openapi.json",
)
MAX_BODY = 1_000_000  # a queue request carries a question, never a file
MAX_LOGIN_BODY = 10_000
LOGIN_WINDOW = 60.0
USER = "signed_in_user"  # the key in the request's state under which the gate leaves the user's name
SIGNIN_COOKIE = "opcc-signin"  # holds the sign-in form's token (double submit: a page of another site has neither)
SIGNIN_FIELD = "signin_token"
BROWSER_HEADERS = (b"origin", b"referer", b"sec-fetch-site", b"sec-fetch-mode")
# Routes that may bind a new session to the signed-in user; every other route needs it bound already.
CLAIMING = ("/gradio_api/queue/join", "/gradio_api/heartbeat/")
SAFE_METHODS = ("GET", "HEAD")
MAX_PENDING_PER_ADDRESS = 2  # sign-in checks one address may have waiting: a flood from one leaves room for others
MAX_TRACKED = 10_000  # addresses, refusals and upload ids remembered before the oldest are dropped
PROXY_HEADERS = (b"x-forwarded-for", b"x-forwarded-host", b"x-forwarded-proto", b"x-forwarded-port")
PROXY_HEADERS += (b"x-forwarded-prefix", b"forwarded", b"x-real-ip")
# Gradio's page needs its inline config script, styles and its HTML component's evaluated templates;
# nothing may come from or go to another site, and no other site may frame it.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CSP.encode()),
)
# The sign-in's peer address, for the password check behind Gradio's login route (which is not told it).
PEER: contextvars.ContextVar[str] = contextvars.ContextVar("peer", default="?")


class Refused(Exception):
    """A request refused by the gate: HTTP status, the message for the client, the reason audited."""

    def __init__(self, status: int, message: str, reason: str, action: str = "request refused") -> None:
        super().__init__(reason)
        self.status, self.message, self.reason, self.action = status, message, reason, action


def networks(spec: str | None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Addresses or networks from a comma-separated list (``ASSISTANT_TRUSTED_PROXIES``); ValueError if one is not."""
    out = []
    for item in (spec or "").split(","):
        if item.strip():
            try:
                out.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError as exc:
                raise ValueError(f"ASSISTANT_TRUSTED_PROXIES: {item.strip()!r} is not an address or network") from exc
    return out


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


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
        signin_page: Callable[[str], bytes] | None = None,
        trusted_proxies: str | None = None,
        event_session: Callable[[str], str | None] | None = None,
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
        self.trusted = networks(trusted_proxies)
        self.event_session = event_session or (lambda event_id: None)
        self._upload_ids: OrderedDict[str, str] = OrderedDict()  # Gradio's upload id -> the user who uploads
        self._pending_by: dict[str, int] = defaultdict(int)
        self._token_prints: dict[str, str | None] = {}
        self._uploads: dict[str, set[str]] = defaultdict(set)
        self._attempts: dict[str, deque[float]] = defaultdict(deque)
        self._refused: dict[tuple[str, str], float] = {}
        self._pending = 0
        self._lock = threading.Lock()

    # ---- who is asking -----------------------------------------------------------
    def _token(self, scope: Scope) -> str | None:
        cookies = self._cookies(scope)
        if cookies is None:
            return None
        cid = self.cookie_id()
        for key in (f"access-token-{cid}", f"access-token-unsecure-{cid}"):
            if key in cookies:
                return cookies[key].value
        return None

    @staticmethod
    def _cookies(scope: Scope) -> SimpleCookie | None:
        cookies = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                try:
                    cookies.load(value.decode("latin-1"))
                except Exception:  # noqa: BLE001 - a malformed cookie header is just no cookie
                    return None
        return cookies

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

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def _peer(self, scope: Scope) -> None:
        """Settle the client's address, scheme and host: from a trusted proxy's headers, else from the
        connection itself, with every proxy header removed so nothing behind the gate reads one."""
        peer = (scope.get("client") or ("?", 0))[0]
        if self.trusted and self._trusted(peer):
            hops = [h.strip() for h in (_header(scope, b"x-forwarded-for") or "").split(",") if h.strip()]
            while hops and self._trusted(hops[-1]):
                peer = hops.pop()
            if hops:
                peer = hops[-1]  # the nearest address no trusted proxy vouches past
            proto = (_header(scope, b"x-forwarded-proto") or "").split(",")[0].strip().lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto
            scope["client"] = (peer, 0)
            return
        scope["headers"] = [(k, v) for k, v in scope.get("headers", []) if k not in PROXY_HEADERS]

    @staticmethod
    def _own_origin(scope: Scope) -> str:
        host = _header(scope, b"x-forwarded-host") or _header(scope, b"host") or ""
        return f"{scope.get('scheme', 'http')}://{host.split(',')[0].strip().lower()}"

    def _cross_site(self, scope: Scope, method: str) -> str | None:
        """Why the request comes from a page of another site (None when it does not)."""
        own = self._own_origin(scope)
        origin = _header(scope, b"origin")
        if origin is not None:
            return None if origin.lower() == own else f"from another site ({origin[:100]})"
        fetch_site = _header(scope, b"sec-fetch-site")
        if method in SAFE_METHODS:
            # A page of another site can still make a browser GET (an image, a script tag) with its cookies.
            if scope.get("path", "").startswith("/gradio_api/") and fetch_site in ("cross-site", "same-site"):
                return f"from another site (Sec-Fetch-Site: {fetch_site})"
            return None
        if fetch_site is not None and fetch_site not in ("same-origin", "none"):
            return f"from another site (Sec-Fetch-Site: {fetch_site[:40]})"
        referer = _header(scope, b"referer")
        if referer:
            parts = urllib.parse.urlsplit(referer)
            if f"{parts.scheme}://{parts.netloc}".lower() != own:
                return f"from another site (Referer {parts.scheme}://{parts.netloc[:100]})"
        return None

    # ---- answering -----------------------------------------------------------------
    def _record(self, name: str, role: str, action: str, **fields: Any) -> None:
        try:
            self.audit.record(name[:64], role, action, chunk_ids=[], doc_hashes=[], **fields)
        except Exception:  # noqa: BLE001 - a refusal still goes out; the audit failure is logged
            log.exception("could not audit %s for %s", action, name)

    def _audit_refusal(self, scope: Scope, name: str | None, refused: Refused, path: str) -> None:
        """Audit a refusal: each one of a signed-in user; an anonymous address's once a minute per reason."""
        address = (scope.get("client") or ("?", 0))[0]
        detail = {"path": path[:200], "reason": refused.reason, "address": address}
        if name is None:
            now = time.monotonic()
            with self._lock:  # keyed by the action, not the reason: that carries what the client chose to send
                if not self._first_in_window((address, refused.action), now):
                    return
            detail["note"] = "further refusals like this from this address in this minute are not recorded one by one"
            return self._record("-", "-", refused.action, detail=detail)
        role, clearance = self.role_of(name)
        self._record(name, role, refused.action, clearance=clearance, detail=detail)

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

    async def _signin(self, send: Send) -> None:
        """The sign-in page, with a fresh token in its form and the same token in a cookie only /login reads."""
        assert self.signin_page is not None
        token = secrets.token_urlsafe(24)
        cookie = f"{SIGNIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600"
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"cache-control", b"no-store"),
            (b"set-cookie", cookie.encode()),
        ]
        await self._respond(send, 200, self.signin_page(token), headers)

    @staticmethod
    def _secured(send: Send) -> Send:
        """Every response carries the security headers (a route's own CSP, like the reports' sandbox, wins)."""

        async def wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"access-control-allow-origin"]
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        return wrapped

    # ---- the gate ------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        self._peer(scope)
        send = self._secured(send)
        path: str = scope.get("path", "")
        method: str = scope.get("method", "GET").upper()
        if any(path.startswith(p) for p in CLOSED):
            return await self._answer(send, 404, "Not Found")
        name = self.user(scope)
        try:
            why = self._cross_site(scope, method)
            if why:
                raise Refused(403, "Requests from other sites are refused.", why, "cross-site request refused")
            if path.rstrip("/") == "/login" and method == "POST":
                return await self._login(scope, receive, send)
            if path.rstrip("/") == "/logout":
                return await self._logout(scope, send, name, method)
            if name is None and method == "GET" and path in ("", "/") and self.signin_page is not None:
                return await self._signin(send)
            # The app's own routes (/report, /evidence, /download) read the user from here: one check per request.
            scope.setdefault("state", {})[USER] = name
            if path.startswith("/gradio_api/file="):
                wanted = urllib.parse.unquote(path[len("/gradio_api/file=") :])
                if not name or wanted not in self._uploads.get(name, set()):
                    return await self._answer(send, 404, "Not Found")
            body, data, pairs = b"", {}, []
            inspect = method not in SAFE_METHODS and not path.startswith("/gradio_api/upload")
            if inspect:
                body = await self._body(receive, MAX_BODY)
                if path.startswith("/gradio_api/") and body.strip():
                    data, pairs = _json_object(body)  # read here exactly as Gradio will read it, or refused
            self._check_session(scope, path, pairs, name)
            if path.startswith("/gradio_api/queue/join"):
                self._check_files(data, name)
            if path.startswith("/gradio_api/cancel") and data and not self._check_cancel(data):
                return await self._respond(send, 200, b'{"success":true}', [(b"content-type", b"application/json")])
            if path.startswith("/gradio_api/upload"):  # the upload and its progress stream
                self._check_upload_id(scope, name)
        except Refused as refused:
            self._audit_refusal(scope, name, refused, path)
            return await self._answer(send, refused.status, refused.message)
        replay = _replay(body, receive) if inspect else receive
        if path.startswith("/gradio_api/upload") and name:
            return await self.app(scope, replay, self._remember_uploads(name, send))
        return await self.app(scope, replay, send)

    @staticmethod
    async def _body(receive: Receive, limit: int) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Refused(413, "Request too large", f"body over {limit:,} bytes")
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    def _check_session(self, scope: Scope, path: str, pairs: list[tuple[str, Any]], name: str | None) -> None:
        """One ``session_hash`` per request, and only its owner's (refused with :class:`Refused`)."""
        named = _session_hashes(scope, path, pairs)
        if not named:
            return
        if len(named) > 1:
            raise Refused(400, "The request names its session more than once.", "session named more than once")
        session = named[0]
        owner = self.sessions.owner(session)
        if name is None:
            raise Refused(403, "Sign in first.", "a session used without signing in", "session refused")
        if owner == name:
            return
        if owner is None and path.startswith(CLAIMING) and self.sessions.claim(session, name):
            return
        reason = "session of another user" if owner else "a session this user never opened"
        raise Refused(403, "This session belongs to another user.", reason, "session refused")

    def _check_files(self, body: dict[str, Any], name: str | None) -> None:
        """A queued event may name only files this user uploaded (Gradio would read any file it is handed)."""
        uploads = self._uploads.get(name or "", set())
        for obj in _dicts(body.get("data")):
            named = obj.get("path"), obj.get("url")
            is_file = "path" in obj or (isinstance(obj.get("meta"), dict) and obj["meta"].get("_type"))
            if is_file and not (isinstance(named[0], str) and named[0] in uploads and _same_file(named[1], named[0])):
                what = str(named[0] or named[1])[:200]
                raise Refused(
                    403, "Only files uploaded in this app can be used.", f"a file not uploaded: {what}", "file refused"
                )

    def _check_cancel(self, body: dict[str, Any]) -> bool:
        """Whether to pass a cancel on: refused when it names another session's event (Gradio cancels any
        event by its id); False (answered as done, nothing cancelled) when the event is no one's now."""
        event = body.get("event_id")
        if not isinstance(event, str):
            return True  # Gradio refuses it
        owner = self.event_session(event)
        if owner is None:
            return False
        if owner != body.get("session_hash"):
            raise Refused(403, "This event belongs to another session.", "an event of another session")
        return True

    def _check_upload_id(self, scope: Scope, name: str | None) -> None:
        """An upload's id (its progress stream's key) is its uploader's alone, like a session."""
        query = urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        ids = [v for k, v in query if k == "upload_id"]
        if not ids:
            return
        if len(ids) > 1 or name is None:
            raise Refused(
                400 if name else 403, "The upload id is not this user's.", "upload id named twice or anonymous"
            )
        with self._lock:
            owner = self._upload_ids.setdefault(ids[0], name)
            self._upload_ids.move_to_end(ids[0])
            while len(self._upload_ids) > MAX_TRACKED:
                self._upload_ids.popitem(last=False)
        if owner != name:
            raise Refused(403, "The upload id is not this user's.", "upload id of another user", "session refused")

    def _first_in_window(self, key: tuple[str, str], now: float) -> bool:
        """Whether this is the first refusal of its kind in the window (then it is noted); lock held."""
        if now - self._refused.get(key, -LOGIN_WINDOW) <= LOGIN_WINDOW:
            return False
        self._refused[key] = now
        self._prune(now)
        return True

    def _prune(self, now: float) -> None:
        """Forget refusals and sign-in attempts older than the window once too many are remembered (lock held)."""
        if len(self._refused) > MAX_TRACKED:
            self._refused = {k: t for k, t in self._refused.items() if now - t <= LOGIN_WINDOW}
        if len(self._attempts) > MAX_TRACKED:
            for key in [k for k, q in self._attempts.items() if not q or now - q[-1] > LOGIN_WINDOW]:
                del self._attempts[key]

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

    async def _logout(self, scope: Scope, send: Send, name: str | None, method: str) -> None:
        """Sign out (POST only: a link or image of another page cannot), back to the sign-in page."""
        if method != "POST":
            raise Refused(405, "Sign out with the Log out button.", "sign-out by GET", "sign-out refused")
        if name:
            role, clearance = self.role_of(name)
            self._record(name, role, "sign-out", clearance=clearance)
            self.revoke(name)
        cid = self.cookie_id()
        expired = "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        headers = [
            (b"location", b"/"),
            (b"set-cookie", f"access-token-{cid}{expired}".encode()),
            (b"set-cookie", f"access-token-unsecure-{cid}{expired}".encode()),
        ]
        await self._respond(send, 303, b"", headers)

    def _login_allowed(self, address: str) -> tuple[bool, str | None]:
        """(allowed, refusal reason to audit or None when this refusal is not the window's first)."""
        now = time.monotonic()
        address = rate_key(address)
        with self._lock:
            self._prune(now)
            attempts = self._attempts[address]
            while attempts and now - attempts[0] > LOGIN_WINDOW:
                attempts.popleft()
            limited = len(attempts) >= self.login_rate
            busy = self._pending >= self.max_pending_logins or self._pending_by[address] >= MAX_PENDING_PER_ADDRESS
            if not limited and not busy:
                attempts.append(now)
                self._pending += 1
                self._pending_by[address] += 1
                return True, None
            # One audit entry per address and window, not one per flooded request.
            first = self._first_in_window((address if limited else "(all addresses)", "sign-in"), now)
        return False, ("rate limited" if limited else "too many sign-ins at once") if first else None

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = (scope.get("client") or ("?", 0))[0]
        allowed, reason = self._login_allowed(address)
        if not allowed:
            if reason:
                detail = {"address": address, "reason": reason}
                detail["note"] = "further refusals in this minute are not recorded one by one"
                self._record("-", "-", "sign-in refused", detail=detail)
            return await self._answer(
                send, 429, "Too many sign-in attempts: wait a minute and try again.", [(b"retry-after", b"60")]
            )
        try:
            body = await self._body(receive, MAX_LOGIN_BODY)
            form = urllib.parse.parse_qs(body.decode("latin-1"), keep_blank_values=True)
            cookies = self._cookies(scope)
            expected = cookies[SIGNIN_COOKIE].value if cookies and SIGNIN_COOKIE in cookies else ""
            sent = (form.get(SIGNIN_FIELD) or [""])[0]
            # A browser's sign-in must carry its form's token; a program's (no Origin, Referer or
            # Sec-Fetch header: nothing a page of another site can make a browser send) need not.
            browser = any(_header(scope, h) is not None for h in BROWSER_HEADERS)
            if browser and not (expected and secrets.compare_digest(sent.encode(), expected.encode())):
                raise Refused(403, "Sign in from the sign-in page.", "no valid sign-in token", "sign-in refused")
            PEER.set(address)
            await self.app(scope, _replay(body, receive), self._note_token(send))
        finally:
            key = rate_key(address)
            with self._lock:
                self._pending -= 1
                self._pending_by[key] -= 1
                if self._pending_by[key] <= 0:
                    del self._pending_by[key]

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


def _json_object(body: bytes) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """The body read as Gradio reads it, and its top-level (key, value) pairs with any key given twice;
    :class:`Refused` (400) unless it is one plain UTF-8 JSON object (no byte-order mark or other encoding
    that Starlette would decode differently)."""
    refused = Refused(400, "The request body is not a JSON object.", "a body that is not plain UTF-8 JSON")
    top: list[tuple[str, Any]] = []

    def keep(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        top[:] = pairs  # the outermost object closes, and so comes here, last
        return dict(pairs)

    try:
        text = body.decode("utf-8")
        if not text.lstrip().startswith("{"):
            raise refused
        value = json.loads(text, object_pairs_hook=keep)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise refused from None
    if not isinstance(value, dict):
        raise refused
    return value, top


def _session_hashes(scope: Scope, path: str, pairs: list[tuple[str, Any]]) -> list[str]:
    """Every ``session_hash`` the request names (query, heartbeat path, top level of a JSON body), each distinct
    value once; a name repeated in one place is returned twice, so a request Gradio could read otherwise is refused."""
    query = urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    places = [[v for k, v in query if k == "session_hash"]]
    if path.startswith("/gradio_api/heartbeat/"):
        places.append([path.rsplit("/", 1)[-1]])
    if pairs:
        places.append([str(v) for k, v in pairs if k == "session_hash" and v is not None])
    if any(len(p) > 1 for p in places):
        return [v for p in places for v in p]
    return list(dict.fromkeys(v for p in places for v in p))


def rate_key(address: str) -> str:
    """The key sign-in limits count by: the address, or for IPv6 its /64 (one host holds a whole /64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _same_file(url: Any, path: str) -> bool:
    """A file object's ``url`` may only be absent or Gradio's own link to the same uploaded file."""
    return url is None or (isinstance(url, str) and urllib.parse.unquote(url).endswith("file=" + path))


def _dicts(value: Any) -> list[dict]:
    """Every JSON object inside ``value``, however deep."""
    out, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            out.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


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
