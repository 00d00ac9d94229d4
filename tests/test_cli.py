import csv
import io
import json
import shutil
from contextlib import redirect_stdout

import pytest
from conftest import GWENT_TXT

from assistant.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    (root / "r").mkdir()
    shutil.copy(GWENT_TXT, root / "r" / GWENT_TXT.name)
    assert main(["ingest", str(root / "r"), "--index", str(root / "idx"), "--no-progress"]) == 0
    return root / "idx"


def run(args: list[str]) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(args) == 0
    return buf.getvalue()


def test_search_json_has_citation_fields(index_dir):
    out = json.loads(run(["search", "requests for service 2018/19", "--index", str(index_dir), "--json", "--k", "3"]))
    assert out["results"] and out["latency_ms"] >= 0
    first = out["results"][0]
    for key in ("document", "source", "page", "paragraph", "heading", "text", "score"):
        assert key in first
    assert any("24,635" in r["text"] for r in out["results"])


def test_search_csv_export(index_dir):
    rows = list(csv.DictReader(io.StringIO(run(["search", "Airwave variance", "--index", str(index_dir), "--csv"]))))
    assert rows and rows[0]["rank"] == "1" and rows[0]["document"].startswith("Annual Report")


def test_search_report_filter(index_dir):
    out = json.loads(run(["search", "budget", "--index", str(index_dir), "--json", "--report", "no-such-report"]))
    assert out["results"] == []
