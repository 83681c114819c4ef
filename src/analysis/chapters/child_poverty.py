"""Child poverty chapter: the views the pages show, the published 2019 figures beside the computed
ones and the Kolada comparison.

Flow (one call per notebook, the heavy part cached in :mod:`analysis.inputs.barnfattigdom`)::

    data = barnfattigdom.load(seed)              # real register extract if in place, else synthetic
    table = data.protected(min_count, min_denominator)
    disclosure.check_protected(table, min_count, min_denominator)

``data.indicators`` holds every cell the chapter and the kommun profiles publish (län, kommun and
"rest of the län" per kommun; totals and breakdowns; all years;
:func:`analysis.methods.child_poverty_tables.indicator_table`).
:func:`analysis.methods.disclosure.protect_counts` applies the threshold rule and secondary
suppression to that whole set at once, so that no page can be combined with another to recover a
suppressed cell. This module selects, formats and compares the protected cells.

The Kolada indicators are fetched by ``python -m analysis.sources.kolada fetch --years 2011-2021``
(:func:`analysis.sources.kolada.fetch_kolada`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.core import geo, provenance, text
from analysis.inputs import barnfattigdom as bfi
from analysis.methods import disclosure
from analysis.methods.child_poverty_tables import (
    BREAKDOWNS,
    GROUP_LABELS,
    GROUP_ORDER,
    INDICATORS,
    RUS_BASE_YEAR,
    published_figures,
)
from analysis.present import plots
from analysis.sources import kolada

__all__ = [
    "BREAKDOWNS",
    "INDICATORS",
    "RUS_BASE_YEAR",
    "count_share_check",
    "kolada_comparison",
    "kolada_fetched",
    "kommun_profile",
    "published_comparison",
    "published_figures",
]

BREAKDOWN_LABELS = {"totalt": "Alla barn", "bakgrund": "Bakgrund",
                    "utbildning": "Föräldrarnas utbildning", "hushallstyp": "Hushållstyp"}
#: Kolada KPIs the chapter compares with (KPI → the book's indicator on the same definition).
KOLADA_KPIS = {"N66077": "lag_ekonomisk_standard_0_19", "U31803": "ekonomiskt_bistand"}


# --------------------------------------------------------------------------- published figures
def _rounds_to(share: float, published: float) -> bool:
    """Does ``share`` (proportion) round, half up, to the published per cent with one decimal?"""
    return bool(np.floor(share * 1000 + 0.5 + 1e-9) == round(published * 1000))


def count_share_check(published: Mapping[str, dict], child_counts: pd.DataFrame,
                      kolada_groups: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Can the published count (8 884) and share (11,8 %) both hold for the län's real children?

    For each candidate denominator (children 0–17, the real population; 0–19 and 0–20, exact from
    Kolada), the share the count implies and the count the share implies. The denominator the two
    figures imply together is ``count / share``; since the share is rounded to one decimal, any value in
    ``(count / (share + 0,05 %), count / (share − 0,05 %)]`` fits.

    Returns
    -------
    pandas.DataFrame
        ``denominator_label, denominator, implied_share, implied_count, count_fits, share_fits, both``,
        and ``.attrs`` with ``implied_denominator``, ``implied_low``, ``implied_high``.
    """
    year = year or published["count"]["period"]
    count, share = published["count"]["value"], published["share"]["value"]
    cc = child_counts[child_counts["year"] == year]
    g = kolada_groups[kolada_groups["ar"] == year]
    cands = [
        ("Barn 0–17 år (0–19 år enligt Kolada minus skattade 18–19 år)", float(cc["n_0_17"].sum())),
        ("Barn 0–19 år (Kolada, exakt)", float(g["0-19"].sum())),
        ("Barn 0–20 år (Kolada, exakt)", float(g["0-19"].sum() + g["a20"].sum())),
    ]
    rows = []
    for label, n in cands:
        implied_share = count / n
        rows.append({"denominator_label": label, "denominator": n, "implied_share": implied_share,
                     "implied_count": share * n, "share_fits": _rounds_to(implied_share, share)})
    out = pd.DataFrame(rows)
    out["both"] = out["share_fits"]
    out.attrs = {"implied_denominator": count / share,
                 "implied_low": count / (share + 0.0005), "implied_high": count / (share - 0.0005),
                 "year": year}
    return out


def published_comparison(published: Mapping[str, dict], table: pd.DataFrame, year: int
                         ) -> pd.DataFrame:
    """The published 2019 figures beside the computed ones (count, share, lowest and highest kommun).

    Parameters
    ----------
    published
        :func:`published_figures`.
    table
        :func:`analysis.methods.disclosure.protect_counts` output (or the unprotected
        :func:`analysis.methods.child_poverty_tables.indicator_table`).
    year
        The year of the computed figures (the published ones are for 2019).

    Returns
    -------
    pandas.DataFrame
        ``measure, published, computed, computed_area, rounds_to_published, source`` (shares as
        proportions; ``computed_area`` names the kommun for the lowest and highest).
    """
    t = table[(table["indicator_id"] == "ekonomiskt_utsatta") & (table["breakdown"] == "totalt")
              & (table["period"] == year)]
    lan = t[t["area_type"] == "lan"].iloc[0]
    kom = t[t["area_type"] == "kommun"].dropna(subset=["value"]).sort_values("value")
    lo, hi = kom.iloc[0], kom.iloc[-1]
    rows = [
        ("Antal barn 0–17 år i ekonomiskt utsatta hushåll", published["count"], lan["count"],
         geo.LAN_NAMN, bool(lan["count"] == published["count"]["value"])),
        ("Andel barn 0–17 år i ekonomiskt utsatta hushåll", published["share"], lan["value"],
         geo.LAN_NAMN, _rounds_to(lan["value"], published["share"]["value"])),
        ("Lägsta andel bland kommunerna", published["kommun_min"], lo["value"],
         geo.kommun_namn(lo["area_code"]), _rounds_to(lo["value"], published["kommun_min"]["value"])),
        ("Högsta andel bland kommunerna", published["kommun_max"], hi["value"],
         geo.kommun_namn(hi["area_code"]), _rounds_to(hi["value"], published["kommun_max"]["value"])),
    ]
    return pd.DataFrame([{"measure": m, "published": p["value"], "computed": float(c),
                          "computed_area": a, "rounds_to_published": ok, "source": p["source"]}
                         for m, p, c, a, ok in rows])


# --------------------------------------------------------------------------- views for the pages
def select(table: pd.DataFrame, indicator: str = "ekonomiskt_utsatta", *, breakdown: str = "totalt",
           area_type: str | Sequence[str] = "kommun", period: int | Sequence[int] | None = None
           ) -> pd.DataFrame:
    """Rows of a (protected) indicator table, with ``area_name`` and ``group_label`` added."""
    at = [area_type] if isinstance(area_type, str) else list(area_type)
    m = (table["indicator_id"] == indicator) & (table["breakdown"] == breakdown) \
        & table["area_type"].isin(at)
    if period is not None:
        per = [period] if np.ndim(period) == 0 else list(period)
        m &= table["period"].isin(per)
    out = table[m].copy()
    out["area_name"] = np.where(out["area_type"] == "lan", geo.LAN_NAMN,
                                out["area_code"].map(geo.KOMMUNER).fillna(""))
    out.loc[out["area_type"] == "ovriga_lanet", "area_name"] = "Övriga länet"
    out["group_label"] = out["group"].map(GROUP_LABELS).fillna(out["group"])
    return out.reset_index(drop=True)


def component_series(table: pd.DataFrame, area_code: str = geo.LAN_KOD, area_type: str = "lan",
                     last_year: int | None = None) -> pd.DataFrame:
    """The composite and its parts per year for one area: long ``period, measure, value``."""
    ids = ["ekonomiskt_utsatta", "varaktigt_lag_ekonomisk_standard", "lag_ekonomisk_standard",
           "lag_inkomststandard", "ekonomiskt_bistand"]
    t = table[table["indicator_id"].isin(ids) & (table["breakdown"] == "totalt")
              & (table["area_type"] == area_type) & (table["area_code"] == area_code)]
    if last_year is not None:
        t = t[t["period"] <= last_year]
    keep = ["indicator_id", "period", "count", "denominator", "value", "suppressed"]
    out = t[keep + (["data"] if "data" in t.columns else [])].copy()
    out["measure"] = out["indicator_id"].map(lambda i: INDICATORS[i][0])
    return out.sort_values(["indicator_id", "period"], ignore_index=True)


def years_low(children: pd.DataFrame, year: int, ages: tuple[int, int] = (0, 17),
              data: str | None = None) -> pd.DataFrame:
    """How many of the last four years (``year − 3`` … ``year``) children lived with low economic
    standard, among children observed all four years: ``years_low, count, denominator, share``
    (and a ``data`` column saying ``syntetisk`` or ``register`` when ``data`` is given)."""
    k = children[(children["year"] == year) & children["age"].between(*ages)
                 & (children["prev_years_observed"] == 3)]
    n = k["prev_years_low"].astype(int) + k["low_economic_standard"].astype(int)
    counts = n.value_counts().reindex(range(5), fill_value=0)
    out = pd.DataFrame({"years_low": counts.index, "count": counts.to_numpy()})
    out["denominator"] = int(counts.sum())
    out["share"] = out["count"] / out["denominator"]
    if data is not None:
        out["data"] = data
    return out


def kommun_profile(table: pd.DataFrame, area_code: str, year: int) -> dict:
    """A kommun's child-poverty figures beside the rest of the län (protected table in).

    Returns
    -------
    dict
        ``kommun`` and ``rest`` (rows of the composite, all children), ``rank`` (1 = highest share;
        ``None`` if suppressed), ``components`` (display-ready rows for each indicator, kommun and
        rest of the län), ``groups`` (composite by background, education and household type, kommun
        and rest of the län), ``trend`` (composite per year, kommun, rest and län).
    """
    geo.kommun_namn(area_code)
    t = table[table["period"] == year]

    def row(ind: str, at: str, bd: str = "totalt", grp: str = "totalt") -> pd.Series:
        m = t[(t["indicator_id"] == ind) & (t["area_type"] == at) & (t["breakdown"] == bd)
              & (t["group"] == grp) & ((t["area_code"] == area_code) | (at == "lan"))]
        return m.iloc[0] if len(m) else pd.Series(dtype=object)

    kom = t[(t["indicator_id"] == "ekonomiskt_utsatta") & (t["breakdown"] == "totalt")
            & (t["area_type"] == "kommun")].dropna(subset=["value"]).sort_values("value",
                                                                              ascending=False)
    rank = (list(kom["area_code"]).index(area_code) + 1) if area_code in set(kom["area_code"]) \
        else None
    comps = []
    for ind in ("ekonomiskt_utsatta", "varaktigt_lag_ekonomisk_standard", "lag_ekonomisk_standard",
                "lag_inkomststandard", "ekonomiskt_bistand"):
        k, r = row(ind, "kommun"), row(ind, "ovriga_lanet")
        comps.append({"indicator_id": ind, "measure": INDICATORS[ind][0],
                      "kommun": k.get("value", np.nan), "kommun_count": k.get("count", np.nan),
                      "rest": r.get("value", np.nan)})
    groups = []
    for bd, col in BREAKDOWNS.items():
        if col is None:
            continue
        for grp in t.loc[(t["breakdown"] == bd), "group"].drop_duplicates():
            k, r = row("ekonomiskt_utsatta", "kommun", bd, grp), \
                row("ekonomiskt_utsatta", "ovriga_lanet", bd, grp)
            groups.append({"breakdown": bd, "group": grp, "group_label": GROUP_LABELS.get(grp, grp),
                           "kommun": k.get("value", np.nan), "kommun_n": k.get("denominator", np.nan),
                           "rest": r.get("value", np.nan)})
    groups = pd.DataFrame(groups)
    if len(groups):
        groups["_o"] = groups["group"].map({g: i for i, g in enumerate(GROUP_ORDER)})
        groups = groups.sort_values(["_o"]).drop(columns="_o").reset_index(drop=True)
    tr = table[(table["indicator_id"] == "ekonomiskt_utsatta") & (table["breakdown"] == "totalt")
               & (table["period"] <= year)
               & (((table["area_code"] == area_code) & table["area_type"].isin(["kommun", "ovriga_lanet"]))
                  | (table["area_type"] == "lan"))].copy()
    tr["område"] = np.select([tr["area_type"] == "kommun", tr["area_type"] == "ovriga_lanet"],
                             [geo.kommun_namn(area_code), "Övriga länet"], geo.LAN_NAMN)
    return {"kommun": row("ekonomiskt_utsatta", "kommun"), "rest": row("ekonomiskt_utsatta",
            "ovriga_lanet"), "lan": row("ekonomiskt_utsatta", "lan"), "rank": rank,
            "rank_text": rank_text(rank, len(kom)),
            "n_ranked": len(kom), "components": pd.DataFrame(comps), "groups": groups,
            "trend": tr[["area_code", "area_type", "område", "period", "count", "denominator",
                         "value", "suppressed"]].reset_index(drop=True)}


def fmt_share(v: float, decimals: int = 1) -> str:
    """A proportion as Swedish per cent, or the suppression mark ``.`` when missing."""

    return disclosure.SUPPRESSED_MARK if v is None or pd.isna(v) else text.share(v, decimals)


def group_table(table: pd.DataFrame, year: int, area_type: str = "lan",
                area_code: str = geo.LAN_KOD) -> pd.DataFrame:
    """The composite by background, parents' education and household type for one area and year,
    in :data:`GROUP_ORDER`, with a display ``label`` and a ``colour`` per breakdown."""

    colours = {"bakgrund": plots.PALETTE[0], "utbildning": plots.PALETTE[3],
               "hushallstyp": plots.PALETTE[2]}
    t = table[(table["indicator_id"] == "ekonomiskt_utsatta") & (table["period"] == year)
              & (table["area_type"] == area_type) & (table["area_code"] == area_code)
              & (table["breakdown"] != "totalt")].copy()
    t["label"] = t["group"].map(GROUP_LABELS)
    t["colour"] = t["breakdown"].map(colours)
    t["_o"] = t["group"].map({g: i for i, g in enumerate(GROUP_ORDER)})
    return t.sort_values("_o").drop(columns="_o").reset_index(drop=True)


def kommun_group_table(table: pd.DataFrame, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kommuner (and the län) × groups of the composite: a display table of formatted shares (``.``
    where suppressed) and the long table for the CSV download."""
    t = table[(table["indicator_id"] == "ekonomiskt_utsatta") & (table["period"] == year)
              & table["area_type"].isin(["kommun", "lan"])].copy()
    t["area_name"] = np.where(t["area_type"] == "lan", geo.LAN_NAMN,
                              t["area_code"].map(geo.KOMMUNER).fillna(""))
    t["label"] = t["group"].map(GROUP_LABELS)
    cols = [GROUP_LABELS[g] for g in GROUP_ORDER if g in set(t["group"])]
    wide = t.set_index(["area_type", "area_code", "area_name", "label"])["value"].unstack("label")
    wide = wide.reindex(columns=cols).reset_index()
    wide["_l"] = (wide["area_type"] == "lan").astype(int)
    wide = wide.sort_values(["_l", "area_name"]).drop(columns="_l")
    show = wide[["area_name", *cols]].copy()
    for c in cols:
        show[c] = [fmt_share(v) for v in wide[c]]
    show = show.rename(columns={"area_name": "Område"}).reset_index(drop=True)
    long = t.drop(columns=["label"]).reset_index(drop=True)
    return show, long


def kommun_table(table: pd.DataFrame, year: int, synthetic: bool = False
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The composite per kommun (largest share first; in name order for synthetic data, whose
    order of kommuner is an assumption) and for the län: display rows (formatted, with the
    Wilson interval as one column) and the tidy rows for the CSV download."""

    t = select(table, area_type=["kommun", "lan"], period=year)
    by = ["_l", "area_name"] if synthetic else ["_l", "value"]
    t = t.assign(_l=(t["area_type"] == "lan").astype(int)).sort_values(
        by, ascending=[True, synthetic]).drop(columns="_l").reset_index(drop=True)
    show = pd.DataFrame({
        "Område": t["area_name"],
        "Barn 0–17 år": [disclosure.SUPPRESSED_MARK if pd.isna(v) else text.num(v)
                         for v in t["denominator"]],
        "I ekonomiskt utsatta hushåll": [disclosure.SUPPRESSED_MARK if pd.isna(v) else text.num(v)
                                         for v in t["count"]],
        "Andel": [fmt_share(v) for v in t["value"]],
        "95 % intervall": [disclosure.SUPPRESSED_MARK if pd.isna(a) else
                           f"{text.num(100 * a, 1)}–{fmt_share(b)}"
                           for a, b in zip(t["lower"], t["upper"], strict=True)],
    })
    return show, t


def nudge_share(report: Mapping) -> float:
    """The largest income reduction (a proportion) the calibration's nudge gave a family."""
    return float(1 - np.exp(-float(report.get("max_nudge", 0.0))))


def calibration_table(data: bfi.ChildData, table: pd.DataFrame) -> pd.DataFrame:
    """Per kommun: the ordering proxy, children, target count and share, and the computed share."""
    year = int(data.report.get("calibration_year", bfi.CALIBRATION_YEAR))
    t = data.targets.copy()
    got = table[(table["indicator_id"] == "ekonomiskt_utsatta") & (table["breakdown"] == "totalt")
                & (table["area_type"] == "kommun") & (table["period"] == year)]
    t["computed_share"] = t["kommun"].map(got.set_index("area_code")["value"])
    t["kommun_namn"] = t["kommun"].map(geo.KOMMUNER)
    cols = ["kommun_namn", "proxy", "n_children", "target_count", "target_share", "computed_share"]
    return t.sort_values("proxy")[cols].reset_index(drop=True)


def rank_text(rank: int | None, n: int) -> str:
    """Swedish wording of a rank by share, highest first: ``"den högsta"``, ``"den 3:e högsta"``,
    ``"den lägsta"``; ``".."`` when the rank is unknown (suppressed)."""
    if rank is None:
        return ".."
    if rank == 1:
        return "den högsta"
    if rank == n:
        return "den lägsta"
    suffix = "a" if rank % 10 in (1, 2) and rank % 100 not in (11, 12) else "e"
    return f"den {rank}:{suffix} högsta"


def kommun_spread(kommun_rows: pd.DataFrame, synthetic: bool) -> str:
    """One sentence on how the kommuner differ, from the kommun rows of one year.

    Real data name the lowest and highest kommun; synthetic data never do (which kommun is high
    or low is an assumption of the generator), so the sentence says that instead.
    """
    if synthetic:
        return ("Vilken kommun som har hög eller låg andel är i de syntetiska data ett antagande; "
                "kapitlet rangordnar därför inte kommunerna.")
    k = kommun_rows.dropna(subset=["value"]).sort_values("value")
    if k.empty:
        return "Andelarna per kommun kan inte visas (röjandeskydd)."
    lo, hi = k.iloc[0], k.iloc[-1]
    return (f"Andelen varierade från {text.share(lo['value'], 1)} i {lo['area_name']} till "
            f"{text.share(hi['value'], 1)} i {hi['area_name']}.")


def rank_sentence(profile: Mapping, name: str, synthetic: bool) -> str:
    """The profile's sentence on the kommun's place among the län's kommuner (none from
    synthetic data: their order is the generator's assumption)."""
    if synthetic:
        return ("Kommunernas inbördes ordning i de syntetiska data är ett antagande, så kommunen "
                "rangordnas inte här.")
    return (f"Av länets {profile['n_ranked']} kommuner har {name} {profile['rank_text']} "
            "andelen.")


def profile_display(profile: Mapping, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Display tables of :func:`kommun_profile`: the measures, and the composite by group, each for
    the kommun and the rest of the län (formatted; ``.`` where suppressed)."""
    c = profile["components"]
    comp = pd.DataFrame({"Mått": c["measure"], name: [fmt_share(v) for v in c["kommun"]],
                         "Övriga länet": [fmt_share(v) for v in c["rest"]]})
    g = profile["groups"]
    groups = pd.DataFrame({
        "Grupp": [f"{BREAKDOWN_LABELS[b]}: {lbl.lower()}"
                  for b, lbl in zip(g["breakdown"], g["group_label"], strict=True)],
        name: [fmt_share(v) for v in g["kommun"]],
        "Övriga länet": [fmt_share(v) for v in g["rest"]],
    })
    return comp, groups


# --------------------------------------------------------------------------- Kolada
def kolada_fetched(kolada_table: pd.DataFrame) -> bool:
    """True when the catalogued Kolada table holds fetched values (not the shipped request list)."""
    status = kolada_table["status"].fillna("").astype(str)
    return bool((status != kolada.NOT_FETCHED).any())


def kolada_comparison(kolada_table: pd.DataFrame, table: pd.DataFrame, year: int,
                      catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published Kolada values beside the book's values on the same definition, per area.

    ``N66077`` (invånare 0–19 år med låg ekonomisk standard, %) is compared with the book's low economic
    standard among children 0–19; ``U31803`` (barn under 18 i familjer med ekonomiskt bistånd, %) with
    the share of children 0–17 whose household received ekonomiskt bistånd. Kolada's values are per cent
    and become proportions here. Suppressed book cells stay empty.

    Parameters
    ----------
    kolada_table
        Tidy Kolada values (:func:`analysis.sources.kolada.parse_values` / the catalogued
        ``kolada_barn_ekonomi``).
    table
        :func:`analysis.methods.disclosure.protect_counts` output.
    year
        The year compared.
    catalogue
        Kolada KPI catalogue for the titles (optional).

    Returns
    -------
    pandas.DataFrame
        ``kpi, kpi_title, area_code, area_type, area_name, period, kolada, computed, difference,
        computed_suppressed``, kommuner in code order then the län; empty when nothing matches.
    """
    k = kolada_table[(kolada_table["kpi"].isin(list(KOLADA_KPIS))) & (kolada_table["sex"] == "totalt")
                     & (kolada_table["period"] == year)
                     & (kolada_table["area_type"].isin(["kommun", "lan"]))].copy()
    k = k[k["area_type"].ne("kommun") | k["area_code"].isin(list(geo.KOMMUNER))]
    k = k[k["area_type"].ne("lan") | (k["area_code"] == geo.LAN_KOD)]
    k["indicator_id"] = k["kpi"].map(KOLADA_KPIS)
    mine = table[(table["breakdown"] == "totalt") & (table["period"] == year)
                 & table["area_type"].isin(["kommun", "lan"])]
    m = k.merge(mine[["indicator_id", "area_code", "area_type", "value", "suppressed"]],
                on=["indicator_id", "area_code", "area_type"], how="left", suffixes=("_kolada", ""))
    titles = {}
    if catalogue is not None:
        titles = dict(zip(catalogue["id"], catalogue["title"], strict=False))
    out = pd.DataFrame({
        "kpi": m["kpi"], "kpi_title": [titles.get(k, k) for k in m["kpi"]],
        "area_code": m["area_code"], "area_type": m["area_type"],
        "area_name": np.where(m["area_type"] == "lan", geo.LAN_NAMN,
                              m["area_code"].map(geo.KOMMUNER).fillna("")),
        "period": m["period"].astype(int), "kolada": m["value_kolada"] / 100,
        "computed": m["value"].astype(float),
        "computed_suppressed": m["suppressed"].fillna(True).astype(bool),
    })
    out["difference"] = out["computed"] - out["kolada"]
    out = out.assign(_l=(out["area_type"] == "lan").astype(int))
    return out.sort_values(["kpi", "_l", "area_code"]).drop(columns="_l").reset_index(drop=True)


def map_frame(boundaries: pd.DataFrame, kommun_cells: pd.DataFrame) -> pd.DataFrame:
    """Kommun boundaries with each kommun's ``value`` (0–1) and ``pct`` (per cent) for a map;
    a kommun without a cell keeps its shape and gets no value."""
    out = boundaries.merge(
        kommun_cells[["area_code", "value"]].rename(columns={"area_code": "kommun_kod"}),
        on="kommun_kod", how="left")
    out["pct"] = 100 * out["value"]
    return out


def reference_panels(lan_cells: pd.DataFrame, kommun_cells: pd.DataFrame) -> pd.DataFrame:
    """The län's series repeated in every kommun's panel of a small-multiples chart (the
    dashed reference line): one row per kommun name and period."""
    return lan_cells.drop(columns="area_name").merge(
        kommun_cells[["area_name", "period"]], on="period")


def key_indicators(table: pd.DataFrame, year: int, synthetic: bool,
                   kolada_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The chapter's key indicators for the edition comparison (:func:`analysis.present.publish.indicators`).

    The share of children in economically vulnerable households (the regional development
    strategy's indicator, measured against :data:`RUS_BASE_YEAR`) for the län and each kommun in
    ``year``, from the protected table (data kind ``syntetisk`` when ``synthetic``); and, when
    Kolada's values have been fetched, Kolada's published N66077 and U31803 (data kind
    ``uppmätt``). Suppressed cells are left out.
    """
    t = table[(table["indicator_id"] == "ekonomiskt_utsatta") & (table["breakdown"] == "totalt")
              & (table["period"] == year) & table["area_type"].isin(["lan", "kommun"])]
    t = t[~t["suppressed"].astype(bool)].dropna(subset=["value"])
    own = pd.DataFrame({
        "indicator_id": "bf_ekonomiskt_utsatta",
        "indicator": INDICATORS["ekonomiskt_utsatta"][0] + ", 0–17 år",
        "area_code": t["area_code"].astype(str), "period": str(year), "value": t["value"],
        "unit": "andel", "data_kind": provenance.of(synthetic),
    })
    parts = [own]
    if kolada_table is not None and kolada_fetched(kolada_table):
        k = kolada_table[kolada_table["kpi"].isin(list(KOLADA_KPIS))
                         & (kolada_table["sex"] == "totalt") & (kolada_table["period"] == year)
                         & ((kolada_table["area_code"] == geo.LAN_KOD)
                            | kolada_table["area_code"].isin(list(geo.KOMMUNER)))]
        k = k.dropna(subset=["value"])
        parts.append(pd.DataFrame({
            "indicator_id": "kolada_" + k["kpi"],
            "indicator": [f"{INDICATORS[KOLADA_KPIS[c]][0]} (Kolada {c})" for c in k["kpi"]],
            "area_code": k["area_code"].astype(str), "period": str(year),
            "value": k["value"] / 100, "unit": "andel", "data_kind": provenance.MEASURED,
        }))
    return pd.concat(parts, ignore_index=True).drop_duplicates(["indicator_id", "area_code"])
