"""Målgrupp chapter: the Finsam review's figures recomputed and set beside what was published.

The published figures and their checks are :mod:`analysis.sources.finsam_figures`; the
``*_table`` functions here recompute every derived figure and put it beside the published value
with its status and source, and the ``*_check`` functions say where they disagree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import geo, text
from analysis.sources import catalog
from analysis.sources.finsam_figures import (  # noqa: F401 (the chapter's view of the figures)
    INDICATORS,
    SEED_FILE,
    _sel,
    check_figures,
    check_quotes,
    figures,
    source,
    value,
)


def read_figures(path: Path | str) -> pd.DataFrame:
    """Read, validate and check a transcribed figures CSV (outside the catalogue, e.g. in tests)."""

    df = catalog.read_table(path, "csv", "finsam_genomlysning")
    return check_figures(df, str(path))


AREAS = ["LO", "1814", "1880", "SN", "DK", "SO", geo.LAN_KOD]
#: Kommuner that Bilaga 1 reports on their own as well (inside Lekeberg/Örebro).
BILAGA1_KOMMUNER = ("1814", "1880")
#: The year the review's figures refer to (its financial figures and Bilaga 1): a property of
#: the source document, not of the edition. Editions before it show only the computed figures.
REVIEW_YEAR = 2019


def area_label(code: str) -> str:
    """``"Lekeberg/Örebro"``, ``"– Lekeberg"`` (a kommun inside a förbund), ``"Örebro län"``."""
    if code in geo.KOMMUNER:
        return "\u2013 " + geo.kommun_namn(code)
    return geo.area_name(code)


def _status(published: float, computed: float, tol: float = 0.0) -> str:
    if np.isnan(computed):
        return "kan inte beräknas"
    if abs(computed - published) <= tol + 1e-9:
        return "lika"
    return "avviker"


def _row(what, area, published, computed, how, src, tol=0.0, status=None):
    return {"matt": what, "area_code": area, "omrade": area_label(area),
            "published": published, "computed": computed,
            "diff": computed - published if not np.isnan(computed) else np.nan,
            "status": status or _status(published, computed, tol), "hur": how, "kalla": src}


# --------------------------------------------------------------------------- Bilaga 1
def bilaga1_table(fig: pd.DataFrame) -> pd.DataFrame:
    """Bilaga 1 as a wide table (rows = indicators, columns = areas) with why each row is or is not
    in the bottom-up sum. Values as published (NaN where Bilaga 1 has none)."""
    b = fig[fig["table"] == "bilaga1"]
    order = list(dict.fromkeys(b["indicator"]))
    w = b.pivot_table(index="indicator", columns="area_code", values="value", aggfunc="first")
    w = w.reindex(index=order, columns=AREAS)
    insum = b.groupby("indicator")["in_sum"].max().reindex(order)
    out = w.reset_index()
    out.insert(1, "matt", [INDICATORS[i].label for i in order])
    out["ingar_i_summan"] = [("ja" if v == 1 else "nej") if not pd.isna(v) else ""
                             for v in insum.to_numpy()]
    out["varfor"] = [INDICATORS[i].why for i in order]
    return out


def bottom_up_check(fig: pd.DataFrame) -> pd.DataFrame:
    """Recompute the sums of Bilaga 1: the total 11 519 and each row's förbund sum."""
    rows = []
    parts = fig[(fig["table"] == "bilaga1") & (fig["in_sum"] == 1) & (fig["area_code"] == geo.LAN_KOD)]
    total = float(parts["value"].sum())
    rows.append(_row("Total målgrupp (nedifrån) = summan av raderna som ingår", geo.LAN_KOD,
                     value(fig, "malgrupp_bottom_up"), total,
                     " + ".join(f"{INDICATORS[i].label.split(' (')[0]} {v:,.0f}".replace(",", " ")
                                for i, v in zip(parts["indicator"], parts["value"], strict=True)),
                     source(fig, "malgrupp_bottom_up")))
    for ind in ("ae_pagaende", "inskrivna_af_12man", "forsorjningsstod_10man", "malgrupp_5pct"):
        sub = fig[(fig["indicator"] == ind) & (fig["area_type"] != "lan")]
        # a förbund row replaces its kommun rows (Lekeberg/Örebro in the 5 % row)
        frb = set(sub.loc[sub["area_type"] == "forbund", "forbund_kod"])
        use = sub[(sub["area_type"] == "forbund") | ~sub["forbund_kod"].isin(frb)]
        rows.append(_row(f"{INDICATORS[ind].label}: summan av förbunden", geo.LAN_KOD,
                         value(fig, ind), float(use["value"].sum()),
                         "summa per förbund/kommun", source(fig, ind)))
    rows.append(_row("5 %: Lekeberg + Örebro", "LO", value(fig, "malgrupp_5pct", "LO"),
                     value(fig, "malgrupp_5pct", "1814") + value(fig, "malgrupp_5pct", "1880"),
                     "230 + 4 848", source(fig, "malgrupp_5pct", "LO")))
    lt = value(fig, "inskrivna_af_12man") + value(fig, "korr_18_24_6man")
    rows.append(_row("Långtidsarbetslösa = inskrivna > 12 mån + korrigering 18–24 år",
                     geo.LAN_KOD, value(fig, "langtidsarbetslosa"), lt, "4 946 + 416",
                     source(fig, "langtidsarbetslosa")))
    corr = _sel(fig, "korr_18_24_6man")
    corr = float(corr.loc[corr["area_type"] != "lan", "value"].sum())
    rows.append(_row("Korrigering 18–24 år: summan av parentesvärdena per förbund (osäker läsning)",
                     geo.LAN_KOD, value(fig, "korr_18_24_6man"), corr,
                     "14 + 49 + 138 + 74 + 137", source(fig, "korr_18_24_6man")))
    return pd.DataFrame(rows)


def long_term_unemployed_by_forbund(fig: pd.DataFrame) -> pd.DataFrame:
    """Long-term unemployed per förbund (derived): registered > 12 months + the 18–24 correction
    read from the parentheses (an uncertain reading, see PROVENANCE)."""
    rows = []
    for f in geo.FORBUND:
        a = _sel(fig, "inskrivna_af_12man")
        b = _sel(fig, "korr_18_24_6man")
        n12 = float(a.loc[a["forbund_kod"] == f, "value"].sum())
        corr = float(b.loc[b["forbund_kod"] == f, "value"].sum())
        rows.append({"area_code": f, "omrade": area_label(f), "inskrivna_12man": n12,
                     "korr_18_24": corr, "langtidsarbetslosa": n12 + corr})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- reach and results
def reach_table(fig: pd.DataFrame) -> pd.DataFrame:
    """Participants and closures 2019 per area, derived from the published coverage and counts.

    Participants = coverage × published 5 % target group, rounded to whole persons (Bilaga 1 gives
    only the coverage); their sum is checked against the published 610. Lekeberg's closures are the
    residual 137 − (the four published counts). Closure rate = closures / participants.

    Returns
    -------
    DataFrame ``area_code, omrade, malgrupp, tackningsgrad, deltagare, avslut, avslut_per_deltagare,
    andel_avslutade, avslut_harledd`` (coverage and rates as proportions).
    """
    rows = []
    for a in ["1814", "1880", "SN", "DK", "SO"]:
        mg = value(fig, "malgrupp_5pct", a)
        cov = value(fig, "tackningsgrad", a) / 100
        rows.append({"area_code": a, "malgrupp": mg, "tackningsgrad": cov,
                     "deltagare": float(np.floor(cov * mg + 0.5))})
    out = pd.DataFrame(rows)
    closures = {a: value(fig, "avslut_arbete_studier", a) for a in ["1880", "SN", "DK", "SO"]}
    closures["1814"] = value(fig, "avslut_arbete_studier") - sum(closures.values())
    out["avslut"] = out["area_code"].map(closures)
    out["avslut_harledd"] = out["area_code"] == "1814"
    shares = _sel(fig, "andel_avslutade").set_index("area_code")["value"] / 100
    out["andel_avslutade"] = out["area_code"].map(shares)
    lo = out[out["area_code"].isin(["1814", "1880"])]
    extra = [{"area_code": "LO", "malgrupp": value(fig, "malgrupp_5pct", "LO"),
              "deltagare": lo["deltagare"].sum(), "avslut": lo["avslut"].sum(),
              "avslut_harledd": True},
             {"area_code": geo.LAN_KOD, "malgrupp": value(fig, "malgrupp_5pct"),
              "deltagare": out["deltagare"].sum(), "avslut": out["avslut"].sum(),
              "avslut_harledd": False, "tackningsgrad": value(fig, "tackningsgrad") / 100}]
    out = pd.concat([pd.DataFrame(extra[:1]), out, pd.DataFrame(extra[1:])], ignore_index=True)
    out.loc[out["area_code"] == "LO", "tackningsgrad"] = np.nan
    out["tackningsgrad_beraknad"] = out["deltagare"] / out["malgrupp"]
    out["avslut_per_deltagare"] = out["avslut"] / out["deltagare"]
    out.insert(1, "omrade", out["area_code"].map(area_label))
    return out


def reach_check(fig: pd.DataFrame) -> pd.DataFrame:
    """Published reach figures beside their recomputation (participants 610, län coverage 7 %,
    closures 137)."""
    r = reach_table(fig).set_index("area_code")
    rows = [
        _row("Deltagare 2019 = Σ täckningsgrad × målgrupp", geo.LAN_KOD, value(fig, "deltagare"),
             r.loc[geo.LAN_KOD, "deltagare"], "42 + 121 + 131 + 243 + 73 (avrundat per område)",
             source(fig, "deltagare")),
        _row("Täckningsgrad länet (%) = deltagare / målgrupp", geo.LAN_KOD,
             value(fig, "tackningsgrad"), round(100 * r.loc[geo.LAN_KOD, "tackningsgrad_beraknad"]),
             "610 / 9 108, avrundat till heltal som i bilagan", source(fig, "tackningsgrad")),
        _row("Avslut mot arbete/studier: Lekeberg (residual)", "1814", np.nan,
             r.loc["1814", "avslut"], "137 − 47 − 37 − 13 − 29", source(fig, "avslut_arbete_studier"),
             status="härledd"),
    ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- money
def finance_table(fig: pd.DataFrame) -> pd.DataFrame:
    """Per förbund 2019: allocation, participants, closures, allocation per participant and per
    closure, administration cost and shares, the implied total cost from the cost split.

    Money in tkr. ``tilldelning_per_deltagare`` and ``tilldelning_per_avslut`` are the book's own
    indicators (the review's cost-per-participant charts have no numbers in the text).
    """
    reach = reach_table(fig).set_index("area_code")
    rows = []
    for f in geo.FORBUND:
        alloc = value(fig, "medelstilldelning", f) * 1000
        adm = value(fig, "adminkostnad", f, "2019")
        adm_share = value(fig, "kostnadsandel_administration", f) / 100
        extra = _sel(fig, "extra_medel_i_kostnadsfordelning", f)
        extra = float(extra["value"].sum())
        rows.append({
            "area_code": f, "omrade": area_label(f), "tilldelning": alloc,
            "extra_medel": extra,
            "deltagare": reach.loc[f, "deltagare"] if f in reach.index else np.nan,
            "avslut": reach.loc[f, "avslut"] if f in reach.index else np.nan,
            "adminkostnad": adm,
            "admin_andel_tilldelning": adm / alloc,
            "admin_andel_tilldelning_inkl_extra": adm / (alloc + extra) if extra else np.nan,
            "admin_andel_publicerad": value(fig, "adminkostnad_andel_tilldelning", f, "2019") / 100,
            "admin_andel_publicerad_2018":
                value(fig, "adminkostnad_andel_tilldelning", f, "2018") / 100,
            "kostnad_individ": value(fig, "kostnadsandel_individ", f) / 100,
            "kostnad_struktur": value(fig, "kostnadsandel_struktur", f) / 100,
            "kostnad_admin": adm_share,
            "kostnad_summa": sum(value(fig, f"kostnadsandel_{k}", f)
                                 for k in ("individ", "struktur", "administration")) / 100,
            "total_kostnad_harledd": adm / adm_share,
            "mt_ct_kostnad": float(_sel(fig, "kostnad_mt_ct").query("forbund_kod == @f")["value"].sum())
            / 1000,
        })
    out = pd.DataFrame(rows)
    out["tilldelning_per_deltagare"] = out["tilldelning"] / out["deltagare"]
    out["tilldelning_per_avslut"] = out["tilldelning"] / out["avslut"]
    return out


def finance_check(fig: pd.DataFrame) -> pd.DataFrame:
    """Every derived money figure beside the published one."""
    f = finance_table(fig).set_index("area_code")
    rows = []
    tot_alloc = f["tilldelning"].sum() / 1000
    rows.append(_row("Sammanlagd budget 2019 (mnkr) = Σ medelstilldelning", geo.LAN_KOD,
                     value(fig, "budget_total"), tot_alloc, "8 + 5,6 + 5,3 + 4 = 22,9; "
                     "publicerat avrundat till 23", source(fig, "budget_total"), tol=0.5,
                     status="lika efter avrundning" if abs(tot_alloc - value(fig, "budget_total")) < 0.5 else None))
    for a in geo.FORBUND:
        pub = value(fig, "adminkostnad_andel_tilldelning", a, "2019")
        comp = 100 * f.loc[a, "admin_andel_tilldelning"]
        how = f"{f.loc[a, 'adminkostnad']:,.0f} / {f.loc[a, 'tilldelning']:,.0f} tkr".replace(",", " ")
        st = "lika efter avrundning" if round(comp) == pub else "avviker"
        if st == "avviker" and not np.isnan(f.loc[a, "admin_andel_tilldelning_inkl_extra"]):
            comp2 = 100 * f.loc[a, "admin_andel_tilldelning_inkl_extra"]
            ext = _sel(fig, "extra_medel_erhallna", a, "2019")
            ext_v = float(ext["value"].sum())
            comp2 = 100 * f.loc[a, "adminkostnad"] / (f.loc[a, "tilldelning"] + ext_v)
            if round(comp2) == pub:
                st = "lika om extra medel räknas in"
                how += (f"; med extra medel 2019 ({ext_v:,.0f} tkr): "
                        f"{comp2:.1f} %").replace(",", " ").replace(".", ",")
        rows.append(_row("Administrationskostnad, andel av tilldelningen 2019 (%)", a, pub, comp,
                         how, source(fig, "adminkostnad_andel_tilldelning", a, "2019"), status=st))
        rows.append(_row("Administrationskostnad, andel av tilldelningen 2018 (%)", a,
                         value(fig, "adminkostnad_andel_tilldelning", a, "2018"), np.nan,
                         "tilldelning och kostnad 2018 publiceras inte",
                         source(fig, "adminkostnad_andel_tilldelning", a, "2018")))
        s = 100 * f.loc[a, "kostnad_summa"]
        rows.append(_row("Kostnadsfördelning: individ + struktur + administration (%)", a, 100.0,
                         s, "summan av tabellradens tre andelar",
                         source(fig, "kostnadsandel_individ", a),
                         status="lika" if s == 100 else "avrundning"))
    eq = value(fig, "eget_kapital", period="2019")
    share = 100 * eq / tot_alloc
    rows.append(_row("Eget kapital, andel av tilldelade medel 2019 (%)", geo.LAN_KOD,
                     value(fig, "eget_kapital_andel", period="2019"), share,
                     "5,6 / 22,9 mnkr", source(fig, "eget_kapital_andel", period="2019"),
                     status="lika efter avrundning" if round(share) == value(
                         fig, "eget_kapital_andel", period="2019") else "avviker"))
    mb = value(fig, "medlemsbidrag") / 1e6
    inc = value(fig, "medlemsbidrag_okning_sedan_2009")
    pct = 100 * inc / (mb - inc)
    rows.append(_row("Ökning av medlemsbidragen 2009–2020 (%)", geo.LAN_KOD,
                     value(fig, "medlemsbidrag_okning_sedan_2009_andel"), pct,
                     "ca 3 / (22,794 − 3) mnkr; ”ca 3 mnkr” är avrundat, 16 % motsvarar 3,1 mnkr",
                     source(fig, "medlemsbidrag_okning_sedan_2009_andel"), status="avrundning"))
    return pd.DataFrame(rows)


def equity(fig: pd.DataFrame) -> dict[str, float]:
    """Equity 2019 against the 20 % recommendation: share, ceiling and excess (mnkr)."""
    alloc = sum(value(fig, "medelstilldelning", f) for f in geo.FORBUND)
    eq = value(fig, "eget_kapital", period="2019")
    cap = value(fig, "eget_kapital_tak") / 100
    return {"eget_kapital": eq, "tilldelning": alloc, "andel": eq / alloc, "tak": cap,
            "tak_mnkr": cap * alloc, "over_tak_mnkr": eq - cap * alloc}


def mtct_table(fig: pd.DataFrame) -> pd.DataFrame:
    """MT/CT staffing and costs 2019 per team, with cost per FTE (kr)."""
    teams = [("1814", ""), ("1880", ""), ("SN", "MT och CT Sydnärke"),
             ("SN", "Växa (Tillväxtverket)"), ("DK", ""), ("SO", "")]
    rows = []
    for a, grp in teams:
        r = {"area_code": a, "team": geo.area_name(a) + (f": {grp}" if grp else "")}
        for k in ("mt", "ct", "mt_ct"):
            r[f"kostnad_{k}"] = value(fig, f"kostnad_{k}", a, group=grp)
        if grp.startswith("Växa"):
            r.update({"fte_mt": np.nan, "fte_ct": np.nan})
        else:
            r["fte_mt"] = value(fig, "fte_mt_personal", a) + value(fig, "fte_mt_samordnare", a)
            r["fte_ct"] = value(fig, "fte_ct_personal", a) + value(fig, "fte_ct_samordnare", a)
        rows.append(r)
    out = pd.DataFrame(rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["kr_per_fte_mt"] = np.where(out["fte_mt"] > 0, out["kostnad_mt"] / out["fte_mt"], np.nan)
        out["kr_per_fte_ct"] = np.where(out["fte_ct"] > 0, out["kostnad_ct"] / out["fte_ct"], np.nan)
    return out


def mtct_check(fig: pd.DataFrame) -> pd.DataFrame:
    """Row totals (MT + CT) and column totals of the MT/CT cost table, recomputed."""
    t = mtct_table(fig)
    rows = []
    for r in t.itertuples():
        rows.append(_row(f"MT + CT = totalt: {r.team}", r.area_code, r.kostnad_mt_ct,
                         r.kostnad_mt + r.kostnad_ct, "radsumma",
                         source(fig, "kostnad_mt_ct", r.area_code)))
    for k, lab in (("mt", "MT"), ("ct", "CT"), ("mt_ct", "MT och CT")):
        rows.append(_row(f"Kolumnsumma {lab}", geo.LAN_KOD, value(fig, f"kostnad_{k}"),
                         float(t[f"kostnad_{k}"].sum()), "summa av alla team",
                         source(fig, f"kostnad_{k}")))
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- top-down vs published
def target_group_compare(areas: pd.DataFrame, fig: pd.DataFrame, year: int) -> pd.DataFrame:
    """Computed 5 % target group (from :func:`analysis.methods.working_age.by_area`) beside Bilaga 1.

    Returns
    -------
    DataFrame ``area_code, omrade, n16_64, computed, published, diff, rel_diff, source``.
    """
    a = areas[areas["ar"] == year].set_index("area_code")
    rows = []
    for code in AREAS:
        pub = value(fig, "malgrupp_5pct", code)
        comp = float(a.loc[code, "malgrupp"])
        rows.append({"area_code": code, "omrade": area_label(code),
                     "n16_64": float(a.loc[code, "n16_64"]), "computed": comp,
                     "published": pub, "diff": comp - pub, "rel_diff": comp / pub - 1,
                     "source": source(fig, "malgrupp_5pct", code)})
    return pd.DataFrame(rows)


def indicators_by_forbund(fig: pd.DataFrame, areas: pd.DataFrame, year: int = REVIEW_YEAR
                          ) -> pd.DataFrame:
    """Comparable indicators per förbund side by side (for the interpretation aids).

    Per förbund: population 16–64 (computed), published target group, participants, coverage,
    closures, closures per participant, allocation (tkr), allocation per inhabitant 16–64 (kr), per
    participant and per closure (tkr), administration share of allocation and of costs.
    """
    f = finance_table(fig).set_index("area_code")
    r = reach_table(fig).set_index("area_code")
    a = areas[areas["ar"] == year].set_index("area_code")
    rows = []
    for code in geo.FORBUND:
        rows.append({
            "area_code": code, "omrade": area_label(code),
            "kommuner": ", ".join(geo.kommun_namn(k) for k in geo.FORBUND[code].kommuner),
            "n16_64": float(a.loc[code, "n16_64"]),
            "malgrupp": r.loc[code, "malgrupp"] if code in r.index else np.nan,
            "deltagare": f.loc[code, "deltagare"],
            "tackningsgrad": f.loc[code, "deltagare"] / value(fig, "malgrupp_5pct", code),
            "avslut": f.loc[code, "avslut"],
            "avslut_per_deltagare": f.loc[code, "avslut"] / f.loc[code, "deltagare"],
            "tilldelning": f.loc[code, "tilldelning"],
            "kr_per_16_64": 1000 * f.loc[code, "tilldelning"] / float(a.loc[code, "n16_64"]),
            "tilldelning_per_deltagare": f.loc[code, "tilldelning_per_deltagare"],
            "tilldelning_per_avslut": f.loc[code, "tilldelning_per_avslut"],
            "admin_andel_tilldelning": f.loc[code, "admin_andel_tilldelning"],
            "admin_andel_kostnad": f.loc[code, "kostnad_admin"],
        })
    out = pd.DataFrame(rows)
    for c in ("malgrupp",):
        out[c] = [value(fig, "malgrupp_5pct", k) for k in out["area_code"]]
    return out


def forbund_vs_others(fig: pd.DataFrame, ib: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """A förbund's reach, results and costs beside the sum of the other three (profile table).

    Parameters
    ----------
    fig
        Checked figures (:func:`figures`).
    ib
        :func:`indicators_by_forbund`, indexed by ``area_code``.
    area_code
        The förbund.

    Returns
    -------
    DataFrame ``Mått, <förbund name>, Övriga förbund, Källa`` (Swedish text; ".." where the other
    förbund cannot be summed, "härlett" where the value is derived).
    """
    me = ib.loc[area_code]
    others = ib.drop(index=area_code)
    rows = [
        ("Målgrupp (5 %, Bilaga 1)", text.num(me["malgrupp"]), "..",
         source(fig, "malgrupp_5pct", area_code)),
        ("Deltagare (täckningsgrad × målgrupp)", text.num(me["deltagare"]),
         text.num(others["deltagare"].sum()), source(fig, "tackningsgrad")),
        ("Täckningsgrad", text.share(me["tackningsgrad"], 1),
         text.share(others["deltagare"].sum() / others["malgrupp"].sum(), 1), "härlett"),
        ("Avslut mot arbete/studier eller jobb-/studieredo", text.num(me["avslut"]),
         text.num(others["avslut"].sum()), source(fig, "avslut_arbete_studier")),
        ("Medelstilldelning (tkr)", text.num(me["tilldelning"]),
         text.num(others["tilldelning"].sum()), source(fig, "medelstilldelning", area_code)),
        ("Tilldelning per deltagare (tkr)", text.num(me["tilldelning_per_deltagare"]),
         text.num(others["tilldelning"].sum() / others["deltagare"].sum()), "härlett"),
        ("Tilldelning per avslut (tkr)", text.num(me["tilldelning_per_avslut"]),
         text.num(others["tilldelning"].sum() / others["avslut"].sum()), "härlett"),
        ("Administrationskostnad / tilldelning", text.share(me["admin_andel_tilldelning"], 1), "..",
         source(fig, "adminkostnad", area_code)),
        ("Administration, andel av kostnaderna", text.share(me["admin_andel_kostnad"], 0), "..",
         source(fig, "kostnadsandel_administration", area_code)),
    ]
    return pd.DataFrame(rows, columns=["Mått", geo.FORBUND[area_code].namn, "Övriga förbund",
                                       "Källa"])


# --------------------------------------------------------------------------- computed target group
def forbund_overview(fb: pd.DataFrame) -> pd.DataFrame:
    """The förbund, their kommuner, population, 16–64 and 5 % target group (display table).

    ``fb`` is the förbund rows of :func:`analysis.methods.working_age.by_area` for one year,
    indexed by ``area_code``; the estimates are rounded here, for display.
    """
    return pd.DataFrame({
        "Förbund": [geo.FORBUND[c].fullt_namn for c in fb.index],
        "Kommuner": [", ".join(geo.kommun_namn(k) for k in geo.FORBUND[c].kommuner)
                     for c in fb.index],
        "Folkmängd": fb["total"].to_numpy(),
        "16–64 år": fb["n16_64"].round().to_numpy(),
        "Målgrupp (5 %)": fb["malgrupp"].round().to_numpy(),
    })


def kommun_target_change(now: pd.DataFrame, then: pd.DataFrame) -> pd.DataFrame:
    """The kommun rows of ``now`` with the target group of ``then`` (``malgrupp_then``), its
    relative change (``forandring``) and the kommun's förbund (``förbund``).

    ``now`` and ``then`` are :func:`analysis.methods.working_age.by_area` for one year each,
    indexed by ``area_code``.
    """
    kom_now = now[now["area_type"] == "kommun"].reset_index()
    kom_then = then[then["area_type"] == "kommun"].reset_index().set_index("area_code")
    kom_now["malgrupp_then"] = kom_now["area_code"].map(kom_then["malgrupp"])
    kom_now["forandring"] = kom_now["malgrupp"] / kom_now["malgrupp_then"] - 1
    kom_now["förbund"] = kom_now["area_code"].map(geo.kommun_till_forbund()).map(geo.forbund_namn)
    return kom_now


def kommun_target_rows(mg_tab: pd.DataFrame, fig: pd.DataFrame, area_code: str,
                       edition: int) -> pd.DataFrame:
    """A kommun profile's target-group table: each row of ``mg_tab`` (the kommun, its förbund and
    the län in two years, from :func:`analysis.methods.working_age.by_area`) as Swedish text, and
    for the kommuner Bilaga 1 reports on their own (:data:`BILAGA1_KOMMUNER`) the published value,
    from the edition of :data:`REVIEW_YEAR` on."""
    rows = [{"Område": r.area_name, "År": str(r.ar), "16–64 år": text.num(r.n16_64, -1),
             "Andel 16–64": text.share(r.andel_16_64, 1), "Målgrupp (5 %)": text.num(r.malgrupp, -1)}
            for r in mg_tab.itertuples()]
    if edition >= REVIEW_YEAR and area_code in BILAGA1_KOMMUNER:
        rows.append({"Område": f"{geo.kommun_namn(area_code)}, Bilaga 1 (publicerat)",
                     "År": str(REVIEW_YEAR), "16–64 år": "..", "Andel 16–64": "..",
                     "Målgrupp (5 %)": text.num(value(fig, "malgrupp_5pct", area_code))})
    return pd.DataFrame(rows)


def not_reproduced(fig: pd.DataFrame, tabell1_16_64: float) -> list[str]:
    """The published figures that cannot be reproduced, and why (Swedish sentences, numbers from data).

    Parameters
    ----------
    fig
        Checked figures (:func:`figures`).
    tabell1_16_64
        Tabell 1's population 16–64 år for 2019 (from the catalogued seed figures).
    """

    implied = 20 * value(fig, "malgrupp_5pct")
    corr_parts = _sel(fig, "korr_18_24_6man")
    corr_sum = float(corr_parts.loc[corr_parts["area_type"] != "lan", "value"].sum())
    shares = _sel(fig, "andel_avslutade")["value"]
    dk = finance_table(fig).set_index("area_code").loc["DK"]
    mucf = value(fig, "extra_medel_erhallna", "DK", "2019", group="MUCF")
    mucf_note = value(fig, "extra_medel_i_kostnadsfordelning", "DK", group="MUCF")
    sn_sum = sum(value(fig, f"kostnadsandel_{k}", "SN")
                 for k in ("individ", "struktur", "administration"))
    mb = value(fig, "medlemsbidrag") / 1e6
    inc = value(fig, "medlemsbidrag_okning_sedan_2009")
    return [
        f"Bilaga 1:s 5 %-målgrupp kan inte återskapas exakt: den motsvarar {text.num(implied)} "
        f"personer 16–64 år, medan Tabell 1 anger {text.num(tabell1_16_64)} för 2019. Bilagan bygger "
        "alltså på en annan tidpunkt eller källa, och bokens åldrar 16–19 per kommun är skattade.",
        "Administrationskostnadens andel 2018 (inom parentes) kan inte räknas om: kostnad och "
        "tilldelning 2018 publiceras inte.",
        f"Degerfors/Karlskogas administrationsandel {text.pct(value(fig, 'adminkostnad_andel_tilldelning', 'DK', '2019'), 0)} "
        f"stämmer bara om MUCF-medlen ({text.num(mucf)} tkr) räknas in i tilldelningen; utan dem "
        f"blir den {text.share(dk['admin_andel_tilldelning'], 1)}. Noten till kostnadsfördelningen "
        f"anger i stället {text.num(mucf_note)} tkr.",
        "Andelen avslutade av alla deltagare ("
        + ", ".join(text.pct(v, 0) for v in shares)
        + ") kan inte räknas om: antalet avslutade totalt publiceras inte.",
        "Diagrammen över kostnad per deltagare, kostnad per avslut och antal deltagare 2017–2019 har "
        "inga siffror i texten.",
        f"Korrigeringen för långtidsarbetslösa 18–24 år per förbund (parenteserna) summerar till "
        f"{text.num(corr_sum)}, inte till bilagans {text.num(value(fig, 'korr_18_24_6man'))}; "
        "läsningen av den utplattade tabellen är osäker.",
        f"Sydnärkes kostnadsfördelning summerar till {text.pct(sn_sum, 0)}, och medlemsbidragens "
        f"ökning ”ca {text.num(inc)} mnkr, dvs. "
        f"{text.pct(value(fig, 'medlemsbidrag_okning_sedan_2009_andel'), 0)}” ger "
        f"{text.share(inc / (mb - inc), 0)} med {text.num(inc)} mnkr: båda är avrundningar.",
    ]


def fmt_bilaga1(v: float) -> str:
    """A Bilaga 1 value as the appendix prints it: one decimal when it has decimals (e.g. the
    coverage in per cent), else a whole number; ".." when missing."""
    return text.num(v, 1) if v % 1 else text.num(v)


def fmt(v: float) -> str:
    """A published or recomputed value for a table: whole numbers without decimals, else one or two."""

    if v is None or pd.isna(v):
        return ".."
    v = float(v)
    if v.is_integer():
        return text.num(v)
    return text.num(v, 1 if round(v, 1) == round(v, 2) else 2)
