"""No findings from invented structure: the functions that word a kommun range, a rank, a
significance verdict or a calibration check say nothing of the kind on synthetic data
(analysis.chapters.child_poverty, .health, .youth, analysis.methods.surveytables,
analysis.present.health_plots). Kept in one file because the rule cuts across these modules."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.chapters import child_poverty as cp  # noqa: E402
from analysis.chapters import health  # noqa: E402
from analysis.methods import surveytables as st  # noqa: E402
from analysis.present import health_plots  # noqa: E402

KOM = pd.DataFrame({"area_name": ["Laxå", "Degerfors", "Nora"], "value": [0.049, 0.298, 0.1]})


class TestKommunSpread:
    def test_real_names_extremes(self):
        s = cp.kommun_spread(KOM, synthetic=False)
        assert "Laxå" in s and "Degerfors" in s and "4,9" in s

    def test_synthetic_names_none(self):
        s = cp.kommun_spread(KOM, synthetic=True)
        assert not any(k in s for k in KOM["area_name"]) and "rangordnar" in s


class TestRankSentence:
    def test_real_and_synthetic(self):
        prof = {"n_ranked": 12, "rank_text": "den 3:e högsta"}
        assert "den 3:e högsta" in cp.rank_sentence(prof, "Nora", synthetic=False)
        s = cp.rank_sentence(prof, "Nora", synthetic=True)
        assert "högsta" not in s and "3:e" not in s


class TestKeyIndicators:
    def test_child_poverty_kind(self):
        t = pd.DataFrame({"indicator_id": "ekonomiskt_utsatta", "breakdown": "totalt",
                          "period": 2019, "area_type": ["lan", "kommun", "kommun"],
                          "area_code": ["18", "1814", "1860"], "value": [0.1, 0.2, np.nan],
                          "suppressed": [False, False, True]})
        out = cp.key_indicators(t, 2019, synthetic=True)
        assert list(out["area_code"]) == ["18", "1814"] and set(out["data_kind"]) == {"syntetisk"}
        assert set(cp.key_indicators(t, 2019, synthetic=False)["data_kind"]) == {"uppmätt"}


class TestKommunTable:
    def test_synthetic_in_name_order(self):
        t = pd.DataFrame({"indicator_id": "ekonomiskt_utsatta", "breakdown": "totalt",
                          "group": "totalt", "period": 2019,
                          "area_type": ["kommun", "kommun", "lan"],
                          "area_code": ["1860", "1862", "18"],
                          "area_name": ["Laxå", "Degerfors", "Örebro län"],
                          "value": [0.05, 0.3, 0.1], "lower": 0.0, "upper": 1.0,
                          "count": 1, "denominator": 10, "suppressed": False})
        assert list(cp.kommun_table(t, 2019)[0]["Område"]) == ["Degerfors", "Laxå", "Örebro län"]
        assert list(cp.kommun_table(t, 2019, synthetic=True)[0]["Område"])[:2] == \
            ["Degerfors", "Laxå"]
        t["value"] = [0.3, 0.05, 0.1]  # Laxå now highest: the name order does not move
        assert list(cp.kommun_table(t, 2019, synthetic=True)[0]["Område"])[:2] == \
            ["Degerfors", "Laxå"]
        assert list(cp.kommun_table(t, 2019)[0]["Område"])[:2] == ["Laxå", "Degerfors"]


class TestHealthTexts:
    def test_kommun_range(self):
        k = pd.DataFrame({"group": ["Hällefors", "Askersund"], "sex": ["kvinnor", "man"],
                          "value": [0.58, 0.81]})
        assert "Hällefors" in health.kommun_range_text(k, synthetic=False)
        s = health.kommun_range_text(k, synthetic=True)
        assert "Hällefors" not in s and "Askersund" not in s

    def test_published_check_is_a_generator_check_on_synthetic_data(self):
        p = pd.DataFrame({"inside": [True] * 13})
        s = health.published_check_text(p, 2017, synthetic=True)
        assert "generatorn träffar sina mål" in s and "inte en validering" in s
        assert "konfidensintervall" in health.published_check_text(p, 2017, synthetic=False)


ROW = {"value": 0.05, "lower": 0.01, "upper": 0.09, "value_area": 0.45, "value_rest": 0.4,
       "significant": True}


class TestSurveyVerdicts:
    def test_difference_text(self):
        assert "statistiskt säkerställd" in st.difference_text(ROW)
        s = st.difference_text(ROW, verdict=False)
        assert "säkerställd" not in s and "påhittad" in s

    def test_no_star_without_verdict(self):
        t = pd.DataFrame([{**ROW, "indicator_id": "a", "sex": "totalt", "value_area": 0.45,
                           "n": 100}])
        args = {"indicators": {"a": {"label": "A"}}, "sex_labels": {"totalt": "Alla"},
                "order": ["a"]}
        col = "Skillnad, procentenheter (95 % KI)"
        assert "*" in st.difference_display(t, "Nora", **args)[col].iloc[0]
        assert "*" not in st.difference_display(t, "Nora", **args, verdict=False)[col].iloc[0]


class TestPlots:
    def _table(self):
        return pd.DataFrame([{**ROW, "indicator_id": "good_health", "sex": s, "period": p,
                              "suppressed": False}
                             for s in ("kvinnor", "man", "totalt") for p in (2012, 2017)])

    def test_no_filled_markers_without_verdict(self):
        fig = health_plots.differences(self._table(), {"good_health": "God hälsa"}, verdict=False)
        faces = [c.get_facecolors() for c in fig.axes[0].collections]
        assert all(np.allclose(f[:, :3], 1.0) for f in faces if len(f))

    def test_no_bands_on_invented_trends(self):
        with_b = health_plots.trend_panels(self._table(), ["good_health"], ["God hälsa"])
        without = health_plots.trend_panels(self._table(), ["good_health"], ["God hälsa"],
                                            bands=False)
        assert len(with_b.axes[0].collections) > 0 and len(without.axes[0].collections) == 0
