"""Data kinds on published tables, figures, bullets and key indicators (analysis.present.publish)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from analysis.core import provenance  # noqa: E402
from analysis.present import plots, publish  # noqa: E402


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
            publish.write_csv(pd.DataFrame({"a": [1]}), "x")

    def test_unknown_kind(self, page):
        with pytest.raises(ValueError, match="unknown data kind"):
            publish.page_kind("synthetic")


class TestWriteCsv:
    def test_every_row_has_its_kind(self, page):
        publish.page_kind(provenance.MEASURED)
        p = publish.write_csv(pd.DataFrame({"a": [1, 2]}), "x")
        assert list(pd.read_csv(p)["data_kind"]) == ["uppmätt", "uppmätt"]
        p = publish.write_csv(pd.DataFrame({"a": [1, 2]}), "y", ["uppmätt", "syntetisk"])
        assert list(pd.read_csv(p)["data_kind"]) == ["uppmätt", "syntetisk"]

    def test_wrong_length(self, page):
        with pytest.raises(ValueError, match="3 data kinds for 2 rows"):
            publish.write_csv(pd.DataFrame({"a": [1, 2]}), "x", ["uppmätt"] * 3)


class TestTable:
    def test_synthetic_table_is_marked(self, page):
        publish.page_kind(provenance.SYNTHETIC)
        publish.table(pd.DataFrame({"a": [1.0]}), "t", title="T", source="Källa: x")
        assert provenance.STAMP in page[0] and 'data-datatyp="syntetisk"' in page[0]

    def test_mixed_rows_get_a_column(self, page):
        publish.table(pd.DataFrame({"a": [1.0, 2.0]}), "t", title="T", source="Källa: x",
                      kind=["uppmätt", "modellerad"])
        assert "<th>Datatyp</th>" in page[0] and "modellerade data" in page[0]


class TestFigure:
    def _fig(self):
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1], [0, 1])
        return fig

    def test_synthetic_figure_is_stamped(self, page, tmp_path):
        publish.figure(self._fig(), "f", title="T", alt="Linje", source="Källa: x",
                       data=pd.DataFrame({"x": [0, 1]}), kind=provenance.SYNTHETIC)
        im = Image.open(tmp_path / "t_files" / "f.png")
        assert im.text["Datatyp"] == "syntetisk" and im.text["Description"] == provenance.STAMP
        md = page[0]
        assert f":alt: {provenance.STAMP}. Linje" in md
        assert "datatyp-syntetisk" in md and f"**T** {provenance.STAMP}." in md
        assert set(pd.read_csv(tmp_path / "t_files" / "f-data.csv")["data_kind"]) == {"syntetisk"}

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
