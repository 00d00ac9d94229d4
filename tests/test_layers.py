"""The package is laid out as its pipeline and imports flow one way: no part imports from a later
part (the parts are listed in the package docstring), and within a subpackage no module imports
from a later module (the order is in the subpackage's docstring)."""

import ast
import re
from pathlib import Path

import assistant

PACKAGE = Path(assistant.__file__).parent
SUBPACKAGES = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py") if p.parent.name != "data")
MAX_TOP_MODULES = 10
MAX_LINES = 700


def _parts(doc: str | None = assistant.__doc__) -> dict[str, int]:
    """Each top-level module or subpackage (``reading/``) -> its part's number, from the package docstring."""
    parts = {}
    for n, names in re.findall(r"^(\d)\. \w+: (.+)$", doc or "", re.M):
        for name in names.split(", "):
            parts[name.strip().rstrip("/")] = int(n)
    return parts


def _order(subpackage: str) -> dict[str, int]:
    """A subpackage's modules -> their place in the data-flow order its docstring gives."""
    doc = ast.get_docstring(ast.parse((PACKAGE / subpackage / "__init__.py").read_text(encoding="utf-8"))) or ""
    m = re.search(r"^Modules, in data-flow order: (.+)$", doc, re.M)
    assert m, f"{subpackage}/__init__.py names no module order"
    return {name.strip(): i for i, name in enumerate(m.group(1).split(", "))}


def _imports(path: Path, subpackage: str | None) -> set[tuple[str, str]]:
    """The package's own imports of a module as (part, module): ``("answering", "figures")``,
    ``("settings", "")`` for a top-level module. ``subpackage`` is where the module lives (None: the
    top). Relative and absolute (``assistant.x``) imports alike, wherever they stand in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            dotted = [a.name.split(".")[1:] for a in node.names if a.name.split(".")[0] == "assistant"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            if (node.module or "").split(".")[0] != "assistant":
                continue
            inner = node.module.split(".")[1:]
            dotted = [inner] if inner else [[a.name] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = [subpackage] if node.level == 1 and subpackage else []
            if node.level > (2 if subpackage else 1):
                raise AssertionError(f"{path}: an import reaching above the package")
            inner = [*base, *(node.module.split(".") if node.module else [])]
            dotted = [inner] if node.module else [[*inner, a.name] for a in node.names]
        else:
            continue
        found |= {(d[0], d[1] if len(d) > 1 and d[0] in SUBPACKAGES else "") for d in dotted if d}
    return found


def _modules() -> list[tuple[str | None, Path]]:
    top = [(None, p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"]
    return top + [(s, p) for s in SUBPACKAGES for p in sorted((PACKAGE / s).glob("*.py"))]


def test_the_tree_is_the_pipeline():
    parts = _parts()
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert top | set(SUBPACKAGES) == set(parts), (
        f"without a part: {(top | set(SUBPACKAGES)) - set(parts)}; listed but missing: {set(parts) - top - set(SUBPACKAGES)}"
    )
    assert len(list(PACKAGE.glob("*.py"))) <= MAX_TOP_MODULES
    for sub in SUBPACKAGES:
        modules = {p.stem for p in (PACKAGE / sub).glob("*.py")} - {"__init__"}
        assert modules == set(_order(sub)), f"{sub}: modules {sorted(modules)} against its docstring's order"
    long = {str(p.relative_to(PACKAGE)): n for _, p in _modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long


def _upward(subpackage: str | None, name: str, path: Path) -> list[str]:
    """The imports of module ``name`` (at ``path``, in ``subpackage`` or at the top) that go against the flow."""
    parts = _parts()
    own = subpackage or name
    where = f"{subpackage}/{name}" if subpackage else name
    bad = []
    for part, module in _imports(path, subpackage):
        if part not in parts:
            bad.append(f"{where} imports {part}, which has no part")
        elif parts[part] > parts[own]:
            bad.append(f"{where} (part {parts[own]}) imports {part} (part {parts[part]})")
        elif part == subpackage and name != "__init__":
            order = _order(part)
            if module not in order or order[module] > order[name]:
                bad.append(f"{where} imports {module or part}, later in {subpackage}'s order or not in it")
    return bad


def test_imports_flow_one_way_between_parts_and_within_each_subpackage():
    upward = [line for sub, path in _modules() for line in _upward(sub, path.stem, path)]
    assert not upward, upward


def test_the_check_catches_an_upward_import(tmp_path):
    cases = [
        ("reading", "cleaning", "from ..answering.figures import figures\n"),  # a stage reaching a later one
        ("answering", "analysis", "from .scoring import choose\n"),  # analysis comes before scoring
        ("answering", "analysis", "def f():\n    from ..api import Assistant\n"),  # inside a function
        ("answering", "analysis", "from .. import api\n"),
        ("reading", "cleaning", "import assistant.web.users\n"),  # absolute
        ("reading", "cleaning", "from assistant.indexing import store\n"),
        ("reading", "__init__", "from ..web import users\n"),  # a subpackage's own __init__
        (None, "audit", "from .web.users import User\n"),  # the door reaching into the web app
    ]
    for sub, name, source in cases:
        bad = tmp_path / f"{sub}-{name}.py"
        bad.write_text(source, encoding="utf-8")
        assert _upward(sub, name, bad), (sub, name, source)
    fine = tmp_path / "fine.py"
    fine.write_text(
        "from ..documents import Passage\nfrom .figures import periods\nimport assistant\n", encoding="utf-8"
    )
    assert not _upward("answering", "analysis", fine)


CALLERS = (None, "cli"), (None, "evaluation"), ("web", "app"), ("web", "handlers"), ("web", "server")
BEHIND_THE_DOOR = {("answering", "retrieval")}  # and all of indexing/


def _names_assistant(node: ast.AST) -> bool:
    """``assistant`` or ``something.assistant``: the façade whose index a caller must not reach into."""
    return (isinstance(node, ast.Name) and node.id == "assistant") or (
        isinstance(node, ast.Attribute) and node.attr == "assistant"
    )


def test_the_callers_reach_the_index_only_through_the_assistant():
    """No caller (the command line, the app, its server, the evaluation) imports what ``Assistant``
    wraps, or reaches into its index or retriever."""
    reaching = {}
    for sub, name in CALLERS:
        path = PACKAGE / (sub or "") / f"{name}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        wrapped = {f"{p}.{m}" for p, m in _imports(path, sub) if p == "indexing" or (p, m) in BEHIND_THE_DOOR}
        attributes = {
            n.attr
            for n in ast.walk(tree)
            if isinstance(n, ast.Attribute)
            and (n.attr in {"retriever", "lexical", "vectors"} or (n.attr == "index" and _names_assistant(n.value)))
        }
        if wrapped or attributes:
            reaching[name] = sorted(wrapped | attributes)
    assert not reaching, reaching
