"""methods.livsvillkor: intervals, verdicts, trends, the indicator table and similar kommuner."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.core import geo
from analysis.methods import livsvillkor as lv
from analysis.sources import catalog


@pytest.fixture(scope="module")
def rf():
    return catalog.load("regionfakta_orebro_lan")


@pytest.fixture(scope="module")
def table(rf):
    return lv.indicator_table(rf)


class TestWilson:
    def test_known_value(self):
        lo, hi = lv.wilson(5, 10)
        assert lo[()] == pytest.approx(0.2366, abs=1e-4) and hi[()] == pytest.approx(0.7634, abs=1e-4)

    def test_zero_count_and_missing_denominator(self):
        lo, hi = lv.wilson(np.array([0.0, 3.0]), np.array([20.0, np.nan]))
        assert lo[0] == pytest.approx(0.0, abs=1e-12) and hi[0] > 0 and np.isnan(lo[1])

    def test_wider_at_998(self):
        lo95, hi95 = lv.wilson(40, 200)
        lo998, hi998 = lv.wilson(40, 200, lv.Z998)
        assert lo998 < lo95 < 0.2 < hi95 < hi998


class TestByar:
    @pytest.mark.parametrize("count", [10, 50, 400])
    def test_close_to_the_exact_poisson_interval(self, count):
        lo, hi = lv.byar(count)
        exact_lo = stats.chi2.ppf(0.025, 2 * count) / 2
        exact_hi = stats.chi2.ppf(0.975, 2 * count + 2) / 2
        assert lo == pytest.approx(exact_lo, rel=0.01) and hi == pytest.approx(exact_hi, rel=0.01)

    def test_zero(self):
        lo, hi = lv.byar(0)
        assert lo == 0 and hi == pytest.approx(3.69, abs=0.05)


class TestVerdict:
    def test_polarity_decides_better_or_worse(self):
        assert lv.verdict(0.3, 0.25, 0.35, 0.22, 0.38, 0.2, "hog") == "battre_998"
        assert lv.verdict(0.3, 0.25, 0.35, 0.22, 0.38, 0.2, "lag") == "samre_998"
        assert lv.verdict(0.3, 0.25, 0.35, 0.19, 0.41, 0.2, "lag") == "samre"
        assert lv.verdict(0.3, 0.25, 0.35, 0.19, 0.41, 0.2, "neutral") == "hogre"
        assert lv.verdict(0.1, 0.05, 0.15, 0.03, 0.17, 0.2, "neutral") == "lagre_998"

    def test_overlap_untested_and_missing(self):
        assert lv.verdict(0.21, 0.15, 0.25, 0.1, 0.3, 0.2, "hog") == "likvardig"
        assert lv.verdict(250.0, np.nan, np.nan, np.nan, np.nan, 240.0, "hog") == "ej_provad"
        assert lv.verdict(0.2, 0.1, 0.3, 0.1, 0.3, np.nan, "hog") == "saknas"

    def test_unknown_polarity(self):
        with pytest.raises(ValueError, match="polarity"):
            lv.verdict(1, 0, 2, 0, 2, 1, "up")


class TestTrend:
    def test_significant_change_of_a_proportion(self):
        assert lv.trend(0.04, 400, 10000, 0.05, 500, 10000) == "upp"
        assert lv.trend(0.05, 500, 10000, 0.04, 400, 10000) == "ned"

    def test_small_sample_is_unchanged(self):
        assert lv.trend(0.04, 4, 100, 0.05, 5, 100) == "oforandrad"

    def test_without_counts_uses_two_per_cent(self):
        assert lv.trend(100.0, np.nan, np.nan, 101.0, np.nan, np.nan, "mean") == "oforandrad"
        assert lv.trend(100.0, np.nan, np.nan, 103.0, np.nan, np.nan, "mean") == "upp"
        assert lv.trend(np.nan, np.nan, np.nan, 1.0, np.nan, np.nan) == "saknas"


class TestNearestPeriod:
    def test_nearest_and_ties(self):
        assert lv.nearest_period([2017, 2020], 2019) == 2020
        assert lv.nearest_period([2018, 2020], 2019) == 2018
        assert lv.nearest_period([2019, 2020], 2019) == 2019

    def test_empty(self):
        with pytest.raises(ValueError):
            lv.nearest_period([], 2019)


class TestRawIndicators:
    def test_foreign_born_reproduces_the_printed_shares(self, rf, table):
        uf = rf[(rf["tabell"] == "utrikes_fodda_kon")].pivot_table(
            index="region_kod", columns="variabel", values="varde")
        mine = table[table["indicator_id"] == "utrikes_fodda"].set_index("area_code")["value"]
        for sex in ("kvinnor", "man"):
            share = uf[f"utrikes_fodda_{sex}"] / uf[f"befolkning_{sex}"]
            assert (share * 100 - uf[f"andel_utrikes_fodda_{sex}"]).abs().max() <= 0.051
        # both sexes together lie between the two printed shares
        lo = uf[["andel_utrikes_fodda_kvinnor", "andel_utrikes_fodda_man"]].min(axis=1) / 100
        hi = uf[["andel_utrikes_fodda_kvinnor", "andel_utrikes_fodda_man"]].max(axis=1) / 100
        m = mine.reindex(uf.index)
        assert ((m >= lo - 0.001) & (m <= hi + 0.001)).all()

    def test_every_indicator_has_kommun_rows(self, table):
        kom = table[table["area_type"] == "kommun"]
        assert set(kom["indicator_id"]) == set(lv.INDICATORS)
        assert set(kom["area_code"]) == set(geo.KOMMUNER)

    def test_intervals_contain_the_value(self, table):
        t = table[table["lower"].notna()]
        assert len(t) > 100
        assert ((t["lower"] <= t["value"]) & (t["value"] <= t["upper"])).all()
        assert ((t["lower_998"] <= t["lower"]) & (t["upper"] <= t["upper_998"])).all()
        assert set(t["method"]) == {"wilson", "byar"}

    def test_tidy_columns(self, table):
        assert list(table.columns) == lv.TIDY_COLUMNS


class TestForEdition:
    def test_one_period_per_indicator_and_label(self, table):
        e = lv.for_edition(table, 2019)
        assert e.groupby("indicator_id")["period"].nunique().max() == 1
        ua = e[e["indicator_id"] == "utrikes_fodda"]
        assert set(ua["period"]) == {2023} and set(ua["year_note"]) == {"närmaste år (2023)"}
        ip = e[e["indicator_id"] == "i_program"]
        assert set(ip["year_note"]) == {""}

    def test_prefers_years_with_a_riket_value(self, table):
        e = lv.for_edition(table, 2019)
        hs = e[e["indicator_id"] == "hogskolestuderande"]
        assert lv.RIKET in set(hs["area_code"])


class TestAddRestOfLan:
    def test_rest_plus_kommun_is_the_lan(self, table):
        raw = table
        rest = lv.add_rest_of_lan(raw)
        r = rest[(rest["indicator_id"] == "utrikes_fodda") & (rest["area_code"] == "1863-rest")]
        k = raw[(raw["indicator_id"] == "utrikes_fodda") & (raw["area_code"] == "1863")]
        lan = raw[(raw["indicator_id"] == "utrikes_fodda") & (raw["area_code"] == geo.LAN_KOD)]
        assert float(r["n"].iloc[0] + k["n"].iloc[0]) == pytest.approx(float(lan["n"].iloc[0]))
        assert set(rest["area_type"]) == {"ovriga_lanet"}


class TestSimilarKommuner:
    def test_nearest_in_standardised_space(self):
        ages = pd.DataFrame({"area_code": ["a", "b", "c", "d"], "total": [1000, 1100, 50000, 900],
                             "andel_0_15": [0.2, 0.2, 0.15, 0.21],
                             "andel_65_plus": [0.2, 0.21, 0.15, 0.2]})
        assert lv.similar_kommuner(ages, "a", 2) == ["d", "b"] or \
            lv.similar_kommuner(ages, "a", 2) == ["b", "d"]
        assert "c" not in lv.similar_kommuner(ages, "a", 2)

    def test_unknown_kommun(self):
        ages = pd.DataFrame({"area_code": ["a"], "total": [1], "andel_0_15": [0.1],
                             "andel_65_plus": [0.1]})
        with pytest.raises(KeyError):
            lv.similar_kommuner(ages, "x")
