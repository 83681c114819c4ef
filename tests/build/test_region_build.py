"""Another län's book, built as a user builds it (``python -m analysis.book.build book --region
03``, what ``make book REGION=03`` runs): published beside Örebro län's under
``html/uppsala-lan/2019``, with the population chapter and the eight kommun profiles, the
start page saying which chapters are left out and why, no Örebro-only page, and a landing page
that lists the region."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = ROOT / "_build" / "test-region"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("region-build")]


def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def uppsala() -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
    proc = subprocess.run(
        [sys.executable, "-m", "analysis.book.build", "book", "--edition", "2019", "-j", "2",
         "--region", "03", "--build-dir", str(BUILD_DIR)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Välfärd och folkhälsa i Uppsala län 2019" in proc.stdout
    return BUILD_DIR / "html" / "uppsala-lan" / "2019"


def test_published_beside_the_other_regions_with_a_landing_page(uppsala):
    manifest = json.loads((uppsala / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["region"] == {"kod": "03", "namn": "Uppsala län", "slug": "uppsala-lan"}
    landing = (BUILD_DIR / "html" / "index.html").read_text(encoding="utf-8")
    assert "<h2>Uppsala län</h2>" in landing and 'href="uppsala-lan/2019/index.html"' in landing


def test_the_region_s_chapters_and_profiles_only(uppsala):
    gen = uppsala / "book" / "_generated"
    assert (gen / "01_befolkning.html").exists()
    assert sorted(p.stem[-4:] for p in (gen / "kommuner").glob("*.html")) == [
        "0305", "0319", "0330", "0331", "0360", "0380", "0381", "0382"]
    for absent in ("00_riket", "02_malgrupp", "03_barnfattigdom", "04_liv_och_halsa",
                   "05_liv_och_halsa_ung", "metod_malgrupp"):
        assert not (gen / f"{absent}.html").exists(), absent
    assert not (gen / "forbund").exists() and not (uppsala / "book" / "forbundsprofiler.html").exists()


def test_the_start_page_says_what_is_left_out_and_why(uppsala):
    intro = _text(uppsala / "book" / "intro.html")
    assert "Välfärd och folkhälsa i Uppsala län" in intro
    assert "Målgrupp för samordnad rehabilitering" in intro
    assert "bygger på underlag som bara finns för Örebro län" in intro


def test_pages_speak_of_uppsala_lan_not_orebro(uppsala):
    chapter = _text(uppsala / "book" / "_generated" / "01_befolkning.html")
    assert "Befolkning i Uppsala län 2019" in chapter and "383 713" in chapter
    profile = _text(uppsala / "book" / "_generated" / "kommuner" / "profil_kommun__area_0380.html")
    assert "230 767" in profile and "övriga kommuner i Uppsala län" in profile
    for page in [*(uppsala / "book" / "_generated").rglob("*.html"),
                 uppsala / "book" / "kommunprofiler.html"]:
        # the book's publisher (Region Örebro län) signs every page's footer
        body = _text(page).replace("Region Örebro län", "")
        if page.stem == "kallor" or page.stem == "for_analytiker":
            continue  # the source list names documents by their titles
        assert "Örebro" not in body, page.name
