"""Tests for analysis.methods.disclosure: no row under a threshold may keep a value, and no
suppressed cell of a linked count table can be recovered by subtraction."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core import diskcache
from analysis.methods import disclosure, sdcaudit
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


class TestEstimateColumns:
    def test_a_difference_blanks_both_sides_and_flags(self):
        t = tidy([10, 40]).assign(value_area=0.3, lower_rest=0.1, significant=[True, False],
                                  n_rest=[50, 50])
        assert disclosure.estimate_columns(t) == ["value", "lower", "upper", "se", "value_area",
                                                  "lower_rest", "significant"]
        out = suppress(t, rules=disclosure.respondent_rules(30, ("n", "n_rest")))
        assert out.loc[0, ["value_area", "lower_rest", "significant"]].isna().all()
        assert out.loc[1, "value_area"] == 0.3 and out["n_rest"].notna().all()
        assert out["note"].iloc[0] == "färre än 30 svarande"

    def test_rule_helpers(self):
        assert [r.text() for r in disclosure.count_rules(5, 20)] == [
            "färre än 5 barn", "färre än 20 barn i gruppen"]
        assert [r.column for r in disclosure.count_rules(5, 20)] == ["count", "denominator"]
        assert [r.text() for r in disclosure.respondent_rules(30, ("n", "n_rest"))] == [
            "färre än 30 svarande"] * 2


def _cells() -> pd.DataFrame:
    """A linked count table: the län, two kommuner and the rest of the län for each, one year."""
    rows = [("lan", "18", 40, 200), ("kommun", "1814", 3, 30), ("kommun", "1880", 37, 170),
            ("ovriga_lanet", "1814", 37, 170), ("ovriga_lanet", "1880", 3, 30)]
    t = pd.DataFrame(rows, columns=["area_type", "area_code", "count", "denominator"])
    t = t.assign(indicator_id="x", period=2019, breakdown="totalt", group="totalt")
    t["value"] = t["count"] / t["denominator"]
    return t


def _schools() -> pd.DataFrame:
    """Schools and their kommun total per kommun × grade (the youth chapter's school table)."""
    return pd.DataFrame({
        "area_code": ["1880"] * 4 + ["1814"] * 3,
        "grade": ["åk9"] * 4 + ["åk9"] * 3,
        "is_total": [True, False, False, False, True, False, False],
        "respondents": [120, 10, 50, 60, 80, 40, 40],
        "value": [0.5, 0.4, 0.5, 0.55, 0.6, 0.6, 0.6],
    })


class TestProtectCounts:
    def test_linked_table_primary_and_secondary(self):
        out = disclosure.protect_counts(_cells(), 5, 20)
        sup = dict(zip(out["area_type"] + out["area_code"], out["suppressed"], strict=True))
        # 1814 has 3 children (primary); the rest of the län for 1880 is the same cell, also
        # primary; the rest of the län for 1814 and the kommun 1880 would give them away
        assert sup == {"lan18": False, "kommun1814": True, "kommun1880": True,
                       "ovriga_lanet1814": True, "ovriga_lanet1880": True}
        assert out.loc[1, "note"] == "färre än 5 barn"
        assert out.loc[2, "note"] == disclosure.SECONDARY_NOTE
        assert out.loc[out["suppressed"], ["count", "denominator", "value"]].isna().all().all()
        disclosure.check_protected(out, 5, 20)

    def test_group_relations_for_schools(self):
        t = _schools()
        rel = disclosure.group_relations(t, ["area_code", "grade"], total="is_total")
        assert rel == [(4, [5, 6]), (0, [1, 2, 3])]
        out = disclosure.protect_counts(
            t, rules=disclosure.respondent_rules(30, ["respondents"]), relations=rel,
            size="respondents", columns=["value"], blank_counts=False, note="skyddar en annan skola")
        # the school with 10 respondents is primary, the next smallest (50) secondary
        assert out["suppressed"].tolist() == [False, True, True, False, False, False, False]
        assert out["note"].tolist()[1:3] == ["färre än 30 svarande", "skyddar en annan skola"]
        assert out.loc[[1, 2], "value"].isna().all() and out["respondents"].notna().all()
        disclosure.check_protected(out, rules=disclosure.respondent_rules(30, ["respondents"]),
                                   relations=rel, columns=["value"], blank_counts=False)

    def test_arguments(self):
        with pytest.raises(ValueError, match="at least 1"):
            disclosure.protect_counts(_cells(), 0, 20)
        with pytest.raises(TypeError):
            disclosure.protect_counts(_cells(), 5)
        with pytest.raises(TypeError):
            disclosure.protect_counts(_cells(), 5, 20, rules={"count": 5})


class TestCheckProtected:
    def _protected(self) -> pd.DataFrame:
        return disclosure.protect_counts(_cells(), 5, 20)

    def test_a_small_published_cell(self):
        t = self._protected()
        t.loc[1, ["suppressed", "count", "denominator", "value"]] = [False, 3.0, 30.0, 0.1]
        with pytest.raises(disclosure.DisclosureError, match="under the thresholds"):
            disclosure.check_protected(t, 5, 20)

    def test_a_suppressed_cell_with_a_value(self):
        t = self._protected()
        t.loc[2, "value"] = 0.2
        with pytest.raises(disclosure.DisclosureError, match="still has a value"):
            disclosure.check_protected(t, 5, 20)

    def test_a_recoverable_cell(self):
        t = self._protected()
        t.loc[2, ["suppressed", "count", "denominator", "value"]] = [False, 37.0, 170.0, 0.2]
        with pytest.raises(disclosure.DisclosureError, match="recovered"):
            disclosure.check_protected(t, 5, 20)

    def test_raises_under_python_optimised(self):
        """``python -O`` strips asserts: the check must still stop a broken table."""
        code = textwrap.dedent("""
            import sys
            import pandas as pd
            from analysis.methods import disclosure
            assert False, "asserts are on"  # never raised under -O
            t = pd.DataFrame({"area_type": ["lan", "kommun", "kommun"],
                              "area_code": ["18", "1814", "1880"], "count": [40.0, float("nan"), 37.0],
                              "denominator": [200.0, float("nan"), 170.0],
                              "value": [0.2, float("nan"), 0.2], "suppressed": [False, True, False],
                              "indicator_id": "x", "period": 2019, "breakdown": "totalt",
                              "group": "totalt"})
            try:
                disclosure.check_protected(t, 5, 20)
            except disclosure.DisclosureError:
                sys.exit(3)
            sys.exit(0)
        """)
        done = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True)
        assert done.returncode == 3, done.stderr



# --------------------------------------------------------------------------- linked estimates
def _linked(rng, n_kom: int = 4, n_age: int = 3):
    """Cells of a small raked population: kommun × age cells, kommun cells and the total, each
    the weighted mean of its atoms (kommun × age)."""
    atoms = [(k, a) for k in range(n_kom) for a in range(n_age)]
    w = rng.uniform(20, 300, len(atoms))
    p = rng.uniform(0.05, 0.95, len(atoms))
    n = rng.integers(2, 80, len(atoms)).astype(float)
    members = [[i] for i in range(len(atoms))]
    members += [[i for i, (k, _) in enumerate(atoms) if k == kk] for kk in range(n_kom)]
    members.append(list(range(len(atoms))))
    value = [float(np.average(p[m], weights=w[m])) for m in members]
    count = [float(n[m].sum()) for m in members]
    cells = pd.DataFrame({"value": value, "n": count})
    return cells, members, w


class TestProtectLinked:
    @settings(max_examples=15, deadline=None)
    @given(st.integers(0, 100_000))
    def test_no_protected_cell_derivable(self, seed):
        rng = np.random.default_rng(seed)
        cells, members, w = _linked(rng)
        out = disclosure.protect_linked(cells, members, w,
                                        rules=disclosure.respondent_rules(30))
        primary = (cells["n"] < 30).to_numpy()
        assert out.loc[primary, "suppressed"].all()
        assert (out.loc[primary, "rule"] == disclosure.RULE_PRIMARY).all()
        assert out.loc[out["suppressed"], ["value", "n"]].isna().all().all()
        assert set(out["rule"]) <= {"", disclosure.RULE_PRIMARY, disclosure.RULE_COMPLEMENTARY}
        M = sdcaudit.functional_matrix(members, w)
        b = sdcaudit.interval_attack(M, cells["value"].to_numpy(),
                                     ~out["suppressed"].to_numpy(dtype=bool))
        assert not b.derivable(disclosure.PROTECTION_WIDTH)[primary].any()

    def test_lone_cell_gets_a_complement(self):
        # two parts and their mean: one part under the threshold
        cells = pd.DataFrame({"value": [0.2, 0.6, 0.5], "n": [5.0, 50.0, 55.0]})
        out = disclosure.protect_linked(cells, [[0], [1], [0, 1]], np.array([1.0, 3.0]),
                                        rules={"n": 30})
        assert out["suppressed"].tolist() == [True, True, False]
        assert out["rule"].tolist() == ["primär", "sekundär", ""]
        assert out["note"].iloc[1] == disclosure.SECONDARY_NOTE

    def test_tied_cells_hidden_together(self):
        cells = pd.DataFrame({"value": [0.2, 0.6, 0.5, 0.55], "n": [5.0, 50.0, 55.0, 60.0],
                              "tie": [0, 1, 2, 0]})
        out = disclosure.protect_linked(cells, [[0], [1], [0, 1], [1]], np.array([1.0, 3.0]),
                                        rules={"n": 30}, tie="tie")
        assert out["suppressed"].tolist()[3] is True
        assert out["rule"].iloc[3] == "primär"

    def test_nothing_under_the_threshold(self):
        cells = pd.DataFrame({"value": [0.2, 0.6, 0.5], "n": [50.0, 50.0, 100.0]})
        out = disclosure.protect_linked(cells, [[0], [1], [0, 1]], np.ones(2), rules={"n": 30})
        assert not out["suppressed"].any() and (out["rule"] == "").all()


class TestCachedTables:
    def test_built_once_and_read_back_identical(self, tmp_path, monkeypatch):
        monkeypatch.setattr(diskcache, "default_root", lambda name: tmp_path / name)
        calls = []
        tabs = {"a": pd.DataFrame({"value": [0.25, np.nan], "n": [3.0, np.nan],
                                   "rule": ["", "primär"], "suppressed": [False, True]})}

        def build():
            calls.append(1)
            return tabs

        first = disclosure.cached_tables("t", "analysis.methods.disclosure", {"x": 1}, build)
        again = disclosure.cached_tables("t", "analysis.methods.disclosure", {"x": 1}, build)
        other = disclosure.cached_tables("t", "analysis.methods.disclosure", {"x": 2}, build)
        assert len(calls) == 2  # once per key
        for t in (first["a"], again["a"], other["a"]):
            pd.testing.assert_frame_equal(t, tabs["a"])

    def test_design_hash(self):
        d = pd.DataFrame({"kommun": ["1860", "1861"], "x": [1.0, 0.0]})
        h = disclosure.design_hash(d, np.array([1.0, 2.0]))
        assert h == disclosure.design_hash(d.copy(), np.array([1.0, 2.0]))
        assert h != disclosure.design_hash(d, np.array([1.0, 2.5]))
        assert h != disclosure.design_hash(d.assign(x=[0.0, 1.0]), np.array([1.0, 2.0]))
