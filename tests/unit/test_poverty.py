"""Tests for analysis.methods.poverty: hand-computed examples, edge cases and a property test.

Reference values: tests/fixtures/poverty/ (see PROVENANCE.md); the rest are computed by hand in the
comments next to each assertion.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.methods import poverty as pv
from analysis.methods import survey

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "poverty"
MEDIAN = {y: 250_000.0 for y in range(2010, 2022)}  # threshold 0.6 * 250 000 = 150 000


def _norms(years=range(2016, 2020)) -> pd.DataFrame:
    # hand-made norm table: 120 000 for the first adult, +60 000 per further adult, +40 000 per child
    return pd.DataFrame(
        [
            {"year": y, "adults": a, "children": c, "norm": 120_000 + 60_000 * (a - 1) + 40_000 * c}
            for y in years
            for a in (1, 2, 3)
            for c in range(0, 5)
        ]
    )


def _row(person, household, year, kommun, age, couple, other, kids, income, assistance=False,
         background="svensk", education="gymnasial"):
    return {
        "person_id": person, "household_id": household, "year": year, "kommun": kommun,
        "age": age, "sex": "man", "adults_in_couple": couple, "other_adults": other,
        "children_0_19": kids, "disposable_income": float(income),
        "economic_assistance": assistance, "background": background,
        "parents_education": education,
    }


class TestConsumptionUnits:
    examples = pd.read_csv(FIXTURES / "se_konsumtionsenheter_examples.csv").dropna(
        subset=["adults_in_couple"]
    )

    @pytest.mark.parametrize("row", examples.to_dict("records"), ids=lambda r: r["household"])
    def test_reference_examples(self, row):
        got = pv.consumption_units(row["adults_in_couple"], row["other_adults"], row["children_0_19"])
        assert got == pytest.approx(row["consumption_units"], abs=1e-12)

    def test_second_adult_who_is_not_a_partner(self):
        # open question, documented reading: lone parent + adult child = 1.00 + 0.60
        assert pv.consumption_units(0, 2, 0) == pytest.approx(1.60)
        # couple + adult child + 1 child: 1.51 + 0.60 + 0.52
        assert pv.consumption_units(2, 1, 1) == pytest.approx(2.63)

    def test_vectorised_and_scalar(self):
        got = pv.consumption_units(pd.Series([2, 0, 2]), np.array([0, 1, 0]), [4, 3, 0])
        # 1.51+0.52+3*0.42 = 3.29 ; 1.00+0.52+2*0.42 = 2.36 ; 1.51
        np.testing.assert_allclose(got, [3.29, 2.36, 1.51])
        assert isinstance(pv.consumption_units(2, 0, 0), float)

    @pytest.mark.parametrize(
        "args, match",
        [((1, 0, 0), "0 or 2"), ((0, 0, 2), "at least one adult"), ((2, -1, 0), ">= 0"),
         ((2, 0, 1.5), "whole")],
    )
    def test_rejects_impossible_households(self, args, match):
        with pytest.raises(ValueError, match=match):
            pv.consumption_units(*args)


class TestEconomicStandard:
    def test_income_per_consumption_unit(self):
        # couple + 2 children: 490 000 / 2.45 = 200 000
        assert pv.economic_standard(490_000, 2.45) == pytest.approx(200_000)

    def test_zero_and_negative_income(self):
        np.testing.assert_allclose(pv.economic_standard([0, -15_100], [1.51, 1.51]), [0, -10_000])

    def test_every_member_gets_the_household_value(self):
        cu = pv.consumption_units([2, 2, 2, 2], [0] * 4, [2] * 4)
        es = pv.economic_standard([490_000] * 4, cu)
        assert np.unique(es).size == 1

    @pytest.mark.parametrize("income, cu", [(np.nan, 1.0), (100.0, 0.0), (100.0, -1.0)])
    def test_rejects_missing_income_and_bad_units(self, income, cu):
        with pytest.raises(ValueError):
            pv.economic_standard(income, cu)


class TestLowEconomicStandard:
    def test_tie_at_exactly_60_percent_is_not_low(self):
        # 226 500 / 1.51 = 150 000 = 0.6 * 250 000: not strictly below
        es = pv.economic_standard(226_500, 1.51)
        assert pv.low_economic_standard(es, 2020, MEDIAN) is False
        assert pv.low_economic_standard(150_000.0, 2020, MEDIAN) is False

    def test_just_below_and_above(self):
        got = pv.low_economic_standard([149_999.99, 150_000.01], [2020, 2020], MEDIAN)
        assert got.tolist() == [True, False]

    def test_zero_and_negative_standard_are_low(self):
        assert pv.low_economic_standard([0.0, -5.0], 2020, MEDIAN).tolist() == [True, True]

    def test_each_year_has_its_own_national_median(self):
        median = {2019: 250_000, 2020: 300_000}  # thresholds 150 000 and 180 000
        got = pv.low_economic_standard([170_000, 170_000], [2019, 2020], median)
        assert got.tolist() == [False, True]

    def test_median_as_series(self):
        median = pd.Series([250_000.0], index=[2020])
        assert pv.low_economic_standard(149_000, 2020, median) is True

    def test_missing_median_year_is_an_error(self):
        with pytest.raises(ValueError, match="missing for year"):
            pv.low_economic_standard([100_000], [2021], {2020: 250_000})


def _panel(rows: list[tuple[str, int, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["person_id", "year", "low_economic_standard"])


def _at(result: pd.DataFrame, panel: pd.DataFrame, person: str, year: int):
    i = panel.index[(panel["person_id"] == person) & (panel["year"] == year)][0]
    return result.loc[i]


class TestPersistentLowEconomicStandard:
    def test_low_now_and_two_of_three_previous(self):
        panel = _panel([("a", 2016, True), ("a", 2017, True), ("a", 2018, False), ("a", 2019, True),
                        ("b", 2016, True), ("b", 2017, False), ("b", 2018, False), ("b", 2019, True),
                        ("c", 2016, True), ("c", 2017, True), ("c", 2018, True), ("c", 2019, False)])
        res = pv.persistent_low_economic_standard(panel)
        assert bool(_at(res, panel, "a", 2019)["persistent_low_economic_standard"]) is True
        assert bool(_at(res, panel, "b", 2019)["persistent_low_economic_standard"]) is False
        # not low in the current year: never persistent
        assert bool(_at(res, panel, "c", 2019)["persistent_low_economic_standard"]) is False
        assert _at(res, panel, "a", 2019)["prev_years_low"] == 2

    def test_years_before_the_panel_can_hold_three_previous_years_are_na(self):
        panel = _panel([("a", y, True) for y in range(2016, 2020)])
        res = pv.persistent_low_economic_standard(panel)
        assert res["persistent_low_economic_standard"].isna().tolist() == [True, True, True, False]
        assert res.attrs["first_evaluable_year"] == 2019
        assert res.attrs["n_rows_not_evaluable"] == 3

    def test_missing_previous_year_counts_as_not_low(self):
        # d absent in 2017 (gap): 2016 and 2018 low -> still 2 of 3
        # e absent in 2017 and 2018 -> only 2016 low -> not persistent (default rule)
        panel = _panel([("d", 2016, True), ("d", 2018, True), ("d", 2019, True),
                        ("e", 2016, True), ("e", 2019, True),
                        ("f", 2016, False), ("f", 2017, False), ("f", 2018, False), ("f", 2019, False)])
        res = pv.persistent_low_economic_standard(panel)
        d, e = _at(res, panel, "d", 2019), _at(res, panel, "e", 2019)
        assert bool(d["persistent_low_economic_standard"]) is True
        assert d["prev_years_observed"] == 2
        assert bool(e["persistent_low_economic_standard"]) is False
        assert e["prev_years_observed"] == 1
        assert res.attrs["n_persons_incomplete_history"] == 2  # d and e
        assert res.attrs["n_rows_incomplete_history"] == 2

    def test_missing_rule_na_leaves_undetermined_rows_out(self):
        panel = _panel([("d", 2016, True), ("d", 2018, True), ("d", 2019, True),  # settled: True
                        ("e", 2016, True), ("e", 2019, True),  # would be True if 2017/18 were low
                        ("g", 2016, True), ("g", 2019, False)])  # settled: False (not low now)
        res = pv.persistent_low_economic_standard(panel, missing="na")
        assert bool(_at(res, panel, "d", 2019)["persistent_low_economic_standard"]) is True
        assert pd.isna(_at(res, panel, "e", 2019)["persistent_low_economic_standard"])
        assert bool(_at(res, panel, "g", 2019)["persistent_low_economic_standard"]) is False

    def test_gap_is_not_skipped_over(self):
        # previous rows are 2012/2013 (both low) but the window of 2019 is 2016-2018: only 2018 low
        panel = _panel([("h", 2012, True), ("h", 2013, True), ("h", 2018, True), ("h", 2019, True)])
        res = pv.persistent_low_economic_standard(panel)
        assert bool(_at(res, panel, "h", 2019)["persistent_low_economic_standard"]) is False

    def test_row_order_does_not_matter(self):
        panel = _panel([("a", 2016, True), ("a", 2017, True), ("a", 2018, False), ("a", 2019, True),
                        ("b", 2016, False), ("b", 2017, True), ("b", 2018, True), ("b", 2019, True)])
        shuffled = panel.sample(frac=1, random_state=3)
        a = pv.persistent_low_economic_standard(panel)
        b = pv.persistent_low_economic_standard(shuffled).loc[panel.index]
        pd.testing.assert_frame_equal(a, b)

    def test_duplicate_person_year_is_an_error(self):
        panel = _panel([("a", 2016, True), ("a", 2016, False)])
        with pytest.raises(ValueError, match="more than one row"):
            pv.persistent_low_economic_standard(panel)

    def test_missing_low_flag_is_an_error(self):
        panel = _panel([("a", 2016, True)]).astype({"low_economic_standard": "boolean"})
        panel.loc[0, "low_economic_standard"] = pd.NA
        with pytest.raises(ValueError, match="missing values"):
            pv.persistent_low_economic_standard(panel)

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 4), st.integers(2010, 2020), st.booleans()),
                    min_size=1, max_size=40, unique_by=lambda t: (t[0], t[1])))
    def test_matches_a_plain_python_reference(self, rows):
        panel = _panel([(f"p{p}", y, low) for p, y, low in rows])
        res = pv.persistent_low_economic_standard(panel)
        lows = {(p, y): low for p, y, low in panel.itertuples(index=False)}
        first = panel["year"].min()
        for i, (p, y, low) in enumerate(panel.itertuples(index=False)):
            prev = sum(lows.get((p, y - k), False) for k in (1, 2, 3))
            got = res["persistent_low_economic_standard"].iloc[i]
            if y < first + 3:
                assert pd.isna(got)
            else:
                assert bool(got) == (low and prev >= 2)


class TestHouseholdNorm:
    def test_lookup_by_year_adults_children(self):
        keys = pd.DataFrame({"year": [2016, 2019], "adults": [2, 1], "children": [2, 0]})
        # 120 000 + 60 000 + 2 * 40 000 = 260 000 ; 120 000
        np.testing.assert_allclose(pv.household_norm(keys, _norms()), [260_000, 120_000])

    def test_missing_combination_is_listed(self):
        keys = pd.DataFrame({"year": [2016], "adults": [5], "children": [0]})
        with pytest.raises(ValueError, match="no norm for these household combinations"):
            pv.household_norm(keys, _norms())

    def test_bad_norm_tables(self):
        keys = pd.DataFrame({"year": [2016], "adults": [1], "children": [0]})
        with pytest.raises(ValueError, match="duplicate keys"):
            pv.household_norm(keys, pd.concat([_norms(), _norms()]))
        with pytest.raises(ValueError, match="> 0"):
            pv.household_norm(keys, _norms().assign(norm=0))
        with pytest.raises(ValueError, match="'norm'"):
            pv.household_norm(keys, _norms().drop(columns="norm"))

    def test_household_type_as_key(self):
        keys = pd.DataFrame({"year": [2016], "household_type": ["ensamstående med barn"]})
        norms = pd.DataFrame({"year": [2016], "household_type": ["ensamstående med barn"],
                              "norm": [200_000]})
        assert pv.household_norm(keys, norms).tolist() == [200_000]


class TestLowIncomeStandard:
    def test_ratio_and_strictly_below_one(self):
        ratio, low = pv.low_income_standard([130_000, 260_000, 390_000], [260_000] * 3)
        np.testing.assert_allclose(ratio, [0.5, 1.0, 1.5])
        assert low.tolist() == [True, False, False]  # exactly at the norm: not low

    def test_zero_and_negative_income_are_low(self):
        ratio, low = pv.low_income_standard([0, -20_000], [200_000, 200_000])
        assert low.tolist() == [True, True]
        np.testing.assert_allclose(ratio, [0.0, -0.1])

    def test_scalars(self):
        assert pv.low_income_standard(100.0, 200.0) == (0.5, True)

    def test_bad_norm(self):
        with pytest.raises(ValueError, match="norm must be > 0"):
            pv.low_income_standard([1.0], [0.0])


class TestHouseholdType:
    def test_labels(self):
        got = pv.household_type([0, 2, 2, 0, 2, 0], [1, 0, 1, 2, 0, 1], [2, 1, 1, 0, 0, 0])
        assert list(got) == [
            "ensamstående med barn", "sammanboende med barn", "övriga hushåll med barn",
            "övriga hushåll utan barn", "sammanboende utan barn", "ensamstående utan barn",
        ]


def _composition_panel() -> pd.DataFrame:
    rows = [
        # c1: each year's own household (hand-computed economic standard, threshold 150 000)
        _row("c1", "h1", 2016, "1880", 5, 2, 0, 2, 343_000),  # /2.45 = 140 000 -> low
        _row("c1", "h2", 2017, "1880", 6, 0, 1, 2, 280_000),  # separated: /1.94 = 144 330 -> low
        _row("c1", "h3", 2018, "1880", 7, 2, 0, 3, 420_000),  # new partner + child: /2.87 = 146 341
        _row("c1", "h3", 2019, "1880", 8, 2, 0, 3, 400_000),  # /2.87 = 139 373 -> low
        # c2: low every year, moves from Örebro (1880) to Lekeberg (1814) in 2019
        _row("c2", "h4", 2016, "1880", 10, 0, 1, 1, 100_000),  # /1.52 = 65 789
        _row("c2", "h4", 2017, "1880", 11, 0, 1, 1, 100_000),
        _row("c2", "h4", 2018, "1880", 12, 0, 1, 1, 100_000),
        _row("c2", "h5", 2019, "1814", 13, 0, 1, 1, 100_000, background="utländsk"),
        # c3: well off, but the household got ekonomiskt bistånd in 2019; 18 years old in 2019
        _row("c3", "h6", 2016, "1880", 15, 2, 0, 1, 600_000),
        _row("c3", "h6", 2017, "1880", 16, 2, 0, 1, 600_000),
        _row("c3", "h6", 2018, "1880", 17, 2, 0, 1, 600_000),
        _row("c3", "h6", 2019, "1880", 18, 2, 0, 1, 600_000, assistance=True),
        # c4: zero income in 2019 only (low income standard, not persistent)
        _row("c4", "h7", 2016, "1814", 2, 2, 0, 1, 500_000),
        _row("c4", "h7", 2017, "1814", 3, 2, 0, 1, 500_000),
        _row("c4", "h7", 2018, "1814", 4, 2, 0, 1, 500_000),
        _row("c4", "h7", 2019, "1814", 5, 2, 0, 1, 0),
    ]
    return pd.DataFrame(rows)


class TestPovertyMeasures:
    def test_households_that_change_composition(self):
        panel = _composition_panel()
        m = pv.poverty_measures(panel, MEDIAN, _norms())
        c1 = m[m["person_id"] == "c1"].set_index("year")
        np.testing.assert_allclose(c1["consumption_units"], [2.45, 1.94, 2.87, 2.87])
        np.testing.assert_allclose(
            c1["economic_standard"], [140_000, 280_000 / 1.94, 420_000 / 2.87, 400_000 / 2.87]
        )
        assert c1["low_economic_standard"].tolist() == [True, True, True, True]
        # had 2018/2019 been judged with 2017's household (1.94 units) they would not be low
        assert 420_000 / 1.94 > 150_000 and 400_000 / 1.94 > 150_000
        assert bool(c1.loc[2019, "persistent_low_economic_standard"]) is True
        assert c1["household_type"].tolist() == [
            "sammanboende med barn", "ensamstående med barn",
            "sammanboende med barn", "sammanboende med barn"]

    def test_income_standard_columns(self):
        m = pv.poverty_measures(_composition_panel(), MEDIAN, _norms()).set_index(["person_id", "year"])
        # c1 2016: norm 120 000 + 60 000 + 2 * 40 000 = 260 000; 343 000 / 260 000
        assert m.loc[("c1", 2016), "household_norm"] == 260_000
        assert m.loc[("c1", 2016), "income_standard"] == pytest.approx(343_000 / 260_000)
        assert not m.loc[("c1", 2016), "low_income_standard"]
        # c4 2019: zero income is low income standard
        assert m.loc[("c4", 2019), "low_income_standard"]
        assert not m.loc[("c4", 2019), "persistent_low_economic_standard"]

    def test_missing_column(self):
        with pytest.raises(ValueError, match="disposable_income"):
            pv.poverty_measures(_composition_panel().drop(columns="disposable_income"), MEDIAN, _norms())


class TestEconomicallyVulnerableChildren:
    def test_low_income_standard_or_persistent_low(self):
        m = pv.poverty_measures(_composition_panel(), MEDIAN, _norms())
        kids = pv.economically_vulnerable_children(m)
        got = kids[kids["year"] == 2019].set_index("person_id")["economically_vulnerable"]
        # c1 persistent, c2 persistent (and low income), c4 low income (zero income);
        # c3 is 18 in 2019: not a child 0-17
        assert got.to_dict() == {"c1": True, "c2": True, "c4": True}

    def test_na_persistence(self):
        measures = pd.DataFrame({
            "age": [5, 5, 5],
            "low_income_standard": [True, False, False],
            "persistent_low_economic_standard": pd.array([pd.NA, pd.NA, False], dtype="boolean"),
        })
        got = pv.economically_vulnerable_children(measures)["economically_vulnerable"]
        assert got.tolist() == [True, pd.NA, False]

    def test_age_range(self):
        measures = pd.DataFrame({
            "age": [0, 17, 18, 19],
            "low_income_standard": [True] * 4,
            "persistent_low_economic_standard": pd.array([False] * 4, dtype="boolean"),
        })
        assert pv.economically_vulnerable_children(measures)["age"].tolist() == [0, 17]
        assert len(pv.economically_vulnerable_children(measures, ages=(0, 19))) == 4
        with pytest.raises(ValueError, match="ages"):
            pv.economically_vulnerable_children(measures, ages=(5, 2))


class TestEconomicallyVulnerableChildrenFhi:
    def test_low_income_or_economic_assistance(self):
        m = pv.poverty_measures(_composition_panel(), MEDIAN, _norms())
        kids = pv.economically_vulnerable_children_fhi(m)
        got = kids[kids["year"] == 2019].set_index("person_id")["economically_vulnerable"]
        # c1: 400 000 vs norm 120 000 + 60 000 + 3 * 40 000 = 300 000 -> not low, no assistance
        # c3 (18, counted in 0-19): ekonomiskt bistånd; c2 and c4: low income
        assert got.to_dict() == {"c1": False, "c2": True, "c3": True, "c4": True}


def _children(flags, kommuner, year=2019, **extra) -> pd.DataFrame:
    return pd.DataFrame({"kommun": kommuner, "year": year,
                         "economically_vulnerable": pd.array(flags, dtype="boolean"), **extra})


class TestAggregateChildren:
    def test_counts_denominators_and_lan(self):
        kids = _children([True, True, False, True, False, None],
                         ["1880", "1880", "1880", "1814", "1814", "1814"])
        t = pv.aggregate_children(kids, indicator_id="barn_ekonomiskt_utsatta")
        assert list(t.columns) == ["indicator_id", "area_code", "area_type", "period",
                                   "count", "denominator", "value", "statistic"]
        t = t.set_index("area_code")
        assert (t.loc["1880", ["count", "denominator"]].tolist()) == [2, 3]
        # the <NA> child is left out of count and denominator
        assert (t.loc["1814", ["count", "denominator"]].tolist()) == [1, 2]
        assert t.loc["18", "area_type"] == "lan"
        assert t.loc["18", "value"] == pytest.approx(3 / 5)
        assert (t["statistic"] == "proportion").all()

    def test_child_who_moved_counts_in_current_kommun(self):
        m = pv.poverty_measures(_composition_panel(), MEDIAN, _norms())
        t = pv.aggregate_children(pv.economically_vulnerable_children(m), area_levels=("kommun",))
        y2019 = t[t["period"] == 2019].set_index("area_code")
        # 2019: 1814 holds c2 (moved in) and c4, both vulnerable; 1880 holds c1 only (c3 is 18)
        assert y2019.loc["1814", ["count", "denominator"]].tolist() == [2, 2]
        assert y2019.loc["1880", ["count", "denominator"]].tolist() == [1, 1]

    def test_forbund_and_groups(self):
        kids = _children([True, False, True, False], ["1880", "1814", "1883", "1862"],
                         background=["utländsk", "svensk", "utländsk", "svensk"])
        t = pv.aggregate_children(kids, by="background", area_levels=("forbund",))
        assert list(t.columns[:4]) == ["area_code", "area_type", "period", "group"]
        got = t.set_index(["area_code", "group"])["count"].to_dict()
        assert got == {("DK", "svensk"): 0, ("DK", "utländsk"): 1,
                       ("LO", "svensk"): 0, ("LO", "utländsk"): 1}

    def test_forbund_needs_orebro_kommuner(self):
        with pytest.raises(ValueError, match="förbund"):
            pv.aggregate_children(_children([True], ["0180"]), area_levels=("forbund",))

    def test_wilson_interval(self):
        # 5 of 10: Wilson 95 % interval 0.2366 - 0.7634 (Newcombe 1998, table I)
        kids = _children([True] * 5 + [False] * 5, ["1880"] * 10)
        t = pv.aggregate_children(kids, interval="wilson", area_levels=("kommun",))
        assert t.loc[0, "lower"] == pytest.approx(0.2366, abs=1e-4)
        assert t.loc[0, "upper"] == pytest.approx(0.7634, abs=1e-4)
        assert t.loc[0, "method"] == "wilson" and t.loc[0, "confidence"] == 0.95

    def test_bad_arguments(self):
        kids = _children([True], ["1880"])
        with pytest.raises(ValueError, match="area_levels"):
            pv.aggregate_children(kids, area_levels=("riket",))
        with pytest.raises(ValueError, match="interval"):
            pv.aggregate_children(kids, interval="exact")
        with pytest.raises(ValueError, match="group_x"):
            pv.aggregate_children(kids, by="group_x")


class TestProportionColumns:
    """The statistic block shared by aggregate_children and the chapter's cell table."""

    def test_wilson_block(self):
        t = pd.DataFrame({"count": [5.0, 0.0], "denominator": [10.0, 4.0]})
        out = survey.proportion_columns(t)
        assert out is t  # in place; the caller orders the columns
        assert str(t["count"].dtype) == "int64" and str(t["denominator"].dtype) == "int64"
        assert t["value"].tolist() == [0.5, 0.0]
        lo, hi = survey.wilson_interval(np.array([5, 0]), np.array([10, 4]))
        assert t["lower"].tolist() == lo.tolist() and t["upper"].tolist() == hi.tolist()
        assert (t["confidence"] == 0.95).all() and (t["method"] == "wilson").all()
        assert (t["statistic"] == "proportion").all()

    def test_without_interval(self):
        t = survey.proportion_columns(pd.DataFrame({"count": [1], "denominator": [4]}),
                                      interval=None)
        assert list(t.columns) == ["count", "denominator", "value", "statistic"]
        with pytest.raises(ValueError, match="interval"):
            survey.proportion_columns(t, interval="exact")


class TestLowStandardThreshold:
    def test_per_unit_and_for_a_family(self):
        assert pv.low_standard_threshold(250_000.0) == 0.6 * 250_000.0
        cu = pv.consumption_units(2, 0, 2)
        assert cu == 2.45
        assert pv.low_standard_threshold(250_000.0, cu) == 0.6 * 250_000.0 * 2.45
        s = pv.low_standard_threshold(pd.Series([100.0, 200.0]))
        assert s.tolist() == [60.0, 120.0]

