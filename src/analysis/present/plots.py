"""Charts in the book's house style: Swedish number formats, colour-blind-safe palettes, no chart junk.

Functions return a matplotlib Figure; :func:`analysis.present.publish.figure` saves and shows it with
title, source and alt text (titles live in the caption, not in the image).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from analysis.core import text  # noqa: E402

PALETTE = ["#0b5d8c", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d96a3", "#2e4057",
           "#a05195", "#f95d6a", "#665191", "#ffa600", "#003f5c"]
SEX_COLOURS = {"kvinnor": "#d1495b", "män": "#0b5d8c", "man": "#0b5d8c", "totalt": "#2e4057"}


def style() -> None:
    """Apply the house style (called on import)."""
    plt.rcParams.update({
        "figure.figsize": (8, 4.5),
        "figure.dpi": 110,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "font.size": 10,
        "legend.frameon": False,
        "svg.hashsalt": "bok",
    })


style()


def swedish_axis(ax, axis: str = "y", decimals: int = 0, percent: bool = False,
                 share: bool = False) -> None:
    """Format tick labels the Swedish way (``1 234,5``; ``12 %``)."""
    def f(v, _pos):
        if share:
            return text.share(v, decimals)
        if percent:
            return text.pct(v, decimals)
        return text.num(v, decimals)

    fmt = FuncFormatter(f)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def lines(df: pd.DataFrame, x: str, y: str, hue: str, *, ylabel: str = "", xlabel: str = "",
          share: bool = False, decimals: int = 0, highlight: Sequence[str] | None = None,
          logy: bool = False, label_end: bool = True, colors: dict | None = None,
          figsize=(8, 4.5)):
    """One line per ``hue`` value; optional direct labels at the line ends instead of a legend."""
    fig, ax = plt.subplots(figsize=figsize)
    groups = list(dict.fromkeys(df[hue]))
    for i, g in enumerate(groups):
        d = df[df[hue] == g].sort_values(x)
        lw = 2.2 if (highlight is None or g in highlight) else 1.0
        alpha = 1.0 if (highlight is None or g in highlight) else 0.5
        col = (colors or {}).get(g, PALETTE[i % len(PALETTE)])
        ax.plot(d[x], d[y], label=str(g), lw=lw, alpha=alpha, color=col)
        if label_end and len(d):
            ax.annotate(str(g), (d[x].iloc[-1], d[y].iloc[-1]), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=8, color=col)
    if logy:
        ax.set_yscale("log")
    if pd.api.types.is_integer_dtype(df[x]):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # years, never 2002.5
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    swedish_axis(ax, "y", decimals=decimals, share=share)
    if not label_end:
        ax.legend(ncol=2, fontsize=8)
    return fig


def small_multiples(df: pd.DataFrame, x: str, y: str, panel: str, *, ncols: int = 4,
                    ylabel: str = "", share: bool = False, sharey: bool = False,
                    ref: pd.DataFrame | None = None, ref_label: str | None = None,
                    figsize=(10, 7)):
    """One small panel per ``panel`` value (e.g. kommun), each with its own y-axis by default."""
    panels = list(dict.fromkeys(df[panel]))
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, sharex=True, sharey=sharey)
    axes = np.atleast_1d(axes).ravel()
    for ax, p in zip(axes, panels, strict=False):
        d = df[df[panel] == p].sort_values(x)
        ax.plot(d[x], d[y], color=PALETTE[0], lw=1.8)
        if ref is not None:
            r = ref[ref[panel] == p].sort_values(x)
            ax.plot(r[x], r[y], color=PALETTE[1], lw=1.2, ls="--", label=ref_label)
        ax.set_title(str(p), fontsize=9)
        if pd.api.types.is_integer_dtype(df[x]):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        swedish_axis(ax, "y", share=share)
        ax.tick_params(labelsize=7)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    if ylabel:
        fig.supylabel(ylabel, fontsize=9)
    fig.tight_layout()
    return fig


def choropleth(gdf, column: str, *, bins: Sequence[float] | None = None,
               labels: Sequence[str] | None = None, cmap: str = "RdYlBu",
               legend_title: str = "", annotate: str | None = None, ax=None,
               missing_label: str = "Visas inte (.)", figsize=(7.5, 6)):
    """A classed choropleth map (EPSG:3006) with a legend of class labels and optional name labels.

    ``bins`` are class edges (``len(labels) + 1`` values, outer edges inclusive); when omitted,
    five equal-count classes are used. Areas with missing values are hatched grey.
    """
    import matplotlib.patches as mpatches

    g = gdf.to_crs(3006) if gdf.crs is not None and gdf.crs.to_epsg() != 3006 else gdf
    vals = g[column].astype(float)
    if bins is None:
        qs = np.nanquantile(vals, np.linspace(0, 1, 6))
        bins = list(qs)
    bins = list(bins)
    ncls = len(bins) - 1
    if labels is None:
        labels = [f"{text.num(bins[i], 1)}–{text.num(bins[i + 1], 1)}" for i in range(ncls)]
    if len(labels) != ncls:
        raise ValueError("need one label per class")
    cls = np.full(len(vals), -1)
    for i in range(ncls):
        lo, hi = bins[i], bins[i + 1]
        m = (vals >= lo) & ((vals < hi) if i < ncls - 1 else (vals <= hi))
        cls[m.to_numpy()] = i
    colours = plt.get_cmap(cmap, ncls)(np.arange(ncls))
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    for i in range(ncls):
        sub = g[cls == i]
        if len(sub):
            sub.plot(ax=ax, color=colours[i], edgecolor="white", linewidth=0.8)
    miss = g[cls == -1]
    if len(miss):
        miss.plot(ax=ax, color="#dddddd", edgecolor="white", hatch="///", linewidth=0.8)
    if annotate:
        for _, r in g.iterrows():
            p = r.geometry.representative_point()
            ax.annotate(str(r[annotate]), (p.x, p.y), ha="center", va="center", fontsize=7)
    handles = [mpatches.Patch(color=colours[i], label=labels[i]) for i in range(ncls)]
    if len(miss):
        handles.append(mpatches.Patch(facecolor="#dddddd", hatch="///", label=missing_label))
    ax.legend(handles=handles[::-1], title=legend_title, loc="upper left",
              bbox_to_anchor=(1.0, 1.0), fontsize=8, title_fontsize=8)
    ax.set_axis_off()
    return fig


def pyramid(df: pd.DataFrame, *, year_a: int, year_b: int, share: bool = True,
            band: int = 5, figsize=(8, 6)):
    """Age–sex pyramid of ``year_b`` (bars) with ``year_a`` as an outline, in 5-year bands.

    ``df`` has ``ar, kon, alder, folkmangd``. With ``share=True`` bars show the share of the
    total population of each year, so years of different size compare.
    """
    d = df[df["ar"].isin([year_a, year_b])].copy()
    d["band"] = (d["alder"].clip(upper=90) // band) * band
    g = d.groupby(["ar", "kon", "band"], as_index=False)["folkmangd"].sum()
    if share:
        g["folkmangd"] = g["folkmangd"] / g.groupby("ar")["folkmangd"].transform("sum")
    fig, ax = plt.subplots(figsize=figsize)
    bands = sorted(g["band"].unique())
    y = np.arange(len(bands))
    for sex, sign in (("män", -1), ("kvinnor", 1)):
        b = g[(g["ar"] == year_b) & (g["kon"] == sex)].set_index("band").reindex(bands)["folkmangd"]
        a = g[(g["ar"] == year_a) & (g["kon"] == sex)].set_index("band").reindex(bands)["folkmangd"]
        ax.barh(y, sign * b.to_numpy(), color=SEX_COLOURS[sex], alpha=0.85,
                label=f"{sex.capitalize()} {year_b}")
        ax.step(sign * a.to_numpy(), y, where="mid", color="black", lw=1.2,
                label=f"{year_a}" if sex == "kvinnor" else None)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{b}–{b + band - 1}" if b < 90 else "90+" for b in bands], fontsize=8)
    ax.axvline(0, color="black", lw=0.6)
    lim = np.abs(ax.get_xlim()).max()
    ax.set_xlim(-lim, lim)
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _p: text.share(abs(v), 1) if share else text.num(abs(v))))
    ax.set_xlabel("Andel av befolkningen" if share else "Antal personer")
    ax.set_ylabel("Ålder")
    ax.legend(loc="upper right", fontsize=8)
    ax.text(0.02, 0.98, "Män", transform=ax.transAxes, va="top", fontsize=9)
    ax.text(0.98, 0.98, "Kvinnor", transform=ax.transAxes, va="top", ha="right", fontsize=9)
    return fig


def hbar(df: pd.DataFrame, y: str, x: str, *, lower: str | None = None, upper: str | None = None,
         share: bool = False, xlabel: str = "", color: str | Sequence[str] = PALETTE[0],
         ref: float | None = None, ref_label: str | None = None, decimals: int = 0,
         figsize=(8, 4.5), sort: bool = True, value_labels: bool = True):
    """Horizontal bars (sorted), with optional interval whiskers and a reference line."""
    d = df.sort_values(x) if sort else df.iloc[::-1]
    fig, ax = plt.subplots(figsize=figsize)
    pos = np.arange(len(d))
    ax.barh(pos, d[x], color=color)
    if lower and upper:
        err = np.vstack([d[x] - d[lower], d[upper] - d[x]])
        ax.errorbar(d[x], pos, xerr=err, fmt="none", ecolor="black", lw=1, capsize=2)
    if ref is not None:
        ax.axvline(ref, color=PALETTE[1], ls="--", lw=1.2, label=ref_label)
        if ref_label:
            ax.legend(loc="lower right", fontsize=8)
    if value_labels:
        for p, v in zip(pos, d[x], strict=True):
            if pd.notna(v):
                s = text.share(v, decimals) if share else text.num(v, decimals)
                ax.annotate(s, (v, p), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=7)
    ax.set_yticks(pos)
    ax.set_yticklabels(d[y])
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    swedish_axis(ax, "x", share=share, decimals=decimals)
    return fig


def funding_results(df: pd.DataFrame, label: str, funding: str, counts: dict[str, str], *,
                    funding_label: str = "Tilldelning (tkr)", figsize=(9, 4)):
    """Funding beside results per area: left bars of ``funding``, right grouped bars of ``counts``
    (display name → column), the areas in the same order, with value labels."""
    d = df.reset_index(drop=True)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=figsize, sharey=True,
                                   gridspec_kw={"width_ratios": [1, 1.4]})
    pos = np.arange(len(d))[::-1]
    ax1.barh(pos, d[funding], color=PALETTE[5])
    for p, v in zip(pos, d[funding], strict=True):
        ax1.annotate(text.num(v), (v, p), xytext=(3, 0), textcoords="offset points",
                     va="center", fontsize=7)
    ax1.set_yticks(pos)
    ax1.set_yticklabels(d[label])
    ax1.set_xlabel(funding_label)
    ax1.grid(axis="y", visible=False)
    swedish_axis(ax1, "x")
    h = 0.8 / len(counts)
    for i, (name, col) in enumerate(counts.items()):
        y = pos + 0.4 - h * (i + 0.5)
        ax2.barh(y, d[col], height=h, color=PALETTE[i], label=name)
        for p, v in zip(y, d[col], strict=True):
            ax2.annotate(text.num(v), (v, p), xytext=(3, 0), textcoords="offset points",
                         va="center", fontsize=7)
    ax2.set_xlabel("Antal personer")
    ax2.grid(axis="y", visible=False)
    ax2.legend(loc="lower right", fontsize=8)
    swedish_axis(ax2, "x")
    fig.tight_layout()
    return fig


def forest(df: pd.DataFrame, label: str = "term", *, value: str = "value", lower: str = "lower",
           upper: str = "upper", xlabel: str = "Oddskvot (logaritmisk skala)", figsize=(8, 6),
           colour_by_direction: bool = True):
    """Forest plot of ratios (log x-axis), sorted by value, with the null line at 1."""
    d = df.dropna(subset=[value]).sort_values(value)
    fig, ax = plt.subplots(figsize=figsize)
    pos = np.arange(len(d))
    cols = [PALETTE[4] if v > 1 else PALETTE[1] for v in d[value]] if colour_by_direction \
        else PALETTE[0]
    ax.errorbar(d[value], pos, xerr=np.vstack([d[value] - d[lower], d[upper] - d[value]]),
                fmt="none", ecolor="#555555", lw=1, capsize=2)
    ax.scatter(d[value], pos, color=cols, zorder=3, s=30)
    ax.axvline(1, color="black", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(pos)
    ax.set_yticklabels(d[label])
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: text.num(v, 1 if v < 10 else 0)))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _p: ""))
    ax.grid(axis="y", visible=False)
    return fig


def nice_bins(values, n: int = 5, step: float | None = None) -> list[float]:
    """``n`` equal-width class edges covering ``values``, rounded outwards to ``step``."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    lo, hi = float(v.min()), float(v.max())
    if step is None:
        raw = (hi - lo) / n if hi > lo else 1.0
        mag = 10 ** np.floor(np.log10(raw))
        step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    lo = np.floor(lo / step) * step
    edges = [lo + i * step for i in range(n + 1)]
    while edges[-1] < hi:
        edges.append(edges[-1] + step)
    return [float(round(e, 10)) for e in edges]
