"""Charts in the book's house style: drawn at the size they are shown, Swedish number formats,
colour-blind-safe dark palettes, no chart junk, and a narrow layout for phones.

Functions return a matplotlib Figure; :func:`analysis.present.publish.figure` saves and shows it with
title, source and alt text (titles live in the caption, not in the image).

The house style is about size. A figure is drawn :data:`WIDTH_PX` CSS pixels wide (the book's text
column at 1280 px, or a 390 px phone), at :data:`PX_PER_INCH` CSS pixels per inch, so that a
font of ``s`` points shows as ``s × 100 / 72`` CSS pixels when the image is displayed at its drawn
width; no text is smaller than :data:`MIN_TEXT_PX` (11 px). Every plotting function takes
``layout`` (:data:`DESKTOP` or :data:`MOBILE`); the :func:`responsive` decorator remembers how a
figure was made, so the publisher can draw the phone layout of the same chart (fewer panels per row,
taller) with :func:`variant`.

Why one module: the house style (sizes, fonts, palette), the layout machinery and the generic
charts that use them are one contract: every chart here is drawn with these sizes and registers
its phone layout the same way, and the tests check them together.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects as path_effects  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from analysis.core import text  # noqa: E402

#: Dark, colour-blind-safe colours: each has a contrast of at least 3:1 against white (WCAG's
#: level for graphics), so that no line or label is pale.
PALETTE = ["#0b5d8c", "#b8304f", "#8a6100", "#00707f", "#3f7d3f", "#5c6670", "#2e4057",
           "#8a3f8c", "#c0390b", "#5b4b9a", "#7a5c00", "#003f5c"]
SEX_COLOURS = {"kvinnor": "#b8304f", "män": "#0b5d8c", "man": "#0b5d8c", "totalt": "#2e4057"}

#: Layouts: the desktop text column and a phone.
DESKTOP = "desktop"
MOBILE = "mobil"
LAYOUTS = (DESKTOP, MOBILE)
#: Width in CSS pixels a figure of each layout is drawn for (the book's figure width at a
#: 1280 px and at a 390 px wide window).
WIDTH_PX = {DESKTOP: 672, MOBILE: 340}
#: CSS pixels per inch of a drawn figure; the PNG is saved at :data:`SCALE` × this (sharp on
#: high-density screens) and shown at its drawn width.
PX_PER_INCH = 100
SCALE = 2
DPI = PX_PER_INCH * SCALE
#: The smallest text a reader sees, in CSS pixels, and the font sizes (points) that give it.
MIN_TEXT_PX = 11
SMALL = 8.5   # tick labels, legends, value and map labels: 11.8 px
BASE = 9.5    # axis labels and panel titles: 13.2 px
MIN_PT = MIN_TEXT_PX * 72 / PX_PER_INCH
HALO = [path_effects.withStroke(linewidth=3, foreground="white")]


def style() -> None:
    """Apply the house style (called on import)."""
    plt.rcParams.update({
        "figure.figsize": (WIDTH_PX[DESKTOP] / PX_PER_INCH, 3.8),
        "figure.dpi": PX_PER_INCH,
        "figure.constrained_layout.use": True,
        "savefig.dpi": DPI,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.35,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "font.size": BASE,
        "axes.titlesize": BASE,
        "axes.labelsize": BASE,
        "xtick.labelsize": SMALL,
        "ytick.labelsize": SMALL,
        "legend.fontsize": SMALL,
        "legend.title_fontsize": SMALL,
        "figure.titlesize": BASE,
        "figure.labelsize": BASE,
        "legend.frameon": False,
        "svg.hashsalt": "bok",
    })


style()


def check_layout(layout: str) -> str:
    """``layout`` if it is one of :data:`LAYOUTS`, else a ValueError."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {LAYOUTS}")
    return layout


def size(layout: str = DESKTOP, figsize: tuple[float, float] | None = None, *,
         mobile_height: float | None = None) -> tuple[float, float]:
    """Figure size (inches) for ``layout``: the layout's drawn width, and the height of
    ``figsize`` scaled with it (its aspect kept), or ``mobile_height`` (inches) on a phone."""
    check_layout(layout)
    w = WIDTH_PX[layout] / PX_PER_INCH
    fw, fh = figsize or (8, 4.5)
    if layout == MOBILE and mobile_height is not None:
        return w, mobile_height
    h = w * fh / fw
    if layout == MOBILE:
        h = max(h, 0.75 * w)  # a phone figure is at least three quarters as tall as wide
    return w, h


def responsive(func: Callable) -> Callable:
    """Decorator of a plotting function with a ``layout`` argument: the figure it returns
    remembers how to draw itself in another layout (:func:`variant`)."""

    @functools.wraps(func)
    def wrapper(*args, layout: str = DESKTOP, **kwargs):
        fig = func(*args, layout=check_layout(layout), **kwargs)
        if layout == MOBILE:
            wrap_labels(fig)
        fig._bok_redraw = functools.partial(wrapper, *args, **kwargs)
        fig._bok_layout = layout
        return fig

    return wrapper


def wrap_labels(fig) -> None:
    """Wrap axis labels that are wider than ``fig`` (a phone figure is 340 px wide), and long
    category labels on a y-axis to at most a third of it. Words are never split: a name longer
    than the third ("Ljusnarsberg", "Västernorrland") keeps its line."""
    import textwrap

    chars = int(fig.get_size_inches()[0] * PX_PER_INCH / BASE)
    for ax in fig.axes:
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        if any(len(t) > chars // 3 for t in ticks):
            ax.set_yticks(ax.get_yticks(), [textwrap.fill(t, chars // 3, break_long_words=False)
                                            for t in ticks])
        if len(ax.get_xlabel()) > chars:
            ax.set_xlabel(textwrap.fill(ax.get_xlabel(), chars))
        if len(ax.get_ylabel()) > chars // 2:
            ax.set_ylabel(textwrap.fill(ax.get_ylabel(), max(chars // 2, 20)))


def restyle(func: Callable) -> Callable:
    """Decorator of a function that changes a figure and returns it (e.g. relabels a legend): the
    change is also made to the figure's other layouts (:func:`variant`)."""

    @functools.wraps(func)
    def wrapper(fig, *args, **kwargs):
        redraw = getattr(fig, "_bok_redraw", None)
        out = func(fig, *args, **kwargs)
        if redraw is not None:
            out._bok_redraw = lambda layout: wrapper(redraw(layout=layout), *args, **kwargs)
            out._bok_layout = getattr(fig, "_bok_layout", DESKTOP)
        return out

    return wrapper


def variant(fig, layout: str):
    """The same chart drawn in ``layout`` (a new figure), or None if ``fig`` was not made by a
    :func:`responsive` function or already is in that layout."""
    check_layout(layout)
    redraw = getattr(fig, "_bok_redraw", None)
    if redraw is None or getattr(fig, "_bok_layout", DESKTOP) == layout:
        return None
    return redraw(layout=layout)


def text_sizes_pt(fig) -> list[float]:
    """Font sizes (points) of every visible, non-empty text of ``fig`` after drawing it."""
    from matplotlib.text import Text

    fig.canvas.draw()
    return [t.get_fontsize() for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and _shown(t)]


def _shown(artist) -> bool:
    """Whether ``artist`` and the axes it belongs to are visible."""
    ax = getattr(artist, "axes", None)
    return ax is None or ax.get_visible()


def enforce_min_text(fig) -> float:
    """Raise every text of ``fig`` smaller than the house minimum (:data:`MIN_PT`) to it; return
    the smallest font size (points) after that."""
    from matplotlib.text import Text

    fig.canvas.draw()
    sizes = []
    for t in fig.findobj(Text):
        if not (t.get_visible() and t.get_text().strip() and _shown(t)):
            continue
        if t.get_fontsize() < MIN_PT:
            t.set_fontsize(MIN_PT)
        sizes.append(t.get_fontsize())
    return min(sizes) if sizes else MIN_PT


def repel(y: Sequence[float], gap: float, lo: float | None = None,
          hi: float | None = None) -> np.ndarray:
    """Move 1-D label positions ``y`` apart so that neighbours are at least ``gap`` apart, as
    little as possible (least squares), keeping their order and, if given, inside ``[lo, hi]``.

    Sorted by position, label ``i`` may not come before ``y'[i-1] + gap``. With
    ``z_i = y'_i - i·gap`` that is ``z`` non-decreasing, so the least-squares solution is the
    isotonic regression of ``y_i - i·gap`` (pool adjacent violators), shifted back.
    """
    y = np.asarray(y, dtype=float)
    if gap < 0:
        raise ValueError("gap must be >= 0")
    n = len(y)
    if n == 0:
        return y.copy()
    order = np.argsort(y, kind="stable")
    target = y[order] - gap * np.arange(n)
    # pool adjacent violators: blocks of (mean, weight)
    means: list[float] = []
    weights: list[int] = []
    for v in target:
        means.append(float(v))
        weights.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            m2, w2 = means.pop(), weights.pop()
            m1, w1 = means.pop(), weights.pop()
            means.append((m1 * w1 + m2 * w2) / (w1 + w2))
            weights.append(w1 + w2)
    z = np.repeat(means, weights)
    placed = z + gap * np.arange(n)
    if lo is not None and placed[0] < lo:
        placed = np.maximum(placed, lo + gap * np.arange(n))
    if hi is not None and placed[-1] > hi:
        placed = np.minimum(placed, hi - gap * np.arange(n)[::-1])
    out = np.empty(n)
    out[order] = placed
    return out


def declutter(texts: Sequence, *, pad_px: float = 1.5, max_iter: int = 300) -> int:
    """Move annotations (``textcoords="offset points"``) apart until no two text boxes overlap:
    each overlapping pair is pushed apart along the axis where they overlap least, half each.
    Returns the number of rounds needed (``max_iter`` if some overlap is left).

    A moved annotation created with ``arrowprops`` gets a leader line to its point for free.
    """
    from matplotlib.text import Text

    texts = list(texts)
    if len(texts) < 2:
        return 0
    fig = texts[0].figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    k = 72 / fig.dpi
    for it in range(max_iter):
        for t in texts:
            t.update_positions(r)
        boxes = [Text.get_window_extent(t, r) for t in texts]
        moved = False
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                a, b = boxes[i], boxes[j]
                dx = min(a.x1, b.x1) - max(a.x0, b.x0) + pad_px
                dy = min(a.y1, b.y1) - max(a.y0, b.y0) + pad_px
                if dx <= 0 or dy <= 0:
                    continue
                moved = True
                if dy <= dx:
                    s = 1 if (a.y0 + a.y1) >= (b.y0 + b.y1) else -1
                    shift = (0.0, s * dy / 2 * k)
                else:
                    s = 1 if (a.x0 + a.x1) >= (b.x0 + b.x1) else -1
                    shift = (s * dx / 2 * k, 0.0)
                ti, tj = texts[i], texts[j]
                ti.xyann = (ti.xyann[0] + shift[0], ti.xyann[1] + shift[1])
                tj.xyann = (tj.xyann[0] - shift[0], tj.xyann[1] - shift[1])
                ti.update_positions(r)
                tj.update_positions(r)
                boxes[i] = Text.get_window_extent(ti, r)
                boxes[j] = Text.get_window_extent(tj, r)
        if not moved:
            return it
    return max_iter


def scale_note(fig, words: str = "Varje delfigur har sin egen skala på y-axeln.") -> None:
    """A visible note above a figure whose panels do not share a y-axis (wrapped to the
    figure's width)."""
    import textwrap

    chars = int(fig.get_size_inches()[0] * PX_PER_INCH / (SMALL * 0.75))
    fig.suptitle(textwrap.fill(words, chars), fontsize=SMALL, style="italic", color="#333333",
                 x=0.01, ha="left")


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


def label_line_ends(ax, ends: Sequence[tuple[float, float, str, str]],
                    fontsize: float = SMALL) -> list:
    """Direct labels right of the line ends ``(x, y, label, colour)``, moved apart vertically
    (:func:`repel`) so that no two overlap; a thin leader joins a moved label to its line."""
    if not ends:
        return []
    fig = ax.figure
    fig.canvas.draw()  # the final layout: positions in points are then known
    to_disp = ax.transData
    pts_per_px = 72 / fig.dpi
    ys = np.array([to_disp.transform((x, y))[1] for x, y, _l, _c in ends]) * pts_per_px
    bbox = ax.get_window_extent()
    gap = fontsize * 1.25
    placed = repel(ys, gap, lo=bbox.y0 * pts_per_px - gap, hi=bbox.y1 * pts_per_px + gap)
    out = []
    for (x, y, label, col), y0, y1 in zip(ends, ys, placed, strict=True):
        moved = abs(y1 - y0) > 1
        arrow = {"arrowstyle": "-", "color": col, "lw": 0.6, "shrinkA": 0,
                 "shrinkB": 2} if moved else None
        out.append(ax.annotate(label, (x, y), xytext=(10 if moved else 4, y1 - y0),
                               textcoords="offset points", va="center", fontsize=fontsize,
                               color=col, arrowprops=arrow, annotation_clip=False))
    # The labels take room on the right, so the layout shrinks the axes: place them again.
    fig.canvas.draw()
    ys = np.array([to_disp.transform((x, y))[1] for x, y, _l, _c in ends]) * pts_per_px
    bbox = ax.get_window_extent()
    placed = repel(ys, gap, lo=bbox.y0 * pts_per_px - gap, hi=bbox.y1 * pts_per_px + gap)
    for a, y0, y1 in zip(out, ys, placed, strict=True):
        a.xyann = (a.xyann[0], y1 - y0)
    return out


@responsive
def lines(df: pd.DataFrame, x: str, y: str, hue: str, *, ylabel: str = "", xlabel: str = "",
          share: bool = False, decimals: int = 0, highlight: Sequence[str] | None = None,
          logy: bool = False, label_end: bool = True, colors: dict | None = None,
          figsize=(8, 4.5), layout: str = DESKTOP):
    """One line per ``hue`` value, with direct labels at the line ends (moved apart so they do
    not overlap) instead of a legend; on a phone a legend below the chart."""
    fig, ax = plt.subplots(figsize=size(layout, figsize))
    groups = list(dict.fromkeys(df[hue]))
    ends = []
    for i, g in enumerate(groups):
        d = df[df[hue] == g].sort_values(x)
        main = highlight is None or g in highlight
        col = (colors or {}).get(g, PALETTE[i % len(PALETTE)])
        ax.plot(d[x], d[y], label=str(g), lw=2.4 if main else 1.5, color=col)
        if len(d):
            ends.append((d[x].iloc[-1], d[y].iloc[-1], str(g), col))
    if logy:
        ax.set_yscale("log")
    if pd.api.types.is_integer_dtype(df[x]):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # years, never 2002.5
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    swedish_axis(ax, "y", decimals=decimals, share=share)
    if label_end and layout == DESKTOP:
        label_line_ends(ax, ends)
    else:
        fig.legend(loc="outside lower center", ncol=1 if layout == MOBILE else 2)
    return fig


@responsive
def small_multiples(df: pd.DataFrame, x: str, y: str, panel: str, *, ncols: int = 4,
                    ylabel: str = "", share: bool = False, sharey: bool = False,
                    ref: pd.DataFrame | None = None, ref_label: str | None = None,
                    figsize=None, layout: str = DESKTOP):
    """One small panel per ``panel`` value (e.g. kommun), each with its own y-axis by default
    (then a visible note says so); two panels per row on a phone. The default size is 10 × 7
    inches up to three rows, and 2,3 inches more per row beyond (a län of 26 or 49 kommuner)."""
    panels = list(dict.fromkeys(df[panel]))
    if figsize is None:
        figsize = (10, max(7.0, 2.3 * int(np.ceil(len(panels) / ncols))))
    if layout == MOBILE:
        ncols = min(ncols, 2)
    nrows = int(np.ceil(len(panels) / ncols))
    figsz = size(layout, figsize, mobile_height=1.45 * nrows + 0.8)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsz, sharex=True, sharey=sharey)
    axes = np.atleast_1d(axes).ravel()
    for ax, p in zip(axes, panels, strict=False):
        d = df[df[panel] == p].sort_values(x)
        ax.plot(d[x], d[y], color=PALETTE[0], lw=1.8)
        if ref is not None:
            r = ref[ref[panel] == p].sort_values(x)
            ax.plot(r[x], r[y], color=PALETTE[1], lw=1.4, ls="--", label=ref_label)
        ax.set_title(str(p), fontsize=BASE)
        if pd.api.types.is_integer_dtype(df[x]):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        swedish_axis(ax, "y", share=share)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    if ylabel:
        fig.supylabel(ylabel, fontsize=BASE)
    if not sharey:
        scale_note(fig, "Varje delfigur har sin egen skala på y-axeln, som inte börjar vid noll.")
    return fig


def _polygons(ax, geoms, **style) -> None:
    """Draw (multi)polygons as one patch collection with white borders (geopandas' ``plot``
    redraws the whole figure on every call, which made a two-map figure take seconds)."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    patches = []
    for geom in geoms:
        polys = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
        for poly in polys:
            rings = [np.asarray(poly.exterior.coords)] + [np.asarray(r.coords)
                                                          for r in poly.interiors]
            verts = np.concatenate(rings)
            codes = np.concatenate([[MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2)
                                    + [MplPath.CLOSEPOLY] for r in rings])
            patches.append(PathPatch(MplPath(verts, codes)))
    if patches:
        ax.add_collection(PatchCollection(patches, edgecolor="white", linewidth=0.8,
                                          **style))


@responsive
def choropleth(gdf, column: str, *, bins: Sequence[float] | None = None,
               labels: Sequence[str] | None = None, cmap: str = "RdYlBu",
               legend_title: str = "", annotate: str | None = None, ax=None,
               missing_label: str = "Visas inte (.)", figsize=(7.5, 6), layout: str = DESKTOP,
               label_min_share: float = 0.0):
    """A classed choropleth map (EPSG:3006) with a legend of class labels and optional name labels
    (dark text on a white halo, legible on every class colour).

    ``bins`` are class edges (``len(labels) + 1`` values, outer edges inclusive); when omitted,
    five equal-count classes are used. Areas with missing values are hatched grey. On a phone the
    legend goes below the map. With ``label_min_share`` only areas of at least that share of the
    map's total area get a name label (a län's small central kommuner would overlap).
    """
    import matplotlib.patches as mpatches

    g = gdf.to_crs(3006) if gdf.crs is not None and gdf.crs.to_epsg() != 3006 else gdf
    # borders simplified to 150 m (under a pixel at any size the book shows): drawing the
    # surveyed borders took seconds per draw
    g = g.assign(geometry=g.geometry.simplify(150, preserve_topology=True))
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
        fig, ax = plt.subplots(figsize=size(layout, figsize, mobile_height=4.6))
    else:
        fig = ax.figure
    for i in range(ncls):
        _polygons(ax, g.geometry[cls == i], facecolor=colours[i])
    miss = g[cls == -1]
    _polygons(ax, miss.geometry, facecolor="#dddddd", hatch="///")
    ax.set_aspect("equal")
    ax.autoscale_view()
    if annotate:
        big = g.geometry.area >= label_min_share * g.geometry.area.sum()
        for _, r in g[big].iterrows():
            p = r.geometry.representative_point()
            ax.annotate(str(r[annotate]), (p.x, p.y), xytext=(0, 0), textcoords="offset points",
                        ha="center", va="center", fontsize=SMALL, color="#111111",
                        path_effects=HALO, arrowprops={"arrowstyle": "-", "lw": 0.7,
                                                       "color": "#111111"})
    handles = [mpatches.Patch(color=colours[i], label=labels[i]) for i in range(ncls)]
    if len(miss):
        handles.append(mpatches.Patch(facecolor="#dddddd", hatch="///", label=missing_label))
    if layout == MOBILE:
        ax.legend(handles=handles[::-1], title=legend_title, loc="upper center",
                  bbox_to_anchor=(0.5, 0.0), ncol=2)
    else:
        ax.legend(handles=handles[::-1], title=legend_title, loc="upper left",
                  bbox_to_anchor=(1.0, 1.0))
    ax.set_axis_off()
    if own and annotate:
        declutter(ax.texts)
    return fig


@responsive
def pyramid(df: pd.DataFrame, *, year_a: int, year_b: int, share: bool = True,
            band: int = 5, figsize=(8, 6), layout: str = DESKTOP):
    """Age–sex pyramid of ``year_b`` (bars) with ``year_a`` as an outline, in 5-year bands.

    ``df`` has ``ar, kon, alder, folkmangd``. With ``share=True`` bars show the share of the
    total population of each year, so years of different size compare.
    """
    d = df[df["ar"].isin([year_a, year_b])].copy()
    d["band"] = (d["alder"].clip(upper=90) // band) * band
    g = d.groupby(["ar", "kon", "band"], as_index=False)["folkmangd"].sum()
    if share:
        g["folkmangd"] = g["folkmangd"] / g.groupby("ar")["folkmangd"].transform("sum")
    fig, ax = plt.subplots(figsize=size(layout, figsize, mobile_height=5.2))
    bands = sorted(g["band"].unique())
    y = np.arange(len(bands))
    for sex, sign in (("män", -1), ("kvinnor", 1)):
        b = g[(g["ar"] == year_b) & (g["kon"] == sex)].set_index("band").reindex(bands)["folkmangd"]
        a = g[(g["ar"] == year_a) & (g["kon"] == sex)].set_index("band").reindex(bands)["folkmangd"]
        ax.barh(y, sign * b.to_numpy(), color=SEX_COLOURS[sex], alpha=0.85,
                label=f"{sex.capitalize()} {year_b}")
        ax.step(sign * a.to_numpy(), y, where="mid", color="black", lw=1.2,
                label=f"{year_a}" if sex == "kvinnor" else None)
    step = 2 if layout == MOBILE else 1
    ax.set_yticks(y[::step])
    ax.set_yticklabels([f"{b}–{b + band - 1}" if b < 90 else "90+" for b in bands][::step])
    ax.axvline(0, color="black", lw=0.6)
    lim = np.abs(ax.get_xlim()).max()
    ax.set_xlim(-lim, lim)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if layout == MOBILE else 6))
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _p: text.share(abs(v), 1) if share else text.num(abs(v))))
    ax.set_xlabel("Andel av befolkningen" if share else "Antal personer")
    ax.set_ylabel("Ålder")
    fig.legend(loc="outside lower center", ncol=3)
    ax.text(0.02, 0.98, "Män", transform=ax.transAxes, va="top", fontsize=BASE)
    ax.text(0.98, 0.98, "Kvinnor", transform=ax.transAxes, va="top", ha="right", fontsize=BASE)
    return fig


@responsive
def hbar(df: pd.DataFrame, y: str, x: str, *, lower: str | None = None, upper: str | None = None,
         share: bool = False, xlabel: str = "", color: str | Sequence[str] = PALETTE[0],
         ref: float | None = None, ref_label: str | None = None, decimals: int = 0,
         figsize=(8, 4.5), sort: bool = True, value_labels: bool = True, layout: str = DESKTOP):
    """Horizontal bars (sorted), with optional interval whiskers and a reference line."""
    d = df.sort_values(x) if sort else df.iloc[::-1]
    fig, ax = plt.subplots(figsize=size(layout, figsize,
                                        mobile_height=0.28 * len(d) + 1.4))
    pos = np.arange(len(d))
    ax.barh(pos, d[x], color=color)
    if lower and upper:
        err = np.vstack([d[x] - d[lower], d[upper] - d[x]])
        ax.errorbar(d[x], pos, xerr=err, fmt="none", ecolor="black", lw=1, capsize=2)
    if ref is not None:
        ax.axvline(ref, color=PALETTE[1], ls="--", lw=1.4, label=ref_label)
        if ref_label:
            fig.legend(loc="outside lower center")
    if value_labels:
        for p, v in zip(pos, d[x], strict=True):
            if pd.notna(v):
                s = text.share(v, decimals) if share else text.num(v, decimals)
                ax.annotate(s, (v, p), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=SMALL)
    ax.set_yticks(pos)
    ax.set_yticklabels(d[y])
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if layout == MOBILE else 7))
    swedish_axis(ax, "x", share=share, decimals=decimals)
    return fig


@responsive
def funding_results(df: pd.DataFrame, label: str, funding: str, counts: dict[str, str], *,
                    funding_label: str = "Tilldelning (tkr)", figsize=(9, 4),
                    layout: str = DESKTOP):
    """Funding beside results per area (on a phone: above): ``funding`` bars, then grouped bars of
    ``counts`` (display name → column), the areas in the same order, with value labels."""
    d = df.reset_index(drop=True)
    if layout == MOBILE:
        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=size(layout, figsize, mobile_height=5.6),
                                       gridspec_kw={"height_ratios": [1, 1.4]})
    else:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=size(layout, figsize), sharey=True,
                                       gridspec_kw={"width_ratios": [1, 1.4]})
    pos = np.arange(len(d))[::-1]
    ax1.barh(pos, d[funding], color=PALETTE[5])
    for p, v in zip(pos, d[funding], strict=True):
        ax1.annotate(text.num(v), (v, p), xytext=(3, 0), textcoords="offset points",
                     va="center", fontsize=SMALL)
    ax1.set_yticks(pos)
    ax1.set_yticklabels(d[label])
    ax1.set_xlabel(funding_label)
    ax1.grid(axis="y", visible=False)
    ax1.xaxis.set_major_locator(MaxNLocator(nbins=3))
    swedish_axis(ax1, "x")
    h = 0.8 / len(counts)
    for i, (name, col) in enumerate(counts.items()):
        y = pos + 0.4 - h * (i + 0.5)
        ax2.barh(y, d[col], height=h, color=PALETTE[i], label=name)
        for p, v in zip(y, d[col], strict=True):
            ax2.annotate(text.num(v), (v, p), xytext=(3, 0), textcoords="offset points",
                         va="center", fontsize=SMALL)
    if layout == MOBILE:
        ax2.set_yticks(pos)
        ax2.set_yticklabels(d[label])
    ax2.set_xlabel("Antal personer")
    ax2.grid(axis="y", visible=False)
    ax2.xaxis.set_major_locator(MaxNLocator(nbins=3))
    fig.legend(*ax2.get_legend_handles_labels(), loc="outside lower center", ncol=len(counts))
    swedish_axis(ax2, "x")
    return fig


@responsive
def forest(df: pd.DataFrame, label: str = "term", *, value: str = "value", lower: str = "lower",
           upper: str = "upper", xlabel: str = "Oddskvot (logaritmisk skala)", figsize=(8, 6),
           colour_by_direction: bool = True, layout: str = DESKTOP):
    """Forest plot of ratios (log x-axis), sorted by value, with the null line at 1."""
    d = df.dropna(subset=[value]).sort_values(value)
    fig, ax = plt.subplots(figsize=size(layout, figsize, mobile_height=0.3 * len(d) + 1.4))
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
