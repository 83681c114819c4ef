"""methods.national: counts from Kolada's shares for all kommuner, län age groups from SCB's
single ages, pooled sums, the försörjningskvot from shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core import geo
from analysis.methods import national, population
from analysis.sources import catalog


@pytest.fixture(scope="module")
def kolada_wide():
    return catalog.load("kolada_befolkning_riket")


@pytest.fixture(scope="module")
def counts(kolada_wide):
    return national.kolada_counts(kolada_wide)


def _kolada_toy(total: float, share019: float, share65: float) -> pd.DataFrame:
    rows = [(population.KOLADA_TOTAL, total), (population.KOLADA_0_19, share019),
            (population.KOLADA_65, share65)]
    return pd.DataFrame([{"nyckeltal": n, "kommun_kod": "9999", "kommun_namn": "X", "2019": v}
                         for n, v in rows])


class TestKommunTotals:
    def test_long_and_whole(self):
        t = national.kommun_totals(catalog.load("folkmangd_kommun_riket"))
        assert len(set(t["kommun_kod"])) == 290
        assert t["ar"].min() == 1950 and t["ar"].max() == 2019
        # Örebro kommun 2019 as the PROVENANCE of the Kolada extract quotes it
        assert t.loc[(t["kommun_kod"] == "1880") & (t["ar"] == 2019), "folkmangd"].item() == 155696


class TestKoladaCounts:
    def test_all_kommuner_without_the_unweighted_mean(self, counts):
        assert len(set(counts["kommun_kod"])) == 290
        assert national.KOLADA_ALL not in set(counts["kommun_kod"])
        assert counts["ar"].min() == 2000 and counts["ar"].max() == 2019

    def test_groups_add_up_to_the_total(self, counts):
        assert (counts["0-19"] + counts["20-64"] + counts["65+"] == counts["total"]).all()
        assert (counts[national.COUNTS] > 0).all().all()

    def test_agrees_with_the_regional_extract(self, counts):
        """The län's 12 kommuner: the same counts as the regional code path
        (population.kolada_age_groups on the regional long table)."""
        reg = population.kolada_age_groups(catalog.load("kolada_befolkning"))
        mine = counts[counts["kommun_kod"].isin(geo.KOMMUNER)]
        m = reg.merge(mine, on=["kommun_kod", "ar"], suffixes=("_reg", ""))
        assert len(m) == len(reg)
        for c in national.COUNTS:
            assert (m[c] == m[f"{c}_reg"]).all(), c

    def test_hand_example(self):
        out = national.kolada_counts(_kolada_toy(1000, 25.0, 20.0))
        assert out[national.COUNTS].iloc[0].tolist() == [1000, 250, 550, 200]

    def test_too_coarse_share_fails(self):
        # 0,3 of a person from a whole number is tolerated (Stockholm's shares are that coarse) …
        assert national.kolada_counts(_kolada_toy(1000, 25.03, 20.0))["0-19"].item() == 250
        # … 0,45 is not: the share was rounded too coarsely to give back a count
        with pytest.raises(ValueError, match="kommun 9999 year 2019 is too coarse"):
            national.kolada_counts(_kolada_toy(1000, 25.045, 20.0))

    def test_missing_nyckeltal(self, kolada_wide):
        k = kolada_wide[kolada_wide["nyckeltal"] != population.KOLADA_65]
        with pytest.raises(ValueError, match="lacks the nyckeltal"):
            national.kolada_counts(k)


class TestLanAgeGroups:
    def test_riket_is_the_sum_and_groups_add_up(self):
        g = national.lan_age_groups(catalog.load("folkmangd_lan_alder_kon_riket"))
        assert len(set(g["lan_kod"])) == 22  # 21 län and riket
        y = g[g["ar"] == 2015].set_index("lan_kod")
        assert y.drop(index="00")[national.COUNTS].sum().tolist() == \
            y.loc["00", national.COUNTS].tolist()
        assert (y["0-19"] + y["20-64"] + y["65+"] == y["total"]).all()
        assert (y["80+"] < y["65+"]).all()

    def test_orebro_matches_the_regional_table(self):
        g = national.lan_age_groups(catalog.load("folkmangd_lan_alder_kon_riket"))
        reg = population.age_groups(population.lan_age_sex(catalog.load("folkmangd_lan_alder_kon")))
        mine = g[g["lan_kod"] == geo.LAN_KOD].set_index("ar")
        for c in [*national.COUNTS, "80+"]:
            assert (mine[c] == reg.loc[mine.index, c]).all(), c


class TestPooled:
    def test_sums_per_group(self):
        c = pd.DataFrame({"kommun_kod": ["a", "b", "c"], "ar": 2019, "total": [10, 20, 30],
                          "0-19": [1, 2, 3], "20-64": [6, 12, 18], "65+": [3, 6, 9]})
        out = national.pooled(c, {"a": "G", "b": "G"}).set_index("group")
        assert out.loc["G", "total"] == 30 and out.loc["G", "n_kommuner"] == 2
        assert "c" not in out.index and len(out) == 1


class TestDerive:
    def test_shares_and_ratio(self):
        d = national.derive(pd.DataFrame({"total": [8000], "0-19": [2000], "20-64": [5000],
                                          "65+": [1000], "80+": [400]}))
        r = d.iloc[0]
        assert r["andel_0_19"] == 0.25 and r["andel_65"] == 0.125 and r["andel_80"] == 0.05
        assert r["forsorjningskvot"] == pytest.approx(60.0)


class TestForsorjningskvotFromShares:
    @pytest.mark.parametrize("case", ["toy1", "toy3"])
    def test_matches_the_reference_examples(self, case):
        """shared/reference/se_forsorjningskvot_examples.csv, as shares of the total."""
        ref = {"toy1": (2000, 5000, 1500, 70.0), "toy3": (300, 400, 100, 100.0)}[case]
        a, b, c, expected = ref
        tot = a + b + c
        assert national.forsorjningskvot_from_shares(100 * a / tot, 100 * c / tot) == \
            pytest.approx(expected)
        assert population.forsorjningskvot(a, b, c) == pytest.approx(expected)

    def test_hand_example(self):
        # a = 20 %, b = 20 %: 40 / 60 × 100
        assert national.forsorjningskvot_from_shares(20, 20) == pytest.approx(200 / 3)
        assert np.allclose(national.forsorjningskvot_from_shares([20, 25], [20, 25]),
                           [200 / 3, 100.0])

    @pytest.mark.parametrize("a, b", [(-1, 20), (60, 40)])
    def test_bad_shares(self, a, b):
        with pytest.raises(ValueError):
            national.forsorjningskvot_from_shares(a, b)


class TestRanks:
    def test_one_is_highest_and_ties_share(self):
        assert national.ranks(pd.Series([3.0, 1.0, 3.0])).tolist() == [1, 3, 1]
        assert national.ranks(pd.Series([3.0, 1.0]), descending=False).tolist() == [2, 1]
