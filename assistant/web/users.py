"""The app's users: a JSON file of names, roles and scrypt password hashes.

There is no built-in account. ``assistant users add NAME --role ROLE`` creates one; the file
is written atomically with owner-only permissions and re-read when it changes, so a user
added or removed while the app runs takes effect at their next login or request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROLES = ("staff", "foi", "admin")
PERMISSIONS = {
    "staff": {"ask", "search"},
    "foi": {"ask", "search", "export"},
    "admin": {"ask", "search", "export", "upload", "remove", "audit"},
}
CLEARANCES = ("public", "restricted")
DEFAULT_CLEARANCE = {"staff": "public", "foi": "restricted", "admin": "restricted"}
MIN_PASSWORD = 10
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# scrypt cost: n=2**15 takes ~50 ms and 32 MB here, slow enough to make guessing expensive.
_N, _R, _P = 2**15, 8, 1


class UserError(ValueError):
    """A user name, role or password that cannot be accepted."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    clearance: str = "public"  # public: sees public reports only; restricted: sees all

    def can(self, action: str) -> bool:
        return action in PERMISSIONS.get(self.role, set())


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 1024 * 1024, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


_DUMMY_HASH = hash_password(secrets.token_hex(8))  # compared against for unknown names, so timing is the same


class UserStore:
    """Users in one JSON file (``ASSISTANT_USERS_FILE``)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._cache: tuple[float, dict[str, dict]] | None = None

    def _load(self) -> dict[str, dict]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return {}
        with self._lock:
            if self._cache is None or self._cache[0] != mtime:
                try:
                    data = json.loads(self.path.read_text(encoding="utf-8"))
                except (OSError, json.JSONDecodeError) as exc:
                    raise UserError(f"{self.path}: not a readable users file ({exc})") from exc
                self._cache = (mtime, dict(data.get("users", {})))
            return self._cache[1]

    def _save(self, users: dict[str, dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".users-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"users": users}, f, indent=2, sort_keys=True)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._cache = None

    def exists(self) -> bool:
        return bool(self._load())

    def users(self) -> list[User]:
        return [_user(name, u) for name, u in sorted(self._load().items())]

    def get(self, name: str) -> User | None:
        u = self._load().get(name)
        return _user(name, u) if u else None

    def add(self, name: str, role: str, password: str, replace: bool = False, clearance: str | None = None) -> User:
        """Create (or with ``replace``, reset) a user; the password is stored only as a scrypt hash."""
        if not _NAME.match(name):
            raise UserError(f"user name {name!r}: use 1-64 letters, digits, '.', '_', '@' or '-'")
        if role not in ROLES:
            raise UserError(f"role {role!r}: choose one of {', '.join(ROLES)}")
        clearance = clearance or DEFAULT_CLEARANCE[role]
        if clearance not in CLEARANCES:
            raise UserError(f"clearance {clearance!r}: choose one of {', '.join(CLEARANCES)}")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"password too short: at least {MIN_PASSWORD} characters")
        if password.strip().lower() in {name.lower(), "password123", "changeme123"}:
            raise UserError("password too easy to guess")
        users = dict(self._load())
        if name in users and not replace:
            raise UserError(f"user {name!r} already exists (use --replace to reset it)")
        users[name] = {
            "role": role,
            "clearance": clearance,
            "hash": hash_password(password),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        self._save(users)
        return User(name, role, clearance)

    def remove(self, name: str) -> None:
        users = dict(self._load())
        if name not in users:
            raise UserError(f"no user {name!r} in {self.path}")
        del users[name]
        self._save(users)

    def fingerprint(self, name: str) -> str | None:
        """A digest of the user's entry (role, clearance, password hash): it changes when they are changed; None once removed."""
        u = self._load().get(name)
        if not u:
            return None
        return hashlib.sha256(json.dumps(u, sort_keys=True).encode()).hexdigest()

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password is right; None otherwise (same cost for unknown names)."""
        u = self._load().get(name)
        ok = check_password(password, u["hash"] if u else _DUMMY_HASH)
        return _user(name, u) if u and ok else None


def _user(name: str, entry: dict) -> User:
    role = entry["role"]
    return User(name, role, entry.get("clearance") or DEFAULT_CLEARANCE.get(role, "public"))
