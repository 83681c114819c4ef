"""Count rounding faults in the comparison tables of built profile pages (issue 12, item 4).

A comparison table has a column "Skillnad, procentenheter (95 % KI)" beside the area's share and
the rest of the län's share. A row is *inconsistent* when the shown difference is not the
difference of the two shown shares, and a *starred zero-touching* row carries the significance
star while its shown interval includes 0. Run as a script on a built book:
``python tests/browser/roundingcheck.py _build/partial/2019``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup

DIFF_HEADER = "Skillnad"
REST_HEADER = "Övriga länet"
_NUM = r"[+\u2212-]?\d[\d\u00a0 ]*(?:,\d+)?"
CELL = re.compile(rf"^(?P<diff>{_NUM})(?P<star>\s*\*)?\s*\((?P<lo>{_NUM})\s+till\s+(?P<hi>{_NUM})\)$")


def number(s: str) -> float:
    """A Swedish number as shown on a page (``"−1 234,5 %"``) as a float."""
    s = s.replace("\u2212", "-").replace("\u00a0", "").replace(" ", "").replace("%", "")
    return float(s.replace(",", "."))


@dataclass
class Counts:
    """What :func:`count_page` found: compared rows and the faulty ones (page, table, cells)."""

    rows: int = 0
    tables: int = 0
    inconsistent: list = field(default_factory=list)
    starred_zero: list = field(default_factory=list)
    starred: int = 0

    def add(self, other: Counts) -> None:
        self.rows += other.rows
        self.tables += other.tables
        self.starred += other.starred
        self.inconsistent += other.inconsistent
        self.starred_zero += other.starred_zero


def _cells(tr) -> list[str]:
    return [c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"], recursive=False)]


def count_page(html: str, name: str = "") -> Counts:
    """Count the comparison rows of one page and the two kinds of rounding fault."""
    out = Counts()
    soup = BeautifulSoup(html, "html.parser")
    for table in soup.find_all("table"):
        rows = table.find_all("tr")
        if not rows:
            continue
        head = _cells(rows[0])
        diff_col = next((i for i, h in enumerate(head) if h.startswith(DIFF_HEADER)), None)
        if diff_col is None or REST_HEADER not in head:
            continue
        rest_col = head.index(REST_HEADER)
        area_col = rest_col - 1  # the area's column stands just before the rest of the län's
        out.tables += 1
        for tr in rows[1:]:
            c = _cells(tr)
            if len(c) != len(head) or "." in (c[area_col], c[rest_col], c[diff_col]):
                continue
            m = CELL.match(c[diff_col])
            if not m:
                raise ValueError(f"{name}: cannot read the difference cell {c[diff_col]!r}")
            out.rows += 1
            shown = number(m["diff"])
            if abs(shown - (number(c[area_col]) - number(c[rest_col]))) > 1e-9:
                out.inconsistent.append((name, c[0], c[1], c[area_col], c[rest_col], c[diff_col]))
            if m["star"]:
                out.starred += 1
                if number(m["lo"]) <= 0 <= number(m["hi"]):
                    out.starred_zero.append((name, c[0], c[1], c[diff_col]))
    return out


def count_book(html_dir: Path) -> Counts:
    """:func:`count_page` over every profile page under ``html_dir`` (one edition's book)."""
    total = Counts()
    for page in sorted(Path(html_dir).rglob("profil_*.html")):
        total.add(count_page(page.read_text(encoding="utf-8"), page.name))
    return total


if __name__ == "__main__":
    for d in sys.argv[1:]:
        c = count_book(Path(d))
        print(f"{d}: {c.tables} tables, {c.rows} rows, {len(c.inconsistent)} inconsistent "
              f"differences, {c.starred} starred, {len(c.starred_zero)} starred with an interval "
              "touching 0")
