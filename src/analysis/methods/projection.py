"""Cohort-component population projection with ex-post empirical intervals, back-tests and kommuner.

The model (Preston, Heuveline & Guillot 2001, *Demography*, ch. 6) works on arrays
``[..., sex, age]`` (sex 0 = kvinnor, 1 = män; single ages 0–99 and the open class 100+), one
calendar year a step, every region at once:

1. **Mortality.** Death rates ``m = D / E`` (deaths by age at death over the mean of the population
   at the start and end of the year) pooled over ``rate_window`` years. Small regions have noisy
   single-age rates, so by default the *national* age pattern is scaled to the region's level in
   five broad age bands (indirect standardisation). A life table (``a0`` of Andreev & Kingkade 2015,
   ``a = 0.5`` above) turns rates into the survival ratios ``L(a+1) / L(a)`` of a cohort; births
   survive to the year's end with ``L(0)``. An optional Lee–Carter trend (Lee & Carter 1992; rank-1
   SVD of national log rates over ``trend_window`` years, drift of ``k``) lowers rates year by year.
2. **Fertility.** Births by mother's age over the mean number of women of that age, pooled over
   ``rate_window`` years; births in a year are ``Σ f(a) × (W(t−1, a) + W(t, a)) / 2``; the share of
   boys is the national share over the window.
3. **Migration.** Net migration by age and sex by the *residual method*: each year's population
   minus the survivors of last year's population and of the year's births, with that year's own
   rates (so adding the residual back reproduces the statistics exactly). The projection adds the
   mean residual of the last ``migration_window`` years as counts (default) or as rates.

:func:`project` advances all regions together (a vectorised Leslie step, :func:`leslie_matrix`
writes the same step as a matrix for one region). :func:`backtest` runs the model from every base
year and compares it with what happened; :func:`empirical_intervals` turns those errors by horizon
into prediction intervals (the ex-post error approach, Keilman 1990, *Uncertainty in National
Population Forecasting*; Stoto 1983, *JASA* 78). :func:`kommun_projection` shares the län's
projection out to its kommuner by age (a ratio method, constrained top-down).

Why one module: the model, the back-test that validates it and the intervals that come from the
back-test use the same arrays, age groups and assumptions, and must change together; the
Hamilton–Perry comparison and the kommun step are a few functions each on the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

SEXES = ("kvinnor", "män")
MAX_AGE = 100
N_AGES = MAX_AGE + 1
#: Ages with births in the SCB tables ("<15" counted as 15, "49+" as 49).
FERTILE_AGES = (15, 49)
#: Age groups of the back-test and the tables: name → (first age, last age), both sexes.
GROUPS: dict[str, tuple[int, int]] = {
    "total": (0, MAX_AGE), "0-19": (0, 19), "20-64": (20, 64), "16-64": (16, 64),
    "65+": (65, MAX_AGE), "80+": (80, MAX_AGE),
    # Regionfakta's broad groups (the only kommun ages published after 2019 in the data).
    "0-15": (0, 15), "16-24": (16, 24), "25-44": (25, 44), "45-64": (45, 64),
}
#: Bands over which a region's mortality level is compared with the nation's.
MORTALITY_BANDS = ((0, 14), (15, 49), (50, 64), (65, 79), (80, MAX_AGE))
#: Län whose SCB series break at a border change: Heby moved from Västmanland (19) to Uppsala (03)
#: on 1 January 2007, and the SCB tables show the new borders from 31 December 2006. The
#: transition into that year is left out of migration windows and of back-test pairs across it.
BORDER_BREAKS: dict[str, int] = {"03": 2006, "19": 2006}


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Vital:
    """Population (31 December), births and deaths of several regions, as arrays.

    ``pop`` and ``deaths`` are ``[year, region, sex, age]``; ``births`` is ``[year, region, child's
    sex, mother's age]``.
    """

    years: np.ndarray
    regions: tuple[str, ...]
    names: tuple[str, ...]
    pop: np.ndarray
    births: np.ndarray
    deaths: np.ndarray

    def index(self, year: int) -> int:
        """Position of ``year`` in :attr:`years`."""
        pos = np.flatnonzero(self.years == year)
        if not len(pos):
            raise ValueError(f"no data for {year} (have {self.years[0]}–{self.years[-1]})")
        return int(pos[0])

    def region(self, code: str) -> int:
        """Position of region ``code``."""
        if code not in self.regions:
            raise ValueError(f"unknown region {code!r}; have {', '.join(self.regions)}")
        return self.regions.index(code)


def _age_int(alder: pd.Series) -> np.ndarray:
    return alder.astype(str).str.rstrip("+").astype(int).to_numpy()


def _year_cols(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if str(c).isdigit()]


def vital_from_scb(pop: pd.DataFrame, births: pd.DataFrame, deaths: pd.DataFrame) -> Vital:
    """Arrays from SCB's wide län tables (``folkmangd_lan_alder_kon_riket``, ``fodda_lan_riket``,
    ``doda_lan_riket``). Births of mothers of unknown age are shared out like the known ones."""
    years = _year_cols(pop)
    if _year_cols(births) != years or _year_cols(deaths) != years:
        raise ValueError("population, births and deaths must cover the same years")
    regions = tuple(sorted(pop["lan_kod"].unique()))
    names = tuple(pop.drop_duplicates("lan_kod").set_index("lan_kod").loc[list(regions),
                                                                         "lan_namn"])
    shape = (len(years), len(regions), 2, N_AGES)
    r_idx = {r: i for i, r in enumerate(regions)}

    def fill(df: pd.DataFrame, sex_col: str, ages: np.ndarray) -> np.ndarray:
        arr = np.zeros(shape)
        r = df["lan_kod"].map(r_idx).to_numpy()
        s = (df[sex_col] == "män").to_numpy().astype(int)
        np.add.at(arr, (slice(None), r, s, ages), df[years].to_numpy(float).T)
        return arr

    p = fill(pop, "kon", _age_int(pop["alder"]))
    d = fill(deaths, "kon", _age_int(deaths["alder"]))
    known = births[births["moderns_alder"] != "no information"]
    mage = known["moderns_alder"].str.strip("<+").astype(int).clip(*FERTILE_AGES).to_numpy()
    b = fill(known, "barnets_kon", mage)
    unknown = fill(births[births["moderns_alder"] == "no information"], "barnets_kon",
                   np.full(int((births["moderns_alder"] == "no information").sum()), 0))
    tot = b.sum(-1, keepdims=True)
    b = b + unknown.sum(-1, keepdims=True) * np.divide(b, tot, out=np.zeros_like(b),
                                                       where=tot > 0)
    return Vital(np.array([int(y) for y in years]), regions, names, p, b, d)


def exposure(pop: np.ndarray) -> np.ndarray:
    """Person-years of each year after the first: the mean of the populations at its start and end."""
    return (pop[:-1] + pop[1:]) / 2


# --------------------------------------------------------------------------- life table
def andreev_kingkade_a0(m0: np.ndarray, male: np.ndarray | bool) -> np.ndarray:
    """Mean years lived in the first year by infants who die (Andreev & Kingkade 2015,
    *Demographic Research* 33(13), Table 3, from the infant death rate ``m0``)."""
    m0 = np.asarray(m0, dtype=float)
    male = np.broadcast_to(male, m0.shape)
    a_m = np.where(m0 < 0.02300, 0.14929 - 1.99545 * m0,
                   np.where(m0 < 0.08307, 0.02832 + 3.26201 * m0, 0.29915))
    a_f = np.where(m0 < 0.01724, 0.14903 - 2.05527 * m0,
                   np.where(m0 < 0.06891, 0.04667 + 3.88089 * m0, 0.31411))
    return np.where(male, a_m, a_f)


def survival(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cohort survival ratios of a period life table from death rates ``m[..., sex, age]``.

    Returns ``S[..., sex, age]``, the share of those aged ``a`` at the start of a year alive (at
    ``a + 1``) at its end, ``S[..., 99] = S[..., 100]`` for the open class (``T(100) / T(99)``),
    and ``Sb[..., sex]``, the share of a year's births alive at its end (``L(0)``).
    """
    m = np.clip(np.asarray(m, dtype=float), 0, None)
    ax = np.full(m.shape, 0.5)
    male = np.zeros(m.shape[:-1], dtype=bool)
    male[..., 1] = True
    ax[..., 0] = andreev_kingkade_a0(m[..., 0], male)
    q = np.clip(m / (1 + (1 - ax) * m), 0, 1)
    q[..., MAX_AGE] = 1.0
    lx = np.concatenate([np.ones(m.shape[:-1] + (1,)), np.cumprod(1 - q, axis=-1)[..., :-1]],
                        axis=-1)
    dx = lx * q
    big_l = lx - (1 - ax) * dx
    m_open = m[..., MAX_AGE]
    big_l[..., MAX_AGE] = np.where(m_open > 0, lx[..., MAX_AGE] / np.where(m_open > 0, m_open, 1),
                                   lx[..., MAX_AGE] * 1e6)
    s = np.zeros_like(m)
    with np.errstate(divide="ignore", invalid="ignore"):
        s[..., :MAX_AGE - 1] = np.where(big_l[..., :MAX_AGE - 1] > 0,
                                        big_l[..., 1:MAX_AGE] / big_l[..., :MAX_AGE - 1], 0)
        tail = big_l[..., MAX_AGE - 1] + big_l[..., MAX_AGE]
        s_open = np.where(tail > 0, big_l[..., MAX_AGE] / tail, 0)
    s[..., MAX_AGE - 1] = s_open
    s[..., MAX_AGE] = s_open
    return s, big_l[..., 0]


# --------------------------------------------------------------------------- one step
def survive(pop: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Move every cohort one year on: ``pop[..., a] × S[a]`` lands at ``a + 1``; 100+ stays."""
    out = np.zeros_like(pop)
    out[..., 1:] = pop[..., :-1] * s[..., :-1]
    out[..., MAX_AGE] += pop[..., MAX_AGE] * s[..., MAX_AGE]
    return out


def step(pop: np.ndarray, s: np.ndarray, sb: np.ndarray, fert: np.ndarray, boys: np.ndarray,
         mig: np.ndarray | None = None, mig_rate: np.ndarray | None = None
         ) -> tuple[np.ndarray, np.ndarray]:
    """One projection year for arrays ``[..., sex, age]``.

    Survivors, then net migration (counts ``mig`` added, or ``mig_rate`` times the survivors), then
    births ``Σ f(a) × (W(t−1, a) + W(t, a)) / 2`` split by ``boys`` (share of boys) and survived to
    the year's end with ``sb``; migration at age 0 is added to the newborn. Negative counts (more
    emigrants than people) are set to zero.

    Returns
    -------
    (population at the end of the year, births in the year ``[...]``)
    """
    new = survive(pop, s)
    if mig_rate is not None:
        new[..., 1:] *= 1 + mig_rate[..., 1:]
    if mig is not None:
        new[..., 1:] += mig[..., 1:]
    new = np.maximum(new, 0)
    b = (fert * (pop[..., 0, :] + new[..., 0, :]) / 2).sum(-1)
    new[..., 0, 0] = b * (1 - boys) * sb[..., 0]
    new[..., 1, 0] = b * boys * sb[..., 1]
    if mig_rate is not None:
        new[..., 0] *= 1 + mig_rate[..., 0]
    if mig is not None:
        new[..., 0] += mig[..., 0]
    return np.maximum(new, 0), b


def leslie_matrix(s: np.ndarray, sb: np.ndarray, fert: np.ndarray, boys: float) -> np.ndarray:
    """The step of :func:`step` without migration as a two-sex Leslie matrix for one region.

    The state is ``[women 0…100, men 0…100]``; the first row of each sex holds the births of
    ``Σ f(a) (W(t−1, a) + S(a−1) W(t−1, a−1)) / 2`` (Preston et al. 2001, eq. 6.8), survived
    with ``sb``. Its dominant eigenvalue is the long-run growth factor of the population.
    """
    n = N_AGES
    mat = np.zeros((2 * n, 2 * n))
    for sex in (0, 1):
        o = sex * n
        mat[o + np.arange(1, n), o + np.arange(0, n - 1)] = s[sex, :-1]
        mat[o + MAX_AGE, o + MAX_AGE] += s[sex, MAX_AGE]
    k = fert.copy() / 2
    k[:-1] += s[0, :-1] * fert[1:] / 2
    k[MAX_AGE] = fert[MAX_AGE] / 2 + s[0, MAX_AGE] * fert[MAX_AGE] / 2
    mat[0, :n] = k * (1 - boys) * sb[0]
    mat[n, :n] = k * boys * sb[1]
    return mat


# --------------------------------------------------------------------------- assumptions
@dataclass(frozen=True)
class Assumptions:
    """The model's assumptions, each a parameter with a documented default.

    Attributes
    ----------
    rate_window
        Years of births and deaths pooled for the rates (5: the last five years before the base).
    migration_window
        Years of residual net migration averaged (10: long enough to average out one peak year).
    migration
        ``"counts"`` (the mean net number of migrants by age and sex, as most regional projections
        assume) or ``"rates"`` (net migrants per survivor).
    mortality_level
        ``"national"`` (national age pattern scaled to the region's level in
        :data:`MORTALITY_BANDS`) or ``"own"`` (the region's own pooled rates).
    mortality_trend
        ``"lee-carter"`` (rates fall with the national Lee–Carter drift) or ``None`` (constant).
    trend_window
        Years of national death rates behind the Lee–Carter drift.
    """

    rate_window: int = 5
    migration_window: int = 10
    migration: str = "counts"
    mortality_level: str = "national"
    mortality_trend: str | None = "lee-carter"
    trend_window: int = 20

    def __post_init__(self):
        if self.migration not in ("counts", "rates"):
            raise ValueError(f"migration must be 'counts' or 'rates', not {self.migration!r}")
        if self.mortality_level not in ("national", "own"):
            raise ValueError(f"mortality_level must be 'national' or 'own', not "
                             f"{self.mortality_level!r}")
        if self.mortality_trend not in (None, "lee-carter"):
            raise ValueError(f"mortality_trend must be None or 'lee-carter', not "
                             f"{self.mortality_trend!r}")
        for name in ("rate_window", "migration_window", "trend_window"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


#: The default assumptions (the ones the book uses).
DEFAULT = Assumptions()


@dataclass(frozen=True)
class Model:
    """Estimated rates of every region (``ref_year``: the last year of data behind them)."""

    ref_year: int
    m: np.ndarray           # [region, sex, age] death rates
    fert: np.ndarray        # [region, age] births per woman
    boys: np.ndarray        # [region] share of boys among births
    mig: np.ndarray         # [region, sex, age] net migrants (counts) or per survivor (rates)
    migration: str = "counts"
    improvement: np.ndarray = field(default_factory=lambda: np.zeros((2, N_AGES)))  # log m per year

    def rates(self, year: int) -> np.ndarray:
        """Death rates in ``year`` (with the trend, if any)."""
        return self.m * np.exp(self.improvement * (year - self.ref_year))


def _window(v: Vital, base_year: int, n: int) -> np.ndarray:
    """Positions (in ``exposure`` / transitions, i.e. year index − 1) of the ``n`` years ending at
    ``base_year``; fails when the data do not reach that far back."""
    end = v.index(base_year)
    if end - n + 1 < 1:
        raise ValueError(f"a window of {n} years before {base_year} needs data from "
                         f"{base_year - n} (have {v.years[0]}–)")
    return np.arange(end - n, end)


def lee_carter(log_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lee–Carter fit of ``log m[age, year]``: ``a(x)``, ``b(x)`` (sums to 1) and ``k(t)``, by the
    first singular vectors of the centred matrix (Lee & Carter 1992, *JASA* 87)."""
    a = log_m.mean(axis=1)
    u, sv, vt = np.linalg.svd(log_m - a[:, None], full_matrices=False)
    scale = u[:, 0].sum()
    return a, u[:, 0] / scale, sv[0] * vt[0] * scale


def mortality_improvement(v: Vital, ref_year: int, window: int) -> np.ndarray:
    """Yearly change of national log death rates ``[sex, age]`` from a Lee–Carter drift,
    ``b(x) × (k(T) − k(1)) / (T − 1)``; increases are set to zero (no rising mortality).
    Early base years use the years there are (at least five)."""
    idx = _window(v, ref_year, min(window, max(v.index(ref_year), 5)))
    d = v.deaths[idx + 1].sum(1)
    e = exposure(v.pop)[idx].sum(1)
    out = np.zeros((2, N_AGES))
    for sex in (0, 1):
        rate = np.maximum(d[:, sex], 0.5) / np.maximum(e[:, sex], 1)  # no log(0) at 100+
        _, b, k = lee_carter(np.log(rate).T)
        out[sex] = np.minimum(b * (k[-1] - k[0]) / (len(k) - 1), 0)
    return out


def residual_migration(v: Vital) -> np.ndarray:
    """Net migration ``[transition, region, sex, age]`` by the residual method.

    For the year ``t`` (transition ``t − 1`` → ``t``): the population on 31 December ``t`` minus the
    survivors of 31 December ``t − 1`` and of the year's births, with the year's own death rates.
    Transitions across a border change (:data:`BORDER_BREAKS`) are NaN.
    """
    e = exposure(v.pop)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(e > 0, v.deaths[1:] / e, 0.0)
    s, sb = survival(m)
    expected = survive(v.pop[:-1], s)
    expected[..., 0] = v.births[1:].sum(-1) * sb
    mig = v.pop[1:] - expected
    for code, year in BORDER_BREAKS.items():
        if code in v.regions and year in v.years[1:]:
            mig[v.index(year) - 1, v.region(code)] = np.nan
    return mig


def estimate(v: Vital, base_year: int, a: Assumptions = DEFAULT,
             mig_residual: np.ndarray | None = None) -> Model:
    """Estimate every region's rates from the data up to ``base_year`` (see :class:`Assumptions`).

    ``mig_residual`` (:func:`residual_migration` of ``v``) may be passed to save recomputing it in
    a back-test.
    """
    idx = _window(v, base_year, a.rate_window)
    e = exposure(v.pop)[idx].sum(0)                 # region, sex, age
    d = v.deaths[idx + 1].sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(e > 0, d / e, 0.0)
        national = d.sum(0) / np.maximum(e.sum(0), 1)
    if a.mortality_level == "own":
        m = own
    else:
        m = np.broadcast_to(national, own.shape).copy()
        for lo, hi in MORTALITY_BANDS:
            obs = d[..., lo:hi + 1].sum(-1)
            exp_ = (national[..., lo:hi + 1] * e[..., lo:hi + 1]).sum(-1)
            level = np.where(exp_ > 0, obs / np.where(exp_ > 0, exp_, 1), 1.0)
            m[..., lo:hi + 1] *= level[..., None]
    b = v.births[idx + 1].sum(0)                    # region, child's sex, mother's age
    women = e[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        fert = np.where(women > 0, b.sum(1) / women, 0.0)
    boys_nat = b[:, 1].sum() / b.sum()
    boys = np.full(len(v.regions), boys_nat)
    res = residual_migration(v) if mig_residual is None else mig_residual
    midx = _window(v, base_year, a.migration_window)
    if a.migration == "counts":
        mig = np.nanmean(res[midx], axis=0)
    else:
        ms = mortality_rates_from(v, midx)
        s, sb = survival(ms)
        exp_pop = survive(v.pop[midx], s)
        exp_pop[..., 0] = v.births[midx + 1].sum(-1) * sb
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(exp_pop > 0, res[midx] / exp_pop, 0.0)
        mig = np.nanmean(rate, axis=0)
    mig = np.nan_to_num(mig)
    imp = (mortality_improvement(v, base_year, a.trend_window) if a.mortality_trend
           else np.zeros((2, N_AGES)))
    return Model(base_year, m, fert, boys, mig, a.migration, imp)


def mortality_rates_from(v: Vital, idx: np.ndarray) -> np.ndarray:
    """Each year's own death rates ``[transition, region, sex, age]`` for transitions ``idx``."""
    e = exposure(v.pop)[idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(e > 0, v.deaths[idx + 1] / e, 0.0)


# --------------------------------------------------------------------------- projection
def project(model: Model, pop0: np.ndarray, start: int, end: int,
            migration_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Project ``pop0 [region, sex, age]`` (31 December ``start``) to ``end``.

    Returns
    -------
    (population ``[year start…end, region, sex, age]``, births ``[year start+1…end, region]``)
    """
    if end < start:
        raise ValueError("end must not be before start")
    out = np.empty((end - start + 1,) + pop0.shape)
    births = np.empty((end - start, pop0.shape[0]))
    out[0] = pop0
    fixed = None if model.improvement.any() else survival(model.m)
    mig = model.mig * migration_scale
    for i, year in enumerate(range(start + 1, end + 1)):
        s, sb = fixed if fixed is not None else survival(model.rates(year))
        kw = {"mig": mig} if model.migration == "counts" else {"mig_rate": mig}
        out[i + 1], births[i] = step(out[i], s, sb, model.fert, model.boys, **kw)
    return out, births


def carry_to_totals(model: Model, pop0: np.ndarray, start: int, totals: dict[int, np.ndarray]
                    ) -> np.ndarray:
    """Carry ``pop0 [region, sex, age]`` (31 December ``start``) through the following years whose
    totals per region are known but whose ages are not.

    Each year is projected with ``model``; the gap to the known total is extra net migration,
    spread over ages and sexes like the absolute mean net migration of the model (the ages that
    move). Returns the populations ``[year start…last, region, sex, age]``.
    """
    years = sorted(totals)
    if years != list(range(start + 1, start + 1 + len(years))):
        raise ValueError(f"totals must follow {start} year by year, got {years}")
    profile = np.abs(model.mig) if model.migration == "counts" else np.abs(model.mig) * pop0
    profile = profile / np.maximum(profile.sum((-2, -1), keepdims=True), 1e-12)
    out = [pop0]
    for year in years:
        nxt = project(model, out[-1], year - 1, year)[0][-1]
        gap = np.asarray(totals[year], dtype=float) - nxt.sum((-2, -1))
        out.append(np.maximum(nxt + gap[:, None, None] * profile, 0))
    return np.stack(out)


def bridge_migration(model: Model, pops: np.ndarray, start: int) -> np.ndarray:
    """Net migration ``[year start+1…, region, sex, age]`` implied by a series of populations
    whose births and deaths are not known: each year minus the model's survivors and births of
    the year before (the residual method with modelled vital events)."""
    out = []
    for i in range(1, len(pops)):
        s, sb = survival(model.rates(start + i))
        nomig, _ = step(pops[i - 1], s, sb, model.fert, model.boys)
        out.append(pops[i] - nomig)
    return np.stack(out)


def with_migration(model: Model, history: np.ndarray, window: int) -> Model:
    """``model`` with its migration replaced by the mean of the last ``window`` years of
    ``history [year, region, sex, age]`` (counts; NaN years skipped)."""
    if model.migration != "counts":
        raise ValueError("bridged migration is defined for migration='counts'")
    return replace(model, mig=np.nan_to_num(np.nanmean(history[-window:], axis=0)))


def bridged(v: Vital, last_known: int, base_year: int, totals: dict[int, np.ndarray],
            a: Assumptions = DEFAULT, mig_residual: np.ndarray | None = None,
            pops: np.ndarray | None = None) -> tuple[Model, np.ndarray]:
    """The model and jump-off population for a base year after the last year with ages, births
    and deaths (``last_known``), from the totals of the years between.

    Rates come from the data to ``last_known``; the population is carried through the gap with
    :func:`carry_to_totals` (or ``pops``, a better series of the gap years such as one adjusted
    to known age groups); the migration assumption is the mean of the last
    ``migration_window`` years, the gap years' migration from :func:`bridge_migration`.

    Returns
    -------
    (model, population ``[region, sex, age]`` on 31 December ``base_year``)
    """
    res = residual_migration(v) if mig_residual is None else mig_residual
    model = estimate(v, last_known, a, res)
    if base_year == last_known:
        return model, v.pop[v.index(last_known)]
    if pops is None:
        pops = carry_to_totals(model, v.pop[v.index(last_known)], last_known,
                               {y: totals[y] for y in range(last_known + 1, base_year + 1)})
    hist = np.concatenate([res[:v.index(last_known)], bridge_migration(model, pops, last_known)])
    return with_migration(model, hist, a.migration_window), pops[-1]


# --------------------------------------------------------------------------- Hamilton–Perry
def hamilton_perry_ratios(pop: np.ndarray, years: np.ndarray, base_year: int, window: int = 5
                          ) -> np.ndarray:
    """Cohort-change ratios ``[region, sex, age]`` pooled over the ``window`` years to
    ``base_year``, as :func:`analysis.methods.population.cohort_change_ratios` computes them for
    one län (age 0: births per woman 15–49 a year earlier)."""
    end = int(np.flatnonzero(years == base_year)[0])
    if end - window < 0:
        raise ValueError(f"a window of {window} years before {base_year} is not in the data")
    prev, cur = pop[end - window:end], pop[end - window + 1:end + 1]
    num = np.zeros(pop.shape[1:])
    den = np.zeros(pop.shape[1:])
    num[..., 1:MAX_AGE] = cur[..., 1:MAX_AGE].sum(0)
    den[..., 1:MAX_AGE] = prev[..., :MAX_AGE - 1].sum(0)
    num[..., MAX_AGE] = cur[..., MAX_AGE].sum(0)
    den[..., MAX_AGE] = (prev[..., MAX_AGE - 1] + prev[..., MAX_AGE]).sum(0)
    num[..., 0] = cur[..., 0].sum(0)
    den[..., 0] = prev[..., 0, 15:50].sum((0, -1))[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 0.0)


def project_hamilton_perry(ccr: np.ndarray, pop0: np.ndarray, start: int, end: int) -> np.ndarray:
    """Project ``pop0 [region, sex, age]`` with fixed cohort-change ratios (Hamilton & Perry 1962)."""
    out = np.empty((end - start + 1,) + pop0.shape)
    out[0] = pop0
    for i in range(end - start):
        p = out[i]
        new = np.zeros_like(p)
        new[..., 1:MAX_AGE] = p[..., :MAX_AGE - 1] * ccr[..., 1:MAX_AGE]
        new[..., MAX_AGE] = (p[..., MAX_AGE - 1] + p[..., MAX_AGE]) * ccr[..., MAX_AGE]
        new[..., 0] = p[..., 0, 15:50].sum(-1)[..., None] * ccr[..., 0]
        out[i + 1] = new
    return out


# --------------------------------------------------------------------------- groups and tables
def group_matrix(groups: dict[str, tuple[int, int]] | None = None) -> tuple[list[str], np.ndarray]:
    """Names and an ``[age, group]`` 0/1 matrix for :data:`GROUPS` (or ``groups``)."""
    groups = groups or GROUPS
    mat = np.zeros((N_AGES, len(groups)))
    for j, (lo, hi) in enumerate(groups.values()):
        mat[lo:hi + 1, j] = 1
    return list(groups), mat


def group_sums(pop: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Both sexes summed into :data:`GROUPS`, plus ``forsorjningskvot`` (SCB's
    ((0–19) + (65+)) / (20–64) × 100): ``[..., group]``."""
    names, mat = group_matrix()
    g = pop.sum(-2) @ mat
    i = {n: k for k, n in enumerate(names)}
    with np.errstate(divide="ignore", invalid="ignore"):
        fk = (g[..., i["0-19"]] + g[..., i["65+"]]) / g[..., i["20-64"]] * 100
    return names + ["forsorjningskvot"], np.concatenate([g, fk[..., None]], axis=-1)


def long_table(pop: np.ndarray, years, regions) -> pd.DataFrame:
    """``[year, region, sex, age]`` as a tidy table ``ar, region, group, value`` of :func:`group_sums`."""
    names, g = group_sums(pop)
    yy, rr, gg = np.meshgrid(np.asarray(years), np.arange(len(regions)), np.arange(len(names)),
                             indexing="ij")
    return pd.DataFrame({"ar": yy.ravel(), "region": np.asarray(regions)[rr.ravel()],
                         "group": np.asarray(names)[gg.ravel()], "value": g.ravel()})


# --------------------------------------------------------------------------- back-tests
def backtest(v: Vital, base_years, a: Assumptions = DEFAULT, *, method: str = "cc",
             last_year: int | None = None, hp_window: int = 5, gap: int = 0,
             gap_ages: bool = False) -> pd.DataFrame:
    """Project from every base year and compare with the statistics, for every region and group.

    Parameters
    ----------
    v
        The data; outcomes are its own later years (to ``last_year``, default its last).
    base_years
        Jump-off years; each needs the assumptions' windows of data before it.
    method
        ``"cc"`` (this module's cohort-component model) or ``"hp"`` (Hamilton–Perry, window
        ``hp_window``).
    gap
        Years before each base year known only by their totals (as the book's years after the
        last year with births and deaths): the cohort-component model is then run through
        :func:`bridged`, exactly as for a real base year ``gap`` years after the data.
    gap_ages
        With a gap: whether the gap years' ages are known (as when they are estimated to known
        age groups) or only their totals.

    Returns
    -------
    DataFrame ``method, base, region, ar, horizon, group, projected, observed, log_error, ape``:
    ``log_error = ln(projected / observed)`` and ``ape`` the absolute relative error. Pairs across
    a border change (:data:`BORDER_BREAKS`) are left out.
    """
    last = int(v.years[-1]) if last_year is None else last_year
    res = residual_migration(v) if method == "cc" else None
    names, _ = group_sums(v.pop[:1])
    out = []
    for b in base_years:
        if b >= last:
            continue
        i0, i1 = v.index(b), v.index(last)
        if method == "cc":
            totals = {y: v.pop[v.index(y)].sum((-2, -1)) for y in range(b - gap + 1, b + 1)}
            pops = v.pop[i0 - gap:i0 + 1] if gap and gap_ages else None
            model, start = bridged(v, b - gap, b, totals, a, res, pops)
            proj, _ = project(model, start, b, last)
        elif method == "hp":
            proj = project_hamilton_perry(hamilton_perry_ratios(v.pop, v.years, b, hp_window),
                                          v.pop[i0], b, last)
        else:
            raise ValueError(f"method must be 'cc' or 'hp', not {method!r}")
        _, gp = group_sums(proj[1:])
        _, go = group_sums(v.pop[i0 + 1:i1 + 1])
        h, r, g = np.meshgrid(np.arange(1, last - b + 1), np.arange(len(v.regions)),
                              np.arange(len(names)), indexing="ij")
        out.append(pd.DataFrame({"base": b, "region": np.asarray(v.regions)[r.ravel()],
                                 "ar": b + h.ravel(), "horizon": h.ravel(),
                                 "group": np.asarray(names)[g.ravel()],
                                 "projected": gp.ravel(), "observed": go.ravel()}))
    bt = pd.concat(out, ignore_index=True)
    for code, year in BORDER_BREAKS.items():
        bt = bt[~((bt["region"] == code) & (bt["base"] < year) & (bt["ar"] >= year))]
    bt.insert(0, "method", method)
    return add_errors(bt.reset_index(drop=True))


def add_errors(t: pd.DataFrame) -> pd.DataFrame:
    """Add ``log_error = ln(projected / observed)`` and ``ape = |projected / observed − 1|``."""
    ratio = t["projected"] / t["observed"]
    return t.assign(log_error=np.log(ratio), ape=(ratio - 1).abs())


def mape(errors: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Mean absolute percentage error (as a proportion) and the number of cases, by ``by``."""
    return (errors.groupby(by, observed=True)["ape"].agg(mape="mean", n="size").reset_index())


# --------------------------------------------------------------------------- intervals
LEVELS = (0.8, 0.95)


def empirical_intervals(errors: pd.DataFrame, max_horizon: int, *, levels=LEVELS,
                        min_bases: int = 5) -> pd.DataFrame:
    """Half-widths of ex-post prediction intervals by group and horizon, on the log scale.

    For each group and horizon ``h`` the ``level`` quantile of ``|ln(projected / observed)|`` over
    all regions and base years is the half-width ``q``: a projection ``P`` gets the interval
    ``P × exp(±q)``. Horizons with fewer than ``min_bases`` base years are not estimated; ``q`` is
    then carried on in proportion to the horizon from the last estimated one (errors of
    projections grow about linearly with the horizon; Keilman 1990, Stoto 1983). ``q`` never
    shrinks with the horizon.

    Returns
    -------
    DataFrame ``group, horizon, level, q, estimated`` (``estimated`` False where extrapolated).
    """
    rows = []
    for grp, e in errors.groupby("group", sort=False):
        nb = e.groupby("horizon")["base"].nunique()
        ok = sorted(h for h in nb.index if nb[h] >= min_bases)
        if not ok:
            raise ValueError(f"no horizon of group {grp!r} has {min_bases} base years")
        for level in levels:
            q = e.groupby("horizon")["log_error"].apply(lambda x, lv=level: x.abs().quantile(lv))
            q = q.loc[ok].cummax()
            h_last = ok[-1]
            for h in range(1, max_horizon + 1):
                if h in q.index:
                    val, est = float(q.loc[h]), True
                elif h < h_last:  # a gap inside the estimated range: the next estimated value
                    val, est = float(q.loc[[k for k in ok if k > h][0]]), True
                else:
                    val, est = float(q.loc[h_last]) * h / h_last, False
                rows.append({"group": grp, "horizon": h, "level": level, "q": val,
                             "estimated": est})
    return pd.DataFrame(rows)


def with_intervals(proj: pd.DataFrame, intervals: pd.DataFrame, level: float,
                   value: str = "value") -> pd.DataFrame:
    """Add ``lower``/``upper`` at ``level`` to a table with ``group``, ``horizon`` and ``value``."""
    q = intervals[intervals["level"] == level][["group", "horizon", "q"]]
    out = proj.merge(q, on=["group", "horizon"], how="left", validate="many_to_one")
    if out["q"].isna().any():
        bad = out.loc[out["q"].isna(), ["group", "horizon"]].drop_duplicates().head(3)
        raise ValueError(f"no interval for {bad.to_dict('records')}")
    out["lower"] = out[value] * np.exp(-out["q"])
    out["upper"] = out[value] * np.exp(out["q"])
    return out.drop(columns="q")


def coverage(errors: pd.DataFrame, intervals: pd.DataFrame, by: list[str] | None = None
             ) -> pd.DataFrame:
    """Share of back-test outcomes inside the intervals, by level (and ``by``)."""
    m = errors.merge(intervals, on=["group", "horizon"], how="inner")
    m["inside"] = m["log_error"].abs() <= m["q"]
    return (m.groupby(["level", *(by or [])], observed=True)["inside"]
            .agg(andel="mean", n="size").reset_index())


# --------------------------------------------------------------------------- kommuner
#: Kommun age bands: 0–19, each age 20–30, 31–64 and 65+ are known exactly every year (Kolada);
#: 0–19 and 31–64 are split where a year's broader age table says how (see
#: :func:`kommun_band_shares`), 65+ by the cohort lag of :data:`OLD_LAG`.
KOMMUN_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-15", 0, 15), ("16-19", 16, 19), *((f"a{a}", a, a) for a in range(20, 31)),
    ("31-44", 31, 44), ("45-64", 45, 64), ("65-79", 65, 79), ("80+", 80, MAX_AGE))
#: A kommun's share of the län's 80+ is taken as its share of the 65+ this many years earlier
#: (the same cohorts; the data have no kommun counts aged 80+).
OLD_LAG = 15


def _band_index() -> np.ndarray:
    idx = np.empty(N_AGES, dtype=int)
    for j, (_, lo, hi) in enumerate(KOMMUN_BANDS):
        idx[lo:hi + 1] = j
    return idx


def kommun_band_shares(groups: pd.DataFrame, lan_ages: pd.DataFrame,
                       finer: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each kommun's share of the län in every band of :data:`KOMMUN_BANDS`, per year.

    Parameters
    ----------
    groups
        :func:`analysis.methods.population.kolada_age_groups` (exact 0–19, 20–64, 65+, ages 20–30).
    lan_ages
        The län's single ages, both sexes: ``ar, alder, folkmangd``.
    finer
        Optional exact kommun counts aged 0–15 and 31–44 in some years (``kommun_kod, ar, n0_15,
        n31_44``). A year's 0–19 and 31–64 are split in the proportions of the latest such year
        not after it; without one, like the län's (the kommun's share the same in both parts).

    Returns
    -------
    DataFrame indexed by ``(ar, kommun_kod)`` with one column per band (each sums to 1 over the
    kommuner of a year) and ``s65``, the kommun's share of the län's 65+. The 80+ share is the 65+
    share :data:`OLD_LAG` years earlier (the kommun's first year's when earlier); 65–79 is the rest of the
    kommun's exact 65+.
    """
    g = groups.set_index(["ar", "kommun_kod"]).sort_index()
    ar = g.index.get_level_values("ar")
    singles = {f"a{a}": g[f"a{a}"].astype(float) for a in range(20, 31)}
    n0_19 = g["0-19"].astype(float)
    n31_64 = g["20-64"] - sum(singles.values())
    la = lan_ages.groupby(["ar", "alder"])["folkmangd"].sum().unstack()
    if not set(ar) <= set(la.index):
        raise ValueError("the län's single ages are missing for some years of the kommun data")
    r0 = (la.loc[:, 0:15].sum(axis=1) / la.loc[:, 0:19].sum(axis=1)).reindex(ar).to_numpy()
    r31 = (la.loc[:, 31:44].sum(axis=1) / la.loc[:, 31:64].sum(axis=1)).reindex(ar).to_numpy()
    if finer is not None and len(finer):
        f = finer.set_index(["ar", "kommun_kod"]).sort_index()
        fy = sorted(f.index.get_level_values("ar").unique())
        src = [max((y for y in fy if y <= t), default=None) for t in ar]
        has = np.array([y is not None for y in src])
        key = pd.MultiIndex.from_arrays([[y if y is not None else fy[0] for y in src],
                                         g.index.get_level_values("kommun_kod")])
        f0 = (f["n0_15"] / n0_19.reindex(f.index)).reindex(key).to_numpy()
        f31 = (f["n31_44"] / n31_64.reindex(f.index)).reindex(key).to_numpy()
        r0 = np.where(has & ~np.isnan(f0), f0, r0)
        r31 = np.where(has & ~np.isnan(f31), f31, r31)
    counts = pd.DataFrame({"0-15": r0 * n0_19, "16-19": (1 - r0) * n0_19, **singles,
                           "31-44": r31 * n31_64, "45-64": (1 - r31) * n31_64}, index=g.index)
    s65 = g["65+"] / g["65+"].groupby(level="ar").transform("sum")
    # Each kommun's own first year: a kommun formed later (Knivsta, 2003) has no share before it.
    kod = g.index.get_level_values("kommun_kod")
    first = s65.reset_index().groupby("kommun_kod")["ar"].min().reindex(kod).to_numpy()
    lagged = s65.reindex(pd.MultiIndex.from_arrays([np.maximum(ar - OLD_LAG, first), kod]))
    old = la.loc[:, 80:].sum(axis=1).reindex(ar)
    counts["80+"] = lagged.to_numpy() * old.to_numpy()
    counts["65-79"] = (g["65+"] - counts["80+"]).clip(lower=0)
    counts = counts[[b for b, _, _ in KOMMUN_BANDS]]
    out = counts / counts.groupby(level="ar").transform("sum")
    out["s65"] = s65
    return out


def kommun_shares_at(shares: pd.DataFrame, base: int, years) -> dict[int, pd.DataFrame]:
    """Band shares ``kommun × band`` for future ``years``: those of ``base``, except that the 80+
    share follows the 65+ cohort (:data:`OLD_LAG` years on) while that cohort is observed."""
    hist = shares.loc[shares.index.get_level_values("ar") <= base]
    yrs = set(hist.index.get_level_values("ar"))
    if base not in yrs:
        raise ValueError(f"no kommun shares for {base}")
    bands = [b for b, _, _ in KOMMUN_BANDS]
    out = {}
    for y in years:
        s = hist.xs(base, level="ar")[bands].copy()
        if y - OLD_LAG in yrs:
            s["80+"] = hist.xs(y - OLD_LAG, level="ar")["s65"]
        out[y] = s
    return out


#: Years behind a kommun's trend in its share of the län's population (:func:`share_trend`).
TREND_YEARS = 10
#: Part of that trend carried on (a damped trend; 0 = constant shares). Chosen in the kommun
#: back-test, where half the trend beats both constant shares and the full trend.
TREND_DAMPING = 0.5


def share_trend(kommun_totals: pd.DataFrame, base: int, years: int = TREND_YEARS) -> pd.Series:
    """Each kommun's yearly change in ln(its share of the län's population), the least-squares
    slope over the ``years`` years to ``base`` (``kommun_totals``: ``kommun_kod, ar, folkmangd``)."""
    w = kommun_totals.pivot_table(index="ar", columns="kommun_kod", values="folkmangd",
                                  aggfunc="sum")
    yy = np.arange(base - years + 1, base + 1)
    missing = sorted(set(yy) - set(w.index))
    if missing:
        raise ValueError(f"kommun totals are missing for {missing}")
    ls = np.log(w.loc[yy].div(w.loc[yy].sum(axis=1), axis=0))
    x = yy - yy.mean()
    return ls.mul(x, axis=0).sum() / (x @ x)


def kommun_projection(lan_proj: pd.DataFrame, shares: pd.DataFrame, base: int, *,
                      trend: pd.Series | None = None, damping: float = TREND_DAMPING
                      ) -> pd.DataFrame:
    """The län's projected single ages shared out to its kommuner (a constrained ratio method).

    Each kommun keeps its ``base`` share of the län in every band of :data:`KOMMUN_BANDS` (its
    80+ share follows its 65+ cohort, :func:`kommun_shares_at`). With ``trend``
    (:func:`share_trend`) the shares move by ``exp(damping × trend × years)`` and are scaled back so
    that, at every age and year, the kommuner add up to the län exactly.

    Parameters
    ----------
    lan_proj
        The län's projection, both sexes: ``ar, alder, folkmangd`` for the years to share out.
    shares
        :func:`kommun_band_shares` (history up to at least ``base``).

    Returns
    -------
    DataFrame ``kommun_kod, ar, alder, folkmangd``.
    """
    years = sorted(lan_proj["ar"].unique())
    fut = kommun_shares_at(shares, base, years)
    band = _band_index()
    lp = lan_proj.pivot_table(index="ar", columns="alder", values="folkmangd", aggfunc="sum"
                              ).reindex(columns=range(N_AGES), fill_value=0)
    rows = []
    for y in years:
        s = fut[y].to_numpy()[:, band]
        if trend is not None:
            s = s * np.exp(damping * trend.reindex(fut[y].index).to_numpy() * (y - base))[:, None]
        s = s / s.sum(axis=0, keepdims=True)
        arr = s * lp.loc[y].to_numpy()[None, :]
        rows.append(pd.DataFrame({"kommun_kod": np.repeat(fut[y].index.to_numpy(), N_AGES),
                                  "ar": y, "alder": np.tile(np.arange(N_AGES), len(s)),
                                  "folkmangd": arr.ravel()}))
    return pd.concat(rows, ignore_index=True)


def kommun_backtest(lan_projections: dict[int, pd.DataFrame], shares: pd.DataFrame,
                    observed: pd.DataFrame, *, kommun_totals: pd.DataFrame | None = None,
                    damping: float = TREND_DAMPING, areas: dict[str, list[str]] | None = None
                    ) -> pd.DataFrame:
    """Share each base year's län projection out to the kommuner and compare with what happened.

    Parameters
    ----------
    lan_projections
        ``{base: län projection (ar, alder, folkmangd) for the years after base}``.
    shares
        :func:`kommun_band_shares`.
    observed
        The kommuner's statistics: ``kommun_kod, ar, group, observed`` (groups of :data:`GROUPS`).
    kommun_totals
        ``kommun_kod, ar, folkmangd``, for the damped share trend; without it, constant shares.
    areas
        ``{area code: kommun codes}`` to add up (e.g. förbund); default: each kommun alone.

    Returns
    -------
    The errors as :func:`backtest` returns them (``region`` = area code).
    """
    out = []
    for b, lp in lan_projections.items():
        trend = share_trend(kommun_totals, b) if kommun_totals is not None else None
        kp = kommun_groups(kommun_projection(lp, shares, b, trend=trend, damping=damping))
        out.append(kp.assign(base=b))
    proj = pd.concat(out, ignore_index=True).rename(columns={"value": "projected"})
    m = proj.merge(observed, on=["kommun_kod", "ar", "group"], how="inner")
    if areas is not None:
        amap = pd.DataFrame([(a, k) for a, ks in areas.items() for k in ks],
                            columns=["region", "kommun_kod"])
        m = (m.merge(amap, on="kommun_kod")
             .groupby(["region", "base", "ar", "group"], as_index=False)[
                 ["projected", "observed"]].sum())
    else:
        m = m.rename(columns={"kommun_kod": "region"})
    m["horizon"] = m["ar"] - m["base"]
    m.insert(0, "method", "kommun")
    cols = ["method", "base", "region", "ar", "horizon", "group", "projected", "observed"]
    return add_errors(m[cols].sort_values(cols[1:6], ignore_index=True))


def kommun_groups(kom: pd.DataFrame, by: str = "kommun_kod") -> pd.DataFrame:
    """Single ages (``by, ar, alder, folkmangd``) into :data:`GROUPS`: ``by, ar, group, value``."""
    names, mat = group_matrix()
    w = kom.pivot_table(index=[by, "ar"], columns="alder", values="folkmangd", aggfunc="sum"
                        ).reindex(columns=range(N_AGES), fill_value=0)
    g = pd.DataFrame(w.to_numpy() @ mat, index=w.index, columns=names)
    return g.stack().rename("value").rename_axis([by, "ar", "group"]).reset_index()
