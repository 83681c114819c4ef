"""Population statistics: age groups, Tabell 1, dependency ratios, and estimates beyond the detailed data.

The shipped SCB data hold single-year ages and sexes for Örebro län 1968–2015 and kommun totals
1950–2019; Kolada adds, per kommun and year 2000–2019, the shares aged 0–19 and 65+ and the
single ages 20–30. :func:`kolada_age_groups` turns those shares back into exact counts, and
:func:`estimate_age_sex` estimates the län's age–sex structure for years after 2015 by a
Hamilton–Perry cohort-change projection adjusted to the exact Kolada age-group counts.

Why one module: the estimation, the ratios and the population chapter's tables share one set of
age groups and one län series, and the chapter (``01_befolkning``) reads everything it shows from
here; splitting it would spread one chain of numbers over several files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core import geo, text
from analysis.sources import seeds

MAX_AGE = 100  # "100+" is the open age class in the SCB tables


# --------------------------------------------------------------------------- tidy helpers
def age_as_int(alder: pd.Series) -> pd.Series:
    """SCB age labels (``"0"`` … ``"99"``, ``"100+"``) as integers, the open class as 100."""
    return alder.astype(str).str.rstrip("+").astype(int)


def lan_age_sex(pop: pd.DataFrame) -> pd.DataFrame:
    """The län table ``folkmangd_lan_alder_kon`` as ``ar, kon, alder (int), folkmangd``."""
    out = pop[["ar", "kon", "alder", "folkmangd"]].copy()
    out["alder"] = age_as_int(out["alder"])
    return out.sort_values(["ar", "kon", "alder"], ignore_index=True)


def sum_ages(pop: pd.DataFrame, lo: int, hi: int | None = None, *, by: list[str] | None = None,
             value: str = "folkmangd") -> pd.Series:
    """Sum ``value`` over ages ``lo``–``hi`` (inclusive; ``hi=None`` means ``lo`` and older), by ``by``."""
    by = by or ["ar"]
    hi = MAX_AGE if hi is None else hi
    mask = pop["alder"].between(lo, hi)
    return pop.loc[mask].groupby(by)[value].sum()


def age_groups(pop: pd.DataFrame, *, by: list[str] | None = None) -> pd.DataFrame:
    """Standard age groups of a single-age table: totals, 0–19, 16–64, 20–64, 65+, 80+."""
    by = by or ["ar"]
    out = pd.DataFrame(
        {
            "total": pop.groupby(by)["folkmangd"].sum(),
            "0-19": sum_ages(pop, 0, 19, by=by),
            "16-19": sum_ages(pop, 16, 19, by=by),
            "16-64": sum_ages(pop, 16, 64, by=by),
            "20-64": sum_ages(pop, 20, 64, by=by),
            "65+": sum_ages(pop, 65, by=by),
            "80+": sum_ages(pop, 80, by=by),
        }
    )
    return out.fillna(0).round().astype("int64")


# --------------------------------------------------------------------------- ratios
def forsorjningskvot(n0_19, n20_64, n65plus):
    """Demografisk försörjningskvot as SCB defines it: ((0–19) + (65+)) / (20–64) × 100.

    Source: SCB, "Sveriges framtida befolkning 2016–2060" (quoted in ``se_definitions.json``):
    *"summan av antal personer 0–19 år och antal personer 65 år och äldre dividerat med antal
    personer 20–64 år och därefter multiplicerat med 100."*

    Raises
    ------
    ValueError
        If a denominator is zero or any count is negative.
    """
    a, b, c = (np.asarray(x, dtype=float) for x in (n0_19, n20_64, n65plus))
    if (a < 0).any() or (b < 0).any() or (c < 0).any():
        raise ValueError("population counts must not be negative")
    if (b <= 0).any():
        raise ValueError("the population aged 20–64 must be positive")
    out = (a + c) / b * 100
    return float(out) if out.ndim == 0 else out


def total_per_working_age(total, n20_64):
    """The ratio the seeds quote as "försörjningskvot 1,8": total population / population 20–64.

    Equal to ``1 + forsorjningskvot / 100``. The seeds do not define it; this reading is the one
    that reproduces their 1,8 (see the book's definitions page).
    """
    t, b = np.asarray(total, dtype=float), np.asarray(n20_64, dtype=float)
    if (b <= 0).any():
        raise ValueError("the population aged 20–64 must be positive")
    out = t / b
    return float(out) if out.ndim == 0 else out


def target_group(n16_64, share: float = 0.05, round_to: int | None = None):
    """The Finsam top-down target group: ``share`` (5 %) of the population aged 16–64.

    ``round_to=100`` reproduces Tabell 1 of the 2020 review, which rounds to hundreds.
    """
    x = np.asarray(n16_64, dtype=float) * share
    if round_to:
        # Round half up, as a reader would (numpy's round is half-to-even).
        x = np.floor(x / round_to + 0.5) * round_to
    return float(x) if x.ndim == 0 else x


def pct_change(start, end):
    """Relative change ``end / start − 1`` (a proportion, not per cent)."""
    s, e = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    if (s <= 0).any():
        raise ValueError("the starting value must be positive")
    out = e / s - 1
    return float(out) if out.ndim == 0 else out


# --------------------------------------------------------------------------- Kolada shares → counts
KOLADA_TOTAL = "Invånare totalt, antal"
KOLADA_0_19 = "Invånare 0-19 år, andel (%)"
KOLADA_65 = "Invånare 65+, andel (%)"


def kolada_age_groups(kolada: pd.DataFrame) -> pd.DataFrame:
    """Exact kommun counts aged 0–19, 20–64, 65+ and single ages 20–30 from the Kolada extract.

    Kolada publishes the 0–19 and 65+ groups as shares (per cent with 4 decimals) of the total.
    ``share / 100 × total`` is then within ``0,5·10⁻⁶ × total`` persons of the count: 0,08 for a
    kommun of 155 000 (Örebro), 0,49 for Stockholm (975 000), under one half for every kommun
    below a million, so rounding recovers the exact count; the function checks this and fails
    otherwise.

    Returns
    -------
    DataFrame with ``kommun_kod, ar, total, 0-19, 20-64, 65+, a20 … a30`` (int), for the years where
    both shares exist (2000 onwards).

    Raises
    ------
    ValueError
        If a share × total is further from an integer than 0,25 persons, or for a kommun over
        480 000 than its 4-decimal bound allows (at most 0,49): the share was rounded too coarsely.
    """
    k = kolada[kolada["kommun_kod"].isin(geo.KOMMUNER)]
    wide = k.pivot_table(index=["kommun_kod", "ar"], columns="nyckeltal", values="varde",
                         aggfunc="first")
    wide = wide.dropna(subset=[KOLADA_TOTAL, KOLADA_0_19, KOLADA_65])
    out = pd.DataFrame(index=wide.index)
    out["total"] = wide[KOLADA_TOTAL].round().astype("int64")
    # 4 decimals of a per cent: half a unit is 0,5·10⁻⁶ of the total (2 % for the float shares).
    tol = np.clip(0.51e-6 * wide[KOLADA_TOTAL], 0.25, 0.49)
    for col, key in (("0-19", KOLADA_0_19), ("65+", KOLADA_65)):
        raw = wide[key] / 100 * wide[KOLADA_TOTAL]
        err = (raw - raw.round()).abs()
        if (err > tol).any():
            bad = err[err > tol].index[0]
            raise ValueError(
                f"Kolada share {key!r} for kommun {bad[0]} year {bad[1]} is too coarse to recover "
                f"an exact count (off by {err.max():.2f} persons)"
            )
        out[col] = raw.round().astype("int64")
    out["20-64"] = out["total"] - out["0-19"] - out["65+"]
    for a in range(20, 31):
        key = f"Invånare {a} år, antal"
        out[f"a{a}"] = wide[key].round().astype("Int64") if key in wide else pd.NA
    return out.reset_index()


def kommun_age_summary(kolada: pd.DataFrame) -> pd.DataFrame:
    """Per kommun and year: counts and the ratios the chapter reports (shares as proportions)."""
    g = kolada_age_groups(kolada)
    g["andel_0_19"] = g["0-19"] / g["total"]
    g["andel_20_64"] = g["20-64"] / g["total"]
    g["andel_65"] = g["65+"] / g["total"]
    g["forsorjningskvot"] = forsorjningskvot(g["0-19"], g["20-64"], g["65+"])
    g["total_per_20_64"] = total_per_working_age(g["total"], g["20-64"])
    g["kommun_namn"] = g["kommun_kod"].map(geo.KOMMUNER)
    return g


# --------------------------------------------------------------------------- estimation beyond 2015
def _to_array(pop: pd.DataFrame, year: int) -> np.ndarray:
    """Population of one year as an array [sex (kvinnor, män), age 0..100]."""
    d = pop[pop["ar"] == year]
    if d.empty:
        raise ValueError(f"no population data for {year}")
    arr = np.zeros((2, MAX_AGE + 1))
    for i, sex in enumerate(("kvinnor", "män")):
        s = d[d["kon"] == sex].set_index("alder")["folkmangd"]
        arr[i, s.index.to_numpy()] = s.to_numpy()
    return arr


def cohort_change_ratios(pop: pd.DataFrame, base_years: range | list[int]) -> np.ndarray:
    """Hamilton–Perry cohort-change ratios, averaged over ``base_years``.

    ``CCR[s, a] = P[t, s, a] / P[t-1, s, a-1]`` for ages 1–99; for the open class
    ``P[t, 100+] / (P[t-1, 99] + P[t-1, 100+])``; for age 0 the ratio of the age-0 population to
    the women aged 15–49 a year earlier (a child–woman ratio). Ratios are pooled over the base
    years (sum of numerators over sum of denominators), which is steadier than a mean of ratios.

    Reference: Swanson, Schlottmann & Schmidt (2010), "Forecasting the population of census tracts
    by age and sex: an example of the Hamilton–Perry method in action", *Popul Res Policy Rev* 29.
    """
    base_years = list(base_years)
    num = np.zeros((2, MAX_AGE + 1))
    den = np.zeros((2, MAX_AGE + 1))
    for t in base_years:
        prev, cur = _to_array(pop, t - 1), _to_array(pop, t)
        num[:, 1:MAX_AGE] += cur[:, 1:MAX_AGE]
        den[:, 1:MAX_AGE] += prev[:, 0:MAX_AGE - 1]
        num[:, MAX_AGE] += cur[:, MAX_AGE]
        den[:, MAX_AGE] += prev[:, MAX_AGE - 1] + prev[:, MAX_AGE]
        women = prev[0, 15:50].sum()
        num[:, 0] += cur[:, 0]
        den[:, 0] += women
    with np.errstate(divide="ignore", invalid="ignore"):
        ccr = np.where(den > 0, num / den, 0.0)
    return ccr


def project_one_year(arr: np.ndarray, ccr: np.ndarray) -> np.ndarray:
    """Advance a [sex, age] population one year with cohort-change ratios."""
    new = np.zeros_like(arr)
    new[:, 1:MAX_AGE] = arr[:, 0:MAX_AGE - 1] * ccr[:, 1:MAX_AGE]
    new[:, MAX_AGE] = (arr[:, MAX_AGE - 1] + arr[:, MAX_AGE]) * ccr[:, MAX_AGE]
    new[:, 0] = arr[0, 15:50].sum() * ccr[:, 0]
    return new


def _from_array(arr: np.ndarray, year: int) -> pd.DataFrame:
    rows = []
    for i, sex in enumerate(("kvinnor", "män")):
        rows.append(pd.DataFrame({"ar": year, "kon": sex, "alder": np.arange(MAX_AGE + 1),
                                  "folkmangd": arr[i]}))
    return pd.concat(rows, ignore_index=True)


def _margin_groups() -> list[tuple[str, int, int]]:
    groups = [("0-19", 0, 19)]
    groups += [(f"a{a}", a, a) for a in range(20, 31)]
    groups += [("31-64", 31, 64), ("65+", 65, MAX_AGE)]
    return groups


def lan_margins(kolada_groups: pd.DataFrame, year: int) -> dict[str, int]:
    """The län's exact age-group counts for ``year``, summed over its kommuner from Kolada."""
    g = kolada_groups[kolada_groups["ar"] == year]
    if len(g) != len(geo.KOMMUNER):
        raise ValueError(f"Kolada age groups for {year} cover {len(g)} of {len(geo.KOMMUNER)} kommuner")
    m = {c: int(g[c].sum()) for c in ["total", "0-19", "20-64", "65+"]}
    for a in range(20, 31):
        m[f"a{a}"] = int(g[f"a{a}"].sum())
    m["31-64"] = m["20-64"] - sum(m[f"a{a}"] for a in range(20, 31))
    return m


def margins_from_single_ages(pop: pd.DataFrame, year: int) -> dict[str, int]:
    """The same margins as :func:`lan_margins`, computed from a single-age table (for back-tests)."""
    d = pop[pop["ar"] == year]
    m = {"total": int(d["folkmangd"].sum())}
    for name, lo, hi in _margin_groups():
        m[name] = int(d.loc[d["alder"].between(lo, hi), "folkmangd"].sum())
    m["20-64"] = int(d.loc[d["alder"].between(20, 64), "folkmangd"].sum())
    return m


def adjust_to_margins(arr: np.ndarray, margins: dict[str, int]) -> np.ndarray:
    """Scale each age group (both sexes together) so that it sums to its known count.

    The groups (0–19, each age 20–30, 31–64, 65+) partition the ages, so a single proportional
    step meets every margin exactly; the distribution within a group and the sex split keep the
    projection's shape.
    """
    out = arr.copy()
    for name, lo, hi in _margin_groups():
        cur = out[:, lo:hi + 1].sum()
        if cur <= 0:
            raise ValueError(f"projection has no population in group {name}")
        out[:, lo:hi + 1] *= margins[name] / cur
    return out


def estimate_age_sex(pop: pd.DataFrame, kolada_groups: pd.DataFrame | None, years: list[int],
                     *, base_years: int = 5, margins: dict[int, dict[str, int]] | None = None
                     ) -> pd.DataFrame:
    """Estimate the län's population by sex and single age for years after the detailed data.

    Method: start from the last year with single ages (2015 in the shipped data); each year,
    (1) advance with Hamilton–Perry cohort-change ratios pooled over the ``base_years`` years
    before the start, then (2) scale each age group to the exact län counts derived from Kolada
    (0–19, each age 20–30, 31–64, 65+; see :func:`lan_margins`). Totals, 0–19, 20–64 and 65+ are
    therefore exact; ages 16–19 within 0–19, 80+ within 65+ and the sex split are estimates.

    Parameters
    ----------
    pop
        Single-age table (``ar, kon, alder (int), folkmangd``), e.g. :func:`lan_age_sex`.
    kolada_groups
        Output of :func:`kolada_age_groups`; ignored when ``margins`` is given.
    years
        Years to estimate, each after the last year in ``pop``.
    margins
        Optional ``{year: margins}`` to use instead of Kolada (for back-tests).

    Returns
    -------
    DataFrame ``ar, kon, alder, folkmangd (float), estimated (True)``.
    """
    last = int(pop["ar"].max())
    if any(y <= last for y in years):
        raise ValueError(f"years to estimate must be after {last}, the last year with single ages")
    ccr = cohort_change_ratios(pop, range(last - base_years + 1, last + 1))
    arr = _to_array(pop, last)
    out = []
    for year in range(last + 1, max(years) + 1):
        arr = project_one_year(arr, ccr)
        m = margins[year] if margins is not None else lan_margins(kolada_groups, year)
        arr = adjust_to_margins(arr, m)
        if year in years:
            out.append(_from_array(arr, year))
    res = pd.concat(out, ignore_index=True)
    res["estimated"] = True
    return res


def project(pop_start: pd.DataFrame, ccr: np.ndarray, start: int, end: int) -> pd.DataFrame:
    """Project a single-age table from ``start`` to ``end`` with fixed cohort-change ratios.

    A model projection (no adjustment), used for the chapter's outlook; not a forecast.
    """
    arr = _to_array(pop_start, start)
    out = [_from_array(arr, start)]
    for year in range(start + 1, end + 1):
        arr = project_one_year(arr, ccr)
        out.append(_from_array(arr, year))
    return pd.concat(out, ignore_index=True)


def lan_series(pop: pd.DataFrame, kolada: pd.DataFrame, end_year: int) -> pd.DataFrame:
    """Single-age län population for every year up to ``end_year``: observed, then estimated.

    Adds a boolean column ``estimated``.
    """
    obs = lan_age_sex(pop)
    obs["estimated"] = False
    last = int(obs["ar"].max())
    if end_year <= last:
        return obs[obs["ar"] <= end_year].reset_index(drop=True)
    est = estimate_age_sex(obs, kolada_age_groups(kolada), list(range(last + 1, end_year + 1)))
    return pd.concat([obs, est], ignore_index=True)


# --------------------------------------------------------------------------- Tabell 1
def tabell1(lan_single_ages: pd.DataFrame, kommun_totals: pd.DataFrame,
            years: list[int]) -> pd.DataFrame:
    """Recompute Tabell 1 of the 2020 review: population, 16–64 and 5 % of 16–64 per year.

    Parameters
    ----------
    lan_single_ages
        :func:`lan_series` output (observed and estimated single ages).
    kommun_totals
        ``folkmangd_kommun`` (totals per kommun and year; summed to the län).
    years
        The table's years (2000, 2002, 2009, 2019 in the review).

    Returns
    -------
    DataFrame ``ar, folkmangd, n16_64, malgrupp_5pct, malgrupp_5pct_avrundad, n16_64_estimated``.
    """
    tot = kommun_totals.groupby("ar")["folkmangd"].sum()
    g = age_groups(lan_single_ages.assign(folkmangd=lan_single_ages["folkmangd"]))
    est = lan_single_ages.groupby("ar")["estimated"].any()
    rows = []
    for y in years:
        if y not in tot.index or y not in g.index:
            raise ValueError(f"no population data for {y}")
        n16 = float(lan_single_ages.loc[(lan_single_ages["ar"] == y)
                                        & lan_single_ages["alder"].between(16, 64),
                                        "folkmangd"].sum())
        rows.append({
            "ar": y,
            "folkmangd": int(tot[y]),
            "n16_64": int(round(n16)),
            "malgrupp_5pct": target_group(n16),
            "malgrupp_5pct_avrundad": int(target_group(n16, round_to=100)),
            "n16_64_estimated": bool(est[y]),
        })
    return pd.DataFrame(rows)


def ten_year_change(kommun_totals: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """Population change per kommun between two years: counts and relative change (proportion)."""
    w = kommun_totals.pivot_table(index="kommun_kod", columns="ar", values="folkmangd")
    for y in (start, end):
        if y not in w.columns:
            raise ValueError(f"no kommun totals for {y}")
    out = pd.DataFrame({
        "kommun_kod": w.index,
        "kommun_namn": [geo.KOMMUNER.get(k, k) for k in w.index],
        f"folkmangd_{start}": w[start].astype("int64").to_numpy(),
        f"folkmangd_{end}": w[end].astype("int64").to_numpy(),
    })
    out["forandring"] = out[f"folkmangd_{end}"] - out[f"folkmangd_{start}"]
    out["forandring_andel"] = pct_change(out[f"folkmangd_{start}"], out[f"folkmangd_{end}"])
    return out.reset_index(drop=True)


def change_counts(change: pd.DataFrame) -> str:
    """How many kommuner grew and shrank in :func:`ten_year_change`, in Swedish for the start of
    a sentence: ``"8 kommuner växte och 4 minskade"``; ``"Alla åtta kommuner växte"`` (or
    ``"… minskade"``) when all changed the same way; ``"Kommunen växte"`` for a län of one
    kommun."""
    n_up, n_down = int((change["forandring"] > 0).sum()), int((change["forandring"] < 0).sum())
    if len(change) == 1:  # Gotland
        return "Kommunen " + ("växte" if n_up else "minskade" if n_down else "var lika stor")
    if len(change) in (n_up, n_down):
        verb = "växte" if n_up else "minskade"
        return f"Alla {text.count_word(len(change))} kommuner {verb}"
    return (f"{text.num(n_up)} {'kommun' if n_up == 1 else 'kommuner'} växte och "
            f"{text.num(n_down)} minskade")


# --------------------------------------------------------------------------- published vs computed
TABELL1_YEARS = [2000, 2002, 2009, 2019]
_T1_IND = {
    "folkmangd": ("population", "Folkmängd"),
    "n16_64": ("population", "Befolkning i arbetsför ålder 16-64 år"),
    "malgrupp_5pct_avrundad": ("target_group", "Total målgrupp (5 % av arbetsför befolkning 16-64 år)"),
}
T1_LABELS = {
    "folkmangd": f"Befolkning {geo.LAN_NAMN}",
    "n16_64": "Antal 16–64 år",
    "malgrupp_5pct_avrundad": "Total målgrupp (5 % av 16–64)",
}


def tabell1_published(seed: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Tabell 1 of the 2020 review as published (long: ``ar, measure, published, quote``)."""

    rows = []
    for y in years:
        for measure, (analysis, ind) in _T1_IND.items():
            r = seeds.published(seed, analysis=analysis, indicator=ind, geography=geo.LAN_NAMN,
                                period=y)
            rows.append({"ar": y, "measure": measure, "published": int(r["value"]),
                         "source": seeds.source_line(r)})
    return pd.DataFrame(rows)


def compare_tabell1(computed: pd.DataFrame, published: pd.DataFrame,
                    kommun_totals: pd.DataFrame, last_detailed_year: int) -> pd.DataFrame:
    """Published and computed Tabell 1 side by side, each difference explained in Swedish.

    The explanations are derived, not typed: a difference is attributed to the 5 % rounding, to
    the estimate for years beyond the detailed data, or to another reference date when the
    published value equals the län total of a different year in the SCB series.
    """

    tot = kommun_totals.groupby("ar")["folkmangd"].sum()
    long = computed.melt(id_vars=["ar", "n16_64_estimated"],
                         value_vars=list(_T1_IND), var_name="measure", value_name="computed")
    out = published.merge(long, on=["ar", "measure"], how="left")
    out["diff"] = out["computed"] - out["published"]
    out["diff_andel"] = out["diff"] / out["published"]
    expl, status = [], []
    for r in out.itertuples():
        est = bool(r.n16_64_estimated) and r.measure in ("n16_64", "malgrupp_5pct_avrundad")
        if r.diff == 0:
            status.append("lika")
            if r.measure == "malgrupp_5pct_avrundad":
                expl.append("Samma värde: 5 % av antalet 16–64 år, avrundat till hundratal.")
            elif est:
                expl.append("Samma värde som den skattade siffran.")
            else:
                expl.append("Samma värde som SCB:s statistik.")
        elif r.measure == "folkmangd" and (tot == r.published).any():
            other = int(tot.index[tot == r.published][0])
            status.append("annan tidpunkt")
            expl.append(
                f"Det publicerade värdet är folkmängden den 31 december {other} (= 1 januari "
                f"{other + 1}), inte den 31 december {r.ar}; skillnaden är "
                f"{text.num(r.diff, sign=True)} personer. Antalet 16–64 år i samma rad gäller "
                f"däremot {r.ar}."
            )
        elif est:
            status.append("skattat")
            expl.append(
                f"Antalet 16–64 år {r.ar} är skattat (åldrarna 16–19 finns inte i de levererade "
                f"data efter {last_detailed_year}); skillnaden "
                f"{text.num(r.diff, sign=True)} ({text.share(r.diff_andel, 2, sign=True)}) ligger "
                "inom skattningens osäkerhet, se Metoder."
            )
        else:
            status.append("avviker")
            expl.append(f"Avviker med {text.num(r.diff, sign=True)}; orsaken är okänd.")
    out["status"] = status
    out["forklaring"] = expl
    return out


def tabell1_changes(computed: pd.DataFrame, start_years=(2002, 2009), end_year: int = 2019
                    ) -> pd.DataFrame:
    """The "Diff." row of Tabell 1: relative change to ``end_year`` from each start year."""
    c = computed.set_index("ar")
    rows = []
    for s in start_years:
        if s not in c.index or end_year not in c.index:
            continue
        for m in ("folkmangd", "n16_64", "malgrupp_5pct_avrundad"):
            rows.append({"fran": s, "till": end_year, "measure": m,
                         "andel": pct_change(c.loc[s, m], c.loc[end_year, m])})
    return pd.DataFrame(rows)


def tabell1_change_table(computed: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Tabell 1's "Diff." row for display (``measure`` as :data:`T1_LABELS`), or an empty table.

    The review's row compares each start year with its last year (``TABELL1_YEARS[-1]``), so the
    row exists only when ``years`` reach that year (not in earlier editions).
    """
    if max(years) != TABELL1_YEARS[-1]:
        return pd.DataFrame()
    diffs = tabell1_changes(computed, end_year=max(years))
    if not len(diffs):
        return diffs
    return diffs.assign(measure=diffs["measure"].map(T1_LABELS))


def dependency_series(lan: pd.DataFrame) -> pd.DataFrame:
    """Per year: age groups, shares (proportions), försörjningskvot and total/20–64, for the län."""
    g = age_groups(lan)
    est = lan.groupby("ar")["estimated"].any() if "estimated" in lan else False
    out = g.reset_index()
    out["andel_16_64"] = out["16-64"] / out["total"]
    out["andel_20_64"] = out["20-64"] / out["total"]
    out["andel_65"] = out["65+"] / out["total"]
    out["andel_80"] = out["80+"] / out["total"]
    out["forsorjningskvot"] = forsorjningskvot(out["0-19"], out["20-64"], out["65+"])
    out["total_per_20_64"] = total_per_working_age(out["total"], out["20-64"])
    out["total_per_16_64"] = out["total"] / out["16-64"]
    out["estimated"] = out["ar"].map(est) if not isinstance(est, bool) else False
    return out


#: The years of the review's working-age shares: "minskat från 63 procent [2009] till knappt 60
#: procent [2019]" (one quote, two seed figures).
WORKING_AGE_SHARE_YEARS = (2009, 2019)


def published_working_age_share(seed: pd.DataFrame) -> pd.Series:
    """The review's share aged 16–64 in its first year (:data:`WORKING_AGE_SHARE_YEARS`), with the
    quote that gives both years."""
    return seeds.published(seed, analysis="population",
                           indicator="Andel arbetsför befolkning av total befolkning",
                           geography=geo.LAN_NAMN, period=WORKING_AGE_SHARE_YEARS[0])


def dependency_published_vs_computed(dep: pd.DataFrame, seed: pd.DataFrame,
                                     edition: int) -> pd.DataFrame:
    """The seeds' försörjningskvot (1,8) and working-age shares (63 % → under 60 %) beside ours.

    Rows are included only for years the edition covers. Returns display-ready text columns
    ``Mått, Publicerat, Beräknat, Källa`` plus the unrounded ``beraknat_varde``.
    """

    d = dep.set_index("ar")
    y = min(edition, 2019)
    fk = seeds.published(seed, analysis="population", indicator="Försörjningskvot",
                         geography=geo.LAN_NAMN, group="hela länsbefolkningen")
    rows = [{"Mått": "Folkmängd / antal 20–64 år (”försörjningskvot”)",
             "Publicerat": text.num(fk["value"], 1),
             "Beräknat": f"{text.num(d.loc[y, 'total_per_20_64'], 2)} ({y})",
             "Källa": seeds.source_line(fk), "beraknat_varde": d.loc[y, "total_per_20_64"]}]
    for year, prefix in zip(WORKING_AGE_SHARE_YEARS, ("", "knappt "), strict=True):
        if year > edition:
            continue
        r = seeds.published(seed, analysis="population",
                            indicator="Andel arbetsför befolkning av total befolkning",
                            geography=geo.LAN_NAMN, period=year)
        rows.append({"Mått": f"Andel 16–64 år {year}", "Publicerat": prefix + text.pct(r["value"], 0),
                     "Beräknat": text.share(d.loc[year, "andel_16_64"], 1),
                     "Källa": seeds.source_line(r), "beraknat_varde": d.loc[year, "andel_16_64"]})
    return pd.DataFrame(rows)


def kommun_dependency_table(kolada: pd.DataFrame, lan_now: pd.Series, edition: int) -> pd.DataFrame:
    """Per kommun for ``edition`` (sorted by försörjningskvot) with a last row for the län."""
    kom = kommun_age_summary(kolada)
    kom = kom[kom["ar"] == edition].sort_values("forsorjningskvot")
    cols = ["kommun_kod", "kommun_namn", "total", "0-19", "20-64", "65+", "andel_65",
            "forsorjningskvot", "total_per_20_64"]
    lan_row = {"kommun_kod": geo.LAN_KOD, "kommun_namn": geo.LAN_NAMN,
               **{c: lan_now[c] for c in cols[2:]}}
    return pd.concat([kom[cols], pd.DataFrame([lan_row])], ignore_index=True)


AGE_SHARE_LABELS = {"andel_16_64": "16–64 år", "andel_20_64": "20–64 år",
                    "andel_65": "65 år och äldre", "andel_80": "80 år och äldre"}


def age_shares_long(dep: pd.DataFrame, edition: int) -> pd.DataFrame:
    """Shares of the age groups per year up to ``edition``, long: ``ar, mått, andel``."""
    ts = dep[dep["ar"] <= edition]
    long = ts.melt(id_vars="ar", value_vars=list(AGE_SHARE_LABELS), var_name="mått",
                   value_name="andel")
    long["mått"] = long["mått"].map(AGE_SHARE_LABELS)
    return long


def kommun_series(kommun_totals: pd.DataFrame, end_year: int) -> pd.DataFrame:
    """Kommun totals (``folkmangd_kommun``) up to ``end_year``, the kommun's name in ``kommun``."""
    t = kommun_totals[kommun_totals["ar"] <= end_year]
    return t.assign(kommun=t["kommun_kod"].map(geo.KOMMUNER))


def change_map(granser: pd.DataFrame, change: pd.DataFrame) -> pd.DataFrame:
    """The kommun borders joined with :func:`ten_year_change`, the change in per cent in ``pct``."""
    gmap = granser.merge(change.drop(columns="kommun_namn"), on="kommun_kod")
    gmap["pct"] = 100 * gmap["forandring_andel"]
    return gmap


def elderly_long(dep: pd.DataFrame, edition: int) -> pd.DataFrame:
    """The number aged 65+ and 80+ per year up to ``edition``, long: ``ar, grupp, antal``."""
    return dep[dep["ar"] <= edition].melt(id_vars="ar", value_vars=["65+", "80+"],
                                          var_name="grupp", value_name="antal")


#: The year the action plan's (Handlingsplan för god, jämlik och jämställd hälsa 2019–2022)
#: figures on people aged 65 and older refer to: "ca 2018" in the seed figures.
HANDLINGSPLAN_YEAR = 2018


def handlingsplan_elderly(dep: pd.DataFrame, seed: pd.DataFrame, edition: int) -> dict:
    """The action plan's "närmare 60 000" aged 65+ ("21 procent") beside the statistics.

    Returns
    -------
    dict with the published count ``published_n`` and share ``published_share`` (per cent), the
    comparison ``year`` (:data:`HANDLINGSPLAN_YEAR`, or the edition if earlier), the computed count
    ``n65`` and share ``share65`` (a proportion) that year, and ``implied_n``, the published share
    of that year's population.
    """
    p60 = seeds.published(seed, analysis="population", indicator="Personer 65 år eller äldre",
                          geography=geo.LAN_NAMN)
    p21 = seeds.published(seed, analysis="population", indicator="Andel 65 år eller äldre",
                          geography=geo.LAN_NAMN)
    d = dep.set_index("ar")
    y = min(edition, HANDLINGSPLAN_YEAR)
    return {"published_n": p60["value"], "published_share": p21["value"], "year": y,
            "n65": d.loc[y, "65+"], "share65": d.loc[y, "andel_65"],
            "implied_n": p21["value"] / 100 * d.loc[y, "total"]}


def projection_outlook(lan: pd.DataFrame, dep: pd.DataFrame, base_year: int, horizon: int = 11,
                       base_window: int = 5) -> tuple[pd.DataFrame, float]:
    """A Hamilton–Perry model projection from ``base_year`` and the statistics before it.

    Cohort-change ratios are pooled over the last ``base_window`` years with observed single
    ages. Returns the series (``ar, total, serie``, from 1990) and the growth from
    ``base_year + 1`` to ``base_year + horizon`` (a proportion).
    """
    last_obs = int(lan.loc[~lan["estimated"], "ar"].max())
    ccr = cohort_change_ratios(lan[~lan["estimated"]], range(last_obs - base_window + 1,
                                                              last_obs + 1))
    proj = project(lan, ccr, base_year, base_year + horizon)
    ptot = proj.groupby("ar")["folkmangd"].sum()
    growth = pct_change(ptot.loc[base_year + 1], ptot.loc[base_year + horizon])
    series = pd.concat([
        dep.loc[dep["ar"] <= base_year, ["ar", "total"]].assign(serie="Statistik"),
        ptot.reset_index().rename(columns={"folkmangd": "total"}).assign(serie="Modellframskrivning"),
    ], ignore_index=True)
    return series[series["ar"] >= 1990].reset_index(drop=True), float(growth)


def key_indicators(dep: pd.DataFrame, kolada: pd.DataFrame, edition: int) -> pd.DataFrame:
    """The chapter's key indicators for the edition comparison (län and each kommun)."""
    d = dep.set_index("ar").loc[edition]
    rows = [
        ("bef_total", "Folkmängd", geo.LAN_KOD, d["total"], "antal"),
        ("bef_andel_16_64", "Andel 16–64 år", geo.LAN_KOD, d["andel_16_64"], "andel"),
        ("bef_andel_65", "Andel 65 år och äldre", geo.LAN_KOD, d["andel_65"], "andel"),
        ("bef_andel_80", "Andel 80 år och äldre", geo.LAN_KOD, d["andel_80"], "andel"),
        ("bef_forsorjningskvot", "Försörjningskvot (SCB)", geo.LAN_KOD, d["forsorjningskvot"], "kvot"),
    ]
    k = kommun_age_summary(kolada)
    for r in k[k["ar"] == edition].itertuples():
        rows.append(("bef_total", "Folkmängd", r.kommun_kod, r.total, "antal"))
        rows.append(("bef_forsorjningskvot", "Försörjningskvot (SCB)", r.kommun_kod,
                     r.forsorjningskvot, "kvot"))
    out = pd.DataFrame(rows, columns=["indicator_id", "indicator", "area_code", "value", "unit"])
    out["period"] = str(edition)
    return out
