"""Data kinds on published tables, figures, bullets and key indicators (analysis.present.publish)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from analysis.core import provenance  # noqa: E402
from analysis.present import codebook, plots, publish  # noqa: E402


@pytest.fixture
def page(tmp_path, monkeypatch):
    """Run in a scratch folder, capture what the page shows, no page default kind."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANALYSIS_NB_STEM", "t")
    shown: list[str] = []
    monkeypatch.setattr(publish, "_display_markdown", shown.append)
    monkeypatch.setattr(publish, "_PAGE_KIND", {})
    return shown


class TestPageKind:
    def test_required(self, page):
        with pytest.raises(ValueError, match="no data kind"):
            publish.write_csv(pd.DataFrame({"folkmangd": [1]}), "x")

    def test_unknown_kind(self, page):
        with pytest.raises(ValueError, match="unknown data kind"):
            publish.page_kind("synthetic")


class TestWriteCsv:
    def test_every_row_has_its_kind(self, page):
        publish.page_kind(provenance.MEASURED)
        p = publish.write_csv(pd.DataFrame({"folkmangd": [1, 2]}), "x")
        assert list(codebook.read(p)["datatyp"]) == ["uppmätt", "uppmätt"]
        p = publish.write_csv(pd.DataFrame({"folkmangd": [1, 2]}), "y", ["uppmätt", "syntetisk"])
        assert list(codebook.read(p)["datatyp"]) == ["uppmätt", "syntetisk"]

    def test_in_the_schema_with_bom(self, page):
        publish.page_kind(provenance.MEASURED)
        p = publish.write_csv(pd.DataFrame({"ar": [2019], "andel_65": [0.2049]}), "x")
        assert p.read_bytes().startswith(b"\xef\xbb\xbf" + b"sida,tabell,rad,")
        t = codebook.read(p)
        assert list(t.columns) == codebook.columns()
        assert (t.loc[0, "sida"], t.loc[0, "tabell"], t.loc[0, "år"]) == ("t", "x", "2019")
        assert t.loc[0, "enhet"] == "procent" and t.loc[0, "värde"] == pytest.approx(20.49)
        assert t.loc[0, "värde_visat"] == "20,5"

    def test_unknown_column_stops(self, page):
        publish.page_kind(provenance.MEASURED)
        with pytest.raises(codebook.SchemaError, match="table 'x': column 'mystery'"):
            publish.write_csv(pd.DataFrame({"mystery": [1]}), "x")

    def test_wrong_length(self, page):
        with pytest.raises(ValueError, match="3 data kinds for 2 rows"):
            publish.write_csv(pd.DataFrame({"a": [1, 2]}), "x", ["uppmätt"] * 3)


class TestTable:
    def test_synthetic_table_is_marked(self, page):
        publish.page_kind(provenance.SYNTHETIC)
        publish.table(pd.DataFrame({"folkmangd": [1.0]}), "t", title="T", source="Källa: x")
        assert provenance.STAMP in page[0] and 'data-datatyp="syntetisk"' in page[0]

    def test_mixed_rows_get_a_column(self, page):
        publish.table(pd.DataFrame({"folkmangd": [1.0, 2.0]}), "t", title="T", source="Källa: x",
                      kind=["uppmätt", "modellerad"])
        assert '<th scope="col">Datatyp</th>' in page[0] and "modellerade data" in page[0]

    def test_title_is_the_caption(self, page):
        publish.page_kind(provenance.SYNTHETIC)
        publish.table(pd.DataFrame({"folkmangd": [1.0]}), "Tab 1", title="Barn 0-19 år", source="Källa: x")
        md = page[0]
        assert "**" not in md
        assert ('<div class="bok-tabellram" role="region" tabindex="0" '
                'aria-labelledby="tab-tab-1-rubrik">') in md
        cap = md[md.index("<caption"):md.index("</caption>")]
        assert 'id="tab-tab-1-rubrik"' in cap and "Barn 0–19 år" in cap and provenance.STAMP in cap
        assert "[Ladda ner tabellen (CSV)](t_files/tab-1.csv)" in md


class TestHtmlTable:
    DF = pd.DataFrame({"Kommun": ["Örebro", "Lekeberg"], "0-19": [1234, 56],
                       "Andel": ["12,3 %", "."],
                       "Förklaring": ["kort", "En lång förklaring av hur talet räknats fram och "
                                      "varför det skiljer sig från det som SCB har publicerat."]})

    def soup(self, **kw):
        from bs4 import BeautifulSoup

        return BeautifulSoup(publish.html_table(self.DF, labels={"0-19": "Ålder 0-19"}, **kw),
                             "html.parser")

    def test_scroll_region_named_by_caption(self):
        s = self.soup(caption="Folkmängd", ident="tab-f", kind="uppmätt")
        region = s.select_one("div.bok-tabellram")
        assert region["role"] == "region" and region["tabindex"] == "0"
        assert region["aria-labelledby"] == "tab-f-rubrik"
        table = region.select_one("table.bok-tabell")
        assert table["data-datatyp"] == "uppmätt"
        assert table.caption["id"] == "tab-f-rubrik" and table.caption.get_text() == "Folkmängd"

    def test_scopes(self):
        s = self.soup(caption="T")
        assert [th["scope"] for th in s.thead.find_all("th")] == ["col"] * 4
        rows = s.tbody.find_all("tr")
        assert [r.find().name for r in rows] == ["th", "th"]
        assert all(r.find()["scope"] == "row" for r in rows)
        assert rows[0].find().get_text() == "Örebro"

    def test_numbers_right_aligned_by_class(self):
        s = self.soup(caption="T")
        assert "style=" not in str(s)
        heads = {th.get_text(): th.get("class", []) for th in s.thead.find_all("th")}
        assert heads["Ålder 0–19"] == ["tal"] and heads["Andel"] == ["tal"]
        assert heads["Kommun"] == [] and heads["Förklaring"] == []
        cells = s.tbody.find_all("tr")[0].find_all("td")
        assert cells[0]["class"] == ["tal"] and cells[0].get_text() == "1\u00a0234"
        assert cells[1]["class"] == ["tal"]

    def test_en_dash_in_ranges_not_dates(self):
        assert publish.en_dash("0-19 år, 2009-2019") == "0–19 år, 2009–2019"
        assert publish.en_dash("2020-06-01") == "2020-06-01"
        assert "0-19" not in self.soup(caption="Barn 0-19").get_text()

    def test_long_cells_become_notes(self):
        s = self.soup(caption="T", ident="tab-f")
        cell = s.tbody.find_all("tr")[1].find_all("td")[-1]
        assert cell.a["href"] == "#tab-f-not-1" and cell.get_text() == "1"
        notes = s.select("ol.bok-tabellnoter > li")
        assert len(notes) == 1 and notes[0]["id"] == "tab-f-not-1"
        assert notes[0].get_text().startswith("En lång förklaring")
        assert s.tbody.find_all("tr")[0].find_all("td")[-1].get_text() == "kort"

    def test_sentences_become_notes_lists_do_not(self):
        df = pd.DataFrame({"Mått": ["a", "b", "c"], "Förklaring": [
            "Samma värde: 5 % av antalet, avrundat till hundratal.",
            "Samma värde: 5 % av antalet, avrundat till hundratal.",
            "Lindesberg, Hällefors, Ljusnarsberg, Nora"]})
        s = publish.html_table(df, caption="T", ident="t")
        assert s.count('href="#t-not-1"') == 2 and "t-not-2" not in s
        assert "Lindesberg, Hällefors, Ljusnarsberg, Nora</td>" in s

    def test_short_table_has_no_notes(self):
        df = self.DF.iloc[:1]
        assert "bok-tabellnoter" not in publish.html_table(df, caption="T")


class TestFigure:
    def _fig(self):
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1], [0, 1])
        return fig

    def test_synthetic_figure_is_stamped(self, page, tmp_path):
        publish.figure(self._fig(), "f", title="T", alt="Linje", source="Källa: x",
                       data=pd.DataFrame({"ar": [0, 1]}), kind=provenance.SYNTHETIC)
        im = Image.open(tmp_path / "t_files" / "f.png")
        assert im.text["Datatyp"] == "syntetisk" and im.text["Description"] == provenance.STAMP
        md = page[0]
        assert f":alt: {provenance.STAMP}. Linje" in md
        assert "datatyp-syntetisk" in md and f"**T** {provenance.STAMP}." in md
        assert set(codebook.read(tmp_path / "t_files" / "f-data.csv")["datatyp"]) == {"syntetisk"}

    def test_measured_figure_is_not(self, page, tmp_path):
        publish.figure(self._fig(), "f", title="T", alt="Linje", source="Källa: x",
                       kind=provenance.MEASURED)
        im = Image.open(tmp_path / "t_files" / "f.png")
        assert im.text.get("Datatyp") == "uppmätt" and "Description" not in im.text
        assert provenance.STAMP not in page[0]


class TestFigureSize:
    def _fig(self):
        df = pd.DataFrame({"ar": [2000, 2010] * 2, "v": [1.0, 2.0, 1.5, 2.5], "g": ["a"] * 2 + ["b"] * 2})
        return plots.lines(df, "ar", "v", "g")

    def test_png_records_text_size_and_width(self, page, tmp_path):
        publish.figure(self._fig(), "f", title="T", alt="Linje", source="Källa: x",
                       kind=provenance.SYNTHETIC)
        for name, layout in (("f.png", plots.DESKTOP), ("f.mobil.png", plots.MOBILE)):
            im = Image.open(tmp_path / "t_files" / name)
            css = float(im.text["CssWidth"])
            assert css <= plots.WIDTH_PX[layout]
            # shown at its CSS width, the smallest text is at least 11 CSS px
            assert float(im.text["MinTextPx"]) * css / im.width >= plots.MIN_TEXT_PX - 0.01
            assert im.text["Description"] == provenance.STAMP  # both layouts are stamped

    def test_one_figure_two_images(self, page, tmp_path):
        publish.figure(self._fig(), "f", title="T", alt="Linje", source="Källa: x",
                       kind=provenance.MEASURED)
        md = page[0]
        assert md.count(":::{figure}") == 1 and "```{image} t_files/f.mobil.png" in md
        assert md.count(":alt: Linje") == 2 and "bok-figur-responsiv" in md

    def test_plain_figure_has_one_image(self, page, tmp_path):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        publish.figure(fig, "f", title="T", alt="Linje", source="Källa: x",
                       kind=provenance.MEASURED)
        assert "{image}" not in page[0] and "bok-figur-responsiv" not in page[0]

    def test_bytes_are_deterministic(self, page, tmp_path):
        out = []
        for _ in range(2):
            publish.figure(self._fig(), "f", title="T", alt="Linje", source="Källa: x",
                           kind=provenance.SYNTHETIC)
            out.append([(tmp_path / "t_files" / n).read_bytes() for n in ("f.png", "f.mobil.png")])
        assert out[0] == out[1]


class TestBullets:
    def test_each_synthetic_item_is_marked(self, page):
        publish.bullets(["a", "b"], kind=["uppmätt", "syntetisk"])
        lines = page[0].splitlines()
        assert "datatyp" not in lines[0] and "datatyp-syntetisk" in lines[1]


class TestIndicators:
    def test_kind_recorded(self, page, tmp_path):
        df = pd.DataFrame({"indicator_id": ["a"], "indicator": ["A"], "area_code": ["18"],
                           "period": ["2019"], "value": [1.0]})
        publish.indicators(df, kind=provenance.MODELLED)
        out = pd.read_csv(tmp_path / "t_files" / "indicators.csv")
        assert list(out["data_kind"]) == ["modellerad"]


class TestSources:
    def test_no_files_or_checksums(self, page):
        publish.sources(["seed_figures"])
        assert "md5" not in page[0] and "data/" not in page[0] and "for_analytiker" in page[0]


class TestIndicatorLinks:
    def test_one_and_several(self):
        one = publish.indicator_links(["lh_good_health"])
        assert one == "Om indikatorn: {doc}`/book/_generated/indikatorer/lh_good_health`."
        two = publish.indicator_links(["a_b", "c", "a_b"])
        assert two.startswith("Om indikatorerna: ") and two.count("{doc}") == 2

    @pytest.mark.parametrize("bad", [[], ["Bad id"], ["x/y"], [3]])
    def test_rejects_what_is_not_an_id(self, bad):
        with pytest.raises(ValueError, match="registry ids"):
            publish.indicator_links(bad)


class TestRecordIndicatorUse:
    def test_periods_per_indicator(self, page, tmp_path):
        data = pd.DataFrame({"indicator_id": ["good_health", "good_health", "sleep_any"],
                             "period": [2012, 2017, 2017], "value": [0.7, 0.71, 0.3]})
        publish.record_indicator_use(["lh_good_health", "lh_sleep_any"], "tabell", "t", "T",
                                     data, "syntetisk")
        publish.record_indicator_use(["bef_total"], "diagram", "f", "F",
                                     pd.DataFrame({"ar": [1950, 1951]}), "uppmätt")
        publish.record_indicator_use(["bef_total"], "diagram", "g", "G", None, "uppmätt")
        out = pd.read_csv(tmp_path / "t_files" / "indicator_uses.csv", dtype=str,
                          keep_default_na=False)
        assert list(out["periods"]) == ["2012;2017", "2017", "1950;1951", ""]
        assert list(out["element"]) == ["tabell", "tabell", "diagram", "diagram"]
        assert list(out["data_kind"]) == ["syntetisk", "syntetisk", "uppmätt", "uppmätt"]

    def test_table_and_figure_link_and_record(self, page, tmp_path):
        publish.page_kind(provenance.MEASURED)
        publish.table(pd.DataFrame({"ar": [2019], "folkmangd": [1.0]}), "t", title="T",
                      source="Källa: x", indicators=["bef_total"])
        fig, ax = plt.subplots()
        publish.figure(fig, "f", title="F", alt="Linje", source="Källa: x",
                       indicators=["bef_total", "bef_andel_65"])
        assert page[0].rstrip().endswith(
            "Om indikatorn: {doc}`/book/_generated/indikatorer/bef_total`.")
        assert "Om indikatorerna: {doc}`/book/_generated/indikatorer/bef_total`" in page[1]
        out = pd.read_csv(tmp_path / "t_files" / "indicator_uses.csv", dtype=str,
                          keep_default_na=False)
        assert list(out["indicator_id"]) == ["bef_total", "bef_total", "bef_andel_65"]
        assert list(out["periods"]) == ["2019", "", ""]

    def test_without_indicators_nothing_is_recorded(self, page, tmp_path):
        publish.page_kind(provenance.MEASURED)
        publish.table(pd.DataFrame({"folkmangd": [1.0]}), "t", title="T", source="Källa: x")
        assert "Om indikatorn" not in page[0]
        assert not (tmp_path / "t_files" / "indicator_uses.csv").exists()
