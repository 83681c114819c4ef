"""Tests for analysis.present.health_plots: every chart draws, and a suppressed estimate is never drawn."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import health
from analysis.core import geo
from analysis.present import health_plots, plots
from analysis.sources import catalog


@pytest.fixture
def groups():
    t = pd.DataFrame(health.PUBLISHED_GOOD_HEALTH)[["label"]].rename(columns={"label": "group"})
    t["published"] = [v / 100 for v in health.published_good_health(catalog.load("seed_figures"))]
    t["value"] = t["published"] + 0.01
    t["lower"], t["upper"] = t["value"] - 0.03, t["value"] + 0.03
    t["n"] = 500
    t.loc[3, "n"] = 10
    return health.suppress(t, 30)


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


class TestPublishedVsComputed:
    def test_draws_and_marks_suppressed(self, groups):
        fig = health_plots.published_vs_computed(groups)
        assert _texts(fig).count(".") == 1
        assert len(fig.axes[0].get_yticklabels()) == 10


class TestKommunMaps:
    def test_two_maps_and_hatched_suppressed(self):
        gdf = catalog.load("kommungranser")
        rows = [{"indicator_id": "good_health", "area_code": k, "sex": s,
                 "value": 0.6 + 0.01 * i, "n": 100}
                for i, k in enumerate(geo.KOMMUNER) for s in ("kvinnor", "man")]
        t = pd.DataFrame(rows)
        t.loc[0, "value"] = np.nan
        bins, labels = health.map_classes(t["value"])
        fig = health_plots.kommun_maps(gdf, t, bins, labels)
        assert len(fig.axes) == 2
        legend = [x.get_text() for x in fig.legends[0].get_texts()]
        assert any(x.startswith("73") for x in legend) and fig.axes[0].get_legend() is None
        assert "Visas inte (.)" in legend  # the suppressed kommun is hatched, not coloured


class TestSexAgeBars:
    def test_suppressed_bar_shows_a_dot(self):
        ages = ["18-29", "30-44"]
        t = pd.DataFrame([{"indicator_id": "x", "sex": s, "age": a, "value": 0.5, "lower": 0.4,
                           "upper": 0.6, "n": 100} for s in ("kvinnor", "man") for a in ages])
        t.loc[0, "n"] = 5
        t = health.suppress(t, 30)
        fig = health_plots.sex_age_bars(t, ["x"], ["X"], ages=ages)
        assert _texts(fig).count(".") == 1
        two = health_plots.sex_age_bars(t.assign(indicator_id="y"), ["y", "y"], ["Y", "Z"],
                                        ages=ages)
        # every panel's bars keep their width (a title once overwrote the bar width)
        assert {round(p.get_width(), 2) for ax in two.axes for p in ax.patches} == {0.38}
        heights = [p.get_height() for p in fig.axes[0].patches]
        assert heights.count(0) == 1


class TestTrendPanels:
    def test_one_panel_per_indicator(self):
        t = pd.DataFrame([{"indicator_id": i, "sex": s, "period": y, "value": 0.3,
                           "lower": 0.25, "upper": 0.35, "n": 100}
                          for i in ("a", "b") for s in ("kvinnor", "man", "totalt")
                          for y in (2000, 2017)])
        fig = health_plots.trend_panels(health.suppress(t, 30), ["a", "b"], ["A", "B"], ncols=2)
        assert sum(ax.get_visible() for ax in fig.axes) == 2
        assert [x.get_text() for x in fig.axes[0].get_xticklabels()] == ["2000", "2017"]


class TestForest:
    def test_suppressed_factor_left_out(self):
        t = pd.DataFrame({"group": ["a", "b", "c"], "value": [0.5, 1.5, 2.0],
                          "lower": [0.4, 1.2, 1.5], "upper": [0.6, 1.8, 2.6],
                          "shown": [True, True, True], "n_category": [100, 100, 5]})
        fig = health_plots.forest(health.suppress(t, 30, counts=("n_category",)))
        assert [x.get_text() for x in fig.axes[0].get_yticklabels()] == ["a", "b"]


class TestDifferences:
    def test_significant_filled_and_suppressed_dot(self):
        t = pd.DataFrame([{"indicator_id": i, "sex": s, "value": 0.05, "lower": 0.01,
                           "upper": 0.09, "significant": True, "n": 100, "n_rest": 1000}
                          for i in ("good_health", "daily_smoker")
                          for s in ("kvinnor", "man", "totalt")])
        t.loc[0, "n"] = 3
        fig = health_plots.differences(health.suppress(t, 30, counts=("n", "n_rest")),
                                       {"good_health": "God hälsa"})
        assert _texts(fig).count(".") == 1


class TestLayouts:
    def test_five_panels_reflow(self):
        ages = ["åk 7", "åk 9"]
        inds = list("abcde")
        t = pd.DataFrame([{"indicator_id": i, "sex": s, "age": a, "value": 0.5, "lower": 0.4,
                           "upper": 0.6, "n": 100} for i in inds for s in ("kvinnor", "man")
                          for a in ages])
        fig = health_plots.sex_age_bars(health.suppress(t, 30), inds, inds, ages=ages)
        assert fig.axes[0].get_gridspec().ncols == 3  # two rows on a desktop
        phone = plots.variant(fig, plots.MOBILE)
        assert phone.axes[0].get_gridspec().ncols == 2  # few bars: two narrow panels a row
        many = health_plots.sex_age_bars(health.suppress(t, 30), inds, inds, ages=ages + ["gy 1", "gy 2"],
                                         layout=plots.MOBILE)
        assert many.axes[0].get_gridspec().ncols == 1

    def test_differences_legend_below_and_explains_filled(self):
        t = pd.DataFrame([{"indicator_id": i, "sex": s, "value": 0.05, "lower": -0.01,
                           "upper": 0.11, "significant": s == "man", "n": 100, "n_rest": 1000}
                          for i in ("good_health", "daily_smoker")
                          for s in ("kvinnor", "man", "totalt")])
        fig = health_plots.differences(health.suppress(t, 30, counts=("n", "n_rest")), {})
        fig.canvas.draw()
        legend = fig.legends[0]
        names = [x.get_text() for x in legend.get_texts()]
        assert "Fylld: säkerställd skillnad" in names
        r = fig.canvas.get_renderer()
        # the legend sits outside the plot: it covers no interval
        assert not legend.get_window_extent(r).overlaps(fig.axes[0].get_window_extent(r))
        synthetic = health_plots.differences(health.suppress(t, 30, counts=("n", "n_rest")), {},
                                             verdict=False)
        names = [x.get_text() for x in synthetic.legends[0].get_texts()]
        assert not any(n.startswith("Fylld") for n in names)

    def test_map_labels_legible_and_apart(self):
        from matplotlib.text import Text

        gdf = catalog.load("kommungranser")
        rows = [{"indicator_id": "good_health", "area_code": k, "sex": s,
                 "value": 0.6 + 0.01 * i, "n": 100}
                for i, k in enumerate(geo.KOMMUNER) for s in ("kvinnor", "man")]
        t = pd.DataFrame(rows)
        bins, labels = health.map_classes(t["value"])
        for layout in plots.LAYOUTS:
            fig = health_plots.kommun_maps(gdf, t, bins, labels, layout=layout)
            fig.canvas.draw()
            r = fig.canvas.get_renderer()
            for ax in fig.axes:
                boxes = [Text.get_window_extent(x, r) for x in ax.texts]
                assert all(x.get_fontsize() >= plots.MIN_PT and x.get_path_effects()
                           for x in ax.texts)
                overlaps = [(a.get_text(), b.get_text())
                            for (a, ba), (b, bb) in itertools.combinations(
                                zip(ax.texts, boxes, strict=True), 2) if ba.overlaps(bb)]
                assert overlaps == [], (layout, overlaps)

    def test_phone_layouts_fit_their_width(self):
        t = pd.DataFrame([{"indicator_id": i, "sex": s, "value": 0.05, "lower": -0.01,
                           "upper": 0.11, "significant": False, "n": 100, "n_rest": 1000}
                          for i in ("good_health", "daily_smoker")
                          for s in ("kvinnor", "man", "totalt")])
        bars = pd.DataFrame([{"indicator_id": i, "sex": s, "age": a, "value": 0.5,
                              "lower": 0.4, "upper": 0.6, "n": 100}
                             for i in ("a", "b") for s in ("kvinnor", "man")
                             for a in ("åk 7", "åk 9", "gy 2")])
        figs = [health_plots.differences(health.suppress(t, 30, counts=("n", "n_rest")),
                                         {"good_health": "Avstår från att gå ut ensam av "
                                          "rädsla"}, layout=plots.MOBILE),
                health_plots.sex_age_bars(health.suppress(bars, 30), ["a", "b"],
                                          ["Ofta eller alltid ängslig, orolig eller nedstämd",
                                           "Mår bra eller mycket bra"],
                                          ages=("åk 7", "åk 9", "gy 2"), layout=plots.MOBILE)]
        for fig in figs:
            fig.canvas.draw()
            box = fig.get_tightbbox(fig.canvas.get_renderer())
            assert box.width * plots.PX_PER_INCH <= plots.WIDTH_PX[plots.MOBILE] + 1
