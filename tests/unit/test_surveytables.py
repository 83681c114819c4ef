"""Tests for analysis.methods.surveytables: the table helpers the two survey chapters share."""

from __future__ import annotations

import re
from pathlib import Path

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
        r = {"value_area": 0.42, "value_rest": 0.4, "value": 0.02, "lower": -0.01,
             "upper": 0.05, "significant": False}
        assert st.difference_text(r) == (
            f"mot 40{NBSP}% i övriga länet: +2 procentenheter (95 % konfidensintervall "
            f"\u22121{NBSP}till{NBSP}+5); skillnaden är inte statistiskt säkerställd.")

    def test_difference_of_shown_shares_and_shown_verdict(self):
        # 81 % vs 80 %: +1, not the +2 of the unrounded 1,98 points; the interval 0,3 to 3,7
        # is shown as 0 till +4 and so is not called significant
        r = {"value_area": 0.8149, "value_rest": 0.7951, "value": 0.0198, "lower": 0.003,
             "upper": 0.037, "significant": True}
        out = st.difference_text(r)
        assert out.startswith(f"mot 80{NBSP}% i övriga länet: +1 procentenheter")
        assert f"0{NBSP}till{NBSP}+4" in out and "inte statistiskt säkerställd" in out

    def test_synthetic_has_no_verdict(self):
        r = {"value_area": 0.42, "value_rest": 0.4, "value": 0.02, "lower": 0.01,
             "upper": 0.05, "significant": True}
        assert "påhittad" in st.difference_text(r, verdict=False)


class TestDifferenceNote:
    def test_star_only_for_real_data(self):
        assert "asterisk" in st.difference_note(False)
        assert "asterisk" not in st.difference_note(True) and "prövas inte" in st.difference_note(True)
        assert "avrundade andelarna" in st.difference_note(True)


class TestShownVerdicts:
    def test_significant_only_when_shown_interval_excludes_zero(self):
        t = pd.DataFrame({"lower": [0.003, 0.012, -0.05, np.nan],
                          "upper": [0.05, 0.05, 0.02, np.nan],
                          "significant": [True, True, False, np.nan]})
        out = st.shown_verdicts(t)
        assert out["significant"].iloc[:3].tolist() == [False, True, False]
        assert pd.isna(out["significant"].iloc[3])
        assert t["significant"].iloc[0]  # the input is not changed


FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rounding"


def _num(s: str) -> float:
    return float(s.replace("\u2212", "-").replace(NBSP, "").replace("%", "").replace(",", "."))


class TestDifferenceDisplay:
    def test_profile_tables_of_2019(self):
        """The 24 profile comparison tables of the 2019 edition (432 rows), shown with verdicts
        as with real data: no difference disagrees with the shown shares, no star sits on a
        shown interval containing 0. Rounded naively, the same rows gave 103 and 24."""
        t = pd.read_csv(FIXTURE / "profile_comparisons_2019.csv", dtype={"area_code": str})
        naive_diff = (np.round(100 * t["value"]) != np.round(100 * t["value_area"])
                      - np.round(100 * t["value_rest"]))
        naive_star = t["significant"] & (np.round(100 * t["lower"]) <= 0) & (
            np.round(100 * t["upper"]) >= 0)
        assert (len(t), int(naive_diff.sum()), int(naive_star.sum())) == (432, 103, 24)
        rows = inconsistent = starred_zero = starred = 0
        for (_, _), g in t.groupby(["survey", "area_code"]):
            labels = {i: {"label": i} for i in g["indicator_id"]}
            out = st.difference_display(g, "Området", indicators=labels,
                                        sex_labels={"totalt": "T", "kvinnor": "K", "man": "M"},
                                        order=list(labels), verdict=True)
            for a, b, cell in zip(out["Området"], out["Övriga länet"],
                                  out["Skillnad, procentenheter (95 % KI)"], strict=True):
                m = re.fullmatch(r"(\S+)( \*)? \((\S+)\u00a0till\u00a0(\S+)\)", cell)
                rows += 1
                inconsistent += _num(m[1]) != _num(a) - _num(b)
                starred += bool(m[2])
                starred_zero += bool(m[2]) and _num(m[3]) <= 0 <= _num(m[4])
        assert (rows, inconsistent, starred_zero) == (432, 0, 0)
        assert starred > 0  # verdicts are still given where the shown interval excludes 0

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
