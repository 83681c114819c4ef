"""book.bookpages: the generated Kommunprofiler index (map + alphabetical list)."""

from __future__ import annotations

import re

from analysis.book import bookpages
from analysis.book.params import load_edition
from analysis.chapters import livsvillkor as lv_chapter
from analysis.core import geo
from analysis.inputs import livsvillkor
from analysis.sources import catalog


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
