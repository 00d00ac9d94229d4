"""The web app: the Gradio chat, search, library and audit pages, and the server around them.

Takes the :class:`~assistant.api.Assistant` and the audit log; hands on HTTP. Every request
passes the gate (sessions bound to signed-in users, rate-limited sign-in, no cross-site
requests) before Gradio sees it; handlers are plain functions that check the user's role and
clearance on the server; ``render`` turns answers into escaped HTML and Markdown;
``conversations`` keeps each user's questions and answers and ``history`` lists, reopens (through
the user's clearance now), renames and deletes them; ``app`` is layout only.

Modules, in data-flow order: users, sessions, downloads, render, auditview, conversations, handlers, history, theme, app, signin, webgate, server
"""
