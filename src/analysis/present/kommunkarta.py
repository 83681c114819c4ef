"""Small clickable SVG maps (static, offline): the län's kommuner coloured by Finsam förbund
(:func:`map_svg`), and any set of areas, e.g. Sweden's 290 kommuner by SKR kommungrupp
(:func:`area_map_svg`), each area linking to its profile."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import pandas as pd

from analysis.core import geo

#: The förbund's colours, in the region's förbund order (colour-blind safe Okabe–Ito shades,
#: light enough for black labels).
FORBUND_PALETTE = ("#9ecae1", "#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1", "#d9f0a3")


def _rings(geom) -> list:
    polys = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    return [list(p.exterior.coords) for p in polys]


def _projection(bounds, width: int):
    """An equirectangular view of ``bounds`` (WGS84) ``width`` px wide: (point formatter,
    height). Longitude is scaled by cos(latitude) so the area keeps its shape."""
    minx, miny, maxx, maxy = bounds
    k = math.cos(math.radians((miny + maxy) / 2))
    w, h = (maxx - minx) * k, maxy - miny
    scale = width / w

    def pt(x: float, y: float) -> str:
        return f"{(x - minx) * k * scale:.1f},{(maxy - y) * scale:.1f}"

    return pt, h * scale


def _path(geom, pt) -> str:
    return " ".join("M" + " L".join(pt(x, y) for x, y in ring) + " Z" for ring in _rings(geom))


def map_svg(borders: pd.DataFrame, links: Mapping[str, str], width: int = 320) -> str:
    """An SVG map of the kommuner in ``borders`` (GeoDataFrame in WGS84, catalogue dataset
    ``kommungranser``), each a link to ``links[kommun_kod]``, labelled with its name.

    Longitude is scaled by cos(latitude) so the län keeps its shape (an equirectangular view,
    fine at this scale).
    """
    pt, height = _projection(borders.total_bounds, width)
    parts = []
    labels = []
    fb = geo.kommun_till_forbund() if geo.FORBUND else {}
    colours = dict(zip(geo.FORBUND, FORBUND_PALETTE, strict=False))
    for r in borders.sort_values("kommun_kod").itertuples():
        d = _path(r.geometry, pt)
        name = geo.kommun_namn(r.kommun_kod)
        colour = colours.get(fb.get(r.kommun_kod, ""), "#eeeeee")
        parts.append(f'<a href="{html.escape(links[r.kommun_kod])}" aria-label="{name}">'
                     f'<path d="{d}" fill="{colour}" stroke="#333" stroke-width="0.8">'
                     f"<title>{name}</title></path></a>")
        p = r.geometry.representative_point()
        x, y = pt(p.x, p.y).split(",")
        labels.append(f'<text x="{x}" y="{y}" font-size="11" text-anchor="middle" '
                      f'pointer-events="none">{name}</text>')
    legend = " · ".join(f'<span style="display:inline-block;width:.8rem;height:.8rem;'
                        f'background:{c};border:1px solid #333"></span> '
                        f"{html.escape(geo.FORBUND[f].namn)}" for f, c in colours.items())
    n = len(borders)
    return (f'<div class="kommunkarta"><svg viewBox="0 0 {width} {height:.0f}" '
            f'style="width:100%;max-width:{width}px;height:auto" role="img" '
            f'aria-label="Karta över {html.escape(geo.LAN_NAMN)}s {n} kommuner; klicka på en '
            'kommun för dess profil">'
            + "".join(parts) + "".join(labels) + "</svg>"
            + (f'<p style="font-size:.85rem">Färgen visar samordningsförbundet: {legend}.</p>'
               if colours else "") + "</div>")


#: Colours of SKR's nine kommungrupper (2017): blues for the big cities and their commuter
#: kommuner (1–2), greens for the larger towns and theirs (3–5), oranges and browns for the
#: smaller towns and the countryside (6–9); light enough for the black borders to show.
KOMMUNGRUPP_COLOURS = {1: "#08519c", 2: "#6baed6", 3: "#238b45", 4: "#74c476", 5: "#c7e9c0",
                       6: "#d94801", 7: "#fd8d3c", 8: "#fdd0a2", 9: "#bf9b6f"}


def legend_html(items: Mapping[str, str], lead: str) -> str:
    """A one-paragraph colour legend: ``lead`` then a swatch and label per item (label → colour)."""
    sw = " · ".join(f'<span style="display:inline-block;width:.8rem;height:.8rem;'
                    f'background:{c};border:1px solid #333"></span> {html.escape(label)}'
                    for label, c in items.items())
    return f'<p style="font-size:.85rem">{html.escape(lead)} {sw}.</p>'


def area_map_svg(areas: pd.DataFrame, links: Mapping[str, str], names: Mapping[str, str],
                 fills: Mapping[str, str], *, aria_label: str, key: str = "kommun_kod",
                 outline: pd.DataFrame | None = None, legend: str = "", width: int = 360,
                 tolerance: float = 0.0, focusable: bool = True,
                 css_class: str = "kommunkarta kommunkarta-riket") -> str:
    """An SVG map of any set of areas (e.g. Sweden's 290 kommuner), each a link with its name
    as tooltip and accessible name, filled with ``fills[code]``; no name labels (290 would not
    fit), so the page's list or search names them.

    Parameters
    ----------
    areas
        GeoDataFrame in WGS84 with a code column ``key`` (catalogue ``kommungranser_riket``).
    links, names, fills
        Per code: the link target, the name and the fill colour (missing: light grey, no link).
    aria_label
        What the map is, for screen readers (Swedish).
    outline
        Optional GeoDataFrame of larger areas (e.g. the län) drawn on top as thicker borders.
    legend
        HTML below the map (:func:`legend_html`).
    tolerance
        Simplify the borders to this many degrees first (0.01° is under a pixel at 360 px for
        Sweden, and halves the page's size).
    focusable
        ``False`` takes the links out of the keyboard's tab order (``tabindex="-1"``): with 290
        areas, a keyboard user would otherwise tab through the whole map to reach the page's
        list, which has the same links.
    """
    if tolerance:
        areas = areas.assign(geometry=areas.geometry.simplify(tolerance, preserve_topology=True))
        if outline is not None:
            outline = outline.assign(geometry=outline.geometry.simplify(tolerance,
                                                                        preserve_topology=True))
    bounds = areas.total_bounds if outline is None else outline.total_bounds
    pt, height = _projection(bounds, width)
    parts = []
    for r in areas.sort_values(key).itertuples():
        code = getattr(r, key)
        name = html.escape(str(names.get(code, code)))
        path = (f'<path d="{_path(r.geometry, pt)}" fill="{fills.get(code, "#eeeeee")}" '
                f'stroke="#555" stroke-width="0.3"><title>{name}</title></path>')
        if code in links:
            tab = "" if focusable else ' tabindex="-1"'
            path = f'<a href="{html.escape(links[code])}" aria-label="{name}"{tab}>{path}</a>'
        parts.append(path)
    if outline is not None:
        parts += [f'<path d="{_path(g, pt)}" fill="none" stroke="#111" stroke-width="0.9" '
                  'pointer-events="none"/>' for g in outline.geometry]
    return (f'<div class="{css_class}"><svg viewBox="0 0 {width} {height:.0f}" '
            f'style="width:100%;max-width:{width}px;height:auto" role="img" '
            f'aria-label="{html.escape(aria_label)}">' + "".join(parts) + "</svg>"
            + legend + "</div>")
