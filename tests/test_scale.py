"""bench/scale_bench.py --grow with bench/simvectors.py, shortened: a synthetic archive grows in
steps, with simulated passage vectors, and is measured at each step."""

import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT


@pytest.mark.slow
def test_simulated_vectors_sit_in_the_model_space_near_the_real_ones():
    from simvectors import WordMeanModel

    from assistant.indexing.embedding import get_encoder

    real = get_encoder().model
    passages = [
        "The ICT and digital budgets were underspent for the year by £1.2 million.",
        "Independent custody visitors made 312 visits to detainees in police custody.",
        "Speeding offences processed by safety cameras rose on rural roads.",
        "Victims of domestic abuse were referred to the victim care unit.",
    ]
    simulated = WordMeanModel(real).encode(passages)
    actual = real.encode(passages, normalize_embeddings=True)
    assert np.allclose(np.linalg.norm(simulated, axis=1), 1.0, atol=1e-5)
    similarity = simulated @ actual.T
    assert list(similarity.argmax(axis=1)) == [0, 1, 2, 3], similarity  # each nearest its own real encoding


@pytest.mark.slow
def test_an_archive_grows_in_steps_and_is_measured_at_each(tmp_path):
    archive, index = tmp_path / "archive", tmp_path / "index"
    run = lambda *args: subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT)  # noqa: E731
    made = run("bench/synth.py", str(archive), "--reports", "10", "--quarterly", "--pdf-share", "0.3")
    assert made.returncode == 0, made.stderr
    grown = run(
        "bench/scale_bench.py", "--index", str(index), "--questions", str(archive / "questions.jsonl"),
        "--grow", str(archive / "reports"), "--steps", "120,300", "--sample", "4",
    )  # fmt: skip
    assert grown.returncode == 0, grown.stdout + grown.stderr[-3000:]
    steps = re.findall(r'grew by (\d+) reports: \{"files": \{"indexed": (\d+)\}', grown.stdout)
    assert len(steps) == 2 and all(n == indexed for n, indexed in steps), grown.stdout
    table = grown.stdout.split("| | ")[-1]  # the last table: one column per step
    chunks = [int(c.replace(",", "")) for c in table.splitlines()[0].strip(" |").split(" | ")]
    assert len(chunks) == 2 and 60 < chunks[0] < chunks[1] and chunks[1] > 200, table
    for figure in ("cold ask s", "open s", "ask (embedded)", "public ask (embedded)", "disk MB", "build min"):
        assert f"| {figure}" in table, figure
    assert "on 4 questions" in grown.stdout  # questions about the reports in the index were asked
