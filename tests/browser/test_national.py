"""The national book (``--region riket``) in a browser: the chapter comparing the 21 län and a
sample of kommun profiles from all over the country, built with the project's own build as a
partial book (the chapter and the sample's profiles), opened from a local web server at desktop
and phone width: the pages render offline without errors, say what they compare, hold no
Örebro-only section, and the index page's search finds the sample."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from . import sitecheck
from .conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("national")]

#: Stockholm, Gotland, Göteborg, Örebro, Kiruna and Upplands Väsby: big and small, north and
#: south, several län and kommungrupper.
SAMPLE = ["0114", "0180", "0980", "1480", "1880", "2584"]
BUILD_DIR = ROOT / "_build" / "test-national"


@pytest.fixture(scope="module")
def national_html() -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
    proc = subprocess.run(
        [sys.executable, "-m", "analysis.book.build", "book", "--edition", "2019", "-j", "2",
         "--region", "riket", "--only", "00_riket,profil_kommun", "--areas", ",".join(SAMPLE),
         "--build-dir", str(BUILD_DIR)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return BUILD_DIR / "partial" / "riket" / "2019"


def _pages(root: Path) -> list[Path]:
    gen = root / "book" / "_generated"
    return [gen / "00_riket.html", root / "book" / "kommunprofiler.html",
            *(gen / "kommuner" / f"profil_kommun__area_{c}.html" for c in SAMPLE)]


def test_the_sample_and_the_chapter_are_built(national_html):
    for p in _pages(national_html):
        assert p.exists(), p
    built = sorted((national_html / "book" / "_generated" / "kommuner").glob("*.html"))
    assert [p.stem[-4:] for p in built] == SAMPLE


def test_profiles_compare_with_lan_riket_and_kommungrupp_and_nothing_from_orebro(national_html):
    for code in SAMPLE:
        page = (national_html / "book" / "_generated" / "kommuner"
                / f"profil_kommun__area_{code}.html").read_text(encoding="utf-8")
        text = re.sub(r"<[^>]+>", " ", page)
        assert "Övriga i kommungruppen" in text and "Riket" in text, code
        for absent in ("Kommunen i korthet", "Liv & hälsa", "samordningsförbund", "Övriga länet"):
            assert absent not in text, (code, absent)
    sthlm = (national_html / "book" / "_generated" / "kommuner"
             / "profil_kommun__area_0180.html").read_text(encoding="utf-8")
    assert "Stockholms län" in sthlm and "kommungruppen storstäder" in sthlm


def test_chapter_lists_the_21_lan(national_html):
    page = (national_html / "book" / "_generated" / "00_riket.html").read_text(encoding="utf-8")
    page = page.replace("\u00a0", " ").replace("\u202f", " ")  # thousands are spaced unbreakably
    for lan in ("Stockholms län", "Norrbottens län", "Örebro län", "Gotlands län"):
        assert lan in page
    assert "10 327 589" in page  # riket 31 December 2019 (SCB)


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_render_offline_without_errors(browser, national_html, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    with sitecheck.Server(national_html) as server:
        blocked: list[str] = []
        sitecheck.block_external(context, f"127.0.0.1:{server.port}", blocked)
        page = context.new_page()
        problems = []
        for p in _pages(national_html):
            url = server.url + p.relative_to(national_html).as_posix()
            problems += sitecheck.browser_problems(page, url)
            overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
            if overflow > 1:
                problems.append(f"{url}: scrolls sideways by {overflow} px at {width} px")
        context.close()
    assert problems == [] and blocked == []


def test_the_index_search_finds_a_sampled_kommun(browser, national_html):
    page = browser.new_page()
    with sitecheck.Server(national_html) as server:
        page.goto(server.url + "book/kommunprofiler.html", wait_until="networkidle")
        page.fill("#kommunsok-falt", "kiruna")
        shown = page.eval_on_selector_all(
            "#kommunindex tbody tr:not([hidden]) td:first-child a",
            "els => els.map(e => [e.textContent, e.getAttribute('href')])")
        assert [s[0] for s in shown] == ["Kiruna"]
        page.click("#kommunindex tbody tr:not([hidden]) td:first-child a")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("profil_kommun__area_2584.html")
        assert "Kiruna" in page.title()
    page.close()
