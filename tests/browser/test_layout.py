"""Pages that fit the screen and the paper, in both editions (issue 12: tables, print, weight).

In Chromium at 1280 and 390 px: no page scrolls sideways, no table is clipped (it fits, or it
sits in a scroll container that scrolls and shows a cue), every table has a caption. A page
without figures weighs less than 1 MB in transferred bytes (the theme's icon script is gone).
Printed with the browser's own print (the page's print stylesheet, A4): a kommun profile takes
at most four pages with the edition and reference year on every page, and no table is wider
than the paper.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from . import sitecheck
from .conftest import EDITIONS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book-browser")]

WIDTHS = (1280, 390)
PROFILE = "book/_generated/kommuner/profil_kommun__area_1864.html"  # Ljusnarsberg
#: Pages checked at both widths: the chapters, the generated pages, a profile of each kind.
PAGE_GLOBS = ("book/*.html", "book/_generated/*.html")
EXTRA_PAGES = (PROFILE, "book/_generated/forbund/profil_forbund__area_LO.html")
#: Pages without figures, and the chapters without their figures: under this many bytes.
MAX_BYTES = 1_000_000
LIGHT_PAGES = ("book/metoder.html", "book/definitioner.html")
MAX_PRINT_PAGES = 4

# Each table: is it clipped? Fits in the article, or its nearest clipping ancestor is a scroll
# container that fits and actually scrolls (with a gradient cue when it is a book table).
TABLES_JS = """() => {
  const art = document.querySelector('article.bd-article');
  const ar = art.getBoundingClientRect();
  return Array.from(art.querySelectorAll('table')).map((t, i) => {
    const cap = t.querySelector(':scope > caption');
    const r = t.getBoundingClientRect();
    let e = t.parentElement, clip = null;
    while (e && e !== art) {
      const ox = getComputedStyle(e).overflowX;
      if (ox !== 'visible') { clip = e; break; }
      e = e.parentElement;
    }
    let problem = null;
    if (!clip) {
      if (t.scrollWidth > t.clientWidth + 1 || r.right > ar.right + 1) problem = 'overflows the column';
    } else {
      const cr = clip.getBoundingClientRect();
      const ox = getComputedStyle(clip).overflowX;
      if (cr.right > ar.right + 1) problem = 'its scroll container is wider than the column';
      else if (r.width > cr.width + 1 && !['auto', 'scroll'].includes(ox)) problem = 'clipped';
      else if (r.width > cr.width + 1 && clip.scrollWidth <= clip.clientWidth) problem = 'cannot scroll';
      else if (r.width > cr.width + 1 && clip.classList.contains('bok-tabellram')
               && !getComputedStyle(clip).backgroundImage.includes('gradient')) problem = 'no scroll cue';
    }
    return {i, caption: cap ? cap.textContent.trim() : '', problem,
            width: Math.round(r.width), head: (t.querySelector('th') || {}).textContent || ''};
  });
}"""


def _pages(root: Path) -> list[str]:
    pages = sorted({p.relative_to(root).as_posix() for g in PAGE_GLOBS for p in root.glob(g)})
    return pages + [p for p in EXTRA_PAGES if (root / p).exists()]


@pytest.fixture(scope="module")
def server(book_html):
    with sitecheck.Server(book_html) as s:
        yield s


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("width", WIDTHS)
def test_pages_fit_the_screen(browser, book_html, server, edition, width):
    root = book_html / edition
    pages = _pages(root)
    assert len(pages) >= 10 and PROFILE in pages
    problems = []
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        for rel in pages:
            page.goto(f"{server.url}{edition}/{rel}", wait_until="load")
            sw, iw = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
            if sw > iw:
                problems.append(f"{rel}: the page is {sw} px wide in a {iw} px window")
            for t in page.evaluate(TABLES_JS):
                if not t["caption"]:
                    problems.append(f"{rel}: table {t['i']} ({t['head'][:30]!r}) has no caption")
                if t["problem"]:
                    problems.append(f"{rel}: table {t['caption'][:50]!r} ({t['width']} px) "
                                    f"{t['problem']}")
    finally:
        page.close()
    assert not problems, f"{edition} at {width} px:\n" + "\n".join(problems)


def _weight(browser, url: str, width: int) -> tuple[int, int, list[tuple[int, str]]]:
    """Bytes transferred for ``url`` (a fresh context: nothing cached), and of those the
    figures' bytes; the largest resources."""
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(url, wait_until="networkidle")
        entries = page.evaluate(
            "() => performance.getEntries().filter(e => e.transferSize !== undefined)"
            ".map(e => [e.name, e.transferSize, e.initiatorType])")
    finally:
        ctx.close()
    total = sum(int(s) for _, s, _ in entries)
    images = sum(int(s) for n, s, kind in entries
                 if kind == "img" or re.search(r"\.(png|svg|jpe?g|webp)(\?|$)", n))
    biggest = sorted(((int(s), n.rsplit("/", 1)[-1]) for n, s, _ in entries), reverse=True)[:5]
    return total, images, biggest


@pytest.mark.parametrize("edition", EDITIONS)
def test_pages_are_light(browser, book_html, server, edition):
    root = book_html / edition
    assert not (root / "_static" / "scripts" / "fontawesome.js").exists()
    heavy = []
    for rel in LIGHT_PAGES:
        total, images, biggest = _weight(browser, f"{server.url}{edition}/{rel}", 1280)
        if total >= MAX_BYTES:
            heavy.append(f"{rel}: {total} bytes ({biggest})")
    for p in sorted((root / "book" / "_generated").glob("0[1-5]_*.html")):
        rel = p.relative_to(root).as_posix()
        total, images, biggest = _weight(browser, f"{server.url}{edition}/{rel}", 1280)
        if total - images >= MAX_BYTES:
            heavy.append(f"{rel}: {total - images} bytes without its figures ({biggest})")
    assert not heavy, "\n".join(heavy)


def _pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(next(ln.split()[-1] for ln in info.stdout.splitlines() if ln.startswith("Pages:")))


@pytest.mark.parametrize("edition", EDITIONS)
def test_profile_prints_on_four_pages(browser, book_html, server, edition, tmp_path):
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        pytest.skip("SKIPPED: poppler-utils missing (pdfinfo, pdftotext); .ci/run installs it")
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    try:
        page.goto(f"{server.url}{edition}/{PROFILE}", wait_until="networkidle")
        pdf = tmp_path / "profil.pdf"
        # The browser's own print: A4 from the page's @page rule, scale 100 %.
        pdf.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
        page.emulate_media(media="print")
        clipped = [t for t in page.evaluate(TABLES_JS) if t["problem"]]
    finally:
        page.close()
    n = _pdf_pages(pdf)
    assert 1 <= n <= MAX_PRINT_PAGES, f"{edition}: the profile prints on {n} pages"
    for k in range(1, n + 1):
        text = subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert f"Utgåva {edition} · referensår {edition}" in text, f"page {k}: no edition header"
        assert f"Sida {k} av {n}" in text
    assert not clipped, clipped


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_table_clipped_in_print(browser, book_html, server, edition):
    """The chapters' tables on A4 paper (the print column is about 700 px wide)."""
    root = book_html / edition
    problems = []
    page = browser.new_page(viewport={"width": 700, "height": 1000})
    page.emulate_media(media="print")
    try:
        for p in sorted((root / "book" / "_generated").glob("0[1-5]_*.html")):
            rel = p.relative_to(root).as_posix()
            page.goto(f"{server.url}{edition}/{rel}", wait_until="load")
            problems += [f"{rel}: {t['caption'][:50]!r} ({t['width']} px) {t['problem']}"
                         for t in page.evaluate(TABLES_JS) if t["problem"]]
    finally:
        page.close()
    assert not problems, "\n".join(problems)
