"""The Gradio app: chat with cited sources, the FOI passage finder and the report library.

Every handler checks the signed-in user's role on the server; hiding a button is only a
convenience. Report text is HTML-escaped wherever it is shown.
"""

from __future__ import annotations

import csv
import html
import json
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import gradio as gr

from .api import Answer, Assistant
from .audit import AuditLog, answerer_name, csv_safe, run_settings
from .citations import answer_terms, citation_text, format_date, highlight
from .conversation import resolve
from .library import add_reports, remove_report, reports
from .retrieval import Filters, Passage
from .users import User

KINDS = {"Paragraphs": "paragraph", "Table rows": "table_row", "Whole tables": "table"}
EXPORT_FIELDS = ["rank", "report", "date", "page", "paragraph", "heading", "kind", "passage", "citation", "source", "score", "chunk_id", "doc_id"]
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
    """What the handlers share: the assistant, and how to find who is asking."""

    assistant: Assistant
    user_for: Callable[[str | None], User | None]
    audit: AuditLog
    demo_notice: str | None = None

    def user(self, request: gr.Request | None, action: str) -> User:
        user = self.user_for(getattr(request, "username", None) if request else None)
        if user is None:
            raise gr.Error("Please sign in again.")
        if not user.can(action):
            raise gr.Error(f"Your role ({user.role}) may not {action}.")
        return user


def report_url(p: Passage) -> str:
    """Link to the report file served by the app, at the passage's page for PDFs."""
    url = f"/report/{urllib.parse.quote(p.metadata.get('doc_id', ''))}"
    return f"{url}#page={p.page}" if p.page and p.metadata.get("doc_kind") == "pdf" else url


def source_card(n: int, p: Passage, answer: str) -> str:
    """One citation in the sources panel: title, date, page, paragraph, heading, verbatim passage."""
    e = html.escape
    date = format_date(p.metadata.get("date"))
    where = " · ".join(x for x in (f"p. {p.page}" if p.page else None, f"para {p.paragraph}" if p.paragraph else None, p.heading) if x)
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


def answer_markdown(result: Answer, asked: str) -> str:
    """The chat reply: the answer with its figures highlighted and numbered citation markers."""
    lines = []
    if result.question != asked.strip():
        lines.append(f"*Answering: {html.escape(result.question)}*\n")
    if result.abstained:
        lines.append("**Not found in the reports.** No passage answers this question; related passages are listed under Sources.")
    else:
        text = highlight(result.answer, answer_terms(result.answer))
        markers = "" if result.answerer == "llm" else " " + " ".join(f"[{n}]" for n in range(1, len(result.citations) + 1))
        lines.append(text + markers)
    if result.note:
        lines.append(f"\n*{html.escape(result.note)}*")
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
                        chat = gr.Chatbot(label="Conversation", height=480, elem_id="chat")
                        question = gr.Textbox(label="Question", placeholder="e.g. How much were the technology budgets underspent in 2018/19?",
                                              elem_id="question", submit_btn="Ask")
                        new_chat = gr.Button("New conversation", size="sm")
                    with gr.Column(scale=2):
                        sources = gr.HTML("<h3>Sources</h3><p>Ask a question to see its sources.</p>", elem_id="sources")
                history = gr.State([])  # standalone questions asked so far

            with gr.Tab("Find passages (FOI)", id="foi"):
                with gr.Row():
                    query = gr.Textbox(label="Search the reports", placeholder="words or a question", elem_id="foi-query", scale=3)
                    k = gr.Slider(5, 50, value=10, step=5, label="Passages", scale=1)
                with gr.Row():
                    report_filter = gr.Dropdown(label="Reports", multiselect=True, choices=[], elem_id="foi-reports")
                    year_filter = gr.Dropdown(label="Report year", choices=[], elem_id="foi-year")
                    kind_filter = gr.Dropdown(label="Kind", choices=list(KINDS), multiselect=True, elem_id="foi-kind")
                search_btn = gr.Button("Search", variant="primary", elem_id="foi-search")
                results = gr.Dataframe(headers=RESULT_HEADERS, interactive=False, wrap=True, elem_id="foi-results",
                                       column_widths=["4%", "16%", "9%", "5%", "5%", "13%", "7%", "35%", "6%"])
                selected = gr.CheckboxGroup(label="Passages to export", choices=[], elem_id="foi-selected", show_select_all=True)
                with gr.Row():
                    export_btn = gr.Button("Export selected as CSV", elem_id="foi-export", visible=False)
                    export_file = gr.File(label="CSV", interactive=False, elem_id="foi-csv")
                found = gr.State([])

            with gr.Tab("Report library", id="library"):
                library = gr.Dataframe(headers=LIBRARY_HEADERS, interactive=False, wrap=True, elem_id="library",
                                       column_widths=["24%", "9%", "5%", "6%", "10%", "8%", "24%", "14%"])
                refresh = gr.Button("Refresh", size="sm")
                with gr.Group(visible=False) as admin:
                    gr.Markdown("### Add reports\nPDF or text reports; the type is checked by content. "
                                f"Largest file: {settings.max_file_mb:g} MB.")
                    upload = gr.File(label="Reports", file_count="multiple", elem_id="upload")
                    add_btn = gr.Button("Add to library", variant="primary", elem_id="add-reports")
                    upload_result = gr.Markdown(elem_id="upload-result")
                    gr.Markdown("### Remove a report\nIts passages are removed from both indexes.")
                    with gr.Row():
                        to_remove = gr.Dropdown(label="Report", choices=[], elem_id="remove-choice", scale=3)
                        remove_btn = gr.Button("Remove report", variant="stop", elem_id="remove-report", scale=1)
                    remove_result = gr.Markdown(elem_id="remove-result")

            with gr.Tab("Audit log", id="audit", visible=False) as audit_tab:
                gr.Markdown("Every question, search, export, upload, removal and sign-in, newest first. "
                            "Entries cannot be changed or deleted from the app.")
                with gr.Row():
                    audit_user = gr.Textbox(label="User", placeholder="all users", scale=2, elem_id="audit-user")
                    audit_action = gr.Dropdown(label="Action", choices=["", "ask", "search", "export", "upload", "remove",
                                                                        "sign-in", "sign-in refused"], value="", scale=1)
                    audit_show = gr.Button("Show", scale=1, elem_id="audit-show")
                audit_table = gr.Dataframe(headers=AUDIT_HEADERS, interactive=False, wrap=True, elem_id="audit-table",
                                           column_widths=["4%", "12%", "7%", "5%", "7%", "7%", "24%", "24%", "5%", "5%"])
                with gr.Row():
                    audit_export = gr.Button("Export the log as CSV", elem_id="audit-export")
                    audit_file = gr.File(label="Audit CSV", interactive=False, elem_id="audit-csv")

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
            table = [[r.title, r.date or "", r.pages, r.chunks, r.ingested, r.disclosure, r.decided, Path(r.source).name]
                     for r in rows]
            return choices, years, table

        def ask(message: str, chat_history: list, asked: list[str], request: gr.Request, progress=gr.Progress()) -> Iterator:
            user = ctx.user(request, "ask")
            message = (message or "").strip()
            if not message:
                raise gr.Error("Type a question first.")
            chat_history = list(chat_history or []) + [{"role": "user", "content": message},
                                                       {"role": "assistant", "content": "Searching the reports…"}]
            yield chat_history, gr.update(), asked, ""
            standalone = resolve(message, asked[-1] if asked else None)
            progress(0.3, desc="Searching the reports")
            result = assistant.ask(standalone, Filters(clearance=user.clearance))
            ctx.audit.record(
                user.name, user.role, "ask", message, clearance=user.clearance, answer=result.answer,
                abstained=result.abstained, passages=result.related if result.abstained else result.citations,
                answerer=answerer_name(result.answerer, settings), settings=run_settings(settings),
                detail={"answered": standalone, "latency_ms": round(result.latency_ms, 1), "note": result.note},
            )
            chat_history[-1] = {"role": "assistant", "content": answer_markdown(result, message)}
            yield chat_history, sources_html(result), asked + [standalone], ""

        question.submit(ask, [question, chat, history], [chat, sources, history, question], concurrency_id="answer")
        new_chat.click(lambda: ([], "<h3>Sources</h3>", []), None, [chat, sources, history])

        def search(text: str, n: float, docs: list[str] | None, year: str | None, kinds: list[str] | None, request: gr.Request):
            user = ctx.user(request, "search")
            if not (text or "").strip():
                raise gr.Error("Type something to search for.")
            filters = Filters(
                clearance=user.clearance,
                doc_ids=set(docs) if docs else None,
                date_from=year or None, date_to=year or None,
                kinds={KINDS[x] for x in kinds} if kinds else None,
            )
            passages = assistant.search(text, k=int(n), filters=filters)
            ctx.audit.record(user.name, user.role, "search", text, clearance=user.clearance, passages=passages,
                             settings=run_settings(settings),
                             detail={"k": int(n), "reports": docs or [], "year": year, "kinds": kinds or []})
            rows = [passage_row(rank, p) for rank, p in enumerate(passages, 1)]
            table = [[r["rank"], r["report"], r["date"], r["page"], r["paragraph"], r["heading"], r["kind"], r["passage"], r["score"]] for r in rows]
            labels = [(f"[{r['rank']}] {r['report'][:60]}{', p. ' + str(r['page']) if r['page'] else ''}"
                       f"{', para ' + r['paragraph'] if r['paragraph'] else ''}", str(r["rank"])) for r in rows]
            if not rows:
                gr.Info("No passages found.")
            return table, gr.update(choices=labels, value=[]), rows, None

        for trigger in (search_btn.click, query.submit):
            trigger(search, [query, k, report_filter, year_filter, kind_filter], [results, selected, found, export_file],
                    concurrency_id="answer")

        def export(chosen: list[str], rows: list[dict], request: gr.Request) -> str:
            user = ctx.user(request, "export")
            picked = [r for r in rows if str(r["rank"]) in set(chosen or [])]
            if not picked:
                raise gr.Error("Select at least one passage to export.")
            ctx.audit.record(user.name, user.role, "export", None, clearance=user.clearance,
                             chunk_ids=[r["chunk_id"] for r in picked], doc_hashes=[r["doc_id"] for r in picked],
                             detail={"ranks": [r["rank"] for r in picked]})
            return write_csv(picked)

        export_btn.click(export, [selected, found], export_file)

        def add(files: list | None, request: gr.Request, progress=gr.Progress()) -> tuple:
            user = ctx.user(request, "upload")
            if not files:
                raise gr.Error("Choose one or more PDF or text files first.")
            uploads = [(Path(f), Path(getattr(f, "orig_name", None) or f).name) for f in files]
            progress(0, desc="Checking files")
            summary = add_reports(uploads, settings, on_progress=lambda frac, desc: progress(frac, desc=desc))
            ctx.audit.record(user.name, user.role, "upload", None, clearance=user.clearance,
                             detail={"files": [{"name": r.path, "status": r.status, "reason": r.reason} for r in summary.results]})
            choices, years, table = listing(user)
            return (upload_summary(summary), table, None, gr.update(choices=choices),
                    gr.update(choices=choices), gr.update(choices=years))

        add_btn.click(add, [upload], [upload_result, library, upload, to_remove, report_filter, year_filter],
                      concurrency_limit=1, concurrency_id="ingest")

        def remove(doc_id: str | None, request: gr.Request) -> tuple:
            user = ctx.user(request, "remove")
            if not doc_id:
                raise gr.Error("Choose a report to remove.")
            try:
                title = remove_report(assistant.index, doc_id, settings)
            except KeyError as exc:
                raise gr.Error(str(exc)) from exc
            ctx.audit.record(user.name, user.role, "remove", None, clearance=user.clearance, doc_hashes=[doc_id],
                             chunk_ids=[], detail={"title": title})
            choices, _, table = listing(user)
            return (f"Removed “{html.escape(title)}” from the library.", table,
                    gr.update(choices=choices, value=None), gr.update(choices=choices))

        remove_btn.click(remove, [to_remove], [remove_result, library, to_remove, report_filter], concurrency_id="ingest")
        def refresh_library(request: gr.Request) -> list[list[Any]]:
            return listing(ctx.user(request, "search"))[2]

        refresh.click(refresh_library, None, library)
        def show_audit(name: str, action: str, request: gr.Request) -> list[list[Any]]:
            ctx.user(request, "audit")
            rows = ctx.audit.entries(limit=500, user=(name or "").strip() or None, action=action or None)
            return [[r["id"], r["time"], r["user"], r["role"], r["clearance"] or "", r["action"], r["query"] or "",
                     ("(not found) " if r["abstained"] else "") + (r["answer"] or "")[:200],
                     len(json.loads(r["chunk_ids"])), r["answerer"] or ""] for r in rows]

        def export_audit(name: str, request: gr.Request) -> str:
            user = ctx.user(request, "audit")
            out = tempfile.NamedTemporaryFile(suffix=".csv", prefix="audit-", delete=False)
            out.close()
            ctx.audit.export_csv(Path(out.name), user=(name or "").strip() or None)
            ctx.audit.record(user.name, user.role, "audit export", None, clearance=user.clearance, chunk_ids=[], doc_hashes=[])
            return out.name

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


def write_csv(rows: list[dict[str, Any]]) -> str:
    """The selected passages as a CSV file (UTF-8 with BOM, so spreadsheets read £ correctly)."""
    out = tempfile.NamedTemporaryFile("w", suffix=".csv", prefix="passages-", delete=False, newline="", encoding="utf-8-sig")
    with out:
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_safe(v) for k, v in row.items()})
    return out.name


def upload_summary(summary) -> str:
    """The upload's outcome, one line a file, failures first."""
    label = {"failed": "**FAILED**"}
    lines = []
    for r in sorted(summary.results, key=lambda r: r.status != "failed"):
        detail = r.reason or (f"“{r.title}”, {r.pages} page{'s' if r.pages != 1 else ''}, {r.chunks} passages" if r.title else "")
        lines.append(f"- **{html.escape(r.path)}**: {label.get(r.status, r.status)}{' — ' + html.escape(detail) if detail else ''}")
        lines += [f"  - warning: {html.escape(w)}" for w in r.warnings]
    return "\n".join(lines) or "Nothing to add."
