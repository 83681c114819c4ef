"""Livsvillkor in chapter 1: the real kommun indicators side by side for the län's 12 kommuner,
the län and riket (the same numbers as each profile's *Kommunen i korthet*)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.core import geo, text
from analysis.methods import livsvillkor as lv
from analysis.present import spine

#: The indicators of the chapter's table, in order.
CHAPTER_INDICATORS = ["utrikes_fodda", "andel_0_15", "andel_65_plus", "oppet_arbetslosa",
                      "arbetslosa_program", "forvarvsfrekvens", "hogskolestuderande",
                      "inkomst_kvinnor", "inkomst_man", "bistandshushall"]


def lan_table(indicators: pd.DataFrame, edition: int,
              ids: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The kommuner (alphabetical), the län and riket in rows, the indicators in columns.

    Returns
    -------
    (display, csv): the formatted table (column headings name the year, marked when it is the
    nearest year rather than the edition's) and the tidy rows behind it.
    """
    ids = ids or CHAPTER_INDICATORS
    unknown = [i for i in ids if i not in lv.INDICATORS]
    if unknown:
        raise KeyError(f"unknown indicators {unknown}")
    sel = lv.for_edition(indicators[indicators["indicator_id"].isin(ids)
                                    & (indicators["area_type"] != "ovriga_lanet")], edition)
    order = sorted(geo.KOMMUNER, key=lambda c: geo.kommun_namn(c).translate(
        str.maketrans({"å": "{", "ä": "|", "ö": "}", "Å": "{", "Ä": "|", "Ö": "}"})))
    areas = [*order, geo.LAN_KOD, lv.RIKET]
    names = {**geo.KOMMUNER, geo.LAN_KOD: geo.LAN_NAMN, lv.RIKET: "Riket"}
    out = pd.DataFrame({"Område": [names[a] for a in areas]})
    for i in ids:
        spec = lv.INDICATORS[i]
        g = sel[sel["indicator_id"] == i].set_index("area_code")
        if g.empty:
            continue
        year = int(g["period"].iloc[0])
        head = f"{spec.label} {year}" + ("*" if year != edition else "")
        out[head] = [spine.fmt(g["value"].get(a), spec.unit) for a in areas]
    csv = sel[sel["area_code"].isin(areas)].drop(columns=["year_note"])
    return out, csv.reset_index(drop=True)


def seed_foreign_born(indicators: pd.DataFrame, seeds: pd.DataFrame) -> pd.DataFrame:
    """The seed documents' foreign-born shares beside the book's computation, with the reason for
    any difference (another year, rounding to whole per cent).

    Returns ``område, area_code, publicerat, period_publicerat, beräknat, period_beräknat,
    skillnad_procentenheter, förklaring``.
    """
    s = seeds[(seeds["indicator"] == "Andel utrikesfödda") & (seeds["analysis"] == "population")]
    names = {v: k for k, v in geo.KOMMUNER.items()} | {geo.LAN_NAMN: geo.LAN_KOD}
    t = indicators[(indicators["indicator_id"] == "utrikes_fodda")
                   & indicators["area_type"].isin(["kommun", "lan"])]
    rows = []
    for r in s.itertuples():
        code = names.get(r.geography)
        if code is None:
            continue
        c = t[t["area_code"] == code].sort_values("period")
        comp = float(c["value"].iloc[-1]) if len(c) else np.nan
        per = int(c["period"].iloc[-1]) if len(c) else None
        diff = 100 * comp - r.value
        years = [int(y) for y in re.findall(r"(?:19|20)\d\d", str(r.period))]
        reason = []
        if per is not None and years and years[0] != per:
            reason.append(f"olika år: förstudien omkring {years[0]}, boken {per}")
        if abs(round(100 * comp) - r.value) < 0.5:
            reason.append("samma värde avrundat till hela procent")
        elif abs(diff) >= 0.5:
            reason.append(f"skillnaden beror troligen på de olika åren (boken har andelen bara "
                          f"för {per})")
        rows.append({"område": r.geography, "area_code": code, "publicerat": r.value / 100,
                     "period_publicerat": r.period, "beräknat": comp, "period_beräknat": per,
                     "skillnad_procentenheter": diff, "förklaring": "; ".join(reason)})
    return pd.DataFrame(rows)


def life_expectancy(rf: pd.DataFrame) -> pd.DataFrame:
    """Life expectancy at birth (SCB) for the län and riket, every period of the source.

    Returns ``area_code, period, sex, value`` (years; ``sex`` is ``kvinnor``/``man``) and
    ``rank``: the län's rank among Sweden's 21 län (1 = longest) where all län are published.
    """
    t = rf[rf["tabell"] == "medellivslangd_vid_fodelsen"]
    if t.empty:
        raise KeyError("the source has no table medellivslangd_vid_fodelsen")
    lan_all = t[t["region_kod"] != lv.RIKET]
    out = t[t["region_kod"].isin([geo.LAN_KOD, lv.RIKET])].rename(columns={
        "region_kod": "area_code", "variabel": "sex", "varde": "value"})[
        ["area_code", "period", "sex", "value"]].copy()
    ranks = (lan_all.assign(rank=lan_all.groupby(["period", "variabel"])["varde"]
                            .rank(ascending=False, method="min"),
                            n=lan_all.groupby(["period", "variabel"])["varde"].transform("size"))
             .rename(columns={"region_kod": "area_code", "variabel": "sex"}))
    ranks = ranks[ranks["n"] == 21][["area_code", "period", "sex", "rank"]]
    out = out.merge(ranks, on=["area_code", "period", "sex"], how="left")
    return out.sort_values(["period", "area_code", "sex"]).reset_index(drop=True)


def life_expectancy_sentence(le: pd.DataFrame) -> str:
    """One Swedish sentence on the latest period: the län against riket, with the län's rank
    among the 21 län (measured data, so ranked)."""
    last = le[le["rank"].notna()]["period"].max()
    t = le[le["period"] == last].set_index(["area_code", "sex"])
    k, m = (t.loc[(geo.LAN_KOD, s)] for s in ("kvinnor", "man"))
    rk, rm = (t.loc[(lv.RIKET, s), "value"] for s in ("kvinnor", "man"))
    return (f"Medellivslängden vid födseln i {geo.LAN_NAMN} {last.replace('-', '–')} var "
            f"{text.num(k['value'], 1)} år för kvinnor och {text.num(m['value'], 1)} år för män "
            f"(riket {text.num(rk, 1)} och {text.num(rm, 1)} år); kvinnornas medellivslängd är "
            f"{text.rank(int(k['rank']), 21, 'längst', 'kortast', of='landets 21 län')}, männens "
            f"{text.rank(int(m['rank']), 21, 'längst', 'kortast', of='landets 21 län')}. "
            "Medellivslängd per kommun finns inte i bokens data.")
