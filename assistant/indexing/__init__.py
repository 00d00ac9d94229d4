"""Indexing: chunks become a searchable, persisted index, and the report library over it.

Takes report files, read into chunks by the reading stage; hands on an
:class:`~assistant.indexing.index.Index`: dense vectors in Chroma (our own sentence encoder,
never Chroma's default), a lexical index of the same chunks, and a registry row per report
(content id, metadata, disclosure, and the flags ingest sets: text addressed to a model, active
PDF content). Ingest is per file: a file that fails is reported by name and leaves the index as
it was. The library adds, replaces and removes reports for the app.

Modules, in data-flow order: embedding, lexical, store, index, ingest, library
"""
