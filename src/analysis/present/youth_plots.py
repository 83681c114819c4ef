"""Charts of the Liv & hälsa ung chapter: intervals everywhere, suppressed cells as dots.

Each function takes a tidy table from :mod:`analysis.chapters.youth` after disclosure control and returns
a matplotlib Figure in the house style of :mod:`analysis.present.plots`; a suppressed estimate is never
drawn, its place shows the suppression mark ``.`` instead. The generic charts of the adult
chapter (:mod:`analysis.present.health_plots`: bars by group and sex, trend panels, forest plot,
differences) are reused by the notebook as they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.contracts.ung_contract import GRADE_LABELS, GRADES
from analysis.core import text
from analysis.methods.disclosure import SUPPRESSED_MARK
from analysis.present import plots

plt = plots.plt
SEX_LABELS = text.SEX_LABELS_YOUTH
SEX_COLOURS = {"kvinnor": plots.SEX_COLOURS["kvinnor"], "man": plots.SEX_COLOURS["man"],
               "totalt": plots.SEX_COLOURS["totalt"]}


def _suppressed(t: pd.DataFrame) -> np.ndarray:
    if "suppressed" in t:
        return t["suppressed"].fillna(True).to_numpy(dtype=bool)
    return t["value"].isna().to_numpy()


@plots.responsive
def dose_response(table: pd.DataFrame, *, ylabel: str = "Andel som mår bra varje dag",
                  figsize=(8, 4.6), layout: str = plots.DESKTOP):
    """Share feeling good by number of protective factors (0–5): girls, boys and everyone, each
    point with its 95 % interval; a suppressed point shows ``.`` on the axis."""
    fig, ax = plt.subplots(figsize=plots.size(layout, figsize))
    offsets = {"kvinnor": -0.12, "man": 0.12, "totalt": 0.0}
    for sex in ("kvinnor", "man", "totalt"):
        d = table[table["sex"] == sex].sort_values("factors")
        if d.empty:
            continue
        sup = _suppressed(d)
        x = d["factors"].to_numpy(dtype=float) + offsets[sex]
        v = d["value"].to_numpy(dtype=float)
        ok = ~sup
        style = {"ls": "--", "lw": 1.0, "alpha": 0.8} if sex == "totalt" else {"lw": 1.8}
        ax.plot(x[ok], v[ok], marker="o", ms=4, color=SEX_COLOURS[sex], label=SEX_LABELS[sex],
                **style)
        err = np.vstack([v - d["lower"].to_numpy(dtype=float),
                         d["upper"].to_numpy(dtype=float) - v])
        if sex != "totalt":
            ax.errorbar(x[ok], v[ok], yerr=err[:, ok], fmt="none", ecolor=SEX_COLOURS[sex],
                        lw=1.0, capsize=3)
        for xi in x[sup]:
            ax.annotate(SUPPRESSED_MARK, (xi, 0.02), ha="center", va="bottom",
                        color=SEX_COLOURS[sex])
    ax.set_xticks(range(6))
    ax.set_xlabel("Antal skyddsfaktorer (av fem)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1)
    plots.swedish_axis(ax, "y", share=True)
    ax.grid(axis="x", visible=False)
    ax.legend(loc="lower right")
    return fig


@plots.responsive
def youth_adult(table: pd.DataFrame, *, figsize=(10, 4.4), layout: str = plots.DESKTOP):
    """Pupils beside adults: one panel per measure (mår bra / god hälsa; WHO-5), bars by group
    with girls/women and boys/men side by side and their intervals (on a phone one panel above
    the other)."""
    measures = [("halsa", "Mår bra (unga) / god hälsa (vuxna)"),
                ("who5", "Gott psykiskt välbefinnande (WHO-5)")]
    if layout == plots.MOBILE:
        fig, axes = plt.subplots(2, 1, figsize=plots.size(layout, mobile_height=6.0),
                                 sharey=True)
    else:
        fig, axes = plt.subplots(1, 2, figsize=plots.size(layout, figsize), sharey=True,
                                 gridspec_kw={"width_ratios": [5, 4]})
    width = 0.38
    for ax, (m, title) in zip(axes, measures, strict=True):
        t = table[table["measure"] == m]
        groups = list(dict.fromkeys(t["group"]))
        x = np.arange(len(groups))
        for k, sex in enumerate(("kvinnor", "man")):
            d = t[t["sex"] == sex].set_index("group").reindex(groups)
            sup = _suppressed(d.reset_index())
            v = d["value"].to_numpy(dtype=float)
            off = (k - 0.5) * width
            ax.bar(x + off, np.where(sup, 0, v), width, color=SEX_COLOURS[sex],
                   label="Flickor/kvinnor" if sex == "kvinnor" else "Pojkar/män")
            err = np.vstack([v - d["lower"].to_numpy(dtype=float),
                             d["upper"].to_numpy(dtype=float) - v])
            ax.errorbar(x + off, np.where(sup, np.nan, v), yerr=err, fmt="none",
                        ecolor="black", lw=0.9, capsize=2)
            for xi, s in zip(x + off, sup, strict=True):
                if s:
                    ax.annotate(SUPPRESSED_MARK, (xi, 0.01), ha="center", va="bottom")
        ax.set_xticks(x)
        ax.set_xticklabels([g.replace(" år och äldre", "+ år") for g in groups],
                           rotation=0 if layout == plots.MOBILE else 30, ha="center" if
                           layout == plots.MOBILE else "right")
        n_young = int((t.drop_duplicates("group")["population"] == "unga").sum())
        if 0 < n_young < len(groups):
            ax.axvline(n_young - 0.5, color="grey", lw=0.8, ls=":")
        ax.set_title(title, fontsize=plots.BASE)
        ax.set_ylim(0, 1)
        ax.grid(axis="x", visible=False)
        plots.swedish_axis(ax, "y", share=True)
    axes[0].set_ylabel("Andel")
    if layout == plots.MOBILE:
        axes[1].set_ylabel("Andel")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=2)
    return fig


@plots.responsive
def school_spread(table: pd.DataFrame, *, figsize=(8, 4.2), layout: str = plots.DESKTOP):
    """Each school's share feeling good (shown schools only) by school year, with its interval,
    beside the län's share: how much schools differ. Schools are anonymous dots."""
    fig, ax = plt.subplots(figsize=plots.size(layout, figsize))
    t = table[~table["is_total"] & ~_suppressed(table)]
    rng = np.random.default_rng(0)  # fixed jitter: the same picture every build
    for i, g in enumerate(GRADES):
        d = t[t["grade"] == g].sort_values("value")
        if d.empty:
            continue
        x = i + rng.uniform(-0.25, 0.25, len(d))
        ax.vlines(x, d["lower"], d["upper"], color=plots.PALETTE[5], lw=0.8)
        ax.scatter(x, d["value"], s=14, color=plots.PALETTE[0], zorder=3,
                   label="Skola med 95 % konfidensintervall" if i == 0 else None)
    ax.set_xticks(range(len(GRADES)))
    ax.set_xticklabels([GRADE_LABELS[g] for g in GRADES])
    ax.set_xlim(-0.6, len(GRADES) - 0.4)
    ax.set_ylabel("Andel som mår bra eller mycket bra")
    plots.swedish_axis(ax, "y", share=True)
    ax.grid(axis="x", visible=False)
    fig.legend(loc="outside lower center")
    return fig


@plots.restyle
def relabel_sexes(fig):
    """Legends of the adult chapter's charts say Kvinnor/Män; for pupils, Flickor/Pojkar."""
    names = {"Kvinnor": "Flickor", "Män": "Pojkar"}
    for legend in list(fig.legends) + [ax.get_legend() for ax in fig.axes]:
        if legend is None:
            continue
        for t in legend.get_texts():
            t.set_text(names.get(t.get_text(), t.get_text()))
    return fig


@plots.restyle
def share_ticks(fig):
    """Share tick labels with as many decimals as the ticks need (``2,5 %``, ``87,5 %``), so that
    no two ticks read the same and none is rounded (the house style prints whole per cent)."""
    from matplotlib.ticker import FuncFormatter

    for ax in fig.axes:
        if not ax.get_visible():
            continue
        pct = 100 * np.asarray(ax.get_yticks(), dtype=float)
        decimals = next((d for d in (0, 1, 2) if np.allclose(pct, np.round(pct, d), atol=1e-6)),
                        2)
        ax.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _p, d=decimals: text.share(v, d)))
    return fig
