"""inputs.livsvillkor: the real kommun tables are checked on load against the book's data."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core import geo
from analysis.core.errors import InputError
from analysis.inputs import livsvillkor
from analysis.sources import catalog


@pytest.fixture(scope="module")
def data():
    return livsvillkor.load()


@pytest.fixture(scope="module")
def totals():
    return catalog.load("folkmangd_kommun")


class TestLoad:
    def test_real_and_checked(self, data):
        assert data.synthetic is False
        assert data.checks["ok"].all() and len(data.checks) > 100
        assert "Arbetsförmedlingen" in data.source and "Socialstyrelsen" in data.source

    def test_has_rest_of_lan_rows(self, data):
        assert "ovriga_lanet" in set(data.indicators["area_type"])


class TestCheckPopulation:
    def test_passes(self, data, totals):
        out = livsvillkor.check_population(data.regionfakta, totals)
        assert set(out["area_code"]) == set(geo.KOMMUNER)

    def test_a_changed_population_fails(self, data, totals):
        rf = data.regionfakta.copy()
        i = rf.index[(rf["tabell"] == "folkmangd_31dec") & (rf["region_kod"] == "1863")][0]
        rf.loc[i, "varde"] += 1
        with pytest.raises(InputError, match="differs from SCB") as e:
            livsvillkor.check_population(rf, totals)
        assert "regionfakta" in str(e.value)


class TestCheckSums:
    def test_passes(self, data):
        assert len(livsvillkor.check_sums(data.regionfakta)) > 50

    def test_a_kommun_that_does_not_add_up_fails(self, data):
        rf = data.regionfakta.copy()
        i = rf.index[(rf["tabell"] == "utrikes_fodda_kon") & (rf["region_kod"] == "1814")
                     & (rf["variabel"] == "utrikes_fodda_man")][0]
        rf.loc[i, "varde"] += 10
        with pytest.raises(InputError, match="add up"):
            livsvillkor.check_sums(rf)


class TestCheckForsorjningskvot:
    def test_published_equals_the_books(self, data):
        out = livsvillkor.check_forsorjningskvot(data.regionfakta, catalog.load("kolada_befolkning"))
        assert ((out["value"] - out["expected"]).abs() <= 0.051).all() and len(out) == 12

    def test_a_wrong_published_kvot_fails(self, data):
        rf = data.regionfakta.copy()
        i = rf.index[(rf["tabell"] == "forsorjningskvot") & (rf["region_kod"] == "1880")
                     & (rf["variabel"] == "forsorjningskvot")][0]
        rf.loc[i, "varde"] = 75.0
        with pytest.raises(InputError, match="forsorjningskvot"):
            livsvillkor.check_forsorjningskvot(rf, catalog.load("kolada_befolkning"))


class TestCheckNewsworthy:
    def test_passes(self, data, totals):
        out = livsvillkor.check_newsworthy(data.newsworthy, data.regionfakta, totals)
        assert len(out) == 24

    def test_a_wrong_ten_year_change_fails(self, data, totals):
        nw = data.newsworthy.copy()
        i = nw.index[(nw["kommun_kod"] == "1884") & (nw["variabel"] == "forandring_10_ar")][0]
        nw.loc[i, "varde"] += 5
        with pytest.raises(InputError, match="SCB 2012"):
            livsvillkor.check_newsworthy(nw, data.regionfakta, totals)


class TestCheckRiketChildren:
    def test_passes(self, data):
        assert len(livsvillkor.check_riket_children(data.riket_children)) == 2

    def test_a_gap_fails(self, data):
        ch = data.riket_children
        ch = ch[~((ch["region_kod"] == "00") & (ch["ar"] == 2015))]
        with pytest.raises(InputError, match="consecutive"):
            livsvillkor.check_riket_children(ch)


class TestCitation:
    def test_names_the_producers(self):
        c = livsvillkor.citation()
        assert c.startswith("Källa: SCB") and "Regionfakta" in c


def test_datasets_are_catalogued():
    names = set(catalog.read_catalog()["datasets"])
    assert set(livsvillkor.DATASETS) <= names
    assert isinstance(catalog.load("newsworthy_orebro_lan_kommun"), pd.DataFrame)
