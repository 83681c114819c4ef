"""The regions the book can be built for (``core/regioner.yml``), checked against SCB's
catalogued code lists, and how a process and a build take their region."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from analysis.book import bookpages, execute, jobs, stamp
from analysis.core import geo, regions
from analysis.sources import catalog

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, region: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != geo.ENV_REGION}
    if region is not None:
        env[geo.ENV_REGION] = region
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)


class TestRegionsFile:
    def test_every_kommun_of_scb_in_its_lan(self):
        kk = catalog.load("kommunkoder")
        expected = {(r.county_code, r.municipality_code, r.municipality_name_short)
                    for r in kk.itertuples()}
        found = {(r.kod, k, n) for r in regions.regions() if not r.is_riket
                 for k, n in r.kommuner.items()}
        assert found == expected and len(found) == 290

    def test_lan_names_are_scb_s(self):
        counties = catalog.path("kommunkoder").with_name("counties.csv")
        lines = counties.read_text(encoding="utf-8").splitlines()[1:]
        expected = {ln.split(",")[0]: ln.split(",")[1] for ln in lines}
        assert {r.kod: r.namn for r in regions.regions() if not r.is_riket} == expected

    def test_riket_holds_every_kommun_once_with_its_lan(self):
        riket = geo.region("riket")
        assert riket.is_riket and len(riket.kommuner) == 290 and len(riket.lan) == 21
        assert list(riket.kommuner) == sorted(riket.kommuner)
        for r in regions.regions()[:-1]:
            assert all(riket.kommun_lan[k] == r.kod for k in r.kommuner)

    def test_forbund_cover_orebro_lan_exactly_once(self):
        orebro = geo.region("18")
        members = [k for f in orebro.forbund.values() for k in f.kommuner]
        assert sorted(members) == sorted(orebro.kommuner)
        assert geo.kommun_till_forbund(orebro.forbund)["1880"] == "LO"

    def test_only_orebro_has_the_region_specific_material(self):
        for r in regions.regions():
            assert r.has(["finsam"]) == (r.kod == "18"), r.namn
            assert r.has(["lan"]) != r.is_riket and r.has(["riket"]) == r.is_riket


class TestLookup:
    @pytest.mark.parametrize("key", ["03", "3", 3, "Uppsala", "uppsala län", "Uppsala län",
                                     "uppsala-lan"])
    def test_lan_by_code_or_name(self, key):
        assert geo.region(key).kod == "03"

    @pytest.mark.parametrize("key", ["riket", "Riket", "00", "0"])
    def test_riket(self, key):
        assert geo.region(key).is_riket

    def test_default_is_orebro(self):
        assert geo.region(None).namn == "Örebro län"

    def test_folder_names_are_ascii(self):
        assert geo.region("14").slug == "vastra-gotalands-lan"
        assert geo.region("18").slug == "orebro-lan"
        assert all(r.slug.isascii() for r in regions.regions())

    def test_unknown_region_lists_the_codes(self):
        with pytest.raises(KeyError, match="use a län code .*18.*'riket'"):
            geo.region("Atlantis")


class TestProcessRegion:
    def test_the_environment_names_the_process_region(self):
        code = ("from analysis.core import geo; print(geo.LAN_KOD, geo.LAN_NAMN, "
                "len(geo.KOMMUNER), len(geo.FORBUND))")
        assert _run(code, None).stdout.split() == ["18", "Örebro", "län", "12", "4"]
        assert _run(code, "03").stdout.split() == ["03", "Uppsala", "län", "8", "0"]
        assert _run(code, "riket").stdout.split() == ["00", "Riket", "290", "0"]

    def test_region_names_the_title(self):
        code = ("from analysis.book.params import load_edition; "
                "print(load_edition('params/2019.yml').title)")
        assert _run(code, "03").stdout.strip() == "Välfärd och folkhälsa i Uppsala län 2019"
        assert _run(code, "riket").stdout.strip() == "Välfärd och folkhälsa i Sveriges kommuner 2019"

    def test_unknown_region_on_the_command_line_is_a_short_error(self):
        proc = subprocess.run([sys.executable, "-m", "analysis.book.build", "book", "--region",
                               "Atlantis"], capture_output=True, text=True, timeout=120,
                              cwd=ROOT)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert "Unknown region 'Atlantis'" in proc.stderr

    def test_apply_region_sets_the_variable(self, monkeypatch):
        monkeypatch.delenv(geo.ENV_REGION, raising=False)
        monkeypatch.delitem(sys.modules, "analysis.core.geo")
        stamp.apply_region(["book", "--region", "03"])
        assert os.environ[geo.ENV_REGION] == "03"

    def test_stamps_differ_per_region(self, monkeypatch, tmp_path):
        monkeypatch.setenv(geo.ENV_REGION, "03")
        a = stamp.stamp_file(tmp_path, "2019", None, None)
        monkeypatch.setenv(geo.ENV_REGION, "riket")
        assert stamp.stamp_file(tmp_path, "2019", None, None) != a


class TestChapters:
    def test_orebro_has_every_notebook_but_the_national_chapter(self):
        assert [md.stem for md in jobs.left_out(ROOT, geo.region("18"))] == ["00_riket"]

    def test_riket_has_its_chapter_and_the_kommun_profiles(self):
        kept = {md.stem for md in sorted((ROOT / "notebooks").glob("*.md"))
                if jobs.applies(md, geo.region("riket"))}
        assert kept == {"00_riket", "profil_kommun"}

    def test_another_lan_has_population_and_kommun_profiles_only(self):
        kept = {md.stem for md in sorted((ROOT / "notebooks").glob("*.md"))
                if jobs.applies(md, geo.region("03"))}
        assert {"01_befolkning", "profil_kommun"} <= kept
        assert not kept & {"02_malgrupp", "03_barnfattigdom", "04_liv_och_halsa",
                           "05_liv_och_halsa_ung", "metod_malgrupp", "profil_forbund"}

    def test_unknown_material_in_front_matter_is_an_error(self, tmp_path):
        md = tmp_path / "x.md"
        md.write_text("---\nanalysis:\n  inputs: []\n  needs: [mars]\n---\n# X\n", encoding="utf-8")
        with pytest.raises(Exception, match="needs must list material"):
            jobs.notebook_meta(md)


class TestStaticPages:
    PAGE = ("# Bok om {{ region_titel }}\n\n<!-- needs: finsam -->\nFinsam i {{ lan_namn }}.\n"
            "<!-- else -->\nInget Finsam. {{ x }}\n<!-- end -->\n## Slut\n")

    def test_a_region_with_the_material_gets_the_first_branch_without_markers(self):
        out = bookpages.stage_static(self.PAGE, geo.region("18"), {"x": "X"})
        assert out == "# Bok om Örebro län\n\nFinsam i Örebro län.\n## Slut\n"

    def test_another_region_gets_the_second_branch(self):
        out = bookpages.stage_static(self.PAGE, geo.region("03"), {"x": "X"})
        assert out == "# Bok om Uppsala län\n\nInget Finsam. X\n## Slut\n"

    def test_a_page_marked_on_its_first_line_is_left_out(self):
        page = "<!-- needs: finsam -->\n# Förbund\n"
        assert bookpages.stage_static(page, geo.region("riket")) is None
        assert bookpages.stage_static(page, geo.region("18")) == "# Förbund\n"

    def test_orebro_pages_are_the_files_as_they_were(self):
        """Every static page staged for Örebro län is its text without marker lines (the book
        Örebro län had before regions existed)."""
        values = bookpages.region_values(ROOT, geo.region("18"))
        for md in sorted((ROOT / "book").glob("*.md")):
            text = md.read_text(encoding="utf-8")
            out = bookpages.stage_static(text, geo.region("18"), values)
            assert "<!--" not in out and "{{" not in out, md.name

    def test_other_regions_say_which_chapters_are_left_out(self):
        v = bookpages.region_values(ROOT, geo.region("03"))
        assert "*Målgrupp för samordnad rehabilitering*" in v["kapitel_utanfor"]
        assert "bara finns för Örebro län" in v["kapitel_utanfor"] and v["antal_kommuner"] == "8"
        assert "Kapitl" not in bookpages.region_values(ROOT, geo.region("18"))["kapitel_utanfor"]


class TestRegionCells:
    def _cells(self):
        return [nbformat.v4.new_markdown_cell("# T"),
                nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["remove-input", "needs-finsam"]}),
                nbformat.v4.new_markdown_cell("Finsam", metadata={"tags": ["needs-finsam"]}),
                nbformat.v4.new_markdown_cell("Riket", metadata={"tags": ["needs-riket"]})]

    def test_cells_needing_material_the_region_lacks_are_left_out_and_tags_stripped(self):
        kept = execute.region_cells(self._cells(), geo.region("18"))
        assert [c.source for c in kept] == ["# T", "x = 1", "Finsam"]
        assert kept[1].metadata == {"tags": ["remove-input"]} and kept[2].metadata == {}
        assert [c.source for c in execute.region_cells(self._cells(), geo.region("riket"))] == [
            "# T", "Riket"]

    def test_cells_for_regions_lacking_material_are_the_other_wording(self):
        def cells():
            return [nbformat.v4.new_markdown_cell("Med", metadata={"tags": ["needs-rapporter"]}),
                    nbformat.v4.new_markdown_cell("Utan", metadata={"tags": ["lacks-rapporter"]})]

        assert [(c.source, c.metadata) for c in execute.region_cells(
            cells(), geo.region("18"))] == [("Med", {})]
        assert [(c.source, c.metadata) for c in execute.region_cells(
            cells(), geo.region("03"))] == [("Utan", {})]


class TestAreas:
    def test_areas_select_profiles_and_name_the_stamp(self, tmp_path):
        from analysis.book.params import load_edition

        ed = load_edition(ROOT / "params" / "2019.yml").model_copy(
            update={"chapters": ["profil_kommun"], "areas": ["1880", "1881"]})
        assert [j.params["area_code"] for j in jobs.plan(ROOT, ed)] == ["1880", "1881"]
        assert stamp.selection("profil_kommun", "1880,1881") == ["profil_kommun", "@1880", "@1881"]
        assert stamp.selection(None, None) is None


#: Örebro-only material: the cells tagged with it may name Örebro (its documents).
OREBRO_ONLY = {"finsam", "rapporter", "livsvillkor", "framskrivning_kommun", "barnfattigdom",
               "liv_och_halsa", "liv_och_halsa_ung"}


class TestPopulationChapterForAnyLan:
    NB = catalog.project_root() / "notebooks" / "01_befolkning.md"

    def test_orebro_has_the_reports(self):
        assert geo.region("18").has(["rapporter"]) and not geo.region("03").has(["rapporter"])

    def test_uppsala_keeps_no_cell_that_mentions_orebro(self):
        nb = jupytext.read(self.NB)
        tagged = {id(c) for c in nb.cells
                  if {t.split("-", 1)[1] for t in c.metadata.get("tags", [])
                      if t.startswith(("needs-", "lacks-"))} & OREBRO_ONLY}
        orebro = [c for c in nb.cells if "Örebro" in c.source]
        assert orebro and all(id(c) in tagged for c in orebro)
        kept = execute.region_cells(jupytext.read(self.NB).cells, geo.region("03"))
        assert [c.source[:60] for c in kept if "Örebro" in c.source] == []
        assert not any("underlagen" in c.source or "genomlysning" in c.source.lower()
                       for c in kept if c.cell_type == "markdown")
        assert len(kept) < len(nb.cells)

    def test_orebro_keeps_every_cell_but_the_other_wording(self):
        nb = jupytext.read(self.NB)
        lacks = [c for c in nb.cells if any(t.startswith("lacks-")
                                            for t in c.metadata.get("tags", []))]
        kept = execute.region_cells(jupytext.read(self.NB).cells, geo.region("18"))
        assert len(kept) == len(nb.cells) - len(lacks) and lacks
        assert not any(t.startswith(("needs-", "lacks-")) for c in kept
                       for t in c.metadata.get("tags", []))
