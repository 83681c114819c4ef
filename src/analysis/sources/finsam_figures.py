"""The Finsam review's published figures (Bilaga 1, reach, results, costs): transcription, schema and checks.

The figures were transcribed from *Genomlysning samordningsförbunden Örebro län* (Region Örebro
län, 2020-06-01; ``003_e03a011979e317c6.txt``) into ``genomlysning_finsam_2019.csv``, one row per
published value with the exact quote and its line. :func:`check_figures` refuses a file with an
unknown förbund, a kommun under the wrong or two förbund, or an indicator that should cover every
förbund but misses one. The Målgrupp chapter (:mod:`analysis.chapters.finsam`) recomputes every
derived figure from these and puts it beside the published value with its status and source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core import geo
from analysis.core.errors import InputError
from analysis.sources import documents

SEED_FILE = "003_e03a011979e317c6.txt"


@dataclass(frozen=True)
class Indicator:
    """A published figure: Swedish label, whether every förbund must be present, and (for Bilaga 1)
    why the row enters the bottom-up sum or not."""

    label: str
    complete: bool = False
    why: str = ""


_FTE_NOTE = "Lekeberg/Örebro-blocket läses kolumnvis"
INDICATORS: dict[str, Indicator] = {
    # Bilaga 1
    "ae_pagaende": Indicator("Aktivitetsersättning, pågående (okt 2019)", True,
                             "Ingår: unga med varaktigt nedsatt arbetsförmåga."),
    "sjukskrivning_365d": Indicator("Pågående sjukskrivningar ≥ 365 dagar (feb 2020)", False,
                                    "Ingår: långa sjukfall, oavsett diagnos."),
    "f_diagnos_182d": Indicator("Pågående F-diagnoser ≥ 182 dagar (feb 2020)", False,
                                "Ingår inte (enligt bilagans total). Trolig orsak: delmängd av de "
                                "pågående sjukfallen, som redan räknas i raden ≥ 365 dagar."),
    "m_diagnos_182d": Indicator("Pågående M-diagnoser ≥ 182 dagar (feb 2020)", False,
                                "Ingår inte (enligt bilagans total); samma skäl som F-diagnoserna."),
    "langtidsarbetslosa": Indicator("Långtidsarbetslösa (apr 2020)", False,
                                    "Ingår: inskrivna på AF > 12 mån plus 18–24 år > 6 mån."),
    "inskrivna_af_12man": Indicator("Samtliga inskrivna på AF > 12 mån", True,
                                    "Ingår inte separat: del av långtidsarbetslösa."),
    "korr_18_24_6man": Indicator("Korrigering 18–24 år > 6 mån", True,
                                 "Ingår inte separat: del av långtidsarbetslösa."),
    "inskrivna_18_24_6man": Indicator("Samtliga 18–24 år > 6 mån (parentes)", False,
                                      "Ingår inte: överlappar inskrivna > 12 mån."),
    "forsorjningsstod_10man": Indicator("Försörjningsstöd > 10 mån", True,
                                        "Ingår: långvarigt ekonomiskt bistånd."),
    "forsorjningsstod_10man_18_30": Indicator("Försörjningsstöd > 10 mån, varav 18–30 år", True,
                                              "Ingår inte: delmängd av raden ovan."),
    "malgrupp_bottom_up": Indicator("Total målgrupp (nedifrån)"),
    "malgrupp_5pct": Indicator("5 % av arbetsför befolkning (16–64 år)", True),
    "tackningsgrad": Indicator("Andel av målgruppen (5 %) med insats genom Finsam 2019", True),
    # results
    "deltagare": Indicator("Deltagare i arbetslivsinriktade insatser"),
    "avslut_arbete_studier": Indicator("Avslut mot arbete/studier eller jobb-/studieredo", True),
    "andel_avslutade": Indicator("Andel avslutade av alla deltagare", True),
    "andel_avslut_offentligt_stod": Indicator("Andel av avsluten mot arbete/studier med offentligt stöd"),
    # finance
    "medelstilldelning": Indicator("Medelstilldelning", True),
    "budget_total": Indicator("Sammanlagd budget"),
    "medlemsbidrag": Indicator("Medlemsbidrag, fyra förbund"),
    "medlemsbidrag_okning_sedan_2009": Indicator("Ökning av medlemsbidragen sedan 2009"),
    "medlemsbidrag_okning_sedan_2009_andel": Indicator("Ökning av medlemsbidragen sedan 2009, andel"),
    "extra_medel_erhallna": Indicator("Extra medel, erhållna"),
    "extra_medel_forbrukade": Indicator("Extra medel, förbrukade"),
    "extra_medel_i_kostnadsfordelning": Indicator("Extra medel i kostnadsfördelningen"),
    "eget_kapital": Indicator("Samlat eget kapital"),
    "eget_kapital_andel": Indicator("Eget kapital, andel av tilldelade medel"),
    "eget_kapital_tak": Indicator("Rekommenderat högsta eget kapital (Nationella rådet)"),
    "grundtilldelning": Indicator("Statens grundtilldelning per förbund"),
    # MT/CT
    "fte_mt_personal": Indicator("MT, personal (heltidstjänster)", True, _FTE_NOTE),
    "fte_mt_samordnare": Indicator("MT, samordnare (heltidstjänster)", True, _FTE_NOTE),
    "fte_ct_personal": Indicator("CT, personal (heltidstjänster)", True, _FTE_NOTE),
    "fte_ct_samordnare": Indicator("CT, samordnare (heltidstjänster)", True, _FTE_NOTE),
    "kostnad_mt": Indicator("Kostnad mottagningsteam (MT)", True),
    "kostnad_ct": Indicator("Kostnad coachingteam (CT)", True),
    "kostnad_mt_ct": Indicator("Kostnad MT och CT totalt", True),
    # administration and cost split
    "adminkostnad": Indicator("Administrationskostnad", True),
    "adminkostnad_andel_tilldelning": Indicator("Administrationskostnad, andel av medelstilldelningen", True),
    "kostnadsandel_individ": Indicator("Andel av kostnaderna: individinriktade insatser", True),
    "kostnadsandel_struktur": Indicator("Andel av kostnaderna: strukturövergripande insatser", True),
    "kostnadsandel_administration": Indicator("Andel av kostnaderna: administration", True),
    # Figur 1
    "styrelse_ledamoter": Indicator("Styrelse, ledamöter", True),
    "styrelse_ersattare": Indicator("Styrelse, ersättare", True),
    "beredningsgrupp_ledamoter": Indicator("Beredningsgrupp, ledamöter", True),
    "beredningsgrupp_ersattare": Indicator("Beredningsgrupp, ersättare", True),
}
TABLES = ["bilaga1", "resultat", "finansiering", "mt_ct", "administration", "kostnadsfordelning",
          "figur1"]
UNITS = ["personer", "procent", "mnkr", "tkr", "kr", "heltidstjänster"]
KEY = ["indicator", "area_type", "forbund_kod", "kommun_kod", "group", "period"]



# --------------------------------------------------------------------------- loading and checks
def check_figures(df: pd.DataFrame, path: str = "genomlysning_finsam_2019.csv",
                  forbund: dict | None = None) -> pd.DataFrame:
    """Check a typed figures table beyond its schema and add ``area_code``.

    Parameters
    ----------
    df
        The table after the ``finsam_genomlysning`` schema (:mod:`analysis.sources.schemas`) (e.g. ``catalog.load("finsam_genomlysning")``).
    path
        File name used in error messages.
    forbund
        Förbund → kommuner mapping (default :data:`analysis.core.geo.FORBUND`); checked with
        :func:`analysis.core.geo.kommun_till_forbund`.

    Raises
    ------
    InputError
        A kommun under the wrong förbund or under two förbund; a län row with a förbund or kommun
        code; a förbund or kommun row without its code; an indicator that must cover all four
        förbund but misses one (the message names indicator, period and förbund).
    """
    try:
        k2f = geo.kommun_till_forbund(forbund)
    except ValueError as exc:
        raise InputError(path, f"the förbund mapping is invalid: {exc}") from None
    d = df.reset_index(drop=True)
    rows1 = lambda m: [int(i) + 1 for i in np.flatnonzero(m)]  # noqa: E731
    lan = d["area_type"] == "lan"
    bad = lan & (d["forbund_kod"].notna() | d["kommun_kod"].notna())
    if bad.any():
        raise InputError(path, "a län row must not have a förbund or kommun code",
                         column="forbund_kod", rows=rows1(bad))
    bad = ~lan & d["forbund_kod"].isna()
    if bad.any():
        raise InputError(path, "förbund code missing", column="forbund_kod", rows=rows1(bad))
    kom = d["area_type"] == "kommun"
    bad = kom & d["kommun_kod"].isna() | (d["area_type"] == "forbund") & d["kommun_kod"].notna()
    if bad.any():
        raise InputError(path, "kommun code missing on a kommun row or present on a förbund row",
                         column="kommun_kod", rows=rows1(bad))
    pairs = d.loc[kom, ["kommun_kod", "forbund_kod"]].drop_duplicates()
    twice = pairs[pairs["kommun_kod"].duplicated(keep=False)]
    if len(twice):
        k = twice["kommun_kod"].iloc[0]
        under = sorted(twice.loc[twice["kommun_kod"] == k, "forbund_kod"])
        raise InputError(path, f"kommun {k} is listed under two förbund ({' and '.join(under)})",
                         column="forbund_kod", rows=rows1(kom & (d["kommun_kod"] == k)))
    wrong = kom & (d["kommun_kod"].map(k2f) != d["forbund_kod"])
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise InputError(path, f"kommun {d.at[i, 'kommun_kod']} belongs to förbund "
                         f"{k2f[d.at[i, 'kommun_kod']]}, not {d.at[i, 'forbund_kod']}",
                         column="forbund_kod", rows=rows1(wrong),
                         values=list(d.loc[wrong, "forbund_kod"]))
    codes = set(forbund) if forbund is not None else set(geo.FORBUND)
    for (ind, period), g in d[~lan].groupby(["indicator", "period"]):
        if not INDICATORS[ind].complete:
            continue
        missing = sorted(codes - set(g["forbund_kod"]))
        if missing:
            raise InputError(path, f"indicator {ind!r} ({period}) has no value for förbund "
                             f"{', '.join(missing)}", column="forbund_kod",
                             rows=[int(i) + 1 for i in g.index])
    out = d.copy()
    out["area_code"] = np.where(lan, geo.LAN_KOD,
                                np.where(kom, out["kommun_kod"], out["forbund_kod"]))
    return out



def figures(loaded: pd.DataFrame) -> pd.DataFrame:
    """Check a table returned by ``catalog.load`` (its path from the catalogue attrs)."""
    path = (loaded.attrs.get("catalog") or {}).get("relpath") or "genomlysning_finsam_2019.csv"
    return check_figures(loaded, path)


def check_quotes(fig: pd.DataFrame, seed_text: str) -> list[str]:
    """Rows whose quote is not an exact substring of the stated line of the seed text (empty = OK)."""
    lines = seed_text.split("\n")
    bad = []
    for i, r in enumerate(fig.itertuples(index=False), start=1):
        n = int(r.source_line)
        if n > len(lines) or r.quote not in lines[n - 1]:
            bad.append(f"row {i} ({r.indicator}, {r.area_type} {r.forbund_kod or ''}"
                       f"{r.kommun_kod or ''}): quote {r.quote!r} not on line {n}")
    return bad


def _sel(fig: pd.DataFrame, indicator: str, area: str | None = None, period: str | None = None,
         group: str | None = None) -> pd.DataFrame:
    m = fig["indicator"] == indicator
    if area is not None:
        m &= fig["area_code"] == area
    if period is not None:
        m &= fig["period"] == str(period)
    if group is not None:
        m &= fig["group"].fillna("") == group
    return fig[m]


def value(fig: pd.DataFrame, indicator: str, area: str = geo.LAN_KOD, period: str | None = None,
          group: str | None = None) -> float:
    """One published value.

    Raises
    ------
    LookupError
        If no row or several rows match.
    """
    hit = _sel(fig, indicator, area, period, group)
    if len(hit) != 1:
        raise LookupError(f"{len(hit)} published rows for {indicator!r}, area {area!r}, "
                          f"period {period!r}, group {group!r}")
    return float(hit["value"].iloc[0])


def source(fig: pd.DataFrame, indicator: str, area: str = geo.LAN_KOD,
           period: str | None = None, group: str | None = None) -> str:
    """``"Bilaga 1: »1576 1157 1297 9108«"`` for the matching row(s): the part of the review
    (:data:`analysis.sources.documents.DOCUMENTS`) and the quote, no file line numbers."""
    hit = _sel(fig, indicator, area, period, group)
    if hit.empty:
        raise LookupError(f"no published row for {indicator!r}, area {area!r}")
    review = documents.document(SEED_FILE)
    return "; ".join(dict.fromkeys(f"{review.part(int(r.source_line)) or 'genomlysningen'}: "
                                   f"»{r.quote.strip()}«" for r in hit.itertuples()))


# --------------------------------------------------------------------------- areas
#: Display order of the areas of Bilaga 1: Lekeberg and Örebro under their förbund, then the län.
