"""The built book's indicator pages: one per registry entry with every required field, linked
from the tables and figures that show the indicator, and the definitions page that explains the
words they use (issue 12, item 7). Static checks of the published HTML."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from analysis.contracts import indicators

from .conftest import EDITIONS

# reads the built book (both editions): with the other built-book tests, in one worker
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book-browser")]

FIELDS = ("Definition", "Täljare", "Nämnare", "Enhet", "Högt eller lågt värde", "Källa",
          "År i den här utgåvan", "Intervall")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def fields(page: BeautifulSoup) -> dict[str, str]:
    """The page's definition list: term → text."""
    return {dt.get_text(" ", strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
            for dt in page.select("main dl dt, article dl dt")}


def indicator_links(page_path: Path) -> list[tuple[str, Path]]:
    """(link text, target file) of every *Om indikatorn* link on a page."""
    out = []
    for p in soup(page_path).find_all("p"):
        text = p.get_text(" ", strip=True)
        if "Om indikator" not in text:
            continue
        for a in p.find_all("a", href=True):
            href = urlsplit(a["href"])
            if "indikatorer/" in href.path:
                out.append((a.get_text(strip=True),
                            (page_path.parent / unquote(href.path)).resolve()))
    return out


@pytest.mark.parametrize("edition", EDITIONS)
class TestIndicatorPages:
    def test_one_page_per_entry_with_every_field(self, book_html, edition):
        folder = book_html / edition / "book" / "_generated" / "indikatorer"
        reg = indicators.registry()
        assert {p.stem for p in folder.glob("*.html")} == set(reg)
        shown = 0
        for ind in reg.values():
            page = soup(folder / f"{ind.id}.html")
            assert page.find("h1").get_text(strip=True).startswith(ind.label)
            f = fields(page)
            assert not page.select("dl dd ol"), f"{ind.id}: a field became a numbered list"
            missing = [k for k in FIELDS if k not in f]
            assert not missing, f"{ind.id}: missing {missing}"
            if ind.survey is not None:
                assert any(k.startswith("Fråg") for k in f), ind.id
            assert indicators.POLARITY[ind.polarity] in f["Högt eller lågt värde"]
            if "visas inte i den här utgåvan" not in f["År i den här utgåvan"]:
                shown += 1
        assert shown >= 40

    def test_tables_and_figures_link_to_existing_pages(self, book_html, edition):
        chapters = sorted((book_html / edition / "book" / "_generated").glob("0*.html"))
        links = [link for c in chapters for link in indicator_links(c)]
        assert len(links) >= 80, "chapters link their tables and figures to indicator pages"
        broken = sorted({str(t) for _, t in links if not t.is_file()})
        assert not broken, broken
        assert all(text for text, _ in links), "every link shows the indicator's name"

    def test_profiles_link_too(self, book_html, edition):
        profile = next((book_html / edition / "book" / "_generated" / "kommuner").glob("*.html"))
        assert any(t.is_file() for _, t in indicator_links(profile))

    def test_index_and_definitions(self, book_html, edition):
        book = book_html / edition / "book"
        index = soup(book / "_generated" / "indikatorer.html")
        assert len(index.select("main a[href*='indikatorer/'], article a[href*='indikatorer/']")) \
            >= len(indicators.registry())
        defs = soup(book / "definitioner.html")
        terms = set(fields(defs))
        assert {"Konfidensintervall", "Oddskvot", "Åldersstandardisering",
                "Syntetiska data"} <= terms
        assert defs.select("a[href*='indikatorer.html']"), "definitions link to the index"
