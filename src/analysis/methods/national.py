"""Population figures for the whole country: kommun counts from Kolada, län age groups from SCB,
and sums of kommuner over any grouping (län, SKR kommungrupp, riket).

The national tables hold (see ``data/catalog.d/riket.yml`` and ``data/catalog.yml``):

* SCB's folkmängd per kommun 1950–2019 on the 2020 kommun division (``folkmangd_kommun_riket``);
* Kolada's shares aged 0–19 and 65+ and totals per kommun 1998–2019 (``kolada_befolkning_riket``);
* SCB's population by län, single age and sex 1968–2015 (``folkmangd_lan_alder_kon_riket``).

Every group figure here is *pooled*: counts are summed over the group's kommuner and the shares
and ratios computed from the sums. That is the population-weighted mean of the kommuner's
shares, and the figure a reader would get from the group's own statistics.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.methods import population
from analysis.methods.livsvillkor import RIKET

#: The columns of a counts table (:func:`kolada_counts`, :func:`lan_age_groups`, :func:`pooled`).
COUNTS = ["total", "0-19", "20-64", "65+"]
#: Kolada's code for "Alla kommuner", an unweighted mean of the kommuner (not riket).
KOLADA_ALL = "0000"
#: How far from a whole person ``share × total`` may fall before a share counts as too coarse.
#: Kolada's shares have 6 significant digits, which for Stockholm (up to 975 000 inhabitants)
#: leaves up to half a person; the largest in the extract is 0,37 (Stockholm, 65+, 2001), every
#: other kommun and year stays under 0,25 as the regional extract does.
MAX_ROUNDING = 0.4


def year_columns(wide: pd.DataFrame) -> list[str]:
    """The columns of a wide table that are years (``"1950"`` …), in order."""
    return [c for c in wide.columns if str(c).isdigit() and len(str(c)) == 4]


def kommun_totals(kommun_wide: pd.DataFrame) -> pd.DataFrame:
    """SCB's wide kommun series (``folkmangd_kommun_riket``) as ``kommun_kod, ar, folkmangd``."""
    ycols = year_columns(kommun_wide)
    long = kommun_wide.melt(id_vars="kommun_kod", value_vars=ycols, var_name="ar",
                            value_name="folkmangd")
    long["ar"] = long["ar"].astype(int)
    long["folkmangd"] = long["folkmangd"].astype("int64")
    return long.sort_values(["kommun_kod", "ar"], ignore_index=True)


def kolada_counts(kolada_wide: pd.DataFrame) -> pd.DataFrame:
    """Counts per kommun and year from Kolada's wide table (``kolada_befolkning_riket``).

    Kolada publishes the groups 0–19 and 65+ as shares (per cent) of the total; ``share / 100 ×
    total`` rounded to whole persons gives the counts (within :data:`MAX_ROUNDING` of a whole
    number for every kommun), and 20–64 is the rest. Kolada's "Alla kommuner" (``0000``) is left
    out: it is an unweighted mean, not riket.

    Returns
    -------
    DataFrame ``kommun_kod, ar, total, 0-19, 20-64, 65+`` (int), for the years where the total and
    both shares exist (2000 onwards).

    Raises
    ------
    ValueError
        If a nyckeltal is missing, or a share × total is further than :data:`MAX_ROUNDING` from a
        whole number (a share rounded too coarsely to recover the count).
    """
    need = [population.KOLADA_TOTAL, population.KOLADA_0_19, population.KOLADA_65]
    missing = [n for n in need if n not in set(kolada_wide["nyckeltal"])]
    if missing:
        raise ValueError(f"the Kolada table lacks the nyckeltal {missing}")
    k = kolada_wide[(kolada_wide["kommun_kod"] != KOLADA_ALL)
                    & kolada_wide["nyckeltal"].isin(need)]
    long = k.melt(id_vars=["nyckeltal", "kommun_kod"], value_vars=year_columns(k),
                  var_name="ar", value_name="varde")
    wide = long.pivot_table(index=["kommun_kod", "ar"], columns="nyckeltal", values="varde",
                            aggfunc="first").dropna(subset=need)
    out = pd.DataFrame(index=wide.index)
    tot = wide[population.KOLADA_TOTAL]
    out["total"] = tot.round().astype("int64")
    for col, key in (("0-19", population.KOLADA_0_19), ("65+", population.KOLADA_65)):
        raw = wide[key] / 100 * tot
        err = (raw - raw.round()).abs()
        if (err > MAX_ROUNDING).any():
            bad = err.idxmax()
            raise ValueError(f"Kolada share {key!r} for kommun {bad[0]} year {bad[1]} is too "
                             f"coarse to recover a count (off by {err.max():.2f} persons)")
        out[col] = raw.round().astype("int64")
    out["20-64"] = out["total"] - out["0-19"] - out["65+"]
    out = out.reset_index()
    out["ar"] = out["ar"].astype(int)
    return out[["kommun_kod", "ar", *COUNTS]].sort_values(["kommun_kod", "ar"], ignore_index=True)


def lan_age_groups(lan_wide: pd.DataFrame) -> pd.DataFrame:
    """Age groups per län and year from SCB's wide single-age table
    (``folkmangd_lan_alder_kon_riket``), both sexes, with riket (``"00"``) as the sum of the län.

    Returns
    -------
    DataFrame ``lan_kod, ar, total, 0-19, 20-64, 65+, 80+`` (int).
    """
    ycols = year_columns(lan_wide)
    long = lan_wide.melt(id_vars=["lan_kod", "alder"], value_vars=ycols, var_name="ar",
                         value_name="folkmangd")
    long["ar"] = long["ar"].astype(int)
    long["alder"] = population.age_as_int(long["alder"])
    g = population.age_groups(long, by=["lan_kod", "ar"]).reset_index()
    riket = g.groupby("ar", as_index=False)[[c for c in g.columns if c not in ("lan_kod", "ar")]
                                             ].sum().assign(lan_kod=RIKET)
    g = pd.concat([g, riket], ignore_index=True)
    return g[["lan_kod", "ar", *COUNTS, "80+"]].sort_values(["lan_kod", "ar"], ignore_index=True)


def pooled(counts: pd.DataFrame, groups: Mapping[str, str] | pd.Series, *,
           key: str = "kommun_kod", value_cols: list[str] | None = None) -> pd.DataFrame:
    """Sum kommun counts over groups: ``groups`` maps a kommun code to its group's code (a län,
    a kommungrupp, ``"00"`` for riket); kommuner not in ``groups`` are left out.

    Returns
    -------
    DataFrame ``group, ar, <value columns>, n_kommuner`` (the sums, and how many kommuner each
    group's sum has).
    """
    value_cols = value_cols or [c for c in counts.columns if c not in (key, "ar")]
    m = pd.Series(groups) if not isinstance(groups, pd.Series) else groups
    d = counts[counts[key].isin(m.index)].assign(group=lambda x: x[key].map(m))
    out = d.groupby(["group", "ar"], as_index=False).agg(
        **{c: (c, "sum") for c in value_cols}, n_kommuner=(key, "nunique"))
    return out


def derive(counts: pd.DataFrame) -> pd.DataFrame:
    """Shares (proportions) and the försörjningskvot from a counts table: ``andel_0_19``,
    ``andel_20_64``, ``andel_65`` (and ``andel_80`` where an ``80+`` column has values) and
    ``forsorjningskvot`` = ((0–19) + (65+)) / (20–64) × 100 (SCB,
    :func:`analysis.methods.population.forsorjningskvot`)."""
    out = counts.copy()
    tot = out["total"].astype(float)
    out["andel_0_19"] = out["0-19"] / tot
    out["andel_20_64"] = out["20-64"] / tot
    out["andel_65"] = out["65+"] / tot
    if "80+" in out:
        out["andel_80"] = out["80+"] / tot
    out["forsorjningskvot"] = population.forsorjningskvot(out["0-19"], out["20-64"], out["65+"])
    return out


def forsorjningskvot_from_shares(share_0_19, share_65):
    """The försörjningskvot from two shares in per cent (Kolada's form): with ``a`` = share 0–19
    and ``b`` = share 65+, ``(a + b) / (100 − a − b) × 100`` – the same ratio as the counts give,
    since the total cancels.

    Raises
    ------
    ValueError
        If a share is negative or the two add up to 100 or more (nobody aged 20–64).
    """
    a, b = np.asarray(share_0_19, dtype=float), np.asarray(share_65, dtype=float)
    if (a < 0).any() or (b < 0).any():
        raise ValueError("shares must not be negative")
    if (a + b >= 100).any():
        raise ValueError("the shares 0–19 and 65+ must leave someone aged 20–64")
    out = (a + b) / (100 - a - b) * 100
    return float(out) if out.ndim == 0 else out


def ranks(values: pd.Series, *, descending: bool = True) -> pd.Series:
    """Ranks 1 … n (1 = highest with ``descending``); ties share the better rank."""
    return values.rank(ascending=not descending, method="min").astype("int64")
