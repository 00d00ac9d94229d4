#!/usr/bin/env bash
# Set up, index the sample corpus and answer a sample question with its cited source passages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
.venv/bin/assistant ingest corpus
.venv/bin/assistant ask "How many requests for service did the service desk receive in 2018/19?"
.venv/bin/assistant ask "How much were the technology budgets underspent in 2018/19?"
.venv/bin/assistant search "Airwave variance" --k 3
