"""Charts of the population projection: fan charts, projected pyramids and the SCB comparison.

Each function takes a table from :mod:`analysis.chapters.befolkning` and returns a matplotlib
Figure in the house style of :mod:`analysis.present.plots` (drawn at the size it is shown, with a
phone layout). Projected values are always drawn
apart from statistics (dashed line, shaded intervals) and labelled *framskrivning* in the chart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis.core import text
from analysis.present import plots

plt = plots.plt
PROJ_COLOUR = plots.PALETTE[1]
STAT_COLOUR = plots.PALETTE[0]


@plots.responsive
def fan(table: pd.DataFrame, *, ylabel: str, decimals: int = 0, figsize=(8, 4.6),
        layout: str = plots.DESKTOP):
    """Statistics (solid) and the projection (dashed) with its 80 and 95 % intervals.

    ``table`` has ``ar, typ, value, lower80, upper80, lower95, upper95``; ``typ`` is
    ``statistik``/``skattning`` or ``framskrivning``.
    """
    fig, ax = plt.subplots(figsize=plots.size(layout, figsize))
    obs = table[table["typ"] != "framskrivning"].sort_values("ar")
    prj = table[table["typ"] == "framskrivning"].sort_values("ar")
    last = obs.iloc[-1]
    # The projection starts from the last statistics so the line is unbroken.
    prj = pd.concat([pd.DataFrame([{"ar": last["ar"], "value": last["value"],
                                    **{c: last["value"] for c in
                                       ("lower80", "upper80", "lower95", "upper95")}}]),
                     prj], ignore_index=True)
    ax.fill_between(prj["ar"], prj["lower95"], prj["upper95"], color=PROJ_COLOUR,
                    alpha=0.15, lw=0, label="95 % intervall")
    ax.fill_between(prj["ar"], prj["lower80"], prj["upper80"], color=PROJ_COLOUR,
                    alpha=0.30, lw=0, label="80 % intervall")
    ax.plot(obs["ar"], obs["value"], color=STAT_COLOUR, lw=2.2, label="Statistik")
    ax.plot(prj["ar"], prj["value"], color=PROJ_COLOUR, lw=2.2, ls="--",
            label="Framskrivning")
    ax.axvline(last["ar"], color="#555555", lw=0.8, ls=":")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.set_ylabel(ylabel)
    plots.swedish_axis(ax, "y", decimals=decimals)
    fig.legend(loc="outside lower center", ncol=2 if layout == plots.MOBILE else 4)
    return fig


@plots.responsive
def pyramids(table: pd.DataFrame, *, base_year: int, years, band: int = 5, figsize=(8, 5.2),
             layout: str = plots.DESKTOP):
    """One pyramid per projected year: the projection as bars, ``base_year`` as an
    outline, in numbers of people by 5-year band (90+ together).

    ``table`` has ``ar, kon, alder, folkmangd`` (:func:`analysis.chapters.befolkning.pyramid_table`).
    Side by side on a desktop, stacked on a phone.
    """
    d = table.copy()
    d["band"] = (d["alder"].clip(upper=90) // band) * band
    g = d.groupby(["ar", "kon", "band"], as_index=False)["folkmangd"].sum()
    bands = sorted(g["band"].unique())
    y = np.arange(len(bands))
    lim = g["folkmangd"].max() * 1.08
    if layout == plots.MOBILE:
        fig, axes = plt.subplots(len(years), 1, figsize=plots.size(
            layout, mobile_height=3.2 * len(years) + 0.8), sharex=True)
    else:
        fig, axes = plt.subplots(1, len(years), figsize=plots.size(layout, figsize),
                                 sharey=True)
    for ax, year in zip(np.atleast_1d(axes), years, strict=True):
        for sex, sign in (("män", -1), ("kvinnor", 1)):
            cur = g[(g["ar"] == year) & (g["kon"] == sex)].set_index("band").reindex(bands)
            now = g[(g["ar"] == base_year) & (g["kon"] == sex)].set_index("band").reindex(
                bands)
            ax.barh(y, sign * cur["folkmangd"].to_numpy(), color=plots.SEX_COLOURS[sex],
                    alpha=0.75, height=0.85, label=f"{sex.capitalize()}, framskrivning")
            ax.step(sign * now["folkmangd"].to_numpy(), y, where="mid", color="black",
                    lw=1.3, label=f"År {base_year}" if sex == "kvinnor" else None)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_xlim(-lim, lim)
        ax.set_yticks(y[::2])
        ax.set_yticklabels([f"{b}–{b + band - 1}" if b < 90 else "90+" for b in bands][::2])
        if layout == plots.MOBILE or ax is np.atleast_1d(axes)[0]:
            ax.set_ylabel("Ålder")
        ax.set_title(f"{year} (framskrivning) mot {base_year}", loc="left")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: text.num(abs(v))))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.set_xlabel("Antal personer")
        ax.text(0.02, 0.96, "Män", transform=ax.transAxes, va="top")
        ax.text(0.98, 0.96, "Kvinnor", transform=ax.transAxes, va="top", ha="right")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center",
               ncol=1 if layout == plots.MOBILE else 3)
    return fig


@plots.responsive
def growth_comparison(table: pd.DataFrame, *, figsize=(8, 4.4), layout: str = plots.DESKTOP):
    """The seven län's growth: SCB's projection (dot) and the book's projection (diamond) with its
    80 % interval (``lan_namn, scb, framskrivning, lower80, upper80``, proportions)."""
    d = table.iloc[::-1].reset_index(drop=True)
    pos = np.arange(len(d))
    fig, ax = plt.subplots(figsize=plots.size(layout, figsize))
    ax.hlines(pos, d["lower80"], d["upper80"], color=PROJ_COLOUR, lw=2, alpha=0.5,
              label="80 % intervall")
    ax.scatter(d["framskrivning"], pos, marker="D", s=40, color=PROJ_COLOUR, zorder=3,
               label="Bokens framskrivning")
    ax.scatter(d["scb"], pos, marker="o", s=45, color=STAT_COLOUR, zorder=4,
               label="SCB:s prognos")
    ax.axvline(0, color="black", lw=0.6)
    ax.set_yticks(pos)
    ax.set_yticklabels([n.removesuffix(" län") for n in d["lan_namn"]])
    ax.grid(axis="y", visible=False)
    plots.swedish_axis(ax, "x", share=True)
    ax.set_xlabel("Befolkningsökning")
    fig.legend(loc="outside lower center", ncol=1 if layout == plots.MOBILE else 3)
    return fig
