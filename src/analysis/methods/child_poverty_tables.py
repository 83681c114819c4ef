"""The child poverty chapter's cells: indicator definitions, the children table and every published cell.

From the measures of :mod:`analysis.methods.poverty` (one row per person and year) to the tidy table
of every cell the chapter and the kommun profiles publish (:func:`indicator_table`: indicators ×
breakdowns × län, kommun and "rest of the län" × years, with Wilson intervals), before disclosure
control (:func:`analysis.methods.disclosure.protect_counts`). Also the pre-study's published 2019
figures (:func:`published_figures`) and the real proxy that orders the kommuner in the synthetic
data (:func:`kommun_proxy`). The same code serves the real register extract and the synthetic one
(:mod:`analysis.inputs.barnfattigdom`).
"""

from __future__ import annotations

import pandas as pd

from analysis.core import geo
from analysis.methods import poverty as pv
from analysis.methods import survey
from analysis.sources import seeds

__all__ = [
    "AREA_TYPES",
    "BREAKDOWNS",
    "GROUP_LABELS",
    "GROUP_ORDER",
    "INDICATORS",
    "NEEDS_HISTORY",
    "PUBLISHED",
    "RUS_BASE_YEAR",
    "children_table",
    "indicator_table",
    "kommun_proxy",
    "published_figures",
]

#: Indicator id → (Swedish label, flag column in the children table, ages).
INDICATORS: dict[str, tuple[str, str, tuple[int, int]]] = {
    "ekonomiskt_utsatta": ("Barn i ekonomiskt utsatta hushåll", "economically_vulnerable", (0, 17)),
    "varaktigt_lag_ekonomisk_standard": ("Varaktigt låg ekonomisk standard",
                                         "persistent_low_economic_standard", (0, 17)),
    "lag_ekonomisk_standard": ("Låg ekonomisk standard", "low_economic_standard", (0, 17)),
    "lag_inkomststandard": ("Låg inkomststandard", "low_income_standard", (0, 17)),
    "ekonomiskt_bistand": ("Familjen fick ekonomiskt bistånd", "economic_assistance", (0, 17)),
    "lag_ekonomisk_standard_0_19": ("Låg ekonomisk standard, 0–19 år", "low_economic_standard",
                                    (0, 19)),
}
#: Indicators that need the three previous years (varaktighet).
NEEDS_HISTORY = ("ekonomiskt_utsatta", "varaktigt_lag_ekonomisk_standard")
#: Breakdown id → column of the children table (None: all children).
BREAKDOWNS: dict[str, str | None] = {
    "totalt": None, "bakgrund": "background", "utbildning": "parents_education",
    "hushallstyp": "household_type",
}
#: Group → its label on the pages; the order is the order of the tables.
GROUP_LABELS = {
    "totalt": "Alla barn",
    "svensk": "Svensk bakgrund", "utländsk": "Utländsk bakgrund",
    "förgymnasial": "Förgymnasial", "gymnasial": "Gymnasial", "eftergymnasial": "Eftergymnasial",
    "okänd": "Uppgift saknas",
    "sammanboende med barn": "Sammanboende med barn", "ensamstående med barn": "Ensamstående med barn",
    "övriga hushåll med barn": "Övriga hushåll med barn",
}
GROUP_ORDER = list(GROUP_LABELS)
AREA_TYPES = ("lan", "kommun", "ovriga_lanet")
#: The base year of the regional development strategy's indicator on the composite (RUS, seed 004).
RUS_BASE_YEAR = 2015
#: The published figures of the pre-study (seed_figures rows, analysis "child_poverty").
PUBLISHED = {
    "count": ("Barn 0-17 år i ekonomiskt utsatta hushåll, antal", geo.LAN_NAMN),
    "share": ("Andel barn 0-17 år i ekonomiskt utsatta hushåll", geo.LAN_NAMN),
    "kommun_min": ("Andel barn 0-17 år i ekonomiskt utsatta hushåll, lägsta kommun",
                   "kommun i Örebro län (ej namngiven)"),
    "kommun_max": ("Andel barn 0-17 år i ekonomiskt utsatta hushåll, högsta kommun",
                   "kommun i Örebro län (ej namngiven)"),
}


def published_figures(seed_figures: pd.DataFrame) -> dict[str, dict]:
    """The pre-study's 2019 figures (FoHM statistics) with their quotes, from ``seed_figures``.

    Returns
    -------
    dict
        ``count`` (8 884), ``share``, ``kommun_min``, ``kommun_max`` (proportions), each a dict with
        ``value``, ``period``, ``quote``, ``source`` (the document, its part and the quote) and
        ``source_file`` (for :func:`analysis.sources.documents.cite`).
    """
    out = {}
    for key, (indicator, geography) in PUBLISHED.items():
        row = seeds.published(seed_figures, analysis="child_poverty", indicator=indicator,
                              geography=geography)
        value = float(row["value"])
        out[key] = {"value": value / 100 if row["unit"] == "percent" else value,
                    "period": int(row["period"]), "quote": str(row["quote"]),
                    "source": seeds.source_line(row), "source_file": str(row["source_file"])}
    return out


def kommun_proxy(bistand: pd.DataFrame) -> pd.Series:
    """Socialstyrelsen's cost of ekonomiskt bistånd per inhabitant, per kommun code (``proxy``):
    the real figure that orders the kommuner in the synthetic data.

    Raises
    ------
    ValueError
        If a kommun of the län is missing.
    """
    code = {v: k for k, v in geo.KOMMUNER.items()}
    b = bistand[bistand["kommun_namn"].isin(code)]
    missing = sorted(set(code) - set(b["kommun_namn"]))
    if missing:
        raise ValueError(f"the ekonomiskt bistånd table lacks kommuner {missing}")
    return pd.Series(b["kostnad_per_invanare_kr"].to_numpy(dtype=float),
                     index=b["kommun_namn"].map(code).to_numpy(), name="proxy")


def children_table(measures: pd.DataFrame) -> pd.DataFrame:
    """Child rows (0–19) of :func:`analysis.methods.poverty.poverty_measures` with the composite flag.

    The composite (:func:`analysis.methods.poverty.economically_vulnerable_children`) is computed for every
    child row; :data:`INDICATORS` restricts it to ages 0–17 when aggregating.
    """
    kids = pv.economically_vulnerable_children(measures, ages=(0, 19))
    keep = ["year", "kommun", "age", "background", "parents_education", "household_type",
            "economically_vulnerable", "persistent_low_economic_standard", "low_economic_standard",
            "low_income_standard", "economic_assistance", "prev_years_low", "prev_years_observed"]
    out = kids[keep].reset_index(drop=True)
    for c in ("kommun", "background", "parents_education", "household_type"):
        out[c] = out[c].astype("category")
    return out


def indicator_table(children: pd.DataFrame, first_evaluable_year: int) -> pd.DataFrame:
    """Every published cell: indicators × breakdowns × (län, kommun, rest of the län) × years.

    Counts come from :func:`analysis.methods.poverty.aggregate_children`; the *rest of the län* for kommun ``k``
    (area type ``ovriga_lanet``, ``area_code`` = ``k``) is the län minus the kommun. Indicators that need
    three previous years start at ``first_evaluable_year``. Wilson intervals
    (:func:`analysis.methods.survey.proportion_columns`; the register is a census: they describe
    random variation only).

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, area_code, area_type, period, breakdown, group, count, denominator, value,
        lower, upper, confidence, statistic, method`` (proportions 0–1).
    """
    parts = []
    for ind, (_, flag, ages) in INDICATORS.items():
        kids = children[children["age"].between(*ages)]
        if ind in NEEDS_HISTORY:
            kids = kids[kids["year"] >= first_evaluable_year]
        for bd, col in BREAKDOWNS.items():
            t = pv.aggregate_children(kids, flag, by=col, area_levels=("kommun", "lan"),
                                      indicator_id=ind)
            if col is None:
                t.insert(t.columns.get_loc("period") + 1, "group", "totalt")
            t.insert(t.columns.get_loc("group"), "breakdown", bd)
            parts.append(t)
    base = pd.concat(parts, ignore_index=True).drop(columns=["value", "statistic"])
    keys = ["indicator_id", "period", "breakdown", "group"]
    lan = base.loc[base["area_type"] == "lan", keys + ["count", "denominator"]]
    kom = base[base["area_type"] == "kommun"]
    rest = kom[keys + ["area_code"]].copy()
    both = kom.merge(lan, on=keys, how="left", suffixes=("", "_lan"), validate="many_to_one")
    rest["count"] = (both["count_lan"] - both["count"]).to_numpy()
    rest["denominator"] = (both["denominator_lan"] - both["denominator"]).to_numpy()
    rest["area_type"] = "ovriga_lanet"
    out = pd.concat([base, rest], ignore_index=True)
    out = survey.proportion_columns(out[out["denominator"] > 0].copy(), 0.95)
    order = {a: i for i, a in enumerate(AREA_TYPES)}
    out = out.assign(_a=out["area_type"].map(order), _g=out["group"].map(
        {g: i for i, g in enumerate(GROUP_ORDER)}))
    out = out.sort_values(["indicator_id", "period", "breakdown", "_g", "_a", "area_code"])
    cols = ["indicator_id", "area_code", "area_type", "period", "breakdown", "group", "count",
            "denominator", "value", "lower", "upper", "confidence", "statistic", "method"]
    return out[cols].reset_index(drop=True)
