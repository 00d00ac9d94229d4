"""The gate in front of Gradio, driven as the ASGI middleware it is (the app behind it records what reaches it)."""

import asyncio
import json

from assistant.audit import AuditLog
from assistant.sessions import Sessions
from assistant.webgate import Gate


class Behind:
    """The app behind the gate: answers 200 and notes the paths that got through."""

    def __init__(self):
        self.seen = []

    async def __call__(self, scope, receive, send):
        self.seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


def _gate(tmp_path, tokens, rate=3):
    behind = Behind()
    gate = Gate(
        behind,
        tokens=lambda: tokens,
        cookie_id=lambda: "cid",
        fingerprint=lambda name: "fp",
        sessions=Sessions(),
        audit=AuditLog(tmp_path / "audit.sqlite3"),
        role_of=lambda name: ("staff", "public"),
        login_rate=rate,
    )
    gate._token_prints.update({t: "fp" for t in tokens})
    return gate, behind


def _request(gate, path, method="GET", token=None, body=b"", query=b"", client="127.0.0.9"):
    scope = {
        "type": "http",
        "path": path,
        "method": method,
        "query_string": query,
        "client": (client, 1),
        "headers": [(b"cookie", f"access-token-cid={token}".encode())] if token else [],
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(gate(scope, receive, send))
    return sent[0]["status"]


def test_a_session_hash_is_bound_to_its_first_user_wherever_it_travels(tmp_path):
    gate, behind = _gate(tmp_path, {"t-fiona": "fiona", "t-pat": "pat"})
    join = json.dumps({"session_hash": "s1", "data": []}).encode()
    assert _request(gate, "/gradio_api/queue/join", "POST", "t-fiona", join) == 200
    assert _request(gate, "/gradio_api/queue/join", "POST", "t-pat", join) == 403
    assert _request(gate, "/gradio_api/queue/data", token="t-pat", query=b"session_hash=s1") == 403
    assert _request(gate, "/gradio_api/heartbeat/s1", token="t-pat") == 403
    assert _request(gate, "/gradio_api/heartbeat/s1") == 403  # nobody signed in
    assert _request(gate, "/gradio_api/queue/data", token="t-fiona", query=b"session_hash=s1") == 200
    assert [e["action"] for e in gate.audit.entries()].count("session refused") == 3


def test_closed_routes_and_files_not_uploaded_by_the_user(tmp_path):
    gate, behind = _gate(tmp_path, {"t-sam": "sam"})
    for path in (
        "/gradio_api/call/ask",
        "/gradio_api/run/predict",
        "/gradio_api/proxy=http://x",
        "/monitoring",
        "/gradio_api/file=/etc/passwd",
    ):
        assert _request(gate, path, token="t-sam") == 404, path
    assert behind.seen == []


def test_sign_in_is_rate_limited_per_address(tmp_path):
    gate, behind = _gate(tmp_path, {}, rate=3)
    codes = [_request(gate, "/login", "POST", body=b"username=a&password=b") for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert _request(gate, "/login", "POST", body=b"username=a&password=b", client="127.0.0.10") == 200
    refused = [e for e in gate.audit.entries() if e["action"] == "sign-in refused"]
    assert len(refused) == 1  # once per address and minute


def test_a_changed_user_is_signed_out(tmp_path):
    gate, behind = _gate(tmp_path, {"t-sam": "sam"})
    gate.fingerprint = lambda name: "changed"
    assert gate.user({"headers": [(b"cookie", b"access-token-cid=t-sam")]}) is None
    assert "t-sam" not in gate.tokens()
