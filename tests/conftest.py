import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

for key, value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
}.items():
    os.environ[key] = value
# Commands and servers a test starts without naming an audit log write to one in a temporary folder,
# never to the repository's (the default is audit.sqlite3 in the working folder) nor to a real one.
os.environ["ASSISTANT_AUDIT_DB"] = os.path.join(tempfile.mkdtemp(prefix="assistant-audit-"), "audit.sqlite3")

sys.path.insert(0, str(Path(__file__).parent))
ROOT = Path(__file__).resolve().parent.parent
try:  # Hypothesis keeps its example database and caches in a temporary folder, not in the repository
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(tempfile.mkdtemp(prefix="hypothesis-"))
except ImportError:
    pass
sys.path.insert(0, str(ROOT / "bench"))

from common import free_port, running  # noqa: E402,F401  (bench/common.py; free_port is re-exported to the tests)

CORPUS = ROOT / "corpus"  # the sample reports, as PDFs
TEXTS = ROOT / "evals" / "text-renditions"  # the same reports as extracted text (an evaluation fixture)
GWENT_TXT = TEXTS / "gwent-ict-digital-services-annual-report-2018-19.txt"
GWENT_PDF = CORPUS / "gwent-ict-digital-services-annual-report-2018-19.pdf"


def require_benchmark(path: Path, what: str) -> None:
    """Skip, saying why, when a benchmark read from ``../shared`` is absent; in CI (``CI`` set) fail instead:
    a gate that quietly skips there gates nothing."""
    if path.exists():
        return
    message = f"{path} is absent: {what} is read from ../shared/benchmarks/"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so missing benchmark data is a failure)")
    pytest.skip(message)


@pytest.fixture
def settings(tmp_path):
    from assistant.settings import Settings

    return Settings(index_dir=tmp_path / "index")


FAKE_MODEL = Path("/nonexistent/hashing-encoder")  # never loaded from disk: served by use_encoder


class HashingModel:
    """A small deterministic stand-in for the sentence-transformer (words hashed into 384 signed
    dimensions), for tests of the pipeline's plumbing; retrieval quality is tested with the real model."""

    dimensions = 384

    def encode(self, texts: list[str], normalize_embeddings: bool = True, **_):
        import hashlib
        import re

        import numpy as np

        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
                out[i, h % self.dimensions] += 1.0 if h >> 63 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


@pytest.fixture(scope="session")
def fake_encoder():
    """The hashing encoder plugged in through the real ``Encoder`` for ``FAKE_MODEL``; returns that model path."""
    from assistant.indexing.embedding import Encoder, use_encoder

    use_encoder(FAKE_MODEL, Encoder(FAKE_MODEL, model=HashingModel()))
    return FAKE_MODEL


@pytest.fixture
def fast_settings(tmp_path, fake_encoder):
    """Settings for a fresh index in ``tmp_path`` embedded by the hashing encoder (no model load)."""
    from assistant.settings import Settings

    return Settings(index_dir=tmp_path / "index", embedding_model=fake_encoder, upload_dir=tmp_path / "uploads")


@pytest.fixture
def gwent_dir(tmp_path):
    """A folder holding the Gwent ICT annual report as text and as PDF."""
    d = tmp_path / "reports"
    d.mkdir()
    shutil.copy(GWENT_TXT, d / GWENT_TXT.name)
    shutil.copy(GWENT_PDF, d / GWENT_PDF.name)
    return d


@pytest.fixture
def gwent_text(tmp_path, fast_settings):
    """An assistant over the Gwent ICT annual report as text, indexed with the hashing encoder."""
    from assistant.api import Assistant

    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(GWENT_TXT, reports / GWENT_TXT.name)
    with Assistant(settings=fast_settings) as assistant:
        assistant.ingest([reports])
        yield assistant


@pytest.fixture(scope="session")
def gwent_index(tmp_path_factory):
    """An index of the Gwent ICT annual report (text and PDF) and the Cumbria strategy (text), built once."""
    from assistant.indexing.ingest import ingest
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("gwent-index")
    folder = root / "reports"
    folder.mkdir()
    for f in (GWENT_TXT, GWENT_PDF, TEXTS / "cumbria-ict-strategy-2015-2019-november-2015-update.txt"):
        shutil.copy(f, folder / f.name)
    summary = ingest([folder], Settings(index_dir=root / "index"), progress=False)
    assert summary.failed == 0
    return root / "index"


@contextlib.contextmanager
def local_server(
    command: list[str], ready_url: str, timeout: float = 120.0, env: dict | None = None, log: Path | None = None
):
    """Run a server process on 127.0.0.1 until ``ready_url`` answers; stop it afterwards.

    Its output goes to ``log`` (a temporary file when not given), whose end is attached to the
    report of any test that fails while it runs: a handler's traceback is only in the server's output."""
    with contextlib.ExitStack() as stack:
        if log is None:
            log = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="server-log-"))) / "server.log"
        _SERVER_LOGS.append(log)
        stack.callback(_SERVER_LOGS.remove, log)
        try:
            with running(command, ready_url, timeout, env, log) as proc:
                try:
                    yield proc
                except BaseException:  # a test failed inside the with-block: say what the server said
                    print(f"server output ({' '.join(command[:4])}), its end:\n{_tail(log)}", file=sys.stderr)
                    raise
        except RuntimeError as exc:
            pytest.fail(f"{exc}\n{_tail(log)}")


_SERVER_LOGS: list[Path] = []  # the output files of the servers running now


def _tail(log: Path, lines: int = 60) -> str:
    try:
        return "".join(log.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)[-lines:])
    except OSError:
        return ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.failed:
        for log in _SERVER_LOGS:
            report.sections.append(("server output, its end", _tail(log)))


def cli(
    *args: str, stdin: str | None = None, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """``assistant ARGS`` in a fresh process from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )


def passage(text: str, kind: str = "paragraph", para: str = "5.2", heading: str = "Finance", **meta):
    """A retrieved passage of a made-up annual report (metadata overridable), for answer tests."""
    from assistant.documents import Passage

    m = {"title": "Annual Report – ICT 2018/19", "date": "2019-09-04", "doc_id": "d", **meta}
    return Passage(f"d:{hash(text)}", m["title"], "r.txt", 6, para, heading, kind, text, 1.0, m)


# Tests write only to temporary folders (and their reports to test-artifacts/): the repository tree is the
# same after the run as before it, checked once for the whole session.
_OUTPUTS = ("test-artifacts/", ".pytest_cache/", ".venv/", ".git/", "opcc_assistant.egg-info/")  # the last: setup's


def _tree() -> dict[str, tuple[str, int, int]] | None:
    """Each changed, untracked or ignored file of the repository (outputs aside): its git status, and for an
    ignored file its size and mtime."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain=v1", "-z", "--ignored", "--untracked-files=all"],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None  # not a git checkout: nothing to compare against
    state = {}
    for entry in out.decode("utf-8", "surrogateescape").split("\0"):
        path = entry[3:]
        if not path or path.startswith(_OUTPUTS) or "__pycache__/" in path or ".egg-info/" in path:
            continue
        if entry[:2] != "!!":  # a source file being edited meanwhile is no test's doing: its status is enough
            state[path] = (entry[:2], 0, 0)
            continue
        try:  # an ignored file (an audit log, an index) written to by a test changes size or time
            st = (ROOT / path).stat()
            state[path] = (entry[:2], st.st_size, st.st_mtime_ns)
        except OSError:
            state[path] = (entry[:2], -1, -1)
    return state


def pytest_sessionstart(session):
    session.config._tree_before = _tree()


def pytest_sessionfinish(session, exitstatus):
    before, after = getattr(session.config, "_tree_before", None), _tree()
    if before is None or after is None or getattr(session.config, "workerinput", None):
        return
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "the tests changed the repository tree (write to tmp_path instead): " + ", ".join(changed[:20])
        if reporter:
            reporter.write_line("")
            reporter.write_sep("!", message, red=True)
        else:
            print(message, file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
