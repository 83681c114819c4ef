"""Attacks on published estimate tables: what an intruder can derive about a suppressed cell.

The book protects linked survey tables (:func:`analysis.methods.disclosure.protect_linked`) and
audits every edition before it is published (:mod:`analysis.book.audit`). Both rest on the same
model of the published cells.

Atoms and functionals
    Every estimate a table publishes from one survey round is a *weighted mean* of the values of
    disjoint *atoms* (e.g. kommun × sex × age group): a kommun × sex share is the mean of its
    age groups weighted by their weight totals, the rest of the län is the mean of the other
    kommuner, the län the mean of all. A published cell is therefore a row of a matrix ``M``
    (cells × atoms, each row sums to one), and a suppressed cell is a row whose value is hidden.

:func:`interval_attack`
    The linear-programming attack (Hundepool et al. 2012, *Statistical Disclosure Control*, §4.3
    "audit": the feasibility interval of each suppressed cell). With the published values as
    constraints (within a tolerance) and every atom in [0, 1], the smallest and largest value
    each suppressed cell can take. A cell is *derivable* when the interval is narrower than the
    protection interval. The published cells that bind the bounds (non-zero duals) are the ones
    an attack uses; complementary suppression picks among them.

:func:`raking_factors`
    The attack on raked weights: with multiplicative raking (kommun × sex factor times age factor)
    the age factors solve ``Σ_a g_a n_a (p_a − p) = 0`` from every fully published kommun × sex
    row (its age cells' shares ``p_a`` and respondents ``n_a``, and the row's share ``p``);
    with them a row with one hidden age cell gives that cell exactly.

:func:`attack_cells`
    The intruder of the audit: from published cells only (shares, respondents where shown) and
    the public population by kommun × sex × age group, estimate the atoms' weights
    (:func:`attacker_weights`: the raking factors where fully published rows allow, else the
    population) and run :func:`interval_attack` three ways (within kommun × sex rows; across
    kommuner, the rest of the län and the län; everything together), keeping the narrowest
    interval of each suppressed cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

__all__ = ["Bounds", "attack_cells", "attacker_weights", "functional_matrix", "interval_attack",
           "raking_factors"]


@dataclass(frozen=True)
class Bounds:
    """Feasibility intervals of the suppressed cells of :func:`interval_attack`.

    ``lower``/``upper`` hold, per cell, the smallest/largest value the published cells allow
    (NaN for shown cells); ``binding[i]`` the shown cells whose constraints bind the bounds of
    hidden cell ``i`` (empty for shown cells); ``tolerance`` the tolerance finally used.
    """

    lower: np.ndarray
    upper: np.ndarray
    binding: list[list[int]]
    tolerance: float

    @property
    def width(self) -> np.ndarray:
        """``upper − lower`` (NaN for shown cells)."""
        return self.upper - self.lower

    def derivable(self, protection: float) -> np.ndarray:
        """Hidden cells whose interval is narrower than ``protection``."""
        w = self.width
        return ~np.isnan(w) & (w < protection)


def functional_matrix(members: list[list[int]], weights: np.ndarray) -> np.ndarray:
    """Rows of weighted-mean functionals: cell ``i`` is the mean of the atoms ``members[i]``
    weighted by ``weights``.

    Raises
    ------
    ValueError
        If a cell has no atoms or its atoms' weights sum to zero or less.
    """
    w = np.asarray(weights, dtype=float)
    M = np.zeros((len(members), len(w)))
    for i, atoms in enumerate(members):
        if not atoms:
            raise ValueError(f"cell {i} has no atoms")
        tot = w[atoms].sum()
        if not tot > 0:
            raise ValueError(f"cell {i}: the weights of its atoms sum to {tot}")
        M[i, atoms] = w[atoms] / tot
    return M


def _solve(c: np.ndarray, A: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    return optimize.linprog(c, A_ub=np.vstack([A, -A]), b_ub=np.concatenate([hi, -lo]),
                            bounds=(0.0, 1.0), method="highs")


def interval_attack(M: np.ndarray, values: np.ndarray, shown: np.ndarray, *,
                    tolerance: float = 1e-7, max_tolerance: float = 0.05,
                    cells: np.ndarray | None = None) -> Bounds:
    """Smallest and largest value of every suppressed cell given the published ones.

    Solves, for each hidden cell ``h``, ``min/max M[h] · p`` subject to
    ``|M[shown] · p − values[shown]| ≤ tolerance`` and ``0 ≤ p ≤ 1`` (linear programs, HiGHS).
    If the published values are inconsistent at ``tolerance`` (the attacker's weights are
    estimates) the tolerance is doubled until they are not (up to ``max_tolerance``): an
    attacker accepts the smallest slack that explains what is published.

    Parameters
    ----------
    M
        Cells × atoms functionals (:func:`functional_matrix`).
    values
        Published values (anything for hidden cells).
    shown
        True where the cell's value is published.
    tolerance, max_tolerance
        Slack of each published constraint (start and limit).
    cells
        Only these hidden cells are bounded (default: all hidden cells).

    Raises
    ------
    ValueError
        If the published values cannot be explained within ``max_tolerance``.
    """
    M = np.asarray(M, dtype=float)
    shown = np.asarray(shown, dtype=bool)
    v = np.asarray(values, dtype=float)
    k = len(M)
    lower, upper = np.full(k, np.nan), np.full(k, np.nan)
    binding: list[list[int]] = [[] for _ in range(k)]
    hidden = np.flatnonzero(~shown) if cells is None else np.asarray(cells, dtype=int)
    if hidden.size == 0:
        return Bounds(lower, upper, binding, tolerance)
    sidx = np.flatnonzero(shown)
    A, b = M[sidx], v[sidx]
    tol = tolerance
    while True:
        probe = _solve(np.zeros(M.shape[1]), A, b - tol, b + tol) if len(A) else None
        if probe is None or probe.status == 0:
            break
        if tol >= max_tolerance:
            raise ValueError(f"the published values are inconsistent even with slack {tol:g}")
        tol = min(2 * tol, max_tolerance)
    for h in hidden:
        if not len(A):
            lower[h], upper[h] = 0.0, 1.0
            continue
        lo_res = _solve(M[h], A, b - tol, b + tol)
        hi_res = _solve(-M[h], A, b - tol, b + tol)
        lower[h], upper[h] = lo_res.fun, -hi_res.fun
        bind = set()
        for res in (lo_res, hi_res):
            dual = np.abs(res.ineqlin.marginals)
            n = len(A)
            used = (dual[:n] > 1e-9) | (dual[n:] > 1e-9)
            bind |= set(sidx[used].tolist())
        binding[h] = sorted(bind)
    return Bounds(lower, upper, binding, tol)


def raking_factors(n: np.ndarray, p: np.ndarray, total: np.ndarray) -> np.ndarray | None:
    """Age factors of multiplicative raking, solved from fully published rows (up to scale).

    Parameters
    ----------
    n, p
        Rows × age groups: respondents and shares of each age cell of fully published rows
        (e.g. kommun × sex).
    total
        Each row's published share.

    Returns
    -------
    numpy.ndarray or None
        Positive factors summing to one, or None when the rows do not determine them (fewer
        independent rows than age groups minus one), no factors fit them (the weights are not
        multiplicative) or the solution is not positive.

    Notes
    -----
    With weights ``w_i = d_k f_ks g_a`` a row's share is ``Σ_a g_a n_a p_a / Σ_a g_a n_a``, so
    ``Σ_a g_a n_a (p_a − p) = 0`` for every row: ``g`` spans the null space of the stacked
    coefficients ``n_a (p_a − p)``, the right singular vector of the smallest singular value.
    """
    n, p = np.asarray(n, dtype=float), np.asarray(p, dtype=float)
    A = n * (p - np.asarray(total, dtype=float)[:, None])
    if A.shape[0] < A.shape[1] - 1:
        return None
    _, s, vt = np.linalg.svd(A)
    if len(s) >= A.shape[1] - 1 and s[A.shape[1] - 2] < 1e-9 * max(s[0], 1.0):
        return None  # more than one direction fits: the factors are not determined
    if len(s) == A.shape[1] and s[-1] > 1e-6 * s[0]:
        return None  # no direction fits: the weights are not multiplicative in age
    g = vt[-1]
    g = g if g.sum() > 0 else -g
    if np.any(g <= 0):
        return None
    return g / g.sum()


#: Columns of the cells of :func:`attack_cells`.
CELL_COLUMNS = ("indicator_id", "period", "area", "sexes", "ages", "value", "n", "shown")


def attacker_weights(cells: pd.DataFrame, population: pd.Series
                     ) -> tuple[pd.Series, set[tuple]]:
    """The intruder's estimate of the weight total of every atom (kommun × sex × age group),
    and the kommun × sex rows where it is exact.

    ``cells`` are the published cells of one indicator and round (:data:`CELL_COLUMNS`; ``area``,
    ``sexes``, ``ages`` are tuples), ``population`` the public population indexed by
    ``(kommun, sex, age group)``. Calibration makes a kommun × sex's weights add up to its
    population ``N_ks``. Within it, the age groups' weights are ``g_a n_ksa``
    (:func:`raking_factors` from the fully published rows; respondents ``n`` as published, or a
    single hidden one as the row's ``n`` minus the shown ones): such a row is *exact*. An age
    group missing from a published kommun × sex × age table has no respondent and no weight.
    Elsewhere the split is the population's (a guess, not exact).
    """
    ages = list(dict.fromkeys(population.index.get_level_values(2)))
    pop = population.astype(float)
    single = cells[(cells["area"].map(len) == 1) & (cells["sexes"].map(len) == 1)]
    fine = single[single["ages"].map(len) == 1]
    whole = single[single["ages"].map(len) == len(ages)]
    fine_v = {(r.area[0], r.sexes[0], r.ages[0]): r for r in fine.itertuples()}
    row_n, row_p = {}, {}
    for r in whole.itertuples():
        if r.shown and not np.isnan(r.n):
            row_n[(r.area[0], r.sexes[0])] = r.n
            row_p[(r.area[0], r.sexes[0])] = r.value
    rows: dict[tuple, tuple[list[int], np.ndarray | None]] = {}
    complete_n, complete_p, complete_t = [], [], []
    for ks in sorted({(k, s) for k, s, _ in fine_v}):
        # an age group without a row in a published kommun × sex × age table has no respondent
        present = [j for j, a in enumerate(ages) if (*ks, a) in fine_v]
        got = [fine_v[(*ks, ages[j])] for j in present]
        n = np.array([g.n if g.shown else np.nan for g in got], dtype=float)
        hidden = np.isnan(n)
        if hidden.sum() == 1 and ks in row_n:
            n[hidden] = max(row_n[ks] - np.nansum(n), 0.0)
        rows[ks] = (present, None if np.isnan(n).any() else n)
        if not hidden.any() and len(present) == len(ages) and ks in row_p:
            complete_n.append(n)
            complete_p.append([g.value for g in got])
            complete_t.append(row_p[ks])
    g = (raking_factors(np.array(complete_n), np.array(complete_p), np.array(complete_t))
         if complete_n else None)
    w = pop.copy()
    exact = set()
    for ks, (present, n) in rows.items():
        keys = [(*ks, a) for a in ages]
        nk = pop.loc[keys].sum()
        part = np.zeros(len(ages))
        if n is not None and g is not None and (g[present] * n).sum() > 0:
            part[present] = g[present] * n
            exact.add(ks)
        elif len(present) == 1:
            part[present] = 1.0
            exact.add(ks)
        else:
            part[present] = pop.loc[[keys[j] for j in present]].to_numpy()
            if part.sum() == 0:
                part[present] = 1.0
        w.loc[keys] = nk * part / part.sum()
    return w, exact


#: The three attacks of :func:`attack_cells`: which published cells each uses.
ATTACKS = {
    "inom kommun och kön": lambda c, n_ages: (c["area"].map(len) == 1) & (c["sexes"].map(len) == 1),
    "kommuner, övriga länet och länet": lambda c, n_ages: c["ages"].map(len) == n_ages,
    "alla tabeller": lambda c, n_ages: np.ones(len(c), dtype=bool),
}


def attack_cells(cells: pd.DataFrame, population: pd.Series, *,
                 attacks: Sequence[str] = tuple(ATTACKS)) -> pd.DataFrame:
    """Bound every suppressed cell of one indicator and round from the published ones.

    The unknowns are each kommun × sex's share ``K_ks`` and each atom's share ``p_ksa``. A cell
    over all age groups is ``Σ N_ks K_ks / Σ N_ks`` (calibration makes the weights of a kommun
    × sex add up to its population ``N_ks``: exact up to item non-response, absorbed by the
    slack of :func:`interval_attack`); an age cell of one kommun × sex is ``p_ksa``; where
    :func:`attacker_weights` knows a row's age weights exactly, ``K_ks = Σ_a ω_ksa p_ksa`` is a
    constraint and cells over some age groups of several kommuner use those weights. Nothing
    rests on a guessed weight, so every interval contains the true value. Each attack of
    :data:`ATTACKS` uses a subset of the cells; a cell keeps its narrowest interval.

    Parameters
    ----------
    cells
        :data:`CELL_COLUMNS`: each published share, its domain as tuples of kommun codes,
        sexes and age groups, value and respondents (NaN where hidden) and ``shown``.
    population
        Public population by ``(kommun, sex, age group)`` (the atoms).
    attacks
        Which of :data:`ATTACKS` to run.

    Returns
    -------
    pandas.DataFrame
        ``cells`` with ``lower``, ``upper`` (the narrowest interval over the attacks; NaN for
        shown cells) and ``attack`` (the attack that gave it).
    """
    c = cells.reset_index(drop=True)
    ages = list(dict.fromkeys(population.index.get_level_values(2)))
    w, exact = attacker_weights(c, population)
    nks = population.astype(float).groupby(level=[0, 1], sort=False).sum()
    kv = {ks: i for i, ks in enumerate(nks.index)}
    av = {a: len(kv) + j for j, a in enumerate(population.index)}
    nvar = len(kv) + len(av)
    rows: list[np.ndarray | None] = []
    for r in c.itertuples():
        f = np.zeros(nvar)
        kss = [(k, s) for k in r.area for s in r.sexes]
        if len(r.ages) == len(ages):
            for ks in kss:
                f[kv[ks]] = nks[ks]
        elif len(kss) == 1 and len(r.ages) == 1:
            f[av[(*kss[0], r.ages[0])]] = 1.0
        elif all(ks in exact for ks in kss):
            for ks in kss:
                for a in r.ages:
                    f[av[(*ks, a)]] = w[(*ks, a)]
        else:
            rows.append(None)  # its weights would be a guess
            continue
        rows.append(f / f.sum() if f.sum() > 0 else None)
    links = []
    for ks in sorted(exact):
        f = np.zeros(nvar)
        f[kv[ks]] = 1.0
        tot = sum(w[(*ks, a)] for a in ages)
        for a in ages:
            f[av[(*ks, a)]] -= w[(*ks, a)] / tot
        links.append(f)
    hidden = ~c["shown"].to_numpy(dtype=bool)
    lower, upper = np.where(hidden, 0.0, np.nan), np.where(hidden, 1.0, np.nan)
    which = np.full(len(c), "", dtype=object)
    usable = np.array([f is not None for f in rows])
    for name in attacks:
        use = np.flatnonzero(np.asarray(ATTACKS[name](c, len(ages)), dtype=bool) & usable)
        shown = ~hidden[use]
        if shown.all() or not shown.any():
            continue
        with_links = name != "kommuner, övriga länet och länet"
        M = np.vstack([*(rows[i] for i in use), *(links if with_links else [])])
        vals = np.concatenate([c["value"].to_numpy(dtype=float)[use],
                               np.zeros(len(links) if with_links else 0)])
        ok = np.concatenate([shown, np.ones(len(links) if with_links else 0, dtype=bool)])
        try:
            b = interval_attack(M, np.nan_to_num(vals), ok, tolerance=1e-9,
                                cells=np.flatnonzero(~ok))
        except ValueError:
            continue
        for j, i in enumerate(use):
            if not shown[j] and b.upper[j] - b.lower[j] < upper[i] - lower[i]:
                lower[i], upper[i], which[i] = b.lower[j], b.upper[j], name
    return c.assign(lower=lower, upper=upper, attack=which)
