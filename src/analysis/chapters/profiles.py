"""Numbers for the kommun and förbund profile pages: an area compared with the rest of the län.

A profile compares a kommun with *the rest of* the län (the län without the kommun), not with the
län that contains it, so that a large kommun such as Örebro is not compared largely with itself.
"""

from __future__ import annotations

import pandas as pd

from analysis.core import geo, text
from analysis.methods import population


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

    measures = [
        ("Folkmängd", "total", lambda v: text.num(v)),
        ("Andel 0–19 år", "andel_0_19", lambda v: text.share(v, 1)),
        ("Andel 20–64 år", "andel_20_64", lambda v: text.share(v, 1)),
        ("Andel 65 år och äldre", "andel_65", lambda v: text.share(v, 1)),
        ("Försörjningskvot (SCB)", "forsorjningskvot", lambda v: text.num(v, 1)),
        ("Folkmängd per person 20–64 år", "total_per_20_64", lambda v: text.num(v, 2)),
    ]
    cols = [(f"{name} {compare_year}", "kommun_then"), (f"{name} {edition}", "kommun"),
            (f"Övriga länet {compare_year}", "rest_then"), (f"Övriga länet {edition}", "rest")]
    rows, raw = [], []
    for label, key, fmt in measures:
        rows.append({"mått": label, **{c: fmt(out[src][key]) for c, src in cols}})
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
