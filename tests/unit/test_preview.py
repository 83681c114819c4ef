"""The preview of one page: the page's job, reusing the cache after a prose edit, and (slow) a
real preview in a copy of the repository that leaves the published book untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from analysis.book import build, preview
from analysis.book.jobs import Job, code_key, job_key
from analysis.core.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
HEAD = (ROOT / "notebooks" / "04_liv_och_halsa.md").read_text(encoding="utf-8")
#: Front matter of a notebook that reads no data.
FRONT = HEAD[:HEAD.index("---", 3) + 4].replace(
    HEAD[HEAD.index("analysis:"):HEAD.index("---", 3)], "analysis:\n  inputs: []\n")
PARAMS = ("```{code-cell} ipython3\n:tags: [parameters]\n\nedition = 2019\narea_code = \"18\"\n"
          "compare_year = 2009\npyramid_compare_year = 2000\nmin_respondents = 30\n"
          "min_count = 5\nmin_denominator = 20\nseed = 20191231\n```\n")


def tiny_notebook(text: str = "Första versionen av texten.", code: str = "print(edition + 1)"
                  ) -> str:
    return (f"{FRONT}\n# Förhandsvisning {{{{ edition }}}}\n\n{PARAMS}\n{text}\n\n"
            f"```{{code-cell}} ipython3\n:tags: [remove-input]\n\n{code}\n```\n\nSlut.\n")


class TestPageJob:
    def test_a_chapter(self):
        job = preview.page_job(ROOT, 2019, "04_liv_och_halsa")
        assert job.stem == "04_liv_och_halsa" and job.target_dir == "."

    def test_a_profile_for_one_area_and_its_default(self):
        job = preview.page_job(ROOT, 2019, "profil_kommun", "1860")
        assert job.stem == "profil_kommun__area_1860" and job.area_name == "Laxå"
        assert preview.page_job(ROOT, 2019, "profil_kommun").params["area_code"] == "1880"

    def test_mistakes_are_explained(self):
        with pytest.raises(InputError, match="no such notebook; choose one of: 01_befolkning"):
            preview.page_job(ROOT, 2019, "04_liv")
        with pytest.raises(InputError, match="applies only to the profile templates"):
            preview.page_job(ROOT, 2019, "04_liv_och_halsa", "1860")
        with pytest.raises(InputError, match=r"no kommun with code '9999'; choose one of: 1814"):
            preview.page_job(ROOT, 2019, "profil_kommun", "9999")


def _job(root: Path, key: str = "k1", ck: str = "c1") -> Job:
    job = Job("notebooks/zz.md", "zz", ".", {"edition": 2019}, [], label="zz")
    job.key, job.extra["code_key"] = key, ck
    return job


def _executed(source: str) -> nbformat.NotebookNode:
    """What papermill leaves: the parameters cell, then its injected cell, outputs on code."""
    import jupytext

    nb = jupytext.reads(source, fmt="md:myst")
    cells = []
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = [nbformat.v4.new_output("stream", text="2020\n")]
            c.execution_count = len(cells)
        cells.append(c)
        if "parameters" in c.metadata.get("tags", []):
            inj = nbformat.v4.new_code_cell("edition = 2019\n",
                                            metadata={"tags": ["injected-parameters"]})
            cells.append(inj)
    nb.cells = cells
    return nb


class TestWithNewProse:
    def setup_method(self):
        self.old = tiny_notebook()

    def _merge(self, tmp_path, new_source):
        (tmp_path / "notebooks").mkdir(exist_ok=True)
        (tmp_path / "notebooks" / "zz.md").write_text(new_source, encoding="utf-8")
        nbformat.write(_executed(self.old), tmp_path / "old.ipynb")
        return preview.with_new_prose(tmp_path, _job(tmp_path), tmp_path / "old.ipynb")

    def test_new_text_old_outputs(self, tmp_path):
        nb = self._merge(tmp_path, tiny_notebook("Andra versionen av texten."))
        md = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "Andra versionen" in md and "Första" not in md
        assert "Förhandsvisning 2019" in md  # placeholders filled as in a build
        code = [c for c in nb.cells if c.cell_type == "code"]
        tags = [c.metadata.get("tags", []) for c in code]
        assert tags == [["parameters"], ["injected-parameters"], ["remove-input"]]
        assert [c.outputs[0]["text"] for c in (code[0], code[2])] == ["2020\n"] * 2

    def test_changed_code_is_not_merged(self, tmp_path):
        assert self._merge(tmp_path, tiny_notebook(code="print(edition + 2)")) is None


class TestFindSameCode:
    def test_newest_entry_with_the_code_key_and_stem(self, tmp_path):
        for key, ck, stem in [("a", "c1", "zz"), ("b", "c2", "zz"), ("c", "c1", "other")]:
            (tmp_path / key).mkdir()
            (tmp_path / key / "job.json").write_text(
                json.dumps({"key": key, "code_key": ck, "stem": stem}), encoding="utf-8")
        assert preview.find_same_code(tmp_path, _job(tmp_path, ck="c1")) == tmp_path / "a"
        assert preview.find_same_code(tmp_path, _job(tmp_path, ck="c3")) is None


class TestCodeKeyOfJobs:
    """The preview's key (analysis.book.jobs.code_key) ignores prose, never code."""

    def test_prose_code_and_params(self, tmp_path):
        (tmp_path / "notebooks").mkdir()
        md = tmp_path / "notebooks" / "zz.md"
        job = _job(tmp_path)

        def keys(text):
            md.write_text(text, encoding="utf-8")
            return job_key(tmp_path, job, "src"), code_key(tmp_path, job, "src")

        k0, c0 = keys(tiny_notebook())
        k1, c1 = keys(tiny_notebook("Ny text."))
        k2, c2 = keys(tiny_notebook(code="print(edition + 2)"))
        assert k1 != k0 and c1 == c0
        assert c2 != c0
        job.params = {"edition": 2020}
        assert keys(tiny_notebook())[1] != c0


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.md5(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_preview_reuses_the_cache_and_never_touches_the_published_book(tmp_path):
    repo = build.copy_sources(ROOT, tmp_path / "repo")
    (repo / "notebooks" / "zz_preview.md").write_text(tiny_notebook(), encoding="utf-8")
    out = tmp_path / "_build"
    published = out / "html" / "2019"
    published.mkdir(parents=True)
    (published / "index.html").write_text("<p>den publicerade boken</p>", encoding="utf-8")
    (out / "html" / "index.html").write_text("<p>utgåvor</p>", encoding="utf-8")
    before = _tree(out / "html")

    log: list[str] = []
    page = preview.preview(repo, "zz_preview", 2019, build_dir=out, log=log.append)
    assert page == out / "preview" / "book" / "_generated" / "zz_preview.html"
    assert "Första versionen av texten." in page.read_text(encoding="utf-8")
    assert any("executing the notebook" in m for m in log)
    entries = sorted(p.name for p in (out / "cache" / "notebooks").iterdir())
    assert len(entries) == 1  # executed into the build's own cache

    md = repo / "notebooks" / "zz_preview.md"
    md.write_text(tiny_notebook("Andra versionen av texten."), encoding="utf-8")
    log.clear()
    page = preview.preview(repo, "zz_preview", 2019, build_dir=out, log=log.append)
    html = page.read_text(encoding="utf-8")
    assert "Andra versionen av texten." in html and "Första versionen" not in html
    assert "2020" in html  # the output of the code cell, from the cache
    assert any("only the text changed" in m for m in log)
    assert not any("executing" in m for m in log)
    assert sorted(p.name for p in (out / "cache" / "notebooks").iterdir()) == entries

    assert _tree(out / "html") == before  # the published book is untouched
    assert (out / "preview" / "index.html").exists()
