"""book.printpdf: page counting, which pages are printed."""

from __future__ import annotations

import pytest

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


def _page(root, profile_dir: int, name: str, html: str):
    """A profile page ``name`` with ``html`` in the book at ``root``."""
    d = root / printpdf.PROFILE_DIRS[profile_dir]
    d.mkdir(parents=True)
    page = d / name
    page.write_text(html, encoding="utf-8")
    return page


class TestWithoutChromium:
    @pytest.fixture(autouse=True)
    def no_chromium(self, monkeypatch, tmp_path):
        monkeypatch.delenv("ANALYSIS_CHROMIUM", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path))

    def test_nothing_printed_and_links_removed(self, tmp_path):
        page = _page(tmp_path, 0, "profil_kommun__area_1880.html",
                     '<p><a class="kik-pdf" href="profil_kommun__area_1880.pdf">Profilen som '
                     "PDF\nför utskrift (A4)</a></p><p>kvar</p>")
        said = []
        assert printpdf.print_profiles(tmp_path, tmp_path / "print.css", log=said.append) == []
        assert page.read_text(encoding="utf-8") == "<p></p><p>kvar</p>"
        assert "no Chromium found" in said[0] and "1 pages" in said[0]

    def test_started_in_the_background_it_drops_the_links_at_once(self, tmp_path):
        page = _page(tmp_path, 1, "profil_forbund__area_SO.html",
                     '<a class="kik-pdf" href="x.pdf">PDF</a>ok')
        said = []
        assert printpdf.start_printing(tmp_path, tmp_path / "print.css", log=said.append) is None
        assert page.read_text(encoding="utf-8") == "ok"  # before the build reads the pages


@pytest.mark.browser
class TestWithChromium:
    def test_pages_printed_side_by_side_as_alone(self, tmp_path):
        exe = printpdf.find_chromium()
        if exe is None:
            pytest.skip("no Chromium")
        d = tmp_path / printpdf.PROFILE_DIRS[0]
        d.mkdir(parents=True)
        for code, paras in (("1814", 3), ("1860", 200), ("1861", 20)):
            (d / f"profil_kommun__area_{code}.html").write_text(
                f'<html><body><a href="profil_kommun__area_{code}.pdf">PDF</a>'
                + "<p>Rad</p>" * paras + "</body></html>", encoding="utf-8")
        css = tmp_path / "print.css"
        css.write_text("@page { size: A4; }", encoding="utf-8")
        alone = {}
        for p in printpdf.print_profiles(tmp_path, css, log=lambda _m: None, parallel=1):
            alone[p.name] = printpdf.page_count(p)
        fut = printpdf.start_printing(tmp_path, css, log=lambda _m: None, executable=exe)
        out = fut.result(timeout=120)
        assert [p.name for p in out] == sorted(alone)  # in page order, whatever finished first
        assert {p.name: printpdf.page_count(p) for p in out} == alone
        assert alone["profil_kommun__area_1814.pdf"] == 1
        assert alone["profil_kommun__area_1860.pdf"] > 1

    def test_no_local_path_in_the_pdf_links_to_the_web_kept(self, tmp_path):
        from analysis.book import safety

        if printpdf.find_chromium() is None:
            pytest.skip("no Chromium")
        d = tmp_path / printpdf.PROFILE_DIRS[0]
        d.mkdir(parents=True)
        (d / "profil_kommun__area_1880.html").write_text(
            '<html><body><a href="profil_kommun__area_1880.pdf">PDF</a> '
            '<a href="profil_kommun__area_1881.html">Kumla</a> '
            '<a href="https://www.scb.se/">SCB</a> <a href="#befolkning">Befolkning</a>'
            '<h2 id="befolkning">Befolkning</h2></body></html>', encoding="utf-8")
        css = tmp_path / "print.css"
        css.write_text("@page { size: A4; }", encoding="utf-8")
        (pdf,) = printpdf.print_profiles(tmp_path, css, log=lambda _m: None, parallel=1)
        body = pdf.read_bytes()
        assert b"file://" not in body and b"https://www.scb.se/" in body
        assert safety.local_path_leaks(tmp_path, tmp_path, suffixes=(".pdf",)) == []
        bad = d / "profil_kommun__area_1881.pdf"  # a PDF that does name a local path
        bad.write_bytes(b"%PDF-1.4 /URI (file://" + str(tmp_path).encode() + b"/x.html)")
        assert safety.local_path_leaks(tmp_path, tmp_path, suffixes=(".pdf",)) == [
            f"{bad.relative_to(tmp_path)}: {tmp_path}"]
