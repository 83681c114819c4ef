"""Tests for analysis.synthetic.synth_ung: cohorts, schools, non-response, the outcome model, calibration and
the on-disk cache.

The calibration check evaluates the stored parameters (``CALIBRATED``) on the 2017 cohorts: the
model's population values reproduce every target of ``TARGETS``. The model-direction tests check
what the seeds describe: a monotone dose–response in the number of protective factors, girls below
boys with a gap widening by school year and over the rounds, worry about the family's finances
linked to lower well-being, and falling daily smoking.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from _survey_fixtures import scaled as _scaled

from analysis.contracts import ung_contract
from analysis.core import codehash, geo
from analysis.methods import frames, working_age
from analysis.synthetic import synth_ung as su
from analysis.synthetic import synthtools


@pytest.fixture(scope="module")
def frame17(inputs):
    return frames.cohort_frame(*inputs, 2017)


@pytest.fixture(scope="module")
def round17(frame17):
    return su.generate_round(2017, frame17, 11)


class TestCohortShares:
    def test_shares_sum_to_one_and_agree_with_the_teen_method(self, inputs):
        _, groups = inputs
        s = frames.cohort_shares(groups, 2016, (13, 15, 17))
        assert np.allclose(s.sum(), 1.0)
        teen = working_age.teen_shares(groups, [2016]).query("alder == 17")
        got = s[17].reindex(teen["kommun_kod"]).to_numpy()
        assert np.allclose(got, teen["share"].to_numpy())

    def test_unknown_year(self, inputs):
        with pytest.raises(ValueError, match="no Kolada"):
            frames.cohort_shares(inputs[1], 1990)


class TestCohortFrame:
    def test_kommuner_add_up_to_the_lan(self, inputs, frame17):
        lan, _ = inputs
        assert frame17.attrs["population_year"] == 2016
        l16 = lan[lan["ar"] == 2016]
        for grade, age in frames.GRADE_AGE.items():
            for sex, kon in (("kvinnor", "kvinnor"), ("man", "män")):
                want = round(float(l16.loc[(l16["kon"] == kon) & (l16["alder"] == age),
                                           "folkmangd"].iloc[0]))
                got = frame17.loc[(frame17["grade"] == grade) & (frame17["sex"] == sex),
                                  "population"].sum()
                assert got == want
        assert set(frame17["kommun"]) == set(geo.KOMMUNER)

    def test_2021_uses_2019(self, inputs):
        f21 = frames.cohort_frame(*inputs, 2021)
        assert f21.attrs["population_year"] == 2019 == frames.LAST_POPULATION_YEAR
        assert f21["population"].sum() == frames.cohort_frame(*inputs, 2020)["population"].sum()

    def test_missing_year(self, inputs):
        with pytest.raises(ValueError, match="no population data"):
            frames.cohort_frame(*inputs, 1960)


class TestSchoolUnits:
    def test_every_kommun_has_schools_that_persist(self, inputs, frame17):
        s17 = su.school_units(frame17, 5)
        assert (s17.groupby(["kommun", "kind"]).size() >= 1).all()
        assert s17.groupby("kommun")["kind"].nunique().eq(2).all()
        s14 = su.school_units(frames.cohort_frame(*inputs, 2014), 5)
        both = s17.merge(s14, on="school", suffixes=("", "_14"))
        assert len(both) >= 0.8 * len(s17)
        assert np.allclose(both["effect"], both["effect_14"])


class TestGenerateRound:
    def test_in_the_contract_and_deterministic(self, frame17, round17):
        again = su.generate_round(2017, frame17, 11)
        pd.testing.assert_frame_equal(round17.pupils, again.pupils)
        other = su.generate_round(2017, frame17, 12)
        assert not round17.pupils["general_wellbeing"].equals(other.pupils["general_wellbeing"])
        ung_contract.validate_round(round17.pupils)
        ung_contract.check_consistency(round17.pupils, round17.schools)
        assert round17.synthetic

    def test_enrolled_are_the_cohorts_and_response_is_plausible(self, frame17, round17):
        assert round17.schools["enrolled"].sum() == frame17["population"].sum()
        assert 0.70 < round17.info["response_rate"] < 0.85
        assert round17.info["participating_schools"] < round17.info["schools"] + 1
        by_grade = round17.pupils.groupby("grade").size() / frame17.groupby("grade")[
            "population"].sum()
        assert by_grade["gy2"] < by_grade["ak7"]

    def test_who5_only_in_years_nine_and_gy2(self, round17):
        young = round17.pupils["grade"] == "ak7"
        assert round17.pupils.loc[young, "who5_1"].isna().all()
        assert round17.pupils.loc[~young, "who5_1"].notna().mean() > 0.95

    def test_round_specific_questionnaires(self, inputs):
        f05 = _scaled(frames.cohort_frame(*inputs, 2005), 0.2)
        r05 = su.generate_round(2005, f05, 3)
        assert r05.pupils["physical_activity"].isna().all()
        f21 = _scaled(frames.cohort_frame(*inputs, 2021), 0.2)
        r21 = su.generate_round(2021, f21, 3)
        assert r21.pupils["safety_public"].isna().all()
        assert r21.pupils["association"].isna().all()
        assert r21.pupils["physical_activity"].notna().any()

    def test_limited_2021_round_has_fewer_schools(self, inputs):
        info = su.generate_round(2021, frames.cohort_frame(*inputs, 2021), 1).info
        assert info["participating_schools"] / info["schools"] < 0.85
        assert info["response_rate"] < 0.6

    def test_full_response(self, frame17):
        r = su.generate_round(2017, _scaled(frame17, 0.3), 4, full_response=True)
        assert len(r.pupils) == r.schools["enrolled"].sum()


class TestCalibration:
    def test_stored_values_reproduce_the_targets(self, frame17):
        got = su.expected_targets(frame17, replicates=3)
        want = pd.Series({t["id"]: t["value"] for t in su.TARGETS})
        assert (got - want).abs().max() < 0.02, (got - want).round(3).to_dict()

    def test_targets_are_labelled(self):
        assert {t["status"] for t in su.TARGETS} <= {"antagande", "påhittad form"}
        assert {t["id"] for t in su.TARGETS} >= {"dose_0", "dose_5"}


class TestModel:
    def test_dose_response_is_monotone(self, frame17):
        t = su.true_dose_response(frame17, 2017)
        for sex in ("kvinnor", "man", "totalt"):
            v = t[t["sex"] == sex].sort_values("factors")["value"].to_numpy()
            assert len(v) == 6 and np.all(np.diff(v) > 0), sex
        wide = t.pivot(index="factors", columns="sex", values="value")
        assert (wide["kvinnor"] < wide["man"]).all()

    def test_girls_gap_widens_with_school_year_and_over_rounds(self, frame17):
        prm = su.resolved_params()
        base = {"kommun": np.array(["1880"] * 6), "grade": np.array(["ak7", "ak9", "gy2"] * 2),
                "girl": np.array([1, 1, 1, 0, 0, 0], dtype=float), "K": np.full(6, 4.0),
                "finance_worry": np.zeros(6), "mood": np.zeros(6)}
        for name, sign in (("general_wellbeing", -1), ("worry", 1)):
            gaps = {}
            for year in (2005, 2017):
                eta = su._outcome_logit(name, base, year, prm)
                gaps[year] = sign * (eta[:3] - eta[3:])
            assert np.all(gaps[2017] > 0) and np.all(np.diff(gaps[2017]) > 0), name
            assert np.all(gaps[2017] > gaps[2005]), name

    def test_worry_about_finances_lowers_wellbeing(self, frame17):
        people = su._population(_scaled(frame17, 1.0), 2)
        drawn = su.draw_pupils(people, 2017, np.random.default_rng(3))
        good = drawn["general_wellbeing"] <= 2
        worried = drawn["family_finances"] >= 2
        assert good[worried].mean() < good[~worried].mean() - 0.08
        daily = drawn.groupby("K")["feel_good"].apply(lambda s: (s == 1).mean())
        assert daily.is_monotonic_increasing

    def test_daily_smoking_falls_over_the_rounds(self, frame17):
        people = su._population(frame17, 2)
        share = {y: (su.draw_pupils(people, y, np.random.default_rng(1))["smoking"] == 4).mean()
                 for y in (2005, 2017)}
        assert share[2017] < share[2005] / 1.5


class TestCachedRounds:
    def test_written_once_then_read(self, inputs, tmp_path, monkeypatch):
        first = su.cached_rounds(*inputs, 7, years=(2014,), cache_root=tmp_path)
        folders = [p for p in tmp_path.iterdir() if p.is_dir()]
        assert len(folders) == 1 and (folders[0] / "meta.json").exists()

        def boom(*a, **k):
            raise AssertionError("regenerated instead of read from the cache")

        monkeypatch.setattr(su, "generate_rounds", boom)
        again = su.cached_rounds(*inputs, 7, years=(2014,), cache_root=tmp_path)
        pd.testing.assert_frame_equal(first[2014].pupils, again[2014].pupils)
        pd.testing.assert_frame_equal(first[2014].schools, again[2014].schools)
        assert again[2014].info == first[2014].info and again[2014].synthetic
        with pytest.raises(AssertionError, match="regenerated"):
            su.cached_rounds(*inputs, 8, years=(2014,), cache_root=tmp_path)

    def test_key_covers_the_fitted_parameters(self, tmp_path):
        """The cache key is the generator's import-closure hash, fitted parameters included: a
        new calibration can never be served rounds drawn with the old one."""
        pkg = tmp_path / "analysis"
        shutil.copytree(codehash.PACKAGE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__"))
        before = codehash.code_hash([su.MODULE], pkg)
        path = pkg / "synthetic" / "calibrated" / "liv_och_halsa_ung.json"
        values = synthtools.read_calibrated(path)
        synthtools.write_calibrated({**values, "smoking.const": values["smoking.const"] + 1e-4},
                                    path)
        assert codehash.code_hash([su.MODULE], pkg) != before


class TestCalibratedFile:
    def test_read_from_the_json_file(self):
        assert su.CALIBRATED == synthtools.read_calibrated(su.CALIBRATION_FILE)
        assert su.CALIBRATION_FILE == synthtools.calibrated_path("liv_och_halsa_ung")
        assert su.resolved_params()["smoking"]["const"] == su.CALIBRATED["smoking.const"]
