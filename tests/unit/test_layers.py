"""The library's architecture is a rule, and this file enforces it.

``src/analysis`` is layered (CONTRIBUTING.md has the diagram)::

    core < sources < contracts < methods < synthetic | present < inputs < chapters < book

A module may import modules of lower layers and modules of its own subpackage (never in a
cycle); ``synthetic`` and ``present`` stand side by side and do not import each other. Every
import of the package sits at the top of its module (none inside functions), no module imports
by a name read at run time (``importlib``, ``__import__``), and only ``inputs`` chooses between
real and synthetic data: chapters and notebooks never import ``analysis.synthetic``.
Each rule is also tested against a planted violation, so none of them can pass vacuously.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "analysis"

RANK = {"core": 0, "sources": 1, "contracts": 2, "methods": 3, "synthetic": 4, "present": 4,
        "inputs": 5, "chapters": 6, "book": 7}
#: Modules that may import ``analysis.synthetic`` (besides the layer itself).
SYNTHETIC_USERS = ("inputs",)
MAX_LINES = 600


def module_name(path: Path, pkg: Path) -> str:
    rel = path.relative_to(pkg.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _target(node: ast.ImportFrom, module: str, is_pkg: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(path: Path, module: str) -> list[tuple[int, str, bool]]:
    """(line, imported analysis module, at module level?) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set()
    for node in tree.body:
        top.add(node)
    out = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mod = _target(node, module, path.name == "__init__.py")
            names = [mod] + [f"{mod}.{a.name}" for a in node.names]
        names = [n for n in names if n.split(".")[0] == "analysis"]
        if names:
            out += [(node.lineno, n, node in top) for n in names]
    return out


def violations(pkg: Path = PKG) -> list[str]:
    """Every breach of the layer rules in the package at ``pkg``."""
    problems = []
    files = sorted(p for p in pkg.rglob("*.py") if "__pycache__" not in p.parts)
    modules = {module_name(p, pkg): p for p in files}
    graph: dict[str, set[str]] = {}
    for mod, path in modules.items():
        here = layer_of(mod)
        rel = path.relative_to(pkg.parent)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name in ("import_module", "__import__"):
                    problems.append(f"{rel}:{node.lineno}: imports a module by a run-time name")
        for line, target, at_top in imports(path, mod):
            if target not in modules:
                continue  # a name imported from a module, not a module
            there = layer_of(target)
            graph.setdefault(mod, set()).add(target)
            if not at_top:
                problems.append(f"{rel}:{line}: function-local import of {target}")
            if here is None or there is None or there == here:
                continue
            if here not in RANK or there not in RANK:
                problems.append(f"{rel}:{line}: {mod} or {target} is in no layer")
            elif RANK[there] >= RANK[here]:
                problems.append(f"{rel}:{line}: {here} imports {target} ({there} is not below)")
            elif there == "synthetic" and here not in SYNTHETIC_USERS:
                problems.append(f"{rel}:{line}: {here} imports {target}: only inputs chooses "
                                "synthetic data")
    problems += [f"import cycle: {' -> '.join(c)}" for c in cycles(graph)]
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp) + [sorted(comp)[0]])

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def notebook_violations(root: Path = ROOT) -> list[str]:
    problems = []
    for nb in sorted((root / "notebooks").glob("*.md")):
        for i, cell in enumerate(jupytext.read(nb).cells):
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            for node in ast.walk(tree):
                mods = []
                if isinstance(node, ast.Import):
                    mods = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    mods = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
                if any(m.startswith("analysis.synthetic") for m in mods):
                    problems.append(f"{nb.name} cell {i}: imports analysis.synthetic")
    return problems


# --------------------------------------------------------------------------- the rules hold
def test_the_package_keeps_its_layers():
    assert violations() == []


def test_notebooks_never_import_synthetic_data():
    assert notebook_violations() == []


def test_every_module_belongs_to_a_layer():
    for p in PKG.rglob("*.py"):
        rel = p.relative_to(PKG)
        assert len(rel.parts) == 2 or rel.name == "__init__.py", f"{rel} is in no layer"
        if len(rel.parts) == 2:
            assert rel.parts[0] in RANK, f"{rel.parts[0]} is not a layer"


def test_long_modules_say_why():
    """A module over ~600 lines states at its top why it is one module."""
    for p in sorted(PKG.rglob("*.py")):
        lines = p.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_LINES:
            doc = ast.get_docstring(ast.parse("\n".join(lines))) or ""
            assert "Why one module" in doc, (
                f"{p.relative_to(ROOT)} has {len(lines)} lines and no 'Why one module' "
                "paragraph in its docstring")


# --------------------------------------------------------------------------- and can fail
@pytest.fixture
def pkg_copy(tmp_path):
    dst = tmp_path / "analysis"
    shutil.copytree(PKG, dst, ignore=shutil.ignore_patterns("__pycache__"))
    return dst


def _plant(path: Path, line: str, *, in_function: bool = False) -> None:
    text = path.read_text(encoding="utf-8")
    if in_function:
        text += f"\n\ndef _planted():\n    {line}\n"
    else:
        text = line + "\n" + text
    path.write_text(text, encoding="utf-8")


def test_an_upward_import_is_caught(pkg_copy):
    _plant(pkg_copy / "methods" / "survey.py", "from analysis.chapters import health")
    assert any("methods imports analysis.chapters.health" in v for v in violations(pkg_copy))


def test_a_sideways_import_between_synthetic_and_present_is_caught(pkg_copy):
    _plant(pkg_copy / "present" / "plots.py", "from analysis.synthetic import synthtools")
    assert any("present imports analysis.synthetic" in v for v in violations(pkg_copy))


def test_a_chapter_importing_synthetic_data_is_caught(pkg_copy):
    _plant(pkg_copy / "chapters" / "health.py", "from analysis.synthetic import synth_survey")
    assert any("only inputs chooses" in v for v in violations(pkg_copy))


def test_a_function_local_import_is_caught(pkg_copy):
    _plant(pkg_copy / "core" / "text.py", "from analysis.core import geo", in_function=True)
    assert any("function-local import of analysis.core.geo" in v for v in violations(pkg_copy))


def test_an_import_by_runtime_name_is_caught(pkg_copy):
    _plant(pkg_copy / "sources" / "catalog.py",
           "import importlib; importlib.import_module('analysis.chapters.health')",
           in_function=True)
    assert any("run-time name" in v for v in violations(pkg_copy))


def test_a_cycle_inside_a_layer_is_caught(pkg_copy):
    _plant(pkg_copy / "core" / "geo.py", "from analysis.core import text")
    _plant(pkg_copy / "core" / "text.py", "from analysis.core import geo")
    assert any(v.startswith("import cycle") for v in violations(pkg_copy))


def test_a_notebook_importing_synthetic_is_caught(tmp_path):
    (tmp_path / "notebooks").mkdir()
    text = (ROOT / "notebooks" / "01_befolkning.md").read_text(encoding="utf-8")
    (tmp_path / "notebooks" / "x.md").write_text(
        text + "\n```{code-cell} ipython3\nfrom analysis.synthetic import synth_ung\n```\n",
        encoding="utf-8")
    found = notebook_violations(tmp_path)
    assert len(found) == 1 and found[0].endswith("imports analysis.synthetic")
