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
# Built for any x86-64 with AVX2, not for this CPU: a -march=native build crashed in llama.cpp's
# decode on a CPU with AVX-512 FP16.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"
.venv/bin/python -m pip install --quiet -e ".[test,llm,bench]"
# A cached llama.cpp wheel built elsewhere may not run here: check it answers, rebuild it once if not.
if ! .venv/bin/python scripts/llm_smoke.py; then
  echo "llama-cpp-python does not run on this machine; rebuilding it (about 7 minutes)" >&2
  .venv/bin/python -m pip cache remove llama_cpp_python >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet --force-reinstall --no-deps "$(.venv/bin/python -c 'import importlib.metadata as m; print("llama-cpp-python==" + m.version("llama-cpp-python"))')"
  .venv/bin/python scripts/llm_smoke.py
fi
