"""End-to-end: the build executes notebooks, caches them, publishes atomically and fails loudly.

Runs the real pipeline (papermill + jupyter-book) on a copy of the repository, restricted to the
Befolkning chapter and the kommun profiles to keep it to about two minutes.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ONLY = "01_befolkning,profil_kommun"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book-build")]


def run_build(repo: Path, build_dir: Path, only: str = ONLY) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANALYSIS_ROOT": str(repo)}
    env.pop("ANALYSIS_DECLARED_INPUTS", None)
    return subprocess.run(
        [sys.executable, "-m", "analysis.book.build", "book", "--edition", "2019", "-j", "2",
         "--build-dir", str(build_dir), "--only", only],
        cwd=repo, env=env, capture_output=True, text=True, timeout=1800,
    )


def executed(out: str) -> int:
    m = re.search(r"(\d+) to execute", out)
    assert m, out
    return int(m.group(1))


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    from analysis.book.build import copy_sources

    return copy_sources(ROOT, tmp_path_factory.mktemp("book") / "repo")


@pytest.fixture(scope="module")
def cold(repo):
    build_dir = repo / "_build"
    proc = run_build(repo, build_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # A partial build (--only) is published beside the edition's book, never over it.
    return proc, build_dir / "partial" / "orebro-lan" / "2019"


class TestColdBuild:
    def test_progress_and_all_notebooks_executed(self, cold):
        proc, _ = cold
        assert executed(proc.stdout) == 13
        # one progress count for both editions: the 13 notebooks of 2019 and the previous
        # edition's 01_befolkning (for the comparison page) share the workers
        assert "[ 14/14]" in proc.stdout and "elapsed" in proc.stdout

    def test_tabell1_published_beside_computed(self, cold):
        _, html = cold
        page = (html / "book" / "_generated" / "01_befolkning.html").read_text(encoding="utf-8")
        for v in ("273\xa0615", "170\xa0154", "273\xa0412", "171\xa0527", "277\xa0732", "278\xa0882",
                  "175\xa0830", "304\xa0805", "182\xa0807", "8\xa0500", "9\xa0100"):
            assert v in page, v
        assert "annan tidpunkt" in page and "skattat" in page

    def test_figures_and_downloads(self, cold):
        _, html = cold
        page = (html / "book" / "_generated" / "01_befolkning.html").read_text(encoding="utf-8")
        imgs = re.findall(r'<img [^>]*alt="([^"]+)"[^>]*src="([^"]+)"', page) or re.findall(
            r'<img [^>]*src="([^"]+)"[^>]*alt="([^"]+)"', page)
        assert len(imgs) >= 6
        assert page.count("Ladda ner tabellen (CSV)") >= 4
        assert list((html / "_downloads").rglob("tabell1_publicerad_och_beraknad.csv"))

    def test_no_error_output(self, cold):
        _, html = cold
        for page in (html / "book").rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            assert "Traceback" not in text and 'class="output error"' not in text, page

    def test_twelve_kommun_profiles(self, cold):
        _, html = cold
        pages = sorted((html / "book" / "_generated" / "kommuner").glob("*.html"))
        assert len(pages) == 12
        assert "<h1>Örebro" in (html / "book/_generated/kommuner/profil_kommun__area_1880.html"
                                ).read_text(encoding="utf-8")

    def test_manifest_and_landing_page(self, cold):
        import json

        _, html = cold
        m = json.loads((html / "manifest.json").read_text(encoding="utf-8"))
        assert m["edition"] == 2019 and any(d["name"] == "folkmangd_kommun" for d in m["datasets"])
        # a partial build neither publishes to html/<edition> nor rewrites the landing page
        assert not (html.parent.parent / "html").exists()


class TestIncremental:
    def test_second_build_executes_nothing(self, repo, cold):
        proc = run_build(repo, repo / "_build")
        assert proc.returncode == 0, proc.stderr
        assert executed(proc.stdout) == 0 and "up to date" in proc.stdout

    def test_changed_data_file_reexecutes_only_its_readers(self, repo, cold):
        f = repo / "data/raw/scb_digitala_granser/2023-05-16/kommuner_orebro_lan_wgs84.geojson"
        old = hashlib.md5(f.read_bytes()).hexdigest()
        f.write_text(f.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        new = hashlib.md5(f.read_bytes()).hexdigest()
        cat = repo / "data" / "catalog.yml"
        cat.write_text(cat.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        proc = run_build(repo, repo / "_build")
        assert proc.returncode == 0, proc.stderr
        assert executed(proc.stdout) == 1
        assert "01_befolkning" in proc.stdout and "profil_kommun (" not in proc.stdout


class TestFailure:
    def test_failing_cell_stops_and_keeps_the_old_book(self, repo, cold):
        _, html = cold
        before = (html / "index.html").read_bytes()
        nb = repo / "notebooks" / "00_trasig.md"
        src = (repo / "notebooks" / "01_befolkning.md").read_text(encoding="utf-8")
        head = src.split("```{code-cell} ipython3\n:tags: [remove-input]", 1)[0]
        nb.write_text(head.replace("# Befolkning", "# Trasig")
                      + "```{code-cell} ipython3\nkvot = 1 / 0\n```\n", encoding="utf-8")
        try:
            proc = run_build(repo, repo / "_build", only="00_trasig,01_befolkning")
        finally:
            nb.unlink()
        assert proc.returncode != 0
        err = proc.stderr
        assert "BUILD FAILED in notebooks/00_trasig.md" in err
        assert "kvot = 1 / 0" in err and "ZeroDivisionError" in err
        assert "line" in err and "of notebooks/00_trasig.md" in err
        assert (html / "index.html").read_bytes() == before
        assert (repo / "_build" / "failed" / "2019" / "00_trasig.ipynb").exists()


class TestReproducible:
    def test_two_builds_give_identical_tables_and_figures(self, repo, cold, tmp_path):
        """Same edition, same inputs: byte-identical CSVs, figure data and figure images."""
        proc = run_build(repo, tmp_path / "second", only="01_befolkning")
        assert proc.returncode == 0, proc.stderr

        def files(build_dir: Path) -> dict[str, bytes]:
            out = {}
            for d in (build_dir / "cache" / "notebooks").glob("*/01_befolkning_files"):
                for f in sorted(d.iterdir()):
                    out[f.name] = f.read_bytes()
            return out

        first, second = files(repo / "_build"), files(tmp_path / "second")
        assert first and set(first) == set(second)
        csvs = [n for n in first if n.endswith(".csv")]
        assert len(csvs) >= 8
        for name in first:
            assert first[name] == second[name], f"{name} differs between two builds"


class TestNoClockOrNetworkInContent:
    """Content code must not read the clock or the network. Allowed: the fetch commands (functions
    named fetch*/register*/main, and the fetcher modules) and the build's own timing."""

    ALLOWED_MODULES = {"pxweb.py", "kolada.py", "build.py"}
    ALLOWED_FUNCS = ("fetch", "register", "main", "_fetch", "_register", "write_kolada")
    CALLS = {("datetime", "now"), ("date", "today"), ("time", "time"), ("datetime", "today")}

    def _offenders(self, path: Path) -> list[str]:
        import ast

        tree = ast.parse(path.read_text(encoding="utf-8"))
        out = []

        def visit(node, func: str | None):
            for child in ast.iter_child_nodes(node):
                name = func
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and func is None:
                    name = child.name
                if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
                    base = child.func.value
                    base_name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
                    if (base_name, child.func.attr) in self.CALLS or base_name == "requests":
                        if not (name or "").startswith(self.ALLOWED_FUNCS):
                            out.append(f"{path.name}:{child.lineno} {base_name}.{child.func.attr} in {name}")
                visit(child, name)

        visit(tree, None)
        return out

    def test_library(self):
        offenders = []
        for p in sorted((ROOT / "src" / "analysis").glob("*.py")):
            if p.name not in self.ALLOWED_MODULES:
                offenders += self._offenders(p)
        assert offenders == []

    def test_notebooks(self):
        for p in (ROOT / "notebooks").glob("*.md"):
            text = p.read_text(encoding="utf-8")
            assert not re.search(r"datetime\.now|date\.today|time\.time\(|requests\.", text), p.name
