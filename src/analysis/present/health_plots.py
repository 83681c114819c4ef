"""Charts of the Liv & hälsa chapter and profiles: intervals everywhere, suppressed cells as dots.

Each function takes a tidy table from :mod:`analysis.chapters.health` (after
:func:`analysis.chapters.health.suppress`) and returns a matplotlib Figure in the house style of
:mod:`analysis.present.plots`; a suppressed estimate is never drawn, its place shows the suppression mark
``.`` instead.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.core import text
from analysis.methods.disclosure import SUPPRESSED_MARK
from analysis.present import plots

plt = plots.plt
SEX_COLOURS = {"kvinnor": plots.SEX_COLOURS["kvinnor"], "man": plots.SEX_COLOURS["man"],
               "totalt": plots.SEX_COLOURS["totalt"]}
SEX_LABELS = text.SEX_LABELS


def _suppressed(t: pd.DataFrame) -> np.ndarray:
    if "suppressed" in t:
        return t["suppressed"].to_numpy(dtype=bool)
    return t["value"].isna().to_numpy()


def _pct_axis(ax, axis: str = "x") -> None:
    plots.swedish_axis(ax, axis, share=True)


@plots.responsive
def published_vs_computed(table: pd.DataFrame, *, figsize=(8, 5), layout: str = plots.DESKTOP):
    """Computed share with its 95 % interval (dot and line) beside the published value (diamond).

    ``table`` is :func:`analysis.chapters.health.standardised_groups` output (``group``, ``value``,
    ``lower``, ``upper``, ``published``), drawn top to bottom in its order.
    """
    t = table.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=plots.size(layout, figsize, mobile_height=0.4 * len(t) + 1.8))
    pos = np.arange(len(t))[::-1]
    sup = _suppressed(t)
    for p, r, s in zip(pos, t.itertuples(), sup, strict=True):
        ax.scatter(r.published, p + 0.18, marker="D", color=plots.PALETTE[1], s=28, zorder=3,
                   label="Publicerat 2017" if p == pos[0] else None)
        if s:
            ax.annotate(SUPPRESSED_MARK, (r.published, p - 0.15), ha="center", va="center")
            continue
        ax.plot([r.lower, r.upper], [p - 0.15, p - 0.15], color=plots.PALETTE[0], lw=2)
        ax.scatter(r.value, p - 0.15, color=plots.PALETTE[0], s=24, zorder=3,
                   label="Beräknat med 95 % konfidensintervall" if p == pos[0] else None)
    ax.set_yticks(pos)
    ax.set_yticklabels(t["group"])
    ax.grid(axis="y", visible=False)
    _pct_axis(ax)
    ax.set_xlabel("Andel med god självskattad hälsa (åldersstandardiserad)")
    fig.legend(loc="outside lower center", ncol=1 if layout == plots.MOBILE else 2)
    return fig


@plots.responsive
def kommun_maps(gdf, table: pd.DataFrame, bins: Sequence[float], labels: Sequence[str], *,
                indicator: str = "good_health", legend_title: str = "God hälsa (%)",
                figsize=(12, 8), layout: str = plots.DESKTOP):
    """Two classed maps side by side (on a phone: one above the other), women and men (values
    0–1, bins in the same unit), kommun names on a white halo, one legend below.

    ``gdf`` has ``kommun_kod`` and geometry; ``table`` is
    :func:`analysis.chapters.health.by_kommun_sex` output. Suppressed kommuner are hatched grey.
    """
    if layout == plots.MOBILE:
        fig, axes = plt.subplots(2, 1, figsize=plots.size(layout, mobile_height=10.5))
    else:
        fig, axes = plt.subplots(1, 2, figsize=plots.size(layout, (12, 11)))
    t = table[table["indicator_id"] == indicator]
    for ax, sex in zip(axes, ("kvinnor", "man"), strict=True):
        vals = t[t["sex"] == sex].set_index("area_code")["value"]
        g = gdf.assign(value=gdf["kommun_kod"].map(vals).astype(float))
        plots.choropleth(g, "value", bins=bins, labels=labels, cmap="RdYlBu",
                         legend_title=legend_title, annotate="kommun_namn", ax=ax,
                         missing_label=f"Visas inte ({SUPPRESSED_MARK})")
        ax.set_title(f"{SEX_LABELS[sex]}, 18 år och äldre", fontsize=plots.BASE)
    # one legend, below: the fuller of the two (it lists "Visas inte" if either map has it)
    legends = [ax.get_legend() for ax in axes]
    full = max(legends, key=lambda lg: len(lg.legend_handles))
    handles, texts = list(full.legend_handles), [t.get_text() for t in full.get_texts()]
    for lg in legends:
        lg.remove()
    fig.legend(handles=handles, labels=texts, title=legend_title, loc="outside lower center",
               ncol=3 if layout == plots.MOBILE else len(handles))
    for ax in axes:
        plots.declutter(ax.texts)
    return fig


@plots.responsive
def sex_age_bars(table: pd.DataFrame, indicators: Sequence[str], titles: Sequence[str], *,
                 ages: Sequence[str] = ("18-29", "30-44", "45-64", "65-79", "80+"),
                 figsize=(10, 4.2), ncols: int | None = None, layout: str = plots.DESKTOP):
    """One panel per indicator: bars by age group, women and men side by side, with intervals.

    At most ``ncols`` panels per row (default: up to three on a desktop, one per row on a phone);
    all panels share the 0–100 % y-axis."""
    n = len(indicators)
    if ncols is None:
        ncols = 1 if layout == plots.MOBILE else min(n, 3)
    if layout == plots.MOBILE:
        ncols = 2 if len(ages) <= 3 and n > 1 else 1  # two narrow panels still read
    nrows = int(np.ceil(n / ncols))
    row_h = 2.6 if layout == plots.DESKTOP else 2.2
    figsz = (plots.size(layout)[0], row_h * nrows + 0.6)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsz, sharey=True, squeeze=False)
    axes = axes.ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    x = np.arange(len(ages))
    width = 0.38
    for ax, ind, title in zip(axes[:n], indicators, titles, strict=True):
        t = table[(table["indicator_id"] == ind)]
        for k, sex in enumerate(("kvinnor", "man")):
            d = t[t["sex"] == sex].set_index("age").reindex(list(ages))
            off = (k - 0.5) * width
            sup = d["suppressed"].fillna(True).to_numpy(dtype=bool) if "suppressed" in d \
                else d["value"].isna().to_numpy()
            v = d["value"].to_numpy(dtype=float)
            ax.bar(x + off, np.where(sup, 0, v), width, color=SEX_COLOURS[sex],
                   label=SEX_LABELS[sex])
            err = np.vstack([v - d["lower"].to_numpy(dtype=float),
                             d["upper"].to_numpy(dtype=float) - v])
            ax.errorbar(x + off, v, yerr=err, fmt="none", ecolor="black", lw=0.9, capsize=2)
            for xi, s in zip(x + off, sup, strict=True):
                if s:
                    ax.annotate(SUPPRESSED_MARK, (xi, 0.01), ha="center", va="bottom")
        ax.set_xticks(x)
        ax.set_xticklabels([a.replace("-", "–") for a in ages])
        # a title no wider than its panel
        panel_px = plots.size(layout)[0] * plots.PX_PER_INCH / ncols
        ax.set_title(textwrap.fill(title, max(12, int(panel_px / plots.BASE))),
                     fontsize=plots.BASE)
        ax.grid(axis="x", visible=False)
        _pct_axis(ax, "y")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_locator(plots.MaxNLocator(nbins=4))
        if layout == plots.DESKTOP:
            ax.tick_params(axis="y", labelleft=True)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=2)
    fig.supylabel("Andel", fontsize=plots.BASE)
    return fig


@plots.responsive
def trend_panels(table: pd.DataFrame, indicators: Sequence[str], titles: Sequence[str], *,
                 ncols: int = 3, figsize=(10, 6.5), bands: bool = True,
                 layout: str = plots.DESKTOP):
    """Small multiples, one per indicator: women, men and everyone per round, with 95 % bands.

    ``bands=False`` (synthetic rounds, whose changes are invented) draws the lines only: an
    interval around an invented trend would suggest a finding. Each panel has its own y-axis
    (a note under the chart says so); a phone shows one panel per row."""
    n = len(indicators)
    if layout == plots.MOBILE:
        ncols = 1
    nrows = int(np.ceil(n / ncols))
    figsz = plots.size(layout, figsize, mobile_height=1.9 * nrows + 1.0)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsz, sharex=True, squeeze=False)
    axes = axes.ravel()
    for ax, ind, title in zip(axes, indicators, titles, strict=False):
        t = table[table["indicator_id"] == ind]
        for sex in ("kvinnor", "man", "totalt"):
            d = t[t["sex"] == sex].sort_values("period")
            d = d[~_suppressed(d)]
            if bands:
                ax.fill_between(d["period"], d["lower"], d["upper"], color=SEX_COLOURS[sex],
                                alpha=0.15, lw=0)
            ax.plot(d["period"], d["value"], marker="o", ms=3, color=SEX_COLOURS[sex],
                    lw=1.6 if sex != "totalt" else 1.0, ls="-" if sex != "totalt" else "--",
                    label=SEX_LABELS[sex])
        ax.set_title(textwrap.fill(title, 26 if layout == plots.DESKTOP else 40),
                     fontsize=plots.BASE)
        _pct_axis(ax, "y")
        ax.yaxis.set_major_locator(plots.MaxNLocator(nbins=4))
        years = sorted(table["period"].unique())
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], rotation=45 if layout == plots.DESKTOP else 0)
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=3)
    plots.scale_note(fig, "Varje delfigur har sin egen skala på y-axeln, som inte börjar vid noll.")
    return fig


@plots.responsive
def forest(table: pd.DataFrame, *, figsize=(8, 5.5), layout: str = plots.DESKTOP):
    """Forest plot of the chart's factors (:func:`analysis.present.plots.forest`) with readable ticks.

    Suppressed factors are left out of the plot (their rows in the table show ``.``).
    """
    shown = table[table["shown"] & ~_suppressed(table)]
    fig = plots.forest(shown.assign(label=shown["group"]), "label", figsize=figsize, layout=layout)
    ax = fig.axes[0]
    lo, hi = shown["lower"].min(), shown["upper"].max()
    ticks = [t for t in (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5) if lo * 0.8 <= t <= hi * 1.25]
    ax.set_xticks(ticks)
    ax.set_xticklabels([text.num(t, 1) for t in ticks])
    return fig


@plots.responsive
def differences(table: pd.DataFrame, labels: dict[str, str], *, figsize=(8, 4),
                verdict: bool = True, layout: str = plots.DESKTOP):
    """An area minus the rest of the län, per indicator and sex, with 95 % intervals.

    Filled markers are significant differences (interval excludes 0), and the legend below the
    chart says so; suppressed rows show ``.``. With ``verdict=False`` (synthetic data) every marker
    is hollow and the legend says that no difference is judged.
    """
    from matplotlib.lines import Line2D

    t = table.reset_index(drop=True)
    n_inds = t["indicator_id"].nunique()
    fig, ax = plt.subplots(figsize=plots.size(layout, figsize,
                                              mobile_height=0.55 * n_inds + 2.2))
    inds = list(dict.fromkeys(t["indicator_id"]))
    sexes = ("kvinnor", "man", "totalt")
    pos, ticks = [], []
    y = 0.0
    for ind in inds[::-1]:
        for k, sex in enumerate(sexes):
            r = t[(t["indicator_id"] == ind) & (t["sex"] == sex)]
            if r.empty:
                continue
            r = r.iloc[0]
            yy = y + (k - 1) * 0.25
            if bool(r.get("suppressed", False)) or pd.isna(r["value"]):
                ax.annotate(SUPPRESSED_MARK, (0, yy), ha="center", va="center")
                continue
            ax.plot([r["lower"], r["upper"]], [yy, yy], color=SEX_COLOURS[sex], lw=1.5)
            filled = verdict and bool(r["significant"])
            ax.scatter(r["value"], yy, s=30, zorder=3, color=SEX_COLOURS[sex],
                       facecolors=SEX_COLOURS[sex] if filled else "white",
                       label=SEX_LABELS[sex] if ind == inds[-1] else None)
        pos.append(y)
        ticks.append(labels.get(ind, ind))
        y += 1.0
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(pos)
    ax.set_yticklabels(ticks)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(plots.MaxNLocator(nbins=4 if layout == plots.MOBILE else 7))
    ax.xaxis.set_major_formatter(plots.FuncFormatter(
        lambda v, _p: text.num(100 * v, 0, sign=True) + " p.e."))
    ax.set_xlabel("Skillnad mot övriga länet (procentenheter)")
    handles, names = ax.get_legend_handles_labels()
    grey = "#333333"
    if verdict:
        handles += [Line2D([], [], ls="", marker="o", color=grey, markerfacecolor=grey),
                    Line2D([], [], ls="", marker="o", color=grey, markerfacecolor="white")]
        names += ["Fylld: säkerställd skillnad", "Ofylld: ingen säkerställd skillnad"]
    else:
        handles += [Line2D([], [], ls="", marker="o", color=grey, markerfacecolor="white")]
        names += ["Ofylld: ingen bedömning (syntetiska data)"]
    fig.legend(handles, names, loc="outside lower center",
               ncol=1 if layout == plots.MOBILE else 2)
    return fig
