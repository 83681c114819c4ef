"""Numbers for the kommun and förbund profile pages: an area compared with the rest of the län.

A profile compares a kommun with *the rest of* the län (the län without the kommun), not with the
län that contains it, so that a large kommun such as Örebro is not compared largely with itself.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.chapters import health, youth
from analysis.core import geo, precision, text
from analysis.methods import livsvillkor as lv
from analysis.methods import population, surveytables


def _summ(g: pd.DataFrame) -> dict[str, float]:
    tot = g["total"].sum()
    n019, n2064, n65 = g["0-19"].sum(), g["20-64"].sum(), g["65+"].sum()
    return {
        "total": float(tot),
        "andel_0_19": n019 / tot,
        "andel_20_64": n2064 / tot,
        "andel_65": n65 / tot,
        "forsorjningskvot": population.forsorjningskvot(n019, n2064, n65),
        "total_per_20_64": population.total_per_working_age(tot, n2064),
    }


def population_profile(codes: str | list[str], kommun_totals: pd.DataFrame,
                       kolada: pd.DataFrame, edition: int, compare_year: int,
                       name: str | None = None) -> dict:
    """Population facts for an area (one kommun, or the kommuner of a förbund) and the rest of the län.

    Returns
    -------
    dict with ``kommun`` and ``rest`` (dicts of figures for ``edition``, plus ``change`` since
    ``compare_year``), ``rank_size`` (1 = largest, for a single kommun), ``table`` (display
    table, Swedish formats), ``table_csv`` (the same, unformatted) and ``trend`` (index series).
    """
    codes = [codes] if isinstance(codes, str) else list(codes)
    for c in codes:
        geo.kommun_namn(c)
    name = name or (geo.kommun_namn(codes[0]) if len(codes) == 1 else "Området")
    groups = population.kolada_age_groups(kolada)
    tot = kommun_totals.pivot_table(index="ar", columns="kommun_kod", values="folkmangd",
                                    aggfunc="sum")
    inside = tot[codes].sum(axis=1)
    outside = tot.drop(columns=codes).sum(axis=1)

    out: dict = {}
    for key, mask in (("kommun", groups["kommun_kod"].isin(codes)),
                      ("rest", ~groups["kommun_kod"].isin(codes))):
        g = groups[mask]
        now = _summ(g[g["ar"] == edition])
        then = _summ(g[g["ar"] == compare_year])
        series = inside if key == "kommun" else outside
        now["change"] = population.pct_change(series[compare_year], series[edition])
        out[key] = now
        out[key + "_then"] = then
    size = tot.loc[edition].sort_values(ascending=False)
    out["rank_size"] = int(list(size.index).index(codes[0]) + 1) if len(codes) == 1 else None

    measures = [  # label, key, kind of figure in the rounding policy (analysis.core.precision)
        ("Folkmängd", "total", "antal"),
        ("Andel 0–19 år", "andel_0_19", "andel"),
        ("Andel 20–64 år", "andel_20_64", "andel"),
        ("Andel 65 år och äldre", "andel_65", "andel"),
        ("Försörjningskvot (SCB)", "forsorjningskvot", "kvot"),
        ("Folkmängd per person 20–64 år", "total_per_20_64", "kvot_per_person"),
    ]
    cols = [(f"{name} {compare_year}", "kommun_then"), (f"{name} {edition}", "kommun"),
            (f"Övriga länet {compare_year}", "rest_then"), (f"Övriga länet {edition}", "rest")]
    rows, raw = [], []
    for label, key, kind in measures:
        rows.append({"mått": label, **{c: precision.fmt(out[src][key], kind) for c, src in cols}})
        raw.append({"matt": key, **{c: out[src][key] for c, src in cols}})
    out["table"] = pd.DataFrame(rows)
    out["table_csv"] = pd.DataFrame(raw)

    trend = pd.DataFrame({"ar": tot.index, name: inside.to_numpy(),
                          "Övriga länet": outside.to_numpy()})
    trend = trend[(trend["ar"] >= 1970) & (trend["ar"] <= edition)]
    long = trend.melt(id_vars="ar", var_name="område", value_name="folkmangd")
    base = long[long["ar"] == compare_year].set_index("område")["folkmangd"]
    long["index"] = 100 * long["folkmangd"] / long["område"].map(base)
    out["trend"] = long
    return out


# --------------------------------------------------------------------------- Kommunen i korthet
#: Verdict codes → (Swedish label, colour). Fingertips' colours: better green, similar amber,
#: worse red, higher/lower blue (no judgement); the darker shade when 99,8 % also excludes.
VERDICTS: dict[str, tuple[str, str]] = {
    "battre_998": ("Bättre än riket (99,8 %)", "#1b7837"),
    "battre": ("Bättre än riket (95 %)", "#7fbf7b"),
    "likvardig": ("Ingen säker skillnad", "#f2c14e"),
    "samre": ("Sämre än riket (95 %)", "#e08070"),
    "samre_998": ("Sämre än riket (99,8 %)", "#b2182b"),
    "hogre_998": ("Högre än riket (99,8 %)", "#2c5aa0"),
    "hogre": ("Högre än riket (95 %)", "#92b4e3"),
    "lagre": ("Lägre än riket (95 %)", "#c6dbef"),
    "lagre_998": ("Lägre än riket (99,8 %)", "#6b8fc7"),
    "ej_provad": ("Inte prövad (inget intervall)", "#ffffff"),
    "saknas": ("Jämförelse saknas", "#ffffff"),
    "syntetisk": ("Syntetiska data – ingen bedömning", "#9e9e9e"),
}
TRENDS = {"upp": ("↑", "ökar"), "ned": ("↓", "minskar"), "oforandrad": ("→", "ingen säker förändring"),
          "saknas": ("–", "ingen tidigare uppgift")}
POLARITY_TEXT = {"hog": "högt värde är bättre", "lag": "lågt värde är bättre",
                 "neutral": "ingen bedömning av riktningen"}
SYNTHETIC_STAMP = "Syntetiska data – inte verkliga värden"

OVERVIEW_COLUMNS = [
    "indicator_id", "label", "group", "area_code", "period", "year_note", "value", "lower",
    "upper", "lower_998", "upper_998", "rest_value", "lan_value", "riket_value", "benchmark",
    "benchmark_value", "kommun_min", "kommun_q25", "kommun_q75", "kommun_max", "polarity",
    "unit", "verdict", "verdict_label", "colour", "trend", "trend_label", "rank_text",
    "synthetic", "definition", "producer", "method"]


def kommun_overview(indicators: pd.DataFrame, area_code: str, edition: int) -> pd.DataFrame:
    """The measured rows of *Kommunen i korthet* for one kommun.

    Parameters
    ----------
    indicators
        Tidy table of all periods, kommuner, län, riket and rest-of-län rows
        (:attr:`analysis.inputs.livsvillkor.LivsvillkorData.indicators`).
    area_code, edition
        The kommun, and the edition whose year (or the nearest year with data) is shown.

    Returns
    -------
    DataFrame with :data:`OVERVIEW_COLUMNS`: the kommun's value and intervals, the rest of the
    län, the län, riket, the 12 kommuners' range and quartiles, the verdict against the benchmark
    (riket, else the län) with its colour, the trend from the previous period, and the rank.
    """
    geo.kommun_namn(area_code)
    sel = lv.for_edition(indicators[indicators["area_type"] != "ovriga_lanet"], edition)
    rows = []
    for ind, spec in lv.INDICATORS.items():
        g = sel[sel["indicator_id"] == ind]
        k = g[g["area_code"] == area_code]
        if k.empty:
            continue
        k = k.iloc[0]
        period = int(k["period"])
        kom = g[g["area_type"] == "kommun"]
        val = {c: g.loc[g["area_code"] == c, "value"] for c in (geo.LAN_KOD, lv.RIKET)}
        lan_v = float(val[geo.LAN_KOD].iloc[0]) if len(val[geo.LAN_KOD]) else np.nan
        rik_v = float(val[lv.RIKET].iloc[0]) if len(val[lv.RIKET]) else np.nan
        rest = indicators[(indicators["indicator_id"] == ind)
                          & (indicators["area_code"] == f"{area_code}-rest")
                          & (indicators["period"] == period)]
        bench, bench_v = ("riket", rik_v) if not np.isnan(rik_v) else ("länet", lan_v)
        v = lv.verdict(k["value"], k["lower"], k["upper"], k["lower_998"], k["upper_998"],
                       bench_v, spec.polarity)
        prev = indicators[(indicators["indicator_id"] == ind)
                          & (indicators["area_code"] == area_code)
                          & (indicators["period"] < period)].sort_values("period")
        tr = "saknas" if prev.empty else lv.trend(
            prev["value"].iloc[-1], prev["n"].iloc[-1], prev["denominator"].iloc[-1],
            k["value"], k["n"], k["denominator"], k["statistic"])
        order = kom.sort_values("value", ascending=False, kind="stable")["area_code"].tolist()
        label, colour = VERDICTS[v]
        if bench == "länet":
            label = label.replace("riket", "länet")
        rows.append({
            "indicator_id": ind, "label": spec.label, "group": spec.group,
            "area_code": area_code, "period": period, "year_note": k["year_note"],
            "value": k["value"], "lower": k["lower"], "upper": k["upper"],
            "lower_998": k["lower_998"], "upper_998": k["upper_998"],
            "rest_value": float(rest["value"].iloc[0]) if len(rest) else np.nan,
            "lan_value": lan_v, "riket_value": rik_v, "benchmark": bench,
            "benchmark_value": bench_v, "kommun_min": kom["value"].min(),
            "kommun_q25": kom["value"].quantile(0.25), "kommun_q75": kom["value"].quantile(0.75),
            "kommun_max": kom["value"].max(), "polarity": spec.polarity, "unit": spec.unit,
            "verdict": v, "verdict_label": label, "colour": colour, "trend": tr,
            "trend_label": TRENDS[tr][1],
            "rank_text": text.rank(order.index(area_code) + 1, len(order), "högst", "lägst",
                                   of=f"länets {len(order)} kommuner"),
            "synthetic": False, "definition": spec.definition, "producer": spec.producer,
            "method": k["method"]})
    return pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)


def synthetic_overview_rows(area_code: str, period: int, child: Mapping | None = None,
                            health_cmp: pd.DataFrame | None = None,
                            youth_cmp: pd.DataFrame | None = None,
                            labels: Mapping[str, str] | None = None,
                            riket_children: pd.DataFrame | None = None) -> pd.DataFrame:
    """Grey rows of *Kommunen i korthet* for the profile's synthetic sections (no verdict, no rank).

    ``child`` is :func:`analysis.chapters.child_poverty.kommun_profile`'s result; ``health_cmp``
    and ``youth_cmp`` are the comparisons with the rest of the län (rows with ``sex == "totalt"``
    are used); ``labels`` names their indicators; ``riket_children`` (catalogue dataset
    ``barn_ekonomisk_utsatthet_riket``) gives the real riket value of children in economically
    vulnerable households as the reference line.
    """
    labels = labels or {}
    rows = []
    if child is not None and child.get("kommun") is not None:
        rik = np.nan
        if riket_children is not None:
            r = riket_children[(riket_children["indikator"] == "barn_i_ekonomiskt_utsatta_hushall")
                               & (riket_children["region_kod"] == lv.RIKET)]
            if len(r):
                near = lv.nearest_period(r["ar"], period)
                rik = float(r.loc[r["ar"] == near, "varde"].iloc[0]) / 100
        rows.append({"indicator_id": "barn_ekonomiskt_utsatta", "label":
                     "Barn i ekonomiskt utsatta hushåll", "group": "Syntetiska data",
                     "value": child["kommun"].get("value"), "rest_value": child["rest"].get("value"),
                     "riket_value": rik, "unit": "andel",
                     "definition": "Andel barn 0–17 år i hushåll med låg inkomststandard eller "
                     "varaktigt låg ekonomisk standard (syntetiska registerdata); riket: "
                     "Kolada/RKA, verkligt värde."})
    for cmp_ in (health_cmp, youth_cmp):
        if cmp_ is None or cmp_.empty:
            continue
        t = cmp_[cmp_["sex"] == "totalt"]
        for r in t.itertuples():
            rows.append({"indicator_id": r.indicator_id, "label": labels.get(r.indicator_id,
                                                                             r.indicator_id),
                         "group": "Syntetiska data", "value": r.value_area,
                         "rest_value": r.value_rest, "riket_value": np.nan,
                         "unit": surveytables.SHARE,
                         "definition": "Andel enligt enkäten (syntetiska svar)."})
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=OVERVIEW_COLUMNS)
    out = out.assign(area_code=area_code, period=period, year_note="", verdict="syntetisk",
                     verdict_label=VERDICTS["syntetisk"][0], colour=VERDICTS["syntetisk"][1],
                     trend="saknas", trend_label=SYNTHETIC_STAMP, rank_text="",
                     synthetic=True, polarity="neutral", producer="syntetiska data",
                     benchmark="riket", method="")
    out["benchmark_value"] = out["riket_value"]
    return out.reindex(columns=OVERVIEW_COLUMNS)


def similar_kommuner(indicators: pd.DataFrame, area_code: str, edition: int, k: int = 3
                     ) -> list[str]:
    """The ``k`` kommuner most like ``area_code`` in population size and age structure (share
    0–15 and 65+) in the year nearest ``edition`` (:func:`analysis.methods.livsvillkor.similar_kommuner`)."""
    t = lv.for_edition(indicators[indicators["indicator_id"].isin(["andel_0_15", "andel_65_plus"])
                                  & (indicators["area_type"] == "kommun")], edition)
    w = t.pivot_table(index="area_code", columns="indicator_id", values="value")
    w["total"] = t[t["indicator_id"] == "andel_0_15"].set_index("area_code")["denominator"]
    return lv.similar_kommuner(w.reset_index(), area_code, k)


SIMILARITY_TEXT = ("Liknande kommuner är de tre kommuner i länet som ligger närmast i folkmängd "
                   "(på logaritmisk skala), andel barn 0–15 år och andel 65 år och äldre, med "
                   "varje mått standardiserat över länets 12 kommuner.")


def compare_links(similar: list[str]) -> str:
    """The "jämför med" line: MyST links to the profiles of the similar kommuner."""
    links = ", ".join(f"{{doc}}`{geo.kommun_namn(c)} <profil_kommun__area_{c}>`" for c in similar)
    return f"**Jämför med:** {links}. {SIMILARITY_TEXT}"


def key_facts(name: str, area_code: str, population_now: float, rank_size: int, edition: int,
              overview: pd.DataFrame, seeds_vs_computed: pd.DataFrame | None = None) -> list[str]:
    """Key facts above the overview: population with its rank in good Swedish, the foreign-born
    share (beside the seed documents' figure when there is one) and the verdict counts."""
    n = len(geo.KOMMUNER)
    facts = [f"{text.num(population_now)} invånare den 31 december {edition}, "
             f"{text.rank(rank_size, n)}."]
    uf = overview[overview["indicator_id"] == "utrikes_fodda"]
    if len(uf):
        r = uf.iloc[0]
        s = f"{text.share(r['value'], 1)} av invånarna var födda utomlands {r['period']} " \
            f"(riket {text.share(r['riket_value'], 1)})"
        if seeds_vs_computed is not None:
            sd = seeds_vs_computed[seeds_vs_computed["area_code"] == area_code]
            if len(sd):
                p = sd.iloc[0]
                s += (f"; förstudien angav {text.share(p['publicerat'], 0)} "
                      f"({p['period_publicerat']}) – {p['förklaring']}")
        facts.append(s + ".")
    m = overview[~overview["synthetic"].astype(bool)]
    tested = m[~m["verdict"].isin(["ej_provad", "saknas"])]
    better = int(tested["verdict"].str.startswith("battre").sum())
    worse = int(tested["verdict"].str.startswith("samre").sum())
    facts.append(f"Av {len(tested)} prövade mått med verkliga data är {better} bättre och {worse} "
                 f"sämre än jämförelsevärdet; {len(m) - len(tested)} mått visas utan prövning.")
    return facts


def full_overview(measured: pd.DataFrame, synthetic: pd.DataFrame) -> pd.DataFrame:
    """The measured and synthetic rows of *Kommunen i korthet* in one table (the profile's CSV)."""
    parts = [p for p in (measured, synthetic) if len(p)]
    return pd.concat(parts, ignore_index=True)[OVERVIEW_COLUMNS] if parts else measured


def synthetic_labels() -> dict[str, str]:
    """Swedish labels of the survey indicators that may appear as synthetic overview rows."""
    return ({i: health.INDICATORS[i]["label"] for i in health.PROFILE_INDICATORS}
            | {i: youth.INDICATORS[i]["label"] + " (unga)" for i in youth.PROFILE_INDICATORS})
