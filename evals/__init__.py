"""The evaluation question sets and gate thresholds, installed as ``assistant.evals`` (data only)."""
