"""The walk a question takes through the package: the modules ``Assistant.ask`` enters, in order.

A module is entered when one of its functions is called; the walk merges consecutive calls in
one module. Printed: how often the walk goes back to a module it has left, for the whole ask
and for the answerer's part (from ``extract``'s call to its return), each counted twice: over
every module, and over the stages only, with calls into the shared vocabulary (figures, terms,
entities, the guard, the shared types, settings, metadata, disclosure) counted as part of the
caller's visit. Works on the flat layout and on the subpackages alike, so the same script
measures before and after a move (run it with ``PYTHONPATH`` set to the other tree): the flat
``answering.py``'s functions are counted under the stage module that holds them now.

    python bench/walk_ask.py [--index DIR] [--questions N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import assistant

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(assistant.__file__).resolve().parent
VOCABULARY = {"figures", "terms", "entities", "guard", "documents", "settings", "metadata", "disclosure"}
# The one-module answerer of the flat layout, its functions by the stage module that holds them now.
FLAT_ANSWERER = {
    "analysis": "analyse total",
    "candidates": "units_of _table_cells _fields _heading_field framing figure_cells _has_type _names_someone "
    "_is_paragraph_number _novelty _label_share _cell_fit _in_period choose_cells _header_fit",
    "scoring": "contradicted _measure _amounts disagrees _whole_sentence _coverage _phrase_bonus _total_row score "
    "_unasked_direction",
    "abstention": "_within_financial_year _unmatched_constraint _year_conflict _period_conflict",
    "extraction": "_money compose _trim",
    "open_answers": "_points _open_answer",
    "answerer": "extract",
    "terms": "_capitalised_phrases _acronyms",
}
STAGE_OF = {name: stage for stage, names in FLAT_ANSWERER.items() for name in names.split()}


def _module(frame) -> str | None:
    """The package module a frame runs in (None outside the package); the flat answerer's by stage."""
    try:
        module = str(Path(frame.f_code.co_filename).resolve().relative_to(PACKAGE).with_suffix(""))
    except ValueError:
        return None
    if module == "answering":
        while frame.f_code.co_name.startswith("<"):  # a comprehension or lambda: its function's stage
            frame = frame.f_back
        return "answering/" + STAGE_OF.get(frame.f_code.co_name, "answering")
    return module


def trace(ask, question: str) -> tuple[list[str], list[str]]:
    """The modules entered during ``ask(question)`` in order, and those entered inside ``extract``."""
    calls: list[str] = []
    inside: list[str] = []
    extract_frames: list[object] = []

    def profile(frame, event, _arg):
        if event == "call":
            module = _module(frame)
            if module is None:
                return
            calls.append(module)
            if frame.f_code.co_name == "extract" and module.endswith("answerer"):
                extract_frames.append(frame)
            if extract_frames:
                inside.append(module)
        elif event == "return" and extract_frames and frame is extract_frames[-1]:
            extract_frames.pop()

    sys.setprofile(profile)
    try:
        ask(question)
    finally:
        sys.setprofile(None)
    return calls, inside


def walk(modules: list[str], stages_only: bool) -> list[str]:
    kept = [m for m in modules if not (stages_only and m.split("/")[-1] in VOCABULARY)]
    return [m for i, m in enumerate(kept) if i == 0 or kept[i - 1] != m]


def returns(path: list[str]) -> int:
    """How many times the walk enters a module it has already left."""
    return len(path) - len(set(path))


def _index(folder: Path) -> Path:
    try:
        from assistant.indexing.ingest import ingest
    except ImportError:  # the flat layout
        from assistant.ingest import ingest
    from assistant.settings import Settings

    settings = Settings(index_dir=folder)
    ingest([ROOT / "evals" / "text-renditions"], settings, progress=False)
    return folder


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", type=Path, help="an index to ask (default: the text renditions, indexed afresh)")
    ap.add_argument("--questions", type=int, default=20, help="how many hand-written questions to follow")
    args = ap.parse_args()
    from assistant.api import Assistant

    items = [json.loads(line) for line in (ROOT / "evals" / "questions.jsonl").read_text().splitlines() if line]
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index or _index(Path(tmp) / "index")
        bot = Assistant(index).load()
        try:
            bot.ask(items[0]["question"])  # warm: the first ask loads the encoder
            rows = []
            for item in items[: args.questions]:
                calls, inside = trace(bot.ask, item["question"])
                rows.append(
                    {
                        "ask_all": returns(walk(calls, False)),
                        "ask_stages": returns(walk(calls, True)),
                        "answerer_all": returns(walk(inside, False)),
                        "answerer_stages": returns(walk(inside, True)),
                    }
                )
            example, whole = walk(inside, True), walk(calls, True)
        finally:
            bot.close()
    print(f"package at {PACKAGE}; {len(rows)} questions; returns to a module already left, mean per question:")
    for key in rows[0]:
        print(f"  {key:16} {sum(r[key] for r in rows) / len(rows):8.1f}")
    for name, path in (("the ask's", whole), ("the answerer's", example)):
        shown = " → ".join(path[:40]) + (f" → … ({len(path)} visits)" if len(path) > 40 else "")
        print(f"{name} walk over the stages, last question: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
