"""Child poverty chapter: register data (synthetic or real), tidy tables with disclosure control,
the published 2019 figures beside the computed ones, the Kolada comparison and the Kolada fetch.

Flow (one call per notebook, the heavy part cached)::

    data = child_poverty.synthetic_children(seed, kolada, lan_pop, medians, kpi, riksnorm, bistand, seeds)
    # or, with the real extract: child_poverty.register_children(path, kolada, lan_pop, medians, kpi, riksnorm, seeds)
    table = child_poverty.protect(data.indicators, min_count, min_denominator)

``data.indicators`` holds every cell the chapter and the kommun profiles publish (län, kommun and
"rest of the län" per kommun; totals and breakdowns; all years). :func:`protect` applies the threshold
rule and secondary suppression to that whole set at once, so that no page can be combined with another
to recover a suppressed cell.

Command line (online)::

    python -m analysis.chapters.child_poverty fetch-kolada --years 2011-2021

downloads the published Kolada indicators, stores the raw responses with provenance under
``data/raw/kolada_barn_ekonomi/<date>/`` and catalogues them as dataset ``kolada_barn_ekonomi``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.contracts import register
from analysis.core import diskcache, geo, text
from analysis.methods import disclosure, population
from analysis.methods import poverty as pv
from analysis.methods.survey import wilson_interval
from analysis.present import plots
from analysis.sources import catalog, kolada, seeds
from analysis.synthetic import synth_register as sr

__all__ = [
    "BREAKDOWNS",
    "INDICATORS",
    "ChildData",
    "count_share_check",
    "indicator_table",
    "kolada_comparison",
    "kolada_fetched",
    "kommun_profile",
    "protect",
    "published_comparison",
    "published_figures",
    "register_children",
    "synthetic_children",
]

# --------------------------------------------------------------------------- definitions
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
BREAKDOWN_LABELS = {"totalt": "Alla barn", "bakgrund": "Bakgrund",
                    "utbildning": "Föräldrarnas utbildning", "hushallstyp": "Hushållstyp"}
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
#: The published figures of the pre-study (seed_figures rows, analysis "child_poverty").
PUBLISHED = {
    "count": ("Barn 0-17 år i ekonomiskt utsatta hushåll, antal", geo.LAN_NAMN),
    "share": ("Andel barn 0-17 år i ekonomiskt utsatta hushåll", geo.LAN_NAMN),
    "kommun_min": ("Andel barn 0-17 år i ekonomiskt utsatta hushåll, lägsta kommun",
                   "kommun i Örebro län (ej namngiven)"),
    "kommun_max": ("Andel barn 0-17 år i ekonomiskt utsatta hushåll, högsta kommun",
                   "kommun i Örebro län (ej namngiven)"),
}
CACHE_VERSION = "1"
ENV_EXTRACT = "ANALYSIS_REGISTER_EXTRACT"
ENV_EXTRACT_OPTIONS = "ANALYSIS_REGISTER_OPTIONS"
DEFAULT_EXTRACT = Path("data") / "private" / "barnfattigdom" / "register.parquet"
KOLADA_DATASET = "kolada_barn_ekonomi"
#: Kolada KPIs the chapter compares with (KPI → the book's indicator on the same definition).
KOLADA_KPIS = {"N66077": "lag_ekonomisk_standard_0_19", "U31803": "ekonomiskt_bistand"}
#: KPIs fetched (U31809, long-term assistance, is stored for later use).
KOLADA_FETCH = ("N66077", "U31803", "U31809")
NOT_FETCHED = "ej hämtad"



# --------------------------------------------------------------------------- published figures
def published_figures(seed_figures: pd.DataFrame) -> dict[str, dict]:
    """The pre-study's 2019 figures (FoHM statistics) with their quotes, from ``seed_figures``.

    Returns
    -------
    dict
        ``count`` (8 884), ``share``, ``kommun_min``, ``kommun_max`` (proportions), each a dict with
        ``value``, ``period``, ``quote`` and ``source`` (file, line and quote).
    """
    out = {}
    for key, (indicator, geography) in PUBLISHED.items():
        row = seeds.published(seed_figures, analysis="child_poverty", indicator=indicator,
                              geography=geography)
        value = float(row["value"])
        out[key] = {"value": value / 100 if row["unit"] == "percent" else value,
                    "period": int(row["period"]), "quote": str(row["quote"]),
                    "source": seeds.source_line(row)}
    return out


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
        :func:`protect` output (or the unprotected :func:`indicator_table`).
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


# --------------------------------------------------------------------------- inputs
def _kommun_proxy(bistand: pd.DataFrame) -> pd.Series:
    code = {v: k for k, v in geo.KOMMUNER.items()}
    b = bistand[bistand["kommun_namn"].isin(code)]
    missing = sorted(set(code) - set(b["kommun_namn"]))
    if missing:
        raise ValueError(f"the ekonomiskt bistånd table lacks kommuner {missing}")
    return pd.Series(b["kostnad_per_invanare_kr"].to_numpy(dtype=float),
                     index=b["kommun_namn"].map(code).to_numpy(), name="proxy")


@dataclass
class ChildData:
    """Children's measures and every derived input, from the synthetic or the real register.

    Attributes
    ----------
    source
        ``"syntetisk"`` or ``"register"``.
    children
        One row per child 0–19 and year: ``year, kommun, age, background, parents_education,
        household_type`` and the flags of :data:`INDICATORS` plus ``prev_years_low``,
        ``prev_years_observed``.
    indicators
        :func:`indicator_table` (not yet protected).
    child_counts, medians, norms, targets
        The generator's inputs (:mod:`analysis.synthetic.synth_register`); ``targets`` is empty for real data.
    report
        Calibration report and provenance (seed, cache key).
    """

    source: str
    children: pd.DataFrame
    indicators: pd.DataFrame
    child_counts: pd.DataFrame
    medians: pd.DataFrame
    norms: pd.DataFrame
    targets: pd.DataFrame
    report: dict = field(default_factory=dict)
    cache_dir: Path | None = None

    def protected(self, min_count: int = 5, min_denominator: int = 20) -> pd.DataFrame:
        """:func:`protect` of :attr:`indicators`, cached next to the data for these thresholds."""
        if self.cache_dir is None:
            return protect(self.indicators, min_count, min_denominator)
        path = self.cache_dir / f"protected_{int(min_count)}_{int(min_denominator)}.parquet"
        if path.exists():
            return pd.read_parquet(path)
        out = protect(self.indicators, min_count, min_denominator)
        diskcache.write_parquet_atomic(out, path)
        return out

    @property
    def first_year(self) -> int:
        return int(self.children["year"].min())

    @property
    def first_evaluable_year(self) -> int:
        """The first year with three previous years (varaktigt låg ekonomisk standard)."""
        return self.first_year + 3


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
    three previous years start at ``first_evaluable_year``. Wilson intervals (the register is a census:
    they describe random variation only).

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
    out = out[out["denominator"] > 0].copy()
    out["count"] = out["count"].astype("int64")
    out["denominator"] = out["denominator"].astype("int64")
    out["value"] = out["count"] / out["denominator"]
    out["lower"], out["upper"] = wilson_interval(out["count"].to_numpy(),
                                                 out["denominator"].to_numpy())
    out["confidence"] = 0.95
    out["statistic"] = "proportion"
    out["method"] = "wilson"
    order = {a: i for i, a in enumerate(AREA_TYPES)}
    out = out.assign(_a=out["area_type"].map(order), _g=out["group"].map(
        {g: i for i, g in enumerate(GROUP_ORDER)}))
    out = out.sort_values(["indicator_id", "period", "breakdown", "_g", "_a", "area_code"])
    cols = ["indicator_id", "area_code", "area_type", "period", "breakdown", "group", "count",
            "denominator", "value", "lower", "upper", "confidence", "statistic", "method"]
    return out[cols].reset_index(drop=True)


# --------------------------------------------------------------------------- disclosure control
def _relations(t: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """Additive relations between published cells: (total row, component rows).

    1. The groups of a breakdown add up to the area's total. 2. The kommuner add up to the län.
    3. A kommun and the rest of the län add up to the län. ``t`` needs a ``rowid`` column.
    """
    cols = ["indicator_id", "area_type", "area_code", "period", "breakdown", "group"]
    keys = list(zip(*(t[c].tolist() for c in cols), strict=True))
    rowids = t["rowid"].tolist()
    row = dict(zip(keys, rowids, strict=True))
    by_breakdown: dict[tuple, list[int]] = {}
    kommuner: dict[tuple, list[tuple[int, str]]] = {}
    for (ind, at, ac, per, bd, grp), r in zip(keys, rowids, strict=True):
        if bd != "totalt":
            by_breakdown.setdefault((ind, at, ac, per), []).append(r)
        if at == "kommun":
            kommuner.setdefault((ind, per, bd, grp), []).append((r, ac))
    rel: list[tuple[int, list[int]]] = []
    for (ind, at, ac, per), parts in by_breakdown.items():
        # one relation per breakdown: split the parts by breakdown
        split: dict[str, list[int]] = {}
        for r in parts:
            split.setdefault(keys[r][4], []).append(r)
        total = row.get((ind, at, ac, per, "totalt", "totalt"))
        if total is not None:
            rel.extend((total, p) for p in split.values())
    for (ind, per, bd, grp), parts in kommuner.items():
        total = row.get((ind, "lan", geo.LAN_KOD, per, bd, grp))
        if total is None:
            continue
        rel.append((total, [r for r, _ in parts]))
        for r, ac in parts:
            rest = row.get((ind, "ovriga_lanet", ac, per, bd, grp))
            if rest is not None:
                rel.append((total, [r, rest]))
    return rel


def protect(table: pd.DataFrame, min_count: int = 5, min_denominator: int = 20) -> pd.DataFrame:
    """Disclosure control for the chapter's cells: threshold rule, then secondary suppression.

    Primary: a cell with fewer than ``min_count`` children with the flag or fewer than
    ``min_denominator`` children in the group is suppressed (:func:`analysis.methods.disclosure.suppress`;
    value, interval, count and denominator are blanked). Secondary: the published cells are tied by
    additive relations (a breakdown's groups add up to the total; the kommuner add up to the län; a
    kommun and the rest of the län add up to the län). Where exactly one cell of a relation is
    suppressed it could be recovered by subtraction, so the component with the smallest denominator is
    suppressed too, repeated until no relation has exactly one suppressed cell (the usual heuristic for
    linked tables; Hundepool et al. 2012, *Statistical Disclosure Control*, §4.3).

    Parameters
    ----------
    table
        :func:`indicator_table` output (all cells that any page publishes).
    min_count, min_denominator
        Thresholds (the chapter's parameters).

    Returns
    -------
    pandas.DataFrame
        The table with ``suppressed`` (bool) and ``note`` columns; suppressed rows have NaN in
        ``count, denominator, value, lower, upper``.
    """
    if min_count < 1 or min_denominator < 1:
        raise ValueError("thresholds must be at least 1")
    t = table.reset_index(drop=True).copy()
    n = t["denominator"].to_numpy(dtype=float)
    rules = [disclosure.Rule("count", min_count, f"färre än {min_count} barn"),
             disclosure.Rule("denominator", min_denominator, f"färre än {min_denominator} barn i gruppen")]
    out = disclosure.suppress(t, rules=rules, columns=["value", "lower", "upper"], blank_counts=True)
    sup = out["suppressed"].to_numpy(dtype=bool).copy()
    t["rowid"] = np.arange(len(t))
    relations = _relations(t)
    secondary = np.zeros(len(t), dtype=bool)
    for _ in range(100):
        changed = False
        for total, parts in relations:
            cells = [total, *parts]
            if sum(sup[c] for c in cells) != 1:
                continue
            open_parts = [p for p in parts if not sup[p]]
            pick = min(open_parts, key=lambda p: (n[p], p)) if open_parts else total
            if sup[pick]:
                continue
            sup[pick] = secondary[pick] = True
            changed = True
        if not changed:
            break
    else:  # pragma: no cover - the heuristic always converges on finite tables
        raise RuntimeError("secondary suppression did not converge")
    cols = ["count", "denominator", "value", "lower", "upper"]
    for c in cols:
        out[c] = out[c].astype("float64")
    out.loc[secondary, cols] = np.nan
    out["suppressed"] = sup
    out.loc[secondary, "note"] = "skyddad för att en annan cell inte ska kunna räknas fram"
    return out


def check_protected(table: pd.DataFrame, min_count: int, min_denominator: int) -> None:
    """Assert that no published cell is under the thresholds and no suppressed cell can be derived.

    Raises
    ------
    AssertionError
        Naming the first offending row.
    """
    shown = table[~table["suppressed"]]
    bad = shown[(shown["count"] < min_count) | (shown["denominator"] < min_denominator)]
    assert bad.empty, f"published cells under the thresholds: {bad.head(3).to_dict('records')}"
    hidden = table[table["suppressed"]]
    assert hidden[["count", "denominator", "value", "lower", "upper"]].isna().all().all(), \
        "a suppressed cell still has a value"
    t = table.reset_index(drop=True).assign(rowid=lambda d: np.arange(len(d)))
    sup = t["suppressed"].to_numpy(dtype=bool)
    for total, parts in _relations(t):
        assert sum(sup[c] for c in [total, *parts]) != 1, \
            f"a suppressed cell can be recovered: {t.loc[[total, *parts]].head(3).to_dict('records')}"


# --------------------------------------------------------------------------- caching
#: Modules whose code shapes the cached data (their source is part of the cache key).
CODE_MODULES = ("synth_register", "poverty", "child_poverty", "register", "population",
                "working_age", "microdata", "diskcache")
_TABLES = ("children", "indicators", "child_counts", "medians", "norms", "targets")


def _write(data: ChildData, folder: Path) -> dict:
    for name in _TABLES:
        getattr(data, name).to_parquet(folder / f"{name}.parquet", index=False)
    return {"source": data.source, "report": data.report}


def _read(folder: Path, meta: dict) -> ChildData:
    frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in _TABLES}
    return ChildData(meta["source"], report=meta["report"], **frames)


def _cached(key: str, code: str, build, cache_root: Path | None) -> ChildData:
    """Read ``ChildData`` from the cache folder ``key``, or build and store it atomically
    (:func:`analysis.core.diskcache.cached`)."""
    root = cache_root or diskcache.default_root("barnfattigdom")
    data = diskcache.cached(root, key, code, build, _write, _read)
    data.cache_dir = root / key
    return data


def _inputs(kolada: pd.DataFrame, lan_pop: pd.DataFrame, medians_raw: pd.DataFrame,
            kpi: pd.DataFrame, riksnorm: pd.DataFrame, years: Sequence[int]):

    groups = population.kolada_age_groups(kolada)
    last = int(groups["ar"].max())
    lan = population.lan_series(lan_pop, kolada, last)
    counts = sr.child_population(groups, lan, years)
    medians = sr.national_median(medians_raw, kpi, years)
    norms = sr.norm_table(riksnorm, kpi, years)
    return groups, counts, medians, norms


def synthetic_children(seed: int, kolada: pd.DataFrame, lan_pop: pd.DataFrame,
                       medians_raw: pd.DataFrame, kpi: pd.DataFrame, riksnorm: pd.DataFrame,
                       bistand: pd.DataFrame, seed_figures: pd.DataFrame, *,
                       years: Sequence[int] = sr.YEARS, cache_root: Path | None = None) -> ChildData:
    """The synthetic register's children, measures and cells (cached under ``data/interim/``).

    Load inputs: the catalogued tables (Kolada population, the län's single ages, SCB medians and
    KPI, the riksnorm, Socialstyrelsen's ekonomiskt bistånd per kommun, the published figures).
    Process: real child counts, medians, norms and kommun targets (:mod:`analysis.synthetic.synth_register`),
    :func:`analysis.synthetic.synth_register.generate`, :func:`analysis.methods.poverty.poverty_measures`,
    :func:`children_table`, :func:`indicator_table`. Save outputs: a cache folder keyed by a hash of
    the seed, every input table and the code, written atomically under a lock (notebooks run in
    parallel). A cold run takes about 15 seconds, a cached one under one second.

    Returns
    -------
    ChildData
    """
    # load inputs (hash them for the cache key)
    frames = [kolada, lan_pop, medians_raw, kpi, riksnorm, bistand, seed_figures]
    code = diskcache.code_hash(CODE_MODULES)
    key = diskcache.key({
        "v": [CACHE_VERSION, sr.GENERATOR_VERSION], "seed": int(seed), "years": list(years),
        "inputs": [diskcache.frame_hash(f) for f in frames], "code": code,
    })

    def build() -> ChildData:
        # process
        groups, counts, medians, norms = _inputs(kolada, lan_pop, medians_raw, kpi, riksnorm, years)
        pub = published_figures(seed_figures)
        n = counts[counts["year"] == sr.CALIBRATION_YEAR].set_index("kommun")["n_0_17"]
        targets = sr.kommun_targets(n, _kommun_proxy(bistand), lan_share=pub["share"]["value"],
                                    share_min=pub["kommun_min"]["value"],
                                    share_max=pub["kommun_max"]["value"])
        res = sr.generate(seed, counts, medians, norms, targets, years=years)
        measures = pv.poverty_measures(res.panel, medians.set_index("year")["median"], norms)
        kids = children_table(measures)
        first = int(min(years)) + 3
        report = dict(res.report, gamma=float(targets.attrs["gamma"]), cache_key=key,
                      alpha={k: float(v) for k, v in res.alpha.items()},
                      history=measures.attrs)
        cells = indicator_table(kids, first).assign(data="syntetisk")
        return ChildData("syntetisk", kids, cells, counts, medians, norms,
                         targets.reset_index(drop=True), report)

    return _cached(key, code, build, cache_root)


def register_extract_path(root: Path | None = None) -> Path | None:
    """The real register extract, if one is in place: ``$ANALYSIS_REGISTER_EXTRACT`` or
    ``data/private/barnfattigdom/register.parquet``; ``None`` when there is none."""

    env = os.environ.get(ENV_EXTRACT)
    if env:
        p = Path(env)
        if not p.exists():
            raise FileNotFoundError(f"{ENV_EXTRACT} points to {p}, which does not exist")
        return p
    p = (root or catalog.project_root()) / DEFAULT_EXTRACT
    return p if p.exists() else None


def register_children(path: str | Path, kolada: pd.DataFrame, lan_pop: pd.DataFrame,
                      medians_raw: pd.DataFrame, kpi: pd.DataFrame, riksnorm: pd.DataFrame, *,
                      read_options: Mapping | None = None, cache_root: Path | None = None
                      ) -> ChildData:
    """The same as :func:`synthetic_children` for a real register extract (the input contract).

    ``read_options`` go to :func:`analysis.contracts.register.read_register` (e.g. ``columns``, ``sep``,
    ``decimal``, ``encoding``); by default they are read as JSON from ``$ANALYSIS_REGISTER_OPTIONS``.
    The extract's years decide the panel years. The cache (git-ignored ``data/interim/``) is keyed by
    the file's md5.
    """

    path = Path(path)
    if read_options is None:
        read_options = json.loads(os.environ.get(ENV_EXTRACT_OPTIONS) or "{}")
    code = diskcache.code_hash(CODE_MODULES)
    key = diskcache.key({
        "v": CACHE_VERSION, "file": catalog.md5(path), "options": read_options,
        "inputs": [diskcache.frame_hash(f) for f in (kolada, lan_pop, medians_raw, kpi, riksnorm)],
        "code": code})

    def build() -> ChildData:
        panel = register.read_register(path, **read_options)
        years = sorted(int(y) for y in panel["year"].unique())
        groups, counts, medians, norms = _inputs(kolada, lan_pop, medians_raw, kpi, riksnorm, years)
        measures = pv.poverty_measures(panel, medians.set_index("year")["median"], norms)
        kids = children_table(measures)
        report = {"cache_key": key, "file": str(path), "history": measures.attrs,
                  "rows": int(len(panel))}
        cells = indicator_table(kids, min(years) + 3).assign(data="register")
        return ChildData("register", kids, cells, counts, medians, norms,
                         pd.DataFrame(columns=["kommun", "target_count"]), report)

    return _cached("reg-" + key, code, build, cache_root)


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


def protect_simple(table: pd.DataFrame, min_count: int, min_denominator: int,
                   count: str = "count", denominator: str = "denominator") -> pd.DataFrame:
    """Threshold rule for a single table outside the linked set (e.g. :func:`years_low`), with one
    complementary cell suppressed when only one is (the table's rows add up to its denominator)."""
    out = disclosure.suppress(table, rules={count: min_count, denominator: min_denominator},
                              columns=[c for c in ("share", "value") if c in table.columns],
                              blank_counts=True)
    sup = out["suppressed"].to_numpy(dtype=bool)
    if sup.sum() == 1 and len(out) > 1:
        open_rows = np.flatnonzero(~sup)
        pick = open_rows[np.argmin(table[count].to_numpy()[open_rows])]
        out.loc[out.index[pick], [c for c in (count, "share", "value") if c in out.columns]] = np.nan
        out.loc[out.index[pick], "suppressed"] = True
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


def kommun_table(table: pd.DataFrame, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The composite per kommun (largest share first) and for the län: display rows (formatted,
    with the Wilson interval as one column) and the tidy rows for the CSV download."""

    t = select(table, area_type=["kommun", "lan"], period=year)
    t = t.assign(_l=(t["area_type"] == "lan").astype(int)).sort_values(
        ["_l", "value"], ascending=[True, False]).drop(columns="_l").reset_index(drop=True)
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


def calibration_table(data: ChildData, table: pd.DataFrame) -> pd.DataFrame:
    """Per kommun: the ordering proxy, children, target count and share, and the computed share."""
    year = int(data.report.get("calibration_year", sr.CALIBRATION_YEAR))
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
    return bool((status != NOT_FETCHED).any())


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
        :func:`protect` output.
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


def kolada_request(kpis: Sequence[str] = KOLADA_FETCH, years: Sequence[int] = sr.YEARS
                   ) -> pd.DataFrame:
    """The shipped stand-in for ``kolada_barn_ekonomi`` before a fetch: what will be asked for, every
    ``value`` empty and ``status`` ``"ej hämtad"`` (no number is invented)."""

    rows = []
    for kpi in kpis:
        for muni in kolada.DEFAULT_AREAS:
            code, area_type = kolada._area(muni)
            for y in years:
                rows.append((kpi, code, area_type, int(y), "totalt", np.nan, NOT_FETCHED))
    return pd.DataFrame(rows, columns=kolada.TIDY_COLUMNS)


_KOLADA_DATASET_ENTRY = {
    "file": "kolada_barn_ekonomi.csv",
    "driver": "csv",
    "schema": "kolada_kpi",
    "title": "Koladas nyckeltal om barns ekonomi (N66077, U31803, U31809) per kommun, region och riket",
    "unit": "andel (%) enligt nyckeltalet",
    "columns": {
        "kpi": "Koladas nyckeltals-id",
        "area_code": "kommunkod, 18 = Region Örebro län, 00 = riket",
        "area_type": "kommun, lan eller riket",
        "period": "år",
        "sex": "totalt, kvinnor eller man",
        "value": "publicerat värde i procent (tomt = saknas eller ej hämtat)",
        "status": "Koladas status; 'ej hämtad' = ännu inte hämtat",
    },
}


def _write_kolada_fragment(root: Path, folder: Path, provenance: str, *, fetched: bool,
                           accessed: str) -> Path:
    """Write ``folder``'s ``PROVENANCE.md`` and (re)write ``data/catalog.d/kolada_barn_ekonomi.yml``
    listing every file of ``folder`` with its md5; atomically, restored if the catalogue breaks."""
    import yaml


    (folder / "PROVENANCE.md").write_text(provenance, encoding="utf-8")
    files = {f.name: catalog.md5(f) for f in sorted(folder.iterdir()) if f.is_file()}
    folder_rel = folder.relative_to(root / "data").as_posix()
    source = {
        "producer": "RKA (Kolada)" if fetched else "Projektet (förteckning över nyckeltal att hämta)",
        "title": ("Kolada API v3, nyckeltal om barns ekonomi, hämtade " + accessed) if fetched
        else "Kolada-nyckeltal om barns ekonomi: ännu inte hämtade (förteckning utan värden)",
        "url_main": "https://api.kolada.se/v3",
        "date_published": accessed,
        "date_accessed": accessed,
        "licence": "Kolada/RKA open data; own processing must not be credited to Kolada" if fetched
        else "Project file (no data)",
        "citation": "Källa: Kolada/RKA" if fetched else "Källa: Kolada/RKA (ej hämtat)",
        "folder": folder_rel,
        "files": files,
    }
    frag = root / "data" / "catalog.d" / f"{KOLADA_DATASET}.yml"
    header = ("# Written by `python -m analysis.chapters.child_poverty fetch-kolada`: the current Kolada fetch for\n"
              "# the child poverty chapter. Do not edit by hand; fetch again to replace it.\n")
    body = yaml.safe_dump({"sources": {KOLADA_DATASET: source},
                           "datasets": {KOLADA_DATASET: dict(_KOLADA_DATASET_ENTRY,
                                                             source=KOLADA_DATASET)}},
                          allow_unicode=True, sort_keys=False)
    old = frag.read_bytes() if frag.exists() else None
    tmp = frag.with_suffix(".yml.tmp")
    tmp.write_text(header + body, encoding="utf-8")
    tmp.replace(frag)
    try:
        catalog.read_catalog(root)
        catalog.load(KOLADA_DATASET, root=root)
    except Exception:
        if old is None:
            frag.unlink()
        else:
            frag.write_bytes(old)
        raise
    return frag


def fetch_kolada(years: Sequence[int], kpis: Sequence[str] = KOLADA_FETCH, *,
                 root: Path | None = None, session=None, today: date | None = None) -> Path:
    """Fetch the KPIs from Kolada v3 and catalogue them as dataset ``kolada_barn_ekonomi``.

    Load inputs: :func:`analysis.sources.kolada.fetch` (online; raw responses written byte for byte with
    ``provenance.json`` to ``data/raw/kolada_barn_ekonomi/<date>/``). Process: the tidy table. Save
    outputs: ``kolada_barn_ekonomi.csv`` (derived from the responses by
    :func:`analysis.sources.kolada.parse_values`) and a ``PROVENANCE.md`` in the same folder, and the catalogue
    fragment ``data/catalog.d/kolada_barn_ekonomi.yml`` listing every file with its md5.

    Returns
    -------
    pathlib.Path
        The fragment.

    Raises
    ------
    analysis.sources.kolada.KoladaOfflineError
        Without a network; nothing is written.
    """

    root = root or catalog.project_root()
    accessed = (today or date.today()).isoformat()
    raw_root = root / "data" / "raw" / KOLADA_DATASET
    tidy = kolada.fetch(list(kpis), list(years), session=session, raw_root=raw_root,
                        today=date.fromisoformat(accessed))
    folder = raw_root / accessed
    tidy.to_csv(folder / _KOLADA_DATASET_ENTRY["file"], index=False, lineterminator="\n")
    provenance = (
        f"# Kolada API v3: {', '.join(kpis)}, {min(years)}–{max(years)}\n\n"
        f"Fetched {accessed} with `python -m analysis.chapters.child_poverty fetch-kolada`. The `*.json` files are "
        "the responses exactly as received; `provenance.json` lists each with its URL, date and md5. "
        "`kolada_barn_ekonomi.csv` is derived from them by `analysis.sources.kolada.parse_values` (tidy: kpi, "
        "area_code, area_type, period, sex, value, status).\n\nKälla: Kolada/RKA. Own processing must "
        "not be credited to Kolada.\n")
    return _write_kolada_fragment(root, folder, provenance, fetched=True, accessed=accessed)


def write_kolada_request(root: Path | None = None, folder_name: str = "ej-hamtad") -> Path:
    """Write the shipped stand-in (:func:`kolada_request`) and its fragment (run once, offline)."""

    root = root or catalog.project_root()
    folder = root / "data" / "raw" / KOLADA_DATASET / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    kolada_request().to_csv(folder / _KOLADA_DATASET_ENTRY["file"], index=False, lineterminator="\n")
    provenance = (
        "# Kolada indicators for the child poverty chapter: not yet fetched\n\n"
        "Written by the project (`analysis.chapters.child_poverty.write_kolada_request`), not by Kolada. "
        "`kolada_barn_ekonomi.csv` lists what `python -m analysis.chapters.child_poverty fetch-kolada` asks "
        "Kolada for (KPIs N66077, U31803, U31809; the 12 kommuner, Region Örebro län 0018 and Riket "
        "0000; 2011–2021). Every value is empty and every status is 'ej hämtad': no number here is "
        "a published one. The chapter shows a note instead of the comparison until a fetch replaces "
        "this folder in the catalogue.\n")
    return _write_kolada_fragment(root, folder, provenance, fetched=False,
                                  accessed=date.today().isoformat())


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.chapters.child_poverty fetch-kolada --years 2011-2021``."""

    ap = argparse.ArgumentParser(prog="python -m analysis.chapters.child_poverty")
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch-kolada", help="fetch the chapter's Kolada KPIs and catalogue them")
    f.add_argument("--years", default=f"{sr.YEARS[0]}-{sr.YEARS[-1]}")
    f.add_argument("--kpis", default=",".join(KOLADA_FETCH))
    args = ap.parse_args(argv)
    try:
        frag = fetch_kolada(text.parse_years(args.years), args.kpis.split(","))
    except kolada.KoladaOfflineError as exc:
        print(f"Kolada could not be reached: {exc}. Nothing was written.", file=sys.stderr)
        return 2
    print(f"Catalogued {KOLADA_DATASET} in {frag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
