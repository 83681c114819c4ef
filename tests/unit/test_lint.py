"""`make lint` and the pre-commit hooks are one set of checks, offline, run in CI by `make test`.

The hooks run on the repository itself (the ones that are tests of their own, the notebook
rules and the layers, run elsewhere in the suite), and `make lint` fails in a copy of the
repository with a planted lambda in a notebook and with a planted notebook with outputs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml

from analysis.book import build

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".pre-commit-config.yaml"
PRE_COMMIT = ROOT / ".venv" / "bin" / "pre-commit"
#: Hooks that are tests in this suite too (tests/unit/test_notebook_rules.py, test_layers.py).
TESTED_ELSEWHERE = "notebook-rules,layers"


def hooks() -> list[dict]:
    return [h for r in yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["repos"]
            for h in r["hooks"]]


def env(tmp_path: Path, skip: str = "") -> dict[str, str]:
    """The environment of a lint run: no build settings, pre-commit's store in tmp_path."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
    out.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), SKIP=skip)
    return out


needs_venv = pytest.mark.skipif(not PRE_COMMIT.exists() or shutil.which("git") is None,
                                reason="needs the Makefile's .venv and git")


class TestConfig:
    def test_every_hook_is_local_and_offline(self):
        for r in yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["repos"]:
            assert r["repo"] == "local", "a hook repository would be downloaded from GitHub"
        for h in hooks():
            assert h["language"] in ("script", "fail"), h["id"]
            if h["language"] == "script":
                assert h["entry"].startswith(".ci/python -m "), h["id"]

    def test_the_checks_the_issue_names(self):
        ids = {h["id"] for h in hooks()}
        assert {"ruff", "notebook-rules", "notebook-files", "trailing-whitespace",
                "large-files"} <= ids

    def test_make_lint_runs_the_hooks(self):
        make = (ROOT / "Makefile").read_text(encoding="utf-8")
        lint = make[make.index("\nlint:"):].split("\n\n")[0]
        assert "pre-commit run" in lint and "git ls-files" in lint


@needs_venv
def test_the_repository_passes_the_hooks(tmp_path):
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    res = subprocess.run([str(PRE_COMMIT), "run", "--files", *files], cwd=ROOT,
                         env=env(tmp_path, TESTED_ELSEWHERE), capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.fixture()
def lint_repo(tmp_path):
    """A git repository with what `make lint` reads (sources, notebooks, the two rule tests)."""
    repo = build.copy_sources(ROOT, tmp_path / "repo")
    for f in ("Makefile", "pyproject.toml", ".pre-commit-config.yaml", ".gitignore",
              ".ci/python", "tests/unit/test_notebook_rules.py", "tests/unit/test_layers.py"):
        (repo / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, repo / f)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    (repo / ".git" / "info" / "exclude").write_text(".venv\n", encoding="utf-8")  # a symlink
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    return repo


def make_lint(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    # -o: the copy's pyproject.toml is newer than the shared .venv's stamp; never reinstall.
    return subprocess.run(["make", "-o", ".venv/.installed", "lint"], cwd=repo,
                          env=env(tmp_path, "layers"), capture_output=True, text=True)


@pytest.mark.slow
@needs_venv
def test_make_lint_fails_on_a_planted_lambda(lint_repo, tmp_path):
    nb = lint_repo / "notebooks" / "02_malgrupp.md"
    nb.write_text(nb.read_text(encoding="utf-8") + "\n```{code-cell} ipython3\n"
                  ":tags: [remove-input]\n\nf = lambda x: x + 1\nf(1)\n```\n", encoding="utf-8")
    res = make_lint(lint_repo, tmp_path)
    assert res.returncode != 0
    assert "02_malgrupp.md cell" in res.stdout and "lambda" in res.stdout


@pytest.mark.slow
@needs_venv
def test_make_lint_fails_on_a_planted_notebook_with_outputs(lint_repo, tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"},
                                           execution_count=1)]
    nb.cells = [cell]
    nbformat.write(nb, lint_repo / "notebooks" / "02_malgrupp.ipynb")  # git-ignored, still caught
    res = make_lint(lint_repo, tmp_path)
    assert res.returncode != 0
    assert "notebooks/02_malgrupp.ipynb: notebooks/ holds only MyST .md notebooks" in res.stderr \
        + res.stdout
    assert "1 output(s)" in res.stdout + res.stderr
