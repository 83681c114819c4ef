"""Tests for analysis.synthetic.synth_register and its real inputs (analysis.methods.poverty_reference):
hand-computed norms and medians, the targets, and a small seeded panel that must pass the register
contract, reproduce itself and hit its calibration.

The full-size panel on the shipped seed is tested in tests/unit/test_child_poverty.py (it is built
once there, through the cached path of analysis.inputs.barnfattigdom).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.contracts import register
from analysis.core import geo
from analysis.methods import population
from analysis.methods import poverty as pv
from analysis.methods import poverty_reference as ref
from analysis.sources import catalog
from analysis.synthetic import synth_register as sr

KOMMUNER = list(geo.KOMMUNER)


@pytest.fixture(scope="module")
def real():
    kolada = catalog.load("kolada_befolkning")
    groups = population.kolada_age_groups(kolada)
    lan = population.lan_series(catalog.load("folkmangd_lan_alder_kon"), kolada, 2019)
    return {
        "groups": groups, "lan": lan,
        "medians": catalog.load("ekonomisk_standard_median"),
        "kpi": catalog.load("kpi_arsmedel"),
        "riksnorm": catalog.load("riksnorm_2019"),
    }


@pytest.fixture(scope="module")
def counts(real):
    return ref.child_population(real["groups"], real["lan"])


class TestChildPopulation:
    def test_kommuner_add_up_to_the_rounded_lan_total(self, counts, real):
        c19 = counts[counts["year"] == 2019]
        lan = real["lan"]
        lan017 = lan[(lan["ar"] == 2019) & (lan["alder"] <= 17)]["folkmangd"].sum()
        assert c19["n_0_17"].sum() == round(lan017)  # 63 928
        assert len(c19) == 12 and set(c19["kommun"]) == set(KOMMUNER)

    def test_exact_0_19_from_kolada_and_18_19_removed(self, counts, real):
        g = real["groups"].set_index(["kommun_kod", "ar"])["0-19"]
        c = counts[counts["year"] <= 2019]
        assert (c["n_0_19"].to_numpy() == g.loc[list(zip(c["kommun"], c["year"], strict=True))]
                .to_numpy()).all()
        assert ((c["n_0_19"] - c["n_0_17"] - c["n_18_19"]).abs() < 1).all()
        assert (c["status"] == "Kolada").all()

    def test_years_after_kolada_are_extrapolated_and_flagged(self, counts):
        ext = counts[counts["year"] > 2019]
        assert sorted(ext["year"].unique()) == [2020, 2021]
        assert (ext["status"] == "framskrivet").all()
        w = counts.pivot(index="year", columns="kommun", values="n_0_17")
        # linear trend of the last three years: 2020 = 2019 + (2019 - 2016) / 3
        expected = (w.loc[2019] + (w.loc[2019] - w.loc[2016]) / 3).round().astype(int)
        assert (w.loc[2020] == expected).all()

    def test_year_without_data(self, real):
        with pytest.raises(ValueError, match="no Kolada"):
            ref.child_population(real["groups"], real["lan"], years=[1990])


class TestNationalMedian:
    def test_published_years_in_current_prices(self, real):
        m = ref.national_median(real["medians"], real["kpi"]).set_index("year")
        assert m.loc[2019, "median"] == pytest.approx(261_800.0)
        # 2011: 227,4 tkr in 2019 prices x KPI 311,43 / 334,26
        assert m.loc[2011, "median"] == pytest.approx(227_400 * 311.43 / 334.26)
        assert (m.loc[2011:2019, "status"] == "publicerad").all()

    def test_missing_years_are_assumptions(self, real):
        m = ref.national_median(real["medians"], real["kpi"]).set_index("year")
        growth = (261.8 / 256.1) ** (1 / 3) - 1  # mean real growth 2016-2019
        assert m.loc[2020, "median_fixed_prices"] == pytest.approx(261_800 * (1 + growth))
        assert m.loc[2021, "median"] == pytest.approx(261_800 * (1 + growth) ** 2 * 343.19 / 334.26)
        assert (m.loc[[2020, 2021], "status"] == "antagande").all()

    def test_missing_kpi(self, real):
        with pytest.raises(ValueError, match="KPI is missing"):
            ref.national_median(real["medians"], real["kpi"], years=[2030])


class TestChildNormAverage:
    def test_weighted_by_single_ages(self, real):
        # (2130 + 2*2380 + 2120 + 3*2380 + 4*2990 + 4*3440 + 4*3880 + 3910) / 20 = 61 300 / 20
        assert ref.child_norm_average(real["riksnorm"]) == pytest.approx(3065.0)

    def test_missing_band(self, real):
        r = real["riksnorm"]
        with pytest.raises(ValueError, match="age bands"):
            ref.child_norm_average(r[r["grupp"] != "0"])


class TestNormTable:
    def test_hand_computed_households(self, real):
        n = ref.norm_table(real["riksnorm"], real["kpi"]).set_index(
            ["year", "adults_in_couple", "other_adults", "children"])["norm"]
        # couple + 2 children, 2019: 12 x (5570 + 2*3065 + 1570 + 5200 + 2*1100 + 550 + 2*450)
        assert n.loc[(2019, 2, 0, 2)] == 12 * 22_120
        # lone parent + 1 child: 12 x (3090 + 3065 + 1100 + 5200 + 1100 + 550 + 450)
        assert n.loc[(2019, 0, 1, 1)] == 12 * 14_555
        # couple + 1 further adult + 6 children = 9 persons: common 2220 + 2*170
        nine = 5570 + 3090 + 6 * 3065 + 2220 + 2 * 170 + 5200 + 6 * 1100 + 550 + 3 * 450
        assert n.loc[(2019, 2, 1, 6)] == 12 * nine
        # fixed real norm: other years scaled with KPI, rounded to kronor
        assert n.loc[(2011, 2, 0, 2)] == round(12 * 22_120 * 311.43 / 334.26)

    def test_covers_what_household_norm_needs(self, real):
        norms = ref.norm_table(real["riksnorm"], real["kpi"], years=[2019])
        keys = pd.DataFrame({"year": [2019, 2019], "adults_in_couple": [0, 2],
                             "other_adults": [3, 0], "children": [12, 0]})
        assert len(pv.household_norm(keys, norms)) == 2
        assert not ((norms["adults_in_couple"] == 0) & (norms["other_adults"] == 0)).any()


class TestKommunTargets:
    n = pd.Series([1000, 1200, 3000, 1800, 1300, 800, 33000, 5100, 2100, 6000, 2200, 4800],
                  index=KOMMUNER)
    proxy = pd.Series(np.arange(12, dtype=float) * 100 + 300, index=KOMMUNER)

    def test_published_shares_after_rounding(self):
        t = sr.kommun_targets(self.n, self.proxy, lan_share=0.118, share_min=0.049,
                              share_max=0.298).set_index("kommun")
        share = t["target_count"] / t["n_children"]
        assert round(100 * share.min(), 1) == 4.9 and share.idxmin() == KOMMUNER[0]
        assert round(100 * share.max(), 1) == 29.8 and share.idxmax() == KOMMUNER[-1]
        lan = t["target_count"].sum() / t["n_children"].sum()
        assert 0.1175 <= lan < 0.1185

    def test_monotone_in_the_proxy(self):
        t = sr.kommun_targets(self.n, self.proxy, lan_share=0.118, share_min=0.049,
                              share_max=0.298)
        assert t["share_model"].is_monotonic_increasing
        assert 0 < t.attrs["gamma"]

    def test_unreachable_share_for_a_kommun_size(self):
        # 790 children: 29,75 % is 235,0 and 29,85 % is 235,8 children, no whole number between
        n = self.n.copy()
        n[KOMMUNER[-1]] = 790
        with pytest.raises(ValueError, match="790 children"):
            sr.kommun_targets(n, self.proxy, lan_share=0.118, share_min=0.049, share_max=0.298)

    def test_proxy_must_separate(self):
        with pytest.raises(ValueError, match="differ"):
            sr.kommun_targets(self.n, self.proxy * 0 + 1, lan_share=0.118, share_min=0.049,
                              share_max=0.298)


# --------------------------------------------------------------------------- a small seeded panel
@pytest.fixture(scope="module")
def small(real, counts):
    medians = ref.national_median(real["medians"], real["kpi"])
    norms = ref.norm_table(real["riksnorm"], real["kpi"])
    n19 = counts[counts["year"] == 2019].set_index("kommun")["n_0_17"]
    proxy = pd.Series(np.arange(12, dtype=float), index=KOMMUNER)
    targets = sr.kommun_targets(n19, proxy, lan_share=0.118, share_min=0.049, share_max=0.298)
    cc, tg = sr.scale_counts(counts, targets, 0.04)
    res = sr.generate(7, cc, medians, norms, tg)
    return {"res": res, "counts": cc, "targets": tg, "medians": medians, "norms": norms}


class TestGenerate:
    def test_accepted_by_the_register_contract(self, small):
        panel = small["res"].panel
        checked = register.validate_register(panel, "synthetic")
        assert len(checked) == len(panel)
        assert list(checked.columns) == [c for c in register.COLUMNS if c != "household_type"]

    def test_same_seed_same_panel(self, small):
        again = sr.generate(7, small["counts"], small["medians"], small["norms"], small["targets"])
        pd.testing.assert_frame_equal(again.panel, small["res"].panel)
        other = sr.generate(8, small["counts"], small["medians"], small["norms"], small["targets"])
        assert not other.panel["disposable_income"].equals(small["res"].panel["disposable_income"])

    def test_real_child_counts_every_kommun_and_year(self, small):
        p = small["res"].panel
        kids = p[p["age"] <= 17].groupby(["year", "kommun"], observed=True).size()
        want = small["counts"].set_index(["year", "kommun"])["n_0_17"]
        assert (kids.reindex(want.index).to_numpy() == want.to_numpy()).all()

    def test_calibrated_counts_through_the_poverty_measures(self, small):
        m = pv.poverty_measures(small["res"].panel, small["medians"].set_index("year")["median"],
                                small["norms"])
        kids = pv.economically_vulnerable_children(m)
        agg = pv.aggregate_children(kids, area_levels=("kommun",))
        got = agg[agg["period"] == 2019].set_index("area_code")["count"]
        want = small["targets"].set_index("kommun")["target_count"]
        assert (got.reindex(want.index) == want).all()
        assert small["res"].report["counts"] == small["res"].report["targets"]

    def test_persistence_and_gradients_exist(self, small):
        m = pv.poverty_measures(small["res"].panel, small["medians"].set_index("year")["median"],
                                small["norms"])
        kids = pv.economically_vulnerable_children(m)
        k = kids[kids["year"] >= 2014]
        assert k["persistent_low_economic_standard"].astype("boolean").sum() > 0
        for by, high, low in (("background", "utländsk", "svensk"),
                              ("parents_education", "förgymnasial", "eftergymnasial"),
                              ("household_type", "ensamstående med barn", "sammanboende med barn")):
            t = pv.aggregate_children(k, by=by, area_levels=("lan",)).groupby("group")
            share = t["count"].sum() / t["denominator"].sum()
            assert share[high] > 2 * share[low], by

    def test_households_are_consistent(self, small):
        p = small["res"].panel
        hh = p.groupby(["year", "household_id"])
        assert (hh["kommun"].nunique() == 1).all()
        first = hh[["adults_in_couple", "other_adults", "children_0_19"]].first().astype(int)
        # every member is an adult of the couple, a further adult or a child 0-19
        assert (hh.size() == first.sum(axis=1)).all()
        assert ((p["adults_in_couple"] + p["other_adults"]) >= 1).all()

    def test_years_must_be_consecutive(self, small):
        with pytest.raises(ValueError, match="consecutive"):
            sr.generate(1, small["counts"], small["medians"], small["norms"], small["targets"],
                        years=[2011, 2013])


class TestScaleCounts:
    def test_shares_kept(self, counts):
        targets = pd.DataFrame({"kommun": KOMMUNER, "target_share": 0.1,
                                "target_count": 0, "n_children": 0})
        cc, tg = sr.scale_counts(counts, targets, 0.1)
        assert (cc["n_0_17"] >= 1).all()
        assert (tg["target_share"] - 0.1).abs().max() < 0.02
