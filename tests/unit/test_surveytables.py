"""Tests for analysis.methods.surveytables: the table helpers the two survey chapters share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.text import NBSP
from analysis.methods import surveytables as st


def _estimates(n=(29, 30)) -> pd.DataFrame:
    return pd.DataFrame({"indicator_id": ["a", "b"], "value": [0.5, 0.6], "lower": [0.4, 0.5],
                         "upper": [0.6, 0.7], "se": [0.05, 0.05], "n": list(n)})


class TestFlag:
    def test_missing_source_is_nan(self):
        src = pd.Series([1, 3, None], dtype="Int8")
        assert st.flag(src <= 2, src).tolist()[:2] == [1.0, 0.0]
        assert np.isnan(st.flag(src <= 2, src).iloc[2])


class TestSuppress:
    def test_threshold_and_flags(self):
        t = _estimates().assign(significant=[True, False], value_area=[0.1, 0.2])
        s = st.suppress(t, 30)
        assert s["suppressed"].tolist() == [True, False]
        assert s.loc[0, ["value", "significant", "value_area"]].isna().all()
        assert s["note"].iloc[0] == "färre än 30 svarande"


class TestSuppressedMask:
    def test_without_and_with_the_column(self):
        t = _estimates()
        assert st.suppressed_mask(t).tolist() == [False, False]
        assert st.suppressed_mask(t.assign(suppressed=[True, False])).tolist() == [True, False]


class TestMarkSuppressed:
    def test_dot_where_masked(self):
        t = _estimates()
        st.mark_suppressed(t, ["value", "n"], np.array([True, False]))
        assert t["value"].tolist() == [".", 0.6] and t["n"].tolist() == [".", 30]


class TestForCsv:
    def test_dots_flags_and_data_column(self):
        s = st.suppress(_estimates().assign(inside=[1.0, 0.0]), 30)
        out = st.for_csv(s, "syntetiska data")
        assert out.loc[0, "value"] == "." and out.loc[1, "value"] == 0.6
        assert out["inside"].tolist() == [".", False]
        assert out.columns[-1] == "data" and (out["data"] == "syntetiska data").all()
        assert "data" not in st.for_csv(s).columns


class TestValue:
    def test_one_row_or_error(self):
        t = _estimates()
        assert st.value(t, indicator_id="b")["n"] == 30
        with pytest.raises(LookupError, match="0 rows"):
            st.value(t, indicator_id="c")


class TestDifference:
    def test_wald_interval_of_independent_estimates(self):
        area = _estimates().set_index("indicator_id")
        rest = area.assign(value=[0.3, 0.6], se=[0.03, 0.04], n=[300, 400])
        out = st.difference(area, rest)
        se = np.sqrt(0.05 ** 2 + 0.03 ** 2)
        assert out["indicator_id"].tolist() == ["a", "b"]
        assert np.isclose(out.loc[0, "value"], 0.2) and np.isclose(out.loc[0, "se"], se)
        assert np.isclose(out.loc[0, "lower"], 0.2 - 1.959964 * se)
        assert out["significant"].tolist() == [True, False]
        assert out["n"].tolist() == [29, 30] and out["n_rest"].tolist() == [300, 400]
        assert st.difference(area, rest, n=pd.Series([1, 2], index=area.index))["n"].tolist() \
            == [1, 2]


class TestShareText:
    def test_share_or_dot(self):
        assert st.share_text(0.424) == f"42{NBSP}%" and st.share_text(np.nan) == "."


class TestIntervalText:
    def test_dash_sign_and_missing(self):
        assert st.interval_text(0.401, 0.433) == "40–\u206043"
        assert st.interval_text(-0.01, 0.05, sign=True) == f"\u22121{NBSP}till{NBSP}+5"
        assert st.interval_text(np.nan, 0.4) == "."


class TestEstimateText:
    def test_share_and_interval(self):
        assert st.estimate_text(0.42, 0.40, 0.43, 1) == f"42,0{NBSP}%{NBSP}(40,0–\u206043,0)"


class TestDifferenceText:
    def test_verdict(self):
        r = {"value_rest": 0.4, "value": 0.02, "lower": -0.01, "upper": 0.05,
             "significant": False}
        assert st.difference_text(r) == (
            f"mot 40{NBSP}% i övriga länet: +2 procentenheter (95 % konfidensintervall "
            f"\u22121{NBSP}till{NBSP}+5); skillnaden är inte statistiskt säkerställd.")


class TestDifferenceDisplay:
    def test_order_labels_and_dots(self):
        area = pd.DataFrame({"indicator_id": ["b", "b", "a"], "sex": ["man", "totalt", "totalt"],
                             "value": 0.5, "lower": 0.4, "upper": 0.6, "se": 0.05,
                             "n": [40, 80, 80]}).set_index(["indicator_id", "sex"])
        t = st.suppress(st.difference(area, area.assign(value=0.4), n=area["n"]), 50)
        out = st.difference_display(t, "Laxå", indicators={"a": {"label": "A"},
                                                           "b": {"label": "B"}},
                                    sex_labels={"totalt": "Totalt", "man": "Män"},
                                    order=["b", "a"])
        assert out[["Indikator", "Kön"]].values.tolist() == [["B", "Totalt"], ["B", "Män"],
                                                             ["A", "Totalt"]]
        assert out["Skillnad, procentenheter (95 % KI)"].iloc[1] == "."
        assert out["Laxå"].iloc[0] == f"50{NBSP}%" and out["Övriga länet"].iloc[0] == f"40{NBSP}%"
