"""Modelled is never mistaken for measured: the built editions as a reader meets them.

* every figure built on synthetic data carries the stamp burned into its PNG (metadata
  ``Description``), in its alt text and caption, and its data CSV says ``syntetisk``; no figure
  built on measured data does;
* every CSV of the book has the ``data_kind`` column;
* no page states a rank, extreme or significance derived from synthetic values;
* "Vad har ändrats" gives no verdict on a synthetic row and its headline count is its rows;
* the reader-page lint passes on every edition (and fails on a planted violation);
* older editions carry a banner to the newest, every page links to the same page elsewhere;
* screenshots of "Vad har ändrats", ch. 3's summary and a kommun profile at 1280 and 390 px.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from analysis.book import readerlint
from analysis.core import provenance
from analysis.present import codebook

from . import sitecheck
from .conftest import BUILD_DIR, EDITIONS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book-browser")]

SKIP_DIRS = {"_static", "_sources", "_images", "_downloads"}

#: Findings a page must not draw from synthetic values (ranks, extremes, significance).
FINDINGS = (
    re.compile(r"\b(högst|lägst) i [A-ZÅÄÖ]"),
    re.compile(r"\bden \d+:[ae] (högsta|lägsta)\b"),
    re.compile(r"\bhar den (högsta|lägsta) andelen"),
    re.compile(r"från [\d,\s]+ ?% i [A-ZÅÄÖ]\w+ till"),
    re.compile(r"statistiskt säkerställd"),
    re.compile(r"större än osäkerheten"),
    re.compile(r"\d \*"),
    re.compile(r"Fyllda punkter"),
)


def pages(edition_dir: Path) -> list[Path]:
    return sorted(p for p in edition_dir.rglob("*.html")
                  if not SKIP_DIRS & set(p.relative_to(edition_dir).parts))


def soup(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def figures(page: Path):
    """(figure element, PNG path, data CSV path or None) for every book figure on a page."""
    for fig in soup(page).select("figure"):
        img = fig.find("img")
        if img is None:
            continue
        png = (page.parent / unquote(img["src"])).resolve()
        link = next((a for a in fig.select("a[href$='.csv']")), None)
        data = (page.parent / unquote(link["href"])).resolve() if link else None
        yield fig, img, png, data


@pytest.mark.parametrize("edition", EDITIONS)
class TestStamp:
    def test_synthetic_figures_stamped_measured_not(self, book_html, edition):
        problems, n_syn, n_real = [], 0, 0
        for page in pages(book_html / edition):
            for fig, img, png, data in figures(page):
                name = f"{page.name}: {png.name}"
                meta = Image.open(png).text
                synthetic = "datatyp-syntetisk" in (fig.get("class") or [])
                kinds = set(codebook.read(data)["datatyp"]) if data else set()
                stamped = meta.get("Description") == provenance.STAMP
                if synthetic:
                    n_syn += 1
                    if not stamped:
                        problems.append(f"{name}: synthetic figure without the stamp in its PNG")
                    if provenance.STAMP not in img.get("alt", ""):
                        problems.append(f"{name}: alt text lacks the stamp")
                    if provenance.STAMP not in fig.find("figcaption").get_text():
                        problems.append(f"{name}: caption lacks the stamp")
                else:
                    n_real += 1
                    if stamped or provenance.STAMP in img.get("alt", ""):
                        problems.append(f"{name}: figure on {meta.get('Datatyp')} data is stamped")
                if data is not None and (provenance.SYNTHETIC in kinds) != synthetic:
                    problems.append(f"{name}: data CSV kinds {sorted(kinds)} disagree with figure")
                if meta.get("Datatyp") not in provenance.KINDS:
                    problems.append(f"{name}: PNG has no data kind")
        assert problems == []
        assert n_syn >= 10 and n_real >= 10, (n_syn, n_real)

    def test_every_csv_has_the_data_kind(self, book_html, edition):
        csvs = [p for p in (book_html / edition).rglob("*.csv") if "_sources" not in p.parts]
        missing = [p.name for p in csvs
                   if not set(codebook.read(p)["datatyp"]) <= set(provenance.KINDS)
                   or codebook.read(p)["datatyp"].isna().any()]
        assert len(csvs) >= 50 and missing == []


@pytest.mark.parametrize("edition", EDITIONS)
class TestNoFindingsFromSynthetic:
    def test_pages_with_synthetic_data(self, book_html, edition):
        problems = []
        for page in pages(book_html / edition):
            s = soup(page)
            article = s.select_one("article") or s
            if provenance.STAMP not in article.get_text():
                continue
            # The parts built on synthetic data: marked bullets, stamped figures and tables,
            # and whole chapters/sections whose notice says the data are synthetic.
            parts = [li for li in article.select("li") if li.select_one(".datatyp-syntetisk")]
            parts += article.select("figure.datatyp-syntetisk")
            parts += [(t.find_parent(class_="bok-tabellram") or t).parent
                      for t in article.select('table[data-datatyp="syntetisk"]')]
            texts = [p.get_text(" ") for p in parts]
            texts += [img.get("alt", "") for p in parts for img in p.select("img")]
            if page.stem[:2] in ("03", "04", "05") or page.parent.name == "kommuner":
                texts.append(article.get_text(" "))  # chapters on synthetic data: everywhere
            for t in texts:
                for pat in FINDINGS:
                    m = pat.search(t)
                    if m:
                        problems.append(f"{page.name}: {m.group(0)!r} in "
                                        f"…{t[max(0, m.start() - 60):m.end() + 40]}…")
        assert problems == []

    def test_whatchanged(self, book_html, edition):
        page = book_html / edition / "book" / "_generated" / "vad_har_andrats.html"
        s = soup(page)
        head = s.select_one(".vha-rubrik")
        if head is None:  # the oldest edition has nothing to compare with
            assert "ingen tidigare utgåva" in s.get_text()
            return
        real = s.select(".vha-innehall tr.vha-rad")
        assert int(head["data-antal-andrade"]) == len(real) > 0
        assert all(r["data-datatyp"] != provenance.SYNTHETIC for r in real)
        synth = s.select('tr.vha-rad[data-datatyp="syntetisk"]')
        assert synth, "the synthetic indicators are listed apart"
        for r in synth:
            t = r.get_text(" ")
            assert "osäkerheten" not in t and "▲" not in t and "▼" not in t
        assert any("Barn i ekonomiskt utsatta hushåll" in r.get_text() for r in real + synth)
        link = s.select_one("a[href$='vad_har_andrats.csv']")
        csv = codebook.read((page.parent / unquote(link["href"])).resolve())
        synthetic = csv[csv["datatyp"] == "syntetisk"]
        assert not synthetic["anmärkning"].fillna("").str.contains("utanför intervallet").any()


class TestReaderLint:
    @pytest.mark.parametrize("edition", EDITIONS)
    def test_reader_pages_clean(self, book_html, edition):
        assert readerlint.site_problems(book_html / edition) == []

    def test_planted_violation_fails(self, book_html, tmp_path):
        site = tmp_path / "site"
        shutil.copytree(book_html / EDITIONS[-1] / "book", site / "book")
        page = site / "book" / "_generated" / "03_barnfattigdom.html"
        html = page.read_text(encoding="utf-8")
        page.write_text(html.replace("</h1>", "</h1><p>Kör make fetch-kolada.</p>", 1),
                        encoding="utf-8")
        found = readerlint.site_problems(site)
        assert any("03_barnfattigdom.html: command" in p for p in found)


class TestEditions:
    def test_banner_on_older_and_links_everywhere(self, book_html):
        newest = EDITIONS[-1]
        for ed in EDITIONS:
            for page in pages(book_html / ed):
                if page.name in ("search.html", "genindex.html") or page.parent == book_html / ed:
                    continue
                s = soup(page)
                bar = s.select_one(".utgava-rad")
                assert bar is not None, page
                assert (s.select_one(".utgava-banner") is not None) == (ed != newest), page
                # "Samma sida i utgåva …" names every other edition, and each link leads to a page
                links = [a["href"] for a in bar.select("a")]
                assert len(links) == len(EDITIONS) - 1, page
                for a in [*links, *(a["href"] for a in s.select(".utgava-banner a"))]:
                    assert (page.parent / a).resolve().is_file(), (page, a)

    def test_about_page_states_reference_year_and_dates(self, book_html):
        for ed in EDITIONS:
            t = " ".join(soup(book_html / ed / "book" / "_generated" / "om_utgavan.html")
                         .get_text(" ").split())
            assert f"Referensår: {ed}" in t and "Datum för data" in t


SHOTS = {"vad_har_andrats": "book/_generated/vad_har_andrats.html",
         "kap3_sammanfattning": "book/_generated/03_barnfattigdom.html#sammanfattning",
         "kommunprofil": "book/_generated/kommuner/profil_kommun__area_1885.html"}


class TestScreenshots:
    @pytest.mark.parametrize("width", [1280, 390])
    def test_pages_at_desktop_and_mobile_width(self, browser, book_html, width):
        edition = EDITIONS[-1]
        out = BUILD_DIR / "screenshots" / "provenance"
        out.mkdir(parents=True, exist_ok=True)
        problems = []
        with sitecheck.Server(book_html) as server:
            ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
            page = ctx.new_page()
            for name, rel in SHOTS.items():
                target = book_html / edition / rel.split("#")[0]
                if not target.exists():
                    target = next((book_html / edition / "book" / "_generated" / "kommuner")
                                  .glob("*.html"))
                    rel = target.relative_to(book_html / edition).as_posix()
                shot = out / f"{name}-{width}.png"
                problems += sitecheck.browser_problems(page, f"{server.url}{edition}/{rel}", None)
                page.screenshot(path=str(shot), full_page=False)
                assert shot.stat().st_size > 10_000
                # nothing wider than the screen (the filter and tables wrap or scroll inside)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 2:
                    problems.append(f"{name} at {width}px: page {overflow}px wider than the screen")
            ctx.close()
        assert problems == []
