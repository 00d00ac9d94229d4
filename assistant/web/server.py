"""``assistant serve``: the Gradio app behind a login, plus the report files and downloads it links to.

Sign-in uses Gradio's login page checked against the users file (scrypt hashes, checked in a
bounded worker thread, never on the event loop). With no users file the server refuses to
start, unless ``--demo`` asks for a one-off local demo account: a random password printed on
the console, only on a loopback address, never saved, and only while no users file exists (the
first real account ends it without a restart). Every request first passes the
:class:`~assistant.web.webgate.Gate` (sessions bound to users, rate-limited sign-in, closed routes).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import anyio
import gradio as gr
import uvicorn
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse
from gradio.routes import App as GradioApp
from starlette.background import BackgroundTask
from starlette.routing import Mount

from ..api import Assistant
from ..audit import AuditLog
from ..local import serving
from ..reading.isolation import LimitExceeded
from ..settings import Settings
from . import signin
from .app import build_app
from .downloads import Downloads
from .handlers import AppContext
from .render import PRODUCT, marks_signed
from .sessions import Sessions
from .theme import CSS, HEAD, THEME
from .users import User, UserStore
from .webgate import PEER, USER, Gate

# A command line run inside the server: its words and the shared assistant -> (exit code, output).
LocalCommand = Callable[[list[str], Assistant], tuple[int, str]]

log = logging.getLogger(__name__)
_MARK = re.compile(r"[-£$€%.,/ 0-9A-Za-z]+")
# Reports are shown as documents, never as pages of the app: no script, no plugins' reach, no framing.
REPORT_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'none'"
MAX_FAILURES = 5  # wrong passwords for one name from one address ...
LOCKOUT_WINDOW = 300.0  # ... within this many seconds refuse that name from that address for that long


class SetupError(RuntimeError):
    """The server cannot start as configured (no users, demo account off loopback)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Login:
    """Checks passwords against the users file (or the demo account), refusing repeated guesses.

    Wrong passwords count against a name *from one address*: a guesser slows only their own tries,
    never locking the real owner out from elsewhere (the gate also limits each address's attempts)."""

    def __init__(self, users: UserStore, demo: tuple[str, str] | None = None, audit: AuditLog | None = None) -> None:
        self.users = users
        self.demo = demo
        self.audit = audit
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        # One password check at a time: scrypt is slow on purpose, and a flood must leave a core for questions.
        self._checks = anyio.CapacityLimiter(1)

    async def authenticate(self, name: str, password: str) -> bool:
        """Gradio's login callback: the check runs in a worker thread, off the event loop; the address
        is the one the gate found for this request."""
        address = PEER.get()
        return await anyio.to_thread.run_sync(self, name[:200], password[:1000], address, limiter=self._checks)

    def __call__(self, name: str, password: str, address: str = "?") -> bool:
        now = time.monotonic()
        key = (name, address)
        with self._lock:
            recent = self._failures[key]
            while recent and now - recent[0] > LOCKOUT_WINDOW:
                recent.popleft()
            if not recent:
                self._failures.pop(key, None)  # bounded by the names and addresses failing now, not ever
            held = len(recent) >= MAX_FAILURES
        ok = not held and self._check(name, password)
        if not ok:
            if not held:
                with self._lock:
                    self._failures[key].append(now)
            log.warning(
                "sign-in refused for %r from %s%s", name, address, " (held: too many wrong passwords)" if held else ""
            )
        if self.audit is not None:
            user = (self.user(name) if ok else None) or User(name[:64], "-", None)
            detail: dict[str, object] = {"address": address}
            if held:
                detail["held"] = f"{MAX_FAILURES} wrong passwords for this name from this address"
            self.audit.record_for(user, "sign-in" if ok else "sign-in refused", detail=detail)
        return ok

    def demo_active(self) -> bool:
        """The demo account works only while the users file holds no users: once the first real account exists it is
        refused, and its sessions end, without a restart."""
        return self.demo is not None and not self.users.exists()

    def is_demo(self, name: str) -> bool:
        """Whether ``name`` is the demo account while it works (a real account of that name is not)."""
        return self.demo is not None and name == self.demo[0] and self.demo_active()

    def _check(self, name: str, password: str) -> bool:
        if self.is_demo(name):
            return secrets.compare_digest(password, self.demo[1])
        return self.users.authenticate(name, password) is not None

    def user(self, name: str | None) -> User | None:
        if not name:
            return None
        if self.is_demo(name):
            return User(name, "admin", "restricted")
        return self.users.get(name)

    def fingerprint(self, name: str) -> str | None:
        """Changes when the user is changed; None once removed (their sessions then end), and for the demo
        account once a users file exists."""
        if self.is_demo(name):
            return "demo"
        return self.users.fingerprint(name)

    def role_of(self, name: str) -> tuple[str, str | None]:
        user = self.user(name)
        return (user.role, user.clearance) if user else ("-", None)


def create_app(settings: Settings, demo_account: tuple[str, str] | None = None) -> tuple[Gate, Assistant]:
    """The app behind its gate: ``/report/{id}`` for cited files, ``/download/{token}``, and Gradio at ``/``."""
    users = UserStore(settings.users_file)
    if demo_account is None and not users.exists():
        raise SetupError(
            f"No users in {settings.users_file}. Create the first admin with:\n"
            f"  assistant users add NAME --role admin\n"
            f"or try the app locally with a one-off demo account: assistant serve --demo"
        )
    audit = AuditLog.open(settings)
    login = Login(users, demo_account, audit)
    assistant = Assistant(settings=settings).warm()
    notice = None
    if demo_account:
        notice = (
            f"Local demo: you are signed in with the one-off account “{demo_account[0]}”, which exists only while "
            "this server runs on 127.0.0.1 and stops working once the first real account is created with "
            "`assistant users add`."
        )
    # One folder per index, emptied at start: a server that was killed leaves nothing behind for long.
    sessions, downloads = Sessions(), Downloads(Path(settings.index_dir) / "downloads")
    ctx = AppContext(
        assistant,
        login.user,
        audit,
        notice,
        sessions=sessions,
        downloads=downloads,
        is_demo=login.is_demo,
    )
    blocks = build_app(ctx)
    blocks.queue(default_concurrency_limit=settings.concurrency or os.cpu_count() or 2)
    blocks.delete_cache = (600, 1800)  # uploads left in Gradio's cache go after half an hour

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    def signed_in(request: Request) -> User | None:
        return login.user(getattr(request.state, USER, None))  # as the gate found it

    @app.get("/report/{doc_id}")
    def report_file(doc_id: str, request: Request):
        user = signed_in(request)
        if user is None:
            return RedirectResponse("/", status_code=303)
        # The path comes from the registry, never from the request; a report beyond the
        # user's clearance is answered exactly as one that does not exist.
        doc = assistant.report(doc_id[:128], user.clearance)
        found = doc is not None and Path(doc.path).is_file()
        ctx.audit.record_for(
            user,
            "report download" if found else "report refused",
            doc_hashes=[doc_id[:128]],
            detail={"title": doc.title} if found else {"reason": "no such report for this user"},
        )
        if not found:
            raise HTTPException(404, "No such report in the library")
        media = "application/pdf" if doc.kind == "pdf" else "text/plain; charset=utf-8"
        # A PDF carrying JavaScript, launch actions or attachments is only ever downloaded; every report
        # is shown sandboxed (no script, no forms, no plugins' reach into the app's origin).
        active = any(str(f).startswith("active content") for f in doc.metadata.get("flags", []) or [])
        return FileResponse(
            doc.path,
            media_type=media,
            filename=Path(doc.path).name,
            content_disposition_type="attachment" if active else "inline",
            headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": REPORT_CSP},
        )

    @app.get("/evidence/{chunk_id}.png")
    def evidence(
        chunk_id: str,
        request: Request,
        mark: list[str] | None = Query(default=None),
        sig: str | None = Query(default=None),
    ):
        user = signed_in(request)
        if user is None:
            return RedirectResponse("/", status_code=303)
        chunk_id = chunk_id[:200]
        # Marks pick what to outline on the page: only the figures an answer's link was signed with.
        marks = list(mark or [])
        chosen = marks_signed(chunk_id, marks, sig) and all(len(m) <= 40 and _MARK.fullmatch(m) for m in marks)
        image, reason = None, "the marks were not chosen by the server"
        if chosen:
            reason = "no page image for this user (clearance, not a PDF passage, or not renderable)"
            try:
                image = assistant.evidence(chunk_id, user.clearance, marks)
            except LimitExceeded as exc:
                log.warning("page image for %s not rendered: %s", chunk_id, exc)
        ctx.audit.record_for(
            user,
            "page image" if image else "page image refused",
            chunk_ids=[chunk_id],
            detail={"marks": marks[:6]} if image else {"reason": reason},
        )
        if image is None:
            # Beyond the user's clearance, not a PDF passage, not renderable or forged: all look the same.
            raise HTTPException(404, "No page image for this passage")
        return FileResponse(
            image,
            media_type="image/png",
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"},
        )

    @app.get("/download/{token}")
    def download(token: str, request: Request):
        user = signed_in(request)
        if user is None:
            return RedirectResponse("/", status_code=303)
        item = downloads.take(token[:64], user.name)
        if item is None:
            ctx.audit.record_for(
                user, "download refused", detail={"reason": "not this user's file, already fetched or expired"}
            )
            raise HTTPException(404, "No such download: it was already fetched, has expired or is not yours")
        # The file's name carries the search's words: the reports named let the audit view withhold it.
        ctx.audit.record_for(user, "download", doc_hashes=list(item.doc_ids), detail={"file": item.filename})
        return FileResponse(
            item.path,
            media_type="text/csv; charset=utf-8",
            filename=item.filename,
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
            background=BackgroundTask(item.path.unlink, missing_ok=True),
        )

    audit_files = [
        audit.path,
        audit.key_file,
        audit.anchor_file,
        Path(f"{audit.path}-journal"),
        Path(f"{audit.path}-wal"),
        Path(f"{audit.path}-shm"),
    ]
    blocked = [settings.users_file, *audit_files, settings.index_dir, settings.upload_dir, downloads.folder]
    gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        auth=login.authenticate,
        auth_message=f"{PRODUCT}: sign in with your account.",
        max_file_size=f"{int(settings.max_file_mb)}mb",
        theme=THEME,
        css=CSS,
        head=HEAD,
        footer_links=[],
        run_history=False,
        show_error=False,
        ssr_mode=False,
        allowed_paths=[],
        blocked_paths=[str(Path(p).resolve()) for p in blocked],
    )
    # Mounted apps never "launch", and Gradio skips its own path checks until they do.
    blocks.has_launched = True
    signin_notice = (
        f"Local demo: sign in as “{demo_account[0]}” with the password printed where the server was started."
        if demo_account
        else None
    )
    gradio_app = next(r.app for r in app.routes if isinstance(r, Mount) and isinstance(r.app, GradioApp))
    gate = Gate(
        app,
        tokens=lambda: gradio_app.tokens,
        cookie_id=lambda: gradio_app.cookie_id,
        fingerprint=login.fingerprint,
        sessions=sessions,
        audit=audit,
        role_of=login.role_of,
        login_rate=settings.login_rate,
        signin_page=lambda token: signin.page(PRODUCT, signin_notice if login.demo_active() else None, token),
        trusted_proxies=settings.trusted_proxies,
        event_session=lambda event_id: _event_session(blocks, event_id),
    )
    return gate, assistant


def _event_session(blocks: gr.Blocks, event_id: str) -> str | None:
    """The session a queued or running event belongs to (None once it is done): Gradio cancels by event id alone."""
    for session, events in list(blocks._queue.pending_event_ids_session.items()):
        if event_id in events:
            return session
    return None


def serve(settings: Settings, demo: bool = False, run_command: LocalCommand | None = None) -> None:
    """Run the app until interrupted. ``run_command`` answers the command line's ``ask`` and ``search``
    over this index on the index folder's socket (passed in by the CLI, which the app does not import;
    without it no socket is served)."""
    demo_account = None
    if demo:
        if not is_loopback(settings.host):
            raise SetupError("--demo only runs on a loopback address (127.0.0.1); create users for anything else")
        if UserStore(settings.users_file).exists():
            raise SetupError(
                f"--demo: {settings.users_file} already has users, and the demo account works only while there are "
                "none. Start without --demo and sign in with a real account."
            )
        demo_account = ("demo", secrets.token_urlsafe(12))
    app, assistant = create_app(settings, demo_account)
    url = f"http://{settings.host}:{settings.port}"
    if demo_account:
        print(
            f"Local demo at {url}\n  user: {demo_account[0]}\n  password: {demo_account[1]}\n"
            "(one-off account for this run only, on 127.0.0.1; it stops working once you create the first real "
            "user with `assistant users add`)",
            flush=True,
        )
    else:
        print(f"{PRODUCT} at {url}", flush=True)
    try:
        # The command line's questions over this index are answered here too (local.py).
        with serving(settings.index_dir, lambda argv: run_command(argv, assistant)) if run_command else nullcontext():
            # proxy_headers off: the gate believes X-Forwarded-* only from ASSISTANT_TRUSTED_PROXIES.
            uvicorn.run(
                app,
                host=settings.host,
                port=settings.port,
                log_level="warning",
                timeout_graceful_shutdown=5,
                proxy_headers=False,
            )
    finally:
        assistant.close()
