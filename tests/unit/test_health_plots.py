"""Tests for analysis.present.health_plots: every chart draws, and a suppressed estimate is never drawn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import health
from analysis.core import geo
from analysis.present import health_plots
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
        legend = [x.get_text() for x in fig.axes[1].get_legend().get_texts()]
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
