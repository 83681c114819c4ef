"""Tests for analysis.methods.sdcaudit: the interval attack, the raking factors, the intruder's
weights and the combined attack on published cells.

Property-based tests (hypothesis) draw small populations of atoms (weights and shares) and check
that the attack is sound (the true value of every hidden cell lies in its interval) and sharp
where it must be (a cell that is the only hidden part of a published mean is found exactly).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from analysis.methods import sdcaudit


class TestFunctionalMatrix:
    def test_rows_are_weighted_means(self):
        M = sdcaudit.functional_matrix([[0, 1], [1, 2], [0, 1, 2]], np.array([1.0, 3.0, 4.0]))
        np.testing.assert_allclose(M.sum(axis=1), 1)
        np.testing.assert_allclose(M[0], [0.25, 0.75, 0])
        np.testing.assert_allclose(M[2], [1 / 8, 3 / 8, 4 / 8])

    def test_empty_cell_refused(self):
        with pytest.raises(ValueError, match="no atoms"):
            sdcaudit.functional_matrix([[]], np.ones(2))
        with pytest.raises(ValueError, match="sum to"):
            sdcaudit.functional_matrix([[0]], np.zeros(2))


class TestIntervalAttack:
    M = sdcaudit.functional_matrix([[0], [1], [0, 1]], np.array([1.0, 3.0]))

    def test_single_hidden_part_is_exact(self):
        v = np.array([0.2, 0.6, 0.5])
        b = sdcaudit.interval_attack(self.M, v, np.array([False, True, True]))
        assert b.lower[0] == pytest.approx(0.2, abs=1e-6)
        assert b.upper[0] == pytest.approx(0.2, abs=1e-6)
        assert b.derivable(0.1).tolist() == [True, False, False]
        assert 2 in b.binding[0] and 1 in b.binding[0]
        assert np.isnan(b.width[1])

    def test_two_hidden_parts_bounded_by_zero_one(self):
        # 0.25 a + 0.75 b = 0.5 with a, b in [0, 1]: a in [0, 1], b in [1/3, 2/3]
        v = np.array([0.2, 0.6, 0.5])
        b = sdcaudit.interval_attack(self.M, v, np.array([False, False, True]))
        assert (b.lower[0], b.upper[0]) == pytest.approx((0.0, 1.0), abs=1e-6)
        assert (b.lower[1], b.upper[1]) == pytest.approx((1 / 3, 2 / 3), abs=1e-6)

    def test_nothing_hidden(self):
        b = sdcaudit.interval_attack(self.M, np.array([0.2, 0.6, 0.5]), np.ones(3, bool))
        assert np.isnan(b.lower).all() and b.binding == [[], [], []]

    def test_inconsistent_values_widen_the_slack_then_fail(self):
        v = np.array([0.2, 0.6, 0.51])  # 0.5 would be consistent: slack 0.01 needed
        b = sdcaudit.interval_attack(self.M, v, np.array([True, True, True]),
                                     cells=np.array([], dtype=int))
        assert b.tolerance == 1e-7  # no hidden cell: nothing to solve
        M = sdcaudit.functional_matrix([[0], [1], [0, 1], [0, 1]], np.array([1.0, 3.0]))
        b = sdcaudit.interval_attack(M, np.array([0.2, 0.6, 0.5, 0.51]),
                                     np.array([False, True, True, True]))
        assert 0.004 <= b.tolerance <= 0.02
        with pytest.raises(ValueError, match="inconsistent"):
            sdcaudit.interval_attack(M, np.array([0.2, 0.6, 0.1, 0.9]),
                                     np.array([False, True, True, True]))


class TestRakingFactors:
    @settings(max_examples=30, deadline=None)
    @given(st.integers(0, 10_000))
    def test_recovers_the_age_factors(self, seed):
        rng = np.random.default_rng(seed)
        g = rng.uniform(0.5, 2.0, 5)
        n = rng.integers(5, 60, (8, 5)).astype(float)
        p = rng.uniform(0.2, 0.9, (8, 5))
        total = (g * n * p).sum(axis=1) / (g * n).sum(axis=1)
        got = sdcaudit.raking_factors(n, p, total)
        np.testing.assert_allclose(got, g / g.sum(), rtol=1e-8)

    def test_too_few_rows(self):
        assert sdcaudit.raking_factors(np.ones((2, 5)), np.full((2, 5), 0.5),
                                       np.array([0.5, 0.5])) is None

    def test_undetermined(self):
        n = np.ones((6, 5))
        p = np.full((6, 5), 0.5)  # every share equal: any factors fit
        assert sdcaudit.raking_factors(n, p, np.full(6, 0.5)) is None


# --------------------------------------------------------------------------- small populations
KOM = ("A", "B", "C", "D")
SEXES = ("kvinnor", "man")
AGES = ("y", "o")


def _population(rng) -> pd.Series:
    idx = pd.MultiIndex.from_product([KOM, SEXES, AGES])
    return pd.Series(rng.integers(50, 400, len(idx)).astype(float), index=idx)


def _raked(pop: pd.Series, n: pd.Series, g: np.ndarray) -> pd.Series:
    """Weight totals of multiplicative raking: ``N_ks g_a n_ksa / Σ_a g_a n_ksa``."""
    gn = n * np.tile(g, len(n) // len(g))
    return pop.groupby(level=[0, 1]).transform("sum") * gn / gn.groupby(level=[0, 1]).transform(
        "sum")


def _cells(pop: pd.Series, p: pd.Series, n: pd.Series, hidden: set,
           g: np.ndarray | None = None) -> pd.DataFrame:
    """Published cells of one indicator: kommun × sex × age, kommun × sex, kommun beside the
    rest, län × sex, each the mean of its atoms' shares weighted as raking weights them."""
    rows = []
    weight = _raked(pop, n, np.ones(len(AGES)) if g is None else g)

    def add(area, sexes, ages, key):
        atoms = [(k, s, a) for k in area for s in sexes for a in ages]
        w = weight.loc[atoms]
        v = float((w * p.loc[atoms]).sum() / w.sum())
        rows.append({"indicator_id": "x", "period": "2017", "area": tuple(area),
                     "sexes": tuple(sexes), "ages": tuple(ages), "value": v,
                     "n": float(n.loc[atoms].sum()), "shown": key not in hidden, "key": key})

    for k in KOM:
        for s in SEXES:
            for a in AGES:
                add((k,), (s,), (a,), ("fine", k, s, a))
            add((k,), (s,), AGES, ("kommun", k, s))
            add(tuple(x for x in KOM if x != k), (s,), AGES, ("rest", k, s))
    for s in SEXES:
        add(KOM, (s,), AGES, ("lan", s))
    return pd.DataFrame(rows)


class TestAttackCells:
    @settings(max_examples=12, deadline=None,
              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(st.integers(0, 100_000), st.integers(1, 4))
    def test_sound_and_finds_lone_cells(self, seed, n_hidden):
        rng = np.random.default_rng(seed)
        pop = _population(rng)
        p = pd.Series(rng.uniform(0.05, 0.95, len(pop)), index=pop.index)
        n = pd.Series(rng.integers(3, 60, len(pop)).astype(float), index=pop.index)
        fine = [("fine", k, s, a) for k in KOM for s in SEXES for a in AGES]
        hidden = {fine[i] for i in rng.choice(len(fine), n_hidden, replace=False)}
        c = _cells(pop, p, n, hidden, g=rng.uniform(0.5, 2.0, len(AGES)))
        truth = c["value"].to_numpy().copy()
        c.loc[~c["shown"], ["value", "n"]] = np.nan
        res = sdcaudit.attack_cells(c[list(sdcaudit.CELL_COLUMNS)], pop)
        h = ~c["shown"].to_numpy()
        assert (res["lower"][h] <= truth[h] + 1e-6).all()  # sound: the truth is inside
        assert (res["upper"][h] >= truth[h] - 1e-6).all()
        # a hidden age cell whose kommun × sex has no other hidden cell is derived exactly
        for i in np.flatnonzero(h):
            k, s = c.at[i, "key"][1:3]
            others = [x for x in hidden if x[1:3] == (k, s)]
            if len(others) == 1:
                assert res.at[i, "upper"] - res.at[i, "lower"] < 1e-4

    def test_absent_age_rows_have_no_weight(self):
        rng = np.random.default_rng(1)
        pop = _population(rng)
        p = pd.Series(0.5, index=pop.index)
        c = _cells(pop, p, pd.Series(10.0, index=pop.index), set())
        c = c[c["key"] != ("fine", "A", "man", "o")]  # no respondent aged "o" among A's men
        w, exact = sdcaudit.attacker_weights(c, pop)
        assert ("A", "man") in exact  # one age group left: its weight is the row's
        assert w.loc[("A", "man", "o")] == 0
        assert w.loc[[("A", "man", "y")]].sum() == pytest.approx(pop.loc["A", "man"].sum())
