"""What the app shows, as HTML and Markdown: answers, their sources, FOI results, upload outcomes.

Report text is shown as text wherever it appears: HTML-escaped, and Markdown-escaped in the
chat, so a report can neither run script nor make a browser fetch an image or follow a link.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import secrets
import urllib.parse
from pathlib import Path
from typing import Any

from ..answering.citations import answer_terms, citation_text, highlight
from ..api import Answer
from ..documents import Passage
from ..indexing.ingest import IngestSummary
from ..reading.metadata import format_date

PRODUCT = "OPCC Report Assistant"
NO_SOURCES = "<h2>Sources</h2><p>Ask a question to see its sources.</p>"


def report_url(p: Passage) -> str:
    """Link to the report file served by the app, at the passage's page for PDFs."""
    url = f"/report/{urllib.parse.quote(p.metadata.get('doc_id', ''))}"
    return f"{url}#page={p.page}" if p.page and p.metadata.get("doc_kind") == "pdf" else url


# Signs the figures an answer outlines on a page image: /evidence draws only marks this process chose.
_MARK_KEY = secrets.token_bytes(32)
MAX_MARKS, MAX_MARK_CHARS = 6, 40


def mark_signature(chunk_id: str, marks: list[str]) -> str:
    """The server's signature of ``marks`` for the page image of ``chunk_id``."""
    body = json.dumps([chunk_id, marks], ensure_ascii=False).encode()
    return hmac.new(_MARK_KEY, body, hashlib.sha256).hexdigest()[:32]


def marks_signed(chunk_id: str, marks: list[str], signature: str | None) -> bool:
    """Whether ``marks`` are the ones the server put in a page image link for ``chunk_id``."""
    return not marks or (isinstance(signature, str) and hmac.compare_digest(mark_signature(chunk_id, marks), signature))


def evidence_url(p: Passage, marks: list[str]) -> str | None:
    """The highlighted page image of a PDF passage (served by ``/evidence``), or None without a PDF page."""
    if not p.page or p.metadata.get("doc_kind") != "pdf":
        return None
    marks = [m for m in marks if len(m) <= MAX_MARK_CHARS][:MAX_MARKS]
    pairs = [("mark", m) for m in marks] + ([("sig", mark_signature(p.chunk_id, marks))] if marks else [])
    query = urllib.parse.urlencode(pairs)
    return f"/evidence/{urllib.parse.quote(p.chunk_id, safe='')}.png" + (f"?{query}" if query else "")


def source_card(n: int, p: Passage, answer: str) -> str:
    """One citation in the sources panel: title, date, page, paragraph, heading, verbatim passage."""
    e = html.escape
    date = format_date(p.metadata.get("date"))
    scanned = "read by OCR" if p.metadata.get("ocr") else None  # check a quoted figure against the image
    where = " · ".join(x for x in (p.pages, f"para {p.paragraph}" if p.paragraph else None, p.heading, scanned) if x)
    link_text = f"Open PDF at p. {p.page}" if p.page and p.metadata.get("doc_kind") == "pdf" else "Open report"
    image = evidence_url(p, answer_terms(answer))
    page = (
        f'<a href="{e(image)}" target="_blank" rel="noopener" title="Open the page image full size">'
        f'<img class="evidence" src="{e(image)}" loading="lazy" alt="{e(p.pages)} of the report, the passage highlighted">'
        "</a>"
        if image
        else ""
    )
    return (
        f'<div class="citation" id="cite-{n}" data-paragraph="{e(p.paragraph or "")}">'
        f'<div class="cite-head">[{n}] {e(p.document)}{" · " + e(date) if date else ""}</div>'
        f'<div class="cite-where">{e(where)}</div>'
        f"{page}"
        f"<blockquote>{highlight(p.text, answer_terms(answer))}</blockquote>"
        f'<div class="cite-actions"><button class="copy-citation" type="button" data-citation="{e(citation_text(p, answer), quote=True)}" '
        f'onclick="opccCopy(this)">Copy citation</button>'
        f'<a href="{e(report_url(p))}" target="_blank" rel="noopener">{link_text}</a>'
        f'<span class="cite-source">{e(Path(p.source).name)}</span></div></div>'
    )


def sources_panel(cards: str, abstained: bool) -> str:
    """The sources panel around its cards: an answer's sources, or after an abstention the related passages
    (headings one level under the page's own title)."""
    if abstained:
        return "<h2>Not found in the reports</h2><h3>Related passages</h3>" + (cards or "<p>No related passages.</p>")
    return "<h2>Sources</h2>" + cards


def sources_html(result: Answer) -> str:
    """The sources panel for one answer: its citations, or after an abstention the related passages."""
    if result.abstained:
        return sources_panel("".join(source_card(n, p, "") for n, p in enumerate(result.related, 1)), True)
    return sources_panel("".join(source_card(n, p, result.answer) for n, p in enumerate(result.citations, 1)), False)


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
            ""
            if result.answerer == "llm"
            else " " + " ".join(f"[[{n}]](#cite-{n})" for n in range(1, len(result.citations) + 1))
        )
        lines.append(text + markers)
    if result.note:
        lines.append(f"\n*{md_text(result.note)}*")
    return "\n".join(lines)


KIND_LABELS = {"paragraph": "Paragraph", "table_row": "Table row", "table": "Table"}
DISCLOSURE_LABELS = {"public": "Public", "restricted": "Restricted"}


def passage_row(rank: int, p: Passage, reason: str | None = None) -> dict[str, Any]:
    """One FOI result with its citation fields (also the CSV row): the page as the citation gives it
    ("5–6" for "pp. 5–6"), the report's disclosure reason (``reason``, where its metadata has one), its file's
    name (never a server path), and the passage's id (which starts with its report's)."""
    return {
        "rank": rank,
        "report": p.document,
        "date": format_date(p.metadata.get("date")) or "",
        "page": re.sub(r"^pp?\. ", "", p.pages),
        "paragraph": p.paragraph or "",
        "heading": p.heading or "",
        "kind": KIND_LABELS.get(p.kind, p.kind),
        "disclosure": DISCLOSURE_LABELS.get(str(p.metadata.get("disclosure")), "Restricted"),
        "disclosure_reason": reason or "",
        "passage": p.text,
        "citation": citation_text(p),
        "file": Path(p.source).name,
        "passage_id": p.chunk_id,
        "doc_id": p.metadata.get("doc_id", ""),
    }


NO_RELEVANT = "No relevant passages"


def counted(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless one: "1 passage", "3 passages"."""
    return f"{n} {noun}{'s' if n != 1 else ''}"


def search_status(query: str, shown: int, k: int, notice: str | None = None, filtered: int = 0) -> str:
    """What the FOI search found, said above its results: how many passages cleared the relevance floor, or
    that none did (never an empty table alone); ``notice`` (a Welsh search's) goes first; ``filtered``:
    relevant passages the disclosure filter left out."""
    e = html.escape
    if filtered:
        found = (
            f"{counted(shown, 'passage')} match “{e(query)}” with the disclosure filter; "
            f"{counted(filtered, 'other relevant passage')} of another disclosure status "
            f"{'are' if filtered != 1 else 'is'} left out."
        )
    elif shown:
        found = f"{counted(shown, 'passage')} match “{e(query)}”." + (
            " Weaker matches, and headings on their own, are left out." if shown < k else ""
        )
    else:
        found = (
            f"<strong>{NO_RELEVANT}</strong> for “{e(query)}” in the reports you may see: no passage carries "
            "enough of its words. Try other words, or fewer filters."
        )
    note = f'<p class="foi-notice">{e(notice)}</p>' if notice else ""
    return f'<div class="foi-status" role="status">{note}<p>{found}</p></div>'


def inline_refusal(message: str) -> str:
    """A refusal shown beside the button that asked (it goes with the next search or export)."""
    return f'<p class="foi-refusal" role="alert">{html.escape(message)}</p>'


def short_title(title: str, most: int = 40) -> str:
    """A report title cut at a word, brackets closed off, for labels."""
    title = re.sub(r"\s*\([^)]*\)?$", "", title) if len(title) > most else title
    if len(title) <= most:
        return title
    return title[:most].rsplit(" ", 1)[0].rstrip(" –-,:") + "…"


def export_label(row: dict[str, Any]) -> str:
    """A result's label in the export list: rank, short title, page, paragraph and first words (unique by rank)."""
    page = f"{'pp' if '–' in str(row['page']) else 'p'}. {row['page']}" if row["page"] else ""
    where = ", ".join(x for x in (page, f"para {row['paragraph']}" if row["paragraph"] else "") if x)
    words = " ".join(str(row["passage"]).split()[:8])
    restricted = " [restricted]" if row["disclosure"] != "Public" else ""
    return f"{row['rank']}. {short_title(str(row['report']))}{', ' + where if where else ''}: “{words}…”{restricted}"


def csv_name(query: str, day: str) -> str:
    """The export's file name: the search's words and the date (passages-airwave-variance-2026-11-24.csv)."""
    words = re.sub(r"[^a-z0-9]+", "-", query.lower()).strip("-")[:40].rstrip("-") or "search"
    return f"passages-{words}-{day}.csv"


def download_link(url: str, filename: str, label: str) -> str:
    """A one-time link to a file made for the signed-in user (served by ``/download``)."""
    e = html.escape
    return f'<a href="{e(url)}" download="{e(filename)}" class="download">{e(label)}</a>'


def upload_summary(summary: IngestSummary) -> str:
    """The upload's outcome, one line a file, failures first."""
    label = {"failed": "**FAILED**"}
    lines = []
    for r in sorted(summary.results, key=lambda r: r.status != "failed"):
        detail = r.reason or (f"“{r.title}”, {counted(r.pages, 'page')}, {r.chunks} passages" if r.title else "")
        lines.append(
            f"- **{html.escape(r.path)}**: {label.get(r.status, r.status)}{' — ' + html.escape(detail) if detail else ''}"
        )
        lines += [f"  - warning: {html.escape(w)}" for w in r.warnings]
        if r.version_of:
            lines.append(
                f"  - looks like a new version of “{html.escape(r.version_of['title'])}” ({r.version_of['share']} of "
                "its passages are the same): choose below whether it replaces that report"
            )
    return "\n".join(lines) or "Nothing to add."
