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
