"""Tests for analysis.methods.working_age: kommun 16–64 estimates, the 5 % rule against Bilaga 1, back-tests."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.chapters import finsam
from analysis.core import geo
from analysis.methods import population
from analysis.methods import working_age as wa
from analysis.sources import catalog


@pytest.fixture(scope="module")
def data():
    kolada = catalog.load("kolada_befolkning")
    pop = catalog.load("folkmangd_lan_alder_kon")
    groups = population.kolada_age_groups(kolada)
    lan = population.lan_series(pop, kolada, 2019)
    k16 = wa.kommun_16_64(groups, lan)
    fig = finsam.figures(catalog.load("finsam_genomlysning"))
    return {"kolada": kolada, "pop": pop, "groups": groups, "lan": lan, "k16": k16,
            "areas": wa.by_area(k16), "fig": fig}


class TestTeenShares:
    @pytest.mark.parametrize("method", wa.METHODS)
    def test_shares_sum_to_one(self, data, method):
        s = wa.teen_shares(data["groups"], [2005, 2019], method)
        assert s.groupby(["ar", "alder"])["share"].sum().sub(1).abs().max() < 1e-12
        assert set(s["kommun_kod"]) == set(geo.KOMMUNER)

    def test_unknown_method(self, data):
        with pytest.raises(ValueError, match="method"):
            wa.teen_shares(data["groups"], [2019], "magic")

    def test_year_outside_data(self, data):
        with pytest.raises(ValueError, match="1990"):
            wa.teen_shares(data["groups"], [1990])

    def test_blend_is_mean(self, data):
        args = (data["groups"], [2019])
        a, b, c = (wa.teen_shares(*args, m)["share"] for m in ("blend", "current", "centred"))
        assert ((a - (b + c) / 2).abs() < 1e-15).all()


class TestKommun1664:
    def test_sum_equals_scb_where_known(self, data):
        """For 2000–2015 the kommun estimates add up to SCB's län count of 16–64 exactly."""
        lan = data["areas"][data["areas"]["area_type"] == "lan"].set_index("ar")["n16_64"]
        scb = population.age_groups(population.lan_age_sex(data["pop"]))["16-64"]
        years = [y for y in lan.index if y <= 2015]
        assert len(years) == 16
        assert (lan[years] - scb[years]).abs().max() < 0.5

    def test_20_64_is_exact(self, data):
        k = data["k16"]
        assert ((k["n16_64"] - k["n16_19"] - k["n20_64"]).abs() < 1e-6).all()
        assert (k["n16_19"] > 0).all()

    def test_every_kommun_and_forbund(self, data):
        k = data["k16"][data["k16"]["ar"] == 2019]
        assert sorted(k["kommun_kod"]) == sorted(geo.KOMMUNER)
        assert set(k["forbund_kod"]) == set(geo.FORBUND)

    def test_working_age_share_fell_below_60(self, data):
        """The seeds' point: 16–64 fell from 63 % (2009) to just under 60 % (2019) of the population."""
        lan = data["areas"][data["areas"]["area_type"] == "lan"].set_index("ar")
        assert round(100 * lan.loc[2009, "andel_16_64"]) == 63
        assert 0.595 < lan.loc[2019, "andel_16_64"] < 0.60


class TestByArea:
    def test_forbund_sum_of_kommuner(self, data):
        a = data["areas"][data["areas"]["ar"] == 2019].set_index("area_code")
        for code, f in geo.FORBUND.items():
            assert a.loc[code, "n16_64"] == pytest.approx(a.loc[list(f.kommuner), "n16_64"].sum())
        assert a.loc[geo.LAN_KOD, "malgrupp"] == pytest.approx(0.05 * a.loc[geo.LAN_KOD, "n16_64"])


@pytest.fixture(scope="module")
def cmp(data):
    return finsam.target_group_compare(data["areas"], data["fig"], 2019).set_index("area_code")


class TestBilaga1FivePercent:
    """The issue's acceptance tolerances for Bilaga 1's row '5 % av arbetsför befolkning'."""

    def test_lan_within_1_percent(self, cmp):
        assert cmp.loc[geo.LAN_KOD, "published"] == 9108
        assert abs(cmp.loc[geo.LAN_KOD, "rel_diff"]) < 0.01

    @pytest.mark.parametrize("code", list(geo.FORBUND))
    def test_forbund_within_2_percent(self, cmp, code):
        assert abs(cmp.loc[code, "rel_diff"]) < 0.02

    def test_lekeberg_within_10_persons(self, cmp):
        assert cmp.loc["1814", "published"] == 230
        assert abs(cmp.loc["1814", "diff"]) <= 10

    def test_better_than_crude_cohort_shift(self, data, cmp):
        crude = wa.crude_cohort_shift(data["groups"], data["lan"], 2019, 2015)
        k = data["k16"][data["k16"]["ar"] == 2019].set_index("kommun_kod")
        alt = wa.by_area(k.assign(n16_19=crude, n16_64=k["n20_64"] + crude).reset_index())
        c2 = finsam.target_group_compare(alt, data["fig"], 2019).set_index("area_code")
        codes = list(geo.FORBUND)
        assert cmp.loc[codes, "rel_diff"].abs().max() < c2.loc[codes, "rel_diff"].abs().max()


class TestCrudeCohortShift:
    def test_total_is_lan_12_15(self, data):
        c = wa.crude_cohort_shift(data["groups"], data["lan"], 2019, 2015)
        single = wa.lan_single_ages(data["lan"])
        n = single[(single["ar"] == 2015) & single["alder"].between(12, 15)]["folkmangd"].sum()
        assert c.sum() == pytest.approx(n)


class TestBacktestAge20:
    def test_blend_error_and_ranking(self, data):
        res = {m: wa.backtest_summary(wa.backtest_age20(data["groups"], list(range(2010, 2016)), m))
               for m in wa.METHODS}
        assert res["blend"]["weighted"] < 0.045
        assert res["blend"]["weighted"] <= min(r["weighted"] for r in res.values())

    def test_origin_too_late(self, data):
        with pytest.raises(ValueError, match="origin"):
            wa.backtest_age20(data["groups"], [2017])

    def test_shape(self, data):
        bt = wa.backtest_age20(data["groups"], [2015])
        assert len(bt) == 4 * len(geo.KOMMUNER)
        assert isinstance(bt, pd.DataFrame)


class TestBacktestLan:
    def test_2011_to_2015(self, data):
        bt = wa.backtest_lan(data["pop"], data["groups"], 2011, 2015).set_index(["ar", "group"])
        assert abs(bt.loc[(2015, "16-64"), "rel_error"]) < 0.002
        assert abs(bt.loc[(2015, "16-19"), "rel_error"]) < 0.025


class TestShare019:
    def test_rows_sum_to_one(self, data):
        s = wa.share_0_19(data["groups"])
        assert (s.sum(axis=1) - 1).abs().max() < 1e-12

    def test_missing_kommun(self, data):
        g = data["groups"][data["groups"]["kommun_kod"] != "1814"]
        with pytest.raises(ValueError, match="1814"):
            wa.share_0_19(g)


class TestForbundDiffRange:
    def test_min_and_max_over_forbund_rows_only(self):
        import pandas as pd

        t = pd.DataFrame({"area_code": ["LO", "SN", "1880", "18"], "rel_diff": [0.01, -0.02, 0.5, 0.4]})
        assert wa.forbund_diff_range(t) == (-0.02, 0.01)


class TestConstants:
    def test_last_single_ages_is_the_data(self, data):
        assert int(data["pop"]["ar"].max()) == wa.LAST_SINGLE_AGES
        assert wa.BACKTEST_LAN_START < wa.LAST_SINGLE_AGES
        assert max(wa.AGE20_ORIGINS) == wa.LAST_SINGLE_AGES


class TestCrudeByArea:
    def test_same_as_the_shift_by_hand(self, data):
        crude = wa.crude_cohort_shift(data["groups"], data["lan"], 2019, 2015)
        k = data["k16"][data["k16"]["ar"] == 2019].set_index("kommun_kod")
        hand = wa.by_area(k.assign(n16_19=crude, n16_64=k["n20_64"] + crude).reset_index())
        got = wa.crude_by_area(data["groups"], data["lan"], data["k16"], 2019)
        pd.testing.assert_frame_equal(got, hand)
        lan = got.set_index("area_code").loc[geo.LAN_KOD]
        assert lan["n16_19"] == pytest.approx(crude.sum())
