"""Generated pages: readers get a bibliography and the edition's dates; analysts get the files;
the Kommunprofiler index (map + alphabetical list)."""

from __future__ import annotations

import re

import pytest

from analysis.book import bookpages, readerlint
from analysis.book.params import load_edition
from analysis.chapters import livsvillkor as lv_chapter
from analysis.core import geo
from analysis.core.paths import project_root
from analysis.inputs import livsvillkor
from analysis.sources import catalog

ROOT = project_root()


@pytest.fixture(scope="module")
def ed():
    return load_edition(ROOT / "params" / "2019.yml")


@pytest.fixture(scope="module")
def manifest(ed):
    return {"git_commit": "0123456789abcdef0123", "params_file": "params/2019.yml",
            "build_key": "abcdef0123456789abcd", "params": ed.model_dump(),
            "datasets": [{"name": "seed_figures", "relpath": "raw/seed_figures/x.csv",
                          "md5": "d41d8cd98f00b204e9800998ecf8427e", "producer": "Region",
                          "date_published": "2020-05-07"}],
            "notebooks": [{"source": "notebooks/01_befolkning.md", "output": "x", "key": "k"}]}


def problems(md: str) -> list[str]:
    """Lint the text a reader sees (link targets are not shown)."""
    return readerlint.text_problems(re.sub(r"\]\(https?://[^)]+\)", "]", md.replace("{doc}", "")))


class TestSourcesMd:
    def test_bibliography_without_files(self, ed):
        md = bookpages.sources_md(ROOT, ed)
        assert "Genomlysning samordningsförbunden Örebro län" in md
        assert "Senare källa" in md  # the February 2022 minutes, after the 2019 edition
        assert problems(md.replace("for_analytiker", "")) == []


class TestAnalystMd:
    def test_files_and_commands_are_here(self, ed, manifest):
        md = bookpages.analyst_md(ROOT, ed, manifest)
        for s in ("d41d8cd98f00b204e9800998ecf8427e", "make book", "ANALYSIS_REGISTER_EXTRACT",
                  "003_e03a011979e317c6.txt", "min_respondents"):
            assert s in md


class TestEditionMd:
    def test_reference_year_and_dates(self, ed, manifest):
        md = bookpages.edition_md(ed, manifest)
        assert "Referensår:** 2019" in md and "2020-06-01" in md and "senare källa" in md
        assert problems(md.replace("for_analytiker", "").replace("vad_har_andrats", "")) == []


class TestSwedishKey:
    def test_a_a_o_after_z(self):
        names = ["Örebro", "Ängelholm", "Åre", "Zeta", "Alvesta"]
        assert sorted(names, key=bookpages.swedish_key) == ["Alvesta", "Zeta", "Åre",
                                                             "Ängelholm", "Örebro"]


class TestKommunIndexMd:
    def test_alphabetical_list_with_population_and_links(self):
        ed = load_edition(catalog.project_root() / "params" / "2019.yml")
        lv = livsvillkor.load()
        md = bookpages.kommun_index_md(ed, catalog.load("folkmangd_kommun"),
                                       catalog.load("kommungranser"),
                                       lv_chapter.seed_foreign_born(lv.indicators,
                                                                  catalog.load("seed_figures")))
        names = re.findall(r"^\| \{doc\}`(\w+) <", md, flags=re.M)
        assert len(names) == 12 and names[0] == "Askersund" and names[-1] == "Örebro"
        assert "| {doc}`Örebro </book/_generated/kommuner/profil_kommun__area_1880>` | 155\u00a0696 |" in md
        assert "31 december 2019" in md and md.count("<a href=") == len(geo.KOMMUNER)
        assert "| Hällefors | 22\u00a0% (ca 2019) | 19,8\u00a0% (2023) |" in md

    def test_a_region_without_forbund_or_pre_study(self, monkeypatch):
        ed = load_edition(catalog.project_root() / "params" / "2019.yml")
        monkeypatch.setattr(geo, "FORBUND", {})
        md = bookpages.kommun_index_md(ed, catalog.load("folkmangd_kommun"),
                                       catalog.load("kommungranser"))
        assert "| kommun | folkmängd |\n" in md and "samordningsförbund" not in md
        assert "| {doc}`Örebro </book/_generated/kommuner/profil_kommun__area_1880>` | 155\u00a0696 |" in md
        assert "Utrikes födda" not in md


# --------------------------------------------------------------------------- indicator pages
def _uses_tree(gen):
    """A staging ``book/_generated`` with a chapter's and a profile's recorded uses."""
    import pandas as pd

    ch = gen / "04_liv_och_halsa_files"
    ch.mkdir(parents=True)
    pd.DataFrame({"indicator_id": ["lh_good_health", "lh_good_health"],
                  "element": ["tabell", "diagram"], "name": ["t", "f"],
                  "title": ["Tabell 1. God hälsa per kommun", "God hälsa 2000–2017."],
                  "periods": ["2017", "2000;2004;2008;2012;2017"],
                  "data_kind": ["syntetisk", "syntetisk"]}).to_csv(ch / "indicator_uses.csv",
                                                                    index=False)
    pd.DataFrame({"indicator_id": ["lh_good_health"], "indicator": ["God hälsa"],
                  "area_code": ["18"], "period": ["2017"], "value": [0.7],
                  "data_kind": ["syntetisk"]}).to_csv(ch / "indicators.csv", index=False)
    pr = gen / "kommuner" / "profil_kommun__area_1880_files"
    pr.mkdir(parents=True)
    pd.DataFrame({"indicator_id": ["bef_total"], "element": ["tabell"], "name": ["k"],
                  "title": ["Kommunen i korthet"], "periods": ["2019"],
                  "data_kind": ["uppmätt"]}).to_csv(pr / "indicator_uses.csv", index=False)
    ch3 = gen / "03_barnfattigdom_files"
    ch3.mkdir()
    pd.DataFrame({"indicator_id": ["kolada_N66077"], "indicator": ["Låg ekonomisk standard"],
                  "area_code": ["18"], "period": ["2019"], "value": [0.1],
                  "data_kind": ["uppmätt"]}).to_csv(ch3 / "indicators.csv", index=False)


class TestIndicatorUses:
    def test_reads_uses_and_key_indicators_with_their_pages(self, tmp_path):
        _uses_tree(tmp_path)
        u = bookpages.indicator_uses(tmp_path)
        assert set(u["page"]) == {"/book/_generated/04_liv_och_halsa",
                                  "/book/_generated/03_barnfattigdom",
                                  "/book/_generated/kommuner/profil_kommun__area_1880"}
        assert sorted(u["element"]) == ["diagram", "nyckeltal", "nyckeltal", "tabell", "tabell"]

    def test_empty(self, tmp_path):
        assert bookpages.indicator_uses(tmp_path).empty


class TestCheckIndicatorUses:
    def test_aliases_resolve(self, tmp_path):
        _uses_tree(tmp_path)
        u = bookpages.check_indicator_uses(bookpages.indicator_uses(tmp_path))
        assert "bf_lag_ekonomisk_standard_0_19" in set(u["indicator_id"])
        assert "kolada_N66077" in set(u["shown_as"])

    def test_unknown_id_names_it_and_the_page(self, tmp_path):
        _uses_tree(tmp_path)
        u = bookpages.indicator_uses(tmp_path)
        u.loc[0, "indicator_id"] = "lh_okand"
        with pytest.raises(bookpages.InputError,
                           match=r"no entry.*lh_okand \(on /book/_generated/03_barnfattigdom\)"):
            bookpages.check_indicator_uses(u)

    def test_a_link_to_an_alias_fails(self, tmp_path):
        _uses_tree(tmp_path)
        u = bookpages.indicator_uses(tmp_path)
        u.loc[u["element"] == "tabell", "indicator_id"] = "mg_andel_16_64"
        with pytest.raises(bookpages.InputError, match=r"mg_andel_16_64 \(use bef_andel_16_64\)"):
            bookpages.check_indicator_uses(u)


class TestYearsText:
    @pytest.mark.parametrize("periods, text", [
        (["2019"], "2019"), (["2017", "2012", "2008", "2004", "2000"], "2000, 2004, 2008, 2012, 2017"),
        ([str(y) for y in range(1968, 2020)] + ["2030", "2031"], "1968–2019, 2030, 2031"),
        (["", "2019", "2019/20"], "2019, 2019/20"), ([], "")])
    def test_runs_and_lists(self, periods, text):
        assert bookpages.years_text(periods) == text


class TestIndicatorPageMd:
    def _page(self, tmp_path, ind_id):
        _uses_tree(tmp_path)
        u = bookpages.check_indicator_uses(bookpages.indicator_uses(tmp_path))
        ind = bookpages.registry.registry()[ind_id]
        return bookpages.indicator_page_md(ind, u[u["indicator_id"] == ind_id])

    def test_survey_indicator_has_every_field(self, tmp_path):
        md = self._page(tmp_path, "lh_good_health")
        assert md.startswith("# God självskattad hälsa\n")
        for field in ("Definition", "Fråga i enkäten", "Svar som räknas", "Täljare", "Nämnare",
                      "Enhet", "Högt eller lågt värde", "Källa", "År i den här utgåvan",
                      "Intervall"):
            assert f"\n{field}\n: " in md, field
        assert "”Hur bedömer du ditt allmänna hälsotillstånd?”" in md
        assert ": 2000, 2004, 2008, 2012, 2017\\." in md and "högre värde är bättre" in md
        assert "Syntetiska data" in md and "{ref}`syntetiska-data`" in md
        assert "- {doc}`/book/_generated/04_liv_och_halsa`\n  - Tabell 1. God hälsa per kommun\n" \
               "  - Diagram: God hälsa 2000–2017\n" in md
        assert problems(md) == []

    def test_register_indicator_in_a_profile(self, tmp_path):
        md = self._page(tmp_path, "bef_total")
        assert "Fråga i enkäten" not in md and "\n: 2019\\.\n" in md and "Syntetiska" not in md
        assert "{doc}`Kommunprofilerna </book/kommunprofiler>`" in md
        assert "Ingen: indikatorn är ett antal" in md

    def test_not_shown(self, tmp_path):
        md = self._page(tmp_path, "lv_studerande")
        assert "visas inte i den här utgåvan" in md and "Här visas" not in md


class TestIndicatorIndexMd:
    def test_topics_and_not_shown(self):
        reg = bookpages.registry.registry()
        md = bookpages.indicator_index_md(reg, {"bef_total", "lh_good_health"})
        assert md.index("## Befolkning") < md.index("## Vuxnas hälsa") < md.index(
            "## Visas inte i den här utgåvan")
        assert "- {doc}`/book/_generated/indikatorer/bef_total`: antal personer, varken högre " \
               "eller lägre är bättre\n" in md
        assert "`/book/_generated/indikatorer/lh_good_health`: andel i procent, högre är " \
               "bättre\n" in md
        assert problems(md) == []


class TestWriteIndicatorPages:
    def test_a_page_per_entry_and_the_index(self, tmp_path):
        _uses_tree(tmp_path)
        written = bookpages.write_indicator_pages(tmp_path)
        reg = bookpages.registry.registry()
        assert len(written) == len(reg) + 1
        assert {p.stem for p in (tmp_path / "indikatorer").glob("*.md")} == set(reg)
        assert (tmp_path / "indikatorer.md").read_text(encoding="utf-8").startswith(
            "# Indikatorer")
class TestCodebookMd:
    def test_columns_units_and_downloads(self):
        md = bookpages.codebook_md(2019, "data_2019.zip", "data_2019.xlsx", 211)
        assert md.startswith("# Kodbok") and "(data_2019.zip)" in md and "(data_2019.xlsx)" in md
        assert "Alla 211 tabeller" in md
        assert "| område_kod | Områdets kod" in md and "| procentenheter |" in md
        assert "Tillåtna värden: kvinnor, män, totalt." in md
        assert "byte-ordningsmärke" in md and "undertryckt" in md
        assert readerlint.text_problems(md) == []


@pytest.fixture(scope="module")
def md():
    """The national index page of edition 2019 from the catalogue's tables."""
    return bookpages.national_index_page(2019, 2009)


class TestNationalIndexMd:
    def test_every_kommun_in_the_table_and_the_map(self, md):
        rows = re.findall(r"^\| \{doc\}`([^<]+) </book/_generated/kommuner/"
                          r"profil_kommun__area_(\d{4})>` \| ([^|]+) \| ([^|]+) \|", md, flags=re.M)
        assert len(rows) == 290 and len({r[1] for r in rows}) == 290
        assert rows[0][0].strip() == "Ale" and rows[-1][0].strip() == "Övertorneå"
        kiruna = next(r for r in rows if r[1] == "2584")
        assert kiruna[2].strip() == "Norrbottens län" and kiruna[3].strip() == "Mindre stad/tätort"
        links = re.findall(r'<a href="_generated/kommuner/profil_kommun__area_(\d{4})\.html"', md)
        assert sorted(links) == sorted(r[1] for r in rows)
        assert md.count('tabindex="-1"') == 290  # the table has the same links, in order
        assert "| {doc}`Örebro </book/_generated/kommuner/profil_kommun__area_1880>` | Örebro län" \
               " | Större stad | 155\u00a0696 | +16,2\u00a0% |" in md

    def test_search_box_is_labelled_and_wired_to_the_table(self, md):
        assert '<label for="kommunsok-falt">' in md and 'id="kommunsok-falt"' in md
        assert f'data-tabell="{bookpages.NATIONAL_TABLE_ID}"' in md
        assert f":name: {bookpages.NATIONAL_TABLE_ID}" in md
        assert 'role="status" aria-live="polite"' in md
        assert " hidden " in md  # shown by the script only: without it the whole table shows
        script = md.split("<script>")[1].split("</script>")[0]
        assert "kommunsok" in script and "http" not in script and "import" not in script

    def test_offline_and_swedish(self, md):
        assert "http" not in md
        text = re.sub(r"<script>.*?</script>", "", md, flags=re.S)
        assert problems(re.sub(r"<[^>]+>", " ", text)) == []
        assert "Folkmängd i riket 2019: 10\u00a0327\u00a0589." in md
        assert "9 Landsbygdskommun med besöksnäring" in md  # the map's legend

    def test_index_and_borders_must_agree(self):
        data = bookpages.national_data()
        idx = bookpages.riket.kommun_index_table(data, 2019, 2009)
        b = catalog.load("kommungranser_riket")
        with pytest.raises(ValueError, match="different kommuner"):
            bookpages.national_index_md(2019, 2009, idx, b[b["kommun_kod"] != "0114"])
