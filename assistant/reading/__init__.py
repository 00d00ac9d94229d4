"""Reading: a report file becomes pages of clean text, then structure-aware chunks.

Takes a PDF or text file (and an optional sidecar or manifest of metadata); hands on a
:class:`~assistant.documents.SourceDocument`: its pages, metadata (title, date, disclosure
status) and any active content in the PDF, and its :class:`~assistant.documents.Chunk` s:
numbered paragraphs under their headings, table rows with their column headers, whole tables.
PDFs are parsed in an isolated worker with time and memory limits, and pages with no text layer
(scans) are read there by OCR; ``guard`` recognises text
addressed to a model; page images for evidence are rendered here too. Nothing here knows of
the index.

Modules, in data-flow order: isolation, legibility, spacing, stacking, scantables, guard, cleaning, flowed, disclosure, metadata, layout, scanorder, ocr, tables, loading, chunking, evidence
"""
