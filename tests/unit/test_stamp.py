"""The build's stamp: unchanged sources answer "up to date"; any change that a job key or the
static pages could see sends the build down its ordinary path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.book import stamp

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A small project with one file in every hashed place and a published book."""
    for k in [k for k in os.environ if k.startswith("ANALYSIS_")]:
        monkeypatch.delenv(k)
    root = tmp_path / "repo"
    files = {
        "src/analysis/__init__.py": "", "src/analysis/core/x.py": "A = 1\n",
        "src/analysis/synthetic/calibrated/p.json": "{}\n",
        "notebooks/01_a.md": "---\n---\n# A\n", "params/2019.yml": "edition: 2019\n",
        "params/2015.yml": "edition: 2015\n", "book/intro.md": "# Intro\n",
        "_static/bok.css": "body {}\n", "data/catalog.yml": "datasets: {}\n",
        "data/catalog.d/frag.yml": "datasets: {}\n", "data/raw/s/1/f.csv": "a,b\n1,2\n",
        "_config.yml": "title: x\n", "_toc.yml": "root: intro\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    target = root / "_build" / "html" / "orebro-lan" / "2019"
    target.mkdir(parents=True)
    (target / "manifest.json").write_text(json.dumps({"build_key": "k1"}), encoding="utf-8")
    (root / "_build" / "html" / "index.html").write_text("<html></html>", encoding="utf-8")
    snap = stamp.snapshot(root, [root / "data/raw/s/1/f.csv"])
    stamp.write(stamp.stamp_file(root, "2019", None, None), snap, target=target,
                build_key="k1", headline="Edition 2019: X", notebooks=3,
                editions_dir=target.parent,
                editions=stamp.published_editions(root, target.parent, "2019"))
    return root


def fresh(root: Path) -> bool:
    return stamp.up_to_date(root, "2019", None, None) is not None


class TestUpToDate:
    def test_unchanged_is_up_to_date(self, tree):
        st = stamp.up_to_date(tree, "2019", None, None)
        assert st is not None and st["build_key"] == "k1"
        assert "0 to execute" in stamp.report(st) and "up to date" in stamp.report(st)

    def test_touch_without_change_is_still_up_to_date(self, tree):
        f = tree / "src/analysis/core/x.py"
        os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 10**9))
        assert fresh(tree)

    @pytest.mark.parametrize("rel", ["src/analysis/core/x.py", "notebooks/01_a.md",
                                     "params/2015.yml", "data/raw/s/1/f.csv", "data/catalog.yml",
                                     "data/catalog.d/frag.yml", "book/intro.md", "_static/bok.css",
                                     "_config.yml", "_toc.yml",
                                     "src/analysis/synthetic/calibrated/p.json"])
    def test_an_edited_file_is_a_change(self, tree, rel):
        f = tree / rel
        f.write_text(f.read_text(encoding="utf-8") + "#\n", encoding="utf-8")
        assert not fresh(tree)

    @pytest.mark.parametrize("rel", ["src/analysis/core/y.py", "notebooks/02_b.md",
                                     "data/catalog.d/more.yml", "book/extra.md"])
    def test_a_new_file_is_a_change(self, tree, rel):
        (tree / rel).write_text("x\n", encoding="utf-8")
        assert not fresh(tree)

    def test_a_removed_file_is_a_change(self, tree):
        (tree / "src/analysis/core/x.py").unlink()
        assert not fresh(tree)

    def test_a_missing_data_file_is_a_change(self, tree):
        (tree / "data/raw/s/1/f.csv").unlink()
        assert not fresh(tree)

    def test_generated_pages_and_bytecode_do_not_count(self, tree):
        (tree / "book/_generated").mkdir()
        (tree / "book/_generated/p.md").write_text("x", encoding="utf-8")
        (tree / "src/analysis/__pycache__").mkdir()
        (tree / "src/analysis/__pycache__/x.cpython-311.pyc").write_bytes(b"x")
        assert fresh(tree)

    def test_confidential_file_and_setting_are_changes(self, tree, monkeypatch):
        priv = tree / "data/private"
        priv.mkdir()
        (priv / "_build").mkdir()
        (priv / "_build" / "out.html").write_text("x", encoding="utf-8")
        assert fresh(tree)  # the private build's own output is not an input
        (priv / "extract.csv").write_text("x", encoding="utf-8")
        assert not fresh(tree)
        (priv / "extract.csv").unlink()
        assert fresh(tree)
        monkeypatch.setenv("ANALYSIS_LIV_OCH_HALSA", "/somewhere/lh.csv")
        assert not fresh(tree)

    def test_a_different_published_book_is_a_change(self, tree):
        m = tree / "_build/html/orebro-lan/2019/manifest.json"
        m.write_text(json.dumps({"build_key": "other"}), encoding="utf-8")
        assert not fresh(tree)
        m.unlink()
        assert not fresh(tree)

    def test_a_stale_landing_page_is_a_change(self, tree):
        (tree / "_build/html/index.html").unlink()
        assert not fresh(tree)

    def test_other_edition_only_and_build_dir_have_their_own_stamps(self, tree, tmp_path):
        assert stamp.up_to_date(tree, "2015", None, None) is None
        assert stamp.up_to_date(tree, "2019", ["01_a"], None) is None
        assert stamp.up_to_date(tree, "2019", None, tmp_path / "elsewhere") is None
        assert stamp.stamp_file(tree, "2019", None, None) == stamp.stamp_file(
            tree, "2019", None, tree / "_build")

    def test_an_edition_published_beside_it_is_a_change(self, tree):
        # its pages must now link to that edition ("Samma sida i utgåva 2015")
        other = tree / "_build" / "html" / "orebro-lan" / "2015"
        other.mkdir()
        assert fresh(tree)  # a folder without a book is not an edition
        (other / "manifest.json").write_text("{}", encoding="utf-8")
        assert not fresh(tree)

    def test_a_damaged_stamp_is_not_up_to_date(self, tree):
        stamp.stamp_file(tree, "2019", None, None).write_text("{", encoding="utf-8")
        assert not fresh(tree)


class TestPublishedEditions:
    def test_editions_with_a_published_book_and_the_one_being_built(self, tree):
        region = tree / "_build" / "html" / "orebro-lan"
        assert stamp.published_editions(tree, region, "2019") == ["2019"]
        assert stamp.published_editions(tree, region, "2015") == ["2015", "2019"]
        (region / "2015").mkdir()
        (region / "2015" / "manifest.json").write_text("{}", encoding="utf-8")
        (region / "2011").mkdir()  # a book, but no edition of params/ any more
        (region / "2011" / "manifest.json").write_text("{}", encoding="utf-8")
        assert stamp.published_editions(tree, region, "2019") == ["2015", "2019"]

    def test_a_partial_build_links_to_no_other_edition(self, tree):
        assert stamp.published_editions(tree, None, "2019") == ["2019"]


class TestSnapshot:
    def test_hashes_content_and_lists_private_by_stat(self, tree):
        snap = stamp.snapshot(tree, [])
        assert set(snap["files"]) >= {"src/analysis/core/x.py", "notebooks/01_a.md",
                                      "data/catalog.yml", "_toc.yml"}
        assert all(len(d) == 64 for d in snap["files"].values())
        assert snap["private"] == []


class TestWrite:
    def test_records_what_an_unchanged_build_prints(self, tree):
        st = json.loads(stamp.stamp_file(tree, "2019", None, None).read_text(encoding="utf-8"))
        assert st["headline"] == "Edition 2019: X" and st["notebooks"] == 3
        assert stamp.report(st).splitlines()[1] == (
            "Notebooks: 3 in the edition, 3 unchanged (cached), 0 to execute")


class TestExitIfUpToDate:
    def run(self, tree, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
        env.update(ANALYSIS_ROOT=str(tree), PYTHONPATH=str(ROOT / "src"))
        code = "import sys; from analysis.book import stamp; stamp.exit_if_up_to_date(sys.argv[1:]); print('BUILD')"
        return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                              text=True, timeout=60)

    def test_up_to_date_exits_before_the_build(self, tree):
        # the stamp records the ANALYSIS_* settings of the build; this one sets ANALYSIS_ROOT
        os.environ["ANALYSIS_ROOT"] = str(tree)
        try:
            snap = stamp.snapshot(tree, [tree / "data/raw/s/1/f.csv"])
        finally:
            del os.environ["ANALYSIS_ROOT"]
        stamp.write(stamp.stamp_file(tree, "2019", None, None), snap,
                    target=tree / "_build/html/orebro-lan/2019", build_key="k1", headline="H", notebooks=3,
                    editions_dir=tree / "_build/html/orebro-lan", editions=["2019"])
        out = self.run(tree, "book", "--edition", "2019", "-j", "2")
        assert out.returncode == 0 and "BUILD" not in out.stdout and "up to date" in out.stdout
        assert "BUILD" in self.run(tree, "book", "--edition", "2019", "--force").stdout
        assert "BUILD" in self.run(tree, "book", "--edition", "2015").stdout
        assert "BUILD" in self.run(tree, "plan", "--edition", "2019").stdout
        (tree / "notebooks/01_a.md").write_text("changed\n", encoding="utf-8")
        assert "BUILD" in self.run(tree, "book", "--edition", "2019").stdout
