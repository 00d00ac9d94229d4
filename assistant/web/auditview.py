"""What an admin may read of the audit log: clearance governs it as it governs the library.

An entry naming a report beyond the reader's clearance (in its report ids, its passages' ids or the
ids in its detail) keeps its action, user, role, clearance and time; its question, answer, ids,
titles and file names are withheld. A report id no longer in the library counts as beyond a public
reader's clearance unless the log shows it was public when removed (see :func:`removed_public`). An
entry naming no report is shown whoever made it: a restricted-clearance user's question that cited
nothing restricted (an abstention with nothing related, a refusal) reveals no report. A
restricted-clearance reader sees every entry in full. One rule for the audit tab and the CSV.

The tab also names the report or file an entry is about (:func:`subject`) and gives its time in the
server's local time with the zone (:func:`local_time`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..reading.disclosure import PUBLIC

WITHHELD = "withheld (restricted report)"
WITHHELD_FIELDS = ("query", "answer", "chunk_ids", "doc_hashes", "detail")
_NOT_REPORTS = ("failed",)  # upload statuses whose file never became a report


def _json(text: Any, default: Any) -> Any:
    if text is None or text == "":
        return default
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def named_reports(row: dict[str, Any]) -> set[str] | None:
    """The report ids an audit entry names; None when it may name a report it does not identify
    (an upload recorded before uploads carried ids, or a field that is not what the log writes)."""
    doc_hashes, chunk_ids, detail = (
        _json(row.get("doc_hashes"), []),
        _json(row.get("chunk_ids"), []),
        _json(row.get("detail"), {}),
    )
    if not isinstance(doc_hashes, list) or not isinstance(chunk_ids, list) or not isinstance(detail, dict):
        return None
    ids = [*doc_hashes]
    for chunk in chunk_ids:
        if not isinstance(chunk, str) or ":" not in chunk:
            return None
        ids.append(chunk.split(":", 1)[0])
    for key in ("doc_id", "replaced_by"):
        if key in detail:
            ids.append(detail[key])
    reports = detail.get("reports", [])
    if not isinstance(reports, list):
        return None
    ids += reports
    files = detail.get("files", [])
    if not isinstance(files, list):
        return None
    for f in files:
        if not isinstance(f, dict):
            return None
        if f.get("status") not in _NOT_REPORTS:
            if not f.get("doc_id"):
                return None  # a report by name only: it cannot be shown to be one the reader may see
            ids.append(f["doc_id"])
        version = f.get("version_of")
        if version:
            if not isinstance(version, dict) or not version.get("doc_id"):
                return None
            ids.append(version["doc_id"])
    if not all(isinstance(i, str) for i in ids):
        return None
    return {i for i in ids if i}


def redact_entry(row: dict[str, Any], visible_ids: set[str], clearance: str | None) -> dict[str, Any]:
    """``row`` as a reader of ``clearance`` may see it, given the report ids they may see (``visible_ids``).

    A public-clearance reader gets an entry naming any other report (or one it cannot identify) with
    question, answer, ids and detail replaced by :data:`WITHHELD`; everyone else gets ``row`` unchanged."""
    if clearance != PUBLIC:
        return row
    named = named_reports(row)
    if named is not None and named <= visible_ids:
        return row
    out = dict(row)
    for key in WITHHELD_FIELDS:
        out[key] = WITHHELD
    out["abstained"] = None
    return out


def is_withheld(row: dict[str, Any]) -> bool:
    return row.get("detail") == WITHHELD


def removed_public(rows: Iterable[dict[str, Any]]) -> set[str]:
    """The ids of reports that were public when removed, from the log's ``remove`` entries (which record it)."""
    ids: set[str] = set()
    for row in rows:
        detail = _json(row.get("detail"), {})
        hashes = _json(row.get("doc_hashes"), [])
        if isinstance(detail, dict) and detail.get("disclosure") == PUBLIC and isinstance(hashes, list):
            ids.update(h for h in hashes if isinstance(h, str))
    return ids


def local_time(stamp: str | None) -> str:
    """An entry's time (ISO 8601 with its offset, as the log writes it) in the server's local time with
    the zone's name: "24 Nov 2026 10:15:02 GMT"; a time that is not in that form is shown as written."""
    if not stamp:
        return ""
    try:
        when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return stamp
    return when.astimezone().strftime("%d %b %Y %H:%M:%S %Z")


def subject(row: dict[str, Any], titles: dict[str, str] | None = None) -> str:
    """The report or file an entry is about: the files of an upload (and the report each is a new version
    of), the title of a report removed or downloaded, the versions kept, the CSV downloaded; else the titles
    of the reports it names (``titles``: report id -> title, the reader's library), for actions other than
    questions and searches. "" for none; :data:`WITHHELD` for an entry the reader may not see."""
    if is_withheld(row):
        return WITHHELD
    detail = _json(row.get("detail"), {})
    if not isinstance(detail, dict):
        return ""
    names: list[str] = []
    for f in detail.get("files", []) if isinstance(detail.get("files"), list) else []:
        if isinstance(f, dict) and isinstance(f.get("name"), str):
            version = f.get("version_of")
            of = version.get("title") if isinstance(version, dict) else None
            names.append(f["name"] + (f" (new version of “{of}”)" if isinstance(of, str) else ""))
    for key in ("title", "versions", "file"):
        if isinstance(detail.get(key), str):
            names.append(detail[key])
    if not names and titles and row.get("action") not in ("ask", "search"):
        ids = _json(row.get("doc_hashes"), [])
        names = (
            [titles[i] for i in dict.fromkeys(ids) if isinstance(i, str) and i in titles]
            if isinstance(ids, list)
            else []
        )
    return "; ".join(names)


def audit_row(r: dict[str, Any], titles: dict[str, str] | None = None) -> list[Any]:
    """One audit entry as the audit tab's table shows it: local time with the zone, and the report or file
    it is about (``titles``: report id -> title, of the reports the reader may see)."""
    if is_withheld(r):
        answer, shown = WITHHELD, WITHHELD
    else:
        answer = ("(not found) " if r["abstained"] else "") + (r["answer"] or "")[:200]
        shown = len(json.loads(r["chunk_ids"]))
    return [
        r["id"],
        local_time(r["time"]),
        r["user"],
        r["role"],
        r["clearance"] or "",
        r["action"],
        r["query"] or "",
        answer,
        shown,
        r["answerer"] or "",
        subject(r, titles),
    ]
