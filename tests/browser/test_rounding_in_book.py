"""Rounding in the built book (issue 12, item 4): in the profile comparison tables of both
editions every shown difference is the difference of the shown shares, and no star sits on a
shown interval that contains 0; the same indicator has the same decimals on every page.

The tables are read from the built HTML (:mod:`.roundingcheck`); no browser is needed. Before
the rounding policy, the 2019 edition had 103 inconsistent differences in 432 rows, and the same
rows rendered with verdicts (as with real data) 24 stars on intervals reaching 0.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from . import roundingcheck
from .conftest import EDITIONS

GENERATED = Path("book/_generated")


@pytest.fixture(scope="module", params=EDITIONS)
def edition_html(request, book_html) -> Path:
    return book_html / request.param


@pytest.mark.slow
@pytest.mark.xdist_group("book-browser")
class TestProfileComparisons:
    def test_no_inconsistent_difference_and_no_star_on_zero(self, edition_html):
        c = roundingcheck.count_book(edition_html)
        assert c.tables >= 2 and c.rows > 0, f"no comparison tables found in {edition_html}"
        assert not c.inconsistent, f"{len(c.inconsistent)} of {c.rows}: {c.inconsistent[:5]}"
        assert not c.starred_zero, f"{len(c.starred_zero)}: {c.starred_zero[:5]}"


@pytest.mark.slow
@pytest.mark.xdist_group("book-browser")
class TestSameDecimalsEverywhere:
    def test_forsorjningskvot_has_one_decimal(self, edition_html):
        """Chapter 1 and *Vad har ändrats* show the försörjningskvot with one decimal."""
        page = edition_html / GENERATED / "vad_har_andrats.html"
        if not (edition_html / GENERATED / "01_befolkning.html").exists() or not page.exists():
            pytest.skip("chapter 1 or the comparison page is not in this (partial) build")
        html = page.read_text(encoding="utf-8")
        cells = re.findall(r"Försörjningskvot \(SCB\)</td><td>[^<]*</td><td>([^<]*)</td>", html)
        if 'class="vha-rad"' not in html:
            pytest.skip("this edition has no previous edition to compare with")
        assert cells, "no försörjningskvot rows on the comparison page"
        for c in cells:
            assert re.fullmatch(r"\d+,\d \(\d{4}\)|\.\. \(.*\)", c.strip()), c

    def test_no_two_decimal_percentages_in_chapter_3(self, edition_html):
        page = edition_html / GENERATED / "03_barnfattigdom.html"
        if not page.exists():
            pytest.skip("chapter 3 is not in this (partial) build")
        html = page.read_text(encoding="utf-8")
        assert not re.findall(r"\d+,\d\d\u00a0%", html)


class TestCounter:
    """The counter itself finds both faults (so the book test can fail)."""

    PAGE = ("<table><tr><th>Indikator</th><th>Kön</th><th>Lekeberg</th><th>Övriga länet</th>"
            "<th>Skillnad, procentenheter (95 % KI)</th><th>Svarande</th></tr>{rows}</table>")

    @staticmethod
    def row(a, b, diff):
        return (f"<tr><td>X</td><td>Totalt</td><td>{a}</td><td>{b}</td><td>{diff}</td>"
                "<td>100</td></tr>")

    def test_counts_faults(self):
        rows = (self.row("81\u00a0%", "80\u00a0%", "+2 (\u22121\u00a0till\u00a0+5)")
                + self.row("63\u00a0%", "70\u00a0%", "\u22127 * (\u221212\u00a0till\u00a00)")
                + self.row("60\u00a0%", "50\u00a0%", "+10 * (+4\u00a0till\u00a0+16)")
                + self.row(".", ".", "."))
        c = roundingcheck.count_page(self.PAGE.format(rows=rows))
        assert (c.tables, c.rows, c.starred) == (1, 3, 2)
        assert len(c.inconsistent) == 1 and len(c.starred_zero) == 1

    def test_unreadable_cell_fails(self):
        with pytest.raises(ValueError):
            roundingcheck.count_page(self.PAGE.format(rows=self.row("1\u00a0%", "2\u00a0%", "ja")))
