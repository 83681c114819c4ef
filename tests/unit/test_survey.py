"""Tests for analysis.methods.survey against R survey's published and recorded outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.methods import survey as survey_module
from analysis.methods.survey import (
    STAT_COLUMNS,
    ConvergenceError,
    SurveyDesign,
    age_standardise,
    logistic_regression,
    poststratify,
    rake,
    standard_weights,
    wilson_interval,
)

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "survey"


def sig4(a: float, b: float) -> bool:
    """Equal to 4 significant digits (relative difference below half a unit in the 4th)."""
    return abs(a - b) <= 5e-4 * max(abs(a), abs(b))


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    d = pd.read_csv(FIX / "survey_apistrat.csv")
    d["sch_wide_yes"] = (d["sch.wide"] == "Yes").astype(int)
    d["awards_yes"] = (d["awards"] == "Yes").astype(int)
    return d


@pytest.fixture(scope="module")
def dstrat(apistrat: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(apistrat, strata="stype", weights="pw", fpc="fpc", source="apistrat")


@pytest.fixture(scope="module")
def dstrat_wr(apistrat: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(apistrat, strata="stype", weights="pw", source="apistrat")


@pytest.fixture(scope="module")
def apipop() -> pd.DataFrame:
    return pd.read_csv(FIX / "r_apipop.csv")


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    d = pd.read_csv(FIX / "r_apiclus1.csv")
    d["sch_wide_yes"] = (d["sch.wide"] == "Yes").astype(int)
    return d


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return pd.read_csv(FIX / "r_reference_estimates.csv", keep_default_na=False, na_values=["NA"])


def ref_rows(ref: pd.DataFrame, case: str, call_contains: str) -> pd.DataFrame:
    rows = ref[(ref["case"] == case) & ref["r_call"].str.contains(call_contains, regex=False)]
    assert len(rows), (case, call_contains)
    return rows


def one(table: pd.DataFrame) -> pd.Series:
    assert len(table) == 1
    return table.iloc[0]


# ------------------------------------------------------------------------------------------------
# published rows of R survey (tests/testoutput/api.Rout.saved, tests/domain.Rout.save)


def _published_design(design_id: str, apistrat, apiclus1, apipop) -> SurveyDesign | None:
    if design_id == "pop":
        pop = apipop.assign(one=1.0, N=float(len(apipop)))
        return SurveyDesign(pop, weights="one", fpc="N")  # a census: f = 1
    if design_id == "dstrat":
        return SurveyDesign(apistrat, strata="stype", weights="pw", fpc="fpc")
    if design_id == "dclus1":
        return SurveyDesign(apiclus1, psu="dnum", weights="pw", fpc="fpc")
    if design_id == "dclus2wr":
        return SurveyDesign(pd.read_csv(FIX / "r_apiclus2.csv"), psu="dnum", weights="pw")
    if design_id == "dclus1p":
        d = SurveyDesign(apiclus1, psu="dnum", weights="pw", fpc="fpc")
        return poststratify(d, "stype", apipop.groupby("stype").size())
    if design_id in ("dfpc", "dfpc_sub"):
        return SurveyDesign(
            pd.read_csv(FIX / "r_fpc.csv"), strata="stratid", psu="psuid", weights="weight"
        )
    return None


PUBLISHED = pd.read_csv(FIX / "survey_api_published.csv", keep_default_na=False)


class TestPublishedRows:
    """Every row of survey_api_published.csv that a single-stage Taylor engine can reproduce."""

    @pytest.mark.parametrize(
        "i", range(len(PUBLISHED)), ids=lambda i: f"{PUBLISHED.design_id[i]}-{i}"
    )
    def test_row(self, i, apistrat, apiclus1, apipop):
        row = PUBLISHED.iloc[i]
        design = _published_design(row.design_id, apistrat, apiclus1, apipop)
        if design is None:
            pytest.skip(
                f"{row.design_id}: {row.design_R} is multistage-with-fpc or replicate weights"
            )
        stat = {"mean": "mean", "svymean": "mean", "sum": "total", "svytotal": "total"}
        if row.design_id == "dfpc_sub" or row.estimator.startswith(("svyby", "svyratio")):
            x = design.data["x"]
            if row.design_id == "dfpc_sub":
                t = design.mean("x", where=x > 4)
            else:
                design.data["x_gt_4"] = np.where(x > 4, "TRUE", "FALSE")
                by = design.mean("x", by="x_gt_4")
                t = by[by["x_gt_4"] == row.options.split()[-1]]
        else:
            t = design.estimate(row.variable, stat[row.estimator])
        got = one(t)
        assert sig4(got["value"], float(row.estimate)), (got["value"], row.estimate)
        if row.se != "":
            assert sig4(got["se"], float(row.se)), (got["se"], row.se)
        elif row.design_id == "pop":
            assert got["se"] == 0.0

    def test_quoted_example(self, dstrat):
        got = one(dstrat.mean("api00"))
        assert round(got["value"], 2) == 662.29
        assert round(got["se"], 4) == 9.4089


# ------------------------------------------------------------------------------------------------


class TestSurveyDesign:
    def test_counts_and_df(self, dstrat):
        assert dstrat.n == 200 and dstrat.n_strata == 3 and dstrat.n_psu == 200
        assert dstrat.df == 197
        assert "fpc=yes" in repr(dstrat)

    def test_weights_from_fpc(self, apistrat):
        d = SurveyDesign(apistrat, strata="stype", fpc="fpc")
        np.testing.assert_allclose(d.weights, apistrat["pw"].to_numpy(), rtol=1e-6)

    def test_fpc_mapping_equals_column(self, apistrat):
        pop = apistrat.groupby("stype")["fpc"].first().to_dict()
        a = SurveyDesign(apistrat, strata="stype", weights="pw", fpc=pop).mean("api00")
        b = SurveyDesign(apistrat, strata="stype", weights="pw", fpc="fpc").mean("api00")
        assert a["se"].iloc[0] == pytest.approx(b["se"].iloc[0], rel=1e-12)

    def test_negative_weight(self, apistrat):
        bad = apistrat.copy()
        bad.loc[4, "pw"] = -1.0
        with pytest.raises(InputError, match="negative") as e:
            SurveyDesign(bad, strata="stype", weights="pw", source="enkat.csv")
        assert e.value.rows == [5] and e.value.column == "pw" and e.value.path == "enkat.csv"

    def test_missing_weight(self, apistrat):
        bad = apistrat.copy()
        bad.loc[[2, 7], "pw"] = np.nan
        with pytest.raises(InputError, match="finite") as e:
            SurveyDesign(bad, strata="stype", weights="pw")
        assert e.value.rows == [3, 8]

    def test_unknown_column(self, apistrat):
        with pytest.raises(InputError, match="not found") as e:
            SurveyDesign(apistrat, strata="kommun", weights="pw")
        assert e.value.column == "kommun"

    def test_missing_variable(self, dstrat):
        with pytest.raises(InputError, match=r"\['rokare'\] not found"):
            dstrat.proportion("rokare")

    def test_empty_stratum_categorical(self, apistrat):
        d = apistrat.copy()
        d["stype"] = pd.Categorical(d["stype"], categories=["E", "H", "M", "X"])
        with pytest.raises(InputError, match=r"empty stratum.*'X'"):
            SurveyDesign(d, strata="stype", weights="pw")

    def test_empty_stratum_in_fpc(self, apistrat):
        with pytest.raises(InputError, match=r"empty stratum.*'X'"):
            SurveyDesign(
                apistrat, strata="stype", weights="pw", fpc={"E": 4421, "H": 755, "M": 1018, "X": 9}
            )

    def test_missing_stratum(self, apistrat):
        d = apistrat.copy()
        d.loc[0, "stype"] = None
        with pytest.raises(InputError, match="stratum is missing") as e:
            SurveyDesign(d, strata="stype", weights="pw")
        assert e.value.rows == [1]

    def test_single_unit_stratum_errors(self, apistrat):
        d = apistrat.copy()
        d.loc[0, "stype"] = "S"
        with pytest.raises(InputError, match="single PSU") as e:
            SurveyDesign(d, strata="stype", weights="pw")
        assert e.value.rows == [1]

    def test_fpc_too_small(self, apistrat):
        with pytest.raises(InputError, match="smaller than the number of sampled PSUs"):
            SurveyDesign(apistrat, strata="stype", weights="pw", fpc={"E": 10, "H": 755, "M": 1018})

    def test_fpc_not_constant(self, apistrat):
        d = apistrat.copy()
        d.loc[0, "fpc"] = 1.0 + d.loc[0, "fpc"]
        with pytest.raises(InputError, match="constant within a stratum"):
            SurveyDesign(d, strata="stype", weights="pw", fpc="fpc")

    def test_bad_lonely_option(self, apistrat):
        with pytest.raises(ValueError, match="lonely_psu"):
            SurveyDesign(apistrat, strata="stype", weights="pw", lonely_psu="drop")

    @pytest.mark.parametrize("option", ["adjust", "remove", "certainty"])
    def test_lonely_psu_as_r(self, apistrat, ref, option):
        d = apistrat.copy()
        d["stype2"] = d["stype"]
        d.loc[0, "stype2"] = "S"
        got = one(SurveyDesign(d, strata="stype2", weights="pw", lonely_psu=option).mean("api00"))
        r = one(ref[ref["case"] == f"lonely_{option}"])
        assert got["se"] == pytest.approx(r["se"], rel=1e-10)


class TestEstimate:
    def test_tidy_columns(self, dstrat):
        t = dstrat.proportion(["sch_wide_yes", "awards_yes"], by="stype")
        assert list(t.columns) == ["indicator_id", "stype", *STAT_COLUMNS]
        assert t["indicator_id"].tolist() == ["sch_wide_yes"] * 3 + ["awards_yes"] * 3
        assert t["n"].tolist() == [100, 50, 50] * 2
        assert (t["confidence"] == 0.95).all() and (t["statistic"] == "proportion").all()

    @pytest.mark.parametrize(
        ("case", "call", "design", "stat", "var", "by"),
        [
            ("dstrat", "svymean(~api00, dstrat)", "dstrat", "mean", "api00", None),
            ("dstrat", "svytotal(~enroll, dstrat)", "dstrat", "total", "enroll", None),
            ("dstrat_wr", "svymean(~api00, dstrat_wr)", "dstrat_wr", "mean", "api00", None),
            ("dstrat_wr", "svytotal(~enroll, dstrat_wr)", "dstrat_wr", "total", "enroll", None),
            ("dstrat", "~awards, dstrat, svymean", "dstrat", "mean", "api00", "awards"),
            ("dstrat", "~sch.wide, dstrat, svytotal", "dstrat", "total", "enroll", "sch.wide"),
            (
                "dstrat_wr",
                "~comp.imp, dstrat_wr, svymean",
                "dstrat_wr",
                "mean",
                "api00",
                "comp.imp",
            ),
        ],
    )
    def test_against_r(self, request, ref, case, call, design, stat, var, by):
        d = request.getfixturevalue(design)
        got = d.estimate(var, stat, by=by)
        want = ref_rows(ref, case, call)
        if by is not None:
            got = got.set_index(by).loc[want["domain"]]
        np.testing.assert_allclose(got["value"], want["estimate"], rtol=1e-10)
        np.testing.assert_allclose(got["se"], want["se"], rtol=1e-10)

    def test_df_and_t_interval(self, dstrat, ref):
        got = one(dstrat.mean("api00"))
        from scipy import stats

        q = stats.t.ppf(0.975, 197)
        assert got["lower"] == pytest.approx(got["value"] - q * got["se"], rel=1e-12)
        normal = one(dstrat.mean("api00", method="taylor-normal"))
        assert normal["upper"] == pytest.approx(
            got["value"] + 1.959963984540054 * got["se"], rel=1e-12
        )
        assert normal["method"] == "taylor-normal"

    def test_domain_is_not_subsetting(self, dstrat, apistrat):
        """A domain keeps n_h of the full design: subsetting first gives a different SE."""
        dom = one(dstrat.mean("api00", where=apistrat["awards"] == "Yes"))
        sub = apistrat[apistrat["awards"] == "Yes"]
        naive = one(SurveyDesign(sub, strata="stype", weights="pw", fpc="fpc").mean("api00"))
        assert dom["value"] == pytest.approx(naive["value"], rel=1e-12)
        assert dom["se"] == pytest.approx(11.8566309874443, rel=1e-10)  # R svyby, domain Yes
        assert not np.isclose(dom["se"], naive["se"], rtol=1e-4)

    def test_vectorised_equals_direct_covariance(self, apistrat, apipop):
        """The grouped-sum engine equals the textbook per-domain computation with zeroed rows."""
        d = poststratify(
            SurveyDesign(apistrat, strata="stype", weights="pw", fpc="fpc"),
            ["stype", "sch.wide"],
            apipop.groupby(["stype", "sch.wide"]).size(),
        )
        got = d.mean(["api00", "api99"], by=["awards", "yr.rnd"])
        w = d.weights
        for _, row in got.iterrows():
            inside = (
                (apistrat["awards"] == row["awards"]) & (apistrat["yr.rnd"] == row["yr.rnd"])
            ).to_numpy()
            y = apistrat[row["indicator_id"]].to_numpy(dtype=float)
            W = w[inside].sum()
            m = (w * y)[inside].sum() / W
            u = np.where(inside, w * (y - m) / W, 0.0)
            se = float(np.sqrt(d._covariance(u[:, None])[0, 0]))
            assert row["value"] == pytest.approx(m, rel=1e-12)
            assert row["se"] == pytest.approx(se, rel=1e-9)

    def test_where_and_by(self, dstrat, apistrat):
        t = dstrat.mean("api00", by="stype", where=apistrat["stype"] != "H")
        assert t["stype"].tolist() == ["E", "M"]  # H has no member in the subpopulation
        full = dstrat.mean("api00", by="stype").set_index("stype")
        np.testing.assert_allclose(
            t.set_index("stype")["se"], full.loc[["E", "M"], "se"], rtol=1e-12
        )

    def test_missing_values_dropped_per_variable(self, apistrat):
        d = apistrat.copy()
        d.loc[:9, "api00"] = np.nan
        t = SurveyDesign(d, strata="stype", weights="pw", fpc="fpc").mean(["api00", "api99"])
        assert t["n"].tolist() == [190, 200]
        sub = SurveyDesign(d, strata="stype", weights="pw", fpc="fpc").mean(
            "api00", where=d["api00"].notna()
        )
        assert t["se"].iloc[0] == pytest.approx(sub["se"].iloc[0], rel=1e-12)

    def test_non_binary_proportion(self, dstrat):
        with pytest.raises(InputError, match="0/1") as e:
            dstrat.proportion("api00")
        assert e.value.column == "api00" and e.value.rows[0] == 1

    def test_bad_arguments(self, dstrat):
        with pytest.raises(ValueError, match="statistic"):
            dstrat.estimate("api00", "median")
        with pytest.raises(ValueError, match="method"):
            dstrat.mean("api00", method="logit")
        with pytest.raises(ValueError, match="confidence"):
            dstrat.mean("api00", confidence=95)

    def test_clustered_domain_as_r(self, apiclus1, ref):
        d = SurveyDesign(apiclus1, psu="dnum", weights="pw", fpc="fpc")
        assert d.df == 14
        got = d.mean("api00", by="stype").set_index("stype")
        want = ref_rows(ref, "dclus1", "~stype, dclus1, svymean").set_index("domain")
        np.testing.assert_allclose(got.loc[want.index, "se"], want["se"], rtol=1e-10)


class TestGroupCodes:
    """The radix grouping of domain and stratum keys equals pandas' sorted groupby."""

    @pytest.mark.parametrize("kind", ["str", "object", "numeric", "categorical", "nullable"])
    def test_as_groupby(self, kind):
        rng = np.random.default_rng(7)
        n = 3000
        frames = {
            "str": pd.DataFrame({"a": pd.Series(rng.choice(["1880", "1814", None], n)),
                                 "b": rng.choice(["man", "kvinnor"], n)}),
            "object": pd.DataFrame({"a": pd.Series(rng.choice(["x", "y", None], n), dtype=object)}),
            "numeric": pd.DataFrame({"a": rng.integers(0, 5, n), "b": rng.choice([1.5, np.nan, -2.0], n)}),
            "categorical": pd.DataFrame({"a": pd.Categorical(rng.choice(["z", "b"], n),
                                                             categories=["z", "m", "b"])}),
            "nullable": pd.DataFrame({"a": rng.random(n) < 0.5,
                                      "c": pd.array(rng.choice([1, 2, None], n), dtype="Int64")}),
        }
        frame = frames[kind]
        codes, levels = survey_module._group_codes(frame)
        grouped = frame.groupby(list(frame.columns), sort=True, dropna=True, observed=True)
        want = grouped.ngroup().to_numpy(dtype=float, na_value=np.nan)
        np.testing.assert_array_equal(codes, np.where(np.isnan(want), -1, want))
        pd.testing.assert_frame_equal(levels, grouped.size().index.to_frame(index=False))

    @pytest.mark.parametrize("columns", [10, 13])  # radix with a sort of the codes; groupby
    def test_many_combinations(self, columns):
        frame = pd.DataFrame({f"k{i}": (np.arange(40) * 7) % 40 for i in range(columns)})
        codes, levels = survey_module._group_codes(frame)
        assert codes.tolist() == ((np.arange(40) * 7) % 40).tolist()
        assert levels["k0"].tolist() == list(range(40))

    def test_design_unaffected_by_later_changes_to_the_data(self, apistrat):
        data = apistrat.copy()
        des = SurveyDesign(data, strata="stype", weights="pw", fpc="fpc")
        before = des.mean("api00", by="stype")
        data.loc[:, "api00"] = 0.0
        data.loc[:, "stype"] = "E"
        pd.testing.assert_frame_equal(des.mean("api00", by="stype"), before)


class TestProportionIntervals:
    """svyciprop(method = "logit") and svyciprop(method = "beta"), recorded from R."""

    @pytest.mark.parametrize(("method", "r"), [("logit", "logit"), ("korn-graubard", "beta")])
    @pytest.mark.parametrize(
        ("design", "var", "case", "call"),
        [
            ("dstrat", "sch_wide_yes", "dstrat_ciprop_", 'I(sch.wide == "Yes"), dstrat,'),
            ("dstrat", "awards_yes", "dstrat_ciprop_", 'I(awards == "Yes"), dstrat,'),
            ("dstrat_wr", "awards_yes", "dstrat_wr_ciprop_", 'I(awards == "Yes"), dstrat_wr,'),
        ],
    )
    def test_whole_sample(self, request, ref, method, r, design, var, case, call):
        got = one(request.getfixturevalue(design).proportion(var, method=method))
        want = one(ref_rows(ref, case + r, call))
        for col, rcol in [
            ("value", "estimate"),
            ("se", "se"),
            ("lower", "lower"),
            ("upper", "upper"),
        ]:
            assert got[col] == pytest.approx(want[rcol], rel=1e-8), col
        assert got["method"] == method

    @pytest.mark.parametrize(("method", "r"), [("logit", "logit"), ("korn-graubard", "beta")])
    def test_domains(self, dstrat, ref, method, r):
        got = dstrat.proportion("awards_yes", by="yr.rnd", method=method).set_index("yr.rnd")
        want = ref_rows(ref, "dstrat_ciprop_" + r, "subset(dstrat, yr.rnd").set_index("domain")
        for col, rcol in [
            ("value", "estimate"),
            ("se", "se"),
            ("lower", "lower"),
            ("upper", "upper"),
        ]:
            np.testing.assert_allclose(got.loc[want.index, col], want[rcol], rtol=1e-8, err_msg=col)

    @pytest.mark.parametrize(("method", "r"), [("logit", "logit"), ("korn-graubard", "beta")])
    def test_clustered_domain(self, apiclus1, ref, method, r):
        d = SurveyDesign(apiclus1, psu="dnum", weights="pw", fpc="fpc")
        got = one(d.proportion("sch_wide_yes", where=apiclus1["stype"] == "E", method=method))
        want = one(ref[ref["case"] == "dclus1_ciprop_" + r])
        assert got["lower"] == pytest.approx(want["lower"], rel=1e-8)
        assert got["upper"] == pytest.approx(want["upper"], rel=1e-8)

    def test_zero_proportion(self, dstrat, apistrat):
        """p = 0: logit is undefined, so the row falls back to Korn–Graubard with n* = n."""
        t = one(dstrat.proportion("awards_yes", where=apistrat["comp.imp"] == "No"))
        assert t["value"] == 0 and t["se"] == 0 and t["lower"] == 0
        assert 0 < t["upper"] < 0.1 and t["method"] == "korn-graubard"

    def test_wilson_design_srs(self):
        """Unweighted, unstratified: the design Wilson equals the SRS Wilson on n* = n − 1."""
        y = np.r_[np.ones(81), np.zeros(182)]
        d = SurveyDesign(pd.DataFrame({"y": y, "w": 1.0}), weights="w")
        got = one(d.proportion("y", method="wilson"))
        lo, hi = wilson_interval(81 * 262 / 263, 262)
        assert got["lower"] == pytest.approx(float(lo), rel=1e-12)
        assert got["upper"] == pytest.approx(float(hi), rel=1e-12)


class TestWilsonInterval:
    def test_newcombe_1998_table(self):
        ref = pd.read_csv(FIX / "r_reference_wilson.csv")
        lo, hi = wilson_interval(ref["successes"], ref["n"])
        np.testing.assert_allclose(lo, ref["lower"], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(hi, ref["upper"], rtol=1e-10)
        # Newcombe (1998), Stat Med 17:857-872, Table II, method 3, to the 4 decimals printed
        np.testing.assert_array_equal(np.round(lo, 4), [0.2553, 0.0624, 0.0000, 0.0061])
        np.testing.assert_array_equal(np.round(hi, 4), [0.3662, 0.1605, 0.1611, 0.1718])

    def test_bad_input(self):
        with pytest.raises(ValueError):
            wilson_interval(5, 4)
        with pytest.raises(ValueError):
            wilson_interval(0, 0)


class TestPoststratify:
    def test_totals_equal_population(self, dstrat, apipop):
        pop = apipop.groupby(["stype", "sch.wide"]).size()
        d = poststratify(dstrat, ["stype", "sch.wide"], pop)
        got = pd.Series(d.weights).groupby([dstrat.data["stype"], dstrat.data["sch.wide"]]).sum()
        np.testing.assert_allclose(got.loc[pop.index], pop, rtol=1e-13)
        assert d.weights.sum() == pytest.approx(len(apipop), rel=1e-13)

    def test_cell_count_has_zero_se(self, dstrat, apipop):
        pop = apipop.groupby("awards").size()
        d = poststratify(dstrat, "awards", pop)
        got = one(d.total("awards_yes"))
        assert got["value"] == pytest.approx(pop["Yes"], rel=1e-13)
        assert got["se"] == pytest.approx(0.0, abs=1e-8)

    @pytest.mark.parametrize(
        ("cells", "call", "stat", "var", "by"),
        [
            ("awards", "svymean(~api00, postStratify(dstrat, ~awards", "mean", "api00", None),
            ("awards", "svytotal(~enroll, postStratify(dstrat, ~awards", "total", "enroll", None),
            ("awards", "~sch.wide, dps, svymean", "mean", "api00", "sch.wide"),
            (["stype", "sch.wide"], "~stype+sch.wide", "mean", "api00", None),
        ],
    )
    def test_against_r(self, dstrat, apipop, ref, cells, call, stat, var, by):
        cols = [cells] if isinstance(cells, str) else cells
        d = poststratify(dstrat, cells, apipop.groupby(cols).size())
        got = d.estimate(var, stat, by=by)
        want = ref[
            ref["case"].str.startswith("dstrat_ps") & ref["r_call"].str.contains(call, regex=False)
        ]
        assert len(want)
        if by is not None:
            got = got.set_index(by).loc[want["domain"]]
        np.testing.assert_allclose(got["value"], want["estimate"], rtol=1e-10)
        np.testing.assert_allclose(got["se"], want["se"], rtol=1e-9)

    def test_unknown_cell(self, dstrat, apipop):
        pop = apipop.groupby("awards").size().drop("No")
        with pytest.raises(InputError, match="not in the population"):
            poststratify(dstrat, "awards", pop)

    def test_empty_cell(self, dstrat):
        pop = pd.Series({"No": 2000.0, "Yes": 4000.0, "Maybe": 194.0})
        with pytest.raises(InputError, match=r"\['Maybe'\] have no respondents"):
            poststratify(dstrat, "awards", pop)


@pytest.fixture(scope="module")
def margins(apipop):
    return {
        "sch.wide": apipop.groupby("sch.wide").size(),
        "comp.imp": apipop.groupby("comp.imp").size(),
    }


class TestRake:
    def test_converges_to_margins(self, dstrat, margins):
        d = rake(dstrat, margins, tol=1e-12)
        for col, pop in margins.items():
            got = pd.Series(d.weights).groupby(dstrat.data[col]).sum()
            np.testing.assert_allclose(got.loc[pop.index], pop, rtol=1e-11)

    def test_crossed_margin(self, dstrat, apipop):
        m = {
            ("stype", "sch.wide"): apipop.groupby(["stype", "sch.wide"]).size(),
            "awards": apipop.groupby("awards").size(),
        }
        d = rake(dstrat, m)
        got = pd.Series(d.weights).groupby([dstrat.data["stype"], dstrat.data["sch.wide"]]).sum()
        np.testing.assert_allclose(
            got.loc[m[("stype", "sch.wide")].index], m[("stype", "sch.wide")], rtol=1e-9
        )

    def test_as_r_calibrate_raking(self, dstrat, margins, ref):
        d = rake(dstrat, margins)
        for stat, var, call in [
            ("mean", "api00", "svymean(~api00"),
            ("total", "enroll", "svytotal(~enroll"),
            ("total", "awards_yes", "awards"),
        ]:
            want = one(ref_rows(ref, "dstrat_calibrate_raking", call).query("domain == ''"))
            got = one(d.estimate(var, stat))
            assert got["value"] == pytest.approx(want["estimate"], rel=1e-9)
            assert got["se"] == pytest.approx(want["se"], rel=1e-8)
        got = d.mean("api00", by="awards").set_index("awards")
        want = ref_rows(ref, "dstrat_calibrate_raking", "~awards").set_index("domain")
        np.testing.assert_allclose(got.loc[want.index, "se"], want["se"], rtol=1e-8)

    def test_point_estimates_as_r_rake(self, dstrat, margins, ref):
        d = rake(dstrat, margins)
        for stat, var, call in [
            ("mean", "api00", "svymean"),
            ("total", "enroll", "svytotal(~enroll"),
        ]:
            want = one(ref_rows(ref, "dstrat_rake", call))
            assert one(d.estimate(var, stat))["value"] == pytest.approx(want["estimate"], rel=1e-9)

    def test_category_without_respondents(self, dstrat, margins):
        bad = dict(margins)
        bad["comp.imp"] = pd.Series({"No": 3000.0, "Yes": 3000.0, "Unknown": 194.0})
        with pytest.raises(InputError, match="no respondents"):
            rake(dstrat, bad)

    def test_totals_disagree(self, dstrat, margins):
        bad = dict(margins)
        bad["comp.imp"] = margins["comp.imp"] * 1.1
        with pytest.raises(ValueError, match="disagree about the population total"):
            rake(dstrat, bad)

    def test_no_convergence(self, dstrat, margins):
        with pytest.raises(ConvergenceError, match="did not converge in 1 sweeps"):
            rake(dstrat, margins, max_iter=1, tol=1e-15)


# ------------------------------------------------------------------------------------------------
# raking on the book's rounds where the calibration Gram matrix is numerically singular

CALIBRATION_YEARS = (2000, 2008, 2012)


def liv_och_halsa_round(year: int) -> tuple[SurveyDesign, dict]:
    """A synthetic Liv & hälsa round as exported for R (PROVENANCE.md) and its raking margins."""
    d = pd.read_csv(FIX / f"lh_round_{year}.csv.gz", dtype={"stratum": str, "kommun": str})
    m = pd.read_csv(FIX / f"lh_margins_{year}.csv", dtype={"category": str})
    ks, ag = m[m["margin"] == "kommun_sex"], m[m["margin"] == "age_group"]
    ks_index = pd.MultiIndex.from_tuples([tuple(c.split("|")) for c in ks["category"]],
                                         names=["kommun", "sex"])
    margins = {("kommun", "sex"): pd.Series(ks["population"].to_numpy(float), index=ks_index),
               "age_group": pd.Series(ag["population"].to_numpy(float),
                                      index=ag["category"].to_numpy())}
    des = SurveyDesign(d, weights="design_weight", strata="stratum", fpc="stratum_population",
                       source=f"lh_round_{year}")
    return des, margins


def calibration_se_errors(design: SurveyDesign, ref: pd.DataFrame) -> np.ndarray:
    """Relative differences of every SE (and point estimate) from R's, for one round."""
    errors = []
    for v in ("good_health", "anxiety_any", "daily_smoker"):
        for by, name in ((None, ""), (["kommun", "sex"], "ks"), ("age_group", "age_group")):
            got = design.mean(v, by=by)
            if by is None:
                got["domain"] = ""
            elif name == "ks":
                got["domain"] = "ks=" + got["kommun"] + "|" + got["sex"]
            else:
                got["domain"] = "age_group=" + got["age_group"]
            want = ref[(ref["variable"] == v) & (ref["statistic"] == "mean")
                       & ((ref["domain"] == "") if by is None
                          else ref["domain"].str.startswith(name + "="))].set_index("domain")
            got = got.set_index("domain").loc[want.index]
            assert len(want) in (1, 5, 24)
            errors.append(np.abs(got["se"] / want["se"] - 1).to_numpy())
            errors.append(np.abs(got["value"] / want["estimate"] - 1).to_numpy())
    total = one(design.total("good_health"))
    want = one(ref[ref["statistic"] == "total"])
    errors.append(np.abs([total["se"] / want["se"] - 1, total["value"] / want["estimate"] - 1]))
    return np.concatenate(errors)


@pytest.fixture(scope="module")
def calibration_ref() -> pd.DataFrame:
    return pd.read_csv(FIX / "r_reference_calibration.csv", keep_default_na=False,
                       na_values=["NA"], dtype={"domain": str})


class TestCalibrationFullRank:
    """Raked SEs equal R ``calibrate(calfun="raking")`` to 1e-9 on the rounds where the margins'
    exact collinearity survived a pseudo-inverse with numpy's default cut-off (issue 16)."""

    @pytest.mark.parametrize("year", CALIBRATION_YEARS)
    def test_as_r_calibrate(self, year, calibration_ref):
        des, margins = liv_och_halsa_round(year)
        err = calibration_se_errors(rake(des, margins), calibration_ref.query("year == @year"))
        assert err.size == 3 * 2 * (1 + 24 + 5) + 2
        assert np.max(err) <= 1e-9, np.max(err)

    def test_rounds_defeat_default_pinv(self, calibration_ref, monkeypatch):
        """The fixture can fail: with numpy's pinv the same SEs are off by more than 1e-9."""
        monkeypatch.setattr(survey_module, "_full_rank_inverse",
                            lambda gram, columns: np.linalg.pinv(gram))
        worst = []
        for year in CALIBRATION_YEARS:
            des, margins = liv_och_halsa_round(year)
            worst.append(np.max(calibration_se_errors(rake(des, margins),
                                                      calibration_ref.query("year == @year"))))
        assert min(worst) > 1e-7, worst

    def test_independent_columns(self):
        a = np.array([1.0, 1, 0, 0, 1])
        b = 1 - a
        c = np.array([1.0, 0, 1, 0, 0])
        zero = np.zeros(5)
        M = np.column_stack([a, zero, b, c, a + b - c, 2 * c])
        assert survey_module._independent_columns(M).tolist() == [0, 2, 3]
        assert survey_module._independent_columns(np.zeros((3, 2))).tolist() == []

    def test_full_rank_inverse_projects(self):
        rng = np.random.default_rng(1)
        g1, g2 = rng.integers(0, 3, 50), rng.integers(0, 4, 50)
        X = np.column_stack([np.eye(3)[g1], np.eye(4)[g2]])
        d = rng.uniform(1, 5, 50)
        gram = X.T @ (X * d[:, None])
        cols = survey_module._independent_columns(X * np.sqrt(d)[:, None])
        assert cols.size == 6
        P = survey_module._full_rank_inverse(gram, cols)
        y = rng.normal(size=50)
        fitted = X @ (P @ (X.T @ (d * y)))
        beta, *_ = np.linalg.lstsq(X * np.sqrt(d)[:, None], np.sqrt(d) * y, rcond=None)
        np.testing.assert_allclose(fitted, X @ beta, rtol=1e-12)


class TestStandardWeights:
    def test_esp2013_broad_bands(self):
        esp = pd.read_csv(FIX / "phe_esp2013.csv").set_index("ageband")["esp2013"]
        w = standard_weights(esp, ["20-44", "45-64", "65+"])
        assert w.to_dict() == {"20-44": 32500.0, "45-64": 26500.0, "65+": 19500.0}

    def test_split_band(self):
        esp = pd.read_csv(FIX / "phe_esp2013.csv").set_index("ageband")["esp2013"]
        with pytest.raises(ValueError, match="cuts the standard band"):
            standard_weights(esp, ["18-29"])
        # 18-19 is 2/5 of 15-19 (5500), plus 20-24 and 25-29 (6000 each)
        assert standard_weights(esp, ["18-29"], split=True)["18-29"] == pytest.approx(2200 + 12000)

    def test_sweden2000(self):
        se = pd.read_csv(FIX / "se_standard_population_sweden2000.csv").set_index("ageband")
        w = standard_weights(se["sweden2000_percent"], ["0-84", "85+"])
        assert w["85+"] == pytest.approx(2.3)
        assert w.sum() == pytest.approx(100.2)  # the published rounded shares add to 100.2


class TestAgeStandardise:
    def test_hand_checked(self):
        """Two groups, three age bands, standard 30 000 / 40 000 / 30 000 (weights .3/.4/.3).

        kvinnor: p = .10, .20, .40, se = .01, .02, .03
            value = .3*.10 + .4*.20 + .3*.40 = .03 + .08 + .12 = .23
            var   = .09*.0001 + .16*.0004 + .09*.0009 = .000009 + .000064 + .000081 = .000154
            se    = sqrt(.000154) = .0124097…, limits .23 ∓ 1.959964*.0124097
        man: band 65-84 missing -> NaN
        """
        t = pd.DataFrame(
            {
                "indicator_id": "god_halsa",
                "sex": ["kvinnor"] * 3 + ["man"] * 2,
                "age": ["18-44", "45-64", "65-84", "18-44", "45-64"],
                "value": [0.10, 0.20, 0.40, 0.15, 0.25],
                "lower": np.nan,
                "upper": np.nan,
                "se": [0.01, 0.02, 0.03, 0.01, 0.02],
                "n": [100, 200, 300, 100, 200],
                "confidence": 0.95,
                "statistic": "proportion",
                "method": "logit",
            }
        )
        std = pd.Series({"18-44": 30000, "45-64": 40000, "65-84": 30000})
        out = age_standardise(t, std)
        assert list(out.columns) == ["indicator_id", "sex", "age", *STAT_COLUMNS]
        out = out.set_index("sex")
        k = out.loc["kvinnor"]
        assert k["value"] == pytest.approx(0.23, abs=1e-15)
        assert k["se"] == pytest.approx(np.sqrt(0.000154), rel=1e-12)
        assert k["lower"] == pytest.approx(0.23 - 1.959963984540054 * np.sqrt(0.000154), rel=1e-12)
        assert k["n"] == 600 and k["age"] == "åldersstandardiserad"
        assert k["statistic"] == "age-standardised proportion" and k["method"] == "direct-normal"
        assert np.isnan(out.loc["man", "value"]) and np.isnan(out.loc["man", "se"])

    def test_from_engine(self, dstrat):
        """Standardising over stype as if it were age: equals the weighted sum of domain means."""
        dom = dstrat.proportion("sch_wide_yes", by="stype").rename(columns={"stype": "age"})
        std = pd.Series({"E": 1.0, "H": 1.0, "M": 2.0})
        out = one(age_standardise(dom, std))
        p = dom.set_index("age")
        assert out["value"] == pytest.approx(
            (p.loc["E", "value"] + p.loc["H", "value"] + 2 * p.loc["M", "value"]) / 4
        )

    def test_unknown_band(self):
        t = pd.DataFrame({"age": ["18-44"], "value": [0.1], "se": [0.01], "n": [5]})
        with pytest.raises(ValueError, match="do not occur"):
            age_standardise(t, pd.Series({"18-44": 1.0, "45-64": 1.0}))


@pytest.fixture(scope="module")
def rglm() -> pd.DataFrame:
    return pd.read_csv(FIX / "r_reference_svyglm.csv")


class TestLogisticRegression:
    def _check(self, got: pd.DataFrame, want: pd.DataFrame) -> None:
        terms = (
            want["term"]
            .str.replace("(Intercept)", "Intercept", regex=False)
            .str.replace(r"^stype([HM])$", r"C(stype)[T.\1]", regex=True)
        )
        g = got.set_index("term").loc[terms]
        np.testing.assert_allclose(np.log(g["value"]), want["estimate"], rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(g["se"], want["se"], rtol=1e-6)
        np.testing.assert_allclose(np.log(g["lower"]), want["lower"], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(np.log(g["upper"]), want["upper"], rtol=1e-6, atol=1e-9)

    def test_stratified_fpc(self, dstrat, rglm):
        got = logistic_regression(dstrat, "sch_wide_yes ~ ell + meals + mobility")
        assert list(got.columns) == ["indicator_id", "term", *STAT_COLUMNS]
        assert (got["statistic"] == ["odds", "odds ratio", "odds ratio", "odds ratio"]).all()
        self._check(got, rglm[rglm["case"] == "dstrat"])

    def test_with_replacement_factor(self, dstrat_wr, rglm):
        self._check(
            logistic_regression(dstrat_wr, "awards_yes ~ C(stype) + api99"),
            rglm[rglm["case"] == "dstrat_wr"],
        )

    def test_subpopulation(self, dstrat, apistrat, rglm):
        got = logistic_regression(
            dstrat, "awards_yes ~ ell + meals", where=apistrat["comp.imp"] == "Yes"
        )
        assert (got["n"] == 116).all()
        self._check(got, rglm[rglm["case"] == "dstrat_subset"])

    def test_clustered(self, apiclus1, rglm):
        d = SurveyDesign(apiclus1, psu="dnum", weights="pw", fpc="fpc")
        self._check(
            logistic_regression(d, "sch_wide_yes ~ ell + meals"), rglm[rglm["case"] == "dclus1"]
        )

    def test_poststratified(self, dstrat, apipop, rglm):
        d = poststratify(dstrat, "awards", apipop.groupby("awards").size())
        self._check(
            logistic_regression(d, "sch_wide_yes ~ ell + meals"),
            rglm[rglm["case"] == "dstrat_ps_awards"],
        )

    def test_recovers_true_coefficients(self):
        """Simulated stratified sample, n = 60 000 in 6 strata with unequal sampling fractions."""
        rng = np.random.default_rng(20261123)
        N_h = np.array([200_000, 150_000, 100_000, 80_000, 60_000, 40_000])
        n_h = np.array([8_000, 10_000, 12_000, 10_000, 10_000, 10_000])
        h = np.repeat(np.arange(6), n_h)
        x = rng.normal(size=h.size) + 0.3 * h
        female = rng.integers(0, 2, h.size)
        beta = np.array([-1.0, 0.5, -0.7, 0.15])
        eta = beta[0] + beta[1] * x + beta[2] * female + beta[3] * h
        y = (rng.random(h.size) < 1 / (1 + np.exp(-eta))).astype(int)
        df = pd.DataFrame({"h": h, "x": x, "female": female, "y": y, "N": N_h[h]})
        d = SurveyDesign(df, strata="h", fpc="N")
        got = logistic_regression(d, "y ~ x + female + h").set_index("term")
        z = (np.log(got["value"].to_numpy()) - beta) / got["se"].to_numpy()
        assert np.all(np.abs(z) < 4), z
        np.testing.assert_allclose(np.log(got["value"]), beta, atol=0.05)
        assert np.all(got["se"] < 0.03)

    def test_bad_response(self, dstrat):
        with pytest.raises(InputError, match="0/1"):
            logistic_regression(dstrat, "api00 ~ ell")
