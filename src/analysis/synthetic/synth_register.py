"""Synthetic register extract for the child poverty chapter: seeded, calibrated, in the register contract.

The real extract (SCB microdata for the län's persons and households, 2011–2021) is confidential and
cannot ship with the book. This module makes a stand-in that follows the same input contract
(:mod:`analysis.contracts.register`, ``docs/contracts/register.md``), so that every table of the chapter is computed
by the same code that will run on the real file. The numbers it produces are **synthetic**: they show the
method, not the län.

What is real and what is assumed
--------------------------------
Real (catalogued data; computed in :mod:`analysis.methods.poverty_reference`, which serves the real
extract as well, and given to :func:`generate`):

* the number of children 0–17 per kommun and year
  (:func:`~analysis.methods.poverty_reference.child_population`): Kolada's exact 0–19 counts minus an
  estimate of the 18–19-year-olds; 2020–2021 are extrapolated (flagged);
* the national median economic standard 2011–2019 (SCB) and the consumer price index (SCB)
  (:func:`~analysis.methods.poverty_reference.national_median`; 2020–2021 are assumptions, flagged);
* the riksnorm för försörjningsstöd 2019 (Socialstyrelsen), the core of the norm for *låg inkomststandard*
  (:func:`~analysis.methods.poverty_reference.norm_table`; the housing and other costs added to it are
  assumptions, :class:`~analysis.methods.poverty_reference.NormCosts`);
* the published 2019 figures the generator is calibrated to (8 884 children, 11,8 %, kommun range
  4,9–29,8 %; seed document 002) and, only to order the kommuner, Socialstyrelsen's cost of ekonomiskt
  bistånd per inhabitant 2020 (:func:`kommun_targets`).

Assumed (documented constants, :class:`Demography`, :class:`IncomeModel`): family composition, moves,
births, separations, the income model and its gradients by background, parents' education and household
type, and economic assistance.

The income model
----------------
Every family (a household with children) has a log economic standard relative to the national median

    log(ES_ft / M_t) = a_k + b_background + b_education + b_type(t) + u_f + e_ft,

with a kommun intercept ``a_k``, fixed gradients, a persistent family effect ``u_f ~ N(0, s_u²)`` and a
stationary AR(1) component ``e_ft = rho e_f,t-1 + eta_ft`` (so low income persists and *varaktigt låg
ekonomisk standard* exists). Disposable income is ``ES × consumption units``, rounded to whole kronor; a
few household-years have zero or negative income. The intercepts ``a_k`` are calibrated (bisection, then
a documented nudge of at most a few families at the margin, :func:`calibrate`) so that, in 2019, the number
of children 0–17 in economically vulnerable households in every kommun equals a target count whose share
rounds to the published value: the lowest kommun 4,9 %, the highest 29,8 %, the län 11,8 %.

Randomness: one :func:`numpy.random.default_rng` seeded with ``seed`` drives every draw in a fixed order,
so the same inputs and seed give the same panel, byte for byte.

Why one module
--------------
The simulation, the income grid, the calibration and the panel share one random generator whose draws
must come in a fixed order, and private family × year arrays (``_Pop``, ``_Grid``) that only make sense
together. Split over modules, the draw order would be spread over files and a change in one could
silently change every synthetic number; kept here, the order reads top to bottom in :func:`generate`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core import geo
from analysis.methods import poverty as pv
from analysis.methods.poverty_reference import YEARS
from analysis.methods.rounding import largest_remainder

__all__ = [
    "CALIBRATION_YEAR",
    "GENERATOR_VERSION",
    "YEARS",
    "Demography",
    "IncomeModel",
    "SyntheticRegister",
    "calibrate",
    "generate",
    "kommun_targets",
    "scale_counts",
]

#: The year of the published figures the generator is calibrated to.
CALIBRATION_YEAR = 2019
#: Bump when the generator's output changes for the same inputs (invalidates caches).
GENERATOR_VERSION = "1"

_KOMMUNER = tuple(geo.KOMMUNER)
_NEVER = 9999
_BACKGROUND = ("svensk", "utländsk")
_EDUCATION = ("förgymnasial", "gymnasial", "eftergymnasial", "okänd")
_TYPES = ("sammanboende", "ensamstående", "övriga")


# --------------------------------------------------------------------------- assumptions
@dataclass(frozen=True)
class Demography:
    """Assumed family demography of the synthetic län (yearly rates unless stated).

    Attributes
    ----------
    foreign_background
        Share of families whose children have foreign background (utländsk bakgrund: born abroad or both
        parents born abroad), län level. Roughly 1,5 × the län's share of foreign-born inhabitants (17 %,
        genomlysningen 2020), since children born in Sweden to two foreign-born parents count too.
    foreign_relative
        Kommun factors on ``foreign_background``: the foreign-born shares the 2020 review names
        (Hällefors 22 %, Ljusnarsberg 19 %, Lekeberg 7 %, Askersund 9 %) divided by the län's 17 %; 1 elsewhere.
    education_svensk, education_utlandsk
        Parents' highest education (förgymnasial, gymnasial, eftergymnasial, okänd) by background.
    couple_svensk, couple_utlandsk
        Share of families that are couples when they enter the panel (the rest are lone parents).
    lone_mother
        Share of lone parents who are mothers.
    extra_adult
        Share of families with a further adult (e.g. a grandparent) in the household.
    separation
        Yearly probability that a couple separates (the children stay with one parent).
    out_migration
        Yearly probability that a family leaves the län.
    birth
        Yearly probability of a further child (mother aged 20–42, youngest child at least one year).
    children_per_family
        Distribution of 1, 2, 3, 4 children in an entering family.
    newborn_entrants
        Share of families entering after the first year that are new families with a first-born child
        (the rest move in with children of any age).
    """

    foreign_background: float = 0.25
    foreign_relative: Mapping[str, float] = field(default_factory=lambda: {
        "1863": 22 / 17, "1864": 19 / 17, "1814": 7 / 17, "1882": 9 / 17})
    education_svensk: tuple[float, float, float, float] = (0.06, 0.42, 0.50, 0.02)
    education_utlandsk: tuple[float, float, float, float] = (0.28, 0.27, 0.30, 0.15)
    couple_svensk: float = 0.79
    couple_utlandsk: float = 0.74
    lone_mother: float = 0.75
    extra_adult: float = 0.04
    separation: float = 0.025
    out_migration: float = 0.03
    birth: float = 0.07
    children_per_family: tuple[float, float, float, float] = (0.40, 0.40, 0.15, 0.05)
    newborn_entrants: float = 0.40


@dataclass(frozen=True)
class IncomeModel:
    """Assumed income model: effects on log(economic standard / national median).

    The kommun intercepts are not here: :func:`calibrate` sets them. Gradients follow the direction the
    pre-study reports (children with foreign background and children of parents with low education
    "sticker ut negativt") and SCB's medians by household type (lone parents well below couples); their
    sizes are assumptions.

    Attributes
    ----------
    background, education, household
        Effects by the family's background, parents' highest education and household type
        (sammanboende = couple, ensamstående = lone parent, övriga = with a further adult).
    sd_family
        Standard deviation of the persistent family effect.
    rho, sd_transitory
        AR(1) coefficient and stationary standard deviation of the yearly component.
    nonpositive
        Share of household-years with zero or negative disposable income (e.g. business losses).
    assistance_below_norm, assistance_near_norm, assistance_other
        Probability that a household receives ekonomiskt bistånd in a year when its income is below
        the norm, between 1 and 1,3 times the norm, and above that.
    """

    background: Mapping[str, float] = field(default_factory=lambda: {
        "svensk": 0.0, "utländsk": -0.45})
    education: Mapping[str, float] = field(default_factory=lambda: {
        "förgymnasial": -0.35, "gymnasial": -0.12, "eftergymnasial": 0.0, "okänd": -0.40})
    household: Mapping[str, float] = field(default_factory=lambda: {
        "sammanboende": 0.0, "ensamstående": -0.35, "övriga": -0.10})
    sd_family: float = 0.30
    rho: float = 0.70
    sd_transitory: float = 0.22
    nonpositive: float = 0.002
    assistance_below_norm: float = 0.55
    assistance_near_norm: float = 0.10
    assistance_other: float = 0.006


def kommun_targets(n_children: pd.Series, proxy: pd.Series, *, lan_share: float,
                   share_min: float, share_max: float) -> pd.DataFrame:
    """Target count of children in economically vulnerable households per kommun, calibration year.

    The published figures give the län's share and the lowest and highest kommun share, not which
    kommun is which. The book orders the kommuner by a real proxy (``proxy``, the cost of ekonomiskt
    bistånd per inhabitant) and maps it to shares monotonically:

        share_k = share_min + (share_max − share_min) · z_k^gamma,   z_k = (proxy_k − min) / (max − min),

    with ``gamma`` solved (bisection) so that the child-weighted mean is ``lan_share``. Shares become whole
    children: the lowest and highest kommun get the count nearest their share whose percentage rounds
    (half up, one decimal) to the published one; the others share the rest of the län's count
    (``lan_share`` × children, also rounding to the published percentage) by largest remainder.

    Parameters
    ----------
    n_children
        Children 0–17 per kommun (index kommun codes) in the calibration year.
    proxy
        The ordering proxy per kommun.
    lan_share, share_min, share_max
        Published shares (proportions).

    Returns
    -------
    pandas.DataFrame
        ``kommun, n_children, proxy, z, share_model, target_count, target_share`` and ``.attrs['gamma']``.

    Raises
    ------
    ValueError
        If a published share cannot be reached with a kommun's number of children (no whole number of
        children gives a percentage that rounds to it), or the proxy does not separate the kommuner.
    """
    n = n_children.reindex(list(_KOMMUNER)).astype(int)
    p = proxy.reindex(list(_KOMMUNER)).astype(float)
    if n.isna().any() or p.isna().any():
        raise ValueError("n_children and proxy need a value for every kommun of the län")
    if p.max() <= p.min():
        raise ValueError("the proxy must differ between kommuner")
    z = (p - p.min()) / (p.max() - p.min())
    w = n / n.sum()

    def mean_share(gamma: float) -> float:
        return float((w * (share_min + (share_max - share_min) * z ** gamma)).sum())

    lo, hi = 1e-3, 50.0
    if not mean_share(hi) <= lan_share <= mean_share(lo):
        raise ValueError(f"no exponent gives a län share of {lan_share} with these kommun shares")
    for _ in range(200):  # mean_share decreases in gamma
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mean_share(mid) > lan_share else (lo, mid)
    gamma = (lo + hi) / 2
    model = share_min + (share_max - share_min) * z ** gamma

    def window(share: float, total: int) -> tuple[int, int]:
        # whole counts m with round_half_up(100 m / total, 1) == round(100 share, 1):
        # (p − 0,05) % ≤ 100 m / total < (p + 0,05) %, in integer arithmetic on tenths of a per cent
        tenths = int(round(share * 1000))
        first = -(-((2 * tenths - 1) * total) // 2000)  # ceil((tenths − 0,5) / 1000 · total)
        last = -(-((2 * tenths + 1) * total) // 2000) - 1
        return first, last

    counts = pd.Series(0, index=n.index, dtype=np.int64)
    ends = {p.idxmin(): share_min, p.idxmax(): share_max}
    for k, s in ends.items():
        first, last = window(s, int(n[k]))
        if first > last:
            raise ValueError(
                f"{geo.kommun_namn(k)} has {int(n[k])} children: no whole number of them is "
                f"{100 * s:.1f} % after rounding, so it cannot be the kommun with that share")
        counts[k] = min(max(int(round(s * n[k])), first), last)
    first, last = window(lan_share, int(n.sum()))
    total = min(max(int(round(lan_share * n.sum())), first), last)
    middle = [k for k in n.index if k not in ends]
    rest = total - int(counts[list(ends)].sum())
    raw = (model[middle] * n[middle]).to_numpy()
    counts[middle] = largest_remainder(raw * rest / raw.sum(), rest)
    out = pd.DataFrame({"kommun": n.index, "n_children": n.to_numpy(), "proxy": p.to_numpy(),
                        "z": z.to_numpy(), "share_model": model.to_numpy(),
                        "target_count": counts.to_numpy()})
    out["target_share"] = out["target_count"] / out["n_children"]
    out.attrs["gamma"] = gamma
    return out


def scale_counts(child_counts: pd.DataFrame, targets: pd.DataFrame, factor: float
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shrink the child counts and targets by ``factor`` (for quick tests); targets keep their shares."""
    cc = child_counts.copy()
    cc["n_0_17"] = np.maximum(1, np.round(cc["n_0_17"] * factor)).astype(int)
    t = targets.copy()
    n = cc[cc["year"] == CALIBRATION_YEAR].set_index("kommun")["n_0_17"]
    t["n_children"] = t["kommun"].map(n).astype(int)
    t["target_count"] = np.round(t["target_share"] * t["n_children"]).astype(int)
    t["target_share"] = t["target_count"] / t["n_children"]
    return cc, t


# --------------------------------------------------------------------------- simulation
class _Pop:
    """Families and children as growing column arrays."""

    FAM = ("kommun", "entry", "exit", "bg", "edu", "couple0", "sep", "extra", "mother_birth",
           "lone_mother", "extra_man", "u")
    KID = ("fam", "birth", "man")

    def __init__(self) -> None:
        self.fam = {c: np.empty(0, dtype=float if c == "u" else np.int64) for c in self.FAM}
        self.kid = {c: np.empty(0, dtype=np.int64) for c in self.KID}

    @property
    def n_fam(self) -> int:
        return len(self.fam["kommun"])

    def add(self, fam: dict, kid: dict) -> None:
        offset = self.n_fam
        for c in self.FAM:
            self.fam[c] = np.concatenate([self.fam[c], fam[c]])
        kid = dict(kid, fam=kid["fam"] + offset)
        for c in self.KID:
            self.kid[c] = np.concatenate([self.kid[c], kid[c]])


def _entrants(rng: np.random.Generator, k: int, kommun: str, t: int, need: int, demo: Demography,
              model: IncomeModel, newborn_share: float) -> tuple[dict, dict]:
    """New families in kommun ``k`` entering in year ``t`` with exactly ``need`` children aged 0–17."""
    fams, kids, have = [], [], 0
    p_foreign = min(0.95, demo.foreign_background * demo.foreign_relative.get(kommun, 1.0))
    while have < need:
        size = int(np.ceil((need - have) / 1.4)) + 8
        newborn = rng.random(size) < newborn_share
        nkids = rng.choice(np.arange(1, 5), size=size, p=demo.children_per_family)
        nkids[newborn] = 1
        youngest = rng.integers(0, 18, size=size)
        youngest[newborn] = 0
        gaps = rng.integers(1, 5, size=(size, 3))
        ages = youngest[:, None] + np.concatenate([np.zeros((size, 1), dtype=np.int64),
                                                    np.cumsum(gaps, axis=1)], axis=1)
        valid = (np.arange(4)[None, :] < nkids[:, None]) & (ages <= 19)
        counted = valid & (ages <= 17)
        c = counted.sum(axis=1)
        cum = np.cumsum(c)
        full = int(np.searchsorted(cum, need - have, side="right"))  # families fully taken
        taken = cum[full - 1] if full else 0
        rem = need - have - taken
        take = full + (1 if rem > 0 and full < size else 0)
        if rem > 0 and full < size:  # the last family brings only ``rem`` of its counted children
            rank = np.cumsum(counted[full]) - 1
            valid[full] &= ~(counted[full] & (rank >= rem))
        valid, ages = valid[:take], ages[:take]
        have += int((valid & (ages <= 17)).sum())
        bg = (rng.random(take) < p_foreign).astype(np.int64)
        edu = np.where(bg == 1,
                       rng.choice(4, size=take, p=demo.education_utlandsk),
                       rng.choice(4, size=take, p=demo.education_svensk))
        couple0 = rng.random(take) < np.where(bg == 1, demo.couple_utlandsk, demo.couple_svensk)
        sep = np.where(couple0, t + rng.geometric(demo.separation, size=take), _NEVER)
        oldest = np.where(valid, ages, -1).max(axis=1)
        mother_age_at_first = np.clip(np.round(rng.normal(29, 5, size=take)), 18, 44).astype(np.int64)
        fams.append({
            "kommun": np.full(take, k, dtype=np.int64), "entry": np.full(take, t, dtype=np.int64),
            "exit": np.full(take, _NEVER, dtype=np.int64), "bg": bg, "edu": edu.astype(np.int64),
            "couple0": couple0.astype(np.int64), "sep": sep.astype(np.int64),
            "extra": (rng.random(take) < demo.extra_adult).astype(np.int64),
            "mother_birth": (t - oldest - mother_age_at_first).astype(np.int64),
            "lone_mother": (rng.random(take) < demo.lone_mother).astype(np.int64),
            "extra_man": (rng.random(take) < 0.5).astype(np.int64),
            "u": rng.normal(0.0, model.sd_family, size=take),
        })
        fi, ki = np.nonzero(valid)
        kids.append({"fam": fi, "birth": (t - ages[fi, ki]).astype(np.int64),
                     "man": (rng.random(len(fi)) < 0.512).astype(np.int64)})
    offsets = np.cumsum([0] + [len(f["kommun"]) for f in fams[:-1]])
    fam = {c: np.concatenate([f[c] for f in fams]) for c in _Pop.FAM}
    kid = {"fam": np.concatenate([kd["fam"] + o for kd, o in zip(kids, offsets, strict=True)]),
           "birth": np.concatenate([kd["birth"] for kd in kids]),
           "man": np.concatenate([kd["man"] for kd in kids])}
    return fam, kid


def _simulate(rng: np.random.Generator, counts: pd.DataFrame, years: Sequence[int],
              demo: Demography, model: IncomeModel) -> _Pop:
    """Families and children, year by year, so that each kommun has exactly its children 0–17."""
    target = counts.pivot(index="year", columns="kommun", values="n_0_17").reindex(
        index=list(years), columns=list(_KOMMUNER))
    if target.isna().any().any():
        raise ValueError("child counts are missing for some kommun and year")
    pop = _Pop()
    first = years[0]
    for k, code in enumerate(_KOMMUNER):
        pop.add(*_entrants(rng, k, code, first, int(target.loc[first, code]), demo, model, 0.0))
    for t in years[1:]:
        f, kd = pop.fam, pop.kid
        nf = pop.n_fam
        active = (f["entry"] <= t - 1) & (f["exit"] > t - 1)
        leave = active & (rng.random(nf) < demo.out_migration)
        f["exit"][leave] = t
        active &= ~leave
        present = active[kd["fam"]] & (kd["birth"] <= t) & (t - kd["birth"] <= 19)
        n_present = np.bincount(kd["fam"][present], minlength=nf)
        youngest = np.full(nf, -_NEVER)
        np.maximum.at(youngest, kd["fam"][present], kd["birth"][present])
        mother_age = t - f["mother_birth"]
        eligible = active & (mother_age >= 20) & (mother_age <= 42) & (n_present < 5) \
            & (t - youngest >= 1)
        born = np.flatnonzero(eligible & (rng.random(nf) < demo.birth))
        for c in _Pop.KID:
            extra = {"fam": born, "birth": np.full(len(born), t),
                     "man": (rng.random(len(born)) < 0.512).astype(np.int64)}[c]
            kd[c] = np.concatenate([kd[c], extra.astype(np.int64)])
        present = active[kd["fam"]] & (kd["birth"] <= t) & (t - kd["birth"] <= 19)
        n_present = np.bincount(kd["fam"][present], minlength=nf)
        gone = active & (n_present == 0)
        f["exit"][gone] = t
        active &= ~gone
        counted = present & (t - kd["birth"] <= 17)
        per_fam = np.bincount(kd["fam"][counted], minlength=nf)
        have = np.bincount(f["kommun"][active], weights=per_fam[active], minlength=len(_KOMMUNER))
        for k, code in enumerate(_KOMMUNER):
            need = int(target.loc[t, code]) - int(have[k])
            if need < 0:  # more children than the kommun has: further families move out
                cand = np.flatnonzero(active & (f["kommun"][:nf] == k) & (per_fam > 0))
                cand = cand[rng.permutation(len(cand))]
                cum = np.cumsum(per_fam[cand])
                j = int(np.searchsorted(cum, -need, side="left"))
                f["exit"][cand[:j + 1]] = t
                need += int(cum[j])
            if need > 0:
                pop.add(*_entrants(rng, k, code, t, need, demo, model, demo.newborn_entrants))
                f, kd = pop.fam, pop.kid
    return pop


# --------------------------------------------------------------------------- household years
@dataclass
class _Grid:
    """Family × year arrays of the simulated län (years as columns)."""

    years: np.ndarray
    present: np.ndarray  # family present
    couple: np.ndarray
    other: np.ndarray
    children: np.ndarray  # children 0–19 in the household
    cu: np.ndarray
    norm: np.ndarray
    median: np.ndarray  # per year
    base: np.ndarray  # log ES / median without the kommun intercept
    nonpositive: np.ndarray
    nonpositive_value: np.ndarray


def _grid(rng: np.random.Generator, pop: _Pop, years: Sequence[int], medians: pd.Series,
          norms: pd.DataFrame, model: IncomeModel) -> _Grid:
    f, kd = pop.fam, pop.kid
    yrs = np.asarray(years)
    nf, nt = pop.n_fam, len(yrs)
    present = (f["entry"][:, None] <= yrs[None, :]) & (f["exit"][:, None] > yrs[None, :])
    kid_in = (kd["birth"][:, None] <= yrs[None, :]) & (yrs[None, :] - kd["birth"][:, None] <= 19)
    children = np.zeros((nf, nt), dtype=np.int64)
    for j in range(nt):
        children[:, j] = np.bincount(kd["fam"][kid_in[:, j]], minlength=nf)
    children = np.where(present, children, 0)
    couple = (f["couple0"][:, None] == 1) & (yrs[None, :] < f["sep"][:, None])
    other = np.where(couple, 0, 1) + f["extra"][:, None]
    a = np.where(couple, 2, 0)
    cu = np.where(present, pv.consumption_units(a, other, children), np.nan)
    # norms looked up as poverty.household_norm does (the same float values)
    key = pd.DataFrame({"year": np.repeat(yrs[None, :], nf, axis=0).ravel(),
                        "adults_in_couple": a.ravel(), "other_adults": other.ravel(),
                        "children": children.ravel()})
    norm = pv.household_norm(key, norms).reshape(nf, nt)
    med = pv._per_year(medians, yrs, "national_median")
    # income model without the kommun intercept
    hh = np.where(f["extra"][:, None] == 1, 2, np.where(couple, 0, 1))
    b_bg = np.array([model.background[b] for b in _BACKGROUND])[f["bg"]]
    b_edu = np.array([model.education[e] for e in _EDUCATION])[f["edu"]]
    b_hh = np.array([model.household[h] for h in _TYPES])[hh]
    e = np.empty((nf, nt))
    e[:, 0] = rng.normal(0.0, model.sd_transitory, size=nf)
    innov = model.sd_transitory * np.sqrt(1 - model.rho ** 2)
    for j in range(1, nt):
        e[:, j] = model.rho * e[:, j - 1] + rng.normal(0.0, innov, size=nf)
    base = (b_bg + b_edu + f["u"])[:, None] + b_hh + e
    nonpos = rng.random((nf, nt)) < model.nonpositive
    nonpos_value = -np.round(rng.uniform(0, 50_000, size=(nf, nt)))
    return _Grid(yrs, present, couple, other, children, cu, norm, med, base, nonpos, nonpos_value)


def _income(alpha_f: np.ndarray, g: _Grid, rows: np.ndarray | slice = slice(None),
            cols: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Disposable income (SEK, whole kronor) for the given families and years."""
    x = alpha_f[:, None] + g.base[rows][:, cols]
    es = g.median[cols][None, :] * np.exp(x)
    inc = np.round(es * g.cu[rows][:, cols])
    return np.where(g.nonpositive[rows][:, cols], g.nonpositive_value[rows][:, cols], inc)


def _low(inc: np.ndarray, cu: np.ndarray, median: np.ndarray) -> np.ndarray:
    # exactly as poverty.low_economic_standard: both sides rounded to 1e-6 SEK, strict <
    es = np.round(inc / cu, pv._COMPARE_DECIMALS)
    return es < np.round(median * pv.LOW_STANDARD_SHARE, pv._COMPARE_DECIMALS)[None, :]


@dataclass
class _CalState:
    """What the calibration year's composite needs: families with a child 0–17 then, 4 years each."""

    fam: np.ndarray  # family index per row
    kommun: np.ndarray
    cols: np.ndarray  # year columns t-3..t
    kid_fam: np.ndarray  # row (into fam) of each counted child
    kid_prev: np.ndarray  # child present in t-3..t-1
    kid_kommun: np.ndarray


def _cal_state(pop: _Pop, g: _Grid, year: int) -> _CalState:
    j = int(np.flatnonzero(g.years == year)[0])
    if j < 3:
        raise ValueError(f"calibration year {year} needs three previous years in the panel")
    kd = pop.kid
    counted = g.present[kd["fam"], j] & (kd["birth"] <= year) & (year - kd["birth"] <= 17)
    fams = np.unique(kd["fam"][counted])
    row_of = np.full(pop.n_fam, -1)
    row_of[fams] = np.arange(len(fams))
    cols = np.arange(j - 3, j + 1)
    kf = kd["fam"][counted]
    prev = np.stack([(kd["birth"][counted] <= g.years[c]) & g.present[kf, c] for c in cols[:3]], 1)
    return _CalState(fams, pop.fam["kommun"][fams], cols, row_of[kf], prev,
                     pop.fam["kommun"][kf])


def _vulnerable(alpha_f: np.ndarray, g: _Grid, s: _CalState, shift: np.ndarray | None = None
                ) -> np.ndarray:
    """Per counted child: low income standard or persistent low economic standard (calibration year)."""
    a = alpha_f if shift is None else alpha_f - shift
    inc = _income(a, g, s.fam, s.cols)
    cu = g.cu[s.fam][:, s.cols]
    low = _low(inc, cu, g.median[s.cols])
    low_inc = inc[:, 3] < g.norm[s.fam, s.cols[3]]
    kl = low[s.kid_fam]
    n_prev = (kl[:, :3] & s.kid_prev).sum(axis=1)
    return low_inc[s.kid_fam] | (kl[:, 3] & (n_prev >= 2))


def _nudge(alpha: np.ndarray, g: _Grid, s: _CalState, pop: _Pop, k: int, need: int,
           iterations: int, margin: float = 1e-9) -> tuple[int, float]:
    """Lower ``u_f`` of the kommun's families nearest to flipping until ``need`` more children flip."""
    rows = np.flatnonzero(s.kommun == k)
    base_alpha = alpha[s.kommun]
    kid_rows = np.flatnonzero(np.isin(s.kid_fam, rows))

    def per_family(shift: np.ndarray | None) -> np.ndarray:
        v = _vulnerable(base_alpha, g, s, shift=shift)
        return np.bincount(s.kid_fam[kid_rows], weights=v[kid_rows], minlength=len(s.fam))

    before = per_family(None)
    dlo, dhi = np.zeros(len(s.fam)), np.zeros(len(s.fam))
    dhi[rows] = 4.0
    for _ in range(iterations):  # per family: the smallest shift that flips one more child
        dm = (dlo + dhi) / 2
        more = per_family(dm) > before
        dhi = np.where(more, dm, dhi)
        dlo = np.where(more, dlo, dm)
    dhi = np.where(dhi < 4.0, dhi + margin, dhi)
    gain = (per_family(dhi) - before).astype(int)
    nudged, biggest = 0, 0.0
    for r in rows[np.argsort(dhi[rows], kind="stable")]:
        if need == 0:
            break
        if 0 < gain[r] <= need and dhi[r] < 4.0:
            pop.fam["u"][s.fam[r]] -= dhi[r]
            g.base[s.fam[r]] -= dhi[r]
            need -= int(gain[r])
            nudged += 1
            biggest = max(biggest, float(dhi[r]))
    if need:
        raise RuntimeError(f"cannot reach the target of kommun {_KOMMUNER[k]}")
    return nudged, biggest


def calibrate(pop: _Pop, g: _Grid, targets: pd.DataFrame, year: int = CALIBRATION_YEAR, *,
              iterations: int = 60) -> tuple[np.ndarray, dict]:
    """Set the kommun intercepts so that each kommun has exactly its target count in ``year``.

    Method: the count of children in economically vulnerable households is a non-increasing step
    function of the kommun intercept (a higher intercept raises every income of the kommun's families in
    every year). Bisection, for all kommuner at once, finds the lowest intercept whose count does not
    exceed the target. Because families flip one at a time and a family may have several children, that
    count can fall a few children short; the shortfall is filled by lowering the persistent effect
    ``u_f`` of the families nearest to flipping (smallest needed change first, whole families whose
    children do not overshoot). The report gives how many families were nudged and by how much.

    Returns
    -------
    (alpha, report)
        Intercept per kommun (index order of :data:`analysis.core.geo.KOMMUNER`), and a dict with
        ``counts``, ``targets``, ``nudged_families``, ``max_nudge``, ``bisection_shortfall``.
        ``pop.fam['u']`` is changed in place for nudged families (``g.base`` too).

    Raises
    ------
    RuntimeError
        If a target cannot be reached.
    """
    s = _cal_state(pop, g, year)
    t = targets.set_index("kommun").reindex(list(_KOMMUNER))["target_count"].to_numpy(dtype=np.int64)
    nk = len(_KOMMUNER)

    def counts(alpha: np.ndarray) -> np.ndarray:
        v = _vulnerable(alpha[s.kommun], g, s)
        return np.bincount(s.kid_kommun[v], minlength=nk)

    lo, hi = np.full(nk, -6.0), np.full(nk, 6.0)
    if (counts(lo) <= t).any() or (counts(hi) > t).any():
        raise RuntimeError("targets outside what the income model can reach")
    for _ in range(iterations):
        mid = (lo + hi) / 2
        ok = counts(mid) <= t
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    alpha = hi
    got = counts(alpha)
    shortfall = t - got
    nudged, max_nudge = 0, 0.0
    for _round in range(5):  # a nudge exactly at a threshold can be undone by float rounding
        missing = t - counts(alpha)
        if (missing < 0).any():
            raise RuntimeError(f"calibration overshot the targets by {-missing[missing < 0]}")
        if not missing.any():
            break
        for k in np.flatnonzero(missing > 0):
            n, size = _nudge(alpha, g, s, pop, k, int(missing[k]), iterations)
            nudged += n
            max_nudge = max(max_nudge, size)
    final = counts(alpha)
    if not np.array_equal(final, t):
        raise RuntimeError(f"calibration missed: {final} != {t}")
    report = {"counts": dict(zip(_KOMMUNER, final.tolist(), strict=True)),
              "targets": dict(zip(_KOMMUNER, t.tolist(), strict=True)),
              "nudged_families": nudged, "max_nudge": max_nudge,
              "bisection_shortfall": int(shortfall.sum())}
    return alpha, report


# --------------------------------------------------------------------------- the panel
@dataclass
class SyntheticRegister:
    """A generated extract: ``panel`` (the register contract), the kommun intercepts and a report."""

    panel: pd.DataFrame
    alpha: pd.Series
    report: dict


def _panel(rng: np.random.Generator, pop: _Pop, g: _Grid, alpha: np.ndarray,
           model: IncomeModel) -> pd.DataFrame:
    f, kd = pop.fam, pop.kid
    inc = np.where(g.present, _income(alpha[f["kommun"]], g), np.nan)
    ratio = inc / g.norm
    p_assist = np.where(ratio < 1, model.assistance_below_norm,
                        np.where(ratio < 1.3, model.assistance_near_norm, model.assistance_other))
    assist = rng.random(inc.shape) < p_assist
    n_kids = len(kd["fam"])
    parts = []
    for j, t in enumerate(g.years):
        fam_in = g.present[:, j]
        kid_in = fam_in[kd["fam"]] & (kd["birth"] <= t) & (t - kd["birth"] <= 19)
        ki = np.flatnonzero(kid_in)
        fi = np.flatnonzero(fam_in)
        partner = fi[g.couple[fi, j]]
        extra = fi[f["extra"][fi] == 1]
        who = np.concatenate([kd["fam"][ki], fi, partner, extra])
        pid = np.concatenate([ki, n_kids + 3 * fi, n_kids + 3 * partner + 1, n_kids + 3 * extra + 2])
        age = np.concatenate([t - kd["birth"][ki], t - f["mother_birth"][fi],
                              t - f["mother_birth"][partner] + 2, t - f["mother_birth"][extra] + 28])
        man = np.concatenate([kd["man"][ki],
                              np.where(f["couple0"][fi] == 1, 0, 1 - f["lone_mother"][fi]),
                              np.ones(len(partner), dtype=np.int64), f["extra_man"][extra]])
        parts.append(pd.DataFrame({
            "pid": pid, "fam": who, "year": np.int16(t), "age": age.astype(np.int16), "man": man,
        }))
    rows = pd.concat(parts, ignore_index=True)
    fam = rows["fam"].to_numpy()
    hh = 2 * fam + (rows["year"].to_numpy() >= f["sep"][fam])
    order = np.lexsort((rows["pid"].to_numpy(), hh, rows["year"].to_numpy()))
    rows, fam, hh = rows.iloc[order].reset_index(drop=True), fam[order], hh[order]
    col = rows["year"].to_numpy() - int(g.years[0])
    out = pd.DataFrame({
        "person_id": "P" + pd.Series(rows["pid"].to_numpy()).astype(str).str.zfill(8),
        "household_id": "H" + pd.Series(hh).astype(str).str.zfill(8),
        "year": rows["year"].astype("int16"),
        "kommun": pd.Categorical.from_codes(f["kommun"][fam], categories=list(_KOMMUNER)),
        "age": rows["age"].astype("int16"),
        "sex": pd.Categorical.from_codes(rows["man"].to_numpy(), categories=["kvinnor", "man"]),
        "adults_in_couple": np.where(g.couple[fam, col], 2, 0).astype("int8"),
        "other_adults": g.other[fam, col].astype("int8"),
        "children_0_19": g.children[fam, col].astype("int8"),
        "disposable_income": inc[fam, col].astype("float64"),
        "economic_assistance": assist[fam, col],
        "background": pd.Categorical.from_codes(f["bg"][fam], categories=list(_BACKGROUND)),
        "parents_education": pd.Categorical.from_codes(f["edu"][fam], categories=list(_EDUCATION)),
    })
    return out


def generate(seed: int, child_counts: pd.DataFrame, medians: pd.DataFrame, norms: pd.DataFrame,
             targets: pd.DataFrame, *, years: Sequence[int] = YEARS,
             calibration_year: int = CALIBRATION_YEAR, demography: Demography | None = None,
             model: IncomeModel | None = None) -> SyntheticRegister:
    """Generate a synthetic register extract, calibrated to the targets.

    Load inputs: the real child counts, medians and norms
    (:mod:`analysis.methods.poverty_reference`: ``child_population``, ``national_median``,
    ``norm_table``) and targets (:func:`kommun_targets`). Process: simulate families and
    children year by year (exact counts of children 0–17 per kommun and year), draw incomes, calibrate
    the kommun intercepts (:func:`calibrate`), draw economic assistance. Output: the panel.

    Parameters
    ----------
    seed
        Seed of :func:`numpy.random.default_rng`.
    child_counts
        ``kommun, year, n_0_17`` for every kommun and year of ``years``.
    medians
        ``year, median`` (SEK, current prices).
    norms
        The norm table (:func:`analysis.methods.poverty_reference.norm_table`).
    targets
        ``kommun, target_count`` for ``calibration_year``.
    years, calibration_year
        Panel years (consecutive) and the calibration year (at least the fourth year).
    demography, model
        Assumptions; defaults :class:`Demography` and :class:`IncomeModel`.

    Returns
    -------
    SyntheticRegister
        ``panel`` with the columns of :data:`analysis.contracts.register.COLUMNS` except ``household_type``, one
        row per person and year (persons in households with children 0–19), canonical dtypes
        (categoricals for codes), accepted by :func:`analysis.contracts.register.validate_register`.
    """
    demo = demography or Demography()
    model = model or IncomeModel()
    years = [int(y) for y in years]
    if years != list(range(years[0], years[-1] + 1)):
        raise ValueError("years must be consecutive")
    rng = np.random.default_rng(seed)
    med = medians.set_index("year")["median"]
    # process
    pop = _simulate(rng, child_counts, years, demo, model)
    g = _grid(rng, pop, years, med, norms, model)
    alpha, report = calibrate(pop, g, targets, calibration_year)
    panel = _panel(rng, pop, g, alpha, model)
    report.update({"seed": int(seed), "families": pop.n_fam, "children": int(len(pop.kid["fam"])),
                   "rows": int(len(panel)), "calibration_year": int(calibration_year)})
    return SyntheticRegister(panel, pd.Series(alpha, index=list(_KOMMUNER), name="alpha"), report)
