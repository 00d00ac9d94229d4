"""Imports flow one way: no module imports from a later layer than its own (the layers are
listed in the package docstring)."""

import ast
import re
from pathlib import Path

import assistant

PACKAGE = Path(assistant.__file__).parent


def _layers() -> dict[str, int]:
    layers = {}
    for n, names in re.findall(r"^(\d)\. \w+: (.+)$", assistant.__doc__, re.M):
        for name in names.split(", "):
            layers[name.strip()] = int(n)
    return layers


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {a.name for a in node.names}
    return found


def test_every_module_has_a_layer_and_imports_flow_one_way():
    layers = _layers()
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules == set(layers), (
        f"modules without a layer: {modules - set(layers)}; listed but missing: {set(layers) - modules}"
    )
    upward = [
        f"{name} (layer {layers[name]}) imports {dep} (layer {layers[dep]})"
        for name in sorted(modules)
        for dep in _imports(PACKAGE / f"{name}.py")
        if layers[dep] > layers[name]
    ]
    assert not upward, upward


def test_the_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / "figures.py"
    bad.write_text("from .api import Assistant\n", encoding="utf-8")
    layers = _layers()
    assert any(layers[dep] > layers["figures"] for dep in _imports(bad))


CALLERS = ("cli", "app", "handlers", "server", "evaluation")  # the command line, the app, its server, the evaluation
BEHIND_THE_DOOR = {"index", "lexical", "store", "ingest", "library", "retrieval", "embedding"}


def _names_assistant(node: ast.AST) -> bool:
    """``assistant`` or ``something.assistant``: the façade whose index a caller must not reach into."""
    return (isinstance(node, ast.Name) and node.id == "assistant") or (
        isinstance(node, ast.Attribute) and node.attr == "assistant"
    )


def test_the_callers_reach_the_index_only_through_the_assistant():
    """No caller imports what ``Assistant`` wraps, or reaches into its index or retriever."""
    reaching = {}
    for name in CALLERS:
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        wrapped = _imports(PACKAGE / f"{name}.py") & BEHIND_THE_DOOR
        attributes = {
            n.attr
            for n in ast.walk(tree)
            if isinstance(n, ast.Attribute)
            and (n.attr in {"retriever", "lexical", "vectors"} or (n.attr == "index" and _names_assistant(n.value)))
        }
        if wrapped or attributes:
            reaching[name] = sorted(wrapped | attributes)
    assert not reaching, reaching
