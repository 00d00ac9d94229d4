"""The gate in front of Gradio, driven as the ASGI middleware it is (the app behind it records what reaches it)."""

import asyncio
import json

from assistant.audit import AuditLog
from assistant.web.sessions import Sessions
from assistant.web.webgate import PEER, SIGNIN_COOKIE, Gate, rate_key


class Behind:
    """The app behind the gate: answers 200 and notes the paths (and peers, hosts) that got through."""

    def __init__(self):
        self.seen = []
        self.scopes = []
        self.peers = []

    async def __call__(self, scope, receive, send):
        self.seen.append(scope["path"])
        self.scopes.append(scope)
        self.peers.append(PEER.get())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


def _gate(tmp_path, tokens, rate=3, trusted=None, events=None):
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
        signin_page=lambda token: f"<form><input name=signin_token value={token}></form>".encode(),
        trusted_proxies=trusted,
        event_session=(events or {}).get,
    )
    gate._token_prints.update({t: "fp" for t in tokens})
    return gate, behind


def _call(gate, path, method="GET", token=None, body=b"", query=b"", client="127.0.0.9", headers=(), cookies=""):
    """The response's start message (status and headers) for one request through the gate."""
    cookie = "; ".join(c for c in (f"access-token-cid={token}" if token else "", cookies) if c)
    scope = {
        "type": "http",
        "path": path,
        "method": method,
        "query_string": query,
        "client": (client, 1),
        "scheme": "http",
        "headers": [(b"host", b"app.test"), *([(b"cookie", cookie.encode())] if cookie else []), *headers],
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(gate(scope, receive, send))
    return sent[0]


def _request(gate, path, method="GET", token=None, body=b"", **kw):
    return _call(gate, path, method, token, body, **kw)["status"]


def _actions(gate, action):
    return [e for e in gate.audit.entries() if e["action"] == action]


def _login(gate, client="127.0.0.9", headers=(), name="a"):
    """A sign-in as the sign-in page makes it: its token in the form and in the cookie."""
    body = f"username={name}&password=b&signin_token=tok".encode()
    return _request(gate, "/login", "POST", body=body, client=client, headers=headers, cookies=f"{SIGNIN_COOKIE}=tok")


def test_a_session_hash_is_bound_to_its_first_user_wherever_it_travels(tmp_path):
    gate, behind = _gate(tmp_path, {"t-fiona": "fiona", "t-pat": "pat"})
    join = json.dumps({"session_hash": "s1", "data": []}).encode()
    assert _request(gate, "/gradio_api/queue/join", "POST", "t-fiona", join) == 200
    assert _request(gate, "/gradio_api/queue/join", "POST", "t-pat", join) == 403
    assert _request(gate, "/gradio_api/queue/data", token="t-pat", query=b"session_hash=s1") == 403
    assert _request(gate, "/gradio_api/heartbeat/s1", token="t-pat") == 403
    assert _request(gate, "/gradio_api/heartbeat/s1") == 403  # nobody signed in
    assert _request(gate, "/gradio_api/queue/data", token="t-fiona", query=b"session_hash=s1") == 200
    assert len(_actions(gate, "session refused")) == 4


def test_a_request_naming_its_session_twice_or_two_ways_is_refused_and_audited(tmp_path):
    gate, behind = _gate(tmp_path, {"t-fiona": "fiona", "t-pat": "pat"})
    victim = json.dumps({"session_hash": "victim", "data": []}).encode()
    assert _request(gate, "/gradio_api/queue/join", "POST", "t-fiona", victim) == 200
    assert _request(gate, "/gradio_api/queue/join", "POST", "t-pat", json.dumps({"session_hash": "mine"}).encode())
    behind.seen.clear()
    attacks = [
        ("/gradio_api/queue/data", "GET", b"", b"session_hash=mine&session_hash=victim"),
        ("/gradio_api/queue/data", "GET", b"", b"session_hash=mine&session_hash=mine"),
        ("/gradio_api/queue/data", "GET", b"", b"session_hash=&session_hash=victim"),
        (
            "/gradio_api/cancel",
            "POST",
            json.dumps({"session_hash": "victim", "fn_index": 0}).encode(),
            b"session_hash=mine",
        ),
        ("/gradio_api/queue/join", "POST", b'{"session_hash": "mine", "data": [], "session_hash": "victim"}', b""),
        ("/gradio_api/queue/join", "POST", b'{"session_hash": "mine", "session_\\u0068ash": "victim"}', b""),
        ("/gradio_api/heartbeat/mine", "GET", b"", b"session_hash=victim"),
    ]
    for path, method, body, query in attacks:
        assert _request(gate, path, method, "t-pat", body, query=query) == 400, (path, body, query)
    assert behind.seen == []
    assert len(_actions(gate, "request refused")) == len(attacks)
    # The same hash in the query and the body is one reading, and the user's own.
    same = json.dumps({"session_hash": "mine", "fn_index": 0, "event_id": "e"}).encode()
    assert _request(gate, "/gradio_api/cancel", "POST", "t-pat", same, query=b"session_hash=mine") == 200


def test_an_unowned_session_cannot_be_streamed_or_cancelled_by_anyone(tmp_path):
    gate, behind = _gate(tmp_path, {"t-pat": "pat"})
    cancel = json.dumps({"session_hash": "nobody", "fn_index": 0, "event_id": "x"}).encode()
    assert _request(gate, "/gradio_api/cancel", "POST", None, cancel) == 403  # anonymous
    assert _request(gate, "/gradio_api/cancel", "POST", "t-pat", cancel) == 403
    assert _request(gate, "/gradio_api/queue/data", token="t-pat", query=b"session_hash=nobody") == 403
    assert behind.seen == []
    assert gate.sessions.owner("nobody") is None  # refused requests claim nothing


def test_closed_routes_and_files_not_uploaded_by_the_user(tmp_path):
    gate, behind = _gate(tmp_path, {"t-sam": "sam"})
    for path in (
        "/gradio_api/call/ask",
        "/gradio_api/run/predict",
        "/gradio_api/proxy=http://x",
        "/monitoring",
        "/gradio_api/file=/etc/passwd",
        "/gradio_api/component_server",
        "/gradio_api/deep_link",
    ):
        assert _request(gate, path, token="t-sam") == 404, path
    assert behind.seen == []


def test_a_queued_event_may_name_only_files_the_user_uploaded(tmp_path):
    gate, behind = _gate(tmp_path, {"t-ada": "ada"})
    gate._uploads["ada"].add("/tmp/gradio/abc/report.pdf")
    mine = {"path": "/tmp/gradio/abc/report.pdf", "url": "/gradio_api/file=/tmp/gradio/abc/report.pdf", "meta": {}}
    for forged in (
        {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}},
        {"path": "/tmp/gradio/abc/report.pdf", "url": "http://169.254.169.254/latest"},
        {"url": "http://127.0.0.1:8000/secret", "meta": {"_type": "gradio.FileData"}},
        {"path": ["/etc/passwd"]},
    ):
        body = json.dumps({"session_hash": "s", "data": [[{"type": "file", "file": forged}]]}).encode()
        assert _request(gate, "/gradio_api/queue/join", "POST", "t-ada", body) == 403, forged
    assert len(_actions(gate, "file refused")) == 4 and behind.seen == []
    body = json.dumps({"session_hash": "s", "data": [[mine]]}).encode()
    assert _request(gate, "/gradio_api/queue/join", "POST", "t-ada", body) == 200


def test_sign_in_is_rate_limited_per_address(tmp_path):
    gate, behind = _gate(tmp_path, {}, rate=3)
    codes = [_login(gate) for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert _login(gate, client="127.0.0.10") == 200
    assert len(_actions(gate, "sign-in refused")) == 1  # once per address and minute
    assert behind.peers == ["127.0.0.9"] * 3 + ["127.0.0.10"]  # the password check is told the address


def test_a_forwarded_address_counts_only_from_a_trusted_proxy(tmp_path):
    gate, behind = _gate(tmp_path, {}, rate=3)
    codes = [_login(gate, headers=[(b"x-forwarded-for", f"10.0.0.{i}".encode())]) for i in range(6)]
    assert codes == [200, 200, 200, 429, 429, 429]  # the real peer is limited, whatever it claims
    assert all(h[0] != b"x-forwarded-for" for s in behind.scopes for h in s["headers"])  # and Gradio never sees it
    gate, behind = _gate(tmp_path / "proxied", {}, rate=3, trusted="127.0.0.0/8")
    codes = [_login(gate, headers=[(b"x-forwarded-for", f"203.0.113.7, 10.0.0.{i}".encode())]) for i in range(4)]
    assert codes == [200] * 4  # four clients behind the proxy, each with its own allowance
    assert behind.peers == [f"10.0.0.{i}" for i in range(4)]


def test_sign_in_from_another_site_or_without_the_forms_token_is_refused(tmp_path):
    gate, behind = _gate(tmp_path, {}, rate=20)
    page = _call(gate, "/")
    cookie = dict(page["headers"])[b"set-cookie"].decode()
    assert cookie.startswith(f"{SIGNIN_COOKIE}=") and "SameSite=Strict" in cookie and "HttpOnly" in cookie
    evil = [(b"origin", b"http://evil.example")]
    assert _login(gate, headers=evil) == 403
    assert _login(gate, headers=[(b"origin", b"null")]) == 403
    assert _login(gate, headers=[(b"referer", b"http://evil.example/page")]) == 403
    assert _login(gate, headers=[(b"sec-fetch-site", b"same-site")]) == 403  # another port of the same host
    no_token, own = b"username=a&password=b", [(b"origin", b"http://app.test")]
    assert _request(gate, "/login", "POST", body=no_token, headers=own) == 403
    forged = no_token + b"&signin_token=x"
    assert _request(gate, "/login", "POST", body=forged, headers=own, cookies=f"{SIGNIN_COOKIE}=y") == 403
    assert behind.seen == []
    # A program (no Origin, Referer or Sec-Fetch header: nothing a browser would send for a page) signs in as before.
    assert _request(gate, "/login", "POST", body=no_token) == 200
    assert _login(gate, headers=[(b"origin", b"http://app.test")]) == 200
    refusals = {e["action"] for e in gate.audit.entries()}
    assert {"cross-site request refused", "sign-in refused"} <= refusals


def test_state_changing_gradio_routes_refuse_other_sites(tmp_path):
    gate, behind = _gate(tmp_path, {"t-sam": "sam"})
    join = json.dumps({"session_hash": "s1", "data": []}).encode()
    evil = [(b"origin", b"http://127.0.0.1:9999")]
    assert _request(gate, "/gradio_api/queue/join", "POST", "t-sam", join, headers=evil) == 403
    assert _request(gate, "/gradio_api/queue/data", token="t-sam", query=b"session_hash=s1", headers=evil) == 403
    assert behind.seen == [] and len(_actions(gate, "cross-site request refused")) == 2
    own = [(b"origin", b"http://app.test")]
    assert _request(gate, "/gradio_api/queue/join", "POST", "t-sam", join, headers=own) == 200


def test_sign_out_is_a_post_with_a_relative_redirect(tmp_path):
    gate, behind = _gate(tmp_path, {"t-sam": "sam"})
    assert _request(gate, "/logout", token="t-sam") == 405
    assert "t-sam" in gate.tokens()  # a link or an image cannot sign anyone out
    out = _call(gate, "/logout", "POST", "t-sam", headers=[(b"x-forwarded-host", b"evil.example")])
    assert out["status"] == 303 and dict(out["headers"])[b"location"] == b"/"
    assert "t-sam" not in gate.tokens()
    assert [e["action"] for e in gate.audit.entries() if e["user"] == "sam"] == [
        "sign-out",
        "sign-out refused",
    ]  # newest first


def test_every_response_carries_the_security_headers(tmp_path):
    gate, behind = _gate(tmp_path, {"t-sam": "sam"})
    for path, token in (("/", None), ("/", "t-sam"), ("/config", "t-sam"), ("/monitoring", "t-sam")):
        headers = dict(_call(gate, path, token=token)["headers"])
        assert headers[b"x-frame-options"] == b"DENY", path
        assert b"frame-ancestors 'none'" in headers[b"content-security-policy"], path
        assert headers[b"x-content-type-options"] == b"nosniff", path


def test_a_changed_user_is_signed_out(tmp_path):
    gate, behind = _gate(tmp_path, {"t-sam": "sam"})
    gate.fingerprint = lambda name: "changed"
    assert gate.user({"headers": [(b"cookie", b"access-token-cid=t-sam")]}) is None
    assert "t-sam" not in gate.tokens()


def test_a_body_gradio_would_read_another_way_is_refused(tmp_path):
    """Starlette decodes a BOM'd, UTF-16 or UTF-32 JSON body; the gate refuses what it cannot read as plain JSON."""
    gate, behind = _gate(tmp_path, {"t-fiona": "fiona", "t-pat": "pat"})
    assert _request(gate, "/gradio_api/queue/join", "POST", "t-fiona", b'{"session_hash": "victim", "data": []}') == 200
    cancel = '{"session_hash": "victim", "fn_index": 0, "event_id": "x"}'
    behind.seen.clear()
    for body in (
        b"\xef\xbb\xbf" + cancel.encode(),
        cancel.encode("utf-16-be"),
        cancel.encode("utf-32"),
        b'["session_hash", "victim"]',
        b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ):
        assert _request(gate, "/gradio_api/cancel", "POST", "t-pat", body) == 400, body[:20]
        assert _request(gate, "/gradio_api/cancel", "POST", None, body) == 400
    assert behind.seen == []


def test_a_cancel_may_name_only_its_own_sessions_events(tmp_path):
    gate, behind = _gate(
        tmp_path, {"t-fiona": "fiona", "t-pat": "pat"}, events={"e-fiona": "s-fiona", "e-pat": "s-pat"}
    )
    for token, session in (("t-fiona", "s-fiona"), ("t-pat", "s-pat")):
        assert _request(gate, "/gradio_api/queue/join", "POST", token, json.dumps({"session_hash": session}).encode())
    behind.seen.clear()

    def cancel(event):
        return json.dumps({"session_hash": "s-pat", "fn_index": 0, "event_id": event}).encode()

    assert _request(gate, "/gradio_api/cancel", "POST", "t-pat", cancel("e-fiona")) == 403
    assert _request(gate, "/gradio_api/cancel", "POST", "t-pat", cancel("e-gone")) == 200  # answered, not passed on
    assert behind.seen == []
    assert _request(gate, "/gradio_api/cancel", "POST", "t-pat", cancel("e-pat")) == 200
    assert behind.seen == ["/gradio_api/cancel"]


def test_an_upload_id_is_its_uploaders_alone(tmp_path):
    gate, behind = _gate(tmp_path, {"t-ada": "ada", "t-pat": "pat"})
    assert _request(gate, "/gradio_api/upload", "POST", "t-ada", query=b"upload_id=u1") == 200
    assert _request(gate, "/gradio_api/upload_progress", token="t-ada", query=b"upload_id=u1") == 200
    assert _request(gate, "/gradio_api/upload_progress", token="t-pat", query=b"upload_id=u1") == 403
    assert _request(gate, "/gradio_api/upload_progress", query=b"upload_id=u1") == 403
    assert _request(gate, "/gradio_api/upload_progress", token="t-ada", query=b"upload_id=u1&upload_id=u2") == 400


def test_another_sites_page_cannot_make_a_browser_get_the_gradio_api(tmp_path):
    gate, behind = _gate(tmp_path, {"t-sam": "sam"})
    for site in (b"cross-site", b"same-site"):
        assert _request(gate, "/gradio_api/heartbeat/s9", token="t-sam", headers=[(b"sec-fetch-site", site)]) == 403
    assert gate.sessions.owner("s9") is None
    assert _request(gate, "/", token="t-sam", headers=[(b"sec-fetch-site", b"cross-site")]) == 200  # a link to the app


def test_refusals_from_one_address_are_audited_once_a_minute_whatever_they_carry(tmp_path):
    gate, behind = _gate(tmp_path, {})
    for i in range(50):
        assert _request(gate, "/gradio_api/queue/join", "POST", headers=[(b"origin", f"http://{i}.e".encode())]) == 403
    assert len(_actions(gate, "cross-site request refused")) == 1


def test_sign_in_limits_count_an_ipv6_host_by_its_64():
    assert rate_key("2001:db8::1") == rate_key("2001:db8::ffff:1") == "2001:db8::/64"
    assert rate_key("2001:db8:0:1::1") != rate_key("2001:db8::1")
    assert rate_key("::ffff:10.0.0.1") == "10.0.0.1" and rate_key("127.0.0.9") == "127.0.0.9"
