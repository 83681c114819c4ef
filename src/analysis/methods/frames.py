"""Population frames of the two surveys: who the survey population is, by kommun, sex and age.

Both surveys are weighted to the population, and both generators draw their persons from it, so
the frames are a method, not part of any generator:

* :func:`population_frame` (Liv & hälsa): persons aged 18+ by kommun × sex × single age for a
  year. The shipped data do not hold that table; it is approximated from what exists: the län's
  single ages × sex (:func:`analysis.methods.population.lan_series`, observed to 2015, estimated
  2016–2019) and each kommun's exact counts aged 0–19, 20–64, 65+ and each single age 20–30
  (Kolada). Within each kommun, ages 18–19 are the kommun's 0–19 times the län's share of 18–19
  in 0–19; ages 20–30 are Kolada's single ages; 31–64 and 65+ are the kommun's counts spread by
  the län's age pattern in those bands; every age is split by sex as in the län. Years after
  the last year of the inputs (:data:`LAST_POPULATION_YEAR`) use that year.
* :func:`cohort_frame` (Liv & hälsa ung): pupils by kommun × school year × sex. The survey is in
  the spring of year *t*; pupils in åk 7, åk 9 and gymnasiet år 2 were born in *t*−14, *t*−16
  and *t*−18, i.e. they were 13, 15 and 17 years old on 31 December of *t*−1, the population
  year (:func:`population_year`). The län's single ages by sex are shared out to the kommuner
  by :func:`cohort_shares`, the blended share estimator of
  :func:`analysis.methods.working_age.teen_shares` generalised to ages 13–17: the mean of the
  kommun's share of the län's 0–19 in the population year and in the year the cohort was in the
  middle of the 0–19 band (Kolada counts, exact). Counts are rounded by largest remainders
  (:func:`analysis.methods.rounding.largest_remainder`), so the kommuner add up to the län's
  count at each age and sex. Rounds after 2020 use the population of
  :data:`LAST_POPULATION_YEAR` (the 2021 round therefore uses 2019). Every resident of the age is
  taken to be a pupil of the school year in the home kommun.

:func:`age_group` labels ages by the raking groups of Liv & hälsa (:data:`AGE_GROUPS`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.core import geo
from analysis.methods.rounding import largest_remainder
from analysis.methods.working_age import share_0_19

#: The last year of the shipped population data; later survey rounds use this year's population.
LAST_POPULATION_YEAR = 2019
MAX_AGE = 100
#: Age groups of the raking margin and of the general-health model (label, lower, upper).
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("18-29", 18, 29), ("30-44", 30, 44), ("45-64", 45, 64), ("65-79", 65, 79), ("80+", 80, 200))
#: Age on 31 December of the year before the survey (spring) of each school year.
GRADE_AGE: dict[str, int] = {"ak7": 13, "ak9": 15, "gy2": 17}
#: Middle of the 0–19 band: a cohort aged ``a`` was there ``a − 9,5`` years before.
BAND_CENTRE = 9.5


def age_group(age: np.ndarray | pd.Series, groups=AGE_GROUPS) -> np.ndarray:
    """Label of the age group of each age (``AGE_GROUPS`` by default)."""
    a = np.asarray(age)
    out = np.full(a.shape, None, dtype=object)
    for label, lo, hi in groups:
        out[(a >= lo) & (a <= hi)] = label
    return out


# --------------------------------------------------------------------------- Liv & hälsa
def population_frame(lan_single_ages: pd.DataFrame, kolada_groups: pd.DataFrame,
                     year: int) -> pd.DataFrame:
    """Persons aged 18+ by kommun × sex × single age for ``year`` (an approximation).

    Parameters
    ----------
    lan_single_ages
        The län's single ages by sex, ``ar, kon ("kvinnor"/"män"), alder (int), folkmangd``
        (:func:`analysis.methods.population.lan_series`).
    kolada_groups
        :func:`analysis.methods.population.kolada_age_groups` (kommun counts 0–19, 20–64, 65+, a20–a30).
    year
        Population year; years after the last one in both inputs use the last one.

    Returns
    -------
    pandas.DataFrame
        ``kommun, sex ("kvinnor"/"man"), age (18–100, 100 = 100+), population`` (whole persons).
        Kommun totals of ages 20–64 and 65+ equal Kolada's exactly (up to rounding of cells);
        18–19, 31–64 and 65+ by age, and every sex split, follow the län's pattern.

    Raises
    ------
    ValueError
        If the inputs have no year at or before ``year``.
    """
    last = min(int(lan_single_ages["ar"].max()), int(kolada_groups["ar"].max()))
    y = min(year, last)
    lan = lan_single_ages[lan_single_ages["ar"] == y]
    kol = kolada_groups[kolada_groups["ar"] == y].set_index("kommun_kod")
    if lan.empty or len(kol) != len(geo.KOMMUNER):
        raise ValueError(f"no population data for {y} (län single ages and Kolada groups needed)")
    L = np.zeros((2, MAX_AGE + 1))
    for i, sex in enumerate(("kvinnor", "män")):
        s = lan[lan["kon"] == sex]
        L[i, s["alder"].to_numpy(dtype=int)] = s["folkmangd"].to_numpy(dtype=float)
    both = L.sum(axis=0)
    sex_split = np.where(both > 0, L / np.where(both > 0, both, 1), 0.5)
    rows = []
    for k in geo.KOMMUNER:
        r = kol.loc[k]
        n = np.zeros(MAX_AGE + 1)
        share_1819 = both[18:20] / both[0:20].sum()
        n[18:20] = r["0-19"] * share_1819
        single = np.array([float(r[f"a{a}"]) for a in range(20, 31)])
        n[20:31] = single
        rest = r["20-64"] - single.sum()
        n[31:65] = rest * both[31:65] / both[31:65].sum()
        n[65:] = r["65+"] * both[65:] / both[65:].sum()
        for i, sex in enumerate(("kvinnor", "man")):
            cnt = np.round(n[18:] * sex_split[i, 18:]).astype(np.int64)
            rows.append(pd.DataFrame({"kommun": k, "sex": sex, "age": np.arange(18, MAX_AGE + 1),
                                      "population": cnt}))
    out = pd.concat(rows, ignore_index=True)
    out.attrs["population_year"] = y
    return out


# --------------------------------------------------------------------------- Liv & hälsa ung
def cohort_shares(kolada_groups: pd.DataFrame, year: int,
                  ages: Sequence[int] = (13, 15, 17)) -> pd.DataFrame:
    """Each kommun's estimated share of the län's population at single ``ages`` in ``year``.

    The blended estimator of :func:`analysis.methods.working_age.teen_shares` for any age: the mean of
    the kommun's share of the län's 0–19 in ``year`` and in ``year − (age − 9,5)``, when the
    cohort was in the middle of the 0–19 band (linear between years, clamped to the Kolada years).
    For ages 13–17 the two years are 3,5–7,5 years apart, closer than for 16–19 where the method
    was back-tested on age 20 (:func:`analysis.methods.working_age.backtest_age20`); the shares of each age
    sum to 1 over the kommuner.

    Returns
    -------
    pandas.DataFrame
        Index kommun code, one column per age.
    """

    s0 = share_0_19(kolada_groups)
    if year not in s0.index:
        raise ValueError(f"no Kolada 0–19 counts for {year} (available "
                         f"{int(s0.index.min())}–{int(s0.index.max())})")

    def at(y: float) -> pd.Series:
        y = min(max(y, float(s0.index.min())), float(s0.index.max()))
        lo = int(np.floor(y))
        hi = min(lo + 1, int(s0.index.max()))
        f = y - lo
        return s0.loc[lo] * (1 - f) + s0.loc[hi] * f

    return pd.DataFrame({a: 0.5 * s0.loc[year] + 0.5 * at(year - (a - BAND_CENTRE))
                         for a in ages})


def population_year(year: int) -> int:
    """The population year of a round: 31 December of the year before, at most
    :data:`LAST_POPULATION_YEAR`."""
    return min(year - 1, LAST_POPULATION_YEAR)


def cohort_frame(lan_single_ages: pd.DataFrame, kolada_groups: pd.DataFrame,
                 year: int) -> pd.DataFrame:
    """Pupils by kommun × school year × sex for the round ``year`` (see the module docstring).

    Parameters
    ----------
    lan_single_ages
        The län's single ages by sex, ``ar, kon ("kvinnor"/"män"), alder, folkmangd``
        (:func:`analysis.methods.population.lan_series`).
    kolada_groups
        :func:`analysis.methods.population.kolada_age_groups` (kommun counts 0–19).
    year
        The survey round.

    Returns
    -------
    pandas.DataFrame
        ``kommun, grade, sex ("kvinnor"/"man"), age, population`` (whole pupils); the kommuner of
        each school year and sex add up to the län's count at that age, rounded. ``attrs`` hold
        ``population_year``.

    Raises
    ------
    ValueError
        If the inputs have no data for the population year.
    """
    py = population_year(year)
    lan = lan_single_ages[lan_single_ages["ar"] == py]
    if lan.empty:
        raise ValueError(f"no population data for {py} (the round {year} uses the population "
                         f"of 31 December {py})")
    shares = cohort_shares(kolada_groups, py, tuple(GRADE_AGE.values()))
    kommuner = list(geo.KOMMUNER)
    rows = []
    for grade, age in GRADE_AGE.items():
        for sex, kon in (("kvinnor", "kvinnor"), ("man", "män")):
            n = lan.loc[(lan["kon"] == kon) & (lan["alder"] == age), "folkmangd"]
            if len(n) != 1:
                raise ValueError(f"the län's population aged {age} ({kon}) is missing for {py}")
            total = int(round(float(n.iloc[0])))
            s = shares.loc[kommuner, age].to_numpy(dtype=float)
            counts = largest_remainder(total * s / s.sum(), total)
            rows.append(pd.DataFrame({"kommun": kommuner, "grade": grade, "sex": sex,
                                      "age": age, "population": counts}))
    out = pd.concat(rows, ignore_index=True)
    out.attrs["population_year"] = py
    return out

