"""The cohort-component projection: hand-computed small cases, then the real SCB data.

The small cases (a stable population, zero migration, a Leslie matrix with a known eigenvalue,
life-table survival of a constant rate) are worked out by hand in the comments; the real-data
tests check accounting identities (the residual migration reproduces the statistics), the
back-test's bookkeeping and the kommun shares' constraint to the län.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core import geo
from analysis.methods import population
from analysis.methods import projection as pj
from analysis.sources import catalog

ROOT = Path(__file__).resolve().parents[2]
A = pj.N_AGES


def toy(fert_age1: float, boys: float = 0.0):
    """Women live two years (age 0 → 1 surely, none reach 2) and have ``fert_age1`` births a
    year at age 1; every birth survives to the year's end; all births girls unless ``boys``."""
    s = np.zeros((2, A))
    s[:, 0] = 1.0
    sb = np.ones(2)
    fert = np.zeros(A)
    fert[1] = fert_age1
    return s, sb, fert, boys


def women(*ages) -> np.ndarray:
    p = np.zeros((2, A))
    p[0, :len(ages)] = ages
    return p


@pytest.fixture(scope="module")
def vital():
    return pj.vital_from_scb(catalog.load("folkmangd_lan_alder_kon_riket", root=ROOT),
                             catalog.load("fodda_lan_riket", root=ROOT),
                             catalog.load("doda_lan_riket", root=ROOT))


# --------------------------------------------------------------------------- hand-computed
class TestSurvival:
    def test_constant_rate_gives_the_textbook_ratio(self):
        # a = 0.5: q = m / (1 + m/2), L(a) = l(a)(1 − q/2), so L(a+1)/L(a) = 1 − q = (1 − m/2)/(1 + m/2)
        m = np.full((2, A), 0.02)
        s, _ = pj.survival(m)
        assert s[:, 1:98] == pytest.approx(0.99 / 1.01)

    def test_zero_mortality_everyone_survives(self):
        s, sb = pj.survival(np.zeros((2, A)))
        assert s[:, :99] == pytest.approx(1.0)
        assert sb == pytest.approx(1.0)

    def test_open_class_is_t100_over_t99(self):
        # Constant m = 0.5 from 99: L(99) = l99 (1 − q/2), q = 0.5/1.25 = 0.4, L(99) = 0.8 l99;
        # l100 = 0.6 l99, L(100+) = l100 / m = 1.2 l99; S = 1.2 / (0.8 + 1.2) = 0.6.
        m = np.zeros((2, A))
        m[:, 99:] = 0.5
        s, _ = pj.survival(m)
        assert s[:, 99] == pytest.approx(0.6)
        assert s[:, 100] == pytest.approx(0.6)

    def test_births_survive_with_l0(self):
        # Andreev–Kingkade a0 for girls at m0 = 0.002: 0.14903 − 2.05527 × 0.002 = 0.14492;
        # q0 = m0 / (1 + (1 − a0) m0); L0 = 1 − (1 − a0) q0.
        m = np.zeros((2, A))
        m[:, 0] = 0.002
        _, sb = pj.survival(m)
        a0 = 0.14903 - 2.05527 * 0.002
        q0 = 0.002 / (1 + (1 - a0) * 0.002)
        assert sb[0] == pytest.approx(1 - (1 - a0) * q0)


class TestAndreevKingkadeA0:
    def test_branches(self):
        assert pj.andreev_kingkade_a0(0.01, True) == pytest.approx(0.14929 - 1.99545 * 0.01)
        assert pj.andreev_kingkade_a0(0.05, False) == pytest.approx(0.04667 + 3.88089 * 0.05)
        assert pj.andreev_kingkade_a0(0.2, True) == pytest.approx(0.29915)


class TestSurvive:
    def test_zero_mortality_moves_everyone_one_year_on(self):
        p = np.zeros((2, A))
        p[:, 10] = 5
        p[:, 99] = 2
        p[:, 100] = 3
        out = pj.survive(p, np.ones((2, A)))
        assert out[:, 11] == pytest.approx(5)
        assert out[:, 100] == pytest.approx(5)  # 99 joins the open class
        assert out.sum() == pytest.approx(p.sum())


class TestStep:
    def test_no_births_deaths_or_migration_keeps_the_total(self):
        p = np.arange(2 * A, dtype=float).reshape(2, A)
        new, b = pj.step(p, np.ones((2, A)), np.ones(2), np.zeros(A), 0.5)
        assert b == 0
        assert new.sum() == pytest.approx(p.sum() - p[:, 0].sum() + p[:, 0].sum())
        assert new[:, 0] == pytest.approx(0)

    def test_births_by_hand(self):
        # f(1) = 8/3, women [2, 1]: survivors [0, 2]; births = 8/3 × (1 + 2) / 2 = 4.
        s, sb, fert, boys = toy(8 / 3)
        new, b = pj.step(women(2, 1), s, sb, fert, boys)
        assert b == pytest.approx(4)
        assert new[0, :2] == pytest.approx([4, 2])

    def test_sex_ratio_at_birth(self):
        s, sb, fert, _ = toy(8 / 3)
        new, b = pj.step(women(2, 1), s, sb, fert, 0.25)
        assert new[0, 0] == pytest.approx(3)
        assert new[1, 0] == pytest.approx(1)

    def test_zero_migration_equals_no_migration(self):
        s, sb, fert, boys = toy(1.0)
        a, _ = pj.step(women(3, 2), s, sb, fert, boys)
        b, _ = pj.step(women(3, 2), s, sb, fert, boys, mig=np.zeros((2, A)))
        assert a == pytest.approx(b)

    def test_migration_counts_are_added_and_never_negative(self):
        s, sb, fert, boys = toy(0.0)
        mig = np.zeros((2, A))
        mig[0, 1] = 5
        mig[0, 0] = -10
        new, _ = pj.step(women(3, 0), s, sb, fert, boys, mig=mig)
        assert new[0, 1] == pytest.approx(8)
        assert new[0, 0] == 0  # more emigrants than babies: zero, not negative

    def test_stable_population_stays_put(self):
        # f(1) = 1: the Leslie matrix [[1/2, 1/2], [1, 0]] has λ = 1 and stable vector [1, 1].
        s, sb, fert, boys = toy(1.0)
        p = women(1, 1)
        for _ in range(10):
            p, _ = pj.step(p, s, sb, fert, boys)
        assert p[0, :2] == pytest.approx([1, 1])
        assert p[:, 2:].sum() == 0


class TestLeslieMatrix:
    def test_known_eigenvalue(self):
        # First row k(a) = (f(a) + S(a) f(a+1)) / 2 = [4/3, 4/3], subdiagonal 1:
        # λ² − (4/3)λ − 4/3 = 0, so λ = (4/3 + 8/3) / 2 = 2 with stable vector [2, 1].
        s, sb, fert, boys = toy(8 / 3)
        mat = pj.leslie_matrix(s, sb, fert, boys)
        assert mat[0, :2] == pytest.approx([4 / 3, 4 / 3])
        assert max(abs(np.linalg.eigvals(mat))) == pytest.approx(2.0)

    def test_matrix_equals_the_step(self):
        rng = np.random.default_rng(1)
        m = rng.uniform(0.001, 0.05, (2, A))
        s, sb = pj.survival(m)
        fert = np.zeros(A)
        fert[15:50] = rng.uniform(0, 0.1, 35)
        p = rng.uniform(100, 1000, (2, A))
        new, _ = pj.step(p, s, sb, fert, 0.513)
        assert pj.leslie_matrix(s, sb, fert, 0.513) @ p.ravel() == pytest.approx(new.ravel())

    def test_growth_factor_is_reached(self):
        s, sb, fert, boys = toy(8 / 3)
        p = women(1, 5)
        for _ in range(40):
            p, _ = pj.step(p, s, sb, fert, boys)
        nxt, _ = pj.step(p, s, sb, fert, boys)
        assert nxt.sum() / p.sum() == pytest.approx(2.0)


class TestLeeCarter:
    def test_recovers_a_linear_drift(self):
        ages, years = 5, 12
        a = np.linspace(-6, -2, ages)
        b = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
        k = 2.0 - 0.5 * np.arange(years)
        _, b_hat, k_hat = pj.lee_carter(a[:, None] + b[:, None] * k[None, :])
        assert b_hat.sum() == pytest.approx(1.0)
        drift = (k_hat[-1] - k_hat[0]) / (years - 1)
        assert b_hat * drift == pytest.approx(b * -0.5)


# --------------------------------------------------------------------------- small synthetic
def small_vital(years=8, regions=("01", "18")) -> pj.Vital:
    rng = np.random.default_rng(7)
    t, r = years, len(regions)
    pop = rng.uniform(500, 1500, (t, r, 2, A))
    deaths = pop * rng.uniform(0.001, 0.02, (t, r, 2, A))
    births = np.zeros((t, r, 2, A))
    births[..., 15:50] = rng.uniform(5, 40, (t, r, 2, 35))
    return pj.Vital(np.arange(2000, 2000 + t), regions, tuple(regions), pop, births, deaths)


class TestResidualMigration:
    def test_survivors_plus_residual_reproduce_the_statistics(self):
        v = small_vital()
        res = pj.residual_migration(v)
        e = pj.exposure(v.pop)
        s, sb = pj.survival(v.deaths[1:] / e)
        rebuilt = pj.survive(v.pop[:-1], s) + res
        assert rebuilt[..., 1:] == pytest.approx(v.pop[1:, ..., 1:])
        assert (v.births[1:].sum(-1) * sb + res[..., 0]) == pytest.approx(v.pop[1:, ..., 0])

    def test_border_change_years_are_left_out(self):
        v = small_vital(years=4, regions=("03", "18"))
        v = pj.Vital(np.arange(2004, 2008), v.regions, v.names, v.pop, v.births, v.deaths)
        res = pj.residual_migration(v)
        assert np.isnan(res[v.index(2006) - 1, 0]).all()
        assert not np.isnan(res[:, 1]).any()


class TestEstimate:
    def test_rates_by_hand(self):
        v = small_vital()
        m = pj.estimate(v, 2007, pj.Assumptions(rate_window=2, migration_window=3,
                                                mortality_level="own", mortality_trend=None))
        e = pj.exposure(v.pop)[5:7].sum(0)
        assert m.m == pytest.approx(v.deaths[6:8].sum(0) / e)
        assert m.fert[0, 20] == pytest.approx(v.births[6:8, 0, :, 20].sum() / e[0, 0, 20])
        boys = v.births[6:8, :, 1].sum() / v.births[6:8].sum()
        assert m.boys == pytest.approx(boys)
        assert m.mig == pytest.approx(pj.residual_migration(v)[4:7].mean(0))

    def test_national_level_keeps_each_band_total(self):
        v = small_vital()
        m = pj.estimate(v, 2007, pj.Assumptions(rate_window=3, migration_window=3,
                                                mortality_trend=None))
        e = pj.exposure(v.pop)[4:7].sum(0)
        d = v.deaths[5:8].sum(0)
        lo, hi = pj.MORTALITY_BANDS[2]
        assert (m.m[..., lo:hi + 1] * e[..., lo:hi + 1]).sum(-1) == pytest.approx(
            d[..., lo:hi + 1].sum(-1))

    def test_window_before_the_data_fails(self):
        with pytest.raises(ValueError, match="needs data from"):
            pj.estimate(small_vital(), 2003, pj.Assumptions(migration_window=10))

    def test_assumptions_are_checked(self):
        with pytest.raises(ValueError, match="migration"):
            pj.Assumptions(migration="gravity")


class TestProject:
    def test_no_events_keeps_the_total(self):
        model = pj.Model(2000, np.zeros((1, 2, A)), np.zeros((1, A)), np.zeros(1),
                         np.zeros((1, 2, A)))
        p0 = np.ones((1, 2, A))
        out, births = pj.project(model, p0, 2000, 2010)
        assert out.shape == (11, 1, 2, A)
        assert out.sum((1, 2, 3)) == pytest.approx(p0.sum() - np.arange(11) * 0)
        assert births.sum() == 0

    def test_migration_rates(self):
        model = pj.Model(2000, np.zeros((1, 2, A)), np.zeros((1, A)), np.zeros(1),
                         np.full((1, 2, A), 0.1), migration="rates")
        out, _ = pj.project(model, np.ones((1, 2, A)), 2000, 1 + 2000)
        assert out[1, 0, :, 1:100] == pytest.approx(1.1)

    def test_all_lan_25_years_fast(self, vital):
        import time

        model = pj.estimate(vital, 2015)
        t = time.perf_counter()
        out, _ = pj.project(model, vital.pop[-1], 2015, 2040)
        assert time.perf_counter() - t < 0.5
        assert out.shape == (26, 21, 2, A)


class TestCarryToTotals:
    def test_meets_every_total(self, vital):
        model = pj.estimate(vital, 2010)
        totals = {y: vital.pop[vital.index(y)].sum((-2, -1)) for y in range(2011, 2016)}
        pops = pj.carry_to_totals(model, vital.pop[vital.index(2010)], 2010, totals)
        assert pops.shape[0] == 6
        for i, y in enumerate(range(2011, 2016)):
            assert pops[i + 1].sum((-2, -1)) == pytest.approx(totals[y])


class TestBridged:
    def test_without_gap_it_is_the_plain_model(self, vital):
        m0 = pj.estimate(vital, 2010)
        m, p = pj.bridged(vital, 2010, 2010, {})
        assert m.mig == pytest.approx(m0.mig)
        assert p == pytest.approx(vital.pop[vital.index(2010)])

    def test_known_gap_ages_give_the_true_jump_off(self, vital):
        i = vital.index(2014)
        totals = {y: vital.pop[vital.index(y)].sum((-2, -1)) for y in (2013, 2014)}
        _, p = pj.bridged(vital, 2012, 2014, totals, pops=vital.pop[i - 2:i + 1])
        assert p == pytest.approx(vital.pop[i])


# --------------------------------------------------------------------------- real data
class TestVitalFromScb:
    def test_arrays_match_the_tables(self, vital):
        assert vital.regions[0] == "01" and len(vital.regions) == 21
        assert vital.pop[vital.index(2015), vital.region("18")].sum() == 291012
        assert vital.births[vital.index(2015)].sum() == pytest.approx(114870)
        assert vital.deaths[vital.index(2015)].sum() == 90907

    def test_unknown_mothers_age_is_shared_out(self):
        base = {"lan_kod": "18", "lan_namn": "Örebro län", "2000": 0}
        pop = pd.DataFrame([{**base, "kon": k, "alder": "20"} for k in ("kvinnor", "män")])
        births = pd.DataFrame([{**base, "barnets_kon": "kvinnor", "moderns_alder": a, "2000": n}
                               for a, n in (("<15", 2), ("30", 6), ("no information", 4))])
        deaths = pop.copy()
        v = pj.vital_from_scb(pop, births, deaths)
        assert v.births[0, 0, 0, 15] == pytest.approx(3)
        assert v.births[0, 0, 0, 30] == pytest.approx(9)


@pytest.fixture(scope="module")
def bt(vital):
    return pj.backtest(vital, [1995, 2000, 2005])


class TestBacktest:
    def test_bookkeeping(self, bt, vital):
        assert set(bt["base"]) == {1995, 2000, 2005}
        assert (bt["ar"] - bt["base"] == bt["horizon"]).all()
        assert bt["log_error"].to_numpy() == pytest.approx(
            np.log(bt["projected"] / bt["observed"]).to_numpy())
        obs = bt[(bt["region"] == "18") & (bt["ar"] == 2015) & (bt["group"] == "total")]
        assert (obs["observed"] == 291012).all()

    def test_no_pairs_across_the_border_change(self, bt):
        bad = bt[bt["region"].isin(["03", "19"]) & (bt["base"] < 2006) & (bt["ar"] >= 2006)]
        assert bad.empty

    def test_errors_are_small_after_one_year(self, bt):
        one = bt[(bt["horizon"] == 1) & (bt["group"] == "total")]
        assert one["ape"].max() < 0.02

    def test_hamilton_perry_is_the_population_module(self, vital):
        """The vectorised Hamilton–Perry equals the chapter's one-län version."""
        lan = population.lan_age_sex(catalog.load("folkmangd_lan_alder_kon", root=ROOT))
        ccr1 = population.cohort_change_ratios(lan, range(2011, 2016))
        one = population.project(lan, ccr1, 2015, 2025)
        ccr = pj.hamilton_perry_ratios(vital.pop, vital.years, 2015, 5)
        i = vital.region(geo.LAN_KOD)
        many = pj.project_hamilton_perry(ccr, vital.pop[-1], 2015, 2025)
        assert many[-1, i].sum() == pytest.approx(
            one.loc[one["ar"] == 2025, "folkmangd"].sum())


class TestMape:
    def test_mean_of_absolute_errors(self):
        t = pd.DataFrame({"g": ["a", "a", "b"], "ape": [0.1, 0.3, 0.2]})
        out = pj.mape(t, ["g"]).set_index("g")
        assert out.loc["a", "mape"] == pytest.approx(0.2)
        assert out.loc["a", "n"] == 2


def errors_table(values_by_horizon: dict[int, list[float]], group: str = "total") -> pd.DataFrame:
    rows = [{"group": group, "horizon": h, "base": 1990 + i, "log_error": x}
            for h, xs in values_by_horizon.items() for i, x in enumerate(xs)]
    return pd.DataFrame(rows)


class TestEmpiricalIntervals:
    def test_quantiles_then_linear_growth(self):
        e = errors_table({1: [0.01, -0.02, 0.03, -0.04, 0.05], 2: [0.1, -0.1, 0.1, -0.1, 0.1],
                          3: [0.5, 0.5]})  # horizon 3 has too few base years
        iv = pj.empirical_intervals(e, 4, levels=(0.5,), min_bases=5).set_index("horizon")
        assert iv.loc[1, "q"] == pytest.approx(0.03)
        assert iv.loc[2, "q"] == pytest.approx(0.1)
        assert iv.loc[4, "q"] == pytest.approx(0.2)  # 0.1 × 4 / 2
        assert not iv.loc[3, "estimated"]

    def test_never_shrinks(self):
        e = errors_table({1: [0.2] * 5, 2: [0.1] * 5})
        iv = pj.empirical_intervals(e, 2, levels=(0.8,))
        assert iv["q"].tolist() == pytest.approx([0.2, 0.2])


class TestWithIntervals:
    def test_log_symmetric(self):
        iv = pd.DataFrame({"group": ["total"], "horizon": [1], "level": [0.8], "q": [np.log(2)]})
        out = pj.with_intervals(pd.DataFrame({"group": ["total"], "horizon": [1],
                                              "value": [10.0]}), iv, 0.8)
        assert out[["lower", "upper"]].iloc[0].tolist() == pytest.approx([5, 20])

    def test_missing_horizon_fails(self):
        iv = pd.DataFrame({"group": ["total"], "horizon": [1], "level": [0.8], "q": [0.1]})
        with pytest.raises(ValueError, match="no interval"):
            pj.with_intervals(pd.DataFrame({"group": ["total"], "horizon": [2], "value": [1.0]}),
                              iv, 0.8)


class TestCoverage:
    def test_share_inside(self):
        e = errors_table({1: [0.01, 0.05, -0.2, 0.0]})
        iv = pd.DataFrame({"group": ["total"], "horizon": [1], "level": [0.8], "q": [0.06]})
        assert pj.coverage(e, iv)["andel"].iloc[0] == pytest.approx(0.75)


# --------------------------------------------------------------------------- kommuner
@pytest.fixture(scope="module")
def kommun_inputs():
    kolada = catalog.load("kolada_befolkning", root=ROOT)
    lan = population.lan_series(catalog.load("folkmangd_lan_alder_kon", root=ROOT), kolada, 2019)
    ages = lan.groupby(["ar", "alder"], as_index=False)["folkmangd"].sum()
    groups = population.kolada_age_groups(kolada)
    return groups, ages, catalog.load("folkmangd_kommun", root=ROOT)


class TestKommunBandShares:
    def test_each_band_sums_to_one(self, kommun_inputs):
        groups, ages, _ = kommun_inputs
        sh = pj.kommun_band_shares(groups, ages)
        bands = [b for b, _, _ in pj.KOMMUN_BANDS]
        assert sh[bands].groupby(level="ar").sum().to_numpy() == pytest.approx(1.0)

    def test_80_plus_follows_the_65_plus_cohort(self, kommun_inputs):
        groups, ages, _ = kommun_inputs
        sh = pj.kommun_band_shares(groups, ages)
        assert sh.loc[(2019, "1880"), "80+"] == pytest.approx(sh.loc[(2004, "1880"), "s65"])

    def test_finer_table_splits_0_19(self, kommun_inputs):
        groups, ages, _ = kommun_inputs
        g = groups[groups["ar"] == 2018].set_index("kommun_kod")
        finer = pd.DataFrame({"kommun_kod": g.index, "ar": 2018, "n0_15": g["0-19"] * 0.8,
                              "n31_44": (g["20-64"] - sum(g[f"a{a}"] for a in range(20, 31)))
                              * 0.4})
        finer.loc[finer["kommun_kod"] == "1880", "n0_15"] *= 1.1
        sh = pj.kommun_band_shares(groups, ages, finer)
        flat = pj.kommun_band_shares(groups, ages)
        assert sh.loc[(2019, "1880"), "0-15"] > flat.loc[(2019, "1880"), "0-15"]
        assert sh.loc[(2017, "1880"), "0-15"] == pytest.approx(flat.loc[(2017, "1880"), "0-15"])


    def test_a_kommun_formed_later_gets_shares_from_its_first_year(self, kommun_inputs):
        # As Knivsta (Uppsala län, 2003): no Kolada rows for the kommun before it existed.
        groups, ages, _ = kommun_inputs
        later = groups[~((groups["kommun_kod"] == "1814") & (groups["ar"] < 2003))]
        sh = pj.kommun_band_shares(later, ages)
        bands = [b for b, _, _ in pj.KOMMUN_BANDS]
        assert not sh[bands].isna().any().any()
        assert sh[bands].groupby(level="ar").sum().to_numpy() == pytest.approx(1.0)
        # From 2003 + OLD_LAG on, the lag reaches years the kommun has: as with full data.
        full = pj.kommun_band_shares(groups, ages)
        assert sh.loc[2019].to_numpy() == pytest.approx(full.loc[2019].to_numpy())


class TestKommunProjection:
    def test_kommuner_add_up_to_the_lan(self, kommun_inputs):
        groups, ages, totals = kommun_inputs
        sh = pj.kommun_band_shares(groups, ages)
        lp = ages[ages["ar"].isin([2017, 2018, 2019])]
        kp = pj.kommun_projection(lp, sh, 2016, trend=pj.share_trend(totals, 2016))
        tot = kp.groupby(["ar", "alder"])["folkmangd"].sum()
        assert tot.to_numpy() == pytest.approx(lp.set_index(["ar", "alder"])["folkmangd"]
                                               .reindex(tot.index).to_numpy())

    def test_constant_shares_at_the_base_year_give_kolada(self, kommun_inputs):
        groups, ages, _ = kommun_inputs
        sh = pj.kommun_band_shares(groups, ages)
        kp = pj.kommun_projection(ages[ages["ar"] == 2012], sh, 2012)
        g = pj.kommun_groups(kp).set_index(["kommun_kod", "group"])["value"]
        k = groups[groups["ar"] == 2012].set_index("kommun_kod")
        assert g.xs("total", level="group").to_numpy() == pytest.approx(
            k["total"].reindex(g.xs("total", level="group").index).to_numpy(), rel=1e-9)
        assert g.xs("65+", level="group").to_numpy() == pytest.approx(
            k["65+"].reindex(g.xs("65+", level="group").index).to_numpy(), rel=1e-9)


class TestShareTrend:
    def test_recovers_a_steady_shift(self):
        years = range(2000, 2012)
        rows = [{"kommun_kod": k, "ar": y, "folkmangd": 1000 * np.exp(g * (y - 2000))}
                for k, g in (("a", 0.02), ("b", 0.0)) for y in years]
        tr = pj.share_trend(pd.DataFrame(rows), 2011, 10)
        share_a = [np.exp(0.02 * t) / (np.exp(0.02 * t) + 1) for t in range(2, 12)]
        slope = np.polyfit(np.arange(10), np.log(share_a), 1)[0]
        assert tr["a"] == pytest.approx(slope)

    def test_missing_years_fail(self):
        t = pd.DataFrame({"kommun_kod": ["a"], "ar": [2000], "folkmangd": [1]})
        with pytest.raises(ValueError, match="missing"):
            pj.share_trend(t, 2005, 3)


class TestKommunBacktest:
    def test_areas_and_errors(self, kommun_inputs, vital):
        groups, ages, totals = kommun_inputs
        sh = pj.kommun_band_shares(groups, ages)
        model = pj.estimate(vital, 2010)
        pop, _ = pj.project(model, vital.pop[vital.index(2010)], 2010, 2013)
        i = vital.region("18")
        lp = pd.DataFrame({"ar": np.repeat(np.arange(2011, 2014), A),
                           "alder": np.tile(np.arange(A), 3), "folkmangd": pop[1:, i].sum(1).ravel()})
        obs = groups.melt(id_vars=["kommun_kod", "ar"], value_vars=["total", "65+"],
                          var_name="group", value_name="observed")
        bt = pj.kommun_backtest({2010: lp}, sh, obs, kommun_totals=totals,
                                areas={"LO": ["1814", "1880"], "18": list(geo.KOMMUNER)})
        assert set(bt["region"]) == {"LO", "18"}
        lan = bt[(bt["region"] == "18") & (bt["group"] == "total")].set_index("ar")
        assert lan["projected"].to_numpy() == pytest.approx(pop[1:, i].sum((1, 2)))
