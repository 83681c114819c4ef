"""The offline extension: no Thebe scripts, no fontawesome.js, a small icon font."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pydata_sphinx_theme
import pytest
from fontTools.ttLib import TTFont

from analysis.book import sphinx_offline

THEME_STATIC = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
CSS = ('.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}.fa-sun:before{content:"\\f185"}'
       'html{--pst-icon-info-circle:"\\f05a";--pst-icon-admonition-note:var(--pst-icon-info-circle)}')


SEARCH = ('  <script src="../_static/searchtools.js"></script>\n'
          '  <script src="../_static/language_data.js"></script>\n'
          '  <script src="../searchindex.js"></script>\n')


class TestStripThebe:
    def test_thebe_scripts_removed(self):
        ctx = {"script_files": ["_static/sphinx-thebe.js", "_static/doctools.js",
                                SimpleNamespace(filename=None,
                                                attributes={"body": "const THEBE_JS_URL = 1"})]}
        sphinx_offline.strip_thebe(None, "p", "page.html", ctx, None)
        assert ctx["script_files"] == ["_static/doctools.js"]


class TestIconCodepoints:
    def test_used_classes_and_theme_icons(self):
        points = sphinx_offline.icon_codepoints(CSS, {"fa-bars", "fa-unknown"})
        assert points == {0xF0C9, 0xF05A}

    def test_literal_characters(self):
        assert sphinx_offline.icon_codepoints('.fa-x:before{content:"\uf00d"}', {"fa-x"}) == {0xF00D}


class TestSubsetFont:
    def test_only_the_glyphs_asked_for(self, tmp_path):
        src = THEME_STATIC / sphinx_offline.THEME_FONT
        size = sphinx_offline.subset_font(src, tmp_path / "i.woff", {0xF0C9, 0xF185})
        assert 0 < size < 20_000 < src.stat().st_size
        font = TTFont(tmp_path / "i.woff")
        assert font.flavor == "woff" and set(font.getBestCmap()) == {0xF0C9, 0xF185}


class TestLighten:
    @pytest.fixture
    def site(self, tmp_path):
        out = tmp_path / "html"
        (out / "_static" / "scripts").mkdir(parents=True)
        (out / "_static" / "styles").mkdir()
        (out / "book").mkdir()
        for name in ("fontawesome.js", "fontawesome.js.map", "bootstrap.js"):
            (out / "_static" / "scripts" / name).write_text("x", encoding="utf-8")
        (out / "_static" / "styles" / "theme.css").write_text(CSS, encoding="utf-8")
        font = out / "_static" / sphinx_offline.THEME_FONT
        font.parent.mkdir(parents=True)
        shutil.copy(THEME_STATIC / sphinx_offline.THEME_FONT, font)
        (out / "book" / "a.html").write_text(
            '<head>\n  <!-- So that users can add custom icons -->\n  <script defer src="../_static/'
            'scripts/fontawesome.js?digest=1"></script>\n<script src="x.js"></script>' + SEARCH
            + '</head><body><i class="fa-solid fa-bars"></i></body>', encoding="utf-8")
        (out / "search.html").write_text(f"<head>{SEARCH}</head>", encoding="utf-8")
        return out

    def test_script_gone_font_written(self, site):
        counts = sphinx_offline.lighten(site)
        page = (site / "book" / "a.html").read_text(encoding="utf-8")
        assert "fontawesome" not in page and '<script src="x.js">' in page
        assert "search" not in page  # only the search page loads the search index
        assert (site / "search.html").read_text(encoding="utf-8") == f"<head>{SEARCH}</head>"
        assert not (site / "_static" / "scripts" / "fontawesome.js").exists()
        assert (site / "_static" / "scripts" / "bootstrap.js").exists()
        font = TTFont(site / "_static" / sphinx_offline.ICON_FONT)
        assert set(font.getBestCmap()) == {0xF0C9, 0xF05A}
        assert counts["pages"] == 1 and counts["glyphs"] == 2 and counts["font_bytes"] > 0

    def test_bok_css_declares_the_font(self):
        css = (Path(__file__).parents[2] / "_static" / "bok.css").read_text(encoding="utf-8")
        assert f"url({sphinx_offline.ICON_FONT})" in css and '"Font Awesome 6 Free"' in css
