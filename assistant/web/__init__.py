"""The web app: the Gradio chat, search, library and audit pages, and the server around them.

Takes the :class:`~assistant.api.Assistant` and the audit log; hands on HTTP. Every request
passes the gate (sessions bound to signed-in users, rate-limited sign-in, no cross-site
requests) before Gradio sees it; handlers are plain functions that check the user's role and
clearance on the server; ``render`` turns answers into escaped HTML and Markdown; ``app`` is
layout only.

Modules, in data-flow order: users, sessions, downloads, render, auditview, handlers, app, signin, webgate, server
"""
