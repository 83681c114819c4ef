"""Tests for analysis.methods.disclosure: no row under a threshold may keep a value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.methods.disclosure import Rule, format_suppressed, suppress
from analysis.methods.survey import STAT_COLUMNS


def tidy(n: list[float]) -> pd.DataFrame:
    k = len(n)
    return pd.DataFrame(
        {
            "indicator_id": "rokare",
            "area_code": [f"18{i:02d}" for i in range(k)],
            "value": np.linspace(0.1, 0.5, k),
            "lower": np.linspace(0.05, 0.45, k),
            "upper": np.linspace(0.15, 0.55, k),
            "se": 0.02,
            "n": n,
            "confidence": 0.95,
            "statistic": "proportion",
            "method": "logit",
        }
    )


class TestSuppress:
    def test_default_threshold_30(self):
        out = suppress(tidy([10, 29, 30, 31]))
        assert out["suppressed"].tolist() == [True, True, False, False]
        assert out.loc[:1, ["value", "lower", "upper", "se"]].isna().all().all()
        assert out.loc[2:, ["value", "lower", "upper", "se"]].notna().all().all()
        assert out["note"].tolist() == ["färre än 30 svarande"] * 2 + [""] * 2
        assert list(out.columns) == [
            "indicator_id",
            "area_code",
            *STAT_COLUMNS,
            "suppressed",
            "note",
        ]

    def test_input_unchanged(self):
        t = tidy([5, 50])
        suppress(t)
        assert t["value"].notna().all()

    def test_configurable_threshold(self):
        out = suppress(tidy([10, 49, 50]), 50)
        assert out["suppressed"].tolist() == [True, True, False]
        assert out["note"].iloc[0] == "färre än 50 svarande"

    def test_missing_count_is_suppressed(self):
        out = suppress(tidy([np.nan, 100]))
        assert out["suppressed"].tolist() == [True, False]

    def test_rules_on_numerator_and_denominator(self):
        t = pd.DataFrame(
            {
                "area_code": ["1814", "1860", "1861", "1862"],
                "value": [0.1, 0.2, 0.3, 0.4],
                "numerator": [4, 10, 10, 3],
                "denominator": [100, 15, 100, 12],
            }
        )
        out = suppress(t, rules={"numerator": 5, "denominator": 20})
        assert out["suppressed"].tolist() == [True, True, False, True]
        assert out["note"].tolist() == [
            "färre än 5 (numerator)",
            "färre än 20 (denominator)",
            "",
            "färre än 5 (numerator); färre än 20 (denominator)",
        ]
        assert out["numerator"].notna().all()  # counts kept unless asked
        blanked = suppress(t, rules={"numerator": 5, "denominator": 20}, blank_counts=True)
        assert (
            blanked.loc[blanked["suppressed"], ["value", "numerator", "denominator"]]
            .isna()
            .all()
            .all()
        )

    def test_rule_objects_with_notes(self):
        t = pd.DataFrame({"value": [1.0, 2.0], "barn": [3, 9]})
        out = suppress(t, rules=[Rule("barn", 5, note="färre än 5 barn")])
        assert out["note"].tolist() == ["färre än 5 barn", ""]

    def test_errors(self):
        with pytest.raises(KeyError, match="count column"):
            suppress(tidy([40]), count="antal")
        with pytest.raises(KeyError, match="to blank"):
            suppress(tidy([40]), columns=["kvot"])
        with pytest.raises(ValueError, match="negative"):
            suppress(tidy([-1, 40]))
        with pytest.raises(TypeError):
            suppress(tidy([40]), rules=[("n", 30)])

    @settings(max_examples=300, deadline=None)
    @given(
        counts=st.lists(
            st.one_of(st.integers(0, 200), st.just(float("nan")), st.floats(0, 200)),
            min_size=1,
            max_size=40,
        ),
        threshold=st.integers(1, 100),
        second=st.integers(0, 60),
    )
    def test_property_no_small_cell_keeps_a_value(self, counts, threshold, second):
        t = tidy(counts)
        t["denominator"] = [c * 2 for c in counts]
        out = suppress(t, rules={"n": threshold, "denominator": second})
        n = out["n"].to_numpy(dtype=float)
        den = out["denominator"].to_numpy(dtype=float)
        small = ~(n >= threshold) | ~(den >= second)
        stat = out[["value", "lower", "upper", "se"]].to_numpy(dtype=float)
        assert np.isnan(stat[small]).all()
        assert (out["suppressed"].to_numpy() == small).all()
        assert not np.isnan(stat[~small]).any()
        assert (out.loc[small, "note"] != "").all()
        shown = format_suppressed(out)
        assert (shown.loc[small, ["value", "lower", "upper", "se"]] == ".").all().all()
        assert not (shown.loc[~small, "value"] == ".").any()

    @settings(max_examples=200, deadline=None)
    @given(
        counts=st.lists(st.integers(0, 100), min_size=1, max_size=30), threshold=st.integers(1, 60)
    )
    def test_property_default_rule(self, counts, threshold):
        out = suppress(tidy(counts), threshold)
        small = np.array(counts) < threshold
        assert out.loc[small, ["value", "lower", "upper", "se"]].isna().all().all()
        assert out.loc[~small, "value"].notna().all()


class TestFormatSuppressed:
    def test_dot_and_formatter(self):
        out = format_suppressed(
            suppress(tidy([10, 40])), formatter=lambda x: f"{100 * x:.1f}".replace(".", ",")
        )
        assert out["value"].tolist() == [".", "50,0"]
        assert out["se"].tolist() == [".", "2,0"]
        assert out["n"].tolist() == [10, 40]

    def test_missing_value_in_shown_row(self):
        t = suppress(tidy([10, 40]))
        t.loc[1, "lower"] = np.nan
        out = format_suppressed(t, ["value", "lower"], missing="–")
        assert out["lower"].tolist() == [".", "–"]

    def test_per_column_formatter(self):
        out = format_suppressed(
            suppress(tidy([40, 40])), ["value", "n"], formatter={"n": lambda x: f"{x:.0f} st"}
        )
        assert out["n"].tolist() == ["40 st", "40 st"]

    def test_needs_suppress_first(self):
        with pytest.raises(KeyError, match="suppress"):
            format_suppressed(tidy([40]))
