"""Charts as a reader sees them: text at least 11 CSS px and the phone layout on a phone.

For both editions, at 1280 and 390 px wide, every chart on every page is checked in Chromium:
the PNG records the smallest font size it was drawn with in image pixels (``MinTextPx``, written
by :func:`analysis.present.publish.png_metadata`); shown at ``img.clientWidth`` CSS pixels, that
text is ``MinTextPx × clientWidth / naturalWidth`` CSS pixels, which must be at least
:data:`analysis.present.plots.MIN_TEXT_PX`. A figure drawn with a phone layout shows exactly one of
its two images: the desktop one at 1280 px, the phone one (``<name>.mobil.png``) at 390 px, both with
the figure's alt text and, on synthetic data, the stamp.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from PIL import Image

from analysis.core import provenance
from analysis.present import plots

from . import sitecheck
from .conftest import EDITIONS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book-browser")]

SKIP_DIRS = {"_static", "_sources", "_images", "_downloads"}

#: What the page tells about each figure and its visible image.
JS_FIGURES = """() => Array.from(document.querySelectorAll('figure.bok-figur')).map(f => {
  const imgs = Array.from(f.querySelectorAll('img'));
  const shown = imgs.filter(i => i.offsetParent !== null && i.clientWidth > 0);
  return {id: f.id || (f.querySelector('[id]') || {}).id || '',
          responsive: f.classList.contains('bok-figur-responsiv'),
          n_imgs: imgs.length,
          alts: imgs.map(i => i.getAttribute('alt') || ''),
          shown: shown.map(i => ({src: i.currentSrc || i.src, cw: i.clientWidth,
                                  nw: i.naturalWidth,
                                  mobile: i.classList.contains('bok-bild-mobil')}))};
})"""


def figure_pages(edition_dir: Path) -> list[Path]:
    out = []
    for p in sorted(edition_dir.rglob("*.html")):
        if SKIP_DIRS & set(p.relative_to(edition_dir).parts):
            continue
        if "bok-figur" in p.read_text(encoding="utf-8"):
            out.append(p)
    return out


def rendered_text_px(png: Path, client_width: float) -> float:
    """Smallest text of ``png`` in CSS pixels when shown ``client_width`` CSS pixels wide."""
    im = Image.open(png)
    return float(im.text["MinTextPx"]) * client_width / im.width


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("width", [1280, 390])
def test_chart_text_and_layout(browser, book_html, edition, width):
    root = book_html
    if not (root / edition).is_dir():
        pytest.skip(f"edition {edition} is not in {root} (a partial BOOK_HTML_DIR)")
    pages = figure_pages(root / edition)
    assert pages, f"no page with figures in edition {edition}"
    problems: list[str] = []
    n_figures = 0
    with sitecheck.Server(root) as server:
        ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
        page = ctx.new_page()
        for p in pages:
            rel = p.relative_to(root).as_posix()
            page.goto(server.url + rel, wait_until="networkidle")
            for f in page.evaluate(JS_FIGURES):
                n_figures += 1
                where = f"{rel} {f['id']} at {width}px"
                if len(f["shown"]) != 1:
                    problems.append(f"{where}: {len(f['shown'])} images shown, not one")
                    continue
                if len(set(f["alts"])) != 1 or not f["alts"][0].strip():
                    problems.append(f"{where}: its images differ in alt text or have none")
                img = f["shown"][0]
                png = (root / unquote(urlparse(img["src"]).path).lstrip("/")).resolve()
                meta = Image.open(png).text
                if "MinTextPx" not in meta:
                    problems.append(f"{where}: {png.name} does not record its text size")
                    continue
                px = rendered_text_px(png, img["cw"])
                if px < plots.MIN_TEXT_PX - 0.05:
                    problems.append(f"{where}: {png.name} shows text at {px:.1f} px "
                                    f"(drawn {img['nw']} px wide, shown {img['cw']} px)")
                mobile = img["mobile"] and ".mobil" in png.name
                if f["responsive"] and mobile != (width < plots.WIDTH_PX[plots.DESKTOP]):
                    problems.append(f"{where}: shows {png.name}, the wrong layout")
                if provenance.STAMP in f["alts"][0] and meta.get("Description") != provenance.STAMP:
                    problems.append(f"{where}: {png.name} of a synthetic figure is not stamped")
        ctx.close()
    assert n_figures > 0
    assert problems == [], "\n".join(problems[:40])
