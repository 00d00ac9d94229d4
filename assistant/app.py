"""The Gradio app: chat with cited sources, the FOI passage finder and the report library.

Every handler checks the signed-in user's role on the server; hiding a button is only a
convenience, and every refusal is audited. Nothing the browser sends is taken as state: the
chat history and the FOI results live in the user's server-side :class:`Session`. Report text
is shown as text wherever it appears: HTML-escaped, and Markdown-escaped in the chat, so a
report can neither run script nor make a browser fetch an image or follow a link.
"""

from __future__ import annotations

import csv
import html
import json
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from .api import Answer, Assistant
from .audit import AuditLog, answerer_name, csv_safe, run_settings
from .citations import answer_terms, citation_text, format_date, highlight
from .conversation import resolve
from .downloads import Downloads
from .library import add_reports, remove_report, reports
from .retrieval import Filters, Passage
from .sessions import Session, SessionRefused, Sessions
from .users import User

KINDS = {"Paragraphs": "paragraph", "Table rows": "table_row", "Whole tables": "table"}
EXPORT_FIELDS = [
    "rank",
    "report",
    "date",
    "page",
    "paragraph",
    "heading",
    "kind",
    "passage",
    "citation",
    "source",
    "score",
    "chunk_id",
    "doc_id",
]
AUDIT_HEADERS = ["#", "Time", "User", "Role", "Clearance", "Action", "Query", "Answer", "Passages shown", "Answerer"]
LIBRARY_HEADERS = ["Title", "Date", "Pages", "Passages", "Ingested", "Disclosure", "How decided", "File"]
RESULT_HEADERS = ["#", "Report", "Date", "Page", "Para", "Heading", "Kind", "Passage", "Score"]

CSS = """
#sources .citation { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin-bottom: 10px; }
#sources .cite-head { font-weight: 600; }
#sources .cite-where { color: var(--body-text-color-subdued); font-size: 0.9em; margin: 2px 0 6px; }
#sources blockquote { margin: 6px 0; padding-left: 10px; border-left: 3px solid var(--color-accent); white-space: pre-wrap; }
#sources .cite-actions { display: flex; gap: 12px; align-items: center; font-size: 0.9em; }
#sources .copy-citation { cursor: pointer; font-size: 0.85em !important; font-weight: normal !important; line-height: 1.4; border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 2px 8px; background: var(--button-secondary-background-fill); }
mark { background: #ffe066; color: #000; padding: 0 2px; border-radius: 2px; }
.demo-banner { background: #fff3cd; color: #664d03; border: 1px solid #ffecb5; border-radius: 6px; padding: 6px 10px; }
"""

# Copies a citation; falls back to a hidden textarea where the clipboard API is unavailable (plain http).
HEAD = """
<script>
window.opccCopy = function (button) {
  const text = button.getAttribute("data-citation");
  const done = () => { button.textContent = "Copied"; setTimeout(() => { button.textContent = "Copy citation"; }, 1500); };
  const fallback = () => {
    const area = document.createElement("textarea");
    area.value = text; document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); done(); } finally { area.remove(); }
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, fallback);
  } else { fallback(); }
};
</script>
"""


@dataclass
class AppContext:
    """What the handlers share: the assistant, who is asking, their sessions and downloads."""

    assistant: Assistant
    user_for: Callable[[str | None], User | None]
    audit: AuditLog
    demo_notice: str | None = None
    sessions: Sessions = field(default_factory=Sessions)
    downloads: Downloads = field(default_factory=Downloads)

    def record(self, user: User, action: str, query: str | None = None, **fields: Any) -> None:
        """One audit entry for ``user``; entries that show no passages say so."""
        if "passages" not in fields:
            fields.setdefault("chunk_ids", [])
            fields.setdefault("doc_hashes", [])
        self.audit.record(user.name, user.role, action, query, clearance=user.clearance, **fields)

    def user(self, request: gr.Request | None, action: str) -> User:
        """The signed-in user, if their role allows ``action`` (a refusal is audited)."""
        user = self.user_for(getattr(request, "username", None) if request else None)
        if user is None:
            raise gr.Error("Please sign in again.")
        if not user.can(action):
            self.record(user, "refused", detail={"wanted": action, "reason": f"role {user.role}"})
            raise gr.Error(f"Your role ({user.role}) may not {action}.")
        return user

    def session(self, request: gr.Request | None, user: User) -> Session:
        """This tab's server-side state; refused (and audited) when the session is another user's."""
        try:
            return self.sessions.get(getattr(request, "session_hash", None), user.name)
        except SessionRefused as exc:
            self.record(user, "session refused", detail={"reason": str(exc)})
            raise gr.Error("This session belongs to another user. Reload the page.") from None

    def text(self, user: User, action: str, value: Any, what: str) -> str:
        """A question or search as typed: text, not empty, not over the length limit (else one clear message)."""
        limit = self.assistant.settings.max_question_chars
        if not isinstance(value, str):
            self.record(user, f"{action} refused", detail={"reason": f"not text ({type(value).__name__})"})
            raise gr.Error(f"Type {what} as text.")
        value = value.strip()
        if not value:
            raise gr.Error(f"Type {what} first.")
        if len(value) > limit:
            self.record(
                user, f"{action} refused", value[:200] + "…", detail={"reason": "too long", "length": len(value)}
            )
            raise gr.Error(
                f"That is {len(value):,} characters long; {what} may be at most {limit:,}. Shorten it and try again."
            )
        return value


def report_url(p: Passage) -> str:
    """Link to the report file served by the app, at the passage's page for PDFs."""
    url = f"/report/{urllib.parse.quote(p.metadata.get('doc_id', ''))}"
    return f"{url}#page={p.page}" if p.page and p.metadata.get("doc_kind") == "pdf" else url


def source_card(n: int, p: Passage, answer: str) -> str:
    """One citation in the sources panel: title, date, page, paragraph, heading, verbatim passage."""
    e = html.escape
    date = format_date(p.metadata.get("date"))
    where = " · ".join(x for x in (p.pages, f"para {p.paragraph}" if p.paragraph else None, p.heading) if x)
    link_text = f"Open PDF at p. {p.page}" if p.page and p.metadata.get("doc_kind") == "pdf" else "Open report"
    return (
        f'<div class="citation" id="cite-{n}" data-paragraph="{e(p.paragraph or "")}">'
        f'<div class="cite-head">[{n}] {e(p.document)}{" · " + e(date) if date else ""}</div>'
        f'<div class="cite-where">{e(where)}</div>'
        f"<blockquote>{highlight(p.text, answer_terms(answer))}</blockquote>"
        f'<div class="cite-actions"><button class="copy-citation" type="button" data-citation="{e(citation_text(p, answer), quote=True)}" '
        f'onclick="opccCopy(this)">Copy citation</button>'
        f'<a href="{e(report_url(p))}" target="_blank" rel="noopener">{link_text}</a>'
        f'<span class="cite-source">{e(Path(p.source).name)}</span></div></div>'
    )


def sources_html(result: Answer) -> str:
    if result.abstained:
        cards = "".join(source_card(n, p, "") for n, p in enumerate(result.related, 1))
        return "<h3>Not found in the reports</h3><h4>Related passages</h4>" + (cards or "<p>No related passages.</p>")
    return "<h3>Sources</h3>" + "".join(source_card(n, p, result.answer) for n, p in enumerate(result.citations, 1))


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:<>=\"'^])")


def md_text(text: str) -> str:
    """``text`` shown as itself in Markdown: every punctuation mark escaped (no image, link, autolink or HTML)."""
    return _MARKDOWN.sub(r"\\\1", text).replace("&", "&amp;").replace("\\<", "&lt;").replace("\\>", "&gt;")


def answer_markdown(result: Answer, asked: str) -> str:
    """The chat reply: the answer with its figures highlighted and numbered citation markers."""
    lines = []
    if result.question != asked.strip():
        lines.append(f"*Answering: {md_text(result.question)}*\n")
    if result.abstained:
        lines.append(
            "**Not found in the reports.** No passage answers this question; related passages are listed under Sources."
        )
    else:
        text = highlight(result.answer, answer_terms(result.answer), escape=md_text)
        markers = (
            "" if result.answerer == "llm" else " " + " ".join(f"[{n}]" for n in range(1, len(result.citations) + 1))
        )
        lines.append(text + markers)
    if result.note:
        lines.append(f"\n*{md_text(result.note)}*")
    return "\n".join(lines)


def build_app(ctx: AppContext) -> gr.Blocks:
    """The Blocks app (mounted and served by :mod:`assistant.server`)."""
    assistant = ctx.assistant
    settings = assistant.settings

    with gr.Blocks(title="OPCC Report Assistant") as demo:
        with gr.Row():
            gr.Markdown("## OPCC Report Assistant\nCited answers from the reports in the library.")
            who = gr.Markdown(elem_id="who")
            gr.Button("Log out", link="/logout", size="sm", scale=0, elem_id="logout")
        if ctx.demo_notice:
            gr.HTML(f'<div class="demo-banner" id="demo-banner">{html.escape(ctx.demo_notice)}</div>')

        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row():
                    with gr.Column(scale=3):
                        # Markdown is rendered (our own bold and highlights), but report text in it is escaped
                        # (md_text); no LaTeX, and HTML sanitised as well.
                        chat = gr.Chatbot(
                            label="Conversation", height=480, elem_id="chat", latex_delimiters=[], sanitize_html=True
                        )
                        question = gr.Textbox(
                            label="Question",
                            placeholder="e.g. How much were the technology budgets underspent in 2018/19?",
                            elem_id="question",
                            submit_btn="Ask",
                            max_length=settings.max_question_chars,
                        )
                        new_chat = gr.Button("New conversation", size="sm")
                    with gr.Column(scale=2):
                        sources = gr.HTML(
                            "<h3>Sources</h3><p>Ask a question to see its sources.</p>", elem_id="sources"
                        )

            with gr.Tab("Find passages (FOI)", id="foi"):
                with gr.Row():
                    query = gr.Textbox(
                        label="Search the reports", placeholder="words or a question", elem_id="foi-query", scale=3
                    )
                    k = gr.Slider(5, 50, value=10, step=5, label="Passages", scale=1)
                with gr.Row():
                    report_filter = gr.Dropdown(label="Reports", multiselect=True, choices=[], elem_id="foi-reports")
                    year_filter = gr.Dropdown(label="Report year", choices=[], elem_id="foi-year")
                    kind_filter = gr.Dropdown(label="Kind", choices=list(KINDS), multiselect=True, elem_id="foi-kind")
                search_btn = gr.Button("Search", variant="primary", elem_id="foi-search")
                results = gr.Dataframe(
                    headers=RESULT_HEADERS,
                    interactive=False,
                    wrap=True,
                    elem_id="foi-results",
                    column_widths=["4%", "16%", "9%", "5%", "5%", "13%", "7%", "35%", "6%"],
                )
                selected = gr.CheckboxGroup(
                    label="Passages to export", choices=[], elem_id="foi-selected", show_select_all=True
                )
                with gr.Row():
                    export_btn = gr.Button("Export selected as CSV", elem_id="foi-export", visible=False)
                    export_file = gr.HTML(elem_id="foi-csv")

            with gr.Tab("Report library", id="library"):
                library = gr.Dataframe(
                    headers=LIBRARY_HEADERS,
                    interactive=False,
                    wrap=True,
                    elem_id="library",
                    column_widths=["24%", "9%", "5%", "6%", "10%", "8%", "24%", "14%"],
                )
                refresh = gr.Button("Refresh", size="sm")
                with gr.Group(visible=False) as admin:
                    gr.Markdown(
                        "### Add reports\nPDF or text reports; the type is checked by content. "
                        f"Largest file: {settings.max_file_mb:g} MB."
                    )
                    upload = gr.File(label="Reports", file_count="multiple", elem_id="upload")
                    add_btn = gr.Button("Add to library", variant="primary", elem_id="add-reports")
                    upload_result = gr.Markdown(elem_id="upload-result")
                    gr.Markdown("### Remove a report\nIts passages are removed from both indexes.")
                    with gr.Row():
                        to_remove = gr.Dropdown(label="Report", choices=[], elem_id="remove-choice", scale=3)
                        remove_btn = gr.Button("Remove report", variant="stop", elem_id="remove-report", scale=1)
                    remove_result = gr.Markdown(elem_id="remove-result")

            with gr.Tab("Audit log", id="audit", visible=False) as audit_tab:
                gr.Markdown(
                    "Every question, search, export, upload, removal and sign-in, newest first. "
                    "Entries cannot be changed or deleted from the app."
                )
                with gr.Row():
                    audit_user = gr.Textbox(label="User", placeholder="all users", scale=2, elem_id="audit-user")
                    audit_action = gr.Dropdown(
                        label="Action",
                        choices=["", "ask", "search", "export", "upload", "remove", "sign-in", "sign-in refused"],
                        value="",
                        scale=1,
                    )
                    audit_show = gr.Button("Show", scale=1, elem_id="audit-show")
                audit_table = gr.Dataframe(
                    headers=AUDIT_HEADERS,
                    interactive=False,
                    wrap=True,
                    elem_id="audit-table",
                    column_widths=["4%", "12%", "7%", "5%", "7%", "7%", "24%", "24%", "5%", "5%"],
                )
                with gr.Row():
                    audit_export = gr.Button("Export the log as CSV", elem_id="audit-export")
                    audit_file = gr.HTML(elem_id="audit-csv")

        # ---- handlers ---------------------------------------------------------------
        def on_load(request: gr.Request):
            user = ctx.user(request, "search")
            choices, years, table = listing(user)
            return (
                f"Signed in as **{html.escape(user.name)}** ({user.role}, {user.clearance} clearance)",
                gr.update(visible=user.can("export")),
                gr.update(visible=user.can("upload")),
                table,
                gr.update(choices=choices),
                gr.update(choices=years),
                gr.update(choices=choices),
            )

        # Everything listed is limited to what the user's clearance allows.
        def listing(user: User) -> tuple[list[tuple[str, str]], list[str], list[list[Any]]]:
            """(report choices, report years, library rows) from one read of the registry."""
            rows = reports(assistant.index, user.clearance)
            choices = [(f"{r.title} — {Path(r.source).name}", r.doc_id) for r in rows]
            years = sorted({r.date[-4:] for r in rows if r.date}, reverse=True)
            table = [
                [r.title, r.date or "", r.pages, r.chunks, r.ingested, r.disclosure, r.decided, Path(r.source).name]
                for r in rows
            ]
            return choices, years, table

        # The chat is an output only: what was said lives in the user's server-side session, so a
        # browser can never hand the server a "history" (or a file object inside one).
        def ask(message: Any, request: gr.Request, progress=gr.Progress()) -> Iterator:
            user = ctx.user(request, "ask")
            session = ctx.session(request, user)
            message = ctx.text(user, "ask", message, "a question")
            session.chat += [
                {"role": "user", "content": md_text(message)},
                {"role": "assistant", "content": "Searching the reports…"},
            ]
            yield list(session.chat), gr.update(), ""
            standalone = resolve(message, session.asked[-1] if session.asked else None)
            progress(0.3, desc="Searching the reports")
            result = assistant.ask(standalone, Filters(clearance=user.clearance))
            ctx.record(
                user,
                "ask",
                message,
                answer=result.answer,
                abstained=result.abstained,
                passages=result.shown,
                answerer=answerer_name(result.answerer, settings),
                settings=run_settings(settings),
                detail={"answered": standalone, "latency_ms": round(result.latency_ms, 1), "note": result.note},
            )
            session.chat[-1] = {"role": "assistant", "content": answer_markdown(result, message)}
            session.asked.append(standalone)
            yield list(session.chat), sources_html(result), ""

        def reset_chat(request: gr.Request) -> tuple:
            user = ctx.user(request, "ask")
            ctx.session(request, user).reset_chat()
            return [], "<h3>Sources</h3><p>Ask a question to see its sources.</p>"

        question.submit(ask, [question], [chat, sources, question], concurrency_id="answer")
        new_chat.click(reset_chat, None, [chat, sources])
        chat.clear(reset_chat, None, [chat, sources])

        def search(text: Any, n: Any, docs: Any, year: Any, kinds: Any, request: gr.Request):
            user = ctx.user(request, "search")
            session = ctx.session(request, user)
            text = ctx.text(user, "search", text, "something to search for")
            docs = [str(d) for d in docs][:200] if isinstance(docs, list) else []
            kinds = [x for x in kinds if x in KINDS] if isinstance(kinds, list) else []
            year = str(year) if isinstance(year, (str, int)) and re.fullmatch(r"\d{4}", str(year)) else None
            try:
                count = max(1, min(50, int(n)))
            except (TypeError, ValueError):
                count = 10
            filters = Filters(
                clearance=user.clearance,
                doc_ids=set(docs) if docs else None,
                date_from=year,
                date_to=year,
                kinds={KINDS[x] for x in kinds} if kinds else None,
            )
            passages = assistant.search(text, k=count, filters=filters)
            ctx.record(
                user,
                "search",
                text,
                passages=passages,
                settings=run_settings(settings),
                detail={"k": count, "reports": docs, "year": year, "kinds": kinds},
            )
            rows = [passage_row(rank, p) for rank, p in enumerate(passages, 1)]
            table = [
                [
                    r["rank"],
                    r["report"],
                    r["date"],
                    r["page"],
                    r["paragraph"],
                    r["heading"],
                    r["kind"],
                    r["passage"],
                    r["score"],
                ]
                for r in rows
            ]
            labels = [
                (
                    f"[{r['rank']}] {r['report'][:60]}{', p. ' + str(r['page']) if r['page'] else ''}"
                    f"{', para ' + r['paragraph'] if r['paragraph'] else ''}",
                    str(r["rank"]),
                )
                for r in rows
            ]
            session.found = rows
            if not rows:
                gr.Info("No passages found.")
            return table, gr.update(choices=labels, value=[]), ""

        for trigger in (search_btn.click, query.submit):
            trigger(
                search,
                [query, k, report_filter, year_filter, kind_filter],
                [results, selected, export_file],
                concurrency_id="answer",
            )

        def export(chosen: Any, request: gr.Request) -> str:
            user = ctx.user(request, "export")
            # Only rows this user's own session found: ranks in, never passages.
            wanted = {str(c) for c in chosen} if isinstance(chosen, list) else set()
            picked = [r for r in ctx.session(request, user).found if str(r["rank"]) in wanted]
            if not picked:
                raise gr.Error("Select at least one passage to export.")
            ctx.record(
                user,
                "export",
                chunk_ids=[r["chunk_id"] for r in picked],
                doc_hashes=[r["doc_id"] for r in picked],
                detail={"ranks": [r["rank"] for r in picked]},
            )
            name = f"passages-{time.strftime('%Y-%m-%d-%H%M')}.csv"
            url = ctx.downloads.add(user.name, name, lambda path: write_csv(picked, path))
            return download_link(
                url, name, f"Download the CSV ({len(picked)} passage{'s' if len(picked) != 1 else ''})"
            )

        export_btn.click(export, [selected], export_file)

        def add(files: Any, request: gr.Request, progress=gr.Progress()) -> tuple:
            user = ctx.user(request, "upload")
            if not files:
                raise gr.Error("Choose one or more PDF or text files first.")
            uploads = uploaded_files(files)
            if uploads is None:
                ctx.record(
                    user,
                    "upload refused",
                    detail={"reason": "a file outside the upload folder", "paths": [str(f)[:300] for f in files][:20]},
                )
                raise gr.Error("Upload the files with the upload box: only files uploaded in this app can be added.")
            progress(0, desc="Checking files")
            try:
                summary = add_reports(uploads, settings, on_progress=lambda frac, desc: progress(frac, desc=desc))
            finally:
                for tmp, _ in uploads:  # the stored copy is in the upload folder now; the upload itself goes
                    tmp.unlink(missing_ok=True)
            ctx.record(
                user,
                "upload",
                detail={"files": [{"name": r.path, "status": r.status, "reason": r.reason} for r in summary.results]},
            )
            choices, years, table = listing(user)
            return (
                upload_summary(summary),
                table,
                None,
                gr.update(choices=choices),
                gr.update(choices=choices),
                gr.update(choices=years),
            )

        add_btn.click(
            add,
            [upload],
            [upload_result, library, upload, to_remove, report_filter, year_filter],
            concurrency_limit=1,
            concurrency_id="ingest",
        )

        def remove(doc_id: str | None, request: gr.Request) -> tuple:
            user = ctx.user(request, "remove")
            if not doc_id:
                raise gr.Error("Choose a report to remove.")
            try:
                title = remove_report(assistant.index, doc_id, settings)
            except KeyError as exc:
                raise gr.Error(str(exc)) from exc
            ctx.record(user, "remove", doc_hashes=[doc_id], detail={"title": title})
            choices, _, table = listing(user)
            return (
                f"Removed “{html.escape(title)}” from the library.",
                table,
                gr.update(choices=choices, value=None),
                gr.update(choices=choices),
            )

        remove_btn.click(
            remove, [to_remove], [remove_result, library, to_remove, report_filter], concurrency_id="ingest"
        )

        def refresh_library(request: gr.Request) -> list[list[Any]]:
            return listing(ctx.user(request, "search"))[2]

        refresh.click(refresh_library, None, library)

        def show_audit(name: str, action: str, request: gr.Request) -> list[list[Any]]:
            ctx.user(request, "audit")
            rows = ctx.audit.entries(limit=500, user=(name or "").strip() or None, action=action or None)
            return [
                [
                    r["id"],
                    r["time"],
                    r["user"],
                    r["role"],
                    r["clearance"] or "",
                    r["action"],
                    r["query"] or "",
                    ("(not found) " if r["abstained"] else "") + (r["answer"] or "")[:200],
                    len(json.loads(r["chunk_ids"])),
                    r["answerer"] or "",
                ]
                for r in rows
            ]

        def export_audit(name: Any, request: gr.Request) -> str:
            user = ctx.user(request, "audit")
            who = name.strip() if isinstance(name, str) and name.strip() else None
            ctx.record(user, "audit export", detail={"user": who})
            filename = f"audit-{time.strftime('%Y-%m-%d-%H%M')}.csv"
            url = ctx.downloads.add(user.name, filename, lambda path: ctx.audit.export_csv(path, user=who))
            return download_link(url, filename, "Download the audit log CSV")

        audit_show.click(show_audit, [audit_user, audit_action], audit_table)
        audit_export.click(export_audit, [audit_user], audit_file)

        def on_load_audit(request: gr.Request):
            user = ctx.user(request, "search")
            return gr.update(visible=user.can("audit")), show_audit("", "", request) if user.can("audit") else []

        demo.load(on_load, None, [who, export_btn, admin, library, report_filter, year_filter, to_remove])
        demo.load(on_load_audit, None, [audit_tab, audit_table])
    return demo


def passage_row(rank: int, p: Passage) -> dict[str, Any]:
    """One FOI result with its citation fields (also the CSV row)."""
    return {
        "rank": rank,
        "report": p.document,
        "date": format_date(p.metadata.get("date")) or "",
        "page": p.page or "",
        "paragraph": p.paragraph or "",
        "heading": p.heading or "",
        "kind": p.kind,
        "passage": p.text,
        "citation": citation_text(p),
        "source": p.source,
        "score": p.score,
        "chunk_id": p.chunk_id,
        "doc_id": p.metadata.get("doc_id", ""),
    }


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """The selected passages as a CSV file (UTF-8 with BOM, so spreadsheets read £ correctly)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_safe(v) for k, v in row.items()})
    return Path(path)


def download_link(url: str, filename: str, label: str) -> str:
    """A one-time link to a file made for the signed-in user (served by ``/download``)."""
    e = html.escape
    return f'<a href="{e(url)}" download="{e(filename)}" class="download">{e(label)}</a>'


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


def upload_summary(summary) -> str:
    """The upload's outcome, one line a file, failures first."""
    label = {"failed": "**FAILED**"}
    lines = []
    for r in sorted(summary.results, key=lambda r: r.status != "failed"):
        detail = r.reason or (
            f"“{r.title}”, {r.pages} page{'s' if r.pages != 1 else ''}, {r.chunks} passages" if r.title else ""
        )
        lines.append(
            f"- **{html.escape(r.path)}**: {label.get(r.status, r.status)}{' — ' + html.escape(detail) if detail else ''}"
        )
        lines += [f"  - warning: {html.escape(w)}" for w in r.warnings]
    return "\n".join(lines) or "Nothing to add."
