"""The Swedish interface strings and the edition bar."""

from __future__ import annotations

from types import SimpleNamespace

from analysis.book import readerlint, sphinx_swedish


class TestTranslate:
    def test_theme_strings_become_swedish(self):
        page = ('<a href="#main-content">Skip to main content</a><button title="Toggle primary '
                'sidebar"></button><a class="headerlink" title="Link to this heading">#</a>'
                '<p class="copyright">© Copyright Region Örebro län.</p>'
                '<span class="caption-number">Fig. 1 </span><button>Back to top</button>'
                '<button aria-label="Color mode"></button>'
                '<p>Please activate JavaScript to enable the search functionality.</p>')
        out = sphinx_swedish.translate(page)
        assert readerlint.text_problems(readerlint.reader_text(out)) == []
        assert "Hoppa till huvudinnehållet" in out and "Figur 1" in out and "Färgläge" in out


class TestEditionBar:
    def test_older_edition_has_banner_and_links(self):
        bar = sphinx_swedish.edition_bar("book/_generated/01_befolkning", "2015", ["2015", "2019"])
        assert 'class="utgava-banner"' in bar
        assert 'href="../../../2019/book/_generated/01_befolkning.html"' in bar

    def test_newest_edition_links_back_without_banner(self):
        bar = sphinx_swedish.edition_bar("index", "2019", ["2015", "2019"])
        assert "utgava-banner" not in bar and 'href="../2015/index.html"' in bar


class TestPrintHeader:
    def test_edition_and_reference_year_on_every_printed_page(self):
        css = sphinx_swedish.print_header('Välfärd "2019" &amp; mer', "2019", "2019")
        assert css.startswith('<style media="print">@page {') and css.endswith("}</style>")
        assert '@top-left { content: "Välfärd \\"2019\\" & mer";' in css
        assert '@top-right { content: "Utgåva 2019 · referensår 2019";' in css
        assert 'counter(page) " av " counter(pages)' in css
        assert '@bottom-left { content: "Utgåva 2019 · referensår 2019";' in css

    def test_foot_names_the_publisher(self):
        css = sphinx_swedish.print_header("Välfärd", "2019", "2019", "Uppsala län")
        assert '@bottom-left { content: "Utgåva 2019 · referensår 2019 · Uppsala län";' in css


class TestRewritePages:
    def test_pages_rewritten_assets_left(self, tmp_path):
        (tmp_path / "book").mkdir()
        (tmp_path / "_static").mkdir()
        page = ('<html><head></head><body><article class="bd-article" role="main"><h1>X</h1>'
                "</article>Skip to main content</body></html>")
        (tmp_path / "book" / "a.html").write_text(page, encoding="utf-8")
        (tmp_path / "_static" / "b.html").write_text(page, encoding="utf-8")
        app = SimpleNamespace(builder=SimpleNamespace(name="html"), outdir=str(tmp_path),
                              config=SimpleNamespace(analysis_edition="2015",
                                                     analysis_editions=["2015", "2019"],
                                                     analysis_publisher="Region X"))
        sphinx_swedish.rewrite_pages(app, None)
        out = (tmp_path / "book" / "a.html").read_text(encoding="utf-8")
        assert "utgava-banner" in out and "Hoppa till" in out
        assert '<style media="print">@page' in out and "Utgåva 2015 · referensår 2015" in out
        assert "referensår 2015 · Region X" in out
        assert (tmp_path / "_static" / "b.html").read_text(encoding="utf-8") == page
