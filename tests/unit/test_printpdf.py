"""book.printpdf: page counting, which pages are printed."""

from __future__ import annotations

from analysis.book import printpdf


class TestPageCount:
    def test_counts_page_objects_not_the_page_tree(self):
        pdf = (b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] >> endobj\n"
               b"2 0 obj << /Type /Page >> endobj\n3 0 obj <</Type/Page/Parent 1 0 R>> endobj\n")
        assert printpdf.page_count(pdf) == 2


class TestProfilePages:
    def test_kommuner_that_offer_a_pdf_and_forbund(self, tmp_path):
        for d in printpdf.PROFILE_DIRS:
            (tmp_path / d).mkdir(parents=True)
            (tmp_path / d / "a.html").write_text('<a href="a.pdf">PDF</a>')
        kommuner = tmp_path / printpdf.PROFILE_DIRS[0]
        (kommuner / "b.html").write_text("no link")  # a national profile offers no PDF
        (tmp_path / "book" / "intro.html").write_text("x")
        assert [p.name for p in printpdf.profile_pages(tmp_path)] == ["a.html", "a.html"]


class TestFindChromium:
    def test_environment_setting_wins(self, monkeypatch):
        monkeypatch.setenv("ANALYSIS_CHROMIUM", "/opt/chrome/chrome")
        assert printpdf.find_chromium() == "/opt/chrome/chrome"

    def test_none_when_nothing_on_the_path(self, monkeypatch, tmp_path):
        monkeypatch.delenv("ANALYSIS_CHROMIUM", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path))
        assert printpdf.find_chromium() is None


class TestWithoutChromium:
    def test_nothing_printed_and_links_removed(self, monkeypatch, tmp_path):
        monkeypatch.delenv("ANALYSIS_CHROMIUM", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path))
        d = tmp_path / printpdf.PROFILE_DIRS[0]
        d.mkdir(parents=True)
        page = d / "profil_kommun__area_1880.html"
        page.write_text('<p><a class="kik-pdf" href="profil_kommun__area_1880.pdf">Profilen som '
                        "PDF\nför utskrift (A4)</a></p><p>kvar</p>", encoding="utf-8")
        said = []
        assert printpdf.print_profiles(tmp_path, tmp_path / "print.css", log=said.append) == []
        assert page.read_text(encoding="utf-8") == "<p></p><p>kvar</p>"
        assert "no Chromium found" in said[0] and "1 pages" in said[0]
