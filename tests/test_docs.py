"""The README's command list and settings table are the parser's and ``Settings``' own, and every
setting named anywhere in the docs or the code exists."""

import importlib.util
import re

from conftest import ROOT

from assistant.cli import build_parser
from assistant.settings import ENV_PREFIX, Settings

README = ROOT / "README.md"


def _docs_script():
    spec = importlib.util.spec_from_file_location("docs", ROOT / "scripts" / "docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docs = _docs_script()


def test_readme_command_list_and_settings_table_are_generated_from_the_code():
    text = README.read_text(encoding="utf-8")
    assert docs.render(text) == text, "README.md is out of date: run `python scripts/docs.py`"
    assert docs.settings_table() in text
    assert all(line in text for line in docs.synopsis())


def test_every_setting_and_every_command_is_described():
    assert all(f.description for f in Settings.model_fields.values())
    commands = [line.split()[1] for line in docs.synopsis()]
    assert set(commands) == set(build_parser()._subparsers._group_actions[0].choices)


def test_every_setting_named_in_the_docs_or_the_code_exists():
    known = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    files = [README, *(ROOT / "docs").glob("*.md"), *(ROOT / "assistant").glob("*.py"), *(ROOT / "scripts").glob("*")]
    named = {
        (path.name, name)
        for path in files
        if path.is_file()
        for name in re.findall(rf"\b{ENV_PREFIX}[A-Z_]+[A-Z]\b", path.read_text(encoding="utf-8"))
    }
    assert not {(f, n) for f, n in named if n not in known}, "settings named that do not exist"


def test_the_generator_notices_a_stale_table():
    text = README.read_text(encoding="utf-8")
    stale = text.replace("| `ASSISTANT_LOGIN_RATE` |", "| `ASSISTANT_LOGIN_RATES` |")
    assert docs.render(stale) == text


def test_the_two_commands_are_two_and_ci_runs_the_second():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Two commands") : text.index("## How data flows")]
    assert re.findall(r"```bash\n(.*?)\n```", section, re.S) == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci == ["bash scripts/test.sh"]
    demo = (ROOT / "scripts" / "demo.sh").read_text()
    assert "bash scripts/setup.sh\n" in demo, "the demo installs only what the app needs (no test, LLM or bench extras)"
    assert "bash scripts/setup.sh test\n" in (ROOT / "scripts" / "test.sh").read_text()
