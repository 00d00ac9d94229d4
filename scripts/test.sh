#!/usr/bin/env bash
# Set up and run the whole test suite (slow, server and browser tests included, as in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
# The browser tests drive Debian's Chromium; install it when missing (needs root and apt).
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Chromium is missing: install Debian's chromium and chromium-driver packages" >&2
  fi
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
# Lint and format first: a style slip fails fast, before the 9-minute suite.
.venv/bin/ruff check assistant tests bench scripts
.venv/bin/ruff format --check assistant tests bench scripts
.venv/bin/python -m pytest -q "$@"
