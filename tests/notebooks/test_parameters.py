"""Every notebook has exactly one `parameters` cell whose names are the build's parameters."""

from __future__ import annotations

from pathlib import Path

import jupytext
import papermill
import pytest

from analysis.book import build, execute, params
from analysis.book import jobs as book_jobs
from analysis.sources import catalog

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.md"))


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.stem)
class TestNotebookContract:
    def test_one_parameters_cell_matching_the_model(self, md, tmp_path):
        nb = jupytext.read(md)
        tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1
        ipynb = tmp_path / f"{md.stem}.ipynb"
        jupytext.write(nb, ipynb)
        names = set(papermill.inspect_notebook(str(ipynb)))
        assert names == set(params.NotebookParams.model_fields)

    def test_declares_existing_inputs(self, md):
        meta = book_jobs.notebook_meta(md)
        known = catalog.read_catalog(ROOT)["datasets"]
        assert all(i in known for i in meta["inputs"])

    def test_every_load_is_declared(self, md):
        """Static check: every catalog.load("x") in the notebook names a declared input."""
        import re

        text = md.read_text(encoding="utf-8")
        loaded = set(re.findall(r'catalog\.load\(\s*"([^"]+)"', text))
        assert loaded <= set(book_jobs.notebook_meta(md)["inputs"])

    def test_single_h1_title(self, md):
        nb = jupytext.read(md)
        h1 = [ln for c in nb.cells if c.cell_type == "markdown"
              for ln in c.source.splitlines() if ln.startswith("# ")]
        assert len(h1) == 1

    def test_code_cells_hide_their_input(self, md):
        nb = jupytext.read(md)
        for c in nb.cells:
            if c.cell_type == "code":
                tags = set(c.get("metadata", {}).get("tags", []))
                assert tags & {"parameters", "remove-input", "remove-cell", "hide-input"}, c.source[:80]
