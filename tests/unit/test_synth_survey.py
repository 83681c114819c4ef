"""Tests for analysis.synthetic.synth_survey: frame, design, response model, outcome model and calibration.

The calibration check evaluates the stored parameters (``CALIBRATED``) on one copy of the 2017
frame: the expected weighted estimates must reproduce the published 2017 figures. The
odds-ratio test fits the chapter's model on a large synthetic round and recovers the
generator's true coefficients.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import health
from analysis.contracts import lh_contract
from analysis.core import geo
from analysis.methods import frames, standardisation
from analysis.sources import catalog
from analysis.synthetic import synth_survey as ss
from analysis.synthetic import synthtools


@pytest.fixture(scope="module")
def frame17(inputs):
    return frames.population_frame(*inputs, 2017)


SMALL = {k: 300 for k in geo.KOMMUNER}  # a small round keeps the tests fast


@pytest.fixture(scope="module")
def round17(frame17):
    return ss.generate_round(2017, frame17, 11, alloc=SMALL)


class TestPopulationFrame:
    def test_kommun_counts_match_kolada(self, inputs, frame17):
        _, groups = inputs
        g = groups[groups["ar"] == 2017].set_index("kommun_kod")
        f = frame17.assign(band=np.where(frame17["age"] >= 65, "65+",
                                         np.where(frame17["age"] >= 20, "20-64", "18-19")))
        got = f.groupby(["kommun", "band"])["population"].sum().unstack()
        for k in geo.KOMMUNER:
            assert abs(got.loc[k, "20-64"] - g.loc[k, "20-64"]) <= 20  # cell rounding only
            assert abs(got.loc[k, "65+"] - g.loc[k, "65+"]) <= 40
        assert set(frame17["sex"]) == {"kvinnor", "man"}
        assert frame17["age"].min() == 18 and frame17["age"].max() == 100

    def test_adults_close_to_the_lan(self, inputs, frame17):
        lan, _ = inputs
        adults = lan[(lan["ar"] == 2017) & (lan["alder"] >= 18)]["folkmangd"].sum()
        assert abs(frame17["population"].sum() / adults - 1) < 0.01

    def test_after_last_year_uses_2019(self, inputs):
        f22 = frames.population_frame(*inputs, 2022)
        assert f22.attrs["population_year"] == 2019 == frames.LAST_POPULATION_YEAR
        assert f22["population"].sum() == frames.population_frame(*inputs, 2019)["population"].sum()

    def test_missing_year(self, inputs):
        with pytest.raises(ValueError, match="no population data"):
            frames.population_frame(*inputs, 1990)


class TestAllocation:
    def test_2022_design_from_the_seed(self):
        a = ss.allocation(2022)
        assert sum(a.values()) == 17240 and a["1880"] == 5580
        assert {v for k, v in a.items() if k != "1880"} == {1060}


class TestDrawSample:
    def test_stratified_srs(self, frame17):
        s = ss.draw_sample(frame17, ss.allocation(2017), np.random.default_rng(1))
        assert s.groupby("stratum").size().to_dict() == ss.allocation(2017)
        N = frame17.groupby("kommun")["population"].sum()
        assert (s.groupby("stratum")["N_h"].first() == N).all()

    def test_too_many_invitations(self, frame17):
        with pytest.raises(ValueError, match="invitations"):
            ss.draw_sample(frame17, {k: 10**6 for k in geo.KOMMUNER}, np.random.default_rng(1))


class TestGenerateRound:
    def test_in_the_contract_and_deterministic(self, frame17, round17):
        again = ss.generate_round(2017, frame17, 11, alloc=SMALL)
        pd.testing.assert_frame_equal(round17, again)
        other = ss.generate_round(2017, frame17, 12, alloc=SMALL)
        assert not round17["general_health"].equals(other["general_health"])
        back = lh_contract.validate_round(round17)
        assert len(back) == len(round17)

    def test_design_weights_sum_to_stratum_population(self, frame17, round17):
        w = round17.groupby("stratum")["design_weight"].sum()
        N = frame17.groupby("kommun")["population"].sum()
        assert np.allclose(w.sort_index(), N.sort_index())

    def test_response_rate_near_its_target(self, frame17):
        full = ss.generate_round(2017, frame17, 11)
        assert abs(full.attrs["response_rate"] - ss.RESPONSE_RATE[2017]) < 0.02
        assert full.attrs["invited"] == 17240

    def test_round_specific_questionnaires(self, inputs):
        r12 = ss.generate_round(2012, frames.population_frame(*inputs, 2012), 3, alloc=SMALL)
        assert r12["optimism"].isna().all()
        r00 = ss.generate_round(2000, frames.population_frame(*inputs, 2000), 3, alloc=SMALL)
        assert set(r00["fear_going_out"].dropna()) == {1, 2}

    def test_item_nonresponse(self, round17):
        miss = round17["physical_activity"].isna().mean()
        assert 0 < miss < 0.03

    def test_rounds_do_not_depend_on_each_other(self, inputs, frame17):
        both = ss.generate_rounds(*inputs, 5, years=(2000, 2017))
        pd.testing.assert_frame_equal(both[2017], ss.generate_round(2017, frame17, 5))


class TestResponseProbability:
    def test_directions_of_the_response_model(self):
        base = {"age": np.array([30, 60, 30, 30, 30]), "female": np.array([0, 0, 1, 0, 0]),
                "education": np.array([2, 2, 2, 3, 2]), "birth_country": np.array([1, 1, 1, 1, 4])}
        p = ss.response_probability(base, 2017)
        assert p[1] > p[0]  # older
        assert p[2] > p[0]  # women
        assert p[3] > p[0]  # higher educated
        assert p[4] < p[0]  # born outside Europe


class TestRakePopulation:
    def test_reaches_the_margins(self):
        rng = np.random.default_rng(2)
        a, b = rng.integers(0, 3, 500), rng.integers(0, 4, 500)
        base = rng.uniform(0.2, 0.9, 500)
        w = base * ss.rake_population(base, [a, b])
        assert np.allclose(np.bincount(a, weights=w), np.bincount(a))
        assert np.allclose(np.bincount(b, weights=w), np.bincount(b))


class TestExpectedWeights:
    def test_raked_to_kommun_sex(self, frame17):
        pop = ss._persons(frame17).iloc[::20].reset_index(drop=True)
        pp = ss.draw_persons(pop, 2017, np.random.default_rng(3))
        v = ss.expected_weights(pp, 2017, ss.resolved_params())
        got = pd.Series(v).groupby([pp["kommun"], pp["sex"]]).sum()
        want = pp.groupby(["kommun", "sex"]).size()
        assert np.allclose(got.to_numpy(), want.to_numpy())


@pytest.fixture(scope="module")
def population17(frame17):
    """One copy of the 2017 frame with drawn covariates, and the expected weights."""
    rng = np.random.default_rng(2017)
    pp = ss.draw_persons(ss._persons(frame17), 2017, rng)
    return pp, ss.expected_weights(pp, 2017, ss.resolved_params())


class TestCalibrated:
    """The stored parameters reproduce the published 2017 figures (expected weighted estimates)."""

    def test_good_health_targets(self, population17):
        pp, v = population17
        prm = ss.resolved_params()
        P = {c: pp[c].to_numpy() for c in pp.columns}
        q = 1 / (1 + np.exp(-ss.health_logit(P, 2017, prm)))
        frame = pd.DataFrame({"age": P["age"], "sex": pp["sex"], "education": P["education"],
                              "employment": P["employment"],
                              "economic_strain": P["economic_strain"], "_q": q, "_v": v})
        targets = ss.calibration_targets(catalog.load("seed_figures"))
        esp = standardisation.esp_series(catalog.load("esp2013"))
        got = standardisation.expected_standardised(frame, targets, esp)
        # one copy of the frame: Monte Carlo error of the small groups is about 0.3 points
        assert np.abs(got - targets["value"].to_numpy()).max() < 0.01

    def test_anxiety_depression_wellbeing(self, population17):
        pp, v = population17
        women = (pp["sex"] == "kvinnor").to_numpy()

        def share(x, m):
            return np.sum(v[m] * x[m]) / np.sum(v[m])

        anx = (pp["anxiety"] >= 2).to_numpy()
        assert abs(share(anx, women) - 0.41) < 0.006
        assert abs(share(anx, ~women) - 0.28) < 0.006
        everyone = np.ones(len(v), bool)
        assert abs(share((pp["depression"] == 1).to_numpy(), everyone) - 0.10) < 0.005
        raw = pp[[f"who5_{i}" for i in range(1, 6)]].sum(axis=1).to_numpy()
        assert abs(share(raw >= 13, everyone) - 0.74) < 0.01

    def test_kommun_pattern_within_the_published_classes(self, population17):
        pp, v = population17
        P = {c: pp[c].to_numpy() for c in pp.columns}
        q = 1 / (1 + np.exp(-ss.health_logit(P, 2017, ss.resolved_params())))
        cell = pd.DataFrame({"k": pp["kommun"], "s": pp["sex"], "vq": v * q, "v": v}).groupby(
            ["k", "s"]).sum()
        share = cell["vq"] / cell["v"]
        assert share.min() > 0.56 and share.max() < 0.78


class TestTrueHealthCoefficients:
    def test_recovered_by_the_chapters_model(self, inputs, frame17):
        """Fit the chapter's odds-ratio model on a large round: the true log odds ratios lie
        within 3.5 standard errors, and the squared z-scores average about 1."""
        N = frame17.groupby("kommun")["population"].sum()
        alloc = {k: int(min(N[k] - 1, 2000)) for k in geo.KOMMUNER}
        big = ss.generate_round(2017, frame17, 2024, alloc=alloc)
        des = health.survey_design(health.prepare(big), frame17)
        fit = health.odds_ratios(des, 2017, adjustment="mutual")
        truth = ss.true_health_coefficients(2017)
        z = (np.log(fit["value"]) - fit["generator_term"].map(truth)) / fit["se"]
        assert len(fit) == len(ss.HEALTH_TERMS)
        assert np.abs(z).max() < 3.5, fit.assign(z=z)[["term", "value", "z"]]
        assert np.mean(z**2) < 2.0


class TestCalibrationTargets:
    """The targets are the published figures, read from the catalogued seed figures."""

    def test_read_from_seed_figures(self):
        seed = catalog.load("seed_figures")
        t = ss.calibration_targets(seed)
        assert t["published"].tolist() == [57, 72, 81, 34, 50, 79, 48, 77, 70, 77]
        assert t["value"].tolist() == [0.57, 0.72, 0.81, 0.34, 0.50, 0.79, 0.48, 0.77, 0.70, 0.77]
        assert t["label"].tolist() == [g["label"] for g in health.PUBLISHED_GOOD_HEALTH]
        assert t["bands"].tolist() == [g["bands"] for g in health.PUBLISHED_GOOD_HEALTH]
        assert ss.crude_targets(seed) == {("anxiety_any", "kvinnor"): 0.41,
                                          ("anxiety_any", "man"): 0.28,
                                          ("depression_dx", "totalt"): 0.10}


class TestCalibratedFile:
    def test_read_from_the_json_file(self):
        assert ss.CALIBRATED == synthtools.read_calibrated(ss.CALIBRATION_FILE)
        assert ss.CALIBRATION_FILE == synthtools.calibrated_path("liv_och_halsa")
        prm = ss.resolved_params()
        assert prm["general_health"]["emp"][3] == ss.CALIBRATED["general_health.emp.3"]
        assert prm["response"]["const"][2017] == ss.CALIBRATED["response.const.2017"]

    def test_write_then_read_gives_identical_floats(self, tmp_path):
        path = tmp_path / "liv_och_halsa.json"
        ss.write_calibrated(ss.CALIBRATED, path)
        back = synthtools.read_calibrated(path)
        assert list(back) == list(ss.CALIBRATED)
        assert all(back[k].hex() == v.hex() for k, v in ss.CALIBRATED.items())
        assert path.read_bytes() == ss.CALIBRATION_FILE.read_bytes()  # the stored file as written
