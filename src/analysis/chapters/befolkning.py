"""The population projection in the book: chapter 1's "Framtidens befolkning", the future 16–64 of
the Målgrupp chapter and the projected age groups of the kommun profiles.

Runs the cohort-component model of :mod:`analysis.methods.projection` on the book's data (every
län 1968–2015 with births and deaths; län totals and the Örebro län estimate after that), its
back-tests (from every feasible base year, and for the kommuner from 2000), the empirical
intervals they give, the comparison with Hamilton–Perry and with SCB's projection quoted in the
seeds, and the checks against what happened after 2015 and after the edition. Every projected
value carries ``typ = "framskrivning"``; statistics carry ``"statistik"`` and estimates
``"skattning"``.

Why one module: the section's tables, the kommun outlook that the profiles and the Målgrupp
chapter read, and the checks all come from one run of the model on one set of inputs (the
:class:`Data` of an edition); kept together they cannot drift apart in base year, jump-off or
intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core import diskcache, geo, text
from analysis.methods import population
from analysis.methods import projection as pj
from analysis.sources import seeds

#: The last year projected, and the years the tables and pyramids show.
END_YEAR = 2040
TARGET_YEARS = (2030, 2040)
#: The period of SCB's projection quoted in the seeds ("Befolkningsökning från år 2020-2030").
SCB_PERIOD = (2020, 2030)
#: The seven län of the Uppsala–Örebro health-care region, in the order of the review's Bilaga 2.
SEVEN_LAN = ("03", "18", "04", "19", "20", "21", "17")
MAPE_HORIZONS = (5, 10, 15)
#: First base year of the län back-test (each base needs ten years of migration before it).
FIRST_BASE = 1980
#: First base year of the kommun back-test (Kolada's age groups start in 1998).
KOMMUN_FIRST_BASE = 2000
#: Held-back check of the intervals: built from outcomes up to this year, tested on base years
#: after it.
SPLIT_YEAR = 2000
#: Base year of the check against what happened after the last year with single ages.
CHECK_2015 = 2015
LEVEL = 0.8
#: Regionfakta's variables of the kommun age table and the matching groups.
REGIONFAKTA_GROUPS = {"alder_0-15": "0-15", "alder_16-24": "16-24", "alder_25-44": "25-44",
                      "alder_45-64": "45-64", "alder_65-": "65+", "totalt": "total"}
CHECK_GROUPS = tuple(REGIONFAKTA_GROUPS.values())
GROUP_LABELS = {"total": "Hela befolkningen", "0-19": "0–19 år", "20-64": "20–64 år",
                "16-64": "16–64 år", "65+": "65 år och äldre", "80+": "80 år och äldre",
                "0-15": "0–15 år", "16-24": "16–24 år", "25-44": "25–44 år", "45-64": "45–64 år",
                "forsorjningskvot": "Försörjningskvot"}
#: Column headings where a table has one column per age group.
SHORT_LABELS = {"0-15": "0–15 år", "16-24": "16–24 år", "25-44": "25–44 år", "45-64": "45–64 år",
                "65+": "65+ år", "total": "Alla"}
MAIN_GROUPS = ("total", "0-19", "20-64", "65+", "80+", "forsorjningskvot")
PROFILE_GROUPS = ("0-19", "20-64", "65+", "80+")
KOLADA_GROUPS = ("total", "0-19", "20-64", "65+")
STAT, EST, PROJ = "statistik", "skattning", "framskrivning"
#: The SCB tables behind the model, by title (the catalogue cites their common source).
SOURCE = ("Källa: SCB, Folkmängd efter region, ålder och kön; Levande födda efter region, moderns "
          "ålder och barnets kön; Döda efter region, ålder och kön (1968–2015)")


# --------------------------------------------------------------------------- inputs
@dataclass
class Data:
    """Everything the projection reads, cut at the edition (later outcomes kept apart)."""

    edition: int
    v: pj.Vital                       # every län, single ages, births, deaths (to 2015)
    totals: dict[int, np.ndarray]     # län totals per year after ``v`` (kommun totals; the
    #                                   years after the edition are outcomes for the checks)
    lan: pd.DataFrame                 # the län by sex and single age to the edition
    groups: pd.DataFrame              # Kolada's exact kommun age groups to the edition
    shares: pd.DataFrame              # kommun shares of the län by age band
    kommun_totals: pd.DataFrame       # folkmangd_kommun (all years: later ones are outcomes)
    input_keys: list[str] = field(default_factory=list)  # md5 (or hash) of every input table

    @property
    def last_known(self) -> int:
        """The last year with single ages, births and deaths for every län."""
        return min(self.edition, int(self.v.years[-1]))

    @property
    def gap(self) -> int:
        """Years between that and the edition, known only by their totals."""
        return self.edition - self.last_known

    @property
    def i18(self) -> int:
        return self.v.region(geo.LAN_KOD)

    def total(self, year: int) -> np.ndarray:
        """Every län's population on 31 December ``year``."""
        if year <= int(self.v.years[-1]):
            return self.v.pop[self.v.index(year)].sum((-2, -1))
        return self.totals[year]


def _truncate(v: pj.Vital, year: int) -> pj.Vital:
    keep = v.years <= year
    return pj.Vital(v.years[keep], v.regions, v.names, v.pop[keep], v.births[keep],
                    v.deaths[keep])


def lan_totals(kommun_riket: pd.DataFrame, kommunkoder: pd.DataFrame, regions, years
               ) -> dict[int, np.ndarray]:
    """Every län's population per year from the kommun totals (kommunindelning 2020)."""
    codes = kommunkoder.set_index("municipality_code")["county_code"]
    lan = kommun_riket.assign(lan_kod=kommun_riket["kommun_kod"].map(codes))
    if lan["lan_kod"].isna().any():
        raise ValueError("kommuner without a län code: "
                         + ", ".join(lan.loc[lan["lan_kod"].isna(), "kommun_kod"]))
    t = lan.groupby("lan_kod")[[str(y) for y in years]].sum().reindex(list(regions))
    return {y: t[str(y)].to_numpy(float) for y in years}


def finer_groups(rf: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Kommun counts aged 0–15 and 31–44 in the years of SCB's broad age table (Regionfakta):
    0–15 as published, 31–44 as 25–44 less Kolada's ages 25–30 of the same year
    (``kommun_kod, ar, n0_15, n31_44``)."""
    rfg = regionfakta_groups(rf)
    w = rfg[rfg["region"] != geo.LAN_KOD].pivot_table(index=["region", "ar"], columns="group",
                                                      values="observed")
    w.index = w.index.set_names(["kommun_kod", "ar"])
    g = groups.set_index(["kommun_kod", "ar"])
    a25_30 = sum(g[f"a{a}"].astype(float) for a in range(25, 31)).reindex(w.index)
    out = pd.DataFrame({"n0_15": w["0-15"], "n31_44": w["25-44"] - a25_30}, index=w.index)
    return out.dropna().reset_index()


def prepare(pop_riket: pd.DataFrame, fodda_riket: pd.DataFrame, doda_riket: pd.DataFrame,
            kommun_riket: pd.DataFrame, kommunkoder: pd.DataFrame, lan_pop: pd.DataFrame,
            kolada: pd.DataFrame, kommun_totals: pd.DataFrame, regionfakta: pd.DataFrame | None,
            edition: int) -> Data:
    """The projection's inputs for an edition, from the catalogued tables (Regionfakta's age
    table only for years up to the edition: later years are outcomes for the checks). In a build
    computed once and kept for the other notebooks (:func:`analysis.core.diskcache.memo`).

    ``regionfakta`` is ``None`` for a region without kommun age groups finer than Kolada's
    (material ``framskrivning_kommun``): the kommun shares then split 0–19 and 31–64 as the län
    does (:func:`analysis.methods.projection.kommun_band_shares`)."""
    tables = (pop_riket, fodda_riket, doda_riket, kommun_riket, kommunkoder, lan_pop, kolada,
              kommun_totals, regionfakta)
    keys = [_frame_key(t) for t in tables if t is not None]
    return diskcache.memo(
        "befolkning_data", __name__, {"edition": int(edition), "inputs": keys},
        lambda: _prepare(pop_riket, fodda_riket, doda_riket, kommun_riket, kommunkoder, lan_pop,
                         kolada, kommun_totals, regionfakta, edition, keys))


def _prepare(pop_riket: pd.DataFrame, fodda_riket: pd.DataFrame, doda_riket: pd.DataFrame,
             kommun_riket: pd.DataFrame, kommunkoder: pd.DataFrame, lan_pop: pd.DataFrame,
             kolada: pd.DataFrame, kommun_totals: pd.DataFrame, regionfakta: pd.DataFrame | None,
             edition: int, keys: list[str]) -> Data:
    v = _truncate(pj.vital_from_scb(pop_riket, fodda_riket, doda_riket), edition)
    last = max(int(c) for c in kommun_riket.columns if str(c).isdigit())
    # All later years are kept: those up to the edition are its data, the rest are outcomes for
    # the checks (Data.total refuses nothing, the projection only asks up to the edition).
    totals = lan_totals(kommun_riket, kommunkoder, v.regions, range(int(v.years[-1]) + 1, last + 1))
    lan = population.lan_series(lan_pop, kolada, edition)
    groups = population.kolada_age_groups(kolada)
    groups = groups[groups["ar"] <= edition]
    lan_ages = lan.groupby(["ar", "alder"], as_index=False)["folkmangd"].sum()
    finer = None if regionfakta is None else finer_groups(regionfakta, groups)
    shares = pj.kommun_band_shares(groups, lan_ages,
                                   None if finer is None else finer[finer["ar"] <= edition])
    return Data(edition, v, totals, lan, groups, shares, kommun_totals, keys)


def _frame_key(df: pd.DataFrame) -> str:
    """The catalogue md5 of a loaded table (its content hash when it was not catalogued)."""
    return diskcache.table_key(df)


def _lan_array(lan: pd.DataFrame, year: int) -> np.ndarray:
    d = lan[lan["ar"] == year]
    arr = np.zeros((2, pj.N_AGES))
    sex = (d["kon"] == "män").to_numpy().astype(int)
    np.add.at(arr, (sex, d["alder"].to_numpy()), d["folkmangd"].to_numpy(float))
    return arr


# --------------------------------------------------------------------------- projections
@dataclass
class Projection:
    """The edition's projection of every län (``pop [year, region, sex, age]`` from the edition)."""

    model: pj.Model
    years: np.ndarray
    pop: np.ndarray

    def lan_ages(self, region: int) -> pd.DataFrame:
        """Both sexes: ``ar, alder, folkmangd`` of one region, years after the base."""
        p = self.pop[1:, region].sum(1)
        return pd.DataFrame({"ar": np.repeat(self.years[1:], pj.N_AGES),
                             "alder": np.tile(np.arange(pj.N_AGES), len(p)),
                             "folkmangd": p.ravel()})


def _bridged(d: Data, base: int, a: pj.Assumptions, res: np.ndarray, *, gap: int,
             use_estimate: bool = False) -> tuple[pj.Model, np.ndarray]:
    known = base - gap
    totals = {y: d.total(y) for y in range(known + 1, base + 1)}
    pops = None
    if gap and use_estimate:
        # Örebro län's ages in the gap years are estimated to Kolada's exact age groups
        # (population.lan_series): better than carrying the län forward to its total alone.
        model0 = pj.estimate(d.v, known, a, res)
        pops = pj.carry_to_totals(model0, d.v.pop[d.v.index(known)], known, totals)
        for i, y in enumerate(range(known, base + 1)):
            pops[i, d.i18] = _lan_array(d.lan, y)
    return pj.bridged(d.v, known, base, totals, a, res, pops)


def project(d: Data, a: pj.Assumptions = pj.DEFAULT, end: int = END_YEAR) -> Projection:
    """The edition's projection of every län to ``end`` (the jump-off is the edition's population:
    SCB's single ages, or for later years the län totals and the Örebro län estimate)."""
    res = pj.residual_migration(d.v)
    model, start = _bridged(d, d.edition, a, res, gap=d.gap, use_estimate=True)
    pop, _ = pj.project(model, start, d.edition, end)
    return Projection(model, np.arange(d.edition, end + 1), pop)


def lan_errors(d: Data, a: pj.Assumptions = pj.DEFAULT, *, method: str = "cc",
               gap: int | None = None) -> pd.DataFrame:
    """The län back-test (:func:`analysis.methods.projection.backtest`) from every feasible base
    year to the last year with single ages; ``gap`` defaults to the edition's. As for the
    edition's jump-off (Örebro län's ages in the gap years are estimated to Kolada's exact age
    groups), the gap years' ages count as known and their births, deaths and migration not."""
    gap = (d.gap if gap is None else gap) if method == "cc" else 0  # Hamilton–Perry: no gap
    bases = range(FIRST_BASE + gap, d.last_known)
    return pj.backtest(d.v, bases, a, method=method, gap=gap, gap_ages=True)


def kommun_first_base(d: Data) -> int:
    """The first base year of the kommun back-test: :data:`KOMMUN_FIRST_BASE`, or later where a
    kommun of the region has Kolada's age groups only from a later year (a kommun formed since,
    e.g. Knivsta in 2003: before that its people are counted in the kommun it was part of, and a
    projection from those years would share nothing out to it)."""
    years = d.groups.groupby("kommun_kod")["ar"].min().reindex(list(geo.KOMMUNER))
    if years.isna().any():
        raise ValueError("kommuner without Kolada's age groups: "
                         + ", ".join(years.index[years.isna()]))
    return max(KOMMUN_FIRST_BASE, int(years.max()))


def kommun_errors(d: Data, a: pj.Assumptions = pj.DEFAULT, *, gap: int | None = None,
                  last_outcome: int | None = None) -> pd.DataFrame:
    """The kommun back-test: the län projected from each base year from
    :func:`kommun_first_base` (2000 where every kommun has data from 1998; as the edition's, with
    ``gap``), shared out to the kommuner, against Kolada's exact groups to ``last_outcome``
    (default the edition); kommuner, förbund and the län."""
    gap = d.gap if gap is None else gap
    last = d.edition if last_outcome is None else last_outcome
    res = pj.residual_migration(d.v)
    projs = {}
    for b in range(kommun_first_base(d), min(d.last_known, last)):
        model, start = _bridged(d, b, a, res, gap=gap)
        pop, _ = pj.project(model, start, b, last)
        projs[b] = Projection(model, np.arange(b, last + 1), pop).lan_ages(d.i18)
    obs = d.groups[d.groups["ar"] <= last].melt(
        id_vars=["kommun_kod", "ar"], value_vars=list(KOLADA_GROUPS), var_name="group",
        value_name="observed")
    areas = {k: [k] for k in geo.KOMMUNER} | {f: list(geo.FORBUND[f].kommuner)
                                              for f in geo.FORBUND} | {
        geo.LAN_KOD: list(geo.KOMMUNER)}
    return pj.kommun_backtest(projs, d.shares, obs, kommun_totals=d.kommun_totals, areas=areas)


def intervals(errors: pd.DataFrame, max_horizon: int) -> pd.DataFrame:
    """80 and 95 % empirical intervals by group and horizon (:func:`pj.empirical_intervals`)."""
    return pj.empirical_intervals(errors, max_horizon)


# --------------------------------------------------------------------------- chapter tables
def _long(d: Data, proj: Projection, region: int | None = None) -> pd.DataFrame:
    region = d.i18 if region is None else region
    t = pj.long_table(proj.pop[:, [region]], proj.years, [d.v.regions[region]])
    return t.assign(horizon=t["ar"] - d.edition)


def _bands(t: pd.DataFrame, iv: pd.DataFrame, levels=pj.LEVELS) -> pd.DataFrame:
    out = t.copy()
    h0 = out["horizon"] == 0
    for lv in levels:
        w = pj.with_intervals(out[~h0], iv, lv)
        suffix = f"{round(lv * 100)}"
        out.loc[~h0, f"lower{suffix}"] = w["lower"].to_numpy()
        out.loc[~h0, f"upper{suffix}"] = w["upper"].to_numpy()
    return out


def fan_table(d: Data, proj: Projection, iv: pd.DataFrame, first_year: int = 1990
              ) -> pd.DataFrame:
    """The län's population: statistics to the edition, then the projection with its 80 and 95 %
    intervals (``ar, typ, value, lower80, upper80, lower95, upper95``)."""
    obs = d.lan.groupby("ar", as_index=False)["folkmangd"].sum()
    obs = obs[obs["ar"] >= first_year].rename(columns={"folkmangd": "value"})
    obs["typ"] = STAT
    t = _long(d, proj)
    t = _bands(t[(t["group"] == "total") & (t["horizon"] > 0)], iv)
    out = pd.concat([obs, t.assign(typ=PROJ)], ignore_index=True)
    return out[["ar", "typ", "value", "lower80", "upper80", "lower95", "upper95"]]


def group_table(d: Data, proj: Projection, iv: pd.DataFrame, years=TARGET_YEARS,
                groups=MAIN_GROUPS) -> pd.DataFrame:
    """The län's age groups and försörjningskvot: the edition and the projected ``years`` with
    80 and 95 % intervals (``group, ar, typ, value, lower80 …``)."""
    t = _long(d, proj)
    t = t[t["ar"].isin([d.edition, *years]) & t["group"].isin(groups)]
    t = _bands(t, iv)
    est = bool(d.lan.loc[d.lan["ar"] == d.edition, "estimated"].any())
    t["typ"] = np.where(t["horizon"] == 0, EST if est else STAT, PROJ)
    return t.drop(columns=["region", "horizon"]).reset_index(drop=True)


def group_display(t: pd.DataFrame, edition: int) -> pd.DataFrame:
    """:func:`group_table` for the page: one row per group, the edition and each year with its
    80 % interval as text."""
    rows = []
    for grp in dict.fromkeys(t["group"]):
        g = t[t["group"] == grp].set_index("ar")
        dec = 1 if grp == "forsorjningskvot" else 0
        rnd = 0 if grp == "forsorjningskvot" else -2
        row = {"Grupp": GROUP_LABELS[grp], str(edition): text.num(g.loc[edition, "value"], dec)}
        for y in g.index[g.index > edition]:
            row[f"{y}, framskrivning (80 % intervall)"] = _with_interval(g.loc[y], rnd)
        rows.append(row)
    return pd.DataFrame(rows)


def _with_interval(r: pd.Series, decimals: int = -1) -> str:
    """``"336 100 (317 600–355 600)"``: a projected value and its 80 % interval."""
    return (f"{text.num(r['value'], decimals)} "
            f"({_interval(r['lower80'], r['upper80'], decimals)})")


def pyramid_table(d: Data, proj: Projection, years=TARGET_YEARS) -> pd.DataFrame:
    """The län by sex and age: the edition (statistics or estimate) and the projected ``years``
    (``ar, kon, alder, folkmangd, typ``)."""
    now = d.lan[d.lan["ar"] == d.edition][["ar", "kon", "alder", "folkmangd"]]
    est = bool(d.lan.loc[d.lan["ar"] == d.edition, "estimated"].any())
    rows = [now.assign(typ=EST if est else STAT)]
    for y in years:
        p = proj.pop[int(np.flatnonzero(proj.years == y)[0]), d.i18]
        rows.append(pd.DataFrame({"ar": y, "kon": np.repeat(pj.SEXES, pj.N_AGES),
                                  "alder": np.tile(np.arange(pj.N_AGES), 2),
                                  "folkmangd": p.ravel(), "typ": PROJ}))
    return pd.concat(rows, ignore_index=True)


def dependency_table(d: Data, proj: Projection, iv: pd.DataFrame, dep: pd.DataFrame
                     ) -> pd.DataFrame:
    """Försörjningskvot: statistics (``dep``, :func:`population.dependency_series`) to the
    edition, then the projection with 80 and 95 % intervals."""
    obs = dep[dep["ar"] <= d.edition][["ar", "forsorjningskvot", "estimated"]].rename(
        columns={"forsorjningskvot": "value"})
    obs["typ"] = np.where(obs.pop("estimated"), EST, STAT)
    t = _long(d, proj)
    t = _bands(t[(t["group"] == "forsorjningskvot") & (t["horizon"] > 0)], iv)
    out = pd.concat([obs, t.assign(typ=PROJ)], ignore_index=True)
    return out[["ar", "typ", "value", "lower80", "upper80", "lower95", "upper95"]]


def mape_table(cc: pd.DataFrame, hp: pd.DataFrame, region: str = geo.LAN_KOD,
               groups=MAIN_GROUPS[:5], horizons=MAPE_HORIZONS) -> pd.DataFrame:
    """MAPE (proportion) by group and horizon for one län, cohort-component beside
    Hamilton–Perry: ``group, horizon, method, mape, n``."""
    both = pd.concat([cc, hp], ignore_index=True)
    e = both[(both["region"] == region) & both["group"].isin(groups)
             & both["horizon"].isin(horizons)]
    out = pj.mape(e, ["group", "method", "horizon"])
    out["group"] = pd.Categorical(out["group"], list(groups), ordered=True)
    return out.sort_values(["group", "method", "horizon"], ignore_index=True)


METHOD_LABELS = {"cc": "Kohortkomponent", "hp": "Hamilton–Perry"}


def mape_display(m: pd.DataFrame) -> pd.DataFrame:
    """:func:`mape_table` for the page: a row per group and horizon, a column per method."""
    w = m.pivot_table(index=["group", "horizon"], columns="method", values="mape",
                      observed=True)
    first = w.index.get_level_values("horizon") == min(MAPE_HORIZONS)
    return pd.DataFrame({
        "Grupp": [GROUP_LABELS[g] if f else "" for g, f in zip(w.index.get_level_values("group"),
                                                                first, strict=True)],
        "År framåt": [str(h) for h in w.index.get_level_values("horizon")],
        **{METHOD_LABELS[k]: [text.share(x, 1) for x in w[k]] for k in ("cc", "hp")},
    })


def better_method(m: pd.DataFrame) -> dict:
    """Which method has the lower MAPE, counted over the groups and horizons of
    :func:`mape_table`, and the mean MAPE of each."""
    w = m.pivot_table(index=["group", "horizon"], columns="method", values="mape",
                      observed=True)
    wins = int((w["cc"] < w["hp"]).sum())
    return {"cc_wins": wins, "cells": len(w), "cc_mean": float(w["cc"].mean()),
            "hp_mean": float(w["hp"].mean()), "better": "cc" if wins > len(w) / 2 else "hp"}


def scb_comparison(d: Data, proj: Projection, seed: pd.DataFrame, iv: pd.DataFrame
                   ) -> pd.DataFrame:
    """Growth from 31 December of the first to the last year of :data:`SCB_PERIOD` for the seven
    län, the book's projection beside SCB's (seed figures, Bilaga 2).

    Returns ``lan_kod, lan_namn, scb, framskrivning, lower80, upper80, diff`` (growth as
    proportions; the interval is that of the later year's population, the first year held fixed;
    ``diff`` = the book's minus SCB's, in proportion points).
    """
    y0, y1 = SCB_PERIOD
    i0, i1 = (int(np.flatnonzero(proj.years == y)[0]) for y in (y0, y1))
    q = iv[(iv["group"] == "total") & (iv["level"] == LEVEL) & (iv["horizon"] == y1 - d.edition)
           ]["q"].iloc[0]
    rows = []
    for code in SEVEN_LAN:
        r = d.v.region(code)
        name = d.v.names[r]
        p0, p1 = proj.pop[i0, r].sum(), proj.pop[i1, r].sum()
        row = seeds.published(seed, analysis="population",
                              indicator="Prognostiserad befolkningsökning", geography=name)
        if text.parse_years(str(row["period"])) != list(range(y0, y1 + 1)):
            raise ValueError(f"SCB's projection in the seeds covers {row['period']}, not "
                             f"{y0}–{y1} (SCB_PERIOD)")
        pub = float(row["value"]) / 100
        rows.append({"lan_kod": code, "lan_namn": name, "scb": pub, "framskrivning": p1 / p0 - 1,
                     "lower80": p1 * np.exp(-q) / p0 - 1, "upper80": p1 * np.exp(q) / p0 - 1,
                     "mig_per_ar": float(proj.model.mig[r].sum()),
                     "tillvaxt_fore": float((d.total(d.edition)[r] / d.total(d.edition - 10)[r])
                                            ** 0.1 - 1)})
    out = pd.DataFrame(rows)
    out["diff"] = out["framskrivning"] - out["scb"]
    return out


def coverage_table(errors: pd.DataFrame, split: int = SPLIT_YEAR, groups=MAIN_GROUPS
                   ) -> pd.DataFrame:
    """Intervals built from outcomes up to ``split`` tested on the base years after it: the share
    of outcomes inside each interval, by group (``group, level, andel, n``)."""
    train = errors[errors["ar"] <= split]
    test = errors[(errors["base"] > split) & errors["group"].isin(groups)]
    cov = pj.coverage(test, intervals(train, int(test["horizon"].max())), by=["group"])
    cov["group"] = pd.Categorical(cov["group"], list(groups), ordered=True)
    return cov.sort_values(["group", "level"], ignore_index=True)


def coverage_display(cov: pd.DataFrame) -> pd.DataFrame:
    """:func:`coverage_table` for the page: a row per group, the 80 and 95 % columns."""
    w = cov.pivot_table(index="group", columns="level", values="andel", observed=True)
    n = cov.groupby("group", observed=True)["n"].first()
    return pd.DataFrame({"Grupp": [GROUP_LABELS[g] for g in w.index],
                         "Inom 80 %-intervallet": [text.share(x, 0) for x in w[0.8]],
                         "Inom 95 %-intervallet": [text.share(x, 0) for x in w[0.95]],
                         "Antal utfall": [text.num(n[g]) for g in w.index]})


# --------------------------------------------------------------------------- kommuner
def kommun_outlook(d: Data, proj: Projection, kom_iv: pd.DataFrame, lan_iv: pd.DataFrame,
                   years=TARGET_YEARS) -> pd.DataFrame:
    """Kommuner, förbund and the län: the edition and the projected ``years`` by group, with 80 %
    intervals (``area_code, area_name, group, ar, typ, value, lower80, upper80``).

    Kommun and förbund intervals come from the kommun back-test of their own kind of area; 16–64
    uses those of 20–64, and 80+ (no kommun counts in the data) those of 65+ widened by the län's
    ratio of 80+ to 65+ errors. The län's own rows use the län back-test.
    """
    trend = pj.share_trend(d.kommun_totals, d.edition)
    kp = pj.kommun_projection(proj.lan_ages(d.i18), d.shares, d.edition, trend=trend)
    base = pj.kommun_projection(d.lan[d.lan["ar"] == d.edition].groupby(
        ["ar", "alder"], as_index=False)["folkmangd"].sum(), d.shares, d.edition)
    kom = pd.concat([base, kp[kp["ar"].isin(years)]], ignore_index=True)
    fmap = pd.DataFrame([(f, k) for f in geo.FORBUND for k in geo.FORBUND[f].kommuner],
                        columns=["area_code", "kommun_kod"])
    frb = kom.merge(fmap, on="kommun_kod").drop(columns="kommun_kod")
    lan = kom.drop(columns="kommun_kod").assign(area_code=geo.LAN_KOD)
    t = pd.concat([pj.kommun_groups(kom).rename(columns={"kommun_kod": "area_code"}),
                   *([pj.kommun_groups(frb, by="area_code")] if len(frb) else []),
                   pj.kommun_groups(lan, by="area_code")], ignore_index=True)
    t = t[t["group"].isin(["total", "16-64", *PROFILE_GROUPS])].copy()
    t["horizon"] = t["ar"] - d.edition
    t["kind"] = np.where(t["area_code"] == geo.LAN_KOD, "lan",
                         np.where(t["area_code"].isin(list(geo.FORBUND)), "forbund", "kommun"))
    q = _area_q(kom_iv, lan_iv, int(t["horizon"].max()))
    t = t.merge(q, on=["kind", "group", "horizon"], how="left")
    t["lower80"] = np.where(t["horizon"] > 0, t["value"] * np.exp(-t["q"]), np.nan)
    t["upper80"] = np.where(t["horizon"] > 0, t["value"] * np.exp(t["q"]), np.nan)
    exact = d.groups[d.groups["ar"] == d.edition].melt(
        id_vars="kommun_kod", value_vars=list(KOLADA_GROUPS), var_name="group", value_name="k")
    t = t.merge(exact.rename(columns={"kommun_kod": "area_code"}), on=["area_code", "group"],
                how="left")
    now = t["horizon"] == 0
    t.loc[now & t["k"].notna(), "value"] = t.loc[now & t["k"].notna(), "k"]
    t["typ"] = np.where(~now, PROJ, np.where(t["k"].notna(), STAT, EST))
    # The län's own ages at the edition are SCB's (or the chapter's estimate after 2015).
    lan_now = pj.long_table(_lan_array(d.lan, d.edition)[None, None], [d.edition], [geo.LAN_KOD])
    lan_est = bool(d.lan.loc[d.lan["ar"] == d.edition, "estimated"].any())
    at = now & (t["area_code"] == geo.LAN_KOD)
    t.loc[at, "value"] = t.loc[at, "group"].map(lan_now.set_index("group")["value"])
    t.loc[at, "typ"] = np.where(t.loc[at, "k"].notna() | (not lan_est), STAT, EST)
    t["area_name"] = t["area_code"].map(geo.area_name)
    cols = ["area_code", "area_name", "group", "ar", "typ", "value", "lower80", "upper80"]
    return t[cols].sort_values(["area_code", "group", "ar"], ignore_index=True)


def _area_q(kom_iv: pd.DataFrame, lan_iv: pd.DataFrame, max_h: int) -> pd.DataFrame:
    """Half-widths of the 80 % intervals by kind of area, group and horizon (see
    :func:`kommun_outlook`)."""
    rows = []
    li = lan_iv[lan_iv["level"] == LEVEL].set_index(["group", "horizon"])["q"]
    for kind in _kinds():
        src = kom_iv[(kom_iv["kind"] == kind) & (kom_iv["level"] == LEVEL)].set_index(
            ["group", "horizon"])["q"]
        for h in range(1, max_h + 1):
            g = {grp: float(src.loc[(grp, h)]) for grp in KOLADA_GROUPS}
            g["16-64"] = g["20-64"]
            g["80+"] = g["65+"] * float(li.loc[("80+", h)] / li.loc[("65+", h)])
            rows += [{"kind": kind, "group": k, "horizon": h, "q": x} for k, x in g.items()]
    for h in range(1, max_h + 1):
        rows += [{"kind": "lan", "group": grp, "horizon": h, "q": float(li.loc[(grp, h)])}
                 for grp in ("total", "16-64", *PROFILE_GROUPS)]
    return pd.DataFrame(rows)


def _kinds() -> tuple[str, ...]:
    """The kinds of area below the län that have their own intervals: kommuner, and förbund
    where the region has them."""
    return ("kommun", "forbund") if geo.FORBUND else ("kommun",)


def kommun_intervals(errors: pd.DataFrame, max_horizon: int) -> pd.DataFrame:
    """Empirical intervals of the kommun back-test, separately for kommuner and förbund (where
    the region has förbund): ``kind, group, horizon, level, q``."""
    kind = np.where(errors["region"].isin(list(geo.FORBUND)), "forbund",
                    np.where(errors["region"] == geo.LAN_KOD, "lan", "kommun"))
    out = [intervals(errors[kind == k], max_horizon).assign(kind=k)
           for k in _kinds()]
    return pd.concat(out, ignore_index=True)


def profile_rows(outlook: pd.DataFrame, area_code: str, edition: int) -> pd.DataFrame:
    """One area's groups of :func:`kommun_outlook` for a profile page: a row per group with the
    edition and each projected year with its 80 % interval (text)."""
    t = outlook[(outlook["area_code"] == area_code) & outlook["group"].isin(PROFILE_GROUPS)]
    rows = []
    for grp in PROFILE_GROUPS:
        g = t[t["group"] == grp].set_index("ar")
        now = g.loc[edition]
        row = {"Grupp": GROUP_LABELS[grp],
               f"{edition}": text.num(now["value"], -1 if now["typ"] == EST else 0)
               + (" (skattat)" if now["typ"] == EST else "")}
        for y in g.index[g.index > edition]:
            row[f"{y}, framskrivning (80 % intervall)"] = _with_interval(g.loc[y])
        rows.append(row)
    return pd.DataFrame(rows)


def target_group_outlook(outlook: pd.DataFrame, areas: pd.DataFrame, d: Data,
                         share: float = 0.05) -> pd.DataFrame:
    """The 5 % rule on the projected 16–64 of the län and the förbund, after the edition's own
    estimate (``areas``: :func:`analysis.methods.working_age.by_area`, as the Målgrupp chapter
    shows it; the län's is statistics when its single ages are): ``area_code, area_name, ar, typ,
    n16_64, lower80, upper80, malgrupp, malgrupp_lower80, malgrupp_upper80``."""
    edition = d.edition
    lan_estimated = bool(d.lan.loc[d.lan["ar"] == edition, "estimated"].any())
    t = outlook[(outlook["group"] == "16-64") & (outlook["ar"] > edition)
                & outlook["area_code"].isin([geo.LAN_KOD, *geo.FORBUND])].copy()
    now = areas[(areas["ar"] == edition) & areas["area_code"].isin([geo.LAN_KOD, *geo.FORBUND])]
    now = pd.DataFrame({"area_code": now["area_code"], "area_name": now["area_name"],
                        "ar": edition,
                        "typ": np.where((now["area_type"] == "lan") & (not lan_estimated), STAT,
                                        EST),
                        "value": now["n16_64"]})
    t = pd.concat([now, t.drop(columns="group")], ignore_index=True)
    t = t.rename(columns={"value": "n16_64"})
    t["malgrupp"] = population.target_group(t["n16_64"], share)
    t["malgrupp_lower80"] = population.target_group(t["lower80"], share)
    t["malgrupp_upper80"] = population.target_group(t["upper80"], share)
    order = {c: i for i, c in enumerate([geo.LAN_KOD, *geo.FORBUND])}
    return t.sort_values(["area_code", "ar"], key=lambda s: s.map(order) if s.name ==
                         "area_code" else s, ignore_index=True)


# --------------------------------------------------------------------------- checks afterwards
def regionfakta_groups(rf: pd.DataFrame) -> pd.DataFrame:
    """SCB's population by broad age group 31 December (Regionfakta's kommun table):
    ``region, ar, group, observed`` for the kommuner and the län."""
    t = rf[(rf["tabell"] == "folkmangd_aldersgrupp") & rf["variabel"].isin(list(REGIONFAKTA_GROUPS))
           & rf["region_kod"].isin([*geo.KOMMUNER, geo.LAN_KOD])]
    t = t.drop_duplicates(["region_kod", "period", "variabel"])
    out = pd.DataFrame({"region": t["region_kod"], "ar": t["period"].astype(int),
                        "group": t["variabel"].map(REGIONFAKTA_GROUPS), "observed": t["varde"]})
    return out.reset_index(drop=True)


def _against(proj: pd.DataFrame, obs: pd.DataFrame, q: pd.DataFrame | None) -> pd.DataFrame:
    """Projected (``region, ar, group, projected``, with ``horizon``) against observed values, with
    the 80 % interval where the back-test gives one (``inside`` NaN elsewhere)."""
    m = proj.merge(obs, on=["region", "ar", "group"], how="inner")
    m = pj.add_errors(m).assign(error=lambda t: t["projected"] / t["observed"] - 1,
                                typ=PROJ)  # what ``projected`` is; ``observed`` is statistics
    if q is not None:
        m = m.merge(q, on=["group", "horizon"], how="left")
        m["lower80"] = m["projected"] * np.exp(-m["q"])
        m["upper80"] = m["projected"] * np.exp(m["q"])
        m["inside"] = np.where(m["q"].notna(), (m["log_error"].abs() <= m["q"]).astype(float),
                               np.nan)
        m = m.drop(columns="q")
    return m


def _q(iv: pd.DataFrame) -> pd.DataFrame:
    return iv[iv["level"] == LEVEL][["group", "horizon", "q"]]


def _kommun_rows(d: Data, lan_ages: pd.DataFrame, base: int) -> pd.DataFrame:
    kp = pj.kommun_projection(lan_ages, d.shares, base, trend=pj.share_trend(d.kommun_totals,
                                                                             base))
    g = pj.kommun_groups(kp).rename(columns={"kommun_kod": "region", "value": "projected"})
    return g.assign(horizon=g["ar"] - base)


def check_2015(d: Data, rf: pd.DataFrame | None, lan_err0: pd.DataFrame, kom_err0: pd.DataFrame,
               a: pj.Assumptions = pj.DEFAULT) -> dict[str, pd.DataFrame]:
    """The projection from 2015 (the last year with single ages) against what happened: every
    län's total 2016–2019, Örebro län's broad age groups 2018 and the kommuner's totals
    2016–2019, each with the 80 % interval of back-tests whose outcomes end in 2015 (``lan_err0``: the län back-test without gap; ``kom_err0``: the kommun back-test to 2015).

    Returns ``{"lan": …, "lan_groups": …, "kommun": …}`` (tables of :func:`_against`;
    ``lan_groups`` is ``None`` without Regionfakta's age table, ``rf``).
    """
    base = CHECK_2015
    later = sorted(y for y in d.totals if y > base)
    model = pj.estimate(d.v, base, a)
    pop, _ = pj.project(model, d.v.pop[d.v.index(base)], base, max(later))
    proj = Projection(model, np.arange(base, max(later) + 1), pop)
    lan_iv = _q(intervals(lan_err0, len(later)))
    tot = pd.DataFrame([{"region": r, "ar": y, "group": "total", "horizon": y - base,
                         "projected": pop[y - base, i].sum()}
                        for i, r in enumerate(d.v.regions) for y in later])
    obs = pd.DataFrame([{"region": r, "ar": y, "group": "total", "observed": d.totals[y][i]}
                        for i, r in enumerate(d.v.regions) for y in later])
    lan = _against(tot, obs, lan_iv).assign(lan_namn=lambda t: t["region"].map(
        dict(zip(d.v.regions, d.v.names, strict=True))))
    lan_groups = None
    if rf is not None:
        rfg = regionfakta_groups(rf)
        lan_long = pj.long_table(pop[:, [d.i18]], proj.years, [geo.LAN_KOD])
        lan_long = lan_long.rename(columns={"value": "projected"}).assign(
            horizon=lambda t: t["ar"] - base)
        lan_groups = _against(lan_long, rfg[rfg["ar"] <= max(later)], lan_iv)
    kom_iv = _q(kommun_intervals(kom_err0, len(later)).query("kind == 'kommun'"))
    kp = _kommun_rows(d, proj.lan_ages(d.i18), base)
    kt = d.kommun_totals[d.kommun_totals["ar"].isin(later)]
    kobs = pd.DataFrame({"region": kt["kommun_kod"], "ar": kt["ar"], "group": "total",
                         "observed": kt["folkmangd"].astype(float)})
    kommun = _against(kp, kobs, kom_iv)
    kommun["kommun_namn"] = kommun["region"].map(geo.KOMMUNER)
    return {"lan": lan, "lan_groups": lan_groups, "kommun": kommun}


def check_later(d: Data, proj: Projection, rf: pd.DataFrame, lan_iv: pd.DataFrame,
                kom_iv: pd.DataFrame) -> pd.DataFrame:
    """The edition's projection against SCB's broad age groups of the later years in the data
    (Regionfakta: 2018, 2020, 2022, 2023), for the län and every kommun; 80 % intervals where the
    back-tests give them (every group for the län; total and 65+ for the kommuner)."""
    rfg = regionfakta_groups(rf)
    rfg = rfg[(rfg["ar"] > d.edition) & (rfg["ar"] <= int(proj.years[-1]))]
    lan_long = _long(d, proj).rename(columns={"value": "projected"}).drop(columns="region")
    lan = _against(lan_long.assign(region=geo.LAN_KOD), rfg, _q(lan_iv))
    kom = _against(_kommun_rows(d, proj.lan_ages(d.i18), d.edition), rfg,
                   _q(kom_iv.query("kind == 'kommun'")))
    out = pd.concat([lan, kom], ignore_index=True)
    out["area_name"] = out["region"].map(geo.area_name)
    return out


def check_display(t: pd.DataFrame, year: int, groups=CHECK_GROUPS
                  ) -> pd.DataFrame:
    """:func:`check_later` for one year on the page: a row per area, the relative error of each
    group (projection minus statistics, per cent of the statistics)."""
    s = t[t["ar"] == year]
    w = s.pivot_table(index=["region", "area_name"], columns="group", values="error")
    order = [geo.LAN_KOD, *sorted(geo.KOMMUNER, key=geo.KOMMUNER.get)]
    w = w.reindex([i for i in order if i in w.index.get_level_values(0)], level=0)
    out = pd.DataFrame({"Område": w.index.get_level_values(1)})
    for g in groups:
        out[SHORT_LABELS[g]] = [text.share(x, 1, sign=True) for x in w[g]]
    return out


# --------------------------------------------------------------------------- the chapter
@dataclass
class Chapter:
    """Everything the "Framtidens befolkning" section shows, for one edition."""

    data: Data
    proj: Projection
    errors: pd.DataFrame        # cohort-component back-test as the edition's jump-off (intervals)
    errors0: pd.DataFrame       # … without gap, beside Hamilton–Perry
    hp: pd.DataFrame
    iv: pd.DataFrame
    fan: pd.DataFrame
    groups: pd.DataFrame
    pyramid: pd.DataFrame
    dependency: pd.DataFrame
    mape: pd.DataFrame
    better: dict
    coverage: pd.DataFrame
    scb: pd.DataFrame | None    # None without the seed figures (SCB's projection, Bilaga 2)
    outlook: pd.DataFrame
    check15: dict[str, pd.DataFrame | None] | None
    later: pd.DataFrame         # empty without Regionfakta's age table


def chapter(d: Data, seed: pd.DataFrame | None, rf: pd.DataFrame | None) -> Chapter:
    """Run the projection, its back-tests, intervals and checks for chapter 1.

    For a region without the Örebro-only material, ``seed`` (the seed figures: SCB's projection
    for the Uppsala–Örebro health-care region) and ``rf`` (Regionfakta's kommun age groups) are
    ``None``: the comparison with SCB (``scb``) is then ``None``, the check against the later
    years' age groups (``later``) empty and the 2015 check has no ``lan_groups``; everything else
    comes from SCB's national tables and is the same."""
    proj = project(d)
    errors = lan_errors(d)
    errors0 = lan_errors(d, gap=0) if d.gap else errors
    hp = lan_errors(d, method="hp")
    iv = intervals(errors, END_YEAR - d.edition)
    dep = population.dependency_series(d.lan)
    m = mape_table(errors0, hp)
    kom_err = kommun_errors(d)
    kom_iv = kommun_intervals(kom_err, END_YEAR - d.edition)
    outlook = cached_outlook(d, proj, iv, kom_iv)
    check15 = None
    if d.v.years[-1] >= CHECK_2015 and any(y > CHECK_2015 for y in d.totals):
        kom0 = (kom_err if d.gap == 0 and d.edition == CHECK_2015
                else kommun_errors(d, gap=0, last_outcome=CHECK_2015))
        check15 = check_2015(d, rf, errors0, kom0)
    return Chapter(d, proj, errors, errors0, hp, iv, fan_table(d, proj, iv),
                   group_table(d, proj, iv), pyramid_table(d, proj),
                   dependency_table(d, proj, iv, dep), m, better_method(m),
                   coverage_table(errors),
                   None if seed is None else scb_comparison(d, proj, seed, iv), outlook, check15,
                   _no_later() if rf is None else check_later(d, proj, rf, iv, kom_iv))


def _no_later() -> pd.DataFrame:
    """:func:`check_later` where there is nothing to check against (no Regionfakta)."""
    return pd.DataFrame(columns=["region", "ar", "group", "projected", "observed", "error",
                                 "area_name"])


def edition_outlook(d: Data) -> pd.DataFrame:
    """:func:`kommun_outlook` for the edition (for the profiles and the Målgrupp chapter), cached
    on disk: the first notebook of a build computes it, the others read it."""
    return cached_outlook(d, None, None, None)


CACHE_VERSION = 1


def cached_outlook(d: Data, proj: Projection | None, iv: pd.DataFrame | None,
                   kom_iv: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`kommun_outlook` under ``data/interim/befolkningsframskrivning/<key>/`` (key: the
    edition, the inputs' md5 and the code of this module and all it imports; see
    :func:`analysis.core.diskcache.cached`). Missing pieces are computed when needed."""
    code = diskcache.code_hash(__name__)
    key = diskcache.key({"v": CACHE_VERSION, "edition": d.edition, "inputs": d.input_keys,
                         "code": code})

    def build() -> pd.DataFrame:
        p = proj if proj is not None else project(d)
        li = iv if iv is not None else intervals(lan_errors(d), END_YEAR - d.edition)
        ki = kom_iv if kom_iv is not None else kommun_intervals(kommun_errors(d),
                                                                END_YEAR - d.edition)
        return kommun_outlook(d, p, ki, li)

    def write(t: pd.DataFrame, folder) -> dict:
        diskcache.write_parquet_atomic(t, folder / "outlook.parquet")
        return {"edition": d.edition}

    return diskcache.cached(diskcache.default_root("befolkningsframskrivning"), key, code, build,
                            write, lambda folder, _meta: pd.read_parquet(
                                folder / "outlook.parquet"))


def _value(t: pd.DataFrame, group: str, year: int, col: str = "value") -> float:
    return float(t[(t["group"] == group) & (t["ar"] == year)][col].iloc[0])


def glue_values(c: Chapter) -> dict[str, str]:
    """The section's numbers as formatted text for ``{glue:text}`` (names start with ``fr_``)."""
    d, g = c.data, c.groups
    t1, t2 = TARGET_YEARS
    e = d.edition
    cov = c.coverage.set_index(["group", "level"])["andel"]
    mig_years = text.year_range(e - pj.DEFAULT.migration_window + 1, e)
    m10 = c.mape[(c.mape["horizon"] == 10) & (c.mape["group"] == "total")].set_index("method")
    out = {
        "fr_edition": str(e), "fr_t1": str(t1), "fr_t2": str(t2),
        "fr_last_known": str(d.last_known), "fr_mig_years": mig_years,
        "fr_pop_now": text.num(_value(g, "total", e)),
        "fr_pop_t1": text.num(_value(g, "total", t1), -2),
        "fr_pop_t1_lo": text.num(_value(g, "total", t1, "lower80"), -2),
        "fr_pop_t1_hi": text.num(_value(g, "total", t1, "upper80"), -2),
        "fr_pop_t2": text.num(_value(g, "total", t2), -2),
        "fr_pop_t2_lo": text.num(_value(g, "total", t2, "lower80"), -2),
        "fr_pop_t2_hi": text.num(_value(g, "total", t2, "upper80"), -2),
        "fr_growth_t1": text.share(_value(g, "total", t1) / _value(g, "total", e) - 1, 1,
                                   sign=True),
        "fr_80_now": text.num(_value(g, "80+", e), -2),
        "fr_80_t1": text.num(_value(g, "80+", t1), -2),
        "fr_80_growth": text.share(_value(g, "80+", t1) / _value(g, "80+", e) - 1, 0, sign=True),
        "fr_019_t1": text.share(_value(g, "0-19", t1) / _value(g, "0-19", e) - 1, 0, sign=True),
        "fr_2064_t1": text.share(_value(g, "20-64", t1) / _value(g, "20-64", e) - 1, 0,
                                 sign=True),
        "fr_fk_now": text.num(_value(g, "forsorjningskvot", e), 1),
        "fr_fk_t1": text.num(_value(g, "forsorjningskvot", t1), 0),
        "fr_fk_t1_lo": text.num(_value(g, "forsorjningskvot", t1, "lower80"), 0),
        "fr_fk_t1_hi": text.num(_value(g, "forsorjningskvot", t1, "upper80"), 0),
        "fr_mig": text.num(float(c.proj.model.mig[d.i18].sum()), -2),
        "fr_better": ("kohortkomponentmodellen" if c.better["better"] == "cc"
                      else "Hamilton–Perry-modellen"),
        "fr_cc_wins": f"{c.better['cc_wins']} av {c.better['cells']}",
        "fr_cc_10": text.share(m10.loc["cc", "mape"], 1),
        "fr_hp_10": text.share(m10.loc["hp", "mape"], 1),
        "fr_split": str(SPLIT_YEAR),
        "fr_cov80": text.share(cov.loc[("total", 0.8)], 0),
        "fr_cov95": text.share(cov.loc[("total", 0.95)], 0),
        **({} if c.scb is None else _scb_values(c.scb)),
        "fr_first_base": str(FIRST_BASE), "fr_kommun_first_base": str(kommun_first_base(d)),
        "fr_trend_years": str(pj.DEFAULT.trend_window),
        "fr_rate_years": str(pj.DEFAULT.rate_window),
        "fr_mig_window": str(pj.DEFAULT.migration_window),
        "fr_cov_verdict": coverage_verdict(cov.loc[("total", 0.8)], cov.loc[("total", 0.95)]),
    }
    if c.check15 is not None:
        lan, kom = c.check15["lan"], c.check15["kommun"]
        last = int(lan["ar"].max())
        own = lan[(lan["region"] == geo.LAN_KOD) & (lan["ar"] == last)].iloc[0]
        out |= {
            "fr_c15_last": str(last),
            "fr_c15_lan_in": f"{int(lan['inside'].sum())} av {len(lan)}",
            "fr_c15_kom_in": f"{int(kom['inside'].sum())} av {len(kom)}",
            "fr_c15_lan": text.share(own["error"], 1, sign=True),
            "fr_c15_kom_mape": text.share(kom.loc[kom["ar"] == last, "ape"].mean(), 1),
        }
    if len(c.later):
        last = int(c.later["ar"].max())
        tot = c.later[(c.later["group"] == "total") & (c.later["ar"] == last)]
        kom = tot[tot["region"] != geo.LAN_KOD]
        worst = kom.loc[kom["ape"].idxmax()]
        out |= {
            "fr_cl_last": str(last),
            "fr_cl_lan": text.share(tot.loc[tot["region"] == geo.LAN_KOD, "error"].iloc[0], 1,
                                    sign=True),
            "fr_cl_kom_mape": text.share(kom["ape"].mean(), 1),
            "fr_cl_worst": f"{worst['area_name']} ({text.share(worst['error'], 1, sign=True)})",
            "fr_cl_kom_in": f"{int(kom['inside'].sum())} av {len(kom)}",
            "fr_cl_groups": later_sentence(c.later),
        }
    return out


def _scb_values(scb: pd.DataFrame) -> dict[str, str]:
    """:func:`glue_values` of the comparison with SCB's projection (:func:`scb_comparison`)."""
    lan_row = scb.set_index("lan_kod").loc[geo.LAN_KOD]
    inside = ((scb["scb"] >= scb["lower80"]) & (scb["scb"] <= scb["upper80"])).sum()
    far = scb.loc[scb["diff"].abs().idxmax()]
    return {
        "fr_scb_own": text.share(lan_row["framskrivning"], 1, sign=True),
        "fr_scb_pub": text.share(lan_row["scb"], 1, sign=True),
        "fr_scb_inside": f"{int(inside)} av {len(scb)}",
        "fr_scb_far": far["lan_namn"],
        "fr_scb_far_diff": text.points(far["diff"], 1, sign=True),
        "fr_scb_from": str(SCB_PERIOD[0]), "fr_scb_to": str(SCB_PERIOD[1]),
        "fr_scb_order": scb_sentence(scb),
    }


def later_sentence(t: pd.DataFrame) -> str:
    """Which age group the later check missed most, in Swedish (the kommuner's mean absolute
    error in the last year), and for children whether the projection was too high."""
    last = int(t["ar"].max())
    s = later_summary(t)
    s = s[s["ar"] == last].set_index("group")
    worst = s["kommun_mape"].drop("total").idxmax()
    out = (f"Bland åldersgrupperna var felet störst för {GROUP_LABELS[worst]} (i genomsnitt "
           f"{text.share(s.loc[worst, 'kommun_mape'], 1)} per kommun {last}).")
    if s.loc["0-15", "lan"] > 0:
        out += (f" Framskrivningen av antalet barn 0–15 år i länet var "
                f"{text.share(s.loc['0-15', 'lan'], 1)} för hög: barnafödandet i Sverige sjönk "
                "kraftigt efter 2017, vilket en framskrivning som bygger på åren innan inte kan "
                "veta.")
    return out


def coverage_verdict(c80: float, c95: float, tol: float = 0.03) -> str:
    """Whether held-back coverage says the intervals are about right, too narrow or too wide."""
    if c80 < LEVEL - tol or c95 < 0.95 - tol:
        return "något för smala"
    if c80 > LEVEL + tol and c95 > 0.95:
        return "något för breda"
    return "ungefär lagom breda"


def scb_sentence(t: pd.DataFrame) -> str:
    """Where the book's and SCB's growth agree on the order of the seven län (Swedish text)."""
    short = t.assign(namn=t["lan_namn"].str.removesuffix(" län").str.removesuffix("s"))
    own, pub = short.sort_values("framskrivning"), short.sort_values("scb")
    rho = float(t["framskrivning"].rank().corr(t["scb"].rank()))
    top = "båda" if own["namn"].iloc[-1] == pub["namn"].iloc[-1] else None
    low_own, low_pub = set(own["namn"].iloc[:3]), set(pub["namn"].iloc[:3])
    parts = []
    if top:
        parts.append(f"båda ger snabbast tillväxt i {own['namn'].iloc[-1]}")
    if low_own == low_pub:
        names = sorted(low_own)
        parts.append(f"långsammast i {', '.join(names[:-1])} och {names[-1]}")
    body = (" och ".join(parts) + "; ") if parts else ""
    return f"{body}rangkorrelationen mellan bokens och SCB:s värden är {text.num(rho, 2)}"


def source_line() -> str:
    """The source line of the section's figures and tables."""
    return (SOURCE + "; SCB, Folkmängd i kommunerna 1950–2019; Kolada/RKA (SCB); framskrivningen "
            "är bokens beräkning")


# --------------------------------------------------------------------------- page tables
def _interval(lo: float, hi: float, decimals: int = -1) -> str:
    return f"{text.num(lo, decimals)}–{text.num(hi, decimals)}"


def kommun_display(outlook: pd.DataFrame, edition: int, group: str = "total") -> pd.DataFrame:
    """The kommuner's (and the län's) ``group`` at the edition and each projected year with its
    80 % interval, largest kommun first."""
    t = outlook[(outlook["group"] == group) & ~outlook["area_code"].isin(list(geo.FORBUND))]
    now = t[t["ar"] == edition].set_index("area_code")["value"]
    order = [*now.drop(geo.LAN_KOD).sort_values(ascending=False).index, geo.LAN_KOD]
    rows = []
    for code in order:
        r = t[t["area_code"] == code].set_index("ar")
        row = {"Område": geo.area_name(code), str(edition): text.num(r.loc[edition, "value"])}
        for y in r.index[r.index > edition]:
            row[f"{y}, framskrivning (80 % intervall)"] = _with_interval(r.loc[y])
        rows.append(row)
    return pd.DataFrame(rows)


def check15_display(check: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The 2015-based check for the page: the län and each kommun in the last year, projected and
    counted, the error and whether the count fell inside the 80 % interval."""
    lan, kom = check["lan"], check["kommun"]
    last = int(lan["ar"].max())
    t = pd.concat([lan[(lan["region"] == geo.LAN_KOD) & (lan["ar"] == last)],
                   kom[kom["ar"] == last].sort_values("observed", ascending=False)])
    return pd.DataFrame({
        "Område": [geo.area_name(r) for r in t["region"]],
        f"Framskrivning {last} (80 % intervall)": [
            _with_interval(r) for _, r in t.rename(columns={"projected": "value"}).iterrows()],
        f"Statistik {last}": [text.num(x) for x in t["observed"]],
        "Fel": [text.share(x, 1, sign=True) for x in t["error"]],
        "Inom intervallet": ["ja" if x else "nej" for x in t["inside"]],
    })


def groups_check_display(t: pd.DataFrame) -> pd.DataFrame:
    """Örebro län's broad age groups, projected from 2015 and counted (Regionfakta)."""
    order = [g for g in CHECK_GROUPS if g in set(t["group"])]
    t = t.set_index("group").loc[order]
    return pd.DataFrame({
        "Grupp": [GROUP_LABELS[g] for g in order],
        "Framskrivning (80 % intervall)": [
            _with_interval(r) for _, r in t.rename(columns={"projected": "value"}).iterrows()],
        "Statistik": [text.num(x) for x in t["observed"]],
        "Fel": [text.share(x, 1, sign=True) for x in t["error"]],
    })


def later_summary(t: pd.DataFrame) -> pd.DataFrame:
    """:func:`check_later` summed up: per year and group, the län's error and the kommuner's mean
    absolute error (MAPE)."""
    kom = t[t["region"] != geo.LAN_KOD].groupby(["ar", "group"])["ape"].mean()
    lan = t[t["region"] == geo.LAN_KOD].set_index(["ar", "group"])["error"]
    out = pd.DataFrame({"lan": lan, "kommun_mape": kom}).reset_index()
    out["group"] = pd.Categorical(out["group"], list(CHECK_GROUPS), ordered=True)
    return out.sort_values(["group", "ar"], ignore_index=True)


def later_display(s: pd.DataFrame) -> pd.DataFrame:
    """:func:`later_summary` for the page: a row per group, per year the län's error and the
    kommuner's MAPE."""
    first = s["ar"] == s["ar"].min()
    return pd.DataFrame({
        "Grupp": [GROUP_LABELS[g] if f else "" for g, f in zip(s["group"], first, strict=True)],
        "År": s["ar"].astype(str),
        "Fel för länet": [text.share(x, 1, sign=True) for x in s["lan"]],
        "Kommunernas genomsnittliga absoluta fel": [text.share(x, 1) for x in s["kommun_mape"]],
    })


def scb_display(t: pd.DataFrame) -> pd.DataFrame:
    """:func:`scb_comparison` for the page."""
    return pd.DataFrame({
        "Län": t["lan_namn"],
        "SCB:s prognos": [text.share(x, 1, sign=True) for x in t["scb"]],
        "Bokens framskrivning (80 % intervall)": [
            f"{text.share(x, 1, sign=True)} ({text.share(lo, 0, sign=True)} till "
            f"{text.share(hi, 0, sign=True)})"
            for x, lo, hi in zip(t["framskrivning"], t["lower80"], t["upper80"], strict=True)],
        "Skillnad (procentenheter)": [text.points(x, 1, sign=True) for x in t["diff"]],
        "Nettoinflyttning per år (antagande)": [text.num(x, -2) for x in t["mig_per_ar"]],
    })


def target_display(t: pd.DataFrame) -> pd.DataFrame:
    """:func:`target_group_outlook` for the page (rounded to tens, intervals as text)."""
    return pd.DataFrame({
        "Område": t["area_name"], "År": t["ar"].astype(str), "Typ": t["typ"],
        "16–64 år (80 % intervall)": [
            text.num(x, -1) + ("" if pd.isna(lo) else f" ({_interval(lo, hi)})")
            for x, lo, hi in zip(t["n16_64"], t["lower80"], t["upper80"], strict=True)],
        "Målgrupp, 5 % (80 % intervall)": [
            text.num(x, -1) + ("" if pd.isna(lo) else f" ({_interval(lo, hi)})")
            for x, lo, hi in zip(t["malgrupp"], t["malgrupp_lower80"], t["malgrupp_upper80"],
                                 strict=True)],
    })


def profile_sentence(outlook: pd.DataFrame, area_code: str, edition: int) -> str:
    """One Swedish sentence on the kommun's projected 65+ and 80+ in the first target year."""
    t = outlook[outlook["area_code"] == area_code].set_index(["group", "ar"])
    y = TARGET_YEARS[0]
    name = geo.area_name(area_code)

    r65, r80 = t.loc[("65+", y)], t.loc[("80+", y)]
    n0, n1 = t.loc[("total", edition), "value"], t.loc[("total", y), "value"]
    return (f"Enligt framskrivningen har {name} omkring {text.num(n1, -1)} invånare år {y} "
            f"({text.share(n1 / n0 - 1, 0, sign=True)} jämfört med {edition}). Av dem är omkring "
            f"{text.num(r65['value'], -1)} personer 65 år eller äldre (80 procents intervall "
            f"{_interval(r65['lower80'], r65['upper80'])}) och {text.num(r80['value'], -1)} "
            f"personer 80 år eller äldre ({_interval(r80['lower80'], r80['upper80'])}). "
            "Kommunens framskrivning är en del av länets och är osäkrare ju mindre kommunen är.")


def division_note(changes: list[dict], lan_kod: str, first_year: int, edition: int) -> str:
    """What a reader must know when a kommun moved into or out of the län (the catalogue's
    ``boundaries: changes`` of the national kommun table, e.g. Heby from Västmanland to Uppsala
    län in 2007): SCB's population by age and sex follows each year's län division, the kommun
    series today's, so the län's age series jump where the division changed. Empty when no
    change touches the län between ``first_year`` and ``edition``."""
    notes = []
    for ch in changes:
        if lan_kod not in (ch.get("from_lan"), ch.get("to_lan")):
            continue
        year = int(ch["year"])
        if not first_year < year <= edition:
            continue
        moved_in = ch.get("to_lan") == lan_kod
        notes.append(
            f"{ch['what']} {year}. SCB:s folkmängd efter ålder och kön för länet följer varje års "
            f"länsindelning, så länets uppgifter efter ålder före {year} "
            f"{'saknar' if moved_in else 'omfattar'} kommunen, medan folkmängden per kommun är "
            "omräknad till dagens indelning för alla år. "
            f"Diagram och tabeller efter ålder gör därför ett hopp mellan {year - 1} och {year}.")
    return " ".join(notes)
