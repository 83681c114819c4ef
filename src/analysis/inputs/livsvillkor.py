"""Livsvillkor per kommun: the real published kommun tables, checked against the book's own data.

There is no synthetic variant: every figure is published official statistics. :func:`load` reads
the catalogued tables and checks them on load against what the book already has (SCB's kommun
totals 2012–2019, the Kolada age groups behind the book's försörjningskvot, and the sums of the
kommuner against the län); a failed check raises :class:`~analysis.core.errors.InputError` naming
the file, the column and the rows::

    data = livsvillkor.load()   # LivsvillkorData: .indicators (tidy), .checks, .riket_children …
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core import diskcache, geo
from analysis.core.errors import InputError
from analysis.methods import livsvillkor as lv
from analysis.methods import population
from analysis.sources import catalog

#: The catalogue datasets :func:`load` reads.
DATASETS = ("regionfakta_orebro_lan", "newsworthy_orebro_lan_kommun",
            "barn_ekonomisk_utsatthet_riket", "folkmangd_kommun", "kolada_befolkning")

#: Count tables whose 12 kommuner must add up to the län row (Regionfakta's own check).
SUMMED_TABLES = ("folkmangd_aldersgrupp", "utrikes_fodda_kon", "folkmangd_31dec")


@dataclass
class LivsvillkorData:
    """The real kommun indicators and the record of the checks they passed."""

    indicators: pd.DataFrame
    checks: pd.DataFrame
    regionfakta: pd.DataFrame
    newsworthy: pd.DataFrame
    riket_children: pd.DataFrame
    synthetic: bool = False
    source: str = field(default="")


def _file(name: str) -> str:
    return str(catalog.path(name).relative_to(catalog.project_root()))


def _fail(name: str, message: str, column: str, bad: pd.DataFrame, table: pd.DataFrame) -> None:
    rows = [int(i) + 1 for i in bad.index] if set(bad.index) <= set(table.index) else None
    raise InputError(_file(name), message, column=column, rows=rows)


def check_population(rf: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """Regionfakta's kommun populations 31 Dec 2017 and 2018 (two tables) equal SCB's series.

    Returns one row per check (``check, area_code, period, value, expected, ok``).
    """
    scb = totals.set_index(["kommun_kod", "ar"])["folkmangd"]
    out = []
    for tabell, var in (("folkmangd_31dec", "folkmangd"), ("folkmangd_aldersgrupp", "totalt")):
        t = rf[(rf["tabell"] == tabell) & (rf["variabel"] == var)
               & rf["region_kod"].isin(list(geo.KOMMUNER))]
        t = t[t["period"].astype(int) <= int(totals["ar"].max())]
        exp = [scb.get((k, int(p)), np.nan) for k, p in zip(t["region_kod"], t["period"], strict=True)]
        bad = t[~np.isclose(t["varde"].to_numpy(float), np.asarray(exp, float))]
        if len(bad):
            _fail("regionfakta_orebro_lan", f"{tabell}: population differs from SCB's kommun "
                  "series (folkmangd_kommun)", "varde", bad, rf)
        out += [{"check": f"{tabell} = SCB folkmängd", "area_code": k, "period": str(p),
                 "value": float(v), "expected": float(e), "ok": True}
                for k, p, v, e in zip(t["region_kod"], t["period"], t["varde"], exp, strict=True)]
    return pd.DataFrame(out)


def check_sums(rf: pd.DataFrame) -> pd.DataFrame:
    """The 12 kommuner add up to the län in the count tables of :data:`SUMMED_TABLES`, and the
    age groups add up to the total in every area and year."""
    out = []
    for tabell in SUMMED_TABLES:
        t = rf[rf["tabell"] == tabell]
        for (period, var), g in t.groupby(["period", "variabel"]):
            if str(var).startswith("andel"):
                continue
            k = g[g["region_kod"].isin(list(geo.KOMMUNER))]
            lan = g[g["region_kod"] == geo.LAN_KOD]
            if len(k) != len(geo.KOMMUNER) or len(lan) != 1:
                continue
            ok = np.isclose(k["varde"].sum(), lan["varde"].iloc[0])
            if not ok:
                _fail("regionfakta_orebro_lan", f"{tabell} {period} {var}: the kommuner add up to "
                      f"{k['varde'].sum():.0f}, the län row says {lan['varde'].iloc[0]:.0f}",
                      "varde", lan, rf)
            out.append({"check": f"{tabell}: summa kommuner = länet", "area_code": geo.LAN_KOD,
                        "period": f"{period} {var}", "value": float(k["varde"].sum()),
                        "expected": float(lan["varde"].iloc[0]), "ok": True})
    ag = rf[rf["tabell"] == "folkmangd_aldersgrupp"].pivot_table(
        index=["region_kod", "period"], columns="variabel", values="varde")
    parts = ag[[c for c in ag.columns if c.startswith("alder_")]].sum(axis=1)
    bad = ag[~np.isclose(parts, ag["totalt"])]
    if len(bad):
        raise InputError(_file("regionfakta_orebro_lan"), "folkmangd_aldersgrupp: the age groups "
                         "do not add up to totalt for " + ", ".join(map(str, bad.index)),
                         column="varde")
    out += [{"check": "åldersgrupper = totalt", "area_code": r, "period": p,
             "value": float(s), "expected": float(t), "ok": True}
            for (r, p), s, t in zip(ag.index, parts, ag["totalt"], strict=True)]
    return pd.DataFrame(out)


def check_forsorjningskvot(rf: pd.DataFrame, kolada: pd.DataFrame, tolerance: float = 0.051
                           ) -> pd.DataFrame:
    """The published försörjningskvot 2017 against the book's own computation from Kolada's age
    shares (:func:`analysis.methods.population.forsorjningskvot`), and against its own counts.

    The book recovers Kolada's exact counts, so both must agree to the printed decimal
    (``tolerance``); the published kvot must also equal its own counts.
    """
    fk = rf[rf["tabell"] == "forsorjningskvot"].pivot_table(
        index="region_kod", columns="variabel", values="varde")
    own = 100 * fk["antal_0_19_och_65plus"] / fk["antal_20_64"]
    bad = fk[(own - fk["forsorjningskvot"]).abs() > 0.051]
    if len(bad):
        raise InputError(_file("regionfakta_orebro_lan"), "forsorjningskvot 2017 does not match "
                         "its own counts for " + ", ".join(bad.index), column="varde")
    g = population.kolada_age_groups(kolada)
    g = g[g["ar"] == 2017].set_index("kommun_kod")
    book = pd.Series(population.forsorjningskvot(g["0-19"], g["20-64"], g["65+"]), index=g.index)
    out = []
    for k in geo.KOMMUNER:
        diff = float(book[k] - fk.loc[k, "forsorjningskvot"])
        if abs(diff) > tolerance:
            raise InputError(_file("regionfakta_orebro_lan"), f"forsorjningskvot 2017 for {k} is "
                             f"{fk.loc[k, 'forsorjningskvot']}, the book computes {book[k]:.1f} "
                             "from Kolada", column="varde")
        out.append({"check": "försörjningskvot 2017: publicerad mot bokens (Kolada)",
                    "area_code": k, "period": "2017", "value": float(fk.loc[k, "forsorjningskvot"]),
                    "expected": float(book[k]), "ok": True})
    return pd.DataFrame(out)


def check_newsworthy(nw: pd.DataFrame, rf: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """Newsworthy's population 31 Dec 2022 equals Regionfakta's, and minus its 10-year change
    equals SCB's 2012 figure, for every kommun."""
    w = nw[nw["tabell"] == "folkmangd_kvartal"].pivot_table(
        index="kommun_kod", columns="variabel", values="varde")
    rf22 = rf[(rf["tabell"] == "folkmangd_aldersgrupp") & (rf["period"] == "2022")
              & (rf["variabel"] == "totalt")].set_index("region_kod")["varde"]
    scb12 = totals[totals["ar"] == 2012].set_index("kommun_kod")["folkmangd"]
    out = []
    for k in geo.KOMMUNER:
        for what, v, e in (("folkmängd 2022 = Regionfakta", w.loc[k, "folkmangd"], rf22.get(k)),
                           ("folkmängd 2022 − 10-årsförändring = SCB 2012",
                            w.loc[k, "folkmangd"] - w.loc[k, "forandring_10_ar"], scb12.get(k))):
            if e is None or not np.isclose(v, e):
                bad = nw[(nw["kommun_kod"] == k) & (nw["variabel"] == "folkmangd")]
                _fail("newsworthy_orebro_lan_kommun", f"{what}: {v:.0f} against {e}", "varde",
                      bad, nw)
            out.append({"check": what, "area_code": k, "period": "2022", "value": float(v),
                        "expected": float(e), "ok": True})
    return pd.DataFrame(out)


def check_riket_children(ch: pd.DataFrame) -> pd.DataFrame:
    """Each riket series of children's economic vulnerability has consecutive years."""
    out = []
    for ind, g in ch[ch["region_kod"] == lv.RIKET].groupby("indikator"):
        years = sorted(g["ar"])
        if years != list(range(years[0], years[-1] + 1)):
            _fail("barn_ekonomisk_utsatthet_riket", f"{ind}: years are not consecutive", "ar", g, ch)
        out.append({"check": f"{ind}: sammanhängande år", "area_code": lv.RIKET,
                    "period": f"{years[0]}–{years[-1]}", "value": float(len(years)),
                    "expected": float(years[-1] - years[0] + 1), "ok": True})
    return pd.DataFrame(out)


def load() -> LivsvillkorData:
    """Read and check the real kommun tables; build the tidy indicator table (all periods).

    In a build the result is computed once and kept for the other notebooks
    (:func:`analysis.core.diskcache.memo`, keyed on the tables' md5 and this module's code);
    the tables are still loaded here (declared, checked and logged as inputs)."""
    rf = catalog.load("regionfakta_orebro_lan")
    nw = catalog.load("newsworthy_orebro_lan_kommun")
    ch = catalog.load("barn_ekonomisk_utsatthet_riket")
    totals = catalog.load("folkmangd_kommun")
    kolada = catalog.load("kolada_befolkning")
    return diskcache.memo(
        "livsvillkor", __name__,
        {"inputs": [diskcache.table_key(t) for t in (rf, nw, ch, totals, kolada)]},
        lambda: _load(rf, nw, ch, totals, kolada))


def _load(rf: pd.DataFrame, nw: pd.DataFrame, ch: pd.DataFrame, totals: pd.DataFrame,
          kolada: pd.DataFrame) -> LivsvillkorData:
    checks = pd.concat([check_population(rf, totals), check_sums(rf),
                        check_forsorjningskvot(rf, kolada), check_newsworthy(nw, rf, totals),
                        check_riket_children(ch)], ignore_index=True)
    raw = lv.raw_indicators(rf)
    table = pd.concat([lv.with_intervals(raw), lv.add_rest_of_lan(raw)], ignore_index=True)
    return LivsvillkorData(indicators=table, checks=checks, regionfakta=rf, newsworthy=nw,
                           riket_children=ch, source=citation())


def citation() -> str:
    """Source line naming the producers (not the intermediary that printed the tables)."""
    return ("Källa: SCB (befolkning, utrikes födda, förvärvsarbete, studier, inkomst), "
            "Arbetsförmedlingen (arbetslöshet och program) och Socialstyrelsen (ekonomiskt bistånd), "
            "kommuntabeller återgivna av Regionfakta")
