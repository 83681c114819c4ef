"""The reader-page lint: developer material and English fail, the analyst page may hold them."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.book import readerlint

CLEAN = ('<html lang="sv"><body><h1>Barn i ekonomiskt utsatta hushåll</h1><p>Andelen var '
         '12,3 procent 2019. Källa: Genomlysning samordningsförbunden Örebro län (2020), '
         'Tabell 1.</p><img src="a.png" alt="Karta över länets kommuner"></body></html>')


def site(tmp_path: Path, planted: str | None = None, page: str = "book/_generated/x.html") -> Path:
    root = tmp_path / "html"
    (root / "book" / "_generated").mkdir(parents=True)
    (root / "book" / "_generated" / "01_kapitel.html").write_text(CLEAN, encoding="utf-8")
    if planted is not None:
        (root / page).write_text(CLEAN.replace("</p>", f" {planted}</p>"), encoding="utf-8")
    return root


class TestSiteProblems:
    def test_clean_site_passes(self, tmp_path):
        assert readerlint.site_problems(site(tmp_path)) == []

    @pytest.mark.parametrize(("planted", "rule"), [
        ("md5 d41d8cd98f00b204e9800998ecf8427e", "file hash"),
        ("se 003_e03a011979e317c6.txt", "seed file name"),
        ("kör make fetch-kolada", "command"),
        ("eller python -m analysis.sources.kolada", "command"),
        ("lägg filen i data/private/", "repository path"),
        ("koden i src/analysis", "repository path"),
        ("parametern min_respondents", "parameter name"),
        ("miljövariabeln ANALYSIS_REGISTER_EXTRACT", "environment variable"),
        ("transcribed for this project", "English"),
        ("Skip to main content", "English"),
    ])
    def test_planted_violation_fails(self, tmp_path, planted, rule):
        found = readerlint.site_problems(site(tmp_path, planted))
        assert any(f"book/_generated/x.html: {rule}" in p for p in found), found

    def test_alt_text_is_read_but_urls_and_scripts_are_not(self, tmp_path):
        root = site(tmp_path)
        (root / "a.html").write_text(
            '<html><body><a href="../data/x.csv">Ladda ner</a><script>make = "src/";</script>'
            '<img src="data/a.png" alt="Diagram ur data/raw"></body></html>', encoding="utf-8")
        found = readerlint.site_problems(root)
        assert found == ["a.html: repository path: 'data/' i »…Ladda ner Diagram ur data/raw…«"]

    def test_analyst_page_and_assets_are_skipped(self, tmp_path):
        root = site(tmp_path, "make book EDITION=2019, md5 d41d8cd98f00b204e9800998ecf8427e",
                    page="book/_generated/for_analytiker.html")
        (root / "_static").mkdir()
        (root / "_static" / "x.html").write_text("python -m x", encoding="utf-8")
        assert readerlint.site_problems(root) == []


class TestMain:
    def test_exit_code(self, tmp_path, capsys):
        assert readerlint.main([str(site(tmp_path))]) == 0
        assert readerlint.main([str(site(tmp_path / "b", "make book"))]) == 1
        assert "command" in capsys.readouterr().err
