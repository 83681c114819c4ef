"""Tests for analysis.chapters.health: indicators, design, the chapter's tables and their disclosure control.

The published-figure test runs the chapter's own computation on the shipped seed (params/2019.yml,
seed 20191231): every published 2017 good-health figure, as printed (whole per cent, i.e. ±0.5
points), overlaps the chapter's 95 % confidence interval. The disclosure tests build every table
with a threshold high enough to suppress many cells and check that no value of a cell under the
threshold survives, in the table, in its CSV and in the figure data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from _survey_fixtures import check_no_value_under

from analysis.chapters import health
from analysis.contracts import lh_contract
from analysis.core import geo
from analysis.inputs import liv_och_halsa
from analysis.methods import frames, standardisation, survey
from analysis.sources import catalog, seeds
from analysis.synthetic import synth_survey as ss

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
SHIPPED_SEED = yaml.safe_load((ROOT / "params" / "2019.yml").read_text())["seed"]


@pytest.fixture(scope="module")
def esp():
    return standardisation.esp_series(catalog.load("esp2013"))


@pytest.fixture(scope="module")
def seed_figures():
    return catalog.load("seed_figures")


@pytest.fixture(scope="module")
def frame17(inputs):
    return frames.population_frame(*inputs, 2017)


@pytest.fixture(scope="module")
def shipped(frame17):
    """The 2017 round the 2019 edition shows, and its design."""
    r = ss.generate_round(2017, frame17, SHIPPED_SEED)
    return r, health.survey_design(health.prepare(r), frame17)


@pytest.fixture(scope="module")
def small(frame17):
    """A small round (120 invitations per kommun): many cells fall under the threshold."""
    r = ss.generate_round(2017, frame17, 5, alloc={k: 120 for k in geo.KOMMUNER})
    return r, health.survey_design(health.prepare(r), frame17)


class TestPrepare:
    def test_indicators(self):
        r = lh_contract.validate_round(_good())
        d = health.prepare(r)
        assert d["good_health"].tolist()[:4] == [1.0, 1.0, 0.0, 0.0]
        raw = r[list(lh_contract.WHO5_ITEMS)].astype(float).sum(axis=1)
        assert ((d["good_wellbeing"] == 1) == (raw >= 13)).all()
        assert np.isnan(d["good_wellbeing"].iloc[4])  # one WHO-5 item missing
        assert d["who5_index"].iloc[0] == 4 * raw.iloc[0]
        assert d["age_group"].iloc[0] == "18-29"
        assert np.isnan(d["anxiety_any"].iloc[5])


def _good() -> pd.DataFrame:
    """24 respondents, 2 per kommun, with hand-set answers in the first rows."""
    n = 24
    kom = np.repeat(list(geo.KOMMUNER), 2)
    d = pd.DataFrame({"resp_id": [f"r{i}" for i in range(n)], "year": 2017, "kommun": kom,
                      "stratum": kom, "sex": [1, 2] * 12, "age": [20, 35, 50, 70] * 6})
    for v in lh_contract.VARIABLES:
        if v.kind == "code":
            d[v.name] = min(v.labels)
    d["general_health"] = [1, 2, 3, 5] * 6
    for i, item in enumerate(lh_contract.WHO5_ITEMS):
        d[item] = [3, 2, 1, 5][i % 4]
    d = d.astype({"who5_2": float, "anxiety": float})
    d.loc[4, "who5_2"] = np.nan
    d.loc[5, "anxiety"] = np.nan
    d["design_weight"] = 50.0
    return d


class TestStandardPopulation:
    def test_esp_bands(self, esp):
        s = standardisation.standard_population(esp)
        assert s.to_dict() == {"18-29": 14200.0, "30-44": 20500.0, "45-54": 14000.0,
                               "55-64": 12500.0, "65-69": 5500.0}
        s64 = standardisation.standard_population(esp, standardisation.BANDS_18_64)
        assert s64["18-44"] == 34700.0

    def test_bands_of_an_age(self):
        got = standardisation.band_of(np.array([17, 18, 44, 45, 64, 65]),
                                      standardisation.BANDS_18_64)
        assert got.tolist() == [None, "18-44", "18-44", "45-54", "55-64", None]


class TestMergeSparseBands:
    def test_no_merge_when_dense(self):
        c = pd.Series([30, 40, 50], index=["18-44", "45-54", "55-64"])
        assert standardisation.merge_sparse_bands(c) == {b: b for b in c.index}

    def test_sparse_band_joins_its_smaller_neighbour(self):
        c = pd.Series([4, 31, 52, 116], index=["18-29", "30-44", "45-54", "55-64"])
        assert standardisation.merge_sparse_bands(c) == {"18-29": "18-44", "30-44": "18-44",
                                                         "45-54": "45-54", "55-64": "55-64"}
        c = pd.Series([50, 5, 10, 60], index=["18-29", "30-44", "45-54", "55-64"])
        # 5+10, then +50
        assert set(standardisation.merge_sparse_bands(c).values()) == {"18-54", "55-64"}


class TestSurveyDesign:
    def test_raked_to_the_population(self, shipped, frame17):
        _, des = shipped
        w = pd.Series(des.weights).groupby([des.data["kommun"], des.data["sex"]]).sum()
        want = frame17.groupby(["kommun", "sex"])["population"].sum()
        assert np.allclose(w.sort_index().to_numpy(), want.sort_index().to_numpy())

    def test_calibrated_weight_used_as_given(self, shipped, frame17):
        r, _ = shipped
        des = health.survey_design(health.prepare(r.assign(calibrated_weight=7.0)), frame17)
        assert np.allclose(des.weights, 7.0)


class TestStandardisedGroups:
    def test_published_2017_figures_inside_the_intervals(self, shipped, esp, seed_figures):
        """The done-when criterion on the shipped seed."""
        _, des = shipped
        t = health.standardised_groups(des, esp, 2017, seed_figures=seed_figures)
        assert len(t) == 10 and t["inside"].all(), t[["group", "value", "lower", "upper"]]
        assert (t["statistic"] == "age-standardised proportion").all()
        assert list(t.columns[:7]) == ["indicator_id", "area_code", "area_type", "period", "sex",
                                       "age", "group"]

    def test_published_crude_shares_inside_the_intervals(self, shipped, seed_figures):
        _, des = shipped
        t = health.published_crude(des, 2017, seed_figures=seed_figures)
        assert t["inside"].all(), t[["group", "value", "lower", "upper"]]
        assert t["published"].tolist() == [0.41, 0.28, 0.10]

    def test_equals_hand_standardisation(self, shipped, esp, seed_figures):
        _, des = shipped
        g = (health.PUBLISHED_GOOD_HEALTH[-1],)  # men 18–69
        got = health.standardised_groups(des, esp, 2017, groups=g,
                                         seed_figures=seed_figures).iloc[0]
        bands = standardisation.BANDS_18_69
        band = standardisation.band_of(des.data["age"], bands)
        w = standardisation.standard_population(esp)
        man = (des.data["sex"] == "man").to_numpy()
        parts = [des.proportion("good_health", where=man & (band == b)).iloc[0] for b in bands]
        value = sum(w[b] / w.sum() * p["value"] for b, p in zip(bands, parts, strict=True))
        se = np.sqrt(sum((w[b] / w.sum() * p["se"]) ** 2
                         for b, p in zip(bands, parts, strict=True)))
        assert got["value"] == pytest.approx(value) and got["se"] == pytest.approx(se)


class TestPublishedValues:
    """The published figures are read from the catalogued seed figures, never held in code."""

    def test_catalogued_values_are_the_published_figures(self, seed_figures):
        rows = health.published_quotes(seed_figures)
        assert [r["value"] for r in rows] == [57, 72, 81, 34, 50, 79, 48, 77, 70, 77, 41, 28, 10]
        assert health.published_good_health(seed_figures) == [57, 72, 81, 34, 50, 79, 48, 77,
                                                               70, 77]
        assert health.published_crude_values(seed_figures) == [41, 28, 10]

    def test_definitions_hold_no_numbers(self):
        for g in (*health.PUBLISHED_GOOD_HEALTH, *health.PUBLISHED_CRUDE):
            assert "published" not in g and "value" not in g
        assert {g["bands"] for g in health.PUBLISHED_GOOD_HEALTH} == {
            standardisation.BANDS_18_69, standardisation.BANDS_18_64}

    def test_tables_and_calibration_read_the_same_rows(self, small, esp, seed_figures):
        """Change a catalogued value: the chapter's table and the generator's targets follow."""
        _, des = small
        changed = seed_figures.copy()
        row = seeds.published(changed, group="Män", **seeds.LH_GOOD_HEALTH_KEYS).name
        changed.loc[row, "value"] = 66.0
        crude_row = seeds.published(changed, group="18+ (alla)",
                                    indicator=health.PUBLISHED_CRUDE[-1]["seed_indicator"],
                                    **seeds.LH_CRUDE_KEYS).name
        changed.loc[crude_row, "value"] = 12.0
        g = (health.PUBLISHED_GOOD_HEALTH[-1],)
        t = health.standardised_groups(des, esp, 2017, groups=g, seed_figures=changed)
        assert t["published"].tolist() == [0.66]
        c = health.published_crude(des, 2017, seed_figures=changed)
        assert c["published"].tolist() == [0.41, 0.28, 0.12]
        assert ss.calibration_targets(changed)["value"].iloc[-1] == 0.66
        assert ss.crude_targets(changed)[("depression_dx", "totalt")] == 0.12


class TestTables:
    def test_by_kommun_sex(self, shipped):
        _, des = shipped
        t = health.by_kommun_sex(des, ["good_health"], 2017)
        assert len(t) == 36 and set(t["area_code"]) == set(geo.KOMMUNER)
        assert (t["lower"] < t["value"]).all() and (t["value"] < t["upper"]).all()

    def test_by_sex_age(self, shipped):
        _, des = shipped
        t = health.by_sex_age(des, ["anxiety_any"], 2017)
        assert set(t["age"]) == {"18-29", "30-44", "45-64", "65-79", "80+", "18+"}
        assert set(t["sex"]) == {"kvinnor", "man", "totalt"}

    def test_trends_skip_unasked_questions(self, inputs):
        r12 = ss.generate_round(2012, frames.population_frame(*inputs, 2012), 1,
                                alloc={k: 150 for k in geo.KOMMUNER})
        des = {2012: health.survey_design(health.prepare(r12),
                                          frames.population_frame(*inputs, 2012))}
        t = health.trends(des, ["optimistic", "daily_smoker"])
        assert set(t["indicator_id"]) == {"daily_smoker"}
        assert (t["age"] == "18-79").all()

    def test_model_leaves_out_unasked_factors(self):
        d = health.prepare(lh_contract.validate_round(_good().assign(optimism=np.nan),
                                                      not_asked=("optimism",)))
        f = health.model_formula(d)
        assert "optimistic" not in f and "anxiety_any" in f
        assert health.model_formula(health.prepare(lh_contract.validate_round(_good()))) == \
            health.MODEL_FORMULA

    def test_odds_ratios(self, tables):
        """The chart's default: each factor in its own model, adjusted for sex and age only."""
        t, _ = tables["odds"]
        factor_terms = {k for k, v in health.MODEL_TERMS.items()
                        if not k.startswith(("C(sex)", "C(age_group)"))}
        assert set(t["term"]) == factor_terms and (t["adjustment"] == "sex_age").all()
        assert (t["statistic"] == "odds ratio").all() and (t["n_category"] <= t["n"]).all()
        assert set(t["direction"]) == {"skyddsfaktor", "riskfaktor"}

    def test_odds_ratios_mutual(self, shipped):
        _, des = shipped
        t = health.odds_ratios(des, 2017, adjustment="mutual")
        assert set(t["term"]) == set(health.MODEL_TERMS) and (t["adjustment"] == "mutual").all()

    def test_unknown_adjustment(self, shipped):
        with pytest.raises(ValueError, match="adjustment"):
            health.odds_ratios(shipped[1], 2017, adjustment="all")

    def test_compare_with_rest(self, shipped, frame17):
        r, des = shipped
        t = health.compare_with_rest(health.prepare(r), frame17, "1864", ["good_health"], 2017)
        row = t[t["sex"] == "totalt"].iloc[0]
        assert row["value"] == pytest.approx(row["value_area"] - row["value_rest"])
        area = des.proportion("good_health", where=(des.data["kommun"] == "1864").to_numpy())
        assert row["value_area"] == pytest.approx(area["value"].iloc[0])
        assert row["se"] ** 2 == pytest.approx(row["se_area"] ** 2 + row["se_rest"] ** 2)
        assert (row["upper"] - row["lower"]) / 2 == pytest.approx(1.959964 * row["se"], rel=1e-5)
        assert row["significant"] == ((row["lower"] > 0) or (row["upper"] < 0))

    def test_weighting_summary(self, shipped):
        r, des = shipped
        rr = liv_och_halsa.Rounds({2017: r})
        s = health.weighting_summary(rr, {2017: des}).iloc[0]
        assert s["invited"] == 17240 and s["respondents"] == len(r)
        assert s["lower"] < s["value"] < s["upper"]


@pytest.fixture(scope="module")
def tables(small, frame17, esp, seed_figures):
    """Every table builder of the chapter and the profile, on the small round (unsuppressed)."""
    r, des = small
    return {
        "kommun_sex": (health.by_kommun_sex(des, ["good_health"], 2017), ("n",)),
        "sex_age": (health.by_sex_age(des, ["anxiety_any", "good_wellbeing"], 2017), ("n",)),
        "fine": (health.by_kommun_sex_age(des, "good_health", 2017), ("n",)),
        "groups": (health.standardised_groups(des, esp, 2017, seed_figures=seed_figures),
                   ("n",)),
        "odds": (health.odds_ratios(des, 2017), ("n_category",)),
        "trend": (health.trends({2017: des}, ["daily_smoker"]), ("n",)),
        "profile": (health.compare_with_rest(health.prepare(r), frame17, "1864",
                                             health.PROFILE_INDICATORS, 2017), ("n", "n_rest")),
    }


class TestSuppress:
    """No estimate under the threshold reaches a table, a CSV file or a figure's data."""

    THRESHOLD = 60

    def test_no_value_under_the_threshold(self, tables, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("ANALYSIS_NB_STEM", "t")
        check_no_value_under(tables, self.THRESHOLD, health.suppress, health.for_csv,
                             flags=("inside", "significant"))

    def test_displays_show_a_dot(self, tables):
        t = health.suppress(tables["fine"][0], self.THRESHOLD)
        wide = health.kommun_sex_age_display(t)
        cells = wide.drop(columns=["Kommun", "Kön"]).to_numpy().ravel()
        assert (cells == ".").sum() == int(t["suppressed"].sum())
        p = health.suppress(tables["profile"][0], 10_000, counts=("n", "n_rest"))
        shown = health.difference_display(p, "Ljusnarsberg")
        assert (shown["Skillnad, procentenheter (95 % KI)"] == ".").all()
        assert "för få svarande" in health.profile_sentence(p, "Ljusnarsberg")
        g = health.suppress(tables["groups"][0], 10_000)
        assert (health.published_display(g)["Beräknat"] == ".").all()
        o = health.suppress(tables["odds"][0], 10_000, counts=("n_category",))
        assert (health.odds_display(o)["Oddskvot"] == ".").all()
        k = health.suppress(tables["kommun_sex"][0], 10_000)
        assert (health.kommun_display(k).drop(columns="Kommun") == ".").all().all()

    def test_threshold_is_the_parameter(self):
        t = pd.DataFrame({"value": [0.5, 0.6], "lower": [0.4, 0.5], "upper": [0.6, 0.7],
                          "se": [0.05, 0.05], "n": [29, 30]})
        s = health.suppress(t, 30)
        assert s["suppressed"].tolist() == [True, False]
        assert s["note"].iloc[0] == "färre än 30 svarande"


class TestMapClasses:
    def test_seed_classes(self):
        bins, labels = health.map_classes(pd.Series([0.58, 0.76]))
        assert bins == [0.57, 0.61, 0.65, 0.69, 0.73, 0.77]
        assert labels == ["57–60,9", "61–64,9", "65–68,9", "69–72,9", "73–77"]

    def test_widened_outer_classes(self):
        bins, labels = health.map_classes(pd.Series([0.551, 0.814, np.nan]))
        assert bins[0] == 0.55 and bins[-1] == 0.82
        assert labels[0] == "55–60,9" and labels[-1] == "73–82"


class TestLoadRounds:
    def test_synthetic_by_default(self, inputs, monkeypatch):
        monkeypatch.delenv(liv_och_halsa.ENV_MICRODATA, raising=False)
        r = liv_och_halsa.load_rounds(2015, 3, *inputs, latest=True)
        assert r.synthetic and list(r) == [2012] and 2012 in r.frames

    def test_real_files_through_the_environment(self, inputs, tmp_path, monkeypatch):
        for y in (2012, 2017):
            rnd = ss.generate_round(y, frames.population_frame(*inputs, y), 9,
                                    alloc={k: 40 for k in geo.KOMMUNER})
            lh_contract.write_round(rnd, tmp_path / f"liv_och_halsa_{y}.parquet")
        monkeypatch.setenv(liv_och_halsa.ENV_MICRODATA, str(tmp_path))
        r = liv_och_halsa.load_rounds(2019, 3, *inputs)
        assert not r.synthetic and list(r) == [2012, 2017] and r.source == tmp_path.name
        assert liv_och_halsa.load_rounds(2019, 3, *inputs, latest=True).keys() == {2017}
        with pytest.raises(ValueError, match="no Liv & hälsa round up to 2010 in "):
            liv_och_halsa.load_rounds(2010, 3, *inputs)

    def test_private_folder_found_without_the_variable(self, inputs, tmp_path, monkeypatch):
        monkeypatch.delenv(liv_och_halsa.ENV_MICRODATA, raising=False)
        monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path))
        assert liv_och_halsa.microdata_source() is None
        folder = tmp_path.joinpath(*liv_och_halsa.PRIVATE_FOLDER)
        folder.mkdir(parents=True)
        (folder / "README.txt").write_text("no rounds yet")
        assert liv_och_halsa.microdata_source() is None
        rnd = ss.generate_round(2017, frames.population_frame(*inputs, 2017), 9,
                                alloc={k: 40 for k in geo.KOMMUNER})
        lh_contract.write_round(rnd, folder / "liv_och_halsa_2017.sav")
        assert liv_och_halsa.microdata_source() == str(folder)
        assert liv_och_halsa.microdata_source("x.csv") == "x.csv"
        r = liv_och_halsa.load_rounds(2019, 3, *inputs)
        assert not r.synthetic and list(r) == [2017]

    def test_latest_round(self):
        assert liv_och_halsa.latest_round(2019) == 2017
        assert liv_och_halsa.latest_round(2022) == 2022
        with pytest.raises(ValueError):
            liv_och_halsa.latest_round(1999)


class TestKeyIndicators:
    def test_both_sexes_18_plus_not_suppressed(self, tables):
        t = health.suppress(tables["kommun_sex"][0], 60)
        k = health.key_indicators([t])
        keep = t[(t["sex"] == "totalt") & ~t["suppressed"]]
        assert len(k) == len(keep) and (k["indicator_id"] == "lh_good_health").all()
        assert set(k.columns) >= {"indicator_id", "indicator", "area_code", "period", "value",
                                  "lower", "upper", "unit"}


class TestValue:
    def test_one_row(self):
        t = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
        assert health.value(t, a=2)["b"] == "y"
        with pytest.raises(LookupError):
            health.value(t, a=3)


class TestEngineUse:
    def test_tables_follow_the_tidy_layout(self, small):
        _, des = small
        t = health.by_sex_age(des, ["good_health"], 2017)
        assert list(t.columns[7:15]) == survey.STAT_COLUMNS


class TestLinkedProtection:
    def test_comparisons_equal_compare_with_rest(self, small, frame17):
        r, des = small
        every = health.comparisons(des, ["good_health", "daily_smoker"], 2017)
        assert every["area_code"].unique().tolist() == list(geo.KOMMUNER)
        one = health.compare_with_rest(health.prepare(r), frame17, "1864",
                                       ["good_health", "daily_smoker"], 2017)
        got = every[every["area_code"] == "1864"].reset_index(drop=True)
        assert list(got.columns) == list(one.columns)
        pd.testing.assert_frame_equal(got, one, check_dtype=False, atol=1e-12)

    def test_linked_tables(self, small):
        t = health.linked_tables(small[1], 2017, sex_age=["good_health"])
        assert set(t) == {"sex_age", "kommun", "kommun_sex_age", "compare"}
        assert set(t["compare"]["indicator_id"]) == set(health.PROFILE_INDICATORS)

    def test_protected(self, small):
        des = small[1]
        off = health.protected(des, 2017, 30, linked=False, sex_age=["good_health"])
        on = health.protected(des, 2017, 30, sex_age=["good_health"])
        for name in on:
            a, b = off[name], on[name]
            assert (a["suppressed"] <= b["suppressed"]).all(), name  # never fewer
            primary = (b["rule"] == "primär").to_numpy()
            assert (a["suppressed"].to_numpy() == primary).all(), name
            assert b.loc[b["suppressed"], ["value", "lower", "upper", "se", "n"]].isna().all().all()
        assert any((t["rule"] == "sekundär").any() for t in on.values())
        c = on["compare"]
        assert c.loc[c["suppressed"], ["value_area", "value_rest", "n_rest"]].isna().all().all()
        # the kommun's share is one cell in both tables: withheld in both or in neither
        k = on["kommun"].set_index(["area_code", "sex"])["suppressed"]
        g = c[c["indicator_id"] == "good_health"].set_index(["area_code", "sex"])["suppressed"]
        assert (k.loc[g.index] == g).all()


class TestDifferenceNote:
    def test_star_only_with_real_data(self):
        assert "asterisk" in health.difference_note(False)
        assert "asterisk" not in health.difference_note(True)


class TestShownVerdicts:
    def test_no_filled_marker_on_a_shown_interval_reaching_zero(self):
        t = pd.DataFrame({"lower": [0.004, 0.02], "upper": [0.05, 0.06],
                          "significant": [True, True]})
        assert health.shown_verdicts(t)["significant"].tolist() == [False, True]
