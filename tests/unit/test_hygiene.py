"""The commit check that chapters stay MyST text: no .ipynb, no outputs, nothing else in notebooks/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat

from analysis.book import hygiene

ROOT = Path(__file__).resolve().parents[2]


def repo(tmp_path: Path) -> Path:
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "04_liv_och_halsa.md", tmp_path / "notebooks")
    return tmp_path


def executed(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"},
                                           execution_count=1)]
    nb.cells = [cell, nbformat.v4.new_code_cell("2")]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


class TestProblems:
    def test_the_repository_is_clean(self):
        assert hygiene.notebooks_folder_problems(ROOT) == []

    def test_a_clean_copy(self, tmp_path):
        assert hygiene.problems(repo(tmp_path), ["notebooks/04_liv_och_halsa.md"]) == []

    def test_an_ipynb_with_outputs_in_notebooks_even_untracked(self, tmp_path):
        root = repo(tmp_path)
        executed(root / "notebooks" / "04_liv_och_halsa.ipynb")
        found = hygiene.problems(root, [])
        assert found[0].startswith("notebooks/04_liv_och_halsa.ipynb: notebooks/ holds only MyST")
        assert "cell 0: 1 output(s), execution count 1" in found[1]

    def test_an_ipynb_elsewhere(self, tmp_path):
        root = repo(tmp_path)
        executed(root / "analysis" / "x.ipynb")
        found = hygiene.problems(root, ["analysis/x.ipynb"])
        assert "analysis/x.ipynb: .ipynb files are not committed" in found[0]
        assert "(clear the outputs)" in found[1]

    def test_fixtures_may_be_notebooks_without_outputs(self, tmp_path):
        root = repo(tmp_path)
        clean = root / "tests" / "fixtures" / "nb" / "clean.ipynb"
        clean.parent.mkdir(parents=True)
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), clean)
        executed(root / "tests" / "fixtures" / "nb" / "run.ipynb")
        found = hygiene.problems(root, ["tests/fixtures/nb/clean.ipynb",
                                        "tests/fixtures/nb/run.ipynb"])
        assert len(found) == 1 and found[0].startswith("tests/fixtures/nb/run.ipynb: cell 0")

    def test_markdown_without_myst_front_matter(self, tmp_path):
        root = repo(tmp_path)
        (root / "notebooks" / "README.md").write_text("# Om mappen\n", encoding="utf-8")
        assert hygiene.problems(root, []) == [
            "notebooks/README.md: not a MyST notebook (front matter needs jupytext: "
            "text_representation: format_name: myst)"]

    def test_checkpoints_and_interactive_outputs_are_left_alone(self, tmp_path):
        root = repo(tmp_path)
        executed(root / "notebooks" / ".ipynb_checkpoints" / "04_liv_och_halsa-checkpoint.ipynb")
        (root / "notebooks" / "scratch_files").mkdir()
        (root / "notebooks" / "scratch_files" / "t.csv").write_text("a\n1\n", encoding="utf-8")
        assert hygiene.problems(root, []) == []


class TestNotebookOutputs:
    def test_unreadable(self, tmp_path):
        p = tmp_path / "x.ipynb"
        p.write_text("{", encoding="utf-8")
        assert hygiene.notebook_outputs(p)[0].startswith("cannot be read")

    def test_counts_without_outputs(self, tmp_path):
        p = tmp_path / "x.ipynb"
        p.write_text(json.dumps({"cells": [{"cell_type": "code", "execution_count": 3,
                                            "outputs": []}]}), encoding="utf-8")
        assert hygiene.notebook_outputs(p) == ["cell 0: 0 output(s), execution count 3"]
