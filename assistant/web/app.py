"""The Gradio app's layout: chat with cited sources, the FOI passage finder, the report library
and the audit log, wired to the handlers in :mod:`assistant.web.handlers` (which check every role
on the server) and rendered by :mod:`assistant.web.render`.
"""

from __future__ import annotations

import html

import gradio as gr

from .conversations import TITLE_CHARS
from .handlers import AUDIT_ACTIONS, DISCLOSURE_FILTERS, KINDS, PREVIEW, AppContext, Handlers
from .history import History
from .render import NO_SOURCES, PRODUCT

AUDIT_HEADERS = [
    "#",
    "Time",
    "User",
    "Role",
    "Clearance",
    "Action",
    "Query",
    "Answer",
    "Shown",
    "Answerer",
    "Report or file",
]
LIBRARY_HEADERS = ["Title", "Date", "Pages", "Passages", "Ingested", "Disclosure", "How decided", "File", "Flags"]
AUDIT_REFRESH_SECONDS = 15
RESULT_HEADERS = ["Rank", "Report", "Date", "Page", "Para", "Heading", "Kind", "Disclosure", "Passage"]
# Events whose inputs are choices (dropdowns, the export checkboxes) skip Gradio's preprocessing, which
# would refuse a value not among the choices before our handler saw it, unaudited. Each of these
# handlers checks every value itself (type, and membership in what this user was offered) and audits
# a refusal. Only plain values go in: never a File, which needs Gradio's upload-folder check.
CHOICES_CHECKED_BY_HANDLER = {"preprocess": False}


def build_app(ctx: AppContext) -> gr.Blocks:
    """The Blocks app (mounted and served by :mod:`assistant.web.server`)."""
    settings = ctx.assistant.settings
    on = Handlers(ctx)

    # The theme, CSS and scripts (theme.py) are given where the app is mounted (server.py).
    with gr.Blocks(title=PRODUCT) as demo:
        # The masthead: the page's one h1, who is signed in, and signing out; it wraps on a phone.
        with gr.Row(elem_id="masthead", equal_height=False):
            gr.HTML(
                f"<header><h1>{html.escape(PRODUCT)}</h1><p>Cited answers from the reports in the library.</p></header>",
                elem_id="app-title",
                container=False,
                padding=False,
            )
            who = gr.Markdown(elem_id="who")
            # A form, not a link: signing out is a POST, which no link or image of another page can send.
            gr.HTML(
                '<form method="post" action="/logout" class="logout-form">'
                '<button type="submit" id="logout" class="logout-button">Log out</button></form>',
                elem_id="logout-box",
                container=False,
                padding=False,
                scale=0,
                min_width=90,
            )
        # Shown only to the demo account (a real user signed in to a demo server sees nothing).
        banner = gr.HTML(visible=False, elem_id="demo-banner", container=False, padding=False)
        demo.load(on.demo_banner, None, banner, show_progress="hidden")

        with gr.Tabs(overflow_behavior="wrap"):  # every tab stays in view on a phone, never behind a "…" menu
            with gr.Tab("Ask", id="ask"):
                with gr.Row():
                    with gr.Column(scale=3):
                        # Markdown is rendered (our own bold and highlights), but report text in it is escaped
                        # (md_text); no LaTeX, and HTML sanitised as well.
                        chat = gr.Chatbot(
                            label="Conversation (click an answer to see its sources)",
                            height=480,
                            elem_id="chat",
                            latex_delimiters=[],
                            sanitize_html=True,
                            buttons=["copy", "copy_all"],  # no "share": it would post outside the organisation
                        )
                        question = gr.Textbox(
                            label="Question",
                            placeholder="e.g. How much were the technology budgets underspent in 2018/19?",
                            elem_id="question",
                            submit_btn="Ask",
                            max_length=settings.max_question_chars,
                        )
                        new_chat = gr.Button("New conversation", size="sm")
                        # The user's own conversations, kept on the server; ids are checked against the user there.
                        with gr.Row(equal_height=True):
                            conversation_list = gr.Dropdown(
                                label="Your conversations", choices=[], elem_id="conversation-list", scale=4
                            )
                            open_conversation = gr.Button("Open", elem_id="conversation-open", scale=0, min_width=90)
                            delete_conversation = gr.Button(
                                "Delete", variant="stop", elem_id="conversation-delete", scale=0, min_width=90
                            )
                        with gr.Row(visible=False, elem_id="conversation-confirm") as delete_confirm:
                            delete_question = gr.Markdown(elem_id="conversation-question")
                            delete_yes = gr.Button(
                                "Yes, delete it", variant="stop", elem_id="conversation-yes", scale=0
                            )
                            delete_no = gr.Button("Cancel", elem_id="conversation-no", scale=0)
                        with gr.Row(equal_height=True):
                            conversation_title = gr.Textbox(
                                label="New name for the chosen conversation",
                                max_lines=1,
                                max_length=TITLE_CHARS,
                                elem_id="conversation-title",
                                scale=4,
                            )
                            rename_conversation = gr.Button(
                                "Rename", elem_id="conversation-rename", scale=0, min_width=90
                            )
                        conversation_status = gr.Markdown(elem_id="conversation-status")
                    with gr.Column(scale=2):
                        sources = gr.HTML(NO_SOURCES, elem_id="sources")

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
                    status_filter = gr.Dropdown(
                        label="Disclosure", choices=[("Any", ""), *((x, x) for x in DISCLOSURE_FILTERS)], value=""
                    )
                search_btn = gr.Button("Search", variant="primary", elem_id="foi-search")
                found = gr.HTML(elem_id="foi-status")  # how many passages cleared the floor, or none did
                results = gr.Dataframe(
                    headers=RESULT_HEADERS,
                    interactive=False,
                    wrap=True,
                    max_height=560,
                    elem_id="foi-results",
                    column_widths=["5%", "15%", "10%", "5%", "5%", "17%", "8%", "9%", "26%"],
                )
                preview = gr.HTML(PREVIEW, elem_id="foi-preview")
                selected = gr.CheckboxGroup(
                    label="Passages to export", choices=[], elem_id="foi-selected", show_select_all=True
                )
                with gr.Row(visible=False) as export_row:
                    include_restricted = gr.Checkbox(
                        label="Include restricted passages (only where the disclosure decision allows it)",
                        elem_id="foi-include-restricted",
                    )
                    export_btn = gr.Button("Export selected as CSV", elem_id="foi-export")
                    export_file = gr.HTML(elem_id="foi-csv")

            with gr.Tab("Report library", id="library"):
                library = gr.Dataframe(
                    headers=LIBRARY_HEADERS,
                    interactive=False,
                    wrap=True,
                    elem_id="library",
                    column_widths=["21%", "9%", "5%", "7%", "10%", "8%", "16%", "12%", "12%"],
                )
                refresh = gr.Button("Refresh", size="sm")
                with gr.Group(visible=False) as admin:
                    gr.Markdown(
                        "## Add reports\nPDF or text reports; the type is checked by content. "
                        f"Largest file: {settings.max_file_mb:g} MB."
                    )
                    upload = gr.File(label="Reports", file_count="multiple", elem_id="upload")
                    add_btn = gr.Button("Add to library", variant="primary", elem_id="add-reports")
                    upload_result = gr.Markdown(elem_id="upload-result")
                    with gr.Row(visible=False) as version_row:
                        version_choice = gr.Dropdown(
                            label="New version of a report already in the library",
                            choices=[],
                            elem_id="version-choice",
                            scale=3,
                        )
                        replace_btn = gr.Button("Replace the earlier version", elem_id="version-replace", scale=1)
                        keep_btn = gr.Button("Keep both", elem_id="version-keep", scale=1)
                    version_result = gr.Markdown(elem_id="version-result")
                    gr.Markdown("## Remove a report\nIts passages are removed from both indexes.")
                    with gr.Row():
                        to_remove = gr.Dropdown(label="Report", choices=[], elem_id="remove-choice", scale=3)
                        remove_btn = gr.Button("Remove report", variant="stop", elem_id="remove-report", scale=1)
                    with gr.Row(visible=False, elem_id="remove-confirm") as confirm_row:
                        confirm_text = gr.Markdown(elem_id="remove-question")
                        confirm_yes = gr.Button("Yes, remove it", variant="stop", elem_id="remove-yes", scale=0)
                        confirm_no = gr.Button("Cancel", elem_id="remove-no", scale=0)
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
                        choices=[("All actions", ""), *((a, a) for a in AUDIT_ACTIONS)],
                        value="",
                        scale=1,
                    )
                    audit_show = gr.Button("Show", scale=1, elem_id="audit-show")
                audit_table = gr.Dataframe(
                    headers=AUDIT_HEADERS,
                    interactive=False,
                    wrap=True,
                    elem_id="audit-table",
                    # Wide enough for each column's longest word ("Clearance", "restricted", "extractive").
                    column_widths=["4%", "12%", "6%", "6%", "8%", "9%", "14%", "14%", "6%", "8%", "13%"],
                )
                audit_timer = gr.Timer(AUDIT_REFRESH_SECONDS, active=False)  # new entries appear while it is open
                with gr.Row():
                    audit_export = gr.Button("Export the log as CSV", elem_id="audit-export")
                    audit_file = gr.HTML(elem_id="audit-csv")

        history = History(on)
        relist = {
            "fn": history.conversation_list,
            "inputs": None,
            "outputs": conversation_list,
            "show_progress": "hidden",
        }
        question.submit(on.ask, [question], [chat, sources, question], concurrency_id="answer").then(**relist)
        new_chat.click(on.reset_chat, None, [chat, sources]).then(**relist)
        chat.clear(on.reset_chat, None, [chat, sources]).then(**relist)
        open_conversation.click(
            history.open_conversation,
            [conversation_list],
            [chat, sources, conversation_status, conversation_title],
            **CHOICES_CHECKED_BY_HANDLER,
        )
        rename_conversation.click(
            history.rename_conversation,
            [conversation_list, conversation_title],
            [conversation_list, conversation_status],
            **CHOICES_CHECKED_BY_HANDLER,
        )
        delete_conversation.click(
            history.confirm_deletion,
            [conversation_list],
            [delete_confirm, delete_question, conversation_status],
            **CHOICES_CHECKED_BY_HANDLER,
        )
        delete_no.click(history.cancel_deletion, None, [delete_confirm, delete_question, conversation_status])
        delete_yes.click(
            history.delete_conversation,
            [conversation_list],
            [conversation_list, delete_confirm, conversation_status, chat, sources],
            **CHOICES_CHECKED_BY_HANDLER,
        )
        chat.select(on.show_sources, None, sources)
        for trigger in (search_btn.click, query.submit):
            trigger(
                on.search,
                [query, k, report_filter, year_filter, kind_filter, status_filter],
                [results, selected, export_file, preview, found],
                concurrency_id="answer",
                **CHOICES_CHECKED_BY_HANDLER,
            )
        results.select(on.preview, None, preview)
        export_btn.click(on.export, [selected, include_restricted], export_file, **CHOICES_CHECKED_BY_HANDLER)
        # A refusal or a link beside the export button goes with the next change of the selection or the tick,
        # in the browser: a server round trip could land after a quick click on Export and wipe its new link.
        for changed in (selected.input, include_restricted.input):
            changed(None, None, export_file, js="() => ''", show_progress="hidden", queue=False)
        add_btn.click(
            on.add,
            [upload],
            [upload_result, library, upload, to_remove, report_filter, year_filter, version_row, version_choice],
            concurrency_limit=1,
            concurrency_id="ingest",
            show_progress_on=[upload_result],  # the library stays in view while the files are indexed
        )
        remove_btn.click(
            on.confirm_removal, [to_remove], [confirm_row, confirm_text, remove_result], **CHOICES_CHECKED_BY_HANDLER
        )
        confirm_no.click(on.cancel_removal, None, [confirm_row, confirm_text, remove_result])
        confirm_yes.click(
            on.remove,
            [to_remove],
            [remove_result, library, to_remove, report_filter, confirm_row],
            concurrency_id="ingest",
            **CHOICES_CHECKED_BY_HANDLER,
        )
        for button, settle in ((replace_btn, on.replace_version), (keep_btn, on.keep_both)):
            button.click(
                settle,
                [version_choice],
                [version_result, library, to_remove, report_filter, version_row, version_choice],
                concurrency_id="ingest",
                **CHOICES_CHECKED_BY_HANDLER,
            )
        refresh.click(on.refresh_library, None, library)
        audit_show.click(on.show_audit, [audit_user, audit_action], audit_table, **CHOICES_CHECKED_BY_HANDLER)
        audit_export.click(on.export_audit, [audit_user], audit_file)
        # fresh each time it is opened
        audit_tab.select(on.show_audit, [audit_user, audit_action], audit_table, **CHOICES_CHECKED_BY_HANDLER)
        audit_timer.tick(
            on.show_audit, [audit_user, audit_action], audit_table, show_progress="hidden", **CHOICES_CHECKED_BY_HANDLER
        )
        demo.load(on.load, None, [who, export_row, admin, library, report_filter, year_filter, to_remove])
        demo.load(on.load_audit, None, [audit_tab, audit_table, audit_timer])
        demo.load(**relist)
    return demo
