"""Printable profiles: one A4 PDF per kommun and förbund, printed from the built HTML.

Headless Chromium (via playwright) prints each profile page with the book's print stylesheet
(``_static/print.css``: no navigation, the overview and charts kept whole) exactly as a reader's
own print does: the head and foot of every page, naming the edition and its reference year, are
the page's own ``@page`` margin boxes (:func:`analysis.book.sphinx_swedish.print_header`). Text
stays text (selectable) and Chromium embeds the fonts it uses. A profile that does not fit in
:data:`MAX_PAGES` pages is printed again at a smaller scale; if it still does not fit, the build
fails.

The PDF is written next to the page, ``<stem>.pdf`` beside ``<stem>.html``, where the page's
"Profilen som PDF" link points.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import os
import re
import shutil
import time
from pathlib import Path

MAX_PAGES = 4
SCALES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)
PROFILE_DIRS = ("book/_generated/kommuner", "book/_generated/forbund")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_LINK = re.compile(r'<a class="kik-pdf"[^>]*>.*?</a>', re.S)


def find_chromium() -> str | None:
    """The Chromium to print with: ``$ANALYSIS_CHROMIUM`` if set, else the first of
    :data:`CHROMIUM_NAMES` on the PATH, else None (the profiles are then not printed)."""
    env = os.environ.get("ANALYSIS_CHROMIUM")
    if env:
        return env
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def drop_pdf_links(html_root: Path) -> int:
    """Remove the "Profilen som PDF" links from the profile pages (when no PDF was printed, a
    reader must not meet a dead link). Returns the number of pages changed."""
    changed = 0
    for page in profile_pages(html_root):
        text = page.read_text(encoding="utf-8")
        new = PDF_LINK.sub("", text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def page_count(pdf: Path | bytes) -> int:
    """Number of pages of a PDF (counts the page objects; no PDF library needed)."""
    data = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def profile_pages(html_root: Path) -> list[Path]:
    """The built profile pages under ``html_root`` that are printed: the förbund profiles, and
    the kommun profiles that offer their PDF (a link to ``<stem>.pdf``; the national book's
    profiles, without *Kommunen i korthet*, offer none)."""
    pages = sorted(p for d in PROFILE_DIRS for p in (html_root / d).glob("*.html"))
    return [p for p in pages if p.parent.name != "kommuner"
            or f'href="{p.stem}.pdf"' in p.read_text(encoding="utf-8")]


#: Profiles printed at once, each in its own browser context (so Chromium lays out and prints
#: them in separate renderer processes, on both cores of a two-core machine).
PARALLEL = 2


def print_profiles(html_root: Path, css: Path, log=print,
                   executable: str | None = None, parallel: int = PARALLEL) -> list[Path]:
    """Print every profile page under ``html_root`` to ``<stem>.pdf`` beside it, ``parallel``
    pages at a time (each page is printed exactly as alone: its own context, viewport and
    print stylesheet).

    Without a Chromium (``executable`` None and :func:`find_chromium` finds none) nothing is
    printed: the build says so and the pages' PDF links are removed, so the book still builds
    on a machine with Python and pip only.

    Raises
    ------
    RuntimeError
        If a profile does not fit in :data:`MAX_PAGES` A4 pages even at the smallest scale.
    """
    executable = executable or find_chromium()
    if executable is None:
        n = drop_pdf_links(html_root)
        log("  warning: no Chromium found (install Debian's chromium or set ANALYSIS_CHROMIUM): "
            f"the profiles are not printed to PDF; the PDF link was removed from {n} pages")
        return []
    pages = profile_pages(html_root)
    t0 = time.perf_counter()
    # in a thread of its own: the caller's thread may already run an event loop
    with cf.ThreadPoolExecutor(max_workers=1) as thread:
        out = thread.submit(asyncio.run, _print_all(pages, css.read_text(encoding="utf-8"),
                                                     executable, max(1, parallel))).result()
    log(f"  printed {len(out)} profile PDFs in {time.perf_counter() - t0:.1f} s")
    return out


def start_printing(html_root: Path, css: Path, log=print,
                   executable: str | None = None) -> cf.Future | None:
    """:func:`print_profiles` in a thread of its own, so that the build can check the pages
    meanwhile (the browser lays out and prints in its own processes): the future of its list
    of PDFs. Without a Chromium the PDF links are removed now, before anyone else reads the
    pages, and None is returned."""
    executable = executable or find_chromium()
    if executable is None:
        print_profiles(html_root, css, log=log)
        return None
    thread = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="printpdf")
    try:
        return thread.submit(print_profiles, html_root, css, log, executable)
    finally:
        thread.shutdown(wait=False)


#: Removes the target of every link to a local file (the book's other pages, its downloads);
#: links to the web and within the page itself are kept.
UNLINK_LOCAL = """() => { for (const a of document.querySelectorAll('a[href]')) {
  const raw = a.getAttribute('href');
  if (a.href.startsWith('file:') && !raw.startsWith('#')) a.removeAttribute('href');
} }"""


async def _print_one(page, src: Path, css_text: str) -> Path:
    """Print one profile page with ``page`` to ``<stem>.pdf`` at the largest scale of
    :data:`SCALES` that fits in :data:`MAX_PAGES` pages."""
    await page.goto(src.resolve().as_uri(), wait_until="load")
    # A link to another page of the book would be printed as its file:// address, a local
    # path, in the PDF's link annotations: it stays as text, without its target.
    await page.evaluate(UNLINK_LOCAL)
    await page.emulate_media(media="print")
    await page.add_style_tag(content=css_text)
    for scale in SCALES:
        data = await page.pdf(format="A4", print_background=True, scale=scale,
                              prefer_css_page_size=True)
        if page_count(data) <= MAX_PAGES:
            break
    else:
        raise RuntimeError(f"{src.name}: {page_count(data)} pages at scale "
                           f"{SCALES[-1]}, more than {MAX_PAGES}")
    pdf = src.with_suffix(".pdf")
    pdf.write_bytes(data)
    return pdf


async def _print_all(pages: list[Path], css_text: str, executable: str,
                     parallel: int) -> list[Path]:
    from playwright.async_api import async_playwright

    todo = list(pages)
    done: dict[Path, Path] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable)
        try:
            async def printer() -> None:
                context = await browser.new_context(viewport={"width": 1000, "height": 1400})
                try:
                    page = await context.new_page()
                    while todo:
                        src = todo.pop(0)
                        done[src] = await _print_one(page, src, css_text)
                finally:
                    await context.close()

            await asyncio.gather(*(printer() for _ in range(min(parallel, len(pages)))))
        finally:
            await browser.close()
    return [done[p] for p in pages]
