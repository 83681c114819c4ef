"""A Sphinx extension that makes the theme Swedish and ties the editions together.

* The theme's interface strings that Sphinx's ``sv`` locale does not cover ("Skip to main
  content", "Toggle primary sidebar", "Link to this heading", "Color mode", "© Copyright" …)
  are replaced by Swedish ones in the written pages (:data:`TRANSLATIONS`).
* Every page gets a line naming its edition and linking to the same page in the other
  editions; pages of an older edition get a banner linking to the newest (:func:`edition_bar`).
  The build passes ``analysis_edition`` and ``analysis_editions`` in the Sphinx configuration.
* Every printed page (a reader's own print and the profile PDFs) has a head naming the book,
  the edition and its reference year, and a foot with the page number (:func:`print_header`,
  CSS ``@page`` margin boxes).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

#: English interface strings of the theme and Sphinx, and their Swedish text. Applied to the
#: written HTML in this order (longer phrases first).
TRANSLATIONS: tuple[tuple[str, str], ...] = (
    ("Please activate JavaScript to enable the search functionality.",
     "Aktivera JavaScript för att kunna söka i boken."),
    ("Skip to main content", "Hoppa till huvudinnehållet"),
    ("Toggle primary sidebar", "Visa eller dölj sidomenyn"),
    ("Toggle secondary sidebar", "Visa eller dölj innehållet på sidan"),
    ("Link to this heading", "Länk till rubriken"),
    ("Link to this image", "Länk till bilden"),
    ("Link to this table", "Länk till tabellen"),
    ("Link to this code", "Länk till koden"),
    ("Link to this definition", "Länk till definitionen"),
    ("Color mode", "Färgläge"),
    ("System Settings", "Systemets inställning"),
    ('title="Light"', 'title="Ljust"'),
    ('title="Dark"', 'title="Mörkt"'),
    ("© Copyright", "©"),
    ("Back to top", "Till början"),
    ('title="previous page"', 'title="föregående sida"'),
    ('title="next page"', 'title="nästa sida"'),
    (">previous<", ">föregående<"),
    (">next<", ">nästa<"),
    ("Search...", "Sök …"),
    ("Search this book...", "Sök i boken …"),
    ("Search Results", "Sökresultat"),
    ("Clear search", "Rensa sökningen"),
    ('title="Search"', 'title="Sök"'),
    ('aria-label="Search"', 'aria-label="Sök"'),
    ("Contents", "Innehåll"),
    ("Print to PDF", "Skriv ut som PDF"),
    ("Download source file", "Ladda ner källfilen"),
    ("Download this page", "Ladda ner sidan"),
    (">By ", ">Av "),
    ("Fig. ", "Figur "),
)


def translate(page: str) -> str:
    """``page`` with the theme's English strings replaced (see :data:`TRANSLATIONS`)."""
    for en, sv in TRANSLATIONS:
        page = page.replace(en, sv)
    return page


def edition_bar(pagename: str, edition: str, editions: list[str]) -> str:
    """HTML for the top of a page: its edition, links to the same page in the other editions,
    and for an older edition a banner that points to the newest.

    ``pagename`` is Sphinx's (``book/_generated/01_befolkning``); editions are folders side by
    side (``html/2015``, ``html/2019``), so the link climbs to the parent of the edition.
    """
    edition, editions = str(edition), sorted(map(str, editions))
    up = "../" * (pagename.count("/") + 1)
    others = [e for e in editions if e != edition]
    links = " · ".join(f'<a href="{up}{e}/{html.escape(pagename)}.html">{e}</a>' for e in others)
    out = f'<div class="utgava-rad" data-utgava="{edition}">Utgåva {edition}'
    out += f". Samma sida i utgåva {links}" if links else ""
    out += ".</div>"
    newest = editions[-1] if editions else edition
    if edition != newest:
        out = (f'<div class="utgava-banner" role="note">Det här är en äldre utgåva ({edition}). '
               f'Den senaste utgåvan är <a href="{up}{newest}/{html.escape(pagename)}.html">'
               f"{newest}</a>.</div>" + out)
    return out


def _css_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def print_header(title: str, edition: str, reference_year: str,
                 publisher: str = "") -> str:
    """A ``<style>`` for the page's ``<head>``: ``@page`` margin boxes (Chromium 131+, Firefox,
    print engines) that put the book's title, the edition and its reference year at the top of
    every printed page, and the edition, the ``publisher`` (the build passes the region's
    :attr:`~analysis.core.regions.Region.utgivare`) and the page number at the bottom."""
    box = "font: 7.5pt sans-serif; color: #444;"
    ed = f"Utgåva {edition} · referensår {reference_year}"
    foot = ed + (f" · {publisher}" if publisher else "")
    return ('<style media="print">@page { '
            f"@top-left {{ content: {_css_string(html.unescape(title))}; {box} }} "
            f"@top-right {{ content: {_css_string(ed)}; {box} }} "
            f"@bottom-left {{ content: {_css_string(foot)}; {box} }} "
            f'@bottom-right {{ content: "Sida " counter(page) " av " counter(pages); {box} }} '
            "}</style>")


_ARTICLE = re.compile(r'(<article class="bd-article"[^>]*>)')


def rewrite_pages(app, exc) -> None:
    """``build-finished``: translate every written page and add the edition bar."""
    if exc is not None or app.builder.name != "html":
        return
    out = Path(app.outdir)
    edition = app.config.analysis_edition
    editions = list(app.config.analysis_editions or [])
    title = str(getattr(app.config, "html_title", "") or getattr(app.config, "project", "") or "")
    ref_year = str(getattr(app.config, "analysis_reference_year", "") or edition)
    publisher = str(getattr(app.config, "analysis_publisher", "") or "")
    head = print_header(title, edition, ref_year, publisher) if edition else ""
    for p in out.rglob("*.html"):
        rel = p.relative_to(out)
        if {"_static", "_sources", "_images", "_downloads"} & set(rel.parts):
            continue
        page = translate(p.read_text(encoding="utf-8"))
        if edition:
            bar = edition_bar(rel.with_suffix("").as_posix(), edition, editions)
            page = _ARTICLE.sub(lambda m, bar=bar: m.group(1) + bar, page, count=1)
            page = page.replace("</head>", head + "</head>", 1)
        p.write_text(page, encoding="utf-8")


def setup(app):
    """Register the configuration values and the handler."""
    app.add_config_value("analysis_edition", "", "html")
    app.add_config_value("analysis_editions", [], "html")
    app.add_config_value("analysis_publisher", "", "html")
    app.add_config_value("analysis_reference_year", "", "html")
    app.connect("build-finished", rewrite_pages)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
