"""Data kinds on published tables, figures, bullets and key indicators (analysis.present.publish)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from analysis.core import provenance  # noqa: E402
from analysis.present import codebook, publish  # noqa: E402


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
        assert "<th>Datatyp</th>" in page[0] and "modellerade data" in page[0]


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
