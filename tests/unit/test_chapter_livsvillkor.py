"""chapters.livsvillkor: the chapter's table of the kommuner, the län and riket."""

from __future__ import annotations

import pytest

from analysis.chapters import livsvillkor as lvc
from analysis.inputs import livsvillkor
from analysis.sources import catalog


@pytest.fixture(scope="module")
def data():
    return livsvillkor.load()


class TestLanTable:
    def test_rows_columns_and_years(self, data):
        display, csv = lvc.lan_table(data.indicators, 2019)
        assert list(display["Område"])[:2] == ["Askersund", "Degerfors"]
        assert list(display["Område"])[-3:] == ["Örebro", "Örebro län", "Riket"]
        assert "Utrikes födda 2023*" in display.columns
        assert "I arbetsmarknadsprogram 16–64 år 2019" not in display.columns
        row = display.set_index("Område").loc["Hällefors"]
        assert row["Utrikes födda 2023*"] == "19,8\u00a0%"
        assert set(csv["indicator_id"]) == set(lvc.CHAPTER_INDICATORS)

    def test_edition_year_has_no_star(self, data):
        display, _ = lvc.lan_table(data.indicators, 2019, ["i_program"])
        assert list(display.columns) == ["Område", "I arbetsmarknadsprogram 16–64 år 2019"]

    def test_unknown_indicator(self, data):
        with pytest.raises(KeyError):
            lvc.lan_table(data.indicators, 2019, ["nope"])


class TestSeedForeignBorn:
    def test_seed_figures_beside_computed(self, data):
        t = lvc.seed_foreign_born(data.indicators, catalog.load("seed_figures"))
        t = t.set_index("område")
        assert {"Hällefors", "Ljusnarsberg", "Lekeberg", "Askersund"} <= set(t.index)
        assert t.loc["Hällefors", "publicerat"] == pytest.approx(0.22)
        assert t.loc["Hällefors", "period_beräknat"] == 2023
        assert "olika åren" in t.loc["Hällefors", "förklaring"]
        assert t.loc["Hällefors", "förklaring"].startswith("olika år: förstudien omkring 2019, boken 2023")
        assert "avrundat" in t.loc["Lekeberg", "förklaring"]


class TestLifeExpectancy:
    def test_lan_and_riket_with_rank(self, data):
        le = lvc.life_expectancy(data.regionfakta)
        last = le[le["period"] == "2014-2018"].set_index(["area_code", "sex"])
        assert last.loc[("18", "kvinnor"), "value"] == pytest.approx(84.0)
        assert last.loc[("00", "man"), "value"] == pytest.approx(80.6)
        assert last.loc[("18", "kvinnor"), "rank"] == 10
        assert le[le["period"] == "1966-1970"]["rank"].isna().all()  # only län 18 and riket

    def test_sentence(self, data):
        s = lvc.life_expectancy_sentence(lvc.life_expectancy(data.regionfakta))
        assert "2014–2018" in s and "84,0 år för kvinnor" in s and "riket 84,1" in s
        assert "tionde längst av landets 21 län" in s and "sjätte kortast" in s

    def test_missing_table(self, data):
        with pytest.raises(KeyError):
            lvc.life_expectancy(data.regionfakta[data.regionfakta["tabell"] == "x"])
