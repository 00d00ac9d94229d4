"""The app's event handlers: plain methods over an :class:`AppContext`, testable without a browser.

Every handler checks the signed-in user's role on the server; hiding a button is only a
convenience, and every refusal is audited. Nothing the browser sends is taken as state: the
chat history and the FOI results live in the user's server-side :class:`Session`, and every
value that comes in (text, numbers, choices, file objects) is checked before use.
"""

from __future__ import annotations

import csv
import html
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import gradio as gr

from ..answering.conversation import resolve
from ..answering.language import WELSH_NOTICE, welsh
from ..api import Assistant, DocumentRecord
from ..audit import CONVERSATION_ACTIONS, CREATED, MIGRATED, AuditLog, csv_safe, run_settings
from ..documents import Filters, printable, text_problem
from ..reading.disclosure import PUBLIC
from .auditview import audit_row, local_time, redact_entry, removed_public, subject
from .conversations import ConversationStore
from .downloads import Downloads
from .render import (
    NO_SOURCES,
    answer_markdown,
    counted,
    csv_name,
    download_link,
    export_label,
    inline_refusal,
    md_text,
    passage_row,
    search_status,
    source_card,
    sources_html,
    upload_summary,
)
from .sessions import Session, SessionRefused, Sessions
from .users import User

KINDS = {"Paragraphs": "paragraph", "Table rows": "table_row", "Whole tables": "table"}
# The CSV of an FOI export: the citation's fields, the disclosure reason, the file's name (no server
# path), and the passage's id last (it starts with its report's id).
EXPORT_FIELDS = [
    "rank",
    "report",
    "date",
    "page",
    "paragraph",
    "heading",
    "kind",
    "disclosure",
    "disclosure_reason",
    "passage",
    "citation",
    "file",
    "passage_id",
]
RESULT_FIELDS = ["rank", "report", "date", "page", "paragraph", "heading", "kind", "disclosure", "passage"]
DISCLOSURE_FILTERS = ("Public only", "Restricted only")
AUDIT_ACTIONS = (
    "ask",
    "search",
    "export",
    "download",
    "upload",
    "remove",
    "keep both",
    "report download",
    "page image",
    "audit export",
    "sign-in",
    "sign-in refused",
    "sign-out",
    "sign-out refused",
    "session ended",
    "refused",
    "ask refused",
    "search refused",
    "export refused",
    "upload refused",
    "remove refused",
    "replace refused",
    "keep both refused",
    "audit refused",
    "session refused",
    "download refused",
    "report refused",
    "page image refused",
    "request refused",
    "cross-site request refused",
    "file refused",
    *CONVERSATION_ACTIONS,
    CREATED,
    MIGRATED,
)
NOT_A_CHOICE = "not one of the choices"
UNDATED = "Undated"
PREVIEW = "<p>Click a result to see it on its page.</p>"


REFUSAL_SECONDS = 12


def refusal(message: str) -> gr.Error:
    """A message for the user (a refusal or a missing input): shown once, for a few seconds (not through
    the next searches), not logged as a server error."""
    return gr.Error(message, title="Please note", print_exception=False, duration=REFUSAL_SECONDS)


def _selected(evt: gr.SelectData) -> int | None:
    """The message or table row a click selected (a browser could send anything: only an int counts)."""
    index = evt.index[0] if isinstance(evt.index, (list, tuple)) and evt.index else evt.index
    return index if isinstance(index, int) and not isinstance(index, bool) else None


def _shown(value: Any, most: int = 200) -> str:
    """A value the browser sent, as the audit records it: escaped (never unencodable) and clipped."""
    return ascii(value)[:most]


def _clip(text: str, most: int = 280) -> str:
    """A passage shortened for the results table (the whole passage is in the preview and the CSV)."""
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most].rsplit(" ", 1)[0] + " …"


@dataclass
class AppContext:
    """What the handlers share: the assistant, who is asking, their sessions and downloads."""

    assistant: Assistant
    user_for: Callable[[str | None], User | None]
    audit: AuditLog
    demo_notice: str | None = None  # shown to the demo account only; `code` is shown as code
    sessions: Sessions = field(default_factory=Sessions)
    downloads: Downloads = field(default_factory=Downloads)
    # Whether a name is the live demo account of a server started with --demo (server.Login.is_demo).
    is_demo: Callable[[str], bool] = lambda name: False

    def owner(self, user: User) -> str:
        """Whose conversations are ``user``'s: their name, or for the demo account a name no account can
        have ("~" is not allowed in user names), so a later real account of its name never sees them."""
        return f"~{user.name}" if self.is_demo(user.name) else user.name

    def user(self, request: gr.Request | None, action: str) -> User:
        """The signed-in user, if their role allows ``action`` (a refusal is audited)."""
        user = self.user_for(getattr(request, "username", None) if request else None)
        if user is None:
            raise refusal("Please sign in again.")
        if not user.can(action):
            self.audit.record_for(user, "refused", detail={"wanted": action, "reason": f"role {user.role}"})
            raise refusal(f"Your role ({user.role}) may not {action}.")
        return user

    def session(self, request: gr.Request | None, user: User) -> Session:
        """This tab's server-side state; refused (and audited) when the session is another user's."""
        try:
            return self.sessions.get(getattr(request, "session_hash", None), user.name)
        except SessionRefused as exc:
            self.audit.record_for(user, "session refused", detail={"reason": str(exc)})
            raise refusal("This session belongs to another user. Reload the page.") from None

    def text(self, user: User, action: str, value: Any, what: str) -> str:
        """A question or search as typed: text that can be encoded as UTF-8 without control characters,
        not empty, not over the length limit (else one clear message, and the refusal audited)."""
        limit = self.assistant.settings.max_question_chars
        if not isinstance(value, str):
            self.audit.record_for(user, f"{action} refused", detail={"reason": f"not text ({type(value).__name__})"})
            raise refusal(f"Type {what} as text.")
        problem = text_problem(value)
        if problem:
            self.audit.record_for(
                user, f"{action} refused", printable(value[:200]), detail={"reason": problem, "length": len(value)}
            )
            raise refusal(
                f"That text cannot be used: {problem}. Retype it (pasted text can carry invisible characters)."
            )
        value = value.strip()
        if not value:
            raise refusal(f"Type {what} first.")
        if len(value) > limit:
            self.audit.record_for(
                user, f"{action} refused", value[:200] + "…", detail={"reason": "too long", "length": len(value)}
            )
            raise refusal(
                f"That is {len(value):,} characters long; {what} may be at most {limit:,}. Shorten it and try again."
            )
        return value

    def not_a_choice(self, user: User, action: str, field: str, value: Any, message: str, **fields: Any) -> gr.Error:
        """A value that is not among the choices this user was offered: audited, and a refusal to raise."""
        self.audit.record_for(
            user, f"{action} refused", detail={"reason": NOT_A_CHOICE, "field": field, "value": _shown(value)}, **fields
        )
        return refusal(message)


class Handlers:
    """One method per app event; ``request`` is Gradio's, carrying the signed-in user and the tab's session."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.assistant = ctx.assistant
        self.settings = ctx.assistant.settings

    # ---- page load ----------------------------------------------------------
    def load(self, request: gr.Request) -> tuple:
        """Who is signed in, what their role may see, and the report lists their clearance allows."""
        user = self.ctx.user(request, "search")
        choices, years, table = self.listing(user)
        return (
            f"Signed in as **{html.escape(user.name)}** ({user.role}, {user.clearance} clearance)",
            gr.update(visible=user.can("export")),
            gr.update(visible=user.can("upload")),
            table,
            gr.update(choices=choices),
            gr.update(choices=years),
            gr.update(choices=choices),
        )

    def demo_banner(self, request: gr.Request) -> dict:
        """The demo notice, for the demo account alone: a real user on a demo server never sees it."""
        user = self.ctx.user_for(getattr(request, "username", None) if request else None)
        if not self.ctx.demo_notice or user is None or not self.ctx.is_demo(user.name):
            return gr.update(visible=False, value="")
        notice = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self.ctx.demo_notice))
        return gr.update(visible=True, value=f'<p class="demo-banner" role="status">{notice}</p>')

    def listing(self, user: User) -> tuple[list[tuple[str, str]], list[str], list[list[Any]]]:
        """(report choices, report years, library rows) from one read of the registry, within the user's clearance."""
        rows = self.assistant.reports(user.clearance)
        choices = [(f"{r.title} — {Path(r.source).name}", r.doc_id) for r in rows]
        years = sorted({r.date[-4:] for r in rows if r.date}, reverse=True) + (
            [UNDATED] if any(not r.date for r in rows) else []
        )
        table = [
            [
                r.title,
                r.date or "undated",
                r.pages if r.kind == "pdf" else "–",
                r.chunks,
                r.ingested,
                r.disclosure,
                r.decided,
                Path(r.source).name,
                "; ".join(r.flags),
            ]
            for r in rows
        ]
        return choices, years, table

    # ---- ask ----------------------------------------------------------------
    # The chat is an output only: what was said lives in the user's server-side session, so a
    # browser can never hand the server a "history" (or a file object inside one).
    def ask(self, message: Any, request: gr.Request, progress=gr.Progress()) -> Iterator:
        """Answer one question (a follow-up is resolved against the last one asked in this session)."""
        user = self.ctx.user(request, "ask")
        session = self.ctx.session(request, user)
        message = self.ctx.text(user, "ask", message, "a question")
        # The conversation asked in: "New conversation" or another one opened while this is answered gives
        # the session new lists, and the answer then goes to this one's store entry, not onto the screen.
        chat, asked, kept = session.chat, session.asked, session.conversation
        chat += [
            {"role": "user", "content": md_text(message)},
            {"role": "assistant", "content": "Searching the reports…"},
        ]
        yield list(chat), gr.update(), ""
        standalone = resolve(message, asked[-1] if asked else None)
        progress(0.3, desc="Searching the reports")
        result = self.assistant.ask(standalone, Filters(clearance=user.clearance))
        self.ctx.audit.record_answer(user, message, result, self.settings, answered=standalone, note=result.note)
        chat[-1] = {"role": "assistant", "content": answer_markdown(result, message)}
        asked.append(standalone)
        kept = self.conversations.keep(self.ctx.owner(user), kept, message, result)
        if session.chat is not chat:
            return
        session.sources[len(chat) - 1] = sources_html(result)
        session.conversation = kept
        yield list(chat), session.sources[len(chat) - 1], ""

    def show_sources(self, request: gr.Request, evt: gr.SelectData) -> str:
        """The sources of the answer clicked in the chat (this session's answers only)."""
        user = self.ctx.user(request, "ask")
        session = self.ctx.session(request, user)
        index = _selected(evt)
        if index is None:
            return gr.update()
        # A question's sources are its answer's, the message after it.
        return session.sources.get(index) or session.sources.get(index + 1) or gr.update()

    def reset_chat(self, request: gr.Request) -> tuple:
        """A new conversation: the chat and its follow-up context go (the next question starts a stored one)."""
        user = self.ctx.user(request, "ask")
        self.ctx.session(request, user).reset_chat()
        return [], NO_SOURCES

    # ---- find passages (FOI) ------------------------------------------------
    def search(self, text: Any, n: Any, docs: Any, year: Any, kinds: Any, status: Any, request: gr.Request) -> tuple:
        """Ranked passages for an FOI search, kept in the session for export by rank."""
        user = self.ctx.user(request, "search")
        session = self.ctx.session(request, user)
        text = self.ctx.text(user, "search", text, "something to search for")
        docs, year, kinds, status = self._search_filters(user, docs, year, kinds, status)
        undated = year == UNDATED
        year = None if undated else year
        try:
            count = max(1, min(50, int(n)))
        except (TypeError, ValueError, OverflowError):
            count = 10
        filters = Filters(
            clearance=user.clearance,
            doc_ids=set(docs) if docs else None,
            date_from=year,
            date_to=year,
            undated=undated,
            kinds={KINDS[x] for x in kinds} if kinds else None,
        )
        passages = self.assistant.search(text, k=count, filters=filters, relevant_only=True)
        relevant = len(passages)
        if status:
            passages = [p for p in passages if (p.metadata.get("disclosure") == PUBLIC) == (status == "Public only")]
        self.ctx.audit.record_for(
            user,
            "search",
            text,
            passages=passages,
            settings=run_settings(self.settings),
            detail={
                "k": count,
                "reports": docs,
                "year": UNDATED if undated else year,
                "kinds": kinds,
                "status": status,
            },
        )
        rows = [passage_row(rank, p) for rank, p in enumerate(passages, 1)]
        labels = [(export_label(r), str(r["rank"])) for r in rows]
        session.query, session.passages = text, passages
        table = [[*(r[k] for k in RESULT_FIELDS[:-1]), _clip(r["passage"])] for r in rows]
        found = search_status(text, len(rows), count, WELSH_NOTICE if welsh(text) else None, relevant - len(rows))
        return table, gr.update(choices=labels, value=[]), "", PREVIEW, found

    def _search_filters(
        self, user: User, docs: Any, year: Any, kinds: Any, status: Any
    ) -> tuple[list[str], str | None, list[str], str | None]:
        """The FOI filters, each one of the choices this user was offered (else refused and audited)."""
        docs = [] if docs is None else docs
        kinds = [] if kinds is None else kinds
        checks = [
            ("reports", docs, self._offered_reports(user, docs)),
            ("year", year, year in (None, "") or (isinstance(year, str) and year in self.listing(user)[1])),
            ("kind", kinds, isinstance(kinds, list) and all(isinstance(k, str) and k in KINDS for k in kinds)),
            ("disclosure", status, status in (None, "") or (isinstance(status, str) and status in DISCLOSURE_FILTERS)),
        ]
        for name, value, ok in checks:
            if not ok:
                raise self.ctx.not_a_choice(
                    user, "search", name, value, f"Choose the {name} filter from its list (or leave it empty)."
                )
        return list(dict.fromkeys(docs)), year or None, list(dict.fromkeys(kinds)), status or None

    def _offered_reports(self, user: User, docs: Any) -> bool:
        """Whether ``docs`` is a list of report ids this user may see (one look-up each, or one read of all)."""
        if not isinstance(docs, list) or not all(isinstance(d, str) and not text_problem(d) for d in docs):
            return False
        wanted = set(docs)
        if len(wanted) <= 20:
            return all(self.assistant.report(d, user.clearance) is not None for d in wanted)
        return wanted <= {d.doc_id for d in self.assistant.documents(user.clearance)}

    def preview(self, request: gr.Request, evt: gr.SelectData) -> str:
        """The result clicked in the table as a citation card, with its page image for a PDF."""
        user = self.ctx.user(request, "search")
        session = self.ctx.session(request, user)
        row = _selected(evt)
        if row is None or not 0 <= row < len(session.passages):
            return gr.update()
        return source_card(row + 1, session.passages[row], "")

    def export(self, chosen: Any, include_restricted: Any, request: gr.Request) -> str:
        """A one-time CSV download of the chosen results (ranks from this session's search, never passages).

        Passages from restricted reports go out only when the officer has ticked that they may; that refusal,
        and an empty selection, are said beside the export button (the next search or export clears it)."""
        user = self.ctx.user(request, "export")
        session = self.ctx.session(request, user)
        offered = {str(rank) for rank in range(1, len(session.passages) + 1)}
        chosen = [] if chosen is None else chosen
        if not isinstance(chosen, list) or not all(isinstance(c, str) and c in offered for c in chosen):
            raise self.ctx.not_a_choice(
                user, "export", "passages", chosen, "Select the passages to export from the list of results."
            )
        wanted = set(chosen)
        reasons = {d.doc_id: d.metadata.get("disclosure_reason") for d in self.assistant.documents(user.clearance)}
        picked = [
            passage_row(rank, p, reasons.get(p.metadata.get("doc_id", "")))
            for rank, p in enumerate(session.passages, 1)
            if str(rank) in wanted
        ]
        if not picked:
            return inline_refusal("Select at least one passage to export.")
        restricted = [r["rank"] for r in picked if r["disclosure"] != "Public"]
        if restricted and include_restricted is not True:
            self.ctx.audit.record_for(
                user,
                "export refused",
                chunk_ids=[r["passage_id"] for r in picked],
                doc_hashes=[r["doc_id"] for r in picked],
                detail={
                    "reason": "restricted passages selected without the tick",
                    "ranks": [r["rank"] for r in picked],
                    "restricted": restricted,
                },
            )
            return inline_refusal(
                f"{len(restricted)} of the selected passages (rank {', '.join(map(str, restricted))}) come from "
                "restricted reports. Tick “Include restricted passages” to export them, or unselect them."
            )
        self.ctx.audit.record_for(
            user,
            "export",
            chunk_ids=[r["passage_id"] for r in picked],
            doc_hashes=[r["doc_id"] for r in picked],
            detail={"ranks": [r["rank"] for r in picked], "restricted": restricted},
        )
        name = csv_name(session.query, time.strftime("%Y-%m-%d"))
        url = self.ctx.downloads.add(
            user.name, name, lambda path: write_csv(picked, path), doc_ids=[r["doc_id"] for r in picked]
        )
        return download_link(url, name, f"Download the CSV ({counted(len(picked), 'passage')})")

    # ---- report library -----------------------------------------------------
    def add(self, files: Any, request: gr.Request, progress=gr.Progress()) -> tuple:
        """Add uploaded reports (admin): only files in Gradio's upload folder, checked by content."""
        user = self.ctx.user(request, "upload")
        session = self.ctx.session(request, user)
        if not files:
            raise refusal("Choose one or more PDF or text files first.")
        uploads = uploaded_files(files)
        if uploads is None:
            self.ctx.audit.record_for(
                user,
                "upload refused",
                detail={"reason": "a file outside the upload folder", "paths": [str(f)[:300] for f in files][:20]},
            )
            raise refusal("Upload the files with the upload box: only files uploaded in this app can be added.")
        progress(0, desc="Checking files")
        try:
            summary = self.assistant.add(
                uploads, on_progress=lambda frac, desc: progress(frac, desc=desc), clearance=user.clearance
            )
        finally:
            for tmp, _ in uploads:  # the stored copy is in the upload folder now; the upload itself goes
                tmp.unlink(missing_ok=True)
        # Each file's report id is recorded, so the audit view can tell whose clearance covers the entry.
        files = [
            {
                "name": r.path,
                "status": r.status,
                "reason": r.reason,
                "doc_id": r.doc_id,
                "version_of": r.version_of,
                "flags": list(getattr(r, "flags", None) or []),
            }
            for r in summary.results
        ]
        named = [r.doc_id for r in summary.results if r.doc_id]
        named += [r.version_of["doc_id"] for r in summary.results if r.version_of]
        self.ctx.audit.record_for(user, "upload", doc_hashes=named, detail={"files": files})
        for r in summary.results:
            # add_reports offers a version only when the uploader's clearance covers both reports.
            if r.version_of and r.doc_id:
                label = f"“{r.title}” ({r.path}) — new version of “{r.version_of['title']}”"
                session.versions[r.doc_id] = (r.version_of["doc_id"], label)
        choices, years, table = self.listing(user)
        return (
            upload_summary(summary),
            table,
            None,
            gr.update(choices=choices),
            gr.update(choices=choices),
            gr.update(choices=years),
            *self._versions(session),
        )

    @staticmethod
    def _versions(session: Session) -> tuple:
        pending = [(label, new) for new, (_, label) in session.versions.items()]
        return gr.update(visible=bool(pending)), gr.update(choices=pending, value=pending[0][1] if pending else None)

    def replace_version(self, new_id: Any, request: gr.Request) -> tuple:
        return self.settle_version(new_id, True, request)

    def keep_both(self, new_id: Any, request: gr.Request) -> tuple:
        return self.settle_version(new_id, False, request)

    def settle_version(self, new_id: Any, replace: Any, request: gr.Request) -> tuple:
        """Replace the earlier version of a newly added report, or keep both (admin; this session's uploads only)."""
        user = self.ctx.user(request, "remove")
        session = self.ctx.session(request, user)
        action = "replace" if replace is True else "keep both"
        pending = session.versions.get(new_id) if isinstance(new_id, str) else None
        # The admin's clearance must cover both reports now, whatever was offered or sent: an id that is not
        # this session's offer, a report beyond their clearance and one already gone are all answered alike.
        new = self.assistant.report(new_id, user.clearance) if pending else None
        old = self.assistant.report(pending[0], user.clearance) if pending else None
        if new is None or old is None:
            named = [new_id[:128], *(pending or ())[:1]] if isinstance(new_id, str) else []
            value = {} if isinstance(new_id, str) else {"value": _shown(new_id)}
            reason = self._unseen_reason(user, named if pending else [])
            self.ctx.audit.record_for(user, f"{action} refused", doc_hashes=named, detail={"reason": reason, **value})
            raise refusal("Choose one of the new versions listed.")
        old_id, label = session.versions.pop(new_id)
        if replace is True:
            try:
                title = self.assistant.remove(old_id, user.clearance)
            except KeyError:
                title = None  # removed meanwhile (another tab)
            self.ctx.audit.record_for(
                user,
                "remove",
                doc_hashes=[old_id],
                detail={"title": title, "replaced_by": new_id, "disclosure": old.disclosure},
            )
            message = f"Replaced: “{html.escape(title)}” was removed; the new version stays." if title else "Done."
        else:
            self.ctx.audit.record_for(user, "keep both", doc_hashes=[new_id, old_id], detail={"versions": label})
            message = "Both versions are kept in the library."
        choices, years, table = self.listing(user)
        return (message, table, gr.update(choices=choices), gr.update(choices=choices), *self._versions(session))

    def _removable(self, user: User, doc_id: Any) -> DocumentRecord:
        """The report chosen for removal, if the admin's clearance covers it; anything else (nothing chosen
        aside) is refused alike and audited, whether the id is unknown, forged or beyond their clearance."""
        if doc_id is None or doc_id == "":
            raise refusal("Choose a report to remove.")
        if not isinstance(doc_id, str) or text_problem(doc_id):
            self.ctx.audit.record_for(user, "remove refused", detail={"reason": NOT_A_CHOICE, "value": _shown(doc_id)})
            raise refusal("Choose a report from the list to remove.")
        doc = self.assistant.report(doc_id[:128], user.clearance)
        if doc is None:
            reason = self._unseen_reason(user, [doc_id[:128]])
            self.ctx.audit.record_for(user, "remove refused", doc_hashes=[doc_id[:128]], detail={"reason": reason})
            raise refusal("Choose a report from the list to remove.")
        return doc

    def _unseen_reason(self, user: User, doc_ids: list[str]) -> str:
        """Why reports could not be acted on, for the audit only (the user is told the same either way): one
        is in the library beyond the user's clearance, or it is not one of their choices (unknown, forged, gone)."""
        for doc_id in doc_ids:
            if self.assistant.report(doc_id) is not None and self.assistant.report(doc_id, user.clearance) is None:
                return "beyond the user's clearance"
        return NOT_A_CHOICE

    def confirm_removal(self, doc_id: Any, request: gr.Request) -> tuple:
        """Ask before removing: the report's title and how many passages go (admin, within their clearance)."""
        user = self.ctx.user(request, "remove")
        doc = self._removable(user, doc_id)
        question = (
            f"Remove “{html.escape(doc.title)}” ({doc.chunks} passages) from the library? "
            "Its passages and page images go from the index, and an uploaded copy is deleted."
        )
        return gr.update(visible=True), question, ""

    def cancel_removal(self, request: gr.Request) -> tuple:
        self.ctx.user(request, "remove")
        return gr.update(visible=False), "", "Nothing removed."

    def remove(self, doc_id: Any, request: gr.Request) -> tuple:
        """Remove a report from both indexes (admin), once confirmed."""
        user = self.ctx.user(request, "remove")
        doc = self._removable(user, doc_id)
        try:
            title = self.assistant.remove(doc.doc_id, user.clearance)
        except KeyError:  # removed meanwhile (another tab)
            raise refusal("Choose a report from the list to remove.") from None
        self.ctx.audit.record_for(
            user, "remove", doc_hashes=[doc.doc_id], detail={"title": title, "disclosure": doc.disclosure}
        )
        choices, _, table = self.listing(user)
        return (
            f"Removed “{html.escape(title)}” from the library.",
            table,
            gr.update(choices=choices, value=None),
            gr.update(choices=choices),
            gr.update(visible=False),
        )

    def refresh_library(self, request: gr.Request) -> list[list[Any]]:
        return self.listing(self.ctx.user(request, "search"))[2]

    # ---- audit log ----------------------------------------------------------
    def show_audit(self, name: Any, action: Any, request: gr.Request) -> list[list[Any]]:
        """The newest 500 entries (admin), optionally of one user or one action; entries about reports
        beyond the admin's clearance are shown with their content withheld (:mod:`assistant.web.auditview`)."""
        user = self.ctx.user(request, "audit")
        who = self._audit_user(user, name)
        if action not in (None, "") and not (isinstance(action, str) and action in AUDIT_ACTIONS):
            raise self.ctx.not_a_choice(user, "audit", "action", action, "Choose an action from the list.")
        rows = self.ctx.audit.entries(limit=500, user=who, action=action or None)
        redact, titles = self.audit_redactor(user), self._titles(user)
        return [audit_row(redact(r), titles) for r in rows]

    def export_audit(self, name: Any, request: gr.Request) -> str:
        """A one-time CSV download of the whole log, or one user's entries (admin), redacted as the tab is."""
        user = self.ctx.user(request, "audit")
        who = self._audit_user(user, name)
        self.ctx.audit.record_for(user, "audit export", detail={"user": who})
        filename = f"audit-{time.strftime('%Y-%m-%d-%H%M')}.csv"
        redact, titles = self.audit_redactor(user), self._titles(user)
        derived = {"local_time": lambda r: local_time(r["time"]), "report_or_file": lambda r: subject(r, titles)}
        url = self.ctx.downloads.add(
            user.name, filename, lambda path: self.ctx.audit.export_csv(path, user=who, redact=redact, derived=derived)
        )
        return download_link(url, filename, "Download the audit log CSV")

    def _audit_user(self, user: User, name: Any) -> str | None:
        """The user filter as typed (any name may be looked for; it is only ever a query parameter)."""
        if name is None:
            return None
        if not isinstance(name, str) or text_problem(name):
            raise self.ctx.not_a_choice(user, "audit", "user", name, "Type a user name as plain text.")
        return name.strip()[:64] or None

    def _titles(self, user: User) -> dict[str, str]:
        """Report id -> title, of the reports ``user`` may see (the audit tab's and CSV's "Report or file")."""
        return {d.doc_id: d.title for d in self.assistant.documents(user.clearance)}

    def audit_redactor(self, user: User) -> Callable[[dict[str, Any]], dict[str, Any]]:
        """The rule for what ``user`` may read of each audit entry (:func:`assistant.web.auditview.redact_entry`)."""
        if user.clearance != PUBLIC:
            return lambda row: row
        seen = {d.doc_id for d in self.assistant.documents(user.clearance)}
        current = {d.doc_id for d in self.assistant.documents()}
        gone = removed_public(self.ctx.audit.entries(limit=None, action="remove")) - current
        visible_ids = seen | gone
        return lambda row: redact_entry(row, visible_ids, user.clearance)

    def load_audit(self, request: gr.Request) -> tuple:
        """The audit tab, shown (and filled, and kept fresh by its timer) for admins only."""
        user = self.ctx.user(request, "search")
        admin = user.can("audit")
        return gr.update(visible=admin), self.show_audit("", "", request) if admin else [], gr.Timer(active=admin)

    # ---- conversations kept (their events: web/history.py) -------------------
    @cached_property
    def conversations(self) -> ConversationStore:
        """Each user's conversations, in the index folder; every answer is kept in its tab's conversation."""
        return ConversationStore.beside(self.settings.index_dir)


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """The selected passages as a CSV file (UTF-8 with BOM, so spreadsheets read £ correctly)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_safe(v) for k, v in row.items()})
    return Path(path)


def uploaded_files(files: list[Any]) -> list[tuple[Path, str]] | None:
    """(temporary path, name as uploaded) for files in Gradio's upload folder; None if any lies elsewhere."""
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder()).resolve()
    out = []
    for f in files:
        raw = getattr(f, "path", None) or (f.get("path") if isinstance(f, dict) else f)
        if not isinstance(raw, (str, Path)):
            return None
        path = Path(raw).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            return None
        out.append((path, Path(getattr(f, "orig_name", None) or path.name).name))
    return out
