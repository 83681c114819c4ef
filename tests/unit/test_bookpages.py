"""Generated pages: readers get a bibliography and the edition's dates; analysts get the files;
the Kommunprofiler index (map + alphabetical list)."""

from __future__ import annotations

import re

import pytest

from analysis.book import bookpages, readerlint
from analysis.book.params import load_edition
from analysis.chapters import livsvillkor as lv_chapter
from analysis.core import geo
from analysis.core.paths import project_root
from analysis.inputs import livsvillkor
from analysis.sources import catalog

ROOT = project_root()


@pytest.fixture(scope="module")
def ed():
    return load_edition(ROOT / "params" / "2019.yml")


@pytest.fixture(scope="module")
def manifest(ed):
    return {"git_commit": "0123456789abcdef0123", "params_file": "params/2019.yml",
            "build_key": "abcdef0123456789abcd", "params": ed.model_dump(),
            "datasets": [{"name": "seed_figures", "relpath": "raw/seed_figures/x.csv",
                          "md5": "d41d8cd98f00b204e9800998ecf8427e", "producer": "Region",
                          "date_published": "2020-05-07"}],
            "notebooks": [{"source": "notebooks/01_befolkning.md", "output": "x", "key": "k"}]}


def problems(md: str) -> list[str]:
    """Lint the text a reader sees (link targets are not shown)."""
    return readerlint.text_problems(re.sub(r"\]\(https?://[^)]+\)", "]", md.replace("{doc}", "")))


class TestSourcesMd:
    def test_bibliography_without_files(self, ed):
        md = bookpages.sources_md(ROOT, ed)
        assert "Genomlysning samordningsförbunden Örebro län" in md
        assert "Senare källa" in md  # the February 2022 minutes, after the 2019 edition
        assert problems(md.replace("for_analytiker", "")) == []


class TestAnalystMd:
    def test_files_and_commands_are_here(self, ed, manifest):
        md = bookpages.analyst_md(ROOT, ed, manifest)
        for s in ("d41d8cd98f00b204e9800998ecf8427e", "make book", "ANALYSIS_REGISTER_EXTRACT",
                  "003_e03a011979e317c6.txt", "min_respondents"):
            assert s in md


class TestEditionMd:
    def test_reference_year_and_dates(self, ed, manifest):
        md = bookpages.edition_md(ed, manifest)
        assert "Referensår:** 2019" in md and "2020-06-01" in md and "senare källa" in md
        assert problems(md.replace("for_analytiker", "").replace("vad_har_andrats", "")) == []


class TestSwedishKey:
    def test_a_a_o_after_z(self):
        names = ["Örebro", "Ängelholm", "Åre", "Zeta", "Alvesta"]
        assert sorted(names, key=bookpages.swedish_key) == ["Alvesta", "Zeta", "Åre",
                                                             "Ängelholm", "Örebro"]


class TestKommunIndexMd:
    def test_alphabetical_list_with_population_and_links(self):
        ed = load_edition(catalog.project_root() / "params" / "2019.yml")
        lv = livsvillkor.load()
        md = bookpages.kommun_index_md(ed, catalog.load("folkmangd_kommun"),
                                       catalog.load("kommungranser"),
                                       lv_chapter.seed_foreign_born(lv.indicators,
                                                                  catalog.load("seed_figures")))
        names = re.findall(r"^\| \{doc\}`(\w+) <", md, flags=re.M)
        assert len(names) == 12 and names[0] == "Askersund" and names[-1] == "Örebro"
        assert "| {doc}`Örebro </book/_generated/kommuner/profil_kommun__area_1880>` | 155\u00a0696 |" in md
        assert "31 december 2019" in md and md.count("<a href=") == len(geo.KOMMUNER)
        assert "| Hällefors | 22\u00a0% (ca 2019) | 19,8\u00a0% (2023) |" in md


class TestCodebookMd:
    def test_columns_units_and_downloads(self):
        md = bookpages.codebook_md(2019, "data_2019.zip", "data_2019.xlsx", 211)
        assert md.startswith("# Kodbok") and "(data_2019.zip)" in md and "(data_2019.xlsx)" in md
        assert "Alla 211 tabeller" in md
        assert "| område_kod | Områdets kod" in md and "| procentenheter |" in md
        assert "Tillåtna värden: kvinnor, män, totalt." in md
        assert "byte-ordningsmärke" in md and "undertryckt" in md
        assert readerlint.text_problems(md) == []
