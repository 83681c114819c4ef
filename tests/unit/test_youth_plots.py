"""Tests for analysis.present.youth_plots: every chart draws, and a suppressed estimate is never drawn."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.chapters import health
from analysis.present import health_plots, plots, youth_plots


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _dose() -> pd.DataFrame:
    rows = [{"sex": s, "factors": k, "group": str(k), "value": 0.3 + 0.1 * k,
             "lower": 0.25 + 0.1 * k, "upper": 0.35 + 0.1 * k, "n": 100}
            for s in ("kvinnor", "man", "totalt") for k in range(6)]
    t = pd.DataFrame(rows)
    t.loc[0, "n"] = 12  # girls with no protective factor: under the threshold
    return health.suppress(t, 30)


class TestDoseResponse:
    def test_draws_and_marks_suppressed(self):
        fig = youth_plots.dose_response(_dose())
        assert _texts(fig).count(".") == 1
        ax = fig.axes[0]
        girls = [ln for ln in ax.lines if ln.get_label() == "Flickor"][0]
        assert len(girls.get_xdata()) == 5  # the suppressed point is not drawn
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Flickor", "Pojkar",
                                                                       "Totalt"]


class TestYouthAdult:
    def test_two_panels_and_suppressed_bar(self):
        rows = []
        for m, groups in (("halsa", ["åk 7", "åk 9", "gy 2", "18–29 år", "18 år och äldre"]),
                          ("who5", ["åk 9", "gy 2", "18–29 år", "18 år och äldre"])):
            for g in groups:
                for s in ("kvinnor", "man"):
                    rows.append({"measure": m, "group": g, "sex": s, "value": 0.7,
                                 "lower": 0.65, "upper": 0.75, "n": 200,
                                 "population": "unga" if "år" not in g else "vuxna"})
        t = pd.DataFrame(rows)
        t.loc[0, "n"] = 3
        fig = youth_plots.youth_adult(health.suppress(t, 30))
        assert len(fig.axes) == 2 and _texts(fig).count(".") == 1


class TestSchoolSpread:
    def test_only_shown_schools_are_dots(self):
        t = pd.DataFrame({"grade": ["ak7", "ak7", "ak9", "gy2", "ak7"],
                          "is_total": [False, False, False, False, True],
                          "value": [0.8, np.nan, 0.7, 0.75, 0.78], "lower": 0.6, "upper": 0.9,
                          "suppressed": [False, True, False, False, False]})
        fig = youth_plots.school_spread(t)
        from matplotlib.collections import PathCollection

        dots = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
        assert sum(len(c.get_offsets()) for c in dots) == 3


class TestHelpers:
    def test_relabel_sexes_and_share_ticks(self):
        t = pd.DataFrame({"indicator_id": "x", "period": [2005, 2017] * 3,
                          "sex": ["kvinnor"] * 2 + ["man"] * 2 + ["totalt"] * 2,
                          "value": [0.010, 0.012, 0.011, 0.013, 0.0105, 0.0125],
                          "lower": 0.009, "upper": 0.014, "n": 500})
        fig = health_plots.trend_panels(t, ["x"], ["Röker dagligen"], ncols=1, figsize=(4, 3))
        youth_plots.relabel_sexes(fig)
        labels = [x.get_text() for x in fig.legends[0].get_texts()]
        assert labels[:2] == ["Flickor", "Pojkar"]
        youth_plots.share_ticks(fig)
        fig.canvas.draw()
        ticks = [x.get_text() for x in fig.axes[0].get_yticklabels() if x.get_text()]
        assert len(ticks) == len(set(ticks)) and "," in ticks[0]

    def test_phone_layout_keeps_the_relabelling(self):
        t = pd.DataFrame({"indicator_id": "x", "period": [2005, 2017] * 3,
                          "sex": ["kvinnor"] * 2 + ["man"] * 2 + ["totalt"] * 2,
                          "value": [0.010, 0.012, 0.011, 0.013, 0.0105, 0.0125],
                          "lower": 0.009, "upper": 0.014, "n": 500})
        fig = youth_plots.relabel_sexes(health_plots.trend_panels(t, ["x"], ["Röker dagligen"]))
        phone = plots.variant(fig, plots.MOBILE)
        assert phone.get_size_inches()[0] * plots.PX_PER_INCH == plots.WIDTH_PX[plots.MOBILE]
        assert [x.get_text() for x in phone.legends[0].get_texts()][:2] == ["Flickor", "Pojkar"]
