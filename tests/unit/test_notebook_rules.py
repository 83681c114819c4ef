"""Notebooks tell the story; the library does the work. These rules keep it that way.

Each chapter notebook (MyST text under ``notebooks/``) is linted with the project's ruff rules,
and its code cells hold no function or class definitions, loops, lambdas, reshaping chains
(groupby, pivot, merge, concat, apply …) or literal years: those belong in ``src/analysis``,
where they are unit-tested, and in the edition's parameters. A newcomer can then trace any
number from a cell to one chapter function. Every rule is also shown to fail on a planted cell.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.md"))
#: pandas methods that reshape or aggregate: a chapter function does this, not a cell.
RESHAPING = {"pivot", "pivot_table", "melt", "stack", "unstack", "groupby", "merge", "concat",
             "explode", "crosstab", "apply", "agg", "aggregate", "transform",
             "wide_to_long", "applymap"}
#: Whole numbers in this range read as years: they come from params or the library.
YEARS = range(1950, 2101)


def code_cells(nb: Path) -> list[tuple[int, str, bool]]:
    """(index, source, is the parameters cell) of every code cell."""
    return [(i, c.source, "parameters" in c.metadata.get("tags", []))
            for i, c in enumerate(jupytext.read(nb).cells) if c.cell_type == "code"]


def cell_problems(source: str, parameters: bool = False) -> list[str]:
    """What a code cell does that belongs in the library (the parameters cell holds the
    default edition's years, which papermill replaces)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Lambda):
            out.append(f"line {node.lineno}: lambda")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append(f"line {node.lineno}: defines {node.name}")
        elif isinstance(node, (ast.For, ast.While, ast.AsyncFor)):
            out.append(f"line {node.lineno}: loop")
        elif isinstance(node, ast.Attribute) and node.attr in RESHAPING:
            out.append(f"line {node.lineno}: .{node.attr}")
        elif (isinstance(node, ast.Constant) and type(node.value) is int
              and node.value in YEARS and not parameters):
            out.append(f"line {node.lineno}: literal year {node.value}")
    return out


def notebook_problems(nb: Path) -> list[str]:
    return [f"{nb.name} cell {i} {p}" for i, src, prm in code_cells(nb)
            for p in cell_problems(src, prm)]


def as_scripts(notebooks: list[Path], dst: Path) -> list[Path]:
    """The notebooks' code as Python scripts (jupytext, percent format) for ruff."""
    out = []
    for nb in notebooks:
        script = dst / f"{nb.stem}.py"
        jupytext.write(jupytext.read(nb), script, fmt="py:percent")
        out.append(script)
    return out


def ruff(scripts: list[Path]) -> subprocess.CompletedProcess:
    # E402: imports follow the parameters cell, by papermill's design; W291/W293: jupytext
    # writes markdown cells as comments.
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                           "--config", str(ROOT / "pyproject.toml"),
                           "--extend-ignore", "E402,W291,W293", *map(str, scripts)],
                          capture_output=True, text=True)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_cells_leave_the_work_to_the_library(nb):
    assert notebook_problems(nb) == []


def test_notebooks_pass_ruff(tmp_path):
    res = ruff(as_scripts(NOTEBOOKS, tmp_path))
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("cell, expected", [
    ("t = df.assign(x=lambda d: d.a)", "lambda"),
    ("for k in ks:\n    print(k)", "loop"),
    ("def f():\n    return 1", "defines f"),
    ("t = df.groupby('a').sum()", ".groupby"),
    ("t = pd.concat([a, b])", ".concat"),
    ("year = 2019", "literal year 2019"),
])
def test_each_rule_catches_a_planted_cell(cell, expected):
    assert any(expected in p for p in cell_problems(cell))


def test_ruff_catches_a_planted_error(tmp_path):
    bad = tmp_path / "nb"
    bad.mkdir()
    shutil.copy(NOTEBOOKS[0], bad / "x.md")
    text = (bad / "x.md").read_text(encoding="utf-8")
    (bad / "x.md").write_text(text + "\n```{code-cell} ipython3\nimport os\n```\n",
                              encoding="utf-8")
    res = ruff(as_scripts([bad / "x.md"], tmp_path))
    assert res.returncode != 0 and "F401" in res.stdout
