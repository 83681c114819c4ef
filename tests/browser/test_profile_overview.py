"""Kommunen i korthet and the printable profiles, in the built 2019 edition.

Every kommun profile opens with the overview: at least ten measured indicators tested against
riket with verdict colours, the synthetic ones grey; it renders at 1280 and 390 px, and every
circle's colour matches the profile's CSV. Every kommun and förbund profile has an A4 PDF of at
most four pages with embedded fonts and the area's name on page 1 (poppler: pdfinfo, pdffonts,
pdftoppm, pdftotext).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.chapters import profiles
from analysis.core import geo
from analysis.present import codebook

from . import sitecheck
from .conftest import BUILD_DIR

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book-browser")]

EDITION = "2019"
KOMMUN_DIR = Path("book/_generated/kommuner")
FORBUND_DIR = Path("book/_generated/forbund")
UNTESTED = {"ej_provad", "saknas", "syntetisk"}


def profile(code: str) -> Path:
    return KOMMUN_DIR / f"profil_kommun__area_{code}.html"


_VERDICT_OF_LABEL = {label: (code, colour) for code, (label, colour) in profiles.VERDICTS.items()}


def overview_csv(page: Path) -> pd.DataFrame:
    """The overview's CSV (the published schema) as one row per indicator: ``indicator_id,
    synthetic, riket_value, verdict, colour`` (the verdict from its label, the colour the
    verdict's)."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    link = next(a for a in soup.find_all("a", href=True)
                if "Ladda ner översikten (CSV)" in a.get_text())
    t = codebook.read((page.parent / unquote(link["href"])).resolve())
    rows = []
    for _, g in t.groupby("rad", sort=True):
        first = g.iloc[0]
        label = re.search(r"bedömning: ([^;]+)", first["anmärkning"]).group(1)
        verdict, colour = _VERDICT_OF_LABEL[label.replace("länet", "riket")]  # the benchmark
        riket = g.loc[g["mått"] == "värde i riket", "värde"]
        rows.append({"indicator_id": first["indikator_kod"],
                     "synthetic": "syntetiska data: ja" in first["anmärkning"],
                     "riket_value": riket.iloc[0] if len(riket) else float("nan"),
                     "verdict": verdict, "colour": colour})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("code", list(geo.KOMMUNER))
def test_overview_matches_the_csv(browser, book_html, code):
    root = book_html / EDITION
    csv = overview_csv(root / profile(code))
    measured = csv[~csv["synthetic"].astype(bool)]
    tested = measured[measured["riket_value"].notna() & ~measured["verdict"].isin(UNTESTED)]
    assert len(tested) >= 10
    assert csv["synthetic"].astype(bool).any()
    with sitecheck.Server(book_html) as server:
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(f"{server.url}{EDITION}/{profile(code).as_posix()}", wait_until="load")
            kik = page.locator(".kik")
            assert kik.count() == 1 and kik.is_visible()
            # the overview is the first section of the page
            first_h2 = page.locator("article.bd-article h2").first.inner_text()
            assert first_h2.startswith("Kommunen i korthet")
            rows = page.evaluate(
                "() => Array.from(document.querySelectorAll('.kik-row')).map(r => ["
                "r.dataset.indicator, r.dataset.verdict, r.dataset.colour, r.dataset.synthetic,"
                "(r.querySelector('.kik-dot circle')||{getAttribute:()=>null}).getAttribute('fill'),"
                "r.querySelector('.kik-lab').getBoundingClientRect().width])")
            shown = {r[0]: r for r in rows}
            assert set(shown) == set(csv["indicator_id"])
            for r in csv.itertuples():
                ind, verdict, colour, synthetic, fill, label_w = shown[r.indicator_id]
                assert verdict == r.verdict and colour == r.colour
                assert fill == (r.colour if not r.synthetic else "#9e9e9e")
                assert synthetic == str(bool(r.synthetic)).lower()
                assert label_w > 60  # the label is readable, not squeezed
            # nothing wider than the screen
            over = page.evaluate("() => { const k = document.querySelector('.kik');"
                                 " return k.scrollWidth - k.clientWidth; }")
            assert over <= 1
            if code == "1880":
                shot = BUILD_DIR / "screenshots" / EDITION / f"kommunen_i_korthet_1880_{width}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                kik.screenshot(path=str(shot))
            page.close()


def _poppler():
    missing = [t for t in ("pdfinfo", "pdffonts", "pdftoppm", "pdftotext") if not shutil.which(t)]
    if missing:
        pytest.skip(f"SKIPPED: poppler-utils missing ({', '.join(missing)}); .ci/run installs it")


def _pdfs(root: Path) -> list[tuple[Path, str]]:
    out = [(root / KOMMUN_DIR / f"profil_kommun__area_{c}.pdf", n) for c, n in geo.KOMMUNER.items()]
    out += [(root / FORBUND_DIR / f"profil_forbund__area_{c}.pdf", f.namn)
            for c, f in geo.FORBUND.items()]
    return out


def test_sixteen_printable_profiles(book_html, tmp_path):
    _poppler()
    pdfs = _pdfs(book_html / EDITION)
    assert len(pdfs) == 16
    for pdf, name in pdfs:
        assert pdf.exists(), f"{pdf} missing"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        pages = int(next(ln.split()[-1] for ln in info.stdout.splitlines()
                         if ln.startswith("Pages:")))
        assert 1 <= pages <= 4, f"{pdf.name}: {pages} pages"
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert fonts and all(ln.split()[-5] == "yes" for ln in fonts), f"{pdf.name}: {fonts}"
        png = tmp_path / pdf.stem
        subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "60", "-png", str(pdf), str(png)],
                       check=True)
        first = sorted(tmp_path.glob(f"{pdf.stem}*.png"))
        assert first and first[0].stat().st_size > 5_000
        text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert name.split("/")[0] in text, f"{pdf.name}: {name} not on page 1"
        assert f"Utgåva {EDITION}" in text and "referensår" in text
