"""The built book as readers meet it: every page of both editions in a real browser, offline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.present import codebook

from . import sitecheck
from .conftest import BUILD_DIR, EDITIONS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book-browser")]

SKIP_DIRS = {"_static", "_sources", "_images", "_downloads"}


def pages(edition_dir: Path) -> list[Path]:
    return sorted(p for p in edition_dir.rglob("*.html")
                  if not SKIP_DIRS & set(p.relative_to(edition_dir).parts))


def is_chapter(p: Path) -> bool:
    return p.parent.name == "_generated" and p.stem[:2].isdigit()


class TestStatic:
    @pytest.mark.parametrize("edition", EDITIONS)
    def test_every_page(self, book_html, edition):
        root = book_html / edition
        found = pages(root)
        assert len(found) >= 20, f"only {len(found)} pages in edition {edition}"
        ids: dict = {}
        problems = [p for page in found for p in sitecheck.static_problems(root, page, ids)]
        assert problems == []

    def test_landing_page(self, book_html):
        site = book_html.parent  # the landing page lists every region's editions
        problems = sitecheck.static_problems(site, site / "index.html")
        assert problems == []
        text = (site / "index.html").read_text(encoding="utf-8")
        for ed in EDITIONS:
            assert f"{book_html.name}/{ed}/index.html" in text


class TestBrowser:
    @pytest.mark.parametrize("edition", EDITIONS)
    def test_every_page_renders_offline(self, browser, book_html, edition):
        with sitecheck.Server(book_html) as server:
            blocked: list[str] = []
            context = browser.new_context(viewport={"width": 1300, "height": 900},
                                          locale="sv-SE", service_workers="block")
            sitecheck.block_external(context, f"127.0.0.1:{server.port}", blocked)
            page = context.new_page()
            problems: list[str] = []
            shots: list[Path] = []
            for p in pages(book_html / edition):
                rel = p.relative_to(book_html).as_posix()
                shot = BUILD_DIR / "screenshots" / edition / f"{p.stem}.png" if is_chapter(p) else None
                if shot is not None:
                    shot.unlink(missing_ok=True)
                    shots.append(shot)
                problems += sitecheck.browser_problems(page, server.url + rel, shot)
            context.close()
        assert blocked == [], f"pages tried to load from the network: {sorted(set(blocked))[:5]}"
        assert problems == []
        # A screenshot of every chapter page, for review (listed in the closing note).
        assert len(shots) >= 5 and all(s.exists() and s.stat().st_size > 10_000 for s in shots)

    @pytest.mark.parametrize("edition", EDITIONS)
    def test_search_finds_a_known_word(self, browser, book_html, edition):
        with sitecheck.Server(book_html) as server:
            page = browser.new_page()
            n = sitecheck.search_finds(page, f"{server.url}{edition}/", "försörjningskvot")
            page.close()
        assert n >= 1


class TestCheckerCatchesProblems:
    """The checker itself: a deliberately broken site must fail it."""

    def _site(self, tmp_path: Path, *, broken: bool) -> Path:
        root = tmp_path / ("broken" if broken else "ok")
        root.mkdir()
        png = bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360f8cf0000000301010018dd8db00000000049454e44ae426082")
        (root / "fig.png").write_bytes(png)
        # a table in the published schema (sitecheck parses every linked CSV with the codebook)
        codebook.write(codebook.tidy(pd.DataFrame({"folkmangd": [1, 2],
                                                   "data_kind": ["uppmätt"] * 2}), "t"),
                       root / "t.csv")
        (root / "other.html").write_text('<html lang="sv"><body><h1 id="x">X</h1></body></html>',
                                         encoding="utf-8")
        img = "saknas.png" if broken else "fig.png"
        link = "finns-inte.html" if broken else "other.html#x"
        (root / "index.html").write_text(
            f'<html lang="sv"><head><link rel="icon" href="fig.png"></head><body>'
            f'<img src="{img}" alt="Figur">'
            f'<a href="{link}">länk</a><table class="bok-tabell"><tr><td>1</td></tr></table>'
            '<p><a href="t.csv">Ladda ner tabellen (CSV)</a></p></body></html>', encoding="utf-8")
        return root

    def test_good_site_passes_static(self, tmp_path):
        root = self._site(tmp_path, broken=False)
        assert sitecheck.static_problems(root, root / "index.html") == []

    def test_broken_link_fails_static(self, tmp_path):
        root = self._site(tmp_path, broken=True)
        problems = sitecheck.static_problems(root, root / "index.html")
        assert any("broken link 'finns-inte.html'" in p for p in problems)

    def test_missing_alt_lang_and_csv(self, tmp_path):
        root = tmp_path / "s"
        root.mkdir()
        (root / "index.html").write_text('<html><body><img src="a.png">'
                                         '<table class="bok-tabell"></table></body></html>')
        problems = sitecheck.static_problems(root, root / "index.html")
        assert any("lang" in p for p in problems)
        assert any("no alt text" in p for p in problems)
        assert any("no CSV download" in p for p in problems)

    def test_missing_figure_fails_in_browser(self, browser, tmp_path):
        root = self._site(tmp_path, broken=True)
        with sitecheck.Server(root) as server:
            page = browser.new_page()
            problems = sitecheck.browser_problems(page, server.url + "index.html")
            page.close()
        assert any("image not loaded: saknas.png" in p for p in problems)
        assert any("HTTP 404" in p for p in problems)

    def test_good_site_passes_in_browser(self, browser, tmp_path):
        root = self._site(tmp_path, broken=False)
        with sitecheck.Server(root) as server:
            page = browser.new_page()
            problems = sitecheck.browser_problems(page, server.url + "index.html")
            page.close()
        assert problems == []

    def test_external_request_is_blocked_and_reported(self, browser, tmp_path):
        root = tmp_path / "ext"
        root.mkdir()
        (root / "index.html").write_text(
            '<html lang="sv"><head><link rel="icon" href="data:,"></head><body>'
            '<script src="https://cdn.example.org/mathjax.js"></script>'
            "</body></html>")
        with sitecheck.Server(root) as server:
            blocked: list[str] = []
            ctx = browser.new_context()
            sitecheck.block_external(ctx, f"127.0.0.1:{server.port}", blocked)
            page = ctx.new_page()
            problems = sitecheck.browser_problems(page, server.url + "index.html")
            ctx.close()
        assert blocked == ["https://cdn.example.org/mathjax.js"]
        assert any("request failed" in p for p in problems)
