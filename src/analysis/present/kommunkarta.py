"""A small clickable SVG map of the län's kommuner (static, offline), each kommun linking to its
profile; coloured by Finsam förbund so that the map also shows the grouping the book uses."""

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


def map_svg(borders: pd.DataFrame, links: Mapping[str, str], width: int = 320) -> str:
    """An SVG map of the kommuner in ``borders`` (GeoDataFrame in WGS84, catalogue dataset
    ``kommungranser``), each a link to ``links[kommun_kod]``, labelled with its name.

    Longitude is scaled by cos(latitude) so the län keeps its shape (an equirectangular view,
    fine at this scale).
    """
    minx, miny, maxx, maxy = borders.total_bounds
    k = math.cos(math.radians((miny + maxy) / 2))
    w, h = (maxx - minx) * k, maxy - miny
    scale = width / w
    height = h * scale

    def pt(x: float, y: float) -> str:
        return f"{(x - minx) * k * scale:.1f},{(maxy - y) * scale:.1f}"

    parts = []
    labels = []
    fb = geo.kommun_till_forbund() if geo.FORBUND else {}
    colours = dict(zip(geo.FORBUND, FORBUND_PALETTE, strict=False))
    for r in borders.sort_values("kommun_kod").itertuples():
        d = " ".join("M" + " L".join(pt(x, y) for x, y in ring) + " Z" for ring in _rings(r.geometry))
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
