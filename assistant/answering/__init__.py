"""Answering: a question becomes a short, cited answer or an abstention.

Takes the question and the index; hands on the passages retrieved (dense and lexical, fused
and re-ranked, within the user's clearance) and the answer drawn from them. The default
answerer is extractive, in stages, each a module: analysis (what the question asks for),
candidates (sentences, list items, table rows with their cells under their headers, form
fields), scoring (one entry point,
``scoring.choose``), abstention checks, extraction (the answer as the report words it), open
answers (a section's key points) and summaries (a whole report's). ``answerer`` runs them in
order; ``llm`` is the optional LLM answerer over the same passages; ``citations`` and ``conversation`` are the
citation line and the follow-ups. ``figures``, ``terms`` and ``entities`` are the vocabulary
they share; ``language`` tells a Welsh question, and ``relevance`` is the FOI finder's floor.

Modules, in data-flow order: figures, terms, entities, language, retrieval, relevance, analysis, candidates, scoring, abstention, extraction, open_answers, summaries, answerer, citations, conversation, llm
"""
