"""Regenerate the README's command list and settings table from the CLI parser and ``Settings``.

Usage: python scripts/docs.py          (rewrites README.md in place)
       python scripts/docs.py --check  (exit 1 if README.md is out of date; tests/test_docs.py does this)

Each block sits between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from assistant.cli import build_parser
from assistant.settings import ENV_PREFIX, Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def synopsis(parser: argparse.ArgumentParser | None = None) -> list[str]:
    """One line per command, as the README lists them, read from the parser itself."""
    lines: list[str] = []

    def walk(p: argparse.ArgumentParser, words: list[str]) -> None:
        sub = next((a for a in p._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is not None:
            for name, child in sub.choices.items():
                walk(child, [*words, name])
            return
        grouped = {a: g for g in p._mutually_exclusive_groups for a in g._group_actions}
        parts, done = list(words), set()
        for a in p._actions:
            if isinstance(a, argparse._HelpAction) or a in done:
                continue
            group = grouped.get(a)
            if group is not None:
                done |= set(group._group_actions)
                parts.append("[" + " | ".join(_usage(x) for x in group._group_actions) + "]")
            elif a.option_strings and not a.required:
                parts.append(f"[{_usage(a)}]")
            else:
                parts.append(_usage(a))
        lines.append(" ".join(parts))

    walk(parser or build_parser(), ["assistant"])
    return lines


def _usage(a: argparse.Action) -> str:
    value = "|".join(a.choices) if a.choices else a.metavar or a.dest.upper()
    if a.nargs == "+":
        value = f"{value} [{value} ...]" if not a.option_strings else f"{value} ..."
    if not a.option_strings:
        return value
    return a.option_strings[0] if a.nargs == 0 else f"{a.option_strings[0]} {value}"


def _shown(default: Any) -> str:
    if default is None:
        return "unset"
    if isinstance(default, Path):
        return f"`./{default}`"
    return f"`{default:g}`" if isinstance(default, float) else f"`{default}`"


def settings_table() -> str:
    """The settings as the README's Markdown table: variable, meaning, default."""
    rows = ["| variable | meaning | default |", "| --- | --- | --- |"]
    for name, f in Settings.model_fields.items():
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        shown = extra.get("shown") or _shown(f.default)
        rows.append(f"| `{ENV_PREFIX}{name.upper()}` | {f.description} | {shown} |")
    return "\n".join(rows)


def blocks() -> dict[str, str]:
    return {
        "commands": "```bash\n" + "\n".join(synopsis()) + "\n```",
        "settings": settings_table(),
    }


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, body in blocks().items():
        pattern = re.compile(rf"(<!-- generated: {name} -->\n)(?:.*?\n)?(<!-- end: {name} -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"README.md has no '<!-- generated: {name} -->' block")
        text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    return text


def main() -> int:
    text = README.read_text(encoding="utf-8")
    fresh = render(text)
    if "--check" in sys.argv:
        return 0 if fresh == text else 1
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
