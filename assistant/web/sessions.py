"""What one browser session of the app remembers, kept on the server and bound to its user.

Gradio identifies a browser tab by a ``session_hash`` the browser chooses and sends with every
request (it also travels in URLs). Nothing the browser sends is trusted as state: the chat
history, the questions asked so far (for follow-ups), the stored conversation the chat continues
and the last FOI results live here, keyed by that hash, and the first signed-in user to use a
hash owns it. Another user presenting the same hash is refused (:class:`SessionRefused`), so a
leaked hash gives nobody else's passages.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any


class SessionRefused(PermissionError):
    """A session hash used by someone other than the user who owns it."""


@dataclass
class Session:
    """One tab's state: the chat as shown, the standalone questions asked and each answer's sources
    (by its place in the chat), the stored conversation the chat continues (None: the next question
    starts one), the last FOI search, its results and their passages."""

    owner: str
    chat: list[dict[str, str]] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    sources: dict[int, str] = field(default_factory=dict)
    conversation: str | None = None  # its id in the user's stored conversations (web/conversations.py)
    deleting: str | None = None  # the conversation whose deletion the user was asked to confirm
    query: str = ""
    passages: list[Any] = field(default_factory=list)
    versions: dict[str, tuple[str, str]] = field(default_factory=dict)  # new doc id -> (earlier doc id, label)
    used: float = field(default_factory=time.monotonic)

    def reset_chat(self) -> None:
        """A new conversation: new lists, so an answer still being written goes to the one it was asked in."""
        self.chat, self.asked, self.sources = [], [], {}
        self.conversation = None


class Sessions:
    """Sessions by hash, each owned by one user; idle ones expire, the oldest go past ``most``, and a user
    holds at most ``per_user`` (their own oldest go first), so no user can push others' sessions out."""

    def __init__(self, idle_seconds: float = 8 * 3600, most: int = 10_000, per_user: int = 50) -> None:
        self.idle_seconds = idle_seconds
        self.most = most
        self.per_user = per_user
        self._by_hash: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_hash: str | None, user: str) -> Session:
        """The session for ``session_hash``, created for ``user`` if new; :class:`SessionRefused` if another's."""
        if not session_hash:
            raise SessionRefused("no session")
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            session = self._by_hash.get(session_hash)
            if session is None:
                mine = [k for k, s in self._by_hash.items() if s.owner == user]
                for key in mine[: max(0, len(mine) - self.per_user + 1)]:  # oldest first
                    del self._by_hash[key]
                session = self._by_hash[session_hash] = Session(user)
            elif session.owner != user:
                raise SessionRefused(f"session belongs to another user ({session.owner})")
            session.used = now
            self._by_hash.move_to_end(session_hash)
            return session

    def owner(self, session_hash: str) -> str | None:
        with self._lock:
            session = self._by_hash.get(session_hash)
            return session.owner if session else None

    def claim(self, session_hash: str, user: str) -> bool:
        """Bind ``session_hash`` to ``user`` if unbound; whether it is (now) theirs."""
        try:
            self.get(session_hash, user)
            return True
        except SessionRefused:
            return False

    def end_user(self, user: str) -> None:
        """Forget every session of ``user`` (signed out, removed or changed)."""
        with self._lock:
            for key in [k for k, s in self._by_hash.items() if s.owner == user]:
                del self._by_hash[key]

    def _expire(self, now: float) -> None:
        while self._by_hash:
            key, oldest = next(iter(self._by_hash.items()))
            if now - oldest.used <= self.idle_seconds and len(self._by_hash) < self.most:  # room for one more
                break
            del self._by_hash[key]
