"""`make lab`: JupyterLab serves every chapter as a notebook through jupytext's contents manager,
with the default edition's parameters, and saves it back as MyST text only."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from jupytext import TextFileContentsManager

from analysis.book import jobs, params
from analysis.core import geo

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.md"))


def default_edition() -> str:
    """The Makefile's ``EDITION ?= …``: what `make book` and `make preview` build by default."""
    m = re.search(r"^EDITION \?= (\d{4})$", (ROOT / "Makefile").read_text(encoding="utf-8"),
                  flags=re.M)
    assert m, "the Makefile sets no default EDITION"
    return m.group(1)


def front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---", 2)[1])


@pytest.fixture(scope="module")
def manager():
    return TextFileContentsManager(root_dir=str(ROOT))


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.stem)
def test_served_as_a_notebook_with_the_default_editions_parameters(manager, md):
    model = manager.get(f"notebooks/{md.name}")
    assert model["type"] == "notebook" and model["format"] == "json"
    nb = model["content"]
    assert nb.metadata["analysis"] == jobs.notebook_meta(md)  # the build's inputs stay
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    defaults = {n.targets[0].id: ast.literal_eval(n.value) for n in ast.parse(cell.source).body}
    ed = params.load_edition(ROOT / "params" / f"{default_edition()}.yml")
    fanout = jobs.notebook_meta(md).get("fanout")
    areas = {None: [geo.LAN_KOD], "kommun": list(geo.KOMMUNER), "forbund": list(geo.FORBUND)}
    assert defaults["area_code"] in areas[fanout]
    assert defaults == params.notebook_params(ed, defaults["area_code"]), (
        f"'Run all' in JupyterLab would not reproduce the {ed.edition} edition of {md.stem}")


def test_saving_from_lab_writes_myst_text_only(tmp_path):
    """A chapter run in JupyterLab (outputs, Lab's own metadata) and saved: the .md keeps its
    cells and front matter, holds no outputs, and no .ipynb appears."""
    shutil.copy(ROOT / "jupytext.toml", tmp_path)
    (tmp_path / "notebooks").mkdir()
    src = ROOT / "notebooks" / "04_liv_och_halsa.md"
    shutil.copy(src, tmp_path / "notebooks")
    cm = TextFileContentsManager(root_dir=str(tmp_path))
    path = f"notebooks/{src.name}"
    nb = cm.get(path)["content"]
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    for c in nb.cells:
        c.metadata["editable"] = True
        if c.cell_type == "code":
            c.execution_count = 1
            c.outputs = [{"output_type": "stream", "name": "stdout", "text": "UTDATA\n"}]
            c.metadata["jupyter"] = {"source_hidden": True}
    cm.save({"type": "notebook", "content": nb}, path)
    before, after = src.read_text(encoding="utf-8"), (tmp_path / path).read_text(encoding="utf-8")
    assert "UTDATA" not in after and "editable" not in after and "language_info" not in after
    assert front_matter(after) == front_matter(before)  # jupytext may sort its keys
    assert after.split("---", 2)[2] == before.split("---", 2)[2]  # every cell as it was
    assert sorted(p.name for p in (tmp_path / "notebooks").iterdir()) == [src.name]


def test_make_lab_uses_the_repositorys_settings():
    server = json.loads((ROOT / ".jupyter" / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["contents_manager_class"] == "jupytext.TextFileContentsManager"
    assert server["ServerApp"]["ip"] == "127.0.0.1"  # only this machine
    viewers = json.loads((ROOT / ".jupyter" / "lab" / "settings" / "overrides.json").read_text())
    assert viewers["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["markdown"] == \
        "Jupytext Notebook"
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    lab = make[make.index("\nlab:"):].split("\n\n")[0]
    assert 'JUPYTER_CONFIG_PATH="$(CURDIR)/.jupyter"' in lab
    assert "app_settings_dir=\"$(CURDIR)/.jupyter/lab/settings\"" in lab
