"""*Kommunen i korthet*: a Fingertips-style spine chart as static, offline HTML with inline SVG.

Each indicator is one row: the kommun's value, the rest of the län, riket, and a spine: the
benchmark (riket, else the län) in the middle, the range of the län's 12 kommuner as a grey bar
(the middle half darker), the rest of the län as a diamond and the kommun as a circle coloured by
its verdict. Rows are oriented so that *better* is to the right (lower values to the left when
an indicator has no polarity). Synthetic rows are grey, stamped and have no verdict. The layout is
a CSS grid that stacks at narrow widths, so the chart reads on a 390 px phone.

The table it draws comes from :func:`analysis.chapters.profiles.kommun_overview` (every value and
colour is also in the profile's CSV); this module only formats and draws.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from analysis.core import precision

STAMP = "Syntetiska data – inte verkliga värden"
GREY = "#9e9e9e"

CSS = """
.kik{font-size:.92rem;margin:1rem 0 1.5rem}
.kik-legend{display:flex;flex-wrap:wrap;gap:.3rem .9rem;margin:.4rem 0 .8rem;font-size:.85rem}
.kik-chip{display:inline-block;width:.9rem;height:.9rem;border-radius:50%;border:1px solid #444;
vertical-align:-.15rem;margin-right:.25rem}
.kik-grid{display:grid;grid-template-columns:minmax(9rem,2.2fr) repeat(3,minmax(4.2rem,1fr))
2.2rem minmax(9rem,3fr);column-gap:.6rem;align-items:center}
.kik-h{font-weight:600;font-size:.8rem;color:#444;border-bottom:1px solid #999;padding:.2rem 0}
.kik-g{grid-column:1/-1;font-weight:600;margin-top:.7rem;padding:.2rem 0;border-bottom:1px solid #ddd}
.kik-row{display:contents}
.kik-row>div{padding:.25rem 0;border-bottom:1px solid #eee}
.kik-num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.kik-yr{display:block;color:#666;font-size:.78rem}
.kik-spine{position:relative}
.kik-spine .kik-bars{width:100%;height:1.3rem;display:block}
.kik-mark{position:absolute;top:calc(50% - 6px);width:12px;height:12px}
.kik-tr{text-align:center;font-size:1.1rem}
.kik-syn{color:#666}
.kik-stamp{grid-column:1/-1;background:repeating-linear-gradient(135deg,#eee 0 6px,#f8f8f8 6px 12px);
border:1px dashed #888;color:#333;font-weight:600;padding:.3rem .5rem;margin-top:.7rem}
.kik-note{font-size:.8rem;color:#444;margin-top:.6rem}
@media (max-width:640px){
.kik-grid{grid-template-columns:repeat(3,1fr) 2rem}
.kik-h{display:none}
.kik-lab{grid-column:1/-1;border-bottom:none!important;padding-bottom:0!important}
.kik-spine{grid-column:1/-1}
.kik-num::before,.kik-tr::before{content:attr(data-h);display:block;font-size:.7rem;color:#666;text-align:right}
}
@media print{.kik-row>div{break-inside:avoid}}
"""


def fmt(value: float | None, unit: str) -> str:
    """An indicator value in the book's Swedish format for its unit (``..`` when missing), by the
    rounding policy (:func:`analysis.core.precision.fmt`); a change in per cent has a sign."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ".."
    return precision.fmt(float(value), unit, sign=unit == "procent")


def positions(row: pd.Series) -> dict[str, float]:
    """x positions (0–200 SVG units) of the spine's marks for one overview row: the benchmark at
    100, the farthest of the marks at 5 or 195; mirrored when a low value is better."""
    centre = row["benchmark_value"]
    if pd.isna(centre):
        centre = row["rest_value"] if pd.notna(row["rest_value"]) else row["value"]
    marks = {k: row.get(k) for k in ("value", "rest_value", "kommun_min", "kommun_q25",
                                      "kommun_q75", "kommun_max", "benchmark_value")}
    spread = max([abs(float(v) - centre) for v in marks.values() if pd.notna(v)] + [1e-12])
    sign = -1 if row["polarity"] == "lag" else 1
    return {k: (100 + sign * 95 * (float(v) - centre) / spread if pd.notna(v) else math.nan)
            for k, v in marks.items()}


def _svg(row: pd.Series) -> str:
    """The spine of one row: bars and the benchmark line in a stretched SVG, the kommun's circle
    and the rest of the län's diamond as small SVGs placed on top (so they stay round)."""
    x = positions(row)
    parts = []
    if pd.notna(x["kommun_min"]) and pd.notna(x["kommun_max"]):
        lo, hi = sorted((x["kommun_min"], x["kommun_max"]))
        parts.append(f'<rect x="{lo:.1f}" y="7" width="{hi - lo:.1f}" height="8" fill="#d9d9d9"/>')
        lo, hi = sorted((x["kommun_q25"], x["kommun_q75"]))
        parts.append(f'<rect x="{lo:.1f}" y="7" width="{hi - lo:.1f}" height="8" fill="#a6a6a6"/>')
    if pd.notna(row["benchmark_value"]):
        parts.append('<line x1="100" y1="1" x2="100" y2="21" stroke="#000" stroke-width="2" '
                     'vector-effect="non-scaling-stroke"/>')
    if row["synthetic"]:
        parts.append('<text x="100" y="21" font-size="6" text-anchor="middle" fill="#555">'
                     'SYNTETISKA DATA</text>')
    label = (f"{row['label']}: kommunen {fmt(row['value'], row['unit'])}, "
             f"{row['benchmark']} {fmt(row['benchmark_value'], row['unit'])}. "
             f"{row['verdict_label']}.")
    out = [f'<svg class="kik-bars" viewBox="0 0 200 22" preserveAspectRatio="none" role="img" '
           f'aria-label="{html.escape(label)}">' + "".join(parts) + "</svg>"]
    if pd.notna(x["rest_value"]):
        out.append(f'<svg class="kik-mark kik-rest" style="left:calc({x["rest_value"] / 2:.2f}% - '
                   '6px)" viewBox="0 0 12 12" aria-hidden="true"><path d="M6 0.8 L11.2 6 L6 11.2 '
                   'L0.8 6 Z" fill="#fff" stroke="#333" stroke-width="1.2"/></svg>')
    if pd.notna(x["value"]):
        fill = GREY if row["synthetic"] else row["colour"]
        out.append(f'<svg class="kik-mark kik-dot" style="left:calc({x["value"] / 2:.2f}% - 6px)" '
                   f'viewBox="0 0 12 12" aria-hidden="true" data-fill="{fill}"><circle cx="6" '
                   f'cy="6" r="5.2" fill="{fill}" stroke="#222" stroke-width="1.1"/></svg>')
    return "".join(out)


def _cell(cls: str, content: str, head: str = "") -> str:
    h = f' data-h="{html.escape(head)}"' if head else ""
    return f'<div class="{cls}"{h}>{content}</div>'


def spine_html(overview: pd.DataFrame, name: str) -> str:
    """The whole overview block (legend, header, one row per indicator) as one HTML string.

    Every row carries ``data-indicator``, ``data-verdict`` and ``data-colour`` (the colour of the
    kommun's circle), so a test can compare the page with the profile's CSV.
    """
    legend_items = [("#1b7837", "Bättre (99,8 %)"), ("#7fbf7b", "Bättre (95 %)"),
                    ("#f2c14e", "Ingen säker skillnad"), ("#e08070", "Sämre (95 %)"),
                    ("#b2182b", "Sämre (99,8 %)"), ("#2c5aa0", "Högre / lägre, ingen bedömning"),
                    ("#ffffff", "Inte prövad"), (GREY, "Syntetiska data")]
    legend = "".join(f'<span><span class="kik-chip" style="background:{c}"></span>{html.escape(t)}'
                     "</span>" for c, t in legend_items)
    heads = [("kik-h kik-hl", "Indikator"), ("kik-h kik-num", html.escape(name)),
             ("kik-h kik-num", "Övriga länet"), ("kik-h kik-num", "Riket"),
             ("kik-h", "Trend"),
             ("kik-h kik-hs", "Jämfört med riket (mitten) och länets kommuner")]
    out = [f'<div class="kik" data-area="{html.escape(str(overview["area_code"].iloc[0]))}">',
           f"<style>{' '.join(CSS.split())}</style>",
           f'<div class="kik-legend">{legend}</div>', '<div class="kik-grid">']
    out += [_cell(c, t) for c, t in heads]
    group = None
    for _, r in overview.iterrows():
        if r["group"] != group:
            group = r["group"]
            out.append(f'<div class="kik-stamp">{STAMP}</div>' if r["synthetic"]
                       else f'<div class="kik-g">{html.escape(str(group))}</div>')
        year = str(r["period"]) + (", närmaste år med uppgift" if r["year_note"] else "")
        if r["benchmark"] == "länet" and not r["synthetic"]:
            year += "; jämförs med länet"
        syn = " kik-syn" if r["synthetic"] else ""
        arrow, tr_text = ("", STAMP) if r["synthetic"] else (
            {"upp": "↑", "ned": "↓", "oforandrad": "→"}.get(r["trend"], "–"), r["trend_label"])
        title = html.escape(f"{r['definition']} Källa: {r['producer']}.")
        out.append(
            f'<div class="kik-row{syn}" data-indicator="{html.escape(r["indicator_id"])}" '
            f'data-verdict="{r["verdict"]}" data-colour="{r["colour"]}" '
            f'data-synthetic="{str(bool(r["synthetic"])).lower()}">'
            + _cell("kik-lab", f'<span title="{title}">{html.escape(r["label"])}</span>'
                    f'<span class="kik-yr">{html.escape(year)}</span>')
            + _cell("kik-num kik-val", fmt(r["value"], r["unit"]), name)
            + _cell("kik-num", fmt(r["rest_value"], r["unit"]), "Övriga länet")
            + _cell("kik-num", fmt(r["riket_value"], r["unit"]), "Riket")
            + _cell("kik-tr", f'<span title="{html.escape(tr_text)}" aria-label='
                    f'"{html.escape(tr_text)}">{arrow}</span>', "Trend")
            + _cell("kik-spine", _svg(r))
            + "</div>")
    out.append("</div>")
    out.append('<p class="kik-note">Mitten av varje rad är rikets värde (eller länets, där riket '
               "saknas). Den ljusgrå stapeln visar spridningen mellan länets 12 kommuner och den "
               "mörkare delen den mittersta hälften; ringen är kommunen och romben övriga länet. "
               "Till höger är bättre; för mått utan bedömning är högre värden till höger. Färgen "
               "visar om kommunens 95- eller 99,8-procentiga intervall (Wilson för andelar, Byar "
               "för antal per invånare) utesluter jämförelsevärdet. Pilen visar förändringen "
               "sedan föregående år med uppgift. Grå rader bygger på syntetiska data och "
               "bedöms inte.</p>")
    out.append("</div>")
    return "".join(out)


def show(block: str) -> None:
    """Display an HTML block in the notebook (rendered as raw HTML in the book)."""
    from IPython.display import HTML, display

    display(HTML(block))


def glue(name: str, block: str) -> None:
    """Glue an HTML block, to be placed with ``{glue} name`` (e.g. above the cell that made it)."""
    from IPython.display import HTML
    from myst_nb import glue as _glue

    _glue(name, HTML(block), display=False)


def glue_md(name: str, markdown: str) -> None:
    """Glue MyST markdown (links, roles), to be placed with ``{glue:md} name`` and
    ``:format: myst``."""
    from IPython.display import Markdown
    from myst_nb import glue as _glue

    _glue(name, Markdown(markdown), display=False)
