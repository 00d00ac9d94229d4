#!/usr/bin/env bash
# Set up, index the sample corpus, answer a sample question on the command line, then open the
# app on http://127.0.0.1:7860. With no users file yet, the app runs with a one-off local demo
# account whose password is printed below; create real accounts with `assistant users add`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
QUESTION="How many requests for service did the service desk receive in 2018/19?"
echo "Indexing the sample reports in corpus/ (into ${ASSISTANT_INDEX_DIR:-index}/)"
.venv/bin/assistant ingest corpus
echo
echo "Asking on the command line: $QUESTION"
.venv/bin/assistant ask "$QUESTION"
echo
echo "Starting the app (Ctrl+C stops it)"
if [ -s "${ASSISTANT_USERS_FILE:-users.json}" ]; then
  exec .venv/bin/assistant serve
else
  exec .venv/bin/assistant serve --demo
fi
