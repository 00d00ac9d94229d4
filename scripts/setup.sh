#!/usr/bin/env bash
# Create .venv and install the assistant. Safe to re-run.
#   bash scripts/setup.sh        what the app needs (scripts/demo.sh)
#   bash scripts/setup.sh test   also the test, LLM and benchmark extras (scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
MODE=${1:-app}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip

# torch is pinned to the CPU build: on Linux, PyPI's torch==2.13.0 is the multi-GB CUDA build.
# PyTorch publishes the CPU build on its own wheel index; use it when pip can reach it, else
# whatever pip's configured indexes hold (a mirror or local wheel folder with the CPU wheel).
TORCH_INDEX=${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  if command -v curl >/dev/null && curl -sf --max-time 5 -o /dev/null "$TORCH_INDEX/torch/"; then
    .venv/bin/python -m pip install --quiet torch==2.13.0 --index-url "$TORCH_INDEX" --extra-index-url https://pypi.org/simple
  else
    .venv/bin/python -m pip install --quiet torch==2.13.0
  fi
fi
if [ "$(.venv/bin/python -c 'import torch; print(torch.version.cuda or "")')" != "" ]; then
  echo "warning: the CUDA build of torch was installed (several GB, not needed here); for the CPU build run" >&2
  echo "  .venv/bin/python -m pip install --force-reinstall torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" >&2
fi

if [ "$MODE" != test ]; then
  .venv/bin/python -m pip install --quiet -e .
  exit 0
fi
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
