#!/usr/bin/env bash
# Create .venv and install the assistant with its test tools. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch is pinned (CPU build); an unpinned torch would pull a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet torch==2.13.0
# The [llm] extra (llama-cpp-python compiles once, ~7 min; pip caches the wheel) backs the LLM tests.
.venv/bin/python -m pip install --quiet -e ".[test,llm,bench]"
