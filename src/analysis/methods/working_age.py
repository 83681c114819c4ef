"""Working-age population (16–64 år) per kommun and förbund, with an estimate of ages 16–19.

The shipped data give each kommun's exact 20–64 count every year from 2000 (Kolada shares, see
:func:`analysis.methods.population.kolada_age_groups`) but no kommun counts for ages 16–19. The län has
single ages (SCB to 2015, then :func:`analysis.methods.population.lan_series`). This module estimates each
kommun's 16–19 by sharing out the län's single ages 16–19 (see :func:`teen_shares`), so that the
kommun estimates add up exactly to the län, and adds the exact 20–64.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core import geo
from analysis.methods import population

TEEN_AGES = (16, 17, 18, 19)
#: Middle of the 0–19 band (ages 0..19): a cohort aged ``a`` was there ``a − 9,5`` years ago.
BAND_CENTRE = 9.5
METHODS = ("blend", "current", "centred")
#: The last year with SCB's single ages for the län in the shipped data
#: (``folkmangd_lan_alder_kon``): the län back-test ends here and the crude comparison starts here.
LAST_SINGLE_AGES = 2015
#: The län back-test projects from this year to :data:`LAST_SINGLE_AGES`: four years, as the
#: estimate does from 2015 to 2019.
BACKTEST_LAN_START = 2011
#: Origin years *T* of the age-20 back-test (2010–2015): each needs Kolada's ages 20 up to *T* + 4.
AGE20_ORIGINS = tuple(range(2010, 2016))


# --------------------------------------------------------------------------- shares
def share_0_19(kolada_groups: pd.DataFrame) -> pd.DataFrame:
    """Each kommun's share of the län's 0–19 year-olds: a ``year × kommun_kod`` table (rows sum to 1)."""
    w = kolada_groups.pivot(index="ar", columns="kommun_kod", values="0-19").astype(float)
    missing = sorted(set(geo.KOMMUNER) - set(w.columns))
    if missing:
        raise ValueError(f"Kolada 0–19 counts are missing for kommuner {missing}")
    if w.isna().any().any():
        bad = w.index[w.isna().any(axis=1)].tolist()
        raise ValueError(f"Kolada 0–19 counts are incomplete for years {bad}")
    return w.div(w.sum(axis=1), axis=0)


def _share_at(s0: pd.DataFrame, year: float) -> pd.Series:
    """The 0–19 share at a fractional year (linear between years, clamped to the data)."""
    y = min(max(year, float(s0.index.min())), float(s0.index.max()))
    lo = int(np.floor(y))
    hi = min(lo + 1, int(s0.index.max()))
    f = y - lo
    return s0.loc[lo] * (1 - f) + s0.loc[hi] * f


def teen_shares(kolada_groups: pd.DataFrame, years: list[int], method: str = "blend"
                ) -> pd.DataFrame:
    """Each kommun's estimated share of the län's population at single ages 16–19.

    Three estimators of the share ``s[k, a, t]`` of kommun ``k`` in the län's age ``a`` in year ``t``:

    ``current``
        the kommun's share of the län's 0–19 year-olds in ``t`` (all ages alike);
    ``centred``
        the kommun's 0–19 share in year ``t − (a − 9,5)``, when the cohort aged ``a`` in ``t`` was in
        the middle of the 0–19 band (so the share describes that cohort rather than today's
        children; linear between years, clamped to 2000 when earlier);
    ``blend`` (default)
        the mean of the two. It has the smallest error in the age-20 back-test
        (:func:`backtest_age20`): the current share knows about recent family migration, the
        centred share about the cohort's own size.

    Each estimator is a weighted mean of shares that sum to 1 over the kommuner, so the estimates
    add up to the län exactly (the raking step of a ratio method is built in).

    Parameters
    ----------
    kolada_groups
        Output of :func:`analysis.methods.population.kolada_age_groups`.
    years
        Years to estimate (within the Kolada years).
    method
        ``"blend"``, ``"current"`` or ``"centred"``.

    Returns
    -------
    DataFrame ``kommun_kod, ar, alder, share``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    s0 = share_0_19(kolada_groups)
    absent = [y for y in years if y not in s0.index]
    if absent:
        raise ValueError(f"no Kolada 0–19 counts for years {absent} (available "
                         f"{int(s0.index.min())}–{int(s0.index.max())})")
    rows = []
    for t in years:
        for a in TEEN_AGES:
            cur = s0.loc[t]
            cen = _share_at(s0, t - (a - BAND_CENTRE))
            s = {"current": cur, "centred": cen, "blend": 0.5 * cur + 0.5 * cen}[method]
            rows.append(pd.DataFrame({"kommun_kod": s.index, "ar": t, "alder": a,
                                      "share": s.to_numpy()}))
    return pd.concat(rows, ignore_index=True)


# --------------------------------------------------------------------------- 16–64 per kommun
def lan_single_ages(lan: pd.DataFrame) -> pd.DataFrame:
    """Both sexes together: ``ar, alder, folkmangd, estimated`` from a :func:`population.lan_series` table."""
    est = lan.groupby("ar")["estimated"].any() if "estimated" in lan else None
    out = lan.groupby(["ar", "alder"], as_index=False)["folkmangd"].sum()
    out["estimated"] = out["ar"].map(est) if est is not None else False
    return out


def kommun_16_64(kolada_groups: pd.DataFrame, lan: pd.DataFrame, years: list[int] | None = None,
                 method: str = "blend") -> pd.DataFrame:
    """Population 16–64 per kommun and year: exact 20–64 (Kolada) plus estimated 16–19.

    Parameters
    ----------
    kolada_groups
        :func:`analysis.methods.population.kolada_age_groups` output.
    lan
        The län's single ages, :func:`analysis.methods.population.lan_series` (observed and estimated).
    years
        Years (default: every year with both Kolada groups and län single ages).
    method
        Share estimator, see :func:`teen_shares`.

    Returns
    -------
    DataFrame ``kommun_kod, kommun_namn, forbund_kod, ar, total, n0_19, n20_64, n16_19, n16_64,
    lan_16_19_estimated`` (``n16_19`` and ``n16_64`` are floats: estimates are rounded only when
    shown).
    """
    single = lan_single_ages(lan)
    if years is None:
        years = sorted(set(kolada_groups["ar"]) & set(single["ar"]))
    shares = teen_shares(kolada_groups, years, method)
    teen = single[single["alder"].isin(TEEN_AGES) & single["ar"].isin(years)]
    m = shares.merge(teen, on=["ar", "alder"], how="left", validate="many_to_one")
    if m["folkmangd"].isna().any():
        bad = sorted(m.loc[m["folkmangd"].isna(), "ar"].unique())
        raise ValueError(f"the län's single ages 16–19 are missing for {bad}")
    m["n"] = m["share"] * m["folkmangd"]
    n16_19 = m.groupby(["kommun_kod", "ar"])["n"].sum().rename("n16_19")
    est = m.groupby("ar")["estimated"].any().rename("lan_16_19_estimated")
    g = kolada_groups[kolada_groups["ar"].isin(years)].set_index(["kommun_kod", "ar"])
    out = pd.DataFrame({"total": g["total"], "n0_19": g["0-19"], "n20_64": g["20-64"]})
    out = out.join(n16_19).reset_index()
    out["n16_64"] = out["n20_64"] + out["n16_19"]
    out["lan_16_19_estimated"] = out["ar"].map(est).astype(bool)
    out["kommun_namn"] = out["kommun_kod"].map(geo.KOMMUNER)
    out["forbund_kod"] = out["kommun_kod"].map(geo.kommun_till_forbund())
    cols = ["kommun_kod", "kommun_namn", "forbund_kod", "ar", "total", "n0_19", "n20_64",
            "n16_19", "n16_64", "lan_16_19_estimated"]
    return out[cols].sort_values(["ar", "kommun_kod"], ignore_index=True)


def by_area(k16: pd.DataFrame, share: float = 0.05) -> pd.DataFrame:
    """Kommun, förbund and län rows with 16–64, its share of the population and the 5 % target group.

    Returns
    -------
    DataFrame ``area_code, area_type, area_name, ar, total, n16_64, andel_16_64, malgrupp``
    (``andel_16_64`` a proportion, ``malgrupp`` = ``share`` × 16–64 unrounded).
    """
    cols = ["total", "n20_64", "n16_19", "n16_64"]
    kom = k16.assign(area_code=k16["kommun_kod"], area_type="kommun", area_name=k16["kommun_namn"])
    frb = k16.groupby(["forbund_kod", "ar"], as_index=False)[cols].sum()
    frb = frb.assign(area_code=frb["forbund_kod"], area_type="forbund",
                     area_name=frb["forbund_kod"].map(geo.forbund_namn))
    lan = k16.groupby("ar", as_index=False)[cols].sum()
    lan = lan.assign(area_code=geo.LAN_KOD, area_type="lan", area_name=geo.LAN_NAMN)
    keep = ["area_code", "area_type", "area_name", "ar", *cols]
    out = pd.concat([kom[keep], frb[keep], lan[keep]], ignore_index=True)
    out["andel_16_64"] = out["n16_64"] / out["total"]
    out["malgrupp"] = population.target_group(out["n16_64"], share)
    return out


# --------------------------------------------------------------------------- comparison method
def crude_cohort_shift(kolada_groups: pd.DataFrame, lan: pd.DataFrame, year: int,
                       base_year: int) -> pd.Series:
    """The crude estimate the method improves on: the län's 12–15-year-olds of ``base_year`` moved
    ``year − base_year`` years on without deaths or migration, shared out by each kommun's 0–19
    share in ``year``. Returns kommun 16–19 (index ``kommun_kod``)."""
    gap = year - base_year
    single = lan_single_ages(lan)
    b = single[(single["ar"] == base_year) & single["alder"].between(16 - gap, 19 - gap)]
    if len(b) != 4:
        raise ValueError(f"no single ages {16 - gap}–{19 - gap} for {base_year}")
    return share_0_19(kolada_groups).loc[year] * float(b["folkmangd"].sum())


def crude_by_area(kolada_groups: pd.DataFrame, lan: pd.DataFrame, k16: pd.DataFrame, year: int,
                  base_year: int = LAST_SINGLE_AGES) -> pd.DataFrame:
    """:func:`by_area` for ``year`` with each kommun's 16–19 from :func:`crude_cohort_shift`
    instead of the method (the exact 20–64 of ``k16``, :func:`kommun_16_64`, kept)."""
    crude = crude_cohort_shift(kolada_groups, lan, year, base_year)
    c16 = k16[k16["ar"] == year].set_index("kommun_kod")
    return by_area(c16.assign(n16_19=crude, n16_64=c16["n20_64"] + crude).reset_index())


# --------------------------------------------------------------------------- back-tests
def backtest_age20(kolada_groups: pd.DataFrame, origins: list[int], method: str = "blend",
                   calibration_from: int = 2009) -> pd.DataFrame:
    """Out-of-sample check of the share estimator where kommun truth exists: age 20 in Kolada.

    From an origin year ``T`` the estimated share of the cohort aged ``20 − j`` in ``T`` predicts the
    kommun's share of the län's 20-year-olds in ``T + j`` (j = 1…4), after a kommun-specific factor
    for moves at 19→20 (students moving to Örebro, others leaving): the mean over
    ``calibration_from``…``T`` of (share of age 20 in ``s``) / (estimated share of age 19 in
    ``s − 1``). Only data up to ``T`` are used for a prediction.

    Returns
    -------
    DataFrame ``kommun_kod, origin, ar, predicted, observed, n20, rel_error`` (shares, and the
    relative error of the predicted share).
    """
    a20 = kolada_groups.pivot(index="ar", columns="kommun_kod", values="a20").astype(float)
    a20s = a20.div(a20.sum(axis=1), axis=0)
    last = int(a20.index.max())
    rows = []
    for T in origins:
        if T + 4 > last or T - 1 < calibration_from - 1:
            raise ValueError(f"origin {T} needs Kolada ages 20 up to {T + 4}")
        cal_years = list(range(calibration_from, T + 1))
        est = teen_shares(kolada_groups[kolada_groups["ar"] <= T],
                          sorted({s - 1 for s in cal_years} | {T}), method)
        est = est.pivot_table(index=["ar", "alder"], columns="kommun_kod", values="share")
        mu = pd.concat([a20s.loc[s] / est.loc[(s - 1, 19)] for s in cal_years], axis=1).mean(axis=1)
        for j in range(1, 5):
            pred = mu * est.loc[(T, 20 - j)]
            obs = a20s.loc[T + j]
            rows.append(pd.DataFrame({"kommun_kod": pred.index, "origin": T, "ar": T + j,
                                      "predicted": pred.to_numpy(),
                                      "observed": obs[pred.index].to_numpy(),
                                      "n20": a20.loc[T + j, pred.index].to_numpy()}))
    out = pd.concat(rows, ignore_index=True)
    out["rel_error"] = out["predicted"] / out["observed"] - 1
    return out


def backtest_summary(bt: pd.DataFrame) -> dict[str, float]:
    """Mean absolute relative error, plain and weighted by the number of 20-year-olds."""
    w = bt["n20"]
    return {"mape": float(bt["rel_error"].abs().mean()),
            "weighted": float((bt["rel_error"].abs() * w).sum() / w.sum()),
            "max": float(bt["rel_error"].abs().max())}


def backtest_lan(pop: pd.DataFrame, kolada_groups: pd.DataFrame, start: int, end: int
                 ) -> pd.DataFrame:
    """The län estimate of 16–19 and 16–64 where SCB's single ages are known.

    Projects the län from ``start`` to ``end`` with :func:`analysis.methods.population.estimate_age_sex`
    (Hamilton–Perry, adjusted each year to the Kolada margins of that year, as after 2015) and
    compares ages 16–19 and 16–64 with SCB.

    Returns
    -------
    DataFrame ``ar, group, estimated, observed, diff, rel_error``.
    """
    obs = population.lan_age_sex(pop)
    base = obs[obs["ar"] <= start]
    years = list(range(start + 1, end + 1))
    est = population.estimate_age_sex(base, kolada_groups, years)
    rows = []
    for y in years:
        for grp, lo, hi in (("16-19", 16, 19), ("16-64", 16, 64)):
            e = float(est.loc[(est["ar"] == y) & est["alder"].between(lo, hi), "folkmangd"].sum())
            o = float(obs.loc[(obs["ar"] == y) & obs["alder"].between(lo, hi), "folkmangd"].sum())
            rows.append({"ar": y, "group": grp, "estimated": e, "observed": o})
    out = pd.DataFrame(rows)
    out["diff"] = out["estimated"] - out["observed"]
    out["rel_error"] = out["diff"] / out["observed"]
    return out


def key_indicators(areas: pd.DataFrame, edition: int) -> pd.DataFrame:
    """Key indicators for the edition comparison: the 5 % target group and the 16–64 share."""
    a = areas[areas["ar"] == edition]
    rows = []
    for r in a.itertuples():
        rows.append(("mg_5pct", "Målgrupp, 5 % av 16–64 år (skattad)", r.area_code, r.malgrupp,
                     "antal_skattat"))
        rows.append(("mg_andel_16_64", "Andel 16–64 år", r.area_code, r.andel_16_64, "andel"))
    out = pd.DataFrame(rows, columns=["indicator_id", "indicator", "area_code", "value", "unit"])
    out["period"] = str(edition)
    return out


def forbund_diff_range(comparison: pd.DataFrame) -> tuple[float, float]:
    """Smallest and largest relative difference, computed vs published, over the förbund rows."""
    d = comparison.loc[comparison["area_code"].isin(list(geo.FORBUND)), "rel_diff"]
    return float(d.min()), float(d.max())
